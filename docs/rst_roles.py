"""A griffe extension for the docs build: the package's docstrings use Sphinx roles (``:func:`~a.b.f```,
``:class:`X```, ``:mod:`.m```) and RST literals (````x````); Markdown shows them as code (```f```, ```x```).
An ``Example:`` heading (Google style's singular) becomes ``Examples:``, the one griffe renders as a
section of code examples rather than a note."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`(~?)([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")
_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.M)


def _role(match: re.Match) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target.lstrip('.')}`"


class RstRoles(griffe.Extension):
    """Rewrites each docstring once, after it is loaded."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _LITERAL.sub(r"`\1`", _ROLE.sub(_role, obj.docstring.value))
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", text)
