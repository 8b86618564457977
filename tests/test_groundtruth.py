"""Every error rule is proven by TensorFlow: its buggy fixture raises the
exception the rule documents, with the message and on the line its pin
declares, its fixed twin completes a training step, and every other runnable
fixture does what its ``# expect...`` lines say (see ``conftest.Pin``)."""
import re
from pathlib import Path

import pytest

from fitlint.rules import ALL_RULES, BY_CODE

from conftest import FIXTURES, expectation, findings_with_all_rules, names, pin, pin_problems

RULE_FIXTURES = FIXTURES / "rules"
ERROR_RULES = [r for r in ALL_RULES if r.severity == "error" and not r.dry_run_only]
BUGGY = sorted(RULE_FIXTURES.glob("FIT*_buggy.py"))
RUNNABLE = sorted(p for p in FIXTURES.rglob("*.py") if expectation(p) and p.parent != RULE_FIXTURES)
FAILING = sorted(p for p in FIXTURES.rglob("*.py") if expectation(p) not in (None, "ok"))
SHARED = [p for p in FAILING if pin(p).shared]
_RESULTS = {}


def _code(path: Path) -> str:
    return path.name[:6]


def _run(path: Path, tf_runner) -> dict:
    """TF's result for ``path``, run once per session."""
    if path not in _RESULTS:
        _RESULTS[path] = tf_runner.run(path)
    return _RESULTS[path]


def _errors(path: Path):
    # All rules but one are on by default, and that one (FIT502) gives no errors.
    return [f for f in findings_with_all_rules(path) if f.severity == "error"]


@pytest.mark.parametrize("rule", ERROR_RULES, ids=lambda r: r.code)
def test_every_error_rule_has_a_pair(rule):
    """Each error rule has at least one buggy fixture, each with a fixed twin,
    and documents the exception TF raises."""
    pairs = [p for p in BUGGY if _code(p) == rule.code]
    assert pairs, f"{rule.code} has no buggy fixture"
    for buggy in pairs:
        assert buggy.with_name(buggy.name.replace("_buggy", "_fixed")).exists()
    assert rule.exception, f"{rule.code} documents no exception"


@pytest.mark.parametrize("path", FAILING, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_failure_is_pinned(path):
    """A fixture expected to raise declares more than the class: at least one
    message fragment or regex (each regex compiles) and the failing line,
    which lies inside the file."""
    expected = pin(path)
    assert expected.messages or expected.regexes, "no # expect-message: / # expect-regex: line"
    for regex in expected.regexes:
        re.compile(regex)
    assert expected.line is not None, "no # expect-line: line"
    assert 1 <= expected.line <= len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("buggy", BUGGY, ids=lambda p: p.stem)
def test_buggy_raises_documented_exception(buggy, tf_runner):
    """fitlint reports the rule's error on the buggy fixture, and TF raises the
    exception the rule documents, with every pinned message fragment, on the
    pinned line."""
    rule = BY_CODE[_code(buggy)]
    documented = rule.exception.split("|")
    assert expectation(buggy) in documented
    assert any(f.code == rule.code for f in _errors(buggy))
    result = _run(buggy, tf_runner)
    assert pin_problems(pin(buggy), result) == [], result


@pytest.mark.parametrize("buggy", BUGGY, ids=lambda p: p.stem.replace("_buggy", "_fixed"))
def test_fixed_twin_trains(buggy, tf_runner):
    """The fixed twin has no error finding and TF runs it to the end,
    completing at least one training/evaluation/prediction step."""
    fixed = buggy.with_name(buggy.name.replace("_buggy", "_fixed"))
    assert expectation(fixed) == "ok"
    assert not _errors(fixed), "an error on a script that runs"
    result = tf_runner.run(fixed)
    assert result["status"] == "ok", result
    assert result["steps"] >= 1, "the fixed script must complete at least one step"


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_outcome_matches_tensorflow(path, tf_runner):
    """Seeds, warnings, examples and clean fixtures: an ``ok`` fixture runs
    under TF with no error finding; any other raises the pinned class with the
    pinned message fragments on the pinned line."""
    expected = expectation(path)
    result = _run(path, tf_runner)
    if expected == "ok":
        assert result["status"] == "ok", result
        assert not _errors(path), "an error on a script that runs"
    else:
        assert pin_problems(pin(path), result) == [], result


@pytest.mark.parametrize("path", SHARED, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_finding_names_what_tensorflow_names(path):
    """fitlint's error finding (the rule's own, for a rule fixture) names every
    ``# expect-shared:`` value that the pin requires in TF's message: fitlint
    and TF describe the same mismatch with the same numbers."""
    findings = _errors(path)
    if path.parent == RULE_FIXTURES:
        findings = [f for f in findings if f.code == _code(path)]
    tokens = pin(path).shared
    assert any(all(names(f.message, t) for t in tokens) for f in findings), \
        f"no error finding names all of {tokens}: {[f.message for f in findings]}"


def test_pin_rejects_an_unrelated_failure_of_the_same_class(tmp_path, tf_runner):
    """An unrelated ``int("x")`` inserted before the failing statement of a
    ValueError fixture raises ValueError too, so a class-only check would pass;
    the pin rejects it because TF's message lacks the pinned mismatch."""
    buggy = RULE_FIXTURES / "FIT102_buggy.py"
    expected = pin(buggy)
    assert expected.exception == "ValueError" and pin_problems(expected, _run(buggy, tf_runner)) == []
    lines = buggy.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(expected.line - 1, 'int("x")\n')
    copy = tmp_path / buggy.name
    copy.write_text("".join(lines), encoding="utf-8")
    result = tf_runner.run(copy)
    assert result["status"] == "raised" and result["exception"] == "ValueError", result
    assert "invalid literal for int()" in result["message"]
    problems = pin_problems(expected, result)
    assert problems and all(p.startswith("TF's message") for p in problems), problems


def test_pin_rejects_a_failure_on_another_line(tf_runner):
    """A result with the right class and message but raised on another line
    of the script fails the pin."""
    buggy = RULE_FIXTURES / "FIT201_buggy.py"
    result = dict(_run(buggy, tf_runner))
    assert pin_problems(pin(buggy), result) == []
    result["line"] = pin(buggy).line - 1
    assert pin_problems(pin(buggy), result) == [f"TF failed on line {result['line']}, the pin says {pin(buggy).line}"]


def test_pins_tell_failures_of_the_same_class_apart(tf_runner):
    """For any two failing fixtures with the same exception class but
    different pinned fragments, neither pin accepts the other's TF message:
    each pin names its own mismatch, not one the class shares."""
    pins = {p: pin(p) for p in FAILING}
    accepted = []
    for a in FAILING:
        for b in FAILING:
            same = (pins[a].messages, pins[a].regexes) == (pins[b].messages, pins[b].regexes)
            if a == b or same or pins[a].exception != pins[b].exception:
                continue
            if not pin_problems(pins[a], _run(b, tf_runner), line=False):
                accepted.append((a.name, b.name))
    assert not accepted, accepted
