"""On-disk embedding cache: a text is encoded once per model, whatever evaluates it again.

Keys: the model's *content* (every weight and buffer, the module stack and its settings as
printed by the model, the tokenizer, the prompts), every setting of the encode call that changes
an embedding (the truncation length, ``truncate_dim``, normalisation: :func:`encoding_settings`)
and, per text, the exact text with its prompt. A retrained or otherwise changed model, another
length, another prompt or a changed text misses the cache.

Location: ``$HYBRID_BATCH_ST_EMBEDDINGS``, else ``$HYBRID_BATCH_ST_CACHE/embeddings`` (default
``~/.cache/hybrid_batch_st/embeddings``), one folder per key holding ``.npz`` shards, each
written to a hidden temporary name and renamed into place. A shard that cannot be read (a disk
error, a foreign file) is skipped with a warning and its texts are encoded again. A cache that
cannot be written (a full disk, a read-only or missing folder) costs no result: the evaluation goes
on without storing its vectors, with one warning per cache folder and process saying how to move
or clear it. Clear the cache with ``hybrid-batch-st cache --clear`` or by deleting the folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..atomic import atomic_path

__all__ = ["cache_root", "model_fingerprint", "encoding_settings", "cache_key", "EmbeddingCache", "cached_encode",
           "clear_cache", "cache_usage"]

logger = logging.getLogger(__name__)

_FORMAT = "1"

#: Cache roots already reported unwritable in this process (one warning each).
_UNWRITABLE: set[str] = set()


def cache_root() -> Path:
    """The embedding cache's root folder, read from the environment at each call (it may not exist yet).

    Returns:
        ``$HYBRID_BATCH_ST_EMBEDDINGS``, else ``$HYBRID_BATCH_ST_CACHE/embeddings``, else
        ``~/.cache/hybrid_batch_st/embeddings``.

    Example:
        >>> cache_root()  # doctest: +SKIP
        PosixPath('/home/me/.cache/hybrid_batch_st/embeddings')
    """
    if os.environ.get("HYBRID_BATCH_ST_EMBEDDINGS"):
        return Path(os.environ["HYBRID_BATCH_ST_EMBEDDINGS"])
    base = os.environ.get("HYBRID_BATCH_ST_CACHE") or Path.home() / ".cache" / "hybrid_batch_st"
    return Path(base) / "embeddings"


def model_fingerprint(model) -> str:
    """SHA-256 over a model's weights and buffers, module stack, tokenizer and prompts.

    The tokenizer's truncation and padding are left out: each encode call sets them (see
    :func:`encoding_settings`). Every tensor is copied to the CPU and hashed, so this reads the whole model.

    Args:
        model: a SentenceTransformer (any module with ``state_dict()``; its ``tokenizer``, ``prompts`` and
            ``default_prompt_name`` are read where present).

    Returns:
        The hex digest (64 characters).
    """
    import torch

    digest = hashlib.sha256(f"hybrid-batch-st embeddings v{_FORMAT}\n".encode())
    digest.update(repr(model).encode())  # modules, pooling, normalisation, max_seq_length
    digest.update(json.dumps([getattr(model, "prompts", None), getattr(model, "default_prompt_name", None)],
                             sort_keys=True, default=str).encode())
    tokenizer = getattr(model, "tokenizer", None)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        spec = json.loads(backend.to_str())
        spec.pop("truncation", None)  # set by each encode call: a setting of the call, not of the model
        spec.pop("padding", None)
        digest.update(json.dumps(spec, sort_keys=True).encode())
    elif tokenizer is not None:
        digest.update(json.dumps(sorted(tokenizer.get_vocab().items())).encode())
    for name, tensor in model.state_dict().items():
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(tensor.view(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def encoding_settings(model, normalize: bool = True) -> dict[str, Any]:
    """The settings of an encode call that change the embeddings besides the model's weights.

    Args:
        model: the model that encodes (its ``max_seq_length`` and ``truncate_dim`` are read; None where absent).
        normalize: whether the embeddings are normalised to unit length.

    Returns:
        ``{"max_seq_length": ..., "truncate_dim": ..., "normalize": ...}``.
    """
    return {"max_seq_length": getattr(model, "max_seq_length", None),
            "truncate_dim": getattr(model, "truncate_dim", None), "normalize": normalize}


def cache_key(model, normalize: bool = True) -> str:
    """The cache folder name of ``model`` encoded with its current settings.

    Args:
        model: the model that encodes.
        normalize: whether its embeddings are normalised to unit length.

    Returns:
        A SHA-256 hex digest of :func:`model_fingerprint` and :func:`encoding_settings`.

    Example:
        >>> cache = EmbeddingCache(cache_key(model))  # doctest: +SKIP
    """
    settings = json.dumps(encoding_settings(model, normalize), sort_keys=True)
    return hashlib.sha256(f"{model_fingerprint(model)}\n{settings}".encode()).hexdigest()


def _text_keys(texts: Sequence[str], prompt: str | None) -> list[bytes]:
    prefix = (prompt or "").encode() + b"\x00"
    return [hashlib.blake2b(prefix + t.encode(), digest_size=16).digest() for t in texts]


def _shards(folder: Path) -> list[Path]:
    """The complete shards of a cache folder (hidden names are writes in progress or interrupted)."""
    return sorted(folder.glob("[!.]*.npz"))


def _read_shard(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path) as shard:
        keys, vectors = shard["keys"], shard["vectors"]
    if keys.ndim != 2 or keys.shape[1] != 16 or vectors.ndim != 2 or len(keys) != len(vectors):
        raise ValueError(f"keys {keys.shape} and vectors {vectors.shape} do not match")
    return keys, vectors


class EmbeddingCache:
    """The cached embeddings of one model and its encoding settings (by :func:`cache_key`) in ``root``.

    Shards are read on first use and kept in memory, as are the vectors added since.

    Args:
        key: the model's folder name, from :func:`cache_key`.
        root: the cache root; default :func:`cache_root`.
    """

    def __init__(self, key: str, root: str | Path | None = None):
        self.folder = Path(root or cache_root()) / key
        self._index: dict[bytes, tuple[int, int]] | None = None
        self._shards: list[np.ndarray] = []

    def _load(self) -> dict[bytes, tuple[int, int]]:
        if self._index is None:
            self._index = {}
            for path in _shards(self.folder):
                try:
                    keys, vectors = _read_shard(path)
                except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                    logger.warning("embedding cache: skipping unreadable shard %s (%s: %s); its texts are encoded "
                                   "again (delete the file to silence this)", path, type(exc).__name__, exc)
                    continue
                n = len(self._shards)
                self._shards.append(vectors)
                self._index.update((k.tobytes(), (n, row)) for row, k in enumerate(keys))
        return self._index

    def lookup(self, keys: list[bytes]) -> tuple[list[int], np.ndarray | None]:
        """Positions of ``keys`` missing from the cache, and the vectors of all keys (missing rows zero).

        Args:
            keys: 16-byte text keys (a BLAKE2b digest of the prompt and the text), one per text.

        Returns:
            ``(missing, vectors)``: the indices into ``keys`` not cached, and a float32 array of one row per
            key whose missing rows are zero; ``vectors`` is None when no key is cached.
        """
        index = self._load()
        missing = [i for i, k in enumerate(keys) if k not in index]
        found = [i for i, k in enumerate(keys) if k in index]
        if not found:
            return missing, None
        dim = self._shards[index[keys[found[0]]][0]].shape[1]
        out = np.zeros((len(keys), dim), dtype=np.float32)
        for i in found:
            shard, row = index[keys[i]]
            out[i] = self._shards[shard][row]
        return missing, out

    def add(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Store new vectors as one shard, written to a temporary name and renamed into place.

        A shard that cannot be written (any ``OSError``: no space, read-only, not a folder) is not
        stored, with one warning per cache root and process; the vectors are kept in memory for this
        process all the same. A cache never costs a result.

        Args:
            keys: 16-byte text keys, one per row of ``vectors``; nothing is stored when empty.
            vectors: the embeddings, one row per key (stored as float32).
        """
        if not keys:
            return
        root = self.folder.parent
        if str(root) not in _UNWRITABLE:
            try:
                with atomic_path(self.folder / f"{uuid.uuid4().hex}.npz") as tmp, open(tmp, "wb") as f:
                    np.savez(f, keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 16),
                             vectors=vectors.astype(np.float32))
            except OSError as exc:
                _UNWRITABLE.add(str(root))
                variable = "HYBRID_BATCH_ST_EMBEDDINGS" if os.environ.get("HYBRID_BATCH_ST_EMBEDDINGS") else \
                    "HYBRID_BATCH_ST_CACHE"
                logger.warning("embedding cache: cannot write to %s (%s); going on without caching embeddings (this "
                               "run's results are unaffected). Move the cache with %s=DIR, or free space with "
                               "`hybrid-batch-st cache --clear`", root, exc.strerror or f"{type(exc).__name__}: {exc}",
                               variable)
        index = self._load()
        n = len(self._shards)
        self._shards.append(vectors.astype(np.float32))
        index.update((k, (n, row)) for row, k in enumerate(keys))


def cached_encode(
    encode: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    prompt: str | None,
    cache: EmbeddingCache | None,
) -> np.ndarray:
    """``encode(texts)`` for the texts the cache lacks; the rest come from the cache.

    A text repeated in ``texts`` is encoded once; the new vectors are added to ``cache``.

    Args:
        encode: encodes a list of texts into an array with one row per text.
        texts: the texts, without their prompt.
        prompt: the prompt ``encode`` prepends, part of each text's key; None for none.
        cache: where vectors are looked up and stored; None encodes every text.

    Returns:
        One row per text, in the order of ``texts``: float32 with a cache, ``encode``'s own output without.

    Example:
        >>> cache = EmbeddingCache(cache_key(model))  # doctest: +SKIP
        >>> encode = lambda batch: model.encode_query(batch, prompt="query: ")  # doctest: +SKIP
        >>> vectors = cached_encode(encode, ["Wer?", "Wo?"], "query: ", cache)  # doctest: +SKIP
    """
    if cache is None:
        return encode(list(texts))
    keys = _text_keys(texts, prompt)
    missing, vectors = cache.lookup(keys)
    if missing:
        # a text repeated in ``texts`` is encoded once
        unique = list(dict.fromkeys(keys[i] for i in missing))
        first = {k: i for i, k in reversed(list(zip(missing, (keys[i] for i in missing))))}
        fresh = encode([texts[first[k]] for k in unique])
        cache.add(unique, fresh)
        if vectors is None:
            vectors = np.zeros((len(texts), fresh.shape[1]), dtype=np.float32)
        row_of = {k: r for r, k in enumerate(unique)}
        for i in missing:
            vectors[i] = fresh[row_of[keys[i]]]
    return vectors


def clear_cache(root: str | Path | None = None) -> tuple[Path, int]:
    """Delete every cached embedding: the whole cache folder.

    Args:
        root: the cache root; default :func:`cache_root`.

    Returns:
        ``(folder, bytes freed)``: the folder deleted and the size of its files (0 where it did not exist).

    Example:
        >>> folder, freed = clear_cache()  # doctest: +SKIP
    """
    folder = Path(root or cache_root())
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
    shutil.rmtree(folder, ignore_errors=True)
    return folder, size


def cache_usage(root: str | Path | None = None) -> tuple[Path, int, int]:
    """How many models the cache holds, and how big it is.

    Args:
        root: the cache root; default :func:`cache_root`.

    Returns:
        ``(folder, models, bytes)``: the cache folder, how many model folders hold shards, and the bytes of
        those shards (0 and 0 where the folder does not exist).

    Example:
        >>> folder, models, size = cache_usage()  # doctest: +SKIP
    """
    folder = Path(root or cache_root())
    shards = [p for d in folder.iterdir() if d.is_dir() for p in _shards(d)] if folder.is_dir() else []
    return folder, len({p.parent for p in shards}), sum(p.stat().st_size for p in shards)
