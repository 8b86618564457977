"""The shortcuts that keep a cold check cheap give the results the long way gives."""
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from fitlint import engine
from fitlint.analysis import walk
from fitlint.analysis.walk import _TRIVIA, children, identities
from fitlint.positions import Positions
from fitlint.rules import ALL_RULES

DEFAULT = [r for r in ALL_RULES if r.default]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

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


# Every construct whose children LibCST visits in another order than their
# fields are declared in (walk._VISIT_ORDER), and the usual ones.
ORDERS = SOURCE + '''
from .. import sibling as s2
from .pkg.mod import (a as b, c)


@first
@second(key=1)
class D(Base, metaclass=Meta, **extra):
    async def g(self, p, /, q, *args, r=2, **kw) -> "D":
        async with lock as held, other():
            pass
        async for item in stream(start=0):
            yield [i async for i in item if i]
        value = left if test(q) else right
        try:
            pass
        except* ValueError as group:
            pass
        match value:
            case [x, *rest] if x > 0:
                pass
            case {"k": v}:
                pass
            case Point(x=0) | None:
                pass
        return f"{value!r:>{width}}"
'''


class _Events(cst.CSTVisitor):
    def __init__(self):
        self.events = []

    def on_visit(self, node):
        if type(node) not in _TRIVIA:
            self.events.append(("visit", id(node)))
        return True

    def on_leave(self, original_node):
        if type(original_node) not in _TRIVIA:
            self.events.append(("leave", id(original_node)))


class _FastEvents(walk.Visitor):
    def __init__(self):
        self.events = []
        self.calls = []

    def on_visit(self, node):
        self.events.append(("visit", id(node)))
        return super().on_visit(node)

    def on_leave(self, node):
        self.events.append(("leave", id(node)))
        super().on_leave(node)

    def visit_Call(self, node):
        self.calls.append(node)


class _SkipLambdas(_FastEvents):
    def visit_Lambda(self, node):
        return False  # its children are skipped, and it is still left


def test_visit_walks_in_libcst_order():
    """walk.visit enters and leaves every node but trivia in the order
    LibCST's own visit does (decorators before the name, a keyword before
    its value, the body of a conditional expression before its test...);
    visit_<Type> methods are called, and one returning False skips the
    node's children."""
    module = cst.parse_module(ORDERS)
    expected = _Events()
    module.visit(expected)
    fast = _FastEvents()
    walk.visit(module, fast)
    assert fast.events == expected.events
    assert [cst.Module([]).code_for_node(c.func) for c in fast.calls][:3] == ["decorated", "range", "zip"]
    skipping = _SkipLambdas()
    walk.visit(module, skipping)
    lambdas = [n for n in walk.nodes(module) if type(n) is cst.Lambda]
    inside = {id(n) for lam in lambdas for n in walk.nodes(lam)} - {id(lam) for lam in lambdas}
    assert not inside & {key for _, key in skipping.events}
    assert all(("leave", id(lam)) in skipping.events for lam in lambdas)


def test_membership_needs_no_placement():
    """Whether a node is in a module is answered without placing any
    statement, as the whole module's positions would answer it."""
    module = cst.parse_module(SOURCE)
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module)
    other = cst.parse_module("x = 1\n")
    for node in list(walk.nodes(module))[1:] + list(walk.nodes(other)):
        assert (node in positions) == (node in whole)
    assert positions.ranges == {}


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


def test_parse_without_validation_builds_the_same_tree():
    """fitlint's parse skips LibCST's re-validation of the nodes its own
    parser builds: the tree is equal to LibCST's parse of every fixture
    (same nodes, same code), and nodes built afterwards are validated again."""
    from fitlint.analysis import parse

    assert parse._SKIP  # this LibCST's __post_init__ only validates: the saving applies
    sources = sorted(FIXTURES.rglob("*.py"))[::10] + sorted(FIXTURES.rglob("FIT000*.py"))
    assert len(sources) > 20, len(sources)
    for path in sources:
        data = path.read_bytes()
        try:
            expected = cst.parse_module(data)
        except cst.ParserSyntaxError:
            with pytest.raises(cst.ParserSyntaxError):
                parse.module(data)
            continue
        got = parse.module(data)
        assert got.deep_equals(expected) and got.code == expected.code, path
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")  # validation is back on


def _same(a, b) -> bool:
    """Equal values, nodes (and sequences of nodes) compared deeply."""
    if isinstance(a, cst.CSTNode):
        return isinstance(b, cst.CSTNode) and a.deep_equals(b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_the_parse_builds_nodes_as_their_own_init_would():
    """The __init__ a parse gives each node class takes the same arguments
    with the same defaults as the class's own (a default factory is called
    when its field is not given), builds an equal node, and the class's own
    is back after the parse."""
    import dataclasses
    import inspect

    from fitlint.analysis import parse

    swaps = parse._swaps()
    assert len(swaps) >= 0.95 * len(walk.kinds(cst.CSTNode)), len(swaps)
    for cls, (fast, own) in swaps.items():
        assert cls.__dict__["__init__"] is own, cls
        ours, theirs = inspect.signature(fast).parameters, inspect.signature(own).parameters
        assert list(ours) == list(theirs), cls
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for name, param in theirs.items():
            assert ours[name].kind == param.kind, (cls, name)
            if name == "self":
                continue
            if fields[name].default_factory is not dataclasses.MISSING:
                assert ours[name].default is parse._MISSING, (cls, name)
            else:
                assert ours[name].default is param.default, (cls, name)
        required = {n: n for n, f in fields.items()
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        built = object.__new__(cls)
        fast(built, **required)
        for name, f in fields.items():
            expected = name if name in required else \
                f.default if f.default is not dataclasses.MISSING else f.default_factory()
            assert _same(getattr(built, name), expected), (cls, name)
    name = object.__new__(cst.Name)
    swaps[cst.Name][0](name, "x")
    assert name.deep_equals(cst.Name("x"))
    parse.module("x = 1\n")
    assert all(cls.__dict__["__init__"] is own for cls, (_, own) in swaps.items())


DEEP = {
    "calls": "x = a" + "()" * 700 + "\n",
    "attributes": "x = a" + ".b" * 1300 + "\n",
    "subscripts": "x = a" + "[0]" * 500 + "\n",
    "negations": "x = " + "-" * 1300 + "1\n",
    "nots": "x = " + "not " * 1300 + "1\n",
    "lists": "x = " + "[" * 190 + "]" * 190 + "\n",
    "chain over lines": "x = (a\n" + "".join("  .b()\n" for _ in range(500)) + ")\n",
    "short chain over lines": "x = (a\n" + "".join("  .b()\n" for _ in range(150)) + ")\n",
    "f-strings": "x = f'{a!r:{b}}' + f'{f\"{c}\"}'\n" * 700,
    "lambdas": "f = " + "lambda: " * 150 + "0\n",
    "crlf and cr": "x = f(\r\n a,\r\n b)\r\ny = g(\r c)\r" * 300,
    "latin-1": "# -*- coding: latin-1 -*-\ns = ('\xe9' +\n  '\xfc' +\n  a" + "()" * 400 + ")\n",
}


def _below(tree):
    """The weighted depth below every node, the long way (by id)."""
    depth = {}
    order = list(engine.ast.walk(tree))
    for node in reversed(order):  # children come after their parent in a walk
        depth[id(node)] = max((depth[id(c)] + (3 if isinstance(c, engine._HEAVY) else 1)
                               for c in engine.ast.iter_child_nodes(node)), default=0)
    return depth


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_nesting_skips_only_nodes_too_short_to_nest_too_deep(kind):
    """The nesting check does not look below a node whose span is too short
    to nest past the limit: on deep and shallow inputs alike its verdict is
    that of the walk of every node, and below every node the tree nests no
    deeper than its span allows."""
    encoding = "latin-1" if kind == "latin-1" else "utf-8"
    data = DEEP[kind].encode(encoding)
    tree = compile(data, kind, "exec", engine.ast.PyCF_ONLY_AST, dont_inherit=True)
    starts = engine._line_starts(data)
    assert (starts is None) == (kind == "latin-1")
    full, fast = engine._nesting(tree), engine._nesting(tree, starts)
    assert (full > engine.MAX_NESTING) == (fast > engine.MAX_NESTING), (full, fast)
    if starts is not None:
        below = _below(tree)
        for node in engine.ast.walk(tree):
            if getattr(node, "end_col_offset", None) is not None:
                span = (node.end_col_offset - node.col_offset if node.lineno == node.end_lineno
                        else starts[node.end_lineno] + node.end_col_offset - starts[node.lineno] - node.col_offset)
                assert below[id(node)] <= engine._PER_BYTE * span + engine._SLACK, (type(node).__name__, span)


def test_a_big_file_is_parsed_by_python_once(monkeypatch):
    """A file long enough for the nesting check is parsed by Python once per
    lint, and the parse is not kept after it."""
    calls = []
    real = engine._python_parse
    monkeypatch.setattr(engine, "_python_parse", lambda data, path: calls.append(path) or real(data, path))
    source = "import numpy as np\nfrom tensorflow import keras\n" + "x = np.zeros((4, 3))\n" * 700 + \
        "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\nmodel.compile(loss='mse')\n" \
        "model.fit(x, np.zeros((4, 2)))\n"
    engine.lint_source(source, "big.py", DEFAULT)
    assert calls == ["big.py"] and not engine._PARSED_BY_PYTHON


def test_kinds_are_the_concrete_classes_isinstance_accepts():
    """walk.kinds lists exactly LibCST's concrete node classes an
    ``isinstance`` test of the abstract class accepts."""
    import inspect

    for base in (cst.BaseSuite, cst.BaseCompoundStatement, cst.BaseSmallStatement, cst.BaseComp,
                 cst.BaseExpression, cst.Lambda):
        expected = {kind for kind in vars(cst).values() if inspect.isclass(kind) and issubclass(kind, base)
                    and not inspect.isabstract(kind)}
        assert walk.kinds(base) == expected and expected, base


def test_full_collections_come_ever_more_rarely_and_free_what_was_set_aside(monkeypatch):
    """After each file what it left in cycles is collected and the rest set
    aside; a full collection, each twice as many files after the last (up
    to a cap), frees cycles that became garbage once set aside."""
    import gc
    import weakref

    class Node:
        pass

    monkeypatch.setattr(engine, "_FULL_EVERY", 2)
    monkeypatch.setattr(engine, "_FULL_MOST", 8)
    monkeypatch.setattr(engine, "_FILES_SINCE_FULL", 0)
    full: list = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda generation=2: full.append(files) or real(generation)
                        if generation == 2 else real(generation))
    kept: list = []
    files = 0
    for files in range(1, 31):
        with engine.no_cycle_collection():
            if files == 3:
                a, b = Node(), Node()
                a.other, b.other = b, a  # a cycle that outlives its file...
                kept.append(a)
                gone = weakref.ref(a)
                del a, b
        if files == 4:
            kept.clear()  # ...and becomes garbage once set aside
            assert gone() is not None  # reference counting cannot free a cycle
    assert full == [2, 6, 14, 22, 30]
    assert gone() is None  # the full collection after file 6 freed it
