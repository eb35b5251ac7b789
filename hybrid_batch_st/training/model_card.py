"""What a trained model carries: the prompts the trainer used, and its recipe in the model card."""

from __future__ import annotations

from pathlib import Path

from ..models import hub_name, query_passage_prompts
from .config import TrainConfig

__all__ = ["model_prompts", "record_recipe"]


def model_prompts(model) -> dict[str, str] | None:
    """The trainer's ``prompts``: the model's query prompt for ``anchor`` and document prompt for
    ``positive`` (each only where the model has one), as evaluation and Pyserini export use them.

    Args:
        model: the ``SentenceTransformer`` being trained.

    Returns:
        ``{"anchor": query prompt, "positive": document prompt}`` (present ones only), or None without prompts.
    """
    query, passage = query_passage_prompts(model)
    prompts = {column: prompt for column, prompt in (("anchor", query), ("positive", passage)) if prompt}
    return prompts or None


def record_recipe(model, config: TrainConfig, languages: list[str]) -> None:
    """Put the recipe in the model's card (saved as README.md with the model): base model, languages,
    tags and every option of ``config`` that shapes the model.

    Args:
        model: the trained ``SentenceTransformer`` (its ``model_card_data`` is changed in place).
        config: the run's options (:meth:`~hybrid_batch_st.training.config.TrainConfig.recipe_options`).
        languages: the training data's languages.
    """
    card = model.model_card_data
    card.base_model = hub_name(config.model) or Path(str(config.model)).name
    card.set_language(languages)
    card.add_tags(["hybrid-batch-st", f"recipe-{config.recipe}"])
    card.non_default_hyperparameters = {
        **card.non_default_hyperparameters,
        **{f"hybrid_batch_st.{key}": value for key, value in config.recipe_options().items()},
    }
