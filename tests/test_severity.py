"""One code, one severity: every rule reports only its own severity, and a code
that was split in two keeps standing for both in selection, ``# noqa``,
``# fitlint: ignore[...]``, file-level noqa and per-file-ignores."""
import json
import subprocess
import sys
import textwrap

import pytest

from fitlint.engine import lint_source
from fitlint.rules import ALL_RULES, BY_CODE, SPLIT, aliases, expand, select

from conftest import FIXTURES, findings_with_all_rules

FILES = sorted(list(FIXTURES.rglob("*.py")) + list(FIXTURES.rglob("*.ipynb")))
ALL = [r for r in ALL_RULES]

# One finding of each split-off code, next to one of its old code.
SPLIT_SOURCE = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf
    from tensorflow.keras import layers
    from tensorflow.keras.utils import to_categorical

    model = tf.keras.Sequential([tf.keras.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(10)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.random.rand(8, 28, 28), np.random.randint(0, 10, 8)){a}
    model.fit(np.random.rand(8, 784), np.random.randint(0, 10, 8)){b}
    labels = np.array([0, 1, 2, 4])
    onehot = to_categorical(labels, num_classes=3){c}
    zeros = tf.one_hot(labels, depth=3){d}
    vectorizer = layers.TextVectorization(max_tokens=20000, output_sequence_length=8)
    text = tf.keras.Sequential([tf.keras.Input(shape=(1,), dtype=tf.string), vectorizer,
                                layers.Embedding(100, 8),{e}
                                layers.GlobalAveragePooling1D(), layers.Dense(1)])
    """)
LINES = {"FIT110": 8, "FIT101": 9, "FIT210": 11, "FIT208": 12, "FIT307": 15}


def found(**comments):
    """{code: line} of the findings of SPLIT_SOURCE with the given comments."""
    source = SPLIT_SOURCE.format(**{k: comments.get(k, "") for k in "abcde"})
    return {f.code: f.line for f in lint_source(source, "s.py", select())}


def test_split_source_reports_every_code():
    """The control for the alias tests: each old and split-off code is found
    once, on its own line."""
    assert found() == LINES


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_findings_have_their_rules_severity(path):
    """Every finding of every fixture, with all rules on, has the severity of
    its rule (no rule emits two severities)."""
    for f in findings_with_all_rules(path):
        assert f.severity == BY_CODE[f.code].severity, (f.code, f.line, f.message)


def test_split_source_findings_have_their_rules_severity():
    """The split cases: FIT110/FIT208/FIT307 are warnings, FIT101/FIT210 errors,
    each reported with its rule's severity."""
    source = SPLIT_SOURCE.format(a="", b="", c="", d="", e="")
    severities = {f.code: f.severity for f in lint_source(source, "s.py", ALL)}
    assert severities == {code: BY_CODE[code].severity for code in LINES}
    assert {c for c, s in severities.items() if s == "error"} == {"FIT101", "FIT210"}


def test_rules_do_not_override_their_severity():
    """No rule module passes a per-finding severity any more."""
    import fitlint.rules as package
    from pathlib import Path

    for module in Path(package.__file__).parent.glob("*.py"):
        assert "severity=" not in module.read_text(encoding="utf-8"), module.name


def test_split_table():
    """The old codes stand for the split-off ones, which have one severity each."""
    assert SPLIT == {"FIT101": ["FIT110"], "FIT208": ["FIT210"], "FIT301": ["FIT307"]}
    assert aliases("FIT208") == ["FIT208", "FIT210"]
    assert aliases("FIT210") == ["FIT210"]
    for old, new in SPLIT.items():
        for code in new:
            assert BY_CODE[code].split_from == old
            assert BY_CODE[code].severity != BY_CODE[old].severity


@pytest.mark.parametrize("selector, codes", [
    ("FIT208", {"FIT208", "FIT210"}),
    ("one-hot-depth-too-small", {"FIT208", "FIT210"}),
    ("FIT210", {"FIT210"}),
    ("FIT101", {"FIT101", "FIT110"}),
    ("FIT301", {"FIT301", "FIT307"}),
])
def test_expand_old_code(selector, codes):
    """Selecting an old code by code or name selects the code split from it;
    the new code alone is only itself."""
    assert {r.code for r in expand(selector)} == codes


def test_select_and_ignore_old_code():
    """select = [FIT208] runs FIT210 too; ignore = [FIT208] drops both."""
    assert {r.code for r in select(["FIT208"])} == {"FIT208", "FIT210"}
    assert not {"FIT208", "FIT210"} & {r.code for r in select(ignore=["FIT208"])}
    assert "FIT110" not in {r.code for r in select(ignore=["FIT101"])}
    assert "FIT307" not in {r.code for r in select(ignore=["FIT301"])}


@pytest.mark.parametrize("key, comment, gone", [
    ("c", "  # noqa: FIT208", "FIT210"),
    ("c", "  # fitlint: ignore[FIT208]", "FIT210"),
    ("c", "  # noqa: one-hot-depth-too-small", "FIT210"),
    ("a", "  # noqa: FIT101", "FIT110"),
    ("e", "  # noqa: FIT301", "FIT307"),
])
def test_line_suppression_with_old_code(key, comment, gone):
    """A line comment naming the old code hides the split-off code's finding on
    that line and nothing else."""
    expected = dict(LINES)
    del expected[gone]
    assert found(**{key: comment}) == expected


def test_line_suppression_with_new_code_only_hides_new_code():
    """# noqa: FIT210 hides FIT210, not findings of FIT208 on other lines."""
    expected = dict(LINES)
    del expected["FIT210"]
    assert found(c="  # noqa: FIT210") == expected


@pytest.mark.parametrize("old, gone", [("FIT208", {"FIT208", "FIT210"}), ("FIT101", {"FIT101", "FIT110"}),
                                       ("FIT301", {"FIT307"})])
def test_file_suppression_with_old_code(old, gone):
    """# fitlint: noqa: OLD hides the old and the split-off code in the whole file."""
    expected = {c: n for c, n in LINES.items() if c not in gone}
    assert found(a=f"  # fitlint: noqa: {old}") == expected


def _cli(*args, cwd):
    out = subprocess.run([sys.executable, "-m", "fitlint", "check", "--output-format", "json", *args],
                         capture_output=True, text=True, cwd=cwd)
    return {f["code"] for f in json.loads(out.stdout)}


def test_config_and_cli_with_old_code(tmp_path):
    """per-file-ignores, ignore and select in the configuration, and --select on
    the command line, apply an old code to its split-off code."""
    (tmp_path / "s.py").write_text(SPLIT_SOURCE.format(a="", b="", c="", d="", e=""))
    assert _cli("s.py", cwd=tmp_path) == set(LINES)
    (tmp_path / "fitlint.toml").write_text('per-file-ignores = { "s.py" = ["FIT208"] }\n')
    assert _cli("s.py", cwd=tmp_path) == set(LINES) - {"FIT208", "FIT210"}
    (tmp_path / "fitlint.toml").write_text('ignore = ["FIT301"]\n')
    assert _cli("s.py", cwd=tmp_path) == set(LINES) - {"FIT307"}
    (tmp_path / "fitlint.toml").write_text('select = ["FIT101"]\n')
    assert _cli("s.py", cwd=tmp_path) == {"FIT101", "FIT110"}
    assert _cli("--select", "FIT208", "s.py", cwd=tmp_path) == {"FIT208", "FIT210"}


def test_sarif_levels_match_rule_metadata(tmp_path):
    """In SARIF, each result's level is its rule's default level, and the
    split-off rules name the code they were split from."""
    (tmp_path / "s.py").write_text(SPLIT_SOURCE.format(a="", b="", c="", d="", e=""))
    out = subprocess.run([sys.executable, "-m", "fitlint", "check", "--output-format", "sarif", "s.py"],
                         capture_output=True, text=True, cwd=tmp_path)
    (run,) = json.loads(out.stdout)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert {r["ruleId"] for r in run["results"]} == set(LINES)
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"] and result["level"] == rule["defaultConfiguration"]["level"]
    split = {r["id"]: r["properties"].get("splitFrom") for r in rules if r["properties"].get("splitFrom")}
    assert split == {"FIT110": "FIT101", "FIT210": "FIT208", "FIT307": "FIT301"}
