"""Library calls are bound to their declared signatures as Python binds them:
by position, by keyword and with defaults; a call Python would refuse, or one
with ``*args``/``**kwargs``, is unknown. No TensorFlow is imported here."""
import textwrap

import libcst as cst
import pytest

from fitlint.analysis.interpreter import Interpreter
from fitlint.analysis.library import SIGNATURE_TEXT, SIGNATURES
from fitlint.analysis.signatures import REQUIRED, Bound, bind, parse
from fitlint.analysis.values import Array, Const
from fitlint.engine import lint_source
from fitlint.rules import select

HEADER = "import numpy as np\nimport tensorflow as tf\nimport keras\n"


def value(expr, prelude=""):
    interp = Interpreter(cst.parse_module(HEADER + textwrap.dedent(prelude) + f"v = {expr}\n"))
    interp.run()
    return interp.globals.vars.get("v")


def errors(src):
    return sorted(f.code for f in lint_source(textwrap.dedent(src).encode(), "t.py", select())
                  if f.severity == "error")


# --------------------------------------------------------------- the binder
class _Call:
    """Evaluated call arguments as the interpreter hands them over."""

    def __init__(self, *pos, star=False, **kw):
        self.pos, self.kw, self.star = list(pos), dict(kw), star
        self.pos_nodes, self.kw_nodes = [None] * len(pos), {}


_SIGS = ["a, /, b=2, *args, c, d=4, **kw", "x, y=None", "*args", "shape, dtype='float32'", "a, /, b", ""]
_CALLS = [((), {}), ((1,), {}), ((1, 2), {}), ((1, 2, 3), {}), ((1,), {"c": 3}), ((1,), {"a": 1}),
          ((1,), {"b": 2, "c": 3}), ((1, 2), {"b": 3, "c": 1}), ((), {"x": 1}), ((1,), {"y": 2, "z": 3}),
          ((1,), {"dtype": "int32"}), ((), {"shape": 1, "dtype": 2}), ((1,), {"b": 5}), ((1, 2, 3, 4), {"c": 0})]


@pytest.mark.parametrize("text", _SIGS)
@pytest.mark.parametrize("pos, kw", _CALLS)
def test_bind_agrees_with_python(text, pos, kw):
    """bind() accepts a call exactly when Python's own binding
    (inspect.Signature.bind of the same parameter list) does, and gives every
    parameter the same value, defaults included."""
    import inspect
    namespace = {}
    exec(f"def f({text}): pass", namespace)
    real = inspect.signature(namespace["f"])
    try:
        expected = real.bind(*pos, **kw)
        expected.apply_defaults()
    except TypeError:
        expected = None
    got = bind(parse(text), _Call(*[Const(p) for p in pos], **{k: Const(v) for k, v in kw.items()}))
    assert (got is None) == (expected is None)
    if got is None:
        return
    for name, want in expected.arguments.items():
        have = got.get(name)
        param = real.parameters[name]
        if param.kind == param.VAR_POSITIONAL:
            assert [i.value for i in have.items] == list(want)
        elif param.kind == param.VAR_KEYWORD:
            assert {k: v.value for k, v in have.items.items()} == want
        elif want is None:
            assert got.is_none(name)
        else:
            assert have.value == want


def test_star_arguments_do_not_bind():
    """A call with *args or **kwargs cannot be expanded: it does not bind."""
    assert bind(parse("x, y=None"), _Call(Const(1), star=True)) is None


def test_reading_an_undeclared_parameter_is_a_bug():
    """A handler that asks for a name its signature does not declare fails
    loudly instead of reading nothing."""
    bound = bind(parse("x"), _Call(Const(1)))
    assert isinstance(bound, Bound)
    with pytest.raises(KeyError):
        bound.get("y")


def test_every_declared_signature_parses():
    """Every declared parameter list is valid Python with literal defaults."""
    assert set(SIGNATURES) == set(SIGNATURE_TEXT)
    for name, sig in SIGNATURES.items():
        assert all(p.default is REQUIRED or p.default is None or isinstance(p.default, (str, int, float, tuple))
                   for p in sig.params), name


# ------------------------------------------------------ the values of calls
BOUND_CASES = [
    # np.arange / tf.range by keyword
    ("np.arange(stop=5)", (5,), "int64", 0, 4),
    ("np.arange(start=2, stop=5)", (3,), "int64", 2, 4),
    ("np.arange(5, step=2)", (3,), "int64", 0, 4),
    ("np.arange(2, 10, step=3)", (3,), "int64", 2, 8),
    ("np.arange(0, 5, 1, 'int32')", (5,), "int32", 0, 4),
    ("tf.range(start=5)", (5,), "int32", 0, 4),
    ("tf.range(2, delta=2, limit=8)", (3,), "int32", 2, 6),
    ("tf.range(start=1, limit=4)", (3,), "int32", 1, 3),
    # tf.one_hot(indices, depth, on_value, off_value, axis, dtype)
    ("tf.one_hot([0, 1, 2], 3, 5.0, -1.0)", (3, 3), "float32", -1, 5),
    ("tf.one_hot([0, 1], 3, 1, 0)", (2, 3), "int32", 0, 1),
    ("tf.one_hot(np.zeros((4, 2), 'int32'), 3, axis=0)", (3, 4, 2), "float32", 0, 1),
    ("tf.one_hot([0, 1], 3, dtype=tf.int32)", (2, 3), "int32", 0, 1),
    ("tf.one_hot([0, 1], 3, 1, 0, dtype=tf.float64)", (2, 3), "float64", 0, 1),
    # pad_sequences(sequences, maxlen, dtype, padding, truncating, value)
    ("keras.utils.pad_sequences(np.random.randint(1, 10, (4, 3)), 5, 'int32', 'post', 'post', 99)",
     (4, 5), "int32", 1, 99),
    # truncated or already as long as the longest: no padding value appears
    ("keras.utils.pad_sequences(np.random.randint(1, 10, (4, 7)), 5, 'int32', 'post', 'post', 99)",
     (4, 5), "int32", 1, 9),
    ("keras.utils.pad_sequences(np.random.randint(1, 10, (4, 7)), value=-1)", (4, 7), "int32", 1, 9),
    # tf.matmul flags and batch broadcasting
    ("tf.matmul(tf.zeros((2, 3)), tf.zeros((2, 4)), transpose_a=True)", (3, 4), "float32", None, None),
    ("tf.matmul(tf.zeros((2, 3)), tf.zeros((4, 3)), adjoint_b=True)", (2, 4), "float32", None, None),
    ("tf.linalg.matmul(tf.zeros((3, 2)), tf.zeros((4, 3)), True, True)", (2, 4), "float32", None, None),
    ("tf.matmul(tf.zeros((5, 1, 2, 3)), tf.zeros((7, 3, 4)))", (5, 7, 2, 4), "float32", None, None),
    ("np.matmul(np.zeros((1, 2, 3)), np.zeros((3, 4)))", (1, 2, 4), "float64", None, None),
    ("np.dot(np.zeros((2, 3, 4)), np.zeros((5, 4, 6)))", (2, 3, 5, 6), "float64", None, None),
    # casts of floats to integers truncate; float uniform never reaches maxval
    ("tf.cast(tf.random.uniform((9,), 0, 3), tf.int32)", (9,), "int32", 0, 2),
    ("tf.cast(tf.random.uniform((9,), 0, 3.5), tf.int32)", (9,), "int32", 0, 3),
    ("tf.random.uniform((9,), maxval=5, dtype=tf.int32)", (9,), "int32", 0, 4),
    ("np.random.uniform(0, 3, 10).astype(dtype='int32')", (10,), "int32", 0, 2),
    ("np.int32(np.random.uniform(-2.5, 3, 10))", (10,), "int32", -2, 2),
    # other signatures
    ("np.random.randint(low=2, high=4, size=(3, 2))", (3, 2), "int64", 2, 3),
    ("np.random.randint(5, None, 3, 'int32')", (3,), "int32", 0, 4),
    ("np.random.rand()", (), "float64", 0, 1),
    ("np.zeros(3, 'int32')", (3,), "int32", 0, 0),
    ("np.ones(shape=(2,), dtype=None)", (2,), "float64", 1, 1),
    ("np.zeros_like(np.zeros((2, 3)), shape=(4,))", (4,), "float64", 0, 0),
    ("np.eye(3, 4, dtype='int32')", (3, 4), "int32", 0, 1),
    ("np.identity(3)", (3, 3), "float64", 0, 1),
    ("np.reshape(np.zeros(6), shape=(2, 3))", (2, 3), "float64", 0, 0),
    ("np.zeros((2, 3)).reshape(3, 2)", (3, 2), "float64", 0, 0),
    ("np.zeros((2, 3, 4)).transpose(2, 0, 1)", (4, 2, 3), "float64", 0, 0),
    ("tf.transpose(tf.zeros((2, 3, 4)), perm=[2, 0, 1])", (4, 2, 3), "float32", 0, 0),
    ("tf.argmax(tf.zeros((3, 4)))", (4,), "int64", 0, 2),
    ("np.zeros((3, 4)).argmax(axis=1)", (3,), "int64", 0, 3),
    ("tf.zeros(3, tf.int32)", (3,), "int32", 0, 0),
    ("tf.concat([tf.zeros((2, 3)), tf.zeros((2, 3))], axis=1)", (2, 6), "float32", 0, 0),
    ("keras.utils.to_categorical(np.array([0, 2]), 4)", (2, 4), "float64", 0, 1),
    ("keras.utils.to_categorical(tf.constant([[0], [2]]), 3)", (2, 3), "float32", 0, 1),
    ("np.random.default_rng(0).integers(1, 3, 5, endpoint=True)", (5,), "int64", 1, 3),
    ("np.random.RandomState(0).randint(4, size=3)", (3,), "int64", 0, 3),
    ("np.random.RandomState(0).rand(2, 3)", (2, 3), "float64", 0, 1),
]


@pytest.mark.parametrize("expr, shape, dtype, lo, hi", BOUND_CASES)
def test_bound_values(expr, shape, dtype, lo, hi):
    """The value of a call whose arguments are passed by position, keyword or
    left to their defaults: shape, dtype and range as the real function
    returns them (tests/test_signatures.py runs the same calls for real)."""
    arr = value(expr)
    assert isinstance(arr, Array), arr
    assert (arr.shape, arr.dtype, arr.lo, arr.hi) == (shape, dtype, lo, hi)


def test_float_uniform_has_an_open_upper_bound():
    """tf.random.uniform of floats stays below maxval."""
    arr = value("tf.random.uniform((9,), 0, 3)")
    assert (arr.lo, arr.hi, arr.open_hi) == (0, 3, True)


# Calls the real library refuses (tests/test_signatures.py runs them).
REFUSED = [
    "np.arange(start=5)",  # NumPy: arange() requires stop to be specified
    "tf.range(limit=5)",  # TF: missing required positional argument start
    "np.zeros((2, 3)).reshape(shape=(3, 2))",  # ndarray.reshape takes no shape=
    "np.reshape(np.zeros(6), newshape=(2, 3))",  # removed in NumPy 2.4
    "tf.one_hot([0, 1], 3, 1.0, 0.0, -1, tf.int32)",  # on_value's dtype is not dtype
    "tf.matmul(tf.zeros((2, 3)), tf.zeros((3, 2)), transpose_a=True, adjoint_a=True)",
    "np.random.randint(0, 3, 4, 'int32', 5)",  # too many arguments
    "np.random.uniform(0, 1, 3, low=0)",  # low given twice
    "tf.random.uniform((3,), dtype=tf.int32)",  # integer uniform needs maxval
    "keras.utils.to_categorical(tf.constant([0, 2]))",  # a tensor needs num_classes
]


@pytest.mark.parametrize("expr", REFUSED + [
    "tf.matmul(tf.zeros((2, 3)), tf.zeros((3, 2)), flag)",  # unknown transpose_a
    "np.random.randint(*bounds)",
    "np.zeros(**spec)",
    "keras.utils.to_categorical(np.array([0, 2]), n)",  # unknown num_classes is not inferred
])
def test_calls_that_do_not_bind_are_unknown(expr):
    """A call Python or the library would refuse, or whose arguments the
    analysis cannot expand or read, has an unknown value (never a guess)."""
    arr = value(expr, "bounds = (0, 3)\nspec = {}\nimport random\nflag = random.random() > 0.5\n"
                      "n = random.randint(3, 5)\n")
    assert arr is None or isinstance(arr, Array) and arr.shape is None or \
        isinstance(arr, Array) and None in arr.shape, arr


# ------------------------------------------------------------- end to end
_SPARSE_LABELS = """
import numpy as np
import tensorflow as tf
import keras
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
x = np.random.rand(32, 4)
y = tf.cast(tf.random.uniform((32,), 0, {maxval}), tf.int32)
model.fit(x, y, epochs=1, verbose=0)
"""
_MATMUL = """
import tensorflow as tf
a = tf.zeros((2, 3))
b = tf.zeros({shape})
c = tf.matmul(a, b, transpose_b=True)
"""
_PAD = """
import numpy as np
import keras
seqs = np.random.randint(1, 100, (16, {length}))
ids = keras.utils.pad_sequences(seqs, 12, 'int32', 'post', 'post', {value})
model = keras.Sequential([keras.Input(shape=(12,)), keras.layers.Embedding(100, 8),
                          keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(ids, np.random.randint(0, 3, 16), epochs=1, verbose=0)
"""
_ARANGE = """
import numpy as np
import keras
ids = np.arange(start=0, stop=200).reshape(20, 10)
model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Embedding({dim}, 8),
                          keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(ids, np.random.randint(0, 3, 20), epochs=1, verbose=0)
"""
_ONE_HOT = """
import numpy as np
import tensorflow as tf
import keras
labels = np.random.randint(0, 3, 32)
y = tf.one_hot(labels, 3, 1.0, 0.0, {axis})
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense({units}, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(32, 4), y, epochs=1, verbose=0)
"""
# (program, the error codes fitlint reports, why): each program with no
# error runs under TF, each other fails (tests/test_signatures.py runs them).
PROGRAMS = [
    # tf.cast(uniform(0, 3)) holds 0..2: fine for 3 classes; uniform(0, 4) reaches label 3
    (_SPARSE_LABELS.format(maxval=3), []),
    (_SPARSE_LABELS.format(maxval=4), ["FIT201"]),
    # transpose_b=True: (2, 3) x (4, 3)^T runs; (2, 3) x (3, 4)^T has inner dims 3 and 4
    (_MATMUL.format(shape="(4, 3)"), []),
    (_MATMUL.format(shape="(3, 4)"), ["FIT401"]),
    # the sixth argument of pad_sequences is the padding value: 999 is no id of Embedding(100);
    # sequences of 20 cut to 12 are not padded, so there it never appears
    (_PAD.format(length=8, value=0), []),
    (_PAD.format(length=8, value=999), ["FIT301"]),
    (_PAD.format(length=20, value=999), []),
    # np.arange(start=0, stop=200): ids 0..199
    (_ARANGE.format(dim=200), []),
    (_ARANGE.format(dim=100), ["FIT301"]),
    # tf.one_hot(labels, 3, 1.0, 0.0, axis): (n, 3), or (3, n) with axis=0
    (_ONE_HOT.format(axis=-1, units=3), []),
    (_ONE_HOT.format(axis=-1, units=4), ["FIT204"]),
    (_ONE_HOT.format(axis=0, units=3), ["FIT109", "FIT204"]),
]


@pytest.mark.parametrize("src, codes", PROGRAMS)
def test_programs_with_bound_arguments(src, codes):
    """Programs whose data come from calls with keyword or positional
    arguments: exactly the expected errors — none for the working program,
    the mismatch for its broken twin."""
    assert errors(src) == codes


# ------------------------------------------------------------------ layers
LAYER_CASES = [
    # (layers after Input((28, 28, 1)), output shape as Keras computes it)
    ("Conv2D(8, 3, 1, 'valid', None, 2)", (None, 24, 24, 8)),  # dilation_rate by position
    ("Conv2D(filters=8, kernel_size=3, padding='same')", (None, 28, 28, 8)),
    ("MaxPooling2D((2, 2), None, 'same')", (None, 14, 14, 1)),
    ("Reshape(target_shape=(28, 28)), LSTM(16, 'tanh', 'sigmoid', return_sequences=True)", (None, 28, 16)),
    ("Flatten(), Dense(units=5)", (None, 5)),
    ("Reshape(target_shape=(784,)), RepeatVector(n=3)", (None, 3, 784)),
    ("Resizing(16, 16), CenterCrop(12, 10)", (None, 12, 10, 1)),
    ("RandomCrop(10, 12), RandomFlip(), RandomBrightness(0.1)", (None, 10, 12, 1)),
    ("Reshape((784,)), CategoryEncoding(num_tokens=4, output_mode='multi_hot')", (None, 4)),
]


def layer_output(layers_src):
    src = f"""
from keras import Sequential, Input
from keras.layers import *
m = Sequential([Input((28, 28, 1)), {layers_src}])
"""
    interp = Interpreter(cst.parse_module(src))
    interp.run()
    model = interp.globals.vars["m"]
    return interp.sequential_output(model, []) if model.exact else None


@pytest.mark.parametrize("layers_src, out", LAYER_CASES)
def test_layer_arguments_bound_by_name(layers_src, out):
    """Layer constructor arguments given by position or keyword are read by
    their parameter name (Conv2D's sixth positional argument is its
    dilation_rate), giving the output shape Keras computes
    (tests/test_signatures.py builds the same models)."""
    assert layer_output(layers_src) == out


# Layer calls Keras refuses (tests/test_signatures.py builds them).
REFUSED_LAYERS = [
    "SpatialDropout1D(0.2, input_shape=(28, 28))",  # takes no **kwargs
    "Dense()",  # units is required
    "Dense(10, units=10)",  # units given twice
]


@pytest.mark.parametrize("layer_src", REFUSED_LAYERS)
def test_layer_calls_that_do_not_bind_are_unknown(layer_src):
    """A layer Keras cannot construct is not a layer: the model holding it
    is not known exactly, so nothing is reported from it."""
    assert layer_output(f"Reshape((28, 28)), {layer_src}") is None


def test_every_declared_signature_reads():
    """Signatures are read from their text on first use: every one the
    analysis modules declare reads as a parameter list, with distinct names."""
    import importlib
    import pkgutil

    import fitlint.analysis
    from fitlint.analysis import signatures

    for module in pkgutil.iter_modules(fitlint.analysis.__path__):
        importlib.import_module(f"fitlint.analysis.{module.name}")
    declared = signatures.declared()
    assert len(declared) > 250
    for signature in declared:
        names = signature.names
        assert len(set(names)) == len(names), signature.text
    assert "x" in signatures.parse("x, /, y=1, *rest, z='float32', **kw")
