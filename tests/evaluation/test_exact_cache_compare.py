"""Exact evaluation by default, the embedding cache, and paired significance tests between evaluations."""

from __future__ import annotations

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from hybrid_batch_st.evaluation.per_query import load_per_query
from hybrid_batch_st.evaluation.significance import compare
from hybrid_batch_st.evaluation import EvaluationResult, PairResult, evaluate
from hybrid_batch_st.evaluation.report import write_report
from hybrid_batch_st.tasks.squad_r import SquadRLanguage


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

    def encode_query(self, texts, **kwargs):
        self.texts += len(texts)
        return self.model.encode_query(texts, **kwargs)

    def encode_document(self, texts, **kwargs):
        self.texts += len(texts)
        return self.model.encode_document(texts, **kwargs)


def test_cache_skips_encoding_and_misses_on_a_changed_text_or_model(tiny_model_dir, tmp_path):
    from tests.evaluation.test_evaluation import toy_benchmark

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
    setting = rows[("cross-lingual", "")]
    assert setting.n == 50  # one unit per parallel question q0..q49, not one per (pair, query)
    per_question = ((better[("en", "de")] - base[("en", "de")]) + (better[("de", "en")] - base[("de", "en")])) / 2
    assert setting.difference == pytest.approx(per_question.mean())
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert main(["compare", str(tmp_path / "a"), str(tmp_path)]) == 2  # no per-query file there


MEASURES = ["AP", "AP@5", "RR", "RR@10", "P@5", "R@10", "nDCG", "nDCG@10", "Rprec", "Success@3", "Judged@10"]


def test_measures_from_ranks_equal_ir_measures_on_the_full_ranking():
    """Every measure from exact relevant ranks (and Judged@10, which ir-measures computes on the exact run)
    equals ir-measures on the full ranking, per query, ties included (identical vectors)."""
    import ir_measures

    from hybrid_batch_st.evaluation.ranking import Scorer, relevant_ranks

    rng = np.random.default_rng(0)
    pool = rng.normal(size=(300, 16)).astype(np.float32)
    pool[150:170] = pool[130:150]  # duplicated sentences: tied scores, broken by document id as trec_eval does
    queries = rng.normal(size=(60, 16)).astype(np.float32)
    queries[:20] = pool[130:150] + 0.01 * rng.normal(size=(20, 16)).astype(np.float32)
    relevant = [np.sort(rng.choice(300, size=1 + q % 4, replace=False)) for q in range(60)]
    for q in range(20):
        relevant[q] = np.array([130 + q, 150 + q][: 1 + q % 2])  # a relevant item tied with a copy
    names = np.array([f"d{i:03d}" for i in range(300)], dtype=object)
    qids = [f"q{q}" for q in range(60)]
    parsed = [ir_measures.parse_measure(m) for m in MEASURES]
    scorer = Scorer(parsed)
    scorer.score("x", "y", "monolingual", relevant_ranks(queries, pool, relevant, names), qids,
                 (queries, pool, relevant, names))
    scores = queries @ pool.T
    run = {qid: {str(n): float(s) for n, s in zip(names, row)} for qid, row in zip(qids, scores)}
    qrels = {qid: {str(names[d]): 1 for d in rel} for qid, rel in zip(qids, relevant)}
    expected = {(str(m.measure), m.query_id): m.value for m in ir_measures.iter_calc(parsed, qrels, run)}
    # ties as trec_eval orders them (document id descending): pytrec_eval's values; ir-measures serves RR@k
    # from its msmarco provider, which orders ties the other way, so RR@10 is compared on tie-free queries
    trec = [m for m in parsed if ir_measures.pytrec_eval.supports(m)]
    expected |= {(str(m.measure), m.query_id): m.value for m in ir_measures.pytrec_eval.iter_calc(trec, qrels, run)}
    tied = {qid for qid, row, rel in zip(qids, scores, relevant) if any(np.count_nonzero(row == row[r]) > 1 for r in rel)}
    assert len(tied) >= 10, "ties are tested"
    for measure, values in scorer.pairs[0].per_query.items():
        for qid, value in values.items():
            if measure == "RR@10" and qid in tied:
                continue
            assert value == pytest.approx(expected[(measure, qid)], abs=1e-9), (measure, qid)


def test_compare_pairs_like_with_like_across_language_sets(tiny_model_dir, tmp_path, capsys, caplog):
    """`evaluate --languages en,de` against `--languages en,es`: their multilingual pools (en+de, en+es) differ,
    so the multilingual setting is left out, as are the pairs one side lacks, and the output says so;
    with no pair in common, compare refuses."""
    from hybrid_batch_st.cli import main

    for name, languages in (("ende", "en,de"), ("enes", "en,es"), ("de", "de")):
        assert main(["evaluate", "--model", str(tiny_model_dir), "--languages", languages, "--no-cache",
                     "--output", str(tmp_path / name)]) == 0
    capsys.readouterr()
    with caplog.at_level("WARNING"):
        assert main(["compare", str(tmp_path / "ende"), str(tmp_path / "enes")]) == 0
    table = capsys.readouterr().out
    assert "multilingual" not in table and "en->all" not in table  # no pool compared with another
    assert "en->en" in table and "de->de" not in table and "es->es" not in table and "en->de" not in table
    notes = [r.getMessage() for r in caplog.records]
    assert any("multilingual setting left out: its pools differ" in n and "de+en" in n and "en+es" in n for n in notes)
    assert any("evaluated by A (" in n and "only: de->de, de->en, en->de" in n for n in notes), notes
    assert any("evaluated by B (" in n and "only: en->es, es->en, es->es" in n for n in notes), notes

    a, b = load_per_query(tmp_path / "ende"), load_per_query(tmp_path / "ende")
    assert {(r.setting, r.pair) for r in compare(a, b)} >= {("multilingual", ""), ("multilingual", "en->all")}
    assert main(["compare", str(tmp_path / "enes"), str(tmp_path / "de")]) == 2
    assert "share no language pair with the same pool" in capsys.readouterr().err
