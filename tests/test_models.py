"""Models without a declared ``Input`` (fitlint/analysis/models.py): the input
a Sequential takes on when it is built by ``model.build``, its first call or
its first data; subclassed models built by their first data; nested models
and custom layers as first layers; training steps of their own."""
import json
import textwrap

from fitlint.engine import lint_source
from fitlint.rules import select

from conftest import ROOT, fitlint_in_process

HEAD = """\
import sys
import numpy as np
import tensorflow as tf
import keras
from keras import layers
x8 = np.random.rand(16, 8).astype("float32")
x9 = np.random.rand(16, 9).astype("float32")
y = np.random.rand(16, 1).astype("float32")
"""


def codes(src):
    findings = lint_source((HEAD + textwrap.dedent(src)).encode(), "t.py", select(["ALL"]))
    return sorted((f.code, f.line - HEAD.count("\n")) for f in findings if f.severity == "error")


def shapes(tmp_path, src):
    path = tmp_path / "t.py"
    path.write_text(HEAD + textwrap.dedent(src), encoding="utf-8")
    out = fitlint_in_process("shapes", "--output-format", "json", str(path), cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


SEQ = 'm = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])\nm.compile("adam", "mse")\n'


def test_build_fixes_rank_and_weight_axes():
    """After model.build((None, 8)): 9 features fail (Dense), a rank-3
    array fails (Invalid input shape); 8 features run."""
    assert codes(SEQ + "m.build((None, 8))\nm.fit(x9, y)\n") == [("FIT102", 4)]
    assert codes(SEQ + "m.build((None, 8))\nm.predict(x8[:, None, :])\n") == [("FIT101", 4)]
    assert codes(SEQ + "m.build((None, 8))\nm.fit(x8, y)\n") == []


def test_first_call_and_first_data_build_the_model():
    """model(x), predict and fit build the model with their data; later data of another width is an error."""
    assert codes(SEQ + "m(x8)\nm.fit(x9, y)\n") == [("FIT102", 4)]
    assert codes(SEQ + "m.predict(x8)\nm.fit(x9, y)\n") == [("FIT102", 4)]
    assert codes(SEQ + "m.fit(x8, y)\nm.evaluate(x9, y)\nm.fit(x8, y)\n") == [("FIT102", 4)]
    assert codes(SEQ + "m.fit(x8, y)\nm.fit(x8, y)\n") == []


def test_the_first_call_compares_its_data_with_the_layers(tmp_path):
    """The call that builds the model has nothing to compare its data with
    (any rank a Dense takes would do): partial, its labels meeting the output
    the data gives; the calls after it are checked against that input."""
    data = shapes(tmp_path, SEQ + "m.fit(x8, y)\nm.predict(x9)\n")
    fit, predict = data["calls"]
    assert fit["status"] == "partial" and fit["data"]["inputs"][0]["expected"] is None
    assert [r["reason"] for r in fit["reasons"]] == ["model-input-unknown"]
    assert "built by this call's data" in fit["reasons"][0]["detail"]
    assert predict["status"] == "checked" and predict["data"]["inputs"][0]["expected"] == [None, 8]
    (model,) = data["models"]
    assert model["inputs"] == [{"name": None, "shape": [None, 8], "dtype": "float32", "built_by": "data"}]


def test_only_weight_axes_are_fixed():
    """Conv1D steps and a Flatten's arrangement stay free after the build; the channels do not."""
    src = """\
    c = keras.Sequential([layers.Conv1D(4, 3), layers.GlobalAveragePooling1D(), layers.Dense(1)])
    c.compile("adam", "mse")
    c.build((None, 10, 3))
    c.fit(np.random.rand(16, 12, 3), y)
    f = keras.Sequential([layers.Flatten(), layers.Dense(1)])
    f.compile("adam", "mse")
    f.fit(np.random.rand(16, 4, 2), y)
    f.fit(np.random.rand(16, 2, 4), y)
    """
    src = textwrap.dedent(src)
    assert codes(src) == []
    assert codes(src + "c.fit(np.random.rand(16, 10, 4), y)\n") == [("FIT102", 9)]


def test_branches_and_loops_keep_no_build_they_do_not_share():
    """A build in one branch (or in a loop pass) is forgotten after it: the
    next data builds the model (sound: it ran with whatever came before)."""
    assert codes(SEQ + "if len(sys.argv) > 3:\n    m.build((None, 9))\nm.fit(x8, y)\nm.predict(x8)\n") == []
    assert codes(SEQ + "if len(sys.argv) > 3:\n    m.fit(x9, y)\nelse:\n    m.fit(x8, y)\nm.predict(x8)\n") == []
    assert codes(SEQ + "for i in range(len(sys.argv)):\n    m.fit(x9, y)\nm.predict(x8)\n") == []
    assert codes(SEQ + "for i in range(3):\n    m.fit(x9, y)\nm.predict(x8)\n") == [("FIT102", 5)]  # unrolled: runs
    assert codes(SEQ + "for x in (x8, x9):\n    m.fit(x, y)\n") == [("FIT102", 4)]


def test_text_and_unknown_builds_are_not_kept():
    """Text into a TextVectorization first layer, or a build on an unknown shape, declare nothing."""
    src = """\
    t = keras.Sequential([layers.TextVectorization(max_tokens=20), layers.Embedding(20, 4)])
    t.compile("adam", "mse")
    t.fit(np.array(["a b", "c d"] * 8), np.random.rand(16, 1))
    """
    assert codes(src) == []
    assert codes(SEQ + "m.build(some_shape())\nm.fit(x9, y)\n") == []


def test_subclassed_model_fixed_by_first_data_not_by_build():
    """A subclassed model: build() fixes nothing, the rank stays free; a first call or data fixes the weights."""
    net = """\
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(4)
            self.o = layers.Dense(1)

        def call(self, x):
            return self.o(self.d(x))

    n = Net()
    n.compile("adam", "mse")
    """
    net = textwrap.dedent(net)
    assert codes(net + "n.build((None, 8))\nn.fit(x9, y)\n") == []  # build fixes nothing
    assert codes(net + "n.fit(x8, y)\nn.predict(x8[:, None, :])\n") == []  # the rank is free
    assert codes(net + "n.fit(x8, y)\nn.predict(x9[:, None, :])\n") == [("FIT102", 13)]  # not the weights
    assert codes(net + "n(x8)\nn.fit(x9, y)\n") == [("FIT102", 13)]
    assert codes(net + "n(keras.Input((8,)))\nn.fit(x9, y)\n") == [("FIT102", 13)]
    assert codes(net + "n.predict(x8)\nn.fit(x9, y)\n") == [("FIT102", 13)]


def test_nested_model_and_custom_layer_first(tmp_path):
    """A nested model with an Input declares the outer input; a custom layer passes its traced output on."""
    src = """\
    inner = keras.Sequential([keras.Input((8,)), layers.Dense(4)])
    outer = keras.Sequential([inner, layers.Dense(3, activation="softmax")])
    outer.compile("adam", "categorical_crossentropy")
    class Block(layers.Layer):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(6)

        def call(self, x):
            return self.d(x)

    c = keras.Sequential([Block(), layers.Dense(3, activation="softmax")])
    c.compile("adam", "categorical_crossentropy")
    """
    src = textwrap.dedent(src)
    assert codes(src + "outer.fit(x9, np.eye(3)[np.arange(16) % 3])\n") == [("FIT102", 14)]
    assert codes(src + "c.fit(x8, np.eye(5)[np.arange(16) % 5])\n") == [("FIT204", 14)]
    data = shapes(tmp_path, src + "c.fit(x8, np.eye(3)[np.arange(16) % 3])\nouter.fit(x8, np.eye(3)[np.arange(16) % 3])\n")
    assert [c["status"] for c in data["calls"]] == ["partial", "checked"]  # c is built by its data
    outer = [m for m in data["models"] if m["name"] == "outer"][0]
    assert outer["inputs"][0]["built_by"] == "nested"


def test_own_training_step_has_no_label_contract(tmp_path):
    """train_step overrides: the labels are not compared (no-label-contract); x, y = data keeps the input contract."""
    src = """\
    class Own(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            x, y = data
            pred = self(x, training=True)
            return {"loss": tf.reduce_mean(pred)}

    class Opaque(Own):
        def train_step(self, batch):
            return {"loss": self.loss_fn(batch)}

    o = Own()
    o.compile("adam", "sparse_categorical_crossentropy")
    o.fit(x8, np.random.rand(16, 7))
    o.fit(x8, np.random.rand(16, 7))
    p = Opaque()
    p.compile("adam")
    p.fit(x8, y)
    """
    assert codes(src) == []
    _, own, opaque = shapes(tmp_path, src)["calls"]
    assert own["status"] == "partial" and [r["reason"] for r in own["reasons"]] == ["no-label-contract"]
    assert opaque["status"] == "unknown"
    assert {r["reason"] for r in opaque["reasons"]} == {"no-label-contract", "model-input-unknown"}


def test_tfrs_model_has_no_label_contract(tmp_path):
    """A tfrs.Model subclass: compute_loss replaces the loss, so there is no label contract."""
    src = """\
    import tensorflow_recommenders as tfrs
    class Ranker(tfrs.Model):
        def __init__(self):
            super().__init__()
            self.score = layers.Dense(1)

        def compute_loss(self, features, training=False):
            return tf.reduce_mean(self.score(features["x"]))

    r = Ranker()
    r.compile(optimizer="adam")
    r.fit(x8)
    """
    (fit,) = shapes(tmp_path, src)["calls"]
    assert "no-label-contract" in {r["reason"] for r in fit["reasons"]}


def test_functions_never_called_do_not_meet_a_build_of_the_main_block():
    """A function the file never calls may run before (or without) the
    __main__ block that built the model: its data is not compared with it."""
    src = SEQ + "def later():\n    m.evaluate(x9, y)\nif __name__ == '__main__':\n    m.fit(x8, y)\n"
    assert codes(src) == []
    assert codes(SEQ + "def later():\n    m.evaluate(x9, y)\nm.fit(x8, y)\nlater()\n") == [("FIT102", 4)]
