"""The static path never loads TensorFlow, Keras or NumPy."""
import subprocess
import sys

from conftest import ROOT


def test_import_cli_is_light():
    """Importing fitlint.cli and fitlint.engine loads no TensorFlow, Keras or NumPy."""
    code = ("import sys, fitlint.cli, fitlint.engine; "
            "heavy = [m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_check_run_is_light(tmp_path):
    """A whole `fitlint check fixtures` run (uncached: every file analysed)
    loads no TensorFlow, Keras or NumPy."""
    code = ("import sys; from fitlint.cli import main; main(['check', '-q', '--exit-zero', '--no-cache', 'fixtures']); "
            "heavy = [m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules]; "
            "sys.stderr.write(repr(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stderr.strip().endswith("[]"), out.stderr


def test_every_module_imports_first():
    """Each module of fitlint imports on its own, as the first of the
    package a program imports (the analysis modules import one another,
    some at their end to break cycles): no order of imports fails."""
    code = r"""
import importlib, pkgutil, sys
import fitlint
names = sorted(m.name for m in pkgutil.walk_packages(fitlint.__path__, "fitlint.")
               if not m.name.startswith("fitlint.__main__"))
failed = []
for name in names:
    for loaded in [k for k in sys.modules if k == "fitlint" or k.startswith("fitlint.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(names))
print("\n".join(failed))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    count, _, failed = out.stdout.partition("\n")
    assert int(count) > 60, count
    assert failed.strip() == "", failed
