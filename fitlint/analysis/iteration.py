"""Taking one element out of a ``tf.data.Dataset`` by hand.

Tutorials look at a batch before (or after) training and then pass it to
``predict``: ``sample = next(iter(ds)); model.predict(sample[0])``,
``x, y = next(iter(ds))``, ``next(ds.as_numpy_iterator())``. What one
``next`` gives is the dataset's element, with a batch axis of unknown size
when the dataset is batched (as a ``for`` loop over it binds, see
loops.py). ``iter`` of anything else, and ``next`` with a default, are
unknown.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import libcst as cst

from .values import Array, Dataset, Dict_, Seq


class DatasetIterator:
    """``iter(ds)`` / ``ds.as_numpy_iterator()``: what ``next`` takes from."""

    def __init__(self, dataset: Dataset, numpy: bool) -> None:
        self.dataset = dataset
        self.numpy = numpy  # elements are NumPy arrays, not tensors


def _one_argument(a) -> Any:
    if a.star or a.kw or len(a.pos) != 1:
        return None
    return a.pos[0]


def builtin_iter(ip, a, node: cst.Call) -> Optional[DatasetIterator]:
    value = _one_argument(a)
    if isinstance(value, DatasetIterator):
        return value  # iter() of an iterator is itself
    if isinstance(value, Dataset) and value.element is not None:
        return DatasetIterator(value, numpy=False)
    return None


def as_numpy_iterator(ds: Dataset) -> Optional[DatasetIterator]:
    return DatasetIterator(ds, numpy=True) if ds.element is not None else None


def _numpy(value: Any) -> Any:
    if isinstance(value, Array):
        return value.but(tensor=False)
    if isinstance(value, Seq):
        return Seq([_numpy(v) for v in value.items], value.kind, value.origin)
    if isinstance(value, Dict_):
        return Dict_({k: _numpy(v) for k, v in value.items.items()}, value.origin)
    return None


def builtin_next(ip, a, node: cst.Call) -> Any:
    """``next(it)`` without a default: one element of the dataset."""
    from .loops import element
    it = _one_argument(a)
    if not isinstance(it, DatasetIterator):
        return None
    out = element(it.dataset)
    return _numpy(out) if it.numpy else out


CALLS: Dict[str, Callable] = {
    "builtins.iter": builtin_iter,
    "builtins.next": builtin_next,
}
