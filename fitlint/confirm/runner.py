"""Run dry-run programs in one TensorFlow worker process, with a time limit
per case and a cache keyed by the program and the TensorFlow version."""
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
from importlib import metadata, util
from typing import Dict, List, Optional, Sequence

CACHE_DIR = ".fitlint_cache"


class MissingTensorFlow(RuntimeError):
    pass


def tensorflow_version() -> str:
    """The installed TensorFlow's version, without importing it."""
    if util.find_spec("tensorflow") is None:
        raise MissingTensorFlow("--confirm needs TensorFlow: pip install \"fitlint[confirm]\"")
    for dist in ("tensorflow", "tensorflow-cpu", "tf-nightly", "tensorflow-intel", "tensorflow-macos"):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


class Worker:
    def __init__(self) -> None:
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
        return json.loads(line)

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


def run_programs(programs: Sequence[str], timeout: float = 60.0, cache_dir: Optional[str] = CACHE_DIR,
                 progress: bool = False) -> List[dict]:
    """Results for each program, in order; cached ones are not run again."""
    version = tensorflow_version()
    results: List[Optional[dict]] = [None] * len(programs)
    todo: Dict[str, List[int]] = {}
    for i, program in enumerate(programs):
        key = _key(program, version)
        cached = _load(cache_dir, key)
        if cached is not None:
            cached["cached"] = True
            results[i] = cached
        else:
            todo.setdefault(key, []).append(i)
    if todo:
        worker = Worker()
        try:
            for done, (key, indexes) in enumerate(todo.items(), 1):
                if progress:
                    sys.stderr.write(f"\rfitlint: dry run {done}/{len(todo)}")
                    sys.stderr.flush()
                result = worker.run(key, programs[indexes[0]], timeout)
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
    if not cache_dir:
        return None
    try:
        with open(os.path.join(cache_dir, "confirm", key + ".json"), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _store(cache_dir: Optional[str], key: str, result: dict) -> None:
    if not cache_dir:
        return
    folder = os.path.join(cache_dir, "confirm")
    try:
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, key + ".json")
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump({k: v for k, v in result.items() if k != "cached"}, handle)
        os.replace(path + ".tmp", path)
        gitignore = os.path.join(cache_dir, ".gitignore")
        if not os.path.exists(gitignore):
            with open(gitignore, "w", encoding="utf-8") as handle:
                handle.write("*\n")
    except OSError:
        pass
