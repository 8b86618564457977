"""Run one program that uses neural_structured_learning's Keras wrappers and
print how it ended, as JSON: {"status": "ok"} or {"status": "raised",
"exception": class name, "message": text, "line": the program's own line}.

Run with a Python that has neural-structured-learning and tf-keras
installed (nsl's Keras wrappers need Keras 2: TF_USE_LEGACY_KERAS=1).
neural_structured_learning/__init__.py imports its estimator subpackage,
which needs tf.estimator (gone since TF 2.16); the Keras wrappers do not
use it, so it is replaced by an empty module before the import.
"""
import json
import os
import runpy
import sys
import traceback
import types

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.modules["neural_structured_learning.estimator"] = types.ModuleType("neural_structured_learning.estimator")


def main(path: str) -> None:
    try:
        runpy.run_path(path, run_name="__main__")
    except BaseException as exc:  # the program's failure is the result
        here = os.path.abspath(path)
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename) == here]
        result = {"status": "raised", "exception": type(exc).__name__, "message": str(exc),
                  "line": frames[-1].lineno if frames else None}
    else:
        result = {"status": "ok"}
    sys.stdout.write("\nNSL-RESULT " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
