"""XTREME's sentence retrieval (Tatoeba) and FLORES-200: sentence-aligned test sets as retrieval tasks.

**Tatoeba** (LASER's test sets, ``tatoeba.<xxx>-eng.{<xxx>,eng}``, up to 1,000 line-aligned pairs
per language; the English side differs per language, so it is a bitext, not multi-parallel). Each
language gives two cross-lingual pairs: ``xx -> en`` (its sentences against that bitext's English
side) and ``en -> xx``. XTREME's figure is the accuracy of the nearest neighbour, ``P@1`` here.
XTREME's own code (``third_party/utils_retrieve.py``) indexes the xx sentences and searches them
with the English ones, i.e. it reports en -> xx, although its flags read xx -> en; both are given.
Query ids are ``<lang>:<line>``: lines of two languages are different sentences.

**FLORES-200** (``<split>/<code>.<split>``, 997 / 1,012 sentences per language, multi-parallel by
line): every cross-lingual pair of the chosen languages and each language against all pools, a
query's own sentence excluded. Query ids are the line numbers, shared by every language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..languages import canonical_language
from .readers import read_lines, require_dir
from .task import RetrievalTask, TextSet

__all__ = ["XTREME_TATOEBA", "tatoeba_task", "flores_task", "FLORES_DEFAULT"]

#: The 36 Tatoeba languages of XTREME, as LASER's file codes.
XTREME_TATOEBA = ("afr", "ara", "ben", "bul", "cmn", "deu", "ell", "est", "eus", "fin", "fra", "heb", "hin", "hun",
                  "ind", "ita", "jav", "jpn", "kat", "kaz", "kor", "mal", "mar", "nld", "pes", "por", "rus", "spa",
                  "swh", "tam", "tel", "tgl", "tha", "tur", "urd", "vie")
#: A FLORES-200 set of 24 languages: 12 high-resource and 12 low-resource ones (see the README).
FLORES_DEFAULT = ("eng_Latn", "deu_Latn", "fra_Latn", "spa_Latn", "rus_Cyrl", "zho_Hans", "arb_Arab", "hin_Deva",
                  "jpn_Jpan", "por_Latn", "tur_Latn", "vie_Latn", "yor_Latn", "hau_Latn", "ibo_Latn", "zul_Latn",
                  "wol_Latn", "lao_Laoo", "khm_Khmr", "quy_Latn", "ayr_Latn", "mri_Latn", "smo_Latn", "tir_Ethi")


def _codes(requested: Sequence[str] | None, available: dict[str, str], default: Sequence[str], what: str) -> list[str]:
    """File codes for the requested languages (any code form), or one error naming what is missing."""
    by_canonical = {}
    for code in available:
        by_canonical.setdefault(canonical_language(code), code)
    chosen = []
    for lang in requested or default:
        code = lang if lang in available else by_canonical.get(canonical_language(lang))
        if code is None:
            raise ValueError(f"{what} has no language {lang!r}; it has {len(available)}, e.g. "
                             f"{', '.join(sorted(available)[:12])}")
        chosen.append(code)
    return list(dict.fromkeys(chosen))


def tatoeba_task(data_dir: str | Path, languages: Sequence[str] | None = None) -> RetrievalTask:
    """Tatoeba (LASER's test sets, XTREME's sentence retrieval) as a task: xx -> en and en -> xx pairs.

    Args:
        data_dir: the folder holding ``tatoeba.<xxx>-eng.<xxx>`` and ``tatoeba.<xxx>-eng.eng`` files.
        languages: any of the 112 languages, any code form (default: XTREME's 36).

    Returns:
        The task; XTREME's accuracy is ``P@1`` here (both directions are reported).
    """
    folder = require_dir(data_dir, "tatoeba", "LASER's tatoeba.<xxx>-eng.<xxx> and .eng files")
    available = {p.name.split(".")[1].split("-")[0]: str(p) for p in folder.glob("tatoeba.*-eng.eng")}
    queries, pools, qrels, pairs = {}, {}, {}, []
    for code in _codes(languages, available, XTREME_TATOEBA, f"tatoeba ({folder})"):
        lang = canonical_language(code)
        xx = read_lines(folder / f"tatoeba.{code}-eng.{code}")
        en = read_lines(folder / f"tatoeba.{code}-eng.eng")
        if len(xx) != len(en):
            raise ValueError(f"tatoeba.{code}-eng: {len(xx)} {code} lines but {len(en)} English lines; the two "
                             "files must be line-aligned")
        ids = [f"{lang}:{n}" for n in range(len(xx))]
        side = f"en@{lang}"  # this bitext's English side
        queries[lang] = pools[lang] = TextSet(lang, dict(zip(ids, xx)))
        queries[side] = pools[side] = TextSet("en", dict(zip(ids, en)))
        qrels[lang] = qrels[side] = {i: {i: 1} for i in ids}
        pairs += [(lang, side), (side, lang)]
    return RetrievalTask("tatoeba", queries, pools, qrels, pairs)


def flores_task(data_dir: str | Path, split: str = "devtest", languages: Sequence[str] | None = None) -> RetrievalTask:
    """FLORES-200, multi-parallel by line, as a task: every cross-lingual pair, and each language against all.

    Args:
        data_dir: the folder holding ``<split>/<code>.<split>`` files (``devtest/deu_Latn.devtest``).
        split: ``"dev"`` or ``"devtest"``.
        languages: languages to keep, any code form (default: 24 languages, 12 high- and 12 low-resource).

    Returns:
        The task.
    """
    if split not in ("dev", "devtest"):
        raise ValueError(f"flores200 split {split!r} must be dev or devtest")
    folder = require_dir(Path(data_dir) / split, "flores200", f"{split}/<code>.{split} files (e.g. deu_Latn.{split})")
    available = {p.name.split(".")[0]: str(p) for p in folder.glob(f"*.{split}")}
    texts = {}
    for code in _codes(languages, available, FLORES_DEFAULT, f"flores200 {split} ({folder})"):
        lines = read_lines(folder / f"{code}.{split}")
        texts[code] = {str(n): line for n, line in enumerate(lines)}
    sizes = {code: len(t) for code, t in texts.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"flores200 {split}: the languages differ in lines ({sizes}); the files must be line-aligned")
    task = RetrievalTask.parallel("flores200", texts, exclude_self=True)
    for code, s in task.queries.items():
        s.lang = canonical_language(code)
    return task
