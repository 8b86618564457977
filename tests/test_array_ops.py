"""Array operations (fitlint/analysis/array_ops.py): the shape, dtype and
value range fitlint infers for each expression are those NumPy / TensorFlow
compute when the same program runs. NumPy and TensorFlow are imported here
only, never by the analysis."""
import textwrap

import libcst as cst
import pytest

from fitlint.analysis.array_ops import ListOf
from fitlint.analysis.interpreter import Interpreter
from fitlint.analysis.values import Array

HEADER = "import numpy as np\nimport tensorflow as tf\n"

PRELUDE = """
x = np.random.rand(6, 4, 3).astype("float32")
y = np.random.randint(0, 5, size=(6,))
t = tf.random.uniform((6, 4), 0, 1)
series = np.arange(100, dtype="float32") * 0.5
"""

# Expressions evaluated after PRELUDE: fitlint's value must be NumPy's/TF's.
CASES = [
    # indexing
    "x[0]", "x[-1, 2]", "x[1:4]", "x[::2]", "x[::-1, 1:]", "x[:, -2:, 0]", "x[None]", "x[..., None]",
    "x[:, np.newaxis]", "x[..., 0]", "x[1, ..., 2]", "x[y]", "x[:, [0, 2]]", "x[[0, 1], [1, 2]]",
    "x[:, [0, 1], [1, 2]]", "x[[True, False, True, False, True, False]]", "np.eye(5)[y]", "t[:, 1]",
    "t[..., None]", "series[10:30]", "series[-20:]",
    # elementwise functions, broadcasting
    "np.exp(x)", "np.log(x + 1)", "np.sqrt(x)", "np.abs(x - 0.5)", "np.sin(x)", "np.cos(y)", "np.tanh(x)",
    "np.clip(x, 0.2, 0.8)", "np.clip(y, 1, 3)", "np.round(x)", "np.floor(x)", "np.maximum(x, 0.5)",
    "np.minimum(y, 2)", "np.where(x > 0.5, x, 0.0)", "np.where(y > 2, 1, 0)", "x * np.pi", "x < 0.5",
    "np.maximum(x, x[0])", "tf.exp(t)", "tf.math.log(t + 1.0)", "tf.maximum(t, 0.5)", "tf.where(t > 0.5, t, t)",
    "tf.clip_by_value(t, 0.1, 0.9)", "tf.math.sigmoid(t)", "tf.abs(t)",
    # reductions
    "np.sum(x)", "np.sum(x, axis=1)", "np.mean(x, axis=(0, 2))", "np.max(x, axis=-1, keepdims=True)",
    "np.min(y)", "np.std(x, axis=0)", "np.prod(y, axis=0)", "np.any(x > 0.5, axis=1)", "np.all(y >= 0)",
    "x.sum(axis=0)", "x.mean(axis=-1)", "x.max(axis=1, keepdims=True)", "y.min()", "x.std()",
    "np.argmin(x, axis=1)", "x.argmin(axis=2)", "y.any()", "tf.reduce_sum(t, axis=1)",
    "tf.reduce_mean(t)", "tf.reduce_max(t, axis=0, keepdims=True)", "tf.math.reduce_std(t, axis=1)",
    "tf.math.argmax(t, axis=1)", "tf.argmin(t, axis=0)", "tf.reduce_any(t > 0.5, axis=1)",
    # joins, shapes, splits, repeats
    "np.hstack([x, x])", "np.vstack([x[0], x[1]])", "np.column_stack([y, y])", "np.dstack([x[0], x[1]])",
    "np.hstack([y, y])", "np.vstack([y, y])", "np.concatenate([x, x], axis=None)", "np.swapaxes(x, 0, 2)",
    "x.swapaxes(1, 2)", "np.moveaxis(x, 0, -1)", "np.moveaxis(x, [0, 1], [2, 0])", "np.tile(y, 3)",
    "np.tile(x, (2, 1, 1))", "np.repeat(y, 2)", "np.repeat(x, 3, axis=2)", "x.repeat(2, axis=0)",
    "np.full_like(y, 7)", "np.split(x, 3)[0]", "np.array_split(y, 4)[3]", "np.split(x, [1, 3], axis=1)[2]",
    "np.expand_dims(series, -1)", "np.linspace(0, 1, 7)", "np.zeros_like(x)", "np.full((2, 3), 1.5)",
    # tensorflow
    "tf.Variable(t)", "tf.Variable([[1.0, 2.0]])", "tf.Variable(t, dtype=tf.float32)",
    "tf.gather(t, [0, 2, 4])", "tf.gather(t, [1, 2], axis=1)", "tf.stack([t, t], axis=1)",
    "tf.concat([t, t], axis=0)", "tf.reshape(t, (-1, 2))", "tf.cast(t, tf.int32)", "tf.expand_dims(t, 1)",
    "tf.squeeze(t[:, :1])", "tf.transpose(t)", "tf.zeros_like(t)", "tf.ones_like(t, dtype=tf.int32)",
    "tf.fill((2, 3), 7)", "tf.fill((2,), 0.5)",
]

# Lists built in loops, then stacked.
PROGRAMS = [
    ("windows of a series, by slicing with the loop's index",
     "xs, ys = [], []\nfor i in range(len(series) - 10):\n    xs.append(series[i:i + 10])\n"
     "    ys.append(series[i + 10])\nv = np.array(xs)\n", (90, 10)),
    ("the labels of those windows", "ys = []\nfor i in range(len(series) - 10):\n    ys.append(series[i + 10])\n"
     "v = np.array(ys)\n", (90,)),
    ("windows from a comprehension", "v = np.array([series[i:i + 5] for i in range(len(series) - 5)])\n", (95, 5)),
    ("windows ending at the index", "w = []\nfor i in range(12, len(series)):\n    w.append(series[i - 12:i])\n"
     "v = np.array(w)[..., np.newaxis]\n", (88, 12, 1)),
    ("rows of a 3-d array, one per pass", "rows = []\nfor k in range(40):\n    rows.append(x[2])\n"
     "v = np.array(rows)\n", (40, 4, 3)),
    ("a tensor of a grown list", "rows = []\nfor k in range(40):\n    rows.append(0.5)\nv = tf.constant(rows)\n",
     (40,)),
    ("two appends per pass", "rows = []\nfor k in range(50):\n    rows.append(1)\n    rows.append(2)\n"
     "v = np.array(rows)\n", (100,)),
    ("numbers read in a loop of unknown length: rank 1, float64 even when empty",
     "rows = []\nfor line in ['1.5', '2.5'] * 20:\n    rows.append(float(line))\nv = np.array(rows)[:, None]\n", (None, 1)),
    ("a list that held items before the loop", "rows = [0.0, 1.0]\nfor k in range(50):\n    rows.append(2.0)\n"
     "v = np.array(rows)\n", (52,)),
]

# What must stay unknown (None): a guess here could be wrong.
UNKNOWN = [
    "xs = []\nfor i in range(len(series) - 10):\n    if i % 2:\n        xs.append(series[i:i + 10])\nv = np.array(xs)\n",
    "xs = []\nfor i in range(len(series)):\n    xs.append(series[i:i + 10])\nv = np.array(xs)\n",
    "xs = []\nfor i in range(len(series) - 10):\n    xs.append(series[i:i + 10])\n    if i > 5:\n"
    "        break\nv = np.array(xs)\n",
    "xs = []\nfor line in open('f'):\n    xs.append(np.zeros(3))\nv = np.array(xs)\n",
    "xs = []\nfor i in range(50):\n    for j in range(50):\n        xs.append(i)\nv = np.array(xs)\n",
    "xs = []\nfor i in range(40):\n    xs.append(series[:i])\nv = np.array(xs)\n",
    "v = series[series > 2]",
    "v = np.where(series > 3)",
    "m = np.ones((50, 8))\nxs = []\nfor i in range(len(m)):\n    xs.append(m[:, i:i + 1])\nv = np.array(xs)\n",
    "v = np.split(y, 4)",
]


def _analysed(src):
    interp = Interpreter(cst.parse_module(HEADER + textwrap.dedent(PRELUDE) + src))
    interp.run()
    return interp.globals.vars


def _real(src):
    np = pytest.importorskip("numpy")
    tf = pytest.importorskip("tensorflow")
    namespace = {"np": np, "tf": tf}
    np.random.seed(0)
    exec(textwrap.dedent(PRELUDE) + src, namespace)
    return namespace["v"]


def _compare(got, real):
    np = pytest.importorskip("numpy")
    out = np.asarray(real)
    assert isinstance(got, Array), got
    assert got.shape == tuple(out.shape), (got.shape, out.shape)
    assert got.dtype == out.dtype.name, (got.dtype, out.dtype.name)
    if out.size and out.dtype != object and got.lo is not None:
        assert out.min() >= got.lo - 1e-6
    if out.size and out.dtype != object and got.hi is not None:
        assert (out.max() < got.hi) if got.open_hi else (out.max() <= got.hi + 1e-6)


@pytest.mark.tf
@pytest.mark.parametrize("expr", CASES)
def test_inferred_value_is_the_real_one(expr):
    """Shape, dtype and (when known) value range of each expression are what
    NumPy / TensorFlow give."""
    _compare(_analysed(f"v = {expr}\n")["v"], _real(f"v = {expr}\n"))


@pytest.mark.tf
@pytest.mark.parametrize("pattern, src, shape", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_lists_built_in_loops(pattern, src, shape):
    """A list appended to once (or a fixed number of times) per pass of a
    loop of known length has that many items; np.array stacks them."""
    got = _analysed(src)["v"]
    assert isinstance(got, Array) and got.shape == shape
    real = _real(src)
    if None in shape:  # the length is not known: the rest is
        got = got.but(shape=tuple(real.shape[i] if d is None else d for i, d in enumerate(shape)))
    _compare(got, real)


@pytest.mark.parametrize("src", UNKNOWN)
def test_what_cannot_be_known_stays_unknown(src):
    """A conditional append, a window that may run past the end, a loop left
    early, an unknown iterable, nested loops, items of different lengths, a
    mask's count, np.where of one argument: unknown."""
    got = _analysed(src)["v"]
    if isinstance(got, Array):
        assert got.shape is None or None in got.shape
    else:
        assert got is None or isinstance(got, ListOf) and got.count is None


def test_the_loop_list_knows_its_items():
    """Before np.array, the grown list is a list of a known length whose items
    share one shape."""
    got = _analysed("xs = []\nfor i in range(len(series) - 10):\n    xs.append(series[i:i + 10])\n")["xs"]
    assert isinstance(got, ListOf) and got.count == 90 and got.item.shape == (10,)


def test_zeros_with_an_unknown_size():
    """np.zeros((n, steps, 1)) with ``steps`` unknown still has rank 3."""
    got = _analysed("def make(steps):\n    return np.zeros(shape=(1000, steps, 1))\nv = make(int(input()))\n")["v"]
    assert isinstance(got, Array) and got.shape == (1000, None, 1) and got.dtype == "float64"


def test_nested_comprehension_over_arrays():
    """``[[x, y] for y in a for x in b]`` over arrays of known lengths: one
    item per pair, so np.array gives (len(a) * len(b), 2)."""
    src = ("gx = np.linspace(-1, 1, 30)\ngy = np.linspace(-1, 1, 20)[::-1]\n"
           "v = np.array([[x, y] for y in gy for x in gx])\n")
    got = _analysed(src)["v"]
    assert isinstance(got, Array) and got.shape == (600, 2) and got.dtype == "float64"


def test_a_loop_bound_by_len_keeps_slices_of_axis_0_only():
    """``for i in range(1, len(m))``: ``m[i - 1:i]`` has one row, but
    ``m[:, i - 1:i]`` slices axis 1, which len(m) says nothing about."""
    src = ("m = np.ones((int(input()), 8))\nrows, cols = [], []\nfor i in range(1, len(m)):\n"
           "    rows.append(m[i - 1:i])\n    cols.append(m[:, i - 1:i])\n")
    env = _analysed(src)
    assert env["rows"].item.shape == (1, 8)
    assert env["cols"].item.shape == (None, None)
