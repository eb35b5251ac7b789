"""What the trainer gets for each recipe (:data:`~hybrid_batch_st.names.RECIPES`): its training
dataset(s), loss(es) and batch samplers.

- a sampler mode (``hybrid``, ``monolingual``, ``cross-lingual``, ``mixed``): the pair dataset under
  :class:`~hybrid_batch_st.HybridBatchSampler` with in-batch negatives;
- ``stock-per-pair``: :meth:`~hybrid_batch_st.MultilingualPairDataset.to_dataset_dict` under the stock
  samplers (random batches within a sub-dataset, sub-datasets drawn PROPORTIONAL to their size), the
  same loss: what a sentence-transformers user builds without this plugin;
- ``distillation``: :mod:`~hybrid_batch_st.training.distillation`'s two datasets with ``MSELoss``, in
  turn (ROUND_ROBIN);
- ``hybrid+distillation``: hybrid batches with in-batch negatives and both distillation datasets, one
  step of each in turn (ROUND_ROBIN: a third of the steps each), every loss with weight 1. One
  process only: the stock multi-dataset sampler would hand DDP ranks batches of different datasets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..names import MODES
from .config import TrainConfig
from .losses import make_loss

__all__ = ["TrainerInputs", "trainer_inputs"]


@dataclass
class TrainerInputs:
    """Keyword arguments of the trainer and its training arguments for one recipe."""

    train_dataset: Any
    loss: Any
    batch_sampler: Any
    multi_dataset_batch_sampler: Any = "proportional"  # the stock default


def _teacher(config: TrainConfig, model):
    if not config.teacher:
        return model  # the base model itself: the student before its first step
    from ..models import cap_max_seq_length, load_model

    teacher = cap_max_seq_length(load_model(config.teacher, device=str(model.device)), config.max_seq_length)
    if teacher.get_sentence_embedding_dimension() != model.get_sentence_embedding_dimension():
        raise ValueError(f"{config.teacher} (teacher) gives {teacher.get_sentence_embedding_dimension()}-d embeddings, "
                         f"{config.model} {model.get_sentence_embedding_dimension()}-d; MSE needs one size: pass a "
                         "teacher of the student's dimension")
    return teacher


def _mse(model):
    from sentence_transformers.sentence_transformer.losses import MSELoss

    return MSELoss(model)


def hybrid_sampler(config: TrainConfig):
    from ..sampling.sampler import HybridBatchSampler

    return HybridBatchSampler.configure(
        mode=config.mode, alpha=config.alpha, temperature=config.temperature,
        language_weights=config.language_weights, language_choice=config.language_choice,
        world_size=config.world_size)


class PairsOrStock:
    """``batch_sampler`` of a multi-dataset run: hybrid batches for the pair dataset, the stock random
    batches for every other dataset."""

    def __init__(self, hybrid):
        self.hybrid = hybrid

    def __call__(self, dataset, batch_size, drop_last, valid_label_columns=None, generator=None, seed=0):
        from sentence_transformers.base.sampler import DefaultBatchSampler
        from torch.utils.data import RandomSampler

        from ..data.pair_index import pair_index_of

        if pair_index_of(dataset) is not None:
            return self.hybrid(dataset, batch_size, drop_last, valid_label_columns, generator, seed)
        return DefaultBatchSampler(RandomSampler(dataset, generator=generator), batch_size=batch_size,
                                   drop_last=drop_last, valid_label_columns=valid_label_columns,
                                   generator=generator, seed=seed)


def trainer_inputs(config: TrainConfig, model, pairs) -> TrainerInputs:
    """The datasets, losses and samplers of ``config.recipe`` for ``pairs`` (a
    :class:`~hybrid_batch_st.MultilingualPairDataset`).

    Args:
        config: the run's options (``recipe``, ``negatives``, the sampler options, the distillation options).
        model: the ``SentenceTransformer`` being trained (the losses wrap it; the default teacher is it).
        pairs: the training data.

    Returns:
        The trainer's dataset(s), loss(es), ``batch_sampler`` and ``multi_dataset_batch_sampler``.

    Raises:
        ValueError: a distillation recipe whose pivot language the data lacks, or a teacher whose embedding
            size differs from the model's.
    """
    from datasets import DatasetDict
    from sentence_transformers.base.sampler import BatchSamplers, MultiDatasetBatchSamplers

    recipe = config.recipe
    if recipe in MODES:
        return TrainerInputs(pairs.to_dataset(config.negatives), make_loss(config, model), hybrid_sampler(config))
    if recipe == "stock-per-pair":
        return TrainerInputs(pairs.to_dataset_dict(config.negatives), make_loss(config, model),
                             BatchSamplers.BATCH_SAMPLER, MultiDatasetBatchSamplers.PROPORTIONAL)
    from .distillation import distillation_datasets

    distill = distillation_datasets(pairs, _teacher(config, model), config.pivot_language)
    losses = {name: _mse(model) for name in distill}
    if recipe == "distillation":
        return TrainerInputs(DatasetDict(distill), losses, BatchSamplers.BATCH_SAMPLER,
                             MultiDatasetBatchSamplers.ROUND_ROBIN)
    return TrainerInputs(DatasetDict({"pairs": pairs.to_dataset(config.negatives), **distill}),
                         {"pairs": make_loss(config, model), **losses}, PairsOrStock(hybrid_sampler(config)),
                         MultiDatasetBatchSamplers.ROUND_ROBIN)
