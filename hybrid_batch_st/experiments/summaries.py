"""What the results page says in words and in its summary tables, generated from the records so that no
figure drifts: the README's verdict paragraph, the run-level stars of every direction, the targets in
words, every recipe beside hybrid, and recipe options compared on validation.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from ..names import BASE, LABELS, SETTINGS, SHORT_SETTINGS
from .records import read_validation_records
from .tables import comparisons, current_records, directions, rank_distance, records_by_recipe, seed_means
from .targets import PAPER_HYBRID, gap_to_base, gaps_to_best, gaps_to_paper

__all__ = ["alternatives_table", "validation_table", "verdict", "starred_summary", "findings"]


def alternatives_table(folder: Path) -> str:
    """Every recipe beside hybrid in one direction.

    Args:
        folder: A direction folder (``benchmarks/results/mlqa-r-to-xquad-r``).

    Returns:
        A Markdown table: seed means and hybrid - recipe per setting, starred as in the significance table
        (corrected run-level p < 0.05, two runs or more a side).
    """
    rows = records_by_recipe(folder)
    against = {a: found for a, b, found in comparisons(folder) if b == "hybrid"}
    lines = ["| recipe | seeds | mono | cross | multi | rank distance | hybrid - recipe (mono / cross / multi) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for mode in ["hybrid"] * ("hybrid" in rows) + [m for m in LABELS if m in rows and m in against and m != BASE]:
        results = rows[mode]
        seeds = sorted(int(r.seed) for r in results)
        means = [np.mean([r.macro()[s] for r in results]) for s in SETTINGS]
        diffs = " / ".join(f"{c.difference:+.4f}{' *' if c.starred() else ''}" for c in against.get(mode, [])) or "-"
        lines.append(f"| {LABELS[mode]} | {len(seeds)} ({', '.join(map(str, seeds))}) | "
                     + " | ".join(f"{m:.4f}" for m in means) + f" | {rank_distance(results):.1f} | {diffs} |")
    return "\n".join(lines)


def validation_table(root: Path) -> str:
    """Recipe options compared on the training benchmark's validation split (``--validation-only``).

    Args:
        root: A results folder holding ``*-validation`` folders (``benchmarks/results``).

    Returns:
        A Markdown section, one row per option folder, training benchmark and recipe (seed means at each
        run's chosen merge weight); empty when ``root`` has no validation records.
    """
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for option, records in read_validation_records(root).items():
        for record in records:
            groups[(record.train_benchmark, option, record.recipe)].append(record)
    if not groups:
        return ""
    lines = ["### Recipe options on the training benchmark's validation split", "",
             "Seed means at each run's chosen merge weight; 'mean' is the mean of the three settings, the "
             "figure a recipe is chosen by.", "",
             "| train | recipe | model | seeds | mono AP | cross AP | multi AP | mean | merge "
             "| base mono / cross / multi | training min | device |", "| --- |" + " --- |" * 11]
    for (train, option, recipe), records in sorted(groups.items()):
        means = [float(np.mean([r.chosen()[s] for r in records])) for s in SETTINGS]
        base = records[0].validation.get("base_AP")
        devices = sorted({str(r.device) for r in records})
        lines.append(f"| {train} | {option} | {LABELS[recipe]} | {', '.join(str(r.seed) for r in records)} | "
                     + " | ".join(f"{m:.4f}" for m in means) + f" | {np.mean(means):.4f} | "
                     + ", ".join(sorted({str(r.merge_with_base) for r in records})) + " | "
                     + (" / ".join(f"{base[s]:.4f}" for s in SETTINGS) if base else "-")
                     + f" | {np.mean([r.training_minutes for r in records]):.1f} | {', '.join(devices)} |")
    return "\n".join(lines)


def _recipe_sentence(folder: Path) -> str:
    """Every recipe against hybrid in one direction, with the training run as the unit: the starred rows
    named, the rest said to be indistinguishable at this seed count, with the smallest detectable sizes."""
    rows = records_by_recipe(folder)
    against = [(a, r) for a, b, found in comparisons(folder) if b == "hybrid" and a != BASE for r in found]
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
    """The README's verdict paragraph.

    Args:
        folder: The headline direction folder; its ``<name>-unmerged`` sibling, where it exists, adds the
            same models scored before the merge (the paper's own comparison).

    Returns:
        The paragraph; empty without hybrid runs.
    """
    rows = records_by_recipe(folder)
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


def starred_summary(root: Path) -> str:
    """Which hybrid-vs-recipe rows the run-level test stars, per direction and benchmark.

    Args:
        root: A results folder.

    Returns:
        A Markdown list: per direction, the rows tested and those starred (corrected Welch p < 0.05).
    """
    lines = ["What the records show, with the training run as the unit (generated by "
             "`hybrid-batch-st results`; hybrid - recipe per setting, corrected Welch p):", ""]
    seen_counts: set[int] = set()
    for folder in directions(root):
        against = [(a, r) for a, b, found in comparisons(folder) if b == "hybrid" and a != BASE for r in found]
        if not against:
            continue
        rows = records_by_recipe(folder)
        runs = sorted({len(rows[a]) for a, _ in against} | {len(rows["hybrid"])})
        seen_counts.update(runs)
        starred = [f"{LABELS[a]} {SHORT_SETTINGS[r.setting]} {r.difference:+.4f} (p {r.corrected_p:.2g})"
                   for a, r in against if r.starred()]
        said = "; ".join(starred) if starred else "none"
        older = current_records(folder)[1]
        stale = (f" {older} record(s) from an older revision of the benchmark's reader are left out until "
                 "re-scored." if older else "")
        lines.append(f"- **{folder.name}** ({' or '.join(map(str, runs))} runs per recipe, {len(against)} rows): "
                     f"starred: {said}.{stale}")
    counts = " or ".join(map(str, sorted(seen_counts))) if seen_counts else "a few"
    lines += ["", f"With {counts} runs per recipe a difference must be large against the spread of the runs to be "
              "starred (the 'detectable' column of each table gives the size); rows not starred are not "
              "distinguishable at that seed count, whichever way their means lean. Figures on languages the "
              "encoder never saw in training (Tatoeba, FLORES-200) also carry the offline encoder's cut "
              "vocabulary: it keeps XQuAD-R's and MLQA-R's vocabulary plus single characters, so unseen "
              "scripts are tokenised almost character by character."]
    return "\n".join(lines)


def _signed(value: float) -> str:
    """``+0.0024``; six decimals where four would round a non-zero difference to zero."""
    return f"{value:+.6f}" if value and round(value, 4) == 0 else f"{value:+.4f}"


def _settings_list(gaps, test) -> str:
    named = [SHORT_SETTINGS[g.setting] for g in gaps if test(g)]
    return ", ".join(named) if named else "no setting"


def findings(root: Path) -> str:
    """The targets of :mod:`.targets` in words, per direction with hybrid runs.

    Args:
        root: A results folder.

    Returns:
        A Markdown list: seed means against the paper's figures, the base model's monolingual AP and the
        better of X-X and X-Y.
    """
    lines = []
    for folder in directions(root):
        rows = records_by_recipe(folder)
        if "hybrid" not in rows or any(s not in rows["hybrid"][0].macro() for s in SETTINGS):
            continue
        mean = seed_means(rows)
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
