"""Ops recommender pipelines use on dataset elements.

``tf.data`` runs the function given to ``map`` (``filter``, ...) through
AutoGraph, which turns ``int(t)`` / ``float(t)`` of a tensor into a cast to
``int32`` / ``float32`` of the same shape (measured on TF 2.21: ``int(x["flag"])``
of a ``bool`` scalar is an ``int32`` scalar); outside such a function they
stay Python's (a Python number of a constant). ``tf.strings.as_string``
keeps the shape and makes strings.

Each op declares its signature once (merged into :mod:`library`'s table and
compared with the installed TensorFlow by tests/test_signatures.py).
"""
from __future__ import annotations

from typing import Any, Callable, Dict

from .values import Array, Origin

SIGNATURE_TEXT: Dict[str, str] = {
    "tensorflow.strings.as_string": "input, precision=-1, scientific=False, shortest=False, width=-1, fill='', "
                                    "name=None",
}


def as_string(ip, a, node):
    value = a.get("input")
    if not isinstance(value, Array) or value.shape is None:
        return None
    return Array(value.shape, "str", origin=Origin(node), tensor=True)


def traced(ip: Any) -> bool:
    """Whether the code being run is a function tf.data traces (AutoGraph)."""
    return bool(ip.__dict__.get("autograph"))


def _autograph_cast(kind: type, dtype: str, plain: Callable) -> Callable:
    def handler(ip, a, node):
        value = a.get(None, 0)
        if isinstance(value, Array) and value.tensor and traced(ip) and len(a.pos) == 1 and not a.kw:
            bounded = value.dtype == "bool" and value.lo is not None and value.hi is not None
            return Array(value.shape, dtype, value.lo if bounded else None, value.hi if bounded else None,
                         origin=Origin(node), tensor=True)
        return plain(ip, a, node)
    return handler


def calls(plain: Dict[str, Callable]) -> Dict[str, Callable]:
    """The handlers, given the plain (Python) ones they extend."""
    return {
        "tensorflow.strings.as_string": as_string,
        "builtins.int": _autograph_cast(int, "int32", plain["builtins.int"]),
        "builtins.float": _autograph_cast(float, "float32", plain["builtins.float"]),
    }
