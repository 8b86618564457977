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
from typing import Any, Callable, Dict, Optional, Union

import libcst as cst
from libcst._nodes.base import CSTNode

from . import walk


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
