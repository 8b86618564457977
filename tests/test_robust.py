"""Pathological but valid inputs: fitlint never fails internally, never hangs,
and a worker that dies costs only its own file."""
import json
import os
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, ROOT, files_with_a_crash, run_at_once
from fitlint import engine
from fitlint.analysis import budget
from fitlint.rules import ALL_RULES

HEAD = "import numpy as np\nfrom tensorflow import keras\n"
TAIL = ("model = keras.Sequential([keras.Input(shape=(n,)), keras.layers.Dense(1)])\n"
        "model.compile(loss='mse')\nmodel.fit(np.zeros((4, 5)), np.zeros((4, 1)))\n")
LIMIT = 10.0  # seconds per file: generous for a loaded CI machine


def _nested_loops(depth: int) -> str:
    lines, indent = ["n = 0"], ""
    for i in range(depth):
        lines.append(f"{indent}for i{i} in range(10):")
        indent += "    "
    return "\n".join(lines + [indent + "n = n + 1"]) + "\n"


def _grids(count: int) -> str:
    """``count`` loops of 16 x 16 passes one after the other: each runs pass
    by pass (within the 256 passes nested loops may make), so together they
    spend the step budget."""
    lines = ["n = 0"]
    for k in range(count):
        lines += [f"for a{k} in range(16):", f"    for b{k} in range(16):", f"        n = n + a{k} * b{k} + 1"]
    return "\n".join(lines) + "\n"


def _elifs(count: int) -> str:
    lines = ["v = 3", "if v == 0:", "    n = 0"]
    for i in range(1, count):
        lines += [f"elif v == {i}:", f"    n = {i}"]
    return "\n".join(lines) + "\n"


PATHOLOGICAL = {
    "negative-slice": "x = np.zeros((10, 4))\ny = x[5:2]\nz = x[-3:1, 3:-9]\nn = z.shape[0] - 7\n",
    "rank-0-input": "inp = keras.Input(shape=())\nr = keras.layers.Reshape((1,))(inp)\n"
                    "m = keras.Model(inp, keras.layers.Dense(1)(inp))\nm.compile(loss='sparse_categorical_crossentropy')\n"
                    "m.fit(np.zeros((8,)), np.zeros((8,)))\nn = 5\n",
    "pool-size-0": "m = keras.Sequential([keras.Input(shape=(8, 8, 1)), keras.layers.MaxPooling2D(pool_size=0),"
                   " keras.layers.Conv2D(2, 0, strides=0), keras.layers.Flatten(), keras.layers.Dense(1)])\n"
                   "m.compile(loss='mse')\nm.fit(np.zeros((4, 8, 8, 1)), np.zeros((4, 1)))\nn = 5\n",
    "big-int-power": "n = 10**5000\nprint(f'{n}', n)\na = np.zeros((n, 2))\n",
    "big-int-literal": "n = " + "9" * 5000 + "\nprint(n)\n",
    "power-chain": "n = 2\n" + "n = n ** n\n" * 8 + "n = n * n\n" * 40,
    "elif-500": _elifs(500),
    "sum-1000": "n = " + " + ".join(["1"] * 1000) + "\n",
    "nested-loops": _nested_loops(8),
    "doubling-list": "l = [1, 2]\nfor i in range(30):\n    l = l + l\nn = len(l)\n",
    "while-loop": "n = 0\nwhile n < 10**9:\n    n = n + 1\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(PATHOLOGICAL))
def test_pathological_input_is_analysed_quickly(kind):
    """Each kind of pathological input is analysed within the time limit, and
    fitlint does not fail on it (no FIT001); the Input built from the
    pathological value afterwards gives no false finding either."""
    source = HEAD + PATHOLOGICAL[kind] + TAIL
    start = time.perf_counter()
    findings = engine.lint_source(source, f"{kind}.py", ALL_RULES)
    assert time.perf_counter() - start < LIMIT
    assert "FIT001" not in {f.code for f in findings}, [f.message for f in findings]


def test_budget_is_recorded():
    """Past the step budget the rest of the file is unknown, and Facts.budget
    says why (budget-exceeded); a big integer is recorded too."""
    import libcst as cst
    from fitlint.analysis.interpreter import analyze

    facts = analyze(cst.parse_module(HEAD + _grids(60) + TAIL))
    assert any("evaluation steps" in detail for _, detail in facts.budget)
    assert not facts.calls  # the fit call after the budget ran out is not analysed
    facts = analyze(cst.parse_module("x = 10 ** 40\n"))
    assert [detail for _, detail in facts.budget] == ["an integer beyond +-10**18"]
    assert budget.REASON == "budget-exceeded"


def test_too_deep_for_python_is_fit000(tmp_path):
    """A sum of 20,000 terms (which Python itself refuses to compile, and
    which LibCST would take minutes on or crash) is FIT000 with a clear
    message, quickly, in a subprocess so a crash would show as one."""
    path = tmp_path / "deep.py"
    path.write_text("n = " + " + ".join(["1"] * 20000) + "\n")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "fitlint", "check", "--output-format", "json", str(path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert time.perf_counter() - start < LIMIT
    findings = json.loads(out.stdout)
    assert out.returncode == 1 and [f["code"] for f in findings] == ["FIT000"]
    assert "nested too deeply" in findings[0]["message"] and findings[0]["column"] >= 1


@pytest.mark.slow
def test_long_call_chain_is_not_analysed():
    """A chain of 1,000 calls (valid Python, but LibCST takes seconds to parse
    it) is not analysed: FIT001 says so at once; a chain of 300 is analysed."""
    start = time.perf_counter()
    findings = engine.lint_source(HEAD + "n = 1\nz = f" + "(1)" * 1000 + "\n" + TAIL, "calls.py", ALL_RULES)
    assert time.perf_counter() - start < LIMIT
    assert [f.code for f in findings] == ["FIT001"] and "nest" in findings[0].message
    findings = engine.lint_source(HEAD + "n = 1\nz = f" + "(1)" * 300 + "\n" + TAIL, "calls.py", ALL_RULES)
    assert [f.code for f in findings] == ["FIT102"]


def test_notebook_source_not_text(tmp_path):
    """A notebook whose cell source is a number or a list holding null is
    FIT000 (not a readable notebook), not an internal failure."""
    for source in (5, ["x = 1\n", None], {"a": 1}):
        nb = {"cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": []}],
              "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        findings = engine.lint_source(json.dumps(nb), "nb.ipynb", ALL_RULES)
        assert [(f.code, f.line, f.column) for f in findings] == [("FIT000", 1, 1)], source


def test_internal_error_is_fit001(monkeypatch):
    """An exception in the analysis becomes a FIT001 finding naming it, for
    that file only; it is a warning (no claim about the program)."""
    def boom(module, path=None):
        raise KeyError("boom")

    monkeypatch.setattr(engine, "analyze", boom)
    findings = engine.lint_source("from tensorflow import keras\nmodel.fit(x)\n", "a.py", ALL_RULES)
    assert [(f.code, f.severity, f.line, f.column) for f in findings] == [("FIT001", "warning", 1, 1)]
    assert "KeyError" in findings[0].message and "report" in findings[0].hint


def test_recursion_error_is_fit001(monkeypatch):
    """A RecursionError in the analysis is caught like any other failure."""
    def deep(module, path=None):
        return deep(module, path)

    monkeypatch.setattr(engine, "analyze", deep)
    findings = engine.lint_source("from tensorflow import keras\nmodel.fit(x)\n", "a.py", ALL_RULES)
    assert [f.code for f in findings] == ["FIT001"] and "RecursionError" in findings[0].message


def test_dying_worker_costs_only_its_file(monkeypatch, tmp_path):
    """With --jobs 2, a file whose analysis kills its worker process gets
    FIT001; every other file keeps exactly the findings it has with --jobs 1.
    (Workers are forked, so they inherit the patched function.)"""
    files, crash = files_with_a_crash(tmp_path)
    expected = engine.run([f for f in files if f != crash], ALL_RULES, jobs=1).findings
    real = engine._lint_source

    def dies(source, path, rules, programs=None):
        if path.endswith("crash.py"):
            os._exit(3)
        return real(source, path, rules, programs)

    monkeypatch.setattr(engine, "_lint_source", dies)
    result = engine.run(files, ALL_RULES, jobs=2)
    crashed = [f for f in result.findings if f.path == crash]
    assert [f.code for f in crashed] == ["FIT001"] and "died" in crashed[0].message
    others = [f for f in result.findings if f.path != crash]
    assert [f.to_dict() for f in others] == [f.to_dict() for f in expected] and expected


def _write_pathological(folder):
    for kind, body in PATHOLOGICAL.items():
        (folder / f"{kind}.py").write_text(HEAD + body + TAIL)
    (folder / "deep.py").write_text("n = " + " + ".join(["1"] * 20000) + "\n")
    (folder / "bad.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": [None]}]}))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "fitlint", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def test_output_identical_for_any_jobs(tmp_path):
    """The reports (JSON and SARIF) over fixtures/ plus every pathological
    input are byte-identical with --jobs 1, --jobs 2 and the default."""
    _write_pathological(tmp_path)
    runs = run_at_once([[sys.executable, "-m", "fitlint", "check", "--output-format", fmt, "--no-cache",
                         str(FIXTURES), str(tmp_path), *jobs]
                        for fmt in ("json", "sarif") for jobs in (("--jobs", "1"), ("--jobs", "2"), ())])
    for fmt, (one, two, default) in zip(("json", "sarif"), (runs[:3], runs[3:])):
        assert one.returncode == 1 and one.stdout, fmt
        assert one.stdout == two.stdout == default.stdout
        assert "Traceback" not in one.stderr + two.stderr + default.stderr


def test_unreadable_file_never_all_passed(tmp_path):
    """A file that cannot be read (a dangling link) is exit 2 and the summary does not say
    "All checks passed." (no other finding), nor does stdout."""
    target = tmp_path / "gone.py"
    target.symlink_to(tmp_path / "missing-target.py")
    ok = tmp_path / "ok.py"
    ok.write_text("x = 1\n")
    out = _cli("check", str(tmp_path))  # found by the directory walk
    assert out.returncode == 2 and "All checks passed." not in out.stdout
    assert "could not be checked" in out.stdout and "cannot read" in out.stderr


def test_sarif_columns_start_at_one(tmp_path):
    """No finding's region (FIT000 and FIT001 included) starts before column 1 in SARIF."""
    _write_pathological(tmp_path)
    (tmp_path / "syntax.py").write_text("\n\n  x = (\n")
    out = _cli("check", "--output-format", "sarif", "--no-cache", str(tmp_path))
    regions = [loc["physicalLocation"]["region"] for run in json.loads(out.stdout)["runs"]
               for result in run["results"] for loc in result["locations"]]
    assert regions and all(r["startColumn"] >= 1 and r["startLine"] >= 1 for r in regions)
