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
from typing import Dict, Iterator, List, Set, Tuple

import libcst as cst

_TRIVIA = frozenset({
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
    cst.Newline, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
    cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Comma, cst.Semicolon, cst.Colon, cst.AssignEqual, cst.Dot,
})
_FIELDS: Dict[type, Tuple[str, ...]] = {}


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
    out: List[cst.CSTNode] = []
    kept = _KEPT
    for name in _fields(type(node)):
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


def identities(root: cst.CSTNode) -> Set[int]:
    """The ``id`` of ``root`` and of every node below it, trivia included."""
    out: Set[int] = set()
    todo: List[cst.CSTNode] = [root]
    while todo:
        current = todo.pop()
        out.add(id(current))
        for name in _fields(type(current)):
            value = getattr(current, name)
            if isinstance(value, cst.CSTNode):
                todo.append(value)
            elif isinstance(value, (list, tuple)):
                todo.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out
