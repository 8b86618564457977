"""Configuration and suppression comments, through the installed command."""
import json
import textwrap

from conftest import FIXTURES
from test_cli import run

BUGGY = (FIXTURES / "rules" / "FIT201_buggy.py").read_text()


def project(tmp_path, config=None, name="pyproject.toml", files=None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (tmp_path / name).write_text(textwrap.dedent(config))
    for rel, text in (files or {"train.py": BUGGY}).items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return tmp_path


def codes(out):
    return sorted((f["path"], f["code"]) for f in json.loads(out.stdout))


def test_pyproject_select_ignore_and_cli_override(tmp_path):
    """[tool.fitlint] ignore/select in pyproject.toml apply; --select on the command
    line replaces the configured select, but configured ignores still apply."""
    root = project(tmp_path, '[tool.fitlint]\nignore = ["FIT201"]\n')
    assert codes(run("check", "--output-format", "json", cwd=root)) == []
    assert codes(run("check", "--output-format", "json", "--select", "FIT2", cwd=root)) == []
    root2 = project(tmp_path / "b", '[tool.fitlint]\nselect = ["FIT5"]\n')
    assert codes(run("check", "--output-format", "json", cwd=root2)) == []
    out = run("check", "--output-format", "json", "--select", "FIT201", cwd=root2)
    assert codes(out) == [("train.py", "FIT201")]


def test_closest_file_wins_and_fitlint_toml(tmp_path):
    """The configuration file closest to the checked directory wins, and a
    fitlint.toml (keys at the top level) counts as one."""
    project(tmp_path, '[tool.fitlint]\nignore = ["FIT201"]\n')
    inner = project(tmp_path / "sub", 'ignore = ["FIT5"]\n', name="fitlint.toml")
    assert codes(run("check", "--output-format", "json", cwd=inner)) == [("train.py", "FIT201")]
    assert codes(run("check", "--output-format", "json", cwd=tmp_path)) == []


def test_per_file_ignores_and_excludes(tmp_path):
    """per-file-ignores (by rule name) silence matching files only; extend-exclude
    skips a directory."""
    root = project(tmp_path, """
        [tool.fitlint]
        per-file-ignores = { "tests/*.py" = ["sparse-label-out-of-range"] }
        extend-exclude = ["generated"]
    """, files={"train.py": BUGGY, "tests/t.py": BUGGY, "generated/g.py": BUGGY})
    assert codes(run("check", "--output-format", "json", ".", cwd=root)) == [("train.py", "FIT201")]


def test_force_exclude_applies_excludes_to_named_files(tmp_path):
    """A file named on the command line is checked even when excluded, unless
    --force-exclude (or `force-exclude = true`) is given: then the excludes,
    by file name or by a folder above it, apply to it too."""
    root = project(tmp_path, """
        [tool.fitlint]
        extend-exclude = ["generated", "skip_*.py"]
    """, files={"train.py": BUGGY, "generated/sub/g.py": BUGGY, "skip_me.py": BUGGY})
    named = ("train.py", "generated/sub/g.py", "skip_me.py")
    assert codes(run("check", "--output-format", "json", *named, cwd=root)) == [
        ("generated/sub/g.py", "FIT201"), ("skip_me.py", "FIT201"), ("train.py", "FIT201")]
    assert codes(run("check", "--output-format", "json", "--force-exclude", *named, cwd=root)) == [
        ("train.py", "FIT201")]
    (root / "pyproject.toml").write_text('[tool.fitlint]\nextend-exclude = ["generated", "skip_*.py"]\n'
                                         'force-exclude = true\n')
    assert codes(run("check", "--output-format", "json", *named, cwd=root)) == [("train.py", "FIT201")]
    shapes = json.loads(run("shapes", "--output-format", "json", "--force-exclude", *named, cwd=root).stdout)
    assert sorted({c["path"] for c in shapes["calls"]}) == ["train.py"]
    (root / "pyproject.toml").write_text('[tool.fitlint]\nforce-exclude = "yes"\n')
    bad = run("check", "train.py", cwd=root)
    assert bad.returncode == 2 and "force-exclude must be true or false" in bad.stderr


def test_every_check_option_is_in_the_readme():
    """Each option `fitlint check --help` lists is in the README's option
    table, and the README states --jobs' default as --help does."""
    from fitlint.cli import build_parser
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    check = build_parser()._subparsers._group_actions[0].choices["check"]
    for action in check._actions:
        if action.help == "==SUPPRESS==" or not action.option_strings or "--help" in action.option_strings:
            continue
        assert any(f"`{opt}" in readme for opt in action.option_strings), action.option_strings
        if "--jobs" in action.option_strings:
            assert "(default: one per core, up to 8, for 16+ files)" in action.help
            assert "(default: one per core, up to 8, for 16+ files)" in readme


def test_bad_configuration_is_one_clear_error(tmp_path):
    """Each kind of bad configuration exits 2 with one message naming the key and
    the file, without a traceback; a missing --config file exits 2."""
    cases = {
        '[tool.fitlint]\nselekt = ["FIT1"]\n': "unknown key 'tool.fitlint.selekt'",
        '[tool.fitlint]\nselect = "FIT1"\n': "tool.fitlint.select must be a list of strings",
        '[tool.fitlint]\nignore = ["FIT777"]\n': "unknown rule code or name 'FIT777'",
        '[tool.fitlint.confirm]\ntimeout = -1\n': "tool.fitlint.confirm.timeout must be a positive number",
        '[tool.fitlint.confirm]\nenabled = "yes"\n': "tool.fitlint.confirm.enabled must be true or false",
        '[tool.fitlint.confirm]\nmemory = 0\n': "tool.fitlint.confirm.memory must be a positive whole number",
        '[tool.fitlint.confirm]\nmemory = 1.5\n': "tool.fitlint.confirm.memory must be a positive whole number",
        '[tool.fitlint.confirm]\nbudget = "1h"\n': "tool.fitlint.confirm.budget must be a positive number",
        '[tool.fitlint.confirm]\nbudget = 0\n': "tool.fitlint.confirm.budget must be a positive number",
        '[tool.fitlint.confirm]\nmemroy = 1\n': "unknown key 'tool.fitlint.confirm.memroy'",
        '[tool.fitlint]\nselect = [\n': "invalid TOML",
    }
    for i, (config, message) in enumerate(cases.items()):
        root = project(tmp_path / str(i), config)
        out = run("check", cwd=root)
        assert out.returncode == 2, config
        assert message in out.stderr and "pyproject.toml" in out.stderr and "Traceback" not in out.stderr
    assert run("check", "--config", "missing.toml", cwd=tmp_path / "0").returncode == 2


SUPPRESSED = """
import numpy as np
import keras
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(8, 4), np.random.randint(0, 9, 8))  {a}
model.fit(
    np.random.rand(8, 4),
    np.random.randint(0, 9, 8),  {b}
)
model.fit(np.random.rand(8, 4), np.random.randint(0, 9, 8))  {c}
"""


def test_suppression_comments(tmp_path):
    """`# noqa`, `# noqa: <code or name>`, `# fitlint: ignore[...]` and
    `# fitlint: noqa[: code]` silence exactly the findings they name, also on
    any line of a multi-line call."""
    def lines(**comments):
        text = SUPPRESSED.format(**{k: comments.get(k, "") for k in "abc"})
        (tmp_path / "s.py").write_text(text)
        return [f["line"] for f in json.loads(run("check", "--output-format", "json", "s.py", cwd=tmp_path).stdout)]

    assert lines() == [6, 7, 11]
    assert lines(a="# noqa: FIT201", b="# fitlint: ignore[FIT201]", c="# noqa") == []
    assert lines(a="# noqa: FIT101", b="# noqa: sparse-label-out-of-range, FIT101") == [6, 11]
    assert lines(c="# fitlint: noqa") == []
    assert lines(c="# fitlint: noqa: FIT101") == [6, 7, 11]
    assert lines(c="# fitlint: noqa: FIT201") == []


def test_statistics(tmp_path):
    """--statistics prints counts per rule, the most frequent first: over the seeds,
    FIT501 five times."""
    out = run("check", "--statistics", str(FIXTURES / "seeds"))
    first = out.stdout.splitlines()[0].split()
    # Four: seed003_ex1's first fit is inside try/except ValueError, which catches it.
    assert first[:3] == ["4", "FIT501", "fit-before-compile"]
