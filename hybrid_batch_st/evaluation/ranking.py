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
from typing import Any

import numpy as np

from .results import PairResult

__all__ = ["relevant_ranks", "native_values", "exact_run", "Scorer"]

_BLOCK = 1024  # queries scored at once: 1024 x pool floats
NATIVE = ("AP", "RR", "P", "R", "nDCG", "Rprec", "Success")


def relevant_ranks(queries: np.ndarray, pool: np.ndarray, relevant: list[np.ndarray],
                   doc_names: np.ndarray) -> list[np.ndarray]:
    """0-based rank of each query's relevant items in the full ranking of ``pool`` by inner product;
    ties ordered as ``trec_eval`` orders them (document id descending)."""
    ranks = []
    for start in range(0, len(queries), _BLOCK):
        scores = queries[start : start + _BLOCK] @ pool.T
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


def _cutoff(measure, depth: int) -> int | None:
    cut = measure.params.get("cutoff")
    return min(c for c in (cut, depth or None) if c) if (cut or depth) else None


def native_values(measure, ranks: list[np.ndarray], depth: int = 0) -> np.ndarray | None:
    """Per-query values of an ir-measures measure from relevant-item ranks, or None where this
    measure is not one computed here. ``depth`` > 0: items ranked at or below it are not retrieved."""
    name = measure.NAME
    if name not in NATIVE or set(measure.params) - {"cutoff"}:
        return None
    cutoff = _cutoff(measure, depth)
    out = np.empty(len(ranks))
    for q, rank in enumerate(ranks):
        r = np.sort(rank) + 1  # 1-based positions of the relevant items
        n_rel = len(r)
        hit = r if cutoff is None else r[r <= cutoff]
        if name == "AP":
            out[q] = float(np.sum(np.arange(1, len(hit) + 1) / hit)) / n_rel
        elif name == "RR":
            out[q] = 1.0 / hit[0] if len(hit) else 0.0
        elif name == "P":
            out[q] = len(hit) / measure.params["cutoff"]
        elif name == "R":
            out[q] = len(hit) / n_rel
        elif name == "Success":
            out[q] = float(len(hit) > 0)
        elif name == "Rprec":
            out[q] = np.count_nonzero(r <= min(n_rel, cutoff or n_rel)) / n_rel
        else:  # nDCG: gain 1, discount log2(position + 1), ideal over the relevant items within the cutoff
            ideal = np.sum(1.0 / np.log2(np.arange(2, min(n_rel, cutoff or n_rel) + 2)))
            out[q] = float(np.sum(1.0 / np.log2(hit + 1))) / ideal
    return out


def exact_run(queries: np.ndarray, pool: np.ndarray, relevant: list[np.ndarray], qids: list[str],
              doc_names: np.ndarray, depth: int = 0, top: int | None = 0) -> tuple[dict, dict]:
    """ir-measures run and qrels holding, per query, every candidate down to its last relevant one and
    at least its ``top`` best (``None``: the whole ranking), or (``depth`` > 0) its ``depth`` best:
    the input for measures not computed from ranks."""
    run: dict[str, dict[str, float]] = {}
    qrels: dict[str, dict[str, int]] = {}
    for start in range(0, len(queries), _BLOCK):
        scores = queries[start : start + _BLOCK] @ pool.T
        for i, row in enumerate(scores):
            rel, qid = relevant[start + i], qids[start + i]
            order = np.argsort(-row, kind="stable")
            n = depth or (len(row) if top is None else max(top, int(np.count_nonzero(row >= row[rel].min()))))
            keep = order[:n]
            run[qid] = dict(zip(doc_names[keep].tolist(), row[keep].astype(float).tolist()))
            qrels[qid] = {doc_names[d]: 1 for d in rel.tolist()}
    return run, qrels


@dataclass
class Scorer:
    """Per-query values of every measure for each pair (a query missing from a run scores 0)."""

    measures: list[Any]  # parsed ir-measures measures
    depth: int = 0
    pairs: list[PairResult] = field(default_factory=list)

    def score(self, query_lang: str, pool_lang: str, setting: str, ranks: list[np.ndarray], qids: list[str],
              inputs: tuple) -> None:
        """``inputs``: ``(queries, pool, relevant, doc_names)`` embeddings, for measures ir-measures computes."""
        per_query: dict[str, dict[str, float]] = {}
        fallback = []
        for measure in self.measures:
            values = native_values(measure, ranks, self.depth)
            if values is None:
                fallback.append(measure)
            else:
                per_query[str(measure)] = dict(zip(qids, values.tolist()))
        if fallback:
            import ir_measures

            cutoffs = [m.params.get("cutoff") for m in fallback]
            top = None if None in cutoffs else max(cutoffs)  # a measure without cutoff may read the whole ranking
            run, qrels = exact_run(*inputs[:3], qids, inputs[3], self.depth, top)
            found: dict[str, dict[str, float]] = {str(m): {} for m in fallback}
            for metric in ir_measures.iter_calc(fallback, qrels, run):
                found[str(metric.measure)][metric.query_id] = float(metric.value)
            per_query |= {m: {q: values.get(q, 0.0) for q in qids} for m, values in found.items()}
        per_query = {str(m): per_query[str(m)] for m in self.measures}
        scores = {m: float(np.mean(list(v.values()))) for m, v in per_query.items()}
        self.pairs.append(PairResult(query_lang, pool_lang, setting, scores, len(qids), per_query))
