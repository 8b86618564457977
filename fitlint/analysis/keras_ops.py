"""``keras.ops`` functions on data (outside a model's ``call``).

Each declares its signature once (merged into :mod:`library`'s table and
compared with the installed Keras by tests/test_signatures.py) and a rule
for its result. Measured on Keras 3.15 with the TensorFlow backend:
``keras.ops.convert_to_tensor`` converts as ``tf.convert_to_tensor`` does
(Python floats become float32, Python ints int32, NumPy arrays keep their
dtype, strings become a string tensor); ``keras.ops.cast`` is ``tf.cast``.
"""
from __future__ import annotations

from typing import Any, Callable, Dict

from .values import py

SIGNATURE_TEXT: Dict[str, str] = {
    "keras.ops.convert_to_tensor": "x, dtype=None, sparse=None, ragged=None",
    "keras.ops.cast": "x, dtype",
}


def convert_to_tensor(ip, a, node) -> Any:
    """A tensor of the value's shape (see tf.convert_to_tensor in library)."""
    from .library import converted
    for flag in ("sparse", "ragged"):
        if not a.is_none(flag) and py(a.get(flag)) is not False:
            return None
    return converted(a.get("x"), a.get("dtype"), node)


def cast(ip, a, node) -> Any:
    """``keras.ops.cast(x, dtype)``: ``tf.cast`` (see library)."""
    from .library import tf_cast
    return tf_cast(ip, a, node)


CALLS: Dict[str, Callable[..., Any]] = {
    "keras.ops.convert_to_tensor": convert_to_tensor,
    "keras.ops.cast": cast,
}
