"""HybridBatchSampler inside the real SentenceTransformerTrainer."""

from __future__ import annotations

import dataclasses
import math

import pytest
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
                losses.append(torch.nn.functional.cross_entropy(20 * q @ a.T, torch.arange(len(ids), device=q.device)).item())
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
    assert main(["train", "--config", str(config), "--recipe", "cross-lingual", "--output", str(out)]) == 0
    saved = json.loads((out / "train_config.json").read_text())
    assert saved["recipe"] == "cross-lingual" and saved["steps"] == 3  # flags override the file
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


def test_validation_split_holds_out_ids_and_their_articles(xquad):
    from hybrid_batch_st.tasks.squad_r import split_validation

    data = {lang: xquad[lang] for lang in LANGS}
    train_part, validation = split_validation(data, 0.1)
    again = split_validation(data, 0.1)[1]
    held_ids = {q.id for d in validation.values() for q in d.questions}
    assert held_ids == {q.id for d in again.values() for q in d.questions}  # stable
    assert 0.05 < len(held_ids) / len({q.id for q in xquad["en"].questions}) < 0.15
    for lang in LANGS:
        assert not held_ids & {q.id for q in train_part[lang].questions}
        assert not set(validation[lang].articles) & set(train_part[lang].articles)
        assert not set(validation[lang].sentences) & {train_part[lang].answer(q) for q in train_part[lang].questions}


def test_cached_symmetric_loss_and_merge_with_base(tiny_model_dir, tmp_path):
    from hybrid_batch_st.training.config import TrainConfig
    from hybrid_batch_st.training import make_loss, merge_with_base
    from hybrid_batch_st.training import train as run

    config = TrainConfig(model=str(tiny_model_dir), languages=["en", "de"], steps=3, batch_size=8, loss="cached-mnrl",
                         mini_batch_size=4, symmetric=True, merge_with_base=0.5, eval="", output=str(tmp_path / "o"))
    loss = make_loss(config, SentenceTransformer(str(tiny_model_dir)))
    assert type(loss).__name__ == "CachedMultipleNegativesRankingLoss" and loss.mini_batch_size == 4
    assert tuple(loss.directions) == ("query_to_doc", "doc_to_query")
    outcome = run(config)
    assert len(outcome.losses) >= 1 and all(math.isfinite(x) for x in outcome.losses)
    unmerged = run(dataclasses.replace(config, merge_with_base=1.0, output=str(tmp_path / "u")))
    assert unmerged.losses == outcome.losses  # the same training, saved without merging
    base, fine = SentenceTransformer(str(tiny_model_dir)), SentenceTransformer(str(unmerged.saved_to))
    merged = SentenceTransformer(str(outcome.saved_to))
    changed = 0
    for name, tensor in merged.state_dict().items():
        if tensor.is_floating_point():
            middle = (fine.state_dict()[name] + base.state_dict()[name]) / 2
            assert torch.allclose(tensor, middle, atol=1e-6), name
            changed += int(not torch.equal(fine.state_dict()[name], base.state_dict()[name]))
    assert changed > 0, "training changed no weight"
    with pytest.raises(ValueError, match="merge_with_base=1.5 must be in"):
        dataclasses.replace(config, merge_with_base=1.5).validate()


def test_train_max_seq_length_cuts_training_inputs_only(tiny_model_dir, tmp_path):
    from hybrid_batch_st.training import TrainConfig, train as run

    def trained(**options):
        config = TrainConfig(model=str(tiny_model_dir), languages=["en", "de"], steps=3, batch_size=8, eval="heldout",
                             output=str(tmp_path / str(len(list(tmp_path.iterdir())))), **options)
        return run(config)

    full, cut = trained(), trained(train_max_seq_length=8)
    assert cut.losses != full.losses  # 8 tokens per text: another training
    assert cut.model.max_seq_length == full.model.max_seq_length == 128  # saved and evaluated at the full length
    assert cut.evaluation.encoding["max_seq_length"] == 128
    assert SentenceTransformer(str(cut.saved_to), device="cpu").max_seq_length == 128
    assert trained(train_max_seq_length=0).losses == full.losses  # 0: no cut
    with pytest.raises(ValueError, match="train_max_seq_length=-1 must be a number of tokens >= 0"):
        TrainConfig(train_max_seq_length=-1).validate()
