"""The README's rule table lists every rule."""
from fitlint.rules import ALL_RULES

from conftest import ROOT


def test_readme_lists_every_rule():
    """The README's rule table has a row with each rule's code, name and severity."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"| {rule.code} | {rule.name} | {rule.severity} |" in readme, rule.code
