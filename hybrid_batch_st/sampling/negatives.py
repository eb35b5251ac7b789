"""Keeping hard negatives' examples out of the global batch's positives.

A row's hard negative is another example's answer; were that example also a row of the same global
batch, its positive would sit among its own negatives (a false negative, often the very same text).
:class:`NegativesApart` holds the rule while a batch is drawn: one batch at a time for one-group
batches, row by row for per-row draws; where a group is too small to keep them apart it keeps the
clash, counts it, and :meth:`report` warns once per epoch.
"""

from __future__ import annotations

import logging

import numpy as np

from ..data.negatives import HardNegatives
from .cycles import Cycle

__all__ = ["NegativesApart"]

logger = logging.getLogger(__name__)


class NegativesApart:
    """The no-negative-among-the-positives rule of one sampler (see the module docstring)."""

    def __init__(self, hard: HardNegatives):
        self.hard = hard
        self.clashes = 0
        self._taken: set[int] = set()
        self._mark: np.ndarray | None = None  # scratch: the batch's examples, for a quick clash check

    def negatives(self, example: int, answer_lang: int) -> list[int]:
        """The hard negatives of one row.

        Args:
            example: the row's example code.
            answer_lang: the row's answer language code.

        Returns:
            The example codes of its negatives.
        """
        return self.hard.examples(np.array([example]), answer_lang)[0].tolist()

    # ------------------------------------------------------------------ row by row (language_choice="example")
    def new_batch(self) -> None:
        """Start a row-by-row batch: no row taken yet."""
        self._taken = set()

    def row_fits(self, example: int, answer_lang: int, last_try: bool) -> bool:
        """Whether ``example``'s negatives avoid the batch's examples (on the last try, it is kept anyway).

        Args:
            example: the candidate row's example code.
            answer_lang: its answer language code.
            last_try: keep it even if it clashes (the clash is counted for :meth:`report`).

        Returns:
            True where it fits or ``last_try`` is set.
        """
        fits = self._taken.isdisjoint(self.negatives(example, answer_lang))
        self.clashes += last_try and not fits
        return fits or last_try

    def add(self, example: int, answer_lang: int) -> set[int]:
        """Take ``example`` into the batch; its negatives, which no later row may be.

        Args:
            example: the row's example code.
            answer_lang: its answer language code.

        Returns:
            The example codes of its negatives.
        """
        self._taken.add(example)
        return set(self.negatives(example, answer_lang))

    # ------------------------------------------------------------------ one group (language_choice="batch")
    def batch(self, examples: np.ndarray, answer_lang: int, cycle: Cycle) -> np.ndarray:
        """``examples`` with every row whose example is another row's negative, or whose negatives hold
        another row's example, replaced by further members of ``cycle`` (the replaced ones are served
        first in a later batch).

        Where the group is too small to keep them apart, a clash is kept and counted for :meth:`report`.

        Args:
            examples: the global batch's example codes, drawn from ``cycle``.
            answer_lang: the group's answer language code.
            cycle: the group's cycle, which supplies the replacements.

        Returns:
            The batch's example codes, as many as ``examples`` (``examples`` itself where nothing clashes).
        """
        rows = self.hard.examples(examples, answer_lang)
        if self._mark is None:
            self._mark = np.zeros(self.hard.index.num_examples, dtype=bool)
        self._mark[examples] = True
        clash = self._mark[rows].any()
        self._mark[examples] = False
        if not clash:
            return examples  # the usual case in a large group
        kept: list[int] = []
        kept_set: set[int] = set()
        blocked: set[int] = set()  # the kept examples and their negatives

        def keep(example: int, row: list[int]) -> None:
            kept.append(example)
            kept_set.add(example)
            blocked.add(example)
            blocked.update(row)

        put_back: list[int] = []  # served by later batches, not retried in this one
        for example, row in zip(examples.tolist(), rows.tolist()):
            if example in blocked or not kept_set.isdisjoint(row):
                put_back.append(example)
            else:
                keep(example, row)
        relaxed, rejected = False, 0
        while len(kept) < len(examples):
            relaxed = relaxed or rejected > 2 * len(cycle.members)
            candidate = None if relaxed else cycle.next_not_in(blocked)
            if candidate is None:  # too few members left apart: accept a clash rather than fail
                relaxed, candidate = True, cycle.next_not_in(kept_set)
            row = self.negatives(candidate, answer_lang)
            if kept_set.isdisjoint(row) or relaxed:
                self.clashes += candidate in blocked or not kept_set.isdisjoint(row)
                keep(candidate, row)
            else:
                put_back.append(candidate)
                rejected += 1
        cycle.waiting.extend(put_back)
        return np.asarray(kept, dtype=np.int64)

    def report(self) -> None:
        """Warn once about the clashes kept since the last report."""
        if self.clashes:
            logger.warning("%d row(s) this epoch share a global batch with one of their hard negatives' examples: "
                           "the groups are too small to keep them apart; fewer negatives per row (negatives=) or "
                           "a smaller batch avoid it", self.clashes)
            self.clashes = 0
