"""The negative corpus: fixtures/negative holds working scripts and notebooks
that use IPython syntax, in-place mutation, keyword arguments and caught
errors. Each one runs under TensorFlow (notebooks through IPython itself), so
an ``error`` finding on any of them -- static, or kept by ``--confirm`` -- is
a false alarm."""
import json

import pytest

from fitlint.rules import select

from conftest import FIXTURES, check_in_parts, lint_fixture

NEGATIVE = FIXTURES / "negative"
FILES = sorted(list(NEGATIVE.glob("*.py")) + list(NEGATIVE.glob("*.ipynb")))

# Files on which fitlint reports an error today, with the pattern it misreads
# and what it reports. Strict: once a file is read right, its xfail fails and
# the entry must go.
STATIC_FAILS: dict = {}
CONFIRM_FAILS = {
    name: reason + "; --confirm=all keeps it (FIT000 unchanged, the others confirmed or inconclusive)"
    for name, reason in STATIC_FAILS.items()
}


def _cases(fails):
    def marks(path):
        if path.name not in fails:
            return []
        return [pytest.mark.xfail(strict=True, raises=AssertionError, reason=fails[path.name])]
    return [pytest.param(p, id=p.name, marks=marks(p)) for p in FILES]


def _describe(findings):
    return "\n".join(f"{f.get('cell') or ''}:{f['line']} {f['code']} {f['severity']} {f['message'][:200]}"
                     f" [{(f.get('confirmation') or {}).get('status')}]" for f in findings)


def test_the_corpus_covers_scripts_and_notebooks():
    """The corpus is there: at least 4 scripts and 4 notebooks, each headed by
    the list of patterns it covers."""
    scripts = [p for p in FILES if p.suffix == ".py"]
    notebooks = [p for p in FILES if p.suffix == ".ipynb"]
    assert len(scripts) >= 4 and len(notebooks) >= 4
    for path in scripts:
        assert path.read_text(encoding="utf-8").startswith("# Negative corpus"), path
    for path in notebooks:
        first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
        assert first["cell_type"] == "markdown" and "Negative corpus" in "".join(first["source"]), path


# Each pattern the corpus must keep covering, as text that shows it is used.
PATTERNS = {
    "notebooks": ["if verbose:\n    !echo", "for step in range(2):\n    %pwd", "try:\n    !echo",
                  "!echo one \\\n", '"\n       % (', "# which loss?", "np.zeros?\n", "keras.Sequential??",
                  "?np.arange", "\n    scores = model.evaluate", "listing = !echo hi", "here = %pwd",
                  "%time ", "%timeit ", "%%time\nmodel.compile", "%%capture captured\nhistory = model.fit",
                  "%%timeit", "%%prun", "%%bash", "%%sh", "%%writefile", "%%html", "%%javascript", "%%latex"],
    "mutation": ["rows = []", "rows.append(", "np.array(rows)", ".extend(", ".insert(", ".pop()", ".remove(",
                 ".clear()", 'feeds["b"] = ', ".update(", ".setdefault(", "z[i] = ", "y[y > 2] = ", "w[::10] = ",
                 "+= [", "np.random.shuffle(", ".sort(", ".resize(", "view = samples", "def fill(", "def add_b(",
                 "def clip_labels("],
    "binding": ["np.arange(start=", "stop=", "step=", "tf.range(5, limit=", "delta=", "tf.one_hot(y, 3)",
                "tf.one_hot(indices=y, depth=3)", "pad_sequences(seqs, maxlen=10, padding=", "truncating=", "value=",
                "transpose_b=True", "transpose_a=True", "adjoint_b=True", "tf.matmul(left, right)",
                "tf.cast(tf.random.uniform((N,), 0, 3), tf.int32)", "np.random.randint(low=0, high=3, size=N)",
                "to_categorical(y, num_classes="],
    "objects": ["class Trainer(BaseTrainer):", "super().__init__(classes)", "@property", "@staticmethod",
                "@classmethod", "@dataclass", "namedtuple(", "SimpleNamespace(", "add_argument(",
                "functools.partial(", "def head():", "class FlatNet(keras.Model):", "flat.build((None, 4, 7))",
                "pair(keras.Input(", "def compute_output_shape(", "def train_step(", "    if verbose:\n            self.x",
                "super().__init__(inputs=inputs, outputs=outputs)", "flags.DEFINE_integer("],
    "tfdata": [".map(scale, num_parallel_calls=", ".map(Augment().apply)", ".map(functools.partial(one_hot",
               ".filter(lambda", ".window(9, shift=1, drop_remainder=True)", ".flat_map(lambda w: w.batch(9))",
               "tf.data.Dataset.zip((", "tf.data.Dataset.zip({", ".concatenate(", ".unbatch()", ".rebatch(2)",
               ".padded_batch(4, padded_shapes=", ".interleave(", ".apply(make_windows)", ".enumerate()",
               ".element_spec", ".shard(2, 0)", ".with_options(", ".ignore_errors()", "tf.data.Dataset.range(",
               "tf.data.Dataset.from_tensors(", "TextVectorization(", "StringLookup(", "IntegerLookup(", "Hashing(",
               "CategoryEncoding(", "Normalization()", "Rescaling(", "Resizing(", "CenterCrop(", "RandomFlip(",
               "tf.image.resize(", "tf.image.convert_image_dtype(", "tf.strings.lower(", "w[:, :-1]",
               ".ragged_batch(batch_size=sequences.cardinality())", ".get_single_element()"],
    "receivers": ["class Trainer:\n    def __init__(self, features, classes):", "def setup(self):", "class Pipeline:",
                  "class Probe(keras.callbacks.Callback):", "self.model.predict(self.samples", "if True:", "if DEBUG:",
                  "if not DEBUG:", "if WIDE:", "for name, candidate in models.items():"],
    "arrays": ["for i in range(len(series) - WINDOW):", "xs.append(series[i:i + WINDOW])", "series[i - WINDOW:i]",
               "[..., np.newaxis]", "for t in range(len(series) - WINDOW)]", "np.where(", "np.pi", "np.eye(3)[labels]",
               "keepdims=True", "np.hstack(", "np.vstack(", "np.column_stack(", "np.split(", "np.tile(", "np.repeat(",
               "np.swapaxes(", "np.moveaxis(", "table[labels > 0]", "tf.Variable(", "tf.gather(", "tf.reduce_sum(",
               "tf.where("],
    "sources": ["image_dataset_from_directory(", 'label_mode="categorical"', 'subset="both"', "labels=None",
                'label_mode="binary"', "text_dataset_from_directory(", "timeseries_dataset_from_array(",
                "ImageDataGenerator(rescale=", ").flow(", "tf.io.decode_png(tf.io.read_file(", "TFRecordDataset(",
                "tf.io.parse_single_example(", "tf.io.parse_example(", "tf.io.FixedLenFeature(",
                "make_csv_dataset(", "select_columns=", "tf.io.decode_csv(", "dict(zip(", "list_files(", "label_name=", "TextLineDataset(",
                "from_generator(samples, output_signature=", "tf.TensorSpec(", "(keras.utils.PyDataset):"],
    "applications": ["base(x, training=False)", "base.trainable = False", "keras.Model(vgg.input, head)",
                     "(vgg.output)", 'pooling="avg"', "vgg16.preprocess_input(inputs)",
                     "vgg19.preprocess_input(images", "input_shape=(32, 32, 1))", "classes=5)",
                     "Flatten()(gray_base.output)"],
    "loops": ["with tf.GradientTape() as tape:", "@tf.function\n", "@tf.function(reduce_retracing=True)",
              "for xb, yb in tf.data.Dataset", "for step, (xb, yb) in enumerate(", ", start=1)", ".take(2):",
              "classifier(xb, training=True)", "sample_weight=weights", "tf.nn.sparse_softmax_cross_entropy_with_logits(",
              "tf.nn.softmax_cross_entropy_with_logits(", "tf.nn.sigmoid_cross_entropy_with_logits(",
              "keras.losses.sparse_categorical_crossentropy(", "keras.losses.MSE(", "apply_gradients(zip("],
    "models": ["conv.build((None, 10, 3))", "flat.fit(", "if len(sys.argv) > 5:\n    dense.build(",
               "for width in (8, 9):", "net.build((None, 8))", "keras.Sequential([inner,", "keras.Sequential([Block(",
               "def train_step(self, data):\n        x, y = data"],
    "tutorials": ["Model(inputs=net.inputs, outputs=outputs)", "[layer.output for layer in net.layers",
                  "tf.keras.ops.cumsum(", "next(iter(ds))", "xb, yb = next(iter(ds))", "next(ds.as_numpy_iterator())",
                  "tf.random.shuffle(", "Input(shape=(max_len - 1,))", "vectorize(seed)",
                  "pad_sequences([tokens]", "if self.model is None:", "**options):"],
    "builders": ["for i, num_filters in enumerate(hparams.conv_filters):", "if i < len(hparams.conv_filters) - 1:",
                 "enumerate(hparams.num_fc_units, start=1)", "if layer_no == len(hparams.num_fc_units):",
                 "if i < depth:", "enumerate(pairs)", '"{}{}_{}".format(NBR_FEATURE_PREFIX, i, "words")',
                 'features.pop("label")', "tf.keras.backend.cast(x, tf.float32)",
                 "method=tf.image.ResizeMethod.BICUBIC"],
    "attrs": ["@attr.s\nclass HParams(object):", "attr.ib(default=[16, 8])", "HParams((12,))",
              "@attr.s(auto_attribs=True)", "@attrs.define", "ClassVar[int]", "attrs.field(factory=list)",
              "kw_only=True", "hparams.epochs = 2"],
    "own layers": ["keras.random.normal(shape=(keras.ops.shape(inputs)[0]", "return [halves[0] * 2.0, halves[1]]",
                   "(Scale()(img_in))", "keras.Model(inputs=cnn.inputs, outputs=[layer.output for layer in",
                   "keras.Model(cnn.inputs[0], cnn.layers[0].output)", "keras.Model(two_in, heads("],
    "own layer stacks": ["self.sublayers.append(layer)", "self.sublayers[-1].build(self.out_shape)",
                         ".compute_output_shape(self.out_shape)", "if self.filters != input_shape[-1]:",
                         "isinstance(self.filters, list)", "for i, d in enumerate(self.dilations):",
                         "self.blocks[-1].build(shape)", "except TypeError:", "if self.use_norm else layer(x)",
                         "if self.skips:", "if not self.return_sequences:", "layers.Lambda(lambda t: t[:, -1, :])"],
    "named inputs": ["{name: keras.Input(name=name, shape=(1,), dtype=\"float32\") for name in COLUMNS}",
                     "keras.Model(inputs=list(inputs.values())", "for name, tensor in inputs.items()}",
                     "keras.ops.convert_to_tensor([-73.9])", "list(columns.keys())", "keras.Model(inputs=inputs,",
                     "image = keras.ops.cast(image, \"float32\")", "x = images_train if training else images_test",
                     'linear.predict(tf.data.Dataset.from_tensor_slices((images_test.astype("float32"), classes_test))'],
    "batches": ["def train_step(self, inputs):\n        with tf.GradientTape() as tape:\n            loss = self.compute_loss(inputs, training=True)",
                "features = features.copy()", 'labels = features.pop("score")', 'features.get("weights")',
                "if EXTRA:\n            labels = labels * features[", "except KeyError:", 'features["user_tag"] if "user_tag" in features',
                "{k: features[k] for k in", "return tf.constant(0.0)", "def user_ids(features):", "predictions = self(features)",
                "def train_step(self, batch):", "rows.map(to_features)", "validation_data=test"],
    "try/except": ["except ValueError as e:\n    print(e", "except Exception", "except:",
                   "except tf.errors.InvalidArgumentError", "except tf.errors.OpError",
                   "except (KeyError, ValueError)"],
}


def _code_text(path):
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("group", sorted(PATTERNS))
def test_the_corpus_uses_every_pattern(group):
    """No pattern of the group has dropped out of the corpus: each one appears
    in the code (notebook code cells included) of some file."""
    text = "\n".join(_code_text(p) for p in FILES)
    missing = [pattern for pattern in PATTERNS[group] if pattern not in text]
    assert not missing, missing


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_runs_under_tensorflow(path, tf_runner):
    """The file really works: the script runs to its end under TensorFlow, or
    every code cell of the notebook runs in order in IPython without error,
    and fit/evaluate/predict complete at least one batch."""
    result = tf_runner.run(path)
    assert result["status"] == "ok", result
    assert result["steps"] >= 1, result


def test_notebook_mode_reports_a_failing_cell(tmp_path, tf_runner):
    """The worker's notebook mode is not blind: a notebook whose second cell
    raises is reported as raised, with that exception's class."""
    notebook = tmp_path / "failing.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
             for source in (["x = !echo hi\n", "print(x)"], ["{}['missing']"])]
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = tf_runner.run(notebook)
    assert result["status"] == "raised" and result["exception"] == "KeyError", result


@pytest.mark.parametrize("path", _cases(STATIC_FAILS))
def test_no_static_error(path):
    """With every rule selected, fitlint reports no finding of severity error
    (FIT000 included) on this working file."""
    findings = lint_fixture(path, select(["ALL"]))
    errors = [f.__dict__ for f in findings if f.severity == "error"]
    assert not errors, _describe(errors)


@pytest.fixture(scope="module")
def confirmed_findings():
    """`fitlint check --confirm=all` over the whole corpus (its files in two
    runs at once, each with its dry-run worker), shared by the cases below:
    the findings grouped by file name."""
    assert {p for p in NEGATIVE.rglob("*") if p.suffix in (".py", ".ipynb")} == set(FILES)  # the whole corpus
    findings, runs = check_in_parts(["--confirm=all", "--output-format", "json", "--no-cache"], FILES)
    for out in runs:
        assert out.returncode in (0, 1), out.stderr
    by_file = {}
    for finding in findings:
        by_file.setdefault(finding["path"].replace("\\", "/").rsplit("/", 1)[-1], []).append(finding)
    assert set(by_file) <= {p.name for p in FILES}
    return by_file


@pytest.mark.parametrize("path", _cases(CONFIRM_FAILS))
def test_no_error_with_confirm(path, confirmed_findings):
    """With --confirm=all, fitlint reports no error finding and no FIT503 on
    this working file: the dry run neither keeps a false alarm nor blames the
    user's code for one of its own rebuilds."""
    findings = confirmed_findings.get(path.name, [])
    bad = [f for f in findings if f["severity"] == "error" or f["code"] == "FIT503"]
    assert not bad, _describe(bad)
