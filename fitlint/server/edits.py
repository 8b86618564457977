"""The text edits behind the server's code actions, as plain data (no LSP
types): ``(line, column, end_line, end_column, new_text)``, 0-based, end
exclusive, columns in characters.

- :func:`ignore_line`: add ``# noqa: CODE`` to a finding's line, or add the
  code to the ``# noqa:`` comment already there;
- :func:`ignore_file`: add ``# fitlint: noqa: CODE`` near the top of the
  file, or add the code to such a comment already there;
- :func:`fix_edits`: the edits of a finding's fix, when it carries one.
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import Any, Dict, List, Optional, Tuple

Edit = Tuple[int, int, int, int, str]

_LINE = re.compile(r"#\s*noqa\b(?P<colon>\s*:\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?", re.I)
_FILE = re.compile(r"#\s*fitlint:\s*noqa\b(?P<colon>\s*:\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?", re.I)
_PREAMBLE = re.compile(r"^(#!|#.*coding[:=])")


def comments(source: str) -> Dict[int, Tuple[int, str]]:
    """Line (0-based) -> (column, text) of each comment Python's tokenizer
    finds; lines after a point it cannot read are scanned for ``#`` naively."""
    out: Dict[int, Tuple[int, str]] = {}
    last = -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            last = token.start[0] - 1
            if token.type == tokenize.COMMENT:
                out[token.start[0] - 1] = (token.start[1], token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        for number, line in enumerate(source.split("\n")):
            if number > last and number not in out and "#" in line:
                out[number] = (line.index("#"), line[line.index("#"):])
    return out


def ignore_line(source: str, line: int, end_line: int, code: str) -> Optional[Edit]:
    """The edit suppressing ``code`` on the finding spanning 0-based lines
    ``line``..``end_line``; None when the line cannot take a comment."""
    lines = source.split("\n")
    found = comments(source)
    # a noqa comment anywhere in the span already there: extend it
    for number in range(line, min(end_line, len(lines) - 1) + 1):
        if number in found:
            column, text = found[number]
            match = _LINE.search(text)
            if match is not None and not _FILE.search(text):
                if match.group("codes") is None:
                    return None  # a bare noqa suppresses everything already
                at = column + match.end("codes")
                return (number, at, number, at, f", {code}")
    target = line
    if line < len(lines) and lines[line].rstrip().endswith("\\"):
        target = end_line  # a comment would end the continued line
    if target >= len(lines):
        return None
    text = lines[target].rstrip("\r")
    stripped = len(text.rstrip())
    return (target, stripped, target, len(text), f"  # noqa: {code}")


def ignore_file(source: str, code: str) -> Edit:
    """The edit suppressing ``code`` in the whole file."""
    lines = source.split("\n")
    found = comments(source)
    for number, (column, text) in sorted(found.items()):
        match = _FILE.search(text)
        if match is not None and match.group("codes") is not None:
            at = column + match.end("codes")
            return (number, at, number, at, f", {code}")
    top = 0
    while top < len(lines) and top < 2 and _PREAMBLE.match(lines[top]):
        top += 1
    return (top, 0, top, 0, f"# fitlint: noqa: {code}\n")


def fix_edits(finding: Any) -> List[Edit]:
    """The edits of a finding's fix (``finding.fix.edits``, each with
    1-based ``start``/``end`` (line, column) and ``content``), or none."""
    fix = getattr(finding, "fix", None)
    if fix is None:
        return []
    edits = fix.get("edits", []) if isinstance(fix, dict) else getattr(fix, "edits", [])
    out: List[Edit] = []
    for edit in edits:
        values = edit if isinstance(edit, dict) else vars(edit)
        (line, column), (end_line, end_column) = values["start"], values["end"]
        out.append((line - 1, column - 1, end_line - 1, end_column - 1, str(values["content"])))
    return out


def fix_applicability(finding: Any) -> Optional[str]:
    """``"safe"`` or ``"unsafe"`` for a finding with a fix, else None."""
    fix = getattr(finding, "fix", None)
    if fix is None:
        return None
    return fix.get("applicability") if isinstance(fix, dict) else getattr(fix, "applicability", None)


def without_overlaps(fixes: List[List[Edit]]) -> List[Edit]:
    """The edits of the fixes (each a list of edits) that can be applied
    together: a fix is taken whole or not at all, and not when one of its
    edits overlaps an edit of a fix taken before (as ``check --fix`` does in
    one round; the other is offered again after the next check)."""
    kept: List[Edit] = []
    for edits in fixes:
        if any(_overlap(edit, other) for edit in edits for other in kept):
            continue
        kept.extend(edits)
    return sorted(kept)


def _overlap(a: Edit, b: Edit) -> bool:
    """Whether two edits touch the same text (two insertions at one place
    count: their order would be ambiguous)."""
    return (a[0], a[1]) < (b[2], b[3]) and (b[0], b[1]) < (a[2], a[3]) or (a[0], a[1]) == (b[0], b[1])


def fix_message(finding: Any) -> Optional[str]:
    fix = getattr(finding, "fix", None)
    if fix is None:
        return None
    return fix.get("message") if isinstance(fix, dict) else getattr(fix, "message", None)
