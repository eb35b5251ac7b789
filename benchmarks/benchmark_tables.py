"""Tables of the zero-shot evaluations in ``benchmarks/results/benchmarks/<name>/results.json`` (written by
``hybrid-batch-st evaluate``): one row per benchmark with its settings' macro values and evaluation time,
the language groups where recorded, and Tatoeba per language in both directions (XTREME's accuracy,
``P@1``).

    python benchmarks/benchmark_tables.py [--results benchmarks/results/benchmarks]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from hybrid_batch_st.names import SETTINGS, SHORT_SETTINGS


def _overview(results: dict[str, dict]) -> list[str]:
    lines = ["| benchmark | languages | measure | " + " | ".join(SHORT_SETTINGS[s] for s in SETTINGS)
             + " | encode s | search + score s |", "| --- |" + " --- |" * (4 + len(SETTINGS))]
    for name, r in results.items():
        t = r["timing"]
        for m in r["measures"]:
            cells = [f"{r['macro'][s][m]:.4f}" if s in r["macro"] else "-" for s in SETTINGS]
            lines.append(f"| {name} | {len(r['languages'])} | {m} | " + " | ".join(cells)
                         + f" | {t['encode_s']:.0f} | {t['search_s'] + t['score_s']:.0f} |")
    return lines


def _groups(results: dict[str, dict]) -> list[str]:
    lines = []
    for name, r in results.items():
        for group, settings in (r.get("groups") or {}).items():
            for setting, values in settings.items():
                lines.append(f"| {name} | {group} | {setting} | "
                             + "; ".join(f"{m} {v:.4f}" for m, v in values.items()) + " |")
    return ["| benchmark | group | setting | macro |", "| --- | --- | --- | --- |", *lines] if lines else []


def _tatoeba(r: dict, measure: str = "P@1") -> list[str]:
    score = {(p["query_lang"], p["pool_lang"]): p[measure] for p in r["pairs"]}
    langs = [q for q, pool in score if pool == f"en@{q}"]
    rows = [(lang, score[(lang, f"en@{lang}")], score[(f"en@{lang}", lang)]) for lang in langs]
    lines = [f"| language | xx -> en {measure} | en -> xx {measure} (XTREME's direction) |", "| --- | --- | --- |"]
    lines += [f"| {lang} | {a:.3f} | {b:.3f} |" for lang, a, b in sorted(rows, key=lambda row: -row[1])]
    lines.append(f"| **mean of {len(rows)}** | **{np.mean([a for _, a, _ in rows]):.4f}** | "
                 f"**{np.mean([b for _, _, b in rows]):.4f}** |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default="benchmarks/results/benchmarks")
    args = parser.parse_args()
    results = {p.parent.name: json.loads(p.read_text(encoding="utf-8"))
               for p in sorted(Path(args.results).glob("[!.]*/results.json"))}
    parts = [_overview(results), _groups(results)]
    if "tatoeba" in results:
        parts.append(_tatoeba(results["tatoeba"]))
    print("\n\n".join("\n".join(p) for p in parts if p))


if __name__ == "__main__":
    main()
