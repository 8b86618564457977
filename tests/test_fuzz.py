"""Property-based tests: whatever program fitlint is given (Python programs
from the grammar, Keras-like training scripts, notebooks with magics), the
static path never fails internally (no exception escapes, no FIT001).

A short run is part of the normal suite; the long run is
``pytest -m fuzz tests/test_fuzz.py -s`` (FITLINT_FUZZ_EXAMPLES sets the
number of programs per test, default 3000)."""
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitlint.engine import lint_source
from fitlint.rules import ALL_RULES

def grammar_programs():
    """hypothesmith's programs from Python's grammar (imported when first
    drawn: the import alone takes a second)."""
    return st.deferred(lambda: __import__("hypothesmith").from_grammar())


def tree_programs():
    """hypothesmith's programs built from LibCST syntax trees."""
    return st.deferred(lambda: __import__("hypothesmith").from_node())


SHORT = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
LONG = settings(max_examples=int(os.environ.get("FITLINT_FUZZ_EXAMPLES", "3000")), deadline=None,
                suppress_health_check=list(HealthCheck), database=None)
SLOW_LONG = settings(LONG, max_examples=max(1, LONG.max_examples // 10))
TRIED = {"programs": 0}
if os.environ.get("FITLINT_FUZZ_REPORT"):  # the count, even when the run is interrupted
    import atexit

    atexit.register(lambda: print(f"fuzz: {TRIED['programs']} programs tried", flush=True))


def no_internal_failure(source: str, path: str = "fuzz.py") -> None:
    TRIED["programs"] += 1
    findings = lint_source(source, path, ALL_RULES, programs="all")
    failures = [f.message for f in findings if f.code == "FIT001"]
    assert not failures, (failures, source)


# ------------------------------------------------------- Keras-like scripts
dims = st.one_of(st.integers(-3, 12), st.sampled_from([0, 1, 28, 10 ** 20, -1]))
small = st.integers(-2, 40)
names = st.sampled_from(["x", "y", "x_train", "y_train", "data", "labels", "n", "k"])


@st.composite
def shapes(draw, min_rank=0, max_rank=4):
    return tuple(draw(dims) for _ in range(draw(st.integers(min_rank, max_rank))))


@st.composite
def arrays(draw):
    shape = draw(shapes(0, 4))
    kind = draw(st.sampled_from(["zeros", "ones", "rand", "randint", "arange", "name", "slice", "reshape",
                                 "onehot", "concat", "astype", "expand", "tensor"]))
    if kind in ("zeros", "ones"):
        return f"np.{kind}({shape!r}, dtype={draw(st.sampled_from(['np.float32', 'int', 'np.uint8', 'bool']))})"
    if kind == "rand":
        return f"np.random.rand({', '.join(map(str, shape))})"
    if kind == "randint":
        return f"np.random.randint({draw(small)}, {draw(small)}, size={shape!r})"
    if kind == "arange":
        return f"np.arange({draw(dims)})"
    if kind == "name":
        return draw(names)
    if kind == "slice":
        parts = [draw(st.sampled_from([":", f"{draw(small)}:{draw(small)}", f"::{draw(small)}", f"{draw(small)}",
                                       "None", "...", f"-{draw(small)}:"])) for _ in range(draw(st.integers(1, 3)))]
        return f"{draw(names)}[{', '.join(parts)}]"
    if kind == "reshape":
        return f"{draw(names)}.reshape({shape!r})"
    if kind == "onehot":
        return f"keras.utils.to_categorical({draw(names)}, {draw(dims)})"
    if kind == "concat":
        return f"np.concatenate([{draw(names)}, {draw(names)}], axis={draw(st.integers(-3, 3))})"
    if kind == "astype":
        return f"{draw(names)}.astype('float32') / 255.0"
    if kind == "expand":
        return f"np.expand_dims({draw(names)}, {draw(st.integers(-4, 4))})"
    return f"tf.constant({draw(names)})"


@st.composite
def layers(draw):
    kind = draw(st.sampled_from(["Dense", "Conv2D", "MaxPooling2D", "Flatten", "Reshape", "Embedding", "Dropout",
                                 "LSTM", "Conv1D", "GlobalAveragePooling2D", "Concatenate", "Input"]))
    if kind == "Dense":
        return f"layers.Dense({draw(dims)}, activation={draw(st.sampled_from(['None', repr('softmax'), repr('relu')]))})"
    if kind in ("Conv2D", "Conv1D"):
        padding = draw(st.sampled_from(["same", "valid"]))
        return f"layers.{kind}({draw(dims)}, {draw(dims)}, strides={draw(dims)}, padding={padding!r})"
    if kind == "MaxPooling2D":
        return f"layers.MaxPooling2D(pool_size={draw(dims)}, strides={draw(dims)})"
    if kind == "Reshape":
        return f"layers.Reshape({draw(shapes(0, 3))!r})"
    if kind == "Embedding":
        return f"layers.Embedding({draw(dims)}, {draw(dims)})"
    if kind == "Dropout":
        return "layers.Dropout(0.5)"
    if kind == "LSTM":
        return f"layers.LSTM({draw(dims)}, return_sequences={draw(st.booleans())})"
    if kind == "Input":
        return f"keras.Input(shape={draw(shapes(0, 3))!r})"
    return f"layers.{kind}()"


@st.composite
def statements(draw, depth=0):
    kind = draw(st.sampled_from(["assign", "model", "functional", "compile", "fit", "loop", "if", "def", "class",
                                 "aug", "append", "bigint", "print", "try", "while", "call"]
                                if depth < 2 else ["assign", "compile", "fit", "aug", "append", "print"]))
    name = draw(names)
    if kind == "assign":
        return [f"{name} = {draw(arrays())}"]
    if kind == "model":
        items = ", ".join(draw(st.lists(layers(), max_size=5)))
        return [f"model = keras.Sequential([{items}])"]
    if kind == "functional":
        return [f"inp = keras.Input(shape={draw(shapes(0, 3))!r})", f"out = {draw(layers())}(inp)",
                f"out = {draw(layers())}(out)", "model = keras.Model(inp, out)"]
    if kind == "compile":
        loss = draw(st.sampled_from(["mse", "sparse_categorical_crossentropy", "categorical_crossentropy",
                                     "binary_crossentropy", "mae"]))
        return [f"model.compile(optimizer='adam', loss={loss!r}, metrics=['accuracy'])"]
    if kind == "fit":
        method = draw(st.sampled_from(["fit", "evaluate", "predict", "train_on_batch"]))
        return [f"model.{method}({draw(names)}, {draw(names)}, batch_size={draw(dims)}, epochs=1)"]
    body = ["    " + line for s in draw(st.lists(statements(depth + 1), min_size=1, max_size=3)) for line in s]
    if kind == "loop":
        return [f"for {name} in {draw(st.sampled_from(['range(%d)' % draw(small), '[1, 2, 3]', 'data']))}:"] + body
    if kind == "while":
        return [f"while {name} < {draw(dims)}:"] + body
    if kind == "if":
        return [f"if {name} > {draw(small)}:"] + body + ["elif n:", "    pass", "else:"] + body
    if kind == "def":
        return [f"def build({name}, k={draw(small)}):"] + body + [f"    return {name}",
                                                                  f"{draw(names)} = build({draw(arrays())})"]
    if kind == "class":
        return ["class Net(keras.Model):", "    def __init__(self):", "        super().__init__()",
                f"        self.d = {draw(layers())}", "    def call(self, x):", "        return self.d(x)",
                "model = Net()"]
    if kind == "aug":
        return [f"{name} {draw(st.sampled_from(['+=', '*=', '/=', '**=', '//=']))} {draw(dims)}"]
    if kind == "append":
        return [f"{name} = []", f"{name}.append({draw(arrays())})", f"{name} = np.array({name})"]
    if kind == "bigint":
        return [f"{name} = {draw(st.sampled_from(['2', '10**5000', '9' * 50]))}"] + \
               [f"{name} = {name} ** {name}" for _ in range(draw(st.integers(0, 6)))]
    if kind == "print":
        return [f"print(f'{{{name}}}', {name}.shape)"]
    if kind == "try":
        return ["try:"] + body + ["except ValueError:", "    pass"]
    return [f"{name} = {draw(st.sampled_from(['len', 'int', 'max', 'sum', 'tf.reshape', 'np.squeeze']))}({name})"]


HEADER = ["import numpy as np", "import tensorflow as tf", "from tensorflow import keras",
          "from tensorflow.keras import layers"]


@st.composite
def training_scripts(draw):
    body = [line for s in draw(st.lists(statements(), min_size=1, max_size=12)) for line in s]
    return "\n".join(HEADER + body) + "\n"


MAGICS = ["%matplotlib inline", "!pip install -q tensorflow", "%%time", "x = !ls", "%load_ext autoreload",
          "model.fit?", "%%capture out", "%%bash\necho hi"]


@st.composite
def notebooks(draw):
    script = draw(training_scripts()).splitlines()
    cells, at = [], 0
    while at < len(script):
        size = draw(st.integers(1, 6))
        lines = script[at:at + size]
        at += size
        if draw(st.booleans()):
            lines = [draw(st.sampled_from(MAGICS))] + lines
        source = [line + "\n" for line in lines]
        cells.append({"cell_type": draw(st.sampled_from(["code", "code", "markdown"])), "metadata": {},
                      "source": source if draw(st.booleans()) else "".join(source), "outputs": []})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# ------------------------------------------------------------------ short
@SHORT
@given(grammar_programs())
def test_grammar_programs(source):
    """Programs from Python's grammar never make fitlint fail internally."""
    no_internal_failure(source)


@SHORT
@given(tree_programs())
def test_syntax_tree_programs(source):
    """Programs built from LibCST syntax trees never make fitlint fail internally."""
    no_internal_failure(source)


@SHORT
@given(training_scripts())
def test_training_scripts(source):
    """Random Keras-like training scripts never make fitlint fail internally."""
    no_internal_failure(source)


@SHORT
@given(notebooks())
def test_notebooks(source):
    """Random notebooks of such scripts, with magics, never make fitlint fail internally."""
    no_internal_failure(source, "fuzz.ipynb")


# ------------------------------------------------------------------- long
@pytest.mark.fuzz
@LONG
@given(training_scripts())
def test_long_training_scripts(source):
    """The long run over generated training scripts."""
    no_internal_failure(source)


@pytest.mark.fuzz
@LONG
@given(notebooks())
def test_long_notebooks(source):
    """The long run over generated notebooks."""
    no_internal_failure(source, "fuzz.ipynb")


@pytest.mark.fuzz
@SLOW_LONG
@given(st.one_of(grammar_programs(), tree_programs()))
def test_long_python_programs(source):
    """The long run over programs from Python's grammar and LibCST trees
    (slow to generate: a tenth of the others' examples)."""
    no_internal_failure(source)


@pytest.mark.fuzz
def test_long_run_count():
    """Reports how many programs the long run tried (runs after the others)."""
    print(f"\nfuzz: {TRIED['programs']} programs tried")
    assert TRIED["programs"] > 0
