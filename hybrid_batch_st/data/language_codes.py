"""Checking language codes in pair data: ISO 639-1, optionally with a region or script (``zh-TW``, ``pt_BR``)."""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["ISO_639_1", "unknown_language_codes", "canonical_language"]

#: Every ISO 639-1 two-letter language code.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el
en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu
ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na
nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so
sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

_TAG = re.compile(r"^([a-z]{2})(?:[-_][A-Za-z0-9]{2,8})*$")


def unknown_language_codes(codes: Iterable[str]) -> list[str]:
    """The codes that are not an ISO 639-1 code (optionally followed by ``-``/``_`` subtags)."""
    out = []
    for code in codes:
        match = _TAG.match(code)
        if match is None or match.group(1) not in ISO_639_1:
            out.append(code)
    return out


#: ISO 639-3 individual languages that stand for a macrolanguage's ISO 639-1 code in benchmarks
#: (LASER / Tatoeba and FLORES-200 name the individual language).
_INDIVIDUAL = {"cmn": "zh", "pes": "fa", "prs": "fa", "swh": "sw", "arb": "ar", "zsm": "ms", "lvs": "lv", "ekk": "et",
               "khk": "mn", "npi": "ne", "ory": "or", "plt": "mg", "uzn": "uz", "azj": "az", "gaz": "om", "als": "sq",
               "quy": "qu", "ydd": "yi", "pbt": "ps", "kmr": "ku", "nob": "nb", "nno": "nn", "hrv": "hr", "srp": "sr",
               "bos": "bs", "ind": "id", "fil": "tl"}


def canonical_language(code: str) -> str:
    """One code per language: ISO 639-1 where the language has one, else ISO 639-3, lower case.

    Takes ISO 639-1 (``de``), ISO 639-3 (``deu``, ``cmn``), FLORES-style ``deu_Latn`` and BCP-47
    tags (``en-US``, ``zh_TW``); the script or region is dropped, so a model trained on ``de``
    counts as having seen ``deu`` and ``deu_Latn``. An unknown code is returned lower-cased.
    """
    base = re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower()
    if len(base) == 2:
        return base
    if base in _INDIVIDUAL:
        return _INDIVIDUAL[base]
    import pycountry

    found = pycountry.languages.get(alpha_3=base)
    return getattr(found, "alpha_2", None) or base
