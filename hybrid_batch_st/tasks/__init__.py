"""Benchmark readers: where each benchmark's files come from and how they are parsed.

- :mod:`.task`: :class:`~.task.RetrievalTask`, the one task model every benchmark becomes;
- :mod:`.shapes`: :func:`~.shapes.as_task`, LAReQA's ``{lang: SquadRLanguage}`` built into a task;
- :mod:`.squad_r`, :mod:`.lareqa`, :mod:`.sample`: LAReQA's SQuAD-R layout, XQuAD-R / MLQA-R (local
  or a checked download) and the bundled en/de/es sample;
- :mod:`.xtreme`: XTREME's Tatoeba and FLORES-200; :mod:`.parallel`: xSID, xFlickr&CO and any
  ``parallel:PATH`` collection; :mod:`.beir`: BEIR-format folders per language (``beir:DIR``);
- :mod:`.registry`: benchmark names -> tasks.

Imports nothing heavy: the command line's ``--help`` reads :data:`BENCHMARK_NAMES`.
"""

from __future__ import annotations

from .lareqa import BENCHMARKS

__all__ = ["BENCHMARK_NAMES", "BENCHMARKS", "TASK_BENCHMARKS", "BENCHMARK_PREFIXES"]

#: Benchmarks read as a :class:`~.task.RetrievalTask` from ``<data-dir>/<name>/``.
TASK_BENCHMARKS = ("tatoeba", "flores200", "xsid", "xflickrco")
#: Every benchmark a ``--benchmark`` / ``--train`` / ``--eval`` flag may name (besides a folder).
BENCHMARK_NAMES = ("sample", *BENCHMARKS, *TASK_BENCHMARKS)
#: ``parallel:PATH`` and ``beir:DIR`` name a collection of the user's.
BENCHMARK_PREFIXES = ("parallel:", "beir:")
