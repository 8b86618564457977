"""Own layers whose ``call`` is not followed, and models whose outputs are
not followed: the models built on them keep their ``Input`` tensors, so the
data is still compared with them (analysis/own_layers.py)."""
import textwrap

from fitlint import shapes
from fitlint.engine import lint_source
from fitlint.rules import select

from conftest import FIXTURES

ALL = select(["ALL"])
OWN = FIXTURES / "negative" / "own_layers.py"


def _sites(text, name="t.py"):
    return {c["line"]: c for c in shapes.shapes_source(text.encode(), name).calls}


def _errors(text, name="t.py"):
    return {f.line for f in lint_source(text.encode(), name, ALL) if f.severity == "error"}


def test_models_on_own_layers_keep_their_inputs():
    """Every call of the fixture has its input compared; the outputs of a
    layer whose call is not followed stay unknown."""
    text = OWN.read_text(encoding="utf-8")
    sites = _sites(text, str(OWN))
    assert all(c["status"] in ("checked", "partial") for c in sites.values()), sites
    assert all(c["data"]["inputs"][0]["compared"] for c in sites.values())
    noisy = next(c for c in sites.values() if c["method"] == "fit")
    assert noisy["status"] == "partial" and noisy["labels"]["targets"][0]["output"] is None


def test_wrong_data_on_a_model_over_an_own_layer_is_found():
    """Data of another rank on such a model is reported at the call, on
    each kind of model the fixture builds."""
    text = OWN.read_text(encoding="utf-8")
    assert not _errors(text)
    wrong = {
        "noisy.fit(np.random.rand(N, 6)": "noisy.fit(np.random.rand(N, 6, 2)",
        "pair.predict(np.random.rand(4, 4)": "pair.predict(np.random.rand(4, 4, 2)",
        "maps = probe.predict(np.random.rand(2, 8, 8, 1)": "maps = probe.predict(np.random.rand(2, 8, 3, 5, 7)",
        "first.predict(np.random.rand(2, 8, 8, 1)": "first.predict(np.random.rand(2, 8, 3, 5, 7)",
    }
    lines = text.splitlines()
    for old, new in wrong.items():
        line = next(i for i, t in enumerate(lines, 1) if old in t)
        assert line in _errors(text.replace(old, new)), old


def test_the_structure_of_an_unfollowed_output_is_not_assumed():
    """A layer returning two tensors used as the model's outputs: the labels
    given as a list of two are not compared with anything, and nothing is
    reported."""
    source = textwrap.dedent("""\
        import numpy as np
        import keras
        from keras import layers

        class Two(layers.Layer):
            def call(self, x):
                return keras.ops.split(x, 2, axis=-1)

        inp = keras.Input(shape=(4,))
        model = keras.Model(inp, Two()(inp))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.random.rand(8, 4), [np.zeros(8), np.ones(8)], epochs=1)
        """)
    (site,) = _sites(source).values()
    assert site["status"] == "partial"
    assert not _errors(source)
