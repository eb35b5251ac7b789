"""The constructors of :class:`~hybrid_batch_st.data.dataset.MultilingualPairDataset` from Hugging Face data
and SQuAD-R files (its base class, so that the dataset's own module stays small)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ..tasks.squad_r import SquadRLanguage, read_squad_r_folder
from .records import check_values

if TYPE_CHECKING:
    from .dataset import MultilingualPairDataset

__all__ = ["PairSources"]


class PairSources:
    """``from_hf``, ``from_squad_r`` and ``from_squad_r_languages`` of
    :class:`~hybrid_batch_st.data.dataset.MultilingualPairDataset`."""

    @classmethod
    def from_hf(cls, data: Any, columns: Mapping[str, str] | str | None = None, split: str | None = None,
                config: str | None = None, languages: Sequence[str] | None = None) -> "MultilingualPairDataset":
        """Records from Hugging Face ``datasets`` in the long, wide or per-language shape
        (:mod:`~hybrid_batch_st.data.hf`; ``data``, ``columns``, ``split``, ``config`` as
        :func:`~hybrid_batch_st.data.hf.hf_table` takes them; ``languages`` as in :meth:`from_records`).

        Args:
            data: a ``datasets.Dataset``, a ``DatasetDict``, a mapping ``{lang: Dataset}``, or a path / dataset
                name for :func:`~hybrid_batch_st.data.hf.load_hf`.
            columns: ``{role: column}`` (or ``"role=column,..."``) for the roles named otherwise in ``data``;
                ``question`` / ``answer`` with ``{lang}`` read the wide shape; ``id=""`` numbers the rows.
            split: the split of a ``DatasetDict`` (default ``train``, or the only one).
            config: the dataset config, for a dataset name.
            languages: keep only these languages (any code form).

        Returns:
            The dataset of the records (and of a ``negatives`` column's listed negatives, if any).

        Raises:
            ValueError: A column is missing or a row lacks a value (naming it), a split is ambiguous, or the
                records fail the checks of :meth:`from_records`.
            TypeError: ``data`` is none of the accepted kinds.

        Example:
            ```python
            pairs = MultilingualPairDataset.from_hf(load_dataset("parquet", data_files="pairs.parquet"))
            wide = MultilingualPairDataset.from_hf(
                dataset, columns={"id": "qid", "question": "question_{lang}", "answer": "answer_{lang}"})
            per_language = MultilingualPairDataset.from_hf({"en": english, "de": german})
            ```
        """
        from .hf import hf_table

        table, source = hf_table(data, columns, split, config)
        check_values(table, source)
        return cls._from_table(table, source, languages)

    @classmethod
    def from_squad_r(cls, directory: str | Path, languages: Sequence[str] | None = None,
                     articles: Iterable[str] | None = None) -> "MultilingualPairDataset":
        """Questions and their answer sentences from SQuAD-R files ``<directory>/<lang>.json``.

        Args:
            directory: the folder holding one SQuAD-R ``<lang>.json`` per language.
            languages: the languages to read (default: every ``*.json`` in the folder).
            articles: keep only questions of these article titles (for by-article splits); None keeps all.

        Returns:
            One record per (question, language): the question and its answer sentence; a question's id is
            shared by its translations.

        Raises:
            FileNotFoundError: The folder, or a language's file, does not exist.
            ValueError: A file is not SQuAD-R JSON (naming the file and question).

        Example:
            >>> pairs = MultilingualPairDataset.from_squad_r("xquad-r/", languages=["en", "de"])  # doctest: +SKIP
        """
        return cls.from_squad_r_languages(read_squad_r_folder(directory, languages), articles, str(directory))

    @classmethod
    def from_squad_r_languages(cls, parsed: Mapping[str, SquadRLanguage], articles: Iterable[str] | None = None,
                               source: str = "SQuAD-R") -> "MultilingualPairDataset":
        """As :meth:`from_squad_r`, from already parsed languages (see :mod:`hybrid_batch_st.tasks.lareqa`).

        Args:
            parsed: ``{lang: SquadRLanguage}``, as :func:`~hybrid_batch_st.tasks.sample.sample_split` or
                :func:`~hybrid_batch_st.tasks.lareqa.load_benchmark` give it.
            articles: keep only questions of these article titles; None keeps all.
            source: names the input in error messages.

        Returns:
            One record per (question, language), as :meth:`from_squad_r` builds them.

        Example:
            >>> from hybrid_batch_st import MultilingualPairDataset
            >>> from hybrid_batch_st.tasks.sample import sample_split
            >>> train_part, held_out = sample_split(["en", "de"])
            >>> MultilingualPairDataset.from_squad_r_languages(train_part).languages
            ['en', 'de']
        """
        keep = set(articles) if articles is not None else None
        records = ({"id": q.id, "lang": lang, "question": q.text, "answer": data.answer(q)}
                   for lang, data in parsed.items() for q in data.questions if keep is None or q.article in keep)
        return cls.from_records(records, languages=list(parsed), source=source)
