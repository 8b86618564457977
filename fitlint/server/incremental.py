"""Re-parsing an edited document by its top-level statements.

An edit usually changes a few lines inside one top-level statement. Only the
statements whose lines changed are parsed again (their text as a module of
their own) and put in place of the old ones; the others keep their syntax
nodes, so what is remembered per statement (positions, see
fitlint.positions) still applies. Top-level statements start at column 0
and do not depend on each other's syntax, so the result is the module a
full parse gives, up to which statement blank and comment lines between
statements are attached to. Anything unusual (an edit in the header or
footer, a slice that does not parse on its own) falls back to a full parse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

import libcst as cst

from ..analysis import parse

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_INDENTED = re.compile(r"^[ \t]+\S", re.M)


def split_lines(text: str) -> List[str]:
    """Lines with their ends, split where Python ends lines."""
    return _LINE.findall(text)


def _lines_of(module: cst.Module, statement: cst.CSTNode) -> int:
    alone = module.with_changes(header=[], footer=[], body=[statement], has_trailing_newline=True)
    return alone.code.count("\n")


@dataclass
class Parsed:
    text: str
    lines: List[str]
    module: cst.Module
    counts: List[int]  # lines each top-level statement takes, its leading blank and comment lines included


def full(text: str) -> Optional[Parsed]:
    try:
        module = parse.module(text)
    except Exception:  # the checker reports the syntax error
        return None
    return Parsed(text, split_lines(text), module, [_lines_of(module, s) for s in module.body])


def update(previous: Optional[Parsed], text: str) -> Optional[Parsed]:
    """The parse of ``text``, reusing ``previous`` where it is unchanged;
    None when ``text`` does not parse."""
    if previous is None:
        return full(text)
    if text == previous.text:
        return previous
    old, new = previous.lines, split_lines(text)
    shortest = min(len(old), len(new))
    prefix = 0
    while prefix < shortest and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    old_end, new_end = len(old) - suffix, len(new) - suffix
    module = previous.module
    header = len(module.header)
    starts = []
    at = header
    for count in previous.counts:
        starts.append(at)
        at += count
    body_end = at
    if prefix < header or not starts or max(old_end, prefix + 1) > body_end or body_end != len(old) - len(
            module.footer):
        return full(text)
    first = max(i for i, s in enumerate(starts) if s <= prefix)
    last = max(i for i, s in enumerate(starts) if s < max(old_end, prefix + 1))
    begin, end = starts[first], starts[last] + previous.counts[last]
    end_new = end + (new_end - old_end)
    piece = "".join(new[begin:end_new])
    if not piece or (end_new < len(new) and not piece.endswith(("\n", "\r"))):
        return full(text)
    try:
        part = parse.module(piece)
    except Exception:
        return full(text)
    if part.footer or not part.body or part.default_newline != module.default_newline or (
            part.default_indent != module.default_indent and _INDENTED.search(piece)):
        return full(text)  # (blocks and newlines written as "the module's default" must mean the same)
    statements = list(part.body)
    changes = {}
    if part.header:
        if first == 0:
            changes["header"] = list(module.header) + list(part.header)
        else:
            statements[0] = statements[0].with_changes(
                leading_lines=list(part.header) + list(statements[0].leading_lines))
    body = list(module.body[:first]) + statements + list(module.body[last + 1:])
    spliced = module.with_changes(body=body, has_trailing_newline=bool(new) and new[-1].endswith(("\n", "\r")),
                                  **changes)
    counts = previous.counts[:first] + [_lines_of(spliced, s) for s in statements] + previous.counts[last + 1:]
    return Parsed(text, new, spliced, counts)
