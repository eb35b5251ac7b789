"""Reading and checking pair records: JSONL (pyarrow's multithreaded reader, with an exact
line-by-line fallback that names the line at fault), Python records, duplicate (id, lang) pairs
and language codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import option
from ..languages import LANGUAGE_CODE_HELP, normalise_languages, select_codes, unknown_language_codes
from ..tasks.readers import iter_lines

__all__ = ["REQUIRED_FIELDS", "SCHEMA", "collect_records", "read_jsonl", "check_values", "check_duplicates",
           "named_languages", "check_language_codes", "record_location"]

REQUIRED_FIELDS = ("id", "lang", "question", "answer")
SCHEMA = pa.schema([(name, pa.string()) for name in REQUIRED_FIELDS])


def read_jsonl(path: Path) -> pa.Table:
    """The four fields of every record of a JSONL file; errors name the line.

    Args:
        path: the JSONL file, one ``{id, lang, question, answer}`` object per line (other fields ignored).

    Returns:
        A table of :data:`SCHEMA`, one row per record in file order.

    Raises:
        ValueError: A line is not JSON, not an object, or lacks a non-empty string field (naming the line).
    """
    table = _read_jsonl_fast(path)
    return table if table is not None else collect_records(_jsonl_records(path))


def collect_records(items: Iterable[tuple[str, Mapping[str, Any]]]) -> pa.Table:
    """An Arrow table from ``(position, record)`` items, naming the first bad record by its position.

    Args:
        items: ``(position, record)`` pairs; ``position`` names the record in errors (``"record 3"``).

    Returns:
        A table of :data:`SCHEMA` (other fields of the records dropped).

    Raises:
        ValueError: A record is not a mapping or lacks a non-empty string field of :data:`REQUIRED_FIELDS`.
    """
    columns: dict[str, list[str]] = {name: [] for name in REQUIRED_FIELDS}
    for where, record in items:
        if not isinstance(record, Mapping):
            raise ValueError(f"{where}: expected a JSON object with {list(REQUIRED_FIELDS)}, "
                             f"got {type(record).__name__}")
        missing = [f for f in REQUIRED_FIELDS if not isinstance(record.get(f), str) or not record.get(f)]
        if missing:
            raise ValueError(
                f"{where} (id={record.get('id')!r}) lacks non-empty string field(s) {missing}; "
                f"every record needs {list(REQUIRED_FIELDS)}"
            )
        for name, values in columns.items():
            values.append(record[name])
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def _jsonl_records(path: Path) -> Iterator[tuple[str, Any]]:
    for line_no, line in iter_lines(path):
        if line.strip():
            try:
                yield f"{path}:{line_no}: record", json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{line_no}: not JSON ({exc})") from None


def _read_jsonl_fast(path: Path) -> pa.Table | None:
    """The four fields of every line via pyarrow, or None where a line needs the exact reader's message."""
    import pyarrow.json as pa_json

    try:
        table = pa_json.read_json(
            path,
            read_options=pa_json.ReadOptions(block_size=16 << 20),
            parse_options=pa_json.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    for name in REQUIRED_FIELDS:
        column = table.column(name)
        if column.null_count or pc.any(pc.equal(pc.binary_length(column), 0)).as_py():
            return None
    return table


def check_values(table: pa.Table, source: str) -> None:
    """One clear error for a missing or empty id, lang, question or answer, naming its row.

    Args:
        table: a table with the columns of :data:`REQUIRED_FIELDS`.
        source: names the table in the error.

    Raises:
        ValueError: A value is null or empty (naming the first such row, from 0, and its field).
    """
    for name in REQUIRED_FIELDS:
        column = table.column(name)
        empty = pc.fill_null(pc.equal(pc.binary_length(column), 0), True)
        if pc.any(empty).as_py():
            row = pc.index(empty, True).as_py()
            raise ValueError(f"{source}: row {row} has no {name} (null or empty); every row needs "
                             f"{list(REQUIRED_FIELDS)}: drop or fill such rows")


def check_duplicates(example: np.ndarray, lang: np.ndarray, id_names: pa.Array, lang_names: list[str], source: str):
    """One clear error for (id, lang) pairs that occur in more than one record.

    Args:
        example: each record's example code (an index into ``id_names``).
        lang: each record's language code (an index into ``lang_names``).
        id_names: the example ids by code.
        lang_names: the language names by code.
        source: names the records in the error.

    Raises:
        ValueError: Some (id, lang) pair occurs twice (the count, and up to five of them, named).
    """
    key = example.astype(np.int64) * len(lang_names) + lang
    counts = np.bincount(key)
    dupes = np.flatnonzero(counts > 1)
    if len(dupes):
        shown = ", ".join(
            f"(id={id_names[int(k) // len(lang_names)].as_py()!r}, lang={lang_names[int(k) % len(lang_names)]!r})"
            for k in dupes[:5]
        )
        raise ValueError(
            f"{source}: {len(dupes)} duplicate (id, lang) record(s), e.g. {shown}; "
            "each example may appear once per language"
        )


def record_location(source: str, index: int) -> str:
    """Where record ``index`` (from 0) of ``source`` is: ``line N`` in a JSONL file (its n-th record is its
    n-th non-blank line, as the JSON readers skip blank ones), else ``record N``.

    Args:
        source: a file path, or any other name of the records.
        index: the record's position, from 0.

    Returns:
        ``"line N"`` (from 1) where ``source`` is a file, else ``"record N"`` (``index + 1``).
    """
    if Path(source).is_file():
        with open(source, encoding="utf-8", errors="replace") as f:
            lines = (n for n, line in enumerate(f, 1) if line.strip())
            return f"line {next(n for i, n in enumerate(lines) if i == index)}"
    return f"record {index + 1}"


def check_language_codes(table: pa.Table, source: str) -> None:
    """One clear error for a language code of no known language, naming the first record (or line) with it.

    Args:
        table: a table with a ``lang`` column.
        source: names the table in the error (a file path: its line is named).

    Raises:
        ValueError: A code is of no known language (the first one and up to four more named).
    """
    codes = pc.unique(table.column("lang")).to_pylist()
    bad = unknown_language_codes(c for c in codes if c)
    if not bad:
        return
    where = record_location(source, pc.index(table.column("lang"), bad[0]).as_py())
    raise ValueError(
        f"{source}: {where}: unknown language code {bad[0]!r}" + (f" (also {bad[1:5]})" if len(bad) > 1 else "")
        + f"; {LANGUAGE_CODE_HELP}"
    )


def named_languages(table: pa.Table, source: str, languages: Sequence[str] | None = None,
                    normalise: bool = True) -> pa.Table:
    """``table`` with its language codes checked, kept to ``languages`` (any accepted form) and named as
    :func:`~hybrid_batch_st.languages.normalise_languages` says (``normalise=False``: as they are).

    Args:
        table: a table with a ``lang`` column.
        source: names the table in errors.
        languages: keep only the rows of these languages; None keeps all.
        normalise: rename the codes as ``normalise_languages`` says; False keeps them as they are.

    Returns:
        The table, filtered and with its ``lang`` column renamed where needed (else the same table).

    Raises:
        ValueError: A code is of no known language, or a requested language has no rows.
    """
    check_language_codes(table, source)
    codes = pc.unique(table.column("lang")).to_pylist()
    names = normalise_languages(codes) if normalise else {code: code for code in codes}
    if languages is not None:
        wanted = select_codes(languages, names, source, option("languages"))
        if set(wanted) != set(codes):
            table = table.filter(pc.is_in(table.column("lang"), pa.array(wanted, pa.string())))
    if any(code != name for code, name in names.items()):
        lang = pc.dictionary_encode(table.column("lang").combine_chunks())
        renamed = pa.array([names[code] for code in lang.dictionary.to_pylist()], pa.string())
        table = table.set_column(table.schema.get_field_index("lang"), "lang", pc.take(renamed, lang.indices))
    return table
