"""The analysis pass: import spellings, constants and abstract values."""
import textwrap

import libcst as cst
import pytest

from fitlint.analysis.facts import BINARY, CATEGORICAL, REGRESSION, SPARSE
from fitlint.analysis.interpreter import Interpreter
from fitlint.analysis.values import Array, Dataset, Model


def run(src):
    interp = Interpreter(cst.parse_module(textwrap.dedent(src)))
    facts = interp.run()
    return interp.globals.vars, facts


def value(src, name):
    return run(src)[0][name]


@pytest.mark.parametrize("header, dense, inp", [
    ("import tensorflow as tf", "tf.keras.layers.Dense", "tf.keras.layers.Input"),
    ("from tensorflow import keras", "keras.layers.Dense", "keras.Input"),
    ("from tensorflow.keras.layers import Dense, Input", "Dense", "Input"),
    ("import keras", "keras.layers.Dense", "keras.layers.Input"),
    ("from keras import layers\nimport keras", "layers.Dense", "keras.Input"),
    ("import tensorflow.keras as K", "K.layers.Dense", "K.Input"),
    ("from keras.src import layers, models", "layers.Dense", "layers.Input"),
])
def test_import_spellings(header, dense, inp):
    """Each import spelling of Keras/TF resolves Sequential, Input and Dense: the model
    gets input (None, 28, 28, 1) and a Dense layer with the constant's 10 units."""
    env = run(f"""
{header}
from keras.models import Sequential as Seq
NUM_CLASSES = 10
m = Seq([{inp}(shape=(28, 28, 1)), {dense}(NUM_CLASSES)])
""")[0]
    model = env["m"]
    assert isinstance(model, Model)
    assert model.inputs[0].shape == (None, 28, 28, 1)
    assert model.layers[0].kind == "Dense" and model.layers[0].kw("units", 0) == 10


@pytest.mark.parametrize("expr, shape, dtype, lo, hi", [
    ("np.random.rand(100, 784)", (100, 784), "float64", 0, 1),
    ("np.random.randn(5, 3)", (5, 3), "float64", None, None),
    ("np.random.random((4, 2))", (4, 2), "float64", 0, 1),
    ("np.random.random_sample(size=7)", (7,), "float64", 0, 1),
    ("np.random.uniform(-1, 1, (3, 3))", (3, 3), "float64", -1, 1),
    ("np.random.normal(0, 1, size=(2, 8))", (2, 8), "float64", None, None),
    ("np.random.randint(0, 10, 100)", (100,), "int64", 0, 9),
    ("np.random.randint(5, size=(8, 1))", (8, 1), "int64", 0, 4),
    ("np.zeros((2, 3))", (2, 3), "float64", 0, 0),
    ("np.ones(4, dtype='int32')", (4,), "int32", 1, 1),
    ("np.empty((2, 2))", (2, 2), "float64", None, None),
    ("np.full((2, 2), 7)", (2, 2), "int64", 7, 7),
    ("np.arange(10)", (10,), "int64", 0, 9),
    ("np.arange(2, 20, 3)", (6,), "int64", 2, 17),
    ("np.array([[1, 2], [3, 4]])", (2, 2), "int64", 1, 4),
    ("np.asarray([0.5, 1.5])", (2,), "float64", 0.5, 1.5),
    ("np.array(['a', 'b'])", (2,), "str", None, None),
    ("np.eye(3)", (3, 3), "float64", 0, 1),
    ("np.random.rand(100, 784).reshape(-1, 28, 28, 1)", (100, 28, 28, 1), "float64", 0, 1),
    ("np.random.rand(10, 4).astype('float32')", (10, 4), "float32", 0, 1),
    ("np.random.randint(0, 256, (2, 3)).astype(np.uint8) / 255.0", (2, 3), "float64", 0, 1),
    ("np.expand_dims(np.zeros((5, 3)), -1)", (5, 3, 1), "float64", 0, 0),
    ("np.zeros((5, 3)).T", (3, 5), "float64", 0, 0),
    ("np.zeros((50, 3))[:40]", (40, 3), "float64", 0, 0),
    ("np.zeros((50, 3))[10:, 1]", (40,), "float64", 0, 0),
    ("np.concatenate([np.zeros((5, 3)), np.ones((2, 3))])", (7, 3), "float64", 0, 1),
    ("np.stack([np.zeros(3), np.zeros(3)], axis=1)", (3, 2), "float64", 0, 0),
    ("tf.constant([[1, 2], [3, 4]])", (2, 2), "int32", 1, 4),
    ("tf.constant(np.random.rand(3, 2))", (3, 2), "float64", 0, 1),
    ("tf.cast(tf.constant([1, 2]), tf.float32)", (2,), "float32", 1, 2),
    ("tf.reshape(tf.zeros((4, 6)), (-1, 3))", (8, 3), "float32", 0, 0),
    ("tf.one_hot(np.random.randint(0, 3, 10), depth=3)", (10, 3), "float32", 0, 1),
    ("tf.ones((2, 5))", (2, 5), "float32", 1, 1),
    ("tf.random.normal((4, 4))", (4, 4), "float32", None, None),
    ("tf.random.uniform((4,), 0, 5, dtype=tf.int32)", (4,), "int32", 0, 4),
    ("keras.utils.to_categorical(np.random.randint(0, 4, 9))", (9, 4), "float64", 0, 1),
    ("keras.utils.to_categorical(np.random.randint(0, 4, (9, 1)), num_classes=6)", (9, 6), "float64", 0, 1),
    ("np.eye(5)[np.random.randint(0, 5, 12)]", (12, 5), "float64", 0, 1),
    ("np.random.default_rng(0).integers(0, 3, size=6)", (6,), "int64", 0, 2),
])
def test_array_values(expr, shape, dtype, lo, hi):
    """Each NumPy/TF/Keras expression gives an Array with exactly this shape, dtype
    and value range (None = unknown), and records where it was built."""
    arr = value(f"import numpy as np\nimport tensorflow as tf\nimport keras\nv = {expr}\n", "v")
    assert isinstance(arr, Array)
    assert (arr.shape, arr.dtype, arr.lo, arr.hi) == (shape, dtype, lo, hi)
    assert arr.origin is not None


def test_one_hot_flags():
    """Rows of np.eye and to_categorical are marked one-hot; random floats are not."""
    env = run("import numpy as np\nimport keras\na = np.eye(4)[np.arange(4)]\nb = keras.utils.to_categorical([0, 1], 2)\n"
              "c = np.random.rand(3, 4)\n")[0]
    assert env["a"].onehot and env["b"].onehot and not env["c"].onehot


def test_unknown_stays_unknown():
    """Values built from unknown names (a call, a size, a shape) stay unknown (None),
    never a guessed shape."""
    env = run("import numpy as np\nx = load()\ny = x.reshape(-1, 2)\nz = np.random.rand(n, 3)\nw = np.zeros(shape)\n")[0]
    assert env["y"] is None and env["z"] is None and env["w"] is None


def test_dataset_pipeline():
    """from_tensor_slices gives per-sample elements; .batch() marks the dataset
    batched through shuffle/prefetch; an unbatched dict dataset stays unbatched;
    .map(<unknown fn>) makes the element unknown."""
    env = run("""
import numpy as np, tensorflow as tf
x = np.random.rand(10, 4); y = np.random.randint(0, 2, 10)
ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10).batch(2).prefetch(1)
raw = tf.data.Dataset.from_tensor_slices({"a": x})
mapped = ds.map(fn)
""")[0]
    assert isinstance(env["ds"], Dataset) and env["ds"].batched
    assert env["ds"].element.items[0].shape == (4,)
    assert not env["raw"].batched and env["raw"].element.items["a"].shape == (4,)
    assert env["mapped"].element is None


@pytest.mark.parametrize("layers_src, out", [
    ("Dense(10)", (None, 28, 28, 10)),
    ("Flatten(), Dense(3)", (None, 3)),
    ("Conv2D(8, 3), MaxPooling2D(), Flatten()", (None, 13 * 13 * 8)),
    ("Conv2D(8, (3, 3), padding='same', strides=2), GlobalAveragePooling2D()", (None, 8)),
    ("Conv2D(4, 5), AveragePooling2D(pool_size=(2, 2)), Dropout(0.2), BatchNormalization(), Activation('relu')",
     (None, 12, 12, 4)),
    ("Reshape((784,)), Dense(2)", (None, 2)),
    ("Reshape((-1, 28)), LSTM(16)", (None, 16)),
    ("Reshape((28, 28)), GRU(8, return_sequences=True)", (None, 28, 8)),
    ("Reshape((28, 28)), Conv1D(4, 3), GlobalMaxPooling1D()", (None, 4)),
    ("Reshape((28, 28)), SimpleRNN(3, return_sequences=True), MaxPooling1D(2)", (None, 14, 3)),
])
def test_layer_output_shapes(layers_src, out):
    """Each layer stack after Input((28, 28, 1)) gives the model output shape Keras
    computes for it."""
    src = f"""
import numpy as np
from keras import Sequential, Input
from keras.layers import *
m = Sequential([Input((28, 28, 1)), {layers_src}])
m.compile(loss="mse")
m.fit(np.zeros((4, 28, 28, 1)), np.zeros((4, 1)))
"""
    _, facts = run(src)
    assert facts.calls[0].targets[0].shape == out


def test_embedding_and_input_dim():
    """Embedding(input_shape=...) and Dense(input_dim=...) on the first layer declare
    the model input (None, 20) / (None, 7); the Embedding+LSTM+Dense output is (None, 1)."""
    _, facts = run("""
import numpy as np
from tensorflow.keras import models, layers
m = models.Sequential()
m.add(layers.Embedding(1000, 16, input_shape=(20,)))
m.add(layers.LSTM(8))
m.add(layers.Dense(1, activation="sigmoid"))
m.compile(loss="binary_crossentropy")
m.fit(np.random.randint(0, 1000, (5, 20)), np.zeros(5))
d = models.Sequential([layers.Dense(4, input_dim=7)])
d.compile(loss="mse")
d.fit(np.zeros((3, 7)), np.zeros((3, 4)))
""")
    assert facts.calls[0].targets[0].shape == (None, 1)
    assert facts.calls[0].inputs[0].input.shape == (None, 20)
    assert facts.calls[1].inputs[0].input.shape == (None, 7)


@pytest.mark.parametrize("loss, family", [
    ("'sparse_categorical_crossentropy'", SPARSE),
    ("keras.losses.SparseCategoricalCrossentropy(from_logits=True)", SPARSE),
    ("keras.losses.categorical_crossentropy", CATEGORICAL),
    ("tf.keras.losses.BinaryCrossentropy()", BINARY),
    ("'mae'", REGRESSION),
    ("keras.losses.MeanSquaredError()", REGRESSION),
    ("my_loss", None),
])
def test_loss_forms(loss, family):
    """A loss given as a string, a function or a loss class (with arguments) maps to
    its family; an unknown callable maps to None."""
    _, facts = run(f"""
import numpy as np, tensorflow as tf, keras
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
m.compile(optimizer="adam", loss={loss})
m.fit(np.zeros((4, 3)), np.zeros(4))
""")
    assert facts.calls[0].targets[0].loss == family


def test_functional_named_inputs_outputs_and_validation():
    """A functional model with named inputs and outputs: dict data binds to the
    inputs by name, dict losses to the outputs, and validation_data becomes a
    separate validation call with its own arrays."""
    _, facts = run("""
import numpy as np
from tensorflow import keras
a = keras.Input(shape=(5,), name="a")
b = keras.Input(shape=(3,), name="b")
h = keras.layers.Concatenate()([a, b])
out1 = keras.layers.Dense(4, activation="softmax", name="cls")(h)
out2 = keras.layers.Dense(1, name="reg")(h)
m = keras.Model(inputs=[a, b], outputs=[out1, out2])
m.compile(loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"})
m.fit({"a": np.zeros((8, 5)), "b": np.zeros((8, 3))}, {"cls": np.zeros(8), "reg": np.zeros(8)},
      validation_data=([np.zeros((2, 5)), np.zeros((2, 3))], [np.zeros(2), np.zeros(2)]))
""")
    fit, val = facts.calls
    assert [b.input.name for b in fit.inputs] == ["a", "b"]
    assert [(t.shape, t.loss) for t in fit.targets] == [((None, 4), SPARSE), ((None, 1), REGRESSION)]
    assert val.validation and [b.value.shape for b in val.inputs] == [(2, 5), (2, 3)]


def test_compile_state_follows_paths():
    """compile state per call: compiled on one branch only is unknown (None), fit
    before compile is False, after compile True; a fit inside assertRaises is
    not a call."""
    _, facts = run("""
import keras
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
if flag:
    m.compile(loss="mse")
m.fit(x, y)
n = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
n.fit(x, y)
n.compile(loss="mse")
n.fit(x, y)
with self.assertRaises(ValueError):
    keras.Sequential([keras.layers.Dense(1)]).fit(x, y)
""")
    assert [c.compiled for c in facts.calls] == [None, False, True]


def test_functions_do_not_trust_rebound_globals():
    """A function that is never called reads a global bound twice as unknown (a
    global bound once stays known); called, it sees the values at the call."""
    src = """
import numpy as np, keras
model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])
model.compile(loss="mse")
x = np.random.rand(10, 784)
y = np.zeros((10, 2))
def train():
    model.fit(x, y)
{call}
x = x.reshape(-1, 28, 28, 1)
"""
    # Never called here: it may run at any time, so x (bound twice) is unknown.
    call = run(src.format(call=""))[1].calls[0]
    assert call.inputs[0].value is None
    assert call.targets[0].y.shape == (10, 2)  # y is bound once
    assert call.compiled is None
    # Called here: followed with the values of that moment.
    call = run(src.format(call="train()"))[1].calls[0]
    assert call.inputs[0].value.shape == (10, 784) and call.compiled is True


def test_functions_are_followed_with_their_arguments():
    """Calls to user functions are followed with their positional, keyword and
    default arguments and return values, through main() under __name__ == "__main__"."""
    _, facts = run("""
import numpy as np
from tensorflow import keras

NUM_CLASSES = 10

def build_model(num_classes, input_shape=(28, 28, 1), units=64):
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten(),
                              keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(num_classes, activation="softmax")])
    return model

def compile_model(model, loss="sparse_categorical_crossentropy"):
    model.compile(optimizer="adam", loss=loss)

def make_data(n):
    return np.random.rand(n, 28, 28, 1), np.random.randint(0, NUM_CLASSES, n)

def main():
    model = build_model(NUM_CLASSES, units=32)
    compile_model(model)
    x, y = make_data(100)
    model.fit(x, y)

if __name__ == "__main__":
    main()
""")
    (call,) = facts.calls
    assert call.compiled is True
    assert call.inputs[0].input.shape == (None, 28, 28, 1) and call.inputs[0].value.shape == (100, 28, 28, 1)
    assert call.targets[0].shape == (None, 10) and call.targets[0].loss == SPARSE
    assert (call.targets[0].y.lo, call.targets[0].y.hi) == (0, 9)


def test_recursion_and_generators_are_not_followed():
    """A recursive function and a generator are not followed to the end, so whether
    the model got compiled stays unknown (None)."""
    _, facts = run("""
import keras
def rec(n):
    return rec(n - 1)
def gen():
    yield 1
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
rec(3)
gen()
m.fit(x, y)
""")
    assert facts.calls[0].compiled is None  # rec() was not followed to the end: it may compile m


def test_loops_and_comprehensions_over_literals():
    """Loops and comprehensions over literal sequences add their layers (output (None,
    3) and (None, 4)); a loop over an unknown sequence makes the output unknown."""
    _, facts = run("""
import numpy as np, keras
from keras import layers
model = keras.Sequential([keras.Input((8,))])
for units in (64, 32):
    model.add(layers.Dense(units, activation="relu"))
for i in range(2):
    model.add(layers.Dropout(0.1))
model.add(layers.Dense(3, activation="softmax"))
model.compile(loss="sparse_categorical_crossentropy")
model.fit(np.zeros((4, 8)), np.zeros(4))
stack = keras.Sequential([keras.Input((8,))] + [layers.Dense(u) for u in [16, 4]])
stack.compile(loss="mse")
stack.fit(np.zeros((4, 8)), np.zeros((4, 4)))
unknown = keras.Sequential([keras.Input((8,))])
for units in sizes:
    unknown.add(layers.Dense(units))
unknown.compile(loss="mse")
unknown.fit(np.zeros((4, 8)), np.zeros(4))
""")
    assert [c.targets[0].shape for c in facts.calls] == [(None, 3), (None, 4), None]


def test_keras_datasets_and_splits():
    """keras.datasets loaders, pad_sequences and train_test_split give the real
    shapes, dtypes and value ranges (imdb words are ragged)."""
    env = run("""
from tensorflow import keras
from sklearn.model_selection import train_test_split
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
(words, labels), _ = keras.datasets.imdb.load_data(num_words=5000)
padded = keras.utils.pad_sequences(words, maxlen=200)
xt, xv, yt, yv = train_test_split(x_train, y_train, test_size=0.2)
""")[0]
    assert (env["x_train"].shape, env["x_train"].dtype, env["x_train"].hi) == ((60000, 28, 28), "uint8", 255)
    assert (env["y_test"].shape, env["y_test"].hi) == ((10000,), 9)
    assert env["words"].ragged and (env["padded"].shape, env["padded"].hi) == ((25000, 200), 4999)
    assert env["xt"].shape == (48000, 28, 28) and env["yv"].shape == (12000,)


def test_pandas_rank_and_label_encoder():
    """Columns read from a CSV have a known rank and unknown sizes, except a
    selection of named columns (their count is known); LabelEncoder codes
    start at 0 with an unknown maximum."""
    env = run("""
import pandas as pd
from sklearn.preprocessing import LabelEncoder
df = pd.read_csv("train.csv")
X = df.drop("label", axis=1).values
y = df["label"].values
cols = df[["a", "b"]].to_numpy()
codes = LabelEncoder().fit_transform(y)
""")[0]
    assert env["X"].shape == (None, None) and env["y"].shape == (None,) and env["cols"].shape == (None, 2)
    assert env["codes"].shape == (None,) and env["codes"].lo == 0 and env["codes"].hi is None


def test_attention_and_nested_models():
    """A Sequential used as a layer and a MultiHeadAttention layer propagate shapes:
    outputs (None, 3) and (None, 1), pooling sees (None, 10, 16)."""
    _, facts = run("""
import numpy as np, keras
from keras import layers
base = keras.Sequential([keras.Input((8,)), layers.Dense(4)])
inp = keras.Input((8,))
features = base(inp)
out = layers.Dense(3, activation="softmax")(features)
model = keras.Model(inp, out)
seq = keras.Input((10, 16))
att = layers.MultiHeadAttention(num_heads=2, key_dim=8)(seq, seq)
pooled = layers.GlobalAveragePooling1D()(att)
m2 = keras.Model(seq, layers.Dense(1)(pooled))
model.compile(loss="sparse_categorical_crossentropy")
model.fit(np.zeros((4, 8)), np.zeros(4))
m2.compile(loss="mse")
m2.fit(np.zeros((4, 10, 16)), np.zeros(4))
""")
    assert [c.targets[0].shape for c in facts.calls] == [(None, 3), (None, 1)]
    pooling = [u for u in facts.layer_uses if u.layer.kind == "GlobalAveragePooling1D"]
    assert pooling[0].shapes == [(None, 10, 16)]  # after the attention layer
