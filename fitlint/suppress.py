"""Suppression comments.

- ``# noqa: FIT201`` or ``# fitlint: ignore[FIT201]`` on any line of the
  reported span; several codes separated by commas; rule names allowed;
- a bare ``# noqa`` suppresses every finding on its lines (flake8 habit);
- ``# fitlint: noqa`` anywhere suppresses the whole file,
  ``# fitlint: noqa: FIT201`` one rule in the whole file;
- a code that was split in two (``FIT208``) also suppresses the code split
  from it (``FIT210``).
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, Iterable, List, Optional, Set, Tuple

from .findings import Reported
from .rules import aliases, lookup

ALL = "*"
_FILE = re.compile(r"#\s*fitlint:\s*noqa\b(?:\s*:\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?", re.I)
_LINE = re.compile(r"#\s*noqa\b(?:\s*:\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?", re.I)
_IGNORE = re.compile(r"#\s*fitlint:\s*ignore\[(?P<codes>[^\]]*)\]", re.I)


def _codes(text: Optional[str]) -> Set[str]:
    if not text:
        return {ALL}
    out = set()
    for item in text.split(","):
        rule = lookup(item.strip())
        out.update(aliases(rule.code) if rule else [item.strip().upper()])
    return out


def _comments(source: str) -> Iterable[Tuple[int, str]]:
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        for number, line in enumerate(source.splitlines(), 1):
            if "#" in line:
                yield number, line[line.index("#"):]


def directives(source: str) -> Tuple[Set[str], Dict[int, Set[str]]]:
    """Codes suppressed in the whole file, and per line."""
    whole: Set[str] = set()
    lines: Dict[int, Set[str]] = {}
    for number, comment in _comments(source):
        found = _FILE.search(comment)
        if found:
            whole |= _codes(found.group("codes"))
            continue
        for pattern in (_LINE, _IGNORE):
            for match in pattern.finditer(comment):
                lines.setdefault(number, set()).update(_codes(match.group("codes")))
    return whole, lines


def apply(findings: List[Reported], source: str) -> List[Reported]:
    if not findings or ("noqa" not in source and "fitlint:" not in source):
        return findings
    whole, lines = directives(source)

    def hidden(f: Reported) -> bool:
        if ALL in whole or f.code in whole:
            return True
        for number in range(f.line, max(f.line, f.end_line) + 1):
            codes = lines.get(number)
            if codes and (ALL in codes or f.code in codes):
                return True
        return False

    return [f for f in findings if not hidden(f)]
