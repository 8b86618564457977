"""Every rule is documented the same way and registered consistently."""
import re

import pytest

from fitlint.rules import ALL_RULES, expand, select

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule):
    """Each rule's docstring has the four sections in order, and its code, name,
    severity and summary are well-formed."""
    doc = rule.doc()
    positions = [doc.find(s) for s in SECTIONS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert re.fullmatch(r"FIT\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.severity in ("error", "warning", "info")
    assert rule.summary


def test_codes_and_names_are_unique():
    """No two rules share a code or a name."""
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


def test_selection():
    """Prefixes expand to their rules in code order, --ignore removes from a prefix,
    and an unknown selector raises ValueError."""
    assert [r.code for r in expand("FIT2")][:2] == ["FIT201", "FIT202"]
    assert {r.code for r in select(["FIT1"], ignore=["FIT105"])} == {
        "FIT101", "FIT102", "FIT103", "FIT104", "FIT106", "FIT107", "FIT108", "FIT109", "FIT110"}
    with pytest.raises(ValueError):
        expand("nonsense")
