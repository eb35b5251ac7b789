"""Benchmark names (``--benchmark``) -> :class:`~hybrid_batch_st.tasks.task.RetrievalTask`."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from . import BENCHMARK_NAMES, BENCHMARK_PREFIXES, TASK_BENCHMARKS
from .task import RetrievalTask

__all__ = ["is_task_benchmark", "load_task"]


def is_task_benchmark(name: str) -> bool:
    """Whether ``name`` is read by :func:`load_task` (not as LAReQA SQuAD-R data).

    Args:
        name: a benchmark name, ``parallel:PATH`` / ``beir:DIR``, or a folder.

    Returns:
        True for :data:`~hybrid_batch_st.tasks.TASK_BENCHMARKS` and the ``parallel:`` / ``beir:`` prefixes.

    Example:
        >>> is_task_benchmark("tatoeba"), is_task_benchmark("xquad-r")
        (True, False)
    """
    return name in TASK_BENCHMARKS or name.startswith(BENCHMARK_PREFIXES)


def load_task(name: str, languages: Sequence[str] | None = None, data_dir: str | Path | None = None,
              split: str | None = None) -> RetrievalTask:
    """The task of ``name``: one of :data:`~hybrid_batch_st.tasks.TASK_BENCHMARKS` read from
    ``<data_dir>/<name>/`` (without ``data_dir``: downloaded once, checked), ``parallel:PATH`` or ``beir:DIR``.

    LAReQA's benchmarks (``sample``, ``xquad-r``, ``mlqa-r``) and SQuAD-R folders are read by
    :func:`hybrid_batch_st.data.sources.load_eval_data`, which takes every name and calls this one for these.

    Args:
        name: ``tatoeba``, ``flores200``, ``xsid``, ``xflickrco``, ``parallel:PATH`` or ``beir:DIR``.
        languages: languages to keep, any code form (default: all, or the benchmark's default set).
        data_dir: the folder holding ``<name>/``; None downloads into the cache.
        split: FLORES-200 ``dev`` / ``devtest`` (default), xSID ``test`` (default) / ``valid``, BEIR's qrels.

    Returns:
        The benchmark as a :class:`~hybrid_batch_st.tasks.task.RetrievalTask`.

    Example:
        >>> task = load_task("parallel:my-collection", ["en", "de"])  # doctest: +SKIP
    """
    from .beir import beir_task
    from .parallel import parallel_task, xflickrco_task, xsid_task
    from .xtreme import flores_task, tatoeba_task

    languages = list(languages) if languages else None
    if name.startswith("parallel:"):
        return parallel_task(name.split(":", 1)[1], languages)
    if name.startswith("beir:"):
        return beir_task(name.split(":", 1)[1], split or "test", languages)
    if name not in TASK_BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; choose one of {', '.join(BENCHMARK_NAMES)}, "
                         f"{', '.join(p + 'PATH' for p in BENCHMARK_PREFIXES)} or a SQuAD-R folder")
    if data_dir is None:  # the public files, fetched once into the cache and checked
        from .downloads import benchmark_folder

        folder = benchmark_folder(name, (split or "devtest") if name == "flores200" else None)
    else:
        folder = Path(data_dir) / name
    if name == "tatoeba":
        return tatoeba_task(folder, languages)
    if name == "flores200":
        return flores_task(folder, split or "devtest", languages)
    if name == "xsid":
        return xsid_task(folder, split or "test", languages)
    return xflickrco_task(folder, languages)
