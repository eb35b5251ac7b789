"""One ``datasets.Dataset`` per language pair: the plugin-free recipe (``stock-per-pair``), see
:meth:`~hybrid_batch_st.MultilingualPairDataset.to_dataset_dict`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from .negatives import NEGATIVE_COLUMNS, HardNegatives
from .pair_index import ChunkedTexts, PairIndex

if TYPE_CHECKING:
    from datasets import DatasetDict

__all__ = ["per_pair_datasets"]


def per_pair_datasets(index: PairIndex, questions: pa.ChunkedArray, answers: pa.ChunkedArray,
                      hard: HardNegatives | None = None) -> "DatasetDict":
    """``{"<question lang>-<answer lang>": Dataset(anchor, positive[, negative_1 ..])}`` for every language
    pair with examples (texts materialised per pair).

    Args:
        index: the records' :class:`~hybrid_batch_st.data.pair_index.PairIndex`.
        questions: the question text of each record.
        answers: the answer text of each record.
        hard: adds ``negative_1 .. negative_k``: the answers of each row's hard negatives in its answer language.

    Returns:
        A ``datasets.DatasetDict``, one text dataset per language pair (pairs without examples left out).
    """
    from datasets import Dataset, DatasetDict

    counts = index.pair_counts()
    questions, answers = ChunkedTexts(questions), ChunkedTexts(answers)
    out = {}
    for q, a in np.ndindex(counts.shape):
        if counts[q, a] == 0:
            continue
        examples = np.flatnonzero(index.present(q) & index.present(a))
        columns = {"anchor": questions.take(index.record_of[examples, q]),
                   "positive": answers.take(index.record_of[examples, a])}
        if hard is not None:
            negative = index.record_of[hard.examples(examples, a), a]
            columns |= {name: answers.take(negative[:, j]) for j, name in enumerate(NEGATIVE_COLUMNS(hard.k))}
        out[f"{index.languages[q]}-{index.languages[a]}"] = Dataset.from_dict(columns)
    return DatasetDict(out)
