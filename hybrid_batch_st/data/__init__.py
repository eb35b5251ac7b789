"""Parallel question/answer records in several languages, and the trainer-facing pair dataset.

- :mod:`.dataset`: :class:`MultilingualPairDataset` (records in, ``datasets.Dataset`` of pair rows out);
  :mod:`.constructors`: its constructors from Hugging Face data and SQuAD-R files;
- :mod:`.records`: reading and checking ``{id, lang, question, answer}`` records (JSONL, mappings);
- :mod:`.pair_index`: the integer view of the records and the numbering of pair rows;
- :mod:`.sources`: data-source names (``sample``, ``xquad-r``, a folder, a file) -> training data, and any
  benchmark name -> an evaluation :class:`~hybrid_batch_st.tasks.task.RetrievalTask`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .dataset import MultilingualPairDataset
    from .pair_index import PairIndex

_LAZY = {"MultilingualPairDataset": ".dataset", "PairIndex": ".pair_index"}
__all__ = list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
