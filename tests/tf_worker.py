"""Runs fixture scripts under real TensorFlow, one after another, in this one
process. Reads one path per line on stdin; writes one JSON line per case:
{"path", "status": "ok"|"raised", "exception", "message", "line", "steps"}.
``message`` is the exception's whole text (every line; past MESSAGE_LIMIT
characters, its head and tail); ``line`` is the line of the script's own
statement that failed (the innermost traceback frame in the script, or a
SyntaxError's line); ``steps`` counts the batches that fit/evaluate/predict completed."""
import contextlib
import io
import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

STEPS = [0]
MESSAGE_LIMIT = 4000


class _Count(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        STEPS[0] += 1

    def on_test_batch_end(self, batch, logs=None):
        STEPS[0] += 1

    def on_predict_batch_end(self, batch, logs=None):
        STEPS[0] += 1


def _counting(method):
    def wrapper(self, *args, **kwargs):
        callbacks = kwargs.get("callbacks")
        if not isinstance(callbacks, keras.callbacks.CallbackList):  # fit's own validation pass
            kwargs["callbacks"] = list(callbacks or []) + [_Count()]
        return method(self, *args, **kwargs)
    return wrapper


for _name in ("fit", "evaluate", "predict"):
    setattr(keras.Model, _name, _counting(getattr(keras.Model, _name)))


def trimmed(message):
    """``message`` if short enough, else its head and its tail: TF puts the
    op's stack in the middle and the mismatch itself at the end."""
    if len(message) <= MESSAGE_LIMIT:
        return message
    head = MESSAGE_LIMIT // 4
    return message[:head] + "\n[...]\n" + message[-(MESSAGE_LIMIT - head):]


def failing_line(exc, path):
    """The line of ``path`` whose statement raised ``exc``, or None."""
    if isinstance(exc, SyntaxError) and exc.filename == path:
        return exc.lineno
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == path:
            line = lineno
    return line


def _run_notebook(source):
    """A ``.ipynb`` path: runs its code cells in order as IPython runs them,
    in a fresh namespace and a scratch directory; raises the first cell's
    failure."""
    import tempfile
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    shell.reset(new_session=False)
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            for number, cell in enumerate(json.loads(source)["cells"], 1):
                if cell["cell_type"] != "code":
                    continue
                text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                result = shell.run_cell(text, store_history=False, silent=False)
                error = result.error_before_exec or result.error_in_exec
                if error is not None:
                    if hasattr(error, "add_note"):
                        error.add_note(f"in notebook cell {number}")
                    raise error
        finally:
            os.chdir(here)


@contextlib.contextmanager
def _importable(path):
    """Run a script as Python would: its folder first on ``sys.path``; inside
    a package (folders with ``__init__.py``), as ``python -m pkg.script`` with
    the package's parent on the path, so relative imports work; with a
    ``pyproject.toml`` above it, its ``src`` folder too, as an editable
    install would. The project's modules are forgotten afterwards, so the
    next case with same-named modules imports its own. Yields ``__package__``."""
    folder = os.path.dirname(os.path.abspath(path))
    parts = []
    top = folder
    while os.path.isfile(os.path.join(top, "__init__.py")):
        parts.insert(0, os.path.basename(top))
        top = os.path.dirname(top)
    added = [top if parts else folder]
    current = folder
    while current != os.path.dirname(current):
        if os.path.isfile(os.path.join(current, "pyproject.toml")):
            if os.path.isdir(os.path.join(current, "src")):
                added.append(os.path.join(current, "src"))
            break
        current = os.path.dirname(current)
    before = set(sys.modules)
    sys.path[:0] = added
    try:
        yield ".".join(parts) or None
    finally:
        del sys.path[:len(added)]
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if any(module_file.startswith(a + os.sep) for a in added):
                del sys.modules[name]


def run(path):
    STEPS[0] = 0
    keras.backend.clear_session()
    np.random.seed(0)
    tf.random.set_seed(0)
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    sink = io.StringIO()
    try:
        if path.endswith(".ipynb"):
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                _run_notebook(source)
            return {"path": path, "status": "ok", "exception": None, "message": "", "line": None, "steps": STEPS[0]}
        code = compile(source, path, "exec")
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), _importable(path) as package:
            exec(code, {"__name__": "__main__", "__file__": path, "__package__": package})
    except BaseException as exc:  # report every failure, including SystemExit
        return {"path": path, "status": "raised", "exception": type(exc).__name__,
                "message": trimmed(str(exc).strip()), "line": failing_line(exc, path),
                "steps": STEPS[0], "trace": traceback.format_exc(limit=3)[-800:]}
    return {"path": path, "status": "ok", "exception": None, "message": "", "line": None, "steps": STEPS[0]}


def main():
    sys.stdout.write(json.dumps({"ready": tf.__version__, "keras": keras.__version__}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        path = line.strip()
        if path:
            sys.stdout.write(json.dumps(run(path)) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
