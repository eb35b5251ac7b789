"""Exact measures from embeddings: the rank of every relevant item in the full ranking, and the
rank-based measures of ir-measures computed from those ranks.

A rank-based measure with binary relevance (AP, RR, P, R, nDCG, Rprec, Success, with or without a
cutoff) depends only on where the relevant items sit in the ranking. So instead of handing
ir-measures a run of every candidate down to the last relevant one (tens of millions of entries on
a multilingual pool, minutes of scoring), the exact 0-based rank of each relevant item is counted
from the score matrix, with ``trec_eval``'s order for ties (score descending, then document id
descending), and the measure's definition (``trec_eval``'s, as ir-measures runs it) is applied to
those ranks. ir-measures parses the measures; any other measure, or a parameter beyond a cutoff
(``AP(rel=2)``, ``ERR@10``, ``Judged@10``), is computed by ir-measures itself on a run holding
every candidate down to the last relevant one and past the measure's cutoff (the whole ranking for
a measure without one). The tests check the two routes give the same per-query values. Ties follow
``trec_eval`` (pytrec_eval, ir-measures' default provider); ir-measures' msmarco provider, which
serves ``RR@k``, orders tied documents by id ascending instead, so on exactly tied scores its
``RR@k`` can differ from the value here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from .results import PairResult

__all__ = ["relevant_ranks", "native_values", "exact_run", "Scorer", "query_block", "device_budget", "SCORE_BUDGET"]

NATIVE = ("AP", "RR", "P", "R", "nDCG", "Rprec", "Success")
#: Bytes of query x pool scores held at once (the pool itself aside): blocks of queries are sized to it,
#: so a million-document pool is ranked in bounded memory.
SCORE_BUDGET = 256 << 20


def query_block(pool_size: int, budget: int = SCORE_BUDGET) -> int:
    """Queries scored at once against a pool of ``pool_size`` documents (float32 scores within ``budget``).

    Args:
        pool_size: documents in the pool.
        budget: bytes of scores held at once; default :data:`SCORE_BUDGET` (256 MiB).

    Returns:
        The block size: between 1 and 1024 queries.

    Example:
        >>> query_block(1_000_000), query_block(1_000)
        (67, 1024)
    """
    return int(max(1, min(1024, budget // (4 * max(1, pool_size)))))


def _blocks(queries: np.ndarray, pool: np.ndarray, exclude: np.ndarray | None) -> Iterator[tuple[int, np.ndarray]]:
    """``(first query, scores)`` per block of queries; a query's excluded document scores -inf. The
    scores of a block are overwritten by the next one: use them before asking for it."""
    step = query_block(len(pool), min(SCORE_BUDGET, pool.nbytes))  # scoring at most doubles the pool's memory
    # float64 queries against a float32 pool would make numpy copy the whole pool to float64
    queries = np.asarray(queries, dtype=pool.dtype)
    starts = range(0, len(queries), step)
    if len(queries) * len(pool) > 500_000_000:  # minutes of work on a CPU: show it
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc=f"Ranking {len(queries):,} queries x {len(pool):,} documents", unit="block")
    buffer = np.empty((min(step, len(queries)), len(pool)), dtype=pool.dtype)
    for start in starts:
        block = queries[start : start + step]
        # one buffer for every block: a fresh 256 MB array per block costs a second of page faults per 1M docs
        scores = buffer[: len(block)]
        np.matmul(block, pool.T, out=scores)
        if exclude is not None:
            rows = np.flatnonzero(exclude[start : start + step] >= 0)
            scores[rows, exclude[start + rows]] = -np.inf
        yield start, scores


def relevant_ranks(queries: np.ndarray, pool: np.ndarray, relevant: list[np.ndarray], doc_names: np.ndarray,
                   exclude: np.ndarray | None = None, device=None) -> list[np.ndarray]:
    """0-based rank of each query's relevant items in the full ranking of ``pool`` by inner product;
    ties ordered as ``trec_eval`` orders them (document id descending). ``exclude[q]`` (>= 0) is a
    document that query ``q`` may not rank (its own text).

    Both routes count the same way (strictly greater scores, then equal scores with a greater id);
    scores of one pair of vectors can differ between devices in the last bit, as any two
    matrix-multiply kernels may.

    Args:
        queries: query embeddings, one row per query.
        pool: document embeddings, one row per document (their dtype is the scores').
        relevant: per query, the pool rows of its relevant documents.
        doc_names: the document ids, one per pool row (they order tied scores).
        exclude: per query, the pool row it may not rank, or -1; None: none excluded.
        device: a torch device (``"cuda:0"``, the model's) to score and count on, in blocks of queries
            sized to its free memory; None (default) counts with numpy on the CPU.

    Returns:
        Per query, an integer array of the 0-based ranks of its relevant documents, in the order of
        ``relevant[q]``.

    Example:
        >>> import numpy as np
        >>> pool = np.eye(3, dtype=np.float32)
        >>> queries = np.array([[0.1, 0.9, 0.5]], dtype=np.float32)
        >>> relevant_ranks(queries, pool, [np.array([2])], np.array(["a", "b", "c"], dtype=object))
        [array([1])]
    """
    if device is not None:
        return _device_ranks(queries, pool, relevant, doc_names, exclude, device)
    ranks = []
    for start, scores in _blocks(queries, pool, exclude):
        for i, row in enumerate(scores):
            rel = relevant[start + i]
            rel_scores = row[rel][:, None]
            rank = np.count_nonzero(row[None, :] > rel_scores, axis=1)
            tied = np.count_nonzero(row[None, :] == rel_scores, axis=1)
            for j in np.flatnonzero(tied > 1):  # rare: identical sentences
                others = np.flatnonzero(row == row[rel[j]])
                rank[j] += int(np.count_nonzero(doc_names[others] > doc_names[rel[j]]))
            ranks.append(rank)
    return ranks


def _name_keys(doc_names: np.ndarray) -> np.ndarray:
    """An integer per document that orders as its id does (``key[a] > key[b]`` iff ``id[a] > id[b]``)."""
    keys = np.empty(len(doc_names), dtype=np.int64)
    keys[np.argsort(doc_names, kind="stable")] = np.arange(len(doc_names))
    return keys


def device_budget(device) -> int:
    """Bytes of scores (and their comparison masks) held at once on ``device``.

    Args:
        device: a torch device or its name (``"cuda:0"``, ``"cpu"``).

    Returns:
        An eighth of its free memory on a CUDA GPU (at most 4 GiB), :data:`SCORE_BUDGET` (256 MiB) elsewhere.
    """
    import torch

    device = torch.device(device)
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(min(free // 8, 4 << 30))
    return SCORE_BUDGET


def _device_ranks(queries, pool, relevant, doc_names, exclude, device) -> list[np.ndarray]:
    """:func:`relevant_ranks` with torch on ``device``: one block of queries at a time, the k-th relevant
    item of every query of the block counted in one pass."""
    import torch

    device = torch.device(device)
    pool_t = torch.as_tensor(np.asarray(pool), device=device)
    queries_t = torch.as_tensor(np.asarray(queries, dtype=pool.dtype), device=device)
    keys = torch.as_tensor(_name_keys(doc_names), device=device)
    # scores plus two masks of the same shape per block: about 6 bytes per score (float32 + 2 bool)
    step = int(max(1, min(4096, device_budget(device) // (6 * max(1, len(pool))))))
    ranks: list[np.ndarray] = []
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # TF32 would round scores to 10 bits and merge near ties
    try:
        for start in range(0, len(queries_t), step):
            block = relevant[start : start + step]
            scores = queries_t[start : start + step] @ pool_t.T
            if exclude is not None:
                rows = np.flatnonzero(exclude[start : start + step] >= 0)
                if len(rows):
                    scores[torch.as_tensor(rows, device=device),
                           torch.as_tensor(exclude[start + rows], device=device)] = float("-inf")
            width = max(len(r) for r in block)
            padded = np.zeros((len(block), width), dtype=np.int64)
            for i, rel in enumerate(block):
                padded[i, : len(rel)] = rel
            padded_t = torch.as_tensor(padded, device=device)
            counts = torch.empty((len(block), width), dtype=torch.int64, device=device)
            for k in range(width):
                docs = padded_t[:, k : k + 1]
                own = scores.gather(1, docs)
                counts[:, k] = ((scores > own) | ((scores == own) & (keys[None, :] > keys[docs]))).sum(1)
            counts_np = counts.cpu().numpy()
            ranks += [counts_np[i, : len(rel)] for i, rel in enumerate(block)]
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    return ranks


def _cutoff(measure, depth: int) -> int | None:
    cut = measure.params.get("cutoff")
    return min(c for c in (cut, depth or None) if c) if (cut or depth) else None


def native_values(measure, ranks: list[np.ndarray], depth: int = 0) -> np.ndarray | None:
    """Per-query values of an ir-measures measure from relevant-item ranks, or None where this
    measure is not one computed here.

    Args:
        measure: a parsed ir-measures measure (``ir_measures.parse_measure("AP")``); AP, RR, P, R, nDCG,
            Rprec and Success, with at most a cutoff, are computed here (binary relevance).
        ranks: per query, the 0-based ranks of its relevant items, as :func:`relevant_ranks` returns them.
        depth: 0 for the full ranking; N > 0: an item ranked below the first N is not retrieved.

    Returns:
        A float array, one value per query; None for a measure not computed here.

    Example:
        >>> import ir_measures, numpy as np
        >>> native_values(ir_measures.parse_measure("RR@10"), [np.array([0, 4]), np.array([11])])
        array([1., 0.])
    """
    name = measure.NAME
    if name not in NATIVE or set(measure.params) - {"cutoff"}:
        return None
    if not ranks:
        return np.empty(0)
    cutoff = _cutoff(measure, depth)
    # every query's 1-based positions, sorted, padded with inf: one array op per measure, not a loop
    n_rel = np.array([len(r) for r in ranks])
    positions = np.full((len(ranks), max(1, n_rel.max())), np.inf)
    for q, rank in enumerate(ranks):
        positions[q, : len(rank)] = np.sort(rank) + 1
    hit = np.isfinite(positions) if cutoff is None else positions <= cutoff
    found = hit.sum(axis=1)
    if name == "AP":
        order = np.arange(1, positions.shape[1] + 1)
        return np.where(hit, order / positions, 0.0).sum(axis=1) / n_rel
    if name == "RR":
        return np.where(found > 0, 1.0 / positions[:, 0], 0.0)
    if name == "P":
        return found / measure.params["cutoff"]
    if name == "R":
        return found / n_rel
    if name == "Success":
        return (found > 0).astype(float)
    if name == "Rprec":
        limit = n_rel if cutoff is None else np.minimum(n_rel, cutoff)
        return (positions <= limit[:, None]).sum(axis=1) / n_rel
    # nDCG: gain 1, discount log2(position + 1), ideal over the relevant items within the cutoff
    ideal_n = n_rel if cutoff is None else np.minimum(n_rel, cutoff)
    discounts = 1.0 / np.log2(np.arange(2, positions.shape[1] + 2))
    ideal = np.cumsum(discounts)[ideal_n - 1]
    return np.where(hit, 1.0 / np.log2(positions + 1), 0.0).sum(axis=1) / ideal


def exact_run(queries: np.ndarray, pool: np.ndarray, relevant: list[np.ndarray], qids: list[str],
              doc_names: np.ndarray, depth: int = 0, top: int | None = 0, exclude: np.ndarray | None = None,
              grades: list[np.ndarray] | None = None) -> tuple[dict, dict]:
    """ir-measures run and qrels holding, per query, every candidate down to its last relevant one and
    at least its ``top`` best (``None``: the whole ranking), or (``depth`` > 0) its ``depth`` best:
    the input for measures not computed from ranks. An excluded document is not in the run.

    Args:
        queries: query embeddings, one row per query.
        pool: document embeddings, one row per document.
        relevant: per query, the pool rows of its relevant documents.
        qids: the query ids, one per row of ``queries``.
        doc_names: the document ids, one per pool row.
        depth: 0: cut by relevance and ``top``; N > 0: keep each query's N best, whatever ``top`` says.
        top: candidates kept at least per query; None keeps the whole ranking.
        exclude: per query, the pool row it may not rank, or -1; None: none excluded.
        grades: per query, the relevance grade of each of its relevant documents; None: all 1.

    Returns:
        ``(run, qrels)``: ``{query id: {document id: score}}`` and ``{query id: {document id: grade}}``.
    """
    run: dict[str, dict[str, float]] = {}
    qrels: dict[str, dict[str, int]] = {}
    for start, scores in _blocks(queries, pool, exclude):
        for i, row in enumerate(scores):
            rel, qid = relevant[start + i], qids[start + i]
            order = np.argsort(-row, kind="stable")
            order = order[np.isfinite(row[order])]
            n = depth or (len(order) if top is None else max(top, int(np.count_nonzero(row >= row[rel].min()))))
            keep = order[:n]
            run[qid] = dict(zip(doc_names[keep].tolist(), row[keep].astype(float).tolist()))
            judged = grades[start + i] if grades is not None else np.ones(len(rel), dtype=int)
            qrels[qid] = {doc_names[d]: int(g) for d, g in zip(rel.tolist(), judged.tolist())}
    return run, qrels


@dataclass
class Scorer:
    """Per-query values of every measure for each pair (a query missing from a run scores 0).

    Args:
        measures: parsed ir-measures measures (``ir_measures.parse_measure("AP")``).
        depth: 0 for exact measures; N cuts each ranking at N first.
        pairs: the pairs scored so far; :meth:`score` appends one per call.
    """

    measures: list[Any]  # parsed ir-measures measures
    depth: int = 0
    pairs: list[PairResult] = field(default_factory=list)

    def score(self, query_lang: str, pool_lang: str, setting: str, ranks: list[np.ndarray], qids: list[str],
              inputs: tuple) -> None:
        """Score one pair and append its :class:`~hybrid_batch_st.evaluation.results.PairResult` to ``pairs``.

        Measures are computed from ``ranks`` where they can be (:func:`native_values`), else by ir-measures on
        a run built from ``inputs`` (so is nDCG where grades are not all 1).

        Args:
            query_lang: the query set's name.
            pool_lang: the pool's name, or ``"all"`` for the multilingual pool.
            setting: ``"monolingual"``, ``"cross-lingual"`` or ``"multilingual"``.
            ranks: per query, the 0-based ranks of its relevant documents (:func:`relevant_ranks`).
            qids: the query ids, one per entry of ``ranks``.
            inputs: ``(queries, pool, relevant, doc_names[, exclude, grades])``, as :func:`exact_run` takes
                them.
        """
        per_query: dict[str, dict[str, float]] = {}
        fallback = []
        graded = len(inputs) > 5 and any(np.any(g != 1) for g in inputs[5])
        for measure in self.measures:
            values = None if graded and measure.NAME == "nDCG" else native_values(measure, ranks, self.depth)
            if values is None:
                fallback.append(measure)
            else:
                per_query[str(measure)] = dict(zip(qids, values.tolist()))
        if fallback:
            import ir_measures

            cutoffs = [m.params.get("cutoff") for m in fallback]
            top = None if None in cutoffs else max(cutoffs)  # a measure without cutoff may read the whole ranking
            run, qrels = exact_run(*inputs[:3], qids, inputs[3], self.depth, top, *inputs[4:6])
            found: dict[str, dict[str, float]] = {str(m): {} for m in fallback}
            for metric in ir_measures.iter_calc(fallback, qrels, run):
                found[str(metric.measure)][metric.query_id] = float(metric.value)
            per_query |= {m: {q: values.get(q, 0.0) for q in qids} for m, values in found.items()}
        per_query = {str(m): per_query[str(m)] for m in self.measures}
        scores = {m: float(np.mean(list(v.values()))) for m, v in per_query.items()}
        self.pairs.append(PairResult(query_lang, pool_lang, setting, scores, len(qids), per_query))
