"""The test suite documents itself: every test says what it proves."""
import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_test_has_a_docstring():
    """Every ``test_*`` function in tests/ has a docstring (saying exactly
    what it proves); a test added without one fails here with its name."""
    missing = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test") \
                    and not ast.get_docstring(node):
                missing.append(f"{path.name}::{node.name}")
    assert not missing, missing


def test_modules_run_whole_as_slow_hold_only_slow_tests():
    """A module whose tests are all marked slow without being collected in
    a quick run (conftest._WHOLE_MODULES) holds only tests the per-test rule
    would mark slow or tf too: a quick test added there would silently
    leave the quick suite, and fails here with its name instead."""
    from conftest import _SLOW_CALLS, _TF_CALLS, _WHOLE_MODULES, _definitions

    quick = []
    for name, marker in sorted(_WHOLE_MODULES.items()):
        if marker != "slow":
            continue  # a tf module needs TensorFlow or NumPy to be imported at all
        path = TESTS / name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests = {node.lineno: node.name for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")}
        for first, source in _definitions(str(path)).items():
            test = next((n for line, n in tests.items() if first <= line <= first + source.count("\n")), None)
            if test is None or source.lstrip().startswith("@pytest.fixture"):
                continue
            if not (_SLOW_CALLS.search(source) or _TF_CALLS.search(source) or "@given" in source
                    or "IPython" in source or "tf_runner" in source
                    or re.search(r"@pytest\.mark\.(slow|tf|fuzz)\b", source)):
                quick.append(f"{name}::{test}")
    assert not quick, quick
