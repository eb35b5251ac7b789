"""Every training option, defined once: :class:`TrainConfig`.

The ``train`` and ``demo`` commands, JSON config files and ``benchmarks/reproduce.py`` all derive
their options from the fields here (name, default, help, parser), so an option added here is
reachable everywhere. Imports nothing heavy: the command line's ``--help`` reads it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..languages import parse_languages
from ..names import DEFAULT_MEASURES, DEFAULT_MODEL, LANGUAGE_CHOICES, LOSSES, MODES, RECIPES
from ..sampling.options import SAMPLER_DEFAULTS, check_sampler_options
from ..tasks.sample import TRAIN_ARTICLES
from .option_values import _hf_columns, _measures, parse_alpha, parse_language_weights
from .run_options import _RUN_ONLY, RunOptions, _option

__all__ = ["TrainConfig", "DEMO_DEFAULTS", "DEMO_RECIPES"]


@dataclass
class TrainConfig(RunOptions):
    """Options of one training run (defaults: a short hybrid run on the bundled sample).

    Each field is a ``hybrid-batch-st train`` flag (``learning_rate`` -> ``--learning-rate``) and a key
    of a JSON config file; flags override the file. Each field's default and help text (its ``metadata``)
    are listed below and in ``hybrid-batch-st train --help``; :meth:`validate` checks them together.

    Example:
        ```python
        from hybrid_batch_st import TrainConfig, train

        config = TrainConfig(model="xlm-roberta-base", train="pairs.jsonl", recipe="hybrid", alpha=0.5,
                             steps=1000, batch_size=32, output="runs/hybrid")
        outcome = train(config)       # outcome.model, outcome.evaluation, outcome.saved_to
        config = TrainConfig.from_file("run.json", seed=1)   # a JSON file of these keys, overridden
        ```
    """

    model: str = field(default=DEFAULT_MODEL, metadata=_option(
        "sentence-transformers model id or folder (all-MiniLM-L6-v2 = the packaged copy)", metavar="ID_OR_PATH"))
    train: str = field(default="sample", metadata=_option(
        "training data: sample (bundled en/de/es), xquad-r, mlqa-r, a pairs .jsonl file, a SQuAD-R folder or "
        "hf:NAME_OR_PATH (a Hugging Face dataset: a save_to_disk folder, parquet/CSV/JSON files or a hub name)",
        metavar="SOURCE"))
    hf_columns: dict[str, str] | None = field(default=None, metadata=_option(
        "with --train hf:NAME_OR_PATH: ROLE=COLUMN where the data's columns differ from id, lang, question, answer, "
        "negatives; a {lang} pattern reads the wide shape (question=question_{lang},answer=answer_{lang}); id= "
        "numbers the rows", _hf_columns, "ROLE=COLUMN,..."))
    hf_split: str | None = field(default=None, metadata=_option(
        "with --train hf:...: the split to train on (default: train, or the only one)", metavar="SPLIT"))
    hf_config: str | None = field(default=None, metadata=_option(
        "with --train hf:NAME: the dataset config", metavar="NAME"))
    languages: list[str] | None = field(default=None, metadata=_option(
        "comma-separated languages to use (default: all of the data)", parse_languages, "en,de,es"))
    data_dir: str | None = field(default=None, metadata=_option(
        "folder holding xquad-r/ and mlqa-r/ (default: downloaded once into the cache)", metavar="DIR"))
    train_articles: int = field(default=TRAIN_ARTICLES, metadata=_option(
        "with sample or xquad-r: the first N articles train, the rest are held out (0: train on every article)",
        int, "N"))
    validation_share: float = field(default=0.0, metadata=_option(
        "share of the training data's question ids held out as a validation split (with their articles, "
        "never trained on), for choosing recipe settings; evaluated by --eval validation", float, "S"))
    recipe: str = field(default="hybrid", metadata=_option(
        "what to train: hybrid (X-X and X-Y batches), monolingual (X-X only), cross-lingual (X-Y only), mixed "
        "(both kinds of rows in one batch), stock-per-pair (one dataset per language pair under the stock "
        "samplers, no plugin), distillation (MSE to the teacher's pivot-language embeddings) or "
        "hybrid+distillation (both, in turn)", choices=RECIPES))
    teacher: str | None = field(default=None, metadata=_option(
        "distillation recipes: the frozen teacher model (default: the base model itself)", metavar="ID_OR_PATH"))
    pivot_language: str = field(default="en", metadata=_option(
        "distillation recipes: the language whose teacher embeddings every translation learns", metavar="LANG"))
    negatives: int = field(default=0, metadata=_option(
        "hard negatives per row (negative_1..K, in the answer's language) from --negatives-file; every recipe "
        "with in-batch negatives (0: in-batch negatives only)", int, "K"))
    negatives_file: str | None = field(default=None, metadata=_option(
        "hard negatives per example id, as `hybrid-batch-st mine` writes them", metavar="PATH"))
    alpha: float | str = field(default=SAMPLER_DEFAULTS["alpha"], metadata=_option(
        "probability that a hybrid batch is monolingual, or 'size' (the monolingual share of all pairs)",
        parse_alpha, "A"))
    temperature: float = field(default=SAMPLER_DEFAULTS["temperature"], metadata=_option(
        "T in p ~ n**(1/T) over language (pair) sizes; larger flattens toward uniform", float, "T"))
    language_weights: dict[str, float] | None = field(default=SAMPLER_DEFAULTS["language_weights"], metadata=_option(
        "weights multiplied into the language (pair) probabilities, e.g. en=1,de=0.5 (0 excludes a language)",
        parse_language_weights, "LANG=W,..."))
    language_choice: str = field(default=SAMPLER_DEFAULTS["language_choice"], metadata=_option(
        "one language (pair) per batch, as in the paper, or drawn per example", choices=LANGUAGE_CHOICES))
    world_size: int | None = field(default=SAMPLER_DEFAULTS["world_size"], metadata=_option(
        "processes sharing one global batch (default: the torchrun/accelerate process group's)", int, "N"))
    batch_size: int = field(default=32, metadata=_option("rows per batch and device", int, "N"))
    steps: int = field(default=40, metadata=_option("training steps (0: train for --epochs)", int, "N"))
    epochs: float = field(default=1.0, metadata=_option("epochs, when --steps is 0", float, "E"))
    learning_rate: float = field(default=2e-5, metadata=_option("peak learning rate (AdamW)", float, "LR"))
    loss: str = field(default="mnrl", metadata=_option(
        "in-batch negatives InfoNCE: mnrl (MultipleNegativesRankingLoss) or cached-mnrl (its GradCache form: "
        "large batches in the memory of --mini-batch-size rows)", choices=LOSSES))
    mini_batch_size: int = field(default=32, metadata=_option(
        "with cached-mnrl: rows encoded at once (memory), not the batch the loss sees", int, "N"))
    symmetric: bool = field(default=False, metadata=_option(
        "InfoNCE both ways: also rank the batch's questions for each answer"))
    merge_with_base: float = field(default=1.0, metadata=_option(
        "after training, average the weights: this share fine-tuned, the rest the base model's "
        "(1: keep the fine-tuned model; 0.5: half and half)", float, "W"))
    warmup_ratio: float = field(default=0.1, metadata=_option(
        "share of the steps spent warming the learning rate up", float, "R"))
    seed: int = field(default=0, metadata=_option("random seed (sampler, initialisation, dropout)", int, "S"))
    freeze_embeddings: bool = field(default=False, metadata=_option(
        "freeze the word-embedding table (faster on CPU; keeps the multilingual vocabulary as trained)"))
    max_seq_length: int | None = field(default=128, metadata=_option(
        "truncate inputs to this many tokens (0: the model's own limit)", int, "N"))
    train_max_seq_length: int | None = field(default=None, metadata=_option(
        "truncate training inputs to this many tokens, if fewer than --max-seq-length (default: that one); the "
        "saved and evaluated model keeps --max-seq-length", int, "N"))
    output: str = field(default="runs/train", metadata=_option(
        "output folder (model/, train_config.json, eval_<name>/)", metavar="DIR"))
    eval: str | None = field(default="auto", metadata=_option(
        "after training: auto (heldout when the data has a held-out part), heldout, sample, xquad-r, mlqa-r, "
        "a SQuAD-R folder, or '' for none", metavar="SOURCE"))
    measures: list[str] = field(default_factory=lambda: list(DEFAULT_MEASURES), metadata=_option(
        "comma-separated ir-measures measures for the evaluation", _measures, "AP,nDCG@10"))

    @classmethod
    def from_file(cls, path: str | Path, defaults: Mapping[str, Any] | None = None, **overrides: Any) -> "TrainConfig":
        """Read a JSON config (keys as the fields here) over ``defaults``; ``overrides`` that are not None win.

        Args:
            path: a JSON object whose keys are field names (``"learning_rate": 5e-5``).
            defaults: values under the file's (the demo's, the reproduction script's).
            **overrides: values over the file's, e.g. command-line flags; None means not given.

        Returns:
            The validated config.

        Raises:
            FileNotFoundError: ``path`` does not exist.
            ValueError: a key is unknown or a value is invalid (the message names the file and the key).
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"config file {path} does not exist")
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"config file {path} is not JSON: {exc}") from None
        if not isinstance(values, dict):
            raise ValueError(f"config file {path} must hold a JSON object")
        return cls.from_dict({**values, **{k: v for k, v in overrides.items() if v is not None}}, source=str(path),
                             defaults=defaults)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], source: str = "config",
                  defaults: Mapping[str, Any] | None = None) -> "TrainConfig":
        """A validated config from ``values`` (strings are parsed as flags are), over ``defaults``.

        Args:
            values: field name -> value; a string is read as its flag would be (``"en,de"``, ``"en=1,de=0.5"``).
            source: names the input in error messages (``"flags"``, a file name).
            defaults: values under ``values``.

        Returns:
            The config, checked by :meth:`validate`.

        Raises:
            ValueError: a key is unknown or a value is invalid (the message names ``source`` and the key).

        Example:
            >>> TrainConfig.from_dict({"languages": "en,de", "alpha": "size"}).languages
            ['en', 'de']
        """
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"{source}: unknown key(s) {unknown}; known keys are {sorted(known)}")
        parsed = dict(defaults or {})
        for name, value in values.items():
            parse = known[name].metadata.get("parse")
            if parse is not None and value is not None and (isinstance(value, str) or parse is not int):
                try:
                    value = parse(value)
                except ValueError as exc:
                    raise ValueError(f"{source}: {name}: {exc}") from None
            parsed[name] = value
        config = cls(**parsed)
        config.validate()
        return config

    @property
    def mode(self) -> str:
        """The sampler mode of the pair batches (``hybrid`` for the distillation recipes' pairs)."""
        return self.recipe if self.recipe in MODES else "hybrid"

    def validate(self) -> None:
        """Check the options together (run options included), normalising ``measures`` and ``report_to``.

        Raises:
            ValueError: an option is invalid alone or with another (the message names it and the fix).
        """
        if self.recipe not in RECIPES:
            raise ValueError(f"recipe={self.recipe!r} must be one of {RECIPES}")
        if not isinstance(self.negatives, int) or self.negatives < 0:
            raise ValueError(f"negatives={self.negatives!r} must be >= 0 (hard negatives per row)")
        if self.negatives and self.recipe == "distillation":
            raise ValueError("negatives: recipe='distillation' has no in-batch negatives (MSE to the teacher); use "
                             "recipe='hybrid+distillation' or negatives=0")
        if self.negatives and not self.negatives_file:
            raise ValueError(f"negatives={self.negatives} needs negatives_file (mine one with `hybrid-batch-st mine`)")
        if not self.train.startswith("hf:") and (self.hf_columns or self.hf_split or self.hf_config):
            raise ValueError(f"hf_columns / hf_split / hf_config apply to train='hf:...', not train={self.train!r}")
        if self.recipe == "hybrid+distillation" and (self.world_size or 1) > 1:
            raise ValueError("recipe='hybrid+distillation' runs in one process: the stock multi-dataset sampler "
                             "would give the ranks batches of different datasets; train it without torchrun")
        check_sampler_options(self.mode, self.alpha, self.temperature, self.language_choice,
                              self.language_weights, self.world_size)
        for name in ("batch_size", "mini_batch_size"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)!r} must be a positive integer")
        if self.batch_size * (self.world_size or 1) < 2:
            raise ValueError(f"batch_size={self.batch_size}: in-batch negatives need at least 2 rows per (global) "
                             "batch, or every loss is 0 and nothing is learnt; use batch_size >= 2")
        if not isinstance(self.train_articles, int) or self.train_articles < 0:
            raise ValueError(f"train_articles={self.train_articles!r} must be >= 0 (0: every article trains)")
        if self.loss not in LOSSES:
            raise ValueError(f"loss={self.loss!r} must be one of {LOSSES}")
        if not 0 <= self.validation_share < 1:
            raise ValueError(f"validation_share={self.validation_share!r} must be in [0, 1)")
        if not 0 <= self.merge_with_base <= 1:
            raise ValueError(f"merge_with_base={self.merge_with_base!r} must be in [0, 1] (1: no merge)")
        if self.train_max_seq_length is not None and (not isinstance(self.train_max_seq_length, int)
                                                      or self.train_max_seq_length < 0):
            raise ValueError(f"train_max_seq_length={self.train_max_seq_length!r} must be a number of tokens >= 0")
        if not isinstance(self.steps, int) or self.steps < 0:
            raise ValueError(f"steps={self.steps!r} must be >= 0 (0 trains for `epochs` epochs)")
        if self.measures:
            self.measures = _measures(self.measures)  # an unknown measure fails before training, not after
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio={self.warmup_ratio!r} must be in [0, 1)")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate={self.learning_rate!r} must be positive")
        self.check_run_options()

    def to_dict(self) -> dict[str, Any]:
        """Every field, as ``train_config.json`` stores it.

        Returns:
            ``{field name: value}`` (``dataclasses.asdict``).
        """
        return dataclasses.asdict(self)

    def recipe_options(self) -> dict[str, Any]:
        """The options that define the trained model, e.g. for its model card.

        Returns:
            Every field but the run-only ones (``output``, ``data_dir``, ``eval``, ``measures``, checkpoints,
                logging, data loading); ``model``, ``train`` and ``negatives_file`` stay, as given.
        """
        return {k: v for k, v in self.to_dict().items() if k not in _RUN_ONLY}


#: The recipes ``hybrid-batch-st demo`` trains unless ``--recipes`` names others: X-X, X-Y and hybrid batches.
DEMO_RECIPES = MODES[:3]
#: Where ``hybrid-batch-st demo`` departs from :class:`TrainConfig`'s defaults (a shorter, faster run).
#: Training inputs are cut at 64 tokens (evaluation stays at ``max_seq_length``): a batch of 32 sample rows
#: nearly always holds an answer over 64 tokens and is padded to it, so this about halves a step's CPU cost.
DEMO_DEFAULTS: dict[str, Any] = {"steps": 30, "learning_rate": 5e-5, "eval": "heldout", "output": "runs/demo",
                                 "train_max_seq_length": 64}
