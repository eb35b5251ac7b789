"""Prose that quotes the records: the README's verdict paragraph and everything between the results page's
markers are what ``hybrid-batch-st results`` generates from benchmarks/results/ today, and a hand-written sentence on either page that
quotes a figure (a value with three or more decimals, or a p-value) the generated parts do not give fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hybrid_batch_st.experiments.page import ALTERNATIVES, FINDINGS, STARRED, TABLES, VERDICT, write_results

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
#: A measured figure: three decimals or more (0.7865, -0.0044, 0.798), or any p-value (p 0.07, p 2.2e-05).
FIGURE = re.compile(r"(?<![\w.])[-+]?\d\.\d{3,}(?![\w.])|\bp \d[\d.e-]*")


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


def test_the_pages_hold_what_the_records_generate_today(tmp_path):
    """Records committed without regenerating the pages (or a page edited between its markers) fail."""
    pages = {"README.md": REPO / "README.md", "results.md": REPO / "docs" / "results.md"}
    for name, path in pages.items():
        (tmp_path / name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    write_results(RESULTS, page=tmp_path / "results.md", verdict_file=tmp_path / "README.md")
    for name, path in pages.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), \
            f"{path} is stale: run hybrid-batch-st results --page docs/results.md --verdict README.md"


@pytest.mark.parametrize("page", ["README.md", "docs/results.md"])
def test_hand_written_prose_quotes_only_generated_figures(page):
    text = (REPO / page).read_text(encoding="utf-8")
    markers = [TABLES, ALTERNATIVES, STARRED, FINDINGS, VERDICT]
    prose, generated = _split(text, markers)
    stray = sorted({m for m in FIGURE.findall(prose) if m.lstrip("+-") not in generated})
    assert not stray, f"{page} quotes figures its generated parts do not give: {stray}"


def test_the_figure_check_can_fail():
    prose, generated = _split("hybrid 0.7865 (p 0.07)\n<!-- a -->\n0.7866\n<!-- b -->", [("<!-- a -->", "<!-- b -->")])
    assert {m for m in FIGURE.findall(prose) if m.lstrip("+-") not in generated} == {"0.7865", "p 0.07"}
