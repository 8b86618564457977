"""The command line through the installed ``fitlint`` entry point."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT, run_at_once

# The installed console script next to this interpreter (what users run).
_SCRIPT = Path(sys.executable).parent / "fitlint"
FITLINT = str(_SCRIPT) if _SCRIPT.exists() else shutil.which("fitlint")
BUGGY = FIXTURES / "rules" / "FIT201_buggy.py"
FIXED = FIXTURES / "rules" / "FIT201_fixed.py"


def run(*args, stdin=None, cwd=ROOT):
    cmd = [FITLINT] if FITLINT else [sys.executable, "-m", "fitlint"]
    return subprocess.run(cmd + list(args), input=stdin, capture_output=True, text=True, cwd=cwd)


def test_version():
    """`fitlint --version` exits 0 and prints "fitlint <version>"."""
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("fitlint ")


def test_exit_codes():
    """Exit 0 without findings, 1 with findings (0 with --exit-zero), 2 for a
    missing file, an unknown code (without a traceback) or an unknown format."""
    assert run("check", str(FIXED)).returncode == 0
    assert run("check", str(BUGGY)).returncode == 1
    assert run("check", "--exit-zero", str(BUGGY)).returncode == 0
    missing = run("check", "no/such/file.py")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad = run("check", "--select", "FIT999", str(BUGGY))
    assert bad.returncode == 2 and "FIT999" in bad.stderr and "Traceback" not in bad.stderr
    assert run("check", "--output-format", "xml", str(BUGGY)).returncode == 2


def test_syntax_error_is_a_finding_not_exit_2():
    """A file that does not parse is a FIT000 finding with exit 1, not a crash."""
    out = run("check", str(FIXTURES / "rules" / "FIT000_buggy.py"))
    assert out.returncode == 1 and "FIT000" in out.stdout and "Traceback" not in out.stderr


def test_concise_shows_both_ends_and_hint():
    """The concise format shows the finding at path:line:col, the related lines of
    both ends (output layer, labels with their values), a hint and the summary."""
    out = run("check", str(BUGGY.relative_to(ROOT)))
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"{BUGGY.relative_to(ROOT)}:11:1: FIT201 labels reach 9 but the output has 5 units")
    assert any("output" in l and "Dense(NUM_CLASSES" in l for l in lines[1:])
    assert any("y built here: np.random.randint(0, 10, size=64)" in l and "values 0..9" in l for l in lines[1:])
    assert any(l.startswith("  hint: ") for l in lines)
    assert lines[-1] == "Found 1 finding (1 error)."


def test_full_has_excerpt_and_caret():
    """The full format quotes the failing source line and underlines it."""
    out = run("check", "--output-format", "full", str(BUGGY))
    assert "model.fit(x, y, epochs=1, batch_size=64, verbose=0)" in out.stdout
    assert "^^^^" in out.stdout


def test_json_contract():
    """The JSON report has exactly the documented keys with valid values, is sorted
    by path, line, column and code, and carries the rule name and related lines."""
    out = run("check", "--output-format", "json", str(FIXTURES / "seeds"))
    data = json.loads(out.stdout)
    assert out.returncode == 1 and data
    keys = {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "cell",
            "related", "hint", "confirmation", "fix"}
    for f in data:
        assert set(f) == keys
        assert f["fix"] is None or f["fix"]["applicability"] in ("safe", "unsafe")
        assert f["severity"] in ("error", "warning", "info")
        assert f["line"] >= 1 and f["column"] >= 1 and f["end_line"] >= f["line"]
        assert f["cell"] is None and f["confirmation"] is None
        for r in f["related"]:
            assert set(r) == {"path", "line", "column", "message"}  # "cell" only in notebooks
    order = [(f["path"], f["line"], f["column"], f["code"]) for f in data]
    assert order == sorted(order)
    first = next(f for f in data if f["code"] == "FIT101")
    assert first["name"] == "input-rank-mismatch" and first["related"]


def test_select_ignore_prefix_and_names():
    """--select takes a prefix, --ignore a rule name, --extend-select adds a code:
    exactly the selected codes are reported."""
    seeds = str(FIXTURES / "seeds")
    codes = lambda out: {f["code"] for f in json.loads(out.stdout)}
    assert codes(run("check", "--output-format", "json", "--select", "FIT5", seeds)) == {"FIT501"}
    assert "FIT501" not in codes(run("check", "--output-format", "json", "--ignore", "fit-before-compile", seeds))
    assert codes(run("check", "--output-format", "json", "--select", "FIT101", "--extend-select", "FIT104", seeds)) == {
        "FIT101", "FIT104"}


def test_stdin_with_filename():
    """`-` reads the source from stdin and reports it under --stdin-filename."""
    out = run("check", "-", "--stdin-filename", "train.py", stdin=BUGGY.read_text())
    assert out.returncode == 1 and out.stdout.startswith("train.py:11:1: FIT201")


def test_directory_recursion_and_excludes(tmp_path):
    """A directory is searched recursively for .py files; .venv and non-Python files
    are skipped."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(BUGGY.read_text())
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bad.py").write_text(BUGGY.read_text())
    (tmp_path / "notes.txt").write_text("model.fit(")
    out = run("check", "--output-format", "json", str(tmp_path))
    paths = {f["path"] for f in json.loads(out.stdout)}
    assert paths == {str(tmp_path / "pkg" / "train.py")}


def test_output_file(tmp_path):
    """--output-file writes the report to the file and nothing to stdout."""
    target = tmp_path / "report.json"
    out = run("check", "--output-format", "json", "--output-file", str(target), str(BUGGY))
    assert out.returncode == 1 and out.stdout == ""
    assert json.loads(target.read_text())[0]["code"] == "FIT201"


def test_rule_docs():
    """`fitlint rule` prints a rule's four doc sections by code or by name, --all
    lists every rule, an unknown code exits 2."""
    out = run("rule", "FIT201")
    assert out.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in out.stdout
    assert run("rule", "sparse-label-out-of-range").stdout == out.stdout
    listing = run("rule", "--all")
    assert listing.returncode == 0 and "FIT000" in listing.stdout and "FIT501" in listing.stdout
    assert run("rule", "FIT999").returncode == 2


def test_unreadable_input_does_not_traceback(tmp_path):
    """A file that is not valid UTF-8 is a FIT000 finding, not a traceback."""
    bad = tmp_path / "latin.py"
    bad.write_bytes(b"x = '\xff\xfe'\n")
    out = run("check", str(bad))
    assert "Traceback" not in out.stderr and out.returncode == 1 and "FIT000" in out.stdout


def test_deterministic_output():
    """The JSON report over fixtures/ (many files, many findings) is
    byte-identical with one process, with two, and between two runs."""
    command = ([FITLINT] if FITLINT else [sys.executable, "-m", "fitlint"]) + [
        "check", "--output-format", "json", "--no-cache"]
    one, two, again = run_at_once([command + ["--jobs", jobs, str(FIXTURES)] for jobs in ("1", "2", "2")])
    findings = json.loads(one.stdout)
    assert len(findings) >= 40 and len({f["path"] for f in findings}) >= 20
    assert one.stdout == two.stdout == again.stdout


def test_notebooks(tmp_path):
    """Notebook findings are located by cell and line (also from stdin); a notebook
    that is not JSON or a cell that does not parse is FIT000, not a traceback."""
    nb = FIXTURES / "realistic" / "notebook.ipynb"
    out = run("check", str(nb.relative_to(ROOT)))
    assert out.stdout.startswith("fixtures/realistic/notebook.ipynb:cell 6:3:1: FIT201 ")
    data = json.loads(run("check", "--output-format", "json", str(nb)).stdout)
    assert {(f["cell"], f["line"], f["code"]) for f in data} == {(6, 3, "FIT201"), (6, 4, "FIT108")}
    assert all("cell" in r for f in data for r in f["related"])
    piped = run("check", "-", "--stdin-filename", "nb.ipynb", stdin=nb.read_text())
    assert piped.stdout.startswith("nb.ipynb:cell 6:3:1: FIT201 ")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    out = run("check", str(broken))
    assert out.returncode == 1 and "FIT000" in out.stdout and "Traceback" not in out.stderr
    bad_cell = tmp_path / "bad_cell.ipynb"
    bad_cell.write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["x = 1\n"]},
                                              {"cell_type": "code", "source": ["def f(:\n"]}]}))
    out = run("check", str(bad_cell))
    assert "bad_cell.ipynb:cell 2:1:" in out.stdout and "FIT000" in out.stdout


def test_version_is_declared_once():
    """The version lives in fitlint/__init__.py only: pyproject.toml reads it
    from there, the installed metadata and `fitlint --version` agree, and the
    licence file the metadata names exists."""
    from importlib.metadata import version

    import fitlint
    from conftest import ROOT

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and 'attr = "fitlint.__version__"' in pyproject
    assert "\nversion =" not in pyproject.split("[tool.setuptools.dynamic]")[0]
    assert version("fitlint") == fitlint.__version__
    assert run("--version").stdout.strip() == f"fitlint {fitlint.__version__}"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
