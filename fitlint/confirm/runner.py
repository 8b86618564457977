"""Run dry-run programs in one TensorFlow worker process, with a time limit
per case, a memory limit, a time budget for the whole run, and a cache keyed
by the program and the TensorFlow version (entries authenticated, see
fitlint.cache)."""
from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import sys
import time
from importlib import util
from typing import Dict, List, Optional, Sequence

from .. import cache as result_cache

CACHE_DIR = ".fitlint_cache"
MEMORY_MB = 4096
BUDGET = 600.0


class MissingTensorFlow(RuntimeError):
    pass


def tensorflow_version() -> str:
    """The installed TensorFlow's version, without importing it."""
    if util.find_spec("tensorflow") is None:
        raise MissingTensorFlow("--confirm needs TensorFlow: pip install \"fitlint[confirm]\"")
    from importlib import metadata  # slow to import: only for a dry run
    for dist in ("tensorflow", "tensorflow-cpu", "tf-nightly", "tensorflow-intel", "tensorflow-macos"):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


class Worker:
    def __init__(self, memory: Optional[int] = MEMORY_MB) -> None:
        self.memory = memory  # MB beyond what TensorFlow takes to load; None: no limit
        self.proc: Optional[subprocess.Popen] = None
        self.scratch: Optional[str] = None
        self.started = 0.0
        self.startup_seconds: Optional[float] = None

    def start(self) -> None:
        env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="3", PYTHONDONTWRITEBYTECODE="1")
        self.started = time.perf_counter()
        self.scratch = tempfile.mkdtemp(prefix="fitlint-dry-run-")
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
        env.pop("FITLINT_DRY_RUN_MEMORY_MB", None)
        if self.memory:
            env["FITLINT_DRY_RUN_MEMORY_MB"] = str(int(self.memory))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fitlint.confirm.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env=env, cwd=self.scratch)
        line = self._read(600)
        if line is None or "ready" not in line:
            self.stop()
            raise RuntimeError("the TensorFlow dry-run worker did not start")
        self.startup_seconds = time.perf_counter() - self.started

    def _read(self, timeout: float) -> Optional[str]:
        assert self.proc is not None and self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        return self.proc.stdout.readline() or None

    def run(self, case_id: str, program: str, timeout: float) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps({"id": case_id, "program": program}) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.stop()
            return {"status": "crashed", "exception": None, "detail": "the worker died", "seconds": 0.0}
        start = time.perf_counter()
        line = self._read(timeout)
        if line is None:
            crashed = self.proc.poll() is not None
            self.stop()  # a hung or crashed case costs only itself
            return {"status": "crashed" if crashed else "timeout", "exception": None,
                    "detail": "the worker died" if crashed else f"no result within {timeout:g} s",
                    "seconds": time.perf_counter() - start}
        result = json.loads(line)
        if result.get("status") == "memory":
            self.stop()  # it exits after such a case
            result["detail"] = f"memory limit exceeded ({self.memory} MB): {result.get('detail', '')}"
        return result

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


RESULT_FORMAT = 2  # results carry the whole message and the failing line


def _key(program: str, version: str) -> str:
    return hashlib.sha256(f"{RESULT_FORMAT}\n{version}\n{program}".encode()).hexdigest()


# Programs that timed out in this process: not run again (their result is
# not cached on disk, a later run may have more time).
_timed_out: Dict[str, dict] = {}


def run_programs(programs: Sequence[str], timeout: float = 60.0, cache_dir: Optional[str] = CACHE_DIR,
                 progress: bool = False, memory: Optional[int] = MEMORY_MB,
                 budget: Optional[float] = BUDGET) -> List[dict]:
    """Results for each program, in order; cached ones are not run again.
    ``budget``: seconds for all of them together (worker start included);
    the cases left when it is spent are not run."""
    version = tensorflow_version()
    started = time.perf_counter()
    results: List[Optional[dict]] = [None] * len(programs)
    todo: Dict[str, List[int]] = {}
    for i, program in enumerate(programs):
        key = _key(program, version)
        cached = _load(cache_dir, key)
        if cached is None and key in _timed_out:
            cached = dict(_timed_out[key])
        if cached is not None:
            cached["cached"] = True
            results[i] = cached
        else:
            todo.setdefault(key, []).append(i)
    if todo:
        worker = Worker(memory)
        try:
            for done, (key, indexes) in enumerate(todo.items(), 1):
                if progress:
                    sys.stderr.write(f"\rfitlint: dry run {done}/{len(todo)}")
                    sys.stderr.flush()
                left = None if budget is None else budget - (time.perf_counter() - started)
                if (left is None or left > 0) and (worker.proc is None or worker.proc.poll() is not None):
                    worker.start()  # its start-up counts against the budget
                    left = None if budget is None else budget - (time.perf_counter() - started)
                if left is not None and left <= 0:
                    result = {"status": "budget", "exception": None, "seconds": 0.0,
                              "detail": f"run budget exhausted ({budget:g} s for the whole dry run)"}
                else:
                    result = worker.run(key, programs[indexes[0]], timeout if left is None else min(timeout, left))
                    if result["status"] == "timeout":
                        if left is not None and left < timeout:
                            result.update(status="budget",
                                          detail=f"run budget exhausted ({budget:g} s for the whole dry run)")
                        else:
                            _timed_out[key] = dict(result)
                result.pop("id", None)
                result["cached"] = False
                if result["status"] in ("ok", "raised"):
                    _store(cache_dir, key, result)
                for i in indexes:
                    results[i] = dict(result)
        finally:
            worker.stop()
            if progress:
                sys.stderr.write("\r" + " " * 40 + "\r")
                sys.stderr.flush()
    return [r for r in results if r is not None]


def _load(cache_dir: Optional[str], key: str) -> Optional[dict]:
    """A stored result, if fitlint wrote it with this user's key (an entry
    committed to or planted in the repository is ignored)."""
    secret = result_cache.secret() if cache_dir else None
    if not cache_dir or secret is None:
        return None
    payload = result_cache.read_entry(os.path.join(cache_dir, "confirm", key + ".json"), secret, "confirm/" + key)
    if payload is None:
        return None
    try:
        result = json.loads(payload)
    except ValueError:
        return None
    return result if isinstance(result, dict) and result.get("status") in ("ok", "raised") else None


def _store(cache_dir: Optional[str], key: str, result: dict) -> None:
    secret = result_cache.secret() if cache_dir else None
    if not cache_dir or secret is None:
        return
    folder = os.path.join(cache_dir, "confirm")
    payload = json.dumps({k: v for k, v in result.items() if k != "cached"}).encode()
    try:
        result_cache.prepare(cache_dir)
        os.makedirs(folder, exist_ok=True)
        result_cache.write_entry(os.path.join(folder, key + ".json"),
                                 result_cache.seal(secret, "confirm/" + key, payload))
    except OSError:
        pass
