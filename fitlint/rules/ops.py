"""FIT4xx: tensor operations outside the model."""
from __future__ import annotations

from typing import Iterable

from ..analysis.facts import Op
from ..analysis.library import _broadcast
from ..analysis.values import Array, Const, INT_DTYPES, fmt_shape
from ..findings import Finding
from .base import Context, Rule, built_here, related
from .base import dims_ev, dtype_ev

# Arrays with known shapes come from NumPy or TensorFlow constructors.
_ARRAYS = r"\bnp\.|numpy\.|\btf\.|tensorflow\."
_OPS = (r"matmul|dot|@|[-+*/]|add|subtract|multiply|divide", _ARRAYS)


def _ops(ctx: Context, kind: str) -> Iterable[Op]:
    return (op for op in ctx.facts.ops if op.kind == kind)


def _operands(ctx: Context, op: Op):
    out = [built_here(ctx, "left operand", op.left)]
    if isinstance(op.right, Array):
        out.append(built_here(ctx, "right operand", op.right))
    return related(*out)


def _exception(op: Op) -> str:
    tensor = op.left.tensor or (isinstance(op.right, Array) and op.right.tensor)
    return "InvalidArgumentError" if tensor else "ValueError"


class MatmulShapeMismatch(Rule):
    """
    ## What it does
    Checks the inner dimensions of a matrix product — `tf.matmul`,
    `np.matmul`, `np.dot`, `a @ b`: the last axis of `a` must equal the
    second-to-last axis of `b`.

    ## Why is this bad?
    TensorFlow raises `InvalidArgumentError: Matrix size-incompatible: In[0]:
    [2,2], In[1]: [3,2]`; NumPy raises `ValueError: matmul: Input operand 1
    has a mismatch in its core dimension 0`.

    ## Example
    ```python
    a = tf.constant([[1., 2.], [3., 4.]])                 # (2, 2)
    b = tf.constant([[5., 6.], [7., 8.], [9., 10.]])      # (3, 2)
    tf.matmul(a, b)
    ```

    ## Use instead
    ```python
    tf.matmul(a, tf.transpose(b))                         # (2, 2) x (2, 3)
    ```
    """

    code = "FIT401"
    name = "matmul-shape-mismatch"
    severity = "error"
    summary = "matrix product with inner dimensions that differ"
    exception = "InvalidArgumentError|ValueError"
    triggers = (r"matmul|dot|@", _ARRAYS)

    def check(self, ctx):
        for op in _ops(ctx, "matmul"):
            a, b = op.left, op.right
            if not isinstance(b, Array) or not a.shape or not b.shape:
                continue
            if len(a.shape) < 2 or len(b.shape) < 2:
                if op.name == "tf.matmul" or len(a.shape) < 1 or len(b.shape) < 1:
                    continue
            inner_a = a.shape[-1]
            inner_b = b.shape[-2] if len(b.shape) >= 2 else b.shape[0]
            if inner_a is None or inner_b is None or inner_a == inner_b:
                continue
            yield Finding(
                self.code,
                f"{op.name} of {fmt_shape(a.shape)} and {fmt_shape(b.shape)}: inner dimensions {inner_a} and "
                f"{inner_b} differ ({_exception(op)})",
                op.node, _operands(ctx, op),
                hint="transpose one operand or check which axis holds the features", subject=op,
                evidence=(str(inner_a), str(inner_b)))


class MixedDtypeOp(Rule):
    """
    ## What it does
    Finds a raw TensorFlow op (`tf.add`, `+`, `*`, `tf.matmul`, ...) on two
    tensors of different dtypes — int32 with float32, float64 with float32 —
    or an integer tensor with a Python float.

    ## Why is this bad?
    TensorFlow does not promote dtypes: `InvalidArgumentError: cannot compute
    AddV2 as input #1(zero-based) was expected to be a int32 tensor but is a
    float tensor`. (Keras layers cast their inputs; raw ops do not. A NumPy
    array mixed with a tensor is converted and runs.)

    ## Example
    ```python
    a = tf.constant([1, 2])       # int32
    b = tf.constant([0.5, 1.5])   # float32
    a + b
    ```

    ## Use instead
    ```python
    tf.cast(a, tf.float32) + b
    ```
    """

    code = "FIT402"
    name = "mixed-dtype-op"
    severity = "error"
    summary = "a raw TF op on tensors of different dtypes"
    exception = "InvalidArgumentError"
    triggers = _OPS

    def check(self, ctx):
        for op in ctx.facts.ops:
            a, b = op.left, op.right
            if not a.tensor or a.dtype is None:
                continue
            if isinstance(b, Array):
                if not b.tensor or b.dtype is None or a.dtype == b.dtype:
                    continue
                detail = f"{a.dtype} and {b.dtype} tensors"
            elif (isinstance(b, Const) and isinstance(b.value, float) and a.dtype in INT_DTYPES
                  and op.name in ("+", "-", "*", "tf.add", "tf.subtract", "tf.multiply")):
                detail = f"an {a.dtype} tensor and the Python float {b.value!r}"
            else:
                continue
            yield Finding(
                self.code, f"{op.name} on {detail}: TensorFlow does not convert dtypes in raw ops",
                op.node, _operands(ctx, op),
                hint="tf.cast one operand to the other's dtype first", subject=op,
                evidence=(dtype_ev(a.dtype),) + ((dtype_ev(b.dtype),) if isinstance(b, Array) else ()))


class BroadcastMismatch(Rule):
    """
    ## What it does
    Finds an elementwise op (`+`, `-`, `*`, `/`, `tf.add`, ...) on two arrays
    whose shapes cannot broadcast: aligned from the last axis, each pair of
    sizes must be equal or contain a 1.

    ## Why is this bad?
    TensorFlow raises `InvalidArgumentError: Incompatible shapes: [2,3] vs.
    [4]`; NumPy raises `ValueError: operands could not be broadcast together`.

    ## Example
    ```python
    tf.zeros((2, 3)) + tf.zeros((4,))
    ```

    ## Use instead
    ```python
    tf.zeros((2, 3)) + tf.zeros((3,))
    ```
    """

    code = "FIT403"
    name = "broadcast-mismatch"
    severity = "error"
    summary = "elementwise op on shapes that cannot broadcast"
    exception = "InvalidArgumentError|ValueError"
    triggers = _OPS

    def check(self, ctx):
        for op in _ops(ctx, "elementwise"):
            a, b = op.left, op.right
            if not isinstance(b, Array) or a.shape is None or b.shape is None:
                continue
            if _broadcast(a.shape, b.shape) is not None:
                continue
            yield Finding(
                self.code,
                f"{op.name} of shapes {fmt_shape(a.shape)} and {fmt_shape(b.shape)} that cannot broadcast "
                f"({_exception(op)})",
                op.node, _operands(ctx, op),
                hint="reshape one operand so that each axis matches or is 1", subject=op,
                evidence=(dims_ev(a.shape), dims_ev(b.shape)))
