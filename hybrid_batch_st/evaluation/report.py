"""Writing an :class:`EvaluationResult`: ``results.json``, ``results.md`` and ``heatmap.png``, each atomically."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..atomic import atomic_dir, atomic_path
from ..names import MULTILINGUAL_POOL
from .per_query import PER_QUERY_FILE, write_per_query
from .results import EvaluationResult
from .tables import macro_table

__all__ = ["write_report", "markdown_table", "pair_matrix", "save_heatmap"]


def pair_matrix(result: EvaluationResult, measure: str | None = None) -> tuple[list[str], list[str], np.ndarray]:
    """One measure's value per (query set, pool): the grid behind the report's tables and heatmap.

    Args:
        result: the evaluation.
        measure: the measure to read; default the result's first.

    Returns:
        ``(rows, columns, matrix)``: the query sets, the pools plus ``all`` (multilingual, where evaluated),
        and a float array of shape ``(len(rows), len(columns))``, NaN where a pair was not evaluated.
    """
    measure = measure or result.measures[0]
    rows = list(dict.fromkeys(p.query_lang for p in result.pairs))
    pools = list(dict.fromkeys(p.pool_lang for p in result.pairs if p.pool_lang != MULTILINGUAL_POOL))
    cols = pools + ([MULTILINGUAL_POOL] if any(p.setting == "multilingual" for p in result.pairs) else [])
    matrix = np.full((len(rows), len(cols)), np.nan)
    for p in result.pairs:
        matrix[rows.index(p.query_lang), cols.index(p.pool_lang)] = p.scores[measure]
    return rows, cols, matrix


#: Beyond this many pools a heatmap is unreadable: the figure becomes a sorted chart per query set.
HEATMAP_MAX = 30


def _group_lines(result: EvaluationResult) -> list[str]:
    if not result.groups:
        return []
    lines = ["", "## Macro averages by language group", "", "| group | setting | " + " | ".join(result.measures) + " |",
             "| --- | --- |" + " --- |" * len(result.measures)]
    for group, settings in result.groups.items():
        lines += [f"| {group} | {s} | " + " | ".join(f"{v[m]:.4f}" for m in result.measures) + " |"
                  for s, v in settings.items()]
    return lines


def markdown_table(result: EvaluationResult) -> str:
    """The Markdown of ``results.md``.

    Macro averages per setting, the language bias (where a multilingual pool was evaluated), the macro
    averages per language group, a table per measure of every pair (beyond :data:`HEATMAP_MAX` pools, each
    query set's mean over its pools instead) and the timing.

    Args:
        result: the evaluation.

    Returns:
        The Markdown text, ending in a newline.
    """
    lines = [f"# {result.benchmark or 'evaluation'}: {result.model}", ""]
    lines += ["## Macro averages", "", macro_table([(result.model, result)], per_setting=True)]
    bias = result.language_bias
    if bias.get("rank_distance") is not None:
        lines += ["", "## Language bias (multilingual pool)", "",
                  f"Mean rank distance: {bias['rank_distance']:.1f}", ""]
        lines += ["| query language | best relevant hit in own language |", "| --- | --- |"]
        lines += [f"| {lang} | {share:.3f} |" for lang, share in bias["same_language_top1"].items()]
    lines += _group_lines(result)
    for measure in result.measures:
        rows, cols, matrix = pair_matrix(result, measure)
        if len(cols) > HEATMAP_MAX:  # too wide to read: each query set's mean over its pools
            lines += ["", f"## {measure} per query set (mean over its pools)", "", "| query set | mean | pools |",
                      "| --- | --- | --- |"]
            lines += [f"| {r} | {np.nanmean(row):.3f} | {int(np.sum(~np.isnan(row)))} |"
                      for r, row in zip(rows, matrix)]
            continue
        lines += ["", f"## {measure} per pair (rows: query language, columns: pool)", ""]
        lines.append("| | " + " | ".join(cols) + " |")
        lines.append("| --- |" + " --- |" * len(cols))
        for r, row in zip(rows, matrix):
            lines.append(f"| {r} | " + " | ".join("" if np.isnan(v) else f"{v:.3f}" for v in row) + " |")
    t = result.timing
    lines += ["", f"Depth {result.depth or 'full (exact)'}; encode {t['encode_s']:.1f} s, "
              f"search {t['search_s']:.2f} s, score {t['score_s']:.2f} s."]
    return "\n".join(lines) + "\n"


def save_heatmap(result: EvaluationResult, path: str | Path, measure: str | None = None) -> None:
    """Write one measure's (query set x pool) heatmap as a PNG, atomically (needs matplotlib).

    Beyond :data:`HEATMAP_MAX` pools the figure is a sorted bar chart instead: each query set's mean
    over its pools.

    Args:
        result: the evaluation.
        path: the PNG file to write.
        measure: the measure to draw; default the result's first.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measure = measure or result.measures[0]
    rows, cols, matrix = pair_matrix(result, measure)
    title = " / ".join(x for x in (result.benchmark, result.model) if x)
    if len(cols) > HEATMAP_MAX:
        _save(_sorted_chart(plt, rows, matrix, f"{measure}: {title}", measure), path, plt)
        return
    size = max(4.0, 0.55 * len(cols) + 2)
    fig, ax = plt.subplots(figsize=(size, max(3.5, 0.5 * len(rows) + 1.5)))
    image = ax.imshow(np.ma.masked_invalid(matrix), vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("pool language ('all' = multilingual pool)")
    ax.set_ylabel("query language")
    ax.set_title(f"{measure}: {title}"[:80], fontsize=9)
    for i in range(len(rows)):
        for j in range(len(cols)):
            if not np.isnan(matrix[i, j]):
                ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] < 0.5 else "black")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    _save(fig, path, plt)


def _sorted_chart(plt, rows: list[str], matrix: np.ndarray, title: str, measure: str):
    """One bar per query set, its mean over the pools, sorted: readable at 200 languages."""
    means = np.nanmean(matrix, axis=1)
    order = np.argsort(means)
    fig, ax = plt.subplots(figsize=(6, max(3.5, 0.18 * len(rows) + 1.5)))
    ax.barh(range(len(rows)), means[order])
    ax.set_yticks(range(len(rows)), [rows[i] for i in order], fontsize=6)
    ax.set_xlabel(f"{measure}, mean over pools")
    ax.set_title(title[:80], fontsize=9)
    return fig


def _save(fig, path: str | Path, plt) -> None:
    fig.tight_layout()
    with atomic_path(Path(path)) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)


def write_report(result: EvaluationResult, out_dir: str | Path, overwrite: bool = True, heatmap: bool = True) -> Path:
    """Write results.json, per_query.tsv.gz, results.md and (``heatmap``) heatmap.png into ``out_dir``,
    which appears complete or not at all (an existing one is replaced, or refused without ``overwrite``).

    Args:
        result: the evaluation.
        out_dir: the report folder.
        overwrite: replace an existing ``out_dir``; False refuses it.
        heatmap: also draw heatmap.png (needs matplotlib).

    Returns:
        ``out_dir`` as a :class:`~pathlib.Path`.

    Raises:
        FileExistsError: ``out_dir`` exists and ``overwrite`` is False.

    Example:
        >>> from hybrid_batch_st.evaluation import evaluate, write_report
        >>> write_report(evaluate(model, task), "runs/eval")  # doctest: +SKIP
        PosixPath('runs/eval')
    """
    out = Path(out_dir)
    with atomic_dir(out, overwrite=overwrite) as tmp:
        (tmp / "results.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
        write_per_query(result, tmp / PER_QUERY_FILE)
        (tmp / "results.md").write_text(markdown_table(result), encoding="utf-8")
        if heatmap:
            save_heatmap(result, tmp / "heatmap.png")
    return out
