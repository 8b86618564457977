"""Attributes set inside one branch of an ``if``.

``if self.model is None: self.model = build(); return self.model``: inside
the branch the attribute holds what was just stored there, as Python reads
it. Each branch starts from the attributes as they were before the ``if``
(what another branch stored is undone first); after the ``if``, an
attribute every branch that goes on left holding the same object keeps it,
any other becomes unknown. An attribute set in a branch that leaves
(``return``, ``raise``, ``break``) is unknown after the ``if``: the object may
live on past that exit with either value. Inside loops attributes keep the
older rule (a value stored in a loop body is unknown, the body runs once for
every pass).
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from .values import MISSING

Key = Tuple[int, str]


def _logs(ip) -> List[Dict[Key, Tuple[Any, str, Any]]]:
    return ip.__dict__.setdefault("attr_logs", [])


def note(ip, obj: Any, attr: str) -> None:
    """Before ``obj.attrs[attr]`` changes inside a branch: remember what it
    held when the branch began."""
    logs = _logs(ip)
    if logs:
        logs[-1].setdefault((id(obj), attr), (obj, attr, obj.attrs.get(attr, MISSING)))


def enter(ip) -> None:
    _logs(ip).append({})


def leave(ip) -> Dict[Key, Tuple[Any, str, Any]]:
    """End one branch: what it stored (key -> (obj, attr, value now)), with
    the attributes put back as they were before it."""
    log = _logs(ip).pop()
    stored = {}
    for key, (obj, attr, old) in log.items():
        stored[key] = (obj, attr, obj.attrs.get(attr, MISSING))
        if old is MISSING:
            obj.attrs.pop(attr, None)
        else:
            obj.attrs[attr] = old
    return stored


def join(ip, branches: List[Tuple[Dict[Key, Tuple[Any, str, Any]], bool]]) -> None:
    """After the branches: (what each stored, whether it went on)."""
    keys: Dict[Key, Tuple[Any, str]] = {}
    for stored, _ in branches:
        for key, (obj, attr, _) in stored.items():
            keys.setdefault(key, (obj, attr))
    for key, (obj, attr) in keys.items():
        before = obj.attrs.get(attr, MISSING)
        values = []
        unknown = False
        for stored, live in branches:
            if key in stored:
                if not live:
                    unknown = True
                values.append(stored[key][2])
            elif live:
                values.append(before)
        note(ip, obj, attr)
        first = values[0] if values else MISSING
        if unknown or first is MISSING or any(v is not first for v in values):
            obj.attrs[attr] = None
        else:
            obj.attrs[attr] = first
