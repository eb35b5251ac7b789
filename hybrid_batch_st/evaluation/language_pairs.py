"""Scoring a model on every language pair of a LAReQA-style benchmark (see ../shared/METHOD.md).

Settings:

- ``monolingual``: questions in X against the sentence pool of X;
- ``cross-lingual``: questions in X against the pool of Y (X != Y), using the
  questions whose id exists in both languages;
- ``multilingual``: questions in X against the union of all pools; relevant are
  the answer sentences in every language that has the question.

Every question and every sentence is encoded once (``encode_query`` / ``encode_document``), and
not again while the embedding cache holds it (:mod:`.embedding_cache`). Scores are exact inner
products of normalised embeddings. Evaluation is exact by default: every measure is that of the
full ranking, computed from the exact rank of each relevant sentence (see :mod:`.ranking`).
``depth > 0`` is an explicit approximation: the ranking is cut there first and a relevant
sentence below it counts as not retrieved. Language bias uses the full multilingual ranking.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from ..models import ENCODE_BATCH_SIZE, encode_documents, encode_queries, query_passage_prompts
from ..names import DEFAULT_MEASURES, MULTILINGUAL_POOL, SETTINGS
from ..tasks.squad_r import SquadRLanguage
from .embedding_cache import EmbeddingCache, cache_key, cached_encode, encoding_settings
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


def encode_texts(model, texts: Sequence[str], prompt: str | None, batch_size: int, show_progress_bar: bool,
                 cache: EmbeddingCache | None = None, kind: str = "query") -> np.ndarray:
    """Normalised float32 embeddings of queries (``kind="query"``) or documents; ``prompt`` is the
    prompt text the model's ``encode_query`` / ``encode_document`` will prepend. With ``cache``,
    texts encoded before by the same model (and prompt) are read from it."""
    encoder = encode_queries if kind == "query" else encode_documents

    def encode(batch: list[str]) -> np.ndarray:
        return encoder(model, batch, prompt=prompt or "", batch_size=batch_size, show_progress_bar=show_progress_bar)

    return np.ascontiguousarray(cached_encode(encode, texts, prompt, cache), dtype=np.float32)


@dataclass
class _Encoded:
    """Embeddings of every language's questions and sentences, and where each language starts."""

    languages: list[str]
    questions: dict[str, np.ndarray]
    sentences: dict[str, np.ndarray]
    all_sentences: np.ndarray
    offsets: np.ndarray  # sentence offset of each language in all_sentences, plus the total


def _check(data: Mapping[str, SquadRLanguage], settings: Sequence[str], depth: int) -> None:
    unknown = [s for s in settings if s not in SETTINGS]
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; choose from {SETTINGS}")
    if depth < 0:
        raise ValueError(f"depth={depth} must be >= 0 (0 = the full ranking, exact)")
    if not data:
        raise ValueError("no languages to evaluate")
    for lang, d in data.items():
        if not d.questions or not d.sentences:
            raise ValueError(f"language {lang!r} has no {'questions' if not d.questions else 'sentences'} to evaluate")


def _encode_all(model, data: Mapping[str, SquadRLanguage], prompts: tuple[str | None, str | None], batch_size: int,
                show_progress_bar: bool, cache: EmbeddingCache | None) -> _Encoded:
    languages = list(data)
    q_all = encode_texts(model, [q.text for lang in languages for q in data[lang].questions], prompts[0],
                         batch_size, show_progress_bar, cache, kind="query")
    s_all = encode_texts(model, [s for lang in languages for s in data[lang].sentences], prompts[1],
                         batch_size, show_progress_bar, cache, kind="document")
    q_off = np.cumsum([0] + [len(data[lang].questions) for lang in languages])
    s_off = np.cumsum([0] + [len(data[lang].sentences) for lang in languages])
    return _Encoded(
        languages,
        {lang: q_all[q_off[n] : q_off[n + 1]] for n, lang in enumerate(languages)},
        {lang: s_all[s_off[n] : s_off[n + 1]] for n, lang in enumerate(languages)},
        s_all, s_off,
    )


def _score_pairs(data, enc: _Encoded, settings, scorer: Scorer, watch: _Stopwatch) -> None:
    """Monolingual and cross-lingual pairs: questions of x against the pool of y."""
    answer = {lang: data[lang].answer_of() for lang in enc.languages}
    for x in enc.languages:
        for y in enc.languages:
            setting = "monolingual" if x == y else "cross-lingual"
            rows = [r for r, q in enumerate(data[x].questions) if q.id in answer[y]]
            if setting not in settings or not rows:
                continue
            questions = [data[x].questions[r] for r in rows]
            names = np.array(data[y].doc_ids(), dtype=object)
            relevant = [np.array([answer[y][q.id]]) for q in questions]
            inputs = (enc.questions[x][rows], enc.sentences[y], relevant, names)
            with watch("search"):
                ranks = relevant_ranks(*inputs)
            with watch("score"):
                scorer.score(x, y, setting, ranks, [q.id for q in questions], inputs)


def _score_multilingual(data, enc: _Encoded, scorer: Scorer, watch: _Stopwatch) -> dict:
    """Questions of each language against every pool at once; returns the language bias."""
    languages, offsets = enc.languages, enc.offsets
    answer = {lang: data[lang].answer_of() for lang in languages}
    names = np.array([name for lang in languages for name in data[lang].doc_ids()], dtype=object)
    distances: list[float] = []
    same_top1: dict[str, float] = {}
    for n, x in enumerate(languages):
        questions = data[x].questions
        relevant = [np.array([offsets[m] + answer[y][q.id] for m, y in enumerate(languages) if q.id in answer[y]])
                    for q in questions]
        inputs = (enc.questions[x], enc.all_sentences, relevant, names)
        with watch("search"):
            ranks = relevant_ranks(*inputs)
        own = 0
        for rel, rank in zip(relevant, ranks):
            if len(rel) > 1:
                distances.append(float(rank.max() - rank.min()))
            own += int(offsets[n] <= rel[int(rank.argmin())] < offsets[n + 1])
        same_top1[x] = own / len(questions)
        with watch("score"):
            scorer.score(x, MULTILINGUAL_POOL, "multilingual", ranks, [q.id for q in questions], inputs)
    return {"rank_distance": float(np.mean(distances)) if distances else None, "same_language_top1": same_top1}


def _macro(scorer: Scorer, settings: Sequence[str], measures: list[str]) -> dict[str, dict[str, float]]:
    """Per setting that has pairs, each measure's mean over its pairs."""
    return {
        setting: {m: float(np.mean([p.scores[m] for p in scorer.pairs if p.setting == setting])) for m in measures}
        for setting in settings
        if any(p.setting == setting for p in scorer.pairs)
    }


def evaluate(
    model,
    data: Mapping[str, SquadRLanguage],
    measures: Iterable[str] | str = DEFAULT_MEASURES,
    *,
    depth: int = 0,
    settings: Sequence[str] = SETTINGS,
    batch_size: int = ENCODE_BATCH_SIZE,
    query_prompt: str | None = None,
    passage_prompt: str | None = None,
    show_progress_bar: bool = True,
    benchmark: str = "",
    model_name: str = "",
    cache: bool | str | Path = True,
) -> EvaluationResult:
    """Score ``model`` on every language pair of ``data`` (``{lang: SquadRLanguage}``).

    Exact by default: every measure is that of the full ranking. ``depth > 0`` cuts each ranking at
    that depth first (an approximation). ``query_prompt`` / ``passage_prompt`` replace the prompts
    sentence-transformers' ``encode_query`` / ``encode_document`` would use (``""`` for none).
    ``cache``: reuse and store embeddings in the embedding cache
    (:mod:`hybrid_batch_st.evaluation.embedding_cache`; a folder path picks another cache folder,
    False encodes everything).
    """
    measures = parse_measures(measures)
    _check(data, settings, depth)
    model_query, model_passage = query_passage_prompts(model)
    prompts = (model_query if query_prompt is None else query_prompt or None,  # "": no prompt
               model_passage if passage_prompt is None else passage_prompt or None)
    store = EmbeddingCache(cache_key(model), None if cache is True else cache) if cache else None
    watch = _Stopwatch()
    with watch("encode"):
        enc = _encode_all(model, data, prompts, batch_size, show_progress_bar, store)
    import ir_measures

    scorer = Scorer([ir_measures.parse_measure(m) for m in measures], depth)
    _score_pairs(data, enc, settings, scorer, watch)
    bias = {"rank_distance": None, "same_language_top1": {}}
    if "multilingual" in settings:
        bias = _score_multilingual(data, enc, scorer, watch)
    return EvaluationResult(
        benchmark=benchmark, model=model_name, languages=enc.languages, measures=measures, depth=depth,
        pairs=scorer.pairs, macro=_macro(scorer, settings, measures), language_bias=bias,
        timing={"encode_s": watch["encode"], "search_s": watch["search"], "score_s": watch["score"]},
        encoding=encoding_settings(model) | {"query_prompt": prompts[0], "passage_prompt": prompts[1]},
    )
