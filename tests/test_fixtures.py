"""Every fixture's findings equal its ``# [FITxxx]`` markers: no more, no less."""
import json
import re
from pathlib import Path

import pytest

from fitlint.rules import select

from conftest import FIXTURES, findings_with_all_rules

MARKER = re.compile(r"#.*\[((?:FIT\d{3})(?:\s*,\s*FIT\d{3})*)\]")
# fixtures/negative is checked by test_negative.py (no error, statically or with --confirm).
FILES = sorted(p for p in list(FIXTURES.rglob("*.py")) + list(FIXTURES.rglob("*.ipynb"))
               if p.relative_to(FIXTURES).parts[0] != "negative")


def _marks(lines, cell=None):
    expected = set()
    for number, line in enumerate(lines, 1):
        for match in MARKER.finditer(line):
            for code in match.group(1).split(","):
                expected.add((cell, number, code.strip()))
    return expected


def markers(path: Path):
    """(cell, line, code) of every marker; cell is None outside notebooks."""
    if path.suffix == ".ipynb":
        expected = set()
        for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"], 1):
            if cell["cell_type"] == "code":
                expected |= _marks("".join(cell["source"]).splitlines(), number)
        return expected
    return _marks(path.read_text(encoding="utf-8").splitlines())


def test_there_are_fixtures():
    """The fixture set has not shrunk below 40 files."""
    assert len(FILES) >= 40


SELECT = re.compile(r"^# select: (.+)$", re.M)


def rules_for(path: Path):
    """The default rules, plus those a ``# select: FIT502`` line turns on."""
    extra = SELECT.search(path.read_text(encoding="utf-8"))
    return select(extend_select=[c.strip() for c in extra.group(1).split(",")] if extra else ())


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_findings_equal_markers(path):
    """fitlint's findings on each fixture are exactly its `# [FITxxx]` markers:
    same cells, lines and codes, no more, no less."""
    selected = {rule.code for rule in rules_for(path)}
    # A rule's findings do not depend on which other rules run: the selected
    # rules' findings are those of all rules, kept to the selected codes.
    findings = [f for f in findings_with_all_rules(path) if f.code in selected]
    found = {(f.cell, f.line, f.code) for f in findings}
    assert found == markers(path), "\n".join(f"{f.line}: {f.code} {f.message}" for f in findings)
