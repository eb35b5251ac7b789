"""Which language groups a :class:`~hybrid_batch_st.HybridBatchSampler` draws from, and how often.

A group is one (question language, answer language) combination; its size is the number of
parallel examples that have both. A group is drawn with probability
``p_g ~ weight_g * n_g ** (1 / temperature)`` among the groups of its batch type: ``"monolingual"``
(X-X groups), ``"cross-lingual"`` (X-Y groups) or, for mixed batches, ``"mixed"`` (all of them, drawn
per row).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..data.pair_index import PairIndex
from ..errors import option

__all__ = ["Group", "LanguageGroups"]

logger = logging.getLogger(__name__)

Group = tuple[int, int]  # (question language code, answer language code)
_NEEDED = {"monolingual": ["monolingual"], "cross-lingual": ["cross-lingual"],
           "hybrid": ["monolingual", "cross-lingual"], "mixed": ["mixed"]}


def _kind(mode: str, group: Group) -> str:
    """The batch type a group feeds."""
    return "mixed" if mode == "mixed" else "monolingual" if group[0] == group[1] else "cross-lingual"


@dataclass
class LanguageGroups:
    """Groups per batch type (``"monolingual"``, ``"cross-lingual"``, ``"mixed"``) with their draw
    probabilities and sizes."""

    groups: dict[str, list[Group]]
    probabilities: dict[str, np.ndarray]
    size: dict[Group, int]

    @classmethod
    def choose(cls, index: PairIndex, mode: str, weights: Mapping[str, float], temperature: float,
               language_choice: str, global_batch: int, batch_text: str) -> "LanguageGroups":
        """The eligible groups; with ``language_choice="batch"`` those smaller than ``global_batch`` are
        skipped with a warning.

        Args:
            index: the pair index of the training data.
            mode: the sampler mode (:data:`~hybrid_batch_st.names.MODES`); it decides the batch types needed.
            weights: ``{language: weight}`` (missing languages weigh 1; a group of weight 0 is left out).
            temperature: ``T`` in ``p ~ weight * n ** (1/T)``.
            language_choice: ``"batch"`` (one group fills a global batch) or ``"example"`` (drawn per row).
            global_batch: rows of a global batch.
            batch_text: describes the global batch in messages.

        Returns:
            The groups per batch type, their draw probabilities (summing to 1 per type) and their sizes.

        Raises:
            ValueError: no group of a needed batch type can fill a global batch with distinct examples.
        """
        counts = index.pair_counts()
        lang_weights = [float(weights.get(lang, 1.0)) for lang in index.languages]
        groups: dict[str, list[Group]] = {m: [] for m in _NEEDED[mode]}
        size: dict[Group, int] = {}
        too_small = []
        for q, a in np.ndindex(counts.shape):
            if _kind(mode, (q, a)) not in groups or counts[q, a] == 0 or _pair_weight(lang_weights, (q, a)) == 0:
                continue
            if language_choice == "batch" and counts[q, a] < global_batch:
                too_small.append(f"{index.languages[q]}-{index.languages[a]} ({counts[q, a]})")
                continue
            groups[_kind(mode, (q, a))].append((q, a))
            size[(q, a)] = int(counts[q, a])
        if too_small:
            logger.warning("HybridBatchSampler: skipping %d language group(s) with fewer examples than %s: %s "
                           "(use %s to include them)", len(too_small), batch_text, ", ".join(too_small),
                           option("language_choice", "example"))
        for kind in groups:
            _check_fillable(index, groups[kind], kind, language_choice, global_batch, batch_text)
        probabilities = {
            m: _normalise([_pair_weight(lang_weights, g) * size[g] ** (1.0 / temperature) for g in gs])
            for m, gs in groups.items()
        }
        return cls(groups, probabilities, size)

    def monolingual_share(self) -> float:
        """The monolingual share of all eligible pairs (``alpha="size"``).

        Returns:
            Pairs in X-X groups / pairs in X-X and X-Y groups (both kinds must have groups, as in hybrid mode).
        """
        totals = {m: sum(self.size[g] for g in self.groups.get(m, [])) for m in ("monolingual", "cross-lingual")}
        return totals["monolingual"] / (totals["monolingual"] + totals["cross-lingual"])


def _check_fillable(index: PairIndex, groups: list[Group], kind: str, language_choice: str, global_batch: int,
                    batch_text: str) -> None:
    if not groups:
        raise ValueError(
            f"no {kind} language group can fill {batch_text} distinct examples (languages {index.languages}); "
            f"lower the batch size, add data, or use {option('language_choice', 'example')}"
        )
    if language_choice == "example":
        members = np.zeros(index.num_examples, dtype=bool)
        for q, a in groups:
            members |= index.present(q) & index.present(a)
        if members.sum() < global_batch:
            raise ValueError(f"only {int(members.sum())} distinct examples are available for {kind} batches, too few "
                             f"for {batch_text}; lower the batch size or add data")


def _pair_weight(weights: list[float], group: Group) -> float:
    q, a = group
    return weights[q] if q == a else weights[q] * weights[a]


def _normalise(values: list[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    return arr / arr.sum()
