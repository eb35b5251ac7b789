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
from hybrid_batch_st.evaluation.seeds import compare_over_seeds, correct_together
from hybrid_batch_st.evaluation.per_query import PerQuery, load_per_query
from hybrid_batch_st.evaluation.tables import seed_table
from hybrid_batch_st.languages import canonical_language
from hybrid_batch_st.names import BASE, COMPARISONS, LABELS, MULTILINGUAL_POOL, SETTINGS, SHORT_SETTINGS
from hybrid_batch_st.tasks.lareqa import BENCHMARKS
# XLM-R hybrid, mAP mono / cross / multi (arXiv 2408.10536, Tables 1-2); for XQuAD-R the issue rounds
# .798 / .705 / .593 up to .80 / .71 / .60.
PAPER_HYBRID = {"xquad-r": (0.80, 0.71, 0.60), "mlqa-r": (0.648, 0.623, 0.512)}
BASE_MONO_SLACK, BEST_SLACK = 0.005, 0.01
BEGIN, END = "<!-- tables from benchmarks/results_table.py: begin -->", "<!-- tables from benchmarks/results_table.py: end -->"
#: The recipe table of docs/results.md ("Hybrid batches against the alternatives", ``--alternatives``): its markers.
ALTERNATIVES = ("<!-- alternatives: begin -->", "<!-- alternatives: end -->")


def _mark(value: float, bound: float) -> str:
    digits = 4 if round(value, 4) != round(bound, 4) else 6  # a near miss shows as one
    return f"{value:+.{digits}f} {'yes' if value >= bound - 1e-12 else '**no**'}"


def target_check(rows: dict[str, list[dict]], benchmark: str) -> str:
    """The targets as a table of differences (seed means), each marked met or not."""
    if "hybrid" not in rows or any(s not in r["macro"] for results in rows.values() for r in results
                                   for s in SETTINGS):
        return ""  # the targets are stated for LAReQA's three settings
    mean = {mode: [float(np.mean([r["macro"][s]["AP"] for r in results])) for s in SETTINGS]
            for mode, results in rows.items()}
    hybrid = mean["hybrid"]
    lines = ["| target (seed means) | mono | cross | multi |", "| --- | --- | --- | --- |"]
    if benchmark in PAPER_HYBRID:
        paper = PAPER_HYBRID[benchmark]
        lines.append("| hybrid - paper's XLM-R hybrid (" + " / ".join(f"{p:.3f}" for p in paper) + "), ≥ 0 | "
                     + " | ".join(_mark(h - p, 0.0) for h, p in zip(hybrid, paper)) + " |")
    if BASE in mean:
        lines.append(f"| hybrid - base, mono ≥ -{BASE_MONO_SLACK} | {_mark(hybrid[0] - mean[BASE][0], -BASE_MONO_SLACK)}"
                     " | " + " | ".join(f"{h - b:+.4f}" for h, b in zip(hybrid[1:], mean[BASE][1:])) + " |")
    others = [mean[m] for m in ("monolingual", "cross-lingual") if m in mean]  # the single-type recipes
    if others:
        best = [max(values) for values in zip(*others)]
        lines.append(f"| hybrid - best of X-X, X-Y, ≥ -{BEST_SLACK} | "
                     + " | ".join(_mark(h - b, -BEST_SLACK) for h, b in zip(hybrid, best)) + " |")
    return "\n".join(lines)


#: low-resource languages of the --also benchmarks' subsets (benchmarks/reproduce.py's ALSO)
LOW_RESOURCE = {"tatoeba": ("jv", "tl", "eu", "ml", "ta", "te", "af"), "flores200": ("yo", "ha", "km"),
                "xsid": ("de-ba",), "xflickrco": ()}


def _pair_group(pair: dict, seen: set[str], low: set[str]) -> list[str]:
    """The groups of a language pair: seen (every language trained on) or unseen, and low-resource."""
    codes = [c.split("@")[0] for c in (pair["query_lang"], pair["pool_lang"]) if c != MULTILINGUAL_POOL]  # en@ar: en
    langs = {canonical_language(c) for c in codes}
    return ["seen" if langs <= seen else "unseen"] + (["low-resource"] if (set(codes) | langs) & low else [])


def group_table(rows: dict[str, list[dict]], benchmark: str) -> str:
    """Cross-lingual AP (seed means) by language group, for the benchmarks other than LAReQA's."""
    trained = [r for mode, results in rows.items() if mode != BASE for r in results]
    if not trained or benchmark in PAPER_HYBRID:
        return ""
    train = trained[0]["train_benchmark"]
    chosen = (trained[0].get("train_config") or {}).get("languages")
    if not chosen and train not in BENCHMARKS:
        return ""  # the training languages are unknown
    seen = {canonical_language(c) for c in (chosen or BENCHMARKS[train].languages)}
    low = set(LOW_RESOURCE.get(benchmark, ())) | {canonical_language(c) for c in LOW_RESOURCE.get(benchmark, ())}
    names = ["seen", "unseen"] + (["low-resource"] if low else [])
    lines = [f"Cross-lingual AP by language group (seen: trained on {train}, {', '.join(sorted(seen))}; a pair is "
             "unseen when one of its languages was not):", "",
             "| model | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    for mode in [m for m in LABELS if m in rows]:
        cells = []
        for name in names:
            means = [np.mean(v) for v in ([p["AP"] for p in r["pairs"] if p["setting"] == "cross-lingual"
                                           and name in _pair_group(p, seen, low)] for r in rows[mode]) if v]
            cells.append(f"{np.mean(means):.4f}" + (f" ± {np.std(means, ddof=1):.4f}" if len(means) > 1 else "")
                         if means else "-")
        lines.append(f"| {LABELS[mode]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def merge_table(rows: dict[str, list[dict]]) -> str:
    """Validation AP per merge weight and model type (seed means), with the base model's when recorded."""
    # older records kept only the mean over settings: a cell says how many seeds it averages if not all
    trained = {mode: results for mode, results in rows.items() if mode != BASE
               and any("AP" in (r.get("validation") or {}) for r in results)}
    if not trained:
        return ""
    weights = sorted({w for results in trained.values() for r in results for w in r["validation"].get("AP", {})},
                     key=float, reverse=True)
    lines = ["| model | " + " | ".join(f"merge {w}" for w in weights) + " | base |",
             "| --- |" + " --- |" * (len(weights) + 1)]
    for mode in [m for m in LABELS if m in trained]:
        results = trained[mode]
        cells = []
        for weight in weights + ["base"]:
            found = [r["validation"].get("base_AP") if weight == "base" else r["validation"].get("AP", {}).get(weight)
                     for r in results]
            found = [f for f in found if f]
            cells.append(" / ".join(f"{np.mean([f[s] for f in found]):.4f}" for s in SETTINGS)
                         + (f" ({len(found)})" if len(found) != len(results) else "") if found else "-")
        lines.append(f"| {LABELS[mode]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _rank_distance(results: list[dict]) -> float:
    """Mean rank distance of runs (NaN where a benchmark has no multilingual pool to measure it in)."""
    return float(np.mean([np.nan if d is None else d for d in ((r.get("language_bias") or {}).get("rank_distance")
                                                               for r in results)]))


@functools.cache
def _records(folder: Path) -> tuple[dict[str, list[dict]], dict[str, list[PerQuery]]]:
    """Results and per-query values of every model of a direction folder, by mode."""
    rows: dict[str, list[dict]] = defaultdict(list)
    per_query: dict[str, list[PerQuery]] = defaultdict(list)
    for path in sorted(folder.glob("[!.]*/results.json")):  # not the .tmp folder of an interrupted write
        result = json.loads(path.read_text(encoding="utf-8"))
        if "mode" not in result:  # an evaluation of no training run (benchmarks/results/benchmarks/)
            continue
        rows[result["mode"]].append(result)
        per_query[result["mode"]].append(load_per_query(path.parent))
    return rows, per_query


@functools.cache
def _comparisons(folder: Path) -> list[tuple[str, str, list]]:
    """The direction's :data:`COMPARISONS` over seeds, BH-corrected together (as its table shows them)."""
    _, per_query = _records(folder)
    done = [(a, b, compare_over_seeds(per_query[a], per_query[b], "AP", fixed=(a == BASE, b == BASE)))
            for a, b in COMPARISONS if a in per_query and b in per_query]
    correct_together([r for _, _, found in done for r in found])  # as the direction's significance table
    return done


def alternatives_table(folder: Path) -> str:
    """Every recipe beside hybrid in one direction: seed means and hybrid - recipe per setting, starred
    as in the significance table (corrected run-level p < 0.05, two seeds or more)."""
    rows, _ = _records(folder)
    against = {a: found for a, b, found in _comparisons(folder) if b == "hybrid"}
    lines = ["| recipe | seeds | mono | cross | multi | rank distance | hybrid - recipe (mono / cross / multi) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for mode in ["hybrid"] * ("hybrid" in rows) + [m for m in LABELS if m in rows and m in against and m != BASE]:
        results = rows[mode]
        seeds = sorted(int(r["seed"]) for r in results)
        means = [np.mean([r["macro"][s]["AP"] for r in results]) for s in SETTINGS]
        diffs = " / ".join(f"{c.difference:+.4f}{' *' if c.starred() else ''}" for c in against.get(mode, [])) or "-"
        lines.append(f"| {LABELS[mode]} | {len(seeds)} ({', '.join(map(str, seeds))}) | "
                     + " | ".join(f"{m:.4f}" for m in means) + f" | {_rank_distance(results):.1f} | {diffs} |")
    return "\n".join(lines)


def direction_table(folder: Path) -> str:
    rows, per_query = _records(folder)
    if not rows:
        return ""
    first = next(iter(rows.values()))[0]
    settings = [s for s in SETTINGS if s in first["macro"]]  # a benchmark without X->X pairs has no mono column
    trained = [r for mode, results in rows.items() if mode != BASE for r in results]
    devices = sorted({str(r.get("device")) for r in trained})
    samples = sorted({str(r["sample_items"]) for results in rows.values() for r in results if r.get("sample_items")})
    sample = f", a sample of {' / '.join(samples)} items per language" if samples else ""
    lines = [f"### {folder.name}: {first['benchmark']} ({len(first['languages'])} languages{sample}), trained on "
             f"{', '.join(devices) or '-'}", "",
             "| model | seeds | " + " | ".join(f"{SHORT_SETTINGS[s]} AP" for s in settings)
             + " | rank distance | training min | merge |",
             "| --- | --- | " + "--- | " * len(settings) + "--- | --- | --- |"]
    for mode in [m for m in LABELS if m in rows]:
        results = rows[mode]
        cells = []
        for values in ([r["macro"][s]["AP"] for r in results] for s in settings):
            cells.append(f"{np.mean(values):.4f} ± {np.std(values, ddof=1):.4f}" if len(values) > 1
                         else f"{values[0]:.4f}")
        minutes = np.mean([r.get("training_minutes") or 0.0 for r in results])
        merges = sorted({str(r.get("merge_with_base")) for r in results}) if mode != BASE else ["-"]
        lines.append(f"| {LABELS[mode]} | {len(results)} | " + " | ".join(cells)
                     + f" | {_rank_distance(results):.1f} | {minutes:.1f} | {', '.join(merges)} |")
    done = [(LABELS[a], LABELS[b], found) for a, b, found in _comparisons(folder)]
    if done:
        lines += ["", "Significance of B - A over seeds and parallel questions:", "", seed_table(done)]
    if any("sample_items" in r for r in trained):  # an --also benchmark: the weights of the main one
        lines += ["", f"Merge weights: those picked on the {trained[0]['train_benchmark']} validation split, "
                  "tabled under this direction's main benchmark."]
    elif merges := merge_table(rows):
        lines += ["", f"Merge weight (share of fine-tuned weights) on the {trained[0]['train_benchmark']} validation "
                  "split, AP mono / cross / multi, seed means; the chosen weight is the best mean of the three:",
                  "", merges]
    groups = group_table(rows, first["benchmark"])
    if groups:
        lines += ["", groups]
    check = target_check(rows, first["benchmark"])
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
             "| train | recipe | model | seeds | mono AP | cross AP | multi AP | mean | merge | base mono / cross / multi "
             "| training min | device |", "| --- |" + " --- |" * 11]
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


def verdict(folder: Path) -> str:
    """The README's verdict paragraph, generated from one direction's records: every recipe against hybrid
    per setting with the training run as the unit, the starred rows named, the rest said to be
    indistinguishable at this seed count, with the smallest differences the runs could detect."""
    rows, _ = _records(folder)
    against = [(a, r) for a, b, found in _comparisons(folder) if b == "hybrid" and a != BASE for r in found]
    if not against:
        return ""
    seeds = sorted({len(rows[a]) for a, _ in against} | {len(rows["hybrid"])})
    first = rows["hybrid"][0]
    config = first.get("train_config") or {}
    name = Path(str(config.get("model", ""))).name
    head = (f"On {folder.name} ({name}, {config.get('steps')} steps of batch {config.get('batch_size')}, "
            f"{' or '.join(map(str, seeds))} training runs per recipe), with the training run as the unit "
            "(Welch's t on per-run means, Benjamini-Hochberg over the recipe rows of this direction):")
    starred = [(a, r) for a, r in against if r.starred()]
    parts = []
    for a, r in starred:
        side = "ahead of" if r.difference > 0 else "behind"
        parts.append(f"hybrid is {side} {LABELS[a]} in {r.setting} AP by {abs(r.difference):.4f} "
                     f"(corrected p {r.corrected_p:.2g})")
    rest = [(a, r) for a, r in against if not r.starred()]
    detect = [r.detectable for _, r in rest if np.isfinite(r.detectable)]
    named = "; ".join(parts) + (f". The other {len(rest)} of {len(against)} recipe-and-setting rows are not"
                                if parts else f" no recipe is")
    tail = (f" distinguishable from hybrid batches at this seed count (none of the {len(against)} rows is "
            "starred)" if not parts else " distinguishable from hybrid at this seed count") if rest else "."
    if rest and detect:
        tail += (f": the differences these runs could detect (80% power) are {min(detect):.4f} to "
                 f"{max(detect):.4f} AP.")
    return (f"{head}{'' if not parts else ' '}{named}{tail} Figures on languages the encoder never saw in training also carry the offline "
            "encoder's cut vocabulary (scripts outside XQuAD-R and MLQA-R are tokenised almost character by "
            "character). Every table: [docs/results.md](docs/results.md).")


#: The run-level summary of docs/results.md (``--readme``): its markers.
STARRED = ("<!-- starred: begin -->", "<!-- starred: end -->")


def starred_summary(root: Path) -> str:
    """Per direction and benchmark with recipe runs: which hybrid-vs-recipe rows the run-level test
    stars (corrected Welch p < 0.05), and how many rows it tested; generated, so no figure drifts."""
    lines = ["What the records show, with the training run as the unit (generated by "
             "`benchmarks/results_table.py`; hybrid - recipe per setting, corrected Welch p):", ""]
    for folder in sorted(d for d in root.iterdir() if d.is_dir()):
        against = [(a, r) for a, b, found in _comparisons(folder) if b == "hybrid" and a != BASE for r in found]
        if not against:
            continue
        rows, _ = _records(folder)
        runs = sorted({len(rows[a]) for a, _ in against} | {len(rows["hybrid"])})
        starred = [f"{LABELS[a]} {SHORT_SETTINGS[r.setting]} {r.difference:+.4f} (p {r.corrected_p:.2g})"
                   for a, r in against if r.starred()]
        said = "; ".join(starred) if starred else "none"
        stale = (" These records predate the xSID reader's alignment by `# text-en`: pairs with `de-ba` were "
                 "judged against other utterances, so they await re-scoring." if folder.name.endswith("-xsid") else "")
        lines.append(f"- **{folder.name}** ({' or '.join(map(str, runs))} runs per recipe, {len(against)} rows): "
                     f"starred: {said}.{stale}")
    lines += ["", "With 3 runs per recipe a difference must be large against the spread of the runs to be "
              "starred (the 'detectable' column of each table gives the size); rows not starred are not "
              "distinguishable at that seed count, whichever way their means lean. Figures on languages the "
              "encoder never saw in training (Tatoeba, FLORES-200) also carry the offline encoder's cut "
              "vocabulary: it keeps XQuAD-R's and MLQA-R's vocabulary plus single characters, so unseen "
              "scripts are tokenised almost character by character."]
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
    tables = [t for t in (direction_table(d) for d in sorted(root.iterdir()) if d.is_dir()) if t]
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
    if args.verdict and (root / args.alternatives).is_dir():
        replace_between_markers(args.verdict, verdict(root / args.alternatives), *VERDICT)


if __name__ == "__main__":
    main()
