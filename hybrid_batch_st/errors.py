"""Errors worded for whoever called: flags (``--overwrite``) from the command line, keywords
(``overwrite=True``) from Python."""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

__all__ = ["option", "option_name", "cli_wording"]

_FROM_CLI = contextvars.ContextVar("hybrid_batch_st_from_cli", default=False)


def option(name: str, value: Any = None) -> str:
    """How the caller spells option ``name`` (with ``value``): ``--language-choice example`` or
    ``language_choice='example'``; ``--overwrite`` or ``overwrite=True``; ``--languages`` or ``languages=``."""
    if _FROM_CLI.get():
        flag = "--" + name.replace("_", "-")
        return flag if value is None or value is True else f"{flag} {value}"
    return f"{name}=" if value is None else f"{name}={value!r}"


def option_name(name: str) -> str:
    """An option's bare name: ``--language-weights`` from the command line, ``language_weights`` from Python."""
    return "--" + name.replace("_", "-") if _FROM_CLI.get() else name


@contextlib.contextmanager
def cli_wording() -> Iterator[None]:
    """Within this block, :func:`option` words options as command-line flags."""
    token = _FROM_CLI.set(True)
    try:
        yield
    finally:
        _FROM_CLI.reset(token)
