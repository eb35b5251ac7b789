"""Readers shared by the benchmark files: line-aligned text files and JSONL, with errors that name the
file, the line and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

__all__ = ["read_lines", "iter_lines", "read_jsonl_objects", "require_dir"]


def require_dir(path: str | Path, what: str, layout: str) -> Path:
    """``path`` as a folder, or one clear error saying the layout expected.

    Args:
        path: the folder.
        what: names the benchmark or option in the error.
        layout: what the folder must hold, for the error.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        FileNotFoundError: ``path`` is not a folder.
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{what}: {path} is not a folder; it must hold {layout}")
    return path


def read_lines(path: Path) -> list[str]:
    """Every line of a UTF-8 text file, without its line break; errors name the line.

    Args:
        path: the text file.

    Returns:
        The lines, blank ones included.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: A line is not UTF-8 (naming the line, column and byte).
    """
    return [line for _, line in iter_lines(path)]


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a UTF-8 text file, read as it goes (an error names its line before the
    rest is read).

    Args:
        path: the text file.

    Yields:
        ``(line number from 1, line without its line break)``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: A line is not UTF-8 (naming the line, column and byte).
    """
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                yield number, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}:{number}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
                                 f"{exc.start + 1}); save the file as UTF-8") from None


def read_jsonl_objects(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` per non-blank line; a line that is not a JSON object with ``required``
    fields is one error naming it.

    Args:
        path: the JSONL file.
        required: the fields every object must have.

    Yields:
        ``(line number from 1, object)`` per non-blank line.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: A line is not UTF-8, not JSON, or not an object with the ``required`` fields.
    """
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc}); each line must be one JSON object") from None
        missing = [f for f in required if not isinstance(record, dict) or f not in record]
        if missing:
            raise ValueError(f"{path}:{number}: lacks field(s) {missing}; each line needs {list(required)}")
        yield number, record
