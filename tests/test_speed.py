"""The shortcuts that keep a cold check cheap give the results the long way gives."""
import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from fitlint import engine
from fitlint.analysis.walk import _TRIVIA, children, identities
from fitlint.positions import Positions
from fitlint.rules import ALL_RULES

DEFAULT = [r for r in ALL_RULES if r.default]

SOURCE = '''"""A module."""
# a comment
import numpy as np
from tensorflow import keras


@decorated(1)
def f(a, *, b=(1, 2)):
    """Doc."""
    x = [i ** 2 for i in range(a) if i % 2]  # squares
    y = {k: v for k, v in zip("ab", (1, 2))}
    return x, y, lambda q: q[1:2, ...]


class C(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(3)

    def call(self, x):
        with open("f") as h, open("g") as g:
            pass
        try:
            return self.dense(x) @ np.ones((3, 3))
        except (ValueError, TypeError) as e:
            raise RuntimeError("no") from e
        finally:
            del x


if __name__ == "__main__":
    model = C()
    model.fit(np.zeros((4, 2)), np.zeros((4,)), epochs=1)
'''


def test_children_are_node_children_without_trivia():
    """The fast child walk lists exactly LibCST's children of every node of
    a realistic script, less whitespace and punctuation, and reaches every
    node."""
    module = cst.parse_module(SOURCE)
    todo = [module]
    seen = 0
    while todo:
        node = todo.pop()
        seen += 1
        expected = [c for c in node.children if type(c) not in _TRIVIA]
        assert {id(c) for c in children(node)} == {id(c) for c in expected}, type(node).__name__
        todo.extend(node.children)
    assert seen == len(identities(module))


def test_positions_per_statement_are_those_of_the_whole_module():
    """Placing one top-level statement at a time gives every node the
    position LibCST's PositionProvider gives it on the whole module; a node
    of another module has none."""
    module = cst.parse_module(SOURCE)
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in whole if n is not module]
    positions = Positions(module)
    for node in reversed(nodes):  # the last statement first: the others are walked, not placed
        assert positions[node] == whole[node], type(node).__name__
    assert cst.parse_module("x = 1\n").body[0] not in positions


def test_a_file_no_rule_needs_is_not_parsed_by_libcst(monkeypatch):
    """A file no rule can report on is only syntax-checked by Python (LibCST
    is never called), and its syntax error is still FIT000."""
    def refuse(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(engine.cst, "parse_module", refuse)
    assert engine.lint_source(b"import os\nprint(os.getcwd())\n", "plain.py", DEFAULT) == []
    found = engine.lint_source(b"import os\nprint(os.getcwd()\n", "plain.py", DEFAULT)
    assert [f.code for f in found] == ["FIT000"]
