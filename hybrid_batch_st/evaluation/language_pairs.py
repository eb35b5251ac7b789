"""Scoring a model on every language pair of a multilingual retrieval benchmark (the LAReQA protocol of
arXiv 2408.10536).

The benchmark is a :class:`~hybrid_batch_st.tasks.task.RetrievalTask`, as every reader builds it (a
LAReQA ``{lang: SquadRLanguage}`` from Python is built into one by
:func:`~hybrid_batch_st.tasks.shapes.as_task`). Settings come from the task:

- ``monolingual``: a query set against a pool of its own language;
- ``cross-lingual``: a query set against a pool of another language;
- ``multilingual``: a query set against the union of all pools; relevant are its judged documents
  in every pool (LAReQA: the answer sentence in every language that has the question).

Every query and every document is encoded once (``encode_query`` / ``encode_document``), and
not again while the embedding cache holds it (:mod:`.embedding_cache`). Scores are exact inner
products of normalised embeddings. Evaluation is exact by default: every measure is that of the
full ranking, computed from the exact rank of each relevant document (see :mod:`.ranking`).
``depth > 0`` is an explicit approximation: the ranking is cut there first and a relevant
document below it counts as not retrieved. Language bias uses the full multilingual ranking.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from ..models import query_passage_prompts
from ..names import DEFAULT_MEASURES, MULTILINGUAL_POOL, SETTINGS
from ..tasks.squad_r import SquadRLanguage
from ..tasks.shapes import as_task
from ..tasks.task import RetrievalTask
from .embedding_cache import EmbeddingCache, cache_key, encoding_settings
from .encoding import EncodedTask, encode_task, encode_texts
from .groups import group_macro, parse_groups, seen_languages
from .measures import parse_measures
from .ranking import Scorer, relevant_ranks
from .results import EvaluationResult

__all__ = ["evaluate", "encode_texts"]


class _Stopwatch(defaultdict):
    """Seconds per phase: ``with watch("search"): ...``."""

    def __init__(self) -> None:
        super().__init__(float)

    @contextlib.contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self[phase] += time.perf_counter() - start


def _check(task: RetrievalTask, settings: Sequence[str], depth: int) -> None:
    unknown = [s for s in settings if s not in SETTINGS]
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; choose from {SETTINGS}")
    if depth < 0:
        raise ValueError(f"depth={depth} must be >= 0 (0 = the full ranking, exact)")
    for kind, sets in (("queries", task.queries), ("documents", task.pools)):
        for name, s in sets.items():
            if not s.texts:
                raise ValueError(f"{task.name or 'benchmark'}: {name!r} has no {kind} to evaluate")
    if not task.pairs and not task.multilingual:
        raise ValueError(f"{task.name or 'benchmark'}: no language pair to evaluate")


def _judged(task: RetrievalTask, enc: EncodedTask, query_set: str, pools: list[str]):
    """Per query with a judged document in ``pools``: its row, its relevant rows (in the pools' order,
    offset as in their concatenation) and grades, and the row it may not rank (its own text, or -1)."""
    rows, starts = enc.rows, dict(zip(pools, np.cumsum([0] + [len(enc.doc_ids[p]) for p in pools]).tolist()))
    kept, relevant, grades, exclude = [], [], [], []
    for r, qid in enumerate(enc.query_ids[query_set]):
        found = [(starts[p] + rows[p][d], g) for p in pools for d, g in task.relevant(query_set, qid, p).items()]
        if found:
            kept.append(r)
            relevant.append(np.array([i for i, _ in found]))
            grades.append(np.array([g for _, g in found]))
            own = [starts[p] + rows[p][e] for p in pools if (e := task.excluded(query_set, qid, p)) is not None]
            exclude.append(own[0] if own else -1)
    return kept, relevant, grades, np.array(exclude, dtype=np.int64)


def _score(task, enc, scorer, watch, query_set: str, pools: list[str], pool_name: str, setting: str, names,
           device=None):
    kept, relevant, grades, exclude = _judged(task, enc, query_set, pools)
    if not kept:
        return None
    matrix = enc.union if len(pools) == len(task.pools) else np.concatenate([enc.pools[p] for p in pools])
    inputs = (enc.queries[query_set][kept], matrix, relevant, names, exclude, grades)
    with watch("search"):
        ranks = relevant_ranks(*inputs[:5], device=device)
    with watch("score"):
        scorer.score(query_set, pool_name, setting, ranks, [enc.query_ids[query_set][r] for r in kept], inputs)
    return relevant, ranks


def _union_names(task: RetrievalTask, enc: EncodedTask) -> np.ndarray:
    """Document names in the union: the ids where they are unique across pools, else ``pool:id``."""
    ids = [d for p in task.pools for d in enc.doc_ids[p]]
    if len(set(ids)) == len(ids):
        return np.array(ids, dtype=object)
    return np.array([f"{p}:{d}" for p in task.pools for d in enc.doc_ids[p]], dtype=object)


def _language_bias(task: RetrievalTask, enc: EncodedTask, query_set: str, relevant, ranks) -> tuple[list, float]:
    """Rank distances (max - min rank over a query's relevant documents) and the share of queries whose
    best relevant hit is in their own language."""
    own_rows = np.zeros(len(enc.union), dtype=bool)
    for p, start in enc.offsets.items():
        if task.pools[p].lang == task.queries[query_set].lang:
            own_rows[start : start + len(enc.doc_ids[p])] = True
    distances = [float(rank.max() - rank.min()) for rank in ranks if len(rank) > 1]
    own = sum(int(own_rows[rel[int(rank.argmin())]]) for rel, rank in zip(relevant, ranks))
    return distances, own / len(ranks)


def _score_all(task: RetrievalTask, enc: EncodedTask, settings, scorer: Scorer, watch: _Stopwatch,
               device=None) -> dict:
    """Every pair of the task, then every multilingual query set (ranked on ``device``, None: numpy);
    returns the language bias."""
    for query_set, pool in task.pairs:
        setting = task.setting(query_set, pool)
        if setting in settings:
            doc_ids = np.array(enc.doc_ids[pool], dtype=object)
            _score(task, enc, scorer, watch, query_set, [pool], pool, setting, doc_ids, device)
    distances: list[float] = []
    same_top1: dict[str, float] = {}
    if "multilingual" in settings and task.multilingual:
        names = _union_names(task, enc)
        for query_set in task.multilingual:
            found = _score(task, enc, scorer, watch, query_set, list(task.pools), MULTILINGUAL_POOL, "multilingual",
                           names, device)
            if found:
                more, same_top1[query_set] = _language_bias(task, enc, query_set, *found)
                distances += more
    return {"rank_distance": float(np.mean(distances)) if distances else None, "same_language_top1": same_top1}


def _prompts(model, query_prompt: str | None, passage_prompt: str | None) -> tuple[str | None, str | None]:
    """The prompts to encode with: the model's, unless given (``""``: none)."""
    model_query, model_passage = query_passage_prompts(model)
    return (model_query if query_prompt is None else query_prompt or None,
            model_passage if passage_prompt is None else passage_prompt or None)


def _rank_device(model, rank_device):
    """The torch device to rank on, or None for numpy (see :func:`evaluate`)."""
    if rank_device != "auto":
        return rank_device
    device = getattr(model, "device", None)
    return device if device is not None and getattr(device, "type", "cpu") != "cpu" else None


def _macro(scorer: Scorer, settings: Sequence[str], measures: list[str]) -> dict[str, dict[str, float]]:
    """Per setting that has pairs, each measure's mean over its pairs."""
    return {
        setting: {m: float(np.mean([p.scores[m] for p in scorer.pairs if p.setting == setting])) for m in measures}
        for setting in settings
        if any(p.setting == setting for p in scorer.pairs)
    }


def evaluate(model, data: RetrievalTask | Mapping[str, SquadRLanguage],
             measures: Iterable[str] | str = DEFAULT_MEASURES, *, depth: int = 0, settings: Sequence[str] = SETTINGS,
             batch_size: int | None = None, query_prompt: str | None = None, passage_prompt: str | None = None,
             show_progress_bar: bool = True, benchmark: str = "", model_name: str = "",
             cache: bool | str | Path = True, groups: Mapping[str, Sequence[str]] | None = None,
             devices: Sequence[str] | None = None, rank_device: str | None = "auto") -> EvaluationResult:
    """Score ``model`` on every language pair of ``data``: exact measures of the full ranking by default.

    Args:
        model: a SentenceTransformer (its ``encode_query`` / ``encode_document`` prompts are used).
        data: a :class:`RetrievalTask` (any benchmark, e.g. from ``load_eval_data``), or LAReQA's
            ``{lang: SquadRLanguage}``.
        measures: ir-measures strings (``AP``, ``nDCG@10``, ``RR@10``, ...).
        depth: 0 for exact measures; N cuts each ranking at N first (an approximation).
        settings: which of monolingual, cross-lingual and multilingual to evaluate.
        batch_size: texts encoded at once (None: 16 on the CPU, 256 on a GPU).
        query_prompt: replaces the model's query prompt (``""`` for none).
        passage_prompt: replaces the model's document prompt (``""`` for none).
        show_progress_bar: show encoding progress.
        benchmark: the benchmark's name in the result.
        model_name: the model's label in the result.
        cache: reuse and store embeddings in the embedding cache (a folder path picks another cache
            folder; False encodes everything).
        groups: ``{name: language codes}`` reported per setting (default: seen / unseen from the model card).
        devices: encode in sentence-transformers' multi-process pool (``["cuda:0", "cuda:1"]``).
        rank_device: where the exact ranks are counted: ``"auto"`` the model's device when it is a GPU,
            else numpy on the CPU; None: numpy; or a torch device. Every device counts ranks the same way
            (:func:`~hybrid_batch_st.evaluation.ranking.relevant_ranks`).

    Returns:
        The :class:`~hybrid_batch_st.evaluation.results.EvaluationResult` (``.macro``, ``.pairs``, ...).

    Raises:
        ValueError: an unknown measure or setting, a negative ``depth``, or a task with an empty query set or
            pool or no language pair.

    Example:
        >>> from hybrid_batch_st.data.sources import load_eval_data
        >>> task = load_eval_data("xquad-r", ["en", "de", "ar"])  # doctest: +SKIP
        >>> evaluate(model, task, ["AP", "nDCG@10"]).macro  # doctest: +SKIP
    """
    measures = parse_measures(measures)
    task = as_task(data, benchmark)
    _check(task, settings, depth)
    prompts = _prompts(model, query_prompt, passage_prompt)
    store = EmbeddingCache(cache_key(model), None if cache is True else cache) if cache else None
    watch = _Stopwatch()
    with watch("encode"):
        enc = encode_task(model, task, prompts, batch_size, show_progress_bar, store, devices)
    import ir_measures

    scorer = Scorer([ir_measures.parse_measure(m) for m in measures], depth)
    bias = _score_all(task, enc, settings, scorer, watch, _rank_device(model, rank_device))
    return _result(model, task, scorer, settings, measures, depth, bias, watch, prompts, groups, benchmark,
                   model_name)


def _result(model, task, scorer, settings, measures, depth, bias, watch, prompts, groups, benchmark,
            model_name) -> EvaluationResult:
    """The :class:`EvaluationResult` of a scored task (macro values, groups, timing, encoding settings)."""
    set_languages = {n: s.lang for n, s in [*task.queries.items(), *task.pools.items()]}
    groups = parse_groups(groups) if groups else {}
    seen = None if groups else seen_languages(model)  # the model card's languages, where no groups are named
    return EvaluationResult(
        benchmark=benchmark, model=model_name, languages=task.languages, measures=measures, depth=depth,
        pairs=scorer.pairs, macro=_macro(scorer, settings, measures), language_bias=bias,
        timing={"encode_s": watch["encode"], "search_s": watch["search"], "score_s": watch["score"]},
        encoding=encoding_settings(model) | {"query_prompt": prompts[0], "passage_prompt": prompts[1]},
        groups=group_macro(scorer.pairs, set_languages, groups, measures, seen) if groups or seen else {},
    )
