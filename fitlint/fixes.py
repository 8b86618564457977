"""Applying the fixes findings carry (``fitlint check --fix``,
``--unsafe-fixes``, ``--show-fixes``): edits to a file's text, rounds of
fixing and checking again, and the unified diff of the result.

The edits come from the rules (see fitlint.rules.fixing); this module only
places them. A fix is applied whole or not at all: when its edits overlap
the edits of a fix already taken in the same round, it waits for the next
round, where the file is checked again and the finding, if it is still
there, comes with edits of the new text.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .findings import Edit, Fix, Reported, split_lines

MAX_ROUNDS = 10
_BOM = "\ufeff"


def wanted(fix: Optional[Fix], unsafe: bool) -> bool:
    """Whether a fix is applied: safe ones always, unsafe ones on request."""
    return fix is not None and (fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe"))


def _offsets(text: str) -> List[int]:
    """The offset where each line starts (1-based lines: index line - 1),
    plus the end of the text."""
    out, at = [], 0
    for line in split_lines(text):
        out.append(at)
        at += len(line)
    out.append(at)
    return out


def _offset(starts: List[int], text: str, line: int, column: int) -> Optional[int]:
    """The offset of a 1-based (line, column); the end of the text for the
    line after the last. None when the position is not in the text."""
    if line < 1 or column < 1:
        return None
    if line > len(starts) - 1:
        return len(text) if column == 1 else None
    offset = starts[line - 1] + column - 1
    return offset if offset <= starts[line] else None


def apply(text: str, fixes: Sequence[Fix]) -> Tuple[str, List[Fix]]:
    """The text with every fix applied whose edits fit in it and overlap no
    edit of a fix taken before (in the order given); and the fixes taken. An
    edit identical to one already taken is shared, not applied twice."""
    starts = _offsets(text)
    taken: List[Fix] = []
    spans: Dict[Tuple[int, int, str], None] = {}
    for fix in fixes:
        mine: Optional[List[Tuple[int, int, str]]] = []
        for edit in fix.edits:
            a = _offset(starts, text, *edit.start)
            b = _offset(starts, text, *edit.end)
            if a is None or b is None or b < a or edit.cell is not None:
                mine = None
                break
            assert mine is not None
            mine.append((a, b, edit.content))
        if not mine or any(_clash(span, other) for span in mine for other in spans):
            continue
        for span in mine:
            spans[span] = None
        taken.append(fix)
    out = text
    for a, b, content in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        out = out[:a] + content + out[b:]
    return out, taken


def _clash(one: Tuple[int, int, str], other: Tuple[int, int, str]) -> bool:
    if one == other:
        return False
    (a, b, _), (c, d, _) = one, other
    if a == b == c == d:
        return True  # two insertions at one place: their order is unknown
    return a < d and c < b or (a == b and c < a < d) or (c == d and a < c < b)


@dataclass
class FileFix:
    """What fixing one file did."""

    path: str
    before: str
    after: str
    fixed: int = 0  # fixes applied
    findings: List[Reported] = field(default_factory=list)  # what the last check found

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        name = self.path.replace("\\", "/")
        return "".join(difflib.unified_diff(split_lines(self.before), split_lines(self.after),
                                            f"a/{name}", f"b/{name}"))


def fix_text(path: str, text: str, findings: List[Reported], unsafe: bool,
             check: Callable[[str, str], List[Reported]], rounds: int = MAX_ROUNDS) -> FileFix:
    """Fix one file's text: apply the wanted fixes of ``findings``, check
    the new text with ``check(path, text)``, and again, until no wanted fix
    is left, nothing changes, or ``rounds`` rounds ran."""
    result = FileFix(path, text, text, findings=list(findings))
    bom = text.startswith(_BOM)
    body = text[1:] if bom else text
    current = findings
    for _ in range(rounds):
        fixes = [f.fix for f in current if f.fix is not None and wanted(f.fix, unsafe)]
        if not fixes:
            break
        new, taken = apply(body, fixes)
        if new == body:
            break
        body = new
        result.fixed += len(taken)
        current = check(path, (_BOM if bom else "") + body)
        result.findings = current
    result.after = (_BOM if bom else "") + body
    return result


def read_text(path: str) -> Optional[str]:
    """A file's text as fitlint reads it (UTF-8), or None when it is not
    UTF-8 (it is then left alone). Line ends are kept as they are."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_text(path: str, text: str) -> None:
    with open(path, "wb") as handle:
        handle.write(text.encode("utf-8"))


__all__ = ["apply", "fix_text", "wanted", "FileFix", "Edit", "Fix", "read_text", "write_text"]
