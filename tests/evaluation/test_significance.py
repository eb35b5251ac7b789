"""Significance with the right units: parallel questions within a setting, seeds and questions
together for a claim about a recipe; measure aliases resolved."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hybrid_batch_st.evaluation.seeds import compare_over_seeds
from hybrid_batch_st.evaluation.per_query import PerQuery
from hybrid_batch_st.evaluation.significance import compare
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
    assert cross.n_questions == 300 and cross.per_seed == []  # two recipes' runs do not pair by seed number
    assert cross.run_p > 0.05 and not cross.starred()
    assert cross.permutation_p >= cross.min_permutation_p == pytest.approx(0.1)  # 3 vs 3 seeds: never below 0.1
    # pooled over (pair, query) units a per-query test on seed-averaged values calls this highly significant
    pooled = {(r.setting, r.pair): r for r in compare(_mean(a), _mean(b))}
    assert pooled[("cross-lingual", "")].randomization_p < 0.01


def test_a_consistent_recipe_effect_is_starred():
    rng = np.random.default_rng(2)
    a = [run(rng, 0.0, d) for d in (0.001, -0.001, 0.0)]
    b = [run(rng, 0.03, d) for d in (0.001, -0.001, 0.0)]
    rows = compare_over_seeds(a, b)
    table = seed_table([("A", "B", rows)])
    for r in rows:
        assert r.run_p < 0.01 and r.ci[0] > 0 and r.starred() and r.detectable < 0.03
    assert re.search(r"\| B vs A \| cross \| \+0\.0\d+ \* \|", table), table
    # one seed of a recipe: its seed variance is unseen, so no test, however large the difference;
    # the base model is one fixed model, not a recipe, and needs no seeds
    single = compare_over_seeds(a, b[:1])
    assert all(not np.isfinite(r.run_p) and not r.starred() for r in single)
    against_base = compare_over_seeds(a[:1], b, fixed=(True, False))
    assert all(r.starred() and len(r.per_seed) == 3 for r in against_base)


def test_the_run_level_test_is_welchs_t_on_per_run_means():
    from scipy import stats

    from hybrid_batch_st.evaluation.seeds import run_level_test

    a, b = np.array([0.5448, 0.5431, 0.5467]), np.array([0.5502, 0.5475, 0.5530, 0.5461, 0.5519])
    p, (low, high), detectable = run_level_test(a, b)
    assert p == pytest.approx(stats.ttest_ind(b, a, equal_var=False).pvalue, rel=1e-12)
    va, vb = a.var(ddof=1) / 3, b.var(ddof=1) / 5
    df = (va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 4)
    t = stats.t.ppf(0.975, df)
    assert (low, high) == pytest.approx((b.mean() - a.mean() - t * np.sqrt(va + vb), b.mean() - a.mean()
                                         + t * np.sqrt(va + vb)))
    assert detectable == pytest.approx((t + stats.t.ppf(0.8, df)) * np.sqrt(va + vb))
    # against a fixed model: a one-sample t-test of the runs
    p_fixed, _, _ = run_level_test(np.array([0.52]), b, fixed=(True, False))
    assert p_fixed == pytest.approx(stats.ttest_1samp(b, 0.52).pvalue)


def _former_bootstrap_p(a: np.ndarray, b: np.ndarray, resamples: int = 4000) -> float:
    """What the former star read: seeds of A, seeds of B and questions resampled together (runs x questions)."""
    rng = np.random.default_rng(0)
    n_q, diffs = a.shape[1], []
    for _ in range(resamples):
        q = rng.integers(0, n_q, n_q)
        diffs.append(b[rng.integers(0, len(b), len(b))][:, q].mean() - a[rng.integers(0, len(a), len(a))][:, q].mean())
    diffs = np.array(diffs)
    return 2 * (min(np.sum(diffs <= 0), np.sum(diffs >= 0)) + 1) / (len(diffs) + 1)


def test_three_seeds_that_the_former_bootstrap_starred_are_not_starred_by_runs():
    from hybrid_batch_st.evaluation.significance import question_values

    rng = np.random.default_rng(4)
    a = [run(rng, 0.0, d) for d in (0.0, -0.004, 0.003)]
    b = [run(rng, 0.0, d) for d in (0.006, 0.002, 0.009)]  # B ahead in every seed, by little against the spread
    _, values = question_values(a + b, "AP", "cross-lingual")
    assert _former_bootstrap_p(values[:3], values[3:]) < 0.05  # the former two-level bootstrap starred it
    [cross] = [r for r in compare_over_seeds(a, b) if r.setting == "cross-lingual"]
    assert cross.run_p > 0.05 and not cross.starred()


def test_benjamini_hochberg_families_keep_base_rows_apart():
    from hybrid_batch_st.evaluation.seeds import SeedComparison, correct_together

    def row(p: float, fixed=(False, False)) -> SeedComparison:
        return SeedComparison("AP", "cross-lingual", 100, 3, 3, 0.5, 0.51, [], (0.0, 0.02), p, 0.1, 0.01,
                              fixed=fixed)

    recipes = [row(0.02), row(0.04), row(0.30)]
    base = [row(1e-6, (True, False)), row(2e-6, (True, False)), row(3e-6, (True, False))]
    correct_together(recipes + base)
    from scipy import stats

    assert [r.corrected_p for r in recipes] == pytest.approx(list(stats.false_discovery_control([0.02, 0.04, 0.30])))
    assert [r.corrected_p for r in base] == pytest.approx(list(stats.false_discovery_control([1e-6, 2e-6, 3e-6])))
    # one family would have let the base rows' floor p loosen the recipes' correction: 0.04 * 6 / 5 < 0.06
    pooled = stats.false_discovery_control([0.02, 0.04, 0.30, 1e-6, 2e-6, 3e-6])
    assert pooled[1] < recipes[1].corrected_p


def _mean(runs: list[PerQuery]) -> PerQuery:
    """Per-query values averaged over runs (what the old results table tested)."""
    keys = runs[0].values["AP"]
    return PerQuery("mean", {"AP": {k: {q: float(np.mean([r.values["AP"][k][q] for r in runs])) for q in keys[k]}
                                    for k in keys}})


def test_the_command_line_and_python_give_the_same_verdict_over_runs(tmp_path, capsys):
    from hybrid_batch_st.cli import main
    from hybrid_batch_st.evaluation.per_query import load_per_query, write_per_query
    from hybrid_batch_st.evaluation.results import EvaluationResult, PairResult

    rng = np.random.default_rng(5)
    folders: dict[str, list[str]] = {"a": [], "b": []}
    for name, offsets in (("a", (0.0, 0.003, -0.002)), ("b", (0.006, 0.01, 0.004))):
        for k, offset in enumerate(offsets):
            values = run(rng, 0.0, offset, 60).values["AP"]
            pairs = [PairResult(x, y, s, {"AP": float(np.mean(list(v.values())))}, len(v), {"AP": v})
                     for (s, x, y), v in values.items()]
            result = EvaluationResult("toy", f"{name}{k}", list(LANGS), ["AP"], 0, pairs, {}, {}, {})
            (tmp_path / f"{name}{k}").mkdir()
            write_per_query(result, tmp_path / f"{name}{k}" / "per_query.tsv.gz")
            folders[name].append(str(tmp_path / f"{name}{k}"))
    assert main(["compare", ",".join(folders["a"]), ",".join(folders["b"])]) == 0
    printed = capsys.readouterr().out
    a, b = ([load_per_query(f) for f in folders[n]] for n in ("a", "b"))
    expected = seed_table([(f"{a[0].label} (+2 more seeds)", f"{b[0].label} (+2 more seeds)",
                            compare_over_seeds(a, b, "AP"))])
    assert printed.strip() == expected.strip() and "Welch" in printed
