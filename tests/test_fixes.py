"""Fixes: the edits findings carry, how --fix, --unsafe-fixes and --show-fixes
apply them, the formats that carry them, and — under TensorFlow — that every
fix turns its buggy fixture into a script that trains."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fitlint import fixes
from fitlint.engine import lint_source
from fitlint.findings import Edit, Fix
from fitlint.rules import ALL_RULES, select

from conftest import FIXTURES, ROOT, lint_fixture

RULES = FIXTURES / "rules"
OWN = FIXTURES / "fixes"
# Every fixture a fix is proven on, with the rule whose fix it proves.
CASES = [
    (RULES / "FIT102_buggy.py", "FIT102"),
    (FIXTURES / "realistic" / "tfrecord_feature_keys_buggy.py", "FIT102"),
    (RULES / "FIT102_resize_method_buggy.py", "FIT102"),
    (RULES / "FIT103_buggy.py", "FIT103"),
    (RULES / "FIT201_softmax1_buggy.py", "FIT201"),
    (RULES / "FIT202_buggy.py", "FIT202"),
    (RULES / "FIT203_buggy.py", "FIT203"),
    (RULES / "FIT204_buggy.py", "FIT204"),
    (RULES / "FIT204_tfdata_map_buggy.py", "FIT204"),
    (RULES / "FIT210_buggy.py", "FIT210"),
    (FIXTURES / "realistic" / "subclassed_model_buggy.py", "FIT202"),
    (FIXTURES / "realistic" / "own_layer_stack_buggy.py", "FIT201"),
    (FIXTURES / "examples" / "text_classifier.py", "FIT210"),
    (FIXTURES / "warnings" / "single_unit_softmax.py", "FIT209"),
    (OWN / "fixes_FIT102_input_shape.py", "FIT102"),
    (OWN / "fixes_FIT201_literal_units.py", "FIT201"),
    (OWN / "fixes_FIT202_loss_class.py", "FIT202"),
    (OWN / "fixes_FIT203_loss_function.py", "FIT203"),
    (OWN / "fixes_FIT210_num_classes.py", "FIT210"),
    (OWN / "fixes_FIT501_compile_later.py", "FIT501"),
    (OWN / "fixes_FIT501_then_FIT202.py", "FIT501"),
]


def _check(path: str, text: str):
    if FIXTURES in Path(path).parents:  # the same fixture texts are checked by several tests
        return lint_fixture(Path(path), select(), text)
    return lint_source(text.encode("utf-8"), path, select())


def _fixed(path: Path, unsafe: bool = True) -> fixes.FileFix:
    text = path.read_text(encoding="utf-8")
    return fixes.fix_text(str(path), text, _check(str(path), text), unsafe, _check)


def _findings(text: str, name: str = "t.py"):
    return _check(name, text)


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "fitlint", "check", "--no-cache", *args], capture_output=True,
                          text=True, cwd=cwd)


# ------------------------------------------------------------- static
def test_every_fixable_rule_is_proven_on_a_fixture():
    """Each rule that declares a fix has at least one fixture in CASES, and
    each case's finding of that rule really carries a fix."""
    fixable = {r.code for r in ALL_RULES if r.fixable}
    assert fixable == {code for _, code in CASES}
    for path, code in CASES:
        found = [f for f in _check(str(path), path.read_text(encoding="utf-8")) if f.code == code]
        assert found and all(f.fix is not None for f in found), (path, code)


def test_docs_say_which_rules_have_a_fix():
    """docs/rules.md gives every rule a Fix line; a rule's fixes have the
    applicability its docs state."""
    from fitlint.docs import render

    docs = render()
    for rule in ALL_RULES:
        section = docs.split(f"## {rule.code} {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        assert "\nFix: " in section, rule.code
        if rule.fixable:
            assert f"Fix: **{rule.fixable.split(':')[0]}**" in section
    by_code = {r.code: r for r in ALL_RULES}
    for path, code in CASES:
        for f in _check(str(path), path.read_text(encoding="utf-8")):
            if f.code == code and f.fix is not None:
                assert by_code[code].fixable.startswith(f.fix.applicability + ":"), (path, code)


def test_fix_keeps_windows_line_ends():
    """In a file with CRLF line ends the edits land on the right characters
    and every line end stays CRLF, also when a statement moves."""
    text = ("import numpy as np\r\nimport keras\r\n"
            "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\r\n"
            "model.fit(np.random.rand(8, 4), np.random.randint(0, 3, 8))\r\n"
            "# the loss\r\nmodel.compile(loss='categorical_crossentropy')\r\n")
    result = fixes.fix_text("t.py", text, _check("t.py", text), False, _check)
    assert result.after == ("import numpy as np\r\nimport keras\r\n"
                            "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, "
                            "activation='softmax')])\r\n# the loss\r\n"
                            "model.compile(loss='sparse_categorical_crossentropy')\r\n"
                            "model.fit(np.random.rand(8, 4), np.random.randint(0, 3, 8))\r\n")
    assert result.fixed == 2


@pytest.mark.slow
def test_fixtures_with_a_fix_are_all_proven():
    """Every fixture (but the working programs of fixtures/negative) whose
    finding carries a fix is in CASES, so that no fix goes unproven by
    TensorFlow."""
    proven = {p for p, _ in CASES}
    # fixtures/nsl needs nsl and tf_keras: tests/test_wrappers.py proves its fixes.
    for path in sorted(p for p in FIXTURES.rglob("*.py") if p.relative_to(FIXTURES).parts[0] not in ("negative", "nsl")):
        if any(f.fix is not None for f in _check(str(path), path.read_text(encoding="utf-8"))):
            assert path in proven, path


@pytest.mark.parametrize("path,code", CASES, ids=lambda c: c.stem if isinstance(c, Path) else c)
def test_fix_removes_the_finding_statically(path, code):
    """After the fixes (unsafe included), the file has no finding of the rule
    and no error at all, fixing it again changes nothing, and every edit
    touched only what the fix names (the rest of the file is byte for byte
    the same)."""
    result = _fixed(path)
    assert result.changed and result.fixed >= 1
    after = _check(str(path), result.after)
    assert not [f for f in after if f.code == code or f.severity == "error"], [f.message for f in after]
    again = fixes.fix_text(str(path), result.after, after, True, _check)
    assert not again.changed
    # Only the lines the edits touched differ (plus moved lines for FIT501).
    changed = [line for line in result.diff().splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert 2 <= len(changed) <= 8, result.diff()


def test_safe_fixes_only_without_unsafe():
    """Without --unsafe-fixes an unsafe fix (FIT201's units) is not applied."""
    path = OWN / "fixes_FIT201_literal_units.py"
    assert not _fixed(path, unsafe=False).changed
    assert _fixed(path, unsafe=True).changed


def test_loss_string_fix_keeps_quotes_and_formatting():
    """The loss fix replaces only the string, keeping its quote style, the
    comments and the spacing of the compile call."""
    text = ("import numpy as np\nimport keras\n"
            "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
            "model.compile( optimizer = 'adam' ,  # tuned\n    loss='categorical_crossentropy' )\n"
            "model.fit(np.random.rand(8, 4), np.random.randint(0, 3, 8))\n")
    (finding,) = _findings(text)
    assert finding.code == "FIT202" and finding.fix.applicability == "safe"
    new, taken = fixes.apply(text, [finding.fix])
    assert taken and new == text.replace("'categorical_crossentropy'", "'sparse_categorical_crossentropy'")


@pytest.mark.parametrize("why,text", [
    ("units set by a constant elsewhere",
     "NUM = 5\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(NUM, activation='softmax')])\n"
     "model.compile(loss='sparse_categorical_crossentropy')\n"
     "model.fit(np.random.rand(8, 4), np.random.randint(0, 9, 8))\n"),
    ("a metric tied to the label encoding",
     "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
     "model.compile(loss='categorical_crossentropy', metrics=['categorical_accuracy'])\n"
     "model.fit(np.random.rand(8, 4), np.random.randint(0, 3, 8))\n"),
    ("another call passes one-hot labels",
     "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
     "model.compile(loss='categorical_crossentropy')\n"
     "model.fit(np.random.rand(8, 4), np.random.randint(0, 3, 8))\n"
     "model.evaluate(np.random.rand(8, 4), np.eye(3)[np.random.randint(0, 3, 8)])\n"),
    ("a loss class imported by its bare name",
     "from keras.losses import CategoricalCrossentropy\n"
     "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
     "model.compile(loss=CategoricalCrossentropy())\n"
     "model.fit(np.random.rand(8, 4), np.random.randint(0, 3, 8))\n"),
    ("a loss argument the sparse loss does not take",
     "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
     "model.compile(loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1))\n"
     "model.fit(np.random.rand(8, 4), np.random.randint(0, 3, 8))\n"),
    ("compile in another block",
     "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
     "model.fit(np.random.rand(8, 4), np.random.rand(8))\n"
     "if True:\n    model.compile(loss='mse')\n"),
    ("compile reads a name bound after the fit",
     "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
     "model.fit(np.random.rand(8, 4), np.random.rand(8))\n"
     "opt = keras.optimizers.Adam()\nmodel.compile(optimizer=opt, loss='mse')\n"),
    ("no compile at all",
     "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
     "model.fit(np.random.rand(8, 4), np.random.rand(8))\n"),
    ("two calls with data of different shapes",
     "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\nmodel.compile(loss='mse')\n"
     "model.fit(np.random.rand(8, 5), np.random.rand(8))\n"
     "model.evaluate(np.random.rand(8, 6), np.random.rand(8))\n"),
    ("an input shape written in a constant",
     "SHAPE = (4,)\nmodel = keras.Sequential([keras.Input(SHAPE), keras.layers.Dense(1)])\n"
     "model.compile(loss='mse')\nmodel.fit(np.random.rand(8, 5), np.random.rand(8))\n"),
])
def test_no_fix_where_the_change_is_a_guess(why, text):
    """Where the intended change is not certain, the finding is reported
    without a fix."""
    found = _findings("import numpy as np\nimport keras\n" + text)
    assert found, why
    assert all(f.fix is None for f in found), (why, [(f.code, f.fix) for f in found])


def test_a_failing_fix_builder_keeps_the_finding(monkeypatch):
    """When building a fix raises, the finding is still reported, without a fix."""
    from fitlint.rules import fixing

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(fixing, "loss_edit", broken)
    path = RULES / "FIT202_buggy.py"
    (finding,) = lint_source(path.read_bytes(), str(path), select())  # not the session's findings: analysed now
    assert finding.code == "FIT202" and finding.fix is None


def test_apply_skips_overlapping_and_shares_identical_edits():
    """Of two fixes whose edits overlap, the second waits; an edit identical
    to one already taken is applied once; an edit outside the text drops its fix."""
    text = "abc\ndef\n"
    one = Fix("safe", "one", (Edit((1, 1), (1, 3), "X"),))
    two = Fix("safe", "two", (Edit((1, 2), (1, 4), "Y"),))
    same = Fix("safe", "same", (Edit((1, 1), (1, 3), "X"),))
    stale = Fix("safe", "stale", (Edit((1, 9), (1, 10), "Z"),))
    new, taken = fixes.apply(text, [one, two, same, stale])
    assert new == "Xc\ndef\n" and taken == [one, same]
    moved, _ = fixes.apply(text, [Fix("safe", "move", (Edit((1, 1), (1, 1), "def\n"), Edit((2, 1), (3, 1), "")))])
    assert moved == "def\nabc\n"


def test_fix_never_touches_a_file_without_findings(tmp_path):
    """--fix leaves byte for byte alone a file with no finding (odd line ends,
    no final newline), a file whose finding has no fix and one whose fixable
    finding is suppressed by ``# noqa``, and rewrites the
    one with a fixable finding; the summary counts the fix and exit is 0."""
    clean = tmp_path / "clean.py"
    clean.write_bytes(b"import numpy as np\r\nx = np.zeros((2, 3))  \r\nprint(x)")
    unfixable = tmp_path / "unfixable.py"
    unfixable.write_bytes((RULES / "FIT201_buggy.py").read_bytes())
    fixable = tmp_path / "fixable.py"
    fixable.write_bytes((RULES / "FIT202_buggy.py").read_bytes())
    suppressed = tmp_path / "suppressed.py"
    suppressed.write_bytes((RULES / "FIT202_buggy.py").read_bytes().replace(b"# [FIT202]", b"# noqa: FIT202"))
    before = {p: p.read_bytes() for p in (clean, unfixable, suppressed)}
    out = _cli("--fix", "--select", "FIT202", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Fixed 1 finding in 1 file. All checks passed." in out.stdout
    assert {p: p.read_bytes() for p in (clean, unfixable, suppressed)} == before
    assert b'loss="sparse_categorical_crossentropy"' in fixable.read_bytes()
    again = _cli("--fix", ".", cwd=tmp_path)
    assert "Fixed" not in again.stdout and {p: p.read_bytes() for p in (clean, unfixable, suppressed)} == before


def test_fix_rounds_and_remaining_findings(tmp_path):
    """--fix applies rounds (moving compile reveals the loss mismatch, fixed
    next), reports what remains (an unsafe fix not requested) and exits 1;
    --unsafe-fixes then fixes that too."""
    chain = tmp_path / "chain.py"
    chain.write_text((OWN / "fixes_FIT501_then_FIT202.py").read_text())
    units = tmp_path / "units.py"
    units.write_text((OWN / "fixes_FIT201_literal_units.py").read_text())
    out = _cli("--fix", ".", cwd=tmp_path)
    assert out.returncode == 1 and "Fixed 2 findings in 1 file." in out.stdout, out.stdout
    assert "units.py:14:1: FIT201" in out.stdout and "fix (unsafe):" in out.stdout
    text = chain.read_text()
    assert text.index("model.compile") < text.index("model.fit") and "sparse_categorical" in text
    out = _cli("--unsafe-fixes", ".", cwd=tmp_path)
    assert out.returncode == 0 and "Fixed 1 finding in 1 file." in out.stdout
    assert "layers.Dense(8, activation=\"softmax\"),  # the output layer" in units.read_text()


def test_show_fixes_prints_a_diff_and_writes_nothing(tmp_path):
    """--show-fixes prints a unified diff of the safe fixes (the unsafe ones
    too with --unsafe-fixes), writes nothing, and exits 1 when there is a
    fix, 0 when there is none."""
    target = tmp_path / "train.py"
    target.write_text((RULES / "FIT102_buggy.py").read_text())
    before = target.read_bytes()
    out = _cli("--show-fixes", "train.py", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == ""
    out = _cli("--show-fixes", "--unsafe-fixes", "train.py", cwd=tmp_path)
    assert out.returncode == 1 and target.read_bytes() == before
    assert out.stdout.startswith("--- a/train.py\n+++ b/train.py\n")
    assert "-model = keras.Sequential([layers.Dense(8, activation=\"relu\", input_dim=10)" in out.stdout
    assert "+model = keras.Sequential([layers.Dense(8, activation=\"relu\", input_dim=9)" in out.stdout
    assert "would fix 1 finding in 1 file" in out.stderr


def test_fix_skips_notebooks_with_a_note(tmp_path):
    """A notebook's finding carries its fix counted in its cell, but --fix
    does not rewrite the notebook: it says so."""
    cells = [["import numpy as np\n", "import keras\n"],
             ["model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n",
              "model.compile(loss='categorical_crossentropy')\n"],
             ["model.fit(np.random.rand(8, 4), np.random.randint(0, 3, 8))\n"]]
    nb = {"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None}
                    for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    before = path.read_bytes()
    data = json.loads(_cli("--output-format", "json", "n.ipynb", cwd=tmp_path).stdout)
    (edit,) = data[0]["fix"]["edits"]
    assert edit["cell"] == 2 and edit["start"] == {"line": 2, "column": 20}
    out = _cli("--fix", "n.ipynb", cwd=tmp_path)
    assert "fixes are not applied to notebooks" in out.stderr and path.read_bytes() == before


def test_formats_carry_the_same_edits(tmp_path):
    """JSON, SARIF and rdjson carry the fix from the same edits: JSON's
    start/end/content, SARIF's deletedRegion/insertedContent and rdjson's
    suggestion range/text agree."""
    (tmp_path / "t.py").write_text((RULES / "FIT202_buggy.py").read_text())
    (finding,) = json.loads(_cli("--output-format", "json", "t.py", cwd=tmp_path).stdout)
    (edit,) = finding["fix"]["edits"]
    assert finding["fix"]["applicability"] == "safe"
    assert edit == {"start": {"line": 7, "column": 38}, "end": {"line": 7, "column": 64},
                    "content": '"sparse_categorical_crossentropy"'}
    sarif = json.loads(_cli("--output-format", "sarif", "t.py", cwd=tmp_path).stdout)
    (change,) = sarif["runs"][0]["results"][0]["fixes"][0]["artifactChanges"]
    (replacement,) = change["replacements"]
    assert change["artifactLocation"]["uri"].endswith("t.py")
    assert replacement == {"deletedRegion": {"startLine": 7, "startColumn": 38, "endLine": 7, "endColumn": 64},
                           "insertedContent": {"text": '"sparse_categorical_crossentropy"'}}
    rd = json.loads(_cli("--output-format", "rdjson", "t.py", cwd=tmp_path).stdout)
    assert rd["diagnostics"][0]["suggestions"] == [{"range": {"start": {"line": 7, "column": 38},
                                                              "end": {"line": 7, "column": 64}},
                                                    "text": '"sparse_categorical_crossentropy"'}]


def test_fix_survives_the_cache(tmp_path):
    """A finding answered from the result cache carries the same fix as a
    fresh run."""
    (tmp_path / "t.py").write_text((RULES / "FIT204_buggy.py").read_text())
    args = [sys.executable, "-m", "fitlint", "check", "--output-format", "json", "t.py"]
    first = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    # another command line: the run is not replayed, t.py's findings come from the cache
    second = subprocess.run(args + ["--exit-zero"], capture_output=True, text=True, cwd=tmp_path)
    assert json.loads(first.stdout)[0]["fix"] is not None
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_rule_command_says_whether_there_is_a_fix(tmp_path):
    """`fitlint rule` states the fix of a fixable rule and says a rule
    without one has none."""
    fixable = subprocess.run([sys.executable, "-m", "fitlint", "rule", "FIT202"], capture_output=True, text=True)
    assert "Fix: **safe** (`--fix`): changes the loss" in fixable.stdout
    none = subprocess.run([sys.executable, "-m", "fitlint", "rule", "FIT301"], capture_output=True, text=True)
    assert "Fix: none" in none.stdout


def test_stdin_cannot_be_fixed(tmp_path):
    """--fix with - (stdin) is a usage error, exit 2."""
    out = subprocess.run([sys.executable, "-m", "fitlint", "check", "--fix", "-"], input="x = 1\n",
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 2 and "stdin" in out.stderr


# ---------------------------------------------------------- TensorFlow
@pytest.mark.parametrize("path,code", CASES, ids=lambda c: c.stem if isinstance(c, Path) else c)
def test_fixed_fixture_trains(path, code, tf_runner, tmp_path):
    """The buggy fixture, once its fixes (unsafe included) are applied, runs
    under TensorFlow to the end without an error, completing at least one
    training step where it calls fit."""
    result = _fixed(path)
    assert result.changed
    fixed = tmp_path / path.name
    fixed.write_text(result.after, encoding="utf-8")
    ran = tf_runner.run(fixed)
    assert ran["status"] == "ok", ran
    if ".fit(" in result.after:  # FIT210_buggy.py only builds its labels
        assert ran["steps"] >= 1, ran
