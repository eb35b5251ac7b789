"""Language codes, read one way for training data, evaluation and benchmark readers (the lowest layer:
imports nothing of the package, so every subpackage may use it): ISO 639-1 (``de``), ISO 639-3 (``deu``,
``cmn``), BCP-47 tags (``en-US``, ``zh_TW``) and FLORES-200 codes (``deu_Latn``).

:func:`canonical_language` gives a code's language alone (``deu_Latn`` -> ``de``), which is how the
evaluation tells seen from unseen languages; :func:`normalise_languages` names the languages of one
dataset: the language alone, keeping a script or region only where the data holds that language under
several of them (``zho_Hans`` and ``zho_Hant`` stay apart as ``zh-Hans`` and ``zh-Hant``).
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Mapping, Sequence

__all__ = ["ISO_639_1", "parse_language", "unknown_language_codes", "canonical_language", "normalise_languages",
           "select_codes", "parse_languages", "LANGUAGE_CODE_HELP"]

#: Every ISO 639-1 two-letter language code.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el
en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu
ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na
nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so
sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())
#: what the error messages ask for
LANGUAGE_CODE_HELP = "use ISO 639-1 or 639-3 codes (en, deu), BCP-47 tags (en-US) or FLORES codes (deu_Latn)"

_TAG = re.compile(r"^([A-Za-z]{2,3})((?:[-_][A-Za-z0-9]{2,8})*)$")

#: ISO 639-3 individual languages that stand for a macrolanguage's ISO 639-1 code in benchmarks
#: (LASER / Tatoeba and FLORES-200 name the individual language).
_INDIVIDUAL = {"cmn": "zh", "pes": "fa", "prs": "fa", "swh": "sw", "arb": "ar", "zsm": "ms", "lvs": "lv", "ekk": "et",
               "khk": "mn", "npi": "ne", "ory": "or", "plt": "mg", "uzn": "uz", "azj": "az", "gaz": "om", "als": "sq",
               "quy": "qu", "ydd": "yi", "pbt": "ps", "kmr": "ku", "nob": "nb", "nno": "nn", "hrv": "hr", "srp": "sr",
               "bos": "bs", "ind": "id", "fil": "tl"}


def _subtag(tag: str) -> str:
    """BCP-47 casing: scripts Title, regions UPPER, the rest lower."""
    if len(tag) == 4 and tag.isalpha():
        return tag.title()
    if len(tag) == 2 and tag.isalpha() or len(tag) == 3 and tag.isdigit():
        return tag.upper()
    return tag.lower()


@functools.lru_cache(maxsize=4096)
def parse_language(code: str) -> tuple[str, str] | None:
    """``(language, variant)`` of a code, or None for a code of no known language.

    ``language`` is ISO 639-1 where the language has one, else ISO 639-3; ``variant`` the script and
    region subtags in BCP-47 form (``"deu_Latn"`` -> ``("de", "Latn")``, ``"en-us"`` -> ``("en", "US")``).

    Args:
        code: an ISO 639-1 or 639-3 code, a BCP-47 tag or a FLORES-200 code (surrounding spaces ignored).

    Returns:
        ``(language, variant)``, ``variant`` being ``""`` for a bare language; None for an unknown code.

    Example:
        >>> parse_language("deu_Latn")
        ('de', 'Latn')
        >>> parse_language("xx") is None
        True
    """
    match = _TAG.match(code.strip())
    if match is None:
        return None
    base = match.group(1).lower()
    if len(base) == 3:
        if base in _INDIVIDUAL:
            base = _INDIVIDUAL[base]
        else:
            import pycountry

            found = pycountry.languages.get(alpha_3=base)
            if found is None:
                return None
            base = getattr(found, "alpha_2", None) or base
    elif base not in ISO_639_1:
        return None
    variant = "-".join(_subtag(t) for t in re.split(r"[-_]", match.group(2)) if t)
    return base, variant


def unknown_language_codes(codes: Iterable[str]) -> list[str]:
    """The codes of no known language (see :func:`parse_language`).

    Args:
        codes: language codes in any accepted form.

    Returns:
        Those of ``codes`` that name no known language, in their order.
    """
    return [code for code in codes if parse_language(code) is None]


def canonical_language(code: str) -> str:
    """One code per language: ISO 639-1 where the language has one, else ISO 639-3, lower case.

    The script or region is dropped, so a model trained on ``de`` counts as having seen ``deu`` and
    ``deu_Latn``. An unknown code is returned lower-cased.

    Args:
        code: a language code in any accepted form.

    Returns:
        The language's code alone.

    Example:
        >>> canonical_language("deu_Latn"), canonical_language("cmn")
        ('de', 'zh')
    """
    parsed = parse_language(code)
    return parsed[0] if parsed else code.strip().lower()


def normalise_languages(codes: Iterable[str]) -> dict[str, str]:
    """The name of each of one dataset's language codes.

    A name is the code's language (:func:`canonical_language`), with the script / region only where that
    language comes in several variants among ``codes`` (``{"deu_Latn", "en-US"}`` -> ``de``, ``en``;
    ``{"zho_Hans", "zho_Hant"}`` -> ``zh-Hans``, ``zh-Hant``; ``{"en", "en-GB"}`` -> ``en``, ``en-GB``).

    Args:
        codes: the dataset's language codes; every one must be known (see :func:`unknown_language_codes`).

    Returns:
        ``{code: name}`` for each distinct code, in first-seen order.

    Raises:
        ValueError: a code is no language code; the message names it.

    Example:
        >>> normalise_languages(["zho_Hans", "zho_Hant", "en-US"])
        {'zho_Hans': 'zh-Hans', 'zho_Hant': 'zh-Hant', 'en-US': 'en'}
    """
    parsed = {code: parse_language(code) for code in dict.fromkeys(codes)}
    unknown = [code for code, found in parsed.items() if found is None]
    if unknown:
        raise ValueError(f"unknown language code(s) {', '.join(map(repr, unknown))}: use ISO 639 codes (de, deu), "
                         "optionally with a script or region (deu_Latn, en-US)")
    variants: dict[str, set[str]] = {}
    for base, variant in parsed.values():
        variants.setdefault(base, set()).add(variant)
    return {code: base if len(variants[base]) == 1 or not variant else f"{base}-{variant}"
            for code, (base, variant) in parsed.items()}


def select_codes(languages: Iterable[str], names: Mapping[str, str], source: str, flag: str) -> list[str]:
    """The codes of one dataset that ``languages`` asks for, in any accepted form.

    A language alone (``de``) also takes every variant the data keeps apart (``de-AT``, ``de-CH``).

    Args:
        languages: the languages asked for (codes or names in any accepted form).
        names: the dataset's code -> name, from :func:`normalise_languages`.
        source: the dataset, as error messages name it.
        flag: the option that lists the languages, as error messages name it.

    Returns:
        The matching codes of ``names``, in the order asked for, each once.

    Raises:
        ValueError: a language has no code in the data (the message names ``source`` and ``flag``).

    Example:
        >>> select_codes(["de"], {"de-AT": "de-AT", "de-CH": "de-CH", "en": "en"}, "data", "--languages")
        ['de-AT', 'de-CH']
    """
    wanted, empty = [], []
    for lang in languages:
        exact = [code for code, name in names.items() if lang in (code, name)]
        found = exact or [code for code, name in names.items() if canonical_language(name) == canonical_language(lang)]
        wanted += found
        empty += [] if found else [lang]
    if empty:
        raise ValueError(f"{source}: language(s) {empty} have no rows (it has {sorted(set(names.values()))}); "
                         f"drop them from {flag}")
    return list(dict.fromkeys(wanted))


def parse_languages(text: str | Sequence[str]) -> list[str]:
    """A comma-separated list of language codes, as flags and config files give it.

    Args:
        text: ``"en,de,es"`` (spaces and empty items are dropped) or a list of codes.

    Returns:
        The codes in order, as given (not normalised: see :func:`canonical_language`).

    Raises:
        ValueError: when no code is left.

    Example:
        >>> parse_languages("en, de,,es")
        ['en', 'de', 'es']
    """
    langs = [str(x).strip() for x in (text.split(",") if isinstance(text, str) else text) if str(x).strip()]
    if not langs:
        raise ValueError("expected a comma-separated list of language codes, e.g. en,de,es")
    return langs
