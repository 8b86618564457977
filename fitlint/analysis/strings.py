"""String keys built in code: ``'{}{}_{}'.format(prefix, i, 'words')`` of
known strings and numbers is the string Python makes, so feature keys
built in a loop (neighbour features ``NL_nbr_0_words``) are known dict keys.
Anything not a literal string, number or bool stays unknown.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from .values import Const, Origin

_WIDE = re.compile(r"\{[^{}]*:[^{}]*\d{4,}")  # a field 1000+ characters wide: not built
_PLAIN = (str, int, float, bool)
_MAX_LENGTH = 1000


def method(receiver: Const, name: str, a: Any, node: Any) -> Optional[Const]:
    """``str.format`` on a known string; None for anything else."""
    if name != "format" or a.star or not isinstance(receiver.value, str) or _WIDE.search(receiver.value):
        return None
    pos = [v.value if isinstance(v, Const) and isinstance(v.value, _PLAIN) else _MISSING for v in a.pos]
    kw = {k: v.value if isinstance(v, Const) and isinstance(v.value, _PLAIN) else _MISSING for k, v in a.kw.items()}
    if any(v is _MISSING for v in pos) or any(v is _MISSING for v in kw.values()):
        return None
    try:
        text = receiver.value.format(*pos, **kw)
    except (IndexError, KeyError, ValueError, TypeError, AttributeError):
        return None
    return Const(text, Origin(node)) if len(text) <= _MAX_LENGTH else None


_MISSING = object()
