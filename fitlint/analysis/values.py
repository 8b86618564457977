"""Abstract values produced by the interpreter.

``None`` is the unknown value everywhere: a rule that meets it stays silent.
Shapes are tuples whose entries are ints or ``None`` (an unknown or variable
dimension); a shape of ``None`` means even the rank is unknown.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

Shape = Optional[Tuple[Optional[int], ...]]

FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
NON_NUMERIC_DTYPES = ("str", "object", "bytes")


@dataclass(eq=False)
class Origin:
    """Where a value was built: the syntax node."""

    node: cst.CSTNode


@dataclass(eq=False)
class Const:
    """A plain Python literal: int, float, str, bool or None."""

    value: Any
    origin: Optional[Origin] = None


@dataclass(eq=False)
class Seq:
    """A list or tuple of abstract values.

    ``shape_of`` is set when the tuple is ``arr.shape`` of an array (the full
    shape, sample axis included); slicing clears it.
    """

    items: List[Any]
    kind: str = "tuple"
    origin: Optional[Origin] = None
    shape_of: Optional["Array"] = None


@dataclass(eq=False)
class Dict_:
    items: Dict[str, Any]
    origin: Optional[Origin] = None


@dataclass(eq=False)
class ModuleRef:
    """A module or an attribute of one, named by its dotted path."""

    path: str


@dataclass(eq=False)
class Array:
    """A NumPy array or a TensorFlow tensor."""

    shape: Shape
    dtype: Optional[str]
    lo: Optional[float] = None  # smallest value it can hold, if known
    hi: Optional[float] = None  # largest value it can hold, if known
    open_hi: bool = False  # values stay below ``hi`` (np.random.rand: [0, 1))
    onehot: bool = False  # each row is a one-hot (or categorical) vector
    origin: Optional[Origin] = None
    tensor: bool = False
    ragged: bool = False

    @property
    def rank(self) -> Optional[int]:
        return None if self.shape is None else len(self.shape)

    @property
    def samples(self) -> Optional[int]:
        if not self.shape:
            return None
        return self.shape[0]

    @property
    def integral(self) -> bool:
        return self.dtype in INT_DTYPES or self.dtype == "bool"

    def but(self, **changes: Any) -> "Array":
        return replace(self, **changes)


@dataclass(eq=False)
class Frame:
    """A pandas DataFrame (ndim 2) or Series (ndim 1): the rank, and the
    column names of a DataFrame when the code names them (``df[cols]``)."""

    ndim: int
    origin: Optional[Origin] = None
    columns: Optional[Tuple[str, ...]] = None


@dataclass(eq=False)
class Encoder:
    """A scikit-learn LabelEncoder: fit_transform keeps the shape, gives 0..k-1."""


@dataclass(eq=False)
class Rng:
    """``np.random.default_rng()`` / ``np.random.RandomState()``."""

    kind: str = "Generator"  # the class: "Generator" or "RandomState"


@dataclass(eq=False)
class Dataset:
    """A ``tf.data.Dataset``: ``element`` is the per-element structure of
    Arrays (without the batch axis unless ``batched``)."""

    element: Any
    batched: bool
    origin: Optional[Origin] = None
    batch_origin: Optional[Origin] = None
    batch_size: Optional[int] = None  # the batch axis when every batch has this size (drop_remainder=True)
    length: Optional[int] = None  # the number of elements, when known exactly (a window)


@dataclass(eq=False)
class Layer:
    """A layer object before it is called: its class and literal config."""

    kind: str
    args: List[Any]
    kwargs: Dict[str, Any]
    origin: Origin
    complete: bool = True  # False when built with *args/**kwargs: arguments unknown
    nodes: Dict[Any, cst.CSTNode] = field(default_factory=dict)  # argument expressions by position or name

    def set_at(self, name: str, pos: Optional[int] = None) -> Optional[cst.CSTNode]:
        """Where the value of an argument was written, when that is not in
        the layer call itself (``Dense(NUM_CLASSES)``: the constant)."""
        value = self.kwargs.get(name) if name in self.kwargs else (
            self.args[pos] if pos is not None and pos < len(self.args) else None)
        node = self.nodes.get(name) if name in self.kwargs else self.nodes.get(pos)
        origin = getattr(value, "origin", None)
        if origin is None or origin.node is node:
            return None
        return origin.node

    def kw(self, name: str, pos: Optional[int] = None, default: Any = None) -> Any:
        """The literal value of an argument, or ``default`` when absent; the
        abstract value itself when it is not a literal."""
        if name in self.kwargs:
            return py(self.kwargs[name], default)
        if pos is not None and pos < len(self.args):
            return py(self.args[pos], default)
        return default

    def has(self, name: str, pos: Optional[int] = None) -> bool:
        return name in self.kwargs or (pos is not None and pos < len(self.args))

    @property
    def name(self) -> Optional[str]:
        value = self.kw("name")
        return value if isinstance(value, str) else None


@dataclass(eq=False)
class Sym:
    """A symbolic Keras tensor of the functional API (an ``Input`` or a layer
    output). ``shape`` includes the batch axis."""

    shape: Shape
    dtype: Optional[str]
    origin: Origin
    layer: Optional[Layer] = None
    name: Optional[str] = None  # for Inputs: the ``name=``
    is_input: bool = False
    shape_from: Optional[Array] = None  # Input(shape=arr.shape)
    consumers: List[Tuple[Layer, "Sym"]] = field(default_factory=list)
    parents: List["Sym"] = field(default_factory=list)  # the layer's inputs
    shape_set_at: Optional[cst.CSTNode] = None  # Input(shape=IMG_SHAPE): where IMG_SHAPE was written
    traced: bool = True  # False when the layer call had arguments beyond its inputs
    declared_by: Optional[str] = None  # an input a model took on when built by use (see models.py)
    sizes_unknown: bool = False  # Input(shape=(n - 1,)) with n unknown: its None sizes are not Keras' None


@dataclass(eq=False)
class Model:
    """A Keras model built in the file: Sequential or functional."""

    kind: str  # "sequential" | "functional"
    origin: Origin
    layers: List[Layer] = field(default_factory=list)  # sequential only
    inputs: List[Sym] = field(default_factory=list)
    outputs: List[Sym] = field(default_factory=list)  # functional only
    exact: bool = True  # layers known exactly (not added in a loop, etc.)
    compiled: Optional[bool] = False  # None: unknown on this path
    loss: Any = None  # abstract value of compile(loss=...)
    loss_origin: Optional[Origin] = None
    compile_origin: Optional[Origin] = None
    input_dict: bool = False  # Model(inputs={...})
    output_dict: bool = False  # Model(outputs={...})
    output_names: Optional[List[Optional[str]]] = None
    traced: bool = False  # layer input shapes recorded (see Interpreter.trace_sequential)
    compile_args: Any = None  # the evaluated arguments of the last compile (interpreter.Args)
    traced_data: Any = None  # the data a Sequential without an Input was traced with
    build_unknown: bool = False  # built with a shape that was not followed (see models.py)


class _Missing:
    pass


MISSING = _Missing()


def py(value: Any, default: Any = None) -> Any:
    """Turn an abstract value into a Python literal (nested tuples/lists) or
    return ``default`` if any part of it is unknown."""
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Seq):
        out = []
        for item in value.items:
            converted = py(item, MISSING)
            if converted is MISSING:
                return default
            out.append(converted)
        return tuple(out) if value.kind == "tuple" else out
    return default


def as_shape(value: Any) -> Shape:
    """A shape literal: an int, or a tuple/list of ints and Nones."""
    literal = py(value, MISSING)
    if isinstance(literal, bool):
        return None
    if isinstance(literal, int):
        return (literal,)
    if isinstance(literal, (tuple, list)) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in literal
    ):
        return tuple(literal)
    return None


def fmt_shape(shape: Shape) -> str:
    if shape is None:
        return "(?)"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def fmt_range(lo: Optional[float], hi: Optional[float]) -> str:
    def num(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else f"{v:g}"

    return f"{num(lo)}..{num(hi)}"
