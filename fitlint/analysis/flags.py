"""Command-line flag defaults: ``argparse`` and absl ``flags``.

``parser.add_argument("--units", type=int, default=10)`` then
``args = parser.parse_args()`` makes ``args.units`` the constant 10;
``flags.DEFINE_integer("units", 10, "...")`` makes ``FLAGS.units`` 10.

A default is only the probable value: whoever runs the script may pass
another one. So a file whose analysis read a flag default reports its
findings as warnings, never as errors (see ``Facts.flag_defaults`` and
the engine): the program fails with the defaults, not necessarily as it is
run. A flag without a default, a positional argument, ``required=True`` or a
flag read after its namespace was changed in a way not followed is unknown.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

import libcst as cst

from .values import Const, ModuleRef, Origin, Seq

NOT_HANDLED = object()
_ABSL_DEFINES = {
    "DEFINE_integer": int, "DEFINE_float": float, "DEFINE_string": str, "DEFINE_bool": bool,
    "DEFINE_boolean": bool, "DEFINE_enum": str,
}
_TYPES = {"builtins.int": int, "builtins.float": float, "builtins.str": str}


class Parser:
    """An ``argparse.ArgumentParser`` (or one of its argument groups)."""

    __slots__ = ("defaults",)

    def __init__(self, defaults: Optional[Dict[str, Any]] = None) -> None:
        self.defaults: Dict[str, Any] = {} if defaults is None else defaults


class Namespace:
    """What ``parse_args()`` returns: each flag's default."""

    __slots__ = ("values",)

    def __init__(self, values: Dict[str, Any]) -> None:
        self.values = values


def _const(value: Any) -> Any:
    return value.value if isinstance(value, Const) else None


def _typed(default: Any, kind: Any, node: cst.CSTNode) -> Any:
    """The default as the program sees it: argparse applies ``type`` to a
    string default."""
    if not isinstance(default, Const):
        return None
    value = default.value
    if isinstance(value, str) and kind in (int, float):
        try:
            value = kind(value)
        except ValueError:
            return None
    return Const(value, default.origin or Origin(node))


def call_function(ip, name: str, args, node: cst.Call) -> Any:
    if name == "argparse.ArgumentParser":
        return Parser()
    if name.startswith("absl.flags.DEFINE_"):
        kind = _ABSL_DEFINES.get(name.rsplit(".", 1)[1])
        flag = _const(args.get("name", 0))
        if kind is None or not isinstance(flag, str):
            return None
        default = args.get("default", 1)
        value = _const(default)
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)) or (
                kind is float and isinstance(value, int) and not isinstance(value, bool)):
            ip.absl_flags[flag] = Const(value, default.origin or Origin(node))
        else:
            ip.absl_flags[flag] = None
        return None
    return NOT_HANDLED


def method(ip, receiver: Parser, name: str, args, node: cst.Call) -> Any:
    if name in ("add_argument_group", "add_mutually_exclusive_group"):
        return Parser(receiver.defaults)  # a group adds its flags to the parser
    if name == "add_argument":
        names = [_const(v) for v in args.pos]
        dest = _const(args.get("dest"))
        longs = [n for n in names if isinstance(n, str) and n.startswith("--")]
        shorts = [n for n in names if isinstance(n, str) and n.startswith("-") and not n.startswith("--")]
        if not isinstance(dest, str):
            first = (longs or shorts or [None])[0]
            dest = first.lstrip("-").replace("-", "_") if isinstance(first, str) else None
        if not isinstance(dest, str) or not (longs or shorts):
            return None  # positional: no default the analysis can use
        action = _const(args.get("action"))
        if _const(args.get("required")) is True:
            value = None
        elif action in ("store_true", "store_false") and "default" not in args.kw:
            value = Const(action == "store_false", Origin(node))
        elif "default" in args.kw and action in (None, "store"):
            kind = args.get("type")
            if "type" not in args.kw:
                convert = None
            elif isinstance(kind, ModuleRef) and kind.path in _TYPES:
                convert = _TYPES[kind.path]
            else:
                convert = object  # a function of the script: applied to a string default
            default = args.kw["default"]
            value = None if convert is object and isinstance(_const(default), str) else _typed(default, convert, node)
        else:
            value = None
        receiver.defaults[dest] = value
        return None
    if name == "set_defaults":
        for key, value in args.kw.items():
            receiver.defaults[key] = value if isinstance(value, Const) else None
        return None
    if name in ("parse_args", "parse_known_args"):
        if args.pos or "args" in args.kw:
            # parsed from a list the script gives: not the defaults
            namespace = Namespace({})
        else:
            namespace = Namespace(dict(receiver.defaults))
        return namespace if name == "parse_args" else Seq([namespace, None], "tuple", Origin(node))
    return None


def attribute(ip, base: Any, attr: str) -> Any:
    """``args.units`` / ``FLAGS.units``; NOT_HANDLED for other objects."""
    if isinstance(base, Namespace):
        value = base.values.get(attr)
    elif isinstance(base, ModuleRef) and base.path == "absl.flags.FLAGS":
        value = ip.absl_flags.get(attr)
    else:
        return NOT_HANDLED
    if isinstance(value, Const) and value.origin is not None:
        ip.facts.flag_defaults.setdefault(attr, value)
    return value


def store(ip, base: Any, attr: str, value: Any) -> bool:
    """``args.units = v``: the namespace holds ``v`` from then on."""
    if isinstance(base, Namespace):
        base.values[attr] = value
        return True
    return False
