"""Hybrid batch training for multilingual dense retrieval, on sentence-transformers and Pyserini."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hybrid-batch-st")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from .data import MultilingualPairDataset
from .sampler import HybridBatchSampler

__all__ = ["MultilingualPairDataset", "HybridBatchSampler", "__version__"]
