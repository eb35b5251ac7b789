"""Checking :class:`~hybrid_batch_st.HybridBatchSampler` options before any work. Imports nothing heavy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from ..errors import option
from ..names import LANGUAGE_CHOICES, MODES

if TYPE_CHECKING:
    from ..data.pair_index import PairIndex

__all__ = ["SAMPLER_DEFAULTS", "check_sampler_options", "index_of", "check_multilingual_examples"]

#: The sampling options and their defaults, spelled once: :class:`~hybrid_batch_st.HybridBatchSampler`'s
#: keyword arguments and ``configure``, and :class:`~hybrid_batch_st.TrainConfig`'s fields, take them from here.
SAMPLER_DEFAULTS: dict[str, Any] = {"mode": "hybrid", "alpha": 0.5, "temperature": 1.0, "language_weights": None,
                                    "language_choice": "batch", "world_size": None}


def check_sampler_options(
    mode: str,
    alpha: Any,
    temperature: Any,
    language_choice: str,
    language_weights: Mapping[str, Any] | None = None,
    world_size: Any = None,
) -> None:
    """Raise ``ValueError`` naming the first invalid :class:`~hybrid_batch_st.HybridBatchSampler` option.

    Args:
        mode: one of :data:`~hybrid_batch_st.names.MODES`.
        alpha: a number in [0, 1] or ``"size"``.
        temperature: a positive number.
        language_choice: one of :data:`~hybrid_batch_st.names.LANGUAGE_CHOICES`.
        language_weights: ``{language: weight}``, each weight a number >= 0; None for none.
        world_size: a positive integer, or None (the process group's).

    Raises:
        ValueError: an option is invalid (the message names it).

    Example:
        >>> check_sampler_options("hybrid", 0.5, 1.0, "batch")
    """
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} is not one of {MODES}")
    if alpha != "size" and not (isinstance(alpha, (int, float)) and 0.0 <= alpha <= 1.0):
        raise ValueError(f"alpha={alpha!r} must be a number in [0, 1] or 'size'")
    if not (isinstance(temperature, (int, float)) and temperature > 0):
        raise ValueError(f"temperature={temperature!r} must be a positive number")
    if language_choice not in LANGUAGE_CHOICES:
        raise ValueError(f"language_choice={language_choice!r} must be one of {LANGUAGE_CHOICES}")
    for lang, weight in (language_weights or {}).items():
        if not (isinstance(weight, (int, float)) and weight >= 0):
            raise ValueError(f"language_weights[{lang!r}]={weight!r} must be a non-negative number")
    if world_size is not None and not (isinstance(world_size, int) and world_size >= 1):
        raise ValueError(f"world_size={world_size!r} must be a positive integer (or None: the process group's)")


def index_of(dataset) -> "PairIndex":
    """The pair index behind a dataset of :meth:`MultilingualPairDataset.to_dataset`, unchanged, or one clear error.

    Args:
        dataset: the trainer's training dataset.

    Returns:
        Its :class:`~hybrid_batch_st.data.pair_index.PairIndex`.

    Raises:
        ValueError: the dataset does not come from ``to_dataset()``, or was reordered or subset since.
    """
    from ..data.pair_index import pair_index_of

    index = pair_index_of(dataset)
    if index is None:
        columns = getattr(dataset, "column_names", None)
        raise ValueError(
            "HybridBatchSampler needs the dataset of MultilingualPairDataset.to_dataset(), unchanged "
            f"(this one, with columns {columns}, has no pair transform); build it with "
            "MultilingualPairDataset.from_records/from_jsonl/from_squad_r(...).to_dataset()"
        )
    if len(dataset) != index.num_rows or getattr(dataset, "_indices", None) is not None:
        raise ValueError(
            f"HybridBatchSampler: the pair dataset has {len(dataset)} rows in a new order or subset, its records "
            f"make {index.num_rows}; pass MultilingualPairDataset.to_dataset() without select/shuffle/filter"
        )
    return index


def check_multilingual_examples(index: "PairIndex") -> None:
    """Cross-lingual rows need every example in two languages: one error naming the rest and the fix.

    Args:
        index: the pair index of the training data.

    Raises:
        ValueError: some example ids have a record in one language only.
    """
    counts = index.single_language_counts()
    if counts:
        shown = ", ".join(f"{lang}: {n}" for lang, n in counts.items())
        raise ValueError(
            f"{sum(counts.values())} example id(s) exist in one language only ({shown}); cross-lingual batches need "
            "every example in at least two languages. Drop them with "
            f"MultilingualPairDataset.without_single_language_ids(), or use {option('mode', 'monolingual')}"
        )
