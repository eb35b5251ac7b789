"""Atomic outputs: write to a temporary sibling, rename into place on success.

Temporary files and folders are created private (``mkstemp`` / ``mkdtemp`` make them 0600 / 0700);
they are given the user's umask before the rename, so what lands is readable by whoever would
read a file the user created by hand.

A temporary is named ``.<target>.<host>-<pid>.<random>.tmp``: a run killed before its rename leaves
one behind, and the next write of the same target removes those whose process (on this host) is gone,
never one of a run still going. An output that cannot be written (a full disk, a read-only folder, a
parent that is a file) is one :class:`OutputError` naming it and the cause; nothing half-written stays.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_path", "atomic_dir", "check_overwrite", "current_umask", "OutputError", "clear_stale_temporaries"]

logger = logging.getLogger(__name__)

#: errno values that say "this output cannot be written", wherever in a write they happen.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


class OutputError(OSError):
    """An output that could not be written: ``str()`` is one line naming it, the cause and the fix."""

    def __init__(self, target: Path, cause: str, err: int | None = None):
        super().__init__(err, cause)
        self.target = target

    def __str__(self) -> str:
        fix = "choose another path" if "not a folder" in str(self.strerror) else \
            "free space or make it writable, or write elsewhere"
        return f"cannot write {self.target}: {self.strerror}; nothing was written there ({fix})"


def current_umask() -> int:
    """The process umask (read by setting and restoring it).

    Returns:
        The umask, e.g. ``0o022``.
    """
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
    """The one overwrite rule: an existing output is refused unless ``overwrite`` is set.

    Args:
        target: the output file or folder.
        overwrite: allow replacing an existing ``target``.

    Raises:
        FileExistsError: ``target`` exists and ``overwrite`` is false (the message names the option to pass).
    """
    from .errors import option

    target = Path(target)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists; choose another path or pass {option('overwrite', True)}")


def _cause(target: Path, exc: OSError) -> str:
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            return f"{blocking} is a file, not a folder"
    return exc.strerror or f"{type(exc).__name__}: {exc}"


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}.{_HOST}-{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def clear_stale_temporaries(target: str | Path) -> list[Path]:
    """Remove the temporaries of ``target`` left by runs of this host whose process is gone.

    Temporaries of a live process, of another host, or without a process in their name (an older
    version's) are kept; the last are reported once, with how to remove them.

    Args:
        target: the output whose temporary siblings (``.<name>.<host>-<pid>.<random>.tmp``) are checked.

    Returns:
        The paths removed (empty when there were none, or the folder cannot be listed).
    """
    target = Path(target)
    pattern = re.compile(re.escape(f".{target.name}.")
                         + r"(?:(?P<host>[A-Za-z0-9-]+)-(?P<pid>\d+)\.)?[a-z0-9_]{8}\.tmp$")
    removed, unknown = [], []
    try:
        siblings = list(target.parent.iterdir())
    except OSError:
        return removed
    for path in siblings:
        match = pattern.match(path.name)
        if match is None:
            continue
        if match["pid"] is None:
            unknown.append(path)
        elif match["host"] == _HOST and not _alive(int(match["pid"])):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        logger.warning("removed %d temporary output(s) of %s left by runs that ended before finishing: %s",
                       len(removed), target, ", ".join(p.name for p in removed))
    if unknown:
        logger.warning("%s: %d temporary output(s) of an interrupted run of an older version remain (%s); delete them "
                       "if no other run is writing %s", target.parent, len(unknown), ", ".join(p.name for p in unknown),
                       target.name)
    return removed


@contextlib.contextmanager
def _as_output_error(target: Path, any_error: bool) -> Iterator[None]:
    """Re-raise a failed write as one :class:`OutputError` about ``target`` (with ``any_error``: every
    OSError; else those whose errno only a write gives: no space, quota, file size, read-only)."""
    try:
        yield
    except OutputError as exc:
        if exc.target == target:
            raise
        raise OutputError(target, exc.strerror, exc.errno) from exc  # a file inside a temporary folder
    except OSError as exc:
        if not any_error and exc.errno not in _WRITE_ERRNOS:
            raise
        raise OutputError(target, _cause(target, exc), exc.errno) from exc


def _make_temporary(target: Path, folder: bool) -> Path:
    with _as_output_error(target, any_error=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        clear_stale_temporaries(target)
        if folder:
            return Path(tempfile.mkdtemp(prefix=_temporary_prefix(target), suffix=".tmp", dir=target.parent))
        fd, tmp = tempfile.mkstemp(prefix=_temporary_prefix(target), suffix=".tmp", dir=target.parent)
        os.close(fd)
        return Path(tmp)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary file path next to ``target``; it replaces ``target`` only if the block succeeds.

    Args:
        target: the file to write; its parent folders are created.

    Yields:
        The temporary file's path (an empty file); on success it is given the umask's modes and renamed
            to ``target``, replacing any existing file. On failure it is removed.

    Raises:
        OutputError: the temporary cannot be created, or the write fails for lack of space or quota, a file
            size limit or a read-only file system.

    Example:
        >>> with atomic_path("runs/result.json") as tmp:  # doctest: +SKIP
        ...     tmp.write_text("{}")
    """
    target = Path(target)
    tmp = _make_temporary(target, folder=False)
    try:
        with _as_output_error(target, any_error=False):
            yield tmp
            _apply_umask(tmp)
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_dir(target: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder next to ``target``; it becomes ``target`` only if the block succeeds.

    An existing ``target`` is an error unless ``overwrite`` is true; with it, the existing folder is
    removed only once the block has succeeded.

    Args:
        target: the folder to write; its parent folders are created.
        overwrite: replace an existing ``target``.

    Yields:
        The temporary folder's path (empty); on success it is renamed to ``target``, else removed.

    Raises:
        FileExistsError: ``target`` exists and ``overwrite`` is false.
        OutputError: the temporary cannot be created, or the write fails for lack of space or quota, a file
            size limit or a read-only file system.

    Example:
        >>> with atomic_dir("runs/index", overwrite=True) as tmp:  # doctest: +SKIP
        ...     (tmp / "docid").write_text("d1")
    """
    target = Path(target)
    check_overwrite(target, overwrite)
    tmp = _make_temporary(target, folder=True)
    try:
        with _as_output_error(target, any_error=False):
            yield tmp
            _apply_umask(tmp)
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
