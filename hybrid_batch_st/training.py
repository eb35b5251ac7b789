"""One training run on the stock trainer: config, data sources, and saving the model.

``TrainConfig`` is what ``hybrid-batch-st train`` takes, from flags or a JSON
config file with the same keys. Training data (``train``) is one of:

- ``"sample"``: the bundled XQuAD-R en/de/es training articles (see :mod:`.sample`);
- ``"xquad-r"`` / ``"mlqa-r"``: a LAReQA benchmark (``data_dir`` or the download
  cache); for ``xquad-r`` only its first ``train_articles`` articles are used, the
  rest are held out;
- a ``.jsonl`` file of ``{id, lang, question, answer}`` records, or a folder of
  SQuAD-R ``<lang>.json`` files.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .data import MultilingualPairDataset
from .io import atomic_dir, atomic_path
from .lareqa import BENCHMARKS, load_benchmark
from .models import DEFAULT_MODEL, load_model, query_passage_prompts
from .sample import TRAIN_ARTICLES, sample_split, split_by_article
from .sampler import HybridBatchSampler, check_sampler_options
from .squad_r import SquadRLanguage

__all__ = ["TrainConfig", "TrainOutcome", "load_training_data", "make_evaluator", "train", "model_prompts"]

logger = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """Options of one training run (defaults: a short hybrid run on the bundled sample)."""

    model: str = DEFAULT_MODEL
    train: str = "sample"
    languages: list[str] | None = None
    data_dir: str | None = None
    train_articles: int = TRAIN_ARTICLES
    mode: str = "hybrid"
    alpha: float | str = 0.5
    temperature: float = 1.0
    language_choice: str = "batch"
    world_size: int | None = None  # processes sharing a global batch; None: the running process group's
    batch_size: int = 32
    steps: int = 40
    epochs: float = 1.0
    learning_rate: float = 2e-5
    warmup_ratio: float = 0.1
    seed: int = 0
    freeze_embeddings: bool = False
    max_seq_length: int | None = 128
    output: str = "runs/train"
    eval: str | None = "auto"
    measures: list[str] = field(default_factory=lambda: ["AP"])

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> "TrainConfig":
        """Read a JSON config (keys as the fields here); ``overrides`` that are not None win."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"config file {path} does not exist")
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"config file {path} is not JSON: {exc}") from None
        if not isinstance(values, dict):
            raise ValueError(f"config file {path} must hold a JSON object")
        return cls.from_dict({**values, **{k: v for k, v in overrides.items() if v is not None}}, source=str(path))

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "config") -> "TrainConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{source}: unknown key(s) {unknown}; known keys are {sorted(known)}")
        config = cls(**values)
        config.validate()
        return config

    def validate(self) -> None:
        check_sampler_options(self.mode, self.alpha, self.temperature, self.language_choice,
                              world_size=self.world_size)
        if self.batch_size < 1:
            raise ValueError(f"batch_size={self.batch_size} must be at least 1")
        if self.steps < 0:
            raise ValueError(f"steps={self.steps} must be >= 0 (0 trains for `epochs` epochs)")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def load_training_data(
    config: TrainConfig,
) -> tuple[MultilingualPairDataset, dict[str, SquadRLanguage] | None]:
    """The training pairs and, where the source has one, its held-out part (by article)."""
    source = config.train
    if source == "sample":
        train_part, held = sample_split(config.languages, config.train_articles)
        return MultilingualPairDataset.from_squad_r_languages(train_part, source="bundled sample"), held
    if source in BENCHMARKS:
        data = load_benchmark(source, config.languages, data_dir=config.data_dir)
        if source == "xquad-r":
            train_part, held = split_by_article(data, config.train_articles)
            return MultilingualPairDataset.from_squad_r_languages(train_part, source=source), held
        return MultilingualPairDataset.from_squad_r_languages(data, source=source), None
    path = Path(source)
    if path.is_dir():
        return MultilingualPairDataset.from_squad_r(path, config.languages), None
    if path.suffix == ".jsonl" or path.is_file():
        return MultilingualPairDataset.from_jsonl(path, config.languages), None
    raise FileNotFoundError(
        f"--train {source!r} is neither 'sample', a benchmark ({sorted(BENCHMARKS)}), a .jsonl file "
        "nor a folder of SQuAD-R files"
    )


def model_prompts(model) -> dict[str, str] | None:
    """The trainer's ``prompts``: the model's query prompt for ``anchor`` and passage prompt for
    ``positive`` (each only where the model has one), as evaluation and Pyserini export use them."""
    query, passage = query_passage_prompts(model)
    prompts = {column: prompt for column, prompt in (("anchor", query), ("positive", passage)) if prompt}
    return prompts or None


def make_evaluator(config: TrainConfig, held_out: dict[str, SquadRLanguage] | None):
    """The evaluator named by ``config.eval``: ``"heldout"`` (the training source's held-out articles),
    ``"sample"``, ``"xquad-r"``, ``"mlqa-r"`` or a SQuAD-R folder; ``"auto"`` (default) is ``"heldout"``
    where the source has a held-out part; None or ``""`` for no evaluation."""
    from .evaluator import MultilingualRetrievalEvaluator

    if not config.eval or (config.eval == "auto" and held_out is None):
        return None
    # Progress bars: a full benchmark takes many minutes to encode on CPU.
    options = dict(measures=config.measures, write_report=True, show_progress_bar=True,
                   model_name=f"{Path(str(config.model)).name} ({config.mode} batches)")
    if config.eval in ("heldout", "auto"):
        if held_out is None:
            raise ValueError(f"--eval heldout: training data {config.train!r} has no held-out part; "
                             "name a benchmark (xquad-r, mlqa-r, sample) or a SQuAD-R folder instead")
        return MultilingualRetrievalEvaluator(held_out, name="heldout", **options)
    return MultilingualRetrievalEvaluator.from_benchmark(config.eval, config.languages, config.data_dir, **options)


@dataclass
class TrainOutcome:
    """What :func:`train` produced: the fine-tuned model and, with ``config.eval``, its evaluation."""

    model: Any
    evaluation: Any = None  # EvaluationResult | None
    losses: list[float] = field(default_factory=list)
    saved_to: Path | None = None  # <output>/model; None on the other ranks of a multi-process run


def train(config: TrainConfig, model=None) -> TrainOutcome:
    """Fine-tune ``config.model`` with hybrid batches; saves it to ``<output>/model``.

    Under ``torchrun`` / ``accelerate launch`` every process trains and rank 0 evaluates and saves.
    With ``config.eval`` set, the evaluator runs once training ends and its report
    (results.json, results.md, heatmap.png) goes to ``<output>/eval_<name>``.
    """
    import torch
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    config.validate()
    pairs, held_out = load_training_data(config)
    evaluator = make_evaluator(config, held_out)
    if config.mode != "monolingual":
        singles = pairs.single_language_ids()
        if singles:
            logger.warning("dropping %d example(s) present in one language only: %s", sum(singles.values()), singles)
            pairs = pairs.without_single_language_ids()
    model = model if model is not None else load_model(config.model)
    if config.max_seq_length:
        # Answers are single sentences; a cap keeps padded batches short on CPU.
        model.max_seq_length = min(model.max_seq_length or config.max_seq_length, config.max_seq_length)
    if config.freeze_embeddings:
        for name, parameter in model.named_parameters():
            if "word_embeddings" in name:
                parameter.requires_grad_(False)
    output = Path(config.output)
    args = SentenceTransformerTrainingArguments(
        output_dir=str(output / "checkpoints"),
        per_device_train_batch_size=config.batch_size,
        num_train_epochs=config.epochs,
        max_steps=config.steps or -1,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio,
        seed=config.seed,
        batch_sampler=HybridBatchSampler.configure(
            mode=config.mode, alpha=config.alpha, temperature=config.temperature,
            language_choice=config.language_choice, world_size=config.world_size,
        ),
        prompts=model_prompts(model),
        logging_steps=max(1, (config.steps or 100) // 10),
        save_strategy="no",
        report_to="none",
        disable_tqdm=False,
        use_cpu=not torch.cuda.is_available(),  # torchrun on a CPU-only machine: distributed over gloo
    )
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=pairs.to_dataset(),
        loss=MultipleNegativesRankingLoss(model, gather_across_devices=True),  # the global batch under DDP
    )
    trainer.train()
    losses = [log["loss"] for log in trainer.state.log_history if "loss" in log]
    if not trainer.is_world_process_zero():  # under torchrun / accelerate launch, rank 0 evaluates and saves
        return TrainOutcome(model, None, losses)
    evaluation = None
    if evaluator is not None:
        metrics = evaluator(model, output_path=str(output))
        evaluation = evaluator.last_result
        logger.info("evaluation after training: %s", metrics)
    with atomic_dir(output / "model", overwrite=True) as tmp:
        model.save(str(tmp))
    with atomic_path(output / "train_config.json") as tmp:
        tmp.write_text(json.dumps(config.to_dict(), indent=2) + "\n", encoding="utf-8")
    logger.info("training losses: %s", losses)
    return TrainOutcome(model, evaluation, losses, output / "model")
