"""Findings: what rules report, before and after positions are known."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> List[str]:
    """Lines with their ends, split where Python (and LibCST) end a line."""
    out, start = [], 0
    for match in _LINE_END.finditer(text):
        out.append(text[start:match.end()])
        start = match.end()
    if start < len(text):
        out.append(text[start:])
    return out

@dataclass(frozen=True)
class Edit:
    """Replace the text from ``start`` to ``end`` with ``content``. Positions
    are (line, column), both 1-based, columns counted in characters (code
    points); ``end`` is exclusive (``start == end``: an insertion). In a
    notebook, ``cell`` is the code cell the lines are counted in. (An editor
    protocol counting 0-based lines and UTF-16 units converts them.)"""

    start: Tuple[int, int]
    end: Tuple[int, int]
    content: str
    cell: Optional[int] = None

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"start": {"line": self.start[0], "column": self.start[1]},
                               "end": {"line": self.end[0], "column": self.end[1]}, "content": self.content}
        if self.cell is not None:
            out["cell"] = self.cell
        return out

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "Edit":
        return cls((d["start"]["line"], d["start"]["column"]), (d["end"]["line"], d["end"]["column"]),
                   d["content"], d.get("cell"))


@dataclass(frozen=True)
class Fix:
    """A change that makes a finding go: ``safe`` when it is the one change
    the facts call for, ``unsafe`` when it may change what the program means
    (applied only with ``--unsafe-fixes``). The edits do not overlap."""

    applicability: str  # "safe" | "unsafe"
    message: str
    edits: Tuple[Edit, ...]

    def to_dict(self) -> Dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message,
                "edits": [e.to_dict() for e in self.edits]}

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "Fix":
        return cls(d["applicability"], d["message"], tuple(Edit.from_dict(e) for e in d["edits"]))


@dataclass(eq=False)
class Finding:
    """A rule's verdict on one place of a file, pointing at syntax nodes."""

    code: str
    message: str
    node: cst.CSTNode
    related: List[Tuple[cst.CSTNode, str]] = field(default_factory=list)
    hint: Optional[str] = None
    severity: Optional[str] = None  # defaults to the rule's severity
    # Used for FIT000, which has no node: (line, column) 1-based.
    position: Optional[Tuple[int, int]] = None
    # The fact the finding is about (a DataCall, LayerUse, Op, OneHot or
    # Layer): what the dry run rebuilds.
    subject: Any = None
    # What the mismatch is about, as TensorFlow would name it in its error
    # message: dims, dtype names, values, keys. The dry run confirms the
    # finding only when every item appears in TensorFlow's message; an item
    # may list alternatives separated by "|" (see fitlint.confirm.evidence).
    evidence: Tuple[str, ...] = ()
    # The edits that make the finding go, built by the rule when it reports
    # (see fitlint.rules.fixing), or None.
    fix: Optional[Fix] = None


@dataclass
class Related:
    path: str
    line: int
    column: int
    message: str
    cell: Optional[int] = None  # notebooks only: the line is within this cell

    def to_dict(self) -> Dict[str, Any]:
        out = {"path": self.path, "line": self.line, "column": self.column, "message": self.message}
        if self.cell is not None:
            out["cell"] = self.cell
        return out

    def where(self) -> str:
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"


@dataclass
class Reported:
    """A finding with a path and 1-based positions, ready to render."""

    code: str
    name: str
    severity: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    related: List[Related] = field(default_factory=list)
    hint: Optional[str] = None
    cell: Optional[int] = None
    confirmation: Optional[Dict[str, Any]] = None
    # The dry-run program for this finding, or why there is none (not output).
    program: Optional[str] = None
    no_program: Optional[str] = None
    evidence: Tuple[str, ...] = ()  # from the Finding (not output)
    fix: Optional[Fix] = None

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.column, self.code, self.message)

    def where(self) -> str:
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"

    def to_dict(self) -> Dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "cell": self.cell,
            "related": [r.to_dict() for r in self.related],
            "hint": self.hint,
            "confirmation": self.confirmation,
            "fix": self.fix.to_dict() if self.fix is not None else None,
        }
