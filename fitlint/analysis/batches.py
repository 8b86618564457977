"""Batches a model's own training step reads by key.

A subclassed ``keras.Model`` whose ``train_step``/``test_step`` takes the
batch whole (it does not unpack ``x, y = data``), or a
``tensorflow_recommenders`` model whose ``compute_loss(features, training)``
replaces Keras' step, reads the batch of a dataset of dicts by key:
``features["user_id"]``, ``features.pop("rating")``, ``self(features)`` with
a ``call`` that reads keys in turn. Keras traces that step on the dataset's
element, so a key the element does not have raises ``KeyError`` in ``fit``
/ ``evaluate`` (measured on Keras 3.15: ``KeyError: 'user_id'``).

For such a data call the step is run on a :class:`Batch`: the element's
dict with every value a symbolic tensor (batch axis first). Each read of a
constant key is recorded (:class:`Read`) with whether the key is there and
whether the read happens on every path of the step (``certain``: not under
a branch, a loop, a ``try``, a conditional expression, or after a
conditional ``return``/``raise`` of any function on the way). The
step's input contract is *compared* when the step ran to its end, the batch
never reached code that is not followed (an unknown function, a library
layer, a class constructor...), and every read had a constant key. A
certain read of a missing key is a failure (see rules/inputs.py).

``call`` traces are cached per input structure (objects.trace): the reads a
trace made are kept with it and replayed when the cache answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from .values import Array, Dict_, ModuleRef, Origin, Seq, Sym, py
from . import walk
from .walk import children

# What replaces Keras' own step for a data method.
_STEPS = {"fit": "train_step", "train_on_batch": "train_step", "evaluate": "test_step", "test_on_batch": "test_step"}
# Library bases whose train_step/test_step call ``compute_loss(batch, training=...)``.
_COMPUTE_LOSS_BASES = {"tensorflow_recommenders.Model", "tensorflow_recommenders.models.Model"}
# Dict methods that read nothing that can be missing and keep the dict as is.
_HARMLESS_METHODS = {"get", "keys", "values", "items", "copy", "__contains__", "update", "setdefault"}
# Functions that only look at what they are given.
_HARMLESS_FUNCTIONS = {"builtins.len", "builtins.isinstance", "builtins.print", "builtins.sorted", "builtins.list",
                       "builtins.repr", "builtins.str", "builtins.type", "builtins.id"}


@dataclass(eq=False)
class Read:
    """One read of a batch key."""

    key: Any  # a dict key; for a tuple batch, an index or the number of names unpacked into
    node: cst.CSTNode
    present: bool
    certain: bool  # on every path of the step
    local: bool  # in the analysed file (not another module of the project)
    how: str = "read"  # "read" (``b[k]``), "pop" (``b.pop(k)``), "index" (``b[0]``), "unpack" (``x, y = b``)


class Record:
    """What one data call's step did with its batch."""

    def __init__(self, ip: Any, element: Dict_, owner: str, node: cst.CSTNode) -> None:
        self.element = element  # the dataset element (without the batch axis)
        self.owner = owner  # "compute_loss of class X", "train_step of class X"
        self.node = node  # the data call
        self.reads: List[Read] = []
        self.escaped: Optional[str] = None  # what the batch was handed to, not followed
        self.ran = False  # the step was followed to its end
        self.base = (ip.depth, ip.loops, len(ip.stack))
        self.traces: List[Tuple[int, int, int, int, Optional[str]]] = []  # (depth, loops, stack, first read, escape)

    @property
    def compared(self) -> bool:
        return self.ran and self.escaped is None and bool(self.reads)

    def missing(self) -> List[Read]:
        """Certain reads of keys the element does not have (or unpackings
        into another number of names than it has items)."""
        return [r for r in self.reads if not r.present and r.certain]

    @property
    def size(self) -> int:
        return len(self.element.items)

    def escape(self, what: str) -> None:
        if self.escaped is None:
            self.escaped = what
        if self.traces:
            depth, loops, stack, first, escaped = self.traces[-1]
            self.traces[-1] = (depth, loops, stack, first, escaped or what)

    def note(self, ip: Any, key: Any, node: cst.CSTNode, present: bool, how: str = "read",
             inner: bool = True, local: Optional[bool] = None) -> None:
        if how == "index" and not present:
            self.escape(f"an index out of the batch's range ({_src(node)})")
            return
        if not isinstance(key, str) and how not in ("index", "unpack"):
            self.escape(f"a key that is not a constant string ({_src(node)})")
            return
        if local is None:
            local = ip.home() == ip.path
        certain = inner and _certain(ip, *self.base)
        self.reads.append(Read(key, node, present, certain, local, how))
        read = self.reads[-1]
        # certainty within each trace being run, kept with the trace
        read.__dict__["within"] = [inner and _certain(ip, d, lo, s) for d, lo, s, _, _ in self.traces]


@dataclass(eq=False)
class Batch(Dict_):
    """A batch given whole to a model's own step: its reads are recorded."""

    record: Any = None


@dataclass(eq=False)
class BatchSeq(Seq):
    """A tuple batch given whole to a model's own step: its unpacking and
    indexing are recorded."""

    record: Any = None


BATCHES = (Batch, BatchSeq)


def record_of(call: Any) -> Optional[Record]:
    """The batch record of a data call (see attach), or None."""
    return call.__dict__.get("batch")


def attach(model: Any, call: Any) -> None:
    """Give the data call just recorded the record its step made (the call
    on the model's data, not its validation data)."""
    record = model.__dict__.pop("pending_batch", None)
    if record is not None and not call.validation:
        call.__dict__["batch"] = record


# ------------------------------------------------------------ the step
def step_function(obj: Any, method: str) -> Optional[Tuple[Any, cst.FunctionDef, str]]:
    """(owning class, method node, name) of the step that takes the batch
    whole for ``method``, or None (Keras' own step, or one that unpacks
    ``x, y = data``)."""
    from .objects import _unpacks_batch
    step = _STEPS.get(method)
    if step is None or obj.cls is None:
        return None
    found = obj.cls.lookup(step)
    if found is not None:
        if type(found[1]) is cst.FunctionDef and _one_batch(found[1]) and not _unpacks_batch(found[1]):
            return found[0], found[1], step
        return None
    if obj.cls.library_bases() & _COMPUTE_LOSS_BASES:
        found = obj.cls.lookup("compute_loss")
        if found is not None and type(found[1]) is cst.FunctionDef and _one_batch(found[1], extra=True):
            return found[0], found[1], "compute_loss"
    return None


def _one_batch(fn: cst.FunctionDef, extra: bool = False) -> bool:
    """``def step(self, batch)`` (``extra``: further parameters with
    defaults, or ``training``)."""
    params = fn.params
    if params.posonly_params or params.star_arg not in (None, cst.MaybeSentinel.DEFAULT) and \
            type(params.star_arg) is cst.Param:
        return False
    plain = list(params.params)
    if len(plain) < 2 or any(p.default is not None for p in plain[:2]):
        return False
    # the library passes ``training=`` by keyword
    return len(plain) == 2 or (extra and all(p.default is not None or p.name.value == "training" for p in plain[2:]))


def batch_of(element: Any, node: cst.CSTNode) -> Any:
    """The symbolic batch of a dataset element that is a dict (or a tuple)
    of known arrays, or None."""
    if isinstance(element, Seq) and element.kind == "tuple" and element.items:
        parts = [batch_of(Dict_({"_": v}), node) for v in element.items]
        if any(p is None for p in parts):
            return None
        return Seq([p.items["_"] for p in parts], "tuple", element.origin)
    if not isinstance(element, Dict_) or not element.items:
        return None
    items = {}
    for key, value in element.items.items():
        if not isinstance(value, Array) or value.shape is None or value.dtype is None:
            return None
        items[key] = Sym((None,) + tuple(value.shape), value.dtype, value.origin or Origin(node), is_input=True)
    return Dict_(items, element.origin)


def run_step(ip: Any, obj: Any, method: str, args: Any, node: cst.Call) -> bool:
    """Run the model's own step on the batch of a dataset of dicts; False
    when the step or the data is not of that kind."""
    from .objects import _function, _run
    from .values import Dataset
    found = step_function(obj, method)
    if found is None:
        return False
    data = args.get("x", 0)
    if not isinstance(data, Dataset) or not data.batched:
        return False
    symbolic = batch_of(data.element, node)
    if symbolic is None:
        return False
    owner, fn, name = found
    record = Record(ip, data.element, f"{name} of class {obj.cls.name}", node)
    batch: Any = BatchSeq(list(symbolic.items), "tuple", symbolic.origin, None, record) if isinstance(symbolic, Seq) \
        else Batch(dict(symbolic.items), symbolic.origin, record)
    func = _function(ip, owner, fn)
    from .interpreter import Args
    extra = Args(node)
    extra.pos, extra.pos_nodes = [batch], [node]
    if name == "compute_loss" and len(fn.params.params) > 2:
        from .values import Const
        extra.kw["training"] = Const(method in ("fit", "train_on_batch"))
        extra.kw_nodes["training"] = node
    if not will_inline(ip, fn, extra, offset=1):
        record.escape(f"{name} is not followed here")
    else:
        ip.__dict__["batch_steps"] = ip.__dict__.get("batch_steps", 0) + 1
        try:
            _run(ip, func, [obj], node, extra)
        finally:
            ip.__dict__["batch_steps"] -= 1
        record.ran = not ip.exhausted
    obj.__dict__["pending_batch"] = record
    return True


def will_inline(ip: Any, fn: cst.FunctionDef, args: Any, offset: int = 0) -> bool:
    """Whether the interpreter runs ``fn`` for this call (see
    Interpreter.inline) and sees every use of the batches it is given
    (``offset``: parameters bound before the call's own arguments, ``self``)."""
    from .interpreter import MAX_DEPTH, MAX_INLINES, _is_generator
    if args.star or fn in ip.stack or len(ip.stack) >= MAX_DEPTH or ip.inlined.get(fn, 0) >= MAX_INLINES:
        return False
    if fn.asynchronous is not None or _is_generator(fn, ip.generators):
        return False
    positional = [p.name.value for p in list(fn.params.posonly_params) + list(fn.params.params)]
    names = {positional[i + offset] for i, v in enumerate(args.pos)
             if i + offset < len(positional) and _batches([v])}
    names |= {k for k, v in args.kw.items() if _batches([v])}
    return not _opaque(fn, frozenset(names))


# ------------------------------------------------------------ hooks
def _active(ip: Any) -> bool:
    """Whether a step is being run on a batch (a batch kept somewhere and
    used after its step is no longer recorded)."""
    return bool(ip.__dict__.get("batch_steps"))


def _batches(values: List[Any], depth: int = 0) -> List[Any]:
    out: List[Any] = []
    for value in values:
        if isinstance(value, BATCHES):
            out.append(value)
        elif isinstance(value, Seq) and depth < 3:
            out += _batches(value.items, depth + 1)
        elif isinstance(value, Dict_) and depth < 3:
            out += _batches(list(value.items.values()), depth + 1)
    return out


def subscript(ip: Any, base: Any, key: Any, node: cst.CSTNode) -> None:
    """``batch[key]`` (``batch[0]`` for a tuple batch)."""
    if not _active(ip):
        return
    if isinstance(base, Batch) and base.record is not None:
        base.record.note(ip, key, node, isinstance(key, str) and key in base.items)
    elif isinstance(base, BatchSeq) and base.record is not None:
        index = isinstance(key, int) and not isinstance(key, bool)
        base.record.note(ip, key if index else None, node,
                         index and -len(base.items) <= key < len(base.items), how="index" if index else "read")


def unpacked(ip: Any, value: Any, target: cst.CSTNode, names: int, starred: bool) -> None:
    """``x, y = batch`` for a tuple batch: the number of names against the
    number of items (a starred name takes any number beyond the others)."""
    if not _active(ip):
        return
    if isinstance(value, Batch) and value.record is not None:
        value.record.escape(f"a dict batch unpacked into names ({_src(target)})")  # its keys, not its values
    elif isinstance(value, BatchSeq) and value.record is not None:
        size = len(value.items)
        present = size >= names - 1 if starred else size == names
        value.record.note(ip, names, target, present, how="unpack")


def seen_call(ip: Any, func: Any, receiver: Any, args: Any, node: cst.Call, unpacked: List[Any]) -> None:
    """A call about to run: a batch given to code that is not followed
    escapes; ``batch.pop(key)`` reads the key."""
    if not _active(ip):
        return
    from . import objects
    if isinstance(receiver, Batch) and type(node.func) is cst.Attribute and receiver.record is not None:
        name = node.func.attr.value
        if name == "pop" and not args.star and not args.kw and len(args.pos) == 1:
            key = py(args.pos[0])
            receiver.record.note(ip, key, node, isinstance(key, str) and key in receiver.items, how="pop")
        elif name not in _HARMLESS_METHODS and name != "pop":
            receiver.record.escape(f"batch.{name}(...)")
    given = _batches(list(args.values()) + list(unpacked))
    if not given:
        return
    followed = False
    if isinstance(func, ModuleRef) and func.path.startswith("builtins.") and func.path in _HARMLESS_FUNCTIONS \
            and not args.star:
        return
    if args.star:
        followed = False
    elif isinstance(func, objects.BoundMethod) and type(func.func).__name__ == "UserFunction":
        followed = will_inline(ip, func.func.node, args, offset=1)
    elif type(func).__name__ == "UserFunction":
        followed = will_inline(ip, func.node, args)
    elif isinstance(func, objects.ModelInstance) or (isinstance(func, objects.Instance) and func.cls is not None):
        cls = func.cls
        first = args.get("inputs", 0)
        if cls is not None and (cls.is_model or cls.is_layer):
            found = cls.lookup("call")
            values = list(first.items.values()) if isinstance(first, Batch) else \
                list(first.items) if isinstance(first, BatchSeq) else []
            followed = isinstance(first, BATCHES) and len(given) == 1 and bool(values) and found is not None and \
                type(found[1]) is cst.FunctionDef and will_inline(ip, found[1], args, offset=1) and \
                all(isinstance(v, Sym) for v in values)
        elif cls is not None:
            found = cls.lookup("__call__")
            followed = found is not None and type(found[1]) is cst.FunctionDef and \
                will_inline(ip, found[1], args, offset=1)
    if not followed:
        for b in given:
            if b.record is not None:
                b.record.escape(f"{_src(node.func)}(...)")


def enter_trace(ip: Any, inputs: Any) -> Optional[Record]:
    """Before ``call`` is traced on ``inputs``: a batch's reads from here
    on belong to this trace too."""
    if not _active(ip):
        return None
    found = _batches([inputs])
    if not found or found[0].record is None:
        return None
    record = found[0].record
    record.traces.append((ip.depth, ip.loops, len(ip.stack), len(record.reads), None))
    return record


def leave_trace(obj: Any, key: Any, record: Optional[Record]) -> None:
    """After the trace: keep its reads (certainty within the trace) with it."""
    if record is None or not record.traces:
        return
    _, _, _, first, escaped = record.traces.pop()
    level = len(record.traces)
    kept = [(r.key, r.node, r.present, r.__dict__.get("within", [False] * (level + 1))[level], r.local, r.how)
            for r in record.reads[first:]]
    obj.__dict__.setdefault("batch_traces", {})[key] = (kept, escaped)
    if escaped is not None:
        record.escape(escaped)


def replay(ip: Any, obj: Any, key: Any, inputs: Any) -> None:
    """The trace cache answered for a batch: the reads of that trace happen
    again, here."""
    if not _active(ip):
        return
    found = _batches([inputs])
    if not found or found[0].record is None:
        return
    record = found[0].record
    kept = obj.__dict__.get("batch_traces", {}).get(key)
    if kept is None:
        record.escape("a call traced before on other data")
        return
    reads, escaped = kept
    for name, node, present, certain, local, how in reads:
        record.note(ip, name, node, present, how=how, inner=certain, local=local)
    if escaped is not None:
        record.escape(escaped)


# ------------------------------------------------------------ certainty
def _certain(ip: Any, depth: int, loops: int, stack: int) -> bool:
    if ip.depth != depth or ip.loops != loops:
        return False
    return all(_plain(fn) for fn in ip.stack[stack:])


_BRANCHING = walk.COMPOUND - {cst.FunctionDef, cst.ClassDef, cst.With}  # if, loops, try, match


@lru_cache(maxsize=1024)
def _plain(fn: cst.FunctionDef) -> bool:
    """Every statement of the function runs once it is called: no ``try``,
    no conditional expression or boolean operator, no ``return``/``raise``
    under a branch or loop."""
    todo: List[Tuple[cst.CSTNode, bool]] = [(fn.body, False)]
    while todo:
        node, branched = todo.pop()
        if type(node) in (cst.FunctionDef, cst.ClassDef, cst.Lambda):
            continue
        if type(node) in (cst.Try, cst.IfExp, cst.BooleanOperation) or \
                (hasattr(cst, "TryStar") and type(node) is cst.TryStar):
            return False
        if type(node) in (cst.Return, cst.Raise) and branched:
            return False
        inner = branched or type(node) in _BRANCHING
        todo.extend((child, inner) for child in children(node))
    return True


@lru_cache(maxsize=1024)
def _opaque(fn: cst.FunctionDef, names: frozenset) -> bool:
    """Whether one of the parameters ``names`` of ``fn`` is used inside a
    lambda, a comprehension (code the interpreter does not run part by
    part) or unpacked into a literal (``{**batch}``): its reads there would
    not be seen."""
    todo: List[Tuple[cst.CSTNode, bool]] = [(fn.body, False)]
    while todo:
        node, inside = todo.pop()
        if type(node) is cst.Name and inside and node.value in names:
            return True
        hidden = inside or type(node) in (cst.Lambda, cst.GeneratorExp, cst.ListComp, cst.SetComp,
                                             cst.DictComp, cst.FunctionDef, cst.StarredDictElement,
                                             cst.StarredElement)
        todo.extend((child, hidden) for child in children(node))
    return False


def _src(node: cst.CSTNode) -> str:
    try:
        text = cst.Module([]).code_for_node(node)
    except Exception:
        return "?"
    return text if len(text) <= 40 else text[:37] + "..."


def reads_by_key(record: Record) -> Dict[str, Read]:
    """The first read of each key."""
    out: Dict[str, Read] = {}
    for r in record.reads:
        out.setdefault(r.key, r)
    return out
