"""Significance with the right units: parallel questions within a setting, seeds and questions
together for a claim about a recipe; measure aliases resolved."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hybrid_batch_st.evaluation.seeds import compare_over_seeds
from hybrid_batch_st.evaluation.significance import PerQuery, compare
from hybrid_batch_st.evaluation.tables import seed_table


def per_query(label: str, values: dict, measure: str = "AP") -> PerQuery:
    """``values[(x, y)]`` = array of per-question values; question ids q0.. are shared across pairs."""
    out = {}
    for (x, y), v in values.items():
        setting = "monolingual" if x == y else "cross-lingual"
        out[(setting, x, y)] = {f"q{i}": float(a) for i, a in enumerate(v)}
    return PerQuery(label, {measure: out})


LANGS = ("en", "de", "es", "ar")


def run(rng, shift: float, seed_effect: float, n: int = 300) -> PerQuery:
    """A run whose per-question values are shared question difficulty + a shift + a per-run offset."""
    difficulty = np.random.default_rng(123).uniform(0.2, 0.8, n)  # the same questions in every run
    return per_query("r", {(x, y): difficulty + shift + seed_effect + rng.normal(0, 0.01, n)
                           for x in LANGS for y in LANGS})


def test_a_setting_counts_each_parallel_question_once():
    rng = np.random.default_rng(0)
    a, b = run(rng, 0.0, 0.0, 40), run(rng, 0.001, 0.0, 40)
    rows = {(r.setting, r.pair): r for r in compare(a, b)}
    assert rows[("cross-lingual", "")].n == 40  # 12 pairs x 40 queries, but 40 questions
    assert rows[("monolingual", "")].n == 40 and rows[("cross-lingual", "en->de")].n == 40


def test_measure_aliases_are_canonical():
    a = per_query("a", {("en", "de"): np.array([0.5, 1.0])}, measure="RR@10")
    b = per_query("b", {("en", "de"): np.array([1.0, 1.0])}, measure="RR@10")
    rows = compare(a, b, ["MRR@10"])
    assert {r.measure for r in rows} == {"RR@10"}
    with pytest.raises(ValueError, match="no measure in common: asked for \\['AP'\\]"):
        compare(a, b, ["AP"])


def test_seed_noise_is_not_a_recipe_effect():
    rng = np.random.default_rng(1)
    # B's seeds scatter around A's: per seed +0.004, -0.002, +0.008 (the MLQA-R -> XQuAD-R case)
    a = [run(rng, 0.0, 0.0) for _ in range(3)]
    b = [run(rng, 0.0, d) for d in (0.004, -0.002, 0.008)]
    [cross] = [r for r in compare_over_seeds(a, b) if r.setting == "cross-lingual"]
    assert cross.n_questions == 300 and len(cross.per_seed) == 3
    assert not cross.same_sign_every_seed and not cross.starred()
    assert cross.permutation_p >= cross.min_permutation_p == pytest.approx(0.1)  # 3 vs 3 seeds: never below 0.1
    # pooled over (pair, query) units a per-query test on seed-averaged values calls this highly significant
    pooled = {(r.setting, r.pair): r for r in compare(_mean(a), _mean(b))}
    assert pooled[("cross-lingual", "")].randomization_p < 0.01


def test_a_consistent_recipe_effect_is_starred():
    rng = np.random.default_rng(2)
    a = [run(rng, 0.0, 0.0) for _ in range(3)]
    b = [run(rng, 0.03, d) for d in (0.001, -0.001, 0.0)]
    rows = compare_over_seeds(a, b, resamples=2000)
    table = seed_table([("A", "B", rows)])
    for r in rows:
        assert r.same_sign_every_seed and r.bootstrap_p < 0.01 and r.ci[0] > 0 and r.starred()
    assert re.search(r"\| B vs A \| cross \| \+0\.0\d+ \* \|", table), table
    # one seed of a recipe: its seed variance is unseen, so no star, however large the difference;
    # the base model is one fixed model, not a recipe, and needs no seeds
    single = compare_over_seeds(a, b[:1], resamples=2000)
    assert all(r.bootstrap_p < 0.05 and not r.starred() for r in single)
    assert all(r.starred() for r in compare_over_seeds(a[:1], b, resamples=2000, fixed=(True, False)))
    # 2 seeds against 3: the runs do not pair, a sign flip across seeds could not be seen, so no star
    unpaired = compare_over_seeds(a, b[:2], resamples=2000)
    assert all(r.bootstrap_p < 0.05 and r.per_seed == [] and not r.starred() for r in unpaired)


def _mean(runs: list[PerQuery]) -> PerQuery:
    """Per-query values averaged over runs (what the old results table tested)."""
    keys = runs[0].values["AP"]
    return PerQuery("mean", {"AP": {k: {q: float(np.mean([r.values["AP"][k][q] for r in runs])) for q in keys[k]}
                                    for k in keys}})
