"""The experiments as part of the package: run records, the targets, and the results page built from them.

- :mod:`.records`: :class:`RunRecord` (an evaluation with its training provenance) and
  :class:`ValidationRecord`, written and read by one class each;
- :mod:`.targets`: the targets a hybrid model is held to (defined once for the demo and every table);
- :mod:`.runs`, :mod:`.reproduce`: the reproduction protocol (``benchmarks/reproduce.py``): train, pick
  the merge weight on validation, write the records, resumably;
- :mod:`.tables`: one direction's tables (seed means, run-level significance, merges, groups, targets);
- :mod:`.summaries`: the generated prose: verdict, stars, findings, the recipe table;
- :mod:`.page`: :func:`write_results`, the results page and the README's verdict from a results folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .page import write_results
    from .records import RunRecord, ValidationRecord, read_records

_LAZY = {"RunRecord": ".records", "ValidationRecord": ".records", "read_records": ".records",
         "write_results": ".page"}
__all__ = list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
