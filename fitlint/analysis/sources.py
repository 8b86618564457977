"""Data sources as declared knowledge: what data read from libraries and
files looks like.

Each source declares its signature once (``SIGNATURE_TEXT``, merged into
:mod:`library`'s table; calls are bound as Python binds them) and a rule
giving the abstract value it returns:

- ``tensorflow_datasets``: ``tfds.load`` / ``tfds.builder(...).as_dataset``
  for the data sets of :data:`CATALOGUE` (element structure, shapes, dtypes
  and label ranges from the TFDS catalogue), with ``split`` (one name, a
  list, or all splits as a dict), ``as_supervised``, ``with_info`` (then
  ``info.features['label'].num_classes`` and
  ``info.splits['train'].num_examples`` are known) and ``batch_size``;
- Keras file loaders: ``image_dataset_from_directory``,
  ``text_dataset_from_directory`` (``subset="both"``, every
  ``label_mode``), ``timeseries_dataset_from_array``, ``ImageDataGenerator``
  flows (``flow``, ``flow_from_directory``, ``flow_from_dataframe``),
  ``load_img`` + ``img_to_array``;
- TensorFlow file readers: ``tf.io.read_file`` + ``tf.io.decode_*``,
  ``TFRecordDataset`` + ``parse_single_example`` / ``parse_example`` with a
  ``FixedLenFeature`` spec, ``TextLineDataset``, ``make_csv_dataset``,
  ``Dataset.from_generator`` with ``output_signature`` (or
  ``output_types`` + ``output_shapes``) of ``TensorSpec``;
- ``keras.utils.Sequence`` / ``PyDataset`` subclasses given to ``fit``:
  ``__getitem__(0)`` is run to find the batch structure.

What depends on the files on disk (the number of class directories, the
size of an image read without resizing, the columns of a CSV file not
named in the code) stays unknown; the call is recorded in
``Facts.from_files`` so that ``fitlint shapes`` says ``data-from-files``.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from .signatures import bind, parse
from .values import Array, Const, Dataset, Dict_, ModuleRef, Origin, Seq, as_shape, py

NOT_HANDLED = object()


class Source:
    """A library object met on the way to the data: a TFDS builder or
    ``DatasetInfo``, a feature description, an ``ImageDataGenerator``, a
    ``TensorSpec``, a ``FixedLenFeature``, a PIL image. ``attrs`` are the
    attributes the program may read."""

    __slots__ = ("kind", "attrs", "origin")

    def __init__(self, kind: str, attrs: Optional[Dict[str, Any]] = None, origin: Optional[Origin] = None) -> None:
        self.kind = kind
        self.attrs: Dict[str, Any] = {} if attrs is None else attrs
        self.origin = origin


def _from_files(ip, node: Any) -> None:
    """The value built at ``node`` has parts that only the files on disk say."""
    if ip is not None and not getattr(ip, "guarded", False):
        ip.facts.from_files.append(node)


def _int(value: Any) -> Optional[int]:
    v = py(value)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _tensor(shape: Any, dtype: Optional[str], node: Any, lo: Optional[float] = None,
            hi: Optional[float] = None, onehot: bool = False) -> Array:
    return Array(shape, dtype, lo, hi, origin=Origin(node), tensor=True, onehot=onehot)


def _map(value: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(value, Seq) and value.kind == "tuple":
        return Seq([_map(v, fn) for v in value.items], "tuple", value.origin)
    if isinstance(value, Dict_):
        return Dict_({k: _map(v, fn) for k, v in value.items.items()}, value.origin)
    return fn(value)


# ----------------------------------------------------------- TFDS catalogue
# A feature: (shape, dtype, lo, hi, num_classes). Images are uint8 0..255,
# class labels int64 0..k-1, text a string scalar.
_Feature = Tuple[Tuple[Optional[int], ...], str, Optional[float], Optional[float], Optional[int]]


def _image(*shape: Optional[int]) -> _Feature:
    return (tuple(shape), "uint8", 0.0, 255.0, None)


def _label(k: int) -> _Feature:
    return ((), "int64", 0.0, float(k - 1), k)


_TEXT: _Feature = ((), "str", None, None, None)
_GENRES: _Feature = ((None,), "int64", 0.0, 20.0, None)  # a Sequence of ClassLabel(21)
_F32: _Feature = ((), "float32", None, None, None)
_I64: _Feature = ((), "int64", None, None, None)
_BOOL: _Feature = ((), "bool", 0.0, 1.0, None)
_MOVIES = {"movie_genres": _GENRES, "movie_id": _TEXT, "movie_title": _TEXT}
_RATINGS_1M = {**_MOVIES, "bucketized_user_age": _F32, "timestamp": _I64, "user_gender": _BOOL,
               "user_id": _TEXT, "user_occupation_label": _label(22), "user_occupation_text": _TEXT,
               "user_rating": _F32, "user_zip_code": _TEXT}
_RATINGS_100K = {**_RATINGS_1M, "raw_user_age": _F32}
# 25m, 20m and latest-small: the movie and rating features only.
_RATINGS = {**_MOVIES, "timestamp": _I64, "user_id": _TEXT, "user_rating": _F32}


class Entry:
    """One TFDS data set: its features, supervised keys and split sizes."""

    def __init__(self, features: Dict[str, _Feature], supervised: Optional[Tuple[str, str]],
                 splits: Dict[str, int]) -> None:
        self.features, self.supervised, self.splits = features, supervised, splits


def _classified(image: _Feature, k: int, splits: Dict[str, int], **extra: _Feature) -> Entry:
    return Entry({"image": image, "label": _label(k), **extra}, ("image", "label"), splits)


# From the TFDS catalogue (https://www.tensorflow.org/datasets/catalog).
CATALOGUE: Dict[str, Entry] = {
    "mnist": _classified(_image(28, 28, 1), 10, {"train": 60000, "test": 10000}),
    "fashion_mnist": _classified(_image(28, 28, 1), 10, {"train": 60000, "test": 10000}),
    "kmnist": _classified(_image(28, 28, 1), 10, {"train": 60000, "test": 10000}),
    "cifar10": _classified(_image(32, 32, 3), 10, {"train": 50000, "test": 10000}, id=_TEXT),
    "cifar100": _classified(_image(32, 32, 3), 100, {"train": 50000, "test": 10000}, id=_TEXT,
                            coarse_label=_label(20)),
    "imdb_reviews": Entry({"text": _TEXT, "label": _label(2)}, ("text", "label"),
                          {"train": 25000, "test": 25000, "unsupervised": 50000}),
    "tf_flowers": _classified(_image(None, None, 3), 5, {"train": 3670}),
    "cats_vs_dogs": _classified(_image(None, None, 3), 2, {"train": 23262}, **{"image/filename": _TEXT}),
    "horses_or_humans": _classified(_image(300, 300, 3), 2, {"train": 1027, "test": 256}),
    "rock_paper_scissors": _classified(_image(300, 300, 3), 3, {"train": 2520, "test": 372}),
    "beans": _classified(_image(500, 500, 3), 3, {"train": 1034, "validation": 133, "test": 128}),
    "oxford_iiit_pet": _classified(_image(None, None, 3), 37, {"train": 3680, "test": 3669}, file_name=_TEXT,
                                   species=_label(2), segmentation_mask=_image(None, None, 1)),
    "movielens/100k-ratings": Entry(_RATINGS_100K, None, {"train": 100000}),
    "movielens/100k-movies": Entry(_MOVIES, None, {"train": 1682}),
    "movielens/1m-ratings": Entry(_RATINGS_1M, None, {"train": 1000209}),
    "movielens/1m-movies": Entry(_MOVIES, None, {"train": 3883}),
    "movielens/25m-ratings": Entry(_RATINGS, None, {"train": 25000095}),
    "movielens/25m-movies": Entry(_MOVIES, None, {"train": 62423}),
    "movielens/20m-ratings": Entry(_RATINGS, None, {"train": 20000263}),
    "movielens/20m-movies": Entry(_MOVIES, None, {"train": 27278}),
    "movielens/latest-small-ratings": Entry(_RATINGS, None, {"train": 100836}),
    "movielens/latest-small-movies": Entry(_MOVIES, None, {"train": 9742}),
}
# "movie_lens" is the deprecated name of the same builder (same configs and features).
CATALOGUE.update({"movie_lens/" + k.split("/", 1)[1]: v for k, v in list(CATALOGUE.items()) if k.startswith("movielens/")})
CATALOGUE["imdb_reviews/plain_text"] = CATALOGUE["imdb_reviews"]


def _entry(name: Any) -> Optional[Entry]:
    text = py(name)
    if not isinstance(text, str):
        return None
    return CATALOGUE.get(text.split(":")[0].strip())


def _feature_value(f: _Feature, node: Any) -> Array:
    shape, dtype, lo, hi, _ = f
    return _tensor(shape, dtype, node, lo, hi)


def _element(entry: Entry, supervised: bool, node: Any) -> Any:
    if supervised:
        if entry.supervised is None:
            return None  # TFDS raises: no supervised keys
        x, y = entry.supervised
        return Seq([_feature_value(entry.features[x], node), _feature_value(entry.features[y], node)], "tuple",
                   Origin(node))
    return Dict_({k: _feature_value(f, node) for k, f in entry.features.items()}, Origin(node))


def _split_name(split: str) -> str:
    return split.split("[")[0].strip()


def _one_split(entry: Entry, split: Any, batch: Any, supervised: bool, node: Any) -> Any:
    """The dataset (or, with ``batch_size=-1``, the tensors) of one split."""
    name = py(split)
    if isinstance(split, ModuleRef) and ".Split." in split.path:  # tfds.Split.TRAIN
        name = split.path.rsplit(".", 1)[-1].lower()
    if not isinstance(name, str) or "+" in name or _split_name(name) not in entry.splits:
        return None
    element = _element(entry, supervised, node)
    if element is None:
        return None
    size = py(batch)
    if size is None:
        return Dataset(element, False, Origin(node))
    if size == -1:  # the whole split at once, as tensors
        count = entry.splits[name] if name in entry.splits else None
        return _map(element, lambda v: v.but(shape=(count,) + v.shape) if isinstance(v, Array) and v.shape is not None
                    else None)
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        return Dataset(element, True, Origin(node), Origin(node))
    return None


def _splits(entry: Entry, split: Any, batch: Any, supervised: bool, node: Any) -> Any:
    if isinstance(split, Const) and split.value is None:
        return Dict_({k: _one_split(entry, Const(k), batch, supervised, node) for k in entry.splits}, Origin(node))
    if isinstance(split, Seq):
        return Seq([_one_split(entry, s, batch, supervised, node) for s in split.items], split.kind, Origin(node))
    return _one_split(entry, split, batch, supervised, node)


def _info(entry: Entry, node: Any) -> Source:
    features = {}
    for k, (shape, dtype, lo, hi, classes) in entry.features.items():
        attrs: Dict[str, Any] = {"shape": Seq([Const(d) for d in shape], "tuple", Origin(node)), "dtype": None}
        if classes is not None:
            attrs["num_classes"] = Const(classes)
        features[k] = Source("Feature", attrs, Origin(node))
    splits = {k: Source("SplitInfo", {"num_examples": Const(n)}, Origin(node)) for k, n in entry.splits.items()}
    keys = Seq([Const(k) for k in entry.supervised], "tuple") if entry.supervised else None
    return Source("DatasetInfo", {"features": Dict_(features, Origin(node)), "splits": Dict_(splits, Origin(node)),
                                  "supervised_keys": keys}, Origin(node))


def tfds_load(ip, a, node):
    entry = _entry(a.get("name"))
    if entry is None:
        return None
    supervised = py(a.get("as_supervised"))
    with_info = py(a.get("with_info"))
    if not isinstance(supervised, bool) or not isinstance(with_info, bool):
        return None
    split = a.get("split") if a.has("split") else Const(None)
    batch = a.get("batch_size") if a.has("batch_size") else Const(None)
    data = _splits(entry, split, batch, supervised, node)
    if with_info:
        return Seq([data, _info(entry, node)], "tuple", Origin(node))
    return data


def tfds_builder(ip, a, node):
    entry = _entry(a.get("name"))
    if entry is None:
        return None
    return Source("DatasetBuilder", {"info": _info(entry, node), "entry": entry}, Origin(node))


def _builder_method(ip, obj: Source, method: str, a, node) -> Any:
    if method == "download_and_prepare":
        return Const(None)
    if method != "as_dataset":
        return None
    b = _bind("tensorflow_datasets.core.DatasetBuilder.as_dataset", a)
    if b is None:
        return None
    supervised = py(b.get("as_supervised"))
    if not isinstance(supervised, bool):
        return None
    split = b.get("split") if b.has("split") else Const(None)
    batch = b.get("batch_size") if b.has("batch_size") else Const(None)
    return _splits(obj.attrs["entry"], split, batch, supervised, node)


# ------------------------------------------------------- Keras file loaders
_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}


def _two(make: Callable[[], Any], subset: Any, node: Any) -> Any:
    """``subset="both"`` returns the training and the validation dataset."""
    if py(subset) == "both":
        return Seq([make(), make()], "list", Origin(node))
    return make()


def _dir_labels(ip, labels: Any, mode: Any, classes: Any, node: Any) -> Any:
    """The label of one element of ``*_dataset_from_directory``: ``MISSING``
    when there are no labels, ``None`` when unknown."""
    if isinstance(labels, Const) and labels.value is None:
        return _NO_LABELS
    mode_value = py(mode)
    if isinstance(mode, Const) and mode_value is None:
        return _NO_LABELS
    names = py(classes)
    k = len(names) if isinstance(names, (list, tuple)) and py(labels) == "inferred" else None
    if isinstance(py(labels), (list, tuple)):
        return None  # labels given in the code: their values are not followed here
    if py(labels) != "inferred":
        return None
    if mode_value == "int":
        if k is None:
            _from_files(ip, node)
        return _tensor((), "int32", node, 0.0, None if k is None else float(k - 1))
    if mode_value == "binary":
        return _tensor((1,), "float32", node, 0.0, 1.0)
    if mode_value == "categorical":
        if k is None:
            _from_files(ip, node)
        return _tensor((k,), "float32", node, 0.0, 1.0, onehot=True)
    return None


_NO_LABELS = object()


def _with_labels(x: Any, y: Any, node: Any) -> Any:
    if y is _NO_LABELS:
        return x
    return Seq([x, y], "tuple", Origin(node))


def _batched(element: Any, batch: Any, node: Any) -> Optional[Dataset]:
    if isinstance(batch, Const) and batch.value is None:
        return Dataset(element, False, Origin(node))
    if _int(batch) is None:
        return Dataset(element, True, Origin(node))  # batched, size unknown
    return Dataset(element, True, Origin(node), Origin(node))


def image_dataset(ip, a, node):
    size = as_shape(a.get("image_size"))
    channels = _CHANNELS.get(py(a.get("color_mode")))
    if size is None or len(size) != 2 or channels is None or py(a.get("data_format")) == "channels_first":
        return None
    labels = _dir_labels(ip, a.get("labels"), a.get("label_mode"), a.get("class_names"), node)

    def make() -> Any:
        x = _tensor(size + (channels,), "float32", node, 0.0, 255.0)
        return _batched(_with_labels(x, labels, node), a.get("batch_size"), node)
    return _two(make, a.get("subset"), node)


def text_dataset(ip, a, node):
    labels = _dir_labels(ip, a.get("labels"), a.get("label_mode"), a.get("class_names"), node)

    def make() -> Any:
        return _batched(_with_labels(_tensor((), "str", node), labels, node), a.get("batch_size"), node)
    return _two(make, a.get("subset"), node)


def timeseries_dataset(ip, a, node):
    """Windows of ``sequence_length`` rows of ``data``; the target of each
    window is the row of ``targets`` where it starts."""
    from .library import to_array
    data = a.get("data")
    data = to_array(data, node) if isinstance(data, Seq) else data
    length = _int(a.get("sequence_length"))
    if not isinstance(data, Array) or not data.shape or length is None:
        return None
    x = data.but(shape=(length,) + data.shape[1:], origin=Origin(node), tensor=True, onehot=False)
    targets = a.get("targets")
    if isinstance(targets, Const) and targets.value is None:
        element: Any = x
    else:
        targets = to_array(targets, node) if isinstance(targets, Seq) else targets
        y = targets.but(shape=None if targets.shape is None else targets.shape[1:], origin=Origin(node),
                        tensor=True) if isinstance(targets, Array) and targets.shape else None
        element = Seq([x, y], "tuple", Origin(node))
    return _batched(element, a.get("batch_size"), node)


def load_img(ip, a, node):
    size = as_shape(a.get("target_size"))
    channels = _CHANNELS.get(py(a.get("color_mode")))
    if channels is None:
        return None
    if size is None or len(size) != 2:
        if not a.is_none("target_size"):
            return Source("Image", {}, Origin(node))
        size = (None, None)
        _from_files(ip, node)
    return Source("Image", {"_shape": size + (channels,)}, Origin(node))


def img_to_array(ip, a, node):
    from .library import dtype_of
    img = a.get("img")
    if not isinstance(img, Source) or img.kind != "Image" or "_shape" not in img.attrs \
            or py(a.get("data_format")) == "channels_first":
        return None
    dtype = dtype_of(a.get("dtype"), "float32") if a.has("dtype") and not a.is_none("dtype") else "float32"
    return Array(img.attrs["_shape"], dtype, 0.0, 255.0, origin=img.origin)


_CSV_DTYPES = {int: "int32", float: "float32", str: "str"}


# ------------------------------------------------------ ImageDataGenerator
def image_data_generator(ip, a, node):
    if py(a.get("data_format")) == "channels_first":
        return None
    rescale = py(a.get("rescale"))
    # the value range after rescale (other options, like featurewise
    # centering or a preprocessing function, make it unknown)
    plain = all(not a.has(k) or py(a.get(k)) in (False, None, 0, 0.0) for k in (
        "featurewise_center", "samplewise_center", "featurewise_std_normalization", "samplewise_std_normalization",
        "zca_whitening", "brightness_range", "channel_shift_range", "preprocessing_function"))
    dtype = "float32" if a.is_none("dtype") else None  # Keras' floatx unless given
    return Source("ImageDataGenerator", {"_rescale": rescale if plain else False, "_dtype": dtype}, Origin(node))


def _x_range(gen: Source) -> Tuple[Optional[float], Optional[float]]:
    scale = gen.attrs.get("_rescale")
    if scale is None or scale == 0:
        return 0.0, 255.0
    if isinstance(scale, (int, float)) and not isinstance(scale, bool) and scale > 0:
        return 0.0, 255.0 * scale
    return None, None


def _flow(ip, gen: Source, b, node) -> Any:
    x = b.get("x")
    if not isinstance(x, Array) or x.shape is None or len(x.shape) != 4:
        return None
    xe = Array(x.shape[1:], gen.attrs["_dtype"], origin=Origin(node))  # values: transformed, not followed
    y = b.get("y")
    if isinstance(y, Const) and y.value is None or not b.has("y"):
        return Dataset(xe, True, Origin(node), Origin(node))
    if isinstance(y, Seq):
        from .library import to_array
        y = to_array(y, node)
    ye = y.but(shape=None if not y.shape else y.shape[1:], origin=y.origin) if isinstance(y, Array) else None
    items = [xe, ye]
    if b.has("sample_weight") and not b.is_none("sample_weight"):
        items.append(None)
    return Dataset(Seq(items, "tuple", Origin(node)), True, Origin(node), Origin(node))


def _class_label(ip, mode: Any, classes: Any, node: Any, x: Array) -> Any:
    value = py(mode)
    names = py(classes)
    k = len(names) if isinstance(names, (list, tuple)) else None
    if value == "categorical":
        if k is None:
            _from_files(ip, node)
        return Array((k,), "float32", 0.0, 1.0, origin=Origin(node), onehot=True)
    if value == "binary":
        return Array((), "float32", 0.0, 1.0, origin=Origin(node))
    if value == "sparse":
        if k is None:
            _from_files(ip, node)
        return Array((), "float32", 0.0, None if k is None else float(k - 1), origin=Origin(node))
    if value == "input":
        return x
    if isinstance(mode, Const) and value is None:
        return _NO_LABELS
    return None


def _flow_from(ip, gen: Source, b, node, directory: bool) -> Any:
    size = as_shape(b.get("target_size"))
    channels = _CHANNELS.get(py(b.get("color_mode")))
    if size is None or len(size) != 2 or channels is None:
        return None
    lo, hi = _x_range(gen)
    x = Array(size + (channels,), gen.attrs["_dtype"], lo, hi, origin=Origin(node))
    y = _class_label(ip, b.get("class_mode"), b.get("classes"), node, x)
    if not directory and py(b.get("class_mode")) not in ("categorical", "binary", "sparse", "input", None):
        y = None  # raw / multi_output: the columns' values
    return Dataset(_with_labels(x, y, node), True, Origin(node), Origin(node))


def _generator_method(ip, gen: Source, method: str, a, node) -> Any:
    sig = "keras.preprocessing.image.ImageDataGenerator." + method
    if sig not in SIGNATURE_TEXT:
        return None
    b = _bind(sig, a)
    if b is None:
        return None
    if method == "flow":
        return _flow(ip, gen, b, node)
    if method == "flow_from_directory":
        return _flow_from(ip, gen, b, node, True)
    if method == "flow_from_dataframe":
        return _flow_from(ip, gen, b, node, False)
    return None


# --------------------------------------------------------- TensorFlow files
def read_file(ip, a, node):
    return _tensor((), "str", node)


def _decode(fmt: str):
    """``decode_jpeg``/``decode_png``/``decode_image``: height and width
    are the file's; the channels too unless ``channels`` is given."""
    def handler(ip, a, node):
        from .library import dtype_of
        given = a.get("channels")
        channels = _int(given)
        if a.is_none("channels") or channels == 0:
            channels = None
        elif channels is None or channels not in (1, 3, 4) or fmt == "jpeg" and channels == 4:
            return None
        dtype = dtype_of(a.get("dtype")) if fmt != "jpeg" else "uint8"
        if dtype not in ("uint8", "uint16", "float16", "float32", "float64"):
            return None
        lo, hi = (0.0, 1.0) if dtype.startswith("float") else (0.0, 255.0 if dtype == "uint8" else 65535.0)
        _from_files(ip, node)
        if fmt == "image" and py(a.get("expand_animations")) is not False:
            return _tensor(None, dtype, node, lo, hi)  # a GIF decodes to 4 axes
        return _tensor((None, None, channels), dtype, node, lo, hi)
    return handler


def list_files(ip, a, node):
    return Dataset(_tensor((), "str", node), False, Origin(node))


def decode_csv(ip, a, node):
    """One tensor per column (of ``select_cols`` when given), each of the
    records' shape, with the dtype of its default: a Python float, int or
    str in a one-item list, or a dtype (a required column)."""
    from .library import dtype_of
    records = a.get("records")
    defaults = a.get("record_defaults")
    if not isinstance(records, Array) or not isinstance(defaults, Seq):
        return None
    out = []
    for default in defaults.items:
        literal = py(default)
        if isinstance(literal, (list, tuple)) and len(literal) == 1 and type(literal[0]) in _CSV_DTYPES:
            dtype: Optional[str] = _CSV_DTYPES[type(literal[0])]
        elif isinstance(literal, (list, tuple)) and not literal:
            dtype = "float32"  # an empty default: a required float column
        else:
            dtype = dtype_of(default)
            if dtype not in ("float32", "float64", "int32", "int64", "str"):
                return None
        out.append(_tensor(records.shape, dtype, node))
    return Seq(out, "list", Origin(node))


def builtin_zip(a: Any, node: Any) -> Any:
    """``zip(a, b, ...)`` of lists or tuples of known length: a list of tuples
    (what ``dict(zip(names, columns))`` needs)."""
    if a.star or a.kw or not a.pos or not all(isinstance(v, Seq) for v in a.pos):
        return None
    count = min(len(v.items) for v in a.pos)
    return Seq([Seq([v.items[i] for v in a.pos], "tuple", Origin(node)) for i in range(count)], "list", Origin(node))


def builtin_dict(a: Any, node: Any) -> Any:
    """``dict(pairs)``, ``dict(mapping)``, ``dict(key=value, ...)``: a new
    dict with string keys, when every key is known."""
    if a.star or len(a.pos) > 1:
        return None
    items: Dict[str, Any] = {}
    if a.pos:
        given = a.pos[0]
        if isinstance(given, Dict_):
            items.update(given.items)
        elif isinstance(given, Seq):
            for pair in given.items:
                if not isinstance(pair, Seq) or len(pair.items) != 2 or not isinstance(py(pair.items[0]), str):
                    return None
                items[py(pair.items[0])] = pair.items[1]
        else:
            return None
    items.update(a.kw)
    return Dict_(items, Origin(node))


def tfrecord_dataset(ip, a, node):
    _from_files(ip, node)
    return Dataset(_tensor((), "str", node), False, Origin(node))


def text_line_dataset(ip, a, node):
    return Dataset(_tensor((), "str", node), False, Origin(node))


def fixed_len_feature(ip, a, node):
    from .library import dtype_of
    shape = as_shape(a.get("shape")) if not isinstance(a.get("shape"), Seq) or a.get("shape").items else ()
    dtype = dtype_of(a.get("dtype"))
    if shape is None or dtype not in ("float32", "int64", "str"):
        return None
    return Source("FixedLenFeature", {"_shape": shape, "_dtype": dtype}, Origin(node))


def _parsed(features: Any, batch: Tuple[Optional[int], ...], node: Any) -> Any:
    if not isinstance(features, Dict_):
        return None
    out: Dict[str, Any] = {}
    for key, spec in features.items.items():
        if isinstance(spec, Source) and spec.kind == "FixedLenFeature":
            out[key] = _tensor(batch + spec.attrs["_shape"], spec.attrs["_dtype"], node)
        else:
            out[key] = None  # VarLenFeature (sparse) and others: not modelled
    return Dict_(out, Origin(node))


def parse_single_example(ip, a, node):
    return _parsed(a.get("features"), (), node)


def parse_example(ip, a, node):
    serialized = a.get("serialized")
    if not isinstance(serialized, Array) or serialized.shape is None or len(serialized.shape) != 1:
        return None
    return _parsed(a.get("features"), serialized.shape, node)


def make_csv_dataset(ip, a, node):
    """Batches of ``(features, label)``: a dict of one column each; the
    columns are known when the code names them (``select_columns``, else
    ``column_names``), their dtypes when ``column_defaults`` gives them."""
    names = py(a.get("select_columns"))
    if names is None:
        names = py(a.get("column_names"))
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        _from_files(ip, node)
        return Dataset(None, True, Origin(node))
    label = py(a.get("label_name"))
    if label is not None and (not isinstance(label, str) or label not in names):
        return None
    defaults = py(a.get("column_defaults"))
    all_names = py(a.get("column_names"))
    dtypes: Dict[str, Optional[str]] = {}
    if isinstance(defaults, (list, tuple)) and isinstance(all_names, (list, tuple)) \
            and len(defaults) == len(all_names) and py(a.get("select_columns")) is None:
        for name, default in zip(all_names, defaults):
            value = default[0] if isinstance(default, (list, tuple)) and len(default) == 1 else default
            dtypes[name] = _CSV_DTYPES.get(type(value))
    columns = {n: _tensor((), dtypes.get(n), node) for n in names if n != label}
    features = Dict_(columns, Origin(node))
    element: Any = features if label is None else Seq([features, _tensor((), dtypes.get(label), node)], "tuple",
                                                      Origin(node))
    return Dataset(element, True, Origin(node), Origin(node))


def tensor_spec(ip, a, node):
    from .library import dtype_of
    shape = a.get("shape")
    dims = as_shape(shape) if not (isinstance(shape, Seq) and not shape.items) else ()
    if isinstance(shape, Const) and shape.value is None:
        dims = None
    elif dims is None:
        return None
    dtype = dtype_of(a.get("dtype"))
    if dtype is None:
        return None
    return Source("TensorSpec", {"_shape": dims, "_dtype": dtype, "shape": shape}, Origin(node))


def _spec_element(spec: Any, node: Any) -> Any:
    if isinstance(spec, Source) and spec.kind == "TensorSpec":
        return _tensor(spec.attrs["_shape"], spec.attrs["_dtype"], node)
    if isinstance(spec, Seq) and spec.kind == "tuple":
        return Seq([_spec_element(s, node) for s in spec.items], "tuple", Origin(node))
    if isinstance(spec, Dict_):
        return Dict_({k: _spec_element(s, node) for k, s in spec.items.items()}, Origin(node))
    return None


def _typed_element(types: Any, shapes: Any, node: Any) -> Any:
    from .library import dtype_of
    if isinstance(types, Seq) and types.kind == "tuple":
        if not isinstance(shapes, Seq) or len(shapes.items) != len(types.items):
            return None
        return Seq([_typed_element(t, s, node) for t, s in zip(types.items, shapes.items)], "tuple", Origin(node))
    if isinstance(types, Dict_):
        if not isinstance(shapes, Dict_) or set(shapes.items) != set(types.items):
            return None
        return Dict_({k: _typed_element(t, shapes.items[k], node) for k, t in types.items.items()}, Origin(node))
    dtype = dtype_of(types)
    dims = () if isinstance(shapes, Seq) and not shapes.items else as_shape(shapes)
    if dtype is None or dims is None:
        return None
    return _tensor(dims, dtype, node)


def from_generator(ip, a, node):
    if not a.is_none("output_signature"):
        element = _spec_element(a.get("output_signature"), node)
    elif not a.is_none("output_types") and not a.is_none("output_shapes"):
        element = _typed_element(a.get("output_types"), a.get("output_shapes"), node)
    else:
        element = None
    return Dataset(element, False, Origin(node))


# ------------------------------------------------- keras.utils.Sequence
def sequence_data(ip, x: Any, node: Any) -> Any:
    """An instance of a ``keras.utils.Sequence`` / ``PyDataset`` subclass
    given to ``fit``: a batched dataset whose element is what
    ``__getitem__(0)`` returns (without its batch axis), or ``x``."""
    from . import objects
    if not isinstance(x, objects.Instance) or x.cls is None:
        return x
    if not any(b.startswith("keras.") and b.rsplit(".", 1)[-1] in ("Sequence", "PyDataset")
               for b in x.cls.library_bases()):
        return x
    found = x.cls.lookup("__getitem__")
    if found is None or not hasattr(found[1], "params"):
        return Dataset(None, True, Origin(node))
    from .interpreter import Args
    args = Args(node)
    args.pos = [Const(0)]
    args.pos_nodes = [node]
    batch = objects._run(ip, objects._function(ip, found[0], found[1]), [x], node, args)
    if isinstance(batch, Seq):
        batch = Seq(list(batch.items), "tuple", batch.origin)
    from .library import _arrays_in
    batch = _arrays_in(batch, node)

    def drop(v: Any) -> Any:
        return v.but(shape=v.shape[1:]) if isinstance(v, Array) and v.shape else None
    element = _map(batch, drop) if batch is not None else None
    return Dataset(element, True, Origin(node))


# ------------------------------------------------------------------ tables
_TFDS_LOAD = ("name, *, split=None, data_dir=None, batch_size=None, shuffle_files=False, download=True, "
              "as_supervised=False, decoders=None, read_config=None, with_info=False, builder_kwargs=None, "
              "download_and_prepare_kwargs=None, as_dataset_kwargs=None, try_gcs=False")
_IMAGE_DIR = ("directory, labels='inferred', label_mode='int', class_names=None, color_mode='rgb', batch_size=32, "
              "image_size=(256, 256), shuffle=True, seed=None, validation_split=None, subset=None, "
              "interpolation='bilinear', follow_links=False, crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, "
              "data_format=None, format='tf', verbose=True")
_TEXT_DIR = ("directory, labels='inferred', label_mode='int', class_names=None, batch_size=32, max_length=None, "
             "shuffle=True, seed=None, validation_split=None, subset=None, follow_links=False, format='tf', "
             "verbose=True")
_TIMESERIES = ("data, targets, sequence_length, sequence_stride=1, sampling_rate=1, batch_size=128, shuffle=False, "
               "seed=None, start_index=None, end_index=None, format='tf'")
_LOAD_IMG = "path, color_mode='rgb', target_size=None, interpolation='nearest', keep_aspect_ratio=False"
_IDG = "keras.preprocessing.image.ImageDataGenerator"
_FILES = "filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None"
_PARSE = "serialized, features, example_names=None, name=None"
SIGNATURE_TEXT: Dict[str, str] = {
    "tensorflow_datasets.load": _TFDS_LOAD,
    "tensorflow_datasets.builder": "name, *, try_gcs=False, **builder_kwargs",
    "tensorflow_datasets.core.DatasetBuilder.as_dataset": (
        "split=None, *, batch_size=None, shuffle_files=False, decoders=None, read_config=None, as_supervised=False"),
    "keras.utils.image_dataset_from_directory": _IMAGE_DIR,
    "keras.utils.text_dataset_from_directory": _TEXT_DIR,
    "keras.utils.timeseries_dataset_from_array": _TIMESERIES,
    "keras.utils.load_img": _LOAD_IMG,
    "keras.utils.img_to_array": "img, data_format=None, dtype=None",
    _IDG: ("featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False, "
           "samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-06, rotation_range=0, "
           "width_shift_range=0.0, height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0, "
           "channel_shift_range=0.0, fill_mode='nearest', cval=0.0, horizontal_flip=False, vertical_flip=False, "
           "rescale=None, preprocessing_function=None, data_format=None, validation_split=0.0, "
           "interpolation_order=1, dtype=None"),
    _IDG + ".flow": ("x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, save_to_dir=None, "
                     "save_prefix='', save_format='png', ignore_class_split=False, subset=None"),
    _IDG + ".flow_from_directory": (
        "directory, target_size=(256, 256), color_mode='rgb', classes=None, class_mode='categorical', "
        "batch_size=32, shuffle=True, seed=None, save_to_dir=None, save_prefix='', save_format='png', "
        "follow_links=False, subset=None, interpolation='nearest', keep_aspect_ratio=False"),
    _IDG + ".flow_from_dataframe": (
        "dataframe, directory=None, x_col='filename', y_col='class', weight_col=None, target_size=(256, 256), "
        "color_mode='rgb', classes=None, class_mode='categorical', batch_size=32, shuffle=True, seed=None, "
        "save_to_dir=None, save_prefix='', save_format='png', subset=None, interpolation='nearest', "
        "validate_filenames=True, **kwargs"),
    "tensorflow.io.read_file": "filename, name=None",
    "tensorflow.io.decode_jpeg": ("contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False, "
                                  "acceptable_fraction=1, dct_method='', name=None"),
    "tensorflow.io.decode_png": "contents, channels=0, dtype='uint8', name=None",
    "tensorflow.io.decode_image": "contents, channels=None, dtype='uint8', name=None, expand_animations=True",
    "tensorflow.data.TFRecordDataset": _FILES,
    "tensorflow.data.TextLineDataset": _FILES,
    "tensorflow.io.FixedLenFeature": "shape, dtype, default_value=None",
    "tensorflow.data.Dataset.list_files": "file_pattern, shuffle=None, seed=None, name=None",
    "tensorflow.io.decode_csv": ("records, record_defaults, field_delim=',', use_quote_delim=True, na_value='', "
                                 "select_cols=None, name=None"),
    "tensorflow.io.parse_single_example": _PARSE,
    "tensorflow.io.parse_example": _PARSE,
    "tensorflow.data.experimental.make_csv_dataset": (
        "file_pattern, batch_size, column_names=None, column_defaults=None, label_name=None, select_columns=None, "
        "field_delim=',', use_quote_delim=True, na_value='', header=True, num_epochs=None, shuffle=True, "
        "shuffle_buffer_size=10000, shuffle_seed=None, prefetch_buffer_size=None, num_parallel_reads=None, "
        "sloppy=False, num_rows_for_inference=100, compression_type=None, ignore_errors=False, encoding='utf-8'"),
    "tensorflow.data.Dataset.from_generator": (
        "generator, output_types=None, output_shapes=None, args=None, output_signature=None, name=None"),
    "tensorflow.TensorSpec": "shape, dtype='float32', name=None",
}
_SIGNATURES = {name: parse(text) for name, text in SIGNATURE_TEXT.items()}


def _bind(name: str, a: Any) -> Any:
    return bind(_SIGNATURES[name], a)


CALLS: Dict[str, Callable] = {
    "tensorflow_datasets.load": tfds_load,
    "tensorflow_datasets.builder": tfds_builder,
    "keras.utils.image_dataset_from_directory": image_dataset,
    "keras.utils.text_dataset_from_directory": text_dataset,
    "keras.utils.timeseries_dataset_from_array": timeseries_dataset,
    "keras.utils.load_img": load_img,
    "keras.utils.img_to_array": img_to_array,
    _IDG: image_data_generator,
    "tensorflow.io.read_file": read_file,
    "tensorflow.io.decode_jpeg": _decode("jpeg"),
    "tensorflow.io.decode_png": _decode("png"),
    "tensorflow.io.decode_image": _decode("image"),
    "tensorflow.data.TFRecordDataset": tfrecord_dataset,
    "tensorflow.data.TextLineDataset": text_line_dataset,
    "tensorflow.io.FixedLenFeature": fixed_len_feature,
    "tensorflow.data.Dataset.list_files": list_files,
    "tensorflow.io.decode_csv": decode_csv,
    "tensorflow.io.parse_single_example": parse_single_example,
    "tensorflow.io.parse_example": parse_example,
    "tensorflow.data.experimental.make_csv_dataset": make_csv_dataset,
    "tensorflow.data.Dataset.from_generator": from_generator,
    "tensorflow.TensorSpec": tensor_spec,
}
# Other spellings of the same functions (as canonical names).
ALIASES: Dict[str, str] = {
    "keras.preprocessing.image_dataset_from_directory": "keras.utils.image_dataset_from_directory",
    "keras.preprocessing.text_dataset_from_directory": "keras.utils.text_dataset_from_directory",
    "keras.preprocessing.timeseries_dataset_from_array": "keras.utils.timeseries_dataset_from_array",
    "keras.preprocessing.image.load_img": "keras.utils.load_img",
    "keras.preprocessing.image.img_to_array": "keras.utils.img_to_array",
    "tensorflow.image.decode_jpeg": "tensorflow.io.decode_jpeg",
    "tensorflow.image.decode_png": "tensorflow.io.decode_png",
    "tensorflow.image.decode_image": "tensorflow.io.decode_image",
}
for _alias, _target in ALIASES.items():
    CALLS[_alias] = CALLS[_target]
    SIGNATURE_TEXT.setdefault(_alias, SIGNATURE_TEXT[_target])


# ---------------------------------------------------------- objects
def method(ip, obj: Source, name: str, a: Any, node: Any) -> Any:
    if obj.kind == "DatasetBuilder":
        return _builder_method(ip, obj, name, a, node)
    if obj.kind == "ImageDataGenerator":
        return _generator_method(ip, obj, name, a, node)
    return None


def attribute(obj: Source, attr: str) -> Any:
    if attr.startswith("_"):
        return None
    if obj.kind == "Image" and attr == "size" and "_shape" in obj.attrs:
        h, w, _ = obj.attrs["_shape"]
        return Seq([Const(w) if w is not None else None, Const(h) if h is not None else None], "tuple", obj.origin)
    return obj.attrs.get(attr)


# ------------------------------------------------------------------ pandas
# A DataFrame's columns are known where the code names them: ``read_csv(...,
# usecols=[...])``, ``df[["a", "b"]]``, then ``drop`` of named
# columns; ``.values`` / ``.to_numpy()`` then have that many columns. The
# number of rows is the file's. pandas' signatures are not declared (it is
# not a dependency of the tests): only plain keyword arguments are read.
_KEEP_COLUMNS = {"fillna", "copy", "head", "tail", "sample", "astype", "sort_values", "replace", "abs", "dropna"}
_SAME_RANK = _KEEP_COLUMNS | {"drop", "reset_index", "rename", "select_dtypes"}


def _names(value: Any) -> Optional[Tuple[str, ...]]:
    names = py(value)
    if isinstance(names, str):
        return (names,)
    if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return tuple(names)
    return None


def read_frame(ip, a, node):
    from .values import Frame
    columns = _names(a.kw.get("usecols")) if not a.star and "usecols" in a.kw and "index_col" not in a.kw else None
    if columns is None:
        _from_files(ip, node)
    return Frame(2, Origin(node), columns)


def frame_item(frame: Any, key: Any, node: Any) -> Any:
    """``df["a"]`` (a Series) or ``df[["a", "b"]]`` (a DataFrame of those columns)."""
    from .values import Frame
    if isinstance(key, Const) and isinstance(key.value, str):
        return Frame(1, Origin(node))
    if isinstance(key, Seq) and all(isinstance(py(k), str) for k in key.items):
        return Frame(2, Origin(node), _names(key))
    return None


def frame_method(frame: Any, method: str, a: Any, node: Any) -> Any:
    from .values import Frame
    if method == "pop" and frame.ndim == 2:
        frame.columns = None  # pop removes a column in place (on this path only: not followed)
        return Frame(1, Origin(node))
    if method in _SAME_RANK:
        columns = frame.columns if method in _KEEP_COLUMNS and not a.star and "axis" not in a.kw else None
        if method == "drop" and frame.columns is not None and not a.star:
            dropped = _names(a.kw["columns"]) if set(a.kw) == {"columns"} and not a.pos else \
                _names(a.pos[0]) if len(a.pos) == 1 and set(a.kw) == {"axis"} and py(a.kw["axis"]) in (1, "columns") \
                else None
            if dropped is not None and set(dropped) <= set(frame.columns):
                columns = tuple(c for c in frame.columns if c not in dropped)
        return Frame(frame.ndim, Origin(node), columns)
    if method == "to_numpy" and not a.pos and not a.kw and not a.star:
        return _frame_array(frame, node)
    return None


def _frame_array(frame: Any, node: Any) -> Array:
    if frame.ndim == 2:
        width = len(frame.columns) if frame.columns is not None else None
        return Array((None, width), None, origin=Origin(node))
    return Array((None,), None, origin=Origin(node))


def frame_attribute(frame: Any, attr: str, node: Any) -> Any:
    from .values import Frame
    if attr == "values":
        return _frame_array(frame, node)
    if frame.ndim == 2 and attr not in ("iloc", "loc", "shape", "columns", "index", "T") and not attr.startswith("_"):
        return Frame(1, Origin(node))
    return None
