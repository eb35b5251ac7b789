"""Encoding a task's queries and pools once (``encode_query`` / ``encode_document``), through the cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..models import encode_documents, encode_queries, encoding_pool
from ..tasks.task import RetrievalTask
from .embedding_cache import EmbeddingCache, cached_encode

__all__ = ["encode_texts", "EncodedTask", "encode_task"]


def encode_texts(model, texts: Sequence[str], prompt: str | None, batch_size: int | None, show_progress_bar: bool,
                 cache: EmbeddingCache | None = None, kind: str = "query", pool=None) -> np.ndarray:
    """Normalised float32 embeddings of queries (``kind="query"``) or documents.

    With ``cache``, texts encoded before by the same model (and prompt) are read from it.

    Args:
        model: a SentenceTransformer; it encodes with ``encode_query`` or ``encode_document``.
        texts: the texts to encode.
        prompt: the prompt text the model's ``encode_query`` / ``encode_document`` will prepend, in place of
            the model's own; None or ``""`` for none.
        batch_size: texts encoded at once; None: 16 on the CPU, 256 on a GPU.
        show_progress_bar: show encoding progress.
        cache: the embedding cache to read and fill; None encodes every text.
        kind: ``"query"`` for queries; anything else encodes documents.
        pool: a multi-process pool (:func:`~hybrid_batch_st.models.encoding_pool`); None encodes in this process.

    Returns:
        A C-contiguous float32 array, one row per text.

    Example:
        >>> queries = encode_texts(model, ["Wer schrieb Faust?"], "query: ", None, False)  # doctest: +SKIP
    """
    encoder = encode_queries if kind == "query" else encode_documents

    def encode(batch: list[str]) -> np.ndarray:
        return encoder(model, batch, prompt=prompt or "", batch_size=batch_size, show_progress_bar=show_progress_bar,
                       pool=pool)

    return np.ascontiguousarray(cached_encode(encode, texts, prompt, cache), dtype=np.float32)


@dataclass
class EncodedTask:
    """Embeddings of every query set and pool, the ids in row order, and each pool's rows in the union."""

    queries: dict[str, np.ndarray]
    query_ids: dict[str, list[str]]
    pools: dict[str, np.ndarray]
    doc_ids: dict[str, list[str]]
    union: np.ndarray  # every pool's rows, in pool order
    offsets: dict[str, int]  # first row of each pool in ``union``
    rows: dict[str, dict[str, int]] = field(init=False, repr=False)  # each pool's row of every document id

    def __post_init__(self) -> None:
        # built once: every language pair scored looks documents up in it
        self.rows = {pool: {d: i for i, d in enumerate(ids)} for pool, ids in self.doc_ids.items()}


def _split(matrix: np.ndarray, sizes: dict[str, int]) -> dict[str, np.ndarray]:
    out, start = {}, 0
    for name, size in sizes.items():
        out[name], start = matrix[start : start + size], start + size
    return out


def encode_task(model, task: RetrievalTask, prompts: tuple[str | None, str | None], batch_size: int | None,
                show_progress_bar: bool, cache: EmbeddingCache | None, devices: Sequence[str] | None = None
                ) -> EncodedTask:
    """Every query and every document, each set once (with ``cache``, a text shared by two sets is
    encoded once).

    Args:
        model: a SentenceTransformer.
        task: the benchmark whose query sets and pools are encoded.
        prompts: ``(query prompt, document prompt)``, each None for none.
        batch_size: texts encoded at once; None: 16 on the CPU, 256 on a GPU.
        show_progress_bar: show encoding progress.
        cache: the embedding cache to read and fill; None encodes every text.
        devices: encode in sentence-transformers' multi-process pool over them (two or more); None: one process.

    Returns:
        The :class:`EncodedTask`: embeddings per query set and pool, their ids in row order, and the union of
        the pools.
    """
    query_ids = {name: list(s.texts) for name, s in task.queries.items()}
    doc_ids = {name: list(s.texts) for name, s in task.pools.items()}
    with encoding_pool(model, devices) as pool:
        q_all = encode_texts(model, [t for s in task.queries.values() for t in s.texts.values()], prompts[0],
                             batch_size, show_progress_bar, cache, kind="query", pool=pool)
        d_all = encode_texts(model, [t for s in task.pools.values() for t in s.texts.values()], prompts[1],
                             batch_size, show_progress_bar, cache, kind="document", pool=pool)
    sizes = {name: len(ids) for name, ids in doc_ids.items()}
    offsets = dict(zip(sizes, np.cumsum([0, *sizes.values()])[:-1].tolist()))
    return EncodedTask(_split(q_all, {n: len(i) for n, i in query_ids.items()}), query_ids,
                       _split(d_all, sizes), doc_ids, d_all, offsets)
