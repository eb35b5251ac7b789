"""Prose that quotes the records: the README's verdict paragraph and the results page's findings are the
ones results_table.py generates from benchmarks/results/, and a hand-written sentence on either page that
quotes a figure (a value with three or more decimals, or a p-value) the generated parts do not give fails."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
#: A measured figure: three decimals or more (0.7865, -0.0044, 0.798), or any p-value (p 0.07, p 2.2e-05).
FIGURE = re.compile(r"(?<![\w.])[-+]?\d\.\d{3,}(?![\w.])|\bp \d[\d.e-]*")


@pytest.fixture(scope="module")
def results_table():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import results_table
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return results_table


def _split(text: str, markers: list[tuple[str, str]]) -> tuple[str, str]:
    """(hand-written prose outside code blocks, generated text between the markers)."""
    generated = []
    for begin, end in markers:
        if begin in text:
            head, rest = text.split(begin, 1)
            inside, tail = rest.split(end, 1)
            generated.append(inside)
            text = head + tail
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    return prose, "\n".join(generated)


def test_readme_verdict_is_generated_from_the_records(results_table):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    begin, end = results_table.VERDICT
    written = readme.split(begin)[1].split(end)[0].strip()
    assert written == results_table.verdict(RESULTS / "mlqa-r-to-xquad-r").strip()


def test_results_findings_are_generated_from_the_records(results_table):
    page = (REPO / "docs" / "results.md").read_text(encoding="utf-8")
    begin, end = results_table.FINDINGS
    assert page.split(begin)[1].split(end)[0].strip() == results_table.findings(RESULTS).strip()


@pytest.mark.parametrize("page", ["README.md", "docs/results.md"])
def test_hand_written_prose_quotes_only_generated_figures(results_table, page):
    text = (REPO / page).read_text(encoding="utf-8")
    markers = [(results_table.BEGIN, results_table.END), results_table.ALTERNATIVES, results_table.STARRED,
               results_table.FINDINGS, results_table.VERDICT]
    prose, generated = _split(text, markers)
    stray = sorted({m for m in FIGURE.findall(prose) if m.lstrip("+-") not in generated})
    assert not stray, f"{page} quotes figures its generated parts do not give: {stray}"


def test_the_figure_check_can_fail():
    prose, generated = _split("hybrid 0.7865 (p 0.07)\n<!-- a -->\n0.7866\n<!-- b -->", [("<!-- a -->", "<!-- b -->")])
    assert {m for m in FIGURE.findall(prose) if m.lstrip("+-") not in generated} == {"0.7865", "p 0.07"}
