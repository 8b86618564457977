"""In-place changes (list/dict methods, item and slice assignment, ``+=``,
array methods, NumPy functions that change their argument, aliases, loops,
branches and called functions) either update what the analysis knows or make
it unknown; they are never ignored."""
import textwrap

import libcst as cst
import pytest

from fitlint.analysis.array_ops import ListOf
from fitlint.analysis.interpreter import Interpreter
from fitlint.analysis.values import Array, Const, Dict_, Seq
from fitlint.engine import lint_source
from fitlint.rules import select


def env_of(src):
    interp = Interpreter(cst.parse_module(textwrap.dedent(src)))
    interp.run()
    return interp.globals.vars


def fact(value):
    """A compact description of an abstract value, for comparisons."""
    if value is None:
        return None
    if isinstance(value, Array):
        lo = None if value.lo is None else float(value.lo)
        hi = None if value.hi is None else float(value.hi)
        return ("array", value.shape, value.dtype, lo, hi)
    if isinstance(value, Seq):
        return [fact(v) for v in value.items] if value.kind == "list" else tuple(fact(v) for v in value.items)
    if isinstance(value, Dict_):
        return {k: fact(v) for k, v in value.items.items()}
    if isinstance(value, Const):
        return value.value
    if isinstance(value, ListOf):  # a list grown in a loop: its length (None: unknown) and common item
        return ("list of", value.count, fact(value.item))
    return type(value).__name__


def arr(shape, dtype, lo, hi):
    return ("array", shape, dtype, None if lo is None else float(lo), None if hi is None else float(hi))


HEAD = "import numpy as np\n"

# (pattern, source, name, expected fact)
CASES = [
    # lists
    ("list.append, loop over a literal range: one item per pass",
     "rows = []\nfor i in range(3):\n    rows.append(np.zeros(2))\nX = np.array(rows)\n",
     "X", arr((3, 2), "float64", 0, 0)),
    ("list.append, loop over an unknown iterable: length unknown, np.array of it is not (0,)",
     "rows = []\nfor line in open('f'):\n    rows.append(np.zeros(2))\nX = np.array(rows)\n",
     "X", None),
    ("list.append in a while loop: a list of unknown length",
     "rows = []\nwhile more():\n    rows.append(1)\n", "rows", ("list of", None, arr((), "int64", None, None))),
    ("list.extend with a literal list",
     "rows = [1]\nrows.extend([2, 3])\n", "rows", [1, 2, 3]),
    ("list.extend with an unknown iterable: unknown",
     "rows = [1]\nrows.extend(stream())\n", "rows", None),
    ("list.insert", "rows = [1, 3]\nrows.insert(1, 2)\n", "rows", [1, 2, 3]),
    ("list.pop: item removed", "rows = [1, 2, 3]\nrows.pop()\n", "rows", [1, 2]),
    ("list.pop returns the item", "rows = [1, 2, 3]\nlast = rows.pop(0)\n", "last", 1),
    ("list.remove of a literal", "rows = [1, 2, 3]\nrows.remove(2)\n", "rows", [1, 3]),
    ("list.remove of an unknown item: unknown", "rows = [a, b]\nrows.remove(a)\n", "rows", None),
    ("list.clear", "rows = [1, 2]\nrows.clear()\n", "rows", []),
    ("list.sort of literals", "rows = [3, 1, 2]\nrows.sort()\n", "rows", [1, 2, 3]),
    ("list.sort of unknown items: unknown", "rows = [a, b]\nrows.sort()\n", "rows", None),
    ("list.reverse", "rows = [1, 2, 3]\nrows.reverse()\n", "rows", [3, 2, 1]),
    ("list += literal list", "rows = [1]\nrows += [2]\n", "rows", [1, 2]),
    ("list += unknown: unknown", "rows = [1]\nrows += more\n", "rows", None),
    ("lst[i] = v", "rows = [1, 2]\nrows[0] = 5\n", "rows", [5, 2]),
    ("lst[i] = v with an unknown index: unknown", "rows = [1, 2]\nrows[k] = 5\n", "rows", None),
    ("lst[a:b] = literal list", "rows = [1, 2, 3]\nrows[1:] = [7]\n", "rows", [1, 7]),
    ("del lst[i]", "rows = [1, 2, 3]\ndel rows[1]\n", "rows", [1, 3]),
    ("del lst[a:b]", "rows = [1, 2, 3]\ndel rows[:2]\n", "rows", [3]),
    ("an unknown method of a list: unknown", "rows = [1]\nrows.frobnicate()\n", "rows", None),
    ("list.copy is a new list: changing it leaves the original",
     "rows = [1]\nother = rows.copy()\nother.append(2)\n", "rows", [1]),
    ("list(x) is a new list", "rows = [1]\nother = list(rows)\nother.append(2)\n", "rows", [1]),
    # dicts
    ("d[k] = v", "d = {'a': 1}\nd['b'] = 2\n", "d", {"a": 1, "b": 2}),
    ("d[k] = v with an unknown key: unknown", "d = {'a': 1}\nd[k] = 2\n", "d", None),
    ("dict.update with a dict and keywords", "d = {'a': 1}\nd.update({'b': 2}, c=3)\n", "d", {"a": 1, "b": 2, "c": 3}),
    ("dict.update with an unknown mapping: unknown", "d = {'a': 1}\nd.update(other)\n", "d", None),
    ("dict.setdefault adds a missing key", "d = {}\nd.setdefault('a', 1)\n", "d", {"a": 1}),
    ("dict.setdefault keeps a present key", "d = {'a': 1}\nv = d.setdefault('a', 2)\n", "v", 1),
    ("dict.pop", "d = {'a': 1, 'b': 2}\nd.pop('a')\n", "d", {"b": 2}),
    ("del d[k]", "d = {'a': 1, 'b': 2}\ndel d['b']\n", "d", {"a": 1}),
    ("dict.clear", "d = {'a': 1}\nd.clear()\n", "d", {}),
    ("dict.popitem removes the last key", "d = {'a': 1, 'b': 2}\nd.popitem()\n", "d", {"a": 1}),
    ("dict |= dict", "d = {'a': 1}\nd |= {'b': 2}\n", "d", {"a": 1, "b": 2}),
    ("an unknown method of a dict: unknown", "d = {'a': 1}\nd.frobnicate()\n", "d", None),
    # arrays
    ("a[::10] = -1 keeps shape and dtype, the range takes in -1",
     "y = np.random.randint(0, 5, 100)\ny[::10] = -1\n", "y", arr((100,), "int64", -1, 4)),
    ("a[i] = v above the range", "y = np.random.randint(0, 5, 100)\ny[3] = 9\n", "y", arr((100,), "int64", 0, 9)),
    ("a[i] = v inside the range keeps the range",
     "y = np.random.randint(0, 5, 100)\ny[0] = 2\n", "y", arr((100,), "int64", 0, 4)),
    ("a[i] = unknown: range unknown", "y = np.random.randint(0, 5, 100)\ny[0] = v\n", "y", arr((100,), "int64", None, None)),
    ("a[mask] = v inside the range: the masked extremes may be gone, range unknown",
     "y = np.random.randint(0, 10, 100)\ny[y > 4] = 4\n", "y", arr((100,), "int64", None, None)),
    ("a[mask] = v below the range: the low bound is v, the high one unknown",
     "y = np.random.randint(0, 10, 100)\ny[y == 3] = -1\n", "y", arr((100,), "int64", -1, None)),
    ("a[:] = v overwrites everything", "y = np.random.randint(0, 10, 100)\ny[:] = 3\n", "y", arr((100,), "int64", 3, 3)),
    ("a[...] = v overwrites everything", "y = np.zeros((4, 2))\ny[...] = 7\n", "y", arr((4, 2), "float64", 7, 7)),
    ("an empty selection changes nothing", "y = np.zeros(10)\ny[20:] = 5\n", "y", arr((10,), "float64", 0, 0)),
    ("a float stored in an int array is truncated", "y = np.zeros(10, dtype='int32')\ny[0] = 3.7\n", "y",
     arr((10,), "int32", 0, 3)),
    ("a[:] = values in [0, 5) keeps 5 out of the range",
     "y = np.zeros(100)\ny[:] = np.random.rand(100) * 5\nz = y.astype('int32')\n", "z", arr((100,), "int32", 0, 4)),
    ("values in [0, 5) stored in an int array are 0..4",
     "y = np.zeros(100, dtype='int64')\ny[:] = np.random.rand(100) * 5\n", "y", arr((100,), "int64", 0, 4)),
    ("a[i, j] = v on a 2-D array", "x = np.zeros((5, 3))\nx[0, 1] = 2.5\n", "x", arr((5, 3), "float64", 0, 2.5)),
    ("a[i] = array", "x = np.zeros((5, 3))\nx[0] = np.ones(3)\n", "x", arr((5, 3), "float64", 0, 1)),
    ("a += 1 in place", "y = np.random.randint(0, 5, 100)\ny += 1\n", "y", arr((100,), "int64", 1, 5)),
    ("a -= array in place: range unknown", "x = np.zeros(4)\nx -= other\n", "x", arr((4,), "float64", None, None)),
    ("a[i] += v: range unknown", "y = np.zeros(4)\ny[0] += 1\n", "y", arr((4,), "float64", None, None)),
    ("np.random.shuffle keeps shape and range",
     "y = np.random.randint(0, 5, 100)\nnp.random.shuffle(y)\n", "y", arr((100,), "int64", 0, 4)),
    ("Generator.shuffle keeps shape and range",
     "rng = np.random.default_rng(0)\ny = np.random.randint(0, 5, 100)\nrng.shuffle(y)\n", "y", arr((100,), "int64", 0, 4)),
    ("random.shuffle of a list: order unknown", "import random\nrows = [1, 2]\nrandom.shuffle(rows)\n", "rows", None),
    ("random.choice of a list leaves it", "import random\nrows = [1, 2]\nrandom.choice(rows)\n", "rows", [1, 2]),
    ("a.sort() keeps shape and range", "y = np.random.randint(0, 5, 100)\ny.sort()\n", "y", arr((100,), "int64", 0, 4)),
    ("a.resize(...): shape unknown", "x = np.zeros((4, 2))\nx.resize((2, 4))\n", "x", arr(None, "float64", None, None)),
    ("np.ndarray.resize(a, ...): shape unknown", "x = np.zeros((4, 2))\nnp.ndarray.resize(x, (8,))\n", "x",
     arr(None, "float64", None, None)),
    ("a.fill(v)", "x = np.zeros((4, 2))\nx.fill(3)\n", "x", arr((4, 2), "float64", 3, 3)),
    ("a.shape = ...", "x = np.zeros((4, 2))\nx.shape = (2, 4)\n", "x", arr((2, 4), "float64", 0, 0)),
    ("np.copyto(dst, src): dst range unknown", "x = np.zeros(4)\nnp.copyto(x, src)\n", "x",
     arr((4,), "float64", None, None)),
    ("out= of a NumPy function: range unknown", "x = np.zeros(4)\nnp.add(x, 1, out=x)\n", "x",
     arr((4,), "float64", None, None)),
    ("an unknown method of an array: shape kept, range unknown", "x = np.zeros(4)\nx.frobnicate()\n", "x",
     arr((4,), "float64", None, None)),
    ("pure array methods and arithmetic change nothing",
     "x = np.zeros((4, 2))\nx.reshape(8)\nx.astype('float32')\nx.copy()\nx.sum()\nx + 1\nnp.mean(x)\n", "x",
     arr((4, 2), "float64", 0, 0)),
    ("a.copy() is a new array: changing it leaves the original",
     "x = np.zeros(4)\nz = x.copy()\nz[0] = 5\n", "x", arr((4,), "float64", 0, 0)),
    ("a tensor is never changed in place", "import tensorflow as tf\nt = tf.zeros((2, 2))\nt += 1\n", "t",
     arr((2, 2), "float32", 1, 1)),
    # aliases
    ("b = a; b[0] = 5 changes a", "a = np.zeros(4)\nb = a\nb[0] = 5\n", "a", arr((4,), "float64", 0, 5)),
    ("b = a; b.append(...) changes a", "a = []\nb = a\nb.append(1)\n", "a", [1]),
    ("a list inside a tuple sees the change", "rows = []\npair = (rows, 1)\nrows.append(2)\n", "pair", ([2], 1)),
    ("an array inside a dict sees the change", "y = np.zeros(3)\nd = {'y': y}\ny[0] = -2\n", "d",
     {"y": arr((3,), "float64", -2, 0)}),
    ("an item taken from a list is the same object", "xs = [np.zeros(3)]\nxs[0][1] = 4\nx = xs[0]\n", "x",
     arr((3,), "float64", 0, 4)),
    # loops and branches
    ("an array filled in a loop: shape kept, values unknown",
     "x = np.zeros((10, 3))\nfor i in range(n):\n    x[i] = 1\n", "x", arr((10, 3), "float64", None, None)),
    ("an array overwritten item by item in a loop run pass by pass: the old values may all be gone",
     "z = np.full((4,), 7)\nfor i in range(4):\n    z[i] = i % 3\n", "z", arr((4,), "int64", None, None)),
    ("a change in an if branch: probable, not certain (range unknown, shape kept)",
     "y = np.random.randint(0, 5, 100)\nif flag:\n    y[0] = 7\n", "y", arr((100,), "int64", None, None)),
    ("an append in an if branch: unknown", "rows = [1]\nif flag:\n    rows.append(2)\n", "rows", None),
    ("an append in every branch of an if/else: unknown length is not claimed",
     "rows = []\nif flag:\n    rows.append(1)\nelse:\n    rows.append(2)\n", "rows", None),
    ("an append in a comprehension over an unknown iterable: unknown",
     "rows = []\n[rows.append(v) for v in stream()]\n", "rows", None),
    ("an append in a generator expression: unknown", "rows = []\nany(rows.append(v) for v in stream())\n", "rows", None),
    # functions
    ("a function of the file appending to its parameter updates the caller's list",
     "def add(rows, v):\n    rows.append(v)\nrows = []\nadd(rows, 1)\nadd(rows, 2)\n", "rows", [1, 2]),
    ("a function of the file changing an array parameter",
     "def mark(y):\n    y[::10] = -1\ny = np.random.randint(0, 5, 100)\nmark(y)\n", "y", arr((100,), "int64", -1, 4)),
    ("a function of the file changing a global list", "rows = []\ndef add():\n    rows.append(1)\nadd()\n", "rows", [1]),
    ("a function called in a branch changing a global: unknown",
     "rows = []\ndef add():\n    rows.append(1)\nif flag:\n    add()\n", "rows", None),
    ("a function of the file changing its parameter in a loop: unknown",
     "def fill(rows, n):\n    for i in range(n):\n        rows.append(i)\nrows = []\nfill(rows, k)\n", "rows", None),
    ("a function that is not followed (recursive) may change its arguments",
     "def f(rows):\n    f(rows)\nrows = [1]\nf(rows)\n", "rows", None),
    ("a function of an unknown module may change an array's values (shape and dtype stay)",
     "import mylib\ny = np.random.randint(0, 5, 100)\nmylib.process(y)\n", "y", arr((100,), "int64", None, None)),
    ("a function of an unknown module may change a list", "import mylib\nrows = [1]\nmylib.fill(rows)\n", "rows", None),
    ("a function of an unknown module may change the items passed with *",
     "import mylib\ny = np.random.randint(0, 5, 100)\nparts = [y]\nmylib.process(*parts)\n", "y",
     arr((100,), "int64", None, None)),
    ("a method of an unknown object may change its arguments",
     "y = np.random.randint(0, 5, 100)\nthing.consume(y)\n", "y", arr((100,), "int64", None, None)),
    ("a known non-changing library function leaves its argument",
     "import matplotlib.pyplot as plt\ny = np.random.randint(0, 5, 100)\nplt.hist(y)\nprint(y)\nlen(y)\nnp.unique(y)\n",
     "y", arr((100,), "int64", 0, 4)),
    ("Python builtins and IPython's display leave their argument",
     "y = np.random.randint(0, 5, 100)\nsorted(y)\nset(y)\nzip(y, y)\nenumerate(y)\ndisplay(y)\n", "y",
     arr((100,), "int64", 0, 4)),
    ("a rebound builtin name is a function of the file's choosing",
     "import mylib\nsorted = mylib.inplace_sort\ny = np.random.randint(0, 5, 100)\nsorted(y)\n", "y",
     arr((100,), "int64", None, None)),
    ("a plotting method of an unknown object leaves its argument",
     "y = np.random.randint(0, 5, 100)\nax.plot(y)\n", "y", arr((100,), "int64", 0, 4)),
    ("a generator function of the file may change its arguments when iterated",
     "def gen(y):\n    y[0] = 9\n    yield y\ny = np.random.randint(0, 5, 100)\ng = gen(y)\n", "y",
     arr((100,), "int64", None, None)),
]


@pytest.mark.parametrize("pattern, src, name, expected", CASES, ids=[c[0] for c in CASES])
def test_mutation_pattern(pattern, src, name, expected):
    """The value of ``name`` after the mutation named by the case id is the
    one Python gives it (when the analysis can know it) or unknown (None /
    a range of None); the old, stale value would fail the comparison."""
    assert fact(env_of(HEAD + src)[name]) == expected


def test_np_array_of_appended_rows_is_never_empty():
    """``rows = []``, appends in a loop over data, then ``np.array(rows)``:
    the stale empty list would give a (0,) array; the shape is unknown instead,
    while the same program without the appends still gives (0,)."""
    src = HEAD + "rows = []\nfor r in data:\n    rows.append([r, r])\nX = np.array(rows)\n"
    assert env_of(src)["X"] is None
    assert env_of(HEAD + "rows = []\nX = np.array(rows)\n")["X"].shape == (0,)


def test_mutation_inside_branch_does_not_leak_into_other_branch():
    """Each branch sees its own state: the list appended to in the ``if``
    body has one item there and is still empty in the ``else`` body (the
    values reaching the two fit calls)."""
    src = HEAD + """
import keras
m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
m.compile(loss="mse")
rows = []
if flag:
    rows.append([1.0, 2.0])
    m.fit(np.array(rows), np.zeros(1))
else:
    m.fit(np.array(rows), np.zeros(1))
"""
    interp = Interpreter(cst.parse_module(src))
    calls = interp.run().calls
    assert [c.inputs[0].value.shape for c in calls] == [(1, 2), (0,)]


def lint(src, codes=None):
    findings = lint_source(textwrap.dedent(src), "t.py", select())
    return [f for f in findings if f.severity == "error" and (codes is None or f.code in codes)]


SPARSE_MODEL = """
import numpy as np
from tensorflow import keras
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
x = np.random.rand(100, 4).astype("float32")
"""

# Programs that run under TensorFlow (mutation makes them correct): no error.
WORKS = {
    "labels clipped with a mask": SPARSE_MODEL + """
y = np.random.randint(0, 10, 100)
y[y > 4] = 4
model.fit(x, y, epochs=1, verbose=0)
""",
    "labels clipped through an alias": SPARSE_MODEL + """
y = np.random.randint(0, 10, 100)
labels = y
labels[labels >= 5] = 0
model.fit(x, y, epochs=1, verbose=0)
""",
    "labels overwritten with a slice": SPARSE_MODEL + """
y = np.random.randint(0, 10, 100)
y[:] = 1
model.fit(x, y, epochs=1, verbose=0)
""",
    "labels shifted in place": SPARSE_MODEL + """
y = np.random.randint(1, 6, 100)
y -= 1
model.fit(x, y, epochs=1, verbose=0)
""",
    "rows appended in a loop": """
import numpy as np
from tensorflow import keras
rows, labels = [], []
for i in range(int("40")):
    rows.append(np.random.rand(4))
    labels.append(i % 2)
X = np.array(rows, dtype="float32")
Y = np.array(labels)
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(X, Y, epochs=1, verbose=0)
""",
    "rows appended by a function": """
import numpy as np
from tensorflow import keras
def add(rows, n):
    for _ in range(n):
        rows.append([0.5, 0.5, 0.5])
rows = []
add(rows, 8)
X = np.array(rows, dtype="float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X, np.zeros(8), epochs=1, verbose=0)
""",
    "named inputs added with d[k] = v and update": """
import numpy as np
from tensorflow import keras
a = keras.Input(shape=(3,), name="a")
b = keras.Input(shape=(2,), name="b")
c = keras.Input(shape=(1,), name="c")
h = keras.layers.Concatenate()([a, b, c])
model = keras.Model(inputs=[a, b, c], outputs=keras.layers.Dense(1)(h))
model.compile(optimizer="adam", loss="mse")
inputs = {"a": np.zeros((8, 3), dtype="float32")}
inputs["b"] = np.zeros((8, 2), dtype="float32")
inputs.update({"c": np.zeros((8, 1), dtype="float32")})
model.fit(inputs, np.zeros(8), epochs=1, verbose=0)
""",
    "layers collected in a list with append": """
import numpy as np
from tensorflow import keras
stack = [keras.Input(shape=(4,))]
for units in (16, 8):
    stack.append(keras.layers.Dense(units, activation="relu"))
stack.append(keras.layers.Dense(10, activation="softmax"))
model = keras.Sequential(stack)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(50, 4), np.random.randint(0, 10, 50), epochs=1, verbose=0)
""",
    "array reshaped by setting its shape": """
import numpy as np
from tensorflow import keras
x = np.zeros((8, 6), dtype="float32")
x.shape = (8, 2, 3)
model = keras.Sequential([keras.Input(shape=(2, 3)), keras.layers.Flatten(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(x, np.zeros(8), epochs=1, verbose=0)
""",
}


@pytest.mark.parametrize("name", sorted(WORKS))
def test_working_program_with_mutation_has_no_error(name):
    """A program that runs under TF (checked by running it) and changes its
    data in place before fit: the analysis must not keep the stale value and
    report an error."""
    assert lint(WORKS[name]) == []


ERRORS = {
    "a negative label written with a slice": (SPARSE_MODEL + """
y = np.random.randint(0, 5, 100)
y[::10] = -1
model.fit(x, y, epochs=1, verbose=0)
""", "FIT201", "-1"),
    "a too-large label written through an alias": (SPARSE_MODEL + """
y = np.random.randint(0, 5, 100)
labels = y
labels[0] = 7
model.fit(x, y, epochs=1, verbose=0)
""", "FIT201", "7"),
    "a too-large label written by a function of the file": (SPARSE_MODEL + """
def corrupt(labels):
    labels[3] = 9
y = np.random.randint(0, 5, 100)
corrupt(y)
model.fit(x, y, epochs=1, verbose=0)
""", "FIT201", "9"),
    "an output layer appended to a list of layers": ("""
import numpy as np
from tensorflow import keras
stack = [keras.Input(shape=(4,)), keras.layers.Dense(16, activation="relu")]
stack.append(keras.layers.Dense(3, activation="softmax"))
model = keras.Sequential(stack)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(50, 4), np.random.randint(0, 10, 50), epochs=1, verbose=0)
""", "FIT201", "9"),
    "labels shifted up in place": (SPARSE_MODEL + """
y = np.random.randint(0, 5, 100)
y += 1
model.fit(x, y, epochs=1, verbose=0)
""", "FIT201", "5"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_known_update_keeps_true_error(name):
    """Where the mutation's effect is known, the true error it causes is
    still found, with the value it wrote in the message."""
    src, code, value = ERRORS[name]
    found = lint(src, {code})
    assert len(found) == 1 and f"reach {value} " in found[0].message, [f.message for f in found]


def test_calling_a_model_on_data_leaves_the_data():
    """``model(x)`` (a Keras model called eagerly on an array) does not
    change the array: its shape and range stay known."""
    env = env_of(HEAD + """
import keras
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
x = np.random.rand(4, 3)
m(x)
""")
    assert fact(env["x"]) == arr((4, 3), "float64", 0, 1)


@pytest.mark.parametrize("src, name, expected", [
    ("rows = []\ndef collect(v):\n    rows.append(v)\nds = tf.data.Dataset.range(3).map(collect)\n", "rows", None),
    ("y = np.zeros(4)\ndef cb(epoch, logs):\n    y[0] = epoch\nk = keras.callbacks.LambdaCallback(on_epoch_end=cb)\n",
     "y", arr((4,), "float64", None, None)),
    ("y = np.zeros(4)\ndef pure(v):\n    return v + 1\nds = tf.data.Dataset.range(3).map(pure)\n",
     "y", arr((4,), "float64", 0, 0)),
])
def test_functions_handed_to_library_code(src, name, expected):
    """A function of the file given to library code (``Dataset.map``, a
    callback) may run at any time: what it changes in place becomes unknown;
    a function that changes nothing leaves the values known."""
    assert fact(env_of(HEAD + "import tensorflow as tf\nimport keras\n" + src)[name]) == expected


@pytest.mark.parametrize("src, expected", [
    ("X = np.random.randint(0, 9, (20, 3))\nfor row in X:\n    row[row > 4] = 4\n", arr((20, 3), "int64", None, None)),
    ("X = np.random.randint(0, 9, (20, 3))\nfor i, row in enumerate(X):\n    row += 1\n", arr((20, 3), "int64", None, None)),
    ("X = np.random.randint(0, 9, (20, 3))\nfor row in X:\n    print(row)\n", arr((20, 3), "int64", 0, 8)),
])
def test_loop_variable_changed_in_place(src, expected):
    """Rows of an array iterated over are views: changing the loop variable
    in place changes the array (its values become unknown); only reading it
    keeps the array's range."""
    assert fact(env_of(HEAD + src)["X"]) == expected


def test_aliases_stay_aliases_after_a_branch():
    """Two names for one array changed in a branch still name one object
    afterwards: a later resize through one name makes the other's shape
    unknown too."""
    env = env_of(HEAD + "a = np.zeros((4, 2))\nb = a\nif flag:\n    a[0] = 1\nb.resize((8,))\n")
    assert env["a"] is env["b"] and env["a"].shape is None


def test_finding_points_at_the_change():
    """The related location of a label-range error caused by an in-place
    change shows the statement that wrote the bad value, not only where the
    array was first built."""
    found = lint(ERRORS["a negative label written with a slice"][0], {"FIT201"})
    assert any("y built here: y[::10] = -1" in r.message for r in found[0].related), found[0].related


def test_loop_rebinding_to_the_same_shape_once_is_not_trusted():
    """A loop body is analysed once: an array rebound there to a new array
    whose shape matches the one before the loop only on the first pass
    (``k`` grows each pass) has an unknown value after the loop, while an
    array changed in place keeps its shape."""
    env = env_of(HEAD + "k = 3\nx = np.zeros((5, k))\nw = np.zeros((5, 3))\nfor _ in data:\n"
                        "    x = np.zeros((5, k))\n    k += 1\n    w[0] = 2\n")
    assert env["x"] is None
    assert fact(env["w"]) == arr((5, 3), "float64", None, None)
