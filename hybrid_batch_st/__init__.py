"""Hybrid batch training for multilingual dense retrieval, on sentence-transformers and Pyserini.

Subpackages, one per concern: :mod:`.data` (parallel pair records and the trainer dataset),
:mod:`.sampling` (the batch sampler), :mod:`.training` (options, losses, the training run),
:mod:`.tasks` (benchmark readers), :mod:`.evaluation` (language-pair evaluation, reports,
significance), :mod:`.pyserini` (export and search), :mod:`.cli` (the command line and the demo).
The public names below are imported on first use, so ``import hybrid_batch_st`` (and the command
line's ``--help``) does not load torch.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from ._lazy import lazy_exports

try:
    __version__ = version("hybrid-batch-st")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from .data import MultilingualPairDataset
    from .evaluation import EvaluationResult, MultilingualRetrievalEvaluator, evaluate
    from .sampling import HybridBatchSampler
    from .training import TrainConfig, train

_LAZY = {
    "MultilingualPairDataset": ".data",
    "HybridBatchSampler": ".sampling",
    "MultilingualRetrievalEvaluator": ".evaluation",
    "EvaluationResult": ".evaluation",
    "evaluate": ".evaluation",
    "TrainConfig": ".training",
    "train": ".training",
}

__all__ = [*_LAZY, "__version__"]
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
