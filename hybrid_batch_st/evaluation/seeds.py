"""Is one training recipe better than another? A test with the training run as its unit.

A claim about a recipe must survive the seed: two runs of one recipe differ by chance (data order,
dropout), and a per-question test on one pair of models cannot see that. Here each recipe is several
runs (one per seed); per setting, each run is summarised by its mean over the parallel questions
(:func:`~hybrid_batch_st.evaluation.significance.question_values`), and those per-run means are
what varies independently. For each setting :func:`compare_over_seeds` reports:

- the difference B - A of the recipes' means (of per-run means);
- Welch's t-test on the per-run means (``scipy.stats.ttest_ind(equal_var=False)``) and its t-based
  95% interval (Welch-Satterthwaite degrees of freedom). Against one fixed model (the base model,
  ``fixed``), a one-sample t-test of the recipe's runs against its value;
- the exact permutation p over run labels (every split of the runs into groups of the original
  sizes), with the smallest value the run counts allow: 3 runs against 3 can never give p < 0.1,
  5 against 5 can give 2 / 252 = 0.008;
- the smallest difference the runs could detect: 80% power for a two-sided test at 0.05 with the
  observed spread of the runs, ``(t(0.975, df) + t(0.8, df)) * standard error``;
- per seed, only against a fixed model (two recipes' runs with the same seed number draw different
  batches: they do not pair).

A row is starred when its Benjamini-Hochberg corrected run-level p is below the level
(:func:`correct_together`: one family for the recipe-vs-recipe rows, another for the rows against a
fixed model) and each recipe compared has two runs or more.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..names import SETTINGS
from .per_query import PerQuery
from .significance import question_values, shared_measures

__all__ = ["SeedComparison", "compare_over_seeds", "correct_together", "run_level_test"]


@dataclass
class SeedComparison:
    """B against A in one setting, with the training run as the unit (see the module docstring)."""

    measure: str
    setting: str
    n_questions: int
    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    per_seed: list[float]  # B - A per run against a fixed side; empty between two recipes (runs do not pair)
    ci: tuple[float, float]  # t-based 95% interval of B - A
    run_p: float  # Welch's t-test on per-run means (one-sample against a fixed side); nan if untestable
    permutation_p: float
    detectable: float  # smallest |B - A| detectable with 80% power at 0.05 given the runs' spread
    corrected_p: float = field(default=float("nan"))  # Benjamini-Hochberg within the row's family
    #: sides (A, B) that are one fixed model (the base), not a recipe's runs over seeds
    fixed: tuple[bool, bool] = (False, False)

    @property
    def difference(self) -> float:
        """B - A: the difference of the two sides' means of per-run means."""
        return self.mean_b - self.mean_a

    @property
    def min_permutation_p(self) -> float:
        """The smallest p-value the permutation test can give with these run counts."""
        splits = len(list(itertools.combinations(range(self.n_a + self.n_b), self.n_a)))
        return min(1.0, (1 if self.n_a != self.n_b else 2) / splits)

    @property
    def seeds_on_both_sides(self) -> bool:
        """Whether each recipe compared has at least two runs (a fixed model needs none): with one run,
        that recipe's seed variance is unseen and a claim about it cannot be tested."""
        return all(fixed or n >= 2 for fixed, n in zip(self.fixed, (self.n_a, self.n_b)))

    def starred(self, level: float = 0.05) -> bool:
        """Whether the row earns a star: its run-level p below ``level`` and two runs or more per recipe.

        Args:
            level: the significance level.

        Returns:
            True where the Benjamini-Hochberg corrected p (the raw run-level p until :func:`correct_together`
            has set it) is below ``level`` and :attr:`seeds_on_both_sides` holds.
        """
        p = self.corrected_p if np.isfinite(self.corrected_p) else self.run_p
        return bool(np.isfinite(p) and p < level and self.seeds_on_both_sides)


def run_level_test(a: np.ndarray, b: np.ndarray, fixed: tuple[bool, bool] = (False, False)
                   ) -> tuple[float, tuple[float, float], float]:
    """Welch's t-test of per-run means ``b`` against ``a`` (one-sample against a ``fixed`` side's single
    value).

    Args:
        a: side A's per-run means (one value for a fixed side).
        b: side B's per-run means.
        fixed: whether A, B is one fixed model (its mean is the value tested against) rather than runs.

    Returns:
        ``(p, (low, high), detectable)``: the two-sided p, the t-based 95% interval of ``mean(b) - mean(a)``
        and the smallest difference detectable with 80% power at 0.05; all nan where a side that is not fixed
        has fewer than two runs, or the runs do not vary.

    Example:
        >>> p, ci, detectable = run_level_test([0.50, 0.52, 0.51], [0.55, 0.56, 0.54])
        >>> round(p, 4), round(detectable, 4)
        (0.008, 0.0304)
    """
    from scipy import stats

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    nan = (float("nan"), (float("nan"), float("nan")), float("nan"))
    sides = [(x, f) for x, f in zip((a, b), fixed)]
    if any(not f and len(x) < 2 for x, f in sides):
        return nan
    variances = [0.0 if f else x.var(ddof=1) / len(x) for x, f in sides]
    se = float(np.sqrt(sum(variances)))
    if se == 0:
        return nan
    if any(fixed):
        df = float(len(b if fixed[0] else a) - 1)
        p = float(stats.ttest_1samp(b if fixed[0] else a, (a if fixed[0] else b).mean()).pvalue)
    else:
        df = sum(variances) ** 2 / sum(v ** 2 / (len(x) - 1) for v, (x, _) in zip(variances, sides))
        p = float(stats.ttest_ind(b, a, equal_var=False).pvalue)
    diff, t = float(b.mean() - a.mean()), float(stats.t.ppf(0.975, df))
    return p, (diff - t * se, diff + t * se), float((t + stats.t.ppf(0.8, df)) * se)


def _permutation_p(run_means: np.ndarray, n_a: int) -> float:
    """Exact two-sided p-value of the difference of group means over every split of the runs."""
    total = len(run_means)
    observed = run_means[n_a:].mean() - run_means[:n_a].mean()
    stats = []
    for group_a in itertools.combinations(range(total), n_a):
        mask = np.zeros(total, dtype=bool)
        mask[list(group_a)] = True
        stats.append(run_means[~mask].mean() - run_means[mask].mean())
    return float(np.mean(np.abs(stats) >= abs(observed) - 1e-12))


def _one_setting(a_runs: list[PerQuery], b_runs: list[PerQuery], measure: str, setting: str,
                 fixed: tuple[bool, bool]) -> SeedComparison:
    ids, values = question_values(a_runs + b_runs, measure, setting)
    run_means = values.mean(axis=1)
    a, b = run_means[: len(a_runs)], run_means[len(a_runs):]
    p, ci, detectable = run_level_test(a, b, fixed)
    per_seed = [float(y - x) for x, y in zip(*np.broadcast_arrays(a, b))] if any(fixed) else []
    return SeedComparison(measure, setting, len(ids), len(a), len(b), float(a.mean()), float(b.mean()), per_seed,
                          ci, p, _permutation_p(run_means, len(a)), detectable, fixed=tuple(fixed))


def compare_over_seeds(a_runs: list[PerQuery], b_runs: list[PerQuery], measure: str = "AP",
                       fixed: tuple[bool, bool] = (False, False)) -> list[SeedComparison]:
    """Per setting, recipe B (its runs over seeds) against recipe A with the run as the unit.

    Args:
        a_runs: per-query results of recipe A's runs (one per seed).
        b_runs: the same for recipe B.
        measure: the measure compared.
        fixed: marks a side that is one fixed model (the base) rather than a recipe's seeds.

    Returns:
        One :class:`SeedComparison` per setting both sides have.

    Raises:
        ValueError: a side without runs, or a measure some run does not hold.

    Example:
        >>> from hybrid_batch_st.evaluation import compare_over_seeds, load_per_query
        >>> x_x = [load_per_query(f"runs/xx-s{seed}/eval") for seed in range(3)]  # doctest: +SKIP
        >>> hybrid = [load_per_query(f"runs/hy-s{seed}/eval") for seed in range(3)]  # doctest: +SKIP
        >>> [r.difference for r in compare_over_seeds(x_x, hybrid) if r.starred()]  # doctest: +SKIP
    """
    if not a_runs or not b_runs:
        raise ValueError("compare_over_seeds needs at least one run of each recipe")
    [measure] = shared_measures([*a_runs, *b_runs], [measure])
    runs = [*a_runs, *b_runs]
    return [_one_setting(a_runs, b_runs, measure, s, tuple(fixed)) for s in SETTINGS
            if all(any(k[0] == s for k in r.values[measure]) for r in runs)]


def correct_together(comparisons: Sequence[SeedComparison]) -> None:
    """Set each comparison's ``corrected_p`` (read by :meth:`SeedComparison.starred`): Benjamini-Hochberg
    over the run-level p of the rows that one verdict draws on (pass one direction and benchmark). Two
    families: the recipe-vs-recipe rows, and the rows against a fixed model (the base), whose p would
    otherwise loosen the correction of the others. An untestable row (nan) stays nan.

    Args:
        comparisons: the rows of one verdict; each is changed in place.
    """
    from scipy import stats

    for family in (False, True):
        rows = [r for r in comparisons if any(r.fixed) == family and np.isfinite(r.run_p)]
        if rows:
            for r, p in zip(rows, stats.false_discovery_control([r.run_p for r in rows])):
                r.corrected_p = float(p)
