"""Receivers: the model followed to the call when it is held on ``self``,
passed as an argument, returned by a factory of another module, chosen by a
constant condition, or read as ``self.model`` in a Keras callback
(fitlint/analysis/receivers.py, project.py), and ``fitlint shapes`` counting
sites across the files of a project (fitlint/shapes.py)."""
import textwrap
from pathlib import Path

from fitlint import shapes
from fitlint.engine import lint_source
from fitlint.rules import select


def _write(root: Path, files: dict) -> list:
    out = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        out.append(str(path))
    return sorted(out)


def _shapes(root: Path, files: dict):
    _, calls, errors = shapes.run(_write(root, files), jobs=1)
    assert not errors
    return {(Path(c["path"]).name, c["line"]): c for c in calls}, shapes.summary(calls)


def _codes(path: Path) -> list:
    return [f.code for f in lint_source(path.read_bytes(), str(path), select(["ALL"]))]


FACTORY = """
    from tensorflow import keras

    def build(features):
        inputs = keras.Input(shape=(features,))
        model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model
"""
HELPER = """
    def train(model, x, y):
        model.fit(x, y, verbose=0)
"""


def test_a_site_in_a_module_is_checked_from_the_script_that_runs_it(tmp_path):
    """``shapes`` follows project imports as ``check`` does: the fit call in
    a helper module that imports no Keras is visited with the script's model
    and data, is a site, and is checked; the model is summarised once, with
    the shapes the script gave it."""
    files = {"models.py": FACTORY, "helpers.py": HELPER, "run.py": """
        import numpy as np
        from models import build
        from helpers import train
        train(build(4), np.zeros((8, 4), "float32"), np.zeros((8,), "int64"))
    """}
    calls, summary = _shapes(tmp_path, files)
    assert calls[("helpers.py", 2)]["status"] == "checked"
    assert summary["sites"] == 1 and summary["checked"] == 1
    models, _, _ = shapes.run(sorted(str(tmp_path / n) for n in files), jobs=1)
    (model,) = models
    assert Path(model["path"]).name == "models.py" and model["inputs"][0]["shape"] == [None, 4]


def test_a_site_reached_from_two_scripts_keeps_its_best_visit(tmp_path):
    """A helper called from two scripts, one with data the analysis cannot
    follow and one with known data, is one site with the better visit and
    the visits of both."""
    files = {"models.py": FACTORY, "helpers.py": HELPER,
             "a.py": "import numpy as np\nfrom models import build\nfrom helpers import train\n"
                     "train(build(4), np.load('x.npy'), np.load('y.npy'))\n",
             "b.py": "import numpy as np\nfrom models import build\nfrom helpers import train\n"
                     "train(build(4), np.zeros((8, 4)), np.zeros((8,), 'int64'))\n"}
    calls, summary = _shapes(tmp_path, files)
    site = calls[("helpers.py", 2)]
    assert site["status"] == "checked" and site["visits"] >= 2
    assert summary["sites"] == 1


def test_classes_are_followed_across_modules(tmp_path):
    """A trainer class exported by a package ``__init__`` holds the model on
    self; its method's fit is checked with the script's data (FIT102 for 5
    features against an Input of 4, reported at the script's call)."""
    files = {"pkg/__init__.py": "from .models import build\nfrom .trainer import Trainer\n",
             "pkg/models.py": FACTORY,
             "pkg/trainer.py": """
                 class Trainer:
                     def __init__(self, model):
                         self.model = model

                     def train(self, x, y):
                         return self.model.fit(x, y, verbose=0)
             """,
             "run.py": """
                 import numpy as np
                 from pkg import Trainer, build
                 Trainer(build(4)).train(np.zeros((8, 5), "float32"), np.zeros((8,), "int64"))
             """}
    _write(tmp_path, files)
    assert _codes(tmp_path / "run.py") == ["FIT102"]
    calls, summary = _shapes(tmp_path, files)
    assert calls[("trainer.py", 6)]["status"] == "checked"


def test_a_method_nobody_calls_sees_the_model_init_built(tmp_path):
    """A method run on its own gets a ``self`` whose ``__init__`` ran: the
    receiver is known (the reasons say what else is missing); a model another
    method may compile is not taken as uncompiled, and attributes another
    method sets are unknown."""
    files = {"lib.py": """
        from tensorflow import keras

        class Job:
            def __init__(self, units):
                self.model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(units)])

            def setup(self, loss):
                self.model.compile(optimizer="sgd", loss=loss)
                self.data = None

            def train(self, x, y):
                self.model.fit(x, y)
                self.model.fit(self.data, y)
    """}
    calls, _ = _shapes(tmp_path, files)
    for line in (12, 13):
        reasons = {r["reason"] for r in calls[("lib.py", line)]["reasons"]}
        assert "receiver-unknown" not in reasons and "data-unknown" in reasons, reasons
    assert _codes(tmp_path / "lib.py") == []


CONSTANTS = """
    import numpy as np
    from tensorflow import keras
    DEBUG = False
    {extra}
    def net(n):
        model = keras.Sequential([keras.Input(shape=(n,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model
    if True:
        model = net(4)
    if {test}:
        model = net(5)
    model.fit(np.zeros((8, 4)), np.zeros((8, 1)), verbose=0)
"""


def test_constant_conditions_keep_the_receiver(tmp_path):
    """``if True:`` and ``if DEBUG:`` (a module constant) take only the branch
    Python takes; a command-line default is not a constant (the user may
    override it), and a branch building another model loses the receiver
    rather than guessing."""
    calls, _ = _shapes(tmp_path, {"c.py": CONSTANTS.format(extra="", test="DEBUG")})
    assert calls[("c.py", 13)]["status"] == "checked"
    flagged = CONSTANTS.format(
        extra="import argparse\np = argparse.ArgumentParser()\np.add_argument('--d', action='store_true')\n"
              "FLAG = p.parse_args().d", test="FLAG")
    calls, _ = _shapes(tmp_path / "f", {"f.py": flagged})
    assert calls[("f.py", 16)]["status"] == "unknown"


def test_branches_building_models_of_one_contract_join(tmp_path):
    """if/else branches building the same architecture keep the model; a
    different architecture in one branch leaves it unknown (no finding)."""
    same = """
        import numpy as np
        from tensorflow import keras
        def net(n):
            model = keras.Sequential([keras.Input(shape=(n,)), keras.layers.Dense(2)])
            model.compile(optimizer="sgd", loss="mse")
            return model
        if np.random.rand() > 0.5:
            model = net(3)
        else:
            model = net({other})
        model.fit(np.zeros((8, 3)), np.zeros((8, 2)), verbose=0)
    """
    calls, _ = _shapes(tmp_path, {"s.py": same.format(other=3)})
    assert calls[("s.py", 11)]["status"] == "checked"
    calls, _ = _shapes(tmp_path / "d", {"d.py": same.format(other=5)})
    assert calls[("d.py", 11)]["status"] == "unknown"
    assert _codes(tmp_path / "d" / "d.py") == []


CALLBACK = """
    import numpy as np
    from tensorflow import keras

    class Probe(keras.callbacks.Callback):
        def __init__(self, samples):
            super().__init__()
            self.samples = samples

        def on_epoch_end(self, epoch, logs=None):
            self.model.predict(self.samples, verbose=0)

    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((8, 4), "float32")
    model.fit(x, np.zeros((8, 1)), verbose=0, callbacks=[Probe({samples})])
"""


def test_callback_model_is_the_model_fit_got(tmp_path):
    """``self.model`` in a ``keras.callbacks.Callback`` is the model given to
    fit: the hook's predict is checked, and wrong samples are FIT102."""
    calls, _ = _shapes(tmp_path, {"cb.py": CALLBACK.format(samples="x[:2]")})
    assert calls[("cb.py", 10)]["status"] == "checked"
    assert _codes(tmp_path / "cb.py") == []
    (tmp_path / "bad.py").write_text(textwrap.dedent(CALLBACK.format(samples="x[:2, :3]")).lstrip())
    assert _codes(tmp_path / "bad.py") == ["FIT102"]


def test_models_kept_in_a_dict_are_trained_in_a_loop(tmp_path):
    """``for name, m in models.items()`` over a dict literal runs once per
    entry: each model reaches the call."""
    calls, _ = _shapes(tmp_path, {"d.py": """
        import numpy as np
        from tensorflow import keras
        def net(n):
            m = keras.Sequential([keras.Input(shape=(n,)), keras.layers.Dense(1)])
            m.compile(optimizer="sgd", loss="mse")
            return m
        models = {"a": net(4), "b": net(4)}
        for name, m in models.items():
            m.fit(np.zeros((8, 4)), np.zeros((8, 1)), verbose=0)
    """})
    assert calls[("d.py", 9)]["status"] == "checked" and calls[("d.py", 9)]["visits"] == 2


def test_receivers_fitlint_cannot_know_have_precise_reasons(tmp_path):
    """A model reloaded from disk is reloaded-from-disk; an object of a
    package fitlint does not model is third-party-model naming the package;
    a plain class of the project whose fit() is its own code is not a site
    (status delegates, reason project-object at the method, counted apart in
    the summary), while the Keras call inside it is a site."""
    calls, summary = _shapes(tmp_path, {"r.py": """
        import numpy as np
        import tensorflow as tf
        import xgboostish

        class Wrapper:
            def __init__(self):
                self.net = tf.keras.Sequential([tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(1)])
                self.net.compile(optimizer="sgd", loss="mse")

            def fit(self, x, y):
                self.net.fit(x, y, verbose=0)

        x, y = np.zeros((4, 2)), np.zeros((4, 1))
        Wrapper().fit(x, y)
        tf.keras.models.load_model("m.keras").fit(x, y)
        xgboostish.Regressor().fit(x, y)
    """})
    assert calls[("r.py", 14)]["status"] == "delegates"
    assert calls[("r.py", 14)]["reasons"][0]["reason"] == "project-object"
    assert calls[("r.py", 14)]["reasons"][0]["line"] == 10
    assert calls[("r.py", 11)]["status"] == "checked"
    assert calls[("r.py", 15)]["reasons"][0]["reason"] == "reloaded-from-disk"
    third = calls[("r.py", 16)]["reasons"][0]
    assert third["reason"] == "third-party-model" and "xgboostish" in third["detail"]
    assert summary["sites"] == 3 and summary["delegating"] == 1


def test_a_library_fitlint_models_is_not_read_as_project_code(tmp_path):
    """Inside the repository of a library fitlint models (tensorflow_recommenders),
    ``import tensorflow_recommenders as tfrs`` still means the library: a
    ``tfrs.Model`` subclass is a model, not an unknown project object."""
    files = {"setup.py": "", "tensorflow_recommenders/__init__.py": "Model = object\n",
             "example.py": """
                 import tensorflow as tf
                 import tensorflow_recommenders as tfrs

                 class Net(tfrs.Model):
                     def compute_loss(self, features, training=False):
                         return 0.0

                 Net().fit(tf.data.Dataset.range(4).batch(2))
             """}
    calls, _ = _shapes(tmp_path, files)
    reasons = {r["reason"] for r in calls[("example.py", 8)]["reasons"]}
    assert "receiver-unknown" not in reasons, reasons


def test_an_object_made_by_a_third_party_object_is_third_party(tmp_path):
    """``endpoint = uploaded.deploy()`` where ``uploaded`` came from a
    package fitlint does not model: the endpoint's predict names that package."""
    calls, _ = _shapes(tmp_path, {"serve.py": """
        import tensorflow as tf
        from google.cloud import aiplatform
        uploaded = aiplatform.Model.upload(display_name="m")
        endpoint = uploaded.deploy(machine_type="n1")
        endpoint.predict(instances=[[1.0]])
    """})
    (reason,) = calls[("serve.py", 5)]["reasons"]
    assert reason["reason"] == "third-party-model" and "package google" in reason["detail"]


def test_a_mixin_calling_its_own_method_on_self_stays_a_site(tmp_path):
    """In a method run alone, ``self`` may be of a subclass that overrides
    the method (a mixin used with a Keras model): ``self.predict`` there is
    not taken as the project's own method."""
    calls, summary = _shapes(tmp_path, {"mix.py": """
        import tensorflow as tf

        class GenerateMixin:
            def generate(self, x):
                return self.predict(x)

            def predict(self, x):
                return x
    """})
    assert calls[("mix.py", 5)]["status"] == "unknown" and summary["delegating"] == 0
