"""Project modules: imports of the checked project's own modules are followed
(fitlint/analysis/project.py), and argparse/absl flag defaults are read as
probable values (fitlint/analysis/flags.py)."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fitlint.engine import lint_source
from fitlint.output import FORMATS
from fitlint.rules import select

from conftest import FIXTURES, ROOT, lint_fixture, pin, pin_problems

PROJECTS = FIXTURES / "projects"
BUGGY = sorted(PROJECTS.rglob("*_buggy.py"))
FIXED = sorted(PROJECTS.rglob("*_fixed.py"))


def _write(root: Path, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _lint(path: Path):
    if FIXTURES in path.parents:  # the fixtures' findings are worked out once per session
        return lint_fixture(path, select(["ALL"]))
    return lint_source(path.read_bytes(), str(path), select(["ALL"]))


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "fitlint", "check", "--no-cache", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


MODELS = """
    from tensorflow import keras

    def build_model(features):
        model = keras.Sequential([keras.Input(shape=(features,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model
"""
TRAIN = """
    import numpy as np
    {import_line}

    model = {call}
    model.fit(np.random.rand(8, 3), np.random.rand(8), verbose=0)
"""


def test_project_fixtures_are_paired():
    """Every buggy project script has a fixed twin, and there are at least four projects."""
    assert len(BUGGY) >= 4 and len(BUGGY) == len(FIXED)
    assert {p.name.replace("_buggy", "") for p in BUGGY} == {p.name.replace("_fixed", "") for p in FIXED}


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: str(p.relative_to(PROJECTS)))
def test_buggy_project_fails_under_tensorflow(path, tf_runner):
    """The buggy entry script, run with its project importable, raises the
    pinned exception with the pinned message on the pinned line."""
    result = tf_runner.run(path)
    assert not pin_problems(pin(path), result), result


@pytest.mark.parametrize("path", FIXED, ids=lambda p: str(p.relative_to(PROJECTS)))
def test_fixed_project_trains(path, tf_runner):
    """The fixed entry script runs to its end and trains at least one batch."""
    result = tf_runner.run(path)
    assert result["status"] == "ok" and result["steps"] >= 1, result


@pytest.mark.parametrize("path", FIXED, ids=lambda p: str(p.relative_to(PROJECTS)))
def test_fixed_project_has_no_finding(path):
    """fitlint, with every rule, reports nothing on the working entry script."""
    assert _lint(path) == []


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: str(p.relative_to(PROJECTS)))
def test_buggy_project_finding_points_into_the_other_module(path):
    """The finding on the buggy entry script has a related location in
    another file of the project (where the model or the data was built)."""
    findings = _lint(path)
    assert findings
    assert any(r.path != str(path) and Path(r.path).is_file() for f in findings for r in f.related), findings


def test_related_location_in_every_output_format():
    """Each output format carries the other file's path and line for the
    related location (concise, full, json, sarif, github, rdjson)."""
    path = PROJECTS / "relative_package" / "trainer" / "task_buggy.py"
    findings = _lint(path)
    other = [r for f in findings for r in f.related if r.path.endswith("models.py")]
    assert other
    for name, render in FORMATS.items():
        text = render(findings)
        assert "models.py" in text, name
        if name == "json":
            related = json.loads(text)[0]["related"]
            assert any(r["path"].endswith("models.py") and r["line"] == other[0].line for r in related)
        if name == "sarif":
            locations = json.loads(text)["runs"][0]["results"][0]["relatedLocations"]
            assert any(loc["physicalLocation"]["artifactLocation"]["uri"].endswith("trainer/models.py")
                       for loc in locations)


@pytest.mark.parametrize("import_line, call", [
    ("from models import build_model", "build_model(4)"),
    ("import models", "models.build_model(4)"),
    ("import models as m", "m.build_model(features=4)"),
    ("from models import *", "build_model(4)"),
])
def test_sibling_module_import_styles(tmp_path, import_line, call):
    """A factory in a sibling module is followed however it is imported: the
    (8, 3) data against the factory's Input of size 4 is FIT102."""
    _write(tmp_path, {"models.py": MODELS, "train.py": TRAIN.format(import_line=import_line, call=call)})
    assert [f.code for f in _lint(tmp_path / "train.py")] == ["FIT102"]


def test_package_reexport_and_parent_relative_import(tmp_path):
    """``from ..nets import build_model`` reaches a function re-exported by
    ``nets/__init__.py``, which keeps its own module's names (keras)."""
    _write(tmp_path, {
        "pyproject.toml": "",
        "app/__init__.py": "",
        "app/nets/__init__.py": "from .factory import build_model\n",
        "app/nets/factory.py": MODELS,
        "app/jobs/__init__.py": "",
        "app/jobs/train.py": TRAIN.format(import_line="from ..nets import build_model", call="build_model(4)"),
    })
    assert [f.code for f in _lint(tmp_path / "app" / "jobs" / "train.py")] == ["FIT102"]


def test_unknown_when_the_module_is_missing_or_unparsable(tmp_path):
    """A module that does not exist, or is not valid Python, gives unknown
    values: no finding, no crash."""
    _write(tmp_path, {
        "broken.py": "def build_model(features):\n    return (\n",
        "a.py": TRAIN.format(import_line="from broken import build_model", call="build_model(4)"),
        "b.py": TRAIN.format(import_line="from missing import build_model", call="build_model(4)"),
    })
    assert _lint(tmp_path / "a.py") == []
    assert _lint(tmp_path / "b.py") == []


def test_import_cycle_is_unknown_and_deterministic(tmp_path):
    """Two modules importing each other: each one's names are unknown to the
    other, whichever file is checked first, so --jobs 1 and --jobs 2 give the
    same output; the factory outside the cycle is still followed."""
    _write(tmp_path, {
        "models.py": MODELS,
        "a.py": """
            import numpy as np
            import b
            from models import build_model

            def make():
                return build_model(4)

            model = b.make()
            model.fit(np.random.rand(8, 3), np.random.rand(8), verbose=0)
            other = build_model(4)
            other.fit(np.random.rand(8, 3), np.random.rand(8), verbose=0)
        """,
        "b.py": """
            import numpy as np
            import a
            from models import build_model

            def make():
                return build_model(4)

            model = a.make()
            model.fit(np.random.rand(8, 3), np.random.rand(8), verbose=0)
        """,
    })
    assert [(f.code, f.line) for f in _lint(tmp_path / "a.py")] == [("FIT102", 11)]
    assert _lint(tmp_path / "b.py") == []
    outputs = [_cli("--jobs", str(j), "--output-format", "json", ".", cwd=tmp_path).stdout for j in (1, 2)]
    assert outputs[0] == outputs[1] and json.loads(outputs[0])


def test_imported_module_is_never_executed(tmp_path):
    """Analysing an import runs nothing of the module: its top-level code
    that would write a file does not, and its ``__main__`` block (a wrong
    fit there) is not reported in the importing file."""
    marker = tmp_path / "ran.txt"
    _write(tmp_path, {
        "models.py": MODELS + f"""
    open({str(marker)!r}, "w").write("imported")

    if __name__ == "__main__":
        import numpy as np
        build_model(2).fit(np.random.rand(4, 9), np.random.rand(4))
""",
        "train.py": TRAIN.format(import_line="from models import build_model", call="build_model(3)"),
    })
    assert _lint(tmp_path / "train.py") == []
    assert not marker.exists()


def test_changes_to_imported_values_stay_in_their_file(tmp_path):
    """A module-level config dict changed in place by one file is seen
    unchanged by another file checked later in the same process."""
    _write(tmp_path, {
        "config.py": 'CONFIG = {"features": 4}\n',
        "models.py": MODELS,
        "a.py": """
            from config import CONFIG
            CONFIG["features"] = 3
        """,
        "b.py": TRAIN.format(import_line="from config import CONFIG; from models import build_model",
                             call='build_model(CONFIG["features"])'),
    })
    assert _lint(tmp_path / "a.py") == []
    assert [f.code for f in _lint(tmp_path / "b.py")] == ["FIT102"]


def test_notebook_importing_a_sibling_module(tmp_path):
    """A notebook next to a module: the finding is in its cell, the related
    location in the .py file keeps that file's own line (no cell)."""
    _write(tmp_path, {"models.py": MODELS})
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": src}
             for src in ("import numpy as np\nfrom models import build_model\n",
                         "model = build_model(4)\nmodel.fit(np.random.rand(8, 3), np.random.rand(8))\n")]
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    findings = _lint(notebook)
    assert [(f.code, f.cell, f.line) for f in findings] == [("FIT102", 2, 2)]
    in_models = [r for r in findings[0].related if r.path.endswith("models.py")]
    assert in_models and all(r.cell is None and r.line == 4 for r in in_models)


def test_flag_default_findings_name_the_default(tmp_path):
    """A mismatch that holds with the argparse defaults (the script run as
    written fails) is reported with the rule's one severity and a related
    note on each flag default assumed; without flags there is no such note."""
    _write(tmp_path, {
        "flagged.py": """
            import argparse
            import numpy as np
            from tensorflow import keras

            parser = argparse.ArgumentParser()
            parser.add_argument("--features", type=int, default="4")
            args = parser.parse_args()
            model = keras.Sequential([keras.Input(shape=(args.features,)), keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
            model.fit(np.random.rand(8, 3), np.random.rand(8))
        """,
        "plain.py": TRAIN.format(import_line="from models import build_model", call="build_model(4)"),
        "models.py": MODELS,
    })
    flagged = _lint(tmp_path / "flagged.py")
    assert [(f.code, f.severity) for f in flagged] == [("FIT102", "error")]
    assert any("flag features = 4" in r.message for r in flagged[0].related)
    plain = _lint(tmp_path / "plain.py")
    assert [(f.code, f.severity) for f in plain] == [("FIT102", "error")]
    assert not any("flag" in r.message for r in plain[0].related)


@pytest.mark.parametrize("define, read, expected", [
    ('parser.add_argument("--units", type=int, default=4)', "args.units", ["FIT102"]),
    ('parser.add_argument("--units", type=int, default=4, dest="size")', "args.size", ["FIT102"]),
    ('parser.add_argument("--units", type=int, required=True)', "args.units", []),
    ('parser.add_argument("units", type=int, default=4)', "args.units", []),
    ('parser.add_argument("--units", type=int, default=4)\nargs_given = 1', "parser.parse_args(['--units', '3']).units",
     []),
])
def test_argparse_defaults(tmp_path, define, read, expected):
    """Only an optional flag's default is known; a required or positional
    argument, or arguments parsed from an explicit list, stay unknown."""
    _write(tmp_path, {"t.py": f"""
import argparse
import numpy as np
from tensorflow import keras

parser = argparse.ArgumentParser()
{define}
args = parser.parse_args()
model = keras.Sequential([keras.Input(shape=({read},)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.random.rand(8, 3), np.random.rand(8))
"""})
    assert [f.code for f in _lint(tmp_path / "t.py")] == expected


def test_argparse_namespace_changed_by_the_script(tmp_path):
    """``args.units = 3`` after parsing: the stored value is what is read."""
    _write(tmp_path, {"t.py": """
        import argparse
        import numpy as np
        from tensorflow import keras

        parser = argparse.ArgumentParser()
        parser.add_argument("--units", type=int, default=4)
        args = parser.parse_args()
        args.units = 3
        model = keras.Sequential([keras.Input(shape=(args.units,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.random.rand(8, 3), np.random.rand(8))
    """})
    assert _lint(tmp_path / "t.py") == []


def test_absl_flag_default(tmp_path):
    """``flags.DEFINE_integer`` defaults are read through ``FLAGS`` inside
    ``main``, with a note on the default assumed, as for argparse."""
    _write(tmp_path, {"t.py": """
        from absl import app, flags
        import numpy as np
        from tensorflow import keras

        flags.DEFINE_integer("units", 4, "input size")
        FLAGS = flags.FLAGS

        def main(argv):
            model = keras.Sequential([keras.Input(shape=(FLAGS.units,)), keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
            model.fit(np.random.rand(8, 3), np.random.rand(8))

        if __name__ == "__main__":
            app.run(main)
    """})
    found = _lint(tmp_path / "t.py")
    assert [(f.code, f.severity) for f in found] == [("FIT102", "error")]
    assert any("units" in r.message for r in found[0].related)


def test_jobs_give_identical_output_on_the_projects():
    """--jobs 1 and --jobs 2 report the same findings on fixtures/projects:
    one per ``# [FITxxx]`` marker of the buggy scripts."""
    outputs = [_cli("--jobs", str(j), "--output-format", "json", "--select", "ALL", "fixtures/projects").stdout
               for j in (1, 2)]
    markers = sum(p.read_text(encoding="utf-8").count("  # [FIT") for p in BUGGY)
    assert outputs[0] == outputs[1] and len(json.loads(outputs[0])) == markers


def test_finding_inside_an_imported_function_is_reported_at_the_call(tmp_path):
    """A fit inside another module's helper, run with this file's data, is
    reported at this file's call of the helper, with a related location on
    the helper's fit; a helper whose body is only reached through a function
    never called here gives no finding and no internal error."""
    _write(tmp_path, {
        "models.py": MODELS + """
    def train(model, x, y):
        model.fit(x, y, verbose=0)

    def later(model):
        def inner(x):
            model.fit(x, x)
        return inner
""",
        "train.py": """
            import numpy as np
            from models import build_model, train, later

            model = build_model(4)
            train(model, np.random.rand(8, 3), np.random.rand(8))
            later(model)
            model.predict(np.random.rand(2, 4), verbose=0)
        """,
    })
    findings = _lint(tmp_path / "train.py")
    assert [(f.code, f.line, f.path) for f in findings] == [("FIT102", 5, str(tmp_path / "train.py"))]
    assert findings[0].related[0].path.endswith("models.py") and findings[0].related[0].line == 9


def test_package_of_a_checkout_without_packaging_files(tmp_path):
    """No project marker anywhere upward: ``examples/train.py`` doing
    ``from app import build_model`` finds the package ``app/`` beside its
    folder (installed in development mode); a plain module there is not
    looked up, and with a marker the usual roots alone apply."""
    from fitlint.analysis import project
    project.forget()
    root = tmp_path / "checkout"
    _write(root, {
        "app/__init__.py": "from .factory import build_model\n",
        "app/factory.py": MODELS,
        "helpers.py": MODELS,
        "examples/train.py": TRAIN.format(import_line="from app import build_model", call="build_model(4)"),
        "examples/plain.py": TRAIN.format(import_line="from helpers import build_model", call="build_model(4)"),
    })
    if any((p / m).exists() for p in tmp_path.parents for m in project.ROOT_MARKERS):
        pytest.skip("a project marker above the temporary folder")
    assert [f.code for f in _lint(root / "examples" / "train.py")] == ["FIT102"]
    assert _lint(root / "examples" / "plain.py") == []
