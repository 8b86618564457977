"""``concise`` and ``full`` text formats."""
from __future__ import annotations

from functools import lru_cache
from typing import List

from ..findings import Reported


def _marker(f: Reported) -> str:
    c = f.confirmation
    if not c:
        return ""
    if c["status"] == "confirmed":
        return f" [confirmed: {c['exception']}]"
    if c["status"] == "refuted":
        return " [refuted: ran without error]"
    # Only a dry run's result needs it: the dry run's modules are not
    # imported by a plain check.
    from ..confirm.evidence import first_line
    return f" [inconclusive: {first_line(c['detail'], 300)}]" if c.get("detail") else " [inconclusive]"


def _block(f: Reported) -> List[str]:
    lines = [f"{f.where()}: {f.code} {f.message}{_marker(f)}"]
    for r in f.related:
        lines.append(f"  {r.where()}: {r.message}")
    if f.hint:
        lines.append(f"  hint: {f.hint}")
    if f.fix is not None:
        lines.append(f"  fix{' (unsafe)' if f.fix.applicability == 'unsafe' else ''}: {f.fix.message}")
    return lines


def render_concise(findings: List[Reported]) -> str:
    out: List[str] = []
    for f in findings:
        out.extend(_block(f))
    return "\n".join(out) + ("\n" if out else "")


@lru_cache(maxsize=64)
def _source_lines(path: str) -> List[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def _excerpt(f: Reported) -> List[str]:
    if f.cell is not None:
        return []
    lines = _source_lines(f.path)
    if not 1 <= f.line <= len(lines):
        return []
    text = lines[f.line - 1].expandtabs(1)
    end = f.end_column if f.end_line == f.line else len(text)
    width = max(1, end - f.column + 1)
    gutter = str(f.line)
    return [
        f"  {' ' * len(gutter)} |",
        f"  {gutter} | {text}",
        f"  {' ' * len(gutter)} | {' ' * (f.column - 1)}{'^' * width} {f.severity}: {f.code}",
    ]


def render_full(findings: List[Reported]) -> str:
    out: List[str] = []
    for f in findings:
        block = _block(f)
        out.append(f"{block[0]} [{f.severity}]")
        out.extend(_excerpt(f))
        out.extend(block[1:])
        out.append("")
    return "\n".join(out)
