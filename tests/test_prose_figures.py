"""Prose that quotes the records: the README's verdict paragraph is the one results_table.py generates
from benchmarks/results/ (a sentence quoting a figure the records do not give fails here)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_readme_verdict_is_generated_from_the_records():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import results_table
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    begin, end = results_table.VERDICT
    written = readme.split(begin)[1].split(end)[0].strip()
    assert written == results_table.verdict(REPO / "benchmarks" / "results" / "mlqa-r-to-xquad-r").strip()
