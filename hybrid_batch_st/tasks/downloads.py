"""Checked downloads of the public benchmark files into the cache, once.

Every file a reader needs has its upstream address (a pinned commit of its public repository) and its
SHA-256 in ``resources/checksums.json``. A file is fetched only when the cache lacks it or holds a
different one, checked before it is kept, and written atomically; ``--data-dir`` skips all of this.
``$HYBRID_BATCH_ST_MIRROR`` (a base URL holding ``<benchmark>/<file>`` in the reader's own layout)
replaces the upstream repositories, for machines that reach a local copy only.

Regenerate the sums from checked copies with ``python -m hybrid_batch_st.tasks.downloads DATA_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..atomic import atomic_path
from ..errors import DownloadError, option_name

__all__ = ["UPSTREAM", "fetch_file", "file_sha256", "benchmark_folder", "default_cache_dir", "write_checksums"]

#: Where each benchmark's files live upstream (pinned commits) and how a local name maps to its path there.
UPSTREAM: dict[str, tuple[str, Callable[[str], str]]] = {
    "tatoeba": ("https://github.com/facebookresearch/LASER/raw/74bc6ae/data/tatoeba/v1", lambda rel: rel),
    "flores200": ("https://github.com/common-parallel-corpora/common-parallel-corpora/raw/dbc2cd9/data/"
                  "common-parallel-corpora", lambda rel: "flores-200-" + rel),
    "xsid": ("https://github.com/mainlp/xsid/raw/761d926c3f2e9f6bea13192d2f39cec1d04d9777/data/xSID-0.7",
             lambda rel: rel),
    "xflickrco": ("https://github.com/e-bug/iglue/raw/43cbac9/datasets/xFlickrCO/annotations",
                  lambda rel: rel.replace(".", "/", 1)),
}
CHECKSUMS = Path(__file__).resolve().parent.parent / "resources" / "checksums.json"


def default_cache_dir() -> Path:
    """The download cache.

    Returns:
        ``$HYBRID_BATCH_ST_CACHE``, else ``~/.cache/hybrid_batch_st``.
    """
    return Path(os.environ.get("HYBRID_BATCH_ST_CACHE", Path.home() / ".cache" / "hybrid_batch_st"))


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks.

    Args:
        path: the file.

    Returns:
        The digest as 64 hexadecimal digits.
    """
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_file(url: str, target: Path, sha256: str, what: str, local_layout: str) -> None:
    """Download ``url`` into ``target`` if its SHA-256 is ``sha256``; else one error naming the file and
    the way round it (``--data-dir`` with ``local_layout``). Nothing is written on failure.

    Args:
        url: the address to download.
        target: the file to write (atomically; its folder is created).
        sha256: the expected SHA-256, as 64 hexadecimal digits.
        what: names the file in errors.
        local_layout: what a ``--data-dir`` folder must hold instead, for errors.

    Raises:
        DownloadError: The download failed, or its SHA-256 differs (then nothing is saved).
    """
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            payload = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise DownloadError(f"could not download {what} from {url} ({exc}). Offline? Pass "
                            f"{option_name('data_dir')} pointing at a folder that holds {local_layout}") from exc
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise DownloadError(f"{url} has SHA-256 {digest}, expected {sha256}; not saved. The upstream file "
                            f"changed: pass {option_name('data_dir')} with a checked copy ({local_layout})")
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        tmp.write_bytes(payload)


@lru_cache(maxsize=1)
def _checksums() -> dict[str, dict[str, str]]:
    return json.loads(CHECKSUMS.read_text(encoding="utf-8"))


def benchmark_folder(name: str, subfolder: str | None = None, cache_dir: str | Path | None = None) -> Path:
    """The cache folder of benchmark ``name`` with every file (of ``subfolder`` only, e.g. FLORES-200's
    ``dev``) present and checked, downloading what is missing.

    Args:
        name: a benchmark of ``resources/checksums.json`` (``tatoeba``, ``flores200``, ``xsid``, ``xflickrco``).
        subfolder: only the files under this subfolder; None: every file.
        cache_dir: the download cache (default: :func:`default_cache_dir`).

    Returns:
        ``<cache_dir>/<name>``.

    Raises:
        DownloadError: A missing or changed file could not be downloaded, or its download failed the check.
    """
    files = {rel: sha for rel, sha in _checksums()[name].items()
             if subfolder is None or rel.startswith(subfolder + "/")}
    folder = Path(cache_dir or default_cache_dir()) / name
    missing = [rel for rel, sha in files.items() if not (folder / rel).is_file() or file_sha256(folder / rel) != sha]
    if not missing:
        return folder
    mirror = os.environ.get("HYBRID_BATCH_ST_MIRROR")
    base, upstream_path = (f"{mirror.rstrip('/')}/{name}", lambda rel: rel) if mirror else UPSTREAM[name]
    print(f"downloading {len(missing)} {name} file(s) from {base} into {folder} (once; checked by SHA-256)",
          file=sys.stderr, flush=True)
    from tqdm.auto import tqdm

    for rel in tqdm(missing, desc=f"Downloading {name}", unit="file", disable=len(missing) < 5):
        fetch_file(f"{base}/{upstream_path(rel)}", folder / rel, files[rel], f"{name} {rel}",
                   f"{name}/{rel} and the rest of {name}'s files")
    return folder


def write_checksums(data_dir: str | Path) -> dict[str, dict[str, str]]:
    """The SHA-256 of every benchmark file under ``data_dir/<name>/`` (as the readers lay them out), written
    to ``resources/checksums.json``.

    Args:
        data_dir: the folder holding ``<name>/`` for each benchmark of :data:`UPSTREAM`.

    Returns:
        ``{benchmark: {relative path: SHA-256}}`` as written (README, SOURCE, LANGUAGES and licence files left out).
    """
    out = {}
    for name in UPSTREAM:
        root = Path(data_dir) / name
        out[name] = {str(p.relative_to(root)): file_sha256(p) for p in sorted(root.rglob("*"))
                     if p.is_file() and p.name.upper() not in ("SOURCE.MD", "README.MD", "LANGUAGES.MD")
                     and not p.name.upper().startswith("LICENSE")}
    with atomic_path(CHECKSUMS) as tmp:
        tmp.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    counts = {name: len(files) for name, files in write_checksums(sys.argv[1]).items()}
    print(f"{CHECKSUMS}: {counts}")
