"""Exact evaluation by default, the embedding cache, and paired significance tests between evaluations."""

from __future__ import annotations

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from hybrid_batch_st.compare import compare, load_per_query
from hybrid_batch_st.evaluation import EvaluationResult, PairResult, evaluate
from hybrid_batch_st.report import write_report
from hybrid_batch_st.squad_r import SquadRLanguage


def first_principles_ap(model, data: SquadRLanguage) -> tuple[float, list[int]]:
    """Mean over questions of 1 / rank of the answer sentence in the whole pool (one relevant each)."""
    q = model.encode([x.text for x in data.questions], normalize_embeddings=True)
    s = model.encode(data.sentences, normalize_embeddings=True)
    scores = q @ s.T
    ranks = [1 + int(np.sum(row > row[x.sentence])) for row, x in zip(scores, data.questions)]
    return float(np.mean([1 / r for r in ranks])), ranks


def test_exact_by_default_counts_a_relevant_sentence_below_rank_100(tiny_model_dir, xquad, tmp_path):
    en = xquad["en"]
    data = {"en": SquadRLanguage("en", en.sentences, en.sentence_articles, en.questions[:60])}  # 1,180 candidates
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    expected, ranks = first_principles_ap(model, data["en"])
    assert max(ranks) > 100, "the test needs an answer ranked below 100"
    exact = evaluate(model, data, ["AP"], show_progress_bar=False, cache=tmp_path)
    assert exact.depth == 0 and exact.score("en", "en") == pytest.approx(expected, abs=1e-6)
    cut = evaluate(model, data, ["AP"], depth=100, show_progress_bar=False, cache=tmp_path)
    assert cut.score("en", "en") < expected - 1e-6  # the approximation drops those answers


class CountingModel:
    """A real model whose encode calls (and texts encoded) are counted."""

    def __init__(self, model):
        self.model, self.texts = model, 0

    def __getattr__(self, name):
        return getattr(self.model, name)

    def encode(self, texts, **kwargs):
        self.texts += len(texts)
        return self.model.encode(texts, **kwargs)


def test_cache_skips_encoding_and_misses_on_a_changed_text_or_model(tiny_model_dir, tmp_path):
    from tests.test_evaluation import toy_benchmark

    data = toy_benchmark()
    n_texts = sum(len(d.questions) + len(d.sentences) for d in data.values())
    model = CountingModel(SentenceTransformer(str(tiny_model_dir), device="cpu"))
    first = evaluate(model, data, ["AP"], show_progress_bar=False, cache=tmp_path)
    assert model.texts == n_texts
    second = evaluate(model, data, ["AP"], show_progress_bar=False, cache=tmp_path)
    assert model.texts == n_texts, "a cached evaluation encoded again"
    assert second.macro == first.macro
    data["de"].sentences[4] = "Brot wird aus Roggen gemacht."
    evaluate(model, data, ["AP"], show_progress_bar=False, cache=tmp_path)
    assert model.texts == n_texts + 1, "only the changed sentence is encoded"
    import torch

    with torch.no_grad():
        next(model.model.parameters()).add_(1e-3)  # a changed model misses every text
    evaluate(model, data, ["AP"], show_progress_bar=False, cache=tmp_path)
    assert model.texts == 2 * n_texts + 1
    evaluate(model, data, ["AP"], show_progress_bar=False, cache=False)
    assert model.texts == 3 * n_texts + 1


def fake_result(values: dict[tuple[str, str], np.ndarray]) -> EvaluationResult:
    pairs = []
    for (x, y), v in values.items():
        setting = "monolingual" if x == y else "cross-lingual"
        pairs.append(PairResult(x, y, setting, {"AP": float(v.mean())}, len(v),
                                {"AP": {f"q{i}": float(a) for i, a in enumerate(v)}}))
    macro = {s: {"AP": float(np.mean([p.scores["AP"] for p in pairs if p.setting == s]))}
             for s in ("monolingual", "cross-lingual")}
    return EvaluationResult("toy", "m", ["en", "de"], ["AP"], 0, pairs, macro, {"rank_distance": None}, {
        "encode_s": 0.0, "search_s": 0.0, "score_s": 0.0})


def test_compare_finds_a_known_difference_and_none_where_there_is_none(tmp_path):
    from hybrid_batch_st.cli import main

    rng = np.random.default_rng(0)
    base = {(x, y): rng.uniform(0.2, 0.8, 50) for x in ("en", "de") for y in ("en", "de")}
    better = dict(base)
    better[("en", "de")] = base[("en", "de")] + 0.1 + rng.normal(0, 0.02, 50)  # a real gain on one pair
    write_report(fake_result(base), tmp_path / "a")
    write_report(fake_result(better), tmp_path / "b")
    rows = {(r.setting, r.pair): r for r in compare(load_per_query(tmp_path / "a"), load_per_query(tmp_path / "b"))}
    gain = rows[("cross-lingual", "en->de")]
    assert gain.difference == pytest.approx(better[("en", "de")].mean() - base[("en", "de")].mean())
    assert gain.t_p < 1e-6 and gain.randomization_p < 0.01 and gain.corrected_p < 0.05
    same = rows[("monolingual", "en->en")]
    assert same.difference == 0 and same.randomization_p == 1 and same.corrected_p == 1
    assert rows[("cross-lingual", "")].n == 100  # the setting pools the queries of its pairs
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert main(["compare", str(tmp_path / "a"), str(tmp_path)]) == 2  # no per-query file there
