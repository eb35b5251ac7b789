"""Paired significance tests between two evaluations of the same benchmark (``hybrid-batch-st compare``).

Units are queries: per language pair, the queries of that pair; per setting, every (pair, query)
of the setting (whose mean is the setting's macro average when pairs have equal sizes, as in
XQuAD-R). Each comparison reports the difference of means (B - A), the paired t-test
(``scipy.stats.ttest_rel``) and a paired randomization test (sign flips of the per-query
differences, ``scipy.stats.permutation_test``), with Benjamini-Hochberg correction over all
comparisons of a measure (``scipy.stats.false_discovery_control``).
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .report import PER_QUERY_FILE

__all__ = ["PerQuery", "Comparison", "per_query_of", "load_per_query", "compare", "format_comparisons",
           "setting_summary", "RECIPE_COMPARISONS", "recipe_significance"]

Key = tuple[str, str, str]  # (setting, query language, pool language)


@dataclass
class PerQuery:
    """Per-query values of one evaluation: ``values[measure][(setting, query_lang, pool_lang)][query_id]``."""

    label: str
    values: dict[str, dict[Key, dict[str, float]]]


def per_query_of(result, label: str | None = None) -> PerQuery:
    """The per-query values of an in-memory :class:`~hybrid_batch_st.evaluation.EvaluationResult`."""
    values: dict[str, dict[Key, dict[str, float]]] = {}
    for p in result.pairs:
        for measure, by_query in p.per_query.items():
            values.setdefault(measure, {})[(p.setting, p.query_lang, p.pool_lang)] = by_query
    return PerQuery(label or result.model, values)


def load_per_query(path: str | Path) -> PerQuery:
    """Read an evaluation folder (or its results.json) with its per_query.tsv.gz."""
    path = Path(path)
    folder = path.parent if path.is_file() else path
    side = folder / PER_QUERY_FILE
    if not side.is_file():
        raise FileNotFoundError(
            f"{folder} holds no {PER_QUERY_FILE}; evaluate the model again with this version "
            "(hybrid-batch-st evaluate ... --output FOLDER) to get per-query values"
        )
    label = str(folder)
    results = folder / "results.json"
    if results.is_file():
        label = json.loads(results.read_text(encoding="utf-8")).get("model") or label
    values: dict[str, dict[Key, dict[str, float]]] = {}
    with gzip.open(side, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["setting"], row["query_lang"], row["pool_lang"])
            values.setdefault(row["measure"], {}).setdefault(key, {})[row["query_id"]] = float(row["value"])
    return PerQuery(label, values)


@dataclass
class Comparison:
    measure: str
    setting: str
    pair: str  # "x->y", "x->all", or "" for a whole setting
    n: int
    mean_a: float
    mean_b: float
    t_p: float
    randomization_p: float
    corrected_p: float = float("nan")  # Benjamini-Hochberg over the randomization p-values of the measure

    @property
    def difference(self) -> float:
        return self.mean_b - self.mean_a


def _test(a: np.ndarray, b: np.ndarray, resamples: int, seed: int) -> tuple[float, float]:
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


def compare(a: PerQuery, b: PerQuery, measures: Iterable[str] | None = None, resamples: int = 2000,
            seed: int = 0) -> list[Comparison]:
    """Per setting and per language pair, B against A on the queries both evaluated."""
    from scipy import stats

    shared = [m for m in (measures or a.values) if m in a.values and m in b.values]
    if not shared:
        raise ValueError(f"no measure in common ({sorted(a.values)} vs {sorted(b.values)}); pass one both have")
    out: list[Comparison] = []
    for measure in shared:
        rows: list[Comparison] = []
        by_setting: dict[str, tuple[list[float], list[float]]] = {}
        for key in sorted(set(a.values[measure]) & set(b.values[measure])):
            qa, qb = a.values[measure][key], b.values[measure][key]
            queries = sorted(set(qa) & set(qb))
            va, vb = np.array([qa[q] for q in queries]), np.array([qb[q] for q in queries])
            setting, x, y = key
            pooled = by_setting.setdefault(setting, ([], []))
            pooled[0].extend(va)
            pooled[1].extend(vb)
            rows.append(Comparison(measure, setting, f"{x}->{y}", len(queries), float(va.mean()), float(vb.mean()),
                                   *_test(va, vb, resamples, seed)))
        for setting, (va, vb) in by_setting.items():
            va, vb = np.array(va), np.array(vb)
            rows.insert(0, Comparison(measure, setting, "", len(va), float(va.mean()), float(vb.mean()),
                                      *_test(va, vb, resamples, seed)))
        if not rows:
            raise ValueError(f"the two evaluations share no language pair for {measure}")
        corrected = stats.false_discovery_control([r.randomization_p for r in rows])
        for row, p in zip(rows, corrected):
            row.corrected_p = float(p)
        out += rows
    return out


def format_comparisons(rows: list[Comparison], label_a: str, label_b: str, level: float = 0.05) -> str:
    """A Markdown table; ``*`` marks corrected p below ``level``."""
    lines = [f"B = {label_b} against A = {label_a} (paired over queries; BH-corrected randomization p)", "",
             "| measure | setting | pair | queries | A | B | B - A | t-test p | randomization p | corrected p |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        mark = " *" if r.corrected_p < level else ""
        lines.append(f"| {r.measure} | {r.setting} | {r.pair or 'all pairs'} | {r.n} | {r.mean_a:.4f} | "
                     f"{r.mean_b:.4f} | {r.difference:+.4f} | {r.t_p:.3g} | {r.randomization_p:.3g} | "
                     f"{r.corrected_p:.3g}{mark} |")
    return "\n".join(lines) + "\n"


def setting_summary(comparisons: list[tuple[str, str, list[Comparison]]], measure: str, level: float = 0.05) -> str:
    """One Markdown row per (A, B) comparison: B - A per setting with its corrected p (``*`` below ``level``)."""
    settings = list(dict.fromkeys(r.setting for _, _, rows in comparisons for r in rows if not r.pair))
    lines = ["| B vs A | " + " | ".join(settings) + " |", "| --- |" + " --- |" * len(settings)]
    for label_a, label_b, rows in comparisons:
        cell = {r.setting: r for r in rows if not r.pair and r.measure == measure}
        lines.append(f"| {label_b} vs {label_a} | " + " | ".join(
            f"{cell[s].difference:+.4f} (p {cell[s].corrected_p:.2g}){' *' if cell[s].corrected_p < level else ''}"
            for s in settings) + " |")
    return "\n".join(lines) + f"\n\n{measure}, paired over queries; p: randomization test, BH-corrected over the pairs and settings; * p < {level}\n"


#: (A, B) labels whose differences a recipe comparison tests: hybrid against each single-type recipe,
#: each fine-tuned model against the base model
RECIPE_COMPARISONS = [("X-X (monolingual)", "hybrid"), ("X-Y (cross-lingual)", "hybrid"), ("base", "X-X (monolingual)"),
                      ("base", "X-Y (cross-lingual)"), ("base", "hybrid")]


def recipe_significance(results: dict, measure: str = "AP", resamples: int = 2000) -> str:
    """:func:`setting_summary` of :data:`RECIPE_COMPARISONS` on ``{label: EvaluationResult}``."""
    done = [(a, b, compare(per_query_of(results[a], a), per_query_of(results[b], b), [measure], resamples))
            for a, b in RECIPE_COMPARISONS if a in results and b in results]
    return setting_summary(done, measure)
