"""Language groups in reports: ``--groups low=yor,hau high=en,de``, or seen / unseen from the model card.

A pair counts for a group when its query language or its pool language is in the group (so XTREME's
``xx -> en`` and ``en -> xx`` pairs fall in the group of xx); a multilingual row counts by its query
language. Codes are compared canonically (``deu`` = ``deu_Latn`` = ``de``), so a model trained on
``de`` has seen ``deu_Latn``.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

from ..languages import canonical_language
from ..names import MULTILINGUAL_POOL
from .results import PairResult

__all__ = ["parse_groups", "seen_unseen", "group_macro"]


def parse_groups(text: str | Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """``"low=yor,hau high=en,de"`` (or a mapping) -> ``{"low": ["yo", "ha"], "high": ["en", "de"]}``."""
    if isinstance(text, Mapping):
        items = [(name, list(codes)) for name, codes in text.items()]
    else:
        items = []
        for part in text.split():
            name, sep, codes = part.partition("=")
            if not sep or not name or not codes.strip(","):
                raise ValueError(f"group {part!r} must read NAME=LANG,LANG,... e.g. low=yor,hau high=en,de")
            items.append((name, codes.split(",")))
    return {name: list(dict.fromkeys(canonical_language(c) for c in codes if c.strip())) for name, codes in items}


def seen_unseen(model, languages: Iterable[str]) -> dict[str, list[str]] | None:
    """``{"seen": ..., "unseen": ...}`` from the languages the model card records, or None without any."""
    card = getattr(model, "model_card_data", None)
    recorded = getattr(card, "language", None) or []
    seen = {canonical_language(c) for c in ([recorded] if isinstance(recorded, str) else recorded)}
    if not seen:
        return None
    codes = list(dict.fromkeys(canonical_language(c) for c in languages))
    return {"seen": [c for c in codes if c in seen], "unseen": [c for c in codes if c not in seen]}


def group_macro(pairs: list[PairResult], set_languages: Mapping[str, str], groups: Mapping[str, list[str]],
                measures: list[str]) -> dict[str, dict[str, dict[str, float]]]:
    """``{group: {setting: {measure: mean over the group's pairs}}}`` (see the module docstring)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, codes in groups.items():
        members = set(codes)
        by_setting: dict[str, list[PairResult]] = {}
        for p in pairs:
            langs = {canonical_language(set_languages[p.query_lang])}
            if p.pool_lang != MULTILINGUAL_POOL:
                langs.add(canonical_language(set_languages[p.pool_lang]))
            if langs & members:
                by_setting.setdefault(p.setting, []).append(p)
        out[name] = {s: {m: float(np.mean([p.scores[m] for p in ps])) for m in measures}
                     for s, ps in by_setting.items()}
    return out
