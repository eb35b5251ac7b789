"""Checking :class:`~hybrid_batch_st.HybridBatchSampler` options before any work. Imports nothing heavy."""

from __future__ import annotations

from typing import Any, Mapping

from ..names import LANGUAGE_CHOICES, MODES

__all__ = ["check_sampler_options"]


def check_sampler_options(
    mode: str,
    alpha: Any,
    temperature: Any,
    language_choice: str,
    language_weights: Mapping[str, Any] | None = None,
    world_size: Any = None,
) -> None:
    """Raise ``ValueError`` naming the first invalid :class:`~hybrid_batch_st.HybridBatchSampler` option."""
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
