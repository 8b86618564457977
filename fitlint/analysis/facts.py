"""What the analysis learns about one file: the facts rules compare."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from .values import Array, Dataset, Layer, Model, Origin, Shape, Sym

# Loss families, as far as the label contract is concerned.
SPARSE = "sparse_categorical_crossentropy"
CATEGORICAL = "categorical_crossentropy"
BINARY = "binary_crossentropy"
REGRESSION = "regression"


@dataclass(eq=False)
class Binding:
    """One model input and the data that reaches it."""

    input: Optional[Sym]  # None when the model declares no input shape
    value: Any  # abstract value of the data
    node: cst.CSTNode  # the argument expression
    label: str  # "x", "x['image']", "validation x", ...


@dataclass(eq=False)
class Target:
    """One model output, its loss, and the labels that reach it."""

    shape: Shape  # model output shape, batch axis included
    layer: Optional[Layer]  # the layer producing it
    loss: Optional[str]  # one of the loss families above
    loss_origin: Optional[Origin]
    y: Any
    y_node: Optional[cst.CSTNode]
    label: str = "y"


@dataclass(eq=False)
class DataCall:
    """A ``fit``/``evaluate``/``predict``/``*_on_batch`` call on a model."""

    method: str
    node: cst.Call
    model: Model
    compiled: Optional[bool]
    inputs: List[Binding]
    targets: List[Target]
    x: Any
    x_node: Optional[cst.CSTNode]
    y: Any
    y_node: Optional[cst.CSTNode]
    dataset: Optional[Dataset] = None
    batch_size: Optional[int] = None
    validation: bool = False
    loss: Any = None  # the model's loss, compile arguments and layers when the call runs
    compile_args: Any = None
    layers: Any = None

    @property
    def what(self) -> str:
        return f"{self.method} (validation_data)" if self.validation else self.method


@dataclass(eq=False)
class OneHot:
    """``tf.one_hot(labels, depth)`` or ``to_categorical(labels, num_classes)``."""

    node: cst.Call
    function: str  # "tf.one_hot" | "to_categorical"
    labels: Array
    depth: int
    depth_node: Optional[cst.CSTNode]


@dataclass(eq=False)
class SliceCounts:
    """``from_tensor_slices`` over components with different sample counts."""

    node: cst.Call
    parts: List[Tuple[str, Array]]


@dataclass(eq=False)
class InputFromShape:
    """``Input(shape=arr.shape)`` / ``input_shape=arr.shape``."""

    node: cst.CSTNode
    array: Array
    shape: Shape


@dataclass(eq=False)
class LayerUse:
    """A layer applied to inputs of known shape (batch axis included)."""

    layer: Layer
    shapes: List[Shape]
    sources: List[Optional[Origin]]  # where each input comes from (an Input or the previous layer)
    previous: Optional[Layer] = None  # the layer feeding it
    model: Optional[Model] = None  # the Sequential model it belongs to
    inputs: Optional[List[Sym]] = None  # the symbolic inputs, in a functional graph


@dataclass(eq=False)
class Op:
    """A tensor operation outside the model on two known arrays."""

    node: cst.CSTNode
    kind: str  # "matmul" | "elementwise"
    name: str  # how it was spelled: "tf.matmul", "@", "+", "tf.add", ...
    left: Array
    right: Any  # an Array, or a Python number (Const) for elementwise ops


@dataclass(eq=False)
class Receiver:
    """One evaluation of ``X.<method>(...)`` for a fit-family method name,
    whatever ``X`` turned out to be (a Model, or unknown): what
    ``fitlint shapes`` counts call sites from."""

    node: cst.Call
    value: Any  # the abstract value of X
    guarded: bool = False  # inside ``with assertRaises(...)``: no data call is recorded


@dataclass
class Facts:
    calls: List[DataCall] = field(default_factory=list)
    one_hots: List[OneHot] = field(default_factory=list)
    slice_counts: List[SliceCounts] = field(default_factory=list)
    inputs_from_shape: List[InputFromShape] = field(default_factory=list)
    models: List[Model] = field(default_factory=list)
    layers: List[Layer] = field(default_factory=list)  # every layer constructed
    layer_uses: List[LayerUse] = field(default_factory=list)
    ops: List[Op] = field(default_factory=list)
    receivers: List[Receiver] = field(default_factory=list)
    # Calls of functions of this file not followed because a limit of the
    # analysis (nesting depth, inlined calls per function) was reached.
    budget: List[cst.Call] = field(default_factory=list)
    # Calls reading data whose shape, classes or columns only the files on
    # disk say (see fitlint.analysis.sources): ``fitlint shapes`` reports
    # what stays unknown there as ``data-from-files``.
    from_files: List[cst.CSTNode] = field(default_factory=list)
    syntax_error: Optional[Tuple[str, int, int]] = None  # message, line, column
    internal_error: Optional[str] = None  # fitlint failed on the file (FIT001)
    # Where the analysis gave up on a value because the file exceeded a
    # limit of its budget (see fitlint.analysis.budget): (node or None, what).
    budget: List[Tuple[Any, str]] = field(default_factory=list)
    # The ``except`` clauses around the statements that produced a fact,
    # keyed by ``id(fact)``: the dotted names of the exception classes they
    # catch (``builtins.ValueError``, ``tensorflow.errors.OpError``), ``*``
    # for a bare ``except``.
    caught: Dict[int, FrozenSet[str]] = field(default_factory=dict)
    # Every file the analysis read besides the checked one (a project module
    # it imported), and every path it looked for and did not find: the result
    # cache re-checks the file when one of them changes, appears or vanishes.
    # An item is a path, or (path, sha256 hex of the bytes read, or
    # fitlint.cache.ABSENT) to pin exactly what the analysis saw.
    dependencies: List[Any] = field(default_factory=list)
    # Command-line flag defaults the analysis read (name -> the default's
    # Const): another value may be passed at run time (see flags.py).
    flag_defaults: Dict[str, Any] = field(default_factory=dict)
    # Facts found while following another module's function, keyed by
    # ``id(fact)``: the call of this file that ran that function (where a
    # finding about the fact is reported; see project.py).
    entries: Dict[int, Any] = field(default_factory=dict)

    def sizes(self) -> Dict[str, int]:
        """How many facts of each kind there are so far."""
        return {f.name: len(getattr(self, f.name)) for f in fields(self) if isinstance(getattr(self, f.name), list)}

    def mark_caught(self, since: Dict[str, int], names: FrozenSet[str]) -> None:
        """Facts produced after ``since`` (see :meth:`sizes`) are inside a
        ``try`` whose handlers catch ``names``."""
        for name, start in since.items():
            for fact in getattr(self, name)[start:]:
                self.caught[id(fact)] = self.caught.get(id(fact), frozenset()) | names

    def handlers(self, fact: Any) -> FrozenSet[str]:
        """What the ``except`` clauses around ``fact`` catch (see ``caught``)."""
        return self.caught.get(id(fact), frozenset())
