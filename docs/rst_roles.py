"""A griffe extension for the docs build: the package's docstrings use Sphinx roles (``:func:`~a.b.f```,
``:class:`X```, ``:mod:`.m```) and RST literals (````x````); Markdown shows them as code (```f```, ```x```)."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`(~?)([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def _role(match: re.Match) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target.lstrip('.')}`"


class RstRoles(griffe.Extension):
    """Rewrites each docstring once, after it is loaded."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _LITERAL.sub(r"`\1`", _ROLE.sub(_role, obj.docstring.value))
