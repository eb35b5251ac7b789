"""Scoring a model on every language pair of a LAReQA-style benchmark (see ../shared/METHOD.md).

Settings:

- ``monolingual``: questions in X against the sentence pool of X;
- ``cross-lingual``: questions in X against the pool of Y (X != Y), using the
  questions whose id exists in both languages;
- ``multilingual``: questions in X against the union of all pools; relevant are
  the answer sentences in every language that has the question.

Every question and every sentence is encoded once, and not again while the
embedding cache holds it (:mod:`.embedding_cache`). Scores are exact inner
products of normalised embeddings (a BLAS matrix product per block of queries).
Evaluation is exact by default: each query's run handed to ir-measures holds
every candidate down to its last relevant sentence (ties included), which is all
a rank-based measure (AP, RR, nDCG, P@k, R@k, Rprec) reads, so the values are
those of the full ranking, with no sort of the pool. ``depth > 0`` is an
explicit approximation: the ranking is cut there first and a relevant sentence
below it counts as not retrieved. Language bias uses the full multilingual
ranking.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import ir_measures
import numpy as np

from .embedding_cache import EmbeddingCache, cached_encode, model_fingerprint
from .models import query_passage_prompts
from .squad_r import SquadRLanguage

__all__ = ["SETTINGS", "PairResult", "EvaluationResult", "parse_measures", "evaluate", "encode_texts", "doc_id"]

SETTINGS = ("monolingual", "cross-lingual", "multilingual")
MULTILINGUAL_POOL = "all"


def doc_id(lang: str, sentence: int) -> str:
    """The id of a candidate sentence in runs, qrels and exported corpora: ``<lang>-<sentence index>``."""
    return f"{lang}-{sentence}"


def parse_measures(measures: Iterable[str] | str) -> list[str]:
    """Validate ir-measures measure strings (``"AP"``, ``"nDCG@10"``, ...); returns their canonical names."""
    if isinstance(measures, str):
        measures = [m.strip() for m in measures.split(",") if m.strip()]
    out = []
    for text in measures:
        try:
            out.append(str(ir_measures.parse_measure(text)))
        except (NameError, ValueError, SyntaxError, TypeError) as exc:
            raise ValueError(
                f"unknown ir-measures measure {text!r} ({exc}); examples: AP, nDCG@10, R@100, RR@10, P@5"
            ) from None
    if not out:
        raise ValueError("no measures given; examples: AP, nDCG@10, R@100")
    return list(dict.fromkeys(out))


@dataclass
class PairResult:
    query_lang: str
    pool_lang: str
    setting: str
    scores: dict[str, float]
    n_queries: int
    #: ``{measure: {query id: value}}``, written to ``per_query.tsv.gz`` beside results.json
    per_query: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query_lang": self.query_lang,
            "pool_lang": self.pool_lang,
            "setting": self.setting,
            **self.scores,
            "n_queries": self.n_queries,
        }


@dataclass
class EvaluationResult:
    benchmark: str
    model: str
    languages: list[str]
    measures: list[str]
    depth: int
    pairs: list[PairResult]
    macro: dict[str, dict[str, float]]
    language_bias: dict[str, Any]
    timing: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("pairs", "extra")}
        out["pairs"] = [p.to_dict() for p in self.pairs]  # per-query values go to a side file
        out.update(self.extra)
        return out

    def score(self, query_lang: str, pool_lang: str, measure: str | None = None) -> float:
        measure = measure or self.measures[0]
        for p in self.pairs:
            if p.query_lang == query_lang and p.pool_lang == pool_lang:
                return p.scores[measure]
        raise KeyError(f"no pair ({query_lang}, {pool_lang}) in this result")


def encode_texts(model, texts: Sequence[str], prompt: str | None, batch_size: int, show_progress_bar: bool,
                 cache: EmbeddingCache | None = None):
    """Normalised float32 embeddings; ``prompt`` is prepended text (e.g. e5's ``"query: "``).

    With ``cache``, texts encoded before by the same model (and prompt) are read from it.
    """
    def encode(batch: list[str]) -> np.ndarray:
        embeddings = model.encode(batch, prompt=prompt, batch_size=batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=show_progress_bar)
        return np.ascontiguousarray(embeddings, dtype=np.float32)

    return np.ascontiguousarray(cached_encode(encode, texts, prompt, cache), dtype=np.float32)


def _prompts(model, query_prompt: str | None, passage_prompt: str | None) -> tuple[str | None, str | None]:
    model_query, model_passage = query_passage_prompts(model)
    return (model_query if query_prompt is None else query_prompt,
            model_passage if passage_prompt is None else passage_prompt)


_BLOCK = 1024  # queries scored at once: 1024 x pool floats


def _runs(queries: np.ndarray, pool: np.ndarray, relevant: list[np.ndarray], qids: list[str], doc_names: np.ndarray,
          depth: int) -> tuple[dict, dict, np.ndarray]:
    """ir-measures run and qrels for queries against a pool, and the 0-based rank of each query's relevant items.

    A query's run holds every candidate scoring at least its lowest-scoring relevant one (ties kept):
    the ranking down to its last relevant item, which is all any rank-based measure reads, so the
    measures equal those of the full ranking. With ``depth > 0`` the ranking is first cut at ``depth``
    (an approximation: a relevant item below it counts as not retrieved).
    """
    run: dict[str, dict[str, float]] = {}
    qrels: dict[str, dict[str, int]] = {}
    ranks = []
    for start in range(0, len(queries), _BLOCK):
        scores = queries[start : start + _BLOCK] @ pool.T
        for i, row in enumerate(scores):
            rel = relevant[start + i]
            rel_scores = row[rel]
            ranks.append(np.count_nonzero(row[None, :] > rel_scores[:, None], axis=1))
            if depth and len(row) > depth:
                top = np.argpartition(-row, depth - 1)[:depth]
                retrieved = rel[np.isin(rel, top)]
                keep = top[row[top] >= (row[retrieved].min() if len(retrieved) else row[top].min())]
            else:
                keep = np.flatnonzero(row >= rel_scores.min())
            qid = qids[start + i]
            run[qid] = dict(zip(doc_names[keep].tolist(), row[keep].astype(float).tolist()))
            qrels[qid] = {doc_names[d]: 1 for d in rel.tolist()}
    return run, qrels, ranks


@dataclass
class _Scorer:
    """Scores runs with ir-measures, keeping per-query values; times itself."""

    measures: list[Any]
    pairs: list[PairResult] = field(default_factory=list)
    seconds: float = 0.0

    def score(self, query_lang: str, pool: str, setting: str, run: dict, qrels: dict) -> None:
        start = time.perf_counter()
        per_query: dict[str, dict[str, float]] = {str(m): {} for m in self.measures}
        for metric in ir_measures.iter_calc(self.measures, qrels, run):
            per_query[str(metric.measure)][metric.query_id] = float(metric.value)
        scores = {m: float(np.mean([per_query[m].get(q, 0.0) for q in qrels])) for m in per_query}
        self.pairs.append(PairResult(query_lang, pool, setting, scores, len(qrels), per_query))
        self.seconds += time.perf_counter() - start


def evaluate(
    model,
    data: Mapping[str, SquadRLanguage],
    measures: Iterable[str] | str = ("AP",),
    *,
    depth: int = 0,
    settings: Sequence[str] = SETTINGS,
    batch_size: int = 64,
    query_prompt: str | None = None,
    passage_prompt: str | None = None,
    show_progress_bar: bool = True,
    benchmark: str = "",
    model_name: str = "",
    cache: bool | str | Path = True,
) -> EvaluationResult:
    """Score ``model`` on every language pair of ``data`` (``{lang: SquadRLanguage}``).

    Exact by default: every measure is that of the full ranking. ``depth > 0`` cuts each ranking at
    that depth first (an approximation). ``query_prompt`` / ``passage_prompt`` default to the model's
    ``"query"`` and ``"passage"`` prompts when it has them (e5-style models). ``cache``: reuse and
    store embeddings in the embedding cache (:mod:`hybrid_batch_st.embedding_cache`; a folder path
    picks another cache folder, False encodes everything).
    """
    measures = parse_measures(measures)
    unknown = [s for s in settings if s not in SETTINGS]
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; choose from {SETTINGS}")
    if depth < 0:
        raise ValueError(f"depth={depth} must be >= 0 (0 = the full ranking, exact)")
    languages = list(data)
    if not languages:
        raise ValueError("no languages to evaluate")
    for lang, d in data.items():
        if not d.questions or not d.sentences:
            raise ValueError(f"language {lang!r} has no {'questions' if not d.questions else 'sentences'} to evaluate")
    query_prompt, passage_prompt = _prompts(model, query_prompt, passage_prompt)

    t0 = time.perf_counter()
    store = None
    if cache:
        store = EmbeddingCache(model_fingerprint(model), None if cache is True else cache)
    q_all = encode_texts(model, [q.text for lang in languages for q in data[lang].questions], query_prompt,
                         batch_size, show_progress_bar, store)
    s_all = encode_texts(model, [s for lang in languages for s in data[lang].sentences], passage_prompt,
                         batch_size, show_progress_bar, store)
    encode_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    q_off = np.cumsum([0] + [len(data[lang].questions) for lang in languages])
    s_off = np.cumsum([0] + [len(data[lang].sentences) for lang in languages])
    q_emb = {lang: q_all[q_off[n] : q_off[n + 1]] for n, lang in enumerate(languages)}
    s_emb = {lang: s_all[s_off[n] : s_off[n + 1]] for n, lang in enumerate(languages)}
    answer = {lang: {q.id: q.sentence for q in data[lang].questions} for lang in languages}
    names = {lang: np.array([doc_id(lang, i) for i in range(len(data[lang].sentences))], dtype=object)
             for lang in languages}
    scorer = _Scorer([ir_measures.parse_measure(m) for m in measures])
    for x in languages:
        for y in languages:
            setting = "monolingual" if x == y else "cross-lingual"
            rows = [r for r, q in enumerate(data[x].questions) if q.id in answer[y]]
            if setting not in settings or not rows:
                continue
            questions = [data[x].questions[r] for r in rows]
            relevant = [np.array([answer[y][q.id]]) for q in questions]
            run, qrels, _ = _runs(q_emb[x][rows], s_emb[y], relevant, [q.id for q in questions], names[y], depth)
            scorer.score(x, y, setting, run, qrels)

    rank_distances: list[float] = []
    same_top1: dict[str, float] = {}
    if "multilingual" in settings:
        all_names = np.concatenate([names[lang] for lang in languages])
        for x in languages:
            questions = data[x].questions
            relevant = [np.array([s_off[n] + answer[y][q.id] for n, y in enumerate(languages) if q.id in answer[y]])
                        for q in questions]
            run, qrels, ranks = _runs(q_emb[x], s_all, relevant, [q.id for q in questions], all_names, depth)
            own = 0
            for rel, rank in zip(relevant, ranks):
                if len(rel) > 1:
                    rank_distances.append(float(rank.max() - rank.min()))
                best = rel[int(rank.argmin())]
                own += int(s_off[languages.index(x)] <= best < s_off[languages.index(x) + 1])
            same_top1[x] = own / len(questions)
            scorer.score(x, MULTILINGUAL_POOL, "multilingual", run, qrels)
    search_s = time.perf_counter() - t1 - scorer.seconds

    pairs = scorer.pairs
    macro = {
        setting: {m: float(np.mean([p.scores[m] for p in pairs if p.setting == setting])) for m in measures}
        for setting in settings
        if any(p.setting == setting for p in pairs)
    }
    bias = {
        "rank_distance": float(np.mean(rank_distances)) if rank_distances else None,
        "same_language_top1": same_top1,
    }
    return EvaluationResult(
        benchmark=benchmark,
        model=model_name,
        languages=languages,
        measures=measures,
        depth=depth,
        pairs=pairs,
        macro=macro,
        language_bias=bias,
        timing={"encode_s": encode_s, "search_s": search_s, "score_s": scorer.seconds},
    )
