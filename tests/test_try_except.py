"""Deliberate error demos: a statement inside ``try:`` whose ``except`` catches
what TensorFlow would raise does not fail the program, so it is not reported
as an error. Handlers that catch something else, or raise again, do not hide
the error."""
import textwrap

import pytest

from fitlint.engine import lint_source
from fitlint.rules import select
from fitlint.rules.base import caught

# FIT101: the data has rank 2, the model input rank 4 -> Keras raises ValueError.
RANK = """
import numpy as np
import tensorflow as tf
{imports}
model = tf.keras.Sequential([
    tf.keras.layers.Input(shape=(28, 28, 1)),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
x = np.random.rand(16, 784).astype("float32")
y = np.random.randint(0, 10, 16)
{body}
"""

# FIT201: a label reaches the output units -> TF raises InvalidArgumentError.
SPARSE = """
import numpy as np
import tensorflow as tf
{imports}
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(4,)), tf.keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
x = np.random.rand(16, 4).astype("float32")
y = np.random.randint(0, 5, 16)
{body}
"""

# FIT210: to_categorical with a label >= num_classes -> IndexError.
CATEGORICAL = """
import numpy as np
from tensorflow.keras.utils import to_categorical
{imports}
labels = np.array([0, 1, 2, 4])
{body}
"""


def errors(template, body, imports=""):
    """(line, code) of every error finding of the program."""
    source = textwrap.dedent(template).format(imports=imports, body=textwrap.dedent(body).strip())
    return sorted((f.line, f.code) for f in lint_source(source, "t.py", select()) if f.severity == "error")


def wrap(statement, handler, handler_body="pass"):
    return f"try:\n    {statement}\nexcept {handler}:\n    {handler_body}\n" if handler else \
        f"try:\n    {statement}\nexcept:\n    {handler_body}\n"


@pytest.mark.parametrize("handler", [
    "ValueError", "Exception", "BaseException", None, "(KeyError, ValueError)", "(TypeError, Exception)",
    "ValueError as e", "builtins.ValueError",
])
def test_value_error_handlers_suppress(handler):
    """FIT101 (ValueError) inside try is silent for its class, its bases, a bare
    except, a tuple containing one of them, and the builtins module spelling."""
    assert errors(RANK, wrap("model.fit(x, y)", handler), imports="import builtins") == []


@pytest.mark.parametrize("handler", [
    "KeyError", "TypeError", "tf.errors.InvalidArgumentError", "(KeyError, IndexError)", "ArithmeticError",
])
def test_other_handlers_do_not_suppress(handler):
    """A handler for another class (InvalidArgumentError is not a ValueError)
    leaves the FIT101 error on the fit call."""
    assert errors(RANK, wrap("model.fit(x, y)", handler)) == [(14, "FIT101")]


@pytest.mark.parametrize("imports, handler", [
    ("", "tf.errors.InvalidArgumentError"),
    ("", "tf.errors.OpError"),
    ("from tensorflow.errors import InvalidArgumentError", "InvalidArgumentError"),
    ("from tensorflow import errors as tferr", "tferr.OpError"),
    ("import tensorflow.errors", "tensorflow.errors.InvalidArgumentError"),
    ("", "Exception"),
])
def test_invalid_argument_handlers_suppress(imports, handler):
    """FIT201 (InvalidArgumentError) is silent under tf.errors.InvalidArgumentError
    or OpError, however imported, and under Exception."""
    assert errors(SPARSE, wrap("model.fit(x, y)", handler), imports) == []


@pytest.mark.parametrize("handler", ["ValueError", "KeyError", "TypeError"])
def test_invalid_argument_is_not_a_value_error(handler):
    """InvalidArgumentError is not a ValueError subclass: except ValueError
    leaves FIT201 reported."""
    assert errors(SPARSE, wrap("model.fit(x, y)", handler)) == [(10, "FIT201")]


@pytest.mark.parametrize("handler, reported", [
    ("IndexError", False), ("LookupError", False), ("Exception", False), ("KeyError", True), ("ValueError", True),
])
def test_index_error_handlers(handler, reported):
    """FIT210 (IndexError) is silent under IndexError and its base LookupError,
    reported under KeyError (a sibling) or ValueError."""
    found = errors(CATEGORICAL, wrap("onehot = to_categorical(labels, num_classes=3)", handler))
    assert found == ([(7, "FIT210")] if reported else [])


def test_same_statement_without_try_is_an_error():
    """The control: the buggy fit outside any try is an error, inside a try
    with except ValueError it is silent."""
    assert errors(RANK, "model.fit(x, y)") == [(13, "FIT101")]
    assert errors(RANK, wrap("model.fit(x, y)", "ValueError")) == []


def test_print_the_error():
    """`except Exception as e: print(e)` -- the usual demo -- catches it."""
    assert errors(RANK, wrap("model.fit(x, y)", "Exception as e", "print(e)")) == []


@pytest.mark.parametrize("handler_body", ["raise", "raise RuntimeError('failed') from e",
                                          "if True:\n        raise"])
def test_handler_that_raises_again_still_reports(handler_body):
    """A handler that raises again does not stop the program failing."""
    assert errors(RANK, wrap("model.fit(x, y)", "ValueError as e", handler_body)) == [(14, "FIT101")]


def test_try_finally_without_except_reports():
    """try/finally catches nothing."""
    assert errors(RANK, "try:\n    model.fit(x, y)\nfinally:\n    print('done')\n") == [(14, "FIT101")]


def test_only_the_try_body_is_covered():
    """The else, except and finally blocks are not protected by their own try."""
    body = """
    try:
        pass
    except ValueError:
        model.fit(x, y)
    else:
        model.evaluate(x, y)
    finally:
        model.predict(x)
    """
    assert errors(RANK, body) == [(16, "FIT101"), (18, "FIT101"), (20, "FIT101")]


def test_nested_try():
    """An outer handler that catches covers an inner try whose handler does not;
    an inner handler that catches covers the statement even if the outer does not."""
    outer = """
    try:
        try:
            model.fit(x, y)
        except KeyError:
            pass
    except ValueError:
        pass
    """
    inner = """
    try:
        try:
            model.fit(x, y)
        except Exception:
            pass
    except KeyError:
        pass
    """
    neither = """
    try:
        try:
            model.fit(x, y)
        except KeyError:
            pass
    except TypeError:
        pass
    """
    assert errors(RANK, outer) == []
    assert errors(RANK, inner) == []
    assert errors(RANK, neither) == [(15, "FIT101")]


def test_called_function_is_covered_by_the_callers_try():
    """A function whose body fails, called inside try/except ValueError, does
    not fail the program; called outside it does."""
    body = """
    def train(data):
        model.fit(data, y)

    try:
        train(x)
    except ValueError:
        pass
    """
    assert errors(RANK, body) == []
    assert errors(RANK, body.replace("except ValueError", "except KeyError"))


def test_unresolved_handler_does_not_suppress():
    """A name fitlint cannot resolve to an exception class (a user-defined
    class) catches nothing here."""
    body = """
    class MyError(Exception):
        pass

    try:
        model.fit(x, y)
    except MyError:
        pass
    """
    assert errors(RANK, body) == [(17, "FIT101")]


def test_shadowed_builtin_does_not_suppress():
    """`ValueError` rebound to something else is not the builtin class."""
    body = """
    ValueError = KeyError
    try:
        model.fit(x, y)
    except ValueError:
        pass
    """
    assert errors(RANK, body) == [(15, "FIT101")]


def test_warnings_stay():
    """Only errors are dropped: a warning inside a try that catches everything stays."""
    source = textwrap.dedent("""
    import numpy as np
    import tensorflow as tf
    labels = np.random.randint(0, 5, 100)
    try:
        targets = tf.one_hot(labels, depth=3)
    except Exception:
        pass
    """)
    assert [(f.code, f.severity) for f in lint_source(source, "t.py", select())] == [("FIT208", "warning")]


@pytest.mark.parametrize("exception, handlers, expected", [
    ("ValueError", {"builtins.ValueError"}, True),
    ("ValueError", {"tensorflow.errors.InvalidArgumentError"}, False),
    ("InvalidArgumentError", {"builtins.ValueError"}, False),
    ("InvalidArgumentError", {"tensorflow.python.framework.errors_impl.OpError"}, True),
    ("InvalidArgumentError|ValueError", {"builtins.ValueError"}, True),
    ("IndexError", {"builtins.LookupError"}, True),
    ("IndexError", {"builtins.KeyError"}, False),
    ("ValueError", {"*"}, True),
    ("ValueError", set(), False),
    (None, {"*"}, False),
])
def test_caught(exception, handlers, expected):
    """The exception hierarchy the rule layer applies to recorded handlers."""
    assert caught(exception, handlers) is expected


def test_no_dry_run_candidate_inside_try():
    """--confirm=all builds no FIT503 dry run for a call inside try/except (its
    failure may be the point, and a dropped error must not come back as
    FIT503); the same call outside a try gets its program."""
    def candidates(body):
        source = textwrap.dedent(RANK).format(imports="", body=textwrap.dedent(body).strip())
        found = lint_source(source, "t.py", select(), programs="all")
        return [(f.code, f.line) for f in found if f.program]

    assert candidates(wrap("model.fit(x.reshape(-1, 28, 28, 1), y)", "ValueError")) == []
    assert candidates(wrap("model.fit(x, y)", "ValueError")) == []
    assert candidates("model.fit(x.reshape(-1, 28, 28, 1), y)") == [("FIT503", 13)]
