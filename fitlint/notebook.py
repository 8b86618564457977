"""Jupyter notebooks as scripts: code cells joined in order, IPython magics
blanked so that every line keeps its place, and positions mapped back to
(cell, line within the cell). Cells are numbered from 1 over all cells of the
notebook, markdown included, as they appear in the file."""
from __future__ import annotations

import bisect
import json
from typing import List, Tuple


class NotebookError(ValueError):
    pass


def _is_magic(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#"))


def to_script(data: bytes) -> Tuple[str, List[Tuple[int, int]]]:
    """The notebook's code as one script, and for each code cell the line
    where it starts in that script (1-based) with its cell number."""
    try:
        notebook = json.loads(data.decode("utf-8"))
        cells = notebook["cells"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise NotebookError(f"not a readable notebook: {exc}") from None
    if not isinstance(cells, list):
        raise NotebookError("not a readable notebook: 'cells' is not a list")
    lines: List[str] = []
    starts: List[Tuple[int, int]] = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cell_lines = text.split("\n")
        if cell_lines and cell_lines[-1] == "":
            cell_lines.pop()
        if cell_lines and cell_lines[0].lstrip().startswith("%%"):
            cell_lines = [""] * len(cell_lines)  # a cell magic: not Python
        starts.append((len(lines) + 1, number))
        lines.extend("" if _is_magic(line) else line for line in cell_lines)
        lines.append("")  # keeps cells apart
    return "\n".join(lines) + "\n", starts


def locate(line: int, starts: List[Tuple[int, int]]) -> Tuple[int, int]:
    """(cell number, line within the cell) of a line of the joined script."""
    index = bisect.bisect_right([s for s, _ in starts], line) - 1
    if index < 0:
        return (starts[0][1] if starts else 1), line
    start, number = starts[index]
    return number, line - start + 1
