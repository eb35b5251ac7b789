"""Data source names -> data, with one rule for training and evaluation.

A source is one of:

- ``"sample"``: the bundled XQuAD-R en/de/es sample (:mod:`hybrid_batch_st.tasks.sample`);
- ``"xquad-r"`` / ``"mlqa-r"``: a LAReQA benchmark from ``data_dir`` or the download cache;
- a folder of SQuAD-R ``<lang>.json`` files;
- for training only, a ``.jsonl`` file of ``{id, lang, question, answer}`` records, or ``hf:NAME_OR_PATH``
  (:meth:`~hybrid_batch_st.MultilingualPairDataset.from_hf`);
- for evaluation only, ``"heldout"`` (the held-out part of the training source), ``"validation"`` (the
  same, by its other name) and ``"auto"`` (``"heldout"`` where the training source has a held-out
  part, else no evaluation).

``sample`` and ``xquad-r`` are split by article: the first ``train_articles`` articles train, the
rest are held out (``train_articles=0``: every article trains). With ``validation_share`` > 0, a
share of the training part's question ids and their articles is held out as a validation split
(:func:`~hybrid_batch_st.tasks.squad_r.split_validation`), and that split is the held-out part. Evaluating
on ``"sample"`` means its held-out articles.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import option
from ..tasks import BENCHMARK_NAMES
from ..tasks.lareqa import BENCHMARKS, load_benchmark
from ..tasks.registry import is_task_benchmark, load_task
from ..tasks.sample import TRAIN_ARTICLES
from ..tasks.squad_r import SquadRLanguage, read_squad_r_folder, split_by_article, split_validation
from ..tasks.shapes import squad_r_task
from ..tasks.task import RetrievalTask

if TYPE_CHECKING:
    from .dataset import MultilingualPairDataset

__all__ = ["SPLIT_SOURCES", "load_languages", "load_training_data", "training_data_of",
           "load_eval_data"]

Languages = dict[str, SquadRLanguage]
#: Named sources split into training and held-out articles.
SPLIT_SOURCES = ("sample", "xquad-r")


def load_languages(source: str, languages: Sequence[str] | None = None, data_dir: str | Path | None = None,
                   what: str = "data") -> Languages:
    """Every article of ``"sample"``, a benchmark or a SQuAD-R folder, as ``{lang: SquadRLanguage}``.

    Args:
        source: ``"sample"``, ``"xquad-r"``, ``"mlqa-r"`` or a SQuAD-R folder.
        languages: the languages to read (default: all the source has).
        data_dir: the folder holding the benchmarks' folders (default: the download cache).
        what: names the source's option in the error.

    Returns:
        ``{lang: SquadRLanguage}``, every article included.

    Raises:
        FileNotFoundError: ``source`` is none of these.
    """
    if source == "sample":
        from ..tasks.sample import load_sample

        return load_sample(languages)
    if source in BENCHMARKS:
        return load_benchmark(source, languages, data_dir=data_dir)
    if Path(source).is_dir():
        return read_squad_r_folder(source, languages)
    raise FileNotFoundError(
        f"{what} {source!r} is none of {', '.join(BENCHMARK_NAMES)}, a .jsonl file of pairs "
        "(training only) nor a folder of SQuAD-R files"
    )


def load_training_data(
    source: str, languages: Sequence[str] | None = None, data_dir: str | Path | None = None,
    train_articles: int = TRAIN_ARTICLES, validation_share: float = 0.0, hf_columns: dict | None = None,
    hf_split: str | None = None, hf_config: str | None = None,
) -> tuple["MultilingualPairDataset", Languages | None]:
    """The training pairs of ``source`` and its held-out part.

    Args:
        source: ``sample``, ``xquad-r``, ``mlqa-r``, a SQuAD-R folder, a ``.jsonl`` file of records or
            ``hf:NAME_OR_PATH`` (with ``hf_columns``, ``hf_split``, ``hf_config`` as
            :meth:`~hybrid_batch_st.data.dataset.MultilingualPairDataset.from_hf` takes them).
        languages: languages to keep, any code form (default: all).
        data_dir: the folder holding the benchmarks' folders (default: the download cache).
        train_articles: ``sample`` / ``xquad-r``: the first ``train_articles`` articles train, the rest are held out.
        validation_share: > 0 holds out this share of the training part's question ids (and their articles)
            as a validation split instead.
        hf_columns: for ``hf:`` sources, ``{role: column}`` for the columns named otherwise.
        hf_split: for ``hf:`` sources, the split to read.
        hf_config: for ``hf:`` sources, the dataset config.

    Returns:
        ``(pairs, held_out)``: the :class:`~hybrid_batch_st.data.dataset.MultilingualPairDataset` and the
        held-out part as ``{lang: SquadRLanguage}`` (None where there is none); ``load_eval_data("heldout",
        held_out=...)`` makes it a task.

    Raises:
        FileNotFoundError: ``source`` is no known name, file or folder.

    Example:
        >>> pairs, held_out = load_training_data("sample", ["en", "de"])
        >>> pairs.languages, sorted(held_out)
        (['en', 'de'], ['de', 'en'])
    """
    from .dataset import MultilingualPairDataset

    path = Path(source)
    if source.startswith("hf:"):
        return MultilingualPairDataset.from_hf(source[3:], hf_columns, hf_split, hf_config, languages), None
    if source not in BENCHMARK_NAMES and (path.suffix == ".jsonl" or path.is_file()):
        return MultilingualPairDataset.from_jsonl(path, languages), None
    data = load_languages(source, languages, data_dir, what=option("train"))
    held = None
    if source in SPLIT_SOURCES and train_articles:
        data, held = split_by_article(data, train_articles)
    if validation_share:  # carved from what would train; the held-out articles stay untouched
        data, held = split_validation(data, validation_share)
    name = "bundled sample" if source == "sample" else source
    return MultilingualPairDataset.from_squad_r_languages(data, source=name), held


def training_data_of(config) -> tuple["MultilingualPairDataset", Languages | None]:
    """:func:`load_training_data` with the options of a :class:`~hybrid_batch_st.training.config.TrainConfig`
    (and its ``negatives_file`` attached).

    Args:
        config: the :class:`~hybrid_batch_st.training.config.TrainConfig` (or any object with its data fields).

    Returns:
        ``(pairs, held_out)``, as :func:`load_training_data` returns them.
    """
    pairs, held = load_training_data(config.train, config.languages, config.data_dir, config.train_articles,
                                     config.validation_share, config.hf_columns, config.hf_split, config.hf_config)
    if getattr(config, "negatives_file", None):
        pairs = pairs.with_negatives(config.negatives_file)
    return pairs, held


def load_eval_data(source: str, languages: Sequence[str] | None = None, data_dir: str | Path | None = None,
                   held_out: Languages | None = None, train_articles: int = TRAIN_ARTICLES,
                   split: str | None = None) -> RetrievalTask | None:
    """The evaluation task named by ``source`` (see the module docstring), for every benchmark alike.

    Args:
        source: a benchmark name (``sample``: its held-out articles, ``xquad-r``, ``tatoeba``, ...),
            ``parallel:PATH``, ``beir:DIR``, a SQuAD-R folder, or ``heldout`` / ``validation`` / ``auto``.
        languages: the languages to keep (any code form); None keeps all (or the benchmark's default set).
        data_dir: the folder holding the benchmarks' folders; None reads the download cache.
        held_out: the training data's held-out part, for ``heldout`` / ``validation`` / ``auto``.
        train_articles: where ``sample`` splits its articles (the rest are held out).
        split: the split of benchmarks that have several (FLORES-200, xSID, BEIR folders).

    Returns:
        A :class:`~hybrid_batch_st.tasks.task.RetrievalTask` (LAReQA's SQuAD-R data built into one by
        :func:`~hybrid_batch_st.tasks.squad_r.squad_r_task`); None for ``"auto"`` without a held-out part
        and for ``""``.
    """
    if not source or (source == "auto" and held_out is None):
        return None
    if is_task_benchmark(source):
        return load_task(source, languages, data_dir, split)
    if source in ("heldout", "validation", "auto"):
        if held_out is None:
            raise ValueError(f"{option('eval', 'heldout')}: the training data has no held-out part; name a "
                             f"benchmark ({', '.join(BENCHMARK_NAMES)}) or a SQuAD-R folder instead")
        return squad_r_task(held_out, source)
    data = load_languages(source, languages, data_dir, what=option("eval"))
    if source == "sample":
        data = split_by_article(data, train_articles or TRAIN_ARTICLES)[1]
    return squad_r_task(data, Path(source).name)
