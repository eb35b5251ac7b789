"""Tables from the result files of ``benchmarks/reproduce.py``: mean +- sd over seeds per setting,
rank distance, and the significance of hybrid vs X-X, hybrid vs X-Y and each vs the base model.

Significance: the training run is the unit (``hybrid_batch_st.evaluation.seeds``): Welch's t-test on the
per-run means of two recipes (one-sample against the base model), Benjamini-Hochberg corrected within one
direction and benchmark, the recipe rows and the rows against the base as two families.

Each direction also gets a check against the targets of the zero-shot comparison (seed means): the
hybrid model at or above the paper's XLM-R hybrid on the evaluation benchmark, its monolingual AP
not more than 0.005 below the base model's, and within 0.01 of the best of X-X and X-Y in every
setting. Result folders written by ``reproduce.py --validation-only`` (``*-validation/``, recipe
options compared on the training benchmark's validation split) get a table of their own.

    python benchmarks/results_table.py [--results benchmarks/results] [--output benchmarks/results/README.md]
        [--readme docs/results.md]

``--readme`` replaces the text between the two marker lines ``BEGIN`` and ``END`` below in that file, and,
where the file has the markers of :data:`ALTERNATIVES`, puts between them the recipe table of one direction
(``--alternatives``, default ``mlqa-r-to-xquad-r``: every recipe beside hybrid, starred as its significance
table stars).
"""

from __future__ import annotations

import argparse
import functools
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from hybrid_batch_st.atomic import atomic_path
from hybrid_batch_st.evaluation.groups import pair_groups
from hybrid_batch_st.evaluation.records import RunRecord, read_records
from hybrid_batch_st.evaluation.seeds import compare_over_seeds, correct_together
from hybrid_batch_st.evaluation.tables import seed_table
from hybrid_batch_st.evaluation.targets import PAPER_HYBRID, gap_to_base, gaps_to_best, gaps_to_paper
from hybrid_batch_st.languages import canonical_language
from hybrid_batch_st.names import BASE, COMPARISONS, LABELS, SETTINGS, SHORT_SETTINGS
from hybrid_batch_st.tasks.lareqa import BENCHMARKS

BEGIN = "<!-- tables from benchmarks/results_table.py: begin -->"
END = "<!-- tables from benchmarks/results_table.py: end -->"
#: The recipe table of docs/results.md ("Hybrid batches against the alternatives", ``--alternatives``): its markers.
ALTERNATIVES = ("<!-- alternatives: begin -->", "<!-- alternatives: end -->")


def _mark(gap) -> str:
    digits = 4 if round(gap.difference, 4) != round(-gap.slack, 4) else 6  # a near miss shows as one
    return f"{gap.difference:+.{digits}f} {'yes' if gap.met else '**no**'}"


def _seed_means(rows: dict[str, list[RunRecord]]) -> dict[str, dict[str, float]]:
    return {mode: {s: float(np.mean([r.macro()[s] for r in runs])) for s in SETTINGS if s in runs[0].macro()}
            for mode, runs in rows.items()}


def target_check(rows: dict[str, list[RunRecord]], benchmark: str) -> str:
    """The targets of :mod:`hybrid_batch_st.evaluation.targets` as a table of differences (seed means),
    each marked met or not."""
    if "hybrid" not in rows or any(s not in r.macro() for runs in rows.values() for r in runs for s in SETTINGS):
        return ""  # the targets are stated for LAReQA's three settings
    mean = _seed_means(rows)
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
    """The result folders of ``root`` in the order the results page shows them (:data:`HEADLINE` first)."""
    return sorted((d for d in root.iterdir() if d.is_dir()),
                  key=lambda d: (HEADLINE.index(d.name) if d.name in HEADLINE else len(HEADLINE), d.name))


#: low-resource languages of the --also benchmarks' subsets (benchmarks/reproduce.py's ALSO)
LOW_RESOURCE = {"tatoeba": ("jv", "tl", "eu", "ml", "ta", "te", "af"), "flores200": ("yo", "ha", "km"),
                "xsid": ("de-ba",), "xflickrco": ()}


def group_table(rows: dict[str, list[RunRecord]], benchmark: str) -> str:
    """Cross-lingual AP (seed means) by language group, for the benchmarks other than LAReQA's."""
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
    """Validation AP per merge weight and model type (seed means), with the base model's when recorded."""
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


def _rank_distance(results: list[RunRecord]) -> float:
    """Mean rank distance of runs (NaN where a benchmark has no multilingual pool to measure it in)."""
    return float(np.mean([np.nan if d is None else d for d in (r.result.language_bias.get("rank_distance")
                                                               for r in results)]))


@functools.cache
def _all_records(folder: Path) -> tuple[list[RunRecord], int]:
    """The records of a direction folder on its benchmark reader's newest revision, and how many older
    ones were left out (their judgments came from a reader since corrected)."""
    records = read_records(folder)
    newest = max((r.reader_revision for r in records), default=1)
    return [r for r in records if r.reader_revision == newest], sum(r.reader_revision < newest for r in records)


@functools.cache
def _records(folder: Path) -> dict[str, list[RunRecord]]:
    """Run records of every model of a direction folder, by recipe."""
    rows: dict[str, list[RunRecord]] = defaultdict(list)
    for record in _all_records(folder)[0]:
        rows[record.recipe].append(record)
    return rows


@functools.cache
def _comparisons(folder: Path) -> list[tuple[str, str, list]]:
    """The direction's :data:`COMPARISONS` over seeds, BH-corrected together (as its table shows them)."""
    rows = _records(folder)
    per_query = {recipe: [r.per_query() for r in runs] for recipe, runs in rows.items()
                 if any(recipe in pair for pair in COMPARISONS)}
    done = [(a, b, compare_over_seeds(per_query[a], per_query[b], "AP", fixed=(a == BASE, b == BASE)))
            for a, b in COMPARISONS if a in per_query and b in per_query]
    correct_together([r for _, _, found in done for r in found])  # as the direction's significance table
    return done


def alternatives_table(folder: Path) -> str:
    """Every recipe beside hybrid in one direction: seed means and hybrid - recipe per setting, starred
    as in the significance table (corrected run-level p < 0.05, two seeds or more)."""
    rows = _records(folder)
    against = {a: found for a, b, found in _comparisons(folder) if b == "hybrid"}
    lines = ["| recipe | seeds | mono | cross | multi | rank distance | hybrid - recipe (mono / cross / multi) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for mode in ["hybrid"] * ("hybrid" in rows) + [m for m in LABELS if m in rows and m in against and m != BASE]:
        results = rows[mode]
        seeds = sorted(int(r.seed) for r in results)
        means = [np.mean([r.macro()[s] for r in results]) for s in SETTINGS]
        diffs = " / ".join(f"{c.difference:+.4f}{' *' if c.starred() else ''}" for c in against.get(mode, [])) or "-"
        lines.append(f"| {LABELS[mode]} | {len(seeds)} ({', '.join(map(str, seeds))}) | "
                     + " | ".join(f"{m:.4f}" for m in means) + f" | {_rank_distance(results):.1f} | {diffs} |")
    return "\n".join(lines)


def direction_table(folder: Path) -> str:
    rows = _records(folder)
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
                     + f" | {_rank_distance(results):.1f} | {minutes:.1f} | {', '.join(merges)} |")
    done = [(LABELS[a], LABELS[b], found) for a, b, found in _comparisons(folder)]
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
    older = _all_records(folder)[1]
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


def validation_table(root: Path) -> str:
    """Recipe options compared on the training benchmark's validation split (``--validation-only``):
    one row per recipe, training benchmark and model type, seed means at each run's chosen merge weight."""
    groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for path in sorted(root.glob("**/*-validation/[!.]*/validation.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        recipe = path.parents[2].relative_to(root).as_posix() if path.parents[2] != root else "."
        groups[(record["train_benchmark"], recipe, record["mode"])].append(record)
    if not groups:
        return ""
    lines = ["### Recipe options on the training benchmark's validation split", "",
             "Seed means at each run's chosen merge weight; 'mean' is the mean of the three settings, the "
             "figure a recipe is chosen by.", "",
             "| train | recipe | model | seeds | mono AP | cross AP | multi AP | mean | merge "
             "| base mono / cross / multi | training min | device |", "| --- |" + " --- |" * 11]
    for (train, recipe, mode), records in sorted(groups.items()):
        chosen = [r["validation"]["AP"][str(r["merge_with_base"])] for r in records]
        means = [float(np.mean([c[s] for c in chosen])) for s in SETTINGS]
        base = records[0]["validation"].get("base_AP")
        devices = sorted({str(r.get("device")) for r in records})
        lines.append(f"| {train} | {recipe} | {LABELS[mode]} | {', '.join(str(r['seed']) for r in records)} | "
                     + " | ".join(f"{m:.4f}" for m in means) + f" | {np.mean(means):.4f} | "
                     + ", ".join(sorted({str(r["merge_with_base"]) for r in records})) + " | "
                     + (" / ".join(f"{base[s]:.4f}" for s in SETTINGS) if base else "-")
                     + f" | {np.mean([r['training_minutes'] for r in records]):.1f} | {', '.join(devices)} |")
    return "\n".join(lines)


#: The verdict paragraph of README.md (``--verdict``): its markers.
VERDICT = ("<!-- verdict: begin -->", "<!-- verdict: end -->")


def _recipe_sentence(folder: Path) -> str:
    """Every recipe against hybrid in one direction, with the training run as the unit: the starred rows
    named, the rest said to be indistinguishable at this seed count, with the smallest detectable sizes."""
    rows = _records(folder)
    against = [(a, r) for a, b, found in _comparisons(folder) if b == "hybrid" and a != BASE for r in found]
    if not against:
        return ""
    runs = " or ".join(map(str, sorted({len(rows[a]) for a, _ in against} | {len(rows["hybrid"])})))
    if not any(np.isfinite(r.run_p) for _, r in against):  # one run a side: differences, but no test yet
        diffs = "; ".join(f"{LABELS[a]} {' / '.join(_signed(r.difference) for b, r in against if b == a)}"
                          for a in dict.fromkeys(a for a, _ in against))
        return (f"on {folder.name}, one training run per recipe so far, so no test over runs is possible; "
                f"hybrid - recipe (mono / cross / multi AP) of those runs: {diffs}.")
    starred = [f"hybrid is {'ahead of' if r.difference > 0 else 'behind'} {LABELS[a]} in {r.setting} AP by "
               f"{abs(r.difference):.4f} (corrected p {r.corrected_p:.2g})" for a, r in against if r.starred()]
    rest = [r for _, r in against if not r.starred()]
    said = "; ".join(starred) if starred else f"no recipe is distinguishable from hybrid batches (none of the " \
                                               f"{len(against)} rows is starred)"
    if starred and rest:
        said += f"; the other {len(rest)} of {len(against)} rows are not distinguishable"
    detect = [r.detectable for r in rest if np.isfinite(r.detectable)]
    if detect:
        said += (f"; the differences {runs} runs per recipe could detect (80% power) are {min(detect):.4f} to "
                 f"{max(detect):.4f} AP")
    return f"on {folder.name}, {said}."


def verdict(folder: Path) -> str:
    """The README's verdict paragraph, generated from one direction's records and, where it exists, the
    same models scored before the merge (``<direction>-unmerged``, the paper's own comparison)."""
    rows = _records(folder)
    if "hybrid" not in rows:
        return ""
    config = rows["hybrid"][0].train_config or {}
    name = Path(str(config.get("model", ""))).name
    text = (f"With {name}, {config.get('steps')} steps of batch {config.get('batch_size')} and the training run "
            "as the unit (Welch's t on per-run means, Benjamini-Hochberg over the recipe rows of a direction): "
            + _recipe_sentence(folder))
    unmerged = folder.parent / f"{folder.name}-unmerged"
    if unmerged.is_dir() and (before := _recipe_sentence(unmerged)):
        text += " Before the merge with the base model (the paper's own comparison), " + before
    return (text + " Figures on languages the encoder never saw in training also carry the offline encoder's cut "
            "vocabulary (scripts outside XQuAD-R and MLQA-R are tokenised almost character by character). "
            "Every table: [docs/results.md](docs/results.md).")


#: The run-level summary of docs/results.md (``--readme``): its markers.
STARRED = ("<!-- starred: begin -->", "<!-- starred: end -->")


def starred_summary(root: Path) -> str:
    """Per direction and benchmark with recipe runs: which hybrid-vs-recipe rows the run-level test
    stars (corrected Welch p < 0.05), and how many rows it tested; generated, so no figure drifts."""
    lines = ["What the records show, with the training run as the unit (generated by "
             "`benchmarks/results_table.py`; hybrid - recipe per setting, corrected Welch p):", ""]
    for folder in directions(root):
        against = [(a, r) for a, b, found in _comparisons(folder) if b == "hybrid" and a != BASE for r in found]
        if not against:
            continue
        rows = _records(folder)
        runs = sorted({len(rows[a]) for a, _ in against} | {len(rows["hybrid"])})
        starred = [f"{LABELS[a]} {SHORT_SETTINGS[r.setting]} {r.difference:+.4f} (p {r.corrected_p:.2g})"
                   for a, r in against if r.starred()]
        said = "; ".join(starred) if starred else "none"
        older = _all_records(folder)[1]
        stale = (f" {older} record(s) from an older revision of the benchmark's reader are left out until "
                 "re-scored." if older else "")
        lines.append(f"- **{folder.name}** ({' or '.join(map(str, runs))} runs per recipe, {len(against)} rows): "
                     f"starred: {said}.{stale}")
    lines += ["", "With 3 runs per recipe a difference must be large against the spread of the runs to be "
              "starred (the 'detectable' column of each table gives the size); rows not starred are not "
              "distinguishable at that seed count, whichever way their means lean. Figures on languages the "
              "encoder never saw in training (Tatoeba, FLORES-200) also carry the offline encoder's cut "
              "vocabulary: it keeps XQuAD-R's and MLQA-R's vocabulary plus single characters, so unseen "
              "scripts are tokenised almost character by character."]
    return "\n".join(lines)


#: The findings of docs/results.md (``--readme``): its markers.
FINDINGS = ("<!-- findings: begin -->", "<!-- findings: end -->")


def _signed(value: float) -> str:
    """``+0.0024``; six decimals where four would round a non-zero difference to zero."""
    return f"{value:+.6f}" if value and round(value, 4) == 0 else f"{value:+.4f}"


def _settings_list(gaps, test) -> str:
    named = [SHORT_SETTINGS[g.setting] for g in gaps if test(g)]
    return ", ".join(named) if named else "no setting"


def findings(root: Path) -> str:
    """Per direction with hybrid runs, the targets of :mod:`hybrid_batch_st.evaluation.targets` in words:
    seed means against the paper's figures, the base model's monolingual AP and the better of X-X and
    X-Y; generated, so no figure drifts from the records."""
    lines = []
    for folder in directions(root):
        rows = _records(folder)
        if "hybrid" not in rows or any(s not in rows["hybrid"][0].macro() for s in SETTINGS):
            continue
        mean = _seed_means(rows)
        hybrid, benchmark = mean["hybrid"], rows["hybrid"][0].result.benchmark
        said = [f"hybrid {' / '.join(f'{hybrid[s]:.4f}' for s in SETTINGS)} "
                f"(mono / cross / multi AP, mean of {len(rows['hybrid'])} runs)"]
        if paper := gaps_to_paper(hybrid, benchmark):
            said.append(f"against the paper's XLM-R hybrid {' / '.join(f'{p:.3f}' for p in PAPER_HYBRID[benchmark])}: "
                        f"reached in {_settings_list(paper, lambda g: g.met)}")
        if BASE in mean and (base := gap_to_base(hybrid, mean[BASE])):
            said.append(f"monolingual {_signed(base.difference)} against the base model (bound -{base.slack}: "
                        f"{'met' if base.met else 'missed'})")
        if best := gaps_to_best(hybrid, mean):
            said.append("against the better of X-X and X-Y " + " / ".join(_signed(g.difference) for g in best)
                        + f" (within {best[0].slack} in {_settings_list(best, lambda g: g.met)}; above both in "
                        + f"{_settings_list(best, lambda g: g.difference > 0)})")
        lines.append(f"- **{folder.name}**: " + "; ".join(said) + ".")
    return "\n".join(lines)


def replace_between_markers(path: str | Path, text: str, begin: str = BEGIN, end: str = END) -> None:
    """Put ``text`` between the ``begin`` and ``end`` lines of ``path`` (atomically)."""
    document = Path(path).read_text(encoding="utf-8")
    if document.count(begin) != 1 or document.count(end) != 1 or document.index(begin) > document.index(end):
        raise SystemExit(f"--readme {path}: needs one line {begin!r} followed later by one line {end!r}; "
                         "add them where the tables should go")
    head, rest = document.split(begin)
    tail = rest.split(end)[1]
    with atomic_path(path) as tmp:
        tmp.write_text(f"{head}{begin}\n\n{text.strip()}\n\n{end}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default="benchmarks/results")
    parser.add_argument("--output", help="also write the tables to this Markdown file")
    parser.add_argument("--readme", help="also put the tables between the marker lines of this Markdown file "
                        "(the results page: docs/results.md)")
    parser.add_argument("--verdict", metavar="FILE", help="also put the verdict paragraph of --alternatives' "
                        "direction between the verdict markers of this file (README.md)")
    parser.add_argument("--alternatives", default="mlqa-r-to-xquad-r", metavar="DIRECTION",
                        help="with --readme: the direction whose recipes fill the alternatives table")
    args = parser.parse_args()
    root = Path(args.results)
    tables = [t for t in (direction_table(d) for d in directions(root)) if t]
    tables += [t for t in [validation_table(root)] if t]
    text = "\n\n".join(tables) + "\n"
    print(text)
    if args.output:
        with atomic_path(args.output) as tmp:
            tmp.write_text(text, encoding="utf-8")
    if args.readme:
        replace_between_markers(args.readme, text)
        if (root / args.alternatives).is_dir() and ALTERNATIVES[0] in Path(args.readme).read_text(encoding="utf-8"):
            replace_between_markers(args.readme, alternatives_table(root / args.alternatives), *ALTERNATIVES)
        if STARRED[0] in Path(args.readme).read_text(encoding="utf-8"):
            replace_between_markers(args.readme, starred_summary(root), *STARRED)
        if FINDINGS[0] in Path(args.readme).read_text(encoding="utf-8"):
            replace_between_markers(args.readme, findings(root), *FINDINGS)
    if args.verdict and (root / args.alternatives).is_dir():
        replace_between_markers(args.verdict, verdict(root / args.alternatives), *VERDICT)


if __name__ == "__main__":
    main()
