"""fitlint.api (what every front end calls), fitlint.explain (hover), and the
pieces behind the language server that need no LSP: code-action edits,
re-parsing by statements, positions placed statement by statement."""
import json
import random
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from fitlint import api, positions
from fitlint.server import edits, incremental

ROOT = Path(__file__).resolve().parent.parent
BUGGY = ROOT / "fixtures" / "rules" / "FIT101_buggy.py"
FIXED = ROOT / "fixtures" / "rules" / "FIT101_fixed.py"


def test_load_config_finds_the_nearest_configuration_of_a_path(tmp_path):
    """load_config(path) reads the nearest fitlint.toml / pyproject.toml
    with [tool.fitlint] from the file's folder upwards; an explicit
    config_file wins, and a missing one is a ConfigError."""
    (tmp_path / "pyproject.toml").write_text('[tool.fitlint]\nignore = ["FIT101"]\n')
    sub = tmp_path / "pkg"
    sub.mkdir()
    (sub / "fitlint.toml").write_text('select = ["FIT2"]\n')
    assert api.load_config(str(tmp_path / "train.py")).ignore == ["FIT101"]
    assert api.load_config(str(sub / "train.py")).select == ["FIT2"]
    assert api.load_config(str(sub / "x.py"), str(tmp_path / "pyproject.toml")).ignore == ["FIT101"]
    with pytest.raises(api.ConfigError):
        api.load_config(str(sub / "x.py"), str(tmp_path / "missing.toml"))


def test_select_rules_combines_configuration_and_options(tmp_path):
    """select_rules applies the configuration's selection and ignores, then
    the given ones; an unknown code raises SelectionError."""
    (tmp_path / "fitlint.toml").write_text('select = ["FIT1"]\nignore = ["FIT101"]\n')
    config = api.load_config(str(tmp_path / "a.py"))
    codes = {r.code for r in api.select_rules(config)}
    assert "FIT102" in codes and "FIT101" not in codes and "FIT201" not in codes
    codes = {r.code for r in api.select_rules(config, extend_select=["FIT201"], ignore=["FIT102"])}
    assert "FIT201" in codes and "FIT102" not in codes
    assert {r.code for r in api.select_rules(config, select=["FIT201"])} == {"FIT201"}
    with pytest.raises(api.SelectionError):
        api.select_rules(config, select=["FIT999"])


def test_check_source_applies_noqa_and_per_file_ignores(tmp_path):
    """check_source reports FIT101 on the buggy text, nothing on the fixed
    one, nothing with a noqa comment on the line, and nothing for a file
    that per-file-ignores covers."""
    text = BUGGY.read_text()
    config = api.load_config(str(tmp_path / "t.py"))
    assert [f.code for f in api.check_source(text, str(tmp_path / "t.py"), config)] == ["FIT101"]
    assert api.check_source(FIXED.read_text(), str(tmp_path / "t.py"), config) == []
    quiet = text.replace("# [FIT101]", "# noqa: FIT101")
    assert api.check_source(quiet, str(tmp_path / "t.py"), config) == []
    (tmp_path / "fitlint.toml").write_text('[per-file-ignores]\n"scripts/*" = ["FIT101"]\n')
    config = api.load_config(str(tmp_path / "scripts" / "t.py"))
    assert api.check_source(text, str(tmp_path / "scripts" / "t.py"), config) == []
    assert [f.code for f in api.check_source(text, str(tmp_path / "t.py"), config)] == ["FIT101"]


def test_check_paths_discovers_files_and_refuses_missing_ones(tmp_path):
    """check_paths checks every file under a folder (excludes applied) and
    raises MissingPaths naming a path that does not exist."""
    (tmp_path / "a.py").write_text(BUGGY.read_text())
    (tmp_path / "b.py").write_text(FIXED.read_text())
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "c.py").write_text(BUGGY.read_text())
    (tmp_path / "fitlint.toml").write_text('extend-exclude = ["skip"]\n')
    config = api.load_config(str(tmp_path / "a.py"))
    result = api.check_paths([str(tmp_path)], config)
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("a.py", "FIT101")]
    assert result.errors == []
    with pytest.raises(api.MissingPaths) as caught:
        api.check_paths([str(tmp_path / "nope.py")], config)
    assert caught.value.paths == [str(tmp_path / "nope.py")]


def test_explain_model_value_and_rule_code():
    """explain gives the model's layers with output shapes over its name,
    an array's shape, dtype, range and origin over a data name (at its use
    in fit), a rule's docs over a code in a noqa comment, and None over a
    keyword or a blank place."""
    text = BUGGY.read_text().replace("# [FIT101]", "# noqa: FIT201")
    model = api.explain(text, "t.py", 5, 1)
    assert model.kind == "model" and model.name == "model"
    (summary,) = model.data
    assert [layer["output_shape"] for layer in summary["layers"]] == [[None, 26, 26, 4], [None, 2704], [None, 10]]
    assert summary["loss"]["family"] == "sparse_categorical_crossentropy"
    x = api.explain(text, "t.py", 14, 11)
    assert (x.kind, x.name, x.line, x.column, x.end_column) == ("value", "x", 14, 11, 12)
    assert x.data[0]["shape"] == [16, 784] and x.data[0]["dtype"] == "float32" and x.data[0]["range"] == [0, 1]
    assert x.data[0]["built"]["line"] == 12
    column = text.split("\n")[13].index("FIT201") + 1
    rule = api.explain(text, "t.py", 14, column + 3)
    assert rule.kind == "rule" and rule.name == "FIT201" and (rule.column, rule.end_column) == (column, column + 6)
    assert api.explain(text, "t.py", 2, 1) is None  # `import`
    assert api.explain(text, "t.py", 1, 200) is None


def test_explain_in_a_notebook_cell():
    """In a notebook, explain takes the line within a cell: x in the third
    cell (its second line) is the array built in that cell."""
    lines = BUGGY.read_text().split("\n")
    cells = [{"cell_type": "markdown", "source": "# Title"},
             {"cell_type": "code", "source": "\n".join(lines[1:11])},
             {"cell_type": "code", "source": "\n".join(lines[11:14])}]
    source = json.dumps({"cells": cells})
    found = api.explain(source, "n.ipynb", 3, 11, cell=3)
    assert found.name == "x" and found.data[0]["shape"] == [16, 784]
    assert found.data[0]["built"]["cell"] == 3 and found.data[0]["built"]["line"] == 1
    assert api.explain(source, "n.ipynb", 1, 1, cell=9) is None


def test_ignore_line_adds_or_extends_noqa():
    """ignore_line appends ``# noqa: CODE`` to the line, extends an existing
    ``# noqa: A`` on any line of the span, refuses a bare ``# noqa``, and
    goes to the last line when the first ends with a backslash."""
    assert edits.ignore_line("a = f(x)\n", 0, 0, "FIT101") == (0, 8, 0, 8, "  # noqa: FIT101")
    assert edits.ignore_line("a = f(x)   \n", 0, 0, "FIT101") == (0, 8, 0, 11, "  # noqa: FIT101")
    source = "a = f(\n    x)  # noqa: FIT201\n"
    assert edits.ignore_line(source, 0, 1, "FIT101") == (1, 22, 1, 22, ", FIT101")
    assert edits.ignore_line("a = f(x)  # noqa\n", 0, 0, "FIT101") is None
    assert edits.ignore_line("a = 1 + \\\n    2\n", 0, 1, "FIT101") == (1, 5, 1, 5, "  # noqa: FIT101")
    assert edits.ignore_line("s = '# noqa: X'\n", 0, 0, "FIT101") == (0, 15, 0, 15, "  # noqa: FIT101")


def test_ignore_file_inserts_or_extends_the_file_directive():
    """ignore_file inserts ``# fitlint: noqa: CODE`` at the top (after a
    shebang and coding line), or extends one already there."""
    assert edits.ignore_file("import x\n", "FIT101") == (0, 0, 0, 0, "# fitlint: noqa: FIT101\n")
    assert edits.ignore_file("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport x\n", "FIT101") == \
        (2, 0, 2, 0, "# fitlint: noqa: FIT101\n")
    assert edits.ignore_file("import x\n# fitlint: noqa: FIT201\n", "FIT101") == (1, 23, 1, 23, ", FIT101")


def test_edits_silence_the_finding():
    """Applying the line edit, or the file edit, to the buggy script makes
    check_source report nothing."""
    text = BUGGY.read_text()
    finding = api.check_source(text, "t.py")[0]
    for edit in (edits.ignore_line(text, finding.line - 1, finding.end_line - 1, finding.code),
                 edits.ignore_file(text, finding.code)):
        line, column, end_line, end_column, new = edit
        rows = text.split("\n")
        assert line == end_line
        rows[line] = rows[line][:column] + new + rows[line][end_column:]
        assert api.check_source("\n".join(rows), "t.py") == []


def test_fix_edits_read_a_finding_fix():
    """fix_edits turns a finding's fix (1-based start/end, content) into
    0-based edits, and gives none for a finding without a fix."""
    class WithFix:
        fix = {"applicability": "safe", "message": "use x",
               "edits": [{"start": (3, 5), "end": (3, 9), "content": "x"}]}
    assert edits.fix_edits(WithFix()) == [(2, 4, 2, 8, "x")]
    assert edits.fix_message(WithFix()) == "use x"
    assert edits.fix_edits(object()) == [] and edits.fix_message(object()) is None


@pytest.mark.slow
def test_incremental_parse_equals_a_full_parse():
    """After random line edits of fixture scripts, the statement-wise
    re-parse regenerates exactly the new text, has the statements a full
    parse has, reuses the unchanged statements' nodes, and its positions
    (placed statement by statement) are those of a full PositionProvider."""
    rng = random.Random(7)
    snippets = ["x = 1\n", "# note\n", "\n", "def f(a):\n    return a\n", "    y = 2\n", "(\n", "if x:\n"]
    files = sorted((ROOT / "fixtures" / "rules").glob("*.py"))[:25]
    compared = reused = 0
    positions.REMEMBER = True
    try:
        for path in files:
            text = path.read_text()
            parsed = incremental.full(text)
            if parsed is None:
                continue  # the syntax-error fixture
            for _ in range(8):
                lines = incremental.split_lines(text)
                at = rng.randrange(len(lines) + 1)
                new = lines[:at] + [rng.choice(snippets)] + lines[at + rng.randrange(2):]
                before = {id(s) for s in parsed.module.body}
                got = incremental.update(parsed, "".join(new))
                try:
                    reference = cst.parse_module("".join(new))
                except cst.ParserSyntaxError:
                    assert got is None
                    continue  # the next edit starts from the last text that parsed
                text, parsed = "".join(new), got
                if reference.code != text:
                    continue  # LibCST itself does not give this text back
                assert parsed.module.code == text
                assert len(parsed.module.body) == len(reference.body)
                reused += sum(1 for s in parsed.module.body if id(s) in before)
                full = MetadataWrapper(parsed.module, unsafe_skip_copy=True).resolve(PositionProvider)
                placed = positions.Positions(parsed.module)
                for statement in parsed.module.body:
                    for node in (statement, *statement.children):
                        assert placed[node] == full[node]
                compared += 1
    finally:
        positions.REMEMBER = False
    assert compared > 80 and reused > compared


def test_api_and_server_are_light():
    """Importing the server and checking and explaining a script through the
    api loads no TensorFlow, Keras or NumPy (the server is static only)."""
    code = ("import sys, fitlint.server.server; from fitlint import api; text = open(sys.argv[1]).read(); "
            "assert api.check_source(text, 't.py'); assert api.explain(text, 't.py', 5, 1); "
            "print([m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code, str(BUGGY)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_fix_all_takes_each_fix_whole_or_not_at_all():
    """Of fixes whose edits overlap, the first is taken with all its edits
    and the other is left whole (a half-applied fix, e.g. a compile deleted
    but not re-inserted, would break the file); fixes elsewhere are kept."""
    from fitlint.server.edits import without_overlaps

    move = [(5, 0, 6, 0, ""), (2, 0, 2, 0, "model.compile()\n")]
    clash = [(5, 4, 5, 8, "loss")]
    other = [(9, 0, 9, 3, "abc")]
    assert without_overlaps([move, clash, other]) == sorted(move + other)
    assert without_overlaps([clash, move, other]) == sorted(clash + other)
