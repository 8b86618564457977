"""The engine: find files, parse each once, analyse, run the rules, and turn
findings into positions (computed only for files that have findings)."""
from __future__ import annotations

import fnmatch
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Tuple, Type

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .analysis.facts import Facts
from .analysis.interpreter import analyze
from .findings import Finding, Related, Reported
from .rules import BY_CODE, Context, Rule

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", "build", "dist", "node_modules", ".eggs", "*.egg-info", ".ipynb_checkpoints", ".fitlint_cache",
)
SUFFIXES = (".py",)


@dataclass
class FileResult:
    path: str
    findings: List[Reported] = field(default_factory=list)
    error: Optional[str] = None  # internal error: reported, exit code 2


@dataclass
class RunResult:
    findings: List[Reported]
    errors: List[Tuple[str, str]]
    files: int


def _excluded(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) for p in patterns)


def discover(paths: Sequence[str], exclude: Sequence[str] = DEFAULT_EXCLUDE) -> Tuple[List[str], List[str]]:
    """Files to lint (sorted, unique) and paths that do not exist."""
    files: List[str] = []
    missing: List[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _excluded(d, exclude))
                for name in sorted(names):
                    if name.endswith(SUFFIXES) and not _excluded(name, exclude):
                        files.append(os.path.normpath(os.path.join(root, name)))
        elif os.path.isfile(path):
            files.append(os.path.normpath(path))
        else:
            missing.append(path)
    seen = set()
    unique = [f for f in files if not (f in seen or seen.add(f))]
    return unique, missing


def lint_source(source: bytes | str, path: str, rules: Sequence[Type[Rule]]) -> List[Reported]:
    """Lint one file's content. Parse errors become FIT000 findings."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        line, column = exc.editor_line, exc.editor_column
        found = re.search(r"error at (\d+):(\d+)", exc.message or "")
        if found:  # the native parser puts the exact place in the message
            line, column = int(found.group(1)), max(1, int(found.group(2)))
        facts = Facts(syntax_error=(_syntax_message(exc), line, column))
        return _report(Context(path, None, facts), None, rules)
    except (UnicodeDecodeError, LookupError, ValueError, SyntaxError) as exc:
        facts = Facts(syntax_error=(f"cannot decode the file: {exc}", 1, 1))
        return _report(Context(path, None, facts), None, rules)
    facts = analyze(module)
    return _report(Context(path, module, facts), module, rules)


def _syntax_message(exc: cst.ParserSyntaxError) -> str:
    text = (exc.message or "").strip().splitlines()[0] if exc.message else ""
    text = re.sub(r"^(parser error: )?error at \d+:\d+: ", "", text)
    if text.startswith("expected one of"):
        return "invalid syntax"
    return text or "invalid syntax"


def _report(ctx: Context, module: Optional[cst.Module], rules: Sequence[Type[Rule]]) -> List[Reported]:
    raw: List[Tuple[Type[Rule], Finding]] = []
    for rule in rules:
        for finding in rule().check(ctx):
            raw.append((rule, finding))
    if not raw:
        return []
    positions = None
    if module is not None and any(f.node is not None for _, f in raw):
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    out: List[Reported] = []
    seen = set()
    for rule, f in raw:
        if f.node is not None and positions is not None:
            rng = positions[f.node]
            line, col, end_line, end_col = rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column
        else:
            line, col = f.position or (1, 1)
            end_line, end_col = line, col
        related = []
        for node, message in f.related:
            if node is None or positions is None or node not in positions:
                continue
            pos = positions[node]
            related.append(Related(ctx.path, pos.start.line, pos.start.column + 1, message))
        key = (rule.code, line, col, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(Reported(rule.code, rule.name, f.severity or rule.severity, f.message, ctx.path, line, col,
                            end_line, max(end_col, 1), related, f.hint))
    return out


def lint_path(path: str, codes: Sequence[str]) -> FileResult:
    rules = [BY_CODE[c] for c in codes]
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        return FileResult(path, error=f"cannot read: {exc.strerror or exc}")
    try:
        return FileResult(path, lint_source(source, path, rules))
    except RecursionError:
        return FileResult(path, error="file too deeply nested to analyse")
    except Exception as exc:  # an analysis bug must not hide other files' findings
        return FileResult(path, error=f"internal error: {type(exc).__name__}: {exc}")


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\rfitlint: {done}/{total} files")
    if done == total:
        sys.stderr.write("\r" + " " * 40 + "\r")
    sys.stderr.flush()


def run(files: Sequence[str], rules: Sequence[Type[Rule]], jobs: Optional[int] = None,
        progress: bool = False) -> RunResult:
    codes = [r.code for r in rules]
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= 16 else 1
    results: Iterable[FileResult]
    if jobs > 1 and len(files) > 1:
        pool = ProcessPoolExecutor(max_workers=jobs)
        chunk = max(1, min(16, len(files) // (jobs * 8) or 1))
        results = pool.map(lint_path, files, [codes] * len(files), chunksize=chunk)
    else:
        pool = None
        results = (lint_path(f, codes) for f in files)
    findings: List[Reported] = []
    errors: List[Tuple[str, str]] = []
    show = progress and len(files) >= 20
    try:
        for done, result in enumerate(results, 1):
            findings.extend(result.findings)
            if result.error:
                errors.append((result.path, result.error))
            if show and (done % 10 == 0 or done == len(files)):
                _progress(done, len(files))
    finally:
        if pool is not None:
            pool.shutdown()
    findings.sort(key=Reported.sort_key)
    return RunResult(findings, errors, len(files))
