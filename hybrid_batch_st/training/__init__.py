"""Training: options, losses and the training run on the stock ``SentenceTransformerTrainer``.

- :mod:`.config`: :class:`TrainConfig`, every option defined once (flags, config files, model card);
- :mod:`.flags`: its command-line flags, for the CLI and the benchmark scripts;
- :mod:`.losses`: the in-batch negatives loss of a recipe;
- :mod:`.run`: :func:`train`, one training run (data, sampler, trainer, evaluation, atomic save);
- :mod:`.merge`: weight averaging with the base model;
- :mod:`.model_card`: the trainer's prompts and the recipe recorded in the model card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .config import DEMO_DEFAULTS, TrainConfig
    from .losses import make_loss
    from .merge import merge_with_base
    from .model_card import model_prompts, record_recipe
    from .run import TrainOutcome, make_evaluator, train

_LAZY = {"TrainConfig": ".config", "DEMO_DEFAULTS": ".config", "make_loss": ".losses", "merge_with_base": ".merge",
         "model_prompts": ".model_card", "record_recipe": ".model_card", "TrainOutcome": ".run",
         "make_evaluator": ".run", "train": ".run"}
__all__ = list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
