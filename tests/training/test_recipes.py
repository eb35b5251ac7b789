"""The recipes users would pick instead of hybrid batches, each on the real trainer with a tiny model."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments

from hybrid_batch_st.data.sources import load_training_data
from hybrid_batch_st.training import train
from hybrid_batch_st.training.config import TrainConfig
from hybrid_batch_st.training.recipes import trainer_inputs


def config_for(tiny_model_dir, tmp_path, recipe: str, **options) -> TrainConfig:
    values = {"steps": 6, "batch_size": 8} | options
    return TrainConfig(model=str(tiny_model_dir), recipe=recipe, languages=["en", "de", "es"], eval="",
                       output=str(tmp_path / recipe), **values)


def test_stock_per_pair_datasets_train_on_the_stock_trainer(tiny_model_dir, tmp_path):
    pairs, _ = load_training_data("sample", ["en", "de"])
    per_pair = pairs.to_dataset_dict()
    assert sorted(per_pair) == ["de-de", "de-en", "en-de", "en-en"]
    assert per_pair["de-en"].column_names == ["anchor", "positive"] and len(per_pair["de-en"]) == len(per_pair["en-en"])
    row = per_pair["de-en"][0]
    assert row["anchor"] in {r["question"] for r in pairs.records() if r["lang"] == "de"}
    assert row["positive"] in {r["answer"] for r in pairs.records() if r["lang"] == "en"}
    outcome = train(config_for(tiny_model_dir, tmp_path, "stock-per-pair"))
    assert outcome.losses and all(math.isfinite(x) for x in outcome.losses)
    card = (outcome.saved_to / "README.md").read_text(encoding="utf-8")
    assert "recipe-stock-per-pair" in card


class DatasetNames:
    """The trainer's own collator, noting the dataset names of each batch it collates."""

    def __init__(self, inner):
        self.inner, self.seen = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __call__(self, features):
        self.seen.append({f["dataset_name"] for f in features})
        return self.inner(features)


def test_hybrid_plus_distillation_runs_both_losses(tiny_model_dir, tmp_path):
    config = config_for(tiny_model_dir, tmp_path, "hybrid+distillation")
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    pairs, _ = load_training_data("sample", config.languages)
    inputs = trainer_inputs(config, model, pairs)
    assert sorted(inputs.loss) == ["distill-answers", "distill-questions", "pairs"]
    assert {type(v).__name__ for v in inputs.loss.values()} == {"MultipleNegativesRankingLoss", "MSELoss"}
    args = SentenceTransformerTrainingArguments(
        output_dir=str(tmp_path / "scratch"), per_device_train_batch_size=8, max_steps=6, report_to="none",
        use_cpu=True, save_strategy="no", batch_sampler=inputs.batch_sampler,
        multi_dataset_batch_sampler=inputs.multi_dataset_batch_sampler)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=inputs.train_dataset, loss=inputs.loss)
    trainer.data_collator = recorder = DatasetNames(trainer.data_collator)
    trainer.train()
    seen = recorder.seen
    assert all(len(names) == 1 for names in seen)  # one dataset per batch
    assert {next(iter(n)) for n in seen[:6]} == {"pairs", "distill-questions", "distill-answers"}
    with pytest.raises(ValueError, match="one process"):
        dataclasses.replace(config, world_size=2).validate()


def _translation_scores(model, teacher_vectors, held, lang: str) -> tuple[float, float]:
    """MSE between the student's ``lang`` questions and the teacher's English ones, and the share of
    ``lang`` questions whose nearest English question (by the student) is their own translation."""
    en = {q.id: q.text for q in held["en"].questions}
    pairs = [(q.text, en[q.id]) for q in held[lang].questions if q.id in en]
    student = model.encode([p[0] for p in pairs], convert_to_numpy=True)
    target = teacher_vectors([p[1] for p in pairs])
    mse = float(np.mean((student - target) ** 2))
    english = model.encode([p[1] for p in pairs], convert_to_numpy=True, normalize_embeddings=True)
    found = (student / np.linalg.norm(student, axis=1, keepdims=True)) @ english.T
    return mse, float(np.mean(found.argmax(axis=1) == np.arange(len(pairs))))


def test_distillation_moves_translations_to_the_teachers_english(tiny_model_dir, tmp_path):
    config = config_for(tiny_model_dir, tmp_path, "distillation", steps=150, learning_rate=3e-3, batch_size=16,
                        warmup_ratio=0.0)
    teacher = SentenceTransformer(str(tiny_model_dir), device="cpu")

    def teacher_vectors(texts):
        return teacher.encode(texts, convert_to_numpy=True)

    _, held = load_training_data("sample", config.languages)
    before = _translation_scores(teacher, teacher_vectors, held, "de")
    outcome = train(config)
    after = _translation_scores(outcome.model, teacher_vectors, held, "de")
    # measured here: MSE 0.0142 -> 0.0110, translation found 9.1% -> 13.6% of the time (this tiny model
    # generalises little beyond its training articles, so the bars are modest but far from noise)
    assert after[0] < 0.85 * before[0], (before, after)  # held-out German sits nearer the teacher's English
    assert after[1] > before[1] + 0.02, (before, after)  # and finds its English translation more often
    with pytest.raises(ValueError, match="pivot_language.*no 'fr' records"):
        train(dataclasses.replace(config, pivot_language="fr", output=str(tmp_path / "fr")))
