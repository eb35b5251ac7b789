"""The results page and the README's verdict paragraph, written from a results folder.

``hybrid-batch-st results`` (and ``benchmarks/results_table.py``) call :func:`write_results`: every
direction's tables (:mod:`.tables`) and the generated prose (:mod:`.summaries`) go between marker lines of
the pages, so hand-written text outside the markers stays and no generated figure is edited by hand.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_path
from ..names import HEADLINE_DIRECTION
from .summaries import alternatives_table, findings, starred_summary, validation_table, verdict
from .tables import direction_table, directions

__all__ = ["TABLES", "ALTERNATIVES", "STARRED", "FINDINGS", "VERDICT", "results_text",
           "replace_between_markers", "write_results"]

#: Marker lines of the results page: every direction's tables go between them.
TABLES = ("<!-- tables from benchmarks/results_table.py: begin -->",
          "<!-- tables from benchmarks/results_table.py: end -->")
#: Markers of the recipe table ("Hybrid batches against the alternatives") of the results page.
ALTERNATIVES = ("<!-- alternatives: begin -->", "<!-- alternatives: end -->")
#: Markers of the run-level summary (which rows are starred) of the results page.
STARRED = ("<!-- starred: begin -->", "<!-- starred: end -->")
#: Markers of the targets in words of the results page.
FINDINGS = ("<!-- findings: begin -->", "<!-- findings: end -->")
#: Markers of the README's verdict paragraph.
VERDICT = ("<!-- verdict: begin -->", "<!-- verdict: end -->")


def results_text(root: str | Path) -> str:
    """Every direction's tables, headline first, then the recipe options compared on validation.

    Args:
        root: A results folder (``benchmarks/results``).

    Returns:
        Markdown.
    """
    root = Path(root)
    tables = [t for t in (direction_table(d) for d in directions(root)) if t]
    tables += [t for t in [validation_table(root)] if t]
    return "\n\n".join(tables) + "\n"


def replace_between_markers(path: str | Path, text: str, markers: tuple[str, str] = TABLES) -> None:
    """Put ``text`` between the two marker lines of ``path`` (atomically).

    Args:
        path: A Markdown file.
        text: What goes between the markers.
        markers: The begin and end lines.

    Raises:
        ValueError: ``path`` lacks one begin line followed later by one end line.

    Example:
        >>> replace_between_markers("docs/results.md", "| a |", FINDINGS)  # doctest: +SKIP
    """
    begin, end = markers
    document = Path(path).read_text(encoding="utf-8")
    if document.count(begin) != 1 or document.count(end) != 1 or document.index(begin) > document.index(end):
        raise ValueError(f"{path}: needs one line {begin!r} followed later by one line {end!r}; add them where "
                         "the generated text should go")
    head, rest = document.split(begin)
    tail = rest.split(end)[1]
    with atomic_path(path) as tmp:
        tmp.write_text(f"{head}{begin}\n\n{text.strip()}\n\n{end}{tail}", encoding="utf-8")


def write_results(root: str | Path, output: str | Path | None = None, page: str | Path | None = None,
                  verdict_file: str | Path | None = None, headline: str = HEADLINE_DIRECTION) -> str:
    """Generate the results from ``root`` into the files named.

    Args:
        root: A results folder written by ``benchmarks/reproduce.py``.
        output: A Markdown file that gets the tables alone (``benchmarks/results/README.md``).
        page: The results page (``docs/results.md``): the tables go between its :data:`TABLES` markers, and
            where it has them, the recipe table, the run-level summary and the findings between theirs.
        verdict_file: A file with :data:`VERDICT` markers (``README.md``) that gets the verdict paragraph.
        headline: The direction of the recipe table and the verdict.

    Returns:
        The tables' Markdown.

    Raises:
        ValueError: ``root`` is no folder, or a file lacks the markers it needs.

    Example:
        >>> from hybrid_batch_st.experiments import write_results
        >>> text = write_results("benchmarks/results", page="docs/results.md")  # doctest: +SKIP
    """
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"results folder {root}: not found; pass the --results folder reproduce.py wrote")
    text = results_text(root)
    if output:
        with atomic_path(output) as tmp:
            tmp.write_text(text, encoding="utf-8")
    if page:
        replace_between_markers(page, text)
        document = Path(page).read_text(encoding="utf-8")
        if (root / headline).is_dir() and ALTERNATIVES[0] in document:
            replace_between_markers(page, alternatives_table(root / headline), ALTERNATIVES)
        if STARRED[0] in document:
            replace_between_markers(page, starred_summary(root), STARRED)
        if FINDINGS[0] in document:
            replace_between_markers(page, findings(root), FINDINGS)
    if verdict_file and (root / headline).is_dir():
        replace_between_markers(verdict_file, verdict(root / headline), VERDICT)
    return text
