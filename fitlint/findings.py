"""Findings: what rules report, before and after positions are known."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

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
        }
