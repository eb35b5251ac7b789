"""BEIR's format per language (MIRACL / Mr.TyDi style): ``DIR/<lang>/corpus.jsonl`` (``_id``, ``title``,
``text``), ``queries.jsonl`` (``_id``, ``text``) and ``qrels/<split>.tsv`` (a header row, then
``query-id  corpus-id  score``, graded), any of them missing for a language.

- A document reads ``title + " " + text``, as BEIR's dense models join them.
- A language's qrels judge its own queries; a document id means the same document in every corpus
  that holds it, so a pair (X, Y) is evaluated where X's judged documents occur in Y's corpus (a
  monolingual collection, cross-lingual QA with passages in a pivot language, parallel corpora).
- A query id shared across language folders is the same question (significance pairs it).
- A judged document that no corpus holds is left out (it can never be retrieved); a query whose
  judged documents are all absent from a pool is not evaluated there.
- An ``_id`` twice in one corpus or queries file is an error naming the file and both lines; qrels
  naming a query id that ``queries.jsonl`` lacks are left out, counted in one warning.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .readers import read_jsonl_objects, read_lines, require_dir
from .task import RetrievalTask, TextSet

__all__ = ["beir_task"]

logger = logging.getLogger(__name__)


def _texts(path: Path, text) -> dict[str, str]:
    """``{_id: text(record)}`` of a corpus or queries file; an ``_id`` seen twice is an error naming both lines."""
    out: dict[str, str] = {}
    line_of: dict[str, int] = {}
    for number, record in read_jsonl_objects(path, ("_id", "text")):
        key = str(record["_id"])
        if key in line_of:
            raise ValueError(f"{path}:{number}: _id {key!r} again (first at line {line_of[key]}); each _id must be "
                             "unique in a file: remove or renumber one of the two lines")
        line_of[key] = number
        out[key] = text(record)
    return out


def _unknown_query_ids(root: Path, split: str, unknown: dict[str, list[str]]) -> None:
    """One warning for every language's qrels query ids that its queries.jsonl lacks."""
    total = sum(len(ids) for ids in unknown.values())
    if total:
        per = ", ".join(f"{lang}: {len(ids)} (e.g. {ids[0]!r})" for lang, ids in unknown.items() if ids)
        logger.warning("beir:%s: %d query id(s) in qrels/%s.tsv have no query in queries.jsonl (%s); their judgments "
                       "are left out", root, total, split, per)


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    lines = read_lines(path)
    for number, line in enumerate(lines[1:], 2):  # row 1 is BEIR's header
        if not line.strip():
            continue
        parts = line.split("\t")
        try:
            qid, doc, score = parts[0], parts[1], int(parts[2])
        except (IndexError, ValueError):
            raise ValueError(f"{path}:{number}: expected 'query-id<TAB>corpus-id<TAB>score' with an integer "
                             f"score, got {line!r}") from None
        out.setdefault(qid, {})[doc] = score
    return out


def beir_task(root: str | Path, split: str = "test", languages: list[str] | None = None) -> RetrievalTask:
    """BEIR-format folders, one per language, as one task (``--benchmark beir:DIR``; see the module docstring).

    Args:
        root: the folder holding ``<lang>/corpus.jsonl``, ``<lang>/queries.jsonl`` and ``<lang>/qrels/<split>.tsv``.
        split: the qrels file to read.
        languages: language folders to keep (default: all).

    Returns:
        The task: each language with queries and qrels is a query set, each with a corpus a pool; a pair
        (X, Y) exists where X's judged documents occur in Y's corpus.

    Raises:
        FileNotFoundError: ``root`` is not a folder, or no language has queries with qrels, or none a corpus.
        ValueError: A language folder is missing, an ``_id`` repeats in a file, or a qrels line is malformed.

    Example:
        >>> task = beir_task("miracl-beir/", split="dev", languages=["de", "fr"])  # doctest: +SKIP
    """
    root = require_dir(root, f"beir:{root}", "one folder per language with corpus.jsonl, queries.jsonl and qrels/")
    folders = {p.name: p for p in sorted(root.iterdir()) if p.is_dir()}
    if languages:
        missing = [lang for lang in languages if lang not in folders]
        if missing:
            raise ValueError(f"beir:{root} has no language folder(s) {missing}; it has {sorted(folders)}")
        folders = {lang: folders[lang] for lang in languages}
    queries, pools, qrels, unknown = {}, {}, {}, {}
    for lang, folder in folders.items():
        if (folder / "corpus.jsonl").is_file():
            pools[lang] = TextSet(lang, _texts(folder / "corpus.jsonl",
                                               lambda r: f"{r.get('title') or ''} {r['text']}".strip()))
        judged = folder / "qrels" / f"{split}.tsv"
        if (folder / "queries.jsonl").is_file() and judged.is_file():
            qrels[lang] = _qrels(judged)
            texts = _texts(folder / "queries.jsonl", lambda r: str(r["text"]))
            queries[lang] = TextSet(lang, {q: t for q, t in texts.items() if q in qrels[lang]})
            unknown[lang] = sorted(q for q in qrels[lang] if q not in texts)
    _unknown_query_ids(root, split, unknown)
    if not queries or not pools:
        raise FileNotFoundError(f"beir:{root}: needs at least one <lang>/queries.jsonl with qrels/{split}.tsv and one "
                                "<lang>/corpus.jsonl")
    pairs = [(x, y) for x in queries for y in pools
             if any(d in pools[y].texts for judged in qrels[x].values() for d in judged)]
    multilingual = [x for x in queries if len(pools) > 1]
    return RetrievalTask(f"beir:{root.name}", queries, pools, qrels, pairs, multilingual)
