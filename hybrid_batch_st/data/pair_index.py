"""Integer view of parallel records, and the trainer dataset's rows as (question, answer) record pairs.

A :class:`PairIndex` is built once from two integer codes per record (its
parallel example and its language). It knows which record holds each
(example, language) and numbers every ordered (question record, answer
record) pair of one example without storing the pairs: the rows of question
record ``q`` are ``offset[q] .. offset[q + 1] - 1``, one per language of its
example in language-code order. Memory is a few integers per record and per
example, whatever the number of language combinations (a table of pairs grows
with the square of the languages: 81M rows for 1M examples in 9 languages).

:class:`PairResolver` is the ``set_transform`` of the trainer dataset: it turns
a batch of row numbers into ``anchor`` (question) and ``positive`` (answer)
texts; :func:`pair_index_of` finds the index again from such a dataset, also
after the trainer has wrapped its transform.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["PairIndex", "PairResolver", "pair_index_of", "resolver_of"]

_BUCKET = 16  # rows per entry of PairIndex's row -> record table (each record has at least one row)


class PairIndex:
    """Records as integer codes, and the numbering of (question record, answer record) pairs.

    Args:
        example: the parallel example of each record, codes ``0 .. E - 1``.
        lang: the language of each record, codes into ``languages``.
        languages: language names by code.

    Each (example, language) must occur at most once (the caller checks and names duplicates).
    """

    def __init__(self, example: np.ndarray, lang: np.ndarray, languages: list[str]):
        self.languages = list(languages)
        self.example = np.ascontiguousarray(example, dtype=np.int32)
        self.lang = np.ascontiguousarray(lang, dtype=np.int16)
        n_records = len(self.example)
        n_examples = int(self.example.max()) + 1 if n_records else 0
        #: record holding (example, language), -1 where the example lacks the language
        self.record_of = np.full((n_examples, len(self.languages)), -1, dtype=np.int32)
        self.record_of[self.example, self.lang] = np.arange(n_records, dtype=np.int32)
        present = self.record_of >= 0
        self.n_languages = present.sum(axis=1, dtype=np.int16)  # per example
        # position of a language among its example's languages = the answer's row inside a question's rows
        self._rank = np.cumsum(present, axis=1, dtype=np.int16) - 1
        self._offset = np.zeros(n_records + 1, dtype=np.int64)
        np.cumsum(self.n_languages[self.example], out=self._offset[1:])
        # record of every 16th row: a row's record is then one of 17 neighbours, not a search over all records
        self._bucket_record = (
            np.searchsorted(self._offset, np.arange(0, self.num_rows, _BUCKET), side="right") - 1
        ).astype(np.int32)
        self._by_example = self.record_of[present]  # row-major: each example's records in language order
        self._example_start = np.zeros(n_examples + 1, dtype=np.int64)
        np.cumsum(self.n_languages, out=self._example_start[1:])

    @property
    def num_records(self) -> int:
        """Records (one per example and language)."""
        return len(self.example)

    @property
    def num_examples(self) -> int:
        """Parallel examples (distinct ids)."""
        return len(self.record_of)

    @property
    def num_rows(self) -> int:
        """Ordered (question, answer) record pairs: sum over examples of (languages of the example) squared."""
        return int(self._offset[-1])

    def present(self, language: int) -> np.ndarray:
        """Boolean mask over examples: which have a record in ``language``.

        Args:
            language: a language code (an index into :attr:`languages`).

        Returns:
            A ``bool`` array of :attr:`num_examples` entries.
        """
        return self.record_of[:, language] >= 0

    def single_language_records(self) -> np.ndarray:
        """Boolean mask over records: the record's example exists in this one language only.

        Returns:
            A ``bool`` array of :attr:`num_records` entries.
        """
        return self.n_languages[self.example] == 1

    def single_language_counts(self) -> dict[str, int]:
        """Per language, how many examples exist in that language only (languages with none left out).

        Returns:
            ``{language name: count}``.
        """
        counts = np.bincount(self.lang[self.single_language_records()], minlength=len(self.languages))
        return {lang: int(n) for lang, n in zip(self.languages, counts) if n}

    def pair_counts(self) -> np.ndarray:
        """``counts[x, y]``: examples with records in both languages x and y (the rows of group x-y).

        Returns:
            An ``int64`` array of shape ``(languages, languages)``; the diagonal counts each language's examples.
        """
        present = (self.record_of >= 0).astype(np.float64)
        return np.rint(present.T @ present).astype(np.int64)

    def rows(self, examples: np.ndarray, query_lang: np.ndarray | int, answer_lang: np.ndarray | int) -> np.ndarray:
        """Row numbers of (example, question language, answer language); both languages must be present.

        Args:
            examples: example codes.
            query_lang: the question language code, per example or one for all.
            answer_lang: the answer language code, per example or one for all.

        Returns:
            An ``int64`` array of row numbers, one per example (meaningless where a language is absent: not checked).
        """
        questions = self.record_of[examples, query_lang]
        return self._offset[questions] + self._rank[examples, answer_lang]

    def records(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (question record, answer record) of each row number.

        Args:
            rows: row numbers in ``[0, num_rows)``.

        Returns:
            ``(questions, answers)``: two arrays of record indices, one entry per row each.

        Raises:
            IndexError: A row number lies outside ``[0, num_rows)``.
        """
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= self.num_rows):
            raise IndexError(f"pair rows must lie in [0, {self.num_rows}); got {rows.min()}..{rows.max()}")
        first = self._bucket_record[rows // _BUCKET]
        following = np.minimum(first[:, None] + np.arange(1, _BUCKET + 1), self.num_records)
        questions = first + (self._offset[following] <= rows[:, None]).sum(axis=1)
        answers = self._by_example[self._example_start[self.example[questions]] + (rows - self._offset[questions])]
        return questions, answers

    def describe(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Example, question language and answer language codes of each row number.

        Args:
            rows: row numbers in ``[0, num_rows)``.

        Returns:
            ``(example, question language, answer language)``: three code arrays, one entry per row each.

        Raises:
            IndexError: A row number lies outside ``[0, num_rows)``.
        """
        questions, answers = self.records(rows)
        return self.example[questions], self.lang[questions], self.lang[answers]


class ChunkedTexts:
    """Random access to a chunked Arrow string column without concatenating it.

    ``ChunkedArray.take`` concatenates the chunks on every call, and concatenating once would
    double the memory of gigabytes of text; a batch reads a few dozen strings straight from their
    chunks' buffers (no Arrow scalar per string), decoded together.
    """

    def __init__(self, column: pa.ChunkedArray | pa.Array):
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        self.chunks = [c.cast(pa.string()) if not pa.types.is_string(c.type) else c for c in chunks]
        self.starts = np.cumsum([0] + [len(c) for c in self.chunks])
        # every chunk's byte offsets (len + 1 each) in one array, so a batch finds its byte ranges at once
        self._offsets = np.concatenate([np.frombuffer(c.buffers()[1], dtype=np.int32)[c.offset : c.offset + len(c) + 1]
                                        for c in self.chunks]) if self.chunks else np.zeros(1, np.int32)
        self._data = [memoryview(c.buffers()[2]) if c.buffers()[2] is not None else memoryview(b"")
                      for c in self.chunks]

    def take(self, positions: np.ndarray) -> list[str]:
        positions = np.asarray(positions, dtype=np.int64)
        chunk = np.searchsorted(self.starts, positions, side="right") - 1
        at = positions + chunk  # chunk c's offsets start at starts[c] + c
        bounds = self._offsets[np.stack((at, at + 1))]
        starts, ends = bounds.tolist()
        data = self._data
        pieces = [data[c][s:e] for c, s, e in zip(chunk.tolist(), starts, ends)]
        # one decode for the batch, then a split: making a str per string costs more than its bytes
        blob = b"\0".join(pieces)
        if blob.count(0) == len(pieces) - 1:  # no NUL inside the texts: the separators split them
            return str(blob, "utf-8").split("\0") if pieces else []
        blob = b"".join(pieces)
        text = str(blob, "utf-8")
        lengths = bounds[1] - bounds[0]
        bounds = np.zeros(len(pieces) + 1, dtype=np.int64)
        np.cumsum(lengths, out=bounds[1:])
        if len(text) != len(blob):  # not ASCII: a byte position less the continuation bytes before it
            bounds -= np.searchsorted(np.flatnonzero(np.frombuffer(blob, np.uint8) & 0xC0 == 0x80), bounds)
        cuts = bounds.tolist()
        return [text[i:j] for i, j in zip(cuts, cuts[1:])]


class PairResolver:
    """``Dataset.set_transform`` of the trainer dataset: row numbers -> ``{"anchor": ..., "positive": ...}``,
    plus ``negative_1 .. negative_k`` with ``hard`` (:class:`~hybrid_batch_st.data.negatives.HardNegatives`):
    the answers, in the row's answer language, of the row's negative examples.

    Args:
        index: the records' :class:`PairIndex`.
        questions: the question text of each record.
        answers: the answer text of each record.
        hard: the :class:`~hybrid_batch_st.data.negatives.HardNegatives` of ``negative_1 .. negative_k``, or None.
    """

    def __init__(self, index: PairIndex, questions: pa.ChunkedArray, answers: pa.ChunkedArray, hard: Any = None):
        self.index, self.questions, self.answers = index, ChunkedTexts(questions), ChunkedTexts(answers)
        self.hard = hard
        # datasets fingerprints a transform by pickling it; this one stands for its data (see below)
        self.fingerprint = uuid.uuid4().hex

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[str]]:
        questions, answers = self.index.records(batch["pair"])
        out = {"anchor": self.questions.take(questions)}
        if self.hard is None:
            out["positive"] = self.answers.take(answers)
            return out
        lang = self.index.lang[answers]
        negatives = self.index.record_of[self.hard.examples(self.index.example[answers], lang), lang[:, None]]
        texts = self.answers.take(np.concatenate([answers, negatives.T.ravel()]))  # one read of the answers
        n = len(answers)
        out["positive"] = texts[:n]
        for j in range(self.hard.k):
            out[f"negative_{j + 1}"] = texts[(j + 1) * n : (j + 2) * n]
        return out


def _register_cheap_fingerprint() -> None:
    """Let ``datasets`` hash a resolver by its fingerprint instead of pickling gigabytes of text.

    ``set_transform`` (also the trainer's own, when it adds a dataset-name column) hashes the
    transform with datasets' pickler; ordinary pickling (DataLoader workers) still copies the data.
    """
    try:
        from datasets.utils._dill import pklregister
    except ImportError:  # another datasets layout: hashing still works, only slower
        return

    @pklregister(PairResolver)
    def _save(pickler, obj):  # noqa: ANN001 - datasets' pickler protocol
        pickler.save_reduce(_fingerprint_stand_in, (obj.fingerprint,), obj=obj)


def _fingerprint_stand_in(fingerprint: str) -> str:
    return fingerprint


_register_cheap_fingerprint()


def resolver_of(dataset: Any) -> PairResolver | None:
    """The :class:`PairResolver` of a dataset from ``MultilingualPairDataset.to_dataset()``, else None.

    The trainer may wrap the transform (``functools.partial(..., transform=ours)``) to add a
    dataset-name column; the wrapped transform is found through such layers.

    Args:
        dataset: any dataset; a ``datasets.Dataset`` with a ``set_transform`` is looked into.

    Returns:
        The resolver, or None where the dataset's transform is none (up to 8 ``partial`` layers deep).
    """
    transform = (getattr(dataset, "format", None) or {}).get("format_kwargs", {}).get("transform")
    for _ in range(8):
        if isinstance(transform, PairResolver):
            return transform
        if isinstance(transform, functools.partial):
            transform = transform.keywords.get("transform", transform.func)
        else:
            return None
    return None


def pair_index_of(dataset: Any) -> PairIndex | None:
    """The :class:`PairIndex` behind a dataset from ``MultilingualPairDataset.to_dataset()``, else None.

    Args:
        dataset: any dataset (see :func:`resolver_of`).

    Returns:
        The index of the dataset's :class:`PairResolver`, or None where it has none.

    Example:
        >>> from hybrid_batch_st import MultilingualPairDataset
        >>> pairs = MultilingualPairDataset(["q1", "q1"], ["en", "de"], ["Who?", "Wer?"], ["He.", "Er."])
        >>> pair_index_of(pairs.to_dataset()).num_rows
        4
    """
    resolver = resolver_of(dataset)
    return None if resolver is None else resolver.index
