"""The language-pair evaluation: hand-computed AP, the full XQuAD-R load, the trainer hook, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

from hybrid_batch_st import MultilingualPairDataset
from hybrid_batch_st.evaluation import evaluate, parse_measures
from hybrid_batch_st import MultilingualRetrievalEvaluator
from hybrid_batch_st.tasks.sample import sample_split
from hybrid_batch_st.tasks.squad_r import SquadRLanguage, SquadRQuestion

TOY_TEXT = {
    "en": (["Where is the tower?", "Who built the bridge?", "When did the war end?", "What colour is the sky?"],
           ["The tower stands in Paris.", "Engineers built the bridge in 1890.", "The war ended in 1945.",
            "The sky is blue on clear days.", "Bread is made from flour.", "Cats sleep a lot."]),
    "de": (["Wo steht der Turm?", "Wer baute die Brücke?", "Wann endete der Krieg?", "Welche Farbe hat der Himmel?"],
           ["Der Turm steht in Paris.", "Ingenieure bauten die Brücke 1890.", "Der Krieg endete 1945.",
            "Der Himmel ist an klaren Tagen blau.", "Brot wird aus Mehl gemacht."]),
    "es": (["¿Dónde está la torre?", "¿Quién construyó el puente?", "¿Cuándo terminó la guerra?"],
           ["La torre está en París.", "Los ingenieros construyeron el puente en 1890.", "La guerra terminó en 1945.",
            "El pan se hace con harina."]),
}


def toy_benchmark() -> dict[str, SquadRLanguage]:
    """3 languages; question i is answered by sentence i; q3 is missing in es (MLQA-like partial overlap)."""
    out = {}
    for lang, (questions, sentences) in TOY_TEXT.items():
        out[lang] = SquadRLanguage(
            lang, list(sentences), ["toy"] * len(sentences),
            [SquadRQuestion(f"q{i}", text, i, "toy") for i, text in enumerate(questions)],
        )
    return out


def hand_ap(query: np.ndarray, pool: np.ndarray, relevant: list[int]) -> float:
    """AP from first principles: mean over relevant docs of precision at their rank."""
    order = np.argsort(-(pool @ query), kind="stable")
    ranks = sorted(int(np.flatnonzero(order == r)[0]) + 1 for r in relevant)
    return sum((k + 1) / rank for k, rank in enumerate(ranks)) / len(relevant)


@pytest.mark.parametrize("depth", [0, 100])
def test_toy_benchmark_matches_hand_computed_ap(tiny_model_dir, depth):
    data = toy_benchmark()
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    result = evaluate(model, data, ["AP"], depth=depth, show_progress_bar=False)
    enc = {lang: (model.encode([q.text for q in d.questions], normalize_embeddings=True),
                  model.encode(d.sentences, normalize_embeddings=True)) for lang, d in data.items()}
    langs = list(data)
    checked, distances = 0, []
    for x in langs:
        for y in langs:
            ids = [q.id for q in data[x].questions if q.id in {p.id for p in data[y].questions}]
            expected = np.mean([hand_ap(enc[x][0][int(i[1:])], enc[y][1], [int(i[1:])]) for i in ids])
            assert result.score(x, y) == pytest.approx(expected, abs=1e-9)
            pair = next(p for p in result.pairs if (p.query_lang, p.pool_lang) == (x, y))
            assert pair.n_queries == len(ids) and pair.setting == ("monolingual" if x == y else "cross-lingual")
            checked += 1
        # multilingual: pool = every sentence, relevant = the answer in each language that has the question
        pool = np.concatenate([enc[y][1] for y in langs])
        offsets = np.cumsum([0] + [len(data[y].sentences) for y in langs])
        aps = []
        for n, q in enumerate(data[x].questions):
            rel = [offsets[j] + int(q.id[1:]) for j, y in enumerate(langs) if q.id in {p.id for p in data[y].questions}]
            aps.append(hand_ap(enc[x][0][n], pool, rel))
            order = np.argsort(-(pool @ enc[x][0][n]), kind="stable")
            positions = [int(np.flatnonzero(order == r)[0]) for r in rel]
            if len(rel) > 1:
                distances.append(max(positions) - min(positions))
        assert result.score(x, "all") == pytest.approx(np.mean(aps), abs=1e-9)
        checked += 1
    assert checked == 12
    for setting in ("monolingual", "cross-lingual", "multilingual"):
        values = [p.scores["AP"] for p in result.pairs if p.setting == setting]
        assert result.macro[setting]["AP"] == pytest.approx(np.mean(values), abs=1e-12)
    assert set(result.language_bias["same_language_top1"]) == set(langs)
    assert result.language_bias["rank_distance"] == pytest.approx(np.mean(distances), abs=1e-9)


class CountingModel:
    """Delegates to a real model and records what it was asked to encode (sentence-transformers'
    encode_query / encode_document, which evaluation uses)."""

    def __init__(self, model):
        self.model, self.calls, self.prompts = model, [], {"query": "query: ", "passage": "passage: "}

    def encode_query(self, texts, prompt=None, **kwargs):
        self.calls.append((len(texts), prompt))
        return self.model.encode_query(texts, prompt=prompt, **kwargs)

    def encode_document(self, texts, prompt=None, **kwargs):
        self.calls.append((len(texts), prompt))
        return self.model.encode_document(texts, prompt=prompt, **kwargs)


def test_each_text_encoded_once_with_model_prompts(tiny_model_dir):
    data = toy_benchmark()
    spy = CountingModel(SentenceTransformer(str(tiny_model_dir), device="cpu"))
    result = evaluate(spy, data, ["AP", "nDCG@10", "R@100"], show_progress_bar=False, cache=False)
    n_q = sum(len(d.questions) for d in data.values())
    n_s = sum(len(d.sentences) for d in data.values())
    assert spy.calls == [(n_q, "query: "), (n_s, "passage: ")]
    assert len(result.pairs) == 9 + 3
    assert result.measures == ["AP", "nDCG@10", "R@100"]


def test_measures_are_validated():
    assert parse_measures("AP,nDCG@10, R@100") == ["AP", "nDCG@10", "R@100"]
    with pytest.raises(ValueError, match="unknown ir-measures measure 'FOO@3'"):
        parse_measures(["AP", "FOO@3"])


def test_full_xquad_r_load(xquad):
    assert len(xquad) == 11
    ids = None
    for lang, d in xquad.items():
        assert len(d.questions) == 1190, lang
        assert all(0 <= q.sentence < len(d.sentences) for q in d.questions)
        lang_ids = [q.id for q in d.questions]
        assert len(set(lang_ids)) == 1190
        ids = ids or set(lang_ids)
        assert set(lang_ids) == ids  # so every question has exactly one relevant sentence in every language


def test_evaluator_inside_the_trainer_logs_metrics(tiny_model_dir, tmp_path):
    held = sample_split()[1]
    small = {lang: d.restrict_to_articles(set(d.articles[:3])) for lang, d in held.items()}
    evaluator = MultilingualRetrievalEvaluator(small, measures=["AP", "RR@10"], name="sample")
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    pairs = MultilingualPairDataset.from_squad_r_languages(small)
    args = SentenceTransformerTrainingArguments(
        output_dir=str(tmp_path), per_device_train_batch_size=8, max_steps=2, eval_strategy="steps",
        eval_steps=2, report_to="none", save_strategy="no", batch_sampler=__import__("hybrid_batch_st").HybridBatchSampler,
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=pairs.to_dataset(),
                                         loss=MultipleNegativesRankingLoss(model), evaluator=evaluator)
    trainer.train()
    logged = [log for log in trainer.state.log_history if "eval_sample_mean_AP" in log]
    assert logged, trainer.state.log_history
    log = logged[-1]
    for key in ("eval_sample_monolingual_AP", "eval_sample_cross-lingual_AP", "eval_sample_multilingual_AP",
                "eval_sample_monolingual_RR@10", "eval_sample_rank_distance"):
        assert math.isfinite(log[key]), key
    assert evaluator.primary_metric == "sample_mean_AP"


def test_cli_evaluate_writes_report(tiny_model_dir, tmp_path, capsys):
    from hybrid_batch_st.cli import main

    out = tmp_path / "report"
    assert main(["evaluate", "--model", str(tiny_model_dir), "--benchmark", "sample", "--languages", "en,de",
                 "--measures", "AP,nDCG@10", "--output", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    for key in ("benchmark", "model", "languages", "measures", "pairs", "macro", "language_bias", "timing"):
        assert key in results
    assert results["languages"] == ["en", "de"] and results["measures"] == ["AP", "nDCG@10"]
    assert len(results["pairs"]) == 4 + 2
    assert {p["setting"] for p in results["pairs"]} == {"monolingual", "cross-lingual", "multilingual"}
    assert all(p["pool_lang"] == "all" for p in results["pairs"] if p["setting"] == "multilingual")
    assert set(results["timing"]) == {"encode_s", "search_s", "score_s"}
    assert set(results["language_bias"]) == {"rank_distance", "same_language_top1"}
    assert (out / "results.md").read_text().count("| monolingual |") == 1
    assert (out / "heatmap.png").read_bytes()[:4] == b"\x89PNG"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left

    assert main(["evaluate", "--model", str(tiny_model_dir), "--benchmark", "sample", "--measures", "XYZ",
                 "--output", str(tmp_path / "bad")]) == 2
    assert "unknown ir-measures measure 'XYZ'" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    assert main(["evaluate", "--model", str(tmp_path), "--benchmark", "sample", "--output", str(tmp_path / "b2")]) == 2
    assert "not a sentence-transformers" in capsys.readouterr().err


def test_missing_benchmark_files_error(tmp_path):
    from hybrid_batch_st.tasks.lareqa import benchmark_files

    (tmp_path / "xquad-r").mkdir()
    with pytest.raises(FileNotFoundError, match=r"lacks \['en.json'\]"):
        benchmark_files("xquad-r", ["en"], data_dir=tmp_path)
    with pytest.raises(ValueError, match="has no language"):
        benchmark_files("mlqa-r", ["th"], data_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown benchmark 'squad'"):
        benchmark_files("squad")
