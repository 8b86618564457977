"""Generate docs/rules.md from the rule docstrings:
``python -m fitlint.docs > docs/rules.md`` (a test checks it is current)."""
from __future__ import annotations

import sys

from .rules import ALL_RULES


def fix_line(rule) -> str:
    """Whether the rule's findings come with a fix, and what it changes."""
    if not rule.fixable:
        return "Fix: none (`--fix` leaves these findings alone)."
    applicability, _, what = rule.fixable.partition(": ")
    option = "`--fix`" if applicability == "safe" else "`--unsafe-fixes`"
    return f"Fix: **{applicability}** ({option}): {what}."


def render() -> str:
    out = ["# fitlint rules", "",
           "Generated from the rule docstrings by `python -m fitlint.docs > docs/rules.md`; do not edit by hand.", "",
           "Every code has one severity. An `error` means TensorFlow raises the documented exception when the "
           "script runs; a `warning`, that it runs but likely not as meant. A code that was split in two (see "
           "\"split from\" below) still stands for both in `select`, `ignore`, `per-file-ignores` and `# noqa`.", "",
           "Code that is expected to fail is not reported as an error: statements under "
           "`with self.assertRaises(...)` / `pytest.raises(...)`, and statements inside `try:` whose `except` "
           "catches the exception the rule documents (its class or a base class, `Exception`, `BaseException`, "
           "a bare `except`, or a tuple holding one of them; `tf.errors.InvalidArgumentError` or "
           "`tf.errors.OpError` for `InvalidArgumentError`, which is not a `ValueError`; `LookupError` for "
           "`IndexError`). A handler that raises again, or for another class, does not hide the error.", "",
           "A rule's findings may come with a fix (see \"Fixes\" in the README): `safe` fixes are applied by "
           "`fitlint check --fix`, `unsafe` ones only with `--unsafe-fixes`. A fix is offered only where the "
           "change is certain; a finding of a fixable rule may still have none.", "",
           "| code | name | severity | summary |", "|---|---|---|---|"]
    for r in ALL_RULES:
        out.append(f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {r.severity} | {r.summary} |")
    for r in ALL_RULES:
        extra = []
        if not r.default:
            extra.append("off by default")
        if r.exception and not r.dry_run_only:
            extra.append(f"TensorFlow raises: {' or '.join(r.exception.split('|'))}")
        if r.split_from:
            extra.append(f"split from {r.split_from}")
        out += ["", f"## {r.code} {r.name}", "",
                f"Severity: **{r.severity}**" + (f" ({'; '.join(extra)})" if extra else "") + ".", "",
                fix_line(r)]
        out += ["", r.doc().replace("## ", "### ")]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
