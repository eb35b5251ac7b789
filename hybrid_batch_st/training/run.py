"""One training run on the stock trainer: :class:`~hybrid_batch_st.training.config.TrainConfig` in, a
saved model (with its recipe in the model card) and, optionally, its evaluation out."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import atomic_dir, check_overwrite
from ..data.sources import load_eval_data, training_data_of
from ..errors import INTERRUPTED
from ..models import cap_max_seq_length, load_model
from .config import TrainConfig
from .merge import merge_with_base
from .model_card import model_prompts, record_recipe

__all__ = ["TrainOutcome", "make_evaluator", "train", "training_arguments"]

logger = logging.getLogger(__name__)


def make_evaluator(config: TrainConfig, held_out=None):
    """The evaluator named by ``config.eval`` (see :mod:`hybrid_batch_st.data.sources`), or None.

    Args:
        config: the run's options: ``eval``, ``languages``, ``data_dir``, ``train_articles`` and ``measures``
            choose the data; ``model`` and ``recipe`` name the model in the report.
        held_out: the training data's held-out part, for ``eval`` ``heldout``, ``validation`` or ``auto``.

    Returns:
        A :class:`~hybrid_batch_st.evaluation.evaluator.MultilingualRetrievalEvaluator` that writes its report
            (named ``heldout`` for ``heldout`` / ``auto``, else after the source); None where ``config.eval`` is
            empty, or ``auto`` without a held-out part.

    Raises:
        ValueError: ``heldout`` / ``validation`` without a held-out part.
    """
    data = load_eval_data(config.eval or "", config.languages, config.data_dir, held_out, config.train_articles)
    if data is None:
        return None
    from ..evaluation.evaluator import MultilingualRetrievalEvaluator

    name = "heldout" if config.eval in ("heldout", "auto") else Path(config.eval).name
    # Progress bars: a full benchmark takes many minutes to encode on CPU.
    return MultilingualRetrievalEvaluator(data, name=name, measures=config.measures, write_report=True,
                                          show_progress_bar=True,
                                          model_name=f"{Path(str(config.model)).name} ({config.recipe})")


@dataclass
class TrainOutcome:
    """What :func:`train` produced: the fine-tuned model and, with ``config.eval``, its evaluation.

    Attributes:
        model: the fine-tuned ``SentenceTransformer`` (merged with the base model where asked).
        evaluation: the :class:`~hybrid_batch_st.evaluation.results.EvaluationResult` after training, or None.
        losses: the training losses the trainer logged, in order.
        saved_to: ``<output>/model``; None on the other ranks of a multi-process run.
    """

    model: Any
    evaluation: Any = None  # EvaluationResult | None
    losses: list[float] = field(default_factory=list)
    saved_to: Path | None = None  # <output>/model; None on the other ranks of a multi-process run


def _prepare_model(config: TrainConfig, model):
    model = cap_max_seq_length(model if model is not None else load_model(config.model), config.max_seq_length)
    if config.freeze_embeddings:
        for name, parameter in model.named_parameters():
            if "word_embeddings" in name:
                parameter.requires_grad_(False)
    return model


@contextlib.contextmanager
def _training_length(model, limit: int | None):
    """``model`` truncates to ``limit`` tokens (where that is shorter) within the block, then to its own length."""
    own = model.max_seq_length
    cap_max_seq_length(model, limit)
    try:
        yield
    finally:
        model.max_seq_length = own


def training_arguments(config: TrainConfig, output_dir: str, batch_sampler, prompts, multi_dataset_batch_sampler,
                       evaluate: bool = False):
    """The stock ``SentenceTransformerTrainingArguments`` of a run: every option of ``config`` that the
    trainer knows, under its Hugging Face name.

    Args:
        config: the run's options (batch size, steps or epochs, learning rate, warm-up, seed, precision,
            checkpoints, logging, data-loader workers).
        output_dir: the trainer's folder (its checkpoints).
        batch_sampler: the trainer's ``batch_sampler`` (a :class:`~hybrid_batch_st.HybridBatchSampler`
            factory or a stock ``BatchSamplers`` value).
        prompts: the trainer's ``prompts`` (:func:`~hybrid_batch_st.training.model_card.model_prompts`).
        multi_dataset_batch_sampler: how a multi-dataset run interleaves its datasets.
        evaluate: evaluate every ``config.eval_steps`` steps (when that is set).

    Returns:
        The training arguments; ``use_cpu`` is set where no CUDA GPU is available.
    """
    import torch
    from sentence_transformers import SentenceTransformerTrainingArguments

    saving = {"save_strategy": "steps", "save_steps": config.save_steps,
              "save_total_limit": config.save_total_limit or None} if config.save_steps else {"save_strategy": "no"}
    evaluating = {"eval_strategy": "steps", "eval_steps": config.eval_steps} if evaluate and config.eval_steps else {}
    return SentenceTransformerTrainingArguments(
        output_dir=output_dir,
        per_device_train_batch_size=config.batch_size,
        num_train_epochs=config.epochs,
        max_steps=config.steps or -1,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio,
        seed=config.seed,
        batch_sampler=batch_sampler,
        prompts=prompts,
        logging_steps=config.logging_steps or max(1, (config.steps or 100) // 10),
        report_to=config.report_to,
        bf16=config.precision == "bf16",
        fp16=config.precision == "fp16",
        dataloader_num_workers=config.dataloader_num_workers,
        disable_tqdm=False,
        use_cpu=not torch.cuda.is_available(),  # torchrun on a CPU-only machine: distributed over gloo
        multi_dataset_batch_sampler=multi_dataset_batch_sampler,
        **saving,
        **evaluating,
    )


def _run_trainer(config: TrainConfig, model, pairs, output_dir: str, evaluator=None):
    from sentence_transformers import SentenceTransformerTrainer

    from .recipes import trainer_inputs

    inputs = trainer_inputs(config, model, pairs)
    during = evaluator if config.eval_steps else None
    args = training_arguments(config, output_dir, inputs.batch_sampler, model_prompts(model),
                              inputs.multi_dataset_batch_sampler, evaluate=during is not None)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=inputs.train_dataset, loss=inputs.loss,
                                         evaluator=during, callbacks=[_stop_on_interrupt()])
    trainer.train(resume_from_checkpoint=_newest_checkpoint(output_dir) if config.resume else None)
    return trainer


def _newest_checkpoint(folder: str) -> str | None:
    """The newest ``checkpoint-N`` in ``folder`` that the trainer finished writing, or None (a fresh start)."""
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(folder) if Path(folder).is_dir() else None


def _stop_on_interrupt():
    """A callback that stops training at the next step once Ctrl-C was pressed at the command line,
    even where the KeyboardInterrupt itself was swallowed (:data:`~hybrid_batch_st.errors.INTERRUPTED`)."""
    from transformers import TrainerCallback

    class StopOnInterrupt(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if INTERRUPTED.is_set():
                raise KeyboardInterrupt

        on_train_begin = on_step_end = on_step_begin

    return StopOnInterrupt()


def train(config: TrainConfig, model=None, overwrite: bool = False) -> TrainOutcome:
    """Fine-tune ``config.model`` with ``config.recipe`` (hybrid batches by default; then, with
    ``config.merge_with_base`` < 1, average its weights with the base model's); saves it to ``<output>/model``.

    An existing ``config.output`` is refused unless ``overwrite``; the output folder appears only
    once complete (model, ``train_config.json`` and, with ``config.eval``, the evaluation report in
    ``<output>/eval_<name>``). Under ``torchrun`` / ``accelerate launch`` every process trains and
    rank 0 evaluates and saves.

    Args:
        config: the run's options (validated first).
        model: a loaded ``SentenceTransformer`` to fine-tune in place instead of loading ``config.model``
            (which still names the base model for the merge and the model card).
        overwrite: replace an existing ``config.output``.

    Returns:
        A :class:`TrainOutcome`: the model, its evaluation (or None), the logged losses and where it was saved.

    Raises:
        ValueError: an option or the training data is invalid (the message names the fix).
        FileExistsError: ``config.output`` exists and ``overwrite`` is false (checked before training).

    Example:
        >>> from hybrid_batch_st import TrainConfig, train
        >>> config = TrainConfig(model="all-MiniLM-L6-v2", train="sample", languages=["en", "de", "es"],
        ...                      recipe="hybrid", alpha=0.5, steps=30, batch_size=32, output="runs/hybrid")
        >>> outcome = train(config)  # doctest: +SKIP
        >>> outcome.saved_to  # doctest: +SKIP
        PosixPath('runs/hybrid/model')
        >>> outcome.evaluation.macro  # doctest: +SKIP
    """
    config.validate()
    output = Path(config.output)
    check_overwrite(output, overwrite)
    pairs, held_out = training_data_of(config)
    evaluator = make_evaluator(config, held_out)
    if config.mode != "monolingual":  # cross-lingual batches need every example in two languages
        singles = pairs.single_language_ids()
        if singles:
            logger.warning("dropping %d example(s) present in one language only: %s", sum(singles.values()), singles)
            pairs = pairs.without_single_language_ids()
    model = _prepare_model(config, model)
    with _training_length(model, config.train_max_seq_length):
        if config.save_steps or config.resume:  # kept until OUTPUT is complete, for --resume
            checkpoints = config.checkpoint_dir
            if config.resume and not checkpoints.is_dir():
                logger.warning("resume: no checkpoints in %s; training from the start", checkpoints)
            trainer = _run_trainer(config, model, pairs, str(checkpoints), evaluator)
        else:
            with tempfile.TemporaryDirectory(prefix="hybrid-batch-st-trainer-") as scratch:
                trainer = _run_trainer(config, model, pairs, scratch, evaluator)
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
    if config.save_steps or config.resume:
        shutil.rmtree(config.checkpoint_dir, ignore_errors=True)  # the run is complete: nothing to resume
    logger.info("training losses: %s", losses)
    return TrainOutcome(model, evaluation, losses, output / "model")
