"""Generate docs/rules.md from the rule docstrings:
``python -m fitlint.docs > docs/rules.md`` (a test checks it is current)."""
from __future__ import annotations

import sys

from .rules import ALL_RULES


def render() -> str:
    out = ["# fitlint rules", "",
           "Generated from the rule docstrings by `python -m fitlint.docs > docs/rules.md`; do not edit by hand.", "",
           "| code | name | severity | summary |", "|---|---|---|---|"]
    for r in ALL_RULES:
        out.append(f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {r.severity} | {r.summary} |")
    for r in ALL_RULES:
        extra = []
        if not r.default:
            extra.append("off by default")
        if r.exception and not r.dry_run_only:
            extra.append(f"TensorFlow raises: {' or '.join(r.exception.split('|'))}")
        out += ["", f"## {r.code} {r.name}", "",
                f"Severity: **{r.severity}**" + (f" ({'; '.join(extra)})" if extra else "") + "."]
        out += ["", r.doc().replace("## ", "### ")]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
