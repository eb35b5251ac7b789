"""The package stays readable: no module over 250 lines of code and no function over 50 (docstrings, the API
reference's source, not counted), one subpackage per concern, calls that descend through the layers."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "hybrid_batch_st"


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def test_modules_and_functions_stay_small():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstring_lines(tree)
        code = len(path.read_text(encoding="utf-8").splitlines()) - len(docs)
        if code > 250:
            too_long.append(f"{path.relative_to(PACKAGE)}: {code} lines of code")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = set(range(node.lineno, node.end_lineno + 1)) - docs
                if len(lines) > 50:
                    too_long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}()")
    assert not too_long, too_long


def test_one_subpackage_per_concern():
    subpackages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert subpackages == ["cli", "data", "evaluation", "experiments", "pyserini", "sampling", "tasks", "training"]
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "_lazy.py", "atomic.py", "errors.py", "languages.py", "models.py",
                   "names.py"]


#: Layers, lowest first: a module may import its own layer or one below, never above.
LAYERS = ["_lazy", "errors", "names", "atomic", "languages", "models", "tasks", "data", "sampling", "evaluation",
          "training", "pyserini", "experiments", "cli", "__main__"]


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):
    """Every node but those under ``if TYPE_CHECKING:``, which name types and import nothing at run time."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _import_graph() -> dict[str, set[str]]:
    """Every module's imports of the package's own modules, lazy (function-level) ones included."""
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        targets: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + [node.module] if node.module else base) if node.level else node.module
                for alias in node.names:
                    targets.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in paths else target)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 else len(LAYERS)


def test_calls_descend_through_the_layers():
    graph = _import_graph()
    climbs = [f"{m} -> {t}" for m, targets in graph.items() for t in targets
              if t != "hybrid_batch_st" and _layer(t) > _layer(m)]
    assert not climbs, climbs


def test_no_import_circle_between_modules():
    """Package ``__init__`` files only name their exports lazily, so they are left out of the search."""
    graph = {m: {t for t in ts if not PACKAGE.parent.joinpath(*t.split("."), "__init__.py").is_file()}
             for m, ts in _import_graph().items()}
    circles, done = [], set()

    def visit(module: str, path: list[str]) -> None:
        for target in graph.get(module, ()):
            if target in path:
                circles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in done:
                visit(target, path + [target])
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    assert not circles, circles
