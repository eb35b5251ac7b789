"""Hard negatives by example, resolved in the language of the batch's answers.

An example may list other examples as its hard negatives (mined on the pivot language by
``hybrid-batch-st mine``, or given). A row whose answer is in language Y gets as negatives those
examples' answers **in Y**, so that a cross-lingual batch never teaches the model to tell languages
apart instead of meanings. Per row, the first ``k`` listed examples that have a record in Y are used
(the example itself never); where fewer than ``k`` have one, the rest are other examples of Y drawn
pseudo-randomly from the row's example and language (the same row always gets the same ones), so
every row has ``k`` negatives in its answer language and the loss sees full columns.

:class:`HardNegatives` is shared by the dataset's transform (texts) and by
:class:`~hybrid_batch_st.HybridBatchSampler`, which keeps a negative's example out of the global
batch's positives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .pair_index import PairIndex

__all__ = ["HardNegatives", "NEGATIVE_COLUMNS", "listed_negatives", "record_lists", "read_negatives",
           "read_negatives_file", "write_negatives_file"]

_HASH = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def NEGATIVE_COLUMNS(k: int) -> list[str]:  # noqa: N802 - a column-name table, by count
    """``negative_1 .. negative_k``: the columns MultipleNegativesRankingLoss takes as more negatives.

    Args:
        k: the number of negative columns.

    Returns:
        The column names, numbered from 1.

    Example:
        >>> NEGATIVE_COLUMNS(2)
        ['negative_1', 'negative_2']
    """
    return [f"negative_{j}" for j in range(1, k + 1)]


class HardNegatives:
    """Which examples serve as the ``k`` negatives of a row, given its example and answer language.

    Args:
        index: the dataset's :class:`~hybrid_batch_st.data.pair_index.PairIndex`.
        listed: ``(examples, m)`` example codes of each example's listed negatives in order, -1 padded.
        k: negatives per row.
    """

    def __init__(self, index: PairIndex, listed: np.ndarray, k: int):
        if k < 1:
            raise ValueError(f"negatives={k!r} must be a positive number of negatives per row")
        self.index, self.listed, self.k = index, np.ascontiguousarray(listed, dtype=np.int32), int(k)
        # the first k listed per example, contiguous: the usual rows are read from it whole
        first_k = self.listed[:, : self.k]
        self._first_k = self.listed if self.listed.shape[1] == self.k else np.ascontiguousarray(first_k)
        self._members: dict[int, np.ndarray] = {}
        self._first_k_fit: dict[int, np.ndarray] = {}  # per language: do an example's first k listed all qualify

    def _fits(self, lang: int) -> np.ndarray:
        if lang not in self._first_k_fit:
            first = self._first_k
            fits = (first >= 0) & (first != np.arange(len(first))[:, None])
            fits &= self.index.record_of[np.maximum(first, 0), lang] >= 0
            self._first_k_fit[lang] = fits.all(axis=1) & (first.shape[1] == self.k)
        return self._first_k_fit[lang]

    def examples(self, examples: np.ndarray, answer_lang: np.ndarray | int) -> np.ndarray:
        """``(rows, k)`` example codes of the negatives of rows (example, answer language).

        Args:
            examples: each row's example code.
            answer_lang: each row's answer language code, or one code for all rows.

        Returns:
            An integer array of shape ``(len(examples), k)``: per row, its first ``k`` listed negatives that
            have a record in the answer language (never the example itself), the rest drawn as the module
            docstring says.
        """
        examples = np.asarray(examples, dtype=np.int64)
        one = answer_lang if np.ndim(answer_lang) == 0 else (answer_lang[0] if len(answer_lang) and (
            answer_lang == answer_lang[0]).all() else None)
        if one is not None and self._fits(int(one))[examples].all():
            return self._first_k[examples]  # the usual case: one language, the first k listed qualify
        langs = np.broadcast_to(np.asarray(answer_lang, dtype=np.int64), examples.shape)
        listed = self.listed[examples] if self.listed.shape[1] else np.empty((len(examples), 0), np.int32)
        valid = (listed >= 0) & (listed != examples[:, None])
        valid &= self.index.record_of[np.maximum(listed, 0), langs[:, None]] >= 0
        if listed.shape[1] >= self.k and valid[:, : self.k].all():
            return listed[:, : self.k].astype(np.int64)  # the usual case: the first k listed all qualify
        order = np.argsort(~valid, axis=1, kind="stable")[:, : self.k]
        chosen = np.full((len(examples), self.k), -1, dtype=np.int64)
        width = order.shape[1]
        chosen[:, :width] = np.where(np.take_along_axis(valid, order, 1), np.take_along_axis(listed, order, 1), -1)
        missing = chosen < 0
        if missing.any():
            rows, slots = np.nonzero(missing)
            chosen[rows, slots] = self._random(examples[rows], langs[rows], slots)
        return chosen

    def _random(self, examples: np.ndarray, langs: np.ndarray, slots: np.ndarray) -> np.ndarray:
        out = np.empty(len(examples), dtype=np.int64)
        for lang in np.unique(langs):
            at = np.flatnonzero(langs == lang)
            members = self._members_of(int(lang))
            if len(members) < 2:  # the example's own answer would be its negative: a false negative
                raise ValueError(
                    f"language {self.index.languages[int(lang)]!r} has {len(members)} example(s): a hard negative "
                    "in it cannot differ from the answer; list negatives for its rows in the negatives file, add "
                    "examples in that language, or leave it out of the training languages")
            key = examples[at].astype(np.uint64) * _HASH[0] ^ (slots[at].astype(np.uint64) + np.uint64(lang)) * _HASH[1]
            key ^= key >> np.uint64(31)
            key *= _HASH[2]
            picked = members[(key % np.uint64(len(members))).astype(np.int64)]
            # the example itself: its neighbour in the language's list instead (checked above: >= 2 examples)
            same = picked == examples[at]
            if same.any():
                position = np.searchsorted(members, picked[same])
                picked[same] = members[(position + 1) % len(members)]
            out[at] = picked
        return out

    def _members_of(self, lang: int) -> np.ndarray:
        if lang not in self._members:
            self._members[lang] = np.flatnonzero(self.index.present(lang))
        return self._members[lang]


def listed_negatives(index: PairIndex, id_names: pa.Array, record_lists: pa.ChunkedArray | pa.Array,
                     source: str, strict: bool = True) -> np.ndarray:
    """``(examples, m)`` codes of the negatives listed per record (a list of example ids, or null).

    Records of one example may list negatives or not; those that do must list the same ids. An id that
    no example has is an error naming the record (``strict=False``: it is dropped, as for a subset).

    Args:
        index: the records' :class:`~hybrid_batch_st.data.pair_index.PairIndex`.
        id_names: the example ids by code.
        record_lists: per record, a list of negative example ids, or null.
        source: names the records in errors.
        strict: raise for an id no example has; False drops it.

    Returns:
        An ``int32`` array of shape ``(examples, m)`` (``m``: the longest list), -1 padded.

    Raises:
        ValueError: A listed id no example has (with ``strict``), or records of one example list different ids.
    """
    lists = record_lists.combine_chunks() if isinstance(record_lists, pa.ChunkedArray) else record_lists
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    carrying = np.flatnonzero(lengths > 0)  # usually one record per example: work on those only
    width = int(lengths.max()) if len(lengths) else 0
    listed = np.full((index.num_examples, width), -1, dtype=np.int32)
    if width == 0:
        return listed
    lengths = lengths[carrying].astype(np.int64)
    flat = pc.list_flatten(lists.take(pa.array(carrying)))
    codes = pc.index_in(flat, value_set=id_names).to_numpy(zero_copy_only=False)
    unknown = np.flatnonzero(np.isnan(codes)) if codes.dtype.kind == "f" else np.array([], dtype=np.int64)
    if len(unknown) and strict:
        record = int(carrying[np.searchsorted(np.cumsum(lengths), unknown[0], side="right")])
        raise ValueError(f"{source}: record {record + 1} (id={id_names[int(index.example[record])].as_py()!r}) lists "
                         f"negative id {flat[int(unknown[0])].as_py()!r}, which no example has "
                         f"({len(unknown)} such id(s) in all); list ids of the data's examples only")
    codes = np.where(np.isnan(codes), -1, codes).astype(np.int32) if codes.dtype.kind == "f" else codes.astype(np.int32)
    padded = np.full((len(carrying), width), -1, dtype=np.int32)
    starts = np.cumsum(lengths) - lengths
    padded[np.repeat(np.arange(len(carrying)), lengths), np.arange(len(codes)) - np.repeat(starts, lengths)] = codes
    examples = index.example[carrying]
    first = np.full(index.num_examples, -1, dtype=np.int64)
    first[examples[::-1]] = np.arange(len(carrying))[::-1]  # the first carrying record of each example
    differs = (padded != padded[first[examples]]).any(axis=1)
    if differs.any():
        bad = carrying[np.flatnonzero(differs)[0]]
        raise ValueError(f"{source}: the records of id={id_names[int(index.example[bad])].as_py()!r} list different "
                         "negatives; negatives belong to the example: list the same ids in each of its records, "
                         "or in one only")
    listed[examples] = padded
    return listed


def record_lists(index: PairIndex, id_names: pa.Array, ids: pa.ChunkedArray, lists: pa.ChunkedArray,
                 source: str) -> pa.Array:
    """Per record, the negative ids ``lists`` gives its example's id (``ids[i]`` lists ``lists[i]``): carried by
    each example's first record, null elsewhere. An id of ``ids``, or one listed, that no example has is an
    error naming its line of ``source`` (a negatives file) or its entry.

    Args:
        index: the records' :class:`~hybrid_batch_st.data.pair_index.PairIndex`.
        id_names: the example ids by code.
        ids: the example ids that list negatives.
        lists: the negative ids each of ``ids`` lists.
        source: a negatives file's path (errors name its line), or another name of the input.

    Returns:
        A list array of one entry per record: the negative ids on each example's first record, null elsewhere
        (also for examples that ``ids`` leaves out).

    Raises:
        ValueError: An id of ``ids``, or a listed id, that no example has.
    """
    from .records import record_location

    where = pc.index_in(ids, value_set=id_names)
    if where.null_count:
        row = pc.index(pc.is_null(where), True).as_py()
        raise ValueError(f"{source}: {record_location(source, row)}: id {ids[row].as_py()!r} is no example of the data "
                         f"({where.null_count} such id(s)); list negatives of the data's examples only")
    flat = pc.list_flatten(lists.combine_chunks())
    unknown = pc.is_null(pc.index_in(flat, value_set=id_names))
    if pc.any(unknown).as_py():
        first = pc.index(unknown, True).as_py()
        ends = np.cumsum(pc.fill_null(pc.list_value_length(lists.combine_chunks()), 0).to_numpy(zero_copy_only=False))
        row = int(np.searchsorted(ends, first, side="right"))
        raise ValueError(f"{source}: {record_location(source, row)} (id={ids[row].as_py()!r}) lists negative id "
                         f"{flat[first].as_py()!r}, which no example has ({pc.sum(unknown).as_py()} such id(s) in "
                         "all); list ids of the data's examples only")
    first = np.full(index.num_examples, -1, dtype=np.int64)
    first[index.example[::-1]] = np.arange(index.num_records)[::-1]
    per_example = np.full(index.num_examples, -1, dtype=np.int64)
    per_example[where.to_numpy(zero_copy_only=False).astype(np.int64)] = np.arange(len(ids))
    row = np.full(index.num_records, -1, dtype=np.int64)
    row[first] = per_example
    return lists.combine_chunks().take(pa.array(row, mask=row < 0))  # a null index takes a null, copying nothing


def read_negatives_file(path: str | Path) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """The ``{"id": ..., "negatives": [...]}`` lines of a negatives file (what ``mine`` writes).

    Args:
        path: the negatives file (JSONL; other fields ignored).

    Returns:
        ``(ids, negatives)``: the ids and their lists of negative ids, one entry per line.

    Raises:
        FileNotFoundError: ``path`` is not a file.
        ValueError: A line is not such an object.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"negatives file {path} does not exist; write one with `hybrid-batch-st mine`")
    import pyarrow.json as pa_json

    try:
        table = pa_json.read_json(path, parse_options=pa_json.ParseOptions(
            explicit_schema=pa.schema([("id", pa.string()), ("negatives", pa.list_(pa.string()))]),
            unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ValueError(f"{path}: expected one JSON object per line with 'id' and a 'negatives' list of ids "
                         f"({exc})") from None
    return table.column("id"), table.column("negatives")


def read_negatives(negatives: "Mapping[str, Sequence[str]] | str | Path",
                   ) -> tuple[pa.ChunkedArray, pa.ChunkedArray, str]:
    """Ids, their negative-id lists and the input's name, from a mapping or a negatives file.

    Args:
        negatives: ``{id: [negative id, ...]}``, or the path of a negatives file (:func:`read_negatives_file`).

    Returns:
        ``(ids, lists, source)``: ``source`` is the file's path, or ``"negatives"`` for a mapping.
    """
    if isinstance(negatives, (str, Path)):
        return (*read_negatives_file(negatives), str(negatives))
    ids = pa.chunked_array([pa.array(list(negatives), pa.string())])
    lists = pa.chunked_array([pa.array([list(v) for v in negatives.values()], pa.list_(pa.string()))])
    return ids, lists, "negatives"


def write_negatives_file(path: str | Path, negatives: Mapping[str, Sequence[str]]) -> Path:
    """``{"id": ..., "negatives": [...]}`` per line, written whole or not at all.

    Args:
        path: the file to write (its folder is created; an existing file is replaced).
        negatives: ``{id: [negative id, ...]}``, written in the mapping's order.

    Returns:
        ``path`` as a ``Path``.

    Example:
        >>> write_negatives_file("runs/negatives.jsonl", {"q1": ["q7", "q3"]})  # doctest: +SKIP
        PosixPath('runs/negatives.jsonl')
    """
    from ..atomic import atomic_path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(json.dumps({"id": i, "negatives": list(n)}, ensure_ascii=False) + "\n"
                         for i, n in negatives.items())
    return path
