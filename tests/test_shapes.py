"""``fitlint shapes``: the static model summary and the map of fit call sites."""
import json
import re
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from conftest import FIXTURES, ROOT, files_with_a_crash, fitlint_in_process, in_processes
from fitlint import shapes
from fitlint.analysis.interpreter import analyze
from fitlint.rules import Context, select

ALL = select(["ALL"])


def shapes_cli(*args, cwd=ROOT, stdin=None):
    return fitlint_in_process("shapes", *args, cwd=cwd, stdin=stdin)


def report(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    out = shapes_cli("--output-format", "json", str(path))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


SEQUENTIAL = """\
import numpy as np
from tensorflow import keras

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
x = np.random.rand(100, 4)
y = np.random.randint(0, 3, 100)
model.fit(x, y, epochs=1)
model.predict(x)
"""


def test_json_summary_of_a_sequential_model(tmp_path):
    """The JSON object has the model with its input, each layer's inferred
    output shape and the loss, and both calls checked with what reached them."""
    data = report(tmp_path, "seq.py", SEQUENTIAL)
    assert set(data) == {"models", "calls", "summary"}
    (model,) = data["models"]
    assert model["name"] == "model" and model["line"] == 4
    assert model["inputs"][0]["shape"] == [None, 4]
    assert [(l["type"], l["output_shape"]) for l in model["layers"]] == [("Dense", [None, 8]), ("Dense", [None, 3])]
    assert model["outputs"][0]["shape"] == [None, 3]
    assert model["loss"]["family"] == "sparse_categorical_crossentropy"
    fit, predict = data["calls"]
    assert (fit["line"], fit["column"], fit["method"], fit["status"]) == (9, 1, "fit", "checked")
    assert fit["data"]["inputs"][0]["shape"] == [100, 4] and fit["data"]["inputs"][0]["expected"] == [None, 4]
    assert fit["labels"]["targets"][0]["range"] == [0, 2] and fit["reasons"] == []
    assert (predict["method"], predict["status"], predict["labels"]) == ("predict", "checked", None)
    assert data["summary"] == {"sites": 2, "checked": 2, "partial": 0, "unknown": 0, "delegating": 0, "reasons": {}}


def test_text_output_has_a_table_per_model_then_the_calls(tmp_path):
    """The text format shows the model table (input, layers with line and
    shape, outputs and loss), then each call with its status, then a count."""
    path = tmp_path / "seq.py"
    path.write_text(SEQUENTIAL, encoding="utf-8")
    out = shapes_cli(str(path))
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0] == f"Model model (sequential) built at {path}:4"
    assert any("Dense" in l and "(None, 8)" in l and " 4 " in l for l in lines)
    assert any(l.startswith("  outputs: (None, 3)") and "sparse_categorical_crossentropy" in l for l in lines)
    assert f"{path}:9:1: fit  checked" in lines
    assert lines[-1] == "2 call sites: 2 checked, 0 partial, 0 unknown."


UNKNOWN_RECEIVERS = """\
import numpy as np
import tensorflow as tf
from mypackage.models import build_model

class Net(tf.keras.Model):
    def call(self, x):
        return x

x = np.random.rand(10, 4)
y = np.random.randint(0, 2, 10)
net = Net()
net.fit(x, y)
other = build_model(4)
other.evaluate(x, y)
restored = tf.keras.models.load_model("m.keras")
restored.predict(x)

class Trainer:
    def run(self, data):
        self.model.fit(data)

def train(m):
    m.train_on_batch(x, y)

class Tests(tf.test.TestCase):
    def test_it(self):
        self.evaluate(tf.constant(1))
        super().evaluate(tf.constant(2))
"""


def test_every_site_is_counted_with_how_the_receiver_was_built(tmp_path):
    """Calls on objects not known as models are sites too (status unknown,
    reason receiver-unknown, located where the receiver was built and saying
    how); ``self.evaluate``/``super().evaluate`` in a tf.test.TestCase is not a site."""
    data = report(tmp_path, "unknown.py", UNKNOWN_RECEIVERS)
    calls = {c["line"]: c for c in data["calls"]}
    assert sorted(calls) == [12, 14, 16, 20, 23]
    assert all(c["status"] == "unknown" for c in calls.values())
    details = {line: (c["reasons"][0]["reason"], c["reasons"][0]["line"], c["reasons"][0]["detail"])
               for line, c in calls.items()}
    # a Model subclass is a model now, but with no declared input and no compile
    assert details[12] == ("model-input-unknown", 11, "the model is built by this call's data: nothing to compare "
                                                      "it with")
    assert calls[12]["reasons"][1]["reason"] == "loss-unknown"
    assert details[14] == ("third-party-model", 13, "returned by build_model (imported: mypackage.models.build_model), "
                                                    "from package mypackage, which fitlint does not model")
    assert details[16][0] == "reloaded-from-disk" and details[16][2].startswith("reloaded from disk by tf.keras.models.load_model")
    assert details[20] == ("receiver-unknown", 20, "attribute self.model")
    assert details[23] == ("receiver-unknown", 22, "parameter m of function train")
    assert data["summary"]["reasons"] == {"receiver-unknown": 2, "loss-unknown": 1, "model-input-unknown": 1,
                                          "reloaded-from-disk": 1, "third-party-model": 1}


def test_partial_call_names_what_is_missing(tmp_path):
    """A functional model fed data from an unknown function: the label
    contract is compared, the input contract is not (data-unknown at the
    data's binding), so the call is partial."""
    data = report(tmp_path, "partial.py", """\
        import numpy as np
        from tensorflow import keras
        from loaders import load_features

        inputs = keras.Input(shape=(6,))
        outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(4)(inputs))
        model = keras.Model(inputs, outputs)
        model.compile(loss="binary_crossentropy")
        x = load_features()
        model.fit(x, np.random.randint(0, 2, 50))
        """)
    (call,) = data["calls"]
    assert call["status"] == "partial"
    assert [(r["reason"], r["line"]) for r in call["reasons"]] == [("data-unknown", 9)]
    assert "load_features" in call["reasons"][0]["detail"]
    assert [l["output_shape"] for l in data["models"][0]["layers"]] == [[None, 4], [None, 1]]


def test_loss_model_and_label_reasons(tmp_path):
    """A Sequential without an input shape, a model never compiled and labels
    from a parameter each get their own reason."""
    data = report(tmp_path, "reasons.py", """\
        import numpy as np
        from tensorflow import keras

        a = keras.Sequential([keras.layers.Dense(3)])
        a.compile(loss="mse")
        a.fit(unknown_x, np.zeros((10, 3)))
        b = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        b.fit(np.zeros((10, 2)), np.zeros((10, 1)))

        def go(labels):
            b.compile(loss="mse")
            b.evaluate(np.zeros((10, 2)), labels)
        """)
    calls = {c["line"]: c for c in data["calls"]}
    assert {r["reason"] for r in calls[6]["reasons"]} >= {"model-input-unknown", "data-unknown"}
    assert calls[8]["status"] == "partial"
    assert [r["reason"] for r in calls[8]["reasons"]] == ["loss-unknown"]
    assert calls[12]["status"] == "partial"
    assert calls[12]["reasons"][0]["reason"] == "labels-unknown"
    assert calls[12]["reasons"][0]["detail"] == "parameter labels of function go"


def test_a_site_visited_twice_counts_once_from_its_best_visit(tmp_path):
    """A function inlined from two calls, once with a known model and data,
    once with unknown ones: one site, checked (its best visit), visits 2."""
    data = report(tmp_path, "twice.py", """\
        import numpy as np
        from tensorflow import keras

        def train(model, x, y):
            model.fit(x, y)

        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
        m.compile(loss="sparse_categorical_crossentropy")
        train(m, np.zeros((8, 3)), np.random.randint(0, 2, 8))
        train(m, mystery(), mystery())
        """)
    (call,) = data["calls"]
    assert (call["line"], call["status"], call["visits"]) == (5, "checked", 2)
    assert data["summary"]["sites"] == 1


def test_generator_and_unparsed_and_files_without_tensorflow(tmp_path):
    """fit_generator sites say generator-data; a file LibCST cannot parse
    still has its sites (file-unparsed); a file with no TensorFlow/Keras
    import (and none through a project module) has no sites."""
    (tmp_path / "gen.py").write_text(textwrap.dedent("""\
        from tensorflow import keras
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        m.compile(loss="mse")
        m.fit_generator(batches(), steps_per_epoch=3)
        """))
    (tmp_path / "broken.py").write_text("import tensorflow as tf\nmodel.fit(x, y\nmodel.predict(x)\n")
    (tmp_path / "sk.py").write_text("from sklearn.linear_model import LinearRegression\nLinearRegression().fit(a, b)\n")
    out = shapes_cli("--output-format", "json", str(tmp_path))
    assert out.returncode == 0
    data = json.loads(out.stdout)
    reasons = {(Path(c["path"]).name, c["line"]): [r["reason"] for r in c["reasons"]] for c in data["calls"]}
    assert reasons == {("broken.py", 2): ["file-unparsed"], ("broken.py", 3): ["file-unparsed"],
                       ("gen.py", 4): ["generator-data"]}


def test_module_of_the_project_brings_tensorflow(tmp_path):
    """A script importing a sibling module that imports Keras is a file
    using Keras: its fit call is a site, on the model the imported factory
    builds (a Sequential without layers: its input is unknown)."""
    (tmp_path / "models.py").write_text("from tensorflow import keras\ndef build():\n    return keras.Sequential()\n")
    (tmp_path / "train.py").write_text("from models import build\nm = build()\nm.fit(x, y)\n")
    data = json.loads(shapes_cli("--output-format", "json", str(tmp_path)).stdout)
    (call,) = data["calls"]
    assert Path(call["path"]).name == "train.py" and call["reasons"][0]["reason"] == "model-input-unknown"


def test_notebook_sites_have_cells(tmp_path):
    """In a notebook, calls and reasons carry the cell number and the line
    within the cell (markdown cells count)."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["import numpy as np\n", "from tensorflow import keras\n", "%matplotlib inline"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n",
                    "model.compile(loss='mse')\n", "model.fit(np.zeros((4, 2)), np.zeros((4, 1)))\n",
                    "model.predict(get_data())"]},
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    data = json.loads(shapes_cli("--output-format", "json", str(path)).stdout)
    fit, predict = data["calls"]
    assert (fit["cell"], fit["line"], fit["status"]) == (3, 3, "checked")
    assert (predict["cell"], predict["line"], predict["status"]) == (3, 4, "unknown")
    assert (predict["reasons"][0]["cell"], predict["reasons"][0]["line"]) == (3, 4)
    assert (data["models"][0]["cell"], data["models"][0]["line"]) == (3, 1)


@pytest.mark.slow
def test_deterministic_and_output_file(tmp_path):
    """Two runs over the fixtures (one with parallel jobs) give the same
    bytes; --output-file writes the same report."""
    first = shapes_cli("--output-format", "json", "fixtures")
    second = shapes_cli("--output-format", "json", "--jobs", "2", "fixtures")
    assert first.returncode == 0 and first.stdout == second.stdout
    target = tmp_path / "out.json"
    assert shapes_cli("--output-format", "json", "--output-file", str(target), "fixtures").returncode == 0
    assert target.read_text() == first.stdout


def test_exit_codes():
    """0 normally; 2 for a missing path, an unknown format or bad --jobs."""
    assert shapes_cli("fixtures/clean").returncode == 0
    assert shapes_cli("no/such/path.py").returncode == 2
    assert shapes_cli("--output-format", "xml", "fixtures/clean").returncode == 2
    assert shapes_cli("--jobs", "0", "fixtures/clean").returncode == 2


# ---------------------------------------------------------------- honesty
def _call_at(module, line, column, method):
    """The ``.method(...)`` call the site is (in ``Lazy(m).get(7).predict(x)``
    the calls of ``Lazy`` and ``get`` start at the same place)."""
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, pos in positions.items():
        if isinstance(node, cst.Call) and (pos.start.line, pos.start.column + 1) == (line, column) and \
                isinstance(node.func, cst.Attribute) and node.func.attr.value == method:
            return node
    raise AssertionError(f"no call of {method} at {line}:{column}")


def _argument(call, keyword, index):
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[index] if index < len(positional) else None


def _wrong_labels(target, samples):
    """Labels the label contract must reject, for the target's loss."""
    loss, out = target["loss"], target["output"]
    units = out[-1]
    if loss == "sparse_categorical_crossentropy":
        return f"np.random.randint({units + 5}, {units + 6}, {samples})"
    if loss == "categorical_crossentropy":
        return f"np.random.randint(0, 2, {samples})" if len(out) == 2 else f"np.zeros(({samples}, {units + 2}))"
    if loss == "binary_crossentropy":
        return f"np.zeros(({samples}, {units + 2}))"
    width = units + 2 if units > 1 else None
    return f"np.zeros(({samples}, {width}))" if width else f"np.zeros(({samples + 3}, 1))"


def _findings(source, name):
    """(code, line) of what the rules report, before findings inside a
    try/except that catches them are dropped (the comparison is what is
    tested here)."""
    module = cst.parse_module(source)
    ctx = Context(name, module, analyze(module, name))  # project imports followed, as shapes does
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {(f.code, positions[f.node].start.line) for rule in ALL for f in rule().check(ctx) if f.node in positions}


def _mutants(path):
    """(site, which contract, mutated source) for each single-input call the
    shapes report says is checked, whose x (and y) are arguments."""
    text = path.read_text(encoding="utf-8")
    module = cst.parse_module(text)
    for call in shapes.shapes_source(text.encode(), str(path)).calls:
        if call["status"] != "checked" or call["data"]["kind"] == "dataset" or len(call["data"]["inputs"]) != 1:
            continue
        node = _call_at(module, call["line"], call["column"], call["method"])
        samples = call["data"]["inputs"][0]["shape"][0] or 8
        x_arg = _argument(node, "x", 0)
        if x_arg is None:
            continue
        wrong_x = f"np.zeros(({samples}, 2, 3, 5, 7, 11))"
        key = re.fullmatch(r"x\['(.*)'\]", call["data"]["inputs"][0]["name"] or "")
        entry = next((e for e in x_arg.value.elements if isinstance(e, cst.DictElement) and isinstance(
            e.key, cst.SimpleString) and e.key.evaluated_value == key.group(1)), None) \
            if key and isinstance(x_arg.value, cst.Dict) else None
        if entry is not None:  # a dict literal: its entry for the input (with labels beside it for nsl wrappers)
            yield call, "input", module.deep_replace(entry, entry.with_changes(value=cst.parse_expression(wrong_x))).code
        else:
            yield call, "input", module.deep_replace(x_arg, x_arg.with_changes(value=cst.parse_expression(wrong_x))).code
        if call["labels"] is None or len(call["labels"]["targets"]) != 1:
            continue
        y_arg = _argument(node, "y", 1)
        if y_arg is None:
            continue
        wrong_y = _wrong_labels(call["labels"]["targets"][0], samples)
        yield call, "labels", module.deep_replace(y_arg, y_arg.with_changes(value=cst.parse_expression(wrong_y))).code


PROGRAMS = sorted(p for p in FIXTURES.rglob("*.py") if "FIT000" not in p.name)


@pytest.mark.slow
def test_checked_calls_are_really_compared():
    """For every call the shapes report marks checked in the fixture programs
    (single input, x and y given as arguments), replacing x by data of a
    wrong rank, and y by labels the loss cannot take (out of range for a
    sparse loss, integer labels for a categorical one, a wrong width for a
    binary or regression one), makes the rules report a finding on that call."""
    tried = fresh = 0
    programs = [p for p in PROGRAMS if "import numpy as np" in p.read_text(encoding="utf-8")]
    for done, missed in in_processes(_mutated_calls, programs):
        assert not missed, missed
        tried += len(done)
        fresh += sum(done)
    assert tried >= 100 and fresh >= 60  # many calls take part, many of them without a finding before


def _mutated_calls(path):
    """For each mutant of ``path`` (see _mutants): whether its call had no
    finding before; and the mutants whose call has no finding after."""
    before = {line for _, line in _findings(path.read_text(encoding="utf-8"), str(path))}
    done, missed = [], []
    for call, contract, mutated in _mutants(path):
        done.append(call["line"] not in before)
        if call["line"] not in {line for _, line in _findings(mutated, str(path))}:
            missed.append(f"{path.name}:{call['line']} {contract} mutated, no finding")
    return done, missed


DATASET_PROGRAM = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras

x = np.random.rand(64, 5).astype("float32")
y = np.random.randint(0, {hi}, 64)
ds = tf.data.Dataset.from_tensor_slices((x{xs}, y)).shuffle(64).batch(16)
model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
model.fit(ds, epochs=1)
"""


def test_checked_dataset_call_is_really_compared(tmp_path):
    """A batched tf.data pipeline: checked as written; with the features
    reshaped, or labels past the output units, `fitlint check` reports it."""
    good = DATASET_PROGRAM.format(hi=4, xs="")
    (call,) = shapes.shapes_source(good.encode(), "ds.py").calls
    assert call["status"] == "checked"
    before = _findings(good, "ds.py")
    assert before == set()
    assert _findings(DATASET_PROGRAM.format(hi=4, xs="[:, :, None, None]"), "ds.py") - before
    assert _findings(DATASET_PROGRAM.format(hi=9, xs=""), "ds.py") - before


def test_reason_vocabulary_is_documented():
    """Every reason the code can give is explained in docs/shapes.md and
    named in the README section."""
    doc = (ROOT / "docs" / "shapes.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for reason in shapes.REASONS:
        assert f"`{reason}`" in doc and reason in readme, reason


def test_sites_the_analysis_never_evaluates_are_not_reached(tmp_path):
    """A call in an f-string is a site the analysis never evaluates: unknown,
    reason not-reached saying where it is; a call directly in a class body
    (run when the class is defined) and one in a method are evaluated."""
    data = report(tmp_path, "opaque.py", """\
        import numpy as np
        from tensorflow import keras
        m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        print(f"{m.predict(np.zeros((1, 2)))}")
        class A:
            m.predict(np.zeros((1, 2)))
            def f(self):
                m.predict(np.zeros((1, 2)))
        """)
    got = [(c["line"], c["status"], [r["detail"] for r in c["reasons"]]) for c in data["calls"]]
    assert got == [(4, "unknown", ["inside an f-string, which the analysis does not evaluate"]),
                   (6, "checked", []),
                   (8, "checked", [])]


def test_a_dying_worker_costs_only_its_file(monkeypatch, tmp_path):
    """With --jobs 2, a file whose analysis kills its worker is reported as
    an error of that file; the others keep their sites. (Workers are forked,
    so they inherit the patched function.)"""
    import os

    files, crash = files_with_a_crash(tmp_path)
    expected = shapes.run([f for f in files if f != crash], jobs=1)
    real = shapes.shapes_source

    def dies(source, path):
        if path.endswith("crash.py"):
            os._exit(3)
        return real(source, path)

    monkeypatch.setattr(shapes, "shapes_source", dies)
    models, calls, errors = shapes.run(files, jobs=2)
    assert errors == [(crash, shapes.DIED)]
    assert (models, calls) == expected[:2] and calls
