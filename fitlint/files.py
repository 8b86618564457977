"""Which files to lint: directory walking and exclusion patterns (kept free of
the analysis' imports, so that a fully cached run stays light)."""
from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache
from typing import List, Optional, Sequence, Set, Tuple

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", "build", "dist", "node_modules", ".eggs", "*.egg-info", ".ipynb_checkpoints", ".fitlint_cache",
)
SUFFIXES = (".py", ".ipynb")


def _excluded(path: str, patterns: Sequence[str], root: Optional[str]) -> bool:
    """A pattern matches a file or folder name, or a path relative to ``root``."""
    name = os.path.basename(path)
    relative = os.path.relpath(os.path.abspath(path), root) if root else path
    relative = relative.replace(os.sep, "/")
    plain, folder = _compiled(tuple(patterns))
    return bool(plain.match(os.path.normcase(name)) or plain.match(os.path.normcase(relative))
                or folder.match(os.path.normcase(relative)))


def _excluded_path(path: str, patterns: Sequence[str], root: Optional[str]) -> bool:
    """A file named explicitly: excluded when it or a folder above it (below
    ``root``, or the working directory) matches."""
    if _excluded(path, patterns, root):
        return True
    base = os.path.abspath(root or os.getcwd())
    folder = os.path.dirname(os.path.abspath(path))
    while folder.startswith(base + os.sep):
        if _excluded(folder, patterns, root):
            return True
        folder = os.path.dirname(folder)
    return False


@lru_cache(maxsize=16)
def _compiled(patterns: Tuple[str, ...]) -> Tuple["re.Pattern[str]", "re.Pattern[str]"]:
    """The patterns as one regex (what fnmatch.fnmatch does for each), and
    as one for "everything below a folder matching it"."""
    def union(suffix: str) -> "re.Pattern[str]":
        if not patterns:
            return re.compile(r"(?!)")
        return re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(p + suffix))})" for p in patterns))

    return union(""), union("/*")


def discover(paths: Sequence[str], exclude: Sequence[str] = DEFAULT_EXCLUDE,
             root: Optional[str] = None, force_exclude: bool = False) -> Tuple[List[str], List[str]]:
    """Files to lint (sorted, unique) and paths that do not exist. Files named
    on the command line are linted even if excluded, like ruff does, unless
    ``force_exclude`` (what a pre-commit hook wants: it names every file)."""
    files: List[str] = []
    missing: List[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _excluded(os.path.join(folder, d), exclude, root))
                for name in sorted(names):
                    full = os.path.join(folder, name)
                    if name.endswith(SUFFIXES) and not _excluded(full, exclude, root):
                        files.append(os.path.normpath(full))
        elif os.path.isfile(path):
            if not (force_exclude and _excluded_path(path, exclude, root)):
                files.append(os.path.normpath(path))
        else:
            missing.append(path)
    seen: Set[str] = set()
    unique = []
    for f in files:
        if f not in seen:
            seen.add(f)
            unique.append(f)
    return unique, missing
