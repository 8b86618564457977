"""Data sources as declared knowledge: tfds, the Keras file loaders,
ImageDataGenerator flows, image files, TFRecord feature specs, CSV columns,
from_generator, PyDataset subclasses; and the ``data-from-files`` reason
where only the files on disk say."""
import textwrap

import libcst as cst

from fitlint import shapes
from fitlint.analysis.interpreter import Interpreter
from fitlint.analysis.sources import CATALOGUE, Source
from fitlint.analysis.values import Array, Dataset, Dict_, Seq
from fitlint.engine import lint_source
from fitlint.rules import select

HEADER = """\
import numpy as np
import pandas as pd
import tensorflow as tf
import tensorflow_datasets as tfds
from tensorflow import keras
from tensorflow.keras.preprocessing.image import ImageDataGenerator
"""


def env_of(src):
    interp = Interpreter(cst.parse_module(HEADER + textwrap.dedent(src)))
    interp.run()
    return interp.globals.vars


def shapes_of(value):
    """A structure with each array as (shape, dtype) and each dataset as
    ("ds", batched, element)."""
    if isinstance(value, Dataset):
        return ("ds", value.batched, shapes_of(value.element))
    if isinstance(value, Seq):
        return tuple(shapes_of(v) for v in value.items)
    if isinstance(value, Dict_):
        return {k: shapes_of(v) for k, v in value.items.items()}
    if isinstance(value, Array):
        return (value.shape, value.dtype)
    return value


def findings(src):
    return {f.code for f in lint_source((HEADER + textwrap.dedent(src)).encode(), "t.py", select(["ALL"]))}


def calls(src):
    return shapes.shapes_source((HEADER + textwrap.dedent(src)).encode(), "t.py").calls


# ------------------------------------------------------------------ tfds
def test_tfds_load_supervised_split_list_with_info():
    """``split=[...]`` gives a list of datasets; ``as_supervised`` an
    (image, label) tuple from the catalogue; ``with_info`` the info, whose
    label feature knows its number of classes."""
    env = env_of("""
(train, test), info = tfds.load("mnist", split=["train", "test"], as_supervised=True, with_info=True)
k = info.features["label"].num_classes
n = info.splits["train"].num_examples
""")
    assert shapes_of(env["train"]) == ("ds", False, (((28, 28, 1), "uint8"), ((), "int64")))
    assert env["train"].element.items[1].hi == 9
    assert env["k"].value == 10 and env["n"].value == 60000


def test_tfds_load_dict_features_and_batch_size():
    """Without ``as_supervised`` the element is the dict of features (with
    the catalogue's dtypes); ``batch_size`` batches it; ``batch_size=-1``
    gives the whole split as tensors; no ``split`` gives a dict of splits."""
    env = env_of("""
ratings = tfds.load("movielens/100k-ratings", split="train", batch_size=32)
whole = tfds.load("horses_or_humans", split="test", batch_size=-1, as_supervised=True)
splits = tfds.load("cifar10")
""")
    element = shapes_of(env["ratings"])
    assert element[:2] == ("ds", True)
    assert element[2]["user_id"] == ((), "str") and element[2]["user_rating"] == ((), "float32")
    assert element[2]["movie_genres"] == ((None,), "int64")
    assert shapes_of(env["whole"]) == (((256, 300, 300, 3), "uint8"), ((256,), "int64"))
    assert set(env["splits"].items) == {"train", "test"}


def test_tfds_unknown_names_and_splits_stay_unknown():
    """A data set not in the catalogue, a split it does not have, or
    ``as_supervised`` on one without supervised keys: unknown."""
    env = env_of("""
a = tfds.load("some_other_dataset", split="train")
b = tfds.load("mnist", split="validation")
c = tfds.load("movielens/100k-movies", split="train", as_supervised=True)
""")
    assert env["a"] is None and env["b"] is None and env["c"] is None


def test_tfds_builder_as_dataset():
    """``tfds.builder(name).as_dataset(...)`` gives the same datasets as ``tfds.load``, and
    ``builder.info`` the catalogue's info."""
    env = env_of("""
builder = tfds.builder("beans")
builder.download_and_prepare()
ds = builder.as_dataset(split="train", as_supervised=True)
k = builder.info.features["label"].num_classes
""")
    assert shapes_of(env["ds"]) == ("ds", False, (((500, 500, 3), "uint8"), ((), "int64")))
    assert env["k"].value == 3


def test_tfds_fit_is_checked_and_a_wrong_input_is_found():
    """A tfds pipeline reaching fit is checked: with the catalogue's image shape it is clean, with a
    wrong channel count the input mismatch is found."""
    src = """
train = tfds.load("fashion_mnist", split="train", as_supervised=True).batch(32)
model = keras.Sequential([keras.Input((28, 28, {c})), keras.layers.Flatten(), keras.layers.Dense(10)])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
"""
    (call,) = calls(src.format(c=1))
    assert call["status"] == "checked"
    assert "FIT102" in findings(src.format(c=3))


def test_the_catalogue_entries_are_consistent():
    """Every catalogue entry's supervised keys are among its features and every split has examples."""
    for name, entry in CATALOGUE.items():
        if entry.supervised is not None:
            assert set(entry.supervised) <= set(entry.features), name
        assert entry.splits and all(n > 0 for n in entry.splits.values()), name


# ------------------------------------------------------- Keras loaders
def test_image_dataset_from_directory_label_modes_and_subset_both():
    """Each ``label_mode`` gives its label (int32 scalar, one-hot of an unknown class count, float32
    (1,)), ``labels=None`` images only, ``batch_size=None`` no batching, ``subset="both"`` two
    datasets, and ``class_names`` the class count."""
    env = env_of("""
a = keras.utils.image_dataset_from_directory("d", image_size=(64, 48))
b = keras.utils.image_dataset_from_directory("d", image_size=(64, 48), label_mode="categorical")
c = keras.utils.image_dataset_from_directory("d", image_size=(64, 48), label_mode="binary", color_mode="grayscale")
d = keras.utils.image_dataset_from_directory("d", labels=None, batch_size=None)
e, f = keras.utils.image_dataset_from_directory("d", validation_split=0.2, subset="both", seed=1)
g = keras.utils.image_dataset_from_directory("d", class_names=["a", "b", "c"])
""")
    assert shapes_of(env["a"]) == ("ds", True, (((64, 48, 3), "float32"), ((), "int32")))
    assert env["a"].element.items[1].hi is None  # the number of class folders
    assert shapes_of(env["b"])[2][1] == ((None,), "float32") and env["b"].element.items[1].onehot
    assert shapes_of(env["c"]) == ("ds", True, (((64, 48, 1), "float32"), ((1,), "float32")))
    assert shapes_of(env["d"]) == ("ds", False, ((256, 256, 3), "float32"))
    assert shapes_of(env["e"]) == shapes_of(env["f"]) == shapes_of(env["a"])[:2] + (
        (((256, 256, 3), "float32"), ((), "int32")),)
    assert env["g"].element.items[1].hi == 2


def test_text_and_timeseries_datasets():
    """Text files give string scalars; a time series gives windows of ``sequence_length`` rows with
    the target of each window, or windows only without targets."""
    env = env_of("""
t = keras.utils.text_dataset_from_directory("d", label_mode="binary")
series = np.random.rand(100, 4)
w = keras.utils.timeseries_dataset_from_array(series, series[:, 0], sequence_length=12, batch_size=8)
u = keras.utils.timeseries_dataset_from_array(series, None, sequence_length=12)
""")
    assert shapes_of(env["t"]) == ("ds", True, (((), "str"), ((1,), "float32")))
    assert shapes_of(env["w"]) == ("ds", True, (((12, 4), "float64"), ((), "float64")))
    assert shapes_of(env["u"]) == ("ds", True, ((12, 4), "float64"))


def test_image_data_generator_flows():
    """``flow`` batches the arrays (float32 images, labels as given); ``flow_from_directory`` gives
    ``target_size`` images scaled by ``rescale`` and the label of its ``class_mode``."""
    env = env_of("""
gen = ImageDataGenerator(rescale=1 / 255.0, rotation_range=10)
x = np.random.rand(20, 32, 32, 3)
y = np.random.randint(0, 5, size=(20,))
a = gen.flow(x, y, batch_size=4)
b = gen.flow_from_directory("d", target_size=(64, 64), class_mode="binary")
c = gen.flow_from_directory("d", target_size=(64, 64), color_mode="grayscale", class_mode=None)
e = gen.flow_from_directory("d", target_size=(64, 64), classes=["a", "b", "c"])
""")
    assert shapes_of(env["a"]) == ("ds", True, (((32, 32, 3), "float32"), ((), "int64")))
    assert shapes_of(env["b"]) == ("ds", True, (((64, 64, 3), "float32"), ((), "float32")))
    assert env["b"].element.items[0].hi == 1.0
    assert shapes_of(env["c"]) == ("ds", True, ((64, 64, 1), "float32"))
    assert shapes_of(env["e"])[2][1] == ((3,), "float32")


def test_load_img_and_decode_then_resize():
    """``load_img`` + ``img_to_array`` give ``target_size`` (else the file's size); ``decode_*`` the
    file's height and width with the asked channels, which ``resize`` then fixes."""
    env = env_of("""
img = keras.utils.img_to_array(keras.utils.load_img("p.jpg", target_size=(40, 30)))
raw = keras.utils.img_to_array(keras.utils.load_img("p.jpg", color_mode="grayscale"))
decoded = tf.io.decode_jpeg(tf.io.read_file("p.jpg"), channels=3)
resized = tf.image.resize(decoded, (20, 20))
any_image = tf.io.decode_image(tf.io.read_file("p.gif"))
""")
    assert shapes_of(env["img"]) == ((40, 30, 3), "float32") and env["img"].hi == 255
    assert shapes_of(env["raw"]) == ((None, None, 1), "float32")
    assert shapes_of(env["decoded"]) == ((None, None, 3), "uint8")
    assert shapes_of(env["resized"]) == ((20, 20, 3), "float32")
    assert env["any_image"].shape is None  # a GIF has 4 axes


# ---------------------------------------------------------- TF readers
def test_tfrecord_with_a_fixed_len_feature_spec():
    """Parsing serialized records with a spec of ``FixedLenFeature`` gives each feature its shape
    and dtype (a batch axis for ``parse_example``); a ``VarLenFeature`` stays unknown."""
    env = env_of("""
spec = {"x": tf.io.FixedLenFeature([7], tf.float32), "y": tf.io.FixedLenFeature([], tf.int64),
        "v": tf.io.VarLenFeature(tf.float32)}
def parse(record):
    e = tf.io.parse_single_example(record, spec)
    return e["x"], e["y"]
ds = tf.data.TFRecordDataset(["f.tfrecord"]).map(parse).batch(4)
def parse_batch(records):
    e = tf.io.parse_example(records, spec)
    return e["x"], e["v"]
db = tf.data.TFRecordDataset("f.tfrecord").batch(4).map(parse_batch)
""")
    assert shapes_of(env["ds"]) == ("ds", True, (((7,), "float32"), ((), "int64")))
    assert shapes_of(env["db"]) == ("ds", True, (((7,), "float32"), None))


def test_make_csv_dataset_and_text_lines():
    """``make_csv_dataset`` gives a dict of the named columns and the label (dtypes from
    ``column_defaults``); columns not named in the code are unknown; text lines are string scalars."""
    env = env_of("""
csv = tf.data.experimental.make_csv_dataset("f.csv", batch_size=8, select_columns=["a", "b", "t"], label_name="t")
typed = tf.data.experimental.make_csv_dataset("f.csv", 8, column_names=["a", "t"], column_defaults=[0.0, 0],
                                              label_name="t")
unnamed = tf.data.experimental.make_csv_dataset("f.csv", batch_size=8)
lines = tf.data.TextLineDataset("f.txt")
""")
    assert shapes_of(env["csv"]) == ("ds", True, ({"a": ((), None), "b": ((), None)}, ((), None)))
    assert shapes_of(env["typed"]) == ("ds", True, ({"a": ((), "float32")}, ((), "int32")))
    assert env["unnamed"].element is None
    assert shapes_of(env["lines"]) == ("ds", False, ((), "str"))


def test_from_generator_with_output_signature_or_types():
    """``from_generator`` takes its element from ``output_signature`` (``TensorSpec``), or from
    ``output_types`` with ``output_shapes``."""
    env = env_of("""
def gen():
    yield np.zeros(3), 1
a = tf.data.Dataset.from_generator(gen, output_signature=(tf.TensorSpec(shape=(3,), dtype=tf.float32),
                                                          tf.TensorSpec(shape=(), dtype=tf.int32)))
b = tf.data.Dataset.from_generator(gen, output_types=(tf.float32, tf.int64), output_shapes=((3,), ()))
c = tf.data.Dataset.from_generator(gen, output_signature={"x": tf.TensorSpec((None, 2))})
""")
    assert shapes_of(env["a"]) == ("ds", False, (((3,), "float32"), ((), "int32")))
    assert shapes_of(env["b"]) == ("ds", False, (((3,), "float32"), ((), "int64")))
    assert shapes_of(env["c"]) == ("ds", False, {"x": ((None, 2), "float32")})


def test_csv_lines_decoded_into_a_dict_of_columns():
    """``list_files`` + ``interleave(TextLineDataset)`` + ``decode_csv`` with
    typed defaults, ``dict(zip(names, fields))`` and ``pop`` of the label:
    a dict of scalar columns and the label."""
    env = env_of("""
NAMES = ["w", "kind", "age", "n"]
DEFAULTS = [[0.0], ["none"], [0.0], [0]]
def decode(line):
    return dict(zip(NAMES, tf.io.decode_csv(line, record_defaults=DEFAULTS)))
def split(row):
    label = row.pop("w")
    return row, label
ds = tf.data.Dataset.list_files("*.csv").interleave(tf.data.TextLineDataset).map(decode).map(split).batch(8)
""")
    assert shapes_of(env["ds"]) == ("ds", True, ({"kind": ((), "str"), "age": ((), "float32"), "n": ((), "int32")},
                                                 ((), "float32")))


# -------------------------------------------------------------- pandas
def test_pandas_columns_named_in_the_code():
    """A DataFrame's column count is known where the code names the columns: ``df[cols]``, ``drop``
    of named columns, ``usecols``; else unknown."""
    env = env_of("""
df = pd.read_csv("f.csv")
a = df[["x1", "x2", "x3"]].values
labels = df.pop("y")
b = df[["x1", "id"]].drop(columns=["id"]).values
c = df[["x1", "x2", "id"]].drop(["id"], axis=1).to_numpy()
d = pd.read_csv("f.csv", usecols=["p", "q"]).values
e = df.values
""")
    assert shapes_of(env["a"]) == ((None, 3), None)
    assert shapes_of(env["b"]) == ((None, 1), None)
    assert shapes_of(env["c"]) == ((None, 2), None)
    assert shapes_of(env["d"]) == ((None, 2), None)
    assert shapes_of(env["e"]) == ((None, None), None)


def test_csv_column_count_against_the_input():
    """The columns taken from a CSV file are compared with the model input: 3 columns fit
    ``Input((3,))``, not ``Input((4,))``."""
    src = """
df = pd.read_csv("f.csv")
x = df[["a", "b", "c"]].to_numpy()
y = df["t"].values
model = keras.Sequential([keras.Input(({n},)), keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(x, y)
"""
    assert "FIT102" not in findings(src.format(n=3))
    assert "FIT102" in findings(src.format(n=4))


# -------------------------------------------------------------- PyDataset
def test_a_pydataset_subclass_gives_its_batch_structure():
    """A ``PyDataset`` subclass given to fit is read through its ``__getitem__``: checked, and wrong
    features or labels are found."""
    src = """
class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, size):
        super().__init__()
        self.x, self.y, self.size = x, y, size
    def __len__(self):
        return len(self.x) // self.size
    def __getitem__(self, i):
        return self.x[i * self.size:(i + 1) * self.size], self.y[i * self.size:(i + 1) * self.size]
model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy")
model.fit(Batches(np.zeros((40, {f})), np.random.randint(0, {k}, size=(40,)), 8))
"""
    (call,) = calls(src.format(f=6, k=3))
    assert call["status"] == "checked"
    assert findings(src.format(f=6, k=3)) == set()
    assert "FIT102" in findings(src.format(f=5, k=3))
    assert findings(src.format(f=6, k=5)) - findings(src.format(f=6, k=3))


# ------------------------------------------------------ data-from-files
def test_what_the_files_say_is_reported_as_data_from_files():
    """The number of class folders (a sparse loss needs the label range) and
    the records of a TFRecord file not parsed are ``data-from-files``."""
    (by_dir, raw) = calls("""
model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(4)])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(keras.utils.image_dataset_from_directory("d", image_size=(32, 32)))
model.fit(tf.data.TFRecordDataset("f").batch(2))
""")
    assert by_dir["status"] == "partial"
    assert [r["reason"] for r in by_dir["reasons"]] == ["data-from-files"]
    assert "data-from-files" in [r["reason"] for r in raw["reasons"]]
    assert "data-from-files" in shapes.REASONS


def test_sources_are_library_objects_not_arrays():
    """A generator and an image loaded from a file are library objects, not arrays."""
    env = env_of("""
gen = ImageDataGenerator()
img = keras.utils.load_img("p.png")
""")
    assert isinstance(env["gen"], Source) and isinstance(env["img"], Source)
