"""Classes made by the ``attrs`` package, as configuration objects.

``@attr.s`` (``attr.attrs``, ``attr.define``, ``attrs.define``, ``frozen``,
``mutable``) writes an ``__init__`` that takes the fields in the order the
class body declares them, each defaulting to its ``default``: an
``HParams()`` of such a class holds the declared defaults, as a dataclass
does. Fields are ``name = attr.ib(default=...)`` (``attr.attrib``,
``attr.field``, ``attrs.field``) and, with ``auto_attribs=True`` or the
``define`` family, annotated names. Whatever changes that order or those
names or values (``kw_only``, a private ``_name``, whose ``__init__``
argument drops the underscore, a converter, an ``__attrs_post_init__``)
leaves the class unknown, as any other class decorator does; a field with a
``factory`` is unknown.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

import libcst as cst

from .names import canonical
from .values import ModuleRef

_CLASSIC = {"attr.s", "attr.attrs"}  # annotated names are fields only with auto_attribs=True
_MODERN = {"attr.define", "attr.frozen", "attr.mutable", "attrs.define", "attrs.frozen", "attrs.mutable"}
_FIELDS = {"attr.ib", "attr.attrib", "attr.field", "attrs.field"}


def _path(ip: Any, expr: cst.BaseExpression, env: Any) -> Optional[str]:
    if not type(expr) in (cst.Name, cst.Attribute):
        return None
    value = ip.ev(expr, env)
    return canonical(value.path) if isinstance(value, ModuleRef) else None


def fields(ip: Any, node: cst.ClassDef, env: Any) -> Optional[List[Tuple[str, Optional[cst.BaseExpression]]]]:
    """The fields of an attrs class as (name, default expression or None),
    in ``__init__`` order; None when the class is not one, or not one whose
    ``__init__`` is certain."""
    if len(node.decorators) != 1 or any(
            arg.keyword is not None or not (type(arg.value) is cst.Name and arg.value.value == "object")
            for arg in node.bases):
        return None  # a base class's fields come first: not followed
    deco = node.decorators[0].decorator
    call = deco if type(deco) is cst.Call else None
    kind = _path(ip, call.func if call is not None else deco, env)
    if kind not in _CLASSIC and kind not in _MODERN:
        return None
    auto: Optional[bool] = None if kind in _MODERN else False  # None: attrs decides from the body
    for arg in call.args if call is not None else ():
        if arg.keyword is None or arg.star:
            return None
        name = arg.keyword.value
        value = arg.value
        if name == "auto_attribs" and type(value) is cst.Name and value.value in ("True", "False"):
            auto = value.value == "True"
        elif name in ("kw_only", "init") or name not in ("auto_attribs", "frozen", "slots", "repr", "eq", "order",
                                                         "hash", "str", "weakref_slot"):
            return None
    body = node.body.body if type(node.body) is cst.IndentedBlock else []
    smalls = [small for stmt in body if type(stmt) is cst.SimpleStatementLine for small in stmt.body]
    if auto is None:
        # define(): annotated names are fields unless an unannotated attr.ib is there
        auto = not any(type(small) is cst.Assign and type(small.value) is cst.Call
                       and _path(ip, small.value.func, env) in _FIELDS for small in smalls)
    out: List[Tuple[str, Optional[cst.BaseExpression]]] = []
    for stmt in body:
        if type(stmt) is cst.FunctionDef and stmt.name.value in ("__init__", "__attrs_post_init__",
                                                                     "__attrs_pre_init__"):
            return None
    for small in smalls:
        target, value, annotated = _assignment(small)
        if target is None:
            continue
        if type(value) is cst.Call and _path(ip, value.func, env) in _FIELDS:
            field = _field(value)
            if field is False:
                return None
            out.append((target, field))
        elif annotated and auto:
            out.append((target, value))  # a call (attr.Factory(list)) gives an unknown value
    if any(name.startswith("_") for name, _ in out):
        return None
    return out


def _assignment(small: Any) -> Tuple[Optional[str], Any, bool]:
    """(name, value, annotated) of ``name = value`` or ``name: T [= value]``."""
    if type(small) is cst.Assign and len(small.targets) == 1 and type(small.targets[0].target) is cst.Name:
        return small.targets[0].target.value, small.value, False
    if type(small) is cst.AnnAssign and type(small.target) is cst.Name:
        annotation = small.annotation.annotation
        head = annotation.value if type(annotation) is cst.Subscript else annotation
        name = head.value if type(head) is cst.Name else head.attr.value if type(head) is cst.Attribute else ""
        if name == "ClassVar":  # a class attribute, not a field
            return None, None, False
        return small.target.value, small.value, True
    return None, None, False


def _field(call: cst.Call) -> Any:
    """The default expression of ``attr.ib(...)`` (None when there is none
    or it is a ``factory``: unknown), or False when the field changes
    ``__init__`` or its value (kw_only, init=False, an alias, a converter)."""
    default = None
    for i, arg in enumerate(call.args):
        if arg.star:
            return False
        if arg.keyword is None:
            if i == 0:
                default = arg.value  # attr.ib's first parameter is default
                continue
            return False
        name = arg.keyword.value
        if name == "default":
            default = arg.value  # attr.Factory(list) gives an unknown value
        elif name in ("kw_only", "init", "alias", "converter", "convert"):
            return False
    return default
