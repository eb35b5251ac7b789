"""Hard negatives mined on the pivot language with sentence-transformers' ``mine_hard_negatives``,
stored as example ids (``hybrid-batch-st mine``): the same ids then serve every language of a batch
(:mod:`~hybrid_batch_st.data.negatives`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["mine_negatives"]


def mine_negatives(pairs, model, negatives: int = 7, pivot_language: str = "en",
                   **options: Any) -> dict[str, list[str]]:
    """``{example id: [negative example id, ...]}`` from the pivot-language questions and answers of ``pairs``.

    A negative is named by the first example whose pivot answer is the mined text; an example's own
    answer (shared answer sentences included) is never its negative.

    Args:
        pairs: a :class:`~hybrid_batch_st.MultilingualPairDataset`.
        model: the SentenceTransformer that ranks the candidates (the model to fine-tune, usually).
        negatives: negatives per example (``mine_hard_negatives``' ``num_negatives``); mine more than you
            train with so that the rows of languages some negatives lack still find theirs.
        pivot_language: the language mined on; examples without it list no negatives.
        **options: passed on to ``sentence_transformers.util.mine_hard_negatives`` (``range_min``,
            ``relative_margin``, ``sampling_strategy``, ``use_faiss``, ``batch_size``, ...).

    Returns:
        The negatives' example ids per example id, for the examples that have a pivot record and got any.

    Raises:
        ValueError: the data has no ``pivot_language`` records, or no more distinct answers than ``negatives``.

    Example:
        >>> negatives = mine_negatives(pairs, model, negatives=7, pivot_language="en")  # doctest: +SKIP
    """
    from datasets import Dataset
    from sentence_transformers.util import mine_hard_negatives

    if pivot_language not in pairs.languages:
        raise ValueError(f"pivot_language={pivot_language!r}: the data has no such language; it has {pairs.languages}")
    ids, questions, answers = pairs.language_texts(pivot_language)
    if len(set(answers)) <= negatives:
        raise ValueError(f"negatives={negatives}: the {pivot_language!r} data has only {len(set(answers))} distinct "
                         "answers; mine fewer negatives")
    mined = mine_hard_negatives(Dataset.from_dict({"anchor": questions, "positive": answers}), model,
                                num_negatives=negatives, output_format="n-tuple", **options)
    example_of_answer: dict[str, str] = {}
    for example_id, answer in zip(ids, answers):
        example_of_answer.setdefault(answer, example_id)
    examples_of_question: dict[str, list[str]] = {}
    for example_id, question in zip(ids, questions):
        examples_of_question.setdefault(question, []).append(example_id)
    columns = [c for c in mined.column_names if c.startswith("negative")]
    out: dict[str, list[str]] = {}
    for row in mined:
        found = [example_of_answer[row[c]] for c in columns]
        for example_id in examples_of_question[row["anchor"]]:
            out.setdefault(example_id, [n for n in found if n != example_id])
    return out


def mine_to_file(pairs, model, output: str | Path, **options: Any) -> tuple[Path, int]:
    """:func:`mine_negatives` written as a negatives file; the path and how many examples got negatives."""
    from ..data.negatives import write_negatives_file

    mined = mine_negatives(pairs, model, **options)
    return write_negatives_file(output, mined), len(mined)
