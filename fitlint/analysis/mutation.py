"""In-place changes of lists, dicts and arrays.

Abstract values are never changed in place: a mutation builds the value the
object holds afterwards and puts it in place of the old one in every binding
that holds the same object (aliases, containers, the caller's scope of an
inlined function). Where the change only may have happened (inside a branch or
a loop body, from a scope the branch did not copy) or cannot be computed, the
value becomes unknown (or, for arrays, keeps its shape and dtype and loses its
value range). A mutation is never ignored.
"""
from __future__ import annotations

import builtins
import math
from dataclasses import replace as _copy
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from . import array_ops, library
from .values import MISSING as _UNBOUND, Array, Const, Dict_, Origin, Seq, py
from .walk import children

# Functions of the file's libraries that change an argument in place:
# name -> (index of the argument, how it changes).
MUTATING_FUNCTIONS = {
    "numpy.random.shuffle": (0, "shuffle"), "random.shuffle": (0, "shuffle"),
    "numpy.copyto": (0, "values"), "numpy.put": (0, "values"), "numpy.place": (0, "values"),
    "numpy.putmask": (0, "values"), "numpy.fill_diagonal": (0, "values"), "numpy.put_along_axis": (0, "values"),
    "numpy.ndarray.resize": (0, "resize"), "numpy.ndarray.fill": (0, "values"), "numpy.ndarray.sort": (0, "sort"),
    "numpy.ndarray.put": (0, "values"), "numpy.ndarray.itemset": (0, "values"),
}

# Library modules whose functions do not change their arguments (besides the
# MUTATING_FUNCTIONS above and ``out=``).
PURE_PREFIXES = (
    "numpy.", "tensorflow.", "keras.", "builtins.", "matplotlib.", "seaborn.", "sklearn.", "pandas.", "scipy.",
    "math.", "os.", "json.", "time.", "datetime.", "logging.", "warnings.", "IPython.display.", "PIL.",
    "pathlib.", "itertools.", "functools.", "collections.", "string.", "re.", "pickle.dump", "tqdm.", "random.",
    "tensorflow_datasets.", "tensorflow_hub.",
)

# Array methods that change the array: how.
_ARRAY_MUTATORS = {"sort": "sort", "partition": "sort", "resize": "resize", "fill": "fill", "put": "values",
                   "itemset": "values", "setfield": "values", "byteswap": "values"}
# Array methods known to leave the array as it is.
_ARRAY_PURE = {
    "reshape", "astype", "flatten", "ravel", "copy", "numpy", "squeeze", "transpose", "argmax", "argmin", "sum",
    "mean", "max", "min", "std", "var", "tolist", "item", "any", "all", "argsort", "clip", "round", "cumsum",
    "cumprod", "dot", "nonzero", "repeat", "take", "swapaxes", "view", "tobytes", "tostring", "prod", "ptp",
    "trace", "diagonal", "conj", "compress", "choose", "searchsorted", "getfield", "dump", "dumps", "tofile",
    "__len__", "__array__", "__getitem__", "get_shape", "numpy", "shape", "eval",
}
# Methods of objects the analysis does not model that do not change their arguments.
PURE_METHODS = {
    "plot", "imshow", "scatter", "hist", "bar", "barh", "set_title", "set_xlabel", "set_ylabel", "legend", "title",
    "xlabel", "ylabel", "savefig", "show", "subplot", "format", "join", "write", "print", "info", "debug",
    "warning", "error", "log", "fit", "fit_transform", "transform", "inverse_transform", "predict",
    "predict_proba", "score", "evaluate", "save", "add_scalar", "to_csv", "append", "add", "get", "startswith",
    "endswith", "split", "strip", "replace", "lower", "upper", "encode", "decode", "index", "count",
    "flow", "flow_from_dataframe", "fit_on_texts", "texts_to_sequences", "texts_to_matrix", "adapt", "call",
    "set_weights", "summary", "compile", "train_on_batch", "test_on_batch", "predict_on_batch", "fit_generator",
    "evaluate_generator", "predict_generator", "partial_fit", "decision_function", "update_state", "result",
    "search",
}
# Names no statement binds that name functions leaving their arguments as they are.
_PURE_BUILTINS = {n for n in dir(builtins) if not n.startswith("_")} - {"setattr", "delattr", "exec", "eval"} \
    | {"display"}


def pure_name(func: cst.CSTNode, env) -> bool:
    """``sorted(x)``, ``zip(x, y)``, ``display(x)``...: a Python builtin (or
    IPython's ``display``) no statement of the file rebinds."""
    return type(func) is cst.Name and func.value in _PURE_BUILTINS and env.get(func.value) is _UNBOUND


_LIST_KEEP = {"index", "count", "copy", "__len__"}
_DICT_KEEP = {"get", "keys", "values", "items", "copy", "__len__", "__contains__"}


# ------------------------------------------------------------ replacing
def substitute(value: Any, old: Any, new: Any, memo: Dict[int, Any], depth: int = 0) -> Any:
    """``value`` with every occurrence of the object ``old`` (itself, or an
    item of a list, tuple or dict in it) replaced by ``new``. Containers that
    hold it are rebuilt; those that do not are returned as they are."""
    if value is old:
        return new
    if depth > 8 or not isinstance(value, (Seq, Dict_)):
        return value
    key = id(value)
    if key in memo:
        return memo[key]
    memo[key] = value
    if isinstance(value, Seq):
        items = [substitute(v, old, new, memo, depth + 1) for v in value.items]
        out = value if all(a is b for a, b in zip(items, value.items)) else _copy(value, items=items)
    else:
        entries = {k: substitute(v, old, new, memo, depth + 1) for k, v in value.items.items()}
        out = value if all(entries[k] is v for k, v in value.items.items()) else _copy(value, items=entries)
    memo[key] = out
    return out


def live_envs(ip, env) -> list:
    """Every scope whose bindings the running code can reach: the current
    one and its parents, and those of the calls being inlined."""
    out, seen = [], set()
    for start in [env] + list(reversed(ip.callers)):
        e = start
        while e is not None:
            if id(e) not in seen:
                seen.add(id(e))
                out.append(e)
            e = e.parent
    return out


def replace(ip, old: Any, new: Any, env) -> None:
    """The object ``old`` now holds ``new``: rebind every binding of it. A
    scope from outside the branch being run only may see the change: there it
    becomes unknown. An array whose facts changed is from now on shown as
    made by the statement that changed it."""
    if old is None or old is new or isinstance(old, Const):
        return
    if isinstance(old, Array) and isinstance(new, Array):
        if ip.statement is not None and (
                (new.shape, new.dtype, new.lo, new.hi, new.open_hi) != (old.shape, old.dtype, old.lo, old.hi, old.open_hi)):
            new = new.but(origin=Origin(ip.statement))
        derived(ip, old, new)
    memos: Dict[bool, Dict[int, Any]] = {True: {}, False: {}}
    envs = live_envs(ip, env)
    for e in envs:
        certain = e.depth >= ip.depth
        target = new if certain else None
        for name, value in list(e.vars.items()):
            if value is not old and not isinstance(value, (Seq, Dict_)):
                continue  # cannot hold it
            changed = substitute(value, old, target, memos[certain])
            if changed is not value:
                e.vars[name] = changed
                e.counts[name] = e.counts.get(name, 0) + 1
    # Attributes of objects of the file's classes too (``self.blocks.append``):
    # an object made outside the branch being run only may see the change.
    for obj in _instances(envs):
        certain = obj.depth >= ip.depth
        for name, value in list(obj.attrs.items()):
            if value is not old and not isinstance(value, (Seq, Dict_)):
                continue  # cannot hold it
            changed = substitute(value, old, new if certain else None, memos[certain])
            if changed is not value:
                obj.attrs[name] = changed


def _instances(envs: list) -> list:
    """The objects of the file's classes the scopes reach (through lists,
    dicts and other objects' attributes)."""
    holders = (objects.Instance, objects.ModelInstance, Seq, Dict_)  # only these lead to objects
    out: list = []
    seen: set = set()
    todo = [(v, 0) for e in envs for v in e.vars.values() if isinstance(v, holders)]
    while todo:
        value, depth = todo.pop()
        if depth > 4 or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Seq):
            inner = value.items
        elif isinstance(value, Dict_):
            inner = value.items.values()
        else:
            out.append(value)
            inner = value.attrs.values()
        todo.extend((v, depth + 1) for v in inner if isinstance(v, holders))
    return out


def root(ip, arr: Any) -> Any:
    """The array ``arr`` was changed from in place (itself if none)."""
    entry = ip.roots.get(id(arr))
    return entry[1] if entry is not None and entry[0] is arr else arr


def derived(ip, old: Any, new: Any) -> None:
    """Record that ``new`` is ``old`` after an in-place change."""
    if isinstance(new, Array):
        ip.roots[id(new)] = (new, root(ip, old))


def unknown_values(value: Any, depth: int = 0) -> Any:
    """What a value may be after code fitlint does not follow changed it:
    an array keeps its shape and dtype (NumPy changes neither in place) but
    not its values; a list or dict is unknown; a tuple's items change."""
    if isinstance(value, Array):
        if value.tensor:
            return value  # tf.Tensor is immutable
        return value.but(lo=None, hi=None, open_hi=False, onehot=False)
    if isinstance(value, Seq):
        if value.kind != "tuple" or depth > 4:
            return None
        items = [unknown_values(v, depth + 1) for v in value.items]
        return value if all(a is b for a, b in zip(items, value.items)) else _copy(value, items=items)
    if isinstance(value, (Dict_, array_ops.ListOf)):
        return None
    return value


def havoc(ip, values: List[Any], env) -> None:
    """The values were handed to code that may change them."""
    for value in values:
        changed = unknown_values(value)
        if changed is not value:
            replace(ip, value, changed, env)


# ------------------------------------------------------------ arrays
def _value_range(value: Any, node, integral: bool = False) -> Tuple[Optional[float], Optional[float], bool]:
    """(lo, hi, hi left open) of values stored into an array; stored into
    an integer array they are truncated toward zero."""
    lo = hi = None
    open_hi = False
    if isinstance(value, Const) and isinstance(value.value, (int, float)):
        lo = hi = float(value.value)
    elif isinstance(value, (Seq, Array)):
        arr = library.to_array(value, node)
        if isinstance(arr, Array) and arr.lo is not None and arr.hi is not None:
            lo, hi, open_hi = arr.lo, arr.hi, arr.open_hi
    if lo is not None and integral:
        lo = float(math.trunc(lo))
        hi = float(math.ceil(hi) - 1) if open_hi and float(hi).is_integer() else float(math.trunc(hi))
        open_hi = False
    return lo, hi, open_hi


def _bare(sl: cst.BaseSlice) -> bool:
    """``:`` or ``...``: the whole axis (or all axes)."""
    if type(sl) is cst.Slice:
        return sl.lower is None and sl.upper is None and sl.step is None
    return type(sl) is cst.Index and type(sl.value) is cst.Ellipsis


def changed_array(arr: Array, how: str, ip, value: Any = None) -> Array:
    """The array after a whole-array change."""
    if arr.tensor:
        return arr
    if how == "sort":
        return arr.but(onehot=False)
    if how == "shuffle":
        return arr
    if how == "resize":
        return arr.but(shape=None, lo=None, hi=None, open_hi=False, onehot=False)
    if how == "fill":
        lo, hi, open_hi = _value_range(value, None, arr.integral and arr.dtype != "bool")
        return arr.but(lo=lo, hi=hi, open_hi=open_hi, onehot=False)
    return arr.but(lo=None, hi=None, open_hi=False, onehot=False)


def store_array(ip, arr: Array, target: cst.Subscript, value: Any, env) -> Array:
    """``arr[index] = value``: the shape and dtype stay; the value range
    grows to take in the stored values."""
    selected, by_position = array_ops.select(ip, arr, target, env)
    if arr.tensor:
        return arr  # tf.Tensor does not support item assignment: the program stops there
    if isinstance(selected, Array) and selected.shape is not None and 0 in selected.shape:
        return arr  # nothing selected
    vlo, vhi, v_open = _value_range(value, target, arr.integral and arr.dtype != "bool")
    if vlo is None or ip.loops or ip.unrolled:
        # In a loop, stores pass by pass may together overwrite every value.
        return arr.but(lo=None, hi=None, open_hi=False, onehot=False)
    if all(_bare(e.slice) for e in target.slice):
        return arr.but(lo=vlo, hi=vhi, open_hi=v_open, onehot=False)
    # A selection by position keeps the other values' bounds; one that
    # depends on the values (a mask, an unknown index) may have replaced
    # the extreme values: only a bound the new values pass is still known.
    by_position = by_position and isinstance(selected, Array)
    lo = hi = None
    open_hi = False
    if arr.lo is not None:
        lo = vlo if vlo <= arr.lo else (arr.lo if by_position else None)
    if arr.hi is not None:
        if vhi > arr.hi:
            hi, open_hi = vhi, v_open
        elif vhi == arr.hi:
            hi, open_hi = vhi, (v_open and arr.open_hi) if by_position else v_open
        elif by_position:
            hi, open_hi = arr.hi, arr.open_hi
    return arr.but(lo=lo, hi=hi, open_hi=open_hi, onehot=False)


# ------------------------------------------------------------ statements
def _index_key(ip, target: cst.Subscript, env) -> Tuple[bool, Any]:
    """(single index?, its literal value or None)."""
    if len(target.slice) != 1 or type(target.slice[0].slice) is not cst.Index:
        return False, None
    return True, py(ip.ev(target.slice[0].slice.value, env))


def _slice_bounds(ip, target: cst.Subscript, env) -> Optional[slice]:
    if len(target.slice) != 1 or type(target.slice[0].slice) is not cst.Slice:
        return None
    sl = target.slice[0].slice
    bounds = []
    for part in (sl.lower, sl.upper, sl.step):
        b = None if part is None else py(ip.ev(part, env), False)
        if b is not None and (not isinstance(b, int) or isinstance(b, bool)):
            return None
        bounds.append(b)
    if bounds[2] == 0:
        return None
    return slice(*bounds)


def store(ip, target: cst.CSTNode, value: Any, env) -> None:
    """``target = value`` for a subscript or attribute target."""
    if type(target) is cst.Attribute:
        base = ip.ev(target.value, env)
        if isinstance(base, Array) and not base.tensor:
            attr = target.attr.value
            if attr == "shape":
                new = library.reshape(base, value, target).but(origin=base.origin)
                if new.shape is None:
                    new = new.but(onehot=False)
                replace(ip, base, new, env)
            elif attr in ("dtype", "data", "flat", "real", "imag", "strides"):
                replace(ip, base, base.but(dtype=None if attr == "dtype" else base.dtype, lo=None, hi=None,
                                           open_hi=False, onehot=False), env)
        return
    if type(target) is not cst.Subscript:
        return
    base = ip.ev(target.value, env)
    if isinstance(base, Array):
        replace(ip, base, store_array(ip, base, target, value, env), env)
    elif isinstance(base, Seq) and base.kind == "list":
        single, key = _index_key(ip, target, env)
        new = None
        if single and isinstance(key, int) and not isinstance(key, bool) and -len(base.items) <= key < len(base.items):
            items = list(base.items)
            items[key] = value
            new = _copy(base, items=items)
        elif not single:
            bounds = _slice_bounds(ip, target, env)
            if bounds is not None and isinstance(value, Seq) and bounds.step is None:
                items = list(base.items)
                items[bounds] = value.items
                new = _copy(base, items=items)
        replace(ip, base, new, env)
    elif isinstance(base, Dict_):
        single, key = _index_key(ip, target, env)
        new = None
        if single and isinstance(key, str):
            new = _copy(base, items={**base.items, key: value})
        replace(ip, base, new, env)
    else:
        for element in target.slice:
            if type(element.slice) is cst.Index:
                ip.ev(element.slice.value, env)


def delete(ip, target: cst.CSTNode, env) -> None:
    """``del target``."""
    if type(target) in (cst.Tuple, cst.List):
        for element in target.elements:
            delete(ip, element.value, env)
        return
    if type(target) is not cst.Subscript:
        ip.bind(target, None, env)
        return
    base = ip.ev(target.value, env)
    if isinstance(base, Seq) and base.kind == "list":
        single, key = _index_key(ip, target, env)
        new = None
        if single and isinstance(key, int) and not isinstance(key, bool) and -len(base.items) <= key < len(base.items):
            items = list(base.items)
            del items[key]
            new = _copy(base, items=items)
        elif not single:
            bounds = _slice_bounds(ip, target, env)
            if bounds is not None:
                items = list(base.items)
                del items[bounds]
                new = _copy(base, items=items)
        replace(ip, base, new, env)
    elif isinstance(base, Dict_):
        single, key = _index_key(ip, target, env)
        new = None
        if single and isinstance(key, str):
            new = _copy(base, items={k: v for k, v in base.items.items() if k != key})
        replace(ip, base, new, env)


_BINARY = {
    cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide, cst.FloorDivideAssign: cst.FloorDivide, cst.ModuloAssign: cst.Modulo,
    cst.PowerAssign: cst.Power, cst.MatrixMultiplyAssign: cst.MatrixMultiply,
}


def aug_assign(ip, node: cst.AugAssign, env) -> None:
    """``target op= value``: lists and arrays change in place (every alias
    sees it), other values are rebound."""
    target = node.target
    old = ip.ev(target, env)
    right = ip.ev(node.value, env)
    op = _BINARY.get(type(node.operator))
    value = library.binop(ip, op(), old, right, node) if op is not None else None
    if type(target) is cst.Name:
        if isinstance(old, Array) and not old.tensor:
            new = old.but(onehot=False, lo=None, hi=None, open_hi=False)
            if isinstance(value, Array) and value.dtype == old.dtype and not ip.loops:
                new = new.but(lo=value.lo, hi=value.hi, open_hi=value.open_hi)
            replace(ip, old, new, env)
        elif isinstance(old, Seq) and old.kind == "list":
            extended = None
            if type(node.operator) is cst.AddAssign and isinstance(right, Seq) and not ip.loops:
                extended = _copy(old, items=old.items + right.items)
            replace(ip, old, extended, env)
        elif isinstance(old, Dict_):
            merged = None
            if type(node.operator) is cst.BitOrAssign and isinstance(right, Dict_):
                merged = _copy(old, items={**old.items, **right.items})
            replace(ip, old, merged, env)
        else:
            ip.bind(target, value, env)
    elif type(target) is cst.Subscript:
        base = ip.ev(target.value, env)
        if isinstance(base, Array):
            replace(ip, base, store_array(ip, base, target, None, env), env)
        else:
            store(ip, target, None, env)
    elif type(target) in (cst.Tuple, cst.List):
        ip.bind(target, None, env)


# ------------------------------------------------------------ calls
NOT_HANDLED = object()


def method(ip, receiver: Any, name: str, args, node: cst.Call, env) -> Any:
    """A method call that may change its receiver. Returns the call's value,
    or NOT_HANDLED to let the library model it."""
    if isinstance(receiver, Seq) and receiver.kind == "list" or isinstance(receiver, array_ops.ListOf):
        grown = _grown(ip, receiver, name, args, node, env)
        if grown is not None:
            replace(ip, receiver, grown, env)
            return Const(None)
        if isinstance(receiver, array_ops.ListOf):
            if name not in _LIST_KEEP:
                replace(ip, receiver, None, env)
            return None
        return _list_method(ip, receiver, name, args, env)
    if isinstance(receiver, Dict_):
        return _dict_method(ip, receiver, name, args, env)
    if isinstance(receiver, Array) and not receiver.tensor:
        if "out" in args.kw:
            havoc(ip, [args.kw["out"]], env)
        how = _ARRAY_MUTATORS.get(name)
        if how is not None:
            if name == "byteswap" and not py(args.get("inplace", 0), False):
                return NOT_HANDLED
            replace(ip, receiver, changed_array(receiver, how, ip, args.get("value", 0)), env)
            return Const(None)
        if name not in _ARRAY_PURE and not name.startswith("__"):
            replace(ip, receiver, changed_array(receiver, "values", ip), env)
        return NOT_HANDLED
    return NOT_HANDLED


def _grown(ip, lst: Any, name: str, args, node, env) -> Any:
    """A list after ``append``/``extend`` in a loop body (see array_ops.ListOf)."""
    if not ip.loops or args.star or args.kw or len(args.pos) != 1 or len(args.pos_nodes) != 1:
        return None
    if name == "append":
        return array_ops.appended(ip, lst, [array_ops.number(args.pos[0], args.pos_nodes[0], env)], node)
    if name == "extend" and isinstance(args.pos[0], Seq) and len(args.pos[0].items) <= 8:
        return array_ops.appended(ip, lst, list(args.pos[0].items), node)
    return None


def _list_method(ip, lst: Seq, name: str, args, env) -> Any:
    items = list(lst.items)
    result: Any = Const(None)
    new: Any = None
    if args.star:
        new = None
    elif name == "append" and len(args.pos) == 1 and not ip.loops:
        new = _copy(lst, items=items + [args.pos[0]])
    elif name == "extend" and len(args.pos) == 1 and isinstance(args.pos[0], Seq) and not ip.loops:
        new = _copy(lst, items=items + list(args.pos[0].items))
    elif name == "insert" and len(args.pos) == 2 and not ip.loops:
        at = py(args.pos[0])
        if isinstance(at, int) and not isinstance(at, bool):
            items.insert(at, args.pos[1])
            new = _copy(lst, items=items)
    elif name == "pop" and not ip.loops:
        at = py(args.get("index", 0)) if args.pos or args.kw else -1
        result = None
        if isinstance(at, int) and not isinstance(at, bool) and -len(items) <= at < len(items):
            result = items.pop(at)
            new = _copy(lst, items=items)
    elif name == "remove" and len(args.pos) == 1 and isinstance(args.pos[0], Const) and not ip.loops \
            and all(isinstance(i, Const) for i in items):
        values = [i.value for i in items]
        if args.pos[0].value in values:
            del items[values.index(args.pos[0].value)]
            new = _copy(lst, items=items)
    elif name == "clear":
        new = _copy(lst, items=[])
    elif name == "reverse":
        new = _copy(lst, items=items[::-1])
    elif name == "sort" and not args.kw and all(isinstance(i, Const) for i in items):
        try:
            new = _copy(lst, items=sorted(items, key=lambda c: c.value))
        except TypeError:
            new = None
    elif name == "copy":
        return _copy(lst, items=items)
    elif name in _LIST_KEEP:
        return None
    elif name == "pop":
        result = None
    replace(ip, lst, new, env)
    return result


def _dict_method(ip, d: Dict_, name: str, args, env) -> Any:
    result: Any = Const(None)
    new: Any = None
    key = py(args.get("key", 0)) if args.pos else None
    if name == "copy" and not args.pos:
        return _copy(d, items=dict(d.items))
    if name in _DICT_KEEP:
        return NOT_HANDLED
    if args.star:
        new = None
    elif name == "update":
        if not args.pos or (len(args.pos) == 1 and isinstance(args.pos[0], Dict_)):
            other = args.pos[0].items if args.pos else {}
            new = _copy(d, items={**d.items, **other, **args.kw})
    elif name == "setdefault" and isinstance(key, str) and not args.kw:
        default = args.pos[1] if len(args.pos) > 1 else Const(None)
        if key in d.items:
            return d.items[key]
        new, result = _copy(d, items={**d.items, key: default}), default
    elif name == "pop" and isinstance(key, str) and not args.kw:
        if key in d.items:
            result = d.items[key]
        else:
            result = args.pos[1] if len(args.pos) > 1 else None
        new = _copy(d, items={k: v for k, v in d.items.items() if k != key})
    elif name == "popitem" and not args.pos and d.items and not ip.loops:
        key = list(d.items)[-1]
        result = Seq([Const(key), d.items[key]], "tuple")
        new = _copy(d, items={k: v for k, v in d.items.items() if k != key})
    elif name == "clear":
        new = _copy(d, items={})
    else:
        result = None
    replace(ip, d, new, env)
    return result


def function(ip, name: str, args, env, unpacked: List[Any]) -> None:
    """A library function that changes an argument in place, or ``out=``;
    a function of a module fitlint does not know may change any argument
    (``unpacked``: what ``*x``/``**x`` pass)."""
    if "out" in args.kw and not name.startswith("builtins."):
        havoc(ip, [args.kw["out"]], env)
    spec = MUTATING_FUNCTIONS.get(name)
    if spec is None:
        if not name.startswith(PURE_PREFIXES):
            havoc(ip, args.values() + list(unpacked), env)
        return
    index, how = spec
    arg = args.get(None, index)
    if isinstance(arg, Array):
        value = args.get(None, index + 1) if how == "fill" else None
        replace(ip, arg, changed_array(arg, how, ip, value), env)
    elif isinstance(arg, Seq) and arg.kind == "list":
        if how == "shuffle" and len({id(i) for i in arg.items}) <= 1:
            return
        replace(ip, arg, None, env)
    elif isinstance(arg, (Seq, Dict_)):
        replace(ip, arg, unknown_values(arg), env)


_MUTATOR_NAMES = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault",
                  "popitem", "fill", "resize", "put", "itemset", "partition"}


def unevaluated(ip, node: cst.CSTNode, env) -> None:
    """An expression whose parts are not evaluated one by one (a
    comprehension over an unknown iterable, a lambda): every name it
    calls a changing method on becomes unknown."""
    for name in _mutator_calls(node):
        value = env.get(name)
        changed = unknown_values(value) if isinstance(value, (Array, Seq, Dict_)) else value
        if changed is not value:
            replace(ip, value, None if isinstance(value, Seq) and value.kind == "tuple" else changed, env)


@lru_cache(maxsize=4096)  # an expression is looked at each time it is run
def _mutator_calls(node: cst.CSTNode) -> Tuple[str, ...]:
    """The names ``node`` calls a changing method on, sorted."""
    todo = [node]
    names = set()
    while todo:
        current = todo.pop()
        receiver = _mutated_receiver(current)
        if receiver is not None:
            names.add(receiver)
        todo.extend(children(current))
    return tuple(sorted(names))


def _mutated_receiver(node: cst.CSTNode) -> Optional[str]:
    """``name`` for ``name.append(...)`` and the other changing methods."""
    if type(node) is cst.Call and type(node.func) is cst.Attribute and type(node.func.value) is cst.Name \
            and node.func.attr.value in _MUTATOR_NAMES:
        return node.func.value.value
    return None


@lru_cache(maxsize=4096)  # a function body is looked at each time it is followed
def mutated_names(node: cst.CSTNode) -> FrozenSet[str]:
    """Names a piece of code may change in place: ``name.append(...)`` and the
    other changing methods, ``name[...] = ...``, ``name[...] op= ...``,
    ``name op= ...``, ``del name[...]`` (nested functions included)."""
    names = set()
    todo = [node]
    while todo:
        current = todo.pop()
        kind = type(current)
        receiver = _mutated_receiver(current)
        if receiver is not None:
            names.add(receiver)
        targets: List[cst.CSTNode] = []
        if kind is cst.Assign:
            targets = [t.target for t in current.targets]
        elif kind is cst.AugAssign or kind is cst.AnnAssign:
            targets = [current.target]
        elif kind is cst.Del:
            targets = [current.target]
        while targets:
            target = targets.pop()
            if type(target) in (cst.Tuple, cst.List):
                targets.extend(e.value for e in target.elements)
            elif type(target) in (cst.Subscript, cst.Attribute):
                base = target.value
                while type(base) in (cst.Subscript, cst.Attribute):
                    base = base.value
                if type(base) is cst.Name:
                    names.add(base.value)
            elif type(target) is cst.Name and type(current) is cst.AugAssign:
                names.add(target.value)
        for child in children(current):
            if type(child) is cst.IndentedBlock:
                names.update(mutated_names(child))  # a nested body is walked once, then remembered
            else:
                todo.append(child)
    return frozenset(names)


def _forget(ip, names, env) -> None:
    for name in sorted(names):
        value = env.get(name)
        if isinstance(value, (Array, Seq, Dict_)):
            changed = unknown_values(value)
            if changed is not value:
                replace(ip, value, None if isinstance(value, Seq) and value.kind == "tuple" else changed, env)


def escaping_functions(ip, values: List[Any], env) -> None:
    """Functions of the file handed to code that may call them at any time
    (``dataset.map(f)``, a callback): what they change is unknown."""
    for value in values:
        node = getattr(value, "node", None)
        if type(node) is cst.FunctionDef and hasattr(value, "env"):
            params = {p.name.value for p in list(node.params.params) + list(node.params.posonly_params)
                      + list(node.params.kwonly_params)}
            _forget(ip, mutated_names(node.body) - params, env)


def loop_target_changed(ip, node: cst.For, env) -> None:
    """A loop not run pass by pass whose body changes its loop variable in
    place (``for row in X: row[row > 1] = 1``): the values iterated over
    (everything named in the iterable expression) may change."""
    targets = set()
    todo: List[cst.CSTNode] = [node.target]
    while todo:
        t = todo.pop()
        if type(t) is cst.Name:
            targets.add(t.value)
        elif type(t) in (cst.Tuple, cst.List):
            todo.extend(e.value for e in t.elements)
    if not targets & mutated_names(node.body):
        return
    names = set()
    todo = [node.iter]
    while todo:
        current = todo.pop()
        if type(current) is cst.Name:
            names.add(current.value)
        todo.extend(children(current))
    _forget(ip, names, env)


# Imported last, as it imports this module (see _instances).
from . import objects  # noqa: E402
