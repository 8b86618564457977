"""Models whose own step reads the batch by key (analysis/batches.py): the
keys read are the input contract of fit/evaluate; a key read on every path
that the dataset's dict elements lack is FIT104 (KeyError under TF)."""
import pytest

from conftest import FIXTURES, lint_fixture
from fitlint import shapes
from fitlint.engine import lint_source
from fitlint.rules import select

ALL = select(["ALL"])

HEAD = """\
import numpy as np
import tensorflow as tf

users = np.array(["a", "b", "c", "d"] * 4)
scores = np.random.rand(16).astype(np.float32)
ds = tf.data.Dataset.from_tensor_slices({{"user": users, "score": scores}}).map(lambda r: {{{element}}}).batch(4)


class Base(tf.keras.Model):
    def train_step(self, inputs):
        with tf.GradientTape() as tape:
            loss = self.compute_loss(inputs, training=True)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {{"loss": loss}}

    def test_step(self, inputs):
        return {{"loss": self.compute_loss(inputs, training=False)}}


class Rater(Base):
    def __init__(self):
        super().__init__()
        self.users = tf.keras.Sequential([tf.keras.layers.StringLookup(vocabulary=["a", "b", "c", "d"]),
                                          tf.keras.layers.Embedding(5, 4)])
        self.head = tf.keras.layers.Dense(1)

    def call(self, features):
        return self.head(self.users(features["user"]))

{body}

model = Rater()
model.compile(optimizer="adam")
model.fit(ds, epochs=1)
model.evaluate(ds)
"""
ELEMENT = '"user": r["user"], "score": r["score"], "day": r["score"]'
PLAIN = """\
    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score")
        return tf.reduce_mean(tf.square(self(features)[:, 0] - labels))
"""


def program(body=PLAIN, element=ELEMENT):
    return HEAD.format(body=body.rstrip("\n"), element=element)


def errors(source):
    return [(f.code, f.line) for f in lint_source(source.encode(), "rater.py", ALL) if f.severity == "error"]


def calls(source):
    return shapes.shapes_source(source.encode(), "rater.py").calls


def fit_line(source):
    return next(n for n, line in enumerate(source.splitlines(), 1) if line.startswith("model.fit("))


def test_the_keys_read_are_the_input_contract():
    """Both calls are partial (no label contract: the step computes its own
    loss); each key the step reads is a data row saying who reads it."""
    source = program()
    assert errors(source) == []
    for call in calls(source):
        assert call["status"] == "partial", call
        rows = {row["name"]: row for row in call["data"]["inputs"]}
        assert set(rows) == {"x['score']", "x['user']"}  # "day" is not read
        assert rows["x['user']"]["shape"] == [None] and rows["x['user']"]["dtype"] == "str"
        assert rows["x['user']"]["read_by"].endswith("_step of class Rater") and rows["x['user']"]["compared"]
        assert [r["reason"] for r in call["reasons"]] == ["no-label-contract"]


@pytest.mark.parametrize("dropped", ['"user": r["user"], ', '"score": r["score"], '])
def test_a_key_missing_from_the_elements_is_found(dropped):
    """Making the data wrong makes the finding: with either key the step
    reads (in compute_loss, or in call through self(features)) gone from the
    elements, both fit and evaluate get FIT104."""
    source = program(element=ELEMENT.replace(dropped, ""))
    line = fit_line(source)
    assert errors(source) == [("FIT104", line), ("FIT104", line + 1)]
    finding = next(f for f in lint_source(source.encode(), "rater.py", ALL) if f.code == "FIT104")
    key = "user" if "user" in dropped else "score"
    assert f"without key {key!r}" in finding.message and "train_step of class Rater" in finding.message


@pytest.mark.parametrize("body", [
    # under a branch on a value not known
    """    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score")
        if np.random.rand() > 2:
            labels = labels * features["boost"]
        return tf.reduce_mean(tf.square(self(features)[:, 0] - labels))
""",
    # inside a try
    """    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score")
        try:
            labels = labels + features["bias"]
        except KeyError:
            pass
        return tf.reduce_mean(tf.square(self(features)[:, 0] - labels))
""",
    # in a conditional expression
    """    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score")
        user = features["uid"] if "uid" in features else features["user"]
        return tf.reduce_mean(tf.square(self.head(self.users(user))[:, 0] - labels))
""",
    # after a conditional return
    """    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score")
        if np.random.rand() < 2:
            return tf.reduce_mean(tf.square(self(features)[:, 0] - labels))
        return features["rank"]
""",
    # in a loop over what is not known
    """    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score")
        for name in sorted(np.random.choice(["x"], 0)):
            labels = labels + features["extra"]
        return tf.reduce_mean(tf.square(self(features)[:, 0] - labels))
""",
    # with a default
    """    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score") * features.pop("scale", 1.0)
        weights = features.get("weights")
        return tf.reduce_mean(tf.square(self(features)[:, 0] - labels))
""",
    # a helper called under a branch
    """    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score")
        if np.random.rand() > 2:
            labels = weight(features)
        return tf.reduce_mean(tf.square(self(features)[:, 0] - labels))
""",
])
def test_a_missing_key_not_read_on_every_path_is_no_error(body):
    """A key the elements lack, read only on some paths of the step (under a
    branch or a loop, in a try, a conditional expression, after a
    conditional return, with a default): TF may never read it, no error."""
    source = program(body).replace("class Base(", "def weight(f):\n    return f['weight']\n\n\nclass Base(")
    assert errors(source) == []


def test_a_missing_key_read_by_a_helper_on_every_path_is_found():
    """A helper function of the file the step always calls with the batch
    reads a key the elements lack: FIT104 on fit and evaluate."""
    body = """    def compute_loss(self, features, training=False):
        features = features.copy()
        labels = features.pop("score")
        return tf.reduce_mean(tf.square(self(features)[:, 0] - labels * weight(features)))
"""
    source = program(body).replace("class Base(", "def weight(f):\n    return f['weight']\n\n\nclass Base(")
    line = fit_line(source)
    assert errors(source) == [("FIT104", line), ("FIT104", line + 1)]


def test_a_batch_handed_to_code_not_followed_is_not_compared():
    """The batch given to an unknown function (or read with a key that is
    not a constant, or inside a comprehension) may be read there: the call
    stays unknown, with a reason naming what took the batch."""
    for body in ("""    def compute_loss(self, features, training=False):
        return tf.reduce_mean(unknown_loss(features))
""", """    def compute_loss(self, features, training=False):
        parts = {k: features[k] for k in ("user", "score")}
        return tf.reduce_mean(parts["score"])
"""):
        source = program(body).replace("import numpy as np", "import numpy as np\nfrom lib import unknown_loss")
        assert errors(source) == []
        for call in calls(source):
            assert call["status"] == "unknown", call
            reason = next(r for r in call["reasons"] if r["reason"] == "model-input-unknown")
            assert "hands the batch to code not followed" in reason["detail"]


TFRS = """\
import numpy as np
import tensorflow as tf
import tensorflow_recommenders as tfrs

users = np.array(["a", "b"] * 8)
ds = tf.data.Dataset.from_tensor_slices({"user_id": users, "rating": np.ones(16, np.float32)}).batch(4)


class Ranker(tfrs.models.Model):
    def __init__(self):
        super().__init__()
        self.embed = tf.keras.Sequential([tf.keras.layers.StringLookup(vocabulary=["a", "b"]),
                                          tf.keras.layers.Embedding(3, 4)])
        self.task = tfrs.tasks.Ranking(loss=tf.keras.losses.MeanSquaredError())

    def compute_loss(self, features, training=False):
        return self.task(labels=features["rating"], predictions=self.embed(features["KEY"]))


model = Ranker()
model.compile(optimizer=tf.keras.optimizers.Adagrad(0.1))
model.fit(ds, epochs=1)
"""


def test_a_tensorflow_recommenders_model_reads_its_batch_in_compute_loss():
    """tfrs.models.Model's own train_step calls compute_loss(batch, training=True)."""
    good = TFRS.replace("KEY", "user_id")
    (call,) = calls(good)
    assert call["status"] == "partial", call
    assert errors(good) == []
    bad = TFRS.replace("KEY", "user")
    assert errors(bad) == [("FIT104", len(bad.splitlines()))]


def test_the_fixture_pair():
    """The realistic pair: the buggy fixture's finding names the key TF names."""
    buggy = FIXTURES / "realistic" / "batch_key_buggy.py"
    fixed = FIXTURES / "realistic" / "batch_key_fixed.py"
    (finding,) = [f for f in lint_fixture(buggy, ALL) if f.severity == "error"]
    assert finding.code == "FIT104" and "'user_id'" in finding.message
    (call,) = shapes.shapes_source(fixed.read_bytes(), str(fixed)).calls
    assert call["status"] == "partial"


def test_negative_corpus_calls():
    """The negative corpus' steps: compared where every use of the batch was
    followed (the branch, try and conditional reads only make them
    uncertain), not where compute_loss reads it in a comprehension."""
    path = FIXTURES / "negative" / "batch_steps.py"
    found = shapes.shapes_source(path.read_bytes(), str(path)).calls
    status = {c["line"]: c["status"] for c in found}
    lines = path.read_text(encoding="utf-8").splitlines()
    at = {text.split("(")[0]: n for n, text in enumerate(lines, 1) if text.endswith("verbose=0)")}
    assert status[at["scorer.fit"]] == "partial" and status[at["scorer.evaluate"]] == "partial"
    assert status[at["own.fit"]] == "partial"
    assert status[at["pairwise.fit"]] == "unknown"


def _element(source):
    import libcst as cst
    from fitlint.analysis.interpreter import analyze
    facts = analyze(cst.parse_module(source))
    (call,) = facts.calls
    return call.dataset.element


def test_autograph_casts_in_a_map_function():
    """tf.data traces a map function with AutoGraph: int()/float() of a
    tensor is a cast of the same shape (TF 2.21: an int32 / float32 tensor);
    tf.strings.as_string makes strings."""
    source = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras

ds = tf.data.Dataset.from_tensor_slices({"flag": np.array([True, False]), "age": np.array([20.0, 31.0]),
                                        "id": np.array([3, 4]), "v": np.zeros((2, 3))})
ds = ds.map(lambda x: {"flag": int(x["flag"]), "age": int(x["age"]), "share": float(x["id"]),
                       "id": tf.strings.as_string(x["id"]), "v": int(x["v"])}).batch(2)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.predict(ds)
"""
    element = _element(source).items
    assert (element["flag"].shape, element["flag"].dtype, element["flag"].lo, element["flag"].hi) == \
        ((), "int32", 0.0, 1.0)
    assert (element["age"].dtype, element["age"].lo) == ("int32", None)
    assert element["share"].dtype == "float32" and element["id"].dtype == "str"
    assert (element["v"].shape, element["v"].dtype) == ((3,), "int32")


def test_int_of_a_constant_outside_a_map_function_is_python():
    """Outside a traced function int()/float() stay Python's."""
    import libcst as cst
    from fitlint.analysis.interpreter import Env, Interpreter
    ip = Interpreter(cst.parse_module(""))
    assert ip.ev(cst.parse_expression("int(3.7)"), Env()).value == 3
    assert ip.ev(cst.parse_expression("float(2)"), Env()).value == 2.0


@pytest.mark.parametrize("name, keys", [
    ("movie_lens/100k-ratings", {"raw_user_age", "bucketized_user_age", "user_occupation_label", "timestamp"}),
    ("movielens/1m-ratings", {"user_gender", "user_zip_code", "movie_genres"}),
    ("movielens/25m-ratings", {"user_id", "user_rating", "timestamp", "movie_title"}),
    ("movielens/latest-small-movies", {"movie_id", "movie_title", "movie_genres"}),
])
def test_movielens_features(name, keys):
    """The TFDS movielens configs (and the deprecated movie_lens name) with
    their features' dtypes, as the builder declares them."""
    source = f"""\
import tensorflow as tf
import tensorflow_datasets as tfds
from tensorflow import keras

ds = tfds.load("{name}", split="train").batch(4)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.predict(ds)
"""
    element = _element(source).items
    assert keys <= set(element)
    dtypes = {"user_id": "str", "movie_title": "str", "user_rating": "float32", "timestamp": "int64",
              "user_gender": "bool", "bucketized_user_age": "float32", "raw_user_age": "float32",
              "user_occupation_label": "int64", "movie_genres": "int64"}
    for key in keys & set(dtypes):
        assert element[key].dtype == dtypes[key], key
    if "user_occupation_label" in element:
        assert (element["user_occupation_label"].lo, element["user_occupation_label"].hi) == (0.0, 21.0)
    if "movie_genres" in element:
        assert element["movie_genres"].shape == (None,) and element["movie_genres"].hi == 20.0
    if "25m" in name:
        assert "user_gender" not in element


def test_a_batch_kept_after_its_step_is_not_recorded():
    """A batch the step stores on the model and the program reads after
    fit is no longer the step's: no finding for a key it lacks there."""
    body = """    def compute_loss(self, features, training=False):
        self.last = features
        return tf.reduce_mean(tf.square(self(features)[:, 0] - features["score"]))
"""
    source = program(body) + 'print(model.last["missing"])\n'
    assert errors(source) == []
    assert all(c["status"] == "partial" for c in calls(source))
