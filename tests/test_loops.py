"""Custom training loops: dataset iteration, @tf.function steps, model(x) on
data, and loss objects and functions called on (labels, predictions),
checked by the label rules like fit's labels."""
import textwrap

import libcst as cst
import pytest

from fitlint.analysis.interpreter import Interpreter
from fitlint.analysis.values import Array
from fitlint.engine import lint_source
from fitlint.rules import select

HEADER = """
import numpy as np
import tensorflow as tf
import keras
"""

MODEL = """
    x = np.random.rand(40, 6).astype("float32")
    y = np.random.randint(0, 5, size=(40,))
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5)])
"""


def interpret(src):
    interp = Interpreter(cst.parse_module(HEADER + textwrap.dedent(src)))
    facts = interp.run()
    return interp.globals.vars, facts


def findings(src):
    return [(f.code, f.message) for f in lint_source(HEADER + textwrap.dedent(src), "t.py", select(["ALL"]))
            if f.severity == "error"]


def codes(src):
    return sorted(code for code, _ in findings(src))


def test_for_over_a_batched_dataset_binds_the_element_with_a_batch_axis():
    """`for x, y in ds` binds the element, with a batch axis of unknown size; the label range is kept."""
    _, facts = interpret(MODEL + """
    for xb, yb in ds:
        model.predict(xb)
        model.predict(yb)
    """)
    seen_x, seen_y = (c.x for c in facts.calls)
    assert isinstance(seen_x, Array) and seen_x.shape == (None, 6)
    assert seen_y.shape == (None,) and (seen_y.lo, seen_y.hi) == (0, 4)


def test_enumerate_binds_the_step_and_the_element():
    """`enumerate(ds)` (with `start=`) binds (step, element); an unbatched dataset's element has no batch axis."""
    _, facts = interpret(MODEL + """
    for step, (xb, yb) in enumerate(ds.take(2), start=1):
        model.predict(xb)
    unbatched = tf.data.Dataset.from_tensor_slices((x, y))
    for xe, ye in unbatched:
        model.predict(xe)
    """)
    assert [c.x.shape for c in facts.calls] == [(None, 6), (6,)]


def test_a_user_enumerate_is_not_taken_for_the_builtin():
    """A function of the file named `enumerate` is run as written, not taken for the builtin."""
    _, facts = interpret(MODEL + """
    def enumerate(d):
        return [(0, (1, 2))]
    for step, (xb, yb) in enumerate(ds):
        model.predict(xb)
    """)
    assert not isinstance(facts.calls[0].x, Array)


def test_model_called_on_data_gives_its_output_for_the_batch():
    """`model(x, training=True)` gives the output for the data's batch; data that does not fit a functional model's input gives nothing."""
    env, facts = interpret(MODEL + """
    for xb, yb in ds:
        model.predict(model(xb, training=True))
    inp = keras.Input((6,))
    functional = keras.Model(inp, keras.layers.Dense(3)(inp))
    out = functional(x)
    wrong = functional(np.random.rand(4, 7))
    """)
    assert facts.calls[0].x.shape == (None, 5) and facts.calls[0].x.tensor
    assert env["out"].shape == (40, 3)
    assert env["wrong"] is None  # data that does not fit the model: its own contract, not followed
    env, _ = interpret(MODEL + """
    bad = model(np.random.rand(4, 7))
    """)
    assert env["bad"] is None


def test_loss_object_in_a_tf_function_step_is_checked():
    """A loss object called in a `@tf.function` step on the loop's batch is compared with the model's output."""
    src = MODEL + """
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            logits = model(xb, training=True)
            loss = loss_fn(yb, logits)
        return tape.gradient(loss, model.trainable_variables)

    for xb, yb in ds:
        train_step(xb, yb)
    """
    assert codes(src) == ["FIT202"]
    assert codes(src.replace("CategoricalCrossentropy", "SparseCategoricalCrossentropy")) == []


def test_other_decorators_are_not_followed():
    """Only `@tf.function` is taken as leaving a function alone: another decorator may change it."""
    src = MODEL + """
    import functools
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)

    @functools.lru_cache()
    def train_step(xb, yb):
        return loss_fn(yb, model(xb, training=True))

    for xb, yb in ds:
        train_step(xb, yb)
    """
    assert codes(src) == []


@pytest.mark.parametrize("call, code", [
    ("keras.losses.sparse_categorical_crossentropy(tf.one_hot(yb, 5), model(xb))", "FIT203"),
    ("keras.losses.SparseCategoricalCrossentropy()(yb + 3, model(xb))", "FIT201"),
    ("keras.losses.categorical_crossentropy(tf.one_hot(yb, 3), model(xb))", "FIT204"),
    ("keras.losses.binary_crossentropy(yb, model(xb))", "FIT206"),
    ("keras.losses.MeanSquaredError()(tf.random.uniform((8, 3)), model(xb))", "FIT207"),
    ("tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb + 1, logits=model(xb))", "FIT201"),
    ("tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.one_hot(yb, 5), logits=model(xb))", "FIT203"),
    ("tf.nn.softmax_cross_entropy_with_logits(labels=tf.one_hot(yb, 4), logits=model(xb))", "FIT204"),
    ("tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(yb, tf.float32), logits=model(xb))", "FIT206"),
])
def test_each_loss_api_reaches_its_rule(call, code):
    """Each loss API, object or function, Keras or tf.nn, reaches the label rule of its mismatch."""
    src = MODEL + f"""
    for xb, yb in ds:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean({call})
    """
    assert codes(src) == [code]


@pytest.mark.parametrize("call", [
    # tf.nn's softmax broadcasts labels (N, 1) against the logits
    "tf.nn.softmax_cross_entropy_with_logits(labels=tf.cast(tf.reshape(yb, (-1, 1)), tf.float32), logits=model(xb))",
    # a regression loss on labels (N,) in a loop: the batch size decides, not known
    "keras.losses.MeanSquaredError()(tf.cast(yb, tf.float32), model(xb))",
    # tf.nn's sparse op checks the rank first: labels (N, 1) are not a range error
    "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(yb + 3, (-1, 1)), logits=model(xb))",
    # sparse labels of shape (N, 1) are squeezed by Keras
    "keras.losses.sparse_categorical_crossentropy(tf.reshape(yb, (-1, 1)), model(xb))",
    # an axis other than the last: not modelled
    "keras.losses.categorical_crossentropy(yb, model(xb), axis=0)",
    "keras.losses.SparseCategoricalCrossentropy(ignore_class=9)(yb + 3, model(xb))",
    # predictions of an unknown model
    "keras.losses.categorical_crossentropy(yb, unknown_model(xb))",
])
def test_what_is_not_an_error_stays_silent(call):
    """Loss calls that run (tf.nn broadcasting, batch-dependent broadcasting, the rank checks of tf.nn) or that are not followed give no error."""
    src = MODEL + f"""
    unknown_model = keras.models.load_model("m.keras")
    for xb, yb in ds:
        loss = {call}
    """
    assert codes(src) == []


def test_the_finding_names_the_loss_labels_and_output():
    """The finding names the output layer, the loss object and the labels, with a hint for a loss object and no fix."""
    src = MODEL + """
    loss_fn = keras.losses.CategoricalCrossentropy()
    for xb, yb in ds:
        probs = model(xb, training=True)
        loss = loss_fn(yb, probs)
    """
    found = lint_source(HEADER + textwrap.dedent(src), "t.py", select(["ALL"]))
    (finding,) = [f for f in found if f.code == "FIT202"]
    text = " ".join(r.message for r in finding.related)
    assert "model output (None, 5)" in text and "loss: keras.losses.CategoricalCrossentropy()" in text
    assert "yb built here" in text and "SparseCategoricalCrossentropy" in finding.hint
    assert finding.fix is None


def test_fixed_loop_fixtures_become_buggy_when_the_labels_change():
    """A loss call that raises nothing is really compared: the fixed
    fixtures' labels made wrong produce the finding."""
    from conftest import FIXTURES
    fixed = (FIXTURES / "rules" / "FIT202_loop_fixed.py").read_text()
    assert not [f for f in lint_source(fixed, "f.py", select(["ALL"])) if f.severity == "error"]
    broken = fixed.replace("size=(48,))", "size=(48, 1)) + 5")
    assert [f.code for f in lint_source(broken, "f.py", select(["ALL"])) if f.severity == "error"] == ["FIT201"]


def test_shapes_still_counts_only_data_calls():
    """`fitlint shapes` lists fit-family sites; a loss call in a loop is not one."""
    from fitlint import shapes
    src = HEADER + textwrap.dedent(MODEL + """
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    for xb, yb in ds:
        loss = loss_fn(yb, model(xb, training=True))
    """)
    result = shapes.shapes_source(src.encode(), "t.py")
    assert result.calls == []
    result = shapes.shapes_source((src + "model.fit(x, y)\n").encode(), "t.py")
    assert len(result.calls) == 1
