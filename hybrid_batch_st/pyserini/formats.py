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
    """Pyserini JSONL (``{"id": ..., "contents": ...}`` per line): ids and texts, with clear errors.

    Args:
        path: the corpus file.

    Returns:
        ``(ids, texts)`` in file order; ids are strings.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: a line is not such an object, an id is empty, holds whitespace or repeats, or there is no
            document (the message names the line).
    """
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
    """Topics as Pyserini's TSV: ``qid<TAB>query`` per line.

    Blank lines are skipped; tabs after the first stay in the query text.

    Args:
        path: the topics file.

    Returns:
        ``{qid: query text}`` in file order.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: a line lacks a qid or a tab, a qid repeats, or there is no query (the message names the line).
    """
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
    """Write ``(id, text)`` pairs as Pyserini JSONL, atomically.

    Args:
        path: the file to write (replaced if it exists).
        docs: ``(document id, text)`` pairs.

    Returns:
        ``path``.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps({"id": i, "contents": text}, ensure_ascii=False) + "\n" for i, text in docs),
                       encoding="utf-8")
    return path


def write_topics(path: str | Path, topics: Iterable[tuple[str, str]]) -> Path:
    """Write ``(qid, text)`` pairs as Pyserini's topics TSV (whitespace in texts folded), atomically.

    Args:
        path: the file to write (replaced if it exists).
        topics: ``(query id, text)`` pairs.

    Returns:
        ``path``.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text("".join(f"{qid}\t{' '.join(text.split())}\n" for qid, text in topics), encoding="utf-8")
    return path


def write_benchmark_files(
    data, query_lang: str, pool_lang: str, output_dir: str | Path, limit: int | None = None
) -> dict[str, Path]:
    """Pyserini's inputs and TREC qrels for one (query set, pool) pair of a benchmark.

    Writes ``corpus.jsonl`` (every document of the pool), ``topics.tsv`` (the queries with a judged
    document in that pool) and ``qrels.txt``. Document ids are the task's (LAReQA:
    ``<lang>-<sentence index>``, :func:`hybrid_batch_st.tasks.squad_r.doc_id`), as in
    :func:`hybrid_batch_st.evaluation.evaluate`, so a run on them is scored by ``ir_measures`` against
    these qrels.

    Args:
        data: a :class:`~hybrid_batch_st.tasks.task.RetrievalTask` (e.g. from
            :func:`hybrid_batch_st.data.sources.load_eval_data`), or LAReQA's ``{lang: SquadRLanguage}``.
        query_lang: the query set (its language code, for every benchmark but Tatoeba's ``eng-xxx`` sets).
        pool_lang: the pool.
        output_dir: the folder to write into.
        limit: keep only the first ``limit`` queries.

    Returns:
        ``{"corpus": path, "topics": path, "qrels": path}``.

    Raises:
        ValueError: the benchmark has no such (query set, pool) pair.

    Example:
        >>> from hybrid_batch_st.data.sources import load_eval_data
        >>> task = load_eval_data("sample", ["en", "de"])
        >>> files = write_benchmark_files(task, "de", "en", "runs/de-en")  # doctest: +SKIP
    """
    from ..tasks.shapes import as_task

    task = as_task(data)
    if (query_lang, pool_lang) not in task.pairs:
        raise ValueError(f"{task.name or 'benchmark'} has no pair ({query_lang}, {pool_lang}) of query set and "
                         f"pool; pick one of {', '.join(f'{q}->{p}' for q, p in task.pairs)}")
    out = Path(output_dir)
    relevant = {q: r for q in task.queries[query_lang].texts if (r := task.relevant(query_lang, q, pool_lang))}
    questions = [(q, text) for q, text in task.queries[query_lang].texts.items() if q in relevant][:limit]
    files = {"corpus": out / "corpus.jsonl", "topics": out / "topics.tsv", "qrels": out / "qrels.txt"}
    write_corpus(files["corpus"], task.pools[pool_lang].texts.items())
    write_topics(files["topics"], questions)
    with atomic_path(files["qrels"]) as tmp:
        tmp.write_text("".join(f"{q} 0 {d} {g}\n" for q, _ in questions for d, g in relevant[q].items()),
                       encoding="utf-8")
    return files


def score_run(run: str | Path, qrels: str | Path, measures: Iterable[str] | str = DEFAULT_MEASURES) -> dict[str, float]:
    """Score a TREC run file against TREC qrels with ir-measures (mean over the qrels' queries).

    Args:
        run: a run file (``search`` writes one).
        qrels: TREC qrels (``write_benchmark_files`` writes them).
        measures: ir-measures strings.

    Returns:
        ``{measure: value}``; on a benchmark's files it equals the evaluator's value for that pair.

    Raises:
        FileNotFoundError: ``run`` or ``qrels`` does not exist.

    Example:
        >>> score_run("run.trec", "qrels.txt", ["AP", "nDCG@10"])  # doctest: +SKIP
    """
    import ir_measures

    for p in (run, qrels):
        if not Path(p).is_file():
            raise FileNotFoundError(f"{p} does not exist")
    parsed = [ir_measures.parse_measure(m) for m in parse_measures(measures)]
    values = ir_measures.calc_aggregate(parsed, ir_measures.read_trec_qrels(str(qrels)),
                                        ir_measures.read_trec_run(str(run)))
    return {str(m): float(values[m]) for m in parsed}
