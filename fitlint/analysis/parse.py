"""LibCST's parse of a module, without re-checking the nodes its parser builds.

LibCST runs ``_validate`` from every node's ``__post_init__``: checks that a
node built by hand is well formed (a name is not empty, parentheses pair
up...). The nodes of a parse come from LibCST's own parser, which only
builds well-formed ones, and LibCST's own source marks validating them as a
cost a parse need not pay. Skipped during the parse, they save about a tenth
of its time; the tree is the same. Nodes built at any other time are
checked as usual.
"""
from __future__ import annotations

import threading
from typing import Union

import libcst as cst
from libcst._nodes.base import CSTNode


def _only_validates() -> bool:
    """Whether LibCST's ``CSTNode.__post_init__`` does nothing but validate
    (true of every LibCST this runs with so far); otherwise nothing is skipped."""
    function = CSTNode.__dict__.get("__post_init__")
    code = getattr(function, "__code__", None)
    return code is not None and code.co_names == ("_validate",)


_SKIP = _only_validates()
_VALIDATING = CSTNode.__dict__.get("__post_init__")
_LOCK = threading.Lock()


def _unchecked(self: CSTNode) -> None:
    pass


def module(source: Union[str, bytes]) -> cst.Module:
    """``libcst.parse_module(source)``, its nodes not validated again."""
    if not _SKIP:
        return cst.parse_module(source)
    with _LOCK:
        setattr(CSTNode, "__post_init__", _unchecked)
        try:
            return cst.parse_module(source)
        finally:
            setattr(CSTNode, "__post_init__", _VALIDATING)
