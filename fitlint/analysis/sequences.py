"""Text turned into sequences by hand, as the text-generation tutorials do.

- ``keras.Input(shape=(max_len - 1,))`` where ``max_len`` is computed from
  the data (``max(len(s) for s in seqs)``): the input's rank is known (one
  entry per axis) even when a size is not; such a size is an unknown
  dimension (``None``). Keras takes an int or ``None`` there, anything else
  raises, so the rank is all that is assumed.
- a preprocessing layer called on a plain Python string
  (``vectorize_layer("some seed text")``) gets a scalar string tensor, as
  Keras converts it.
- ``pad_sequences([seq_a, seq_b])`` on a list written out of 1-D sequences:
  a ragged list of that many rows.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

from .values import Array, Const, Layer, Origin, Seq

_TEXT_LAYERS = {"TextVectorization", "StringLookup", "Hashing"}


def rank_only_shape(value: Any) -> Optional[Tuple[Optional[int], ...]]:
    """A tuple/list written with one entry per axis, some of them unknown
    values: the sizes that are literal ints, ``None`` for the others; None
    when an entry is a literal that is not an int (or ``None``)."""
    if not isinstance(value, Seq) or not value.items or value.shape_of is not None:
        return None
    out = []
    for item in value.items:
        if isinstance(item, Const):
            if item.value is None or (isinstance(item.value, int) and not isinstance(item.value, bool)):
                out.append(item.value)
                continue
            return None
        if item is not None and not isinstance(item, Array):
            return None  # a list, a layer...: not a size
        if isinstance(item, Array) and item.shape != ():
            return None
        out.append(None)
    return tuple(out)


def string_input(layer: Layer, value: Any, node: Any) -> Any:
    """A text layer called on a Python ``str``: a scalar string tensor."""
    if isinstance(value, Const) and isinstance(value.value, str) and layer.kind in _TEXT_LAYERS:
        return Array((), "str", origin=value.origin or Origin(node), tensor=True)
    return value


def list_as_sequences(value: Any, node: Any) -> Optional[Array]:
    """``[seq, ...]`` written out, every item a 1-D integer sequence of
    known rank: the ragged rows ``pad_sequences`` reads."""
    if not isinstance(value, Seq) or not value.items:
        return None
    items = value.items
    if not all(isinstance(i, Array) and i.shape is not None and len(i.shape) == 1 and not i.ragged
               and (i.dtype is None or i.dtype.startswith(("int", "uint"))) for i in items):
        return None
    dtypes = {i.dtype for i in items}
    lo = min(i.lo for i in items) if all(i.lo is not None for i in items) else None
    hi = max(i.hi for i in items) if all(i.hi is not None for i in items) else None
    return Array((len(items),), dtypes.pop() if len(dtypes) == 1 else None, lo, hi, origin=Origin(node),
                 ragged=True)
