"""Public names imported on first use, so that importing a package (and ``--help``) stays light."""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, names: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``names`` maps a public name to the (relative)
    module defining it, imported when the name is first read.

    Args:
        package: the package's ``__name__``; relative module names resolve against it.
        names: public name -> module that defines it (``{"HybridBatchSampler": ".sampler"}``).

    Returns:
        ``(__getattr__, __dir__)`` for the package's top level: ``__getattr__`` imports a name's module,
            caches the value on the package and raises ``AttributeError`` for any other name; ``__dir__``
            lists the package's attributes and ``names``.

    Example:
        >>> __getattr__, __dir__ = lazy_exports(__name__, {"HybridBatchSampler": ".sampler"})  # doctest: +SKIP
    """

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name], package), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
