"""Files analysed in worker processes (``--jobs N``).

Files are listed path by path, so the files of one project, and of one
package, sit next to each other; a worker remembers within a run what it
learned of a project's modules (see ``fitlint.analysis.project``), so it
pays for a module once for all the files it checks that import it. Handing
out files in small rotating chunks split each package between the workers,
and each worker then parsed and followed the same modules again (22 % more
CPU over two corpora). Here the list is cut into one stretch per worker,
of about equal size in bytes; a worker takes the files of its own stretch
in order, and when its stretch is done it takes, one by one, the last file
of the stretch with the most files left. The workers share only the bounds
of the stretches. No worker is idle while a file is left, and the files a
worker takes stay together.

A worker that dies (a crash of the interpreter, killed for lack of memory)
leaves the file it was on, and the files of its stretch nobody took,
without a result: the caller decides what to do with them.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from multiprocessing.connection import wait
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import notebook

_MOST = 256 * 1024  # one file counts at most this much: stealing evens out the rest
# A cut between two stretches may move by up to this share of a stretch
# (either way) to fall between two packages rather than inside one.
_SLACK = 0.125


def weight(path: str) -> int:
    """A file's expected share of the work: its size in bytes (a notebook's
    code cells: its outputs, often most of its bytes, are not analysed), at
    least 1 and at most ``_MOST``."""
    try:
        if path.endswith(".ipynb"):
            with open(path, "rb") as handle:
                size = notebook.code_size(handle.read())
            if size is None:
                size = 1  # not readable: reported at once
        else:
            size = os.path.getsize(path)
    except OSError:
        size = 1
    return max(1, min(size, _MOST))


def _shared(a: str, b: str) -> int:
    """How many folders the paths of two files have in common, from the start."""
    first, second = os.path.dirname(a).split(os.sep), os.path.dirname(b).split(os.sep)
    count = 0
    for x, y in zip(first, second):
        if x != y:
            break
        count += 1
    return count


def stretches(weights: Sequence[int], parts: int, paths: Optional[Sequence[str]] = None) -> List[Tuple[int, int]]:
    """``parts`` contiguous ranges [start, end) covering ``weights``, of
    about equal total weight (some may be empty). With the items' ``paths``
    (sorted), each cut moves, within ``_SLACK`` of a stretch's share, to
    where the two files around it share the fewest folders: a package then
    stays with one worker, which parses and follows its modules once."""
    total = sum(weights)
    before = [0]
    for w in weights:
        before.append(before[-1] + w)
    count = len(weights)
    cuts = [0]
    for k in range(1, parts):
        # The first index at which the weight so far reaches k shares.
        cut = next((i for i in range(cuts[-1], count + 1) if before[i] * parts >= total * k), count)
        if paths is not None and 0 < cut < count:
            ideal, slack = total * k / parts, _SLACK * total / parts
            candidates = [i for i in range(max(cuts[-1], 1), count) if abs(before[i] - ideal) <= slack]
            if candidates:
                cut = min(candidates, key=lambda i: (_shared(paths[i - 1], paths[i]), abs(before[i] - ideal), i))
        cuts.append(max(cut, cuts[-1]))
    cuts.append(count)
    return [(cuts[k], cuts[k + 1]) for k in range(parts)]


def _claim(bounds: Any, own: int, parts: int) -> int:
    """The next item for worker ``own``: the next of its stretch, else the
    last of the stretch with the most left; -1 when none is left.
    ``bounds`` holds (next, end) per stretch."""
    with bounds.get_lock():
        first, end = bounds[2 * own], bounds[2 * own + 1]
        if first < end:
            bounds[2 * own] = first + 1
            return first
        most, victim = 0, -1
        for k in range(parts):
            left = bounds[2 * k + 1] - bounds[2 * k]
            if left > most:
                most, victim = left, k
        if victim < 0:
            return -1
        bounds[2 * victim + 1] -= 1
        return bounds[2 * victim + 1]


def _work(own: int, parts: int, function: Callable[[Any], Any], items: Sequence[Any], bounds: Any,
          connection: Any) -> None:
    # Ctrl-C stops the main process, which ends its workers: a worker must
    # not print its own traceback for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        while True:
            index = _claim(bounds, own, parts)
            if index < 0:
                return
            connection.send((index, function(items[index])))
    finally:
        connection.close()


def _context() -> Any:
    # Forked workers start at once and inherit the loaded modules (and, in
    # tests, patched functions); elsewhere the platform's default.
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def run(function: Callable[[Any], Any], items: Sequence[Any], weights: Sequence[int], jobs: int,
        done: Callable[[int], None] = lambda index: None, paths: Optional[Sequence[str]] = None) -> Dict[int, Any]:
    """``function(item)`` for every item, in ``jobs`` worker processes:
    {index: result}. ``done(index)`` is called as each result arrives. An
    item whose worker died before sending its result has none. ``paths``:
    the items' files, to cut the work between packages (see stretches)."""
    context = _context()
    parts = max(1, min(jobs, len(items)))
    flat = [bound for stretch in stretches(weights, parts, paths) for bound in stretch]
    bounds = context.Array("q", flat)
    workers = []
    readers: List[Any] = []  # the receiving ends of the workers' pipes
    for own in range(parts):
        reader, writer = context.Pipe(duplex=False)
        worker = context.Process(target=_work, args=(own, parts, function, items, bounds, writer), daemon=True)
        worker.start()
        writer.close()  # only the worker writes: its end closes when it exits
        workers.append(worker)
        readers.append(reader)
    results: Dict[int, Any] = {}
    try:
        while readers:
            ready: List[Any] = wait(readers)
            for reader in ready:
                try:
                    index, result = reader.recv()
                except (EOFError, OSError, pickle.UnpicklingError):
                    # The worker is done, or died (perhaps within a message).
                    readers.remove(reader)
                    reader.close()
                    continue
                results[index] = result
                done(index)
    finally:
        for worker in workers:
            if worker.is_alive() and readers:  # interrupted: do not leave them running
                worker.terminate()
            worker.join()
    return results
