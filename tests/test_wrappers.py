"""Neural Structured Learning's Keras wrappers (fitlint/analysis/wrappers.py):
a call on ``nsl.keras.AdversarialRegularization`` / ``GraphRegularization``
is checked on the base model with the data the base model really gets, and
stays unknown (silent) wherever that way in is not certain.

nsl's Keras wrappers need Keras 2 (tf_keras) and cannot be imported next to
Keras 3, so the programs of fixtures/nsl are proven by running them with the
Python named by ``FITLINT_NSL_PYTHON`` (one with neural-structured-learning
and tf-keras installed, see tests/nsl_runner.py); without it those tests are
skipped. Their headers are ``# nsl-expect: ...`` (not ``# expect:``, which
the TF 2.21 / Keras 3 ground-truth tests would run)."""
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fitlint import fixes
from fitlint.analysis import wrappers
from fitlint.engine import lint_source
from fitlint.rules import select
from fitlint.shapes import shapes_source

from conftest import FIXTURES, ROOT, lint_fixture, names

NSL_FIXTURES = sorted((FIXTURES / "nsl").glob("*.py"))
NSL_PYTHON = os.environ.get("FITLINT_NSL_PYTHON")
RULES = select()


def _findings(src: str):
    return lint_source(textwrap.dedent(src).encode(), "t.py", RULES)


def _errors(src: str):
    return [f for f in _findings(src) if f.severity == "error"]


def _calls(src: str):
    return shapes_source(textwrap.dedent(src).encode(), "t.py").calls


HEAD = """
import numpy as np
import tensorflow as tf
import neural_structured_learning as nsl

inputs = tf.keras.Input(shape=(6,), name="feature")
base = tf.keras.Model(inputs, tf.keras.layers.Dense(3, activation="softmax")(inputs))
"""


def test_every_spelling_names_one_wrapper():
    """The import spellings of the wrappers and configs fold into one key."""
    assert wrappers.canonical("neural_structured_learning.keras.AdversarialRegularization") == wrappers.ADVERSARIAL
    assert wrappers.canonical("neural_structured_learning.keras.adversarial_regularization."
                              "AdversarialRegularization") == wrappers.ADVERSARIAL
    assert wrappers.canonical("neural_structured_learning.keras.graph_regularization."
                              "GraphRegularization") == wrappers.GRAPH
    assert wrappers.canonical("neural_structured_learning.configs.configs.make_adv_reg_config") == wrappers.ADV_CONFIG
    assert wrappers.canonical("neural_structured_learning.configs.make_graph_reg_config") == wrappers.GRAPH_CONFIG
    assert wrappers.canonical("neural_structured_learning.keras.layers.NeighborFeatures") is None
    assert wrappers.canonical("tensorflow.keras.Model") is None


@pytest.mark.parametrize("spelling", [
    "import neural_structured_learning as nsl\nWrap = nsl.keras.AdversarialRegularization",
    "from neural_structured_learning.keras import AdversarialRegularization as Wrap",
    "from neural_structured_learning.keras import adversarial_regularization\n"
    "Wrap = adversarial_regularization.AdversarialRegularization",
])
def test_the_label_entry_is_compared_with_the_base_models_output(spelling):
    """The dict's label entry meets the base model's output and the loss
    given to the wrapper's compile; the rest meets its inputs by name."""
    src = HEAD + spelling + """
adv = Wrap(base, label_keys=["label"])
adv.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
adv.fit({"feature": np.random.rand(20, 6), "label": np.random.randint(0, 5, 20)}, batch_size=4)
"""
    found = _errors(src)
    assert [f.code for f in found] == ["FIT201"], found
    assert "reach 4" in found[0].message and "3 units" in found[0].message
    (call,) = _calls(src)
    assert call["status"] == "checked"


def test_a_wrong_feature_makes_a_checked_call_report():
    """A call marked checked compares the features: making them wrong gives a finding."""
    ok = HEAD + """
adv = nsl.keras.AdversarialRegularization(base, label_keys=["label"])
adv.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
ds = tf.data.Dataset.from_tensor_slices((np.random.rand(20, 6), np.random.randint(0, 3, 20))).batch(4)
adv.fit(ds.map(lambda x, y: {"feature": x, "label": y}))
"""
    assert [c["status"] for c in _calls(ok)] == ["checked"]
    assert not _errors(ok)
    bad = ok.replace("np.random.rand(20, 6)", "np.random.rand(20, 7)")
    assert [f.code for f in _errors(bad)] == ["FIT102"]


def test_multiple_label_keys_follow_the_outputs_in_order():
    """Several label keys are the labels of the base model's outputs, in order."""
    src = """
import numpy as np
import tensorflow as tf
import neural_structured_learning as nsl

x_in = tf.keras.Input(shape=(4,), name="x")
a = tf.keras.layers.Dense(2, activation="softmax", name="a")(x_in)
b = tf.keras.layers.Dense(1, name="b")(x_in)
base = tf.keras.Model(x_in, [a, b])
adv = nsl.keras.AdversarialRegularization(base, label_keys=["la", "lb"])
adv.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"])
adv.fit({"x": np.random.rand(8, 4), "la": np.random.randint(0, 3, 8), "lb": np.random.rand(8, 1)})
"""
    found = _errors(src)
    assert [f.code for f in found] == ["FIT201"], found
    assert "reach 2" in found[0].message


def test_graph_regularization_leaves_the_neighbours_out():
    """The neighbour entries (NL_nbr_ prefix, or the config's) never reach the base model."""
    src = HEAD + """
config = nsl.configs.make_graph_reg_config(max_neighbors=1, neighbor_prefix="NBR_")
graph = nsl.keras.GraphRegularization(base, config)
graph.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
x = {"feature": np.random.rand(20, 6), "NBR_0_feature": np.random.rand(20, 6), "NBR_0_weight": np.ones((20, 1))}
graph.fit(x, np.random.randint(0, 3, 20), batch_size=4)
graph.evaluate({"feature": np.random.rand(20, 6)}, np.random.randint(0, 3, 20))
"""
    assert not _findings(src)
    assert [c["status"] for c in _calls(src)] == ["checked", "checked"]
    bad = src.replace('"feature": np.random.rand(20, 6), "NBR', '"feature": np.random.rand(20, 5), "NBR')
    assert [(f.code, f.line) for f in _errors(bad)] == [("FIT102", 13)]


def test_base_model_attribute_is_the_base_model():
    """``wrapper.base_model`` is the base model, with its own calls checked."""
    src = HEAD + """
adv = nsl.keras.AdversarialRegularization(base)
adv.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
adv.base_model.predict(np.random.rand(5, 7))
"""
    assert [f.code for f in _errors(src)] == ["FIT102"]


# Each program feeds wrong data (7 features for an input of 6, or labels
# beyond the 3 units), but the way the data reaches the base model is not
# certain: nothing is reported, and the call says why it is unknown.
UNCERTAIN = {
    "label key missing": ('adv = nsl.keras.AdversarialRegularization(base, label_keys=["target"])',
                          'adv.fit({"feature": np.random.rand(9, 7), "label": np.arange(9)})', "data-unknown"),
    "label keys unknown": ("adv = nsl.keras.AdversarialRegularization(base, label_keys=KEYS)",
                           'adv.fit({"feature": np.random.rand(9, 7), "label": np.arange(9)})', "data-unknown"),
    "sample weight key unknown": ("adv = nsl.keras.AdversarialRegularization(base, sample_weight_key=KEYS)",
                                  'adv.fit({"feature": np.random.rand(9, 7), "label": np.arange(9)})',
                                  "data-unknown"),
    "labels also in the base input": (
        "adv = nsl.keras.AdversarialRegularization(base, base_with_labels_in_features=True)",
        'adv.fit({"feature": np.random.rand(9, 7), "label": np.arange(9)})', "data-unknown"),
    "input name not a key": ("adv = nsl.keras.AdversarialRegularization(base)",
                             'adv.fit({"features": np.random.rand(9, 7), "label": np.arange(9)})', "data-unknown"),
    "not compiled": ("adv = nsl.keras.AdversarialRegularization(base)",
                     'adv.fit({"feature": np.random.rand(9, 7), "label": np.arange(9)})', "loss-unknown"),
    "base compiled on its own after": (
        'adv = nsl.keras.AdversarialRegularization(base)\nadv.compile(optimizer="sgd", loss="mse")\n'
        'base.compile(optimizer="sgd", loss="mse")',
        'adv.fit({"feature": np.random.rand(9, 7), "label": np.arange(9)})', "loss-unknown"),
    "graph prefix unknown": ("graph = nsl.keras.GraphRegularization(base, CONFIG)",
                             'graph.fit({"feature": np.random.rand(9, 7)}, np.arange(9))', "data-unknown"),
    "base model unknown": ("adv = nsl.keras.AdversarialRegularization(BASE)",
                           'adv.fit({"feature": np.random.rand(9, 7), "label": np.arange(9)})', "receiver-unknown"),
    "data unknown": ("adv = nsl.keras.AdversarialRegularization(base)", "adv.fit(DATA)", "data-unknown"),
}


@pytest.mark.parametrize("case", sorted(UNCERTAIN))
def test_an_uncertain_way_in_stays_silent(case):
    """Wrong data that reaches the base model in an uncertain way gives no finding; the call says why."""
    make, fit, reason = UNCERTAIN[case]
    wrapper = "graph" if make.startswith("graph") else "adv"
    compile_line = "" if "compile" in make or case == "not compiled" else f'{wrapper}.compile(optimizer="adam", loss="sparse_categorical_crossentropy")\n'
    src = HEAD + "from settings import KEYS, CONFIG, BASE, DATA\n" + make + "\n" + compile_line + fit + "\n"
    assert not _findings(src), case
    (call,) = _calls(src)
    assert call["status"] == "unknown"
    assert reason in {r["reason"] for r in call["reasons"]}, call["reasons"]


def test_a_sequential_base_gets_the_only_feature_whatever_its_name():
    """A Sequential base whose input name is not a key gets the only feature (several: silent)."""
    src = """
import numpy as np
import tensorflow as tf
from neural_structured_learning.keras import AdversarialRegularization

base = tf.keras.Sequential([tf.keras.Input(shape=(6,)), tf.keras.layers.Dense(2, activation="softmax")])
adv = AdversarialRegularization(base, label_keys=["y"])
adv.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
adv.fit({"pixels": np.random.rand(9, 5), "y": np.random.randint(0, 2, 9)})
adv.fit({"pixels": np.random.rand(9, 5), "more": np.random.rand(9, 5), "y": np.random.randint(0, 2, 9)})
"""
    assert [(f.code, f.line) for f in _errors(src)] == [("FIT102", 9)]  # two features: not certain, silent


def test_the_static_path_never_imports_nsl():
    """Linting an nsl program never imports neural_structured_learning."""
    code = ("import sys\nfrom fitlint.engine import lint_source\nfrom fitlint.rules import select\n"
            f"lint_source(open({str(NSL_FIXTURES[0])!r}, 'rb').read(), 'x.py', select())\n"
            "assert 'neural_structured_learning' not in sys.modules\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "ok", out.stderr


# ---------------------------------------------------------- the fixtures
def _pin(path: Path):
    text = path.read_text(encoding="utf-8")
    expect = re.search(r"^# nsl-expect: (\w+)", text, re.M)
    messages = re.findall(r"^# nsl-expect-message: (.+)$", text, re.M)
    shared = [t.strip() for v in re.findall(r"^# nsl-expect-shared: (.+)$", text, re.M) for t in v.split(",")]
    return expect.group(1) if expect else None, [m.strip() for m in messages], shared


def test_the_nsl_fixtures_are_pinned_in_pairs():
    """Every buggy program has a fixed twin that runs, and no ``# expect:``
    line (the Keras 3 ground-truth tests cannot import nsl)."""
    assert len(NSL_FIXTURES) >= 6
    for path in NSL_FIXTURES:
        assert not re.search(r"^# expect:", path.read_text(encoding="utf-8"), re.M), path
        expect, messages, _ = _pin(path)
        assert expect is not None, path
        if path.name.endswith("_buggy.py"):
            assert expect != "ok" and messages, path
            assert _pin(path.with_name(path.name.replace("_buggy", "_fixed")))[0] == "ok"


@pytest.mark.parametrize("path", [p for p in NSL_FIXTURES if p.name.endswith("_fixed.py")], ids=lambda p: p.name)
def test_every_call_of_a_fixed_program_is_checked(path):
    """Every call of the working nsl programs has both contracts compared."""
    calls = shapes_source(path.read_bytes(), str(path)).calls
    assert calls and all(c["status"] == "checked" for c in calls), [(c["line"], c["reasons"]) for c in calls]


@pytest.mark.tf
@pytest.mark.skipif(not NSL_PYTHON, reason="FITLINT_NSL_PYTHON names no Python with neural-structured-learning")
@pytest.mark.parametrize("path", NSL_FIXTURES, ids=lambda p: p.name)
def test_nsl_fixture_runs_as_pinned(path):
    """Each program ends as its ``# nsl-expect`` lines say under nsl (tf_keras);
    a failing one fails on the line of fitlint's first error finding, and
    TF's message and that finding name the pinned values."""
    expect, messages, shared = _pin(path)
    out = subprocess.run([NSL_PYTHON, str(ROOT / "tests" / "nsl_runner.py"), str(path)], capture_output=True,
                         text=True, timeout=600, cwd=ROOT)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("NSL-RESULT ")), None)
    assert line is not None, out.stderr[-2000:]
    result = json.loads(line[len("NSL-RESULT "):])
    errors = [f for f in lint_source(path.read_bytes(), str(path), RULES) if f.severity == "error"]
    if expect == "ok":
        assert result == {"status": "ok"}, result
        assert not errors
        return
    assert result["status"] == "raised" and result["exception"] == expect, result
    for message in messages:
        assert message in result["message"], result["message"][-3000:]
    assert errors and errors[0].line == result["line"]
    for token in shared:
        assert names(result["message"], token) and names(errors[0].message, token), token


@pytest.mark.tf
@pytest.mark.skipif(not NSL_PYTHON, reason="FITLINT_NSL_PYTHON names no Python with neural-structured-learning")
def test_declared_signatures_are_nsls():
    """The declared signatures have nsl's real parameter names, in order."""
    code = textwrap.dedent("""
        import inspect, json, os, sys, types
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        sys.modules["neural_structured_learning.estimator"] = types.ModuleType("stub")
        import neural_structured_learning as nsl
        out = {}
        for name in NAMES:
            obj = nsl
            for part in name.split(".")[1:]:
                obj = getattr(obj, part)
            sig = inspect.signature(obj.__init__ if isinstance(obj, type) else obj)
            out[name] = [(p.name, repr(p.default) if p.default is not p.empty else None)
                         for p in sig.parameters.values() if p.name != "self"]
        print("SIGS " + json.dumps(out))
    """).replace("NAMES", repr(sorted(wrappers.SIGNATURE_TEXT)))
    out = subprocess.run([NSL_PYTHON, "-c", code], capture_output=True, text=True, timeout=600)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("SIGS "))
    real = json.loads(line[5:])
    for name, sig in wrappers.SIGNATURES.items():
        assert [p.name for p in sig.params] == [n for n, _ in real[name]], name


def _fixed(path: Path) -> str:
    """The program once fitlint's fixes (unsafe included) are applied."""
    text = path.read_text(encoding="utf-8")

    def check(name, source):
        return lint_fixture(Path(name), RULES, source)  # the first check: worked out when collected

    result = fixes.fix_text(str(path), text, check(str(path), text), True, check)
    assert result.changed
    assert not [f for f in check(str(path), result.after) if f.severity == "error"]
    return result.after


FIXABLE = [p for p in NSL_FIXTURES if p.name.endswith("_buggy.py")
           and any(f.fix is not None for f in lint_fixture(p, RULES))]


@pytest.mark.parametrize("path", FIXABLE, ids=lambda p: p.name)
def test_fixes_remove_the_errors_statically(path):
    """fitlint's fixes leave no error in the buggy nsl programs."""
    _fixed(path)


@pytest.mark.tf
@pytest.mark.skipif(not NSL_PYTHON, reason="FITLINT_NSL_PYTHON names no Python with neural-structured-learning")
@pytest.mark.parametrize("path", FIXABLE, ids=lambda p: p.name)
def test_fixed_nsl_program_runs(path, tmp_path):
    """The buggy program, once fitlint's fixes are applied, runs under nsl."""
    fixed = tmp_path / path.name
    fixed.write_text(_fixed(path), encoding="utf-8")
    out = subprocess.run([NSL_PYTHON, str(ROOT / "tests" / "nsl_runner.py"), str(fixed)], capture_output=True,
                         text=True, timeout=600, cwd=ROOT)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("NSL-RESULT ")), None)
    assert line is not None, out.stderr[-2000:]
    assert json.loads(line[len("NSL-RESULT "):]) == {"status": "ok"}, line[:3000]


# The library's own repository: ``neural_structured_learning`` is a package
# of the checked project, whose wrapper class runs code fitlint does not
# follow. The declared wrapper is what the import names, all the same.
OWN_PACKAGE = {
    "setup.py": "",
    "neural_structured_learning/__init__.py": "from neural_structured_learning import keras\n",
    "neural_structured_learning/keras/__init__.py":
        "from neural_structured_learning.keras.adversarial_regularization import AdversarialRegularization\n"
        "from neural_structured_learning.keras.graph_regularization import GraphRegularization\n",
    "neural_structured_learning/keras/adversarial_regularization.py": """
        import tensorflow as tf

        class AdversarialRegularization(tf.keras.Model):
            def __init__(self, base_model, label_keys=("label",)):
                super().__init__()
                self.base_model = base_model
                self.label_keys = label_keys

            def call(self, inputs, **kwargs):
                return self.base_model(self.unpack(inputs))
        """,
    "neural_structured_learning/keras/graph_regularization.py": """
        import tensorflow as tf

        class GraphRegularization(tf.keras.Model):
            def __init__(self, base_model, graph_reg_config=None):
                super().__init__()
                self.base_model = base_model

            def call(self, inputs, **kwargs):
                return self.base_model(self.split(inputs))
        """,
}


@pytest.mark.parametrize("where, spelling", [
    ("examples/train.py", "import neural_structured_learning as nsl\nWrap = nsl.keras.AdversarialRegularization"),
    ("neural_structured_learning/keras/adversarial_regularization_test.py",
     "from neural_structured_learning.keras import adversarial_regularization\n"
     "Wrap = adversarial_regularization.AdversarialRegularization"),
    ("neural_structured_learning/keras/other_test.py", "from . import adversarial_regularization as adv_lib\n"
     "Wrap = adv_lib.AdversarialRegularization"),
])
def test_the_wrapper_in_its_own_repository_is_the_declared_one(tmp_path, where, spelling):
    """In nsl's own repository the import reaches the project's class; the
    declared wrapper wins: the call is checked, and wrong labels are found."""
    for name, text in OWN_PACKAGE.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    src = HEAD.replace("import neural_structured_learning as nsl\n", "") + spelling + """
adv = Wrap(base, label_keys=["label"])
adv.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
adv.fit({"feature": np.random.rand(20, 6), "label": np.random.randint(0, 3, 20)}, batch_size=4)
"""
    script = tmp_path / where
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(src, encoding="utf-8")
    (call,) = shapes_source(src.encode(), str(script)).calls
    assert call["status"] == "checked", call
    assert not lint_source(src.encode(), str(script), RULES)
    bad = src.replace("randint(0, 3, 20)", "randint(0, 5, 20)").encode()
    assert [f.code for f in lint_source(bad, str(script), RULES)] == ["FIT201"]


def test_graph_wrapper_in_its_own_repository_leaves_the_neighbours_out(tmp_path):
    """GraphRegularization of nsl's own package is the declared one too."""
    for name, text in OWN_PACKAGE.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    src = HEAD + """
graph = nsl.keras.GraphRegularization(base)
graph.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
graph.fit({"feature": np.random.rand(20, 6), "NL_nbr_0_feature": np.random.rand(20, 6)}, np.random.randint(0, 3, 20))
"""
    script = tmp_path / "train.py"
    script.write_text(src, encoding="utf-8")
    (call,) = shapes_source(src.encode(), str(script)).calls
    assert call["status"] == "checked", call
    bad = src.replace('"feature": np.random.rand(20, 6)', '"feature": np.random.rand(20, 5)').encode()
    assert [f.code for f in lint_source(bad, str(script), RULES)] == ["FIT102"]
