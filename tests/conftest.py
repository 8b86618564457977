import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CASE_TIMEOUT = float(os.environ.get("FITLINT_CASE_TIMEOUT", "120"))
_EXPECT = re.compile(r"^# expect: (\w+)", re.M)


def expectation(path: Path):
    found = _EXPECT.search(path.read_text(encoding="utf-8"))
    return found.group(1) if found else None


class TFRunner:
    """One TensorFlow process for all cases; a case that hangs is killed
    alone and the worker restarted for the next one."""

    def __init__(self):
        self.proc = None
        self.versions = None

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
