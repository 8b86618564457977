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
from . import (
    applications, array_ops, batches, budget, builders, callables, datasets, iteration, keras_ops, loops,
    recommenders, sequences, sources, strings, tensor_ops, typechecks,
)
from .signatures import Signature, bind, parse, plain_kwargs
from .facts import BINARY, CATEGORICAL, REGRESSION, SPARSE, OneHot, Op, SliceCounts
from .values import (
    FLOAT_DTYPES, INT_DTYPES, Array, Const, Dataset, Dict_, Encoder, Frame, Layer, Model, ModuleRef, Origin, Rng, Seq,
    Shape, as_shape, py,
)

BUILTINS = {"len", "int", "float", "bool", "str", "list", "tuple", "print", "range", "object", "max", "min", "abs",
            "zip", "dict", "iter", "next", "isinstance", "enumerate"}


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
    elif value is None or isinstance(value, Const) and value.value is None:
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
    if lo is not None and hi is not None and lo > hi:  # e.g. uniform(3, 1): not modelled
        lo = hi = None
    # Floating-point generators never reach their upper bound.
    return Array(shape, dtype, lo, hi, open_hi=dtype not in INT_DTYPES and hi is not None, origin=Origin(node))


def _dims(value: Any) -> Shape:
    """``rand(d0, d1, ...)``: the ``*args`` as a shape."""
    if not isinstance(value, Seq):
        return None
    dims = [_int(v) for v in value.items]
    return None if any(d is None for d in dims) else tuple(dims)


def np_rand(ip, a, node):
    return _random(ip, a, node, lo=0.0, hi=1.0, shape=_dims(a.get("args")))


def np_randn(ip, a, node):
    return _random(ip, a, node, shape=_dims(a.get("args")))


def np_random(ip, a, node):
    if "args" in a.sig:  # np.random.ranf / sample(*args, **kwargs) pass on to random_sample(size=None)
        a = bind(SIGNATURES["numpy.random.random_sample"], a.args)
        if a is None:
            return None
    dtype = dtype_of(a.get("dtype"), "float64") if "dtype" in a.sig else "float64"
    if dtype not in FLOAT_DTYPES:
        return None
    return _random(ip, a, node, lo=0.0, hi=1.0, dtype=dtype, shape=size_shape(a.get("size", default=Const(None))))


def np_uniform(ip, a, node):
    low, high = _num(a.get("low")), _num(a.get("high"))
    return _random(ip, a, node, lo=low, hi=high, shape=size_shape(a.get("size", default=Const(None))))


def np_normal(ip, a, node):
    return _random(ip, a, node, shape=size_shape(a.get("size", default=Const(None))))


def np_standard_normal(ip, a, node):
    dtype = dtype_of(a.get("dtype"), "float64") if "dtype" in a.sig else "float64"
    return _random(ip, a, node, dtype=dtype, shape=size_shape(a.get("size", default=Const(None))))


def _randint(ip, a, node, high_inclusive: bool = False):
    """``randint(low, high=None, size=None, dtype=...)``: ``[low, high)``, or
    ``[0, low)`` when ``high`` is None (``[low, high]`` with ``endpoint``)."""
    low, high = a.get("low"), a.get("high")
    size = size_shape(a.get("size", default=Const(None)))
    dtype = dtype_of(a.get("dtype"), "int64")
    if not a.has("high") or isinstance(high, Const) and high.value is None:
        low_v, high_v = 0, _num(low)
    else:
        low_v, high_v = _num(low), _num(high)
    if low_v is None or high_v is None:
        lo = hi = None
    else:
        lo, hi = low_v, high_v if high_inclusive else high_v - 1
    return _random(ip, a, node, lo=lo, hi=hi, dtype=dtype, shape=size)


def np_randint(ip, a, node):
    return _randint(ip, a, node)


def rng_integers(ip, a, node):
    endpoint = py(a.get("endpoint"))
    if not isinstance(endpoint, bool):
        return None
    return _randint(ip, a, node, high_inclusive=endpoint)


def np_choice(ip, a, node):
    pool = a.get("a")
    size = size_shape(a.get("size", default=Const(None)))
    n = _int(pool)
    if n is not None:
        return _random(ip, a, node, lo=0, hi=n - 1, dtype="int64", shape=size)
    arr = to_array(pool, node)
    if arr is not None and arr.rank == 1:
        return _random(ip, a, node, lo=arr.lo, hi=arr.hi, dtype=arr.dtype, shape=size)
    return None


def np_permutation(ip, a, node):
    n = _int(a.get("x"))
    if n is not None:
        return Array((n,), "int64", 0, n - 1, origin=Origin(node))
    arr = to_array(a.get("x"), node)
    return arr.but(origin=Origin(node)) if arr is not None else None


def _filled(fill: Optional[float], default_dtype: str, tensor: bool = False):
    def handler(ip, a, node):
        shape = as_shape(a.get("shape"))
        if shape is None:
            shape = array_ops.partial_shape(a.get("shape"))  # (n, steps, 1) with n unknown
        if shape is None:
            return None
        dtype = dtype_of(a.get("dtype"), default_dtype)
        return Array(shape, dtype, fill, fill, origin=Origin(node), tensor=tensor)
    return handler


def np_full(ip, a, node):
    shape = as_shape(a.get("shape"))
    fill = _num(a.get("fill_value"))
    if shape is None:
        return None
    default = "float64" if isinstance(fill, float) else "int64"
    return Array(shape, dtype_of(a.get("dtype"), default), fill, fill, origin=Origin(node))


def _like(fill: Optional[float], first: str = "a"):
    def handler(ip, a, node):
        base = to_array(a.get(first), node)
        if base is None:
            return None
        dtype = dtype_of(a.get("dtype"), base.dtype)
        shape = as_shape(a.get("shape")) if not a.is_none("shape") else base.shape
        return Array(shape, dtype, fill, fill, origin=Origin(node), tensor=base.tensor)
    return handler


def _range_of(start: Any, stop: Any, step: Any, dtype: Optional[str], node) -> Optional[Array]:
    """``arange(start, stop, step)`` of literal numbers."""
    nums = [_num(v) for v in (start, stop, step)]
    if any(n is None for n in nums):
        return None
    start, stop, step = nums
    if step == 0:
        return None
    count = max(0, math.ceil((stop - start) / step))
    is_float = any(isinstance(n, float) for n in nums)
    dtype = dtype or ("float64" if is_float else "int64")
    if count == 0:
        return Array((0,), dtype, origin=Origin(node))
    last = start + (count - 1) * step
    return Array((count,), dtype, min(start, last), max(start, last), origin=Origin(node))


def np_arange(ip, a, node):
    """``arange([start,] stop[, step], dtype=None)``: one positional number
    is the stop; ``start=`` alone does not bind (NumPy raises)."""
    start, stop, step = a.get("start"), a.get("stop"), a.get("step", default=Const(1))
    if a.is_none("step"):
        step = Const(1)
    if a.is_none("stop"):
        if a.is_none("start") or "start" in a.keywords:
            return None
        start, stop = Const(0), start
    elif a.is_none("start"):
        start = Const(0)
    dtype = dtype_of(a.get("dtype"))
    if dtype is None and not a.is_none("dtype"):
        return None
    return _range_of(start, stop, step, dtype, node)


def np_linspace(ip, a, node):
    start, stop = _num(a.get("start")), _num(a.get("stop"))
    num = _int(a.get("num"))
    if num is None or py(a.get("retstep")) is not False or py(a.get("axis")) != 0:
        return None
    dtype = dtype_of(a.get("dtype"), "float64")
    lo = hi = None
    if start is not None and stop is not None and dtype in FLOAT_DTYPES:
        lo, hi = min(start, stop), max(start, stop)
    return Array((num,), dtype, lo, hi, origin=Origin(node))


def _np_array(first: str):
    def handler(ip, a, node):
        obj = a.get(first)
        dtype = dtype_of(a.get("dtype"))
        if dtype is None and not a.is_none("dtype"):
            return None
        if "ndmin" in a.sig and py(a.get("ndmin")) != 0:
            return None
        if isinstance(obj, array_ops.ListOf):
            return array_ops.list_array(obj, dtype, node)
        if isinstance(obj, Array):
            return obj.but(dtype=dtype or obj.dtype, origin=Origin(node), tensor=False)
        if isinstance(obj, Seq):
            arr = literal_array(obj, node, dtype)
            if arr is not None and arr.ragged and dtype != "object":
                return None  # NumPy refuses ragged input without dtype=object
            return arr
        return None
    return handler


def np_eye(ip, a, node):
    n = _int(a.get("N"))
    m = n if a.is_none("M") else _int(a.get("M"))
    k = py(a.get("k"))
    if n is None or m is None or not isinstance(k, int):
        return None
    return Array((n, m), dtype_of(a.get("dtype"), "float64"), 0.0, 1.0, onehot=n == m and k == 0,
                 origin=Origin(node))


def np_identity(ip, a, node):
    n = _int(a.get("n"))
    if n is None:
        return None
    return Array((n, n), dtype_of(a.get("dtype"), "float64"), 0.0, 1.0, onehot=True, origin=Origin(node))


def _expand_dims(first: str):
    def handler(ip, a, node):
        arr = to_array(a.get(first), node)
        axis = _int(a.get("axis"))
        if arr is None or arr.shape is None or axis is None:
            return None
        rank = len(arr.shape) + 1
        if not -rank <= axis < rank:
            return None
        axis %= rank
        shape = arr.shape[:axis] + (1,) + arr.shape[axis:]
        return arr.but(shape=shape, origin=Origin(node), onehot=False)
    return handler


def _join(stack: bool, tensor: bool = False):
    def handler(ip, a, node):
        parts = a.get("values" if tensor else "arrays")
        axis = _int(a.get("axis"))
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
        if "dtype" in a.sig and a.has("dtype"):
            dtype = dtype_of(a.get("dtype"), dtype)
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


def _fn_reshape(first: str):
    def handler(ip, a, node):
        arr = to_array(a.get(first), node)
        if arr is None:
            return None
        return reshape(arr, a.get("shape"), node)
    return handler


def reshape(arr: Array, shape_value: Any, node) -> Array:
    new = as_shape(shape_value)
    shape = resolve_reshape(arr.shape, new) if new is not None else None
    return arr.but(shape=shape, origin=Origin(node), onehot=arr.onehot and shape is not None and arr.shape is not None
                   and shape[-1:] == arr.shape[-1:])


def _squeeze_fn(first: str):
    def handler(ip, a, node):
        arr = to_array(a.get(first), node)
        if arr is None:
            return None
        return squeeze(arr, a.get("axis", default=Const(None)), node)
    return handler


def squeeze(arr: Array, axis_value: Any, node) -> Array:
    if arr.shape is None:
        return arr.but(origin=Origin(node))
    axis = py(axis_value, False)
    if axis is None:
        if any(d is None for d in arr.shape):
            return arr.but(shape=None, origin=Origin(node))
        return arr.but(shape=tuple(d for d in arr.shape if d != 1), origin=Origin(node))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in axes) or not arr.shape:
        return arr.but(shape=None, origin=Origin(node))
    drop = {x % len(arr.shape) for x in axes}
    return arr.but(shape=tuple(d for i, d in enumerate(arr.shape) if i not in drop), origin=Origin(node))


def _argmax(arr: Optional[Array], axis: Any, dtype: Optional[str], node) -> Optional[Array]:
    axis = _int(axis)
    if arr is None or arr.shape is None or axis is None or not arr.shape or dtype is None:
        return None
    if not -len(arr.shape) <= axis < len(arr.shape):
        return None
    axis %= len(arr.shape)
    n = arr.shape[axis]
    shape = arr.shape[:axis] + arr.shape[axis + 1:]
    return Array(shape, dtype, 0, None if n is None else n - 1, origin=Origin(node), tensor=arr.tensor)


def np_argmax(ip, a, node):
    """``np.argmax(a, axis=None)``: ``axis=None`` is an index into the
    flattened array (not modelled); ``keepdims=True`` keeps the axis."""
    if py(a.get("keepdims")) is not False or a.has("out"):
        return None
    return _argmax(to_array(a.get("a"), node), a.get("axis"), "int64", node)


def tf_argmax(ip, a, node):
    """``tf.argmax(input, axis=None)``: ``axis=None`` means axis 0."""
    axis = Const(0) if a.is_none("axis") else a.get("axis")
    return _argmax(to_array(a.get("input"), node), axis, dtype_of(a.get("output_type")), node)


def _transpose_fn(perm_name: str):
    def handler(ip, a, node):
        arr = to_array(a.get("a"), node)
        if arr is None:
            return None
        perm = None if a.is_none(perm_name) else py(a.get(perm_name), False)
        if perm_name == "perm" and py(a.get("conjugate")) is not False:
            return None
        return transpose(arr, perm, node)
    return handler


def transpose(arr: Array, perm: Any, node) -> Optional[Array]:
    """Axes reversed (``perm`` None), or permuted by a literal ``perm``."""
    if arr.shape is None:
        return arr.but(origin=Origin(node), onehot=False) if perm is None else None
    if perm is None:
        return arr.but(shape=tuple(reversed(arr.shape)), origin=Origin(node), onehot=False)
    if not isinstance(perm, (tuple, list)) or sorted(p % len(arr.shape) if isinstance(p, int) else -1 for p in perm) \
            != list(range(len(arr.shape))) or len(perm) != len(arr.shape):
        return None
    return arr.but(shape=tuple(arr.shape[p] for p in perm), origin=Origin(node), onehot=False)


def np_cast(dtype: str):
    def handler(ip, a, node):
        arr = to_array(a.get("value"), node)
        return cast(arr, dtype, node, tensor=False) if arr is not None else None
    return handler


def np_rng(kind: str):
    def handler(ip, a, node):
        return Rng(kind)
    return handler


# ---------------------------------------------------------------- tensorflow
def tf_constant(ip, a, node):
    value = a.get("value")
    dtype = dtype_of(a.get("dtype"))
    if dtype is None and not a.is_none("dtype"):
        return None
    if isinstance(value, Array):
        arr = value.but(tensor=True, dtype=dtype or value.dtype, origin=Origin(node))
    elif isinstance(value, Seq):
        arr = literal_array(value, node, dtype, tensor=True)
    elif isinstance(value, array_ops.ListOf):
        arr = array_ops.list_array(value, dtype, node, tensor=True)
    elif isinstance(value, Const) and isinstance(value.value, (int, float)):
        arr = to_array(value, node)
        arr = arr.but(tensor=True, dtype=dtype or ("float32" if isinstance(value.value, float) else "int32"))
    else:
        return None
    if arr is None:
        return None
    if not a.is_none("shape"):
        shape = as_shape(a.get("shape"))
        arr = arr.but(shape=shape)
    return arr


def cast(arr: Array, dtype: str, node, tensor: bool) -> Array:
    """``arr`` converted to ``dtype``: floats become integers by truncation
    toward zero, so an open upper bound ``[0, 3)`` becomes ``0..2``."""
    lo, hi, open_hi = arr.lo, arr.hi, arr.open_hi
    if dtype in INT_DTYPES and arr.dtype not in INT_DTYPES:
        if arr.dtype not in FLOAT_DTYPES and arr.dtype != "bool":
            lo = hi = None
        lo = None if lo is None else float(math.trunc(lo))
        if hi is not None:
            hi = float(math.ceil(hi) - 1) if open_hi and float(hi).is_integer() else float(math.trunc(hi))
        open_hi = False
    if dtype == "bool":
        lo, hi, open_hi = (0.0, 1.0, False) if lo is not None and hi is not None else (None, None, False)
    return arr.but(dtype=dtype, lo=lo, hi=hi, open_hi=open_hi, tensor=tensor, origin=Origin(node))


def tf_cast(ip, a, node):
    arr = to_array(a.get("x"), node)
    dtype = dtype_of(a.get("dtype"))
    if arr is None or dtype is None:
        return None
    return cast(arr, dtype, node, tensor=True)


def tf_one_hot(ip, a, node):
    """``tf.one_hot(indices, depth, on_value=None, off_value=None, axis=None,
    dtype=None)``: ``on``/``off`` default to 1 and 0; the dtype follows them;
    the new axis of size ``depth`` goes at ``axis`` (default last)."""
    labels = to_array(a.get("indices"), node)
    depth = _int(a.get("depth"))
    if labels is None or depth is None or labels.shape is None:
        return None
    on, off = a.get("on_value", default=Const(1)), a.get("off_value", default=Const(0))
    on_v, off_v = py(on, False), py(off, False)
    values = [v for v in (on_v, off_v) if v is not None]
    if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in values):
        return None
    given = [v for v, name in ((on_v, "on_value"), (off_v, "off_value")) if a.has(name) and v is not None]
    inferred = None if not given else ("float32" if isinstance(given[0], float) else "int32")
    dtype = dtype_of(a.get("dtype"), inferred or "float32")
    if any(isinstance(v, float) for v in given) and dtype not in FLOAT_DTYPES:
        return None  # TensorFlow raises: a float on/off value for an integer dtype
    on_v = 1 if on_v is None else on_v
    off_v = 0 if off_v is None else off_v
    axis = py(a.get("axis", default=Const(-1)), False)
    axis = -1 if axis is None else axis
    if not isinstance(axis, int) or isinstance(axis, bool) or not -1 <= axis <= len(labels.shape):
        return None
    shape = labels.shape + (depth,) if axis == -1 else labels.shape[:axis] + (depth,) + labels.shape[axis:]
    if labels.hi is not None and not ip.guarded:
        ip.facts.one_hots.append(OneHot(node, "tf.one_hot", labels, depth, a.node_of("depth")))
    onehot = axis in (-1, len(labels.shape)) and on_v == 1 and off_v == 0
    return Array(shape, dtype, float(min(on_v, off_v)), float(max(on_v, off_v)), onehot=onehot,
                 origin=Origin(node), tensor=True)


def tf_random(kind: str):
    def handler(ip, a, node):
        shape = as_shape(a.get("shape"))
        if shape is None:
            return None
        dtype = dtype_of(a.get("dtype"))
        if dtype is None:
            return None
        if kind == "uniform":
            lo = _num(a.get("minval", default=Const(0)))
            maxval = a.get("maxval")
            if dtype in INT_DTYPES:
                if a.is_none("maxval"):
                    return None  # TensorFlow raises: integer uniform needs maxval
                hi = _num(maxval)
                hi = None if hi is None else hi - 1
                return Array(shape, dtype, lo, hi, origin=Origin(node), tensor=True)
            hi = 1.0 if a.is_none("maxval") else _num(maxval)  # maxval=None: 1 for floats
            if lo is not None and hi is not None and lo > hi:
                lo = hi = None
            # Floating-point uniform values stay below maxval.
            return Array(shape, dtype, lo, hi, open_hi=hi is not None, origin=Origin(node), tensor=True)
        return Array(shape, dtype, origin=Origin(node), tensor=True)
    return handler


def tf_range(ip, a, node):
    """``tf.range(start, limit=None, delta=1, dtype=None)``: without a limit,
    ``start`` is the limit (also when given as ``start=``)."""
    start, limit, delta = a.get("start"), a.get("limit"), a.get("delta")
    if a.is_none("limit"):
        start, limit = Const(0), start
    arr = _range_of(start, limit, delta, None, node)
    if arr is None:
        return None
    dtype = dtype_of(a.get("dtype"))
    if dtype is None and not a.is_none("dtype"):
        return None
    return arr.but(tensor=True, dtype=dtype or ("float32" if arr.dtype == "float64" else "int32"))


def tf_convert(ip, a, node):
    return converted(a.get("value"), a.get("dtype"), node)


def converted(value: Any, dtype_arg: Any, node) -> Optional[Array]:
    """``value`` as ``tf.convert_to_tensor(value, dtype)`` makes it a tensor
    (also ``keras.ops.convert_to_tensor``, see keras_ops.py), or None."""
    dtype = dtype_of(dtype_arg)
    arr = literal_array(value, node, dtype, tensor=True) if isinstance(value, Seq) else to_array(value, node)
    if arr is None:
        return None
    return arr.but(tensor=True, dtype=dtype or arr.dtype, origin=Origin(node))


def from_tensor_slices(ip, a, node):
    value = a.get("tensors")
    if isinstance(value, Seq) and not isinstance(value.items[0] if value.items else None, (Seq, Dict_, Array)):
        value = literal_array(value, node, tensor=True)  # Python numbers become float32 / int32 tensors
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
        return literal_array(value, node, tensor=True)  # as TF converts a Python list
    return None


# ------------------------------------------------------------------ keras
def to_categorical(ip, a, node):
    labels = to_array(a.get("x"), node)
    if labels is None or labels.shape is None:
        return None
    if a.is_none("num_classes"):  # the largest label + 1
        if labels.tensor:
            return None  # Keras raises: a tensor needs num_classes
        depth = int(labels.hi) + 1 if labels.hi is not None else None
    else:
        depth = _int(a.get("num_classes"))
    if not a.is_none("num_classes") and labels.hi is not None and depth is not None and not ip.guarded:
        ip.facts.one_hots.append(OneHot(node, "to_categorical", labels, depth, a.node_of("num_classes")))
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    # A NumPy result is float64; a tensor argument gives a float32 tensor.
    return Array(shape + (depth,), "float32" if labels.tensor else "float64", 0.0, 1.0, onehot=True,
                 origin=Origin(node), tensor=labels.tensor)


def keras_input(ip, a, node):
    return ip.input_sym(a, node, a.get("shape"), a.get("batch_shape"))


def keras_sequential(ip, a, node):
    return ip.sequential(a.get("layers"), node)


def keras_model(ip, a, node):
    return ip.functional(a, node)


def _merge_fn(kind: str):
    def handler(ip, a, node):
        layer = Layer(kind, [], plain_kwargs(a, exclude=("inputs",)), Origin(node))
        inputs = a.get("inputs")
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
        if "ignore_class" in a.sig and a.has("ignore_class"):
            return LossFn(None, Origin(node), name, plain_kwargs(a))
        return LossFn(family, Origin(node), name, plain_kwargs(a))
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
        if name == "cifar100" and py(a.get("label_mode")) == "coarse":
            y_range = (0, 19)
        if x_shape is None:  # lists of word ids of different lengths
            words = _int(a.get("num_words"))
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
    """``pad_sequences(sequences, maxlen=None, dtype='int32', padding='pre',
    truncating='pre', value=0.0)``: ``(samples, maxlen)`` filled with ``value``."""
    seqs = a.get("sequences")
    if isinstance(seqs, array_ops.ListOf):
        seqs = array_ops.as_sequences(seqs, node)
    elif isinstance(seqs, Seq):
        seqs = sequences.list_as_sequences(seqs, node)
    if not isinstance(seqs, Array) or not seqs.shape:
        return None
    if py(a.get("padding")) not in ("pre", "post") or py(a.get("truncating")) not in ("pre", "post"):
        return None
    inner = seqs.shape[2:] if len(seqs.shape) > 2 and not seqs.ragged else ()
    if a.is_none("maxlen"):  # the longest sequence
        maxlen = seqs.shape[1] if len(seqs.shape) > 1 and not seqs.ragged else None
    else:
        maxlen = _int(a.get("maxlen"))
    value = _num(a.get("value"))
    # Whether some sequence is padded with ``value``: True, False or None (unknown).
    if seqs.ragged:
        pads = True if a.is_none("maxlen") else None
    elif len(seqs.shape) > 1 and seqs.shape[1] is not None:
        pads = None if maxlen is None and not a.is_none("maxlen") else maxlen is not None and seqs.shape[1] < maxlen
    else:
        pads = None
    lo, hi = seqs.lo, seqs.hi
    if pads is not False:  # ``value`` may (or does) appear
        if pads is True and value is not None:
            lo = None if lo is None else min(lo, value)
            hi = None if hi is None else max(hi, value)
        else:
            lo = lo if value is not None and lo is not None and value >= lo else None
            hi = hi if value is not None and hi is not None and value <= hi else None
    dtype = dtype_of(a.get("dtype"))
    if dtype in INT_DTYPES and seqs.dtype not in FLOAT_DTYPES:
        lo = None if lo is None else float(math.trunc(lo))
        hi = None if hi is None else float(math.trunc(hi))
    elif dtype not in FLOAT_DTYPES:
        lo = hi = None
    return Array((seqs.shape[0], maxlen) + inner, dtype, lo, hi, origin=Origin(node))


def train_test_split(ip, a, node):
    """sklearn's train_test_split: each array split in two along axis 0."""
    if not isinstance(a.get("arrays"), Seq) or not a.get("arrays").items:
        return None
    arrays = [to_array(v, node) if isinstance(v, Seq) else v for v in a.get("arrays").items]
    test_size, train_size = py(a.get("test_size")), py(a.get("train_size"))
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


def _frame(ip, a, node):
    return sources.read_frame(ip, a, node)


def frame_method(frame: Frame, method: str, a, node) -> Any:
    return sources.frame_method(frame, method, a, node)


def encoder_method(method: str, a, node) -> Any:
    if method in ("fit_transform", "transform"):
        arr = to_array(a.get("y"), node)
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
    if name == "np.dot":  # not broadcast: every row of a with every matrix of b
        batch = a[:-2] + (a[-2],) + b[:-2]
        shape = batch + (b[-1],)
    else:
        batch = _broadcast(a[:-2], b[:-2])
        if batch is None:
            return None
        shape = batch + (a[-2], b[-1])
    tensor = left.tensor or right.tensor
    return Array(shape, left.dtype if left.dtype == right.dtype else None, origin=Origin(node), tensor=tensor)


def _swap_last(value: Any) -> Any:
    """A matrix operand as ``transpose_a=True`` / ``adjoint_a=True`` sees it."""
    if not isinstance(value, Array) or value.shape is None or len(value.shape) < 2:
        return None
    return value.but(shape=value.shape[:-2] + (value.shape[-1], value.shape[-2]), onehot=False)


def _matmul_fn(name: str, tensor: bool):
    def handler(ip, a, node):
        left = a.get("x1" if name == "np.matmul" else "a")
        right = a.get("x2" if name == "np.matmul" else "b")
        if tensor:
            left, right = _tensor_arg(left, node), _tensor_arg(right, node)
            flags = {k: py(a.get(k)) for k in ("transpose_a", "transpose_b", "adjoint_a", "adjoint_b")}
            if any(not isinstance(v, bool) for v in flags.values()):
                return None
            if flags["transpose_a"] and flags["adjoint_a"] or flags["transpose_b"] and flags["adjoint_b"]:
                return None  # TensorFlow raises
            if flags["transpose_a"] or flags["adjoint_a"]:
                left = _swap_last(left)
            if flags["transpose_b"] or flags["adjoint_b"]:
                right = _swap_last(right)
            if left is None or right is None:
                return None
            out = matmul(ip, left, right, node, name)
            if isinstance(out, Array) and not a.is_none("output_type"):
                out = out.but(dtype=dtype_of(a.get("output_type")))
            return out
        if name == "np.matmul" and (a.has("out") or py(a.get("keepdims")) is not False
                                     or a.has("axes") or a.has("axis") or a.has("dtype")):
            return None
        if name == "np.dot" and a.has("out"):
            return None
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
        left, right = _tensor_arg(a.get("x"), node), _tensor_arg(a.get("y"), node)
        if isinstance(left, Array) and isinstance(right, Array):
            _record(ip, node, "elementwise", f"tf.{name}", left, right)
            return _array_op(_ELEMENTWISE[name], left, right, node)
        return None
    return handler


# The signature of every modelled library function and method, as in the
# installed NumPy 2.4 / TensorFlow 2.21 / Keras 3.15 (tests/test_signatures.py
# compares each with the real one). A call is bound to it the way Python binds
# (see :mod:`signatures`); a call that does not bind is unknown. Methods are
# declared without ``self``.
_NP_CREATE = "shape, dtype=None, order='C', *, device=None, like=None"
_NP_LIKE = "a, dtype=None, order='K', subok=True, shape=None, *, device=None"
_TF_FILL = "shape, dtype='float32', name=None, layout=None"
_TF_NORMAL = "shape, mean=0.0, stddev=1.0, dtype='float32', seed=None, name=None"
_TF_MATMUL = ("a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse=False, "
              "b_is_sparse=False, output_type=None, grad_a=False, grad_b=False, name=None")
_TF_BINARY = "x, y, name=None"
_ARGMAX = "a, axis=None, out=None, *, keepdims=False"
_PAD = "sequences, maxlen=None, dtype='int32', padding='pre', truncating='pre', value=0.0"
_LOSS_TAIL = "reduction='sum_over_batch_size', name={}, dtype=None"
_NP_SCALAR = "value=0, /"
SIGNATURE_TEXT: Dict[str, str] = {
    # numpy.random (the legacy module functions)
    "numpy.random.rand": "*args", "numpy.random.randn": "*args",
    "numpy.random.standard_normal": "size=None", "numpy.random.random": "size=None",
    "numpy.random.random_sample": "size=None",
    "numpy.random.ranf": "*args, **kwargs", "numpy.random.sample": "*args, **kwargs",
    "numpy.random.uniform": "low=0.0, high=1.0, size=None", "numpy.random.normal": "loc=0.0, scale=1.0, size=None",
    "numpy.random.randint": "low, high=None, size=None, dtype='int64'",
    "numpy.random.choice": "a, size=None, replace=True, p=None", "numpy.random.permutation": "x",
    "numpy.random.default_rng": "seed=None", "numpy.random.RandomState": "seed=None",
    "numpy.random.seed": "seed=None", "numpy.random.shuffle": "x",
    # numpy
    "numpy.zeros": _NP_CREATE, "numpy.ones": _NP_CREATE, "numpy.empty": _NP_CREATE,
    "numpy.full": "shape, fill_value, dtype=None, order='C', *, device=None, like=None",
    "numpy.zeros_like": _NP_LIKE, "numpy.ones_like": _NP_LIKE,
    "numpy.empty_like": "prototype, /, dtype=None, order='K', subok=True, shape=None, *, device=None",
    # inspect shows (start_or_stop, /, stop=None, step=1, *, dtype=None, ...): NumPy's parser takes start=,
    # stop=, step= by keyword and dtype by position (tests/test_signatures.py calls it to show it).
    "numpy.arange": "start=None, stop=None, step=None, dtype=None, *, device=None, like=None",
    "numpy.linspace": "start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None",
    "numpy.array": "object, dtype=None, *, copy=True, order='K', subok=False, ndmin=0, ndmax=0, like=None",
    "numpy.asarray": "a, dtype=None, order=None, *, device=None, copy=None, like=None",
    "numpy.eye": "N, M=None, k=0, dtype='float64', order='C', *, device=None, like=None",
    "numpy.identity": "n, dtype=None, *, like=None",
    "numpy.expand_dims": "a, axis",
    "numpy.concatenate": "arrays, /, axis=0, out=None, *, dtype=None, casting='same_kind'",
    "numpy.stack": "arrays, axis=0, out=None, *, dtype=None, casting='same_kind'",
    "numpy.reshape": "a, /, shape, order='C', *, copy=None", "numpy.squeeze": "a, axis=None",
    "numpy.argmax": _ARGMAX, "numpy.argmin": _ARGMAX, "numpy.transpose": "a, axes=None",
    "numpy.matmul": ("x1, x2, /, out=None, *, axes=None, axis=None, keepdims=False, casting='same_kind', order='K', "
                     "dtype=None, subok=True, signature=None"),
    "numpy.dot": "a, b, out=None",
    # methods
    "numpy.ndarray.reshape": "*shape, order='C', copy=None",
    "numpy.ndarray.astype": "dtype, order='K', casting='unsafe', subok=True, copy=True",
    "numpy.ndarray.flatten": "order='C'", "numpy.ndarray.ravel": "order='C'", "numpy.ndarray.copy": "order='C'",
    "numpy.ndarray.squeeze": "axis=None", "numpy.ndarray.transpose": "*axes",
    "numpy.ndarray.argmax": "axis=None, out=None, *, keepdims=False",
    "numpy.random.Generator.integers": "low, high=None, size=None, dtype='int64', endpoint=False",
    "numpy.random.Generator.random": "size=None, dtype='float64', out=None",
    "numpy.random.Generator.standard_normal": "size=None, dtype='float64', out=None",
    "numpy.random.Generator.normal": "loc=0.0, scale=1.0, size=None",
    "numpy.random.Generator.uniform": "low=0.0, high=1.0, size=None",
    "numpy.random.Generator.choice": "a, size=None, replace=True, p=None, axis=0, shuffle=True",
    "numpy.random.Generator.permutation": "x, axis=0",
    "numpy.random.RandomState.randint": "low, high=None, size=None, dtype='int64'",
    "numpy.random.RandomState.rand": "*args", "numpy.random.RandomState.randn": "*args",
    "numpy.random.RandomState.random": "size=None", "numpy.random.RandomState.random_sample": "size=None",
    "numpy.random.RandomState.standard_normal": "size=None",
    "numpy.random.RandomState.normal": "loc=0.0, scale=1.0, size=None",
    "numpy.random.RandomState.uniform": "low=0.0, high=1.0, size=None",
    "numpy.random.RandomState.choice": "a, size=None, replace=True, p=None",
    "numpy.random.RandomState.permutation": "x",
    # tensorflow
    "tensorflow.constant": "value, dtype=None, shape=None, name='Const'",
    "tensorflow.convert_to_tensor": "value, dtype=None, dtype_hint=None, name=None",
    "tensorflow.cast": "x, dtype, name=None",
    "tensorflow.reshape": "tensor, shape, name=None",
    "tensorflow.one_hot": "indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None",
    "tensorflow.expand_dims": "input, axis, name=None", "tensorflow.squeeze": "input, axis=None, name=None",
    "tensorflow.concat": "values, axis, name='concat'", "tensorflow.stack": "values, axis=0, name='stack'",
    "tensorflow.zeros": _TF_FILL, "tensorflow.ones": _TF_FILL,
    "tensorflow.random.normal": _TF_NORMAL, "tensorflow.random.truncated_normal": _TF_NORMAL,
    "tensorflow.random.uniform": "shape, minval=0, maxval=None, dtype='float32', seed=None, name=None",
    "tensorflow.random.set_seed": "seed",
    "tensorflow.range": "start, limit=None, delta=1, dtype=None, name='range'",
    "tensorflow.argmax": "input, axis=None, output_type='int64', name=None",
    "tensorflow.transpose": "a, perm=None, conjugate=False, name='transpose'",
    "tensorflow.matmul": _TF_MATMUL, "tensorflow.linalg.matmul": _TF_MATMUL,
    "tensorflow.add": _TF_BINARY, "tensorflow.math.add": _TF_BINARY,
    "tensorflow.subtract": _TF_BINARY, "tensorflow.math.subtract": _TF_BINARY,
    "tensorflow.multiply": _TF_BINARY, "tensorflow.math.multiply": _TF_BINARY,
    "tensorflow.divide": _TF_BINARY, "tensorflow.math.divide": _TF_BINARY,
    "tensorflow.data.Dataset.from_tensor_slices": "tensors, name=None",
    # keras
    "keras.utils.to_categorical": "x, num_classes=None",
    "keras.utils.pad_sequences": _PAD, "keras.preprocessing.sequence.pad_sequences": _PAD,
    "keras.utils.set_random_seed": "seed",
    "keras.Input": ("shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None, name=None, "
                    "tensor=None, optional=False"),
    # keras.Sequential / keras.Model take (*args, **kwargs) and pass them on to these __init__ methods.
    "keras.Sequential": "layers=None, trainable=True, name=None",
    "keras.Model": "inputs, outputs, name=None, **kwargs",
    "keras.layers.concatenate": "inputs, axis=-1, **kwargs", "keras.layers.add": "inputs, **kwargs",
    "keras.layers.multiply": "inputs, **kwargs", "keras.layers.average": "inputs, **kwargs",
    "keras.layers.subtract": "inputs, **kwargs",
    "keras.losses.SparseCategoricalCrossentropy": (
        "from_logits=False, ignore_class=None, reduction='sum_over_batch_size', axis=-1, "
        "name='sparse_categorical_crossentropy', dtype=None"),
    "keras.losses.CategoricalCrossentropy": "from_logits=False, label_smoothing=0.0, axis=-1, " + _LOSS_TAIL.format(
        "'categorical_crossentropy'"),
    "keras.losses.BinaryCrossentropy": "from_logits=False, label_smoothing=0.0, axis=-1, " + _LOSS_TAIL.format(
        "'binary_crossentropy'"),
    "keras.losses.MeanSquaredError": _LOSS_TAIL.format("'mean_squared_error'"),
    "keras.losses.MeanAbsoluteError": _LOSS_TAIL.format("'mean_absolute_error'"),
    "keras.losses.Huber": "delta=1.0, " + _LOSS_TAIL.format("'huber_loss'"),
    "keras.datasets.mnist.load_data": "path='mnist.npz'",
    "keras.datasets.fashion_mnist.load_data": "",
    "keras.datasets.cifar10.load_data": "", "keras.datasets.cifar100.load_data": "label_mode='fine'",
    "keras.datasets.boston_housing.load_data": "path='boston_housing.npz', test_split=0.2, seed=113",
    "keras.datasets.imdb.load_data": ("path='imdb.npz', num_words=None, skip_top=0, maxlen=None, seed=113, "
                                      "start_char=1, oov_char=2, index_from=3, **kwargs"),
    "keras.datasets.reuters.load_data": ("path='reuters.npz', num_words=None, skip_top=0, maxlen=None, "
                                         "test_split=0.2, seed=113, start_char=1, oov_char=2, index_from=3"),
    # scikit-learn
    "sklearn.model_selection.train_test_split": (
        "*arrays, test_size=None, train_size=None, random_state=None, shuffle=True, stratify=None"),
    "sklearn.preprocessing.LabelEncoder": "",
    "sklearn.preprocessing.LabelEncoder.fit_transform": "y", "sklearn.preprocessing.LabelEncoder.transform": "y",
}
for _dt in FLOAT_DTYPES + INT_DTYPES:
    if _dt != "bfloat16":
        SIGNATURE_TEXT["numpy." + _dt] = _NP_SCALAR
SIGNATURE_TEXT.update(datasets.SIGNATURE_TEXT)
SIGNATURE_TEXT.update(tensor_ops.SIGNATURE_TEXT)
SIGNATURE_TEXT.update(keras_ops.SIGNATURE_TEXT)
SIGNATURE_TEXT.update(sources.SIGNATURE_TEXT)
SIGNATURE_TEXT.update(array_ops.SIGNATURE_TEXT)
SIGNATURE_TEXT.update(loops.SIGNATURE_TEXT)
SIGNATURE_TEXT.update(applications.SIGNATURE_TEXT)
SIGNATURE_TEXT.update(builders.SIGNATURE_TEXT)
SIGNATURE_TEXT.update(recommenders.SIGNATURE_TEXT)
SIGNATURES: Dict[str, Signature] = {name: parse(text) for name, text in SIGNATURE_TEXT.items()}
LAYER_SIGNATURES: Dict[str, Signature] = {kind: parse(text) for kind, text in L.SIGNATURES.items()}


CALLS: Dict[str, Callable] = {
    "numpy.random.rand": np_rand, "numpy.random.randn": np_randn,
    "numpy.random.standard_normal": np_standard_normal, "numpy.random.random": np_random,
    "numpy.random.random_sample": np_random, "numpy.random.ranf": np_random, "numpy.random.sample": np_random,
    "numpy.random.uniform": np_uniform, "numpy.random.normal": np_normal, "numpy.random.randint": np_randint,
    "numpy.random.choice": np_choice, "numpy.random.permutation": np_permutation,
    "numpy.random.default_rng": np_rng("Generator"), "numpy.random.RandomState": np_rng("RandomState"),
    "numpy.zeros": _filled(0.0, "float64"), "numpy.ones": _filled(1.0, "float64"), "numpy.empty": _filled(None, "float64"),
    "numpy.full": np_full, "numpy.zeros_like": _like(0.0), "numpy.ones_like": _like(1.0), "numpy.empty_like": _like(None, "prototype"),
    "numpy.arange": np_arange, "numpy.linspace": np_linspace, "numpy.array": _np_array("object"), "numpy.asarray": _np_array("a"),
    "numpy.eye": np_eye, "numpy.identity": np_identity,
    "numpy.expand_dims": _expand_dims("a"), "numpy.stack": _join(True),  # numpy.concatenate: array_ops
    "numpy.reshape": _fn_reshape("a"), "numpy.squeeze": _squeeze_fn("a"), "numpy.argmax": np_argmax,
    "numpy.argmin": np_argmax, "numpy.transpose": _transpose_fn("axes"), "tensorflow.transpose": _transpose_fn("perm"),
    "tensorflow.constant": tf_constant, "tensorflow.convert_to_tensor": tf_convert, "tensorflow.cast": tf_cast,
    "tensorflow.reshape": _fn_reshape("tensor"), "tensorflow.one_hot": tf_one_hot,
    "tensorflow.expand_dims": _expand_dims("input"), "tensorflow.squeeze": _squeeze_fn("input"), "tensorflow.concat": _join(False, True), "tensorflow.stack": _join(True, True),
    "tensorflow.zeros": _filled(0.0, "float32", True), "tensorflow.ones": _filled(1.0, "float32", True),
    "tensorflow.random.normal": tf_random("normal"), "tensorflow.random.uniform": tf_random("uniform"),
    "tensorflow.random.truncated_normal": tf_random("normal"), "tensorflow.range": tf_range,
    "tensorflow.argmax": tf_argmax,
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
    "builtins.zip": lambda ip, a, node: sources.builtin_zip(a, node),
    "builtins.dict": lambda ip, a, node: sources.builtin_dict(a, node),
    "builtins.enumerate": lambda ip, a, node: _enumerate(a, node),
}
for _name in DATASETS:
    CALLS[f"keras.datasets.{_name}.load_data"] = load_data(_name)
CALLS.update(datasets.CALLS)
CALLS.update(tensor_ops.CALLS)
CALLS.update(keras_ops.CALLS)
CALLS.update(sources.CALLS)
CALLS.update(array_ops.CALLS)
CALLS.update(loops.CALLS)
CALLS.update(iteration.CALLS)
CALLS.update(typechecks.CALLS)
CALLS.update(applications.CALLS)
CALLS.update(builders.CALLS)
array_ops.CONSTANTS.update(tensor_ops.CONSTANTS)
CALLS.update(recommenders.calls(CALLS))
for _dt in FLOAT_DTYPES + INT_DTYPES:
    if _dt != "bfloat16":  # not a NumPy type
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


def _enumerate(a, node) -> Any:
    """``enumerate(seq, start=0)`` of a known list or tuple: a list of
    (index, item) pairs (what a ``for`` loop over it goes through)."""
    items = a.get(None, 0)
    start = _int(a.kw.get("start", a.pos[1] if len(a.pos) > 1 else Const(0)))
    if a.star or not isinstance(items, Seq) or start is None or len(a.pos) + len(a.kw) > 2 or \
            any(k != "start" for k in a.kw):
        return None
    return Seq([Seq([Const(start + i), v], "tuple", Origin(node)) for i, v in enumerate(items.items)], "list",
               Origin(node))


def _len(a) -> Any:
    value = a.get(None, 0)
    if isinstance(value, Array) and value.samples is not None:
        return Const(value.samples)
    if isinstance(value, Seq):
        return Const(len(value.items))
    if isinstance(value, array_ops.ListOf) and value.count is not None:
        return Const(value.count)
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
        sig = SIGNATURES.get(name)
        if sig is not None:
            a = bind(sig, a)
            if a is None:  # Python would raise, or the arguments are not all known
                return None
        return handler(ip, a, node)
    if name.startswith("keras.layers.") and name[13:14].isupper():
        # Unknown layer kinds become layers too: models holding them are inexact.
        nodes = {**dict(enumerate(a.pos_nodes)), **a.kw_nodes}
        layer = Layer(name[13:], list(a.pos), dict(a.kw), Origin(node), complete=not a.star, nodes=nodes)
        if name[13:] in LAYER_SIGNATURES and not a.star:
            bound = bind(LAYER_SIGNATURES[name[13:]], a)
            if bound is None:  # Keras raises: the layer is not built
                return None
            # Every argument by its parameter name (positional ones included).
            nodes = {**a.kw_nodes, **{k: v for k, v in bound.nodes.items() if v is not None}}
            layer = Layer(name[13:], [], plain_kwargs(bound), Origin(node), nodes=nodes)
            if layer.kind == "Lambda":
                callables.lambda_layer(ip, layer)
        if not ip.guarded:
            ip.facts.layers.append(layer)
        return layer
    if name.startswith(("numpy.", "tensorflow.", "keras.", "builtins.")) and not any(isinstance(v, Model) for v in a.values()):
        return None
    ip.escape(a)
    return None


# ---------------------------------------------------------------- methods
_RNG_METHODS = {
    "integers": rng_integers, "random": np_random, "random_sample": np_random, "standard_normal": np_standard_normal,
    "normal": np_normal, "uniform": np_uniform, "randint": np_randint, "rand": np_rand, "randn": np_randn,
    "choice": np_choice, "permutation": np_permutation,
}


def _bind_method(cls: str, method: str, a) -> Any:
    """The arguments of ``obj.method(...)`` bound to the method's signature
    (``None`` when it has none or the call does not bind)."""
    sig = SIGNATURES.get(f"{cls}.{method}")
    return None if sig is None else bind(sig, a)


def call_method(ip, receiver: Any, method: str, a, node: cst.Call) -> Any:
    if isinstance(receiver, Dict_) and method in ("values", "keys", "items"):
        from .comprehensions import dict_view
        return dict_view(receiver, method, a)
    if isinstance(receiver, Array):
        return array_method(receiver, method, a, node)
    if isinstance(receiver, Dataset):
        return datasets.method(ip, receiver, method, a, node)
    if isinstance(receiver, Frame):
        return frame_method(receiver, method, a, node)
    if isinstance(receiver, sources.Source):
        return sources.method(ip, receiver, method, a, node)
    if isinstance(receiver, Encoder):
        bound = _bind_method("sklearn.preprocessing.LabelEncoder", method, a)
        return encoder_method(method, bound, node) if bound is not None else None
    if isinstance(receiver, Layer) and method in ("build", "compute_output_shape"):
        from .own_layers import layer_method
        return layer_method(receiver, method, a, node)
    if isinstance(receiver, Layer) and method in ("adapt", "set_vocabulary", "load_assets"):
        setattr(receiver, "adapted", True)  # its vocabulary is now the data's
    if isinstance(receiver, Const) and isinstance(receiver.value, str):
        return strings.method(receiver, method, a, node)
    if isinstance(receiver, Rng):
        bound = _bind_method(f"numpy.random.{receiver.kind}", method, a)
        handler = _RNG_METHODS.get(method)
        return handler(ip, bound, node) if bound is not None and handler is not None else None
    ip.escape(a)
    return None


def array_method(arr: Array, method: str, a, node: cst.Call) -> Any:
    if method == "numpy":
        return arr.but(tensor=False) if not a.pos and not a.kw and not a.star else None
    b = _bind_method("numpy.ndarray", method, a)
    if b is None or arr.tensor and method in array_ops.METHOD_SIGNATURES:
        return None
    out = array_ops.method(arr, method, b, node)
    if out is not array_ops.NOT_MODELLED:
        return out
    if method == "reshape":
        dims = b.get("shape").items
        shape = dims[0] if len(dims) == 1 else Seq(list(dims))
        return reshape(arr, shape, node)
    if method == "astype":
        dtype = dtype_of(b.get("dtype"))
        if dtype is None:
            return arr.but(dtype=None, origin=Origin(node))
        return cast(arr, dtype, node, tensor=arr.tensor)
    if method in ("flatten", "ravel"):
        size = _known_size(arr.shape)
        return arr.but(shape=(size,) if arr.shape is not None else None, origin=Origin(node), onehot=False)
    if method in ("copy", "numpy"):
        return arr.but(tensor=False) if method == "numpy" else arr.but()
    if method == "squeeze":
        return squeeze(arr, b.get("axis", default=Const(None)), node)
    if method == "transpose":
        axes = b.get("axes").items
        if len(axes) == 1 and py(axes[0], False) is None:
            axes = []
        perm = py(axes[0], False) if len(axes) == 1 else py(Seq(list(axes)), False) if axes else None
        if perm is False:
            return None
        return transpose(arr, perm, node)
    if method == "argmax":
        if py(b.get("keepdims")) is not False or b.has("out"):
            return None
        return _argmax(arr, b.get("axis"), "int64", node)
    return None


# -------------------------------------------------------- attributes & ops
def attribute(ip, base: Any, attr: str, node: cst.Attribute) -> Any:
    if isinstance(base, Dataset):
        return datasets.attribute(base, attr, node)
    if isinstance(base, Model):
        from .own_layers import model_attribute
        found = applications.model_attribute(base, attr)
        return found if found is not None else model_attribute(base, attr)
    if isinstance(base, ModuleRef):
        return array_ops.constant(f"{base.path}.{attr}") or ModuleRef(f"{base.path}.{attr}")
    if isinstance(base, sources.Source):
        return sources.attribute(base, attr)
    if isinstance(base, Frame):
        return sources.frame_attribute(base, attr, node)
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
        if type(op) is cst.Add:
            return x + y
        if type(op) is cst.Subtract:
            return x - y
        if type(op) is cst.Multiply:
            return x * y
        if type(op) is cst.Divide:
            return x / y
        if type(op) is cst.FloorDivide:
            return x // y
        if type(op) is cst.Modulo:
            return x % y
        if type(op) is cst.Power:
            return x ** y if abs(y) < 64 else None
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        return None
    return None


_OP_SYMBOLS = {cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/"}


def binop(ip, op: cst.BaseBinaryOp, left: Any, right: Any, node) -> Any:
    if type(op) is cst.MatrixMultiply:
        return matmul(ip, left, right, node, "@")
    if type(op) in (cst.BitOr, cst.BitAnd, cst.BitXor, cst.LeftShift, cst.RightShift):
        return None
    if isinstance(left, array_ops.Index) or isinstance(right, array_ops.Index):
        return array_ops.index_binop(op, left, right)
    if isinstance(left, Const) and isinstance(right, Const):
        lv, rv = left.value, right.value
        if isinstance(lv, (int, float)) and isinstance(rv, (int, float)) and not isinstance(lv, bool) and not isinstance(rv, bool):
            value = _arith(op, lv, rv)
            if value is None:
                return None
            if isinstance(lv, int) and isinstance(rv, int) and type(op) is not cst.Divide:
                value = int(value)
                if not budget.small_int(ip, value, node):
                    return None
            return Const(value, Origin(node))
        return None
    if isinstance(left, Seq) and isinstance(right, Seq) and type(op) is cst.Add:
        if len(left.items) + len(right.items) > budget.MAX_ITEMS:
            budget.give_up(ip, node, f"a sequence longer than {budget.MAX_ITEMS} items")
            return None
        return Seq(left.items + right.items, left.kind, Origin(node))
    if type(op) is cst.Multiply and isinstance(left, Seq) != isinstance(right, Seq):
        seq, times = (left, right) if isinstance(left, Seq) else (right, left)
        n = py(times)
        if isinstance(n, int) and not isinstance(n, bool) and 0 <= n * len(seq.items) <= budget.MAX_ITEMS:
            return Seq(seq.items * n, seq.kind, Origin(node))
        return None
    symbol = _OP_SYMBOLS.get(type(op))
    if isinstance(left, Array) and isinstance(right, Const):
        if symbol and node is not None and type(node) is not cst.AugAssign:
            _record(ip, node, "elementwise", symbol, left, right)
        return _scalar_op(op, left, right.value, node, array_left=True)
    if isinstance(left, Const) and isinstance(right, Array):
        if symbol and node is not None and type(node) is not cst.AugAssign:
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
    if type(op) is cst.Divide and dtype in INT_DTYPES:
        dtype = "float64"
    return Array(shape, dtype, origin=Origin(node), tensor=left.tensor or right.tensor)


def _scalar_op(op, arr: Array, scalar: Any, node, array_left: bool) -> Optional[Array]:
    if isinstance(scalar, bool) or not isinstance(scalar, (int, float)):
        return None
    dtype = arr.dtype
    if type(op) is cst.Divide or isinstance(scalar, float):
        if dtype in INT_DTYPES or dtype == "bool":
            dtype = "float32" if arr.tensor else "float64"
    lo = hi = None
    open_hi = False
    if arr.lo is not None and arr.hi is not None:
        a_vals = [arr.lo, arr.hi]
        results = [_arith(op, v, scalar) if array_left else _arith(op, scalar, v) for v in a_vals]
        monotonic = type(op) in (cst.Add, cst.Subtract, cst.Multiply, cst.Divide)
        if monotonic and None not in results:
            lo, hi = min(results), max(results)
            if arr.open_hi:
                if results[1] >= results[0]:
                    open_hi = True
                else:  # the bound never reached is now the lower one: keep it unknown
                    lo = None
        elif type(op) is cst.FloorDivide and None not in results and not arr.open_hi:
            lo, hi = min(results), max(results)
    return arr.but(dtype=dtype, lo=lo, hi=hi, open_hi=open_hi, origin=Origin(node), onehot=False)


def _broadcast(a: Shape, b: Shape) -> Shape:
    if a is None or b is None:
        return None
    out = []
    for x, y in zip(reversed((1,) * (len(b) - len(a)) + a if len(b) > len(a) else a),
                    reversed((1,) * (len(a) - len(b)) + b if len(a) > len(b) else b)):
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
    if type(op) is cst.Minus:
        if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
            return Const(-value.value, Origin(node))
        if isinstance(value, Array):
            lo = None if value.hi is None or value.open_hi else -value.hi
            hi = None if value.lo is None else -value.lo
            return value.but(lo=lo, hi=hi, open_hi=False, origin=Origin(node), onehot=False)
    if type(op) is cst.Plus:
        return value
    return None


def subscript(ip, base: Any, node: cst.Subscript, env) -> Any:
    elements = node.slice
    if isinstance(base, Frame) and base.ndim == 2 and len(elements) == 1 and type(elements[0].slice) is cst.Index:
        return sources.frame_item(base, ip.ev(elements[0].slice.value, env), node)
    if isinstance(base, (Seq, Dict_)) and len(elements) == 1:
        sl = elements[0].slice
        if type(sl) is cst.Index:
            key = py(ip.ev(sl.value, env))
            if isinstance(base, Dict_):
                batches.subscript(ip, base, key, node)
                return base.items.get(key) if isinstance(key, str) else None
            batches.subscript(ip, base, key, node)
            if isinstance(key, int) and not isinstance(key, bool) and -len(base.items) <= key < len(base.items):
                return base.items[key]
            return None
        bounds = [_slice_bound(ip, part, env) for part in (sl.lower, sl.upper, sl.step)]
        if isinstance(base, Seq) and all(b is not False for b in bounds):
            return Seq(base.items[slice(*bounds)], base.kind, Origin(node))
        return None
    if not isinstance(base, Array):
        for element in elements:
            if type(element.slice) is cst.Index:
                ip.ev(element.slice.value, env)
        return None
    return array_ops.index(ip, base, node, env)


def _slice_bound(ip, part, env) -> Any:
    if part is None:
        return None
    value = py(ip.ev(part, env), False)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return False
