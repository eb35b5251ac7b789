"""One training run on the stock trainer: :class:`~hybrid_batch_st.config.TrainConfig` in, a saved
model (with its recipe in the model card) and, optionally, its evaluation out."""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import atomic_dir, check_overwrite
from .config import TrainConfig
from .models import hub_name, load_model, query_passage_prompts
from .sources import load_eval_data, training_data_of

__all__ = ["TrainConfig", "TrainOutcome", "make_evaluator", "train", "model_prompts", "record_recipe", "make_loss",
           "merge_with_base"]

logger = logging.getLogger(__name__)


def model_prompts(model) -> dict[str, str] | None:
    """The trainer's ``prompts``: the model's query prompt for ``anchor`` and document prompt for
    ``positive`` (each only where the model has one), as evaluation and Pyserini export use them."""
    query, passage = query_passage_prompts(model)
    prompts = {column: prompt for column, prompt in (("anchor", query), ("positive", passage)) if prompt}
    return prompts or None


def make_evaluator(config: TrainConfig, held_out=None):
    """The evaluator named by ``config.eval`` (see :mod:`hybrid_batch_st.sources`), or None."""
    data = load_eval_data(config.eval or "", config.languages, config.data_dir, held_out, config.train_articles)
    if data is None:
        return None
    from .sentence_evaluator import MultilingualRetrievalEvaluator

    name = "heldout" if config.eval in ("heldout", "auto") else Path(config.eval).name
    # Progress bars: a full benchmark takes many minutes to encode on CPU.
    return MultilingualRetrievalEvaluator(data, name=name, measures=config.measures, write_report=True,
                                          show_progress_bar=True,
                                          model_name=f"{Path(str(config.model)).name} ({config.mode} batches)")


def record_recipe(model, config: TrainConfig, languages: list[str]) -> None:
    """Put the recipe in the model's card (saved as README.md with the model): base model, languages,
    tags and every option of ``config`` that shapes the model."""
    card = model.model_card_data
    card.base_model = hub_name(config.model) or Path(str(config.model)).name
    card.set_language(languages)
    card.add_tags(["hybrid-batch-st", f"{config.mode}-batches"])
    card.non_default_hyperparameters = {
        **card.non_default_hyperparameters,
        **{f"hybrid_batch_st.{key}": value for key, value in config.recipe().items()},
    }


@dataclass
class TrainOutcome:
    """What :func:`train` produced: the fine-tuned model and, with ``config.eval``, its evaluation."""

    model: Any
    evaluation: Any = None  # EvaluationResult | None
    losses: list[float] = field(default_factory=list)
    saved_to: Path | None = None  # <output>/model; None on the other ranks of a multi-process run


def _prepare_model(config: TrainConfig, model):
    model = model if model is not None else load_model(config.model)
    if config.max_seq_length:
        # Answers are single sentences; a cap keeps padded batches short on CPU.
        model.max_seq_length = min(model.max_seq_length or config.max_seq_length, config.max_seq_length)
    if config.freeze_embeddings:
        for name, parameter in model.named_parameters():
            if "word_embeddings" in name:
                parameter.requires_grad_(False)
    return model


def make_loss(config: TrainConfig, model):
    """In-batch negatives InfoNCE over the global batch (gathered across devices under DDP): plain or
    cached (GradCache, memory of ``mini_batch_size`` rows), one way or both ways (``symmetric``)."""
    from sentence_transformers.sentence_transformer.losses import (
        CachedMultipleNegativesRankingLoss,
        MultipleNegativesRankingLoss,
    )

    options = {"gather_across_devices": True}
    if config.symmetric:
        options |= {"directions": ("query_to_doc", "doc_to_query"), "partition_mode": "per_direction"}
    if config.loss == "cached-mnrl":
        return CachedMultipleNegativesRankingLoss(model, mini_batch_size=config.mini_batch_size, **options)
    return MultipleNegativesRankingLoss(model, **options)


def merge_with_base(model, base, weight: float) -> None:
    """Weight-space ensembling, in place: every floating-point weight becomes ``weight * fine-tuned +
    (1 - weight) * base`` (the two models must share an architecture)."""
    import torch

    base_state = base.state_dict()
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                if name not in base_state or base_state[name].shape != tensor.shape:
                    raise ValueError(f"cannot merge with the base model: its weights lack {name!r} of shape "
                                     f"{tuple(tensor.shape)}; merge_with_base needs the model training started from")
                tensor.lerp_(base_state[name].to(tensor.device, tensor.dtype), 1.0 - weight)


def _run_trainer(config: TrainConfig, model, dataset, scratch: str):
    import torch
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments

    from .sampler import HybridBatchSampler

    args = SentenceTransformerTrainingArguments(
        output_dir=scratch,  # nothing is saved during training; the folder goes when training ends
        per_device_train_batch_size=config.batch_size,
        num_train_epochs=config.epochs,
        max_steps=config.steps or -1,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio,
        seed=config.seed,
        batch_sampler=HybridBatchSampler.configure(
            mode=config.mode, alpha=config.alpha, temperature=config.temperature,
            language_weights=config.language_weights, language_choice=config.language_choice,
            world_size=config.world_size,
        ),
        prompts=model_prompts(model),
        logging_steps=max(1, (config.steps or 100) // 10),
        save_strategy="no",
        report_to="none",
        disable_tqdm=False,
        use_cpu=not torch.cuda.is_available(),  # torchrun on a CPU-only machine: distributed over gloo
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset, loss=make_loss(config, model))
    trainer.train()
    return trainer


def train(config: TrainConfig, model=None, overwrite: bool = False) -> TrainOutcome:
    """Fine-tune ``config.model`` with hybrid batches (then, with ``config.merge_with_base`` < 1, average
    its weights with the base model's); saves it to ``<output>/model``.

    An existing ``config.output`` is refused unless ``overwrite``; the output folder appears only
    once complete (model, ``train_config.json`` and, with ``config.eval``, the evaluation report in
    ``<output>/eval_<name>``). Under ``torchrun`` / ``accelerate launch`` every process trains and
    rank 0 evaluates and saves.
    """
    config.validate()
    output = Path(config.output)
    check_overwrite(output, overwrite)
    pairs, held_out = training_data_of(config)
    evaluator = make_evaluator(config, held_out)
    if config.mode != "monolingual":
        singles = pairs.single_language_ids()
        if singles:
            logger.warning("dropping %d example(s) present in one language only: %s", sum(singles.values()), singles)
            pairs = pairs.without_single_language_ids()
    model = _prepare_model(config, model)
    with tempfile.TemporaryDirectory(prefix="hybrid-batch-st-trainer-") as scratch:
        trainer = _run_trainer(config, model, pairs.to_dataset(), scratch)
    losses = [log["loss"] for log in trainer.state.log_history if "loss" in log]
    if not trainer.is_world_process_zero():  # under torchrun / accelerate launch, rank 0 evaluates and saves
        return TrainOutcome(model, None, losses)
    if config.merge_with_base < 1:
        merge_with_base(model, load_model(config.model, device=str(model.device)), config.merge_with_base)
    evaluation = None
    with atomic_dir(output, overwrite=overwrite) as tmp:
        if evaluator is not None:
            logger.info("evaluation after training: %s", evaluator(model, output_path=str(tmp)))
            evaluation = evaluator.last_result
        record_recipe(model, config, pairs.languages)
        model.save(str(tmp / "model"))
        (tmp / "train_config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n", encoding="utf-8")
    logger.info("training losses: %s", losses)
    return TrainOutcome(model, evaluation, losses, output / "model")
