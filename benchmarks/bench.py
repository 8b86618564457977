"""How fitlint's static path compares with parsing alone.

Usage: python benchmarks/bench.py [options] [DIR ...]   (default: the installed keras/src)

For each DIR (a corpus) and over all of them, prints:

- its files (``.py`` and ``.ipynb``, found as ``fitlint check`` finds them) and lines;
- the time LibCST needs just to parse every file, on one core: for a notebook,
  the script of its code cells as fitlint joins them (``fitlint.notebook``),
  joined before the clock starts;
- the wall time of ``fitlint check --no-cache --jobs 1`` over the same files
  (process start-up, reading, notebook conversion, parse, analysis, rules),
  and its ratio to the parse: the cost of a cold check per core, in units of
  a bare parse (the target is 1.3 at most);
- the wall time with ``--jobs`` set to the number of cores (each run right
  after a parse, as the one-core check), and its ratio to the parse divided
  by the cores;
- the CPU time of ``fitlint shapes --jobs 1`` (the same analysis, then the
  map of every call site), and its ratio to the parse and to the check;
- a cold run filling the result cache and a warm run with nothing changed
  (the cache in a temporary folder);
- ``fitlint check --no-cache`` of one file, process start included (median of
  5 runs): the corpus's largest file, and overall a script of about 300
  lines (``--script``, else one generated like ``lsp_latency.py``'s);
- the slowest file within a run (timed in this process, one file after
  another as ``--jobs 1`` checks them): no file may take 5 s;
- with several DIRs, ``--together`` also measures one ``fitlint check`` of
  all of them at once (one process start, and with ``--jobs`` the files of
  every corpus shared between the workers), as ``fitlint check DIR...``
  runs, against the parse of all their files.

The machine may be busy with other work: ratios compare runs made one right
after the other, in wall time and in CPU time (user + system: less sensitive
to other processes), and with ``--repeat N`` every parse/check pair is
measured N times and the medians are printed. This is a measurement, not a
test.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
SLOW_FILE = 5.0  # seconds


@dataclass
class Corpus:
    roots: List[Path]  # one folder; several when they are checked together (--together)
    files: List[str] = field(default_factory=list)
    texts: List[bytes] = field(default_factory=list)  # what LibCST parses (a notebook's joined cells)
    lines: int = 0
    notebooks: int = 0
    parse: List[float] = field(default_factory=list)
    check: List[float] = field(default_factory=list)
    parse_cpu: List[float] = field(default_factory=list)
    check_cpu: List[float] = field(default_factory=list)
    parallel: List[float] = field(default_factory=list)  # wall time of each --jobs N run
    shapes_cpu: Optional[float] = None  # `fitlint shapes --jobs 1`, CPU seconds
    cold: Optional[float] = None
    warm: Optional[float] = None
    largest: Optional[Tuple[str, int, Tuple[float, float]]] = None  # path, lines, (wall, CPU) seconds
    slowest: Optional[Tuple[str, float]] = None


CPU: List[float] = [0.0]  # CPU time (user + system) of the last fitlint run
# Runs as an installed fitlint runs: with its compiled bytecode. Under
# PYTHONDONTWRITEBYTECODE every start would compile fitlint's sources anew.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def fitlint(*args: str, cwd: Optional[str] = None) -> float:
    """Wall time of one ``python -m fitlint`` run (output discarded); its
    CPU time in ``CPU[0]``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "fitlint", *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, cwd=cwd, env=ENV)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[0] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode not in (0, 1):
        sys.exit(f"bench: fitlint {' '.join(args)} failed (exit {done.returncode}):\n"
                 f"{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def load(corpus: Corpus) -> None:
    from fitlint import notebook
    from fitlint.files import discover

    corpus.files, _ = discover([str(root) for root in corpus.roots])
    for path in corpus.files:
        data = Path(path).read_bytes()
        if path.endswith(".ipynb"):
            corpus.notebooks += 1
            try:
                data = notebook.to_script(data)[0].encode("utf-8")
            except notebook.NotebookError:
                data = b""  # fitlint reports it unreadable without parsing it
        corpus.texts.append(data)
        corpus.lines += data.count(b"\n")


def parse_time(texts: Sequence[bytes]) -> Tuple[float, float]:
    """Wall and CPU time of parsing every text with LibCST."""
    import libcst as cst

    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        try:
            cst.parse_module(text)
        except Exception:  # a syntax error costs its parse too
            pass
    return time.perf_counter() - start, time.process_time() - cpu


def single(path: str, runs: int = 5) -> Tuple[float, float]:
    """Median wall and CPU time of ``fitlint check --no-cache PATH``, process start included."""
    walls, cpus = [], []
    fitlint("check", "-q", "--exit-zero", "--no-cache", path)  # bytecode written, files in the OS cache
    for _ in range(runs):
        walls.append(fitlint("check", "-q", "--exit-zero", "--no-cache", path))
        cpus.append(CPU[0])
    return statistics.median(walls), statistics.median(cpus)


def slowest(corpus: Corpus) -> Tuple[str, float]:
    """The file that takes longest when the corpus is checked in this
    process, one file after another (as ``--jobs 1`` does)."""
    from fitlint import engine
    from fitlint.analysis import project
    from fitlint.rules import ALL_RULES

    codes = [r.code for r in ALL_RULES if r.default]
    project.forget()
    worst = ("", 0.0)
    for path in corpus.files:
        start = time.perf_counter()
        engine.lint_path(path, codes)
        elapsed = time.perf_counter() - start
        if elapsed > worst[1]:
            worst = (path, elapsed)
    project.forget()
    return worst


def measure(corpus: Corpus, args: argparse.Namespace, jobs: int) -> None:
    roots = [str(root) for root in corpus.roots]
    for _ in range(args.repeat):  # each run right after a parse: the load of the machine changes slowly
        wall, cpu = parse_time(corpus.texts)
        corpus.parse.append(wall)
        corpus.parse_cpu.append(cpu)
        corpus.check.append(fitlint("check", "-q", "--exit-zero", "--no-cache", "--jobs", "1", *roots))
        corpus.check_cpu.append(CPU[0])
        if jobs > 1:
            corpus.parallel.append(fitlint("check", "-q", "--exit-zero", "--no-cache", "--jobs", str(jobs), *roots))
    if len(roots) > 1:
        return  # checked together: the rest is measured corpus by corpus
    root = roots[0]
    if not args.no_shapes:
        fitlint("shapes", "--jobs", "1", "--output-format", "json", root)
        corpus.shapes_cpu = CPU[0]
    if not args.no_cache_runs:
        with tempfile.TemporaryDirectory(prefix="fitlint-bench-") as folder:
            corpus.cold = fitlint("check", "-q", "--exit-zero", root, cwd=folder)
            corpus.warm = statistics.median(fitlint("check", "-q", "--exit-zero", root, cwd=folder)
                                            for _ in range(3))
    if corpus.files:
        index = max(range(len(corpus.files)), key=lambda i: corpus.texts[i].count(b"\n"))
        path = corpus.files[index]
        corpus.largest = (path, corpus.texts[index].count(b"\n"), single(path))
    if not args.no_slowest:
        corpus.slowest = slowest(corpus)


def ratios(corpora: Sequence[Corpus], cpu: bool = False) -> Tuple[float, float, float]:
    """Median parse time, check time and ratio over the repetitions (sums
    over the corpora for each repetition), wall or CPU time."""
    parse = [sum((c.parse_cpu if cpu else c.parse)[i] for c in corpora) for i in range(len(corpora[0].parse))]
    check = [sum((c.check_cpu if cpu else c.check)[i] for c in corpora) for i in range(len(corpora[0].check))]
    return (statistics.median(parse), statistics.median(check),
            statistics.median(c / p if p else float("inf") for c, p in zip(check, parse)))


def report(name: str, corpora: Sequence[Corpus], jobs: int) -> None:
    files = sum(len(c.files) for c in corpora)
    notebooks = sum(c.notebooks for c in corpora)
    lines = sum(c.lines for c in corpora)
    parse, check, ratio = ratios(corpora)
    parse_cpu, check_cpu, ratio_cpu = ratios(corpora, cpu=True)
    print(f"{name}: {files} files ({notebooks} notebooks), {lines} lines")
    print(f"  LibCST parse only, 1 core:           {parse:7.2f} s wall {parse_cpu:7.2f} s CPU")
    print(f"  fitlint check --no-cache --jobs 1:   {check:7.2f} s wall {check_cpu:7.2f} s CPU   "
          f"ratio {ratio:.2f} wall, {ratio_cpu:.2f} CPU")
    if jobs > 1 and all(c.parallel for c in corpora):
        wall = sum(statistics.median(c.parallel) for c in corpora)
        print(f"  fitlint check --no-cache --jobs {jobs}:   {wall:7.2f} s   ratio to parse/{jobs}: "
              f"{wall / (parse / jobs):.2f}")
    if all(c.shapes_cpu is not None for c in corpora):
        shapes = sum(c.shapes_cpu or 0.0 for c in corpora)
        print(f"  fitlint shapes --jobs 1:             {shapes:7.2f} s CPU   ratio {shapes / parse_cpu:.2f} CPU "
              f"(to the parse; {shapes / check_cpu:.2f} of the check)")
    if all(c.cold is not None for c in corpora):
        print(f"  result cache: cold {sum(c.cold or 0.0 for c in corpora):.2f} s, "
              f"warm (nothing changed) {sum(c.warm or 0.0 for c in corpora):.2f} s")
    if len(corpora) == 1 and corpora[0].largest is not None:
        path, count, (wall, cpu) = corpora[0].largest
        print(f"  largest file, {count} lines, alone: {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"(process start included, median of 5)  {path}")
    found = [c.slowest for c in corpora if c.slowest is not None]
    if found:
        path, seconds = max(found, key=lambda s: s[1])
        verdict = "ok" if seconds < SLOW_FILE else f"MORE THAN {SLOW_FILE:.0f} s"
        print(f"  slowest file in a run: {seconds:.2f} s ({verdict})  {path}")


def script_time(path: Optional[str]) -> Tuple[str, int, Tuple[float, float]]:
    if path is not None:
        return path, Path(path).read_bytes().count(b"\n"), single(path)
    sys.path.insert(0, str(HERE))
    from lsp_latency import script

    with tempfile.TemporaryDirectory(prefix="fitlint-bench-") as folder:
        target = os.path.join(folder, "train.py")
        text = script(300)
        Path(target).write_text(text)
        return "a generated training script", text.count("\n"), single(target)


def keras_sources() -> Optional[Path]:
    import importlib.util

    spec = importlib.util.find_spec("keras")  # found, not imported
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "src"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.py", description="Compare a cold `fitlint check` with a bare LibCST parse of the same files.",
        epilog="Example: python benchmarks/bench.py --repeat 3 corpora/* \"$(python -c 'import keras, os; "
               "print(os.path.dirname(keras.__file__))')/src\"")
    parser.add_argument("dirs", nargs="*", metavar="DIR",
                        help="folders to check, each a corpus (default: the installed keras/src)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="measure each parse/check pair N times and print medians (default 1)")
    parser.add_argument("--script", default=None, metavar="FILE",
                        help="the single script to time (default: a generated 300-line training script)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="processes of the parallel run (default: the number of cores)")
    parser.add_argument("--no-cache-runs", action="store_true", help="skip the cold and warm result-cache runs")
    parser.add_argument("--no-slowest", action="store_true", help="skip timing each file (the slowest file)")
    parser.add_argument("--no-shapes", action="store_true", help="skip the `fitlint shapes` run")
    parser.add_argument("--together", action="store_true",
                        help="also time one check of all the DIRs at once (one process, files shared by the jobs)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.script is not None and not os.path.isfile(args.script):
        parser.error(f"no such file: {args.script}")
    if args.dirs:
        roots = [Path(d) for d in args.dirs]
    else:
        found = keras_sources()
        if found is None:
            parser.error("give a directory (keras is not installed)")
        roots = [found]
    missing = [str(r) for r in roots if not r.is_dir()]
    if missing:
        parser.error(f"no such directory: {', '.join(missing)}")
    corpora = [Corpus([r.resolve()]) for r in roots]
    for corpus in corpora:
        load(corpus)
    if not any(c.files for c in corpora):
        parser.error("no .py or .ipynb files in the given directories")
    corpora = [c for c in corpora if c.files]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; {args.repeat} repetition(s)", flush=True)
    for corpus in corpora:
        measure(corpus, args, args.jobs)
        report(str(corpus.roots[0]), [corpus], args.jobs)
        sys.stdout.flush()
    if len(corpora) > 1:
        report("all", corpora, args.jobs)
        if args.together:
            whole = Corpus([root for c in corpora for root in c.roots],
                           files=[f for c in corpora for f in c.files], texts=[t for c in corpora for t in c.texts],
                           lines=sum(c.lines for c in corpora), notebooks=sum(c.notebooks for c in corpora))
            measure(whole, args, args.jobs)
            report("all, checked together", [whole], args.jobs)
            sys.stdout.flush()
    what, count, (wall, cpu) = script_time(args.script)
    print(f"single script ({what}, {count} lines), `fitlint check --no-cache`: {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"(process start included, median of 5)")
    starts = []
    for _ in range(5):
        fitlint("--version")
        starts.append(CPU[0])
    python = []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        python.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"process start: `fitlint --version` {statistics.median(starts):.2f} s CPU, "
          f"bare `python -c pass` {statistics.median(python):.2f} s CPU (the machine's speed now)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
