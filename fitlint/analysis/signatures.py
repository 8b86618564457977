"""Binding call arguments to a declared signature, the way Python does.

A modelled library function declares its parameters once, as the text of a
Python parameter list (``"a, /, b=None, *args, c=1, **kwargs"``); a call's
evaluated arguments are then bound to those names by position and keyword,
with the declared defaults. A call that Python would refuse (a missing
argument, an unknown keyword, a value given twice) or one whose ``*args`` /
``**kwargs`` cannot be expanded does not bind: its result is unknown.

Declared defaults are written as the values the analysis understands: a
dtype default such as ``tf.float32`` is written ``'float32'``.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from .values import Const, Dict_, Seq

# The kinds of inspect.Parameter, by the same names.
POSITIONAL_ONLY = "POSITIONAL_ONLY"
POSITIONAL_OR_KEYWORD = "POSITIONAL_OR_KEYWORD"
VAR_POSITIONAL = "VAR_POSITIONAL"
KEYWORD_ONLY = "KEYWORD_ONLY"
VAR_KEYWORD = "VAR_KEYWORD"


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()


class Param:
    __slots__ = ("name", "kind", "default")

    def __init__(self, name: str, kind: str, default: Any = REQUIRED) -> None:
        self.name, self.kind, self.default = name, kind, default

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.kind}, {self.default!r})"


class Signature:
    """The parameters of one real function, in order. Read from its text on
    first use: the tables declare hundreds of signatures, and a run uses a
    few of them."""

    _LOADED = ("params", "by_name", "positional", "var_pos", "var_kw", "required")

    def __init__(self, text: str) -> None:
        self.text = text

    def __getattr__(self, name: str) -> Any:
        # Only called while the attribute is not set yet: the first use.
        if name not in Signature._LOADED or "text" not in self.__dict__:
            raise AttributeError(name)
        params = _params(self.text)
        self.params = params
        self.by_name = {p.name: p for p in params}
        # what bind() needs, worked out once (signatures are made once each, see parse)
        self.positional = [p for p in params if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]
        self.var_pos = next((p for p in params if p.kind == VAR_POSITIONAL), None)
        self.var_kw = next((p for p in params if p.kind == VAR_KEYWORD), None)
        self.required = [p.name for p in params if p.default is REQUIRED and p.kind not in (VAR_POSITIONAL, VAR_KEYWORD)]
        return self.__dict__[name]

    @property
    def names(self) -> List[str]:
        return [p.name for p in self.params]

    def __contains__(self, name: str) -> bool:
        return name in self.by_name


_DECLARED: List[Signature] = []


@lru_cache(maxsize=None)
def parse(text: str) -> Signature:
    """A signature from a parameter list written as in a ``def`` (read on
    first use: a mistake in the text shows then, and in the test that reads
    every one declared, see :func:`declared`)."""
    signature = Signature(text)
    _DECLARED.append(signature)
    return signature


def declared() -> List[Signature]:
    """Every signature declared so far (by the modules imported)."""
    return list(_DECLARED)


def _params(text: str) -> List[Param]:
    args = ast.parse(f"def f({text}): pass").body[0].args  # type: ignore[attr-defined]
    params: List[Param] = []
    positional = args.posonlyargs + args.args
    defaults = [REQUIRED] * (len(positional) - len(args.defaults)) + [ast.literal_eval(d) for d in args.defaults]
    for i, arg in enumerate(positional):
        kind = POSITIONAL_ONLY if i < len(args.posonlyargs) else POSITIONAL_OR_KEYWORD
        params.append(Param(arg.arg, kind, defaults[i]))
    if args.vararg is not None:
        params.append(Param(args.vararg.arg, VAR_POSITIONAL))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        params.append(Param(arg.arg, KEYWORD_ONLY, REQUIRED if default is None else ast.literal_eval(default)))
    if args.kwarg is not None:
        params.append(Param(args.kwarg.arg, VAR_KEYWORD))
    return params


class Bound:
    """The arguments of one call, by parameter name.

    ``get(name)`` is the value passed for ``name`` (by position or keyword),
    else the caller's ``default``, else the declared default (a ``None``
    default reads as ``None``, the unknown value). The optional ``index`` of
    ``get``/``has``/``node_of`` is ignored: positions are already resolved.
    Asking for a name the signature does not declare is a programming error.
    """

    __slots__ = ("sig", "values", "nodes", "keywords", "args")

    def __init__(self, sig: Signature, args: Any) -> None:
        self.sig = sig
        self.args = args  # the raw call arguments (``pos``/``kw``)
        self.values: Dict[str, Any] = {}
        self.nodes: Dict[str, Any] = {}
        self.keywords: set = set()  # parameters given by keyword

    def _check(self, name: Optional[str]) -> None:
        if name not in self.sig:
            raise KeyError(f"no parameter {name!r} in ({', '.join(self.sig.names)})")

    def get(self, name: str, index: Optional[int] = None, default: Any = None) -> Any:
        self._check(name)
        if name in self.values:
            return self.values[name]
        if default is not None:
            return default
        declared = self.sig.by_name[name].default
        if declared is REQUIRED or declared is None:
            return None
        return Const(declared)

    def has(self, name: str, index: Optional[int] = None) -> bool:
        """Whether the call passed ``name`` (by position or keyword)."""
        self._check(name)
        return name in self.values

    def is_none(self, name: str) -> bool:
        """Whether ``name`` is ``None``: passed as a literal ``None``, or left
        out with a ``None`` default. (An unknown value is not ``None``.)"""
        self._check(name)
        if name in self.values:
            value = self.values[name]
            return isinstance(value, Const) and value.value is None
        return self.sig.by_name[name].default is None

    def node_of(self, name: str, index: Optional[int] = None) -> Any:
        self._check(name)
        return self.nodes.get(name)

    @property
    def pos(self) -> List[Any]:
        return self.args.pos

    @property
    def kw(self) -> Dict[str, Any]:
        return self.args.kw

    @property
    def star(self) -> bool:
        return False


def bind(sig: Signature, args: Any) -> Optional[Bound]:
    """Bind ``args`` (with ``pos``, ``kw``, ``pos_nodes``, ``kw_nodes`` and
    ``star``) to ``sig`` as Python would, or ``None`` when it would not bind
    or uses ``*args``/``**kwargs``."""
    if getattr(args, "star", False):
        return None
    bound = Bound(sig, args)
    positional, var_pos, var_kw = sig.positional, sig.var_pos, sig.var_kw
    pos_nodes = list(getattr(args, "pos_nodes", []))
    pos_nodes += [None] * (len(args.pos) - len(pos_nodes))
    extra: List[Any] = []
    for i, value in enumerate(args.pos):
        if i < len(positional):
            bound.values[positional[i].name] = value
            bound.nodes[positional[i].name] = pos_nodes[i]
        elif var_pos is not None:
            extra.append(value)
        else:
            return None  # too many positional arguments
    if var_pos is not None:
        bound.values[var_pos.name] = Seq(extra, "tuple")
    extra_kw: Dict[str, Any] = {}
    kw_nodes = getattr(args, "kw_nodes", {})
    for name, value in args.kw.items():
        param = sig.by_name.get(name)
        if param is not None and param.kind in (POSITIONAL_OR_KEYWORD, KEYWORD_ONLY):
            if name in bound.values:
                return None  # multiple values for one argument
            bound.values[name] = value
            bound.nodes[name] = kw_nodes.get(name)
            bound.keywords.add(name)
        elif var_kw is not None:
            extra_kw[name] = value
        else:
            return None  # unexpected keyword argument
    if var_kw is not None:
        bound.values[var_kw.name] = Dict_(extra_kw)
    for name in sig.required:
        if name not in bound.values:
            return None  # a required argument is missing
    return bound


def plain_kwargs(bound: Bound, exclude: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """The named arguments of a bound call, with ``**kwargs`` spread out."""
    out: Dict[str, Any] = {}
    for param in bound.sig.params:
        if param.name in exclude or param.name not in bound.values:
            continue
        if param.kind == VAR_KEYWORD:
            out.update(bound.values[param.name].items)
        elif param.kind != VAR_POSITIONAL:
            out[param.name] = bound.values[param.name]
    return out
