"""HybridBatchSampler inside the real SentenceTransformerTrainer."""

from __future__ import annotations

import math

import torch
from datasets import DatasetDict
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset

LANGS = ["en", "de", "es"]


def split_pairs(xquad, n_train_articles=40):
    articles = xquad["en"].articles
    train = MultilingualPairDataset.from_squad_r_languages(
        {lang: xquad[lang] for lang in LANGS}, articles=articles[:n_train_articles]
    )
    held = MultilingualPairDataset.from_squad_r_languages(
        {lang: xquad[lang] for lang in LANGS}, articles=articles[n_train_articles:]
    )
    return train, held


def held_out_loss(model: SentenceTransformer, held: MultilingualPairDataset, n: int = 48) -> float:
    """Mean in-batch contrastive loss (as MultipleNegativesRankingLoss, scale 20) over every language pair."""
    by_lang = {lang: {} for lang in LANGS}
    for r in held.records():
        by_lang[r["lang"]][r["id"]] = r
    ids = sorted(set.intersection(*(set(v) for v in by_lang.values())))[:n]
    losses = []
    with torch.no_grad():
        for x in LANGS:
            q = model.encode([by_lang[x][i]["question"] for i in ids], convert_to_tensor=True, normalize_embeddings=True)
            for y in LANGS:
                a = model.encode([by_lang[y][i]["answer"] for i in ids], convert_to_tensor=True, normalize_embeddings=True)
                losses.append(torch.nn.functional.cross_entropy(20 * q @ a.T, torch.arange(len(ids))).item())
    return sum(losses) / len(losses)


def train(model, dataset, tmp_path, batch_sampler, steps, lr=5e-5, batch_size=16, loss=None):
    args = SentenceTransformerTrainingArguments(
        output_dir=str(tmp_path / "out"),
        per_device_train_batch_size=batch_size,
        max_steps=steps,
        learning_rate=lr,
        batch_sampler=batch_sampler,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        seed=0,
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=dataset, loss=loss or MultipleNegativesRankingLoss(model)
    )
    trainer.train()
    return [log["loss"] for log in trainer.state.log_history if "loss" in log]


def test_unconfigured_class_trains_tiny_model(tiny_model_dir, xquad, tmp_path):
    train_pairs, _ = split_pairs(xquad)
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    losses = train(model, train_pairs.to_dataset(), tmp_path, HybridBatchSampler, steps=4)
    assert len(losses) == 4 and all(math.isfinite(x) for x in losses)


def test_packaged_minilm_trains(minilm_path, xquad, tmp_path):
    train_pairs, _ = split_pairs(xquad)
    model = SentenceTransformer(str(minilm_path), device="cpu")
    sampler = HybridBatchSampler.configure(mode="hybrid", alpha=0.5)
    losses = train(model, train_pairs.to_dataset(), tmp_path, sampler, steps=2, batch_size=8)
    assert len(losses) == 2 and all(math.isfinite(x) for x in losses)


def test_hybrid_training_lowers_held_out_loss(tiny_model_dir, xquad, tmp_path):
    train_pairs, held = split_pairs(xquad)
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    before = held_out_loss(model, held)
    train(model, train_pairs.to_dataset(), tmp_path, HybridBatchSampler.configure(alpha=0.5), steps=120, lr=1e-3)
    after = held_out_loss(model, held)
    assert after < before - 0.1, (before, after)


def test_multi_dataset_path(tiny_model_dir, xquad, tmp_path):
    train_pairs, held = split_pairs(xquad)
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    datasets = DatasetDict({"first_articles": train_pairs.to_dataset(), "last_articles": held.to_dataset()})
    loss = {name: MultipleNegativesRankingLoss(model) for name in datasets}
    losses = train(model, datasets, tmp_path, HybridBatchSampler.configure(mode="cross-lingual"), steps=4, loss=loss)
    assert len(losses) == 4 and all(math.isfinite(x) for x in losses)


def test_cli_train_saves_model_config_and_report(tiny_model_dir, tmp_path):
    import json

    from hybrid_batch_st.cli import main

    config = tmp_path / "run.json"
    config.write_text(json.dumps({"model": str(tiny_model_dir), "steps": 3, "batch_size": 8, "languages": ["en", "de"],
                                  "train_articles": 44}))
    out = tmp_path / "run"
    assert main(["train", "--config", str(config), "--mode", "cross-lingual", "--output", str(out)]) == 0
    saved = json.loads((out / "train_config.json").read_text())
    assert saved["mode"] == "cross-lingual" and saved["steps"] == 3  # flags override the file
    assert SentenceTransformer(str(out / "model"), device="cpu").encode(["hallo"]).shape == (1, 32)
    results = json.loads((out / "eval_heldout" / "results.json").read_text())
    assert results["languages"] == ["en", "de"] and len(results["pairs"]) == 6
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"modle": "x"}))
    assert main(["train", "--config", str(bad)]) == 2


def test_trainer_prompts_follow_the_models_prompts(tiny_model_dir):
    from hybrid_batch_st.training import model_prompts

    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    assert model_prompts(model) is None
    model.prompts = {"query": "query: ", "passage": "passage: "}
    assert model_prompts(model) == {"anchor": "query: ", "positive": "passage: "}
    model.prompts = {"query": "query: ", "document": ""}
    assert model_prompts(model) == {"anchor": "query: "}
    model.prompts = {"query": "Represent this question: "}  # used by evaluation and export, so by training too
    assert model_prompts(model) == {"anchor": "Represent this question: "}
