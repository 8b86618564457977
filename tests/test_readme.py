"""The README shows what `fitlint check fixtures/examples` really prints."""
import re
import subprocess
import sys

from conftest import ROOT


def test_readme_example_output_is_current():
    """The README's example output is byte-identical to what `fitlint check
    fixtures/examples` prints now."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"\$ pip install \. && fitlint check fixtures/examples\n(.*?)```", readme, re.S)
    assert block, "README lost its example command"
    out = subprocess.run([sys.executable, "-m", "fitlint", "check", "fixtures/examples"], capture_output=True,
                         text=True, cwd=ROOT)
    assert block.group(1) == out.stdout
