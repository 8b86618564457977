"""NumPy and TensorFlow array operations: indexing, elementwise functions,
reductions, joins and splits, and lists built in loops.

Each function declares its signature once (SIGNATURE_TEXT, merged into
:mod:`library`'s table and compared with the installed NumPy/TensorFlow by
tests/test_signatures.py) and a rule giving the shape, dtype and (where it is
sure) the value range of its result (CALLS). A rule that meets an unknown
value, or arguments the real library would refuse, returns ``None``.

Two values model Python code around arrays:

- :class:`ListOf`, a list built by ``append`` in a loop: every item has one
  abstract value (the shape and dtype they share) and, when the loop runs a
  known number of times and appends once per pass, a known length.
  ``np.array(list)`` then stacks the items.
- :class:`Index`, the variable of a ``for i in range(...)`` loop too long to
  unroll: ``i + offset`` for an ``i`` known to lie in ``[lo, hi]`` (or below
  ``len(arr) + c``). A slice ``x[i + a:i + b]`` whose bounds stay within the
  axis has exactly ``b - a`` items.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

from .values import FLOAT_DTYPES, INT_DTYPES, MISSING, Array, Const, ModuleRef, Origin, Seq, Shape, as_shape, py

# ------------------------------------------------------------------ values


@dataclass(eq=False)
class ListOf:
    """A list of ``count`` items (``None``: unknown) that all are ``item``
    (``None``: unknown). ``start``/``loop``/``per`` describe the list while
    the body of ``loop`` runs: it held ``start`` before the loop and gets
    ``per`` items each pass (``None``: not a fixed number)."""

    item: Any
    count: Optional[int]
    origin: Optional[Origin] = None
    start: Any = None
    loop: Any = None
    per: Optional[int] = None


@dataclass(eq=False)
class Index:
    """``var + offset``, where the loop variable ``var`` lies in ``[lo, hi]``
    (``hi`` None: unknown) and, when ``below`` is set, ``var < len(below) + c``."""

    var: Any  # the loop node: two Indexes of one loop share it
    offset: int
    lo: int
    hi: Optional[int]
    below: Optional[Array] = None
    c: int = 0


CONSTANTS: Dict[str, Any] = {"numpy.pi": math.pi, "numpy.e": math.e, "numpy.inf": math.inf, "numpy.newaxis": None,
             "math.pi": math.pi, "math.e": math.e, "math.inf": math.inf}


def constant(path: str) -> Any:
    """``np.pi``, ``np.newaxis`` ...: the value as a Const, or None."""
    return Const(CONSTANTS[path]) if path in CONSTANTS else None


def partial_shape(value: Any) -> Shape:
    """A shape tuple/list some of whose sizes are unknown values: its rank,
    with ``None`` for those sizes (a size the library would refuse, such as a
    float or a negative number, makes it unknown)."""
    if not isinstance(value, Seq):
        return None
    out: List[Optional[int]] = []
    for item in value.items:
        if isinstance(item, Const):
            if isinstance(item.value, bool) or not isinstance(item.value, int) or item.value < 0:
                return None
            out.append(item.value)
        elif item is None or isinstance(item, Index):
            out.append(None)
        else:
            return None
    return tuple(out)


# ------------------------------------------------------------------ helpers
def _array(value: Any, node: Any, tensor: bool = False) -> Optional[Array]:
    if isinstance(value, Seq):
        return library.literal_array(value, node, tensor=tensor)
    if isinstance(value, Const) and isinstance(value.value, bool):
        return Array((), "bool", float(value.value), float(value.value), origin=Origin(node), tensor=tensor)
    out = library.to_array(value, node)
    if out is not None and tensor and not out.tensor and isinstance(value, Const):
        out = out.but(dtype="float32" if out.dtype == "float64" else "int32", tensor=True)
    return out


def _int(value: Any) -> Optional[int]:
    v = py(value)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _axes(value: Any, rank: int) -> Optional[Tuple[int, ...]]:
    """``axis=`` as sorted non-negative axes (``None``: all of them)."""
    v = None if value is None else py(value, False)
    if v is None:
        return tuple(range(rank))
    items = v if isinstance(v, (tuple, list)) else (v,)
    if not items and isinstance(v, (tuple, list)) and isinstance(value, Seq):
        return ()
    if any(not isinstance(a, int) or isinstance(a, bool) or not -rank <= a < max(rank, 1) for a in items):
        return None
    out = sorted({a % max(rank, 1) for a in items})
    return tuple(out) if len(out) == len(items) else None


def _broadcast(a: Shape, b: Shape) -> Shape:
    from .library import _broadcast as broadcast
    return broadcast(a, b)


def _promote(a: Optional[str], b: Optional[str]) -> Optional[str]:
    from .library import _promote as promote
    if a == "bool" and b == "bool":
        return "bool"
    if "bool" in (a, b):
        return a if b == "bool" else b
    return promote(a, b)


def _operand(value: Any, node: Any, tensor: bool) -> Tuple[Optional[Array], bool]:
    """An operand as an array, and whether it is a Python number (which does
    not change an array's dtype, except int to float)."""
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        arr = _array(value, node, tensor)
        return arr, True
    return _array(value, node, tensor), False


def _result_dtype(parts: List[Tuple[Array, bool]]) -> Optional[str]:
    arrays = [a for a, weak in parts if not weak]
    scalars = [a for a, weak in parts if weak]
    if not arrays:
        return _promote(parts[0][0].dtype, parts[-1][0].dtype) if parts else None
    dtype = arrays[0].dtype
    for a in arrays[1:]:
        dtype = _promote(dtype, a.dtype)
    if dtype in INT_DTYPES + ("bool",) and any(s.dtype in FLOAT_DTYPES for s in scalars):
        return "float64"
    return dtype


def _mark(arr: Array, node: Any, **changes: Any) -> Array:
    return arr.but(origin=Origin(node), onehot=False, **changes)


# ------------------------------------------------------ elementwise (unary)
def _monotone(fn: Callable[[float], float], domain_lo: Optional[float] = None):
    def rng(lo, hi):
        if lo is None or hi is None or domain_lo is not None and lo < domain_lo:
            return None, None
        try:
            return fn(lo), fn(hi)
        except (OverflowError, ValueError):
            return None, None
    return rng


def _abs_range(lo, hi):
    if lo is None or hi is None:
        return None, None
    if lo >= 0:
        return lo, hi
    if hi <= 0:
        return -hi, -lo
    return 0.0, max(-lo, hi)


_UNARY: Dict[str, Tuple[bool, Any]] = {
    # name: (the result is floating point, range rule)
    "exp": (True, _monotone(math.exp)), "log": (True, _monotone(math.log, 1e-300)),
    "sqrt": (True, _monotone(math.sqrt, 0.0)), "log1p": (True, _monotone(math.log1p, 0.0)),
    "sin": (True, lambda lo, hi: (-1.0, 1.0)), "cos": (True, lambda lo, hi: (-1.0, 1.0)),
    "tanh": (True, lambda lo, hi: (-1.0, 1.0)), "sigmoid": (True, lambda lo, hi: (0.0, 1.0)),
    "abs": (False, _abs_range), "absolute": (False, _abs_range),
    "floor": (True, _monotone(lambda v: float(math.floor(v)))), "ceil": (True, _monotone(lambda v: float(math.ceil(v)))),
    "square": (False, lambda lo, hi: (lambda r: (r[0] ** 2 if r[0] is not None else None,
                                                 r[1] ** 2 if r[1] is not None else None))(_abs_range(lo, hi))),
    "sign": (False, lambda lo, hi: (-1.0, 1.0)), "negative": (False, lambda lo, hi: (
        None if hi is None else -hi, None if lo is None else -lo)),
}


def _unary(name: str, tensor: bool):
    floating, rule = _UNARY[name]

    def handler(ip, a, node):
        x = _array(a.get("x"), node, tensor)
        if x is None:
            return None
        if not tensor and (a.has("out") or not a.is_none("dtype") or py(a.get("where")) is not True):
            return None
        dtype = x.dtype
        if floating and dtype not in FLOAT_DTYPES:
            if tensor or dtype is None:
                return None  # TensorFlow refuses integer input to these kernels
            dtype = "float16" if dtype in ("int8", "uint8") else "float32" if dtype in ("int16", "uint16") else "float64"
        if name in ("floor", "ceil") and not tensor and x.dtype in INT_DTYPES + ("bool",):
            return None  # NumPy 2 keeps integers: not modelled
        lo, hi = rule(x.lo, x.hi) if x.dtype != "bool" else (None, None)
        open_hi = False
        if x.open_hi and name in ("exp", "log", "sqrt", "log1p"):
            open_hi = hi is not None
        return _mark(x, node, dtype=dtype, lo=lo, hi=hi, open_hi=open_hi, tensor=x.tensor or tensor)
    return handler


def _round(tensor: bool):
    def handler(ip, a, node):
        x = _array(a.get("x" if tensor else "a"), node, tensor)
        if x is None or (not tensor and (a.has("out") or _int(a.get("decimals")) is None)):
            return None
        decimals = 0 if tensor else _int(a.get("decimals"))
        lo = hi = None
        if decimals == 0 and x.lo is not None and x.hi is not None:
            lo, hi = float(math.floor(x.lo)), float(math.ceil(x.hi))
        return _mark(x, node, lo=lo, hi=hi, open_hi=False, tensor=x.tensor or tensor)
    return handler


# ------------------------------------------------------ elementwise (n-ary)
def _extreme(pick, tensor: bool):
    def handler(ip, a, node):
        names = ("x", "y") if tensor else ("x1", "x2")
        if not tensor and (a.has("out") or not a.is_none("dtype") or py(a.get("where")) is not True):
            return None
        parts = [_operand(a.get(n), node, tensor) for n in names]
        if any(p[0] is None for p in parts):
            return None
        x, y = parts[0][0], parts[1][0]
        assert x is not None and y is not None
        if tensor and x.dtype != y.dtype:
            return None
        shape = _broadcast(x.shape, y.shape)
        if shape is None and x.shape is not None and y.shape is not None:
            return None
        lo = hi = None
        if None not in (x.lo, x.hi, y.lo, y.hi):
            lo, hi = pick(x.lo, y.lo), pick(x.hi, y.hi)
        dtype = x.dtype if tensor else _result_dtype([(x, parts[0][1]), (y, parts[1][1])])
        return Array(shape, dtype, lo, hi, origin=Origin(node), tensor=tensor or x.tensor or y.tensor)
    return handler


def where(tensor: bool):
    """``where(cond, x, y)``: the broadcast shape of the three; ``where(cond)``
    alone (the indices of true items) is not modelled."""
    def handler(ip, a, node):
        if a.is_none("x") or a.is_none("y"):
            return None
        cond = _array(a.get("condition"), node, tensor)
        parts = [_operand(a.get(n), node, tensor) for n in ("x", "y")]
        if cond is None or any(p[0] is None for p in parts):
            return None
        x, y = parts[0][0], parts[1][0]
        assert x is not None and y is not None
        if tensor and (x.dtype != y.dtype or cond.dtype != "bool"):
            return None
        shape = _broadcast(_broadcast(cond.shape, x.shape), y.shape)
        if shape is None and None not in (cond.shape, x.shape, y.shape):
            return None
        lo = hi = None
        if None not in (x.lo, x.hi, y.lo, y.hi):
            lo, hi = min(x.lo, y.lo), max(x.hi, y.hi)
        dtype = x.dtype if tensor else _result_dtype([(x, parts[0][1]), (y, parts[1][1])])
        return Array(shape, dtype, lo, hi, origin=Origin(node), tensor=tensor or x.tensor or y.tensor)
    return handler


def _clip_value(x: Array, low: Any, high: Any, node, tensor: bool) -> Optional[Array]:
    lo_v, hi_v = py(low, False), py(high, False)
    if lo_v is False or hi_v is False or (lo_v is None and hi_v is None):
        return None
    if any(v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))) for v in (lo_v, hi_v)):
        return None
    lo = x.lo if lo_v is None else (lo_v if x.lo is None else max(x.lo, lo_v))
    hi = x.hi if hi_v is None else (hi_v if x.hi is None else min(x.hi, hi_v))
    open_hi = x.open_hi and hi_v is None
    if lo_v is not None and x.lo is None:
        lo = float(lo_v)
    if hi_v is not None:
        hi = float(hi_v) if x.hi is None or hi_v <= x.hi else x.hi
        open_hi = x.open_hi and x.hi is not None and hi == x.hi and hi_v > x.hi
    if lo is not None and hi is not None and lo > hi:
        lo = hi = None
    dtype = x.dtype
    if not tensor and dtype in INT_DTYPES and any(isinstance(v, float) for v in (lo_v, hi_v)):
        dtype = "float64"
    return _mark(x, node, dtype=dtype, lo=lo, hi=hi, open_hi=open_hi, tensor=x.tensor or tensor)


def np_clip(ip, a, node):
    x = _array(a.get("a"), node)
    if x is None or a.has("out") or a.get("kwargs").items:
        return None
    low = a.get("min") if a.has("min") else a.get("a_min")
    high = a.get("max") if a.has("max") else a.get("a_max")
    if (a.has("min") and a.has("a_min")) or (a.has("max") and a.has("a_max")):
        return None
    return _clip_value(x, low if low is not None else Const(None), high if high is not None else Const(None), node, False)


def tf_clip(ip, a, node):
    x = _array(a.get("t"), node, True)
    if x is None or x.dtype is None:
        return None
    return _clip_value(x, a.get("clip_value_min"), a.get("clip_value_max"), node, True)


_ORDER = frozenset({cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual, cst.Equal, cst.NotEqual})


def compare(node: cst.Comparison, left: Any, rights: List[Any]) -> Any:
    """``arr < x``: a bool array of the broadcast shape (one comparison of
    arrays or numbers; anything else is unknown)."""
    if len(rights) != 1 or type(node.comparisons[0].operator) not in _ORDER:
        return None
    right = rights[0]
    if not isinstance(left, Array) and not isinstance(right, Array):
        return None
    tensor = isinstance(left, Array) and left.tensor or isinstance(right, Array) and right.tensor
    parts = [_operand(v, node, False)[0] if isinstance(v, (Array, Const)) else None for v in (left, right)]
    if any(p is None for p in parts):
        return None
    x, y = parts
    assert x is not None and y is not None
    shape = _broadcast(x.shape, y.shape)
    if shape is None and x.shape is not None and y.shape is not None:
        return None
    return Array(shape, "bool", 0.0, 1.0, origin=Origin(node), tensor=tensor)


# ------------------------------------------------------------ reductions
def reduce(arr: Optional[Array], axis: Any, keepdims: Any, kind: str, node, tensor: bool,
           dtype: Any = None) -> Optional[Array]:
    """``kind``: sum, prod, mean, std, max, min, any, all."""
    if arr is None or arr.shape is None:
        return None
    keep = py(keepdims, False)
    if keep is None:
        keep = False
    if not isinstance(keep, bool):
        return None
    rank = len(arr.shape)
    axes = _axes(axis, rank)
    if axes is None or (rank == 0 and py(axis, False) not in (None, 0, -1)):
        return None
    if keep:
        shape = tuple(1 if i in axes else d for i, d in enumerate(arr.shape))
    else:
        shape = tuple(d for i, d in enumerate(arr.shape) if i not in axes)
    out = arr.dtype
    if kind in ("any", "all"):
        out = "bool"
    elif not tensor:
        if kind in ("sum", "prod") and arr.dtype in INT_DTYPES + ("bool",):
            out = "uint64" if arr.dtype in ("uint32", "uint64") else "int64"
        elif kind in ("mean", "std", "var") and arr.dtype in INT_DTYPES + ("bool",):
            out = "float64"
    elif arr.dtype == "bool" and kind not in ("any", "all"):
        return None  # TensorFlow refuses bool input to sum/mean/max
    if dtype is not None and not (isinstance(dtype, Const) and dtype.value is None):
        from .library import dtype_of
        out = dtype_of(dtype)
        if out is None:
            return None
    lo = hi = None
    if kind in ("max", "min", "mean") and arr.lo is not None and arr.hi is not None and out == arr.dtype:
        lo, hi = arr.lo, arr.hi
    elif kind in ("any", "all"):
        lo, hi = 0.0, 1.0
    elif kind in ("std", "var") and arr.lo is not None:
        lo = 0.0
    return Array(shape, out, lo, hi, open_hi=arr.open_hi and hi is not None, origin=Origin(node),
                 tensor=arr.tensor or tensor)


def _np_reduce(kind: str):
    def handler(ip, a, node):
        if a.has("out") or ("where" in a.sig and a.has("where")) or ("initial" in a.sig and a.has("initial")):
            return None
        if kind in ("std", "var") and (a.has("mean") or a.has("correction")):
            return None
        dtype = a.get("dtype") if "dtype" in a.sig else None
        return reduce(_array(a.get("a"), node), a.get("axis"), a.get("keepdims"), kind, node, False, dtype)
    return handler


def _tf_reduce(kind: str):
    def handler(ip, a, node):
        x = _array(a.get("input_tensor"), node, True)
        if x is not None and kind in ("mean", "std", "var") and x.dtype in INT_DTYPES and kind != "mean":
            return None  # reduce_std of integers raises
        return reduce(x, a.get("axis"), a.get("keepdims"), kind, node, True)
    return handler


def _argmin_tf(ip, a, node):
    from .library import tf_argmax
    return tf_argmax(ip, a, node)


# ------------------------------------------------------------ joins & shapes
def _parts(value: Any, node, tensor: bool = False) -> Optional[List[Array]]:
    if isinstance(value, ListOf):
        return None
    if isinstance(value, Array) and value.shape:  # an array is a sequence of its rows
        if value.shape[0] is None or value.shape[0] > 64:
            return None
        return [value.but(shape=value.shape[1:]) for _ in range(value.shape[0])]
    if not isinstance(value, Seq) or not value.items:
        return None
    out = [_array(v, node, tensor) for v in value.items]
    if any(x is None or x.shape is None for x in out):
        return None
    return out  # type: ignore[return-value]


def _concat(arrays: List[Array], axis: int, node, tensor: bool) -> Optional[Array]:
    rank = len(arrays[0].shape or ())
    if rank == 0 or any(len(x.shape or ()) != rank for x in arrays) or not -rank <= axis < rank:
        return None
    axis %= rank
    shape: List[Optional[int]] = []
    for i in range(rank):
        dims = [x.shape[i] for x in arrays]  # type: ignore[index]
        if i == axis:
            shape.append(None if any(d is None for d in dims) else sum(dims))  # type: ignore[arg-type]
            continue
        known = {d for d in dims if d is not None}
        if len(known) > 1:
            return None
        shape.append(known.pop() if known else None)
    dtypes = {x.dtype for x in arrays}
    if tensor and len(dtypes) > 1:
        return None
    dtype: Optional[str] = arrays[0].dtype
    for x in arrays[1:]:
        dtype = _promote(dtype, x.dtype)
    lo = min(x.lo for x in arrays) if all(x.lo is not None for x in arrays) else None  # type: ignore[type-var]
    hi = max(x.hi for x in arrays) if all(x.hi is not None for x in arrays) else None  # type: ignore[type-var]
    return Array(tuple(shape), dtype, lo, hi, origin=Origin(node), tensor=tensor or any(x.tensor for x in arrays))


def _stack_kind(kind: str):
    """``hstack``/``vstack``/``column_stack``/``dstack``: each part is first
    raised to the rank the function needs, then joined."""
    def handler(ip, a, node):
        parts = _parts(a.get("tup"), node)
        if parts is None or ("dtype" in a.sig and not a.is_none("dtype")):
            return None
        shaped = []
        for x in parts:
            s = x.shape or ()
            if kind == "vstack":
                s = s if len(s) >= 2 else (1,) + s if len(s) == 1 else (1, 1)
            elif kind == "dstack":
                s = (1, 1, 1) if not s else (1,) + s + (1,) if len(s) == 1 else s + (1,) if len(s) == 2 else s
            elif kind == "column_stack":
                s = s + (1,) if len(s) == 1 else s if s else (1, 1)
            elif not s:
                s = (1,)
            shaped.append(x.but(shape=s))
        axis = {"hstack": 0 if len(shaped[0].shape or ()) == 1 else 1, "vstack": 0, "column_stack": 1,
                "dstack": 2}[kind]
        return _concat(shaped, axis, node, False)
    return handler


def np_concatenate(ip, a, node):
    parts = _parts(a.get("arrays"), node)
    if parts is None or a.has("out") or not a.is_none("dtype"):
        return None
    if a.is_none("axis"):  # flattened first
        sizes = [_size(x.shape) for x in parts]
        total = None if any(s is None for s in sizes) else sum(sizes)  # type: ignore[misc]
        flat = [x.but(shape=(_size(x.shape),)) for x in parts]
        out = _concat(flat, 0, node, False)
        return out.but(shape=(total,)) if out is not None else None
    axis = _int(a.get("axis"))
    return _concat(parts, axis, node, False) if axis is not None else None


def _size(shape: Shape) -> Optional[int]:
    if shape is None or any(d is None for d in shape):
        return None
    return math.prod(shape)  # type: ignore[arg-type]


def _axis_of(value: Any, rank: int) -> Optional[int]:
    axis = _int(value)
    if axis is None or not -rank <= axis < rank:
        return None
    return axis % rank


def swapaxes(arr: Optional[Array], a1: Any, a2: Any, node) -> Optional[Array]:
    if arr is None or arr.shape is None:
        return None
    rank = len(arr.shape)
    i, j = _axis_of(a1, rank), _axis_of(a2, rank)
    if i is None or j is None:
        return None
    shape = list(arr.shape)
    shape[i], shape[j] = shape[j], shape[i]
    return _mark(arr, node, shape=tuple(shape))


def np_swapaxes(ip, a, node):
    return swapaxes(_array(a.get("a"), node), a.get("axis1"), a.get("axis2"), node)


def np_moveaxis(ip, a, node):
    arr = _array(a.get("a"), node)
    if arr is None or arr.shape is None:
        return None
    rank = len(arr.shape)
    src, dst = py(a.get("source"), False), py(a.get("destination"), False)
    src = [src] if isinstance(src, int) else src
    dst = [dst] if isinstance(dst, int) else dst
    if not isinstance(src, (list, tuple)) or not isinstance(dst, (list, tuple)) or len(src) != len(dst):
        return None
    s = [_axis_of(Const(v), rank) for v in src]
    d = [_axis_of(Const(v), rank) for v in dst]
    if None in s or None in d or len(set(s)) != len(s) or len(set(d)) != len(d):
        return None
    order = [i for i in range(rank) if i not in s]
    for dest, source in sorted(zip(d, s)):  # type: ignore[type-var]
        order.insert(dest, source)  # type: ignore[arg-type]
    return _mark(arr, node, shape=tuple(arr.shape[i] for i in order))


def _split(array_split: bool):
    """``split``/``array_split`` into a list of parts along ``axis``."""
    def handler(ip, a, node):
        arr = _array(a.get("ary"), node)
        if arr is None or arr.shape is None:
            return None
        axis = _axis_of(a.get("axis"), len(arr.shape))
        how = py(a.get("indices_or_sections"), False)
        if axis is None or how is False:
            return None
        n = arr.shape[axis]
        if isinstance(how, int) and not isinstance(how, bool):
            if how <= 0 or n is None:
                return None
            if n % how and not array_split:
                return None  # NumPy raises: not an equal division
            sizes = [n // how + (1 if i < n % how else 0) for i in range(how)]
        elif isinstance(how, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in how):
            if n is None or len(how) > 64:
                return None
            cuts = [0] + [min(max(v if v >= 0 else v + n, 0), n) for v in how] + [n]
            sizes = [max(0, cuts[i + 1] - cuts[i]) for i in range(len(cuts) - 1)]
        else:
            return None
        if len(sizes) > 64:
            return None
        parts = [arr.but(shape=arr.shape[:axis] + (s,) + arr.shape[axis + 1:], origin=Origin(node),
                         onehot=arr.onehot and axis == 0) for s in sizes]
        return Seq(parts, "list", Origin(node))
    return handler


def np_tile(ip, a, node):
    arr = _array(a.get("A"), node)
    reps = py(a.get("reps"), False)
    if arr is None or arr.shape is None:
        return None
    reps = (reps,) if isinstance(reps, int) else reps
    if not isinstance(reps, (tuple, list)) or any(not isinstance(r, int) or isinstance(r, bool) or r < 0 for r in reps):
        return None
    n = max(len(reps), len(arr.shape))
    shape = (1,) * (n - len(arr.shape)) + arr.shape
    reps = (1,) * (n - len(reps)) + tuple(reps)
    out = tuple(None if d is None else d * r for d, r in zip(shape, reps))
    return _mark(arr, node, shape=out)


def repeat(arr: Optional[Array], repeats: Any, axis: Any, node) -> Optional[Array]:
    if arr is None or arr.shape is None:
        return None
    r = _int(repeats)
    if r is None or r < 0:
        return None
    if isinstance(axis, Const) and axis.value is None or axis is None:
        size = _size(arr.shape)
        return _mark(arr, node, shape=(None if size is None else size * r,))
    ax = _axis_of(axis, len(arr.shape))
    if ax is None:
        return None
    d = arr.shape[ax]
    return _mark(arr, node, shape=arr.shape[:ax] + (None if d is None else d * r,) + arr.shape[ax + 1:])


def np_repeat(ip, a, node):
    return repeat(_array(a.get("a"), node), a.get("repeats"), a.get("axis"), node)


def np_full_like(ip, a, node):
    from .library import _num, dtype_of
    base = _array(a.get("a"), node)
    fill = _num(a.get("fill_value"))
    if base is None:
        return None
    dtype = dtype_of(a.get("dtype"), base.dtype)
    if dtype is None:
        return None
    shape = base.shape if a.is_none("shape") else as_shape(a.get("shape"))
    value = None if fill is None else float(math.trunc(fill)) if dtype in INT_DTYPES else float(fill)
    return Array(shape, dtype, value, value, origin=Origin(node))


# ---------------------------------------------------------------- tensorflow
def tf_variable(ip, a, node):
    """``tf.Variable(initial_value, ..., dtype=None, shape=None)``."""
    from .library import dtype_of
    value = a.get("args").items[0] if a.get("args").items else a.get("kwargs").items.get("initial_value")
    if len(a.get("args").items) > 1:
        return None
    arr = _array(value, node, True) if isinstance(value, (Seq, Const)) else value
    if not isinstance(arr, Array):
        return None
    kw = a.get("kwargs").items
    if "shape" in kw:
        return None
    out = arr.but(tensor=True, origin=Origin(node), onehot=False)
    if "dtype" in kw:
        dtype = dtype_of(kw["dtype"])
        if dtype is None:
            return None
        out = out.but(dtype=dtype)
    return out


def _tf_like(fill: float):
    def handler(ip, a, node):
        from .library import dtype_of
        base = _array(a.get("input"), node, True)
        if base is None:
            return None
        dtype = dtype_of(a.get("dtype"), base.dtype)
        return Array(base.shape, dtype, fill, fill, origin=Origin(node), tensor=True) if dtype else None
    return handler


def tf_fill(ip, a, node):
    """``tf.fill(dims, value)``: a Python float gives float32, an int int32."""
    shape = as_shape(a.get("dims"))
    value = py(a.get("value"))
    if shape is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    dtype = "float32" if isinstance(value, float) else "int32"
    return Array(shape, dtype, float(value), float(value), origin=Origin(node), tensor=True)


def tf_gather(ip, a, node):
    params = _array(a.get("params"), node, True)
    indices = _array(a.get("indices"), node, True)
    if params is None or indices is None or params.shape is None or indices.shape is None:
        return None
    if indices.dtype not in ("int32", "int64") or _int(a.get("batch_dims")) != 0:
        return None
    axis = 0 if a.is_none("axis") else _axis_of(a.get("axis"), len(params.shape))
    if axis is None:
        return None
    shape = params.shape[:axis] + indices.shape + params.shape[axis + 1:]
    return params.but(shape=shape, origin=Origin(node), tensor=True,
                      onehot=params.onehot and axis == 0 and len(indices.shape) == 1)


# ------------------------------------------------------------ array methods
_METHOD_REDUCE = {"sum": "sum", "mean": "mean", "max": "max", "min": "min", "std": "std", "var": "var",
                  "prod": "prod", "any": "any", "all": "all"}


def method(arr: Array, name: str, a, node) -> Any:
    """``arr.<name>(...)`` for a NumPy array, ``a`` bound to the method's
    declared signature; NOT_MODELLED for methods this module does not know."""
    if name in _METHOD_REDUCE:
        kw = a.get("kwargs").items if "kwargs" in a.sig else {}
        if a.has("out") or set(kw) - {"keepdims"}:
            return None
        dtype = a.get("dtype") if "dtype" in a.sig else None
        keep = kw.get("keepdims", a.get("keepdims") if "keepdims" in a.sig else Const(False))
        return reduce(arr, a.get("axis"), keep, _METHOD_REDUCE[name], node, False, dtype)
    if name == "argmin":
        from .library import _argmax
        if py(a.get("keepdims")) is not False or a.has("out"):
            return None
        return _argmax(arr, a.get("axis"), "int64", node)
    if name == "clip":
        if a.has("out") or a.get("kwargs").items:
            return None
        return _clip_value(arr, a.get("min"), a.get("max"), node, False)
    if name == "round":
        if a.has("out") or _int(a.get("decimals")) != 0:
            return _mark(arr, node, lo=None, hi=None, open_hi=False) if not a.has("out") else None
        lo = None if arr.lo is None else float(math.floor(arr.lo))
        hi = None if arr.hi is None else float(math.ceil(arr.hi))
        return _mark(arr, node, lo=lo, hi=hi, open_hi=False)
    if name == "swapaxes":
        return swapaxes(arr, a.get("axis1"), a.get("axis2"), node)
    if name == "repeat":
        return repeat(arr, a.get("repeats"), a.get("axis"), node)
    return NOT_MODELLED


NOT_MODELLED = object()
METHOD_SIGNATURES = {
    "sum": "axis=None, dtype=None, out=None, **kwargs", "mean": "axis=None, dtype=None, out=None, **kwargs",
    "prod": "axis=None, dtype=None, out=None, **kwargs", "max": "axis=None, out=None, **kwargs",
    "min": "axis=None, out=None, **kwargs", "std": "axis=None, dtype=None, out=None, ddof=0, **kwargs",
    "var": "axis=None, dtype=None, out=None, ddof=0, **kwargs",
    "argmin": "axis=None, out=None, *, keepdims=False",
    "any": "axis=None, out=None, keepdims=False, *, where=True",
    "all": "axis=None, out=None, keepdims=False, *, where=True",
    "clip": "min=None, max=None, out=None, **kwargs", "round": "decimals=0, out=None",
    "swapaxes": "axis1, axis2, /", "repeat": "repeats, /, axis=None",
}


# ------------------------------------------------------------------ indexing
def _is_index(value: Any) -> bool:
    return isinstance(value, Index) or (isinstance(value, Const) and isinstance(value.value, int)
                                        and not isinstance(value.value, bool))


def _slice_len(ip, sl: cst.Slice, env, dim: Optional[int], base: Array, axis: int) -> Tuple[bool, Optional[int]]:
    """Whether the slice is understood, and its length (None: unknown)."""
    parts = [None if p is None else ip.ev(p, env) for p in (sl.lower, sl.upper, sl.step)]
    lower, upper, step = parts
    if isinstance(lower, Index) or isinstance(upper, Index):
        if step is not None and py(step) not in (None, 1):
            return True, None
        if isinstance(lower, Index) and isinstance(upper, Index) and lower.var is upper.var:
            k = upper.offset - lower.offset
            if k >= 0 and lower.lo + lower.offset >= 0 and _fits(upper, dim, base if axis == 0 else None):
                return True, k
        return True, None
    bounds = []
    for p in parts:
        v = py(p, False) if p is not None else None
        if v is not None and (v is False or isinstance(v, bool) or not isinstance(v, int)):
            return True, None
        bounds.append(v)
    if bounds[2] == 0:
        return False, None  # ValueError
    if dim is None:
        if bounds == [None, None, None]:
            return True, None
        return True, None
    return True, len(range(*slice(*bounds).indices(dim)))


def _fits(upper: Index, dim: Optional[int], base: Optional[Array]) -> bool:
    """Whether ``upper`` (an exclusive slice end) never passes the axis end."""
    if dim is not None and upper.hi is not None and upper.hi + upper.offset <= dim:
        return True
    # var < len(below) + c, so var + offset <= len(below) + c - 1 + offset (on axis 0 of below)
    return base is not None and upper.below is base and upper.c - 1 + upper.offset <= 0


def index(ip, base: Array, node: cst.Subscript, env) -> Any:
    """``base[...]``: basic indexing (ints, slices, ``None``/``np.newaxis``,
    ``...``), integer-array and boolean-mask indexing, as NumPy computes the
    result shape. TensorFlow tensors take basic indexing only."""
    return select(ip, base, node, env)[0]


def select(ip, base: Array, node: cst.Subscript, env) -> Tuple[Any, bool]:
    """``base[...]`` (see :func:`index`), and whether the items it selects
    are chosen by position only (not by a mask or a loop's index)."""
    if base.shape is None:
        for element in node.slice:
            if type(element.slice) is cst.Index:
                ip.ev(element.slice.value, env)
        return None, False
    keys: List[Tuple[str, Any]] = []  # (kind, payload)
    for element in node.slice:
        sl = element.slice
        if type(sl) is cst.Slice:
            keys.append(("slice", sl))
            continue
        if type(sl.value) is cst.Ellipsis:
            keys.append(("ellipsis", None))
            continue
        value = ip.ev(sl.value, env)
        if isinstance(value, Const) and value.value is None:
            keys.append(("new", None))
        elif isinstance(value, Const) and value.value is Ellipsis:
            keys.append(("ellipsis", None))
        elif _is_index(value):
            keys.append(("int", value))
        else:
            arr = _array(value, sl.value) if isinstance(value, (Seq, Array)) else None
            if arr is None or arr.shape is None or base.tensor:
                return None, False
            if arr.dtype == "bool":
                count = None
                if isinstance(value, Seq) and arr.rank == 1:
                    flags = [py(v) for v in value.items]
                    count = sum(1 for f in flags if f is True) if all(isinstance(f, bool) for f in flags) else None
                keys.append(("mask", (arr, count)))
            elif arr.integral:
                keys.append(("array", arr))
            else:
                return None, False
    if sum(1 for k, _ in keys if k == "ellipsis") > 1:
        return None, False
    used = sum(1 if k in ("int", "slice", "array") else len(p[0].shape) if k == "mask" else 0 for k, p in keys)
    rank = len(base.shape)
    if used > rank:
        return None, False
    if not any(k == "ellipsis" for k, _ in keys):
        keys.append(("ellipsis", None))
    shape: List[Any] = []
    axis = 0
    advanced: List[Tuple[int, Shape]] = []  # (position in the result, index shape)
    only_axis0 = True
    for pos, (kind, payload) in enumerate(keys):
        if kind == "new":
            shape.append(1)
            only_axis0 = False
        elif kind == "ellipsis":
            n = rank - used
            shape.extend(base.shape[axis:axis + n])
            axis += n
        elif kind == "int":
            if isinstance(payload, Const):
                dim = base.shape[axis]
                if dim is not None and not -dim <= payload.value < dim:
                    return None, False  # IndexError
            only_axis0 = only_axis0 and axis == 0
            axis += 1
        elif kind == "slice":
            ok, n = _slice_len(ip, payload, env, base.shape[axis], base, axis)
            if not ok:
                return None, False
            shape.append(n)
            if axis > 0 and not (payload.lower is None and payload.upper is None and payload.step is None):
                only_axis0 = False
            axis += 1
        elif kind == "array":
            advanced.append((len(shape), payload.shape))
            shape.append(("adv", len(advanced) - 1))
            only_axis0 = only_axis0 and axis == 0
            axis += 1
        else:  # mask
            arr, count = payload
            mask_shape = arr.shape
            for i, d in enumerate(mask_shape):
                dim = base.shape[axis + i]
                if d is not None and dim is not None and d != dim:
                    return None, False  # IndexError: the mask does not match
            advanced.append((len(shape), (count,)))
            shape.append(("adv", len(advanced) - 1))
            only_axis0 = only_axis0 and axis == 0 and len(mask_shape) == 1
            axis += len(mask_shape)
    if advanced:
        joint: Shape = ()
        for _, s in advanced:
            joint = _broadcast(joint, s)
            if joint is None:
                return None, False
        slots = [i for i, d in enumerate(shape) if isinstance(d, tuple)]
        contiguous = slots == list(range(slots[0], slots[0] + len(slots)))
        rest = [d for d in shape if not isinstance(d, tuple)]
        at = slots[0] if contiguous else 0
        before = [d for d in shape[:at] if not isinstance(d, tuple)] if contiguous else []
        after = rest[len(before):]
        shape = before + list(joint) + after
    by_position = all(k != "mask" and not isinstance(p, Index) for k, p in keys)
    return base.but(shape=tuple(shape), origin=Origin(node), onehot=base.onehot and only_axis0), by_position


# ------------------------------------------------------------- loop indexes
def index_binop(op: cst.BaseBinaryOp, left: Any, right: Any) -> Any:
    """``i + c`` / ``c + i`` / ``i - c`` for a loop index ``i``."""
    if isinstance(left, Index) and _int(right) is not None:
        c = _int(right)
        assert c is not None
        if type(op) is cst.Add:
            return replace(left, offset=left.offset + c)
        if type(op) is cst.Subtract:
            return replace(left, offset=left.offset - c)
    if isinstance(right, Index) and _int(left) is not None and type(op) is cst.Add:
        return replace(right, offset=right.offset + (_int(left) or 0))
    return None


def _stop(ip, node: cst.BaseExpression, env) -> Tuple[Optional[int], Optional[Array], int]:
    """A range stop: an int, or ``len(arr) + c``."""
    value = _int(ip.ev(node, env))
    if value is not None:
        return value, None, 0
    c = 0
    if type(node) is cst.BinaryOperation and type(node.operator) in (cst.Add, cst.Subtract):
        k = _int(ip.ev(node.right, env))
        if k is None:
            return None, None, 0
        c = k if type(node.operator) is cst.Add else -k
        node = node.left
    if type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "len" \
            and len(node.args) == 1 and not node.args[0].star and node.args[0].keyword is None:
        arr = ip.ev(node.args[0].value, env)
        if isinstance(arr, Array):
            return None, arr, c
    return None, None, 0


def loop_range(ip, loop: cst.For, env) -> Tuple[Optional[Index], Optional[int]]:
    """For ``for i in range(start, stop)`` (no step): the abstract ``i``, and
    the number of passes when known."""
    it = loop.iter
    if type(loop.target) is not cst.Name or type(it) is not cst.Call or type(it.func) is not cst.Name \
            or it.func.value != "range" or not 1 <= len(it.args) <= 2 \
            or any(a.star or a.keyword is not None for a in it.args):
        return None, None
    func = env.get("range")
    if func is not MISSING and not (isinstance(func, ModuleRef) and func.path == "builtins.range"):
        return None, None
    start = 0 if len(it.args) == 1 else _int(ip.ev(it.args[0].value, env))
    if start is None:
        return None, None
    stop, below, c = _stop(ip, it.args[-1].value, env)
    if stop is not None:
        if stop <= start:
            return None, 0
        return Index(loop, 0, start, stop - 1), stop - start
    if below is not None:
        return Index(loop, 0, start, None, below, c), None
    return None, None


# ----------------------------------------------------------------- lists
def _item_of(value: Any, node: Any) -> Any:
    """What one list item is known as: an array (a number as a 0-d array)."""
    if isinstance(value, Array):
        return value
    if isinstance(value, Const) and isinstance(value.value, bool):
        return Array((), "bool", origin=Origin(node))
    if isinstance(value, Const) and isinstance(value.value, (int, float, str)):
        from .library import to_array, literal_array
        if isinstance(value.value, str):
            return Array((), "str", origin=Origin(node))
        arr = to_array(value, node)
        return arr.but(lo=None, hi=None) if arr is not None else None
    if isinstance(value, Seq):
        from .library import literal_array
        arr = literal_array(value, node)
        return arr.but(lo=None, hi=None, onehot=False) if arr is not None and not arr.ragged else None
    return None


def number(value: Any, node: Any, env: Any) -> Any:
    """An appended ``float(...)``/``int(...)`` of an unknown value: a number
    of that type all the same (a 0-d array)."""
    if value is None and type(node) is cst.Call and type(node.func) is cst.Name \
            and node.func.value in ("float", "int") and env.get(node.func.value) is MISSING:
        return Array((), "float64" if node.func.value == "float" else "int64", origin=Origin(node))
    return value


def _same(a: Any, b: Any) -> Any:
    if isinstance(a, Array) and isinstance(b, Array) and a.shape == b.shape and a.dtype == b.dtype \
            and a.tensor == b.tensor and a.ragged == b.ragged:
        if (a.lo, a.hi, a.open_hi) == (b.lo, b.hi, b.open_hi):
            return a.but(onehot=a.onehot and b.onehot)
        lo = None if a.lo is None or b.lo is None else min(a.lo, b.lo)
        hi = None if a.hi is None or b.hi is None else max(a.hi, b.hi)
        return a.but(lo=lo, hi=hi, open_hi=False, onehot=False)
    return None


def appended(ip, lst: Any, values: List[Any], node: Any) -> Optional[ListOf]:
    """The list ``lst`` (a list Seq or a ListOf) after ``append``/``extend``
    of ``values`` inside a loop body."""
    from . import mutation
    trip = ip.trips[-1] if getattr(ip, "trips", None) else None
    here = trip is not None and trip[1] == ip.depth  # unconditional in the innermost loop's body
    if isinstance(lst, Seq):
        items = [_item_of(v, node) for v in lst.items]
        start, per, count = lst, 0, len(lst.items)
    else:
        items = [lst.item] if lst.count != 0 else []
        start, per, count = lst.start, lst.per, None
        if lst.loop is not (trip[0] if trip else None):
            start, per = None, None
    items += [_item_of(v, node) for v in values]
    item = items[0] if items else None
    for other in items[1:]:
        item = _same(item, other)
    if not here or (isinstance(lst, ListOf) and lst.loop is None):
        per = None
    elif per is not None:
        per += len(values)
    out = ListOf(item, None, Origin(node), start=start, loop=trip[0] if trip else None, per=per)
    ip.roots[id(out)] = (out, mutation.root(ip, lst))
    _ = count
    return out


def join(values: List[Any], ip: Any = None) -> Any:
    """Lists after branches (after a loop when ``ip`` runs one): their common
    item; their length when a loop of a known number of passes appended a
    fixed number of items to a list that held ``start`` before it."""
    trip = ip.trips[-1] if ip is not None and getattr(ip, "trips", None) else None
    lists = [v for v in values if isinstance(v, ListOf)]
    others = [v for v in values if not isinstance(v, ListOf)]
    if any(not (isinstance(v, Seq) and v.kind == "list") for v in others):
        return None
    items = [v.item for v in lists if v.count != 0]
    for seq in others:
        items += [_item_of(i, None) for i in seq.items]
    item = items[0] if items else None
    for other in items[1:]:
        item = _same(item, other)
    count = None
    if trip is not None and len(lists) == 1 and len(others) == 1 and trip[2] is not None:
        grown = lists[0]
        if grown.loop is trip[0] and grown.start is others[0] and grown.per is not None:
            count = len(others[0].items) + trip[2] * grown.per
    return ListOf(item, count, lists[0].origin)


def list_array(lst: ListOf, dtype: Optional[str], node, tensor: bool = False) -> Optional[Array]:
    """``np.array(list)``: the items stacked on a new first axis. Unknown when
    the list may be empty (its shape is then ``(0,)``) or its items may have
    different lengths."""
    item = lst.item
    if lst.count is None:
        # It may be empty: np.array([]) is (0,) float64. Only a list of
        # numbers has the same rank then; its dtype is sure for floats.
        if isinstance(item, Array) and item.shape == () and item.dtype not in ("str", "object", "bytes", None):
            sure = dtype or ("float64" if item.dtype == "float64" else None)
            if tensor and dtype is None:
                sure = "float32" if sure == "float64" else None
            return Array((None,), sure, origin=Origin(node), tensor=tensor)
        return None
    if lst.count == 0:
        return Array((0,), dtype or ("float32" if tensor else "float64"), origin=Origin(node), tensor=tensor)
    if not isinstance(item, Array) or item.shape is None or any(d is None for d in item.shape) or item.ragged:
        return None
    out_dtype = dtype or item.dtype
    if tensor and dtype is None and not item.tensor:
        out_dtype = {"float64": "float32", "int64": "int32"}.get(item.dtype or "", item.dtype)
    return Array((lst.count,) + item.shape, out_dtype, item.lo if dtype is None else None,
                 item.hi if dtype is None else None, open_hi=item.open_hi and dtype is None,
                 origin=Origin(node), tensor=tensor)


def as_sequences(lst: ListOf, node) -> Optional[Array]:
    """A list of 1-D integer sequences (of any lengths), as ``pad_sequences``
    reads it: a ragged array of ``count`` rows."""
    item = lst.item
    if not isinstance(item, Array) or item.shape is None or len(item.shape) != 1:
        return None
    return Array((lst.count,), item.dtype, item.lo, item.hi, origin=Origin(node), ragged=True)


def _pass(ip, comp: cst.CompFor, env) -> Tuple[bool, Any, Optional[int]]:
    """One ``for`` clause of a comprehension: whether it is understood, the
    value its target takes on every pass (as far as all passes share it), and
    the number of passes."""
    fake = cst.For(target=comp.target, iter=comp.iter, body=cst.IndentedBlock(body=[]))
    var, n = loop_range(ip, fake, env)
    if var is not None:
        return True, var, n
    items = ip.ev(comp.iter, env)
    if isinstance(items, Array) and items.shape and not items.ragged:
        return True, items.but(shape=items.shape[1:], onehot=False), items.shape[0]
    if isinstance(items, ListOf):
        return True, items.item, items.count
    if isinstance(items, Seq) and items.items:
        value = _item_of(items.items[0], comp)
        for other in items.items[1:]:
            value = _same(value, _item_of(other, comp))
        return True, value, len(items.items)
    return False, None, None


def comprehension(ip, node: cst.ListComp, env) -> Any:
    """``[elt for ... in ... for ... in ...]`` too long to unroll, over
    ``range(...)``, arrays (row by row) and lists: ``elt`` evaluated once,
    with each target bound to what it is on every pass; the length is the
    product of the passes (no ``if`` clauses)."""
    from .interpreter import Env
    scope = Env(env)
    count: Optional[int] = 1
    comp: Optional[cst.CompFor] = node.for_in
    while comp is not None:
        if comp.ifs or comp.asynchronous is not None:
            return None
        ok, value, n = _pass(ip, comp, scope)
        if not ok:
            return None
        if isinstance(value, Index):
            value = replace(value, var=comp)
        ip.bind(comp.target, value, scope)
        count = None if count is None or n is None else count * n
        comp = comp.inner_for_in
    ip.loops += 1  # what the element changes, it changes on every pass
    try:
        item = _item_of(ip.ev(node.elt, scope), node.elt)
    finally:
        ip.loops -= 1
    return ListOf(item, count, Origin(node))


# ------------------------------------------------------------------ tables
_UFUNC = "x, /, out=None, *, where=True, casting='same_kind', order='K', dtype=None, subok=True, signature=None"
_UFUNC2 = ("x1, x2, /, out=None, *, where=True, casting='same_kind', order='K', dtype=None, subok=True, "
           "signature=None")
_NP_SUM = "a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None"
_NP_MAX = "a, axis=None, out=None, keepdims=False, initial=None, where=None"
_NP_MEAN = "a, axis=None, dtype=None, out=None, keepdims=False, *, where=None"
_NP_STD = "a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None"
_NP_ANY = "a, axis=None, out=None, keepdims=False, *, where=None"
_TF_REDUCE = "input_tensor, axis=None, keepdims=False, name=None"
_TF_UNARY = "x, name=None"

SIGNATURE_TEXT: Dict[str, str] = {
    "numpy.where": "condition, x=None, y=None, /",
    "numpy.maximum": _UFUNC2, "numpy.minimum": _UFUNC2,
    "numpy.clip": "a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs",
    "numpy.round": "a, decimals=0, out=None", "numpy.around": "a, decimals=0, out=None",
    "numpy.sum": _NP_SUM, "numpy.prod": _NP_SUM, "numpy.max": _NP_MAX, "numpy.min": _NP_MAX,
    "numpy.amax": _NP_MAX, "numpy.amin": _NP_MAX, "numpy.mean": _NP_MEAN, "numpy.std": _NP_STD,
    "numpy.var": _NP_STD, "numpy.any": _NP_ANY, "numpy.all": _NP_ANY,
    "numpy.hstack": "tup, *, dtype=None, casting='same_kind'", "numpy.vstack": "tup, *, dtype=None, casting='same_kind'",
    "numpy.column_stack": "tup", "numpy.dstack": "tup",
    "numpy.swapaxes": "a, axis1, axis2", "numpy.moveaxis": "a, source, destination",
    "numpy.split": "ary, indices_or_sections, axis=0", "numpy.array_split": "ary, indices_or_sections, axis=0",
    "numpy.tile": "A, reps", "numpy.repeat": "a, repeats, axis=None",
    "numpy.full_like": "a, fill_value, dtype=None, order='K', subok=True, shape=None, *, device=None",
    "tensorflow.Variable": "*args, **kwargs",
    "tensorflow.gather": "params, indices, validate_indices=None, axis=None, batch_dims=0, name=None",
    "tensorflow.where": "condition, x=None, y=None, name=None",
    "tensorflow.clip_by_value": "t, clip_value_min, clip_value_max, name=None",
    "tensorflow.maximum": "x, y, name=None", "tensorflow.minimum": "x, y, name=None",
    "tensorflow.math.maximum": "x, y, name=None", "tensorflow.math.minimum": "x, y, name=None",
    "tensorflow.argmin": "input, axis=None, output_type='int64', name=None",
    "tensorflow.math.argmax": "input, axis=None, output_type='int64', name=None",
    "tensorflow.math.argmin": "input, axis=None, output_type='int64', name=None",
    "tensorflow.math.round": _TF_UNARY,
    "tensorflow.zeros_like": "input, dtype=None, name=None, layout=None",
    "tensorflow.ones_like": "input, dtype=None, name=None, layout=None",
    "tensorflow.fill": "dims, value, name=None, layout=None",
}
for _m in METHOD_SIGNATURES:
    SIGNATURE_TEXT["numpy.ndarray." + _m] = METHOD_SIGNATURES[_m]

CALLS: Dict[str, Callable] = {
    "numpy.where": where(False), "tensorflow.where": where(True),
    "numpy.maximum": _extreme(max, False), "numpy.minimum": _extreme(min, False),
    "tensorflow.maximum": _extreme(max, True), "tensorflow.minimum": _extreme(min, True),
    "tensorflow.math.maximum": _extreme(max, True), "tensorflow.math.minimum": _extreme(min, True),
    "numpy.clip": np_clip, "tensorflow.clip_by_value": tf_clip,
    "numpy.round": _round(False), "numpy.around": _round(False), "tensorflow.math.round": _round(True),
    "numpy.hstack": _stack_kind("hstack"), "numpy.vstack": _stack_kind("vstack"),
    "numpy.column_stack": _stack_kind("column_stack"), "numpy.dstack": _stack_kind("dstack"),
    "numpy.concatenate": np_concatenate, "numpy.swapaxes": np_swapaxes, "numpy.moveaxis": np_moveaxis,
    "numpy.split": _split(False), "numpy.array_split": _split(True),
    "numpy.tile": np_tile, "numpy.repeat": np_repeat, "numpy.full_like": np_full_like,
    "tensorflow.Variable": tf_variable, "tensorflow.gather": tf_gather, "tensorflow.fill": tf_fill,
    "tensorflow.zeros_like": _tf_like(0.0), "tensorflow.ones_like": _tf_like(1.0),
    "tensorflow.argmin": _argmin_tf, "tensorflow.math.argmax": _argmin_tf, "tensorflow.math.argmin": _argmin_tf,
}
for _k in ("sum", "prod", "max", "min", "mean", "std", "var", "any", "all"):
    CALLS["numpy." + _k] = _np_reduce(_k)
CALLS["numpy.amax"], CALLS["numpy.amin"] = _np_reduce("max"), _np_reduce("min")
for _k in ("sum", "prod", "max", "min", "mean", "any", "all"):
    for _prefix in ("tensorflow.reduce_", "tensorflow.math.reduce_"):
        SIGNATURE_TEXT[_prefix + _k] = _TF_REDUCE
        CALLS[_prefix + _k] = _tf_reduce(_k)
for _k, _kind in (("std", "std"), ("variance", "var")):
    SIGNATURE_TEXT["tensorflow.math.reduce_" + _k] = _TF_REDUCE
    CALLS["tensorflow.math.reduce_" + _k] = _tf_reduce(_kind)
for _k in _UNARY:
    if _k not in ("sigmoid", "negative"):
        SIGNATURE_TEXT["numpy." + _k] = _UFUNC
        CALLS["numpy." + _k] = _unary(_k, False)
for _k in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "floor", "ceil", "square", "sign",
           "log1p", "negative"):
    SIGNATURE_TEXT["tensorflow.math." + _k] = _TF_UNARY
    CALLS["tensorflow.math." + _k] = _unary(_k, True)
for _k in ("exp", "sqrt", "abs", "tanh", "sigmoid", "square", "sign", "negative"):
    SIGNATURE_TEXT["tensorflow." + _k] = _TF_UNARY
    CALLS["tensorflow." + _k] = _unary(_k, True)


# Imported last, as it imports this module (see _array).
from . import library  # noqa: E402
