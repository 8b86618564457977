"""What model-building helpers iterate over and test.

- ``enumerate`` of a short known sequence (``for i, filters in
  enumerate(hparams.conv_filters):``) is a list of (index, item) pairs, so
  the loop is run once per item like a loop over the sequence itself.
  Declared once here (signature and rule), merged into :mod:`library`'s
  tables.
- ``tf.keras.backend.cast`` is ``tf.cast`` (a ``Lambda`` layer that casts a
  multi-hot input to float).
- An ``if`` in such a loop that compares the index with a literal or the
  length of a known sequence (``if i < len(hparams.conv_filters) - 1:``) is
  decided on each pass: the index is certain there, and the length is that
  of the sequence the loop is already run over. Any other operand (a
  number from a flag, a parameter, arithmetic other than ``+``/``-``)
  leaves the test unknown, and both branches are followed as before.
"""
from __future__ import annotations

import operator
import weakref
from typing import Any, Callable, Dict, Optional

import libcst as cst

from .signatures import bind, parse
from .values import Const, ModuleRef, Origin, Seq, py

SIGNATURE_TEXT: Dict[str, str] = {
    "builtins.enumerate": "iterable, start=0",
    # tf.keras.backend.cast (Keras 2's backend, kept under tf.keras): tf.cast,
    # as in a Lambda layer casting a multi-hot input to float
    "keras.backend.cast": "x, dtype",
}
_SIGNATURES = {name: parse(text) for name, text in SIGNATURE_TEXT.items()}


def _enumerate(ip: Any, a: Any, node: Any) -> Any:
    """``enumerate(seq, start)`` of a list or tuple of known length and an
    int start: the list of ``(start + i, item)``; anything else unknown."""
    bound = bind(_SIGNATURES["builtins.enumerate"], a)
    if bound is None:
        return None
    items, start = bound.get("iterable"), py(bound.get("start"))
    if not isinstance(items, Seq) or not isinstance(start, int) or isinstance(start, bool):
        return None
    origin = Origin(node)
    out = []
    for i, item in enumerate(items.items):
        index = Const(start + i, origin)
        _INDEXES.add(index)
        out.append(Seq([index, item], "tuple", origin))
    return Seq(out, "list", origin)


# The index values enumerate gave: certain wherever they are bound.
_INDEXES: "weakref.WeakSet[Const]" = weakref.WeakSet()
_OPS: Dict[type, Callable[[int, int], bool]] = {
    cst.LessThan: operator.lt, cst.LessThanEqual: operator.le, cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge, cst.Equal: operator.eq, cst.NotEqual: operator.ne,
}
_MAX_TERMS = 8


def known_test(ip: Any, test: cst.BaseExpression, env: Any) -> Optional[bool]:
    """The truth of a comparison of certain ints (see the module's doc), or None."""
    if type(test) is not cst.Comparison:
        return None
    left = _certain_int(ip, test.left, env, 0)
    if left is None:
        return None
    result = True
    for target in test.comparisons:
        op = _OPS.get(type(target.operator))
        right = _certain_int(ip, target.comparator, env, 0)
        if op is None or right is None:
            return None
        result = result and op(left, right)
        left = right
    return result


def _certain_int(ip: Any, node: cst.BaseExpression, env: Any, depth: int) -> Optional[int]:
    """An int operand whose value is certain: a literal, an index from
    ``enumerate``, ``len`` of a known sequence named by a name or attribute,
    or a sum or difference of these. Only names and attributes are
    evaluated, so nothing runs twice."""
    if depth > _MAX_TERMS:
        return None
    if type(node) is cst.Integer:
        return int(node.evaluated_value)
    if type(node) is cst.Name:
        value = env.get(node.value)
        return value.value if isinstance(value, Const) and value in _INDEXES else None
    if type(node) is cst.BinaryOperation and type(node.operator) in (cst.Add, cst.Subtract):
        left = _certain_int(ip, node.left, env, depth + 1)
        right = _certain_int(ip, node.right, env, depth + 1)
        if left is None or right is None:
            return None
        return left + right if type(node.operator) is cst.Add else left - right
    if type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "len" \
            and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star \
            and _pure(node.args[0].value):
        func = ip.ev(node.func, env)
        if not (isinstance(func, ModuleRef) and func.path == "builtins.len"):
            return None
        value = ip.ev(node.args[0].value, env)
        return len(value.items) if isinstance(value, Seq) else None
    return None


def _pure(node: cst.BaseExpression) -> bool:
    """A name or a chain of attributes of one: reading it runs nothing."""
    while type(node) is cst.Attribute:
        node = node.value
    return type(node) is cst.Name


def _backend_cast(ip: Any, a: Any, node: Any) -> Any:
    from .library import tf_cast
    return tf_cast(ip, a, node)


CALLS: Dict[str, Callable] = {
    "builtins.enumerate": _enumerate,
    "keras.backend.cast": _backend_cast,
}
