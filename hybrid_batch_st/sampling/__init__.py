"""Batch sampling for hybrid batch training.

- :mod:`.sampler`: :class:`HybridBatchSampler`, the trainer's ``batch_sampler``;
- :mod:`.groups`: which (question language, answer language) groups it draws from, and how often;
- :mod:`.cycles`: shuffled passes over a group's examples without stored permutations;
- :mod:`.distributed`: world size and epoch of the processes it runs in;
- :mod:`.options`: option checks (light: used by the command line before anything loads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .options import check_sampler_options
    from .sampler import HybridBatchSampler

_LAZY = {"HybridBatchSampler": ".sampler", "check_sampler_options": ".options"}
__all__ = list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
