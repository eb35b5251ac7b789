"""Parallel multilingual question/answer pairs for the stock ``SentenceTransformerTrainer``.

A record is ``{id, lang, question, answer}``; records sharing an ``id`` are translations of one parallel
example. Records are held in one Arrow table (texts stored once). :meth:`MultilingualPairDataset.to_dataset`
gives the trainer a ``datasets.Dataset`` with one integer column, ``pair``: one row per (example, question
language, answer language), numbered by a :class:`~hybrid_batch_st.data.pair_index.PairIndex` rather than
stored as a table of pairs, and resolved to ``anchor`` (question) and ``positive`` (answer) text by a
transform when a batch is read. Metadata never reaches the data collator.

Scale: 1M parallel ids in 9 languages (9M records, 81M pair rows) read from JSONL with pyarrow's
multithreaded reader; see ``benchmarks/scale.py``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasets import Dataset, DatasetInfo, Features, Value
from datasets.table import InMemoryTable

from .constructors import PairSources
from .pair_index import ChunkedTexts, PairIndex, PairResolver
from .negatives import HardNegatives, listed_negatives, read_negatives, record_lists
from .records import REQUIRED_FIELDS, SCHEMA, check_duplicates, collect_records, named_languages, read_jsonl

if TYPE_CHECKING:
    from datasets import DatasetDict

__all__ = ["MultilingualPairDataset", "REQUIRED_FIELDS"]


class MultilingualPairDataset(PairSources):
    """Parallel question/answer records in several languages.

    Build one with :meth:`from_records`, :meth:`from_jsonl`, :meth:`from_hf` or :meth:`from_squad_r`; hand
    :meth:`to_dataset` to the trainer together with ``batch_sampler=HybridBatchSampler`` (or
    ``HybridBatchSampler.configure(...)``).

    Args:
        ids: each record's example id (the same id in several languages is one parallel example).
        langs: each record's language code (any form :meth:`from_records` accepts).
        questions: each record's question (the ``anchor`` text).
        answers: each record's answer (the ``positive`` text).

    Raises:
        ValueError: The four sequences differ in length or are empty, a language code is unknown, or an
            (id, language) pair occurs twice.

    Example:
        >>> from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset
        >>> pairs = MultilingualPairDataset.from_records([
        ...     {"id": "q1", "lang": "en", "question": "Who wrote Faust?", "answer": "Goethe wrote it."},
        ...     {"id": "q1", "lang": "de", "question": "Wer schrieb Faust?", "answer": "Goethe schrieb ihn."},
        ...     {"id": "q2", "lang": "en", "question": "Where is Rome?", "answer": "Rome is in Italy."},
        ...     {"id": "q2", "lang": "de", "question": "Wo liegt Rom?", "answer": "Rom liegt in Italien."}])
        >>> len(pairs), pairs.languages, len(pairs.to_dataset())  # 2 ids x 2 question x 2 answer languages
        (4, ['en', 'de'], 8)
        >>> from sentence_transformers import (SentenceTransformer, SentenceTransformerTrainer,
        ...                                    SentenceTransformerTrainingArguments)
        >>> from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
        >>> model = SentenceTransformer("xlm-roberta-base")  # doctest: +SKIP
        >>> args = SentenceTransformerTrainingArguments(  # doctest: +SKIP
        ...     output_dir="out", per_device_train_batch_size=2,
        ...     batch_sampler=HybridBatchSampler.configure(mode="hybrid", alpha=0.5))
        >>> trainer = SentenceTransformerTrainer(  # doctest: +SKIP
        ...     model=model, args=args, train_dataset=pairs.to_dataset(), loss=MultipleNegativesRankingLoss(model))
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(self, ids: Sequence[str], langs: Sequence[str], questions: Sequence[str], answers: Sequence[str]):
        if not (len(ids) == len(langs) == len(questions) == len(answers)):
            raise ValueError("ids, langs, questions and answers must have the same length")
        columns = [pa.array(list(values), pa.string()) for values in (ids, langs, questions, answers)]
        self.__dict__.update(self._from_table(pa.Table.from_arrays(columns, schema=SCHEMA), "records").__dict__)

    @classmethod
    def _from_table(cls, table: pa.Table, source: str, languages: Sequence[str] | None = None, normalise: bool = True,
                    strict: bool = True) -> "MultilingualPairDataset":
        """The dataset of a table of :data:`SCHEMA`; language codes named as :func:`normalise_languages`
        says (``normalise=False``: as they are, for tables of an existing dataset)."""
        table = named_languages(table, source, languages, normalise)
        pairs = cls.__new__(cls)
        pairs._set_table(table, source, strict)
        return pairs

    def _set_table(self, table: pa.Table, source: str, strict: bool = True) -> None:
        if table.num_rows == 0:
            raise ValueError(f"{source}: no records")
        lists = table.column("negatives") if "negatives" in table.column_names else None
        # Texts stay in their chunks (no copy); ids and languages are small and become integer codes.
        self._columns: dict[str, pa.ChunkedArray] = {name: table.column(name) for name in REQUIRED_FIELDS}
        del table
        ids = pc.dictionary_encode(self._columns["id"].combine_chunks())
        langs = pc.dictionary_encode(self._columns["lang"].combine_chunks())
        self._id_names, self._lang_names = ids.dictionary, langs.dictionary.to_pylist()  # first-seen order
        example = ids.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        lang = langs.indices.to_numpy(zero_copy_only=False).astype(np.int16)
        check_duplicates(example, lang, self._id_names, self._lang_names, source)
        self._index = PairIndex(example, lang, self._lang_names)
        #: per record, the ids of its example's hard negatives (or null); per example, their codes
        self._negative_lists = lists
        self._listed = None if lists is None else listed_negatives(self._index, self._id_names, lists, source, strict)
        pa.default_memory_pool().release_unused()  # the JSON reader's and encoders' scratch space

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], languages: Sequence[str] | None = None,
                     source: str = "records") -> "MultilingualPairDataset":
        """Records as mappings with ``id``, ``lang``, ``question`` and ``answer``.

        Language codes may be ISO 639-1 or 639-3, BCP-47 or FLORES-200 (``en``, ``deu``, ``en-US``, ``deu_Latn``);
        each is named by its language alone unless the data holds that language in several scripts or regions
        (:func:`~hybrid_batch_st.languages.normalise_languages`).

        Args:
            records: the records; the same ``id`` in several languages is one parallel example.
            languages: keep only these languages (any code form); each must have rows.
            source: names the input in error messages (records are numbered from 1).

        Returns:
            The dataset of the records, languages named as above.

        Raises:
            ValueError: A record is not a mapping or lacks a non-empty string field, a language code is unknown,
                an (id, lang) pair occurs twice, a requested language has no rows, or no record is left.

        Example:
            >>> pairs = MultilingualPairDataset.from_records([
            ...     {"id": "q1", "lang": "en", "question": "Who wrote Faust?", "answer": "Goethe wrote it."},
            ...     {"id": "q1", "lang": "de", "question": "Wer schrieb Faust?", "answer": "Goethe schrieb ihn."}])
            >>> pairs.languages
            ['en', 'de']
        """
        return cls._from_table(collect_records((f"record {n}", r) for n, r in enumerate(records, 1)), source, languages)

    @classmethod
    def from_jsonl(cls, path: str | Path, languages: Sequence[str] | None = None) -> "MultilingualPairDataset":
        """One JSON record per line (see :meth:`from_records`); other fields are ignored.

        Read with pyarrow's multithreaded JSON reader; a file it cannot take as is (a bad line,
        a missing or non-string field) is read again line by line to name the line at fault.

        Args:
            path: the JSONL file of ``{id, lang, question, answer}`` records.
            languages: keep only these languages (any code form), as in :meth:`from_records`.

        Returns:
            The dataset of the file's records.

        Raises:
            FileNotFoundError: ``path`` is not a file.
            ValueError: A line is not JSON or lacks a field, naming the line (else as in :meth:`from_records`).

        Example:
            >>> pairs = MultilingualPairDataset.from_jsonl("pairs.jsonl", languages=["en", "de"])  # doctest: +SKIP
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"pair file {path} does not exist")
        return cls._from_table(read_jsonl(path), str(path), languages)

    def _subset(self, mask: np.ndarray, source: str) -> "MultilingualPairDataset":
        keep = pa.array(mask)
        columns = {name: col.filter(keep) for name, col in self._columns.items()}
        if self._negative_lists is not None:  # a negative outside the subset is dropped, not an error
            columns["negatives"] = self._negative_lists.filter(keep)
        return self._from_table(pa.table(columns), source, normalise=False, strict=False)

    def __len__(self) -> int:
        return self._index.num_records

    @property
    def languages(self) -> list[str]:
        """Languages in first-seen order."""
        return list(self._lang_names)

    @property
    def pair_index(self) -> PairIndex:
        """Integer codes of the records (see :class:`~hybrid_batch_st.data.pair_index.PairIndex`)."""
        return self._index

    def language_counts(self) -> dict[str, int]:
        """Records per language.

        Returns:
            ``{lang: number of records}``, languages in first-seen order.
        """
        counts = np.bincount(self._index.lang, minlength=len(self._lang_names))
        return {lang: int(n) for lang, n in zip(self._lang_names, counts)}

    def language_texts(self, lang: str) -> tuple[list[str], list[str], list[str]]:
        """``(ids, questions, answers)`` of every example present in ``lang``, in first-seen id order.

        Args:
            lang: a language of the data, as :attr:`languages` names it.

        Returns:
            Three lists of equal length: the examples' ids, their questions and their answers in ``lang``.

        Raises:
            ValueError: The data has no language ``lang``.
        """
        if lang not in self._lang_names:
            raise ValueError(f"lang={lang!r}: the data has no such language; it has {self.languages}")
        examples = np.flatnonzero(self._index.present(code := self._lang_names.index(lang)))
        records = self._index.record_of[examples, code]
        return (self._id_names.take(pa.array(examples)).to_pylist(), ChunkedTexts(self._columns["question"]).take(
            records), ChunkedTexts(self._columns["answer"]).take(records))

    def single_language_ids(self) -> dict[str, int]:
        """How many example ids exist in one language only, per language.

        Returns:
            ``{lang: count}``; languages without such ids are left out.
        """
        return self._index.single_language_counts()

    def without_single_language_ids(self) -> "MultilingualPairDataset":
        """A copy without examples that exist in one language only (needed for cross-lingual batches).

        Returns:
            The filtered copy, or this dataset itself where every example has two or more languages.
        """
        single = self._index.single_language_records()
        return self._subset(~single, "records") if single.any() else self

    @property
    def has_negatives(self) -> bool:
        """Whether any example lists hard negatives (:meth:`with_negatives`, or a ``negatives`` column)."""
        return self._listed is not None and bool((self._listed >= 0).any())

    def with_negatives(self, negatives: "Mapping[str, Sequence[str]] | str | Path") -> "MultilingualPairDataset":
        """A copy whose examples list these hard negatives: ``{id: [negative id, ...]}`` or a negatives
        file (``{"id": ..., "negatives": [...]}`` per line, as ``hybrid-batch-st mine`` writes). An example
        the mapping leaves out keeps no listed negatives; an id the data lacks is an error.

        Args:
            negatives: ``{example id: [negative example id, ...]}``, or the path of a negatives file.

        Returns:
            A copy sharing this dataset's records, with the negatives listed (any listed before are replaced).

        Raises:
            FileNotFoundError: A negatives file that does not exist.
            ValueError: An unreadable negatives file, or an id (listing or listed) that no example has.

        Example:
            >>> pairs = MultilingualPairDataset(["q1", "q1", "q2", "q2"], ["en", "de", "en", "de"],
            ...                                 ["Who?", "Wer?", "Where?", "Wo?"], ["He.", "Er.", "There.", "Dort."])
            >>> pairs.with_negatives({"q1": ["q2"]}).to_dataset(negatives=1)[0]
            {'anchor': 'Who?', 'positive': 'He.', 'negative_1': 'There.'}
        """
        ids, lists, source = read_negatives(negatives)
        (copy := object.__new__(type(self))).__dict__.update(self.__dict__)  # records and index shared
        copy._negative_lists = record_lists(self._index, self._id_names, ids, lists, source)
        copy._listed = listed_negatives(self._index, self._id_names, copy._negative_lists, source)
        return copy

    def _hard_negatives(self, negatives: int) -> HardNegatives | None:
        if not negatives:
            return None
        if not self.has_negatives:
            raise ValueError(f"negatives={negatives}: no example lists hard negatives; mine them "
                             "(`hybrid-batch-st mine`) and attach them with with_negatives() (--negatives-file)")
        return HardNegatives(self._index, self._listed, negatives)

    def records(self) -> Iterator[dict[str, str]]:
        """The records as they are held (language codes as named; listed negatives not included).

        Yields:
            ``{"id": ..., "lang": ..., "question": ..., "answer": ...}`` per record, in record order.
        """
        for batch in pa.table(self._columns).to_batches(max_chunksize=10_000):
            yield from batch.to_pylist()

    def to_dataset(self, negatives: int = 0) -> Dataset:
        """The trainer-facing ``datasets.Dataset`` (see the module docstring).

        Its rows are every (example, question language, answer language) combination the
        records allow; reading rows yields ``{"anchor": question, "positive": answer}``. Pass it
        to the trainer as it is: :class:`~hybrid_batch_st.HybridBatchSampler` finds the records'
        codes through its transform, and a ``select``/``shuffle`` copy would renumber the rows.

        Args:
            negatives: k > 0 adds ``negative_1 .. negative_k``: the answers of the example's hard negatives in
                the row's answer language (:meth:`with_negatives`, :mod:`~hybrid_batch_st.data.negatives`).

        Returns:
            A ``datasets.Dataset`` with one integer column, ``pair``, resolved to texts when rows are read.

        Example:
            >>> MultilingualPairDataset(["q1", "q1"], ["en", "de"], ["Who?", "Wer?"], ["He.", "Er."]).to_dataset()[0]
            {'anchor': 'Who?', 'positive': 'He.'}
        """
        n = self._index.num_rows
        dtype = "int32" if n < 2**31 else "int64"
        table = pa.table({"pair": pa.array(np.arange(n, dtype=dtype))})
        # an explicit fingerprint: datasets would otherwise hash the table by pickling it (a copy of 81M rows)
        pairs = Dataset(InMemoryTable(table), info=DatasetInfo(features=Features({"pair": Value(dtype)})),
                        fingerprint=uuid.uuid4().hex)
        pairs.set_transform(PairResolver(self._index, self._columns["question"], self._columns["answer"],
                                         self._hard_negatives(negatives)))
        return pairs

    def to_dataset_dict(self, negatives: int = 0) -> "DatasetDict":
        """One ``datasets.Dataset`` of ``anchor`` / ``positive`` texts per language pair, named
        ``"<question lang>-<answer lang>"``: the plugin-free recipe (``stock-per-pair``). Under the
        stock trainer's multi-dataset samplers (PROPORTIONAL by default) every batch comes from one
        sub-dataset, so one language pair, drawn by size; there is no monolingual / cross-lingual mix
        parameter, and under DDP each rank gets a whole batch, possibly of another pair, so gathered
        negatives mix pairs. Texts are materialised per pair (n_languages² copies). ``negatives`` as in
        :meth:`to_dataset` (the stock samplers do not keep a negative's example out of the batch).

        Args:
            negatives: k > 0 adds ``negative_1 .. negative_k`` columns, as in :meth:`to_dataset`.

        Returns:
            A ``datasets.DatasetDict`` of ``anchor`` / ``positive`` (``negative_1`` ..) text datasets, one per
            language pair with examples.

        Raises:
            ValueError: ``negatives`` > 0 while no example lists hard negatives.
        """
        from .per_pair import per_pair_datasets

        return per_pair_datasets(self._index, self._columns["question"], self._columns["answer"],
                                 self._hard_negatives(negatives))
