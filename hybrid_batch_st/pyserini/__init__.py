"""Export a sentence-transformers model to Pyserini dense search, and search through Pyserini.

An exported index folder has Pyserini's faiss layout plus the model:

- ``index``: a faiss index (``IndexFlatIP`` by default, ``IndexHNSWFlat`` inner product as an option);
- ``docid``: one document id per line, in index order;
- ``encoder/``: the sentence-transformers model folder, loadable by Pyserini's ``AutoQueryEncoder``;
- ``encoder/hybrid_batch_st_pyserini.json`` and ``hybrid_batch_st.json``: how queries must be encoded
  (pooling, L2 normalisation, query prefix) and whether Pyserini's auto encoder reproduces the model.

Documents are encoded with ``encode_document`` and L2-normalised unless the model's similarity is
``dot``, so inner product equals the model's cosine similarity. Queries go through Pyserini's
``AutoQueryEncoder`` when it reproduces the model's embeddings (checked at export, to 1e-4;
:mod:`.compat`); otherwise (a Dense layer, max / last-token pooling, a prompt Pyserini's prefix
cannot express) through :class:`.encoders.SentenceTransformerQueryEncoder`, a Pyserini ``QueryEncoder`` wrapping
the model, and Pyserini's own CLI refuses the index with a clear error instead of silently using
other embeddings.

Modules: :mod:`.compat` (encoder compatibility and saved settings), :mod:`.export` (index
building), :mod:`.search` (searcher and runs), :mod:`.encoders` (the query encoder classes),
:mod:`.formats` (corpus, topics, runs, qrels), :mod:`.jvm` (Java 21 for Anserini; searching boots
it first, nothing else does).
"""

from .compat import EncoderSettings, encoder_settings, encoder_settings_of, index_settings
from .export import build_index
from .formats import read_corpus, read_topics, score_run, write_benchmark_files, write_corpus
from .jvm import boot_jvm
from .search import get_searcher, pyserini_cli_args, query_encoder, search

__all__ = [
    "EncoderSettings",
    "encoder_settings",
    "encoder_settings_of",
    "index_settings",
    "read_corpus",
    "read_topics",
    "build_index",
    "query_encoder",
    "get_searcher",
    "search",
    "write_corpus",
    "write_benchmark_files",
    "pyserini_cli_args",
    "score_run",
    "boot_jvm",
]
