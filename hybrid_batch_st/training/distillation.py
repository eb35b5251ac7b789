"""Cross-lingual knowledge distillation data (Reimers & Gurevych 2020, sentence-transformers'
``make_multilingual``): every language's text of a parallel example learns, with ``MSELoss``, to sit
where a frozen teacher puts its pivot-language version.

The teacher embeds each pivot-language question and answer once (through the embedding cache, so a
second run with the same teacher encodes nothing) and the vectors are stored once per pivot record;
a training row holds a text and the number of its pivot record, resolved to the teacher's vector when
a batch is read. Questions and answers are two datasets (``distill-questions`` with an ``anchor``
column, ``distill-answers`` with ``positive``), so each keeps its own prompt (e5's ``query: `` and
``passage: ``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import option

if TYPE_CHECKING:
    from datasets import Dataset

    from ..data.dataset import MultilingualPairDataset

__all__ = ["TeacherLabels", "distillation_datasets", "teacher_embeddings"]

logger = logging.getLogger(__name__)


class TeacherLabels:
    """``Dataset.set_transform``: ``{column: texts, "teacher": record numbers}`` -> ``{column, "label"}``."""

    def __init__(self, vectors: np.ndarray, column: str):
        self.vectors, self.column = vectors, column

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return {self.column: batch[self.column], "label": self.vectors[np.asarray(batch["teacher"])].tolist()}


def teacher_embeddings(teacher, questions: list[str], answers: list[str], cache: bool = True,
                       batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """The teacher's (unnormalised, as its forward pass gives them) embeddings of the pivot texts,
    questions as queries and answers as documents, read from or added to the embedding cache.

    Args:
        teacher: the frozen ``SentenceTransformer``.
        questions: the pivot-language questions (encoded with the teacher's query prompt).
        answers: the pivot-language answers (encoded with its document prompt).
        cache: read and add to the embedding cache; False encodes everything.
        batch_size: texts per forward pass.

    Returns:
        ``(question embeddings, answer embeddings)``, one row per text.
    """
    from ..evaluation.embedding_cache import EmbeddingCache, cache_key, cached_encode
    from ..models import encode_documents, encode_queries, query_passage_prompts

    store = EmbeddingCache(cache_key(teacher, normalize=False)) if cache else None
    query_prompt, passage_prompt = query_passage_prompts(teacher)
    q = cached_encode(lambda texts: encode_queries(teacher, texts, batch_size=batch_size, normalize=False,
                                                   show_progress_bar=len(texts) > 1000), questions, query_prompt, store)
    a = cached_encode(lambda texts: encode_documents(teacher, texts, batch_size=batch_size, normalize=False,
                                                     show_progress_bar=len(texts) > 1000),
                      answers, passage_prompt, store)
    return q, a


def distillation_datasets(pairs: "MultilingualPairDataset", teacher, pivot: str = "en",
                          cache: bool = True) -> dict[str, "Dataset"]:
    """The two distillation datasets: one row per record whose example has a ``pivot`` record (the pivot's
    own rows included, as in ``make_multilingual``), labelled with the teacher's embedding of the pivot text.

    Records whose example lacks a pivot record are dropped, with a warning.

    Args:
        pairs: the training data, a :class:`~hybrid_batch_st.MultilingualPairDataset`.
        teacher: the frozen ``SentenceTransformer`` whose pivot embeddings are the targets.
        pivot: the pivot language (``TrainConfig.pivot_language``).
        cache: read and add the teacher's embeddings to the embedding cache.

    Returns:
        ``{"distill-questions": Dataset, "distill-answers": Dataset}``, with an ``anchor`` or ``positive`` text
            column and a ``label`` (the teacher's vector) added when a batch is read.

    Raises:
        ValueError: the data has no ``pivot`` records.
    """
    from datasets import Dataset

    if pivot not in pairs.languages:
        raise ValueError(f"{option('pivot_language', pivot)}: the training data has no {pivot!r} records; its "
                         f"languages are {pairs.languages}; pass one of them")
    records = list(pairs.records())
    pivots = [r for r in records if r["lang"] == pivot]
    row_of = {r["id"]: n for n, r in enumerate(pivots)}
    kept = [r for r in records if r["id"] in row_of]
    if len(kept) < len(records):
        logger.warning("distillation: %d record(s) whose example has no %r version are not used",
                       len(records) - len(kept), pivot)
    q, a = teacher_embeddings(teacher, [r["question"] for r in pivots], [r["answer"] for r in pivots], cache)
    numbers = [row_of[r["id"]] for r in kept]
    out = {}
    for name, column, field, vectors in (("distill-questions", "anchor", "question", q),
                                         ("distill-answers", "positive", "answer", a)):
        data = Dataset.from_dict({column: [r[field] for r in kept], "teacher": numbers})
        data.set_transform(TeacherLabels(vectors, column))
        out[name] = data
    return out
