"""Measure strings, checked and canonicalised once by ir-measures before any work.

``MRR@10`` and ``RR@10`` are one measure (ir-measures' canonical name is ``RR@10``); a measure whose
parameters ir-measures requires (``P``, ``R``, ``Success`` need a cutoff) is refused here rather than
after encoding.
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["parse_measures", "canonical_measure"]

_EXAMPLES = "examples: AP, nDCG@10, R@100, RR@10, P@5"


def canonical_measure(text: str) -> str:
    """ir-measures' canonical name of one measure string (``MRR@10`` -> ``RR@10``), or ``ValueError``.

    Args:
        text: one measure string; surrounding spaces are ignored.

    Returns:
        The canonical name.

    Raises:
        ValueError: a measure ir-measures does not know, or one missing a required parameter (``P`` without a
            cutoff), with examples.

    Example:
        >>> canonical_measure("MRR@10")
        'RR@10'
    """
    import ir_measures

    try:
        measure = ir_measures.parse_measure(text.strip())
    except (NameError, ValueError, SyntaxError, TypeError, AttributeError) as exc:
        raise ValueError(f"unknown ir-measures measure {text!r} ({exc}); {_EXAMPLES}") from None
    for name, info in getattr(measure, "SUPPORTED_PARAMS", {}).items():
        if getattr(info, "required", False) and name not in measure.params:
            hint = f"{measure.NAME}@10" if name == "cutoff" else f"{measure.NAME}({name}=...)"
            raise ValueError(f"measure {text!r} needs its {name} parameter, e.g. {hint}; {_EXAMPLES}")
    return str(measure)


def parse_measures(measures: Iterable[str] | str) -> list[str]:
    """Validate ir-measures measure strings; their canonical names, each once.

    Args:
        measures: ``"AP,nDCG@10"`` or a list; ``MRR@10`` is read as ``RR@10``.

    Returns:
        The canonical names in the order given, duplicates dropped.

    Raises:
        ValueError: an unknown measure, one that needs a cutoff (``P``, ``R``), or none at all, with an example.

    Example:
        >>> parse_measures("AP, MRR@10, AP")
        ['AP', 'RR@10']
    """
    if isinstance(measures, str):
        measures = [m for m in measures.split(",") if m.strip()]
    out = [canonical_measure(m) for m in measures]
    if not out:
        raise ValueError(f"no measures given; {_EXAMPLES}")
    return list(dict.fromkeys(out))
