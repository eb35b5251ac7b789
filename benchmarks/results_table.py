"""Tables from the result files of ``benchmarks/reproduce.py``: mean +- sd over seeds per setting,
rank distance, and the significance of hybrid vs X-X, hybrid vs X-Y and each vs the base model.

Significance: per query, each model type's values are averaged over its seeds, then compared
paired over queries (``hybrid_batch_st.compare``: t-test and randomization test, BH-corrected).

    python benchmarks/results_table.py [--results benchmarks/results] [--output benchmarks/results/README.md]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from hybrid_batch_st.atomic import atomic_path
from hybrid_batch_st.compare import PerQuery, compare, load_per_query, setting_summary

LABELS = {"base": "base", "monolingual": "X-X (monolingual)", "cross-lingual": "X-Y (cross-lingual)",
          "hybrid": "hybrid"}
SETTINGS = ("monolingual", "cross-lingual", "multilingual")


def _mean_per_query(runs: list[PerQuery], label: str) -> PerQuery:
    """Per-query values averaged over seeds (queries every seed has)."""
    values: dict = {}
    for measure in runs[0].values:
        for key in runs[0].values[measure]:
            queries = set.intersection(*(set(r.values[measure].get(key, {})) for r in runs))
            values.setdefault(measure, {})[key] = {
                q: float(np.mean([r.values[measure][key][q] for r in runs])) for q in queries}
    return PerQuery(label, values)


def direction_table(folder: Path) -> str:
    rows: dict[str, list[dict]] = defaultdict(list)
    per_query: dict[str, list[PerQuery]] = defaultdict(list)
    for path in sorted(folder.glob("*/results.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        rows[result["mode"]].append(result)
        per_query[result["mode"]].append(load_per_query(path.parent))
    if not rows:
        return ""
    first = next(iter(rows.values()))[0]
    lines = [f"### {folder.name}: {first['benchmark']} ({len(first['languages'])} languages)", "",
             "| model | seeds | mono AP | cross AP | multi AP | rank distance | training min | merge |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for mode in [m for m in LABELS if m in rows]:
        results = rows[mode]
        cells = []
        for values in ([r["macro"][s]["AP"] for r in results] for s in SETTINGS):
            cells.append(f"{np.mean(values):.4f} ± {np.std(values, ddof=1):.4f}" if len(values) > 1
                         else f"{values[0]:.4f}")
        dist = [r["language_bias"]["rank_distance"] for r in results]
        minutes = np.mean([r.get("training_minutes") or 0.0 for r in results])
        merges = sorted({str(r.get("merge_with_base")) for r in results}) if mode != "base" else ["-"]
        lines.append(f"| {LABELS[mode]} | {len(results)} | " + " | ".join(cells)
                     + f" | {np.mean(dist):.1f} | {minutes:.1f} | {', '.join(merges)} |")
    means = {mode: _mean_per_query(runs, LABELS[mode]) for mode, runs in per_query.items()}
    pairs = [("monolingual", "hybrid"), ("cross-lingual", "hybrid"), ("base", "monolingual"),
             ("base", "cross-lingual"), ("base", "hybrid")]
    done = [(LABELS[a], LABELS[b], compare(means[a], means[b], ["AP"])) for a, b in pairs if a in means and b in means]
    if done:
        lines += ["", "Significance (per-query AP averaged over seeds, B - A):", "", setting_summary(done, "AP")]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default="benchmarks/results")
    parser.add_argument("--output", help="also write the tables to this Markdown file")
    args = parser.parse_args()
    tables = [t for t in (direction_table(d) for d in sorted(Path(args.results).iterdir()) if d.is_dir()) if t]
    text = "\n\n".join(tables) + "\n"
    print(text)
    if args.output:
        with atomic_path(args.output) as tmp:
            tmp.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
