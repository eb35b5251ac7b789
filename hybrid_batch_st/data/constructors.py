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

        ``languages`` defaults to every ``*.json`` in the folder; ``articles``
        keeps only questions of those article titles (for by-article splits).
        """
        return cls.from_squad_r_languages(read_squad_r_folder(directory, languages), articles, str(directory))

    @classmethod
    def from_squad_r_languages(cls, parsed: Mapping[str, SquadRLanguage], articles: Iterable[str] | None = None,
                               source: str = "SQuAD-R") -> "MultilingualPairDataset":
        """As :meth:`from_squad_r`, from already parsed languages (see :mod:`hybrid_batch_st.tasks.lareqa`)."""
        keep = set(articles) if articles is not None else None
        records = ({"id": q.id, "lang": lang, "question": q.text, "answer": data.answer(q)}
                   for lang, data in parsed.items() for q in data.questions if keep is None or q.article in keep)
        return cls.from_records(records, languages=list(parsed), source=source)
