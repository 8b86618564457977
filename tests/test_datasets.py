"""tf.data transformations and Keras preprocessing layers: the element each
transformation gives, the functions run on it, and the tensors that
preprocessing layers and image/string ops return."""
import json
import textwrap

import libcst as cst
import pytest

from conftest import ROOT, fitlint_in_process
from fitlint.analysis.interpreter import Interpreter
from fitlint.analysis.values import Array, Dataset, Dict_, Seq
from fitlint.engine import lint_source
from fitlint.rules import select

HEADER = """\
import functools
import numpy as np
import tensorflow as tf
from tensorflow import keras
x = np.random.rand(100, 28, 28).astype("float32")
y = np.random.randint(0, 10, size=(100,))
"""


def env_of(src):
    interp = Interpreter(cst.parse_module(HEADER + textwrap.dedent(src)))
    interp.run()
    return interp.globals.vars


def ds_of(src, name="ds"):
    value = env_of(src)[name]
    assert isinstance(value, Dataset), value
    return value


def shapes(element):
    """The structure of an element with each array as (shape, dtype)."""
    if isinstance(element, Seq):
        return tuple(shapes(v) for v in element.items)
    if isinstance(element, Dict_):
        return {k: shapes(v) for k, v in element.items.items()}
    if isinstance(element, Array):
        return (element.shape, element.dtype)
    return element


# ------------------------------------------------------------------ map
def test_map_spreads_a_tuple_element_into_positional_arguments():
    """A function of two parameters gets the two parts of a (x, y) element:
    its result (features flattened and scaled, labels one-hot) is the new
    element, as tensors without the batch axis."""
    ds = ds_of("""
def preprocess(image, label):
    image = tf.cast(image, tf.float32) / 255.0
    return tf.reshape(image, [784]), tf.one_hot(label, 10)
ds = tf.data.Dataset.from_tensor_slices((x, y)).map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
""")
    assert shapes(ds.element) == (((784,), "float32"), ((10,), "float32"))
    assert ds.element.items[1].onehot and ds.element.items[0].tensor and not ds.batched


def test_map_passes_a_dict_element_as_one_argument():
    """A dict element is one argument: the lambda reads its keys, and a dict
    it returns keeps its keys."""
    ds = ds_of("""
ds = tf.data.Dataset.from_tensor_slices({"image": x, "label": y})
ds = ds.map(lambda d: {"pixels": d["image"][:, :14], "label": d["label"]})
""")
    assert shapes(ds.element) == {"pixels": ((28, 14), "float32"), "label": ((), "int64")}


def test_map_follows_partial_and_methods():
    """``functools.partial`` with a bound keyword and a method of an object
    are run like any other function."""
    ds = ds_of("""
def encode(image, label, depth):
    return image, tf.one_hot(label, depth)
class Prep:
    def __init__(self, size):
        self.size = size
    def resize(self, image, label):
        return tf.image.resize(tf.expand_dims(image, -1), [self.size, self.size]), label
ds = tf.data.Dataset.from_tensor_slices((x, y)).map(functools.partial(encode, depth=4)).map(Prep(8).resize)
""")
    assert shapes(ds.element) == (((8, 8, 1), "float32"), ((4,), "float32"))


def test_map_on_a_batched_dataset_sees_the_batch_axis():
    """After batch the function sees (None, ...) tensors; what it returns
    keeps the batch axis; a part whose first axis is no longer the batch
    axis (x[0]) becomes unknown."""
    ds = ds_of("""
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16).map(lambda a, b: (tf.reshape(a, [-1, 784]), a[0]))
""")
    assert ds.batched
    assert shapes(ds.element) == (((784,), "float32"), None)


def test_a_function_that_cannot_be_followed_leaves_the_element_unknown():
    """A library function fitlint does not model, or a function returning
    different shapes on its branches, gives an unknown element, never a
    guess; the element is lost at that map call."""
    unknown = ds_of("""
import scipy.ndimage
ds = tf.data.Dataset.from_tensor_slices(x).map(scipy.ndimage.gaussian_filter)
""")
    assert unknown.element is None
    branches = ds_of("""
def pick(image):
    if np.random.rand() > 0.5:
        return image
    return image[:10]
ds = tf.data.Dataset.from_tensor_slices(x).map(pick)
""")
    assert branches.element is None
    assert isinstance(branches.origin.node, cst.Call) and branches.origin.node.func.attr.value == "map"


def test_map_returning_python_values_makes_tensors():
    """Python scalars returned by a map function become scalar tensors (int32,
    float32)."""
    ds = ds_of("ds = tf.data.Dataset.from_tensor_slices(x).map(lambda a: (a, 1, 0.5))")
    assert shapes(ds.element) == (((28, 28), "float32"), ((), "int32"), ((), "float32"))


def test_python_lists_become_tensors_of_tf_dtypes():
    """Python lists given to from_tensor_slices become float32 / int32
    tensors, as TensorFlow converts them: adding a float32 / int32 constant to
    them in map is no mixed-dtype op (nothing reported), while a float64
    NumPy array keeps its dtype."""
    src = HEADER + textwrap.dedent("""
ds = tf.data.Dataset.from_tensor_slices(([1.0, 2.0], [0, 1]))
ds = ds.map(lambda a, b: (a + tf.constant(1.0), b + tf.constant(1)))
""")
    interp = Interpreter(cst.parse_module(src))
    interp.run()
    assert shapes(interp.globals.vars["ds"].element) == (((), "float32"), ((), "int32"))
    assert not [f for f in lint_source(src.encode(), "prog.py", select(["ALL"])) if f.severity == "error"]
    mixed = src.replace("[1.0, 2.0]", "np.random.rand(2)")
    assert [f.code for f in lint_source(mixed.encode(), "prog.py", select(["ALL"])) if f.severity == "error"] \
        == ["FIT402"]


def test_map_with_an_augmentation_model():
    """A Sequential made only of preprocessing layers, given to map, runs
    layer by layer on the batch; a model with other layers is not run."""
    env = env_of("""
augment = keras.Sequential([keras.layers.RandomCrop(20, 20), keras.layers.RandomFlip("horizontal")])
imgs = np.random.randint(0, 256, size=(10, 32, 32, 3), dtype="uint8")
ds = tf.data.Dataset.from_tensor_slices(imgs).batch(4).map(augment)
other = tf.data.Dataset.from_tensor_slices(imgs).batch(4).map(keras.Sequential([keras.layers.Dense(2)]))
""")
    assert shapes(env["ds"].element) == ((20, 20, 3), "float32")
    assert env["other"].element is None


def test_filter_keeps_the_element_and_runs_the_predicate():
    """filter leaves the element as it is (the predicate is still run)."""
    ds = ds_of("ds = tf.data.Dataset.from_tensor_slices((x, y)).filter(lambda a, b: b < 5)")
    assert shapes(ds.element) == (((28, 28), "float32"), ((), "int64"))


# ------------------------------------------------------------ structure
def test_window_flat_map_batch_gives_windows_of_the_window_size():
    """window(n, drop_remainder=True) + flat_map(lambda w: w.batch(n)) gives
    windows of exactly n values; slicing them in map gives features and a
    label; without drop_remainder the window length is unknown."""
    env = env_of("""
series = np.random.rand(500).astype("float32")
ds = tf.data.Dataset.from_tensor_slices(series).window(21, shift=1, drop_remainder=True)
ds = ds.flat_map(lambda w: w.batch(21)).map(lambda w: (w[:-1], w[-1]))
loose = tf.data.Dataset.from_tensor_slices(series).window(21, shift=1).flat_map(lambda w: w.batch(21))
""")
    assert shapes(env["ds"].element) == (((20,), "float32"), ((), "float32"))
    assert shapes(env["loose"].element) == ((None,), "float32")


def test_window_of_a_tuple_is_a_tuple_of_datasets():
    """The window of an (x, y) element is a tuple of datasets, spread into
    the flat_map function; zipping their batches gives tuple windows."""
    ds = ds_of("""
ds = tf.data.Dataset.from_tensor_slices((x, y)).window(4, drop_remainder=True)
ds = ds.flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(4), b.batch(4))))
""")
    assert shapes(ds.element) == (((4, 28, 28), "float32"), ((4,), "int64"))


@pytest.mark.parametrize("src, batch_size", [
    ("ds = tf.data.Dataset.from_tensor_slices(x).batch(32)", None),
    ("ds = tf.data.Dataset.from_tensor_slices(x).batch(32, drop_remainder=True)", 32),
    ("ds = tf.data.Dataset.from_tensor_slices(x).batch(32).rebatch(8, drop_remainder=True)", 8),
    ("ds = tf.data.Dataset.from_tensor_slices(x).batch(4, True).unbatch().batch(5)", None),
])
def test_batch_axis_is_static_only_with_drop_remainder(src, batch_size):
    """batch/rebatch give a static batch axis only with drop_remainder=True;
    unbatch gives back the element."""
    ds = ds_of(src)
    assert ds.batched and ds.batch_size == batch_size
    assert shapes(ds.element) == ((28, 28), "float32")


def test_batching_twice_adds_the_first_batch_axis_to_the_element():
    """A batch of batches: the inner batch axis becomes part of the element."""
    ds = ds_of("ds = tf.data.Dataset.from_tensor_slices(y).batch(4, drop_remainder=True).batch(2)")
    assert shapes(ds.element) == ((4,), "int64")


def test_padded_batch_takes_the_padded_shapes():
    """padded_batch with padded_shapes gives those sizes (-1/None keep the
    element's); unbatch of data that is not batched slices axis 0."""
    env = env_of("""
rows = tf.data.Dataset.from_tensor_slices(np.zeros((10, 7), "int32"))
ds = rows.padded_batch(4, padded_shapes=[12])
pairs = tf.data.Dataset.from_tensor_slices((x, y)).padded_batch(2, padded_shapes=([30, None], []))
flat = tf.data.Dataset.from_tensors(x).unbatch()
""")
    assert env["ds"].batched and shapes(env["ds"].element) == ((12,), "int32")
    assert shapes(env["pairs"].element) == (((30, 28), "float32"), ((), "int64"))
    assert shapes(env["flat"].element) == ((28, 28), "float32") and not env["flat"].batched


def test_zip_of_a_tuple_a_dict_and_varargs():
    """Dataset.zip((a, b)), zip(a, b) and zip({...}) give tuple and dict
    elements; zipping batched with unbatched datasets is unknown."""
    env = env_of("""
a = tf.data.Dataset.from_tensor_slices(x)
b = tf.data.Dataset.from_tensor_slices(y)
t = tf.data.Dataset.zip((a, b))
v = tf.data.Dataset.zip(a, b)
d = tf.data.Dataset.zip({"image": a, "label": b})
mixed = tf.data.Dataset.zip((a.batch(2), b))
""")
    expected = (((28, 28), "float32"), ((), "int64"))
    assert shapes(env["t"].element) == expected and shapes(env["v"].element) == expected
    assert shapes(env["d"].element) == {"image": expected[0], "label": expected[1]}
    assert env["mixed"].element is None


def test_concatenate_joins_elements():
    """concatenate keeps the sizes both datasets share and makes the others
    unknown; different dtypes make the element unknown."""
    env = env_of("""
a = tf.data.Dataset.from_tensor_slices(np.zeros((5, 3, 4), "float32"))
b = tf.data.Dataset.from_tensor_slices(np.zeros((5, 3, 6), "float32"))
c = a.concatenate(b)
bad = a.concatenate(tf.data.Dataset.from_tensor_slices(np.zeros((5, 3, 4), "int32")))
""")
    assert shapes(env["c"].element) == ((3, None), "float32")
    assert env["bad"].element is None


@pytest.mark.parametrize("method", ["shuffle(10)", "repeat()", "take(3)", "skip(1)", "cache()", "prefetch(1)",
                                    "shard(2, 0)", "with_options(tf.data.Options())", "ignore_errors()"])
def test_element_keeping_transformations(method):
    """shuffle, repeat, take, skip, cache, prefetch, shard, with_options and
    ignore_errors keep the element and the batching."""
    ds = ds_of(f"ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8).{method}")
    assert ds.batched and shapes(ds.element) == (((28, 28), "float32"), ((), "int64"))


def test_a_call_that_does_not_bind_is_unknown():
    """A transformation called with arguments TF refuses (shuffle without a
    buffer size) gives no dataset."""
    assert env_of("ds = tf.data.Dataset.from_tensor_slices(x).shuffle()")["ds"] is None


def test_apply_enumerate_range_from_tensors_and_element_spec():
    """apply runs its function on the dataset; enumerate adds an int64 index;
    Dataset.range gives int64 scalars with their range; from_tensors keeps
    the whole value as one element; element_spec is the element, batch axis
    included."""
    env = env_of("""
def add_batch(d):
    return d.batch(4)
applied = tf.data.Dataset.from_tensor_slices(x).apply(add_batch)
numbered = tf.data.Dataset.from_tensor_slices(y).enumerate()
r = tf.data.Dataset.range(3, 10)
whole = tf.data.Dataset.from_tensors((x, y))
spec = applied.element_spec
""")
    assert env["applied"].batched and shapes(env["applied"].element) == ((28, 28), "float32")
    assert shapes(env["numbered"].element) == (((), "int64"), ((), "int64"))
    assert (env["r"].element.lo, env["r"].element.hi, env["r"].element.dtype) == (3, 9, "int64")
    assert shapes(env["whole"].element) == (((100, 28, 28), "float32"), ((100,), "int64"))
    assert shapes(env["spec"]) == ((None, 28, 28), "float32")


def test_ragged_batch_and_get_single_element():
    """ragged_batch(cardinality()) + get_single_element() give the whole data
    as one batch: rows of unknown length are ragged, the labels keep their
    shape; padding them gives a known width again."""
    env = env_of("""
texts = tf.data.Dataset.from_tensor_slices((np.array(["a b", "c"]), np.array([0, 1])))
vectorize = keras.layers.TextVectorization(max_tokens=10)
rows = texts.map(lambda t, l: (vectorize(t), l))
rows = rows.ragged_batch(batch_size=rows.cardinality())
seqs, labs = rows.get_single_element()
padded = keras.utils.pad_sequences(seqs.numpy(), maxlen=7)
""")
    assert shapes(env["seqs"]) == ((None, None), "int64") and env["seqs"].ragged
    assert shapes(env["labs"]) == ((None,), "int64") and not env["labs"].ragged
    assert shapes(env["padded"]) == ((None, 7), "int32")


# ------------------------------------------------------------ ops in map
def test_image_and_string_ops_on_elements():
    """tf.image.resize (float32; nearest keeps the dtype),
    convert_image_dtype (0..1 from integers), tf.strings ops (strings of
    the same shape; length gives int32) and slicing on tensors."""
    env = env_of("""
imgs = np.random.randint(0, 256, size=(10, 32, 32, 3), dtype="uint8")
ds = tf.data.Dataset.from_tensor_slices(imgs).map(lambda i: (tf.image.resize(i, [16, 16]),
     tf.image.resize(i, (8, 8), method="nearest"), tf.image.convert_image_dtype(i, tf.float32), i[:, :-1] / 255))
texts = tf.data.Dataset.from_tensor_slices(np.array(["a b", "c"])).map(
    lambda t: (tf.strings.lower(tf.strings.regex_replace(t, "[.]", "")), tf.strings.length(t)))
""")
    resized, nearest, converted, sliced = env["ds"].element.items
    assert shapes(resized) == ((16, 16, 3), "float32") and shapes(nearest) == ((8, 8, 3), "uint8")
    assert shapes(converted) == ((32, 32, 3), "float32") and (converted.lo, converted.hi) == (0.0, 1.0)
    assert shapes(sliced) == ((32, 31, 3), "float32")
    assert shapes(env["texts"].element) == (((), "str"), ((), "int32"))


# ------------------------------------------------------------ layers
def test_text_vectorization_on_tensors():
    """TextVectorization in int mode gives int64 ids of output_sequence_length
    (None when not given; a single string gives (length,)); a literal
    vocabulary bounds the ids by its size + 1; after adapt the range is
    unknown; multi_hot has a known width only with pad_to_max_tokens."""
    env = env_of("""
texts = tf.data.Dataset.from_tensor_slices(np.array(["a b", "c"])).batch(2)
fixed = keras.layers.TextVectorization(vocabulary=["a", "b", "c"], output_sequence_length=6)
adapted = keras.layers.TextVectorization(max_tokens=100)
adapted.adapt(texts)
wide = keras.layers.TextVectorization(max_tokens=50, output_mode="multi_hot", pad_to_max_tokens=True)
ids = texts.map(lambda t: (fixed(t), adapted(t), wide(t), fixed(t[0])))
""")
    fixed, adapted, wide, single = env["ids"].element.items
    assert shapes(fixed) == ((6,), "int64") and (fixed.lo, fixed.hi) == (0.0, 4.0)
    assert shapes(adapted) == ((None,), "int64") and adapted.hi is None
    assert shapes(wide) == ((50,), None)
    assert env["ids"].batched and single is None  # (6,) has no batch axis: not an element of the batches


def test_lookup_hashing_encoding_and_rescaling_on_tensors():
    """StringLookup/IntegerLookup with a literal vocabulary give int64 ids up
    to size + oov - 1; Hashing gives 0..bins-1; CategoryEncoding one_hot
    gives (batch, num_tokens) one-hot rows; Rescaling scales a known range."""
    env = env_of("""
words = tf.constant(["x", "y", "z"])
ids = keras.layers.StringLookup(vocabulary=["x", "y"])(words)
nums = keras.layers.IntegerLookup(vocabulary=[3, 5, 7], num_oov_indices=2)(tf.constant([3, 4]))
bins = keras.layers.Hashing(num_bins=8)(words)
codes = keras.layers.CategoryEncoding(num_tokens=3, output_mode="one_hot")(ids)
pixels = keras.layers.Rescaling(1.0 / 255)(tf.constant(np.random.randint(0, 256, (2, 4, 4, 3), dtype="uint8")))
""")
    assert shapes(env["ids"]) == ((3,), "int64") and (env["ids"].lo, env["ids"].hi) == (0.0, 2.0)
    assert (env["nums"].lo, env["nums"].hi) == (0.0, 4.0)
    assert (env["bins"].lo, env["bins"].hi) == (0.0, 7.0)
    assert shapes(env["codes"]) == ((3, 3), "float32") and env["codes"].onehot
    assert shapes(env["pixels"]) == ((2, 4, 4, 3), "float32") and (env["pixels"].lo, env["pixels"].hi) == (0.0, 1.0)


def test_preprocessing_layers_in_a_model_set_shapes_and_dtypes():
    """Inside a functional model TextVectorization turns a string input into
    int64 ids of its sequence length, and Resizing/CenterCrop set the image
    size."""
    env = env_of("""
inp = keras.Input(shape=(1,), dtype="string")
ids = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=7)(inp)
img = keras.Input(shape=(40, 40, 3))
crop = keras.layers.CenterCrop(24, 24)(keras.layers.Resizing(32, 32)(img))
""")
    assert (env["ids"].shape, env["ids"].dtype) == ((None, 7), "int64")
    assert env["crop"].shape == (None, 24, 24, 3)


def test_lambda_layers_take_the_shape_their_function_gives():
    """A Lambda layer's output shape is its function run on a tensor of the
    input's shape (expand_dims, scaling); a function that cannot be
    followed, or that drops the batch axis, leaves the shape unknown."""
    env = env_of("""
def first(t):
    return t[0]
m = keras.Sequential([keras.layers.Lambda(lambda t: tf.expand_dims(t, axis=-1), input_shape=[None]),
                      keras.layers.SimpleRNN(4), keras.layers.Dense(1), keras.layers.Lambda(lambda t: t * 100.0)])
unknown = keras.Sequential([keras.Input((5,)), keras.layers.Lambda(lambda t: tf.nn.softmax(t))])
dropped = keras.Sequential([keras.Input((5,)), keras.layers.Lambda(first)])
""")
    from fitlint.analysis import layers as L
    shape = (None, None)
    for layer in env["m"].layers:
        shape = L.output_shape(layer, shape)
    assert shape == (None, 1)
    assert L.output_shape(env["m"].layers[0], (None, 20)) == (None, 20, 1)
    assert L.output_shape(env["unknown"].layers[0], (None, 5)) is None
    assert L.output_shape(env["dropped"].layers[0], (None, 5)) is None


# ------------------------------------------------------------ end to end
def _shapes_json(tmp_path, source):
    path = tmp_path / "prog.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    out = fitlint_in_process("shapes", "--output-format", "json", str(path), cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


WINDOWS = """\
import numpy as np
import tensorflow as tf
series = np.random.rand(400).astype("float32")
def windowed(series, size, batch):
    ds = tf.data.Dataset.from_tensor_slices(series).window(size + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(size + 1)).map(lambda w: (w[:-1], w[-1]))
    return ds.shuffle(100).batch(batch).prefetch(1)
model = tf.keras.Sequential([tf.keras.Input(shape=(20,)), tf.keras.layers.Dense(1)])
model.compile(loss="mse", optimizer="sgd")
model.fit(windowed(series, WINDOW, 32), epochs=1)
"""


def test_a_checked_windowed_call_finds_wrong_data(tmp_path):
    """The windowed-dataset call is ``checked`` (both contracts compared) and
    has no finding; the same program with windows of another size makes
    fitlint report the width mismatch at that call."""
    good = WINDOWS.replace("WINDOW", "20")
    (call,) = _shapes_json(tmp_path, good)["calls"]
    assert call["status"] == "checked", call
    assert call["data"]["inputs"][0]["shape"] == [None, 20]
    assert not [f for f in lint_source(good.encode(), "prog.py", select()) if f.severity == "error"]
    bad = WINDOWS.replace("WINDOW", "24")
    codes = [f.code for f in lint_source(bad.encode(), "prog.py", select()) if f.severity == "error"]
    assert codes == ["FIT102"], codes


MAPPED = """\
import numpy as np
import tensorflow as tf
x = np.random.randint(0, 256, size=(64, 8, 8), dtype="uint8")
y = np.random.randint(0, 10, size=(64,))
def preprocess(image, label):
    return tf.reshape(tf.cast(image, tf.float32) / 255.0, [64]), tf.one_hot(label, DEPTH)
ds = tf.data.Dataset.from_tensor_slices((x, y)).map(preprocess).batch(16)
model = tf.keras.Sequential([tf.keras.Input(shape=(64,)), tf.keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(ds, epochs=1)
"""


def test_a_checked_mapped_call_finds_wrong_labels(tmp_path):
    """A from_tensor_slices((x, y)).map(preprocess) call is ``checked`` with
    the one-hot labels the function makes; a depth that differs from the
    output units is then reported."""
    good = MAPPED.replace("DEPTH", "10")
    (call,) = _shapes_json(tmp_path, good)["calls"]
    assert call["status"] == "checked", call
    assert call["labels"]["targets"][0]["shape"] == [None, 10]
    assert not [f for f in lint_source(good.encode(), "prog.py", select()) if f.severity == "error"]
    bad = MAPPED.replace("DEPTH", "7")
    codes = [f.code for f in lint_source(bad.encode(), "prog.py", select()) if f.severity == "error"]
    assert codes == ["FIT204"], codes


def test_a_map_function_imported_from_a_project_module(tmp_path):
    """A map function imported from a sibling module of the project is run on
    the element: its one-hot depth is compared with the output units across
    files (none reported when they agree)."""
    def errors(depth):
        root = tmp_path / f"depth{depth}"
        root.mkdir()
        (root / "prep.py").write_text(textwrap.dedent(f"""\
            import tensorflow as tf
            def preprocess(image, label):
                return tf.reshape(tf.cast(image, tf.float32) / 255.0, [64]), tf.one_hot(label, {depth})
        """), encoding="utf-8")
        source = MAPPED.replace("def preprocess", "from prep import preprocess\ndef unused").replace("DEPTH", "3")
        path = root / "prog.py"
        path.write_text(source, encoding="utf-8")
        return [f.code for f in lint_source(source.encode(), str(path), select()) if f.severity == "error"]
    assert errors(10) == []
    assert errors(7) == ["FIT204"]
