"""The loss of a training recipe: in-batch negatives InfoNCE over the global batch."""

from __future__ import annotations

from .config import TrainConfig

__all__ = ["make_loss"]


def make_loss(config: TrainConfig, model):
    """In-batch negatives InfoNCE over the global batch (gathered across devices under DDP): plain or
    cached (GradCache, memory of ``mini_batch_size`` rows), one way or both ways (``symmetric``).

    Args:
        config: the run's options (``loss``, ``mini_batch_size``, ``symmetric``).
        model: the ``SentenceTransformer`` being trained.

    Returns:
        A ``MultipleNegativesRankingLoss`` (``loss="mnrl"``) or ``CachedMultipleNegativesRankingLoss``
            (``loss="cached-mnrl"``).
    """
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
