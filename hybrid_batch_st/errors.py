"""Errors worded for whoever called: flags (``--overwrite``) from the command line, keywords
(``overwrite=True``) from Python; and which errors are the user's input rather than a bug."""

from __future__ import annotations

import contextlib
import contextvars
import threading
from pathlib import Path
from typing import Any, Iterator

__all__ = ["option", "option_name", "cli_wording", "DownloadError", "is_input_error", "INTERRUPTED"]

_PACKAGE = Path(__file__).resolve().parent
#: What this package raises on purpose about its input (a file, a flag, a download, a missing runtime).
_INPUT_ERRORS = (ValueError, OSError, RuntimeError, ImportError)


#: Set by the command line's Ctrl-C handler; training checks it at every step, so that a Ctrl-C whose
#: KeyboardInterrupt landed where Python only prints it (inside a ``__del__`` or a weakref callback) still stops.
INTERRUPTED = threading.Event()


class DownloadError(RuntimeError):
    """A benchmark file could not be fetched or failed its checksum."""


def is_input_error(exc: BaseException) -> bool:
    """Whether ``exc`` is one of this package's own errors about its input.

    That is an error type it raises on purpose (``ValueError``, ``OSError``, ``RuntimeError``,
    ``ImportError``), raised in its own code (not inside torch, faiss or another library, where it is a
    bug or an out-of-memory whose traceback the user needs).

    Args:
        exc: a caught exception.

    Returns:
        True where the innermost frame of its traceback is in this package; False for other types,
            other code, or an exception never raised (no traceback).
    """
    if not isinstance(exc, _INPUT_ERRORS):
        return False
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(_PACKAGE)

_FROM_CLI = contextvars.ContextVar("hybrid_batch_st_from_cli", default=False)


def option(name: str, value: Any = None) -> str:
    """How the caller spells option ``name`` (with ``value``).

    ``--language-choice example`` or ``language_choice='example'``; ``--overwrite`` or
    ``overwrite=True``; ``--languages`` or ``languages=``. Flags inside :func:`cli_wording`, keywords elsewhere.

    Args:
        name: the option's Python name (``language_choice``).
        value: its value; None names the option alone (True too, on the command line).

    Returns:
        The option as a flag or a keyword, for an error message.

    Example:
        >>> option("language_choice", "example")
        "language_choice='example'"
        >>> with cli_wording():
        ...     option("language_choice", "example")
        '--language-choice example'
    """
    if _FROM_CLI.get():
        flag = "--" + name.replace("_", "-")
        return flag if value is None or value is True else f"{flag} {value}"
    return f"{name}=" if value is None else f"{name}={value!r}"


def option_name(name: str) -> str:
    """An option's bare name: ``--language-weights`` from the command line, ``language_weights`` from Python.

    Args:
        name: the option's Python name.

    Returns:
        The flag inside :func:`cli_wording`, else ``name`` itself.
    """
    return "--" + name.replace("_", "-") if _FROM_CLI.get() else name


@contextlib.contextmanager
def cli_wording() -> Iterator[None]:
    """Within this block, :func:`option` and :func:`option_name` word options as command-line flags.

    Yields:
        None; the previous wording is restored when the block ends.
    """
    token = _FROM_CLI.set(True)
    try:
        yield
    finally:
        _FROM_CLI.reset(token)
