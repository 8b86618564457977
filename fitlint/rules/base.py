"""The rule base class and the helpers rules share to phrase findings."""
from __future__ import annotations

import re
from typing import Any, ClassVar, Iterable, List, Mapping, Optional, Tuple

import libcst as cst
from libcst.metadata import CodeRange

from ..analysis import parse, project
from ..analysis.facts import Facts
from ..analysis.values import Array, Sym, fmt_range, fmt_shape
from ..findings import Finding, split_lines
from ..positions import Positions


# Facts about data reaching a model need a data call and a model built in
# the file (``Sequential(...)`` or ``Model(...)``).
DATA_CALLS = (r"\.\s*(?:fit|evaluate|predict|train_on_batch|test_on_batch|predict_on_batch)\b",
              r"Sequential|Model\s*\(")

# Labels reach a loss through a data call, or through a loss object or
# function called in a custom training loop.
LABEL_CALLS = (DATA_CALLS[0] + r"|[Cc]rossentropy|cross_entropy|mean_squared_error|mean_absolute_error|"
               r"MeanSquaredError|MeanAbsoluteError|Huber", DATA_CALLS[1])


class Context:
    """One analysed file as rules see it: its facts, and source text on demand."""

    def __init__(self, path: str, module: Optional[cst.Module], facts: Facts) -> None:
        self.path = path
        self.module = module
        self.facts = facts
        self._positions: Optional[Mapping[cst.CSTNode, CodeRange]] = None
        self._lines: Optional[List[str]] = None

    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        """Every node's position, resolved once, when a finding needs them."""
        if self._positions is None:
            # placed statement by statement where that is remembered (see fitlint.positions)
            self._positions = {} if self.module is None else Positions(self.module)
        return self._positions

    def lines(self) -> List[str]:
        """The source lines, line ends kept (built when a fix needs them)."""
        if self._lines is None:
            self._lines = [] if self.module is None else split_lines(parse.real_tree(self.module).code)
        return self._lines

    def real(self, node: Any) -> Any:
        """The node of LibCST's tree of the file at the place of ``node``
        (see analysis/fastparse.py): what code generation and changes to
        the tree read (trivia, such as comments and parentheses), and where
        a fix is placed. A node of another module is looked up there."""
        if node is None or self.module is None:
            return node
        if parse.is_fast(self.module):
            found = parse.node_map(self.module).get(id(node))
            if found is not None:
                return found
        return project.real_node(node)

    def src(self, node: cst.CSTNode, limit: int = 70) -> str:
        if self.module is None:
            return "?"
        text = re.sub(r"\s+", " ", parse.real_tree(self.module).code_for_node(self.real(node))).strip()
        text = text.replace("( ", "(").replace("[ ", "[").replace(" )", ")").replace(" ]", "]")
        return text if len(text) <= limit else text[: limit - 3] + "..."


class Rule:
    """A rule compares facts of the analysis and yields findings.

    Subclasses set ``code``, ``name``, ``severity``, ``summary`` and, for
    error rules, ``exception`` (what TensorFlow raises, proven by the
    ground-truth tests). The class docstring is the rule's documentation.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]
    summary: ClassVar[str]
    exception: ClassVar[Optional[str]] = None
    default: ClassVar[bool] = True
    dry_run_only: ClassVar[bool] = False  # its findings come from the dry run itself
    dry_run_uncompiled: ClassVar[bool] = False  # its dry run compiles the model only where the script does
    # Regular expressions that every file this rule can report on matches,
    # all of them (the calls its facts come from). The engine does not
    # analyse a file no selected rule is triggered by. None: every file.
    triggers: ClassVar[Optional[Tuple[str, ...]]] = None
    # The code this rule was split from: selecting, ignoring or suppressing
    # that code applies to this rule too (one code, one severity).
    split_from: ClassVar[Optional[str]] = None
    # What the fix of this rule's findings changes, "safe: ..." or
    # "unsafe: ...", when it offers one (some findings may still have none).
    fixable: ClassVar[Optional[str]] = None

    def check(self, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")


# ------------------------------------------------------ deliberate failures
# The classes an ``except`` clause can name to catch each exception a rule
# documents: the class itself and its bases. ``InvalidArgumentError`` is an
# ``OpError``, not a ``ValueError``; ``IndexError`` is a ``LookupError``.
_CAUGHT_BY = {
    "ValueError": {"builtins.ValueError", "builtins.Exception", "builtins.BaseException"},
    "IndexError": {"builtins.IndexError", "builtins.LookupError", "builtins.Exception", "builtins.BaseException"},
    "KeyError": {"builtins.KeyError", "builtins.LookupError", "builtins.Exception", "builtins.BaseException"},
    "InvalidArgumentError": {"InvalidArgumentError", "OpError", "builtins.Exception", "builtins.BaseException"},
    "Exception": {"builtins.Exception", "builtins.BaseException"},
}
_TF_ERRORS = {"InvalidArgumentError", "OpError"}


def caught(exception: Optional[str], handlers: Iterable[str]) -> bool:
    """Whether ``except`` clauses catching ``handlers`` (dotted class names,
    ``*`` for a bare ``except``; see ``Facts.caught``) catch what a rule
    documents TensorFlow raises (``ValueError``, ``InvalidArgumentError|ValueError``).
    With alternatives, catching one of them is enough: the program may not fail."""
    if not exception:
        return False
    names = set()
    for handler in handlers:
        if handler == "*":
            return True
        module, _, last = handler.rpartition(".")
        if module.startswith("tensorflow") and last in _TF_ERRORS:
            names.add(last)  # tf.errors.X, tensorflow.python.framework.errors_impl.X
        else:
            names.add(handler)
    return any(names & _CAUGHT_BY.get(kind, set()) for kind in exception.split("|"))


# ----------------------------------------------------------------- phrasing
def describe(value: Any) -> str:
    if isinstance(value, Array):
        parts = [f"shape {fmt_shape(value.shape)}" if value.shape is not None else "shape unknown"]
        if value.dtype:
            parts.append(value.dtype)
        if value.lo is not None and value.hi is not None:
            parts.append(f"values {fmt_range(value.lo, value.hi)}")
        return ", ".join(parts)
    return "?"


def built_here(ctx: Context, label: str, value: Any) -> Optional[Tuple[cst.CSTNode, str]]:
    origin = getattr(value, "origin", None)
    if origin is None:
        return None
    return origin.node, f"{label} built here: {ctx.src(origin.node)} -> {describe(value)}"


def input_here(ctx: Context, sym: Sym) -> list:
    """The model input's declaration, and where its shape was written when
    that is elsewhere (``Input(shape=IMG_SHAPE)``)."""
    what = {"build": "model built here", "call": "model built here by its first call",
            "data": "model built here by its first data", "nested": "model input declared here"}
    how = sym.declared_by.replace("-subclassed", "") if sym.declared_by else None
    out = [(sym.origin.node, f"{what.get(how or '', 'model input declared here')}: {ctx.src(sym.origin.node)}")]
    if sym.shape_set_at is not None:
        out.append((sym.shape_set_at, f"input shape set here: {ctx.src(sym.shape_set_at)}"))
    return out


def set_here(ctx: Context, layer, argument: str, pos: Optional[int], label: str) -> Optional[Tuple[cst.CSTNode, str]]:
    """Where a layer argument's value was written, if not in the call."""
    node = layer.set_at(argument, pos) if layer is not None else None
    return (node, f"{label} set here: {ctx.src(node)}") if node is not None else None


def related(*items) -> list:
    """Related locations: (node, message) pairs, lists of them, or None."""
    out = []
    for item in items:
        if isinstance(item, list):
            out.extend(item)
        elif item is not None:
            out.append(item)
    return out


def arg_name(ctx: Context, node: Optional[cst.CSTNode], default: str) -> str:
    """The name of the argument the user passed (``X_train``), else ``default``."""
    if type(node) is cst.Name:
        return node.value
    return default


def compatible(a: Tuple, b: Tuple) -> bool:
    """Same rank, and every pair of known dimensions agrees."""
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


# ------------------------------------------------------- dry-run evidence
# How TensorFlow names what a finding is about, for Finding.evidence (see
# fitlint.confirm.evidence): "|" separates spellings TF may use.
def shape_ev(shape: Any) -> str:
    """A whole shape, as in ``(None, 28, 28, 1)`` or ``[2,2]``."""
    dims = ",".join("None" if d is None else str(d) for d in shape)
    return f"({dims},)|[{dims}]" if len(shape) == 1 else f"({dims})|[{dims}]"


def tail_ev(shape: Any) -> str:
    """A shape after its first (sample) axis, which the dry run may change:
    ``(16, 784)`` -> ``,784)`` (found in ``(8, 784)``)."""
    dims = ",".join("None" if d is None else str(d) for d in shape[1:])
    return f",{dims})|,{dims}]" if dims else ",)"


_TF_DTYPE = {"float32": "float32|float", "float64": "float64|double", "float16": "float16|half",
             "str": "str|string", "bytes": "bytes|string", "object": "object"}


def dtype_ev(dtype: Optional[str]) -> str:
    return _TF_DTYPE.get(dtype or "", dtype or "")


def dims_ev(shape: Any) -> str:
    """A whole shape's dims in order, found in ``(28, 28, 1)`` and in
    ``[28,28,1,1]`` (Keras may add an axis of size 1)."""
    if len(shape) == 1:
        return shape_ev(shape)
    return ",".join("None" if d is None else str(d) for d in shape)
