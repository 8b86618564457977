"""Model builders driven by hyper-parameters (fitlint/analysis/builders.py):
``enumerate`` of a known list unrolls, and a test of its index against a
literal or a known length is decided on each pass; anything less certain
leaves the test unknown."""
import textwrap

import pytest

from fitlint.engine import lint_source
from fitlint.rules import select
from fitlint.shapes import shapes_source

RULES = select()

BUILDER = """
import sys
import numpy as np
import tensorflow as tf

WIDTHS = [8, 4]

def build(last):
    inputs = tf.keras.Input(shape=(6,))
    x = inputs
    for i, width in enumerate(WIDTHS{start}):
        if {test}:
            x = tf.keras.layers.Dense(3, activation="softmax")(x)
        else:
            x = tf.keras.layers.Dense(width, activation="relu")(x)
    return tf.keras.Model(inputs, x)

model = build(len(sys.argv))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(10, 6), np.repeat(np.arange(5), 2))
"""


def _run(start: str, test: str):
    src = textwrap.dedent(BUILDER.format(start=start, test=test)).encode()
    (call,) = shapes_source(src, "t.py").calls
    return call, [f.code for f in lint_source(src, "t.py", RULES) if f.severity == "error"]


def test_index_against_the_length_is_decided():
    """The last pass takes the softmax layer of 3 units: labels up to 4 are found."""
    call, errors = _run("", "i == len(WIDTHS) - 1")
    assert call["status"] == "checked" and errors == ["FIT201"]
    call, errors = _run(", start=1", "i >= len(WIDTHS)")
    assert call["status"] == "checked" and errors == ["FIT201"]


def test_a_test_that_is_never_true_keeps_the_other_branch():
    """``i > 5`` is false on every pass: the output is the last Dense(4)."""
    call, errors = _run("", "i > 5")
    assert call["status"] == "checked" and errors == ["FIT201"]
    assert call["labels"]["targets"][0]["output"] == [None, 4]


def test_an_uncertain_operand_leaves_the_test_unknown():
    """A parameter (from the command line here) is not certain: both
    branches are followed, the output is not known, nothing is reported."""
    call, errors = _run("", "i == last")
    assert call["status"] != "checked" and errors == []
    call, errors = _run("", "i * 2 == 2")
    assert call["status"] != "checked" and errors == []


def test_str_format_of_known_values_is_known():
    """``'{}{}_{}'.format(prefix, i, 'words')`` of literals is the string
    Python makes; an unknown argument or a bad template stays unknown."""
    from fitlint.analysis import strings
    from fitlint.analysis.values import Const

    class A:
        def __init__(self, pos, kw=None):
            self.pos, self.kw, self.star = pos, kw or {}, False

    fmt = Const("{}{}_{}")
    assert strings.method(fmt, "format", A([Const("NL_nbr_"), Const(0), Const("words")]), None).value == "NL_nbr_0_words"
    assert strings.method(Const("{n:02d}"), "format", A([], {"n": Const(3)}), None).value == "03"
    assert strings.method(fmt, "format", A([Const("a"), None, Const("b")]), None) is None
    assert strings.method(fmt, "format", A([Const("a")]), None) is None  # IndexError in Python
    assert strings.method(Const("{:99999}"), "format", A([Const(1)]), None) is None
    assert strings.method(fmt, "upper", A([]), None) is None


def test_backend_cast_in_a_lambda_keeps_the_shape():
    """A Lambda layer casting with tf.keras.backend.cast keeps the shape: the
    output after it is known and wrong labels are found."""
    src = textwrap.dedent('''
        import numpy as np
        import tensorflow as tf
        inputs = tf.keras.Input(shape=(5,), dtype="int64")
        x = tf.keras.layers.Lambda(lambda t: tf.keras.backend.cast(t, tf.float32))(inputs)
        model = tf.keras.Model(inputs, tf.keras.layers.Dense(3, activation="softmax")(x))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.random.randint(0, 2, (8, 5)), np.repeat(np.arange(4), 2))
    ''').encode()
    (call,) = shapes_source(src, "t.py").calls
    assert call["status"] == "checked"
    assert [f.code for f in lint_source(src, "t.py", RULES) if f.severity == "error"] == ["FIT201"]


@pytest.mark.tf
def test_resize_method_constants_are_tensorflows():
    """tf.image.ResizeMethod's members are the declared strings."""
    tf = pytest.importorskip("tensorflow")
    from fitlint.analysis.tensor_ops import CONSTANTS
    for path, value in CONSTANTS.items():
        assert getattr(tf.image.ResizeMethod, path.rsplit(".", 1)[-1]) == value


def test_resize_with_a_resize_method_member_is_followed():
    """``method=tf.image.ResizeMethod.BICUBIC`` is the string "bicubic":
    the resized images are known, so a checked call compares them."""
    src = textwrap.dedent('''
        import numpy as np
        import tensorflow as tf
        images = np.random.rand(6, 28, 28, 3)
        small = np.array([tf.image.resize(img, (16, 16), method=tf.image.ResizeMethod.BICUBIC) for img in images])
        model = tf.keras.Sequential([tf.keras.Input((32, 32, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        model.predict(small)
    ''').encode()
    (call,) = shapes_source(src, "t.py").calls
    assert call["status"] == "checked"
    assert [f.code for f in lint_source(src, "t.py", RULES) if f.severity == "error"] == ["FIT102"]


ATTRS = """
import attr
import attrs
import numpy as np
import tensorflow as tf

{cls}

config = Config()
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(config.classes, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(10, 4), np.repeat(np.arange(5), 2))
"""


def _attrs_status(cls: str):
    src = textwrap.dedent(ATTRS.format(cls=textwrap.dedent(cls))).encode()
    (call,) = shapes_source(src, "t.py").calls
    return call["status"], [f.code for f in lint_source(src, "t.py", RULES) if f.severity == "error"]


def test_attrs_fields_are_dataclass_fields():
    """An attrs class's declared defaults are its instance's values: 3
    classes for labels up to 4 is found, in each spelling."""
    for cls in ("@attr.s\nclass Config(object):\n    classes = attr.ib(default=3)",
                "@attr.s\nclass Config:\n    classes = attr.ib(3)",
                "@attr.s(auto_attribs=True)\nclass Config:\n    classes: int = 3",
                "@attrs.define\nclass Config:\n    classes: int = 3",
                "@attr.define(frozen=True)\nclass Config:\n    other: int = attrs.field(default=1)\n"
                "    classes: int = 3"):
        assert _attrs_status(cls) == ("checked", ["FIT201"]), cls


def test_attrs_classes_whose_init_is_not_certain_stay_unknown():
    """kw_only, a converter, a private field, a base class, a post-init hook:
    nothing is reported."""
    for cls in ("@attr.s\nclass Config:\n    classes = attr.ib(default=3, kw_only=True)",
                "@attr.s\nclass Config:\n    classes = attr.ib(default=3, converter=int)",
                "@attr.s\nclass Config:\n    _classes = attr.ib(default=3)\n    classes = 3",
                "class Base:\n    pass\n@attr.s\nclass Config(Base):\n    classes = attr.ib(default=3)",
                "@attr.s\nclass Config:\n    classes = attr.ib(default=3)\n"
                "    def __attrs_post_init__(self):\n        self.classes = 5",
                "@attr.s(kw_only=True)\nclass Config:\n    classes = attr.ib(default=3)"):
        status, errors = _attrs_status(cls)
        assert errors == [], cls


def test_an_annotated_name_that_is_no_field_is_a_class_attribute():
    """Without auto_attribs, ``classes: int = 3`` is no field, so Config(5)
    does not set it (it would raise); the class attribute is what is read."""
    status, errors = _attrs_status("@attr.s\nclass Config:\n    other = attr.ib(default=1)\n    classes: int = 3")
    assert errors == ["FIT201"]


NESTED = """
import numpy as np
import tensorflow as tf

inputs = tf.keras.Input(shape=(6,))
x = inputs
for block in [1, 2]:
    for width in [8, 8, 4]:
        x = tf.keras.layers.Dense(width * block, activation="relu")(x)
x = tf.keras.layers.Dense(3, activation="softmax")(x)
model = tf.keras.Model(inputs, x)
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(10, 6), np.eye(3)[np.repeat(np.arange(5) % 3, 2)]{labels})
"""


def test_nested_literal_loops_run_pass_by_pass():
    """Loops over literal lists nested in one another are each run pass by
    pass: the six layers they add make the model's output known."""
    src = textwrap.dedent(NESTED.format(labels="")).encode()
    (call,) = shapes_source(src, "t.py").calls
    assert call["status"] == "checked", call
    assert call["labels"]["targets"][0]["output"] == [None, 3]
    assert [f.code for f in lint_source(src, "t.py", RULES) if f.severity == "error"] == []
    wrong = textwrap.dedent(NESTED.format(labels="[:, :2]")).encode()
    assert [f.code for f in lint_source(wrong, "t.py", RULES) if f.severity == "error"] == ["FIT204"]


def test_nested_literal_loops_have_a_budget_of_passes():
    """A grid of 30 x 30 passes (a plot of a latent space) is not run pass by
    pass: past interpreter.MAX_PASSES passes in all the inner loop runs once
    for all its passes, as a loop of unknown length does."""
    import libcst as cst

    from fitlint.analysis import interpreter

    def steps(n: int) -> int:
        src = textwrap.dedent(f"""
            import numpy as np
            figure = np.zeros((28 * {n}, 28 * {n}))
            rows = list(range({n}))
            for i in rows:
                for j in rows:
                    figure[i * 28:(i + 1) * 28, j * 28:(j + 1) * 28] = np.ones((28, 28)) * (i + j)
            """)
        ip = interpreter.Interpreter(cst.parse_module(src))
        ip.run()
        return ip.steps

    assert 16 * 16 <= interpreter.MAX_PASSES < 30 * 30
    per_pass = (steps(16) - steps(1)) / (16 * 16 - 1)  # 256 passes: run one by one
    assert per_pass > 10
    assert steps(30) < steps(16) / 5  # 900 passes: the inner loop runs once for all on each outer pass
