"""File formats at the boundary with Pyserini and trec_eval: corpus JSONL, topics TSV, TREC runs and
qrels, and scoring a run file with ir-measures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable

from ..atomic import atomic_path
from ..evaluation.measures import parse_measures
from ..names import DEFAULT_MEASURES
from ..tasks.readers import read_jsonl_objects

__all__ = ["read_corpus", "read_topics", "write_corpus", "write_topics", "write_benchmark_files", "score_run"]


def read_corpus(path: str | Path) -> tuple[list[str], list[str]]:
    """Pyserini JSONL (``{"id": ..., "contents": ...}`` per line): ids and texts, with clear errors."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"corpus file {path} does not exist")
    ids, texts = [], []
    for line_no, doc in read_jsonl_objects(path, ()):  # UTF-8 and JSON errors name the line
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


def write_corpus(path: str | Path, docs: Iterable[tuple[str, str]]) -> Path:
    """Write ``(id, text)`` pairs as Pyserini JSONL, atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps({"id": i, "contents": text}, ensure_ascii=False) + "\n" for i, text in docs),
                       encoding="utf-8")
    return path


def write_topics(path: str | Path, topics: Iterable[tuple[str, str]]) -> Path:
    """Write ``(qid, text)`` pairs as Pyserini's topics TSV (whitespace in texts folded), atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text("".join(f"{qid}\t{' '.join(text.split())}\n" for qid, text in topics), encoding="utf-8")
    return path


def write_benchmark_files(
    data, query_lang: str, pool_lang: str, output_dir: str | Path, limit: int | None = None
) -> dict[str, Path]:
    """``corpus.jsonl`` (sentences of ``pool_lang``), ``topics.tsv`` (questions of ``query_lang``) and
    ``qrels.txt`` (TREC) for one language pair of a benchmark ``{lang: SquadRLanguage}``.

    Document ids are ``<lang>-<sentence index>`` (:func:`hybrid_batch_st.tasks.squad_r.doc_id`), as in
    :func:`hybrid_batch_st.evaluation.evaluate`,
    so a run file on them is scored by ``ir_measures`` against these qrels.
    """
    for lang in (query_lang, pool_lang):
        if lang not in data:
            raise ValueError(f"language {lang!r} is not in the benchmark data ({list(data)})")
    out = Path(output_dir)
    pool = data[pool_lang]
    answer, names = pool.answer_of(), pool.doc_ids()
    questions = [q for q in data[query_lang].questions if q.id in answer][:limit]
    files = {"corpus": out / "corpus.jsonl", "topics": out / "topics.tsv", "qrels": out / "qrels.txt"}
    write_corpus(files["corpus"], zip(names, pool.sentences))
    write_topics(files["topics"], ((q.id, q.text) for q in questions))
    with atomic_path(files["qrels"]) as tmp:
        tmp.write_text("".join(f"{q.id} 0 {names[answer[q.id]]} 1\n" for q in questions), encoding="utf-8")
    return files


def score_run(run: str | Path, qrels: str | Path, measures: Iterable[str] | str = DEFAULT_MEASURES) -> dict[str, float]:
    """Score a TREC run file against TREC qrels with ir-measures (mean over the qrels' queries)."""
    import ir_measures

    for p in (run, qrels):
        if not Path(p).is_file():
            raise FileNotFoundError(f"{p} does not exist")
    parsed = [ir_measures.parse_measure(m) for m in parse_measures(measures)]
    values = ir_measures.calc_aggregate(parsed, ir_measures.read_trec_qrels(str(qrels)),
                                        ir_measures.read_trec_run(str(run)))
    return {str(m): float(values[m]) for m in parsed}
