"""Scoring a model on every language pair of a LAReQA-style benchmark (see ../shared/METHOD.md).

Settings:

- ``monolingual``: questions in X against the sentence pool of X;
- ``cross-lingual``: questions in X against the pool of Y (X != Y), using the
  questions whose id exists in both languages;
- ``multilingual``: questions in X against the union of all pools; relevant are
  the answer sentences in every language that has the question.

Every question and every sentence is encoded once per run. Search is exact
inner product (faiss ``IndexFlatIP``) on normalised embeddings. Runs go to
ir-measures; each query's run is cut after its last relevant sentence (ties
included), which leaves every rank-based measure (AP, RR, nDCG, P@k, R@k,
Rprec) unchanged, and at ``depth`` (default 100; 0 = the whole pool): a
relevant sentence ranked below ``depth`` counts as not retrieved. Language bias
uses the full multilingual ranking.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import faiss
import ir_measures
import numpy as np

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
        out = asdict(self)
        out["pairs"] = [p.to_dict() for p in self.pairs]
        extra = out.pop("extra")
        out.update(extra)
        return out

    def score(self, query_lang: str, pool_lang: str, measure: str | None = None) -> float:
        measure = measure or self.measures[0]
        for p in self.pairs:
            if p.query_lang == query_lang and p.pool_lang == pool_lang:
                return p.scores[measure]
        raise KeyError(f"no pair ({query_lang}, {pool_lang}) in this result")


def encode_texts(model, texts: Sequence[str], prompt: str | None, batch_size: int, show_progress_bar: bool):
    """Normalised float32 embeddings; ``prompt`` is prepended text (e.g. e5's ``"query: "``)."""
    embeddings = model.encode(
        list(texts),
        prompt=prompt,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=show_progress_bar,
    )
    return np.ascontiguousarray(embeddings, dtype=np.float32)


def _prompts(model, query_prompt: str | None, passage_prompt: str | None) -> tuple[str | None, str | None]:
    model_query, model_passage = query_passage_prompts(model)
    return (model_query if query_prompt is None else query_prompt,
            model_passage if passage_prompt is None else passage_prompt)


def _flat_index(vectors: np.ndarray) -> faiss.IndexFlatIP:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def _run_and_qrels(qids, relevant, scores, ids, doc_names):
    """ir-measures run (cut after the last relevant hit, ties kept) and qrels for one pair.

    ``relevant[i]`` is the set of relevant doc positions of query ``i``; ``ids``/``scores`` are faiss results.
    """
    run: dict[str, dict[str, float]] = {}
    qrels: dict[str, dict[str, int]] = {}
    for i, qid in enumerate(qids):
        row_ids, row_scores = ids[i], scores[i]
        hits = np.flatnonzero(np.isin(row_ids, list(relevant[i])))
        if len(hits):
            threshold = row_scores[hits[-1]]
            cut = int(np.searchsorted(-row_scores, -threshold, side="right"))
        else:
            cut = len(row_ids)
        run[qid] = dict(zip(doc_names[row_ids[:cut]].tolist(), row_scores[:cut].astype(float).tolist()))
        qrels[qid] = {doc_names[d]: 1 for d in relevant[i]}
    return run, qrels


def evaluate(
    model,
    data: Mapping[str, SquadRLanguage],
    measures: Iterable[str] | str = ("AP",),
    *,
    depth: int = 100,
    settings: Sequence[str] = SETTINGS,
    batch_size: int = 64,
    query_prompt: str | None = None,
    passage_prompt: str | None = None,
    show_progress_bar: bool = True,
    benchmark: str = "",
    model_name: str = "",
) -> EvaluationResult:
    """Score ``model`` on every language pair of ``data`` (``{lang: SquadRLanguage}``).

    ``query_prompt`` / ``passage_prompt`` default to the model's ``"query"`` and
    ``"passage"`` prompts when it has them (e5-style models).
    """
    measures = parse_measures(measures)
    parsed_measures = [ir_measures.parse_measure(m) for m in measures]
    unknown = [s for s in settings if s not in SETTINGS]
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; choose from {SETTINGS}")
    if depth < 0:
        raise ValueError(f"depth={depth} must be >= 0 (0 = rank the whole pool)")
    languages = list(data)
    if not languages:
        raise ValueError("no languages to evaluate")
    for lang, d in data.items():
        if not d.questions or not d.sentences:
            raise ValueError(f"language {lang!r} has no {'questions' if not d.questions else 'sentences'} to evaluate")
    query_prompt, passage_prompt = _prompts(model, query_prompt, passage_prompt)

    # ---- encode each question and each sentence once
    t0 = time.perf_counter()
    q_emb_all = encode_texts(
        model, [q.text for lang in languages for q in data[lang].questions], query_prompt, batch_size, show_progress_bar
    )
    s_emb_all = encode_texts(
        model, [s for lang in languages for s in data[lang].sentences], passage_prompt, batch_size, show_progress_bar
    )
    encode_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    q_off = np.cumsum([0] + [len(data[lang].questions) for lang in languages])
    s_off = np.cumsum([0] + [len(data[lang].sentences) for lang in languages])
    q_emb = {lang: q_emb_all[q_off[n] : q_off[n + 1]] for n, lang in enumerate(languages)}
    s_start = {lang: int(s_off[n]) for n, lang in enumerate(languages)}
    doc_names = np.array([doc_id(lang, i) for lang in languages for i in range(len(data[lang].sentences))], dtype=object)
    # answer sentence of each question id, per language (global sentence positions)
    answer_of = {lang: {q.id: s_start[lang] + q.sentence for q in data[lang].questions} for lang in languages}
    pool_index = {lang: _flat_index(s_emb_all[s_off[n] : s_off[n + 1]]) for n, lang in enumerate(languages)}
    search_s = time.perf_counter() - t1
    score_s = 0.0

    pairs: list[PairResult] = []

    def score_pair(x: str, pool: str, setting: str, query_rows: list[int], relevant: list[set[int]], scores, ids):
        nonlocal score_s
        t = time.perf_counter()
        qids = [data[x].questions[r].id for r in query_rows]
        run, qrels = _run_and_qrels(qids, relevant, scores, ids, doc_names)
        values = ir_measures.calc_aggregate(parsed_measures, qrels, run)
        pairs.append(PairResult(x, pool, setting, {str(m): float(values[m]) for m in parsed_measures}, len(qids)))
        score_s += time.perf_counter() - t

    for x in languages:
        for y in languages:
            setting = "monolingual" if x == y else "cross-lingual"
            if setting not in settings:
                continue
            rows = [r for r, q in enumerate(data[x].questions) if q.id in answer_of[y]]
            if not rows:
                continue
            t = time.perf_counter()
            k = len(data[y].sentences) if depth == 0 else min(depth, len(data[y].sentences))
            scores, ids = pool_index[y].search(q_emb[x][rows], k)
            ids = ids + s_start[y]  # global sentence positions
            search_s += time.perf_counter() - t
            relevant = [{answer_of[y][data[x].questions[r].id]} for r in rows]
            score_pair(x, y, setting, rows, relevant, scores, ids)

    rank_distances: list[float] = []
    same_top1: dict[str, float] = {}
    if "multilingual" in settings:
        t = time.perf_counter()
        all_index = _flat_index(s_emb_all)
        search_s += time.perf_counter() - t
        n_all = all_index.ntotal
        for x in languages:
            rows = list(range(len(data[x].questions)))
            relevant = [
                {answer_of[y][q.id] for y in languages if q.id in answer_of[y]} for q in data[x].questions
            ]
            t = time.perf_counter()
            scores, ids = all_index.search(q_emb[x], n_all)  # full ranking, for the bias figures
            search_s += time.perf_counter() - t
            t = time.perf_counter()
            position = np.empty_like(ids)
            position[np.arange(len(ids))[:, None], ids] = np.arange(n_all)[None, :]
            own = 0
            for i, rel in enumerate(relevant):
                rel_sorted = sorted(rel)
                ranks = position[i, rel_sorted]
                if len(rel) > 1:
                    rank_distances.append(float(ranks.max() - ranks.min()))
                best = rel_sorted[int(ranks.argmin())]
                own += int(s_start[x] <= best < s_start[x] + len(data[x].sentences))
            same_top1[x] = own / len(rows)
            k = n_all if depth == 0 else min(depth, n_all)
            score_s += time.perf_counter() - t
            score_pair(x, MULTILINGUAL_POOL, "multilingual", rows, relevant, scores[:, :k], ids[:, :k])

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
        timing={"encode_s": encode_s, "search_s": search_s, "score_s": score_s},
    )
