"""Walking LibCST trees fast.

``node.children`` rebuilds the node with a visitor (every child is visited
and revalidated) just to list them: on a whole module that costs more than
parsing it. :func:`children` reads the node's fields instead, and leaves out
the syntax trivia no analysis looks into (whitespace, comments, newlines,
parentheses, brackets and the punctuation tokens: they hold nothing but more
whitespace). Every other child is listed, in field order.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, FrozenSet, Iterator, List, Set, Tuple

import libcst as cst

_TRIVIA = frozenset({
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
    cst.Newline, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
    cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Comma, cst.Semicolon, cst.Colon, cst.AssignEqual, cst.Dot,
})
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def kinds(*bases: type) -> FrozenSet[type]:
    """Every concrete LibCST node class deriving from one of ``bases``
    (a base that is itself concrete included). ``type(node) in kinds(...)``
    answers what ``isinstance`` does, without going through LibCST's
    abstract base classes, which make a failing ``isinstance`` several
    times slower."""
    found = set()
    todo = list(bases)
    while todo:
        kind = todo.pop()
        if kind not in found:
            found.add(kind)
            todo.extend(kind.__subclasses__())
    # LibCST's own classes (a class it rebuilt with slots leaves the first
    # one among the subclasses).
    return frozenset(kind for kind in found if getattr(cst, kind.__name__, None) is kind
                     and not getattr(kind, "__abstractmethods__", None))


SUITES = kinds(cst.BaseSuite)
COMPOUND = kinds(cst.BaseCompoundStatement)
SMALL = kinds(cst.BaseSmallStatement)


def _fields(kind: type) -> Tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


# For each type met in a node's fields: True for a node kept, False for
# trivia and other values (``isinstance`` on LibCST's abstract classes is
# slow, and this is asked for every field of every node walked).
_KEPT: Dict[type, bool] = {}


def _kept(kind: type) -> bool:
    kept = _KEPT[kind] = issubclass(kind, cst.CSTNode) and kind not in _TRIVIA
    return kept


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The node's children that are not trivia (see the module docstring)."""
    return _kept_children(node, _fields(type(node)))


def _kept_children(node: cst.CSTNode, names: Tuple[str, ...]) -> List[cst.CSTNode]:
    """The nodes in those fields of ``node`` that are not trivia."""
    out: List[cst.CSTNode] = []
    kept = _KEPT
    for name in names:
        value = getattr(node, name)
        kind = type(value)
        if kind is list or kind is tuple:
            out.extend(v for v in value if kept.get(type(v)) or (type(v) not in kept and _kept(type(v))))
        elif kept.get(kind) or (kind not in kept and _kept(kind)):
            out.append(value)
    return out


def nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``root`` and every node below it that is not trivia, depth first."""
    todo = [root]
    while todo:
        current = todo.pop()
        yield current
        todo.extend(children(current))


_NODE: Dict[type, bool] = {}  # type -> is it a LibCST node (trivia included)


def _is_node(kind: type) -> bool:
    found = _NODE[kind] = issubclass(kind, cst.CSTNode)
    return found


def identities(root: cst.CSTNode) -> Set[int]:
    """The ``id`` of ``root`` and of every node below it, trivia included."""
    out: Set[int] = set()
    todo: List[cst.CSTNode] = [root]
    node = _NODE
    while todo:
        current = todo.pop()
        out.add(id(current))
        for name in _fields(type(current)):
            value = getattr(current, name)
            kind = type(value)
            if kind is list or kind is tuple:
                todo.extend(v for v in value if node.get(type(v)) or (type(v) not in node and _is_node(type(v))))
            elif node.get(kind) or (kind not in node and _is_node(kind)):
                todo.append(value)
    return out


# Where LibCST visits a node's children in another order than its fields are
# declared (decorators before the name, a keyword before its value...): the
# fields in LibCST's order, as its ``_visit_and_replace_children`` has them.
# Trivia fields are left out (``visit`` does not go into them).
_VISIT_ORDER: Dict[type, Tuple[str, ...]] = {
    kind: tuple(n for n in names if n in {f.name for f in dataclasses.fields(kind)}) for kind, names in (
        (getattr(cst, name, None), names) for name, names in (
            ("Arg", ("keyword", "value")),
            ("ClassDef", ("decorators", "name", "type_parameters", "bases", "keywords", "body")),
            ("CompFor", ("asynchronous", "target", "iter", "ifs", "inner_for_in")),
            ("ExceptHandler", ("type", "name", "body")),
            ("ExceptStarHandler", ("type", "name", "body")),
            ("For", ("asynchronous", "target", "iter", "body", "orelse")),
            ("FunctionDef", ("decorators", "asynchronous", "name", "type_parameters", "params", "returns", "body")),
            ("IfExp", ("body", "test", "orelse")),
            ("ImportFrom", ("relative", "module", "names")),
            ("MatchCase", ("pattern", "guard", "body")),
            ("Parameters", ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params", "star_kwarg")),
            ("TypeAlias", ("name", "type_parameters", "value")),
            ("With", ("asynchronous", "items", "body")),
        ))
    if kind is not None  # a node type this LibCST has; fields it lacks (type_parameters...) are left out
}


_VISIT_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _visit_fields(kind: type) -> Tuple[str, ...]:
    """The node's fields in LibCST's visiting order (any field the table
    does not name after those it names, in declaration order)."""
    names = _VISIT_FIELDS.get(kind)
    if names is None:
        first = _VISIT_ORDER.get(kind, ())
        names = _VISIT_FIELDS[kind] = first + tuple(n for n in _fields(kind) if n not in first)
    return names


class Visitor:
    """Like LibCST's ``CSTVisitor`` for :func:`visit`: ``visit_<Type>(node)``
    before a node's children (False skips them), ``leave_<Type>(node)``
    after; ``on_visit``/``on_leave`` see every node."""

    _methods: Dict[Tuple[type, str, type], Any] = {}

    def _method(self, prefix: str, kind: type) -> Any:
        key = (type(self), prefix, kind)
        found = Visitor._methods.get(key, _NONE)
        if found is _NONE:
            found = Visitor._methods[key] = getattr(type(self), prefix + kind.__name__, None)
        return found

    def on_visit(self, node: cst.CSTNode) -> bool:
        method = self._method("visit_", type(node))
        return method is None or method(self, node) is not False

    def on_leave(self, node: cst.CSTNode) -> None:
        method = self._method("leave_", type(node))
        if method is not None:
            method(self, node)


_NONE = object()


def visit(root: cst.CSTNode, visitor: Visitor) -> None:
    """Walk ``root`` as ``root.visit(visitor)`` would, in the same order,
    without rebuilding any node, and without going into trivia (see the
    module docstring)."""
    todo: List[Tuple[cst.CSTNode, bool]] = [(root, False)]
    while todo:
        node, leaving = todo.pop()
        if leaving:
            visitor.on_leave(node)
            continue
        todo.append((node, True))
        if visitor.on_visit(node):
            todo.extend((child, False) for child in reversed(_kept_children(node, _visit_fields(type(node)))))
