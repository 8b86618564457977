"""Renderers: each turns a list of reported findings into text."""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from ..findings import Reported
from .json_ import render_json
from .review import render_github, render_rdjson, render_sarif
from .text import render_concise, render_full

FORMATS: Dict[str, Callable[[List[Reported]], str]] = {
    "concise": render_concise,
    "full": render_full,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "rdjson": render_rdjson,
}


def statistics(findings: List[Reported]) -> str:
    """One line per rule: count, code, name, severity — most frequent first."""
    counts: Dict[tuple, int] = {}
    for f in findings:
        key = (f.code, f.name, f.severity)
        counts[key] = counts.get(key, 0) + 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{n:>5}  {code}  {name}  [{severity}]\n" for (code, name, severity), n in rows)


def fixed_note(fixed: int, files: int) -> str:
    """``Fixed 2 findings in 1 file.``"""
    return f"Fixed {fixed} finding{'s' if fixed != 1 else ''} in {files} file{'s' if files != 1 else ''}."


def summary(findings: List[Reported], refuted: int = 0, unchecked: int = 0,
            fixed: Optional[Tuple[int, int]] = None) -> str:
    """The last line of the text formats. ``fixed``: (fixes applied, files
    changed) after --fix; otherwise the fixes on offer are counted."""
    if fixed is not None:
        return fixed_note(*fixed) + " " + _summary(findings, refuted, unchecked)
    text = _summary(findings, refuted, unchecked)
    safe = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "safe")
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "unsafe")
    if safe or unsafe:
        offers = [f"{safe} fixable with --fix"] if safe else []
        if unsafe:
            offers.append(f"{unsafe} {'more ' if safe else 'fixable '}with --unsafe-fixes")
        text += f" {', '.join(offers)}."
    return text


def _summary(findings: List[Reported], refuted: int = 0, unchecked: int = 0) -> str:
    dropped = f" {refuted} finding{'s' if refuted != 1 else ''} refuted by the dry run." if refuted else ""
    if unchecked:  # never "All checks passed." when a file was not checked
        dropped += f" {unchecked} file{'s' if unchecked != 1 else ''} could not be checked."
    if not findings:
        return ("No findings." if unchecked else "All checks passed.") + dropped
    counts: Dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    parts = []
    for severity in ("error", "warning", "info"):
        n = counts.get(severity, 0)
        if n:
            parts.append(f"{n} {severity}{'s' if n != 1 else ''}")
    n = len(findings)
    return f"Found {n} finding{'s' if n != 1 else ''} ({', '.join(parts)})." + dropped
