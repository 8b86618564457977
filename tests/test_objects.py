"""The object model: classes, instances, attributes, bound methods,
inheritance, configuration objects and subclassed Keras models and layers."""
import textwrap

import libcst as cst

from fitlint.analysis.interpreter import Interpreter
from fitlint.analysis.objects import Instance, ModelInstance
from fitlint.analysis.values import Array, Const, Model
from fitlint.engine import lint_source
from fitlint.rules import select

HEADER = """
import numpy as np
import keras
"""


def run(src):
    interp = Interpreter(cst.parse_module(HEADER + textwrap.dedent(src)))
    facts = interp.run()
    return interp.globals.vars, facts


def codes(src):
    return sorted(f.code for f in lint_source(HEADER + textwrap.dedent(src), "t.py", select(["ALL"]))
                  if f.severity == "error")


def const(value):
    return value.value if isinstance(value, Const) else value


def test_attributes_set_in_init_are_read_in_other_methods():
    """`self.x = ...` in __init__ is read back in a method called later; the
    method's return value reaches the caller."""
    env, _ = run("""
    class Box:
        def __init__(self, n):
            self.n = n
            self.data = np.zeros((n, 3))
        def rows(self):
            return self.data.shape[0]
    b = Box(7)
    r = b.rows()
    """)
    assert isinstance(env["b"], Instance)
    assert const(env["b"].attrs["n"]) == 7
    assert env["b"].attrs["data"].shape == (7, 3)
    assert const(env["r"]) == 7


def test_later_method_replaces_an_attribute():
    """An attribute assigned again by a method run later holds the new value
    (statements are followed in order)."""
    env, _ = run("""
    class T:
        def __init__(self):
            self.x = np.zeros((2, 2))
        def grow(self):
            self.x = np.zeros((5, 2))
    t = T()
    t.grow()
    s = t.x
    """)
    assert env["s"].shape == (5, 2)


def test_attribute_set_in_a_branch_is_unknown():
    """An attribute assigned inside an `if` whose test is not known (or a
    loop of unknown length) may or may not hold the new value afterwards: it
    becomes unknown. With a known test, Python's branch is taken."""
    env, _ = run("""
    import sys
    class T:
        def __init__(self, flag):
            self.x = np.zeros((2, 2))
            if flag:
                self.x = np.zeros((9, 2))
            for i in range(flag):
                self.y = i
    t = T(len(sys.argv) > 1)
    known = T(True)
    """)
    assert env["t"].attrs["x"] is None
    assert env["t"].attrs["y"] is None
    assert env["known"].attrs["x"].shape == (9, 2)


def test_inheritance_super_property_static_and_class_methods():
    """A subclass runs its parent's __init__ through super(); a property is
    evaluated on read; @staticmethod and @classmethod are called with the
    right arguments; two-argument super() works too."""
    env, _ = run("""
    class Base:
        def __init__(self, k):
            self.k = k
        @property
        def double(self):
            return self.k * 2
        @staticmethod
        def ones(n):
            return np.ones((n, 4))
    class Child(Base):
        def __init__(self, k):
            super(Child, self).__init__(k)
            self.extra = self.ones(self.double)
        @classmethod
        def make(cls):
            return cls(3)
    c = Child.make()
    """)
    child = env["c"]
    assert const(child.attrs["k"]) == 3
    assert child.attrs["extra"].shape == (6, 4)


def test_configs_dataclass_namedtuple_namespace_argparse_partial():
    """Config values are known where the source gives them: dataclass fields
    (defaults and keywords), namedtuple fields, SimpleNamespace keywords,
    argparse defaults (converted by type=), functools.partial arguments."""
    env, _ = run("""
    import argparse, functools
    from collections import namedtuple
    from dataclasses import dataclass, field
    from types import SimpleNamespace
    @dataclass
    class Cfg:
        units: int = 4
        classes: int = field(default=3)
        name: str = "m"
    cfg = Cfg(units=8)
    P = namedtuple("P", "a b")
    p = P(1, b=2)
    ns = SimpleNamespace(epochs=5)
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default="32")
    parser.add_argument("--debug", action="store_true")
    flags = parser.parse_args()
    def zeros(n, m):
        return np.zeros((n, m))
    z = functools.partial(zeros, 3)(m=4)
    """)
    cfg = env["cfg"]
    assert (const(cfg.attrs["units"]), const(cfg.attrs["classes"]), const(cfg.attrs["name"])) == (8, 3, "m")
    assert (const(env["p"].attrs["a"]), const(env["p"].attrs["b"])) == (1, 2)
    assert const(env["ns"].attrs["epochs"]) == 5
    assert const(env["flags"].values["batch_size"]) == 32 and const(env["flags"].values["debug"]) is False
    assert env["z"].shape == (3, 4)


def test_trainer_on_self_reaches_fit():
    """A model and data stored on self in __init__ are followed into the
    method that calls fit: the call is recorded with the model's input and
    the data's shape."""
    _, facts = run("""
    class Trainer:
        def __init__(self):
            self.model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
            self.model.compile(loss="mse")
            self.x = np.random.rand(10, 4)
        def train(self):
            self.model.fit(self.x, self.x[:, :2])
    Trainer().train()
    """)
    (call,) = facts.calls
    assert call.inputs[0].input.shape == (None, 4) and call.inputs[0].value.shape == (10, 4)


def test_methods_never_called_run_on_the_self_init_builds():
    """A method that fits but is never called from the file is run on a
    ``self`` built by ``__init__``: its fit is recorded once, with the model
    ``__init__`` stored."""
    _, facts = run("""
    class Trainer:
        def __init__(self):
            self.model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
            self.model.compile(loss="mse")
        def train(self):
            self.model.fit(np.zeros((3, 5)), np.zeros((3, 2)))
    t = Trainer()
    """)
    assert [c.method for c in facts.calls] == ["fit"]


def test_subclassed_model_output_from_data_and_layers_from_init():
    """A keras.Model subclass: its layers are those __init__ stores, its
    output shape comes from tracing call() on the data's shape, its loss
    from compile; its input contract stays unknown."""
    env, facts = run("""
    class Net(keras.Model):
        def __init__(self, classes):
            super().__init__()
            self.a = keras.layers.Dense(16, activation="relu")
            self.b = keras.layers.Dense(classes, activation="softmax")
        def call(self, inputs, training=None):
            return self.b(self.a(inputs))
    model = Net(5)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.random.rand(20, 7), np.random.randint(0, 5, 20))
    """)
    model = env["model"]
    assert isinstance(model, ModelInstance) and isinstance(model, Model)
    assert [layer.kind for layer in model.layers] == ["Dense", "Dense"]
    (call,) = facts.calls
    assert call.targets[0].shape == (None, 5) and call.targets[0].loss == "sparse_categorical_crossentropy"
    assert call.inputs[0].input is None


def test_subclassed_model_shape_from_build_and_from_input():
    """Without data of known shape, the output comes from model.build(shape)
    or from calling the model on an Input."""
    env, facts = run("""
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(3)
        def call(self, x):
            return self.d(x)
    m1 = Net()
    m1.build((None, 8))
    m2 = Net()
    out = m2(keras.Input(shape=(2, 4)))
    m1.compile(loss="mse")
    m1.fit(unknown_data, epochs=1)
    """)
    assert env["out"].shape == (None, 2, 3)
    (call,) = facts.calls
    assert call.targets[0].shape == (None, 3)


def test_subclassed_layer_call_and_compute_output_shape():
    """A keras.layers.Layer subclass applied to a symbolic tensor: its call()
    is traced; when call() cannot be followed, compute_output_shape gives
    the shape; with neither, the output is a tensor of unknown shape
    (see fitlint/analysis/own_layers.py)."""
    env, _ = run("""
    import tensorflow as tf
    class Wrap(keras.layers.Layer):
        def __init__(self, units):
            super().__init__()
            self.inner = keras.layers.Dense(units)
        def call(self, x):
            return self.inner(x)
    class Opaque(keras.layers.Layer):
        def call(self, x):
            return tf.matmul(x, self.w)
        def compute_output_shape(self, input_shape):
            return (input_shape[0], 11)
    class Unknown(keras.layers.Layer):
        def call(self, x):
            return tf.matmul(x, self.w)
    i = keras.Input(shape=(5,))
    a = Wrap(6)(i)
    b = Opaque()(i)
    c = Unknown()(i)
    """)
    assert env["a"].shape == (None, 6)
    assert env["b"].shape == (None, 11)
    assert env["c"].shape is None


def test_train_step_override_leaves_labels_unchecked():
    """A model with its own train_step handles labels its own way: the fit
    call has no label contract, and lint reports nothing on mismatched-looking
    labels; without the override the same labels are an error."""
    body = """
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(3, activation="softmax")
        def call(self, x):
            return self.d(x)
        {step}
    model = Net()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(np.random.rand(12, 4), np.random.randint(0, 3, size=(12,)))
    """
    step = "def train_step(self, data):\n            return {}"
    _, facts = run(body.format(step=step))
    assert facts.calls[0].targets == []
    assert codes(body.format(step=step)) == []
    assert codes(body.format(step="")) == ["FIT202"]


def test_overridden_compile_calling_super_compiles():
    """A subclass that overrides compile() and calls super().compile() is
    compiled: fit after it is not reported as uncompiled."""
    assert codes("""
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1)
        def call(self, x):
            return self.d(x)
        def compile(self, opt):
            super().compile(optimizer=opt, loss="mse")
    m = Net()
    m.compile("adam")
    m.fit(np.random.rand(8, 2), np.random.rand(8, 1))
    """) == []


def test_end_to_end_input_mismatch_through_a_trainer():
    """lint_source reports FIT102 on a fit inside a trainer method whose data
    (on self) has more features than the model (built by a staticmethod)."""
    assert codes("""
    class Trainer:
        @staticmethod
        def build(n):
            m = keras.Sequential([keras.Input(shape=(n,)), keras.layers.Dense(1)])
            m.compile(loss="mse")
            return m
        def __init__(self):
            self.model = self.build(4)
            self.x = np.random.rand(8, 5)
        def run(self):
            self.model.fit(self.x, np.random.rand(8, 1))
    Trainer().run()
    """) == ["FIT102"]


def test_tf_losses_alias_gives_the_loss_of_a_subclassed_model():
    """`tf.losses.X` is `tf.keras.losses.X` in TF 2: a subclassed model
    compiled with it has a known loss, so its labels are compared."""
    assert codes("""
    import tensorflow as tf
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(4, activation="softmax")
        def call(self, x):
            return self.d(x)
    m = Net()
    m.compile(optimizer="adam", loss=tf.losses.CategoricalCrossentropy())
    m.fit(np.random.rand(8, 3), np.random.randint(0, 4, size=(8,)))
    """) == ["FIT202"]


def test_class_attributes_of_library_bases_are_unknown():
    """Class attributes are read back only for plain classes: under a library
    base (Enum, pydantic, ...) they may become something else, so they are
    unknown; a plain class's attribute is known on the class and instances."""
    env, _ = run("""
    import enum
    import pydantic
    class Mode(enum.Enum):
        TRAIN = 1
    class Cfg(pydantic.BaseModel):
        units: int = 4
    class Plain:
        units = 4
    m = Mode.TRAIN
    c = Cfg(units=8).units
    p = Plain().units
    """)
    assert env["m"] is None and env["c"] is None
    assert const(env["p"]) == 4


def test_subclass_calling_functional_init_has_an_input_contract():
    """A keras.Model subclass whose __init__ calls
    super().__init__(inputs=..., outputs=...) is a functional model: its
    Input is compared with the data (FIT102 on 4 features for 3)."""
    src = """
    class Wide(keras.Model):
        def __init__(self, features):
            inputs = keras.Input(shape=(features,))
            outputs = keras.layers.Dense(2, activation="softmax")(inputs)
            super().__init__(inputs=inputs, outputs=outputs)
    wide = Wide(3)
    wide.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    wide.fit(np.random.rand(10, {n}), np.random.randint(0, 2, size=(10,)))
    """
    _, facts = run(src.format(n=3))
    assert facts.calls[0].inputs[0].input.shape == (None, 3)
    assert facts.calls[0].targets[0].shape == (None, 2)
    assert codes(src.format(n=3)) == []
    assert codes(src.format(n=4)) == ["FIT102"]


def test_property_setter_makes_the_attribute_unknown():
    """Assigning to a name the class defines as a property goes through its
    setter, which may store anything: the value read back is unknown."""
    env, _ = run("""
    class C:
        def __init__(self):
            self._u = 1
        @property
        def units(self):
            return self._u
        @units.setter
        def units(self, v):
            self._u = v * 2
    c = C()
    c.units = 5
    u = c.units
    """)
    assert env["u"] is None


def test_subclassed_model_traced_on_dict_and_tuple_data():
    """Data given as a dict or a tuple of arrays is traced as the same
    structure of symbolic inputs: call() reads the parts by key or unpacking."""
    env, facts = run("""
    class Two(keras.Model):
        def __init__(self):
            super().__init__()
            self.cat = keras.layers.Concatenate()
            self.out = keras.layers.Dense(3, activation="softmax")
        def call(self, inputs):
            a, b = inputs
            return self.out(self.cat([a, b]))
    class Named(keras.Model):
        def __init__(self):
            super().__init__()
            self.out = keras.layers.Dense(2, activation="softmax")
        def call(self, inputs):
            return self.out(inputs["f"])
    m = Two()
    m.compile(loss="sparse_categorical_crossentropy")
    m.fit((np.random.rand(8, 2), np.random.rand(8, 5)), np.random.randint(0, 3, 8))
    n = Named()
    n.compile(loss="sparse_categorical_crossentropy")
    n.fit({"f": np.random.rand(8, 4)}, np.random.randint(0, 2, 8))
    """)
    assert [c.targets[0].shape for c in facts.calls] == [(None, 3), (None, 2)]


def test_attribute_replaced_by_a_hook_the_library_calls_is_unknown():
    """In a class with a library base, an attribute that a method fitlint
    does not follow (a callback hook Keras calls) assigns may hold that
    method's value: it is unknown. In a plain class, only the file's own
    code calls methods, so the value set in __init__ stays known."""
    env, _ = run("""
    class Hook(keras.callbacks.Callback):
        def __init__(self):
            self.x = np.zeros((2, 2))
        def on_epoch_end(self, epoch, logs=None):
            self.x = np.zeros((5, 5))
        def get(self):
            return self.x
    class Plain:
        def __init__(self):
            self.x = np.zeros((2, 2))
        def reset(self):
            self.x = np.zeros((5, 5))
        def get(self):
            return self.x
    a = Hook().get()
    b = Plain().get()
    """)
    assert env["a"] is None
    assert env["b"].shape == (2, 2)


def test_recursive_construction_and_methods_stop():
    """A class whose __init__ builds another instance of itself, and a method
    that calls itself, stop at the inlining depth: the analysis ends and the
    values it could not finish are unknown."""
    env, _ = run("""
    class Node:
        def __init__(self, depth=0):
            self.child = Node(depth + 1)
    class Rec:
        def f(self, n):
            return self.f(n - 1)
    n = Node()
    r = Rec().f(3)
    """)
    assert isinstance(env["n"], Instance)
    assert env["r"] is None


def test_keras3_layer_alias_is_a_layer_base():
    """`class Block(keras.Layer)` (the Keras 3 spelling) is traced like
    `keras.layers.Layer`."""
    env, _ = run("""
    class Block(keras.Layer):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(7)
        def call(self, x):
            return self.d(x)
    out = Block()(keras.Input(shape=(3,)))
    """)
    assert env["out"].shape == (None, 7)


def test_absl_flag_defaults():
    """absl flags defined in the file read back as their defaults through
    FLAGS (also inside a main() run by app.run); a flag with a default of
    another type is unknown."""
    env, facts = run("""
    from absl import app, flags
    flags.DEFINE_integer("units", 6, "hidden units")
    flags.DEFINE_float("rate", 0.5, "dropout")
    flags.DEFINE_integer("wrong", "x", "")
    FLAGS = flags.FLAGS
    u, r, w = FLAGS.units, FLAGS.rate, FLAGS.wrong
    def main(argv):
        m = keras.Sequential([keras.Input(shape=(FLAGS.units,)), keras.layers.Dense(1)])
        m.compile(loss="mse")
        m.fit(np.zeros((4, 6)), np.zeros((4, 1)))
    app.run(main)
    """)
    assert (const(env["u"]), const(env["r"]), env["w"]) == (6, 0.5, None)
    assert facts.calls[0].inputs[0].input.shape == (None, 6)


def test_residual_and_scaled_symbolic_tensors_keep_their_shape():
    """In call(), `x + self.block(x)` and `x * 0.5` give the broadcast shape
    of the symbolic tensors; a product with an unknown value is a tensor of
    unknown shape."""
    env, _ = run("""
    class Res(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(4)
        def call(self, x):
            return (x + self.d(x)) * 0.5
    class Odd(keras.layers.Layer):
        def call(self, x):
            return x * self.unknown
    i = keras.Input(shape=(3, 4))
    a = Res()(i)
    b = Odd()(i)
    """)
    assert env["a"].shape == (None, 3, 4)
    assert env["b"].shape is None


def test_closure_keeps_the_value_it_captured():
    """A nested function returned by its maker sees the maker's arguments:
    the Dense it builds has the captured 9 units."""
    env, _ = run("""
    def make_head(units):
        def head():
            return keras.layers.Dense(units)
        return head
    out = make_head(9)()(keras.Input(shape=(2,)))
    """)
    assert env["out"].shape == (None, 9)
