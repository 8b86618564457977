"""Building fixes: LibCST edits that replace the smallest node (a loss
string, a units argument, a dimension of a shape) or move a whole statement
with its comments, so that the rest of the file keeps its formatting.

Rules call these only when they report a finding: positions are resolved
then, from the nodes the rule already holds. Every helper returns None when
the change is not certain (a value written elsewhere, a node of another
module, an unusual spelling): no fix is then offered.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, List, Optional, Sequence, Set, Tuple, TypeVar, cast

import libcst as cst

from ..analysis.values import Layer
from ..analysis import parse
from ..findings import Edit, Fix
from .base import Context


_F = TypeVar("_F", bound=Callable[..., Optional[Fix]])


def guarded(build: _F) -> _F:
    """A fix builder that never costs the finding: if building the fix
    fails, the finding is reported without one."""
    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> Optional[Fix]:
        try:
            return build(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a fix is optional, the finding is not
            return None
    return cast(_F, wrapper)


def make(applicability: str, message: str, edits: Sequence[Optional[Edit]]) -> Optional[Fix]:
    """A fix of these edits, or None when one of them could not be built."""
    if not edits or any(e is None for e in edits):
        return None
    return Fix(applicability, message, tuple(e for e in edits if e is not None))


def replace(ctx: Context, node: Optional[cst.CSTNode], content: str) -> Optional[Edit]:
    """Replace the text of ``node`` with ``content``."""
    if node is None or ctx.module is None:
        return None
    where = ctx.positions().get(node)
    if where is None:  # a node of another module the file imports
        return None
    return Edit((where.start.line, where.start.column + 1), (where.end.line, where.end.column + 1), content)


def insert_after(ctx: Context, node: Optional[cst.CSTNode], content: str) -> Optional[Edit]:
    """Insert ``content`` right after the text of ``node``."""
    edit = replace(ctx, node, "")
    return Edit(edit.end, edit.end, content) if edit is not None else None


# ------------------------------------------------------------------ losses
# The keyword arguments both loss classes of a pair accept (the first
# positional argument of both is ``from_logits``).
_SHARED_LOSS_KEYWORDS = {"from_logits", "reduction", "name", "dtype"}


def _renamed(name: str, to_sparse: bool) -> Optional[str]:
    """categorical_crossentropy <-> sparse_categorical_crossentropy, keeping
    the spelling (snake case or class name)."""
    low = name.lower()
    if to_sparse and low in ("categorical_crossentropy", "categoricalcrossentropy"):
        return ("sparse_" if name[:1].islower() else "Sparse") + name
    if not to_sparse and low in ("sparse_categorical_crossentropy", "sparsecategoricalcrossentropy"):
        return name[len("sparse_"):] if name[:1].islower() else name[len("Sparse"):]
    return None


def loss_edit(ctx: Context, node: Optional[cst.CSTNode], to_sparse: bool) -> Optional[Edit]:
    """The edit that turns the loss written at ``node`` (the ``loss=``
    argument of ``compile``) into its sparse (or one-hot) twin: the string,
    the function's attribute name, or the class name of a call whose other
    arguments the twin accepts as well."""
    if type(node) is cst.SimpleString:
        value = node.evaluated_value
        new = _renamed(value, to_sparse) if isinstance(value, str) else None
        if new is None or "\\" in node.value:
            return None
        return replace(ctx, node, f"{node.prefix}{node.quote}{new}{node.quote}")
    if type(node) is cst.Attribute and node.attr.value[:1].islower():
        new = _renamed(node.attr.value, to_sparse)  # keras.losses.categorical_crossentropy
        return replace(ctx, node.attr, new) if new else None
    if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value[:1].isupper():
        # keras.losses.CategoricalCrossentropy(from_logits=True): a bare
        # name would need another import, so only the dotted form is fixed.
        new = _renamed(node.func.attr.value, to_sparse)
        positional = [a for a in node.args if a.keyword is None]
        if new is None or len(positional) > 1 or any(a.star for a in node.args) or \
                any(a.keyword is not None and a.keyword.value not in _SHARED_LOSS_KEYWORDS for a in node.args):
            return None
        return replace(ctx, node.func.attr, new)
    return None


def metrics_mention(ctx: Context, compile_args: Any, *words: str) -> bool:
    """Whether the metrics of ``compile`` name one of ``words`` (a metric
    tied to the label encoding, which a change of loss would break), or are
    unknown."""
    if compile_args is None or ctx.module is None:
        return True
    if compile_args.star:
        return True
    for name, index in (("metrics", 2), ("weighted_metrics", None)):
        node = compile_args.node_of(name, index)
        if node is not None:
            text = parse.real_tree(ctx.module).code_for_node(ctx.real(node)).lower()
            if any(w in text for w in words):
                return True
    return False


# ------------------------------------------------------------------ layers
def argument_node(layer: Layer, name: str, pos: Optional[int]) -> Optional[cst.CSTNode]:
    """The expression of a layer argument when the value is written in the
    layer call itself (not a constant defined elsewhere)."""
    if layer.set_at(name, pos) is not None:
        return None
    return layer.nodes.get(name) if name in layer.kwargs else layer.nodes.get(pos)


def units_edit(ctx: Context, layer: Optional[Layer], units: int) -> Optional[Edit]:
    """``Dense(5, ...)`` -> ``Dense(units, ...)``: the literal only."""
    if layer is None or layer.kind != "Dense" or not layer.complete:
        return None
    node = argument_node(layer, "units", 0)
    if type(node) is not cst.Integer:
        return None
    return replace(ctx, node, str(units))


def call_argument(call: cst.CSTNode, names: Iterable[str], pos: Optional[int] = None) -> Optional[cst.Arg]:
    """The argument of ``call`` given by one of ``names``, or at ``pos``."""
    if type(call) is not cst.Call:
        return None
    names = tuple(names)
    positional = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value in names:
                return arg
        else:
            if pos is not None and positional == pos:
                return arg
            positional += 1
    return None


def literal_dims(node: cst.CSTNode) -> Optional[List[Optional[cst.Integer]]]:
    """The elements of a literal shape, ``(28, 28, 1)`` or ``[None, 10]``:
    an Integer node or None (``None``) each; None when it is not literal."""
    if not type(node) in (cst.Tuple, cst.List):
        return None
    out: List[Optional[cst.Integer]] = []
    for element in node.elements:
        if type(element) is cst.StarredElement:
            return None
        value = element.value
        if type(value) is cst.Integer:
            out.append(value)
        elif type(value) is cst.Name and value.value == "None":
            out.append(None)
        else:
            return None
    return out


# -------------------------------------------------------------- statements
def _statement_of(module: cst.Module, target: cst.CSTNode) -> Optional[Tuple[Sequence[cst.CSTNode], int]]:
    """The block (a body sequence) holding the simple statement line that
    contains ``target``, and its index there."""
    stack: List[Tuple[cst.CSTNode, Optional[Tuple[Sequence[cst.CSTNode], int]]]] = [(module, None)]
    while stack:
        node, place = stack.pop()
        if node is target:
            return place
        body = node.body if type(node) in (cst.Module, cst.IndentedBlock) else None
        if body is not None:
            for i, child in enumerate(body):
                stack.append((child, (body, i) if type(child) is cst.SimpleStatementLine else None))
            continue
        for child in node.children:
            stack.append((child, place))
    return None


def _receiver(call: cst.CSTNode, method: str) -> Optional[str]:
    """``model`` for ``model.<method>(...)``."""
    if type(call) is cst.Call and type(call.func) is cst.Attribute and \
            type(call.func.value) is cst.Name and call.func.attr.value == method:
        return call.func.value.value
    return None


class _Stores(cst.CSTVisitor):
    """The names a piece of code binds (assigns, imports, defines, loops over)."""

    def __init__(self) -> None:
        self.names: Set[str] = set()

    def _target(self, node: Optional[cst.CSTNode]) -> None:
        if type(node) is cst.Name:
            self.names.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._target(element.value)
        elif type(node) is cst.StarredElement:
            self._target(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._target(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            name = node.name
            while type(name) is cst.Attribute:
                name = name.value
            self._target(name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.add(node.name.value)

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        self.names.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.names.update(n.name.value for n in node.names)


class _Reads(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: Set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def _attached_comments(stmt: cst.SimpleStatementLine) -> int:
    """How many comment lines sit right above the statement (no blank line
    between): they move with it."""
    count = 0
    for line in reversed(stmt.leading_lines):
        if line.comment is None:
            break
        count += 1
    return count


def compile_before(ctx: Context, call_node: cst.CSTNode) -> Optional[Tuple[Edit, Edit]]:
    """Edits that move ``model.compile(...)``, written later in the same
    block as the ``model.fit(...)`` statement holding ``call_node``, to just
    above that statement (with the comments right above it). None when there
    is no such compile, when the statements between rebind the model or a
    name the compile reads, or when either statement shares its line."""
    model = _receiver(call_node, "fit") or _receiver(call_node, "evaluate") or \
        _receiver(call_node, "train_on_batch") or _receiver(call_node, "test_on_batch")
    if model is None or ctx.module is None:
        return None
    found = _statement_of(parse.real_tree(ctx.module), ctx.real(call_node))  # comments and lines are LibCST's
    if found is None:
        return None
    body, index = found
    later = None
    for j in range(index + 1, len(body)):
        stmt = body[j]
        if type(stmt) is cst.SimpleStatementLine and len(stmt.body) == 1 and \
                type(stmt.body[0]) is cst.Expr and _receiver(stmt.body[0].value, "compile") == model:
            later = j
            break
    if later is None:
        return None
    fit_stmt, compile_stmt = body[index], body[later]
    assert type(fit_stmt) is cst.SimpleStatementLine and type(compile_stmt) is cst.SimpleStatementLine
    stores = _Stores()
    for stmt in body[index:later]:
        stmt.visit(stores)
    reads = _Reads()
    compile_stmt.visit(reads)
    if model in stores.names or reads.names & stores.names:
        return None
    positions = ctx.positions()
    fit_at, compile_at = positions.get(fit_stmt), positions.get(compile_stmt)
    if fit_at is None or compile_at is None:
        return None
    lines = ctx.lines()
    # The statements must own their lines: nothing else starts or ends on them.
    if len(fit_stmt.body) != 1 or _line_shared(lines, fit_at) or _line_shared(lines, compile_at):
        return None
    first = compile_at.start.line - _attached_comments(compile_stmt)
    moved = "".join(lines[first - 1:compile_at.end.line])
    if not moved.endswith(("\n", "\r")):
        moved += "\n"
    insert_at = (fit_at.start.line - _attached_comments(fit_stmt), 1)
    return (Edit(insert_at, insert_at, moved),
            Edit((first, 1), (compile_at.end.line + 1, 1), ""))


def _line_shared(lines: List[str], where: Any) -> bool:
    """Whether code before the statement starts its first line (it is in a
    one-line compound statement)."""
    if where.start.line > len(lines):
        return True
    return bool(lines[where.start.line - 1][:where.start.column].strip())
