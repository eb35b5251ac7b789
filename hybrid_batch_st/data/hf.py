"""Pair records from Hugging Face ``datasets`` in the shapes users keep them in.

- **long**: one row per (example, language), columns ``id``, ``lang``, ``question``, ``answer``;
- **wide**: one row per example, a column per language: ``question_de`` / ``answer_de`` (map
  ``question="question_{lang}"``), or dict columns ``question: {en: ..., de: ...}`` (map
  ``question="question.{lang}"``; a ``translation`` dict of question texts is ``"translation.{lang}"``);
  a language lacking in a row is a null or empty cell;
- **per language**: one dataset per language (a ``DatasetDict`` or a mapping keyed by language code,
  or a dataset's configs), rows aligned by the ``id`` column, as mMARCO ships.

Every shape becomes one Arrow table of :data:`~hybrid_batch_st.data.records.SCHEMA` (plus an optional
``negatives`` list column) without copying the texts: the dataset's memory-mapped Arrow columns are
sliced, not read into Python.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..languages import parse_language
from .records import REQUIRED_FIELDS

if TYPE_CHECKING:
    from datasets import Dataset

__all__ = ["COLUMN_ROLES", "hf_table", "load_hf", "parse_columns"]

#: the columns a mapping may name; ``negatives`` is optional (a list of example ids per row)
COLUMN_ROLES = (*REQUIRED_FIELDS, "negatives")
_FILE_BUILDERS = {".parquet": "parquet", ".csv": "csv", ".tsv": "csv", ".json": "json", ".jsonl": "json",
                  ".arrow": "arrow"}
_MAPPING_HINT = "name it with columns={{{role!r}: ...}} (--hf-columns {role}=... on the command line)"


def parse_columns(text: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"id=qid,question=question_{lang}"`` (or a mapping) -> ``{"id": "qid", "question": "question_{lang}"}``.

    Args:
        text: ``ROLE=COLUMN`` entries separated by commas, a mapping, or None / empty.

    Returns:
        ``{role: column}`` (empty for no text), names stripped of spaces.

    Raises:
        ValueError: A role is not one of :data:`COLUMN_ROLES`, or a column other than ``id``'s is empty.

    Example:
        >>> parse_columns("id=qid, question=question_{lang}")
        {'id': 'qid', 'question': 'question_{lang}'}
    """
    if not text:
        return {}
    items = text.items() if isinstance(text, Mapping) else (
        part.partition("=")[::2] for part in (p.strip() for p in str(text).split(",")) if part)
    out = {}
    for role, column in items:
        role, column = str(role).strip(), str(column).strip()
        if role not in COLUMN_ROLES or not column and role != "id":  # id= numbers the rows
            raise ValueError(f"column mapping {role}={column!r}: each entry must read ROLE=COLUMN with ROLE one of "
                             f"{', '.join(COLUMN_ROLES)}, e.g. id=qid,question=question_{{lang}}")
        out[role] = column
    return out


def load_hf(source: str | Path, split: str | None = None, config: str | None = None) -> Any:
    """A ``load_from_disk`` folder, data files (parquet, CSV/TSV, JSON/JSONL, Arrow; a file or a folder of
    them) or a dataset name for ``datasets.load_dataset``, as a ``Dataset`` or ``DatasetDict``.

    Args:
        source: a folder, a data file, or a dataset name.
        split: the split to load (data files: default ``train``; a dataset name: default all, a ``DatasetDict``).
        config: the dataset config, for a dataset name.

    Returns:
        A ``datasets.Dataset``, or a ``DatasetDict`` (a saved one, or a dataset name without ``split``).

    Raises:
        ValueError: A folder of no data files or of several kinds, or a name ``datasets.load_dataset`` fails on.
    """
    import datasets

    path = Path(source)
    if path.is_dir() and ((path / "dataset_dict.json").is_file() or (path / "state.json").is_file()):
        return datasets.load_from_disk(str(path))
    files = sorted(p for p in path.iterdir() if p.suffix in _FILE_BUILDERS) if path.is_dir() else [path]
    if path.exists():
        builders = {_FILE_BUILDERS.get(p.suffix) for p in files}
        if not files or None in builders or len(builders) != 1:
            raise ValueError(f"{source}: expected a load_from_disk folder or data files of one kind "
                             f"({', '.join(sorted(_FILE_BUILDERS))}), found {[p.name for p in files[:5]]}")
        [builder] = builders
        options = {"delimiter": "\t"} if builder == "csv" and files[0].suffix == ".tsv" else {}
        return datasets.load_dataset(builder, data_files=[str(p) for p in files], split=split or "train", **options)
    try:
        return datasets.load_dataset(str(source), config, split=split)
    except Exception as exc:  # offline, unknown name, ...: say what was tried
        raise ValueError(f"{source}: no such file or folder, and datasets.load_dataset({str(source)!r}) failed: "
                         f"{exc}") from None


def _table(dataset: "Dataset") -> pa.Table:
    """The dataset's Arrow table, rows in the dataset's order (a ``select``/``shuffle`` view resolved)."""
    if getattr(dataset, "_indices", None) is not None:
        dataset = dataset.flatten_indices()
    return dataset.data.table


def _choose_split(data: Mapping[str, Any], split: str | None, source: str) -> Any:
    if split is not None:
        if split not in data:
            raise ValueError(f"{source}: no split {split!r}; it has {sorted(data)}")
        return data[split]
    if "train" in data or len(data) == 1:
        return data["train" if "train" in data else next(iter(data))]
    raise ValueError(f"{source}: splits {sorted(data)}; choose one with split= (--hf-split on the command line)")


def _column(table: pa.Table, name: str, role: str, source: str) -> pa.ChunkedArray:
    if name not in table.column_names:
        raise ValueError(f"{source}: no column {name!r} for {role}; it has {table.column_names}; "
                         + _MAPPING_HINT.format(role=role))
    return table.column(name)


def _strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column as ``string`` (large strings and integer ids cast; a column of no text raises ArrowInvalid)."""
    return column if pa.types.is_string(column.type) else column.cast(pa.string())


def _ids(table: pa.Table, columns: Mapping[str, str], source: str) -> pa.ChunkedArray:
    if columns.get("id", "id") == "":
        return pa.chunked_array([pa.array(np.arange(table.num_rows).astype(str), pa.string())])
    return _strings(_column(table, columns.get("id", "id"), "id", source))


def _negatives(table: pa.Table, columns: Mapping[str, str], source: str) -> pa.ChunkedArray | None:
    name = columns.get("negatives", "negatives")
    if name not in table.column_names:
        if "negatives" in columns:
            _column(table, name, "negatives", source)  # named but missing: the error
        return None
    column = table.column(name)
    if not pa.types.is_list(column.type) and not pa.types.is_large_list(column.type):
        raise ValueError(f"{source}: column {name!r} (negatives) must hold lists of example ids, not {column.type}")
    return column.cast(pa.list_(pa.string()))


def _long(table: pa.Table, columns: Mapping[str, str], source: str, lang: str | None = None) -> pa.Table:
    out = {"id": _ids(table, columns, source)}
    if lang is None:
        out["lang"] = _strings(_column(table, columns.get("lang", "lang"), "lang", source))
    else:
        out["lang"] = pa.chunked_array([pa.array(np.full(table.num_rows, lang, dtype=object), pa.string())])
    for role in ("question", "answer"):
        out[role] = _strings(_column(table, columns.get(role, role), role, source))
    negatives = _negatives(table, columns, source)
    if negatives is not None:
        out["negatives"] = negatives
    return pa.table(out)


def _wide_columns(table: pa.Table, pattern: str, role: str, source: str) -> dict[str, str]:
    """``{lang: column}`` of the columns a ``{lang}`` pattern names (dict fields as ``column.field``)."""
    regex = re.compile("^" + re.escape(pattern).replace(re.escape("{lang}"), "(.+)") + "$")
    found = {m.group(1): name for name in table.column_names if (m := regex.match(name))}
    if not found:
        raise ValueError(f"{source}: no column matches {pattern!r} for {role}; it has {table.column_names}; "
                         + _MAPPING_HINT.format(role=role))
    return found


def _present(column: pa.ChunkedArray) -> np.ndarray:
    text = _strings(column)
    return pc.fill_null(pc.greater(pc.binary_length(text), 0), False).to_numpy(zero_copy_only=False)


def _wide(table: pa.Table, columns: Mapping[str, str], source: str) -> pa.Table:
    if any(pa.types.is_struct(t) for t in table.schema.types):
        table = table.flatten()  # dict columns become column.field
    questions = _wide_columns(table, columns["question"], "question", source)
    if "{lang}" in columns.get("answer", "answer"):
        answers = _wide_columns(table, columns["answer"], "answer", source)
    else:  # one answer column shared by every language's question
        answers = dict.fromkeys(questions, columns.get("answer", "answer"))
    unpaired = sorted(set(questions) ^ set(answers))
    if unpaired:
        raise ValueError(f"{source}: language(s) {unpaired} have a question column or an answer column, not both "
                         f"(questions: {sorted(questions)}, answers: {sorted(answers)}); give each language both")
    ids, negatives = _ids(table, columns, source), _negatives(table, columns, source)
    parts = []
    for lang in questions:
        question, answer = table.column(questions[lang]), _column(table, answers[lang], "answer", source)
        has_q, has_a = _present(question), _present(answer)
        if (has_q != has_a).any() and "{lang}" in columns.get("answer", "answer"):
            row = int(np.flatnonzero(has_q != has_a)[0])
            raise ValueError(
                f"{source}: columns {questions[lang]!r} and {answers[lang]!r} are of unequal length: "
                f"{int(has_q.sum())} questions, {int(has_a.sum())} answers (row {row}, id="
                f"{ids[row].as_py()!r}, has only one); give every {lang!r} question its answer or neither")
        both = has_q & has_a
        keep = pa.array(both)
        part = {"id": ids.filter(keep), "lang": pa.array(np.full(int(both.sum()), lang, dtype=object), pa.string()),
                "question": _strings(question).filter(keep), "answer": _strings(answer).filter(keep)}
        if negatives is not None:
            part["negatives"] = negatives.filter(keep)
        parts.append(pa.table(part))
    return pa.concat_tables(parts)


def _is_per_language(data: Mapping[str, Any], columns: Mapping[str, str]) -> bool:
    """A mapping of datasets keyed by language code, without a language column of their own."""
    return (all(parse_language(str(key)) is not None for key in data)
            and "{lang}" not in columns.get("question", "")
            and all(columns.get("lang", "lang") not in d.column_names for d in data.values()))


def hf_table(data: Any, columns: Mapping[str, str] | None = None, split: str | None = None,
             config: str | None = None, source: str | None = None) -> tuple[pa.Table, str]:
    """The records of ``data`` (see the module docstring) as one Arrow table, and the name its errors use.

    Args:
        data: a ``datasets.Dataset``, a ``DatasetDict``, a mapping ``{lang: Dataset}``, or a path / dataset
            name for :func:`load_hf`.
        columns: ``{role: column}`` for the roles of :data:`COLUMN_ROLES` that differ from the role's name;
            ``question`` / ``answer`` with ``{lang}`` read the wide shape; ``id=""`` numbers the rows.
        split: the split of a ``DatasetDict`` whose keys are splits (default ``train``, or the only one).
        config: the dataset config, for a dataset name.
        source: names the data in errors (default: the path, or the data's type).

    Returns:
        ``(table, source)``: a table of :data:`~hybrid_batch_st.data.records.SCHEMA` (plus ``negatives`` where
        ``data`` has such a column) and the name its errors use.

    Raises:
        ValueError: A named or needed column is missing, a wide shape pairs its columns badly, or the split
            is ambiguous.
        TypeError: ``data`` is none of the accepted kinds.
    """
    columns = parse_columns(columns)
    if isinstance(data, (str, Path)):
        source = source or str(data)
        data = load_hf(data, split, config)
    source = source or type(data).__name__
    if isinstance(data, Mapping):
        if _is_per_language(data, columns):
            return pa.concat_tables([_long(_table(d), columns, f"{source}[{lang!r}]", str(lang))
                                     for lang, d in data.items()], promote_options="permissive"), source
        data = _choose_split(data, split, source)
    if not hasattr(data, "data") or not hasattr(data, "column_names"):
        raise TypeError(f"{source}: expected a datasets.Dataset, DatasetDict, {{lang: Dataset}} mapping or a path, "
                        f"not {type(data).__name__}")
    table = _table(data)
    if "{lang}" in columns.get("question", ""):
        return _wide(table, columns, source), source
    return _long(table, columns, source), source
