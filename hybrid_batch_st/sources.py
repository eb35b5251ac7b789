"""Data source names -> data, with one rule for training and evaluation.

A source is one of:

- ``"sample"``: the bundled XQuAD-R en/de/es sample (:mod:`.bundled_sample`);
- ``"xquad-r"`` / ``"mlqa-r"``: a LAReQA benchmark from ``data_dir`` or the download cache;
- a folder of SQuAD-R ``<lang>.json`` files;
- for training only, a ``.jsonl`` file of ``{id, lang, question, answer}`` records;
- for evaluation only, ``"heldout"`` (the held-out articles of the training source) and ``"auto"``
  (``"heldout"`` where the training source has held-out articles, else no evaluation).

``sample`` and ``xquad-r`` are split by article: the first ``train_articles`` articles train, the
rest are held out. Evaluating on ``"sample"`` means its held-out articles.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .config import TRAIN_ARTICLES
from .errors import option
from .lareqa import BENCHMARKS, load_benchmark
from .squad_r import SquadRLanguage, read_squad_r_folder, split_by_article

if TYPE_CHECKING:
    from .data import MultilingualPairDataset

__all__ = ["SPLIT_SOURCES", "EVAL_SOURCES", "load_languages", "load_training_data", "load_eval_data"]

Languages = dict[str, SquadRLanguage]
#: Named sources split into training and held-out articles.
SPLIT_SOURCES = ("sample", "xquad-r")
#: Named evaluation sources besides a SQuAD-R folder.
EVAL_SOURCES = ("heldout", "auto", "sample", *BENCHMARKS)


def load_languages(source: str, languages: Sequence[str] | None = None, data_dir: str | Path | None = None,
                   what: str = "data") -> Languages:
    """Every article of ``"sample"``, a benchmark or a SQuAD-R folder, as ``{lang: SquadRLanguage}``."""
    if source == "sample":
        from .bundled_sample import load_sample

        return load_sample(languages)
    if source in BENCHMARKS:
        return load_benchmark(source, languages, data_dir=data_dir)
    if Path(source).is_dir():
        return read_squad_r_folder(source, languages)
    raise FileNotFoundError(
        f"{what} {source!r} is neither 'sample', a benchmark ({', '.join(BENCHMARKS)}), a .jsonl file of pairs "
        "(training only) nor a folder of SQuAD-R files"
    )


def load_training_data(
    source: str, languages: Sequence[str] | None = None, data_dir: str | Path | None = None,
    train_articles: int = TRAIN_ARTICLES,
) -> tuple["MultilingualPairDataset", Languages | None]:
    """The training pairs of ``source`` and, for ``sample`` / ``xquad-r``, its held-out articles."""
    from .data import MultilingualPairDataset

    path = Path(source)
    if source not in ("sample", *BENCHMARKS) and (path.suffix == ".jsonl" or path.is_file()):
        return MultilingualPairDataset.from_jsonl(path, languages), None
    data = load_languages(source, languages, data_dir, what=option("train"))
    held = None
    if source in SPLIT_SOURCES:
        data, held = split_by_article(data, train_articles)
    name = "bundled sample" if source == "sample" else source
    return MultilingualPairDataset.from_squad_r_languages(data, source=name), held


def load_eval_data(source: str, languages: Sequence[str] | None = None, data_dir: str | Path | None = None,
                   held_out: Languages | None = None, train_articles: int = TRAIN_ARTICLES) -> Languages | None:
    """Evaluation data named by ``source`` (see the module docstring); None for ``"auto"`` without
    held-out articles and for ``""``."""
    if not source or (source == "auto" and held_out is None):
        return None
    if source in ("heldout", "auto"):
        if held_out is None:
            raise ValueError(f"{option('eval', 'heldout')}: the training data has no held-out part; name a "
                             "benchmark (xquad-r, mlqa-r, sample) or a SQuAD-R folder instead")
        return held_out
    data = load_languages(source, languages, data_dir, what=option("eval"))
    if source == "sample":
        return split_by_article(data, train_articles)[1]
    return data
