"""Parallel multilingual question/answer pairs for the stock ``SentenceTransformerTrainer``.

A record is ``{id, lang, question, answer}``; records sharing an ``id`` are
translations of one parallel example. Records are held in one Arrow table
(texts stored once). :meth:`MultilingualPairDataset.to_dataset` gives the
trainer a ``datasets.Dataset`` with one integer column, ``pair``: one row per
(example, question language, answer language), numbered by a
:class:`~hybrid_batch_st.data.pair_index.PairIndex` rather than stored as a table of
pairs, and resolved to ``anchor`` (question) and ``positive`` (answer) text by
a transform when a batch is read. Metadata never reaches the data collator.

Scale: 1M parallel ids in 9 languages (9M records, 81M pair rows) read from
JSONL with pyarrow's multithreaded reader; see ``benchmarks/scale.py``.
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

from ..errors import option
from ..tasks.squad_r import SquadRLanguage, read_squad_r_folder
from .pair_index import ChunkedTexts, PairIndex, PairResolver
from .records import REQUIRED_FIELDS, SCHEMA, check_duplicates, check_language_codes, collect_records, read_jsonl

if TYPE_CHECKING:
    from datasets import DatasetDict

__all__ = ["MultilingualPairDataset", "REQUIRED_FIELDS"]



class MultilingualPairDataset:
    """Parallel question/answer records in several languages.

    Build one with :meth:`from_records`, :meth:`from_jsonl` or
    :meth:`from_squad_r`; hand :meth:`to_dataset` to the trainer together with
    ``batch_sampler=HybridBatchSampler`` (or ``HybridBatchSampler.configure(...)``).

    Args:
        ids, langs, questions, answers: one entry per record, of equal length.
    """

    def __init__(self, ids: Sequence[str], langs: Sequence[str], questions: Sequence[str], answers: Sequence[str]):
        if not (len(ids) == len(langs) == len(questions) == len(answers)):
            raise ValueError("ids, langs, questions and answers must have the same length")
        columns = [pa.array(list(values), pa.string()) for values in (ids, langs, questions, answers)]
        table = pa.Table.from_arrays(columns, schema=SCHEMA)
        check_language_codes(table, "records")
        self._set_table(table, source="records")

    @classmethod
    def _from_table(
        cls, table: pa.Table, source: str, languages: Sequence[str] | None = None
    ) -> "MultilingualPairDataset":
        check_language_codes(table, source)
        if languages is not None:
            present = set(pc.unique(table.column("lang")).to_pylist())
            empty = [lang for lang in languages if lang not in present]
            if empty:
                raise ValueError(f"{source}: language(s) {empty} have no rows; drop them from {option('languages')}")
            if present - set(languages):
                table = table.filter(pc.is_in(table.column("lang"), pa.array(list(languages), pa.string())))
        pairs = cls.__new__(cls)
        pairs._set_table(table, source)
        return pairs

    def _set_table(self, table: pa.Table, source: str) -> None:
        if table.num_rows == 0:
            raise ValueError(f"{source}: no records")
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
        pa.default_memory_pool().release_unused()  # the JSON reader's and encoders' scratch space

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], languages: Sequence[str] | None = None, source: str = "records"
    ) -> "MultilingualPairDataset":
        """Records as mappings with ``id``, ``lang``, ``question`` and ``answer``.

        ``languages`` keeps only those languages and requires each to have rows.
        ``source`` names the input in error messages (records are numbered from 1). Language codes
        must be ISO 639-1 (``en``, ``zh``), optionally with a region or script (``zh-TW``).
        """
        return cls._from_table(collect_records((f"record {n}", r) for n, r in enumerate(records, 1)), source, languages)

    @classmethod
    def from_jsonl(cls, path: str | Path, languages: Sequence[str] | None = None) -> "MultilingualPairDataset":
        """One JSON record per line (see :meth:`from_records`); other fields are ignored.

        Read with pyarrow's multithreaded JSON reader; a file it cannot take as is (a bad line,
        a missing or non-string field) is read again line by line to name the line at fault.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"pair file {path} does not exist")
        return cls._from_table(read_jsonl(path), str(path), languages)

    @classmethod
    def from_squad_r(
        cls,
        directory: str | Path,
        languages: Sequence[str] | None = None,
        articles: Iterable[str] | None = None,
    ) -> "MultilingualPairDataset":
        """Questions and their answer sentences from SQuAD-R files ``<directory>/<lang>.json``.

        ``languages`` defaults to every ``*.json`` in the folder; ``articles``
        keeps only questions of those article titles (for by-article splits).
        """
        parsed = read_squad_r_folder(directory, languages)
        return cls.from_squad_r_languages(parsed, articles=articles, source=str(directory))

    @classmethod
    def from_squad_r_languages(
        cls,
        parsed: Mapping[str, SquadRLanguage],
        articles: Iterable[str] | None = None,
        source: str = "SQuAD-R",
    ) -> "MultilingualPairDataset":
        """As :meth:`from_squad_r`, from already parsed languages (see :mod:`hybrid_batch_st.tasks.lareqa`)."""
        keep = set(articles) if articles is not None else None
        records = (
            {"id": q.id, "lang": lang, "question": q.text, "answer": data.answer(q)}
            for lang, data in parsed.items()
            for q in data.questions
            if keep is None or q.article in keep
        )
        return cls.from_records(records, languages=list(parsed), source=source)

    def _subset(self, mask: np.ndarray, source: str) -> "MultilingualPairDataset":
        keep = pa.array(mask)
        return self._from_table(pa.table({name: col.filter(keep) for name, col in self._columns.items()}), source)

    # ------------------------------------------------------------------ views
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
        counts = np.bincount(self._index.lang, minlength=len(self._lang_names))
        return {lang: int(n) for lang, n in zip(self._lang_names, counts)}

    def single_language_ids(self) -> dict[str, int]:
        """How many example ids exist in one language only, per language."""
        return self._index.single_language_counts()

    def without_single_language_ids(self) -> "MultilingualPairDataset":
        """A copy without examples that exist in one language only (needed for cross-lingual batches)."""
        single = self._index.single_language_records()
        return self._subset(~single, "records") if single.any() else self

    def records(self) -> Iterator[dict[str, str]]:
        for batch in pa.table(self._columns).to_batches(max_chunksize=10_000):
            yield from batch.to_pylist()

    def to_dataset(self) -> Dataset:
        """The trainer-facing ``datasets.Dataset`` (see the module docstring).

        Its rows are every (example, question language, answer language) combination the
        records allow; reading rows yields ``{"anchor": question, "positive": answer}``. Pass it
        to the trainer as it is: :class:`~hybrid_batch_st.HybridBatchSampler` finds the records'
        codes through its transform, and a ``select``/``shuffle`` copy would renumber the rows.
        """
        n = self._index.num_rows
        dtype = "int32" if n < 2**31 else "int64"
        table = pa.table({"pair": pa.array(np.arange(n, dtype=dtype))})
        # an explicit fingerprint: datasets would otherwise hash the table by pickling it (a copy of 81M rows)
        pairs = Dataset(InMemoryTable(table), info=DatasetInfo(features=Features({"pair": Value(dtype)})),
                        fingerprint=uuid.uuid4().hex)
        pairs.set_transform(PairResolver(self._index, self._columns["question"], self._columns["answer"]))
        return pairs

    def to_dataset_dict(self) -> "DatasetDict":
        """One ``datasets.Dataset`` of ``anchor`` / ``positive`` texts per language pair, named
        ``"<question lang>-<answer lang>"``: the plugin-free recipe (``stock-per-pair``). Under the
        stock trainer's multi-dataset samplers (PROPORTIONAL by default) every batch comes from one
        sub-dataset, so one language pair, drawn by size; there is no monolingual / cross-lingual mix
        parameter, and under DDP each rank gets a whole batch, possibly of another pair, so gathered
        negatives mix pairs. Texts are materialised per pair (n_languages² copies of the data).
        """
        from datasets import DatasetDict

        index = self._index
        counts = index.pair_counts()
        questions, answers = ChunkedTexts(self._columns["question"]), ChunkedTexts(self._columns["answer"])
        out = {}
        for q, a in np.ndindex(counts.shape):
            if counts[q, a] == 0:
                continue
            examples = np.flatnonzero(index.present(q) & index.present(a))
            out[f"{self._lang_names[q]}-{self._lang_names[a]}"] = Dataset.from_dict(
                {"anchor": questions.take(index.record_of[examples, q]),
                 "positive": answers.take(index.record_of[examples, a])})
        return DatasetDict(out)
