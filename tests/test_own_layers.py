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


NAMED = FIXTURES / "negative" / "named_inputs.py"


def test_named_inputs_from_a_dict_comprehension_are_compared():
    """A dict of Inputs made by a dict comprehension, a model on
    list(inputs.values()): every call is checked, and a column of another
    rank is reported at its call."""
    text = NAMED.read_text(encoding="utf-8")
    sites = _sites(text, str(NAMED))
    assert [c["status"] for c in sites.values()] == ["checked"] * 3 + ["partial", "checked", "checked"]
    assert not _errors(text)
    lines = text.splitlines()
    wrong = {
        'np.random.rand(N, 1).astype("float32") for name': 'np.random.rand(N, 4, 5).astype("float32") for name',
        '"dist": keras.ops.convert_to_tensor([1.5])': '"dist": keras.ops.convert_to_tensor([[[1.5, 2.0]]])',
        'keras.ops.convert_to_tensor(np.ones((3, 1)))': 'keras.ops.convert_to_tensor(np.ones((3, 5, 7)))',
    }
    calls = {"for name": "fare.fit(", '"dist"': "fare.predict(", "np.ones((3, 1))": "by_name.predict("}
    for old, new in wrong.items():
        mutated = text.replace(old, new)
        key = next(k for k in calls if k in old)
        line = next(i for i, t in enumerate(mutated.splitlines(), 1) if t.startswith(calls[key]))
        assert line in _errors(mutated), old


def test_convert_to_tensor_of_keras_ops_is_tf_convert_to_tensor():
    """keras.ops.convert_to_tensor gives the dtypes tf.convert_to_tensor
    gives: Python floats float32, Python ints int32, NumPy arrays their own."""
    from fitlint.analysis.interpreter import Interpreter
    import libcst as cst
    source = textwrap.dedent("""\
        import numpy as np
        import keras
        a = keras.ops.convert_to_tensor([1.5, 2.0])
        b = keras.ops.convert_to_tensor([[1, 2]])
        c = keras.ops.convert_to_tensor(np.zeros((2, 3)))
        d = keras.ops.convert_to_tensor([1.5], dtype="float16")
        e = keras.ops.convert_to_tensor([1.5], sparse=True)
        """)
    ip = Interpreter(cst.parse_module(source), "t.py")
    ip.run()
    got = {k: (v.shape, v.dtype) if v is not None else None for k, v in ip.globals.vars.items() if len(k) == 1}
    assert got == {"a": ((2,), "float32"), "b": ((1, 2), "int32"), "c": ((2, 3), "float64"),
                   "d": ((1,), "float16"), "e": None}


STACKS = FIXTURES / "negative" / "own_layer_stacks.py"


def test_layers_built_of_sublayers_give_their_output_shape():
    """A stack of residual-like blocks whose build() makes the sublayers and
    whose call() runs them: the output shape follows return_sequences and
    the filters, and the labels are compared with it."""
    text = STACKS.read_text(encoding="utf-8")
    outputs = [c["labels"]["targets"][0]["output"] for c in _sites(text, str(STACKS)).values()]
    assert outputs == [[None, 2], [None, 12, 1], [None, 3]]
    assert not _errors(text)
    wrong = text.replace("np.random.rand(N, 3), epochs=1", "np.random.rand(N, 5), epochs=1")
    line = next(i for i, t in enumerate(wrong.splitlines(), 1) if t.startswith("flat.fit("))
    assert line in _errors(wrong)


def _values(source):
    from fitlint.analysis.interpreter import Interpreter
    import libcst as cst
    ip = Interpreter(cst.parse_module(textwrap.dedent(source)), "t.py")
    ip.run()
    return ip.globals.vars


def _items(value):
    return None if value is None else [getattr(v, "value", v) for v in value.items]


def test_lists_held_by_an_object_see_appends_in_its_methods():
    """``self.items.append(v)`` in a method changes the list the object
    holds; a method that is not followed leaves its lists unknown."""
    got = _values("""\
        class Holder:
            def __init__(self):
                self.items = []
            def add(self, v):
                self.items.append(v)
            def grow(self, n):
                self.items.append(n)
                self.grow(n - 1)  # a call of itself: not followed

        h = Holder()
        h.add(3)
        for v in (4, 5):
            h.add(v)
        first = h.items
        g = Holder()
        g.grow(2)
        second = g.items
        """)
    assert _items(got["first"]) == [3, 4, 5]
    assert got["second"] is None


def test_known_tests_on_attributes_comparisons_and_types():
    """``if self.flag`` (only __init__ sets it), a comparison of known
    numbers and ``isinstance`` of a known value choose their branch; a value
    a method not followed may set, or a command-line default, does not."""
    got = _values("""\
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--width", default=4)
        args = parser.parse_args()

        class Box:
            def __init__(self, width=3, flag=False):
                self.width = width
                self.flag = flag
                self.later = False
            def on_epoch_end(self):
                self.later = True
            def pick(self):
                a = 1 if self.flag else 2
                b = 1 if self.width != 3 else 2
                c = 1 if isinstance(self.width, list) else 2
                d = 1 if self.later else 2
                e = 1 if args.width > 3 else 2
                return [a, b, c, d, e]

        picked = Box().pick()
        loose = [1 if n > 2 else 2 for n in (1, 5)]
        """)
    assert _items(got["picked"]) == [2, 2, 2, None, None]
    assert _items(got["loose"]) == [2, 1]


def test_enumerate_and_layer_shape_methods():
    """enumerate of a literal list gives (index, item) pairs from start; a
    library layer's compute_output_shape gives its output shape as a tuple."""
    got = _values("""\
        from keras import layers
        pairs = enumerate(["a", "b"], start=1)
        conv = layers.Conv1D(4, 3, padding="causal")
        conv.build((None, 20, 3))
        shape = conv.compute_output_shape((None, 20, 3))
        """)
    assert [_items(p) for p in got["pairs"].items] == [[1, "a"], [2, "b"]]
    assert _items(got["shape"]) == [None, 20, 4]


def test_keras_ops_cast_in_a_dataset_map_keeps_the_element():
    """keras.ops.cast in the map function and the split picked by a known
    parameter: the images reach the model (the training split's), so labels
    of another width are reported. predict never reads the labels of a
    dataset of (x, y): class ids with a one-hot loss are fine there."""
    text = NAMED.read_text(encoding="utf-8")
    fit = next(c for c in _sites(text, str(NAMED)).values() if c["line"] == 60)
    assert fit["data"]["inputs"][0]["shape"] == [None, 6, 6]
    wrong = text.replace("keras.utils.to_categorical(y, 4)", "keras.utils.to_categorical(y, 5)")
    assert 60 in _errors(wrong)
