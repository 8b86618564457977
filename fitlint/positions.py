"""Positions of syntax nodes, resolved one top-level statement at a time
(when ``REMEMBER`` is set).

LibCST's ``PositionProvider`` regenerates the code of the whole module to
place its nodes. Here each top-level statement is placed on its own (its
code regenerated as a module of one statement, with the module's indentation
and newline) and shifted by the lines of the statements before it; those are
counted once per statement object and remembered. A module that shares most
of its statements with one placed before (the language server re-parses only
the statement an edit touched) costs only its new statements; any module
costs only the statements up to the last node asked for.

Top-level statements start at column 0, so columns are those the whole
module's ``PositionProvider`` gives, and lines are shifted by a constant.

Without ``REMEMBER`` (a run over files, each checked once), only the
top-level statement holding the node asked for is placed: the statements
before it are walked (to find the node) and their code generated (to count
their lines), both much cheaper than placing them; a file whose findings
are at its end costs a fraction of a whole placement.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set, Tuple

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

from .analysis import parse
from .analysis.walk import identities

MAX_STATEMENTS = 2000  # statements whose placement is remembered
# Place statement by statement and remember them (a long-running process
# checking new versions of the same files: the language server); otherwise
# a module is placed whole, once, on the first node asked for.
REMEMBER = False

# id(statement) -> (statement, {node: range within the statement}, lines it takes)
_PLACED: "OrderedDict[int, Tuple[cst.CSTNode, Dict[cst.CSTNode, CodeRange], int]]" = OrderedDict()


def _place(module: cst.Module, statement: cst.CSTNode) -> Tuple[Dict[cst.CSTNode, CodeRange], int]:
    found = _PLACED.get(id(statement))
    if found is not None and found[0] is statement:
        _PLACED.move_to_end(id(statement))
        return found[1], found[2]
    alone = module.with_changes(header=[], footer=[], body=[statement], has_trailing_newline=True)
    ranges = dict(MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider))
    ranges.pop(alone, None)
    lines = alone.code.count("\n")
    _PLACED[id(statement)] = (statement, ranges, lines)
    while len(_PLACED) > MAX_STATEMENTS:
        _PLACED.popitem(last=False)
    return ranges, lines


class Positions(Mapping):
    """A read-only mapping node -> ``CodeRange`` over a module's nodes, like
    the result of ``MetadataWrapper(module).resolve(PositionProvider)``."""

    def __init__(self, module: cst.Module) -> None:
        # A tree built for the analysis only (analysis/fastparse.py) is placed
        # through LibCST's tree of the same file: its nodes are looked up as
        # the nodes at their places there.
        self.nodes = parse.node_map(module) if parse.is_fast(module) else None
        module = parse.real_tree(module)
        self.module = module
        self.statements: List[cst.CSTNode] = list(module.body)
        self.placed: List[Tuple[Dict[cst.CSTNode, CodeRange], int]] = []  # statements placed so far
        self.offset = len(module.header)  # lines before the next statement to place
        self.offsets: List[int] = []
        self._lines: List[int] = []  # without REMEMBER: the lines each walked statement takes
        self.whole: Optional[Mapping[cst.CSTNode, CodeRange]] = None
        # without REMEMBER: the ids of the nodes of each statement walked so
        # far, the line each starts on, and the placements made
        self.walked: List[Set[int]] = []
        self.starts: List[int] = []
        self.ranges: Dict[int, Dict[cst.CSTNode, CodeRange]] = {}

    def _whole(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self.whole is None:
            self.whole = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self.whole

    def _statement_of(self, node: Any) -> Optional[int]:
        """The index of the top-level statement holding ``node``, walking
        (and counting the lines of) the statements not walked yet."""
        key = id(node)
        for index, ids in enumerate(self.walked):
            if key in ids:
                return index
        while len(self.walked) < len(self.statements):
            statement = self.statements[len(self.walked)]
            start = self.starts[-1] + self._lines[-1] if self.starts else len(self.module.header)
            self.walked.append(identities(statement))
            self.starts.append(start)
            self._lines.append(self.module.code_for_node(statement).count("\n"))
            if key in self.walked[-1]:
                return len(self.walked) - 1
        return None

    def _find_alone(self, node: Any) -> Optional[CodeRange]:
        if self.whole is not None:
            return self.whole.get(node)
        index = self._statement_of(node)
        if index is None:
            if node is self.module or (node is not None and any(
                    id(node) in identities(n) for n in list(self.module.header) + list(self.module.footer))):
                return self._whole().get(node)
            return None
        ranges = self.ranges.get(index)
        if ranges is None:
            statement = self.statements[index]
            alone = self.module.with_changes(header=[], footer=[], body=[statement], has_trailing_newline=True)
            ranges = self.ranges[index] = dict(MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider))
        found = ranges.get(node)
        return None if found is None else self._shift(found, self.starts[index])

    def _find(self, node: Any) -> Optional[CodeRange]:
        if not REMEMBER:
            return self._find_alone(node)
        for index, (ranges, _) in enumerate(self.placed):
            found = ranges.get(node)
            if found is not None:
                return self._shift(found, self.offsets[index])
        while len(self.placed) < len(self.statements):
            ranges, lines = _place(self.module, self.statements[len(self.placed)])
            self.placed.append((ranges, lines))
            self.offsets.append(self.offset)
            self.offset += lines
            found = ranges.get(node)
            if found is not None:
                return self._shift(found, self.offsets[-1])
        return None

    @staticmethod
    def _shift(found: CodeRange, lines: int) -> CodeRange:
        if not lines:
            return found
        return CodeRange(CodePosition(found.start.line + lines, found.start.column),
                         CodePosition(found.end.line + lines, found.end.column))

    def _own(self, node: Any) -> Any:
        """The node of the placed tree at the place of ``node``."""
        return node if self.nodes is None else self.nodes.get(id(node), node)

    def __getitem__(self, node: Any) -> CodeRange:
        found = self._find(self._own(node))
        if found is None:
            raise KeyError(node)
        return found

    def __contains__(self, node: object) -> bool:
        node = self._own(node)
        if not REMEMBER and self.whole is None and self._statement_of(node) is not None:
            return True  # every node of a statement has a position: no need to place it to know
        return self._find(node) is not None

    def get(self, node: Any, default: Any = None) -> Any:
        found = self._find(self._own(node))
        return default if found is None else found

    def __iter__(self) -> Iterator[cst.CSTNode]:
        if not REMEMBER:
            yield from self._whole()
            return
        self._find(None)  # place every statement
        if self.whole is not None:
            yield from self.whole
            return
        for ranges, _ in self.placed:
            yield from ranges

    def __len__(self) -> int:
        return sum(1 for _ in self)
