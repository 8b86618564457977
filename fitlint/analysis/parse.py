"""LibCST's parse of a module, with the nodes its parser builds built faster.

LibCST's nodes are frozen dataclasses. Each node the parser builds goes
through the ``__init__`` dataclasses generate: one ``object.__setattr__``
call per field (a frozen class refuses plain assignment), then
``__post_init__``, which runs ``_validate``: checks that a node built by
hand is well formed (a name is not empty, parentheses pair up...).

The nodes of a parse come from LibCST's own parser, which only builds
well-formed ones, and LibCST's own source marks validating them as a cost a
parse need not pay. So while fitlint parses, each node class's ``__init__``
is one that stores the fields through their slots directly and does not
validate: about a sixth less time for a parse, the same tree. Nodes built
at any other time are built and checked as usual.
"""
from __future__ import annotations

import dataclasses
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import libcst as cst
from libcst._nodes.base import CSTNode

from . import fastparse, walk


def _only_validates() -> bool:
    """Whether LibCST's ``CSTNode.__post_init__`` does nothing but validate
    (true of every LibCST this runs with so far); otherwise nothing is skipped."""
    function = CSTNode.__dict__.get("__post_init__")
    code = getattr(function, "__code__", None)
    return code is not None and code.co_names == ("_validate",)


_SKIP = _only_validates()
_LOCK = threading.Lock()
_MISSING = object()  # a field with a default factory that the parser did not pass


def _fast_init(cls: type) -> Optional[Callable[..., None]]:
    """An ``__init__`` for ``cls`` with the signature of the one dataclasses
    generated (same fields, order and defaults) that sets each field through
    its slot and does not call ``__post_init__``; None when ``cls`` is not
    built the way this expects (its ``__init__`` is its own, a field is not
    a slot), and the class keeps its own."""
    code = getattr(cls.__dict__.get("__init__"), "__code__", None)
    if not dataclasses.is_dataclass(cls) or code is None or code.co_filename != "<string>" or \
            code.co_names != ("__setattr__", "__post_init__"):
        return None
    namespace: Dict[str, Any] = {"_MISSING": _MISSING}
    params, body = [], []
    for i, field in enumerate(dataclasses.fields(cls)):
        slot: Any = getattr(cls, field.name, None)
        if not field.init or field.kw_only or type(slot).__name__ != "member_descriptor":
            return None
        namespace[f"_set{i}"] = slot.__set__
        if field.default is not dataclasses.MISSING:
            namespace[f"_default{i}"] = field.default
            params.append(f"{field.name}=_default{i}")
            body.append(f"    _set{i}(self, {field.name})")
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{i}"] = field.default_factory
            params.append(f"{field.name}=_MISSING")
            body.append(f"    _set{i}(self, _factory{i}() if {field.name} is _MISSING else {field.name})")
        else:
            params.append(field.name)
            body.append(f"    _set{i}(self, {field.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, namespace)  # noqa: S102 - text built above from the class's own fields
    function = namespace["__init__"]
    function.__qualname__ = f"{cls.__qualname__}.__init__"
    return function


_SWAPS: Optional[Dict[type, tuple]] = None  # node class -> (the fast __init__, its own)


def _swaps() -> Dict[type, tuple]:
    global _SWAPS
    if _SWAPS is None:
        swaps = {}
        for cls in walk.kinds(CSTNode):
            fast = _fast_init(cls)
            if fast is not None:
                swaps[cls] = (fast, cls.__dict__["__init__"])
        _SWAPS = swaps
    return _SWAPS


def module(source: Union[str, bytes]) -> cst.Module:
    """``libcst.parse_module(source)``, its nodes built the fast way."""
    if not _SKIP:
        return cst.parse_module(source)
    swaps = _swaps()
    with _LOCK:
        for cls, (fast, _) in swaps.items():
            type.__setattr__(cls, "__init__", fast)
        try:
            return cst.parse_module(source)
        finally:
            for cls, (_, own) in swaps.items():
                type.__setattr__(cls, "__init__", own)


# ------------------------------------------------------------ analysis trees
# Whether the analysis reads trees built from Python's parse (see
# fastparse.py) rather than LibCST's. ``fitlint shapes``, the hover and the
# editor's server quote and place nearly every node they look at: they use
# LibCST's trees (see project.real_trees).
FAST = True


class _Fast:
    """What a tree from fastparse needs to be placed in its file: its source,
    and once asked for, LibCST's tree of it and the map from its nodes to
    that tree's."""

    __slots__ = ("tree", "source", "real", "nodes")

    def __init__(self, tree: cst.Module, source: bytes) -> None:
        self.tree = tree
        self.source = source
        self.real: Optional[cst.Module] = None
        self.nodes: Optional[Dict[int, CSTNode]] = None


_FAST: Dict[int, _Fast] = {}  # id(tree from fastparse) -> _Fast


def analysis_tree(source: Union[str, bytes]) -> cst.Module:
    """The tree the analysis reads: built from Python's parse when ``FAST``
    and the builder knows all of the file's syntax, else LibCST's parse
    (which raises as ``module`` does)."""
    if FAST:
        data = source.encode("utf-8") if isinstance(source, str) else source
        try:
            tree = fastparse.module(data)
        except (fastparse.Unsupported, SyntaxError, ValueError, RecursionError, MemoryError):
            pass  # LibCST parses it, or says why not, as without FAST
        else:
            _FAST[id(tree)] = _Fast(tree, data)
            return tree
    return module(source)


def is_fast(tree: Any) -> bool:
    return id(tree) in _FAST and _FAST[id(tree)].tree is tree


def real_tree(tree: cst.Module) -> cst.Module:
    """LibCST's tree of the file ``tree`` was built from (``tree`` itself
    when it is LibCST's)."""
    entry = _FAST.get(id(tree))
    if entry is None or entry.tree is not tree:
        return tree
    if entry.real is None:
        entry.real = module(entry.source)
    return entry.real


def node_map(tree: cst.Module) -> Dict[int, CSTNode]:
    """id(node of ``tree``) -> the node of LibCST's tree at the same place;
    empty when ``tree`` is LibCST's. Both trees hold the same nodes but for
    trivia (fastparse.same_shape): they are walked side by side."""
    entry = _FAST.get(id(tree))
    if entry is None or entry.tree is not tree:
        return {}
    if entry.nodes is None:
        nodes: Dict[int, CSTNode] = {}
        todo: List[Tuple[Any, Any]] = [(tree, real_tree(tree))]
        while todo:
            fast, real = todo.pop()
            if type(fast) is not type(real):  # not expected: such a node keeps no place
                continue
            nodes[id(fast)] = real
            mine, theirs = walk.children(fast), walk.children(real)
            if len(mine) == len(theirs):
                todo.extend(zip(mine, theirs))
        entry.nodes = nodes
    return entry.nodes


def real_node(tree: Optional[cst.Module], node: Any) -> Any:
    """The node of LibCST's tree at the place of ``node`` of ``tree`` (the
    node itself when it is not one of a tree from fastparse)."""
    if tree is None or node is None:
        return node
    return node_map(tree).get(id(node), node) if is_fast(tree) else node


def forget(tree: Any) -> None:
    """``tree`` is no longer kept: what placing it needed goes too."""
    entry = _FAST.get(id(tree))
    if entry is not None and entry.tree is tree:
        del _FAST[id(tree)]

