"""Does TensorFlow's error name the mismatch a finding describes?

A finding carries ``evidence``: the dims, dtype names, values or keys the
mismatch is about, written as TensorFlow writes them. An item may list
alternatives separated by ``|`` (``"float32|float"``). The finding is
confirmed only when every item appears in TensorFlow's message. Messages and
items are compared whitespace-normalised (``(8, 784)`` and ``(8,784)`` are
the same), and a number only matches a whole number (``9`` is not found in
``399`` or ``9.5``).
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence

DETAIL_CHARS = 2000  # the longest detail kept in a finding and in JSON

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Stack frames TensorFlow lists after "defined at (most recent call last):"
_FRAME = re.compile(r'^\s*File "[^"\n]*", line \d+, in [^\n]*$', re.MULTILINE)


def strip_frames(message: str) -> str:
    """The message without colour codes and the Python stack frames TF
    appends to graph errors; every other line kept."""
    text = _FRAME.sub("", _ANSI.sub("", message))
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def detail(message: str, limit: int = DETAIL_CHARS) -> str:
    """TensorFlow's whole message (all lines) for a finding's detail; when
    longer than ``limit``, its start and its end (where graph errors put
    the cause) around an ellipsis."""
    text = strip_frames(message)
    if len(text) <= limit:
        return text
    head = limit // 3
    return text[:head].rstrip() + "\n...\n" + text[-(limit - head - 5):].lstrip()


def first_line(message: Optional[str], limit: int = 200) -> str:
    """A short form of TF's message for one-line output."""
    lines = [l.strip() for l in strip_frames(message or "").splitlines() if l.strip()]
    text = lines[0] if lines else ""
    if text.startswith(("Exception encountered when calling", "Graph execution error")) and len(lines) > 1:
        text = lines[1] if not lines[1].startswith("Detected at node") else lines[-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def normalise(text: str) -> str:
    text = re.sub(r"\s+", " ", strip_frames(text))
    return re.sub(r"\s*([,\[\]()=:])\s*", r"\1", text).strip()


def _found(token: str, text: str) -> bool:
    token = normalise(token)
    if not token:
        return False
    start = 0
    while True:
        i = text.find(token, start)
        if i < 0:
            return False
        before = text[i - 1] if i > 0 else ""
        after = text[i + len(token): i + len(token) + 2]
        ok = True
        if token[0].isalnum() and before and (before.isalnum() or before in "_."):
            ok = False  # inside a longer name or number
        if token[-1].isdigit() and after and (after[0].isdigit() or (after[0] == "." and after[1:2].isdigit())):
            ok = False  # 9 in 95 or 9.5
        if ok:
            return True
        start = i + 1


def missing(evidence: Sequence[str], message: str) -> List[str]:
    """The evidence items TensorFlow's message does not name."""
    text = normalise(message)
    return [item for item in evidence if not any(_found(alt, text) for alt in item.split("|"))]
