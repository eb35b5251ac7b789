"""Paired significance tests between two evaluations of one benchmark (``hybrid-batch-st compare``).

Units are what varies independently:

- within one language pair, a query (each question once);
- across a setting, the **parallel question**: one value per question id, the mean over the
  setting's language pairs of that question's difference B - A. In XQuAD-R cross-lingual one
  question sits in 110 pairs; those are 110 views of one draw, not 110 draws. The setting's
  difference is the mean of the per-question differences (the difference of the macro averages
  when every pair holds the same questions, as in XQuAD-R).

Each row reports the difference of means, the paired t-test (``scipy.stats.ttest_rel``) and a paired
randomization test (sign flips of the unit differences, ``scipy.stats.permutation_test``), with
Benjamini-Hochberg correction over the rows of a measure (``scipy.stats.false_discovery_control``).
Such a test holds the trained models fixed: it says whether *these two models* differ, not whether
the recipes behind them do; for that, see :mod:`.seeds`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from ..errors import option_name
from ..names import MULTILINGUAL_POOL, SETTINGS
from .measures import parse_measures
from .per_query import PerQuery, per_query_of

__all__ = ["Comparison", "question_values", "compare",
           "compare_results", "shared_measures", "paired_tests", "common_ground"]

logger = logging.getLogger(__name__)

#: Sign flips drawn by the randomization test unless told otherwise (``compare --resamples``).
RESAMPLES = 2000

def shared_measures(runs: Iterable[PerQuery], measures: Iterable[str] | str | None = None) -> list[str]:
    """The canonical ``measures`` (default: all) that every run holds; an error if none.

    Args:
        runs: the evaluations' per-query values (at least one).
        measures: measure strings, any alias ir-measures knows, as a list or ``"AP,nDCG@10"``; None: every
            measure of the first run.

    Returns:
        The canonical names every run holds, in the order asked.

    Raises:
        ValueError: an unknown measure, or none held by every run.
    """
    runs = list(runs)
    wanted = parse_measures(measures) if measures else list(runs[0].values)
    shared = [m for m in wanted if all(m in r.values for r in runs)]
    if not shared:
        held = " vs ".join(str(sorted(r.values)) for r in runs)
        raise ValueError(f"no measure in common: asked for {wanted}, the evaluations hold {held}; "
                         "pass one they all have")
    return shared


def question_values(runs: list[PerQuery], measure: str, setting: str) -> tuple[list[str], np.ndarray]:
    """One value per parallel question and run: the mean over the setting's language pairs (and over the
    texts ``ID#k`` of one item) of that question's values, on the pairs and questions every run
    evaluated.

    Args:
        runs: the evaluations' per-query values.
        measure: a canonical measure every run holds.
        setting: ``"monolingual"``, ``"cross-lingual"`` or ``"multilingual"``.

    Returns:
        ``(question ids, values)``: the sorted question ids and a float array of shape ``(len(runs), len(ids))``.
    """
    keys = set.intersection(*(set(k for k in r.values[measure] if k[0] == setting) for r in runs))
    sums: list[dict[str, float]] = [defaultdict(float) for _ in runs]
    counts: dict[str, int] = defaultdict(int)
    for key in keys:
        queries = set.intersection(*(set(r.values[measure][key]) for r in runs))
        for q in queries:
            unit = q.split("#", 1)[0]  # ID#k: one of several texts of parallel item ID
            counts[unit] += 1
            for total, run in zip(sums, runs):
                total[unit] += run.values[measure][key][q]
    ids = sorted(counts)
    return ids, np.array([[total[q] / counts[q] for q in ids] for total in sums]).reshape(len(runs), len(ids))


@dataclass
class Comparison:
    """B against A on one measure, in one setting or one language pair (a row of :func:`compare`).

    Attributes:
        measure: the canonical measure.
        setting: ``"monolingual"``, ``"cross-lingual"`` or ``"multilingual"``.
        pair: ``"x->y"`` or ``"x->all"`` for one language pair (units: queries); ``""`` for the whole setting
            (units: parallel questions).
        n: the units compared.
        mean_a: A's mean over the units.
        mean_b: B's mean over the units.
        t_p: the paired t-test's two-sided p.
        randomization_p: the sign-flip randomization test's p.
        corrected_p: ``randomization_p`` Benjamini-Hochberg corrected over the measure's rows (nan until set).
    """

    measure: str
    setting: str
    pair: str  # "x->y", "x->all", or "" for a whole setting (units: parallel questions)
    n: int
    mean_a: float
    mean_b: float
    t_p: float
    randomization_p: float
    corrected_p: float = float("nan")  # Benjamini-Hochberg over the randomization p-values of the measure

    @property
    def difference(self) -> float:
        """B - A: the difference of the means over the units."""
        return self.mean_b - self.mean_a


def paired_tests(a: np.ndarray, b: np.ndarray, resamples: int, seed: int) -> tuple[float, float]:
    """Paired t-test and sign-flip randomization test p-values of ``b - a`` (1.0 where they are equal).

    Args:
        a: A's value per unit.
        b: B's value per unit, in the same order.
        resamples: sign flips drawn by the randomization test (all of them where fewer are possible).
        seed: the randomization test's random seed.

    Returns:
        ``(t-test p, randomization p)``, both two-sided; a nan t-test p is reported as 1.0.

    Example:
        >>> import numpy as np
        >>> paired_tests(np.array([0.5, 0.6, 0.7]), np.array([0.5, 0.6, 0.7]), 2000, 0)
        (1.0, 1.0)
    """
    from scipy import stats

    diff = b - a
    if not np.any(diff):
        return 1.0, 1.0
    t_p = float(stats.ttest_rel(b, a).pvalue)
    rand = stats.permutation_test(
        (diff,), lambda d, axis: np.mean(d, axis=axis), permutation_type="samples", vectorized=True,
        n_resamples=resamples, batch=max(1, 2_000_000 // len(diff)), random_state=seed,
    )
    return (t_p if np.isfinite(t_p) else 1.0), float(rand.pvalue)


def _row(measure: str, setting: str, pair: str, a: np.ndarray, b: np.ndarray, resamples: int,
         seed: int) -> Comparison:
    return Comparison(measure, setting, pair, len(a), float(a.mean()), float(b.mean()),
                      *paired_tests(a, b, resamples, seed))


def _pools(run: PerQuery) -> set[str]:
    """The pools of a run's single-language pairs: what its multilingual pool ``all`` is the union of."""
    return {k[2] for keyed in run.values.values() for k in keyed if k[2] != MULTILINGUAL_POOL}


def common_ground(a: PerQuery, b: PerQuery) -> tuple[PerQuery, PerQuery, list[str]]:
    """A and B cut to what means the same in both, and a line for each thing left out: language pairs
    both evaluated, and the multilingual pool only where both built it from the same pools (``--languages
    en,de`` and ``en,es`` both have ``en->all``, over different pools). An error when nothing is shared.

    Args:
        a: evaluation A's per-query values.
        b: evaluation B's per-query values.

    Returns:
        ``(A cut, B cut, notes)``: both cut to the measures and pairs they share, and a line per thing left out.

    Raises:
        ValueError: the two share no language pair with the same pool.
    """
    pools, names = (_pools(a), _pools(b)), (f"A ({a.label})", f"B ({b.label})")
    held = "; ".join(f"{n}: {'+'.join(sorted(p))}" for n, p in zip(names, pools))
    measures = [m for m in a.values if m in b.values]
    same_pool = pools[0] == pools[1]
    keys = {m: {k for k in a.values[m].keys() & b.values[m].keys() if k[2] != MULTILINGUAL_POOL or same_pool}
            for m in measures}
    notes = []
    if not same_pool and any(k[2] == MULTILINGUAL_POOL for r in (a, b) for m in measures for k in r.values[m]):
        notes.append(f"multilingual setting left out: its pools differ ({held}); evaluate both on the same "
                     "languages to compare it")
    for name, run, other in ((names[0], a, b), (names[1], b, a)):
        alone = sorted({f"{k[1]}->{k[2]}" for m in measures for k in run.values[m]
                        if k[2] != MULTILINGUAL_POOL and k not in other.values[m]})
        if alone:
            listed = ", ".join(alone[:8]) + (f" and {len(alone) - 8} more" if len(alone) > 8 else "")
            notes.append(f"left out, evaluated by {name} only: {listed}")
    if measures and not any(keys.values()):
        raise ValueError(f"the two evaluations share no language pair with the same pool ({held}); evaluate both "
                         f"on the same languages ({option_name('languages')})")
    cut = [PerQuery(r.label, {m: {k: r.values[m][k] for k in keys[m]} for m in measures}) for r in (a, b)]
    return cut[0], cut[1], notes


def compare(a: PerQuery, b: PerQuery, measures: Iterable[str] | str | None = None, resamples: int = RESAMPLES,
            seed: int = 0) -> list[Comparison]:
    """Per setting (units: parallel questions) and per language pair (units: queries), B against A
    on what both evaluated alike (:func:`common_ground`; what is left out is logged as a warning).
    ``measures`` may use any alias ir-measures knows (``MRR@10``).

    Args:
        a: the baseline's per-query values.
        b: the other evaluation's per-query values.
        measures: the measures to compare, as a list or ``"AP,nDCG@10"``; None: every measure both hold.
        resamples: sign flips drawn by each randomization test.
        seed: the randomization tests' random seed.

    Returns:
        Per measure, a :class:`Comparison` per setting (``pair == ""``), then one per language pair, with
        ``corrected_p`` set over the measure's rows.

    Raises:
        ValueError: no measure or no language pair in common.

    Example:
        >>> from hybrid_batch_st.evaluation import compare, load_per_query
        >>> rows = compare(load_per_query("eval/base"), load_per_query("eval/hybrid"), "AP")  # doctest: +SKIP
        >>> [(r.setting, r.difference, r.corrected_p) for r in rows if not r.pair]  # doctest: +SKIP
    """
    from scipy import stats

    a, b, notes = common_ground(a, b)
    for note in notes:
        logger.warning("compare: %s", note)
    out: list[Comparison] = []
    for measure in shared_measures([a, b], measures):
        keys = sorted(set(a.values[measure]) & set(b.values[measure]))
        if not keys:
            raise ValueError(f"the two evaluations share no language pair for {measure}")
        rows = []
        for setting in [s for s in SETTINGS if any(k[0] == s for k in keys)]:
            _, values = question_values([a, b], measure, setting)
            rows.append(_row(measure, setting, "", values[0], values[1], resamples, seed))
        for setting, x, y in keys:
            qa, qb = a.values[measure][(setting, x, y)], b.values[measure][(setting, x, y)]
            queries = sorted(set(qa) & set(qb))
            rows.append(_row(measure, setting, f"{x}->{y}", np.array([qa[q] for q in queries]),
                             np.array([qb[q] for q in queries]), resamples, seed))
        for row, p in zip(rows, stats.false_discovery_control([r.randomization_p for r in rows])):
            row.corrected_p = float(p)
        out += rows
    return out


def compare_results(results: Mapping[str, object], pairs: Iterable[tuple[str, str]], measure: str,
                    resamples: int = RESAMPLES) -> list[tuple[str, str, list[Comparison]]]:
    """:func:`compare` of each ``(A, B)`` key pair of ``{key: EvaluationResult}`` that both exist.

    Args:
        results: in-memory evaluations by key; the key labels each side.
        pairs: ``(A key, B key)`` pairs; a pair whose key is missing from ``results`` is skipped.
        measure: the measure compared.
        resamples: sign flips drawn by each randomization test.

    Returns:
        ``(A key, B key, rows of compare)`` per pair compared.
    """
    return [(a, b, compare(per_query_of(results[a], a), per_query_of(results[b], b), [measure], resamples))
            for a, b in pairs if a in results and b in results]
