"""Markdown tables: the results table (a row per model, macro value per setting and measure, rank
distance) and the significance tables of :mod:`.significance` and :mod:`.seeds`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..names import SETTINGS, SHORT_SETTINGS
from .results import EvaluationResult

if TYPE_CHECKING:
    from .seeds import SeedComparison
    from .significance import Comparison

__all__ = ["macro_table", "comparison_table", "setting_summary", "seed_table"]


def macro_table(rows: Sequence[tuple[str, EvaluationResult]], measures: Sequence[str] | None = None,
                label: str = "model", per_setting: bool = False) -> str:
    """Markdown: one row per ``(label, result)``; for each measure (default: the first result's
    measures) its macro value per setting, then the mean rank distance. ``per_setting``: one
    result's table turned round, a row per setting and a column per measure (as in a report).

    Args:
        rows: ``(label, result)`` per row (at least one).
        measures: the measures shown; default the first result's.
        label: the header of the label column.
        per_setting: the first result alone, a row per setting (without the rank distance).

    Returns:
        The Markdown table (no trailing newline); ``-`` where a result lacks a setting or a rank distance.

    Example:
        >>> print(macro_table([("base", base_result), ("hybrid", hybrid_result)], ["AP"]))  # doctest: +SKIP
    """
    measures = list(measures or rows[0][1].measures)
    settings = [s for s in SETTINGS if any(s in r.macro for _, r in rows)]
    if per_setting:
        macro = rows[0][1].macro
        lines = ["| setting | " + " | ".join(measures) + " |", "| --- |" + " --- |" * len(measures)]
        lines += [f"| {s} | " + " | ".join(f"{macro[s][m]:.4f}" for m in measures) + " |" for s in settings]
        return "\n".join(lines)
    header = [f"{SHORT_SETTINGS[s]} {m}" for m in measures for s in settings] + ["rank distance"]
    lines = [f"| {label} | " + " | ".join(header) + " |", "| --- |" + " --- |" * len(header)]
    for name, r in rows:
        cells = [f"{r.macro[s][m]:.4f}" if s in r.macro else "-" for m in measures for s in settings]
        dist = r.language_bias.get("rank_distance")
        cells.append(f"{dist:.1f}" if dist is not None else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def comparison_table(rows: Sequence[Comparison], label_a: str, label_b: str, level: float = 0.05) -> str:
    """Markdown: one row per :class:`~hybrid_batch_st.evaluation.significance.Comparison`; ``*`` marks
    corrected p below ``level``.

    Args:
        rows: the rows of :func:`~hybrid_batch_st.evaluation.significance.compare`.
        label_a: what A is called in the heading.
        label_b: what B is called in the heading.
        level: the significance level.

    Returns:
        A heading line and the Markdown table, ending in a newline.
    """
    lines = [f"B = {label_b} against A = {label_a} (paired over parallel questions per setting, over queries "
             "per pair; BH-corrected randomization p)", "",
             "| measure | setting | pair | units | A | B | B - A | t-test p | randomization p | corrected p |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        mark = " *" if r.corrected_p < level else ""
        lines.append(f"| {r.measure} | {r.setting} | {r.pair or 'all pairs'} | {r.n} | {r.mean_a:.4f} | "
                     f"{r.mean_b:.4f} | {r.difference:+.4f} | {r.t_p:.3g} | {r.randomization_p:.3g} | "
                     f"{r.corrected_p:.3g}{mark} |")
    return "\n".join(lines) + "\n"


def setting_summary(comparisons: Sequence[tuple[str, str, list[Comparison]]], measure: str,
                    level: float = 0.05) -> str:
    """One Markdown row per (A, B) comparison of single models: B - A per setting with its corrected p.

    Args:
        comparisons: ``(label A, label B, rows)`` per comparison, as
            :func:`~hybrid_batch_st.evaluation.significance.compare_results` returns them.
        measure: the measure shown.
        level: the significance level (``*`` marks corrected p below it).

    Returns:
        The Markdown table and a note on how to read it, ending in a newline.
    """
    settings = [s for s in SETTINGS if any(r.setting == s and not r.pair for _, _, rows in comparisons for r in rows)]
    lines = ["| B vs A | " + " | ".join(settings) + " |", "| --- |" + " --- |" * len(settings)]
    for label_a, label_b, rows in comparisons:
        cell = {r.setting: r for r in rows if not r.pair and r.measure == measure}
        lines.append(f"| {label_b} vs {label_a} | " + " | ".join(
            f"{cell[s].difference:+.4f} (p {cell[s].corrected_p:.2g}){' *' if cell[s].corrected_p < level else ''}"
            if s in cell else "-" for s in settings) + " |")
    return ("\n".join(lines) + f"\n\n{measure}, paired over parallel questions (one unit per question id: its mean "
            "difference over the setting's language pairs); p: randomization test, BH-corrected over the pairs and "
            f"settings; * p < {level}. One model per recipe: this says whether these models differ, not whether "
            "the recipes would with another seed.\n")


def _p(value: float) -> str:
    """A p-value, or ``-`` where no test was possible (one run on a side)."""
    return f"{value:.2g}" if np.isfinite(value) else "-"


def seed_table(comparisons: Sequence[tuple[str, str, list[SeedComparison]]], level: float = 0.05) -> str:
    """Markdown: per (A, B) recipe comparison and setting, B - A with the training run as the unit (see
    :mod:`hybrid_batch_st.evaluation.seeds`), BH-corrected within each family of the table's rows.

    Args:
        comparisons: ``(label A, label B, rows)`` per comparison, the rows from
            :func:`~hybrid_batch_st.evaluation.seeds.compare_over_seeds`; their ``corrected_p`` is set here
            (:func:`~hybrid_batch_st.evaluation.seeds.correct_together` over all of them).
        level: the significance level (``*`` marks a starred row).

    Returns:
        The Markdown table and a note on how to read it, ending in a newline; ``""`` without rows.
    """
    from .seeds import correct_together

    rows = [(a, b, r) for a, b, found in comparisons for r in found]
    if not rows:
        return ""
    correct_together([r for _, _, r in rows])
    lines = ["| B vs A | setting | B - A | runs | 95% interval | Welch p | corrected p | permutation p (min) | "
             "detectable |", "| --- |" + " --- |" * 8]
    for a, b, r in rows:
        interval = f"[{r.ci[0]:+.4f}, {r.ci[1]:+.4f}]" if np.isfinite(r.ci).all() else "-"  # one run a side: none
        lines.append(f"| {b} vs {a} | {SHORT_SETTINGS.get(r.setting, r.setting)} | {r.difference:+.4f}"
                     f"{' *' if r.starred(level) else ''} | {r.n_b} vs {r.n_a} | {interval} | "
                     f"{_p(r.run_p)} | {_p(r.corrected_p)} | {r.permutation_p:.2g} ({r.min_permutation_p:.2g}) | "
                     + (f"{r.detectable:.4f}" if np.isfinite(r.detectable) else "-") + " |")
    measure = rows[0][2].measure
    return ("\n".join(lines) + f"\n\n{measure}; unit: the training run (its mean over the parallel questions). "
            "Welch p: Welch's t-test on the per-run means (one-sample against the base model), with its t-based "
            "95% interval; corrected: Benjamini-Hochberg, recipe-vs-recipe rows and rows against the base as two "
            "families; permutation p: exact, over the runs' labels, with the smallest value the run counts allow; "
            "detectable: the smallest difference these runs could detect (80% power, 0.05, their spread). "
            f"* corrected Welch p < {level} and two runs or more of each recipe.\n")
