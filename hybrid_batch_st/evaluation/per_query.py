"""The per-query values of an evaluation: in memory (:class:`PerQuery`) and on disk (``per_query.tsv.gz``).

This module alone writes and reads the file, so the report that writes it and the tests that read it
(:mod:`.significance`, :mod:`.seeds`) both depend on it and not on each other.
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_path
from .measures import canonical_measure

__all__ = ["PerQuery", "PER_QUERY_FILE", "per_query_of", "write_per_query", "load_per_query"]

#: The file beside ``results.json`` that holds every query's value of every measure in every pair.
PER_QUERY_FILE = "per_query.tsv.gz"
PER_QUERY_COLUMNS = ("setting", "query_lang", "pool_lang", "query_id", "measure", "value")

Key = tuple[str, str, str]  # (setting, query language, pool language)


@dataclass
class PerQuery:
    """Per-query values of one evaluation.

    Args:
        label: What the evaluation is called in tables (the model's name or its folder).
        values: ``values[measure][(setting, query_lang, pool_lang)][query_id]``, measures canonical.
    """

    label: str
    values: dict[str, dict[Key, dict[str, float]]]


def per_query_of(result, label: str | None = None) -> PerQuery:
    """The per-query values of an in-memory evaluation.

    Args:
        result: An :class:`~hybrid_batch_st.evaluation.EvaluationResult`.
        label: Its name in tables; default: the result's model.

    Returns:
        The result's values as a :class:`PerQuery`.
    """
    values: dict[str, dict[Key, dict[str, float]]] = {}
    for p in result.pairs:
        for measure, by_query in p.per_query.items():
            values.setdefault(canonical_measure(measure), {})[(p.setting, p.query_lang, p.pool_lang)] = by_query
    return PerQuery(label or result.model, values)


def write_per_query(result, path: str | Path) -> None:
    """Write every query's value of every measure in every pair as gzipped TSV, atomically.

    Args:
        result: An :class:`~hybrid_batch_st.evaluation.EvaluationResult`.
        path: The file to write (by convention ``FOLDER/per_query.tsv.gz``).
    """
    with atomic_path(Path(path)) as tmp, gzip.open(tmp, "wt", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(PER_QUERY_COLUMNS)
        for p in result.pairs:
            for measure, values in p.per_query.items():
                writer.writerows((p.setting, p.query_lang, p.pool_lang, q, measure, repr(v)) for q, v in values.items())


def load_per_query(path: str | Path) -> PerQuery:
    """Read an evaluation folder (or its ``results.json``) with its ``per_query.tsv.gz``.

    Args:
        path: A folder written by ``hybrid-batch-st evaluate --output`` or :func:`~.report.write_report`.

    Returns:
        The folder's values, labelled with the model named in its ``results.json``.

    Raises:
        FileNotFoundError: The folder holds no per-query file; the message says how to make one.

    Example:
        >>> from hybrid_batch_st.evaluation import compare, load_per_query
        >>> rows = compare(load_per_query("eval/base"), load_per_query("eval/hybrid"))  # doctest: +SKIP
    """
    path = Path(path)
    folder = path.parent if path.is_file() else path
    side = folder / PER_QUERY_FILE
    if not side.is_file():
        raise FileNotFoundError(
            f"{folder} holds no {PER_QUERY_FILE}; evaluate the model again with this version "
            "(hybrid-batch-st evaluate ... --output FOLDER) to get per-query values"
        )
    label = str(folder)
    results = folder / "results.json"
    if results.is_file():
        label = json.loads(results.read_text(encoding="utf-8")).get("model") or label
    values: dict[str, dict[Key, dict[str, float]]] = {}
    with gzip.open(side, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["setting"], row["query_lang"], row["pool_lang"])
            measure = canonical_measure(row["measure"])
            values.setdefault(measure, {}).setdefault(key, {})[row["query_id"]] = float(row["value"])
    return PerQuery(label, values)
