"""The one results table: a row per model, macro value per setting and measure, and rank distance."""

from __future__ import annotations

from typing import Sequence

from .results import SETTINGS, EvaluationResult

__all__ = ["macro_table", "SHORT"]

#: column headings of the three settings
SHORT = {"monolingual": "mono", "cross-lingual": "cross", "multilingual": "multi"}


def macro_table(rows: Sequence[tuple[str, EvaluationResult]], measures: Sequence[str] | None = None,
                label: str = "model", per_setting: bool = False) -> str:
    """Markdown: one row per ``(label, result)``; for each measure (default: the first result's
    measures) its macro value per setting, then the mean rank distance. ``per_setting``: one
    result's table turned round, a row per setting and a column per measure (as in a report)."""
    measures = list(measures or rows[0][1].measures)
    settings = [s for s in SETTINGS if any(s in r.macro for _, r in rows)]
    if per_setting:
        macro = rows[0][1].macro
        lines = ["| setting | " + " | ".join(measures) + " |", "| --- |" + " --- |" * len(measures)]
        lines += [f"| {s} | " + " | ".join(f"{macro[s][m]:.4f}" for m in measures) + " |" for s in settings]
        return "\n".join(lines)
    header = [f"{SHORT[s]} {m}" for m in measures for s in settings] + ["rank distance"]
    lines = [f"| {label} | " + " | ".join(header) + " |", "| --- |" + " --- |" * len(header)]
    for name, r in rows:
        cells = [f"{r.macro[s][m]:.4f}" if s in r.macro else "-" for m in measures for s in settings]
        dist = r.language_bias.get("rank_distance")
        cells.append(f"{dist:.1f}" if dist is not None else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
