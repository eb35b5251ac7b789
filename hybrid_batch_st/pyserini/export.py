"""Export: encode a Pyserini JSONL corpus with a sentence-transformers model into a faiss index
folder in Pyserini's layout, with the model beside it."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..atomic import atomic_dir
from ..models import encode_documents, load_model, resolve_model
from .compat import ENCODER_DIR, check_parity, encoder_settings, save_settings
from .formats import read_corpus
from .jvm import require_pyserini

__all__ = ["build_index", "load_st_model"]


def load_st_model(model_or_path):
    """The model and its folder, from a SentenceTransformer, a sentence-transformers folder or a hub id.

    Args:
        model_or_path: a loaded ``SentenceTransformer`` (kept as it is), a model folder or a hub id (loaded on the CPU).

    Returns:
        ``(model, its folder)``; the folder is None for a loaded model or a hub id.

    Raises:
        ValueError: the folder is not a sentence-transformers model, or the hub id cannot be fetched.
    """
    from sentence_transformers import SentenceTransformer

    if isinstance(model_or_path, SentenceTransformer):
        return model_or_path, None
    resolved = Path(resolve_model(model_or_path))
    model = load_model(model_or_path, device="cpu", sentence_transformers_only=True)
    return model, (resolved if resolved.is_dir() else None)


def _faiss_index(embeddings, index_type: str, hnsw_m: int):
    """Inner-product faiss index of ``embeddings``: exact (``flat``) or HNSW."""
    import faiss

    dimension = embeddings.shape[1]
    flat = index_type == "flat"
    index = faiss.IndexFlatIP(dimension) if flat else faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
    index.add(embeddings)
    return index


def build_index(model, corpus: str | Path, index_dir: str | Path, *, index_type: str = "flat", hnsw_m: int = 32,
                batch_size: int | None = None, overwrite: bool = False, show_progress_bar: bool = True) -> Path:
    """Encode ``corpus`` (Pyserini JSONL) with ``model`` (a SentenceTransformer or its folder) into ``index_dir``.

    The folder holds ``index`` (faiss ``IndexFlatIP``, or ``IndexHNSWFlat`` inner product with
    ``index_type="hnsw"``), ``docid`` and ``encoder/`` (the model), and appears only once complete.
    The export checks that Pyserini's own ``AutoQueryEncoder`` reproduces the model's query embeddings.

    Args:
        model: a SentenceTransformer, its folder or a hub id.
        corpus: Pyserini JSONL, ``{"id": ..., "contents": ...}`` per line.
        index_dir: the folder to create.
        index_type: ``"flat"`` (exact inner product) or ``"hnsw"``.
        hnsw_m: the HNSW graph degree (``index_type="hnsw"``).
        batch_size: texts encoded at once; None follows the model's device.
        overwrite: replace an existing folder (else it is refused).
        show_progress_bar: show the encoding progress bar.

    Returns:
        The index folder's path.

    Raises:
        ImportError: Pyserini is not installed (the ``pyserini`` extra); raised before anything is encoded.
        FileNotFoundError: ``corpus`` does not exist.
        ValueError: an unknown ``index_type``, a malformed corpus, or a model that cannot be loaded.
        FileExistsError: ``index_dir`` exists and ``overwrite`` is false.

    Example:
        >>> index = build_index("runs/hy/model", "corpus.jsonl", "runs/hy-index")  # doctest: +SKIP
        >>> get_searcher(index).search("Who wrote Faust?")  # doctest: +SKIP
    """
    import faiss

    if index_type not in ("flat", "hnsw"):
        raise ValueError(f"index_type={index_type!r} must be 'flat' or 'hnsw'")
    require_pyserini()  # before encoding: the export checks Pyserini's own query encoder against the model
    ids, texts = read_corpus(corpus)
    model, model_dir = load_st_model(model)
    settings = encoder_settings(model)
    index_dir = Path(index_dir)
    with atomic_dir(index_dir, overwrite=overwrite) as tmp:
        embeddings = encode_documents(model, texts, prompt=settings.passage_prompt or "", batch_size=batch_size,
                                      normalize=settings.l2_norm, show_progress_bar=show_progress_bar)
        faiss.write_index(_faiss_index(embeddings, index_type, hnsw_m), str(tmp / "index"))
        (tmp / "docid").write_text("".join(f"{d}\n" for d in ids), encoding="utf-8")
        encoder_dir = tmp / ENCODER_DIR
        if model_dir is not None:
            shutil.copytree(model_dir, encoder_dir)
        else:
            model.save(str(encoder_dir))
        settings = check_parity(model, settings, encoder_dir, texts[:3])
        save_settings(settings, encoder_dir, tmp, documents=len(ids), index_type=index_type,
                      model=str(model_dir or "in-memory model"))
    return index_dir
