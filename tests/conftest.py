import json
import os
import re
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CASE_TIMEOUT = float(os.environ.get("FITLINT_CASE_TIMEOUT", "120"))
_EXPECT = re.compile(r"^# expect: (\w+)", re.M)


def expectation(path: Path):
    found = _EXPECT.search(path.read_text(encoding="utf-8"))
    return found.group(1) if found else None


@dataclass(frozen=True)
class Pin:
    """How a fixture must fail under TF, from its ``# expect...`` lines:
    ``# expect: <ExceptionClass>``; ``# expect-message: <text>`` (each such
    text is in TF's message); ``# expect-regex: <regex>`` (each matches it);
    ``# expect-line: <n>`` (the script's own statement that raised is on line
    n); ``# expect-shared: <a>, <b>`` (values that TF's message and fitlint's
    finding both name, as whole tokens)."""
    exception: Optional[str]
    messages: Tuple[str, ...] = ()
    regexes: Tuple[str, ...] = ()
    line: Optional[int] = None
    shared: Tuple[str, ...] = ()


def _directive(name, text):
    return tuple(m.strip() for m in re.findall(rf"^# expect-{name}: (.+)$", text, re.M))


def pin(path: Path) -> Pin:
    text = path.read_text(encoding="utf-8")
    lines = _directive("line", text)
    shared = [t.strip() for value in _directive("shared", text) for t in value.split(",") if t.strip()]
    return Pin(expectation(path), _directive("message", text), _directive("regex", text),
               int(lines[0]) if lines else None, tuple(shared))


def names(text: str, token: str) -> bool:
    """``token`` occurs in ``text`` as a whole token (9 is not in 19 or x9)."""
    return re.search(rf"(?<!\w){re.escape(token)}(?!\w)", text) is not None


def pin_problems(expected: Pin, result: dict, line: bool = True) -> list:
    """Every way a tf_worker result differs from the pinned failure; empty
    when TF raised the declared class with the declared message fragments
    (and, with ``line``, on the declared line)."""
    if result.get("status") != "raised" or result.get("exception") != expected.exception:
        return [f"TF gave {result.get('status')} {result.get('exception')}, the pin says {expected.exception}"]
    message = result.get("message") or ""
    problems = [f"TF's message lacks {m!r}" for m in expected.messages if m not in message]
    problems += [f"TF's message does not match /{r}/" for r in expected.regexes if not re.search(r, message)]
    problems += [f"TF's message does not name {t!r}" for t in expected.shared if not names(message, t)]
    if line and expected.line is not None and result.get("line") != expected.line:
        problems.append(f"TF failed on line {result.get('line')}, the pin says {expected.line}")
    return problems


class TFRunner:
    """One TensorFlow process for all cases; a case that hangs is killed
    alone and the worker restarted for the next one. A fixture file is run
    once per session (several tests look at the same fixture's outcome)."""

    def __init__(self):
        self.proc = None
        self.versions = None
        self.seen: dict = {}  # (fixture path, its content) -> result

    def _start(self):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1", PYTHONHASHSEED="0")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "tf_worker.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
        line = self._read(300)
        if line is None:
            raise RuntimeError("the TensorFlow worker did not start (is the `test` extra installed?)")
        self.versions = json.loads(line)

    def _read(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return line or None

    def run(self, path: Path) -> dict:
        key = None
        if FIXTURES in Path(path).resolve().parents:
            key = (str(path), Path(path).read_bytes())
            if key in self.seen:
                return dict(self.seen[key])
        result = self._run(path)
        if key is not None and result.get("status") != "timeout":
            self.seen[key] = dict(result)
        return result

    def _run(self, path: Path) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write(str(path) + "\n")
        self.proc.stdin.flush()
        line = self._read(CASE_TIMEOUT)
        if line is None:
            self.close()
            return {"path": str(path), "status": "timeout", "exception": None, "message": "", "steps": 0}
        return json.loads(line)

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture(scope="session")
def tf_runner():
    runner = TFRunner()
    yield runner
    runner.close()


# --------------------------------------------------------------- markers
# tf: the test runs TensorFlow (the shared worker, or a dry run through
# --confirm); slow: a static test that takes seconds; fuzz: the long
# property-based run, only with `-m fuzz` (the README's `pytest` runs the
# rest). `pytest -m "not tf and not slow"` is the quick static suite.
_TF_CALLS = re.compile(r"tf_runner|--confirm|\bconfirm\(|confirm_all|TFRunner|run_programs")
# Every test there runs TensorFlow or compares with the real TF/Keras/NumPy APIs.
_TF_MODULES = {"test_signatures.py"}
# Starting processes (the CLI, pools, pre-commit) takes a second or so each.
# A language client starts a server process; _step runs the CI action as a process.
_SLOW_CALLS = re.compile(r"subprocess|\brun\(|_cli\(|sys\.executable|pre.commit|jobs=|LanguageClient|ClientServerConfig|\b_step\(")


_SOURCES: dict = {}
_DEFINITIONS: dict = {}


def _definitions(filename: str) -> dict:
    """{first line: source} of every function of a file, decorators included
    (as inspect.getsource gives them), from one parse of the file."""
    import ast

    if filename not in _DEFINITIONS:
        found = {}
        try:
            text = Path(filename).read_text(encoding="utf-8")
            lines = text.splitlines(keepends=True)
            todo = list(ast.parse(text).body)  # the functions of the module and of its classes
            while todo:
                node = todo.pop()
                if isinstance(node, ast.ClassDef):
                    todo.extend(node.body)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                    found[first] = "".join(lines[first - 1:node.end_lineno])
        except (OSError, SyntaxError, ValueError):
            pass
        _DEFINITIONS[filename] = found
    return _DEFINITIONS[filename]


def _source(item) -> str:
    """The test function's source, read once per function (parametrized
    tests share it)."""
    import inspect

    function = getattr(item, "function", None)
    if function is None:
        return ""
    function = inspect.unwrap(function)
    key = getattr(function, "__code__", function)
    if key not in _SOURCES:
        code = getattr(function, "__code__", None)
        found = _definitions(code.co_filename).get(code.co_firstlineno) if code is not None else None
        if found is None:
            try:
                found = inspect.getsource(function)
            except (OSError, TypeError):
                found = ""
        _SOURCES[key] = found
    return _SOURCES[key]


# Modules whose every test has one marker: a run that deselects it does not
# even import them (their imports are heavy: NumPy, hypothesis, pytest-lsp).
_WHOLE_MODULES = {**{name: "tf" for name in _TF_MODULES}, "test_cli.py": "slow", "test_fuzz.py": "slow",
                  "test_light.py": "slow", "test_readme.py": "slow", "test_server.py": "slow"}


def _deselects(config, marker: str) -> bool:
    """The ``-m`` expression of this run rejects every test marked ``marker``
    (judged as for a test with that one marker; False when unsure)."""
    markexpr = config.getoption("markexpr", "") or ""
    if not markexpr:
        return False
    try:
        from _pytest.mark.expression import Expression

        return not Expression.compile(markexpr).evaluate(lambda name, **kwargs: name == marker)
    except Exception:  # another pytest: collect as usual
        return False


def pytest_ignore_collect(collection_path, config):
    marker = _WHOLE_MODULES.get(collection_path.name)
    if marker is not None and collection_path.parent == Path(__file__).parent and _deselects(config, marker):
        return True
    return None


_MARKERS: dict = {}


def _marker(source: str, runs_tf: bool) -> Optional[str]:
    """tf, slow or None for a test of this source (worked out once per
    function: parametrized tests share it)."""
    key = (source, runs_tf)
    if key not in _MARKERS:
        if runs_tf or _TF_CALLS.search(source):
            _MARKERS[key] = "tf"
        elif _SLOW_CALLS.search(source) or "@given" in source or "IPython" in source:
            _MARKERS[key] = "slow"
        else:
            _MARKERS[key] = None
    return _MARKERS[key]


def pytest_collection_modifyitems(config, items):
    for item in items:
        whole = _WHOLE_MODULES.get(item.path.name)
        if whole is not None:
            item.add_marker(whole)
            continue
        marker = _marker(_source(item), "tf_runner" in getattr(item, "fixturenames", ()))
        if marker is not None:
            item.add_marker(marker)
    if "fuzz" not in (config.getoption("markexpr", "") or ""):
        kept = [item for item in items if item.get_closest_marker("fuzz") is None]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("fuzz") is not None])
            items[:] = kept


@dataclass
class Completed:
    """What a `fitlint` command gave: like subprocess.CompletedProcess."""
    returncode: int
    stdout: str
    stderr: str


def fitlint_in_process(*args, cwd=None, stdin=None) -> Completed:
    """Run a `fitlint` command line in this process (no interpreter start):
    its exit code and what it wrote on stdout and stderr. The tests that
    must see the installed command itself start a process instead."""
    import contextlib
    import io

    from fitlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd, old_stdin = os.getcwd(), sys.stdin
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.StringIO(stdin or "")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(old_cwd)
        sys.stdin = old_stdin
    return Completed(code, out.getvalue(), err.getvalue())


def check_in_parts(args, paths, parts: int = 2, cwd=ROOT) -> Tuple[list, list]:
    """``python -m fitlint check *args`` (JSON output) over the files
    ``paths``, as ``parts`` processes running at once, each with its share of
    the files: each file is checked on its own, so the findings are those of
    one run over all of them, and dry runs (``--confirm``) use every core.
    The findings of all, and each process' subprocess.CompletedProcess."""
    files = [str(p) for p in paths]
    shares = [files[i::parts] for i in range(parts) if files[i::parts]]
    running = [(share, subprocess.Popen([sys.executable, "-m", "fitlint", "check", *args, *share],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd))
               for share in shares]
    done = []
    for share, proc in running:
        out, err = proc.communicate()
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    findings = [f for out in done for f in (json.loads(out.stdout) if out.stdout.strip() else [])]
    return findings, done


def in_processes(function, items, processes: int = 2) -> list:
    """``[function(item) for item in items]``, worked out by ``processes``
    forked copies of this process at once (one core each), in order; here,
    one by one, where processes cannot be forked."""
    import multiprocessing

    if not hasattr(os, "fork") or processes < 2 or len(items) < 2:
        return [function(item) for item in items]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(function, items, chunksize=1)


def run_at_once(commands, cwd=ROOT, timeout=600) -> list:
    """Each command (an argument list) run as a process, all of them at
    once: their subprocess.CompletedProcess, in order."""
    running = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
               for command in commands]
    done = []
    for proc in running:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other in running:
                other.kill()
            raise
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


_LINTS: dict = {}


def files_with_a_crash(tmp_path: Path) -> Tuple[List[str], str]:
    """Six buggy rule fixtures and, fourth among them, ``crash.py``: a file a
    test makes kill the worker process analysing it (forked workers inherit
    the test's patch). Skips where workers are not forked."""
    if sys.platform != "linux":
        pytest.skip("relies on forked workers")
    files = sorted(str(p) for p in (FIXTURES / "rules").glob("FIT2*_buggy.py"))[:6]
    crash = tmp_path / "crash.py"
    crash.write_text("from tensorflow import keras\nmodel.fit(x)\n")
    files.insert(3, str(crash))
    return files, str(crash)


def lint_fixture(path: Path, rules, text=None) -> list:
    """fitlint's findings on a fixture file, or on ``text`` put in its place,
    with ``rules``: worked out once per test session for each path, text and
    rule set (the fixtures and the modules next to them do not change during
    a run, and several tests look at the same fixture's findings)."""
    from fitlint.engine import lint_source

    path = Path(path)
    assert FIXTURES in path.parents, f"{path} is not a fixture: its neighbours may change"
    data = path.read_bytes() if text is None else text.encode("utf-8") if isinstance(text, str) else text
    key = (str(path), data, tuple(rule.code for rule in rules))
    if key not in _LINTS:
        _LINTS[key] = tuple(lint_source(data, str(path), list(rules)))
    return list(_LINTS[key])


def findings_with_all_rules(path: Path) -> tuple:
    """Every finding of a fixture with all rules on, computed once per test
    session (several tests look at the same fixtures' findings)."""
    from fitlint.rules import ALL_RULES

    return tuple(lint_fixture(path, ALL_RULES))


# ------------------------------------------------------- two processes
# On a machine with two cores, a forked copy of the session runs runs of
# tests (a module's, see _modules) taken from a shared queue while this
# process runs the others, and its reports are shown here as if run here.
# Each process has its own TensorFlow worker (tf_runner), so with tf tests
# only when 6 GB of memory are available. Not with -x, --pdb, -s or
# --collect-only; FITLINT_TEST_PROCESSES=1 turns it off.
# Warnings raised in the forked process are not shown.
def _split(session) -> bool:
    config = session.config
    option = config.option
    if not hasattr(os, "fork") or os.environ.get("FITLINT_TEST_PROCESSES", "2") == "1" or \
            (os.cpu_count() or 1) < 2 or len(session.items) < 200:
        return False
    if option.collectonly or getattr(option, "maxfail", 0) or getattr(option, "usepdb", False) or \
            getattr(option, "capture", "fd") == "no" or getattr(option, "numprocesses", None) or \
            getattr(option, "stepwise", False) or getattr(option, "exitfirst", False):
        return False
    # A TensorFlow worker grows to about 2 GB over the suite: a second one
    # only where the memory is there.
    return _available_memory() >= _TF_MEMORY or not any(item.get_closest_marker("tf") for item in session.items)


_TF_MEMORY = 6 * 2 ** 30  # bytes free for a second process with its TensorFlow worker


def _available_memory() -> int:
    """Bytes of memory available now (unknown: assumed enough)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return _TF_MEMORY


# Modules that look at the same fixtures' findings (lint_fixture): their
# static tests run in one process, which works the findings out once.
_TOGETHER = ("test_fixtures.py", "test_severity.py", "test_negative.py", "test_fixes.py", "test_project.py",
             "test_batches.py", "test_groundtruth.py")


def _weight(item) -> float:
    """A guess at a test's seconds: TensorFlow runs and started processes
    take seconds, a static test a few hundredths."""
    if item.get_closest_marker("tf"):
        return 10.0
    if item.get_closest_marker("slow"):
        return 3.0
    return 0.03


def _modules(items) -> list:
    """The items in runs: the static tests of the _TOGETHER modules in one
    run, those of each other module in one, and each module's tf and slow
    tests in one; the heaviest runs first, so that the two processes finish
    about together."""
    runs: dict = {}
    for item in items:
        heavy = _weight(item) > 0.03
        key = (item.path, heavy) if heavy or item.path.name not in _TOGETHER else "together"
        runs.setdefault(key, []).append(item)
    order = list(runs.values())
    order.sort(key=lambda run: -sum(_weight(item) for item in run))  # stable: file order among equals
    return order


def _run_taken(session, runs, queue_fd, run_item) -> list:
    """Run the modules this process takes from the queue (4-byte indexes);
    the indexes taken, in order."""
    import struct

    def take():
        data = os.read(queue_fd, 4)
        return struct.unpack("<i", data)[0] if len(data) == 4 else None

    taken = []
    current = take()
    while current is not None:
        taken.append(current)
        items = runs[current]
        following = None
        for i, item in enumerate(items):
            if i == len(items) - 1:
                following = take()
                nextitem = runs[following][0] if following is not None else None
            else:
                nextitem = items[i + 1]
            run_item(item, nextitem)
            if session.shouldfail or session.shouldstop:
                return taken
        current = following
    return taken


def _replay_warning(config, text, category, filename, lineno, when, nodeid) -> None:
    import builtins
    import warnings

    kind = getattr(builtins, category, None)
    kind = kind if isinstance(kind, type) and issubclass(kind, Warning) else UserWarning
    message = warnings.WarningMessage(kind(text), kind, filename, lineno)
    config.hook.pytest_warning_recorded.call_historic(
        kwargs=dict(warning_message=message, when=when, nodeid=nodeid, location=None))


def pytest_collection_finish(session):
    # What collection built (modules, test items) lives to the end: the
    # collector need not look at it again (nor a forked process copy it).
    import gc

    gc.collect()
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    if session.testsfailed and not session.config.option.continueoncollectionerrors:
        return None  # pytest's own loop reports the collection errors
    if not _split(session):
        return None
    import struct
    import tempfile

    config = session.config
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        factory.getbasetemp()  # one folder for both processes' tmp_path (made before they part)
    runs = _modules(session.items)
    order = range(len(runs))
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"".join(struct.pack("<i", i) for i in order))
    os.close(write_fd)
    results = tempfile.NamedTemporaryFile("w+", suffix=".jsonl", prefix="fitlint-tests-", delete=False)
    pid = os.fork()
    if pid == 0:  # the forked process: run, write each report, leave without pytest's exit steps
        code = 0
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            capture = config.pluginmanager.getplugin("capturemanager")
            if capture is not None:
                capture.stop_global_capturing()
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if capture is not None:
                capture.start_global_capturing()

            class Writer:
                def pytest_runtest_logreport(self, report):
                    data = config.hook.pytest_report_to_serializable(config=config, report=report)
                    results.write(json.dumps(data) + "\n")
                    results.flush()

                def pytest_warning_recorded(self, warning_message, when, nodeid, location):
                    message = warning_message
                    results.write(json.dumps({"warning": [str(message.message), message.category.__name__,
                                                          message.filename, message.lineno, when, nodeid]}) + "\n")
                    results.flush()

            config.pluginmanager.register(Writer(), "fitlint-forked-reports")
            _run_taken(session, runs, read_fd,
                       lambda item, nextitem: item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem))
        except BaseException:
            code = 1
        finally:
            results.close()
            os._exit(code)
    taken = set(_run_taken(session, runs, read_fd,
                           lambda item, nextitem: item.config.hook.pytest_runtest_protocol(item=item,
                                                                                          nextitem=nextitem)))
    os.close(read_fd)
    os.waitpid(pid, 0)
    # The other process' reports, as if its tests ran here.
    done = set()
    results.seek(0)
    for line in results:
        try:
            data = json.loads(line)
        except ValueError:  # a line cut short: that test runs again below
            break
        if "warning" in data:
            _replay_warning(config, *data["warning"])
            continue
        report = config.hook.pytest_report_from_serializable(config=config, data=data)
        if report.when == "setup":
            config.hook.pytest_runtest_logstart(nodeid=report.nodeid, location=report.location)
        config.hook.pytest_runtest_logreport(report=report)
        if report.when == "teardown":
            config.hook.pytest_runtest_logfinish(nodeid=report.nodeid, location=report.location)
            done.add(report.nodeid)
    results.close()
    os.unlink(results.name)
    # Whatever the other process did not finish (it died) runs here.
    left = [item for i, run in enumerate(runs) if i not in taken for item in run if item.nodeid not in done]
    for i, item in enumerate(left):
        if session.shouldfail or session.shouldstop:
            break
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=left[i + 1] if i + 1 < len(left) else None)
    return True
