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
