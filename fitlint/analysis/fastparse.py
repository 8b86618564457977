"""The analysis tree of a module, built from Python's own parse.

The analysis reads LibCST nodes, but never their syntax trivia (whitespace,
comments, newlines, parentheses, brackets, punctuation: see walk.py).
LibCST's parser spends most of its time on exactly those: a parse makes
about 1.6 million nodes over the development corpora, two thirds of them
trivia. Python's parser (written in C) reads the same files about eight
times faster.

:func:`module` builds, from ``ast``, a tree of LibCST's own node classes with
the same kinds, fields and values as ``libcst.parse_module`` gives, trivia
aside: every trivia field holds one shared placeholder. Literal fields are
the source text (``Integer.value``, a ``SimpleString`` with its prefix and
quotes, each part of an implicitly concatenated string). Such a tree is for
analysing only: its ``code``, ``code_for_node`` and positions are not the
file's. :func:`same_shape` tells whether two trees agree on everything but
trivia (what the tests check against LibCST's parse).

Syntax the builder does not know (``match``, type parameters, a name not
in ASCII...) raises :class:`Unsupported`; the caller then parses with
LibCST. An f-string is parsed by LibCST on its own: a few characters.
"""
from __future__ import annotations

import ast
import dataclasses
import re
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst
from libcst._nodes.base import CSTNode

from . import walk


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


class Unsupported(Exception):
    """Syntax the builder leaves to LibCST's parser."""


# ---------------------------------------------------------------- node makers
_MAKERS: Dict[type, Callable[..., Any]] = {}


def _maker(cls: type) -> Callable[..., Any]:
    """A function building a ``cls`` node from its fields given by keyword,
    every field not given holding its default (one shared instance of it
    for a default factory); no validation. Nodes are frozen dataclasses
    with slots: each field is set through its slot."""
    made = _MAKERS.get(cls)
    if made is not None:
        return made
    namespace: Dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    params, body = [], []
    for i, field in enumerate(dataclasses.fields(cls)):
        slot = getattr(cls, field.name)
        namespace[f"_set{i}"] = slot.__set__
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = None  # a required field: always given by the builder
        namespace[f"_d{i}"] = default
        params.append(f"{field.name}=_d{i}")
        body.append(f"    _set{i}(o, {field.name})")
    signature = f"*, {', '.join(params)}" if params else ""
    source = f"def make({signature}):\n    o = _new(_cls)\n" + "\n".join(body) + "\n    return o\n"
    exec(source, namespace)  # noqa: S102 - text built above from the class's own fields
    made = _MAKERS[cls] = namespace["make"]
    return made


class _Makers:
    def __getattr__(self, name: str) -> Callable[..., Any]:
        made = _maker(getattr(cst, name))
        setattr(self, name, made)
        return made


N = _Makers()

_BINARY = {
    ast.Add: cst.Add, ast.Sub: cst.Subtract, ast.Mult: cst.Multiply, ast.Div: cst.Divide,
    ast.FloorDiv: cst.FloorDivide, ast.Mod: cst.Modulo, ast.Pow: cst.Power, ast.MatMult: cst.MatrixMultiply,
    ast.LShift: cst.LeftShift, ast.RShift: cst.RightShift, ast.BitAnd: cst.BitAnd, ast.BitOr: cst.BitOr,
    ast.BitXor: cst.BitXor,
}
_AUGMENTED = {
    ast.Add: cst.AddAssign, ast.Sub: cst.SubtractAssign, ast.Mult: cst.MultiplyAssign, ast.Div: cst.DivideAssign,
    ast.FloorDiv: cst.FloorDivideAssign, ast.Mod: cst.ModuloAssign, ast.Pow: cst.PowerAssign,
    ast.MatMult: cst.MatrixMultiplyAssign, ast.LShift: cst.LeftShiftAssign, ast.RShift: cst.RightShiftAssign,
    ast.BitAnd: cst.BitAndAssign, ast.BitOr: cst.BitOrAssign, ast.BitXor: cst.BitXorAssign,
}
_UNARY = {ast.USub: cst.Minus, ast.UAdd: cst.Plus, ast.Not: cst.Not, ast.Invert: cst.BitInvert}
_COMPARE = {
    ast.Eq: cst.Equal, ast.NotEq: cst.NotEqual, ast.Lt: cst.LessThan, ast.LtE: cst.LessThanEqual,
    ast.Gt: cst.GreaterThan, ast.GtE: cst.GreaterThanEqual, ast.Is: cst.Is, ast.IsNot: cst.IsNot,
    ast.In: cst.In, ast.NotIn: cst.NotIn,
}
_OPERATORS: Dict[type, Any] = {}  # operator class -> its one (trivia-only) node


def _operator(cls: type) -> Any:
    node = _OPERATORS.get(cls)
    if node is None:
        node = _OPERATORS[cls] = _maker(cls)()
    return node


def _name(text: str) -> Any:
    """A Name node. Python's parse gives identifiers in NFKC form, LibCST as
    written: a name not in ASCII is left to LibCST."""
    if not text.isascii():
        raise Unsupported("an identifier not in ASCII")
    return N.Name(value=text)


# ------------------------------------------------------------------- builder
class _Builder:
    def __init__(self, source: bytes) -> None:
        self.lines = source.splitlines(keepends=True)

    # -- source text
    def text(self, node: ast.AST) -> str:
        """The source of an expression, as written."""
        line, end_line = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined,operator]
        col, end_col = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        if line == end_line:
            return self.lines[line][col:end_col].decode("utf-8")
        parts = [self.lines[line][col:]] + self.lines[line + 1:end_line] + [self.lines[end_line][:end_col]]
        return b"".join(parts).decode("utf-8")

    def starts_line(self, node: ast.AST) -> bool:
        """Whether only indentation comes before ``node`` on its line."""
        return not self.lines[node.lineno - 1][:node.col_offset].strip()  # type: ignore[attr-defined]

    # -- statements
    def body(self, stmts: Sequence[ast.stmt]) -> Tuple[Any, ...]:
        """Statements as LibCST groups them: simple statements on one line
        (``a; b``) in one SimpleStatementLine."""
        out: List[Any] = []
        line: List[Any] = []
        end = -1
        for stmt in stmts:
            small = _SMALL.get(type(stmt))
            if small is not None:
                if line and stmt.lineno == end:
                    line.append(small(self, stmt))
                else:
                    if line:
                        out.append(N.SimpleStatementLine(body=tuple(line)))
                    line = [small(self, stmt)]
                end = stmt.end_lineno  # type: ignore[assignment]
                continue
            if line:
                out.append(N.SimpleStatementLine(body=tuple(line)))
                line = []
            compound = _COMPOUND.get(type(stmt))
            if compound is None:
                raise Unsupported(type(stmt).__name__)
            out.append(compound(self, stmt))
        if line:
            out.append(N.SimpleStatementLine(body=tuple(line)))
        return tuple(out)

    def suite(self, stmts: Sequence[ast.stmt]) -> Any:
        if self.starts_line(stmts[0]):
            return N.IndentedBlock(body=self.body(stmts))
        smalls = []
        for stmt in stmts:
            small = _SMALL.get(type(stmt))
            if small is None:
                raise Unsupported("a compound statement in a one-line suite")
            smalls.append(small(self, stmt))
        return N.SimpleStatementSuite(body=tuple(smalls))

    def orelse(self, stmts: Sequence[ast.stmt]) -> Any:
        return N.Else(body=self.suite(stmts)) if stmts else None

    # -- expressions
    def ex(self, node: ast.AST) -> Any:
        build = _EXPRESSIONS.get(type(node))
        if build is None:
            raise Unsupported(type(node).__name__)
        return build(self, node)

    def opt(self, node: Optional[ast.AST]) -> Any:
        return None if node is None else self.ex(node)

    def elements(self, nodes: Sequence[ast.expr]) -> Tuple[Any, ...]:
        out = []
        for node in nodes:
            if type(node) is ast.Starred:
                out.append(N.StarredElement(value=self.ex(node.value)))
            else:
                out.append(N.Element(value=self.ex(node)))
        return tuple(out)

    def dotted(self, text: str) -> Any:
        parts = text.split(".")
        node = _name(parts[0])
        for part in parts[1:]:
            node = N.Attribute(value=node, attr=_name(part))
        return node

    def args(self, args: Sequence[ast.expr], keywords: Sequence[ast.keyword]) -> Tuple[Any, ...]:
        items: List[Tuple[Tuple[int, int], Any]] = []
        for arg in args:
            if type(arg) is ast.Starred:
                items.append(((arg.lineno, arg.col_offset), N.Arg(value=self.ex(arg.value), star="*")))
            else:
                items.append(((arg.lineno, arg.col_offset), N.Arg(value=self.ex(arg), star="")))
        for kw in keywords:
            if kw.arg is None:
                made = N.Arg(value=self.ex(kw.value), star="**")
            else:
                made = N.Arg(value=self.ex(kw.value), keyword=_name(kw.arg), star="")
            items.append(((kw.lineno, kw.col_offset), made))
        if keywords and args:
            items.sort(key=lambda item: item[0])
        return tuple(made for _, made in items)

    def parameters(self, a: ast.arguments) -> Any:
        positional = list(a.posonlyargs) + list(a.args)
        defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        made = [self.param(p, d) for p, d in zip(positional, defaults)]
        posonly, params = made[:len(a.posonlyargs)], made[len(a.posonlyargs):]
        star_arg: Any = cst.MaybeSentinel.DEFAULT
        if a.vararg is not None:
            star_arg = self.param(a.vararg, None, "*")
        elif a.kwonlyargs:
            star_arg = N.ParamStar()
        kwonly = [self.param(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults)]
        star_kwarg = self.param(a.kwarg, None, "**") if a.kwarg is not None else None
        return N.Parameters(params=tuple(params), star_arg=star_arg, kwonly_params=tuple(kwonly), star_kwarg=star_kwarg,
                            posonly_params=tuple(posonly),
                            posonly_ind=N.ParamSlash() if posonly else cst.MaybeSentinel.DEFAULT)

    def param(self, p: ast.arg, default: Optional[ast.expr], star: str = "") -> Any:
        annotation = N.Annotation(annotation=self.ex(p.annotation)) if p.annotation is not None else None
        return N.Param(name=_name(p.arg), annotation=annotation, default=self.opt(default), star=star)

    def comp_for(self, generators: Sequence[ast.comprehension]) -> Any:
        inner = None
        for gen in reversed(generators):
            inner = N.CompFor(target=self.ex(gen.target), iter=self.ex(gen.iter),
                              ifs=tuple(N.CompIf(test=self.ex(test)) for test in gen.ifs), inner_for_in=inner,
                              asynchronous=N.Asynchronous() if gen.is_async else None)
        return inner

    def string(self, node: ast.expr) -> Any:
        """A string literal (an f-string too) as written: its pieces, when
        implicitly concatenated, nested to the right as LibCST nests them."""
        pieces = _string_pieces(self.text(node))
        if pieces is None:
            raise Unsupported("a string literal the scanner does not follow")
        made = [self.fstring(p) if "f" in _prefix(p).lower() else N.SimpleString(value=p) for p in pieces]
        out: Any = made[-1]
        for piece in reversed(made[:-1]):
            out = N.ConcatenatedString(left=piece, right=out)
        return out

    def fstring(self, text: str) -> Any:
        try:
            return cst.parse_expression(text)
        except Exception as exc:  # pragma: no cover - the file parsed, so its pieces do
            raise Unsupported(f"f-string: {exc}") from exc

    def subscript_slice(self, node: ast.expr) -> Tuple[Any, ...]:
        if type(node) is ast.Tuple and node.elts and not self.parenthesized(node):
            return tuple(N.SubscriptElement(slice=self.index(e)) for e in node.elts)
        return (N.SubscriptElement(slice=self.index(node)),)

    def index(self, node: ast.expr) -> Any:
        if type(node) is ast.Slice:
            return N.Slice(lower=self.opt(node.lower), upper=self.opt(node.upper), step=self.opt(node.step))
        if type(node) is ast.Starred:
            raise Unsupported("a starred subscript")
        return N.Index(value=self.ex(node))

    def parenthesized(self, node: ast.Tuple) -> bool:
        """Whether a tuple is written in parentheses of its own (``a[(1, 2)]``
        rather than ``a[1, 2]`` or ``a[(1), 2]``)."""
        text = self.text(node)
        if not text.startswith("(") or not text.endswith(")"):
            return False
        return _closing(text) == len(text) - 1


# ------------------------------------------------------- string scanning
def _prefix(piece: str) -> str:
    i = 0
    while i < len(piece) and piece[i] not in "'\"":
        i += 1
    return piece[:i]


def _string_end(text: str, start: int) -> int:
    """The index just past the string literal starting at ``start`` (its
    prefix included), or -1."""
    i = start
    while i < len(text) and text[i].isalpha():
        i += 1
    if i >= len(text) or text[i] not in "'\"":
        return -1
    quote = text[i] * 3 if text[i:i + 3] in ("'''", '"""') else text[i]
    i += len(quote)
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            return i + len(quote)
        i += 1
    return -1


def _string_pieces(text: str) -> Optional[List[str]]:
    """The string literals an implicit concatenation is made of, as written;
    None if the text is not such a sequence."""
    pieces = []
    i = 0
    while i < len(text):
        end = _string_end(text, i)
        if end < 0:
            return None
        pieces.append(text[i:end])
        i = end
        while i < len(text):  # what may come between two pieces
            c = text[i]
            if c in " \t\f\r\n":
                i += 1
            elif c == "\\" and text[i + 1:i + 2] in ("\n", "\r"):
                i += 2
            elif c == "#":
                while i < len(text) and text[i] not in "\r\n":
                    i += 1
            else:
                break
    return pieces or None


def _closing(text: str) -> int:
    """The index of the bracket closing the one ``text`` starts with (strings
    and comments skipped), or -1."""
    depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i
        elif c in "'\"" or (c.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            end = _string_end(text, i)
            if end > 0:
                i = end
                continue
        elif c == "#":
            while i < len(text) and text[i] not in "\r\n":
                i += 1
            continue
        i += 1
    return -1


# ------------------------------------------------------------- expressions
def _constant(b: _Builder, node: ast.Constant) -> Any:
    value = node.value
    if value is None or value is True or value is False:
        return _name(repr(value))
    if value is Ellipsis:
        return N.Ellipsis()
    kind = type(value)
    if kind is str or kind is bytes:
        return b.string(node)
    text = b.text(node)
    if kind is int:
        return N.Integer(value=text)
    if kind is float:
        return N.Float(value=text)
    if kind is complex:
        return N.Imaginary(value=text)
    raise Unsupported(f"a constant of type {kind.__name__}")


def _bool_op(b: _Builder, node: ast.BoolOp) -> Any:
    op = _operator(cst.And if type(node.op) is ast.And else cst.Or)
    out = b.ex(node.values[0])
    for value in node.values[1:]:
        out = N.BooleanOperation(left=out, operator=op, right=b.ex(value))
    return out


def _compare(b: _Builder, node: ast.Compare) -> Any:
    return N.Comparison(left=b.ex(node.left), comparisons=tuple(
        N.ComparisonTarget(operator=_operator(_COMPARE[type(op)]), comparator=b.ex(c))
        for op, c in zip(node.ops, node.comparators)))


def _dict(b: _Builder, node: ast.Dict) -> Any:
    elements = []
    for key, value in zip(node.keys, node.values):
        if key is None:
            elements.append(N.StarredDictElement(value=b.ex(value)))
        else:
            elements.append(N.DictElement(key=b.ex(key), value=b.ex(value)))
    return N.Dict(elements=tuple(elements))


def _yield(b: _Builder, node: Any) -> Any:
    if type(node) is ast.YieldFrom:
        return N.Yield(value=N.From(item=b.ex(node.value)))
    return N.Yield(value=b.opt(node.value))


_EXPRESSIONS: Dict[type, Callable[[_Builder, Any], Any]] = {
    ast.Name: lambda b, n: _name(n.id),
    ast.Constant: _constant,
    ast.Attribute: lambda b, n: N.Attribute(value=b.ex(n.value), attr=_name(n.attr)),
    ast.Call: lambda b, n: N.Call(func=b.ex(n.func), args=b.args(n.args, n.keywords)),
    ast.BinOp: lambda b, n: N.BinaryOperation(left=b.ex(n.left), operator=_operator(_BINARY[type(n.op)]),
                                              right=b.ex(n.right)),
    ast.UnaryOp: lambda b, n: N.UnaryOperation(operator=_operator(_UNARY[type(n.op)]), expression=b.ex(n.operand)),
    ast.BoolOp: _bool_op,
    ast.Compare: _compare,
    ast.Subscript: lambda b, n: N.Subscript(value=b.ex(n.value), slice=b.subscript_slice(n.slice)),
    ast.Tuple: lambda b, n: N.Tuple(elements=b.elements(n.elts)),
    ast.List: lambda b, n: N.List(elements=b.elements(n.elts)),
    ast.Set: lambda b, n: N.Set(elements=b.elements(n.elts)),
    ast.Dict: _dict,
    ast.IfExp: lambda b, n: N.IfExp(test=b.ex(n.test), body=b.ex(n.body), orelse=b.ex(n.orelse)),
    ast.Lambda: lambda b, n: N.Lambda(params=b.parameters(n.args), body=b.ex(n.body)),
    ast.NamedExpr: lambda b, n: N.NamedExpr(target=b.ex(n.target), value=b.ex(n.value)),
    ast.ListComp: lambda b, n: N.ListComp(elt=b.ex(n.elt), for_in=b.comp_for(n.generators)),
    ast.SetComp: lambda b, n: N.SetComp(elt=b.ex(n.elt), for_in=b.comp_for(n.generators)),
    ast.GeneratorExp: lambda b, n: N.GeneratorExp(elt=b.ex(n.elt), for_in=b.comp_for(n.generators)),
    ast.DictComp: lambda b, n: N.DictComp(key=b.ex(n.key), value=b.ex(n.value), for_in=b.comp_for(n.generators)),
    ast.Await: lambda b, n: N.Await(expression=b.ex(n.value)),
    ast.Yield: _yield,
    ast.YieldFrom: _yield,
    ast.JoinedStr: lambda b, n: b.string(n),
}


# ---------------------------------------------------------------- statements
def _assign(b: _Builder, node: ast.Assign) -> Any:
    return N.Assign(targets=tuple(N.AssignTarget(target=b.ex(t)) for t in node.targets), value=b.ex(node.value))


def _delete(b: _Builder, node: ast.Delete) -> Any:
    if len(node.targets) == 1:
        return N.Del(target=b.ex(node.targets[0]))
    return N.Del(target=N.Tuple(elements=b.elements(node.targets)))


def _import(b: _Builder, node: ast.Import) -> Any:
    return N.Import(names=tuple(N.ImportAlias(name=b.dotted(a.name),
                                              asname=N.AsName(name=_name(a.asname)) if a.asname else None)
                                for a in node.names))


def _import_from(b: _Builder, node: ast.ImportFrom) -> Any:
    if len(node.names) == 1 and node.names[0].name == "*":
        names: Any = N.ImportStar()
    else:
        names = tuple(N.ImportAlias(name=_name(a.name),
                                    asname=N.AsName(name=_name(a.asname)) if a.asname else None)
                      for a in node.names)
    return N.ImportFrom(module=b.dotted(node.module) if node.module else None, names=names,
                        relative=tuple(N.Dot() for _ in range(node.level or 0)))


def _raise(b: _Builder, node: ast.Raise) -> Any:
    return N.Raise(exc=b.opt(node.exc), cause=N.From(item=b.ex(node.cause)) if node.cause is not None else None)


def _ann_assign(b: _Builder, node: ast.AnnAssign) -> Any:
    return N.AnnAssign(target=b.ex(node.target), annotation=N.Annotation(annotation=b.ex(node.annotation)),
                       value=b.opt(node.value))


_SMALL: Dict[type, Callable[[_Builder, Any], Any]] = {
    ast.Expr: lambda b, n: N.Expr(value=b.ex(n.value)),
    ast.Assign: _assign,
    ast.AugAssign: lambda b, n: N.AugAssign(target=b.ex(n.target), operator=_operator(_AUGMENTED[type(n.op)]),
                                            value=b.ex(n.value)),
    ast.AnnAssign: _ann_assign,
    ast.Return: lambda b, n: N.Return(value=b.opt(n.value)),
    ast.Pass: lambda b, n: N.Pass(),
    ast.Break: lambda b, n: N.Break(),
    ast.Continue: lambda b, n: N.Continue(),
    ast.Import: _import,
    ast.ImportFrom: _import_from,
    ast.Raise: _raise,
    ast.Assert: lambda b, n: N.Assert(test=b.ex(n.test), msg=b.opt(n.msg)),
    ast.Delete: _delete,
    ast.Global: lambda b, n: N.Global(names=tuple(N.NameItem(name=_name(x)) for x in n.names)),
    ast.Nonlocal: lambda b, n: N.Nonlocal(names=tuple(N.NameItem(name=_name(x)) for x in n.names)),
}


def _if(b: _Builder, node: ast.If) -> Any:
    orelse: Any = None
    if node.orelse:
        first = node.orelse[0]
        if len(node.orelse) == 1 and type(first) is ast.If and \
                b.lines[first.lineno - 1][first.col_offset:first.col_offset + 4] == b"elif":
            orelse = _if(b, first)
        else:
            orelse = N.Else(body=b.suite(node.orelse))
    return N.If(test=b.ex(node.test), body=b.suite(node.body), orelse=orelse)


def _for(b: _Builder, node: Any) -> Any:
    return N.For(target=b.ex(node.target), iter=b.ex(node.iter), body=b.suite(node.body),
                 orelse=b.orelse(node.orelse),
                 asynchronous=N.Asynchronous() if type(node) is ast.AsyncFor else None)


def _while(b: _Builder, node: ast.While) -> Any:
    return N.While(test=b.ex(node.test), body=b.suite(node.body), orelse=b.orelse(node.orelse))


def _with(b: _Builder, node: Any) -> Any:
    items = tuple(N.WithItem(item=b.ex(i.context_expr),
                        asname=N.AsName(name=b.ex(i.optional_vars)) if i.optional_vars is not None else None)
             for i in node.items)
    return N.With(items=items, body=b.suite(node.body),
                  asynchronous=N.Asynchronous() if type(node) is ast.AsyncWith else None)


def _handler(b: _Builder, h: ast.ExceptHandler, star: bool) -> Any:
    name = N.AsName(name=_name(h.name)) if h.name else None
    if star:
        return N.ExceptStarHandler(body=b.suite(h.body), type=b.ex(h.type), name=name)
    return N.ExceptHandler(body=b.suite(h.body), type=b.opt(h.type), name=name)


def _try(b: _Builder, node: Any) -> Any:
    star = type(node).__name__ == "TryStar"
    return (N.TryStar if star else N.Try)(
        body=b.suite(node.body), handlers=tuple(_handler(b, h, star) for h in node.handlers),
        orelse=b.orelse(node.orelse),
        finalbody=N.Finally(body=b.suite(node.finalbody)) if node.finalbody else None)


def _decorators(b: _Builder, node: Any) -> Tuple[Any, ...]:
    return tuple(N.Decorator(decorator=b.ex(d)) for d in node.decorator_list)


def _function(b: _Builder, node: Any) -> Any:
    if getattr(node, "type_params", None):
        raise Unsupported("type parameters")
    return N.FunctionDef(name=_name(node.name), params=b.parameters(node.args), body=b.suite(node.body),
                         decorators=_decorators(b, node),
                         returns=N.Annotation(annotation=b.ex(node.returns)) if node.returns is not None else None,
                         asynchronous=N.Asynchronous() if type(node) is ast.AsyncFunctionDef else None)


def _class(b: _Builder, node: ast.ClassDef) -> Any:
    if getattr(node, "type_params", None):
        raise Unsupported("type parameters")
    return N.ClassDef(name=_name(node.name), body=b.suite(node.body),
                      bases=tuple(N.Arg(value=b.ex(x.value), star="*") if type(x) is ast.Starred else
                                  N.Arg(value=b.ex(x), star="") for x in node.bases),
                      keywords=tuple(N.Arg(value=b.ex(k.value), star="**") if k.arg is None else
                                     N.Arg(value=b.ex(k.value), keyword=_name(k.arg), star="")
                                     for k in node.keywords),
                      decorators=_decorators(b, node))


_COMPOUND: Dict[type, Callable[[_Builder, Any], Any]] = {
    ast.If: _if, ast.For: _for, ast.AsyncFor: _for, ast.While: _while, ast.With: _with, ast.AsyncWith: _with,
    ast.Try: _try, ast.FunctionDef: _function, ast.AsyncFunctionDef: _function, ast.ClassDef: _class,
}
if hasattr(ast, "TryStar"):
    _COMPOUND[ast.TryStar] = _try


# ----------------------------------------------------------------- entry
def module(source: bytes, tree: Optional[ast.Module] = None) -> cst.Module:
    """The analysis tree of ``source`` (UTF-8 bytes Python parses; its
    ``ast`` when already made). Raises SyntaxError as Python's parser does,
    :class:`Unsupported` for syntax left to LibCST."""
    cookie = _CODING.search(b"\n".join(source.splitlines()[:2]))
    if cookie is not None and cookie.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise Unsupported("a file in another encoding than UTF-8")  # Python's offsets are not of its bytes
    parsed: ast.Module
    if tree is not None:
        parsed = tree
    else:
        with warnings.catch_warnings():  # the file's own affair (an invalid escape...): not reported here
            warnings.simplefilter("ignore")
            parsed = compile(source, "<analysis>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    if source.startswith(b"\xef\xbb\xbf"):
        source = source[3:]  # Python's offsets on the first line are counted after the byte order mark
    builder = _Builder(source)
    try:
        body = builder.body(parsed.body)
    except (KeyError, IndexError, UnicodeDecodeError, RecursionError) as exc:
        raise Unsupported(f"{type(exc).__name__}: {exc}") from exc
    return N.Module(body=body)


# --------------------------------------------------------------- comparison
_SKIPPED_FIELDS = frozenset({"header", "footer", "encoding", "default_indent", "default_newline",
                             "has_trailing_newline", "leading_lines", "lines_after_decorators", "indent"})


def same_shape(a: Any, b: Any, path: str = "") -> Optional[str]:
    """None when ``a`` and ``b`` agree on every node kind and every field but
    trivia (a relative import's dots are counted); else where they differ."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, CSTNode):
        for field in dataclasses.fields(a):
            name = field.name
            if name in _SKIPPED_FIELDS:
                continue
            x, y = getattr(a, name), getattr(b, name)
            if name == "relative":
                if len(x) != len(y):
                    return f"{path}.relative: {len(x)} != {len(y)} dots"
                continue
            if type(x) in walk._TRIVIA or type(y) in walk._TRIVIA:
                if type(x) in walk._TRIVIA and type(y) in walk._TRIVIA:
                    continue
                if x is None or y is None or isinstance(x, cst.MaybeSentinel) or isinstance(y, cst.MaybeSentinel):
                    continue  # a comma, a colon or parentheses written or not
                return f"{path}.{name}: {type(x).__name__} != {type(y).__name__}"
            found = same_shape(x, y, f"{path}.{name}")
            if found:
                return found
        return None
    if isinstance(a, (list, tuple)):
        xs = [v for v in a if type(v) not in walk._TRIVIA]
        ys = [v for v in b if type(v) not in walk._TRIVIA]
        if len(xs) != len(ys):
            return f"{path}: {len(xs)} != {len(ys)} items"
        for i, (x, y) in enumerate(zip(xs, ys)):
            found = same_shape(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"
