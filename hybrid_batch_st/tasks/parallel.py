"""Multi-parallel collections: the same item (utterance, image, sentence) in several languages.

- ``xsid``: xSID's ``<lang>.<split>.conll`` files, parallel by ``# id`` (the English files number their
  blocks by position instead); language varieties (``de-ba``, ``gsw``) keep their names;
- ``xflickrco``: xFlickr&CO's ``<lang>.test.jsonl`` (``{"id", "sentences": [...]}``), captions written
  per language, parallel by image id;
- ``parallel:PATH``: any collection, as JSONL ``{"id", "lang", "text"}`` or a folder of line-aligned
  ``<lang>.txt`` files (NTREX, TICO-19, Multi30k, a user's own sets).

An item with several texts in one language gets ids ``ID#0``, ``ID#1``, ...; every text of the item
in another language is relevant (:meth:`~hybrid_batch_st.tasks.task.RetrievalTask.parallel`).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .readers import read_jsonl_objects, read_lines, require_dir
from .task import RetrievalTask

__all__ = ["xsid_task", "xflickrco_task", "parallel_task"]


def _numbered(items: dict[str, list[str]]) -> dict[str, str]:
    """``{id: [texts]}`` -> ``{id: text}``, or ``{id#k: text}`` for an id with several texts."""
    return {(i if len(ts) == 1 else f"{i}#{k}"): t for i, ts in items.items() for k, t in enumerate(ts)}


def _conll_texts(path: Path) -> dict[str, list[str]]:
    """``{id: [text]}`` of an xSID file; a block without ``# id`` (the English files) is numbered by its
    position from 1, as the other languages number the same utterances."""
    items: dict[str, list[str]] = defaultdict(list)
    current, blocks = None, 0
    for line in read_lines(path):
        if line.startswith("# id = "):
            current = line[len("# id = "):].strip().split("/")[0]  # no: "N/k" are dialect variants of N
        elif line.startswith("# text = "):
            blocks += 1
            items[current or str(blocks)].append(line[len("# text = "):].strip())
            current = None
    if not items:
        raise ValueError(f"{path}: no '# text =' lines; is it an xSID .conll file?")
    return items


def xsid_task(data_dir: str | Path, split: str = "test", languages: list[str] | None = None) -> RetrievalTask:
    """xSID assistant utterances, parallel by ``# id``, as a task.

    Args:
        data_dir: the folder holding ``<lang>.<split>.conll`` files.
        split: ``"test"`` or ``"valid"``.
        languages: languages (varieties such as ``de-ba`` keep their names; default: all).
    """
    folder = require_dir(data_dir, "xsid", f"<lang>.{split}.conll files")
    available = {p.name.split(".")[0]: p for p in sorted(folder.glob(f"*.{split}.conll"))}
    texts = {lang: _numbered(_conll_texts(available[lang])) for lang in _pick(languages, available, "xsid")}
    return RetrievalTask.parallel("xsid", texts)


def xflickrco_task(data_dir: str | Path, languages: list[str] | None = None) -> RetrievalTask:
    """xFlickr&CO image captions, written per language and parallel by image id, as a task.

    Args:
        data_dir: the folder holding ``<lang>.test.jsonl`` files (``id``, ``sentences`` per line).
        languages: languages to keep (default: all).
    """
    folder = require_dir(data_dir, "xflickrco", "<lang>.test.jsonl files")
    available = {p.name.split(".")[0]: p for p in sorted(folder.glob("*.test.jsonl"))}
    texts = {}
    for lang in _pick(languages, available, "xflickrco"):
        items = {str(r["id"]): [str(s) for s in r["sentences"]]
                 for _, r in read_jsonl_objects(available[lang], ("id", "sentences"))}
        texts[lang] = _numbered(items)
    return RetrievalTask.parallel("xflickrco", texts)


def parallel_task(path: str | Path, languages: list[str] | None = None) -> RetrievalTask:
    """Any parallel collection (``--benchmark parallel:PATH``) as a task: the same id in another language is relevant.

    Args:
        path: a JSONL file of ``{"id", "lang", "text"}`` or a folder of line-aligned ``<lang>.txt`` files
            (NTREX, TICO-19, Multi30k, your own); several texts of one id and language become ``ID#0``, ``ID#1``.
        languages: languages to keep (default: all).

    Example:
        >>> task = parallel_task("my-collection/", ["en", "de"])  # doctest: +SKIP
    """
    path = Path(path)
    items: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    if path.is_dir():
        files = {p.stem: p for p in sorted(path.glob("*.txt"))}
        if not files:
            raise FileNotFoundError(f"parallel:{path}: the folder holds no <lang>.txt files (one line per item)")
        lengths = {lang: len(read_lines(p)) for lang, p in files.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"parallel:{path}: the <lang>.txt files differ in lines ({lengths}); they must be "
                             "line-aligned")
        for lang, p in files.items():
            for n, line in enumerate(read_lines(p)):
                items[lang][str(n)].append(line)
    elif path.is_file():
        for _, r in read_jsonl_objects(path, ("id", "lang", "text")):
            items[str(r["lang"])][str(r["id"])].append(str(r["text"]))
    else:
        raise FileNotFoundError(f"parallel:{path} does not exist; pass a .jsonl file or a folder of <lang>.txt files")
    chosen = _pick(languages, items, f"parallel:{path}")
    return RetrievalTask.parallel(f"parallel:{path.name}", {lang: _numbered(items[lang]) for lang in chosen})


def _pick(languages: list[str] | None, available, what: str) -> list[str]:
    if not available:
        raise FileNotFoundError(f"{what}: no language files found")
    missing = [lang for lang in languages or [] if lang not in available]
    if missing:
        raise ValueError(f"{what} has no language(s) {missing}; it has {sorted(available)}")
    return list(languages or available)
