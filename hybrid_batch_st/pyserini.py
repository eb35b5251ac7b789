"""Export a sentence-transformers model to Pyserini dense search, and search through Pyserini.

An exported index folder has Pyserini's faiss layout plus the model:

- ``index``: a faiss index (``IndexFlatIP`` by default, ``IndexHNSWFlat`` inner product as an option);
- ``docid``: one document id per line, in index order;
- ``encoder/``: the sentence-transformers model folder, loadable by Pyserini's ``AutoQueryEncoder``;
- ``encoder/hybrid_batch_st_pyserini.json`` and ``hybrid_batch_st.json``: how queries must be encoded
  (pooling, L2 normalisation, query prefix) and whether Pyserini's auto encoder reproduces the model.

Documents are encoded with the model's passage prompt (if any) and L2-normalised unless the model's
similarity is ``dot``, so inner product equals the model's cosine similarity. Queries go through
Pyserini's ``AutoQueryEncoder`` when it reproduces the model's embeddings (checked at export, to
1e-4); otherwise (a Dense layer, max / last-token pooling, a prompt Pyserini's prefix cannot express)
through :class:`SentenceTransformerQueryEncoder`, a Pyserini ``QueryEncoder`` wrapping the model, and
Pyserini's own CLI refuses the index with a clear error instead of silently using other embeddings.

Everything here boots the JVM first (:mod:`hybrid_batch_st.jvm`).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import faiss
import numpy as np
from tqdm.auto import tqdm

from .evaluation import doc_id
from .io import atomic_dir, atomic_path
from .jvm import boot_jvm
from .models import load_model, query_passage_prompts, resolve_model

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
]

logger = logging.getLogger(__name__)

ENCODER_DIR = "encoder"
SETTINGS_FILE = "hybrid_batch_st_pyserini.json"
INDEX_INFO = "hybrid_batch_st.json"
_AUTO_POOLINGS = ("mean", "cls")  # what AutoQueryEncoder implements


@dataclass
class EncoderSettings:
    """How Pyserini must encode queries for a model (``--pooling``, ``--l2-norm``, ``--query-prefix``)."""

    pooling: str | None
    l2_norm: bool
    prefix: str | None
    query_prompt: str | None
    passage_prompt: str | None
    dimension: int
    auto_compatible: bool
    reason: str | None = None

    def cli_args(self, encoder_dir: str | Path) -> list[str]:
        """Arguments for ``pyserini.search.faiss`` that load ``encoder_dir`` like the model."""
        if not self.auto_compatible:
            raise ValueError(
                f"--encoder {encoder_dir}: Pyserini's auto encoder cannot reproduce this model ({self.reason}); "
                "use `hybrid-batch-st search`, which wraps it in a Pyserini QueryEncoder"
            )
        args = ["--encoder", str(encoder_dir), "--encoder-class", "auto", "--pooling", self.pooling]
        if self.l2_norm:
            args.append("--l2-norm")
        if self.prefix:
            args += ["--query-prefix", self.prefix]
        return args


def _load_st_model(model_or_path):
    from sentence_transformers import SentenceTransformer

    if isinstance(model_or_path, SentenceTransformer):
        return model_or_path, None
    path = Path(model_or_path)
    if path.exists() and not (path / "modules.json").is_file():
        raise ValueError(
            f"model folder {path} is not a sentence-transformers model (no modules.json); "
            "save one with SentenceTransformer.save(path) or train it with `hybrid-batch-st train`"
        )
    resolved = Path(resolve_model(model_or_path))
    return load_model(model_or_path, device="cpu"), (resolved if resolved.is_dir() else None)


def encoder_settings(model) -> EncoderSettings:
    """What Pyserini's ``AutoQueryEncoder`` needs to reproduce ``model``'s query embeddings, if it can."""
    query_prompt, passage_prompt = query_passage_prompts(model)
    normalise = getattr(model, "similarity_fn_name", "cosine") != "dot"
    names = [type(m).__name__ for m in model]
    dimension = int((model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else model.get_sentence_embedding_dimension()))
    reason = None
    pooling = None
    if not names or names[0] != "Transformer":
        reason = f"its first module is {names[:1]}, not a Transformer"
    elif len(names) < 2 or names[1] != "Pooling":
        reason = f"its modules are {names}; Pyserini's auto encoder needs Transformer + Pooling (+ Normalize)"
    elif any(n != "Normalize" for n in names[2:]):
        reason = f"it has modules Pyserini's auto encoder lacks: {[n for n in names[2:] if n != 'Normalize']}"
    else:
        mode = getattr(model[1], "pooling_mode", None)
        if mode is None and hasattr(model[1], "get_pooling_mode_str"):  # older sentence-transformers
            mode = model[1].get_pooling_mode_str()
        mode = mode if isinstance(mode, str) else str(mode)
        pooling = mode if mode in _AUTO_POOLINGS else None
        if pooling is None:
            reason = f"its pooling is {mode!r}; Pyserini's auto encoder does only mean or cls pooling"
        if "Normalize" in names[2:]:
            normalise = True
    prefix = None
    if reason is None and query_prompt:
        # AutoQueryEncoder builds f"{prefix} {query}": a prompt ending in exactly one space maps to a prefix.
        if query_prompt.endswith(" ") and not query_prompt.endswith("  ") and query_prompt.strip():
            prefix = query_prompt[:-1]
        else:
            reason = f"its query prompt {query_prompt!r} is not '<prefix> ' as Pyserini's --query-prefix builds"
        if reason is None and getattr(model[1], "include_prompt", True) is False:
            reason = "its pooling excludes prompt tokens, which Pyserini's auto encoder includes"
    return EncoderSettings(
        pooling=pooling, l2_norm=normalise, prefix=prefix, query_prompt=query_prompt,
        passage_prompt=passage_prompt, dimension=dimension, auto_compatible=reason is None, reason=reason,
    )


def read_corpus(path: str | Path) -> tuple[list[str], list[str]]:
    """Pyserini JSONL (``{"id": ..., "contents": ...}`` per line): ids and texts, with clear errors."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"corpus file {path} does not exist")
    ids, texts = [], []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{line_no}: not JSON ({exc})") from None
            if not isinstance(doc, dict) or "id" not in doc or not isinstance(doc.get("contents"), str):
                raise ValueError(f'{path}:{line_no}: each line needs "id" and a string "contents" (Pyserini JSONL)')
            docid = str(doc["id"])
            if not docid or any(c.isspace() for c in docid):
                raise ValueError(f"{path}:{line_no}: document id {docid!r} is empty or contains whitespace")
            ids.append(docid)
            texts.append(doc["contents"])
    if not ids:
        raise ValueError(f"corpus file {path} holds no documents")
    dupes = [d for d, c in Counter(ids).items() if c > 1]
    if dupes:
        raise ValueError(f"corpus file {path} has {len(dupes)} duplicate document id(s), e.g. {dupes[:5]}")
    return ids, texts


def read_topics(path: str | Path) -> dict[str, str]:
    """Topics as Pyserini's TSV: ``qid<TAB>query`` per line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"topics file {path} does not exist")
    topics: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0]:
                raise ValueError(f"{path}:{line_no}: expected 'qid<TAB>query text'")
            if parts[0] in topics:
                raise ValueError(f"{path}:{line_no}: duplicate query id {parts[0]!r}")
            topics[parts[0]] = "\t".join(parts[1:])
    if not topics:
        raise ValueError(f"topics file {path} holds no queries")
    return topics


def _check_parity(model, settings: EncoderSettings, encoder_dir: Path, samples: Sequence[str]) -> EncoderSettings:
    """Compare Pyserini's AutoQueryEncoder with the model on ``samples``; mark incompatible if they differ."""
    if not settings.auto_compatible:
        return settings
    boot_jvm()
    from pyserini.encode import AutoQueryEncoder

    auto = AutoQueryEncoder(str(encoder_dir), pooling=settings.pooling, l2_norm=settings.l2_norm, prefix=settings.prefix)
    theirs = np.stack([auto.encode(text) for text in samples])
    ours = _st_query_embeddings(model, settings, samples)
    gap = float(np.abs(theirs - ours).max())
    if gap > 1e-4:
        settings.auto_compatible = False
        settings.reason = f"Pyserini's AutoQueryEncoder embeddings differ from the model's by up to {gap:.2e}"
        logger.warning("%s; searches will use SentenceTransformerQueryEncoder", settings.reason)
    return settings


def _st_query_embeddings(model, settings: EncoderSettings, texts: Sequence[str]) -> np.ndarray:
    return np.asarray(
        model.encode(list(texts), prompt=settings.query_prompt, normalize_embeddings=settings.l2_norm,
                     convert_to_numpy=True, show_progress_bar=False),
        dtype=np.float32,
    )


def build_index(
    model,
    corpus: str | Path,
    index_dir: str | Path,
    *,
    index_type: str = "flat",
    hnsw_m: int = 32,
    batch_size: int = 64,
    overwrite: bool = False,
    show_progress_bar: bool = True,
) -> Path:
    """Encode ``corpus`` (Pyserini JSONL) with ``model`` (a SentenceTransformer or its folder) into ``index_dir``.

    The folder appears only once complete. Returns its path.
    """
    if index_type not in ("flat", "hnsw"):
        raise ValueError(f"index_type={index_type!r} must be 'flat' or 'hnsw'")
    ids, texts = read_corpus(corpus)
    model, model_dir = _load_st_model(model)
    settings = encoder_settings(model)
    index_dir = Path(index_dir)
    with atomic_dir(index_dir, overwrite=overwrite) as tmp:
        embeddings = np.asarray(
            model.encode(texts, prompt=settings.passage_prompt, batch_size=batch_size,
                         normalize_embeddings=settings.l2_norm, convert_to_numpy=True,
                         show_progress_bar=show_progress_bar),
            dtype=np.float32,
        )
        if index_type == "flat":
            index = faiss.IndexFlatIP(settings.dimension)
        else:
            index = faiss.IndexHNSWFlat(settings.dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.add(embeddings)
        faiss.write_index(index, str(tmp / "index"))
        (tmp / "docid").write_text("".join(f"{d}\n" for d in ids), encoding="utf-8")
        encoder_dir = tmp / ENCODER_DIR
        if model_dir is not None:
            shutil.copytree(model_dir, encoder_dir)
        else:
            model.save(str(encoder_dir))
        settings = _check_parity(model, settings, encoder_dir, texts[:3])
        info = asdict(settings)
        (encoder_dir / SETTINGS_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        info.update(documents=len(ids), index_type=index_type, model=str(model_dir or "in-memory model"))
        (tmp / INDEX_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return index_dir


def encoder_settings_of(encoder_dir: str | Path) -> EncoderSettings | None:
    """The settings saved with an exported encoder folder, or None if it was not exported by hybrid-batch-st."""
    path = Path(encoder_dir) / SETTINGS_FILE
    return EncoderSettings(**json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None


def index_settings(index_dir: str | Path) -> EncoderSettings:
    """The query-encoding settings of an index exported by :func:`build_index`."""
    index_dir = Path(index_dir)
    if not (index_dir / "index").is_file() or not (index_dir / "docid").is_file():
        raise FileNotFoundError(f"{index_dir} is not a Pyserini faiss index folder (needs 'index' and 'docid')")
    settings = encoder_settings_of(index_dir / ENCODER_DIR)
    if settings is None:
        raise FileNotFoundError(f"{index_dir} was not exported by hybrid-batch-st (no {ENCODER_DIR}/{SETTINGS_FILE}); "
                                "pass --model to say which model encodes queries")
    return settings


def _wrapper_class():
    boot_jvm()
    from pyserini.encode import QueryEncoder

    class SentenceTransformerQueryEncoder(QueryEncoder):
        """A Pyserini ``QueryEncoder`` that encodes with a sentence-transformers model (prompt, pooling, modules)."""

        def __init__(self, model, settings: EncoderSettings):
            super().__init__(None)
            self.model, self.settings = model, settings
            self.has_model = True

        def encode(self, query: str, **kwargs) -> np.ndarray:
            return _st_query_embeddings(self.model, self.settings, [query])[0]

        def encode_batch(self, queries: Sequence[str]) -> np.ndarray:
            return _st_query_embeddings(self.model, self.settings, queries)

    return SentenceTransformerQueryEncoder


def query_encoder(index_dir: str | Path, model=None, prefer: str = "auto"):
    """A Pyserini ``QueryEncoder`` for an exported index.

    ``prefer="auto"`` uses Pyserini's ``AutoQueryEncoder`` on ``<index>/encoder`` when it reproduces the
    model, else :class:`SentenceTransformerQueryEncoder`; ``prefer="sentence-transformers"`` always wraps.
    ``model`` (a SentenceTransformer or folder) replaces the exported one; its dimension must match the index.
    """
    boot_jvm()
    index_dir = Path(index_dir)
    settings = index_settings(index_dir)
    if model is not None:
        st_model, _ = _load_st_model(model)
        settings = encoder_settings(st_model)
        _check_dimension(index_dir, settings.dimension, str(model))
    else:
        st_model = None
    if prefer == "auto" and settings.auto_compatible and model is None:
        from pyserini.encode import AutoQueryEncoder

        return AutoQueryEncoder(str(index_dir / ENCODER_DIR), pooling=settings.pooling,
                                l2_norm=settings.l2_norm, prefix=settings.prefix)
    if st_model is None:
        st_model, _ = _load_st_model(index_dir / ENCODER_DIR)
    return _wrapper_class()(st_model, settings)


def _check_dimension(index_dir: Path, dimension: int, what: str) -> None:
    index = faiss.read_index(str(index_dir / "index"))
    if index.d != dimension:
        raise ValueError(
            f"index {index_dir} holds {index.d}-dimensional vectors but model {what} makes {dimension}-dimensional "
            "ones; re-export the index with this model (hybrid-batch-st export)"
        )


def get_searcher(index_dir: str | Path, model=None, prefer: str = "auto"):
    """Pyserini's ``FaissSearcher`` over an exported index, with the right query encoder."""
    encoder = query_encoder(index_dir, model=model, prefer=prefer)
    from pyserini.search.faiss import FaissSearcher

    return FaissSearcher(str(index_dir), encoder)


def search(
    index_dir: str | Path,
    topics: str | Path | Mapping[str, str],
    output: str | Path,
    *,
    k: int = 100,
    model=None,
    threads: int = 1,
    batch_size: int = 64,
    tag: str = "hybrid-batch-st",
) -> Path:
    """Search ``topics`` (TSV path or ``{qid: text}``) with Pyserini's FaissSearcher; write a TREC run atomically."""
    if k < 1:
        raise ValueError(f"k={k} must be at least 1")
    topics = read_topics(topics) if not isinstance(topics, Mapping) else dict(topics)
    searcher = get_searcher(index_dir, model=model)
    qids, queries = list(topics), list(topics.values())
    lines = []
    for start in tqdm(range(0, len(qids), batch_size), desc="Searching", unit="batch"):
        chunk_q, chunk_ids = queries[start:start + batch_size], qids[start:start + batch_size]
        hits = searcher.batch_search(chunk_q, chunk_ids, k=k, threads=threads)
        for qid in chunk_ids:
            for rank, hit in enumerate(hits[qid], 1):
                lines.append(f"{qid} Q0 {hit.docid} {rank} {hit.score:.6f} {tag}\n")
    output = Path(output)
    with atomic_path(output) as tmp:
        tmp.write_text("".join(lines), encoding="utf-8")
    return output


def pyserini_cli_args(index_dir: str | Path) -> list[str]:
    """``--index ... --encoder ... --pooling ...`` arguments for Pyserini's own ``pyserini.search.faiss``."""
    index_dir = Path(index_dir)
    return ["--index", str(index_dir), *index_settings(index_dir).cli_args(index_dir / ENCODER_DIR)]


def write_corpus(path: str | Path, docs: Iterable[tuple[str, str]]) -> Path:
    """Write ``(id, text)`` pairs as Pyserini JSONL, atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps({"id": i, "contents": text}, ensure_ascii=False) + "\n" for i, text in docs),
                       encoding="utf-8")
    return path


def write_benchmark_files(
    data, query_lang: str, pool_lang: str, output_dir: str | Path, limit: int | None = None
) -> dict[str, Path]:
    """``corpus.jsonl`` (sentences of ``pool_lang``), ``topics.tsv`` (questions of ``query_lang``) and
    ``qrels.txt`` (TREC) for one language pair of a benchmark ``{lang: SquadRLanguage}``.

    Document ids are ``<lang>-<sentence index>``, as in :func:`hybrid_batch_st.evaluation.evaluate`,
    so a run file on them is scored by ``ir_measures`` against these qrels.
    """
    for lang in (query_lang, pool_lang):
        if lang not in data:
            raise ValueError(f"language {lang!r} is not in the benchmark data ({list(data)})")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    pool = data[pool_lang]
    answer = {q.id: q.sentence for q in pool.questions}
    questions = [q for q in data[query_lang].questions if q.id in answer][:limit]
    files = {"corpus": out / "corpus.jsonl", "topics": out / "topics.tsv", "qrels": out / "qrels.txt"}
    write_corpus(files["corpus"], ((doc_id(pool_lang, i), text) for i, text in enumerate(pool.sentences)))
    with atomic_path(files["topics"]) as tmp:
        tmp.write_text("".join(f"{q.id}\t{' '.join(q.text.split())}\n" for q in questions), encoding="utf-8")
    with atomic_path(files["qrels"]) as tmp:
        tmp.write_text("".join(f"{q.id} 0 {doc_id(pool_lang, answer[q.id])} 1\n" for q in questions), encoding="utf-8")
    return files


def score_run(run: str | Path, qrels: str | Path, measures: Iterable[str] | str = ("AP",)) -> dict[str, float]:
    """Score a TREC run file against TREC qrels with ir-measures (mean over queries)."""
    import ir_measures

    from .evaluation import parse_measures

    for p in (run, qrels):
        if not Path(p).is_file():
            raise FileNotFoundError(f"{p} does not exist")
    parsed = [ir_measures.parse_measure(m) for m in parse_measures(measures)]
    values = ir_measures.calc_aggregate(parsed, ir_measures.read_trec_qrels(str(qrels)), ir_measures.read_trec_run(str(run)))
    return {str(m): float(values[m]) for m in parsed}
