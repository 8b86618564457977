"""The test suite documents itself: every test says what it proves."""
import ast
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
