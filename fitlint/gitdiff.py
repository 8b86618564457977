"""``--diff REV``: the lines changed since a git revision, per file."""
from __future__ import annotations

import os
import re
import subprocess
from typing import Dict, List, Optional, Set

from .findings import Reported

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffError(RuntimeError):
    pass


def _git(args: List[str]) -> str:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DiffError(f"cannot run git: {exc}") from None
    if out.returncode != 0:
        raise DiffError(out.stderr.strip().splitlines()[0] if out.stderr.strip() else f"git {' '.join(args)} failed")
    return out.stdout


def changed_lines(rev: str) -> Dict[str, Optional[Set[int]]]:
    """Absolute path -> changed line numbers (new side); None means the whole
    file is new (untracked or added)."""
    root = _git(["rev-parse", "--show-toplevel"]).strip()
    _git(["rev-parse", "--verify", "--quiet", rev + "^{commit}"])
    changes: Dict[str, Optional[Set[int]]] = {}
    current: Optional[str] = None
    for line in _git(["diff", "--unified=0", "--no-color", "--no-ext-diff", rev, "--"]).splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = None if name == "/dev/null" else os.path.realpath(os.path.join(root, name[2:]))
            if current is not None:
                changes.setdefault(current, set())
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or 1)
                lines = changes[current]
                if lines is not None:
                    lines.update(range(start, start + count))
    for name in _git(["ls-files", "--others", "--exclude-standard", "--full-name"]).splitlines():
        changes[os.path.realpath(os.path.join(root, name))] = None
    return changes


def only_changed(findings: List[Reported], changes: Dict[str, Optional[Set[int]]]) -> List[Reported]:
    """Findings whose reported line, or one of whose related lines, changed.
    (In notebooks, lines are within cells: any change to the file counts.)"""
    def touched(path: str, line: int, cell: Optional[int]) -> bool:
        key = os.path.realpath(path)
        if key not in changes:
            return False
        lines = changes[key]
        return lines is None or cell is not None or line in lines

    return [f for f in findings
            if touched(f.path, f.line, f.cell) or any(touched(r.path, r.line, r.cell) for r in f.related)]
