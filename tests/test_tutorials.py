"""Patterns of tutorials and trainer classes followed by `fitlint shapes`:
a batch taken by hand from a dataset, a model that shows each layer's
output, an Input sized from the data, a trainer that dispatches on
``isinstance`` and builds the model on ``self`` in a branch, ``**kwargs``
passed on."""
import textwrap

from fitlint import shapes


def _calls(source):
    return shapes.shapes_source(textwrap.dedent(source).encode(), "t.py").calls


def _status(source):
    return [(c["line"], c["status"]) for c in _calls(source)]


HEAD = """
import numpy as np
import tensorflow as tf
x = np.random.rand(40, 6).astype("float32")
y = np.random.randint(0, 3, 40)
model = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(3)])
model.compile(loss="sparse_categorical_crossentropy")
"""


def test_a_batch_taken_by_hand_is_the_element():
    """next(iter(ds)), indexed or unpacked, and next(ds.as_numpy_iterator()) are one batch of the
    dataset; next() with a default is unknown."""
    src = HEAD + """
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
sample = next(iter(ds))
model.predict(sample[0])
a, b = next(iter(ds))
model.evaluate(a, b)
n, m = next(ds.as_numpy_iterator())
model.predict(n)
model.predict(next(iter(ds), None))
"""
    assert [s for _, s in _status(src)] == ["checked", "checked", "checked", "unknown"]


def test_isinstance_decides_only_what_is_certain():
    """isinstance picks the branch Python takes when the value is known (a tuple written out, an
    array, an object of a plain class) and leaves both branches when it is not."""
    src = HEAD + """
import sys
class Plain(object):
    pass
def pick(data):
    if isinstance(data, (list, tuple)):
        return data[0]
    return data
def pick_list(data):
    if isinstance(data, list):
        return data[0]
    return data
model.predict(pick((x, y)))
model.predict(pick(x))
model.predict(pick_list((x, y)))
model.predict(x if isinstance(Plain(), tf.keras.Model) else x)
other = x if len(sys.argv) > 3 else (x, y)
model.predict(pick(other))
"""
    status = [s for _, s in _status(src)]
    assert status[:2] == ["checked", "checked"]
    assert status[2] == "unknown"  # a tuple written out is not a list: the pair itself is returned
    assert status[3] == "checked"  # an object of a plain class is no Keras model
    assert status[4] == "unknown"  # a list or an array, unknown which: both branches


def test_attribute_set_in_a_branch_is_read_back_there():
    """A model stored on self in a branch is that model inside the branch; two models stored by
    the two branches are unknown after them."""
    src = HEAD + """
import sys
class Holder:
    def __init__(self):
        self.model = None
    def get(self, width):
        if self.model is None:
            self.model = tf.keras.Sequential([tf.keras.Input((width,)), tf.keras.layers.Dense(3)])
            self.model.compile(loss="sparse_categorical_crossentropy")
            self.model.predict(np.zeros((2, width)))
        return self.model
h = Holder()
h.get(6)
h.model.predict(x)
wide = Holder()
if len(sys.argv) > 2:
    wide.model = tf.keras.Sequential([tf.keras.Input((9,)), tf.keras.layers.Dense(3)])
else:
    wide.model = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(3)])
wide.model.predict(x)
"""
    status = dict(_status(src))
    lines = sorted(status)
    assert status[lines[0]] == "checked"  # inside the branch: the model just stored
    assert status[lines[-1]] == "unknown"  # two models joined: not known


def test_kwargs_are_the_extra_keywords():
    """**kwargs is the (empty) dict of extra keywords, so a setattr loop over it changes nothing;
    a tuple and a dict known whole are spread into a project call."""
    src = HEAD + """
class Trainer(object):
    def __init__(self, model, **kwargs):
        self.model = model
        for key, value in kwargs.items():
            setattr(self, key, value)
    def run(self, *args):
        return self.model.predict(args[0])
def start(*parts, **options):
    return Trainer(*parts, **options)
Trainer(model).model.predict(x)
start(model).run(x)
"""
    assert [s for _, s in _status(src)] == ["checked", "checked"]


def test_a_test_method_runs_after_setup():
    """A TestCase test method sees what setUp stored, not what another test method does."""
    src = HEAD + """
import unittest
class ModelTest(unittest.TestCase):
    def setUp(self):
        self.net = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(3)])
        self.data = np.zeros((4, 6), "float32")
    def test_predict(self):
        self.net.predict(self.data)
    def test_other(self):
        self.data = None
"""
    assert [s for _, s in _status(src)] == ["checked"]


def test_is_none_of_a_known_value_decides_the_branch():
    """`if self.model is None:` builds the model only when it is None for certain; a value that may
    be either leaves it unknown."""
    src = HEAD + """
import sys
class Lazy:
    def __init__(self, model=None):
        self.model = model
    def get(self):
        if self.model is None:
            self.model = tf.keras.Sequential([tf.keras.Input((9,)), tf.keras.layers.Dense(3)])
        return self.model
Lazy(model).get().predict(x)
Lazy().get().predict(np.zeros((2, 9)))
maybe = model if len(sys.argv) > 2 else None
Lazy(maybe).get().predict(x)
"""
    assert [s for _, s in _status(src)] == ["checked", "checked", "unknown"]
