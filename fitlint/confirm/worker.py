"""The dry-run worker: imports TensorFlow once, then runs programs one by one.

Protocol: one JSON object per line on stdin, ``{"id": ..., "program": ...}``;
one JSON line per case on stdout, ``{"id", "status": "ok"|"raised",
"exception", "detail", "line", "seconds"}`` (``detail``: the exception's
whole message; ``line``: the program line that raised). The first line written is
``{"ready": <tensorflow version>}``. It runs on the CPU, in the temporary
directory the parent made, with sockets disabled; the parent enforces the
time limit. ``FITLINT_DRY_RUN_MEMORY_MB``: how much address space the programs
may take beyond what TensorFlow took to load (``RLIMIT_AS``); a case that
runs out reports ``"status": "memory"`` and the worker exits.
"""
import contextlib
import io
import json
import os
import socket
import sys
import time

os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled in the fitlint dry run")


class _SealedSocket(socket.socket):
    def connect(self, *args, **kwargs):
        _no_network()

    connect_ex = connect
    sendto = connect
    bind = connect


def _seal() -> None:
    """No Python code in the worker can open a connection from here on."""
    socket.socket = _SealedSocket  # type: ignore[misc]
    socket.create_connection = _no_network  # type: ignore[assignment]
    socket.getaddrinfo = _no_network  # type: ignore[assignment]


MESSAGE_CHARS = 50_000  # the whole message (the parent trims what it shows)
FILENAME = "<fitlint dry run>"


def _failing_line(exc: BaseException):
    """The line of the dry-run program whose statement raised (the innermost
    frame in the program), or None when it did not get to run (a program
    that does not compile is the dry run's fault, never the script's)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _run(program: str) -> dict:
    import keras

    keras.backend.clear_session()
    start = time.perf_counter()
    sink = io.StringIO()
    try:
        code = compile(program, FILENAME, "exec")
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(code, {"__name__": "__fitlint_dry_run__"})
    except BaseException as exc:  # every outcome is reported, none kills the worker
        text = str(exc).strip()
        if len(text) > MESSAGE_CHARS:
            text = text[:MESSAGE_CHARS] + " ..."
        return {"status": "raised", "exception": type(exc).__name__, "detail": text,
                "line": _failing_line(exc), "seconds": time.perf_counter() - start}
    return {"status": "ok", "exception": None, "detail": "", "seconds": time.perf_counter() - start}


MEMORY_ERRORS = ("MemoryError", "ResourceExhaustedError")


def _limit_memory() -> bool:
    """Cap the address space at its current size plus the allowance."""
    megabytes = os.environ.get("FITLINT_DRY_RUN_MEMORY_MB")
    if not megabytes:
        return False
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as handle:
            size = next(int(line.split()[1]) * 1024 for line in handle if line.startswith("VmSize:"))
        limit = size + int(megabytes) * 1024 * 1024
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        return True
    except (ImportError, OSError, ValueError, StopIteration):
        return False  # not Linux: no limit


def main() -> None:
    # The parent starts the worker in an empty temporary directory it removes.
    out = sys.stdout
    import keras  # noqa: F401  (loaded once, before the first case)
    import tensorflow as tf

    _seal()
    limited = _limit_memory()
    out.write(json.dumps({"ready": tf.__version__, "memory_limit": limited}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        result = _run(case["program"])
        result["id"] = case["id"]
        memory = limited and result.get("exception") in MEMORY_ERRORS
        if memory:
            result["status"] = "memory"
        out.write(json.dumps(result) + "\n")
        out.flush()
        if memory:
            return  # what failed to allocate may have left TensorFlow unusable: the parent starts a new worker


if __name__ == "__main__":
    main()
