"""The engine: find files, parse each once, analyse, run the rules, and turn
findings into positions (computed only for files that have findings)."""
from __future__ import annotations

import ast
import fnmatch
import functools
import gc
import os
import re
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Type, Union

import libcst as cst

from . import cache as result_cache, notebook, suppress
from .analysis.facts import Facts
from .analysis import parse, project
from .analysis.interpreter import analyze
from .files import DEFAULT_EXCLUDE, SUFFIXES, discover  # noqa: F401  (re-exported)
from .findings import Edit, Finding, Fix, Related, Reported
from .rules import BY_CODE, Context, DryRunFailure, InternalErrorRule, Rule, SyntaxErrorRule
from .rules.base import caught


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


@lru_cache(maxsize=32)
def _triggers(codes: Tuple[str, ...]) -> Optional[Tuple[Tuple["re.Pattern[bytes]", ...], ...]]:
    """The selected rules' triggers (see ``Rule.triggers``); None when some
    rule needs every file analysed. The engine reports FIT000 and FIT001
    itself: FIT000 on every file, FIT001 on a file whose analysis failed (a
    file no other rule needs analysed is not analysed)."""
    rules = []
    for code in codes:
        if code in (SyntaxErrorRule.code, InternalErrorRule.code):
            continue
        trigger = BY_CODE[code].triggers
        if trigger is None:
            return None
        rules.append(tuple(re.compile(p.encode()) for p in trigger))
    return tuple(rules)


def _triggered(data: bytes, rules: Tuple[Tuple["re.Pattern[bytes]", ...], ...]) -> bool:
    seen: dict = {}
    for patterns in rules:
        if all(seen[p] if p in seen else seen.setdefault(p, p.search(data) is not None) for p in patterns):
            return True
    return False


def _python_parse(source: bytes, path: str) -> Union[ast.AST, Tuple[str, int, int]]:
    """Python's own parse of the file: its syntax tree, or its syntax error
    as (message, line, column)."""
    try:
        return compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return exc.msg or "invalid syntax", exc.lineno or 1, exc.offset or 1
    except (ValueError, UnicodeDecodeError) as exc:
        return f"cannot read the source: {exc}", 1, 1
    except (RecursionError, MemoryError):
        return TOO_DEEP, 1, 1


# Python's parse of the file being linted, when lint_source needed it (a big
# file): the analysis reads it instead of parsing the same bytes again.
_PARSED_BY_PYTHON: Dict[bytes, Union[ast.AST, Tuple[str, int, int]]] = {}


def _python_parsed(source: bytes, path: str) -> Union[ast.AST, Tuple[str, int, int]]:
    known = _PARSED_BY_PYTHON.get(source)
    return known if known is not None else _python_parse(source, path)


def _python_syntax_error(source: bytes, path: str) -> Optional[Tuple[str, int, int]]:
    """Python's own verdict on the syntax: (message, line, column) or None."""
    parsed = _python_parsed(source, path)
    return parsed if isinstance(parsed, tuple) else None


TOO_DEEP = "expressions nested too deeply: Python itself cannot compile this file"
# LibCST parses long chains of calls and subscripts in time quadratic in
# their length (a chain of 1,000 calls takes seconds): the nesting of a file
# is measured first, a call or subscript counting 3, any other node 1.
MAX_NESTING = 1200
_HEAVY = (ast.Call, ast.Subscript)
# Below a node spanning n bytes of source, the syntax tree nests at most
# _PER_BYTE * n + _SLACK deep (weighted): going down from a node to a child
# takes at least one byte of source away, two for a call or subscript
# (weight 3), but for a few wrappers of equal span (an expression statement,
# an f-string's parts) and nodes without a position (``arguments``, a
# comprehension's ``for``, a load/store context, an operator) in between.
_PER_BYTE = 4
_SLACK = 10
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


def _may_nest_deeply(data: bytes) -> bool:
    """Whether the file may nest deeper than MAX_NESTING: it has a long line
    (a chain on one line) or many lines (a chain split over lines)."""
    return data.count(b"\n") >= MAX_NESTING // 2 or max(map(len, data.splitlines()), default=0) >= MAX_NESTING


def _line_starts(data: bytes) -> Optional[List[int]]:
    """The byte offset of each line's start, lines counted as Python counts
    them; None when the file declares an encoding other than UTF-8 (column
    offsets are then not byte offsets of the file)."""
    cookie = _CODING.search(b"\n".join(data.splitlines()[:2]))
    if cookie is not None and cookie.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    starts = [0, 0]  # line 1 starts at offset 0 (lines are numbered from 1)
    starts.extend(m.end() for m in re.finditer(rb"\r\n|\r|\n", data))
    return starts


def _nesting(tree: ast.AST, starts: Optional[List[int]] = None) -> int:
    """The weighted depth of a syntax tree, without recursion. With the
    files's ``starts`` (see _line_starts), the nodes below a node whose span
    cannot nest past MAX_NESTING are not visited."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if starts is not None and getattr(node, "end_col_offset", None) is not None:
            line, end_line = node.lineno, node.end_lineno  # type: ignore[attr-defined]
            span = (node.end_col_offset - node.col_offset if line == end_line  # type: ignore[attr-defined]
                    else starts[end_line] + node.end_col_offset - starts[line] - node.col_offset)  # type: ignore[attr-defined]
            if depth + _PER_BYTE * span + _SLACK <= MAX_NESTING:
                continue
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + (3 if isinstance(child, _HEAVY) else 1)))
    return deepest


def lint_source(source: Union[bytes, str], path: str, rules: Sequence[Type[Rule]],
                programs: Optional[str] = None) -> List[Reported]:
    """Lint one file's content (a script, or a notebook if ``path`` ends in
    ``.ipynb``). Parse errors become FIT000 findings, a failure of fitlint
    itself a FIT001 finding. ``programs``: build the dry-run program of every
    error finding ("errors"), and also of every fit/evaluate/predict call
    whose facts are fully known ("all")."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    parsed = None
    if not path.endswith(".ipynb") and _may_nest_deeply(data):
        # Judged here, under the caller's recursion limit (Python's own, as
        # running the script would be), not the analysis thread's raised one.
        parsed = _python_parse(data, path)
        if isinstance(parsed, tuple) and parsed[0] == TOO_DEEP:
            found = _report(Context(path, None, Facts(syntax_error=parsed)), None, rules)
            return suppress.apply(found, data.decode("utf-8", "replace"))
        _PARSED_BY_PYTHON[data] = parsed
    try:
        return _in_thread(_lint_source, source, path, rules, programs)
    except Exception as exc:  # a fault of fitlint: report it, check the other files
        return internal_error(path, f"{type(exc).__name__}: {exc}")
    finally:
        if parsed is not None:
            _PARSED_BY_PYTHON.pop(data, None)


# The analysis walks syntax trees recursively, and a valid file can nest
# expressions over a thousand deep (a long ``a + b + ...`` chain is a left-deep
# tree). It runs in a thread with a large stack and a raised recursion limit,
# so that such a file is analysed (or fails with RecursionError, reported as
# FIT001) and never overflows the C stack.
_STACK_SIZE = 256 * 1024 * 1024
_RECURSION_LIMIT = 20000


def _in_thread(function: Callable[..., List[Reported]], *args: Any) -> List[Reported]:
    box: Dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = function(*args)
        except BaseException as exc:  # re-raised in the calling thread
            box["error"] = exc

    limit = sys.getrecursionlimit()
    try:
        previous = threading.stack_size(_STACK_SIZE)
    except (ValueError, RuntimeError):  # the platform does not allow it: run here
        return function(*args)
    try:
        thread = threading.Thread(target=work, name="fitlint-analysis", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        thread.join()
    finally:
        sys.setrecursionlimit(limit)
    if "error" in box:
        raise box["error"]
    return box["result"]


def internal_error(path: str, text: str) -> List[Reported]:
    """The FIT001 finding for a file fitlint failed on. It is reported
    whatever rules are selected: a file that was not checked never passes."""
    rule: Type[Rule] = InternalErrorRule
    text = text if len(text) <= 300 else text[:300] + "..."
    return _report(Context(path, None, Facts(internal_error=text)), None, [rule])


def _lint_source(source: Union[bytes, str], path: str, rules: Sequence[Type[Rule]],
                 programs: Optional[str] = None) -> List[Reported]:
    data = source.encode("utf-8") if isinstance(source, str) else source
    if path.endswith(".ipynb"):
        try:
            script, starts, shifts = notebook.to_script(data)
        except notebook.NotebookError as exc:
            return _report(Context(path, None, Facts(syntax_error=(str(exc), 1, 1))), None, rules)
        return [_in_cells(f, starts, shifts) for f in _lint_script(script.encode("utf-8"), path, rules, programs)]
    return _lint_script(data, path, rules, programs)


def _in_cells(finding: Reported, starts, shifts) -> Reported:
    # columns first: ``shifts`` is keyed by the script's lines
    finding.column += shifts.get(finding.line, 0)
    finding.end_column += shifts.get(finding.end_line, 0)
    here = [r for r in finding.related if r.path == finding.path]  # others point into a module it imports
    for related in here:
        related.column += shifts.get(related.line, 0)
    finding.column, finding.end_column = max(finding.column, 1), max(finding.end_column, 1)
    finding.cell, finding.line = notebook.locate(finding.line, starts)
    end_cell, finding.end_line = notebook.locate(finding.end_line, starts)
    if end_cell != finding.cell:
        finding.end_line, finding.end_column = finding.line, finding.column
    for related in here:
        related.cell, related.line = notebook.locate(related.line, starts)
    if finding.fix is not None:
        finding.fix = _fix_in_cells(finding.fix, starts, shifts)
    return finding


def _fix_in_cells(fix: Fix, starts, shifts) -> Optional[Fix]:
    """The fix with its edits counted in cells, or None when an edit spans
    cells or touches a line the notebook reader rewrote (a prompt, an indent)."""
    edits = []
    for edit in fix.edits:
        cell, line = notebook.locate(edit.start[0], starts)
        end_cell, end_line = notebook.locate(edit.end[0], starts)
        if end_cell != cell or any(shifts.get(n) for n in range(edit.start[0], edit.end[0] + 1)):
            return None
        edits.append(Edit((line, edit.start[1]), (end_line, edit.end[1]), edit.content, cell))
    return Fix(fix.applicability, fix.message, tuple(edits))


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while one file is parsed and analysed.
    The work allocates millions of short-lived objects that reference
    counting frees; each automatic collection would also walk every syntax
    tree kept for imports (project.py), so collections grow with the run
    while finding almost nothing. What is left in cycles is collected after
    the file, so memory stays bounded by one file's analysis."""
    global _FILES_SINCE_FULL, _FULL_EVERY
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What the file left in cycles is young: collect it now, then
            # set aside what survives (parses and summaries kept for
            # imports), so that later collections do not walk it again.
            # A long run (an editor's server) looks at all of it now and
            # then, so that nothing set aside stays forever. Such a look
            # walks everything kept (about 0.5 s after 512 files) and finds
            # next to nothing, so each comes twice as many files after the
            # last, up to _FULL_MOST.
            _FILES_SINCE_FULL += 1
            if _FILES_SINCE_FULL >= _FULL_EVERY:
                _FILES_SINCE_FULL = 0
                _FULL_EVERY = min(2 * _FULL_EVERY, _FULL_MOST)
                gc.unfreeze()
                gc.collect()
            else:
                gc.collect(1)
            gc.freeze()
            gc.enable()


def set_aside(tree: cst.Module) -> cst.Module:
    """The syntax tree of the file being analysed, set aside at once from
    the cycle collector's view while it is paused for the file (see
    no_cycle_collection): the tree holds no cycles, is kept for imports as
    long as the run's other parses, and is most of what the collection after
    the file would otherwise walk (about three quarters of its time)."""
    if not gc.isenabled():
        gc.freeze()
    return tree


_FULL_FIRST = 2048  # files before the first full collection (see no_cycle_collection)
_FULL_MOST = 8192
_FULL_EVERY = _FULL_FIRST  # files from one full collection to the next
_FILES_SINCE_FULL = 0  # files since the last full collection


def _lint_script(data: bytes, path: str, rules: Sequence[Type[Rule]], programs: Optional[str]) -> List[Reported]:
    codes = tuple(r.code for r in rules)
    with no_cycle_collection():
        return suppress.apply(_analyse(data, path, rules, programs, codes), data.decode("utf-8", "replace"))


def _analyse(data: bytes, path: str, rules: Sequence[Type[Rule]], programs: Optional[str],
             codes: Tuple[str, ...]) -> List[Reported]:
    rules_triggers = _triggers(codes)
    if rules_triggers is not None and not _triggered(data, rules_triggers) and \
            not project.may_use_project_model(data, path):
        # Nothing a selected rule reports on can be in this file: only its
        # syntax needs checking, and Python's own parser does that fastest.
        error = _python_syntax_error(data, path) if SyntaxErrorRule.code in codes else None
        if error is None:
            return []
        return _report(Context(path, None, Facts(syntax_error=error)), None, rules)
    # Python's parser first: it refuses what nests too deeply for it (LibCST
    # would take minutes on such a file, or overflow the stack) and it is
    # many times faster than LibCST's.
    if _may_nest_deeply(data):
        parsed = _python_parsed(data, path)
        if isinstance(parsed, tuple) and parsed[0] == TOO_DEEP:
            return _report(Context(path, None, Facts(syntax_error=parsed)), None, rules)
        if not isinstance(parsed, tuple):
            depth = _nesting(parsed, _line_starts(data))
            if depth > MAX_NESTING:
                return internal_error(path, f"not analysed: its expressions nest {depth} deep (weighted), "
                                            f"more than the {MAX_NESTING} fitlint analyses in reasonable time")
    try:
        module = project.cached_module(path, data) or set_aside(parse.analysis_tree(data))
    except (cst.ParserSyntaxError, UnicodeDecodeError, LookupError, ValueError, SyntaxError) as exc:
        error = _python_syntax_error(data, path)
        if error is None:  # Python accepts it; LibCST does not
            error = (f"LibCST cannot parse this file: {_syntax_message(exc)}", getattr(exc, "editor_line", 1),
                     getattr(exc, "editor_column", 1))
        return _report(Context(path, None, Facts(syntax_error=error)), None, rules)
    if not path.endswith(".ipynb"):
        project.remember(path, data, module)
    try:
        facts = analyze(module, path)
        if result_cache.recording():  # what the result depends on: only the result cache keeps it
            facts.dependencies.extend(project.dependencies(path, data))
            result_cache.note(facts.dependencies)
        return _report(Context(path, module, facts), module, rules, programs)
    finally:
        if project.cached_module(path, data) is not module:
            parse.forget(module)  # not kept for imports: what would place its nodes goes too


def _syntax_message(exc: Exception) -> str:
    text = str(getattr(exc, "message", "") or exc).strip()
    text = text.splitlines()[0] if text else ""
    text = re.sub(r"^(parser error: )?error at \d+:\d+: ", "", text)
    if text.startswith("expected one of"):
        return "invalid syntax"
    return text or "invalid syntax"


def _report(ctx: Context, module: Optional[cst.Module], rules: Sequence[Type[Rule]],
            programs: Optional[str] = None) -> List[Reported]:
    raw: List[Tuple[Type[Rule], Finding]] = []
    for rule in rules:
        for finding in rule().check(ctx):
            if (finding.severity or rule.severity) == "error" and finding.subject is not None and \
                    caught(rule.exception, ctx.facts.handlers(finding.subject)):
                continue  # a deliberate failure: the script catches what TensorFlow raises
            raw.append((rule, finding))
    if programs == "all":
        raw += _dry_run_candidates(ctx, {id(f.subject) for _, f in raw if f.subject is not None})
    if not raw:
        return []
    positions = None
    if module is not None and any(f.node is not None for _, f in raw):
        positions = ctx.positions()
    out: List[Reported] = []
    seen = set()
    for rule, f in raw:
        if f.node is not None and positions is not None and f.node not in positions:
            moved = _moved(ctx, f, module)  # about code of another module the file runs
            if moved is None:
                continue
            f = moved
        if f.node is not None and positions is not None:
            rng = positions[f.node]
            line, col, end_line, end_col = rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column
        else:
            line, col = f.position or (1, 1)
            line, col = max(line, 1), max(col, 1)
            end_line, end_col = line, col
        related = []
        for node, message in f.related:
            if node is None or positions is None:
                continue
            if node not in positions:
                elsewhere = project.locate(node, skip=module)  # in a module the file imports
                if elsewhere is not None:
                    related.append(Related(project.display_path(ctx.path, elsewhere[0]), elsewhere[1], elsewhere[2],
                                           message))
                continue
            pos = positions[node]
            related.append(Related(ctx.path, pos.start.line, pos.start.column + 1, message))
        key = (rule.code, line, col, f.message)
        if key in seen:
            continue
        seen.add(key)
        severity = f.severity or rule.severity
        if ctx.facts.flag_defaults:
            # The script as written (run without options) fails; name the
            # defaults assumed, since the command line may pass others.
            related += _flag_notes(ctx, positions)
        reported = Reported(rule.code, rule.name, severity, f.message, ctx.path, line, col,
                            end_line, max(end_col, 1), related, f.hint, evidence=tuple(f.evidence),
                            fix=f.fix)
        if programs and reported.severity == "error" and f.subject is not None:
            from .confirm import slicer  # only for a dry run: its imports are not paid otherwise
            try:
                reported.program = slicer.program_for(f.subject, rule.dry_run_uncompiled)
            except slicer.Inconclusive as exc:
                reported.no_program = str(exc)
        out.append(reported)
    return out


def _moved(ctx: Context, f: Finding, module) -> Optional[Finding]:
    """A finding whose node is in another module: reported at the call of
    this file that ran that module's code, pointing at the other place; None
    when no such call is known (a function never called from here)."""
    entry = ctx.facts.entries.get(id(f.subject)) if f.subject is not None else None
    if entry is None:
        return None
    where = project.locate(f.node, skip=module)
    related = list(f.related)
    if where is not None:
        related.insert(0, (f.node, f"the call that fails, run by the call here: {ctx.src(f.node, 60)}"))
    return Finding(f.code, f.message, entry, related, f.hint, f.severity, f.position, f.subject, f.evidence)


def _flag_notes(ctx: Context, positions) -> List[Related]:
    """Where the flag defaults the analysis assumed are declared."""
    out = []
    for name, value in sorted(ctx.facts.flag_defaults.items()):
        node = value.origin.node
        if positions is not None and node in positions:
            pos = positions[node]
            where = (ctx.path, pos.start.line, pos.start.column + 1)
        else:
            found = project.locate(node)
            if found is None:
                continue
            where = (project.display_path(ctx.path, found[0]), found[1], found[2])
        out.append(Related(*where, f"assumes the default of flag {name} = {value.value!r}; "
                                   "the command line may pass another value"))
    return out


def _dry_run_candidates(ctx: Context, reported: set) -> List[Tuple[Type[Rule], Finding]]:
    """Every data call no finding is about and no ``except`` surrounds, as a
    FIT503 candidate: it is kept only if its dry run fails (see fitlint.confirm)."""
    rule: Type[Rule] = DryRunFailure
    out = []
    for call in ctx.facts.calls:
        if id(call) in reported or ctx.facts.handlers(call):
            continue  # inside a try/except, a failure may be what the script expects
        out.append((rule, Finding(rule.code, f"the dry run of model.{call.what} failed", call.node,
                                  [(call.model.origin.node, f"model built here: {ctx.src(call.model.origin.node, 50)}")],
                                  subject=call)))
    return out


def per_file_ignores(findings: List[Reported], table: dict, root: str) -> List[Reported]:
    """Drop findings whose file matches a glob of ``per-file-ignores``."""
    if not table:
        return findings
    from .rules import expand

    compiled = [(glob, {r.code for c in codes for r in expand(c)}) for glob, codes in table.items()]
    out = []
    for f in findings:
        relative = os.path.relpath(os.path.abspath(f.path), root).replace(os.sep, "/")
        name = os.path.basename(f.path)
        if any(f.code in codes and (fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(name, g)) for g, codes in compiled):
            continue
        out.append(f)
    return out


def lint_path(path: str, codes: Sequence[str], programs: Optional[str] = None) -> FileResult:
    rules = [BY_CODE[c] for c in codes]
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        return FileResult(path, error=f"cannot read: {exc.strerror or exc}")
    return FileResult(path, lint_source(source, path, rules, programs))


def _died(path: str) -> FileResult:
    return FileResult(path, internal_error(path, "the process analysing it died (a crash of the interpreter, "
                                                 "or killed for lack of memory)"))


def _pooled(files: Sequence[str], codes: Sequence[str], programs: Optional[str], jobs: int,
            done: Callable[[int], None], lint=None) -> Dict[str, FileResult]:
    """Lint files in worker processes (see fitlint.parallel). The files a
    dying worker leaves without a result are run again one per task in a
    single worker, so that the file that kills it is known: it gets FIT001,
    the others their findings."""
    from concurrent.futures import ProcessPoolExecutor  # only with --jobs: not paid otherwise
    from concurrent.futures.process import BrokenProcessPool

    from . import parallel

    task = functools.partial(lint or lint_path, codes=codes, programs=programs)
    found = parallel.run(task, files, [parallel.weight(f) for f in files], jobs, lambda index: done(1), files)
    results: Dict[str, FileResult] = {files[i]: result for i, result in found.items()}
    retry = [f for i, f in enumerate(files) if i not in found]
    while retry:
        pending, retry = retry, []
        with ProcessPoolExecutor(max_workers=1) as pool:
            singles = [(path, pool.submit(lint or lint_path, path, codes, programs)) for path in pending]
            for n, (path, single) in enumerate(singles):
                try:
                    results[path] = single.result()
                    done(1)
                except BrokenProcessPool:
                    # One worker runs the tasks in order: this one killed it.
                    results[path] = _died(path)
                    done(1)
                    retry = [p for p, _ in singles[n + 1:]]
                    break
    return results


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\rfitlint: {done}/{total} files")
    if done == total:
        sys.stderr.write("\r" + " " * 40 + "\r")
    sys.stderr.flush()


def run(files: Sequence[str], rules: Sequence[Type[Rule]], jobs: Optional[int] = None,
        progress: bool = False, programs: Optional[str] = None,
        cache: Optional[result_cache.Cache] = None) -> RunResult:
    """Lint ``files``; with a ``cache``, files whose entry is valid are not
    analysed again and the others' results are stored."""
    if cache is not None:
        hits = cache.lookup(files)
        result = _run([f for f in files if f not in hits], rules, jobs, progress, programs, _Lint(cache))
        findings = [f for found in hits.values() for f in found] + result.findings
        findings.sort(key=Reported.sort_key)
        return RunResult(findings, result.errors, len(files))
    return _run(files, rules, jobs, progress, programs, lint_path)


@dataclass
class _Lint:
    """``lint_path`` through the cache (picklable for worker processes)."""
    cache: result_cache.Cache

    def __call__(self, path: str, codes: Sequence[str], programs: Optional[str]) -> FileResult:
        return self.cache.lint(path, codes, programs)


def _run(files: Sequence[str], rules: Sequence[Type[Rule]], jobs: Optional[int], progress: bool,
         programs: Optional[str], lint) -> RunResult:
    codes = [r.code for r in rules]
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= 16 else 1
    show = progress and len(files) >= 20
    count = [0]

    def done(n: int) -> None:
        before, count[0] = count[0], count[0] + n
        if show and (count[0] // 10 != before // 10 or count[0] == len(files)):
            _progress(count[0], len(files))

    if jobs > 1 and len(files) > 1:
        by_path = _pooled(list(files), codes, programs, jobs, done, lint)
        results = [by_path[f] for f in files]
    else:
        results = []
        for f in files:
            results.append(lint(f, codes, programs))
            done(1)
    findings: List[Reported] = []
    errors: List[Tuple[str, str]] = []
    for result in results:
        findings.extend(result.findings)
        if result.error:
            errors.append((result.path, result.error))
    findings.sort(key=Reported.sort_key)
    return RunResult(findings, errors, len(files))
