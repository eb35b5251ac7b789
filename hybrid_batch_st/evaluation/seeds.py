"""Is one training recipe better than another? Tests over training seeds and questions together.

A claim about a recipe must survive the seed: two runs of one recipe differ by chance (data order,
dropout), and a per-question test on one pair of models cannot see that. Here each recipe is several
runs (one per seed), and per setting the unit values are the per-question means of
:func:`~hybrid_batch_st.evaluation.significance.question_values` (matrix runs x questions).

For each setting :func:`compare_over_seeds` reports:

- the difference B - A of the means over seeds and questions, and per seed (runs paired by position,
  i.e. by seed, where both recipes have the same number; each run against the other side's only run,
  such as a base model);
- a two-level bootstrap: seeds of A, seeds of B and questions are all resampled with replacement
  (``resamples`` times); the 95% interval of the resampled differences and the two-sided bootstrap
  p-value (twice the smaller share of resampled differences on either side of 0, counted as
  ``(k + 1) / (resamples + 1)`` so that it is never 0);
- the exact permutation p-value over run labels: every way of splitting the ``n_a + n_b`` runs into
  two groups of the original sizes, the statistic being the difference of the groups' mean values.

What 3 seeds can and cannot show: with 3 runs per recipe the permutation test has C(6, 3) = 20
splits, so its p-value is never below 2 / 20 = 0.1 -- 3 seeds can never reach p < 0.05 against seed
noise by permutation alone. The bootstrap draws seeds from 3 values only, so it under-states the
seed variance it cannot see; its p-value is a lower bound on the truth rather than an estimate.
A row is starred only if its (Benjamini-Hochberg corrected) bootstrap p is below the level **and**
the difference has the same sign in every seed (so the runs must pair: equal seed counts, or one side
a single run) **and** each recipe compared has two seeds or more (the base model, passed as ``fixed``,
needs none); a difference that flips sign across seeds, or whose seeds cannot be paired, is never
starred.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..names import SETTINGS
from .significance import PerQuery, question_values, shared_measures

__all__ = ["SeedComparison", "compare_over_seeds", "correct_together"]


@dataclass
class SeedComparison:
    """B against A in one setting, over seeds and questions."""

    measure: str
    setting: str
    n_questions: int
    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    per_seed: list[float]  # B - A per seed (see _per_seed); empty where runs cannot be paired
    ci: tuple[float, float]  # 95% bootstrap interval of B - A
    bootstrap_p: float
    permutation_p: float
    corrected_p: float = field(default=float("nan"))  # Benjamini-Hochberg over the bootstrap p of a table
    #: sides (A, B) that are one fixed model (the base), not a recipe's runs over seeds
    fixed: tuple[bool, bool] = (False, False)

    @property
    def difference(self) -> float:
        return self.mean_b - self.mean_a

    @property
    def min_permutation_p(self) -> float:
        """The smallest p-value the permutation test can give with these run counts."""
        splits = len(list(itertools.combinations(range(self.n_a + self.n_b), self.n_a)))
        return min(1.0, (1 if self.n_a != self.n_b else 2) / splits)

    @property
    def same_sign_every_seed(self) -> bool:
        """Whether every seed's difference has the sign of the mean difference; False where the runs
        cannot be paired (unequal seed counts), since a sign flip across seeds could not be seen."""
        return (bool(self.per_seed) and self.difference != 0
                and all(np.sign(d) == np.sign(self.difference) for d in self.per_seed))

    @property
    def seeds_on_both_sides(self) -> bool:
        """Whether each recipe compared has at least two seeds (a fixed model needs none): with one run,
        that recipe's seed variance is unseen and a claim about it cannot be tested."""
        return all(fixed or n >= 2 for fixed, n in zip(self.fixed, (self.n_a, self.n_b)))

    def starred(self, level: float = 0.05) -> bool:
        p = self.corrected_p if np.isfinite(self.corrected_p) else self.bootstrap_p
        return p < level and self.same_sign_every_seed and self.seeds_on_both_sides


def _bootstrap(a: np.ndarray, b: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Resampled differences of means: seeds of ``a``, seeds of ``b`` and questions, all with replacement."""
    rng = np.random.default_rng(seed)
    n_q = a.shape[1]
    diffs = []
    for start in range(0, resamples, 500):  # bounded memory: 500 x questions counts at a time
        size = min(500, resamples - start)
        questions = rng.multinomial(n_q, np.full(n_q, 1 / n_q), size=size)  # counts per question
        sides = []
        for runs in (a, b):
            picks = rng.multinomial(len(runs), np.full(len(runs), 1 / len(runs)), size=size)  # counts per run
            sides.append(((questions @ runs.T) * picks).sum(axis=1) / (n_q * len(runs)))
        diffs.append(sides[1] - sides[0])
    return np.concatenate(diffs)


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


def _per_seed(a: np.ndarray, b: np.ndarray) -> list[float]:
    """B - A per seed: runs paired by position (the same seed) where both recipes have as many, each run
    against the single run of the other side (a base model) where one has one, else none."""
    if len(a) == len(b) or len(a) == 1 or len(b) == 1:
        return [float(y - x) for x, y in zip(*np.broadcast_arrays(a, b))]
    return []


def _one_setting(a_runs: list[PerQuery], b_runs: list[PerQuery], measure: str, setting: str, resamples: int,
                 seed: int) -> SeedComparison:
    ids, values = question_values(a_runs + b_runs, measure, setting)
    a, b = values[: len(a_runs)], values[len(a_runs):]
    diffs = _bootstrap(a, b, resamples, seed)
    observed = float(b.mean() - a.mean())
    # (count + 1) / (resamples + 1): a bootstrap p-value is never 0
    p = 2 * (min(np.sum(diffs <= 0), np.sum(diffs >= 0)) + 1) / (len(diffs) + 1) if observed else 1.0
    per_seed = _per_seed(a.mean(axis=1), b.mean(axis=1))
    return SeedComparison(
        measure, setting, len(ids), len(a), len(b), float(a.mean()), float(b.mean()), per_seed,
        (float(np.quantile(diffs, 0.025)), float(np.quantile(diffs, 0.975))), float(min(1.0, p)),
        _permutation_p(values.mean(axis=1), len(a)),
    )


def compare_over_seeds(a_runs: list[PerQuery], b_runs: list[PerQuery], measure: str = "AP",
                       resamples: int = 10_000, seed: int = 0,
                       fixed: tuple[bool, bool] = (False, False)) -> list[SeedComparison]:
    """Per setting, recipe B (its runs over seeds) against recipe A (see the module docstring);
    ``fixed`` marks a side that is one fixed model (the base) rather than a recipe's seeds."""
    if not a_runs or not b_runs:
        raise ValueError("compare_over_seeds needs at least one run of each recipe")
    [measure] = shared_measures([*a_runs, *b_runs], [measure])
    runs = [*a_runs, *b_runs]
    found = [_one_setting(a_runs, b_runs, measure, s, resamples, seed) for s in SETTINGS
             if all(any(k[0] == s for k in r.values[measure]) for r in runs)]
    for c in found:
        c.fixed = tuple(fixed)
    return found


def correct_together(comparisons: Sequence[SeedComparison]) -> None:
    """Set each comparison's ``corrected_p``: Benjamini-Hochberg over the bootstrap p of all of them
    (one table's rows), which :meth:`SeedComparison.starred` reads."""
    from scipy import stats

    if comparisons:
        for r, p in zip(comparisons, stats.false_discovery_control([r.bootstrap_p for r in comparisons])):
            r.corrected_p = float(p)
