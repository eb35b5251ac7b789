"""Hybrid batch training for multilingual dense retrieval, on sentence-transformers and Pyserini.

The public names below are imported on first use, so ``import hybrid_batch_st`` (and the command
line's ``--help``) does not load torch.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("hybrid-batch-st")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from .config import TrainConfig
    from .data import MultilingualPairDataset
    from .evaluation import evaluate
    from .sampler import HybridBatchSampler
    from .sentence_evaluator import MultilingualRetrievalEvaluator

_LAZY = {
    "MultilingualPairDataset": ".data",
    "HybridBatchSampler": ".sampler",
    "MultilingualRetrievalEvaluator": ".sentence_evaluator",
    "evaluate": ".evaluation",
    "TrainConfig": ".config",
}

__all__ = [*_LAZY, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
