"""Searching an exported index through Pyserini: the right query encoder, ``FaissSearcher``, and
TREC runs written by Pyserini's own output writer."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from tqdm.auto import tqdm

from ..atomic import atomic_path
from .compat import ENCODER_DIR, encoder_settings, index_settings
from .export import load_st_model
from .formats import read_topics
from .jvm import boot_jvm

__all__ = ["query_encoder", "get_searcher", "search", "pyserini_cli_args"]


def query_encoder(index_dir: str | Path, model=None, prefer: str = "auto"):
    """A Pyserini ``QueryEncoder`` for an exported index.

    Boots the JVM first.

    Args:
        index_dir: a folder written by :func:`~hybrid_batch_st.pyserini.export.build_index`.
        model: a SentenceTransformer or model folder that replaces the exported one (always wrapped); its
            dimension must match the index. None: the exported model.
        prefer: ``"auto"`` uses Pyserini's ``AutoQueryEncoder`` on ``<index>/encoder`` when it reproduces the
            model, else :class:`~hybrid_batch_st.pyserini.encoders.SentenceTransformerQueryEncoder`;
            ``"sentence-transformers"`` always wraps.

    Returns:
        An ``InferenceAutoQueryEncoder`` or a ``SentenceTransformerQueryEncoder``.

    Raises:
        ImportError: Pyserini is not installed (the ``pyserini`` extra).
        FileNotFoundError: ``index_dir`` is not an exported index folder.
        ValueError: ``model`` makes vectors of another dimension than the index's.
    """
    boot_jvm()
    from .encoders import InferenceAutoQueryEncoder, SentenceTransformerQueryEncoder

    index_dir = Path(index_dir)
    settings = index_settings(index_dir)
    st_model = None
    if model is not None:
        st_model, _ = load_st_model(model)
        settings = encoder_settings(st_model)
        _check_dimension(index_dir, settings.dimension, str(model))
    elif prefer == "auto" and settings.auto_compatible:
        return InferenceAutoQueryEncoder(str(index_dir / ENCODER_DIR), pooling=settings.pooling,
                                         l2_norm=settings.l2_norm, prefix=settings.prefix)
    if st_model is None:
        st_model, _ = load_st_model(index_dir / ENCODER_DIR)
    return SentenceTransformerQueryEncoder(st_model, settings)


def _check_dimension(index_dir: Path, dimension: int, what: str) -> None:
    import faiss

    index = faiss.read_index(str(index_dir / "index"), faiss.IO_FLAG_MMAP)
    if index.d != dimension:
        raise ValueError(
            f"index {index_dir} holds {index.d}-dimensional vectors but model {what} makes {dimension}-dimensional "
            "ones; re-export the index with this model (hybrid-batch-st export)"
        )


def _check_docids(index_dir: Path) -> None:
    """One id per vector, or Pyserini fails later with a bare assertion."""
    import faiss

    index_settings(index_dir)  # the folder's layout first
    vectors = faiss.read_index(str(index_dir / "index"), faiss.IO_FLAG_MMAP).ntotal
    with open(index_dir / "docid", "rb") as f:
        ids = sum(1 for line in f if line.strip())
    if ids != vectors:
        raise ValueError(f"index {index_dir}: its docid file lists {ids} ids but its index holds {vectors} vectors; "
                         "the folder is damaged or was edited: export it again (hybrid-batch-st export)")


def get_searcher(index_dir: str | Path, model=None, prefer: str = "auto"):
    """Pyserini's ``FaissSearcher`` over an exported index, with the right query encoder.

    Args:
        index_dir: a folder written by :func:`~hybrid_batch_st.pyserini.export.build_index`.
        model: the model that encodes queries (a SentenceTransformer or its folder); default: the one
            exported with the index.
        prefer: ``"auto"`` (Pyserini's ``AutoQueryEncoder`` where the export found it reproduces the
            model, else the model wrapped) or ``"sentence-transformers"`` (always the model wrapped).

    Returns:
        A ``pyserini.search.faiss.FaissSearcher``: ``searcher.search("Who wrote Faust?", k=10)``.

    Raises:
        ImportError: Pyserini is not installed (the ``pyserini`` extra).
        ValueError: the index folder is damaged or the model makes vectors of another dimension.
    """
    _check_docids(Path(index_dir))
    encoder = query_encoder(index_dir, model=model, prefer=prefer)
    from pyserini.search.faiss import FaissSearcher

    return FaissSearcher(str(index_dir), encoder)


def search(
    index_dir: str | Path,
    topics: str | Path | Mapping[str, str],
    output: str | Path,
    *,
    hits: int = 100,
    model=None,
    threads: int = 1,
    batch_size: int = 64,
    output_format: str = "trec",
    tag: str = "hybrid-batch-st",
) -> Path:
    """Search ``topics`` with Pyserini's ``FaissSearcher`` and write the run, atomically.

    Args:
        index_dir: a folder written by :func:`~hybrid_batch_st.pyserini.export.build_index`.
        topics: a TSV file (``qid<TAB>query`` per line) or ``{qid: text}``.
        output: the run file to write (by Pyserini's own output writer).
        hits: hits per query.
        model: the model for queries (default: the one exported with the index).
        threads: search threads.
        batch_size: queries per batch.
        output_format: ``"trec"`` or ``"msmarco"``.
        tag: the run tag (TREC format).

    Returns:
        The run file's path.

    Example:
        ```python
        search("runs/index", "topics.tsv", "run.trec", hits=100)
        score_run("run.trec", "qrels.txt", ["AP", "nDCG@10"])   # hybrid_batch_st.pyserini.score_run
        ```
    """
    if hits < 1:
        raise ValueError(f"hits={hits} must be at least 1")
    topics = read_topics(topics) if not isinstance(topics, Mapping) else dict(topics)
    searcher = get_searcher(index_dir, model=model)
    from pyserini.output_writer import OutputFormat, get_output_writer

    qids, queries = list(topics), list(topics.values())
    output = Path(output)
    with atomic_path(output) as tmp:
        with get_output_writer(str(tmp), OutputFormat(output_format), "w", max_hits=hits, tag=tag) as writer:
            for start in tqdm(range(0, len(qids), batch_size), desc="Searching", unit="batch"):
                chunk_ids = qids[start:start + batch_size]
                results = searcher.batch_search(queries[start:start + batch_size], chunk_ids, k=hits, threads=threads)
                for qid in chunk_ids:
                    writer.write(qid, results[qid])
    return output


def pyserini_cli_args(index_dir: str | Path) -> list[str]:
    """``--index ... --encoder ... --pooling ...`` arguments for Pyserini's own ``pyserini.search.faiss``.

    Args:
        index_dir: a folder written by :func:`~hybrid_batch_st.pyserini.export.build_index`.

    Returns:
        The arguments, to follow ``python -m pyserini.search.faiss``.

    Raises:
        FileNotFoundError: ``index_dir`` is not an exported index folder.
        ValueError: Pyserini's auto encoder cannot reproduce the model (search with :func:`search` instead).

    Example:
        >>> " ".join(pyserini_cli_args("runs/hy-index"))  # doctest: +SKIP
        '--index runs/hy-index --encoder runs/hy-index/encoder --encoder-class auto --pooling mean --l2-norm'
    """
    index_dir = Path(index_dir)
    return ["--index", str(index_dir), *index_settings(index_dir).cli_args(index_dir / ENCODER_DIR)]
