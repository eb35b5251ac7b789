"""The documentation site builds in strict mode: a broken page, link or API reference (a ``::: module`` that
no longer exists, a docstring whose ``Args:`` name no parameter) fails the suite. Offline: the theme is
mkdocs' built-in one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strict(tmp_path):
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
               "--site-dir", str(tmp_path / "site")]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-4000:]
    reference = (tmp_path / "site" / "reference" / "sampling" / "index.html").read_text(encoding="utf-8")
    assert 'id="hybrid_batch_st.sampling.sampler.HybridBatchSampler"' in reference  # generated from the docstrings
    results = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    for marker in ("<!-- tables from benchmarks/results_table.py: begin -->", "<!-- alternatives: begin -->"):
        assert results.count(marker) == 1  # benchmarks/results_table.py --readme docs/results.md fills them


def test_readme_is_short_and_links_into_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    assert readme.count("<!-- verdict: begin -->") == 1 and readme.count("<!-- verdict: end -->") == 1
    links = [part.split(")")[0] for part in readme.split("](")[1:]]
    local = [link.split("#")[0] for link in links if link.startswith("docs/")]
    assert local and all((ROOT / link).is_file() for link in local), local
