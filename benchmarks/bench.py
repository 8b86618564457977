"""How fitlint's static path compares with parsing alone.

Usage: python benchmarks/bench.py [DIR]   (default: the installed keras/src)

Prints, for one core: the time LibCST needs just to parse every file, the
time `fitlint check` needs for the same files (parse + analysis + rules, with
files no rule can report on only syntax-checked), and their ratio. A ratio
below 1 means fitlint costs less than a plain LibCST parse of the corpus.
Those runs use --no-cache; then a cold and a warm run with the result cache
(in a temporary folder) show what a repeated run over unchanged files costs.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import libcst as cst


def main() -> None:
    if len(sys.argv) > 1:
        root = Path(sys.argv[1])
    else:
        import importlib.util

        spec = importlib.util.find_spec("keras")
        if spec is None or spec.origin is None:
            sys.exit("give a directory (keras is not installed)")
        root = Path(spec.origin).parent / "src"
    files = sorted(p for p in root.rglob("*.py") if p.is_file())
    sources = [p.read_bytes() for p in files]
    lines = sum(s.count(b"\n") for s in sources)

    start = time.perf_counter()
    for source in sources:
        try:
            cst.parse_module(source)
        except Exception:
            pass
    parse = time.perf_counter() - start

    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fitlint", "check", "-q", "--exit-zero", "--no-cache", "--jobs", "1",
                    str(root)],
                   check=True, stdout=subprocess.DEVNULL)
    lint = time.perf_counter() - start

    print(f"corpus: {root} ({len(files)} files, {lines} lines)")
    print(f"LibCST parse only, 1 core: {parse:.2f} s")
    print(f"fitlint check, 1 core:     {lint:.2f} s (including interpreter start-up)")
    print(f"ratio fitlint / parse:     {lint / parse:.2f}")
    jobs = os.cpu_count() or 1
    if jobs > 1:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "fitlint", "check", "-q", "--exit-zero", "--no-cache", str(root)],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"fitlint check, {jobs} cores:    {time.perf_counter() - start:.2f} s")
    with tempfile.TemporaryDirectory(prefix="fitlint-bench-") as folder:
        for label in ("cold, filling the cache", "warm, nothing changed"):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "fitlint", "check", "-q", "--exit-zero", str(root.resolve())],
                           check=True, stdout=subprocess.DEVNULL, cwd=folder)
            print(f"fitlint check, {label}: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
