"""How option values are read from flags and config files (``"en,de"``, ``"en=1,de=0.5"``, ...).
Imports nothing heavy: the command line's ``--help`` reads it."""

from __future__ import annotations

from typing import Mapping, Sequence

from ..names import RECIPES

__all__ = ["parse_recipes", "parse_alpha", "parse_language_weights"]


def _comma_list(text: str | Sequence[str]) -> list[str]:
    """``"a, b,,c"`` (or a list) -> ``["a", "b", "c"]``."""
    return [str(x).strip() for x in (text.split(",") if isinstance(text, str) else text) if str(x).strip()]


def parse_recipes(text: str | Sequence[str]) -> list[str]:
    """``"hybrid,mixed"`` (or a list) -> ``["hybrid", "mixed"]``, each one of :data:`~hybrid_batch_st.names.RECIPES`.

    Args:
        text: comma-separated recipe names (spaces and empty items dropped) or a list of them.

    Returns:
        The recipes in order, each once.

    Raises:
        ValueError: a name is not a recipe, or none is given.

    Example:
        >>> parse_recipes("hybrid, mixed,hybrid")
        ['hybrid', 'mixed']
    """
    recipes = _comma_list(text)
    unknown = [r for r in recipes if r not in RECIPES]
    if unknown or not recipes:
        raise ValueError(f"recipes {unknown or text!r}: each must be one of {', '.join(RECIPES)}")
    return list(dict.fromkeys(recipes))


def parse_alpha(text: str | float) -> float | str:
    """A number in [0, 1], or ``"size"`` (the monolingual share of all pairs).

    The range is checked with the other sampler options (``check_sampler_options``), not here.

    Args:
        text: ``"size"``, a number, or a number's text.

    Returns:
        ``"size"``, or the value as a float.

    Raises:
        ValueError: ``text`` is neither ``"size"`` nor a number.

    Example:
        >>> parse_alpha("0.3"), parse_alpha("size")
        (0.3, 'size')
    """
    if text == "size" or isinstance(text, (int, float)) and not isinstance(text, bool):
        return text if text == "size" else float(text)
    try:
        return float(text)
    except (TypeError, ValueError):
        raise ValueError(f"alpha must be a number in [0, 1] or 'size', not {text!r}") from None


def parse_language_weights(text: str | Mapping[str, float]) -> dict[str, float]:
    """``"en=1,de=0.5"`` (or a mapping) -> ``{"en": 1.0, "de": 0.5}``.

    Args:
        text: comma-separated ``LANG=WEIGHT`` items, or a mapping of language to weight.

    Returns:
        ``{language: weight}`` with float weights (not checked to be >= 0 here).

    Raises:
        ValueError: an item lacks ``=`` or a weight is not a number.

    Example:
        >>> parse_language_weights("en=1,de=0.5")
        {'en': 1.0, 'de': 0.5}
    """
    if isinstance(text, Mapping):
        items = list(text.items())
    else:
        items = []
        for part in (p.strip() for p in str(text).split(",") if p.strip()):
            lang, sep, weight = part.partition("=")
            if not sep:
                raise ValueError(f"language weight {part!r} must read LANG=WEIGHT, e.g. en=1,de=0.5")
            items.append((lang.strip(), weight))
    out = {}
    for lang, weight in items:
        try:
            out[str(lang)] = float(weight)
        except (TypeError, ValueError):
            raise ValueError(f"language weight for {lang!r} must be a number, not {weight!r}") from None
    return out


def _hf_columns(text: str | Mapping[str, str]) -> dict[str, str]:
    from ..data.hf import parse_columns

    return parse_columns(text)


def _measures(text: str | list[str]) -> list[str]:
    """Measure strings checked by ir-measures (imported only when a value is given)."""
    from ..evaluation.measures import parse_measures

    return parse_measures(text)


def _report_to(value: str | list[str] | None) -> list[str]:
    """``none`` / ``tensorboard,wandb`` / a list as the trainer's ``report_to`` takes it."""
    names = value.split(",") if isinstance(value, str) else list(value or ["none"])
    names = [n.strip() for n in names if n.strip()] or ["none"]
    if "none" in names and len(names) > 1:
        raise ValueError(f"report_to={','.join(names)!r}: 'none' cannot be combined with other integrations")
    return names
