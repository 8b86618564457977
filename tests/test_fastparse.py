"""The analysis tree built from Python's parse (fitlint.analysis.fastparse)
agrees with LibCST's parse on every node kind and field but trivia."""
import os
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitlint import notebook
from fitlint.analysis import fastparse, parse

ROOT = Path(__file__).resolve().parent.parent

SNIPPETS = [
    "a = 1; b = 2\nc = 3;\n",
    "if x: y = 1; z = 2\nelse: pass\n",
    "if a:\n    pass\nelif b:\n    pass\nelif c: pass\nelse:\n    if d:\n        pass\n",
    "for i in range(3):\n    continue\nelse:\n    break\nwhile x: x -= 1\nelse: pass\n",
    "x = 'a' \"b\" '''c'''\ny = ('a'  # one\n     'b' \\\n     r'\\'c')\nz = b'x' b'y'\n",
    "s = f'{a}' 'b'\nt = 'a' f\"{b!r:>{w}}\" r'c'\nu = f'{x}'\nv = F'''{y}\n'''\n",
    "a[1, 2]\na[(1, 2)]\na[(1), 2]\na[(1), (2)]\na[:, None]\na[...]\na[1:2, ::3]\na[()]\na[x,]\n",
    "f(a, *b, c=1, **d)\nf(c=1, *b)\nf(**k, x=1)\nf(x for x in y)\nf()\n",
    "@dec\n@dec.attr(1)\nclass A(B, metaclass=M, **kw):\n    '''doc'''\n    x: int = 1\n    y: str\n",
    "def f(a, b=1, /, c=2, *args, d, e=3, **kw) -> int:\n    return a\nasync def g(*, k): await k\n",
    "lambda: 0\nlambda x, y=1, *a, z, **k: x\nlambda *, a: a\n",
    "async def f():\n    async for a in b:\n        pass\n    async with c as d, e:\n        yield d\n",
    "try:\n    pass\nexcept (A, B) as e:\n    raise C from e\nexcept:\n    raise\nelse:\n    pass\nfinally:\n    pass\n",
    "try:\n    pass\nexcept* ValueError as e:\n    pass\n",
    "with a as (b, c), d as e[0]:\n    pass\nwith (open(x) as f, open(y) as g):\n    pass\n",
    "del a, b[0]\ndel (c)\ndel [d, e]\nglobal x, y\ndef f():\n    nonlocal z\n",
    "from . import a\nfrom .. import (b, c as d,)\nfrom ...x.y import *\nimport a.b.c as d, e\nfrom x import y\n",
    "if (n := 10) > 5: pass\n[y for x in a if x for y in x if y if not y]\n{k: v for k, v in d.items()}\n{x for x in s}\n",
    "d = {'a': 1, **e}\ns = {1, 2}\nt = ()\nu = (1,)\nl = [*a, *b]\na, *b = c\n[a, b] = c\nx = y = z\n",
    "def g():\n    yield\n    yield 1\n    yield from h()\n    x = yield\n",
    "assert x, 'msg'\nassert y\nraise\nx = 1_000 + 0x1F + 1e-3 + 3j + -1 + +2 + ~3 + .5 + 1.\n",
    "a < b < c\na is not b\na not in b\nnot a\na and b and c or d\nx if y else z\na @ b\na // b ** c % d\n",
    "x += 1\ny @= z\nz **= 2\nw >>= 1\nv |= {1}\n",
    "s = 'é'; n = 12\nt = \"ü\" + 'a'; m = f'{n}é'\n",
    "x = ...\ny = None, True, False\nprint(*args, sep='')\n",
    "class A: pass\nclass B(): x = 1\ndef f(): return\n",
    "x = [\n    1,\n    2,  # two\n]\n\n\n# trailing comment\n",
    "if True:\n    pass\n    # comment\n\n# between\nelse:\n    pass\n",
    "x = (\n    a\n    .b(1)\n    .c\n)\nz = a[\n    1\n]\n",
    "def f(\n    a: int = 1,\n    *,\n    b: 'str' = 'x',\n):\n    pass\n",
    "for x, in y: pass\nfor (a, b) in c: pass\nfor [a, b] in c: pass\n",
]


def _check(source: str) -> None:
    data = source.encode("utf-8")
    real = parse.module(data)
    fast = fastparse.module(data)
    assert fastparse.same_shape(real, fast) is None, (fastparse.same_shape(real, fast), source)


@pytest.mark.parametrize("source", SNIPPETS)
def test_snippets_agree_with_libcst(source):
    """Each tricky construct gives the tree LibCST gives, trivia aside."""
    _check(source)


def test_fields_are_of_libcst_kinds():
    """Stars, dots and sequences hold what LibCST's parser puts there."""
    fast = fastparse.module(b"from .. import a\nf(x, *y, k=1)\ndef g(a, *b, c, **d): pass\n")
    imp = fast.body[0].body[0]
    assert isinstance(imp, cst.ImportFrom) and len(imp.relative) == 2
    call = fast.body[1].body[0].value
    assert [a.star for a in call.args] == ["", "*", ""] and call.args[2].keyword.value == "k"
    params = fast.body[2].params
    assert params.star_arg.star == "*" and params.star_kwarg.star == "**" and params.kwonly_params[0].name.value == "c"
    assert type(fast.body) is tuple and type(call.args) is tuple


def test_literals_are_the_source_text():
    """Numbers and strings keep their text as written, after non-ASCII text too."""
    fast = fastparse.module("x = 0x1F + 1_0 + 1e3 + 2j + 'a' r\"b\"\ns = 'é'; n = 12\n".encode("utf-8"))
    expr = fast.body[0].body[0].value
    texts = []
    while type(expr) is cst.BinaryOperation:
        texts.append(expr.right)
        expr = expr.left
    texts.append(expr)
    assert [getattr(t, "value", None) for t in reversed(texts[1:])] == ["0x1F", "1_0", "1e3", "2j"]
    concatenated = texts[0]
    assert (concatenated.left.value, concatenated.right.value) == ("'a'", 'r"b"')
    assert concatenated.evaluated_value == "ab"
    second = fast.body[1].body
    assert second[0].value.value == "'é'" and second[1].value.value == "12"


def test_byte_order_mark_and_other_encodings():
    """A byte order mark is not part of the first line's text; a file in
    another encoding than UTF-8 is left to LibCST."""
    data = b"\xef\xbb\xbfx = 12; s = 'ab'\n"
    assert fastparse.same_shape(parse.module(data), fastparse.module(data)) is None
    assert fastparse.module(data).body[0].body[0].value.value == "12"
    with pytest.raises(fastparse.Unsupported):
        fastparse.module("# -*- coding: latin-1 -*-\ns = 'Ã©'; n = 12\n".encode("latin-1"))


def test_no_warning_of_the_file_is_shown(recwarn):
    """Warnings Python's parser gives about the file (an invalid escape
    sequence) are not shown: the parse is fitlint's, not the file's run."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        fastparse.module(b"s = '\\d'\nx = 1 is 1\n")
        assert not [w for w in recwarn.list if "analysis" in str(w.filename)]


def test_a_difference_is_found():
    """same_shape reports a changed name, a missing argument, a dot more."""
    real = parse.module(b"f(a, b)\n")
    assert fastparse.same_shape(real, fastparse.module(b"f(a, c)\n")) is not None
    assert fastparse.same_shape(real, fastparse.module(b"f(a)\n")) is not None
    assert fastparse.same_shape(real, fastparse.module(b"g(a, b)\n")) is not None
    assert fastparse.same_shape(parse.module(b"from . import a\n"), fastparse.module(b"from .. import a\n"))


def test_unknown_syntax_is_left_to_libcst():
    """match is left to LibCST; what Python rejects raises SyntaxError."""
    with pytest.raises(fastparse.Unsupported):
        fastparse.module(b"match x:\n    case 1:\n        pass\n")
    with pytest.raises(SyntaxError):
        fastparse.module(b"def f(:\n")


def _fixture_sources():
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if path.suffix == ".py":
            yield path, path.read_bytes()
        elif path.suffix == ".ipynb":
            try:
                yield path, notebook.to_script(path.read_bytes())[0].encode("utf-8")
            except notebook.NotebookError:
                continue


@pytest.mark.slow
def test_every_fixture_agrees_with_libcst():
    """Every fixture Python parses gives the tree LibCST gives, trivia aside."""
    checked = 0
    for path, data in _fixture_sources():
        try:
            real = parse.module(data)
            fast = fastparse.module(data)
        except (cst.ParserSyntaxError, SyntaxError, ValueError, fastparse.Unsupported):
            continue
        assert fastparse.same_shape(real, fast) is None, (path, fastparse.same_shape(real, fast))
        checked += 1
    assert checked > 200


@settings(max_examples=max(6, int(os.environ.get("FITLINT_FUZZ_EXAMPLES", "0")) // 10), deadline=None,
          suppress_health_check=list(HealthCheck), database=None)
@given(st.deferred(lambda: __import__("hypothesmith").from_node()))
def test_generated_programs_agree_with_libcst(source):
    """Programs generated from LibCST trees: the same tree, or left to LibCST."""
    data = source.encode("utf-8")
    try:
        compile(data, "<generated>", "exec", dont_inherit=True)
        real = parse.module(data)
    except Exception:
        return  # not a program both parsers take
    try:
        fast = fastparse.module(data)
    except fastparse.Unsupported:
        return
    assert fastparse.same_shape(real, fast) is None, (fastparse.same_shape(real, fast), source)


def _findings(path: Path, fast: bool):
    from fitlint.analysis import project
    from fitlint.engine import lint_source
    from fitlint.rules import ALL_RULES

    before = parse.FAST
    parse.FAST = fast
    try:
        project.forget()
        found = lint_source(path.read_bytes(), str(path), ALL_RULES, programs="errors")
        return [(f.to_dict(), f.program) for f in found]
    finally:
        parse.FAST = before
        project.forget()


@pytest.mark.slow
def test_findings_are_the_same_on_either_tree():
    """Every finding on the fixtures (rules, fixes, projects of several
    modules, notebooks): the same place, message, related places, fix and
    dry-run program whether the analysis reads LibCST's tree or the one from
    Python's parse."""
    paths = [p for p in sorted((ROOT / "fixtures").rglob("*")) if p.suffix in (".py", ".ipynb")]
    with_findings = 0
    for path in paths:
        fast, real = _findings(path, True), _findings(path, False)
        assert fast == real, path
        with_findings += bool(fast)
    assert with_findings > 100
