"""Atomic outputs: write to a temporary sibling, rename into place on success.

Temporary files and folders are created private (``mkstemp`` / ``mkdtemp`` make them 0600 / 0700);
they are given the user's umask before the rename, so what lands is readable by whoever would
read a file the user created by hand.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_path", "atomic_dir", "check_overwrite", "current_umask"]


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _apply_umask(path: Path) -> None:
    """Give ``path`` (and, for a folder, everything in it) the modes a plain create would have."""
    mask = current_umask()
    if path.is_dir():
        for root, _dirs, files in os.walk(path):
            os.chmod(root, 0o777 & ~mask)
            for name in files:
                file = os.path.join(root, name)
                executable = os.stat(file).st_mode & 0o111
                os.chmod(file, (0o777 if executable else 0o666) & ~mask)
    else:
        os.chmod(path, 0o666 & ~mask)


def check_overwrite(target: str | Path, overwrite: bool) -> None:
    """The one overwrite rule: an existing output is refused unless ``overwrite`` is set."""
    from .errors import option

    target = Path(target)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists; choose another path or pass {option('overwrite', True)}")


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary file path next to ``target``; it replaces ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        _apply_umask(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_dir(target: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder next to ``target``; it becomes ``target`` only if the block succeeds.

    An existing ``target`` is an error unless ``overwrite`` is true.
    """
    target = Path(target)
    check_overwrite(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        _apply_umask(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
