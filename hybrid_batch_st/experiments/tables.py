"""The tables of the results page, one direction folder at a time: mean +- sd over seeds per setting,
rank distance, the significance of each recipe against hybrid and each against the base model, the merge
weights' validation AP, cross-lingual AP by language group, and the targets.

Significance: the training run is the unit (:mod:`hybrid_batch_st.evaluation.seeds`): Welch's t-test on
the per-run means of two recipes (one-sample against the base model), Benjamini-Hochberg corrected within
one direction and benchmark, the recipe rows and the rows against the base as two families.

The targets (:mod:`.targets`, seed means): the hybrid model at or above the paper's XLM-R hybrid on the
evaluation benchmark, its monolingual AP not more than 0.005 below the base model's, and within 0.01 of the
better of X-X and X-Y in every setting.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..evaluation.groups import pair_groups
from ..evaluation.seeds import compare_over_seeds, correct_together
from ..evaluation.tables import seed_table
from ..languages import canonical_language
from ..names import BASE, COMPARISONS, LABELS, SETTINGS, SHORT_SETTINGS
from ..tasks.lareqa import BENCHMARKS
from .records import RunRecord, read_records
from .targets import PAPER_HYBRID, gap_to_base, gaps_to_best, gaps_to_paper

__all__ = ["HEADLINE", "LOW_RESOURCE", "directions", "direction_table", "target_check", "group_table", "merge_table",
           "records_by_recipe", "comparisons"]


def _mark(gap) -> str:
    digits = 4 if round(gap.difference, 4) != round(-gap.slack, 4) else 6  # a near miss shows as one
    return f"{gap.difference:+.{digits}f} {'yes' if gap.met else '**no**'}"


def seed_means(rows: dict[str, list[RunRecord]]) -> dict[str, dict[str, float]]:
    """Each recipe's mean AP over its runs, per setting.

    Args:
        rows: Records by recipe (:func:`records_by_recipe`).

    Returns:
        ``{recipe: {setting: mean AP}}``.
    """
    return {mode: {s: float(np.mean([r.macro()[s] for r in runs])) for s in SETTINGS if s in runs[0].macro()}
            for mode, runs in rows.items()}


def target_check(rows: dict[str, list[RunRecord]], benchmark: str) -> str:
    """The targets of :mod:`.targets` as a table of differences (seed means), each marked met or not.

    Args:
        rows: Records by recipe (:func:`records_by_recipe`).
        benchmark: The evaluation benchmark (the paper's figures exist for ``xquad-r`` and ``mlqa-r``).

    Returns:
        A Markdown table; empty without hybrid runs or LAReQA's three settings.
    """
    if "hybrid" not in rows or any(s not in r.macro() for runs in rows.values() for r in runs for s in SETTINGS):
        return ""  # the targets are stated for LAReQA's three settings
    mean = seed_means(rows)
    hybrid = mean["hybrid"]
    lines = ["| target (seed means) | mono | cross | multi |", "| --- | --- | --- | --- |"]
    if paper := gaps_to_paper(hybrid, benchmark):
        lines.append("| hybrid - paper's XLM-R hybrid (" + " / ".join(f"{p:.3f}" for p in PAPER_HYBRID[benchmark])
                     + "), ≥ 0 | " + " | ".join(_mark(g) for g in paper) + " |")
    if BASE in mean and (base := gap_to_base(hybrid, mean[BASE])):
        lines.append(f"| hybrid - base, mono ≥ -{base.slack} | {_mark(base)} | "
                     + " | ".join(f"{hybrid[s] - mean[BASE][s]:+.4f}" for s in SETTINGS[1:]) + " |")
    if best := gaps_to_best(hybrid, mean):
        lines.append(f"| hybrid - best of X-X, X-Y, ≥ -{best[0].slack} | " + " | ".join(_mark(g) for g in best) + " |")
    return "\n".join(lines)


#: The headline first (the paper's zero-shot direction, the same models before the merge, the batch-100
#: recipe), then the reverse direction; every other folder after them in name order.
HEADLINE = ("mlqa-r-to-xquad-r", "mlqa-r-to-xquad-r-unmerged", "mlqa-r-to-xquad-r-batch100", "xquad-r-to-mlqa-r",
            "xquad-r-to-mlqa-r-unmerged")


def directions(root: Path) -> list[Path]:
    """The result folders of ``root`` in the order the results page shows them.

    Args:
        root: A results folder (``benchmarks/results``).

    Returns:
        Its sub-folders, :data:`HEADLINE` first, then the others by name.
    """
    return sorted((d for d in root.iterdir() if d.is_dir()),
                  key=lambda d: (HEADLINE.index(d.name) if d.name in HEADLINE else len(HEADLINE), d.name))


#: Low-resource languages of the ``--also`` benchmarks' subsets (:data:`.runs.ALSO`).
LOW_RESOURCE = {"tatoeba": ("jv", "tl", "eu", "ml", "ta", "te", "af"), "flores200": ("yo", "ha", "km"),
                "xsid": ("de-ba",), "xflickrco": ()}


def group_table(rows: dict[str, list[RunRecord]], benchmark: str) -> str:
    """Cross-lingual AP (seed means) by language group, for the benchmarks other than LAReQA's.

    Groups follow :func:`~hybrid_batch_st.evaluation.groups.pair_groups`: a pair is seen when all its
    languages were trained on, unseen otherwise; low-resource from :data:`LOW_RESOURCE`.

    Args:
        rows: Records by recipe (:func:`records_by_recipe`).
        benchmark: The evaluation benchmark.

    Returns:
        A Markdown section; empty for XQuAD-R / MLQA-R or when the training languages are unknown.
    """
    trained = [r for mode, results in rows.items() if mode != BASE for r in results]
    if not trained or benchmark in PAPER_HYBRID:
        return ""
    train = trained[0].train_benchmark
    chosen = (trained[0].train_config or {}).get("languages")
    if not chosen and train not in BENCHMARKS:
        return ""  # the training languages are unknown
    seen = {canonical_language(c) for c in (chosen or BENCHMARKS[train].languages)}
    low = {"low-resource": LOW_RESOURCE[benchmark]} if LOW_RESOURCE.get(benchmark) else {}
    names = ["seen", "unseen", *low]
    lines = [f"Cross-lingual AP by language group (seen: trained on {train}, {', '.join(sorted(seen))}; a pair is "
             "unseen when one of its languages was not):", "",
             "| model | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    for mode in [m for m in LABELS if m in rows]:
        cells = []
        for name in names:
            means = [np.mean(v) for v in ([p.scores["AP"] for p in r.result.pairs if p.setting == "cross-lingual"
                                           and name in pair_groups(_languages(r, p), low, seen)]
                                          for r in rows[mode]) if v]
            cells.append(f"{np.mean(means):.4f}" + (f" ± {np.std(means, ddof=1):.4f}" if len(means) > 1 else "")
                         if means else "-")
        lines.append(f"| {LABELS[mode]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _languages(record: RunRecord, pair) -> list[str]:
    """The languages of a pair's query set and pool (``en@ar``, Tatoeba's English side for Arabic: en)."""
    return [c.split("@")[0] for c in (pair.query_lang, pair.pool_lang)]


def merge_table(rows: dict[str, list[RunRecord]]) -> str:
    """Validation AP per merge weight and model type (seed means), with the base model's when recorded.

    Args:
        rows: Records by recipe (:func:`records_by_recipe`).

    Returns:
        A Markdown table (a cell averaging fewer runs than the recipe has says how many); empty when no
        record kept per-setting validation AP.
    """
    # older records kept only the mean over settings: a cell says how many seeds it averages if not all
    trained = {mode: results for mode, results in rows.items() if mode != BASE
               and any("AP" in (r.validation or {}) for r in results)}
    if not trained:
        return ""
    weights = sorted({w for results in trained.values() for r in results for w in r.validation.get("AP", {})},
                     key=float, reverse=True)
    lines = ["| model | " + " | ".join(f"merge {w}" for w in weights) + " | base |",
             "| --- |" + " --- |" * (len(weights) + 1)]
    for mode in [m for m in LABELS if m in trained]:
        results = trained[mode]
        cells = []
        for weight in weights + ["base"]:
            found = [r.validation.get("base_AP") if weight == "base" else r.validation.get("AP", {}).get(weight)
                     for r in results]
            found = [f for f in found if f]
            cells.append(" / ".join(f"{np.mean([f[s] for f in found]):.4f}" for s in SETTINGS)
                         + (f" ({len(found)})" if len(found) != len(results) else "") if found else "-")
        lines.append(f"| {LABELS[mode]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rank_distance(results: list[RunRecord]) -> float:
    """Mean rank distance of runs.

    Args:
        results: Records of one recipe.

    Returns:
        The mean; NaN where a benchmark has no multilingual pool to measure it in.
    """
    return float(np.mean([np.nan if d is None else d for d in (r.result.language_bias.get("rank_distance")
                                                               for r in results)]))


@functools.cache
def current_records(folder: Path) -> tuple[list[RunRecord], int]:
    """The records of a direction folder on its benchmark reader's newest revision.

    Args:
        folder: A direction folder (``benchmarks/results/mlqa-r-to-xsid``).

    Returns:
        The records, and how many older ones were left out (their judgments came from a reader since
        corrected).
    """
    records = read_records(folder)
    newest = max((r.reader_revision for r in records), default=1)
    return [r for r in records if r.reader_revision == newest], sum(r.reader_revision < newest for r in records)


@functools.cache
def records_by_recipe(folder: Path) -> dict[str, list[RunRecord]]:
    """Run records of every model of a direction folder, by recipe (newest reader revision only).

    Args:
        folder: A direction folder.

    Returns:
        ``{recipe: [records]}``.
    """
    rows: dict[str, list[RunRecord]] = defaultdict(list)
    for record in current_records(folder)[0]:
        rows[record.recipe].append(record)
    return rows


@functools.cache
def comparisons(folder: Path) -> list[tuple[str, str, list]]:
    """The direction's recipe comparisons with the training run as the unit, BH-corrected as its table shows them.

    Args:
        folder: A direction folder.

    Returns:
        ``[(recipe A, recipe B, [SeedComparison per setting])]`` for every pair of
        :data:`~hybrid_batch_st.names.COMPARISONS` both of whose recipes have runs.
    """
    rows = records_by_recipe(folder)
    per_query = {recipe: [r.per_query() for r in runs] for recipe, runs in rows.items()
                 if any(recipe in pair for pair in COMPARISONS)}
    done = [(a, b, compare_over_seeds(per_query[a], per_query[b], "AP", fixed=(a == BASE, b == BASE)))
            for a, b in COMPARISONS if a in per_query and b in per_query]
    correct_together([r for _, _, found in done for r in found])  # as the direction's significance table
    return done


def direction_table(folder: Path) -> str:
    """One direction's section of the results page.

    Args:
        folder: A direction folder.

    Returns:
        Markdown: the recipes' seed means, the run-level significance table, merge weights, language groups
        and targets, as the records allow; empty when the folder holds no run record.
    """
    rows = records_by_recipe(folder)
    if not rows:
        return ""
    first = next(iter(rows.values()))[0]
    settings = [s for s in SETTINGS if s in first.macro()]  # a benchmark without X->X pairs has no mono column
    trained = [r for mode, results in rows.items() if mode != BASE for r in results]
    devices = sorted({str(r.device) for r in trained})
    samples = sorted({str(r.sample_items) for results in rows.values() for r in results if r.sample_items})
    sample = f", a sample of {' / '.join(samples)} items per language" if samples else ""
    lines = [f"### {folder.name}: {first.result.benchmark} ({len(first.result.languages)} languages{sample}), "
             "trained on "
             f"{', '.join(devices) or '-'}", "",
             "| model | seeds | " + " | ".join(f"{SHORT_SETTINGS[s]} AP" for s in settings)
             + " | rank distance | training min | merge |",
             "| --- | --- | " + "--- | " * len(settings) + "--- | --- | --- |"]
    for mode in [m for m in LABELS if m in rows]:
        results = rows[mode]
        cells = []
        for values in ([r.macro()[s] for r in results] for s in settings):
            cells.append(f"{np.mean(values):.4f} ± {np.std(values, ddof=1):.4f}" if len(values) > 1
                         else f"{values[0]:.4f}")
        minutes = np.mean([r.training_minutes or 0.0 for r in results])
        merges = sorted({str(r.merge_with_base) for r in results}) if mode != BASE else ["-"]
        lines.append(f"| {LABELS[mode]} | {len(results)} | " + " | ".join(cells)
                     + f" | {rank_distance(results):.1f} | {minutes:.1f} | {', '.join(merges)} |")
    done = [(LABELS[a], LABELS[b], found) for a, b, found in comparisons(folder)]
    if done:
        lines += ["", "Significance of B - A over seeds and parallel questions:", "", seed_table(done)]
    if any(r.chosen_merge is not None for r in trained):  # the paper's comparison: the models before merging
        lines += ["", "Unmerged: each trained model scored before any merge with the base model (the paper's own "
                  "comparison); the merge weight validation chose for it is in the merged direction's table."]
    elif any(r.sample_items is not None or r.reader_revision > 1 for r in trained):  # an --also benchmark
        lines += ["", f"Merge weights: those picked on the {trained[0].train_benchmark} validation split, "
                  "tabled under this direction's main benchmark."]
    elif merges := merge_table(rows):
        lines += ["", f"Merge weight (share of fine-tuned weights) on the {trained[0].train_benchmark} validation "
                  "split, AP mono / cross / multi, seed means; the chosen weight is the best mean of the three:",
                  "", merges]
    older = current_records(folder)[1]
    if older:
        lines += ["", f"{older} record(s) scored by an older revision of this benchmark's reader are left out "
                  "until re-scored (their judgments were since corrected)."]
    groups = group_table(rows, first.result.benchmark)
    if groups:
        lines += ["", groups]
    check = target_check(rows, first.result.benchmark)
    if check:
        lines += ["", "Targets:", "", check]
    return "\n".join(lines)
