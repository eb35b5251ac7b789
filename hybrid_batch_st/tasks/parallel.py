"""Multi-parallel collections: the same item (utterance, image, sentence) in several languages.

- ``xsid``: xSID's ``<lang>.<split>.conll`` files, parallel by ``# text-en`` where given (checked against
  ``# id``), else by ``# id`` (the English files number their blocks by position instead); language
  varieties (``de-ba``, ``gsw``) keep their names;
- ``xflickrco``: xFlickr&CO's ``<lang>.test.jsonl`` (``{"id", "sentences": [...]}``), captions written
  per language, parallel by image id;
- ``parallel:PATH``: any collection, as JSONL ``{"id", "lang", "text"}`` or a folder of line-aligned
  ``<lang>.txt`` files (NTREX, TICO-19, Multi30k, a user's own sets).

An item with several texts in one language gets ids ``ID#0``, ``ID#1``, ...; every text of the item
in another language is relevant (:meth:`~hybrid_batch_st.tasks.task.RetrievalTask.parallel`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from .readers import iter_lines, read_jsonl_objects, read_lines, require_dir
from .task import RetrievalTask

__all__ = ["xsid_task", "xflickrco_task", "parallel_task"]

logger = logging.getLogger(__name__)


def _numbered(items: dict[str, list[str]]) -> dict[str, str]:
    """``{id: [texts]}`` -> ``{id: text}``, or ``{id#k: text}`` for an id with several texts."""
    return {(i if len(ts) == 1 else f"{i}#{k}"): t for i, ts in items.items() for k, t in enumerate(ts)}


def _conll_blocks(path: Path) -> list[dict[str, str]]:
    """The comment fields (``id``, ``text``, ``text-en``, ...) of every block that has a ``# text =``
    line; a block's comment lines come in any order (``ar`` puts ``# text-en`` after ``# text``)."""
    blocks: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    for _, line in [*iter_lines(path), (0, "")]:
        if not line.strip():
            if "text" in fields:
                blocks.append(fields)
            fields = {}
        elif line.startswith("# ") and " = " in line:
            key, _, value = line[2:].partition(" = ")
            fields.setdefault(key.strip(), value.strip())
    if not blocks:
        raise ValueError(f"{path}: no '# text =' lines; is it an xSID .conll file?")
    return blocks


def _conll_texts(path: Path, english: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """``{id: [text]}`` of an xSID file. A block without ``# id`` (the English files) is numbered by its
    position from 1, as the other languages number the same utterances. Where a block gives
    ``# text-en`` and ``english`` (``{English text: [ids]}``) is known, the item is aligned by that text
    and its ``# id`` checked against it: a disagreement is resolved by the text (in xSID 0.7 the ids of
    ``de-ba`` and ``lt`` do not follow the English file), and an item whose ``# text-en`` no English
    utterance has is left out. Both are counted in one warning naming the file."""
    items: dict[str, list[str]] = defaultdict(list)
    blocks = _conll_blocks(path)
    disagree = unmatched = 0
    for position, block in enumerate(blocks, 1):
        item = block.get("id", "").split("/")[0] or str(position)  # "N/k" are dialect variants of N
        text_en = block.get("text-en")
        if english is not None and text_en is not None:
            candidates = english.get(" ".join(text_en.split()))
            if not candidates:
                unmatched += 1
                continue
            if item not in candidates:
                disagree += 1
                item = candidates[0]
        items[item].append(block["text"])
    if disagree or unmatched:
        logger.warning("%s: %d of %d items' '# id' disagree with their '# text-en'; aligned by '# text-en'%s",
                       path, disagree, len(blocks),
                       f"; {unmatched} item(s) whose '# text-en' is no English utterance of the split were left out"
                       if unmatched else "")
    return items


def _english_index(path: Path | None) -> dict[str, list[str]] | None:
    """``{English text: [ids]}`` of the English file, or None without one (an utterance that occurs
    twice has both ids)."""
    if path is None:
        return None
    index: dict[str, list[str]] = defaultdict(list)
    for item, texts in _conll_texts(path).items():
        for text in texts:
            index[" ".join(text.split())].append(item)
    return index


def xsid_task(data_dir: str | Path, split: str = "test", languages: list[str] | None = None) -> RetrievalTask:
    """xSID assistant utterances as a task, aligned across languages by ``# text-en`` where a file gives it
    (checked against the English file ``en.<split>.conll``), else by ``# id``.

    Args:
        data_dir: the folder holding ``<lang>.<split>.conll`` files.
        split: ``"test"`` or ``"valid"``.
        languages: languages (varieties such as ``de-ba`` keep their names; default: all).

    Returns:
        The multi-parallel task (:meth:`~hybrid_batch_st.tasks.task.RetrievalTask.parallel`).

    Raises:
        FileNotFoundError: ``data_dir`` is not a folder or holds no ``<lang>.<split>.conll`` files.
        ValueError: A language without a file, or a file without ``# text =`` lines.
    """
    folder = require_dir(data_dir, "xsid", f"<lang>.{split}.conll files")
    available = {p.name.split(".")[0]: p for p in sorted(folder.glob(f"*.{split}.conll"))}
    chosen = _pick(languages, available, "xsid")
    english = _english_index(available.get("en"))
    texts = {lang: _numbered(_conll_texts(available[lang], None if lang == "en" else english)) for lang in chosen}
    return RetrievalTask.parallel("xsid", texts)


def xflickrco_task(data_dir: str | Path, languages: list[str] | None = None) -> RetrievalTask:
    """xFlickr&CO image captions, written per language and parallel by image id, as a task.

    Args:
        data_dir: the folder holding ``<lang>.test.jsonl`` files (``id``, ``sentences`` per line).
        languages: languages to keep (default: all).

    Returns:
        The multi-parallel task; an image with several captions in a language gives ids ``ID#0``, ``ID#1``, ...

    Raises:
        FileNotFoundError: ``data_dir`` is not a folder or holds no ``<lang>.test.jsonl`` files.
        ValueError: A language without a file, or a line that is not an object with ``id`` and ``sentences``.
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

    Returns:
        The multi-parallel task, named ``parallel:<file or folder name>``.

    Raises:
        FileNotFoundError: ``path`` does not exist, or a folder holds no ``<lang>.txt`` files.
        ValueError: The ``.txt`` files differ in lines, a JSONL line lacks a field, or a language is missing.

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
