"""Language groups in reports: ``--groups low=yor,hau high=en,de``, or seen / unseen from the model card.

Two rules, defined here once and used by every report, the demo and the results tables
(:func:`pair_groups`):

- **seen / unseen** is a partition: a pair is *seen* when every one of its languages was trained on,
  *unseen* when at least one was not;
- **any other group** (``low=yor,hau``) holds a pair when its query language or its pool language is in
  the group (so XTREME's ``xx -> en`` and ``en -> xx`` pairs fall in the group of xx).

A multilingual row counts by its query language. Codes are compared canonically (``deu`` = ``deu_Latn`` =
``de``), so a model trained on ``de`` has seen ``deu_Latn``.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

from ..languages import canonical_language
from ..names import MULTILINGUAL_POOL
from .results import PairResult

__all__ = ["SEEN", "UNSEEN", "parse_groups", "seen_languages", "pair_groups", "group_macro"]

SEEN, UNSEEN = "seen", "unseen"


def parse_groups(text: str | Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """``"low=yor,hau high=en,de"`` (or a mapping) -> ``{"low": ["yo", "ha"], "high": ["en", "de"]}``.

    Args:
        text: ``NAME=LANG,LANG,...`` groups separated by spaces, or ``{name: language codes}``; codes in any
            form (``deu``, ``deu_Latn``, ``de``).

    Returns:
        ``{name: canonical codes}``, each code once, in the order given.

    Raises:
        ValueError: a group that does not read ``NAME=LANG,...``.

    Example:
        >>> parse_groups("low=yor,hau high=en,deu")
        {'low': ['yo', 'ha'], 'high': ['en', 'de']}
    """
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


def seen_languages(model) -> set[str] | None:
    """The languages the model card records as trained on, canonical.

    Args:
        model: a SentenceTransformer; its ``model_card_data.language`` is read.

    Returns:
        The canonical codes, or None when the card records no language.
    """
    card = getattr(model, "model_card_data", None)
    recorded = getattr(card, "language", None) or []
    seen = {canonical_language(c) for c in ([recorded] if isinstance(recorded, str) else recorded)}
    return seen or None


def pair_groups(languages: Iterable[str], groups: Mapping[str, Iterable[str]] | None = None,
                seen: Iterable[str] | None = None) -> list[str]:
    """The groups a language pair falls in, by the two rules of this module.

    Args:
        languages: the pair's languages (query and pool; the query alone for a multilingual row), any form.
        groups: ``{group: codes}``; a pair is in a group when one of its languages is.
        seen: the languages trained on; with them the pair is also :data:`SEEN` (all of its languages
            seen) or :data:`UNSEEN`. None: neither.

    Returns:
        :data:`SEEN` or :data:`UNSEEN` first (when ``seen`` is given), then the names of ``groups`` that hold
        the pair, in their order.

    Example:
        >>> pair_groups(["en", "km"], {"low": ["khm"]}, seen=["en", "de"])
        ['unseen', 'low']
        >>> pair_groups(["eng_Latn", "deu_Latn"], seen=["en", "de"])
        ['seen']
    """
    codes = {canonical_language(c) for c in languages}
    out = []
    if seen is not None:
        out.append(SEEN if codes <= {canonical_language(c) for c in seen} else UNSEEN)
    for name, members in (groups or {}).items():
        if codes & {canonical_language(c) for c in members}:
            out.append(name)
    return out


def group_macro(pairs: list[PairResult], set_languages: Mapping[str, str], groups: Mapping[str, list[str]],
                measures: list[str], seen: Iterable[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """``{group: {setting: {measure: mean over the group's pairs}}}`` (see the module docstring).

    Args:
        pairs: the evaluated pairs.
        set_languages: the language of each query set and pool, by name.
        groups: ``{group: canonical codes}``, as :func:`parse_groups` returns them.
        measures: the measures to average.
        seen: the languages trained on, for the :data:`SEEN` / :data:`UNSEEN` partition; None: no partition.

    Returns:
        Per group (seen and unseen first), per setting it has pairs in, each measure's mean over those pairs.
    """
    members: dict[str, dict[str, list[PairResult]]] = {}
    if seen is not None:
        members = {SEEN: {}, UNSEEN: {}}
    members.update({name: {} for name in groups})
    for p in pairs:
        langs = [set_languages[p.query_lang]] + ([set_languages[p.pool_lang]] if p.pool_lang != MULTILINGUAL_POOL
                                                 else [])
        for name in pair_groups(langs, groups, seen):
            members[name].setdefault(p.setting, []).append(p)
    return {name: {s: {m: float(np.mean([p.scores[m] for p in ps])) for m in measures} for s, ps in by.items()}
            for name, by in members.items() if by}
