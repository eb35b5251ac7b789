"""The targets a hybrid model is held to, defined once for the demo and every results table.

- **Best of both**: in every setting the hybrid model is within :data:`BEST_SLACK` AP of the better of
  the single-type recipes (X-X: ``monolingual``, X-Y: ``cross-lingual``), the paper's claim.
- **Monolingual kept**: its monolingual AP is at most :data:`BASE_MONO_SLACK` below the base model's.
- **The paper's figures**: at or above the paper's XLM-R hybrid (:data:`PAPER_HYBRID`) on the
  benchmarks it reports.

A check reports a difference and whether it meets its bound; it never asserts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..names import SETTINGS

__all__ = ["BEST_SLACK", "BASE_MONO_SLACK", "SINGLE_TYPE", "PAPER_HYBRID", "Gap", "gaps_to_best", "gap_to_base",
           "gaps_to_paper"]

#: How far (AP) below the best single-type recipe the hybrid model may be in a setting.
BEST_SLACK = 0.01
#: How far (AP) below the base model the hybrid model's monolingual AP may be.
BASE_MONO_SLACK = 0.005
#: The recipes whose best the hybrid model is measured against: X-X and X-Y batches.
SINGLE_TYPE = ("monolingual", "cross-lingual")
#: The paper's XLM-R hybrid, mAP monolingual / cross-lingual / multilingual (arXiv 2408.10536, Tables 1-2).
PAPER_HYBRID = {"xquad-r": (0.798, 0.705, 0.593), "mlqa-r": (0.648, 0.623, 0.512)}


@dataclass(frozen=True)
class Gap:
    """The hybrid model's value minus a bound's, in one setting.

    Args:
        setting: ``monolingual``, ``cross-lingual`` or ``multilingual``.
        difference: Hybrid minus the reference value.
        reference: What the hybrid model is compared with (a recipe name, ``base`` or ``paper``).
        slack: How far below the reference still meets the target (0: at or above).
    """

    setting: str
    difference: float
    reference: str
    slack: float

    @property
    def met(self) -> bool:
        """Whether the difference is within the slack (rounding noise of 1e-12 forgiven)."""
        return self.difference >= -self.slack - 1e-12


def gaps_to_best(hybrid: Mapping[str, float], recipes: Mapping[str, Mapping[str, float]]) -> list[Gap]:
    """Hybrid against the better of X-X and X-Y in each setting both sides have.

    Args:
        hybrid: ``{setting: value}`` of the hybrid model (or the mean of its runs).
        recipes: ``{recipe: {setting: value}}``; recipes other than :data:`SINGLE_TYPE` are ignored.

    Returns:
        One :class:`Gap` per setting, in :data:`~hybrid_batch_st.names.SETTINGS` order; empty when
        neither X-X nor X-Y is given.

    Example:
        >>> gaps = gaps_to_best({"monolingual": 0.78}, {"monolingual": {"monolingual": 0.79},
        ...                                             "cross-lingual": {"monolingual": 0.77}})
        >>> gaps[0].reference, round(gaps[0].difference, 4), gaps[0].met
        ('monolingual', -0.01, True)
    """
    single = {name: values for name, values in recipes.items() if name in SINGLE_TYPE}
    out = []
    for setting in [s for s in SETTINGS if s in hybrid]:
        held = {name: values[setting] for name, values in single.items() if setting in values}
        if held:
            best = max(held, key=held.__getitem__)
            out.append(Gap(setting, hybrid[setting] - held[best], best, BEST_SLACK))
    return out


def gap_to_base(hybrid: Mapping[str, float], base: Mapping[str, float]) -> Gap | None:
    """Hybrid's monolingual value against the base model's.

    Args:
        hybrid: ``{setting: value}`` of the hybrid model.
        base: ``{setting: value}`` of the base model.

    Returns:
        The monolingual :class:`Gap` (slack :data:`BASE_MONO_SLACK`), or None where either lacks it.
    """
    if "monolingual" not in hybrid or "monolingual" not in base:
        return None
    return Gap("monolingual", hybrid["monolingual"] - base["monolingual"], "base", BASE_MONO_SLACK)


def gaps_to_paper(hybrid: Mapping[str, float], benchmark: str) -> list[Gap]:
    """Hybrid against the paper's XLM-R hybrid on ``benchmark``.

    Args:
        hybrid: ``{setting: value}`` of the hybrid model.
        benchmark: The evaluation benchmark's name (``xquad-r``, ``mlqa-r``).

    Returns:
        One :class:`Gap` per setting (slack 0); empty for a benchmark the paper does not report.
    """
    paper = dict(zip(SETTINGS, PAPER_HYBRID.get(benchmark, ())))
    return [Gap(s, hybrid[s] - paper[s], "paper", 0.0) for s in SETTINGS if s in paper and s in hybrid]
