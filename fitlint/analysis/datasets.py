"""``tf.data.Dataset``: constructors and transformations, as abstract elements.

A :class:`Dataset` holds the structure of one element (Arrays in tuples and
dicts, without the batch axis) and whether it yields batches. The functions
given to ``map``/``filter``/``flat_map``/``interleave``/``apply`` are run on
the element the way tf.data calls them: a tuple element is spread into
positional arguments, a dict element is one argument; every value is a
tensor, with the batch axis when the dataset is batched. What they return is
the new element. A function that cannot be followed leaves the element
unknown (never a guess).

Every method and constructor declares its signature once (SIGNATURE_TEXT,
merged into :mod:`library`'s table and compared with the installed
TensorFlow by tests/test_signatures.py); a call that does not bind is unknown.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from . import callables, iteration
from .signatures import Signature, bind, parse
from .values import Array, Const, Dataset, Dict_, Origin, Seq, py

_TF = "tensorflow.data.Dataset."
SIGNATURE_TEXT: Dict[str, str] = {
    _TF + "from_tensors": "tensors, name=None",
    _TF + "range": "*args, **kwargs",
    _TF + "zip": "*args, datasets=None, name=None",
    # methods (without self)
    _TF + "map": ("map_func, num_parallel_calls=None, deterministic=None, synchronous=None, "
                  "use_unbounded_threadpool=False, name=None"),
    _TF + "filter": "predicate, name=None",
    _TF + "flat_map": "map_func, name=None",
    _TF + "interleave": "map_func, cycle_length=None, block_length=None, num_parallel_calls=None, deterministic=None, "
                        "name=None",
    _TF + "batch": "batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None",
    _TF + "padded_batch": "batch_size, padded_shapes=None, padding_values=None, drop_remainder=False, name=None",
    _TF + "unbatch": "name=None",
    _TF + "rebatch": "batch_size, drop_remainder=False, name=None",
    _TF + "shuffle": "buffer_size, seed=None, reshuffle_each_iteration=True, name=None",
    _TF + "repeat": "count=None, name=None",
    _TF + "take": "count, name=None",
    _TF + "skip": "count, name=None",
    _TF + "cache": "filename='', name=None",
    _TF + "prefetch": "buffer_size, name=None",
    _TF + "shard": "num_shards, index, name=None",
    _TF + "with_options": "options, name=None",
    _TF + "apply": "transformation_func",
    _TF + "ignore_errors": "log_warning=False, name=None",
    _TF + "window": "size, shift=None, stride=1, drop_remainder=False, name=None",
    _TF + "concatenate": "dataset, name=None",
    _TF + "enumerate": "start=0, name=None",
    _TF + "ragged_batch": "batch_size, drop_remainder=False, row_splits_dtype='int64', name=None",
    _TF + "get_single_element": "name=None",
    _TF + "cardinality": "",
    _TF + "as_numpy_iterator": "",
}
SIGNATURES: Dict[str, Signature] = {name: parse(text) for name, text in SIGNATURE_TEXT.items()}


# ------------------------------------------------------------ structures
def _map_leaves(value: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(value, Seq) and value.kind == "tuple":
        return Seq([_map_leaves(v, fn) for v in value.items], "tuple", value.origin)
    if isinstance(value, Dict_):
        return Dict_({k: _map_leaves(v, fn) for k, v in value.items.items()}, value.origin)
    return fn(value)


def _leaf_list(value: Any) -> List[Any]:
    if isinstance(value, Seq) and value.kind == "tuple":
        return [leaf for v in value.items for leaf in _leaf_list(v)]
    if isinstance(value, Dict_):
        return [leaf for v in value.items.values() for leaf in _leaf_list(v)]
    return [value]


def _add_axis(value: Any, size: Optional[int]) -> Any:
    """Every array of the structure with a new leading axis of ``size``."""
    def leaf(v: Any) -> Any:
        if isinstance(v, Array):
            return v.but(shape=None if v.shape is None else (size,) + v.shape)
        return None
    return _map_leaves(value, leaf)


def _drop_axis(value: Any, size: Optional[int]) -> Any:
    """The leading axis removed where it is the batch axis of ``size``
    (an array whose first axis is something else becomes unknown)."""
    def leaf(v: Any) -> Any:
        if isinstance(v, Array) and v.shape and v.shape[0] == size:
            return v.but(shape=v.shape[1:])
        return None
    return _map_leaves(value, leaf)


def _slices(value: Any) -> Any:
    """The elements of ``unbatch`` on unbatched data: axis 0 removed."""
    def leaf(v: Any) -> Any:
        if isinstance(v, Array) and v.shape:
            return v.but(shape=v.shape[1:])
        return None
    return _map_leaves(value, leaf)


def tensor_of(value: Any, node: Any) -> Any:
    """A value as tf.data turns it into a tensor: arrays and Python scalars."""
    if isinstance(value, Array):
        return value.but(tensor=True)
    if isinstance(value, Const) and not isinstance(value.value, bool) and isinstance(value.value, (int, float)):
        v = float(value.value)
        return Array((), "float32" if isinstance(value.value, float) else "int32", v, v, origin=Origin(node),
                     tensor=True)
    if isinstance(value, Const) and isinstance(value.value, bool):
        return Array((), "bool", float(value.value), float(value.value), origin=Origin(node), tensor=True)
    if isinstance(value, Const) and isinstance(value.value, str):
        return Array((), "str", origin=Origin(node), tensor=True)
    if isinstance(value, Dataset):
        return value
    return None


def _element(value: Any, node: Any) -> Any:
    """What a function given to ``map`` returns, as a new element: tuples and
    dicts keep their structure; a list becomes one tensor (not modelled)."""
    if isinstance(value, Seq) and value.kind == "tuple":
        return Seq([_element(v, node) for v in value.items], "tuple", value.origin)
    if isinstance(value, Dict_):
        return Dict_({k: _element(v, node) for k, v in value.items.items()}, value.origin)
    out = tensor_of(value, node)
    return None if isinstance(out, Dataset) else out


def _batch_dim(ds: Dataset) -> Optional[int]:
    return ds.batch_size


def _seen(ds: Dataset) -> Any:
    """The element as the dataset yields it (the batch axis included; the
    rows of a ragged batch whose sizes are not all known are ragged)."""
    element = _map_leaves(ds.element, lambda v: v.but(tensor=True) if isinstance(v, Array) else v)
    if not ds.batched:
        return element
    ragged = getattr(ds, "ragged", False)
    return _map_leaves(_add_axis(element, ds.batch_size), lambda v: v.but(ragged=True) if ragged and isinstance(
        v, Array) and (v.shape is None or None in v.shape[1:]) else v)


def _args(element: Any) -> List[Any]:
    """How tf.data passes an element to a function: a tuple is spread."""
    if isinstance(element, Seq) and element.kind == "tuple":
        return list(element.items)
    return [element]


def call_on_element(ip, func: Any, ds: Dataset, node: Any) -> Any:
    """What ``func`` returns for one element of ``ds`` (``None``: unknown)."""
    if ds.element is None:
        return None
    ip.__dict__["autograph"] = ip.__dict__.get("autograph", 0) + 1  # tf.data traces it (recommenders.traced)
    try:
        return callables.call_value(ip, func, _args(_seen(ds)), node)
    finally:
        ip.__dict__["autograph"] -= 1


def _new(ds: Dataset, element: Any, node: Any, **changes: Any) -> Dataset:
    out = Dataset(element, ds.batched, ds.origin, ds.batch_origin, ds.batch_size, None)
    for key, value in changes.items():
        setattr(out, key, value)
    if element is None and ds.element is not None:
        out.origin = Origin(node)  # where the element was lost
    return out


def _int(value: Any) -> Optional[int]:
    v = py(value)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


# ------------------------------------------------------------ methods
def method(ip, ds: Dataset, name: str, a: Any, node: Any) -> Any:
    """``ds.name(...)``: the dataset it returns, or ``None``."""
    sig = SIGNATURES.get(_TF + name)
    if sig is None:
        return None
    b = bind(sig, a)
    if b is None:
        return None
    handler = _METHODS.get(name)
    return handler(ip, ds, b, node) if handler is not None else None


def _same(ip, ds: Dataset, b: Any, node: Any) -> Any:
    return _new(ds, ds.element, node)


def _same_length(ip, ds: Dataset, b: Any, node: Any) -> Any:
    out = _new(ds, ds.element, node)
    out.length = ds.length
    return out


def _map(ip, ds: Dataset, b: Any, node: Any) -> Any:
    result = call_on_element(ip, b.get("map_func"), ds, node)
    element = _element(result, node)
    if element is not None and ds.batched:
        element = _drop_axis(element, ds.batch_size)
        if all(leaf is None for leaf in _leaf_list(element)):
            element = None
    out = _new(ds, element, node)
    out.length = ds.length
    return out


def _filter(ip, ds: Dataset, b: Any, node: Any) -> Any:
    call_on_element(ip, b.get("predicate"), ds, node)
    return _new(ds, ds.element, node)


def _flat_map(ip, ds: Dataset, b: Any, node: Any) -> Any:
    inner = call_on_element(ip, b.get("map_func"), ds, node)
    if not isinstance(inner, Dataset) or inner.element is None:
        return Dataset(None, False, Origin(node) if ds.element is not None else ds.origin)
    element = _seen(inner)
    return Dataset(element, False, ds.origin)


def _apply(ip, ds: Dataset, b: Any, node: Any) -> Any:
    out = callables.call_value(ip, b.get("transformation_func"), [ds], node)
    return out if isinstance(out, Dataset) else Dataset(None, ds.batched, Origin(node))


def _batch(ip, ds: Dataset, b: Any, node: Any) -> Any:
    size = _int(b.get("batch_size"))
    drop = py(b.get("drop_remainder"))
    if not isinstance(drop, bool):
        size = None
    elif ds.length is not None and size is not None and size > 0:
        # A dataset of known length (a window): every batch is full when the
        # size divides it, and a single batch holds all when it is larger.
        size = size if ds.length % size == 0 or drop else (ds.length if size >= ds.length else None)
    elif not drop:
        size = None
    element = _add_axis(ds.element, ds.batch_size) if ds.batched else ds.element
    return Dataset(element, True, ds.origin, Origin(node), size)


def _ragged_batch(ip, ds: Dataset, b: Any, node: Any) -> Any:
    if ds.batched:
        return Dataset(None, True, Origin(node))
    out = _batch(ip, ds, b, node)
    setattr(out, "ragged", True)  # rows keep their own lengths
    return out


def _single_element(ip, ds: Dataset, b: Any, node: Any) -> Any:
    """``get_single_element()``: the one element, as the dataset yields it."""
    return _seen(ds) if ds.element is not None else None


def _cardinality(ip, ds: Dataset, b: Any, node: Any) -> Any:
    return Array((), "int64", origin=Origin(node), tensor=True)


def _padded_batch(ip, ds: Dataset, b: Any, node: Any) -> Any:
    out = _batch(ip, ds, b, node)
    if b.is_none("padded_shapes"):
        return out  # padded to the longest in the batch: known sizes stay
    shapes = b.get("padded_shapes")
    element = out.element

    def pad(value: Any, spec: Any) -> Any:
        if isinstance(value, Seq) and isinstance(spec, Seq) and len(spec.items) == len(value.items) \
                and value.kind == "tuple" and not all(isinstance(py(s, False), (int, type(None))) for s in spec.items):
            return Seq([pad(v, s) for v, s in zip(value.items, spec.items)], "tuple", value.origin)
        if isinstance(value, Dict_) and isinstance(spec, Dict_) and set(spec.items) == set(value.items):
            return Dict_({k: pad(v, spec.items[k]) for k, v in value.items.items()}, value.origin)
        literal = py(spec, False)
        if isinstance(value, Array) and isinstance(literal, (tuple, list)) and value.shape is not None \
                and len(literal) == len(value.shape) and all(d is None or isinstance(d, int) for d in literal):
            return value.but(shape=tuple(d if d is not None and d >= 0 else v for d, v in zip(literal, value.shape)))
        return None

    out.element = pad(element, shapes)
    return out


def _unbatch(ip, ds: Dataset, b: Any, node: Any) -> Any:
    if ds.batched:
        return Dataset(ds.element, False, ds.origin)
    element = _slices(ds.element)
    return Dataset(element, False, ds.origin if element is not None else Origin(node))


def _rebatch(ip, ds: Dataset, b: Any, node: Any) -> Any:
    if not ds.batched:
        return Dataset(None, True, Origin(node))
    size = _int(b.get("batch_size"))
    drop = py(b.get("drop_remainder"))
    return Dataset(ds.element, True, ds.origin, Origin(node), size if drop is True else None)


def _window(ip, ds: Dataset, b: Any, node: Any) -> Any:
    size = _int(b.get("size"))
    drop = py(b.get("drop_remainder"))
    if size is None or size <= 0 or not isinstance(drop, bool) or ds.element is None:
        return Dataset(None, False, Origin(node) if ds.element is not None else ds.origin)
    length = size if drop else None
    element = _seen(ds)
    windows = _map_leaves(element, lambda v: Dataset(v, False, Origin(node), length=length) if v is not None else None)
    return Dataset(windows, False, ds.origin)


def _concatenate(ip, ds: Dataset, b: Any, node: Any) -> Any:
    other = b.get("dataset")
    if not isinstance(other, Dataset) or other.batched != ds.batched:
        return Dataset(None, ds.batched, Origin(node))
    element = _join(ds.element, other.element)
    size = ds.batch_size if ds.batch_size == other.batch_size else None
    return Dataset(element, ds.batched, ds.origin, ds.batch_origin, size)


def _join(a: Any, b: Any) -> Any:
    if isinstance(a, Seq) and isinstance(b, Seq) and a.kind == b.kind == "tuple" and len(a.items) == len(b.items):
        return Seq([_join(x, y) for x, y in zip(a.items, b.items)], "tuple", a.origin)
    if isinstance(a, Dict_) and isinstance(b, Dict_) and set(a.items) == set(b.items):
        return Dict_({k: _join(v, b.items[k]) for k, v in a.items.items()}, a.origin)
    if isinstance(a, Array) and isinstance(b, Array) and a.dtype == b.dtype and a.shape is not None \
            and b.shape is not None and len(a.shape) == len(b.shape):
        shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
        lo = min(a.lo, b.lo) if a.lo is not None and b.lo is not None else None
        hi = max(a.hi, b.hi) if a.hi is not None and b.hi is not None else None
        return a.but(shape=shape, lo=lo, hi=hi, open_hi=a.open_hi and b.open_hi, onehot=a.onehot and b.onehot)
    return None


def _enumerate(ip, ds: Dataset, b: Any, node: Any) -> Any:
    index = Array((), "int64", origin=Origin(node), tensor=True)
    if ds.batched:
        index = None  # enumerate counts batches: the index has no batch axis
    element = Seq([index, ds.element], "tuple", Origin(node)) if ds.element is not None else None
    return _new(ds, element, node)


_METHODS: Dict[str, Callable[..., Any]] = {
    "map": _map, "filter": _filter, "flat_map": _flat_map, "interleave": _flat_map, "apply": _apply,
    "batch": _batch, "padded_batch": _padded_batch, "unbatch": _unbatch, "rebatch": _rebatch,
    "shuffle": _same, "repeat": _same, "take": _same, "skip": _same, "shard": _same, "ignore_errors": _same,
    "cache": _same_length, "prefetch": _same_length, "with_options": _same_length,
    "window": _window, "concatenate": _concatenate, "enumerate": _enumerate,
    "ragged_batch": _ragged_batch, "get_single_element": _single_element, "cardinality": _cardinality,
    "as_numpy_iterator": lambda ip, ds, b, node: iteration.as_numpy_iterator(ds),
}


def attribute(ds: Dataset, attr: str, node: Any) -> Any:
    """``ds.element_spec``: the structure of what the dataset yields."""
    if attr == "element_spec" and ds.element is not None:
        return _seen(ds)
    return None


# ------------------------------------------------------------ constructors
def from_tensors(ip, a, node):
    from .library import _arrays_in
    value = _arrays_in(a.get("tensors"), node)
    if value is None:
        return Dataset(None, False, Origin(node))
    return Dataset(_map_leaves(value, lambda v: v.but(tensor=True) if isinstance(v, Array) else None), False,
                   Origin(node), length=1)


def dataset_range(ip, a, node):
    """``Dataset.range(stop)`` / ``(start, stop[, step])``, int64 scalars."""
    bounds = [_int(v) for v in a.get("args").items]
    extra = a.get("kwargs").items
    if set(extra) - {"output_type", "name"} or not 1 <= len(bounds) <= 3 or any(x is None for x in bounds):
        return Dataset(None, False, Origin(node))
    from .library import dtype_of
    dtype = dtype_of(extra.get("output_type"), "int64")
    values = range(*bounds) if bounds[-1] != 0 or len(bounds) < 3 else None
    if values is None:
        return None
    lo = min(values[0], values[-1]) if len(values) else None
    hi = max(values[0], values[-1]) if len(values) else None
    return Dataset(Array((), dtype, lo, hi, origin=Origin(node), tensor=True), False, Origin(node), length=len(values))


def dataset_zip(ip, a, node):
    """``Dataset.zip((a, b))``, ``Dataset.zip(a, b)``, ``Dataset.zip({...})``."""
    given = list(a.get("args").items)
    if not a.is_none("datasets"):
        if given:
            return None
        given = [a.get("datasets")]
    structure = given[0] if len(given) == 1 else Seq(given, "tuple")
    found: List[Dataset] = []

    def element(value: Any) -> Any:
        if isinstance(value, Dataset):
            found.append(value)
            return value.element
        if isinstance(value, Seq) and value.kind == "tuple":
            return Seq([element(v) for v in value.items], "tuple", value.origin)
        if isinstance(value, Dict_):
            return Dict_({k: element(v) for k, v in value.items.items()}, value.origin)
        raise _Unknown

    try:
        out = element(structure)
    except _Unknown:
        return Dataset(None, False, Origin(node))
    if not found or len({d.batched for d in found}) != 1:
        return Dataset(None, False, Origin(node))
    sizes = {d.batch_size for d in found}
    return Dataset(out, found[0].batched, Origin(node), found[0].batch_origin, sizes.pop() if len(sizes) == 1 else None)


class _Unknown(Exception):
    pass


CALLS: Dict[str, Callable] = {
    _TF + "from_tensors": from_tensors, _TF + "range": dataset_range, _TF + "zip": dataset_zip,
}
