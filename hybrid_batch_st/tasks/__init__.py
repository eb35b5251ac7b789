"""Benchmark readers: where each benchmark's files come from and how they are parsed.

- :mod:`.squad_r`: the SQuAD-R layout of LAReQA (questions, candidate sentences, answer sentence);
- :mod:`.lareqa`: XQuAD-R and MLQA-R from a local folder or a checked download;
- :mod:`.sample`: the bundled XQuAD-R en/de/es sample, split by article.

Imports nothing heavy: the command line's ``--help`` reads :data:`BENCHMARK_NAMES`.
"""

from __future__ import annotations

from .lareqa import BENCHMARKS

__all__ = ["BENCHMARK_NAMES", "BENCHMARKS"]

#: Every benchmark a ``--benchmark`` / ``--train`` / ``--eval`` flag may name (besides a folder).
BENCHMARK_NAMES = ("sample", *BENCHMARKS)
