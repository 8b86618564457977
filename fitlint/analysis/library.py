"""What NumPy, TensorFlow and Keras calls return, as abstract values.

Each handler receives the interpreter, the evaluated arguments and the call
node, and returns an abstract value (``None`` when unsure). Handlers are looked
up by canonical name (see :mod:`names`).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

from . import layers as L
from . import budget
from .facts import BINARY, CATEGORICAL, REGRESSION, SPARSE, OneHot, Op, SliceCounts
from .values import (
    FLOAT_DTYPES, INT_DTYPES, Array, Const, Dataset, Dict_, Encoder, Frame, Layer, Model, ModuleRef, Origin, Rng, Seq,
    Shape, as_shape, py,
)

BUILTINS = {"len", "int", "float", "bool", "str", "list", "tuple", "print", "range", "object", "max", "min", "abs"}


class LossFn:
    """An instance of a Keras loss class, e.g. ``SparseCategoricalCrossentropy()``."""

    def __init__(self, family: Optional[str], origin: Origin, name: str = "", kwargs: Optional[dict] = None) -> None:
        self.family = family
        self.origin = origin
        self.name = name  # the class, e.g. "SparseCategoricalCrossentropy"
        self.kwargs = kwargs or {}


# ------------------------------------------------------------------ helpers
_DTYPE_ALIASES = {
    "float": "float64", "double": "float64", "half": "float16", "int": "int64", "int_": "int64",
    "intc": "int32", "uint": "uint64", "bool_": "bool", "str_": "str", "string": "str", "unicode": "str",
    "object_": "object", "bytes_": "bytes", "bytes": "bytes", "single": "float32", "long": "int64",
    "float_": "float64",
}


def dtype_of(value: Any, default: Optional[str] = None) -> Optional[str]:
    """A dtype name from ``"float32"``, ``np.float32``, ``tf.int32``, ``float`` ..."""
    name = None
    if isinstance(value, Const) and isinstance(value.value, str):
        name = value.value
    elif isinstance(value, ModuleRef):
        name = value.path.rsplit(".", 1)[-1]
    elif value is None:
        return default
    if name is None:
        return None
    name = _DTYPE_ALIASES.get(name, name)
    if name in FLOAT_DTYPES or name in INT_DTYPES or name in ("bool", "str", "object", "bytes"):
        return name
    if name.startswith(("<U", "U", "S", "|S")):
        return "str"
    return None


_LOSSES = {
    "sparse_categorical_crossentropy": SPARSE, "sparsecategoricalcrossentropy": SPARSE,
    "categorical_crossentropy": CATEGORICAL, "categoricalcrossentropy": CATEGORICAL,
    "binary_crossentropy": BINARY, "binarycrossentropy": BINARY, "bce": BINARY,
    "mse": REGRESSION, "mean_squared_error": REGRESSION, "meansquarederror": REGRESSION,
    "mae": REGRESSION, "mean_absolute_error": REGRESSION, "meanabsoluteerror": REGRESSION,
    "mape": REGRESSION, "mean_absolute_percentage_error": REGRESSION, "meanabsolutepercentageerror": REGRESSION,
    "msle": REGRESSION, "mean_squared_logarithmic_error": REGRESSION, "meansquaredlogarithmicerror": REGRESSION,
    "huber": REGRESSION, "huber_loss": REGRESSION, "log_cosh": REGRESSION, "logcosh": REGRESSION,
}


def loss_family(value: Any) -> Optional[str]:
    if isinstance(value, Const) and isinstance(value.value, str):
        return _LOSSES.get(value.value.lower())
    if isinstance(value, LossFn):
        return value.family
    if isinstance(value, ModuleRef):
        name = value.path.rsplit(".", 1)[-1]
        if name[:1].islower():
            return _LOSSES.get(name.lower())
    return None


def _num(value: Any) -> Optional[float]:
    v = py(value)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v


def _int(value: Any) -> Optional[int]:
    v = py(value)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def size_shape(value: Any) -> Shape:
    """``size=`` of NumPy random functions: None -> scalar, int, tuple."""
    if value is None:
        return None
    if isinstance(value, Const) and value.value is None:
        return ()
    return as_shape(value)


def _known_size(shape: Shape) -> Optional[int]:
    if shape is None or any(d is None for d in shape):
        return None
    return math.prod(shape)


def resolve_reshape(old: Shape, new: Shape) -> Shape:
    if new is None:
        return None
    if new.count(-1) > 1 or any(d is not None and d < -1 for d in new):
        return None
    if -1 in new:
        total = _known_size(old)
        known = _known_size(tuple(d for d in new if d != -1))
        if total is None or not known or total % known:
            return tuple(None if d == -1 else d for d in new)
        return tuple(total // known if d == -1 else d for d in new)
    return new


def add_batch_axis(value: Any) -> Any:
    if isinstance(value, Array):
        return value.but(shape=None if value.shape is None else (None,) + value.shape)
    if isinstance(value, Seq):
        return Seq([add_batch_axis(v) for v in value.items], value.kind, value.origin)
    if isinstance(value, Dict_):
        return Dict_({k: add_batch_axis(v) for k, v in value.items.items()}, value.origin)
    return None


def _drop_axis0(value: Any) -> Any:
    if isinstance(value, Array):
        return value.but(shape=None if not value.shape else value.shape[1:])
    if isinstance(value, Seq):
        return Seq([_drop_axis0(v) for v in value.items], value.kind, value.origin)
    if isinstance(value, Dict_):
        return Dict_({k: _drop_axis0(v) for k, v in value.items.items()}, value.origin)
    return None


def _leaves(value: Any, prefix: str = "") -> List[Tuple[str, Any]]:
    if isinstance(value, Seq):
        out = []
        for i, item in enumerate(value.items):
            out += _leaves(item, f"{prefix}[{i}]")
        return out
    if isinstance(value, Dict_):
        out = []
        for key, item in value.items.items():
            out += _leaves(item, f"{prefix}[{key!r}]")
        return out
    return [(prefix, value)]


# ------------------------------------------------------------- literals
def literal_array(value: Any, node: cst.CSTNode, dtype: Optional[str] = None, tensor: bool = False) -> Optional[Array]:
    """An array from nested lists/tuples of literals (or of arrays)."""
    leaves: List[Any] = []

    def shape_of(v: Any) -> Any:
        if isinstance(v, Seq):
            inner = [shape_of(i) for i in v.items]
            if any(s is False for s in inner):
                return False
            if any(s is None for s in inner):
                return None
            if inner and any(s != inner[0] for s in inner):
                return "ragged"
            if "ragged" in inner:
                return "ragged"
            return (len(v.items),) + (inner[0] if inner else ())
        if isinstance(v, Array):
            leaves.append(v)
            return v.shape
        if isinstance(v, Const) and isinstance(v.value, (int, float, str, bool)):
            leaves.append(v.value)
            return ()
        return False

    shape = shape_of(value)
    if shape is False:
        return None
    origin = Origin(node)
    if shape == "ragged":
        return Array(None, "object", origin=origin, ragged=True, tensor=tensor)
    arrays = [leaf for leaf in leaves if isinstance(leaf, Array)]
    scalars = [leaf for leaf in leaves if not isinstance(leaf, Array)]
    if arrays:
        if scalars:
            return None
        dtypes = {a.dtype for a in arrays}
        lo = min((a.lo for a in arrays), default=None) if all(a.lo is not None for a in arrays) else None
        hi = max((a.hi for a in arrays), default=None) if all(a.hi is not None for a in arrays) else None
        return Array(shape, dtype or (dtypes.pop() if len(dtypes) == 1 else None), lo, hi, origin=origin, tensor=tensor)
    if any(isinstance(s, str) for s in scalars):
        inferred = "str"
    elif scalars and all(isinstance(s, bool) for s in scalars):
        inferred = "bool"
    elif any(isinstance(s, float) for s in scalars):
        inferred = "float32" if tensor else "float64"
    else:
        inferred = "int32" if tensor else "int64"
    numbers = [float(s) for s in scalars if not isinstance(s, str)]
    lo = min(numbers) if numbers and inferred != "str" else None
    hi = max(numbers) if numbers and inferred != "str" else None
    onehot = (
        shape is not None and len(shape) == 2 and shape[1] > 1 and inferred != "str"
        and all(v in (0, 1) for v in numbers) and _rows_onehot(value)
    )
    return Array(shape, dtype or inferred, lo, hi, onehot=onehot, origin=origin, tensor=tensor)


def _rows_onehot(value: Seq) -> bool:
    for row in value.items:
        if sum(1 for v in row.items if py(v) == 1) != 1:
            return False
    return True


def to_array(value: Any, node: cst.CSTNode) -> Optional[Array]:
    if isinstance(value, Array):
        return value
    if isinstance(value, Seq):
        return literal_array(value, node)
    if isinstance(value, Const) and isinstance(value.value, (int, float, bool)) and not isinstance(value.value, str):
        v = float(value.value)
        return Array((), "float64" if isinstance(value.value, float) else "int64", v, v, origin=Origin(node))
    return None


# ------------------------------------------------------------- numpy
def _random(ip, a, node, *, lo=None, hi=None, dtype="float64", shape=None) -> Any:
    if shape is None:
        return None
    # Floating-point generators never reach their upper bound.
    return Array(shape, dtype, lo, hi, open_hi=dtype not in INT_DTYPES and hi is not None, origin=Origin(node))


def _dims_from_pos(a) -> Shape:
    dims = [_int(v) for v in a.pos]
    return None if a.star or any(d is None for d in dims) else tuple(dims)


def np_rand(ip, a, node):
    return _random(ip, a, node, lo=0.0, hi=1.0, shape=_dims_from_pos(a))


def np_randn(ip, a, node):
    return _random(ip, a, node, shape=_dims_from_pos(a))


def np_random(ip, a, node):
    return _random(ip, a, node, lo=0.0, hi=1.0, shape=size_shape(a.get("size", 0, Const(None))))


def np_uniform(ip, a, node):
    low, high = _num(a.get("low", 0, Const(0.0))), _num(a.get("high", 1, Const(1.0)))
    return _random(ip, a, node, lo=low, hi=high, shape=size_shape(a.get("size", 2, Const(None))))


def np_normal(ip, a, node):
    return _random(ip, a, node, shape=size_shape(a.get("size", 2, Const(None))))


def _randint(ip, a, node, high_inclusive: bool = False):
    low, high = a.get("low", 0), a.get("high", 1)
    size = size_shape(a.get("size", 2, Const(None)))
    dtype = dtype_of(a.get("dtype", 3), "int64")
    low_v, high_v = _num(low), _num(high) if a.has("high", 1) else None
    if a.has("high", 1) and (high is None or isinstance(high, Const) and high.value is None):
        high_v = None
        if isinstance(high, Const):  # randint(n, None) == randint(0, n)
            low_v, high_v = 0, _num(low)
    elif not a.has("high", 1):
        low_v, high_v = 0, low_v
    if low_v is None or high_v is None:
        lo = hi = None
    else:
        lo, hi = low_v, high_v if high_inclusive else high_v - 1
    return _random(ip, a, node, lo=lo, hi=hi, dtype=dtype, shape=size)


def np_randint(ip, a, node):
    return _randint(ip, a, node)


def rng_integers(ip, a, node):
    endpoint = py(a.get("endpoint", 4)) is True
    return _randint(ip, a, node, high_inclusive=endpoint)


def np_choice(ip, a, node):
    pool = a.get("a", 0)
    size = size_shape(a.get("size", 1, Const(None)))
    n = _int(pool)
    if n is not None:
        return _random(ip, a, node, lo=0, hi=n - 1, dtype="int64", shape=size)
    arr = to_array(pool, node)
    if arr is not None:
        return _random(ip, a, node, lo=arr.lo, hi=arr.hi, dtype=arr.dtype, shape=size)
    return None


def np_permutation(ip, a, node):
    n = _int(a.get("x", 0))
    if n is not None:
        return Array((n,), "int64", 0, n - 1, origin=Origin(node))
    arr = to_array(a.get("x", 0), node)
    return arr.but(origin=Origin(node)) if arr is not None else None


def _filled(fill: Optional[float], default_dtype: str, tensor: bool = False):
    def handler(ip, a, node):
        shape = as_shape(a.get("shape", 0))
        if shape is None:
            return None
        dtype = dtype_of(a.get("dtype", 1), default_dtype)
        return Array(shape, dtype, fill, fill, origin=Origin(node), tensor=tensor)
    return handler


def np_full(ip, a, node):
    shape = as_shape(a.get("shape", 0))
    fill = _num(a.get("fill_value", 1))
    if shape is None:
        return None
    default = "float64" if isinstance(fill, float) else "int64"
    return Array(shape, dtype_of(a.get("dtype", 2), default), fill, fill, origin=Origin(node))


def _like(fill: Optional[float]):
    def handler(ip, a, node):
        base = to_array(a.get("a", 0), node)
        if base is None:
            return None
        dtype = dtype_of(a.get("dtype", 1), base.dtype)
        return Array(base.shape, dtype, fill, fill, origin=Origin(node), tensor=base.tensor)
    return handler


def np_arange(ip, a, node):
    nums = [_num(v) for v in a.pos[:3]]
    if a.star or not nums or any(n is None for n in nums):
        return None
    if len(nums) == 1:
        start, stop, step = 0, nums[0], 1
    else:
        start, stop = nums[0], nums[1]
        step = nums[2] if len(nums) > 2 else 1
    if step == 0:
        return None
    count = max(0, math.ceil((stop - start) / step))
    is_float = any(isinstance(n, float) for n in nums)
    dtype = dtype_of(a.get("dtype", 3), "float64" if is_float else "int64")
    if count == 0:
        return Array((0,), dtype, origin=Origin(node))
    last = start + (count - 1) * step
    return Array((count,), dtype, min(start, last), max(start, last), origin=Origin(node))


def np_linspace(ip, a, node):
    start, stop = _num(a.get("start", 0)), _num(a.get("stop", 1))
    num = _int(a.get("num", 2, Const(50)))
    if num is None:
        return None
    lo = hi = None
    if start is not None and stop is not None:
        lo, hi = min(start, stop), max(start, stop)
    return Array((num,), "float64", lo, hi, origin=Origin(node))


def np_array(ip, a, node):
    obj = a.get("object", 0)
    dtype = dtype_of(a.get("dtype", 1))
    if a.has("dtype", 1) and dtype is None:
        return None
    if isinstance(obj, Array):
        return obj.but(dtype=dtype or obj.dtype, origin=Origin(node), tensor=False)
    if isinstance(obj, Seq):
        arr = literal_array(obj, node, dtype)
        if arr is not None and arr.ragged and dtype != "object":
            return None  # NumPy refuses ragged input without dtype=object
        return arr
    return None


def np_eye(ip, a, node):
    n = _int(a.get("N", 0))
    m = _int(a.get("M", 1)) if a.has("M", 1) and py(a.get("M", 1)) is not None else n
    if n is None or m is None:
        return None
    return Array((n, m), dtype_of(a.get("dtype", 3), "float64"), 0.0, 1.0, onehot=n == m and py(a.get("k", 2, Const(0))) == 0,
                 origin=Origin(node))


def expand_dims(ip, a, node):
    arr = to_array(a.get("a", 0, a.get("input", 0)), node)
    axis = _int(a.get("axis", 1))
    if arr is None or arr.shape is None or axis is None:
        return None
    rank = len(arr.shape) + 1
    if not -rank <= axis < rank:
        return None
    axis %= rank
    shape = arr.shape[:axis] + (1,) + arr.shape[axis:]
    return arr.but(shape=shape, origin=Origin(node), onehot=False)


def _join(stack: bool, tensor: bool = False):
    def handler(ip, a, node):
        parts = a.get("arrays", 0, a.get("values", 0))
        axis = _int(a.get("axis", 1, Const(0)))
        if not isinstance(parts, Seq) or axis is None or not parts.items:
            return None
        arrays = [to_array(p, node) for p in parts.items]
        if any(x is None or x.shape is None for x in arrays):
            return None
        rank = len(arrays[0].shape)
        if any(len(x.shape) != rank for x in arrays):
            return None
        dtypes = {x.dtype for x in arrays}
        dtype = dtypes.pop() if len(dtypes) == 1 else None
        lo = min(x.lo for x in arrays) if all(x.lo is not None for x in arrays) else None
        hi = max(x.hi for x in arrays) if all(x.hi is not None for x in arrays) else None
        if stack:
            if any(x.shape != arrays[0].shape for x in arrays):
                return None
            axis %= rank + 1
            shape = arrays[0].shape[:axis] + (len(arrays),) + arrays[0].shape[axis:]
        else:
            if rank == 0:
                return None
            axis %= rank
            total = 0
            for x in arrays:
                total = None if total is None or x.shape[axis] is None else total + x.shape[axis]
            shape = arrays[0].shape[:axis] + (total,) + arrays[0].shape[axis + 1:]
        return Array(shape, dtype, lo, hi, origin=Origin(node), tensor=tensor or arrays[0].tensor)
    return handler


def fn_reshape(ip, a, node):
    arr = to_array(a.get("a", 0, a.get("tensor", 0)), node)
    if arr is None:
        return None
    return reshape(arr, a.get("newshape", 1, a.get("shape", 1)), node)


def reshape(arr: Array, shape_value: Any, node) -> Array:
    new = as_shape(shape_value)
    shape = resolve_reshape(arr.shape, new) if new is not None else None
    return arr.but(shape=shape, origin=Origin(node), onehot=arr.onehot and shape is not None and arr.shape is not None
                   and shape[-1:] == arr.shape[-1:])


def np_squeeze(ip, a, node):
    arr = to_array(a.get("a", 0, a.get("input", 0)), node)
    if arr is None:
        return None
    return squeeze(arr, a.get("axis", 1), node)


def squeeze(arr: Array, axis_value: Any, node) -> Array:
    if arr.shape is None:
        return arr.but(origin=Origin(node))
    axis = py(axis_value)
    if axis is None:
        if any(d is None for d in arr.shape):
            return arr.but(shape=None, origin=Origin(node))
        return arr.but(shape=tuple(d for d in arr.shape if d != 1), origin=Origin(node))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not all(isinstance(x, int) for x in axes) or not arr.shape:
        return arr.but(shape=None, origin=Origin(node))
    drop = {x % len(arr.shape) for x in axes}
    return arr.but(shape=tuple(d for i, d in enumerate(arr.shape) if i not in drop), origin=Origin(node))


def np_argmax(ip, a, node):
    arr = to_array(a.get("a", 0, a.get("input", 0)), node)
    axis = _int(a.get("axis", 1))
    if arr is None or arr.shape is None or axis is None or not arr.shape:
        return None
    axis %= len(arr.shape)
    n = arr.shape[axis]
    shape = arr.shape[:axis] + arr.shape[axis + 1:]
    return Array(shape, "int64", 0, None if n is None else n - 1, origin=Origin(node), tensor=arr.tensor)


def np_transpose(ip, a, node):
    arr = to_array(a.get("a", 0), node)
    if arr is None or a.has("axes", 1):
        return None
    return arr.but(shape=None if arr.shape is None else tuple(reversed(arr.shape)), origin=Origin(node), onehot=False)


def np_cast(dtype: str):
    def handler(ip, a, node):
        arr = to_array(a.get(None, 0), node)
        return arr.but(dtype=dtype, origin=Origin(node)) if arr is not None else None
    return handler


def np_rng(ip, a, node):
    return Rng()


# ---------------------------------------------------------------- tensorflow
def tf_constant(ip, a, node):
    value = a.get("value", 0)
    dtype = dtype_of(a.get("dtype", 1))
    if a.has("dtype", 1) and dtype is None:
        return None
    if isinstance(value, Array):
        arr = value.but(tensor=True, dtype=dtype or value.dtype, origin=Origin(node))
    elif isinstance(value, Seq):
        arr = literal_array(value, node, dtype, tensor=True)
    elif isinstance(value, Const) and isinstance(value.value, (int, float)):
        arr = to_array(value, node)
        arr = arr.but(tensor=True, dtype=dtype or ("float32" if isinstance(value.value, float) else "int32"))
    else:
        return None
    if arr is None:
        return None
    shape = as_shape(a.get("shape", 2))
    if shape is not None:
        arr = arr.but(shape=shape)
    return arr


def tf_cast(ip, a, node):
    arr = to_array(a.get("x", 0), node)
    dtype = dtype_of(a.get("dtype", 1))
    if arr is None or dtype is None:
        return None
    return arr.but(dtype=dtype, tensor=True, origin=Origin(node))


def tf_one_hot(ip, a, node):
    labels = to_array(a.get("indices", 0), node)
    depth = _int(a.get("depth", 1))
    if labels is None or depth is None or labels.shape is None:
        return None
    if labels.hi is not None and not ip.guarded:
        ip.facts.one_hots.append(OneHot(node, "tf.one_hot", labels, depth, a.node_of("depth", 1)))
    return Array(labels.shape + (depth,), dtype_of(a.get("dtype", 6), "float32"), 0.0, 1.0, onehot=True,
                 origin=Origin(node), tensor=True)


def tf_random(kind: str):
    def handler(ip, a, node):
        shape = as_shape(a.get("shape", 0))
        if shape is None:
            return None
        if kind == "uniform":
            dtype = dtype_of(a.get("dtype", 3), "float32")
            lo = _num(a.get("minval", 1, Const(0)))
            maxval = a.get("maxval", 2)
            if dtype in INT_DTYPES:
                hi = _num(maxval)
                hi = None if hi is None else hi - 1
            else:
                hi = _num(maxval) if maxval is not None else 1.0
            return Array(shape, dtype, lo, hi, origin=Origin(node), tensor=True)
        return Array(shape, dtype_of(a.get("dtype", 3), "float32"), origin=Origin(node), tensor=True)
    return handler


def tf_range(ip, a, node):
    arr = np_arange(ip, a, node)
    if arr is None:
        return None
    return arr.but(tensor=True, dtype="float32" if arr.dtype == "float64" else "int32")


def tf_convert(ip, a, node):
    arr = to_array(a.get("value", 0), node)
    if arr is None:
        return None
    dtype = dtype_of(a.get("dtype", 1))
    return arr.but(tensor=True, dtype=dtype or arr.dtype, origin=Origin(node))


def from_tensor_slices(ip, a, node):
    value = a.get("tensors", 0)
    if isinstance(value, Seq) and not isinstance(value.items[0] if value.items else None, (Seq, Dict_, Array)):
        value = to_array(value, node)
    value = _arrays_in(value, node)
    if value is None:
        return Dataset(None, False, Origin(node))
    parts = [(name or "tensors", leaf) for name, leaf in _leaves(value)]
    counts = {leaf.samples for _, leaf in parts if isinstance(leaf, Array) and leaf.samples is not None}
    if len(counts) > 1 and not ip.guarded:
        ip.facts.slice_counts.append(SliceCounts(node, [(n, v) for n, v in parts if isinstance(v, Array)]))
    return Dataset(_drop_axis0(value), False, Origin(node))


def _arrays_in(value: Any, node) -> Any:
    """A structure of arrays: literal lists inside tuples/dicts become arrays."""
    if isinstance(value, Array):
        return value
    if isinstance(value, Dict_):
        return Dict_({k: _arrays_in(v, node) for k, v in value.items.items()}, value.origin)
    if isinstance(value, Seq) and value.kind == "tuple":
        return Seq([_arrays_in(v, node) for v in value.items], "tuple", value.origin)
    if isinstance(value, Seq):
        return to_array(value, node)
    return None


def dataset_method(ip, ds: Dataset, method: str, a, node) -> Any:
    if method in ("batch", "padded_batch"):
        if ds.batched:
            return Dataset(None, True, ds.origin, Origin(node))
        element = ds.element
        if method == "padded_batch":
            element = _unknown_dims(element)
        return Dataset(element, True, ds.origin, Origin(node))
    if method in ("shuffle", "prefetch", "repeat", "cache", "take", "skip", "with_options", "filter", "shard"):
        return ds
    if method == "map":
        return Dataset(None, ds.batched, ds.origin, ds.batch_origin)
    if method == "unbatch":
        return Dataset(_drop_axis0(ds.element) if ds.batched else None, False, ds.origin)
    return None


def _unknown_dims(value: Any) -> Any:
    if isinstance(value, Array):
        return value.but(shape=None if value.shape is None else tuple(None for _ in value.shape))
    if isinstance(value, Seq):
        return Seq([_unknown_dims(v) for v in value.items], value.kind, value.origin)
    if isinstance(value, Dict_):
        return Dict_({k: _unknown_dims(v) for k, v in value.items.items()}, value.origin)
    return None


# ------------------------------------------------------------------ keras
def to_categorical(ip, a, node):
    labels = to_array(a.get("x", 0, a.get("y", 0)), node)
    if labels is None or labels.shape is None:
        return None
    num = a.get("num_classes", 1)
    depth = _int(num) if num is not None and py(num) is not None else None
    if depth is None and (num is None or py(num, 0) is None):
        depth = int(labels.hi) + 1 if labels.hi is not None else None
    elif labels.hi is not None and depth is not None and not ip.guarded:
        ip.facts.one_hots.append(OneHot(node, "to_categorical", labels, depth, a.node_of("num_classes", 1)))
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    return Array(shape + (depth,), "float32", 0.0, 1.0, onehot=True, origin=Origin(node))


def keras_input(ip, a, node):
    return ip.input_sym(a, node, a.get("shape", 0), a.get("batch_shape"))


def keras_sequential(ip, a, node):
    return ip.sequential(a.get("layers", 0), node)


def keras_model(ip, a, node):
    return ip.functional(a, node)


def _merge_fn(kind: str):
    def handler(ip, a, node):
        layer = Layer(kind, [], {k: v for k, v in a.kw.items() if k != "inputs"}, Origin(node))
        inputs = a.get("inputs", 0)
        if not isinstance(inputs, Seq):
            return None
        return ip.call_layer(layer, _ArgsOf(inputs), node)
    return handler


class _ArgsOf:
    def __init__(self, value: Any) -> None:
        self.value = value

    def get(self, name, index=None, default=None):
        return self.value if index == 0 else default


def _loss_class(family: Optional[str], name: str):
    def handler(ip, a, node):
        if a.has("ignore_class"):
            return LossFn(None, Origin(node), name, dict(a.kw))
        return LossFn(family, Origin(node), name, dict(a.kw))
    return handler


# keras.datasets.<name>.load_data(): the arrays it returns, from the published
# data sets (never downloaded): train count, test count, x sample shape,
# x dtype, x range, y sample shape, y dtype, y range.
DATASETS = {
    "mnist": (60000, 10000, (28, 28), "uint8", (0, 255), (), "uint8", (0, 9)),
    "fashion_mnist": (60000, 10000, (28, 28), "uint8", (0, 255), (), "uint8", (0, 9)),
    "cifar10": (50000, 10000, (32, 32, 3), "uint8", (0, 255), (1,), "uint8", (0, 9)),
    "cifar100": (50000, 10000, (32, 32, 3), "uint8", (0, 255), (1,), "int64", (0, 99)),
    "boston_housing": (404, 102, (13,), "float64", (None, None), (), "float64", (None, None)),
    "imdb": (25000, 25000, None, "object", (None, None), (), "int64", (0, 1)),
    "reuters": (8982, 2246, None, "object", (None, None), (), "int64", (0, 45)),
}


def load_data(name: str):
    def handler(ip, a, node):
        n_train, n_test, x_shape, x_dtype, x_range, y_shape, y_dtype, y_range = DATASETS[name]
        if name == "cifar100" and py(a.get("label_mode", 0)) == "coarse":
            y_range = (0, 19)
        if x_shape is None:  # lists of word ids of different lengths
            words = _int(a.get("num_words", 1 if name == "imdb" else 1))
            x_range = (0, words - 1) if words is not None else (0, None)
        origin = Origin(node)

        def part(n):
            x = Array(None if x_shape is None else (n,) + x_shape, x_dtype, *x_range, origin=origin,
                      ragged=x_shape is None)
            if x_shape is None:
                x = x.but(shape=(n,))
            y = Array((n,) + y_shape, y_dtype, *y_range, origin=origin)
            return Seq([x, y], "tuple", origin)

        return Seq([part(n_train), part(n_test)], "tuple", origin)
    return handler


def pad_sequences(ip, a, node):
    seqs = a.get("sequences", 0)
    maxlen = _int(a.get("maxlen", 1))
    if not isinstance(seqs, Array) or not seqs.shape:
        return None
    value = _num(a.get("value", 6, Const(0)))
    lo = None if seqs.lo is None or value is None else min(seqs.lo, value)
    hi = None if seqs.hi is None or value is None else max(seqs.hi, value)
    dtype = dtype_of(a.get("dtype", 2), "int32")
    return Array((seqs.shape[0], maxlen), dtype, lo, hi, origin=Origin(node))


def train_test_split(ip, a, node):
    """sklearn's train_test_split: each array split in two along axis 0."""
    if a.star or not a.pos:
        return None
    arrays = [to_array(v, node) if isinstance(v, Seq) else v for v in a.pos]
    test_size, train_size = py(a.kw.get("test_size")), py(a.kw.get("train_size"))
    out = []
    for arr in arrays:
        if not isinstance(arr, Array) or not arr.shape:
            out += [None, None]
            continue
        n = arr.shape[0]
        n_test = n_train = None
        if n is not None:
            if isinstance(test_size, float) and 0 < test_size < 1:
                n_test = math.ceil(test_size * n)
            elif isinstance(test_size, int) and not isinstance(test_size, bool):
                n_test = test_size
            elif test_size is None and train_size is None:
                n_test = math.ceil(0.25 * n)
            if n_test is not None and train_size is None:
                n_train = n - n_test
        out.append(arr.but(shape=(n_train,) + arr.shape[1:], origin=Origin(node)))
        out.append(arr.but(shape=(n_test,) + arr.shape[1:], origin=Origin(node)))
    return Seq(out, "list", Origin(node))


def image_dataset(ip, a, node):
    size = as_shape(a.get("image_size", None, Const((256, 256))))
    batch = a.get("batch_size", None, Const(32))
    channels = {"rgb": 3, "grayscale": 1, "rgba": 4}.get(py(a.get("color_mode"), "rgb"))
    if size is None or len(size) != 2 or channels is None:
        return None
    origin = Origin(node)
    x = Array(size + (channels,), "float32", 0.0, 255.0, origin=origin, tensor=True)
    mode = py(a.get("label_mode"), "int")
    if mode == "int":
        element = Seq([x, Array((), "int32", 0, None, origin=origin, tensor=True)], "tuple", origin)
    elif mode == "binary":
        element = Seq([x, Array((1,), "float32", 0, 1, origin=origin, tensor=True)], "tuple", origin)
    elif mode is None and isinstance(a.get("label_mode"), Const):
        element = x
    else:
        element = Seq([x, None], "tuple", origin)
    batched = not (isinstance(batch, Const) and batch.value is None)
    return Dataset(element, batched, origin, origin if batched else None)


def text_dataset(ip, a, node):
    batch = a.get("batch_size", None, Const(32))
    origin = Origin(node)
    x = Array((), "str", origin=origin, tensor=True)
    mode = py(a.get("label_mode"), "int")
    labels = Array((), "int32", 0, None, origin=origin, tensor=True) if mode == "int" else None
    batched = not (isinstance(batch, Const) and batch.value is None)
    return Dataset(Seq([x, labels], "tuple", origin), batched, origin, origin if batched else None)


def _frame(ip, a, node):
    return Frame(2, Origin(node))


_FRAME_SAME = {"drop", "dropna", "fillna", "copy", "head", "tail", "sample", "astype", "reset_index", "sort_values",
               "replace", "rename", "select_dtypes", "abs"}


def frame_method(frame: Frame, method: str, a, node) -> Any:
    if method in _FRAME_SAME:
        return Frame(frame.ndim, Origin(node))
    if method == "to_numpy":
        return Array((None,) * frame.ndim, None, origin=Origin(node))
    return None


def encoder_method(method: str, a, node) -> Any:
    if method in ("fit_transform", "transform"):
        arr = to_array(a.get("y", 0), node)
        if arr is not None and arr.shape is not None and len(arr.shape) == 1:
            return Array(arr.shape, "int64", 0, None, origin=Origin(node))
    return None


def _record(ip, node, kind: str, name: str, left: Any, right: Any) -> None:
    if ip is not None and not ip.guarded and isinstance(left, Array) and (
            isinstance(right, Array) or isinstance(right, Const)):
        ip.facts.ops.append(Op(node, kind, name, left, right))


def matmul(ip, left: Any, right: Any, node, name: str) -> Any:
    _record(ip, node, "matmul", name, left, right)
    if not isinstance(left, Array) or not isinstance(right, Array) or not left.shape or not right.shape:
        return None
    a, b = left.shape, right.shape
    if len(a) < 2 or len(b) < 2 or a[-1] is None or b[-2] is None or a[-1] != b[-2]:
        return None
    batch = _broadcast(a[:-2], b[:-2])
    if batch is None:
        return None
    tensor = left.tensor or right.tensor
    return Array(batch + (a[-2], b[-1]), left.dtype if left.dtype == right.dtype else None, origin=Origin(node),
                 tensor=tensor)


def _matmul_fn(name: str, tensor: bool):
    def handler(ip, a, node):
        left = a.get("a", 0, a.get("x1", 0))
        right = a.get("b", 1, a.get("x2", 1))
        if tensor:
            left, right = _tensor_arg(left, node), _tensor_arg(right, node)
        else:
            left, right = to_array(left, node) or left, to_array(right, node) or right
        return matmul(ip, left, right, node, name)
    return handler


def _tensor_arg(value: Any, node) -> Any:
    """A TF op turns a Python list into a tensor the way tf.constant does."""
    if isinstance(value, Seq):
        return literal_array(value, node, tensor=True)
    return value


_ELEMENTWISE = {"add": cst.Add(), "subtract": cst.Subtract(), "multiply": cst.Multiply(), "divide": cst.Divide()}


def _elementwise_fn(name: str):
    def handler(ip, a, node):
        left, right = _tensor_arg(a.get("x", 0), node), _tensor_arg(a.get("y", 1), node)
        if isinstance(left, Array) and isinstance(right, Array):
            _record(ip, node, "elementwise", f"tf.{name}", left, right)
            return _array_op(_ELEMENTWISE[name], left, right, node)
        return None
    return handler


CALLS: Dict[str, Callable] = {
    "numpy.random.rand": np_rand, "numpy.random.randn": np_randn,
    "numpy.random.standard_normal": np_random, "numpy.random.random": np_random,
    "numpy.random.random_sample": np_random, "numpy.random.ranf": np_random, "numpy.random.sample": np_random,
    "numpy.random.uniform": np_uniform, "numpy.random.normal": np_normal, "numpy.random.randint": np_randint,
    "numpy.random.choice": np_choice, "numpy.random.permutation": np_permutation,
    "numpy.random.default_rng": np_rng, "numpy.random.RandomState": np_rng,
    "numpy.zeros": _filled(0.0, "float64"), "numpy.ones": _filled(1.0, "float64"), "numpy.empty": _filled(None, "float64"),
    "numpy.full": np_full, "numpy.zeros_like": _like(0.0), "numpy.ones_like": _like(1.0), "numpy.empty_like": _like(None),
    "numpy.arange": np_arange, "numpy.linspace": np_linspace, "numpy.array": np_array, "numpy.asarray": np_array,
    "numpy.eye": np_eye, "numpy.identity": lambda ip, a, node: np_eye(ip, a, node),
    "numpy.expand_dims": expand_dims, "numpy.concatenate": _join(False), "numpy.stack": _join(True),
    "numpy.reshape": fn_reshape, "numpy.squeeze": np_squeeze, "numpy.argmax": np_argmax, "numpy.argmin": np_argmax,
    "numpy.transpose": np_transpose, "tensorflow.transpose": np_transpose,
    "tensorflow.constant": tf_constant, "tensorflow.convert_to_tensor": tf_convert, "tensorflow.cast": tf_cast,
    "tensorflow.reshape": fn_reshape, "tensorflow.one_hot": tf_one_hot, "tensorflow.expand_dims": expand_dims,
    "tensorflow.squeeze": np_squeeze, "tensorflow.concat": _join(False, True), "tensorflow.stack": _join(True, True),
    "tensorflow.zeros": _filled(0.0, "float32", True), "tensorflow.ones": _filled(1.0, "float32", True),
    "tensorflow.random.normal": tf_random("normal"), "tensorflow.random.uniform": tf_random("uniform"),
    "tensorflow.random.truncated_normal": tf_random("normal"), "tensorflow.range": tf_range,
    "tensorflow.argmax": np_argmax,
    "tensorflow.matmul": _matmul_fn("tf.matmul", True), "tensorflow.linalg.matmul": _matmul_fn("tf.matmul", True),
    "numpy.matmul": _matmul_fn("np.matmul", False), "numpy.dot": _matmul_fn("np.dot", False),
    "tensorflow.add": _elementwise_fn("add"), "tensorflow.math.add": _elementwise_fn("add"),
    "tensorflow.subtract": _elementwise_fn("subtract"), "tensorflow.math.subtract": _elementwise_fn("subtract"),
    "tensorflow.multiply": _elementwise_fn("multiply"), "tensorflow.math.multiply": _elementwise_fn("multiply"),
    "tensorflow.divide": _elementwise_fn("divide"), "tensorflow.math.divide": _elementwise_fn("divide"),
    "tensorflow.data.Dataset.from_tensor_slices": from_tensor_slices,
    "keras.utils.to_categorical": to_categorical,
    "keras.utils.pad_sequences": pad_sequences, "keras.preprocessing.sequence.pad_sequences": pad_sequences,
    "sklearn.model_selection.train_test_split": train_test_split,
    "sklearn.preprocessing.LabelEncoder": lambda ip, a, node: Encoder(),
    "pandas.read_csv": _frame, "pandas.read_excel": _frame, "pandas.read_parquet": _frame, "pandas.DataFrame": _frame,
    "keras.utils.image_dataset_from_directory": image_dataset,
    "keras.preprocessing.image_dataset_from_directory": image_dataset,
    "keras.utils.text_dataset_from_directory": text_dataset,
    "keras.preprocessing.text_dataset_from_directory": text_dataset,
    "keras.Input": keras_input, "keras.Sequential": keras_sequential, "keras.Model": keras_model,
    "keras.layers.concatenate": _merge_fn("Concatenate"), "keras.layers.add": _merge_fn("Add"),
    "keras.layers.multiply": _merge_fn("Multiply"), "keras.layers.average": _merge_fn("Average"),
    "keras.layers.subtract": _merge_fn("Subtract"),
    "keras.losses.SparseCategoricalCrossentropy": _loss_class(SPARSE, "SparseCategoricalCrossentropy"),
    "keras.losses.CategoricalCrossentropy": _loss_class(CATEGORICAL, "CategoricalCrossentropy"),
    "keras.losses.BinaryCrossentropy": _loss_class(BINARY, "BinaryCrossentropy"),
    "keras.losses.MeanSquaredError": _loss_class(REGRESSION, "MeanSquaredError"), "keras.losses.MeanAbsoluteError": _loss_class(REGRESSION, "MeanAbsoluteError"),
    "keras.losses.Huber": _loss_class(REGRESSION, "Huber"),
    "builtins.len": lambda ip, a, node: _len(a),
    "builtins.range": lambda ip, a, node: _range(a, node),
    "builtins.int": lambda ip, a, node: _cast_const(a, int),
    "builtins.float": lambda ip, a, node: _cast_const(a, float),
    "builtins.print": lambda ip, a, node: None,
    "builtins.list": lambda ip, a, node: _new_seq(a.get(None, 0), "list"),
    "builtins.tuple": lambda ip, a, node: _new_seq(a.get(None, 0), "tuple"),
}
for _name in DATASETS:
    CALLS[f"keras.datasets.{_name}.load_data"] = load_data(_name)
for _dt in FLOAT_DTYPES + INT_DTYPES:
    CALLS["numpy." + _dt] = np_cast(_dt)
for _fn in ("seed", "shuffle"):
    CALLS["numpy.random." + _fn] = lambda ip, a, node: None
CALLS["tensorflow.random.set_seed"] = lambda ip, a, node: None
CALLS["keras.utils.set_random_seed"] = lambda ip, a, node: None


MAX_UNROLL = 32


def _range(a, node) -> Any:
    """``range(...)`` of literals, as a tuple of ints when it is short."""
    bounds = [_int(v) for v in a.pos]
    if a.star or a.kw or not 1 <= len(bounds) <= 3 or any(b is None for b in bounds):
        return None
    values = range(*bounds) if bounds[-1] != 0 or len(bounds) < 3 else None
    if values is None or len(values) > MAX_UNROLL:
        return None
    return Seq([Const(v) for v in values], "tuple", Origin(node))


def _len(a) -> Any:
    value = a.get(None, 0)
    if isinstance(value, Array) and value.samples is not None:
        return Const(value.samples)
    if isinstance(value, Seq):
        return Const(len(value.items))
    return None


def _cast_const(a, kind) -> Any:
    v = _num(a.get(None, 0))
    return Const(kind(v)) if v is not None else None


def _new_seq(value: Any, kind: str) -> Any:
    """``list(x)`` / ``tuple(x)``: a new object (changing it leaves ``x`` as it is)."""
    if isinstance(value, Seq):
        return Seq(list(value.items), kind, value.origin, value.shape_of)
    return value.but() if isinstance(value, Array) and kind == "list" else None


def is_known(name: str) -> bool:
    """Whether ``name`` (canonical) is a library object fitlint models."""
    if name in CALLS:
        return True
    return name.startswith("keras.layers.") and name[13:] in L.KNOWN | {"InputLayer"}


def call_function(ip, name: str, a, node: cst.Call) -> Any:
    handler = CALLS.get(name)
    if handler is not None:
        if a.star and not name.startswith("builtins."):
            return None
        return handler(ip, a, node)
    if name.startswith("keras.layers.") and name[13:14].isupper():
        # Unknown layer kinds become layers too: models holding them are inexact.
        nodes = {**dict(enumerate(a.pos_nodes)), **a.kw_nodes}
        layer = Layer(name[13:], list(a.pos), dict(a.kw), Origin(node), complete=not a.star, nodes=nodes)
        if not ip.guarded:
            ip.facts.layers.append(layer)
        return layer
    if name.startswith(("numpy.", "tensorflow.", "keras.", "builtins.")) and not any(isinstance(v, Model) for v in a.values()):
        return None
    ip.escape(a)
    return None


# ---------------------------------------------------------------- methods
def call_method(ip, receiver: Any, method: str, a, node: cst.Call) -> Any:
    if isinstance(receiver, Array):
        return array_method(receiver, method, a, node)
    if isinstance(receiver, Dataset):
        return dataset_method(ip, receiver, method, a, node)
    if isinstance(receiver, Frame):
        return frame_method(receiver, method, a, node)
    if isinstance(receiver, Encoder):
        return encoder_method(method, a, node)
    if isinstance(receiver, Rng):
        if method == "integers":
            return rng_integers(ip, a, node)
        if method == "random":
            return np_random(ip, a, node)
        if method == "normal":
            return np_normal(ip, a, node)
        if method == "uniform":
            return np_uniform(ip, a, node)
        if method == "randint":
            return np_randint(ip, a, node)
        if method in ("rand", "randn"):
            return np_rand(ip, a, node) if method == "rand" else np_randn(ip, a, node)
        if method == "choice":
            return np_choice(ip, a, node)
        return None
    ip.escape(a)
    return None


def array_method(arr: Array, method: str, a, node: cst.Call) -> Any:
    if method == "reshape":
        if a.star:
            return None
        shape = a.pos[0] if len(a.pos) == 1 else Seq(list(a.pos)) if a.pos else a.get("shape")
        return reshape(arr, shape, node)
    if method == "astype":
        dtype = dtype_of(a.get("dtype", 0))
        if dtype is None:
            return arr.but(dtype=None, origin=Origin(node))
        lo, hi = arr.lo, arr.hi
        open_hi = arr.open_hi
        if dtype in INT_DTYPES and arr.dtype in FLOAT_DTYPES:
            lo = None if lo is None else float(math.trunc(lo))
            if hi is not None:
                hi = float(math.ceil(hi) - 1) if open_hi and float(hi).is_integer() else float(math.trunc(hi))
            open_hi = False
        return arr.but(dtype=dtype, lo=lo, hi=hi, open_hi=open_hi, origin=Origin(node))
    if method in ("flatten", "ravel"):
        size = _known_size(arr.shape)
        return arr.but(shape=(size,) if arr.shape is not None else None, origin=Origin(node), onehot=False)
    if method in ("copy", "numpy"):
        return arr.but(tensor=False) if method == "numpy" else arr.but()
    if method == "squeeze":
        return squeeze(arr, a.get("axis", 0), node)
    if method == "transpose" and not a.pos:
        return arr.but(shape=None if arr.shape is None else tuple(reversed(arr.shape)), origin=Origin(node), onehot=False)
    if method == "argmax":
        return np_argmax(None, _Bound(arr, a), node)
    return None


class _Bound:
    """Arguments of ``arr.method(...)`` seen as ``np.method(arr, ...)``."""

    def __init__(self, arr: Array, a) -> None:
        self.arr, self.a = arr, a

    def get(self, name, index=None, default=None):
        if index == 0 and name in ("a", "input"):
            return self.arr
        return self.a.get(name, None if index is None else index - 1, default)


# -------------------------------------------------------- attributes & ops
def attribute(ip, base: Any, attr: str, node: cst.Attribute) -> Any:
    if isinstance(base, ModuleRef):
        return ModuleRef(f"{base.path}.{attr}")
    if isinstance(base, Frame):
        if attr == "values":
            return Array((None,) * base.ndim, None, origin=Origin(node))
        return Frame(1, Origin(node)) if base.ndim == 2 and attr not in ("iloc", "loc", "shape", "columns", "index", "T") \
            and not attr.startswith("_") else None
    if isinstance(base, Array):
        if attr == "shape":
            if base.shape is None:
                return None
            return Seq([Const(d) if d is not None else None for d in base.shape], "tuple", Origin(node), shape_of=base)
        if attr == "ndim":
            return Const(base.rank) if base.rank is not None else None
        if attr == "T":
            return base.but(shape=None if base.shape is None else tuple(reversed(base.shape)), origin=Origin(node), onehot=False)
        if attr == "size":
            size = _known_size(base.shape)
            return Const(size) if size is not None else None
    return None


def _promote(a: Optional[str], b: Optional[str]) -> Optional[str]:
    if a == b:
        return a
    if a is None or b is None:
        return None
    if a in FLOAT_DTYPES and b in FLOAT_DTYPES:
        return "float64" if "float64" in (a, b) else "float32"
    if a in FLOAT_DTYPES or b in FLOAT_DTYPES:
        return "float64"
    return "int64"


def _arith(op: cst.BaseBinaryOp, x: float, y: float) -> Optional[float]:
    try:
        if isinstance(op, cst.Add):
            return x + y
        if isinstance(op, cst.Subtract):
            return x - y
        if isinstance(op, cst.Multiply):
            return x * y
        if isinstance(op, cst.Divide):
            return x / y
        if isinstance(op, cst.FloorDivide):
            return x // y
        if isinstance(op, cst.Modulo):
            return x % y
        if isinstance(op, cst.Power):
            return x ** y if abs(y) < 64 else None
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        return None
    return None


_OP_SYMBOLS = {cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/"}


def binop(ip, op: cst.BaseBinaryOp, left: Any, right: Any, node) -> Any:
    if isinstance(op, cst.MatrixMultiply):
        return matmul(ip, left, right, node, "@")
    if isinstance(op, (cst.BitOr, cst.BitAnd, cst.BitXor, cst.LeftShift, cst.RightShift)):
        return None
    if isinstance(left, Const) and isinstance(right, Const):
        lv, rv = left.value, right.value
        if isinstance(lv, (int, float)) and isinstance(rv, (int, float)) and not isinstance(lv, bool) and not isinstance(rv, bool):
            value = _arith(op, lv, rv)
            if value is None:
                return None
            if isinstance(lv, int) and isinstance(rv, int) and not isinstance(op, cst.Divide):
                value = int(value)
                if not budget.small_int(ip, value, node):
                    return None
            return Const(value, Origin(node))
        return None
    if isinstance(left, Seq) and isinstance(right, Seq) and isinstance(op, cst.Add):
        if len(left.items) + len(right.items) > budget.MAX_ITEMS:
            budget.give_up(ip, node, f"a sequence longer than {budget.MAX_ITEMS} items")
            return None
        return Seq(left.items + right.items, left.kind, Origin(node))
    if isinstance(op, cst.Multiply) and isinstance(left, Seq) != isinstance(right, Seq):
        seq, times = (left, right) if isinstance(left, Seq) else (right, left)
        n = py(times)
        if isinstance(n, int) and not isinstance(n, bool) and 0 <= n * len(seq.items) <= budget.MAX_ITEMS:
            return Seq(seq.items * n, seq.kind, Origin(node))
        return None
    symbol = _OP_SYMBOLS.get(type(op))
    if isinstance(left, Array) and isinstance(right, Const):
        if symbol and node is not None and not isinstance(node, cst.AugAssign):
            _record(ip, node, "elementwise", symbol, left, right)
        return _scalar_op(op, left, right.value, node, array_left=True)
    if isinstance(left, Const) and isinstance(right, Array):
        if symbol and node is not None and not isinstance(node, cst.AugAssign):
            _record(ip, node, "elementwise", symbol, right, left)
        return _scalar_op(op, right, left.value, node, array_left=False)
    if isinstance(left, Array) and isinstance(right, Array):
        if symbol:
            _record(ip, node, "elementwise", symbol, left, right)
        return _array_op(op, left, right, node)
    return None


def _array_op(op, left: Array, right: Array, node) -> Optional[Array]:
    shape = _broadcast(left.shape, right.shape)
    if left.tensor and right.tensor and left.dtype != right.dtype:
        return None
    dtype = _promote(left.dtype, right.dtype)
    if isinstance(op, cst.Divide) and dtype in INT_DTYPES:
        dtype = "float64"
    return Array(shape, dtype, origin=Origin(node), tensor=left.tensor or right.tensor)


def _scalar_op(op, arr: Array, scalar: Any, node, array_left: bool) -> Optional[Array]:
    if isinstance(scalar, bool) or not isinstance(scalar, (int, float)):
        return None
    dtype = arr.dtype
    if isinstance(op, cst.Divide) or isinstance(scalar, float):
        if dtype in INT_DTYPES or dtype == "bool":
            dtype = "float32" if arr.tensor else "float64"
    lo = hi = None
    open_hi = False
    if arr.lo is not None and arr.hi is not None:
        a_vals = [arr.lo, arr.hi]
        results = [_arith(op, v, scalar) if array_left else _arith(op, scalar, v) for v in a_vals]
        monotonic = isinstance(op, (cst.Add, cst.Subtract, cst.Multiply, cst.Divide))
        if monotonic and None not in results:
            lo, hi = min(results), max(results)
            if arr.open_hi:
                if results[1] >= results[0]:
                    open_hi = True
                else:  # the bound never reached is now the lower one: keep it unknown
                    lo = None
        elif isinstance(op, cst.FloorDivide) and None not in results and not arr.open_hi:
            lo, hi = min(results), max(results)
    return arr.but(dtype=dtype, lo=lo, hi=hi, open_hi=open_hi, origin=Origin(node), onehot=False)


def _broadcast(a: Shape, b: Shape) -> Shape:
    if a is None or b is None:
        return None
    out = []
    for x, y in zip(reversed((None,) * (len(b) - len(a)) + a if len(b) > len(a) else a),
                    reversed((None,) * (len(a) - len(b)) + b if len(a) > len(b) else b)):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            return None
    return tuple(reversed(out))


def unary(op, value: Any, node) -> Any:
    if isinstance(op, cst.Minus):
        if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
            return Const(-value.value, Origin(node))
        if isinstance(value, Array):
            lo = None if value.hi is None or value.open_hi else -value.hi
            hi = None if value.lo is None else -value.lo
            return value.but(lo=lo, hi=hi, open_hi=False, origin=Origin(node), onehot=False)
    if isinstance(op, cst.Plus):
        return value
    return None


def subscript(ip, base: Any, node: cst.Subscript, env) -> Any:
    elements = node.slice
    if isinstance(base, Frame) and base.ndim == 2 and len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
        key = ip.ev(elements[0].slice.value, env)
        if isinstance(key, Const) and isinstance(key.value, str):
            return Frame(1, Origin(node))
        if isinstance(key, Seq) and all(isinstance(py(k), str) for k in key.items):
            return Frame(2, Origin(node))
        return None
    if isinstance(base, (Seq, Dict_)) and len(elements) == 1:
        sl = elements[0].slice
        if isinstance(sl, cst.Index):
            key = py(ip.ev(sl.value, env))
            if isinstance(base, Dict_):
                return base.items.get(key) if isinstance(key, str) else None
            if isinstance(key, int) and not isinstance(key, bool) and -len(base.items) <= key < len(base.items):
                return base.items[key]
            return None
        bounds = [_slice_bound(ip, part, env) for part in (sl.lower, sl.upper, sl.step)]
        if isinstance(base, Seq) and all(b is not False for b in bounds):
            return Seq(base.items[slice(*bounds)], base.kind, Origin(node))
        return None
    if not isinstance(base, Array):
        for element in elements:
            if isinstance(element.slice, cst.Index):
                ip.ev(element.slice.value, env)
        return None
    if base.shape is None:
        return None
    shape: List[Optional[int]] = []
    axis = 0
    only_axis0 = True
    for k, element in enumerate(elements):
        sl = element.slice
        if axis >= len(base.shape) and not (isinstance(sl, cst.Index) and _is_none(sl.value)):
            return None
        if isinstance(sl, cst.Index):
            if _is_none(sl.value):
                shape.append(1)
                only_axis0 = False
                continue
            if isinstance(sl.value, cst.Ellipsis):
                return None
            index = ip.ev(sl.value, env)
            if isinstance(index, Const) and isinstance(index.value, int):
                axis += 1
                only_axis0 = only_axis0 and k == 0
                continue
            if isinstance(index, Array) and index.integral and index.dtype != "bool" and index.shape is not None and k == 0:
                shape.extend(index.shape)
                axis += 1
                continue
            if isinstance(index, Seq):
                arr = to_array(index, sl.value)
                if arr is not None and arr.shape is not None and arr.integral and arr.dtype != "bool" and k == 0:
                    shape.extend(arr.shape)
                    axis += 1
                    continue
            return None
        bounds = [_slice_bound(ip, part, env) for part in (sl.lower, sl.upper, sl.step)]
        dim = base.shape[axis]
        if any(b is False for b in bounds) or bounds[2] == 0:
            shape.append(None)
        elif dim is None:
            shape.append(None if any(b is not None for b in bounds) else None)
        else:
            shape.append(len(range(*slice(*bounds).indices(dim))))
        if k > 0 and any(b is not None for b in bounds):
            only_axis0 = False
        axis += 1
    shape.extend(base.shape[axis:])
    return base.but(shape=tuple(shape), origin=Origin(node), onehot=base.onehot and only_axis0)


def _is_none(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _slice_bound(ip, part, env) -> Any:
    if part is None:
        return None
    value = py(ip.ev(part, env), False)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return False
