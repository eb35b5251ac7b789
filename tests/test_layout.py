"""The package stays readable: no module over 250 lines, no function over 50, one subpackage per concern."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "hybrid_batch_st"


def test_modules_and_functions_stay_small():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 250:
            too_long.append(f"{path.relative_to(PACKAGE)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 50:
                too_long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}()")
    assert not too_long, too_long


def test_one_subpackage_per_concern():
    subpackages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert subpackages == ["cli", "data", "evaluation", "pyserini", "sampling", "tasks", "training"]
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "_lazy.py", "atomic.py", "errors.py", "languages.py", "models.py",
                   "names.py"]
