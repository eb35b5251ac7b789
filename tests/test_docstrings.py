"""Every public class and function carries a Google-style docstring that the API reference renders:
``Args:`` where it takes arguments, ``Returns:`` (or ``Yields:``) where it returns a value, and an
``Example:`` on each name the package exports at the top level."""

from __future__ import annotations

import ast
from pathlib import Path

import hybrid_batch_st

PACKAGE = Path(__file__).resolve().parents[1] / "hybrid_batch_st"


def _exported(tree: ast.Module) -> set[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            try:
                return set(ast.literal_eval(node.value))
            except ValueError:  # built from other names: every name without a leading underscore is public
                return None
    return None


def _is_property(node: ast.FunctionDef) -> bool:
    return any(getattr(d, "id", getattr(d, "attr", "")) in ("property", "cached_property", "setter")
               for d in node.decorator_list)


def _gaps(node: ast.AST, where: str) -> list[str]:
    doc = ast.get_docstring(node) or ""
    if not doc:
        return [f"{where}: no docstring"]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or _is_property(node):
        return []
    gaps = []
    args = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs if a.arg not in ("self", "cls")]
    if (args or node.args.vararg or node.args.kwarg) and "Args:" not in doc:
        gaps.append(f"{where}: no Args: section")
    returns = node.returns is not None and not (isinstance(node.returns, ast.Constant) and node.returns.value is None)
    if returns and "Returns:" not in doc and "Yields:" not in doc and node.name != "__init__":
        gaps.append(f"{where}: no Returns: section")
    return gaps


def _public(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exported = _exported(tree)
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or node.name.startswith("_"):
            continue
        if exported is not None and node.name not in exported:
            continue
        yield node, node.name
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and not sub.name.startswith("_"):
                    yield sub, f"{node.name}.{sub.name}"


def test_every_public_name_has_google_style_sections():
    gaps = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node, name in _public(path):
            gaps += _gaps(node, f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")
    assert not gaps, f"{len(gaps)} public names lack sections:\n" + "\n".join(gaps)


def test_top_level_names_show_an_example():
    missing = [name for name in hybrid_batch_st.__all__ if name != "__version__"
               and "Example:" not in (getattr(hybrid_batch_st, name).__doc__ or "")]
    assert not missing, missing


def test_examples_run_where_they_need_no_model_or_file():
    """Every ``>>>`` line not marked ``# doctest: +SKIP`` runs and prints what its docstring says."""
    import doctest
    import importlib

    failed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        if result.failed:
            failed.append(f"{module.__name__}: {result.failed} of {result.attempted}")
    assert not failed, failed
