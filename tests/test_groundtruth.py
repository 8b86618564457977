"""Every error rule is proven by TensorFlow: its buggy fixture raises the
exception the rule documents, its fixed twin completes a training step, and
every other runnable fixture does what its ``# expect:`` line says."""
from pathlib import Path

import pytest

from fitlint.engine import lint_source
from fitlint.rules import ALL_RULES, BY_CODE, select

from conftest import FIXTURES, expectation

RULE_FIXTURES = FIXTURES / "rules"
ERROR_RULES = [r for r in ALL_RULES if r.severity == "error" and not r.dry_run_only]
BUGGY = sorted(RULE_FIXTURES.glob("FIT*_buggy.py"))
RUNNABLE = sorted(p for p in FIXTURES.rglob("*.py") if expectation(p) and p.parent != RULE_FIXTURES)


def _code(path: Path) -> str:
    return path.name[:6]


@pytest.mark.parametrize("rule", ERROR_RULES, ids=lambda r: r.code)
def test_every_error_rule_has_a_pair(rule):
    pairs = [p for p in BUGGY if _code(p) == rule.code]
    assert pairs, f"{rule.code} has no buggy fixture"
    for buggy in pairs:
        assert buggy.with_name(buggy.name.replace("_buggy", "_fixed")).exists()
    assert rule.exception, f"{rule.code} documents no exception"


@pytest.mark.parametrize("buggy", BUGGY, ids=lambda p: p.stem)
def test_buggy_raises_documented_exception(buggy, tf_runner):
    rule = BY_CODE[_code(buggy)]
    documented = rule.exception.split("|")
    assert expectation(buggy) in documented
    findings = lint_source(buggy.read_bytes(), str(buggy), select())
    assert any(f.code == rule.code and f.severity == "error" for f in findings)
    result = tf_runner.run(buggy)
    assert result["status"] == "raised", result
    assert result["exception"] == expectation(buggy), result


@pytest.mark.parametrize("buggy", BUGGY, ids=lambda p: p.stem.replace("_buggy", "_fixed"))
def test_fixed_twin_trains(buggy, tf_runner):
    fixed = buggy.with_name(buggy.name.replace("_buggy", "_fixed"))
    assert expectation(fixed) == "ok"
    findings = lint_source(fixed.read_bytes(), str(fixed), select())
    assert not [f for f in findings if f.severity == "error"], findings
    result = tf_runner.run(fixed)
    assert result["status"] == "ok", result
    assert result["steps"] >= 1, "the fixed script must complete at least one step"


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_outcome_matches_tensorflow(path, tf_runner):
    """Seeds, warnings and clean fixtures: TF does what GROUND-TRUTH.md measured,
    and fitlint reports an error exactly when the script fails in a way a rule
    covers."""
    expected = expectation(path)
    result = tf_runner.run(path)
    if expected == "ok":
        assert result["status"] == "ok", result
        findings = lint_source(path.read_bytes(), str(path), select())
        assert not [f for f in findings if f.severity == "error"], "an error on a script that runs"
    else:
        assert result["status"] == "raised" and result["exception"] == expected, result
