"""Every fixture's findings equal its ``# [FITxxx]`` markers: no more, no less."""
import re
from pathlib import Path

import pytest

from fitlint.engine import lint_source
from fitlint.rules import select

from conftest import FIXTURES

MARKER = re.compile(r"#.*\[((?:FIT\d{3})(?:\s*,\s*FIT\d{3})*)\]")
FILES = sorted(FIXTURES.rglob("*.py"))


def markers(path: Path):
    expected = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for match in MARKER.finditer(line):
            for code in match.group(1).split(","):
                expected.add((number, code.strip()))
    return expected


def test_there_are_fixtures():
    assert len(FILES) >= 40


SELECT = re.compile(r"^# select: (.+)$", re.M)


def rules_for(path: Path):
    """The default rules, plus those a ``# select: FIT502`` line turns on."""
    extra = SELECT.search(path.read_text(encoding="utf-8"))
    return select(extend_select=[c.strip() for c in extra.group(1).split(",")] if extra else ())


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_findings_equal_markers(path):
    findings = lint_source(path.read_bytes(), str(path), rules_for(path))
    found = {(f.line, f.code) for f in findings}
    assert found == markers(path), "\n".join(f"{f.line}: {f.code} {f.message}" for f in findings)
