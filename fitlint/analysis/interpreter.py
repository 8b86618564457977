"""The abstract interpreter: one walk over a module's statements.

It evaluates assignments to abstract values (see :mod:`values`), follows
models through ``add``/``compile`` and records every ``fit``/``evaluate``/
``predict`` call with the values that reach it (see :mod:`facts`). Rules never
look at syntax; they read the :class:`Facts` this produces.
"""
from __future__ import annotations

import builtins
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from . import layers as L
from . import walk
from . import library
from . import mutation
from . import (
    array_ops, batches, branch_attrs, budget, callables, calls, comprehensions, flags, loops, models, objects,
    own_layers, project, receivers, sequences, sources, wrappers,
)
from .facts import Binding, DataCall, Facts, InputFromShape, LayerUse, Receiver, Target
from .names import canonical
from .values import (
    MISSING, Array, Const, Dataset, Dict_, Layer, Model, ModuleRef, Origin, Seq, Sym, as_shape, py,
)


class UserFunction:
    """A function defined in the analysed file, with the scope it was defined in."""

    def __init__(self, node: cst.FunctionDef, env: "Env", home: Optional[str] = None) -> None:
        self.node = node
        self.env = env
        self.home = home  # the file of another project module it is defined in


_FAILED = object()
MAX_DEPTH = 6  # nested inlined calls
MAX_INLINES = 30  # inlined calls of one function per file
# Loops over short literal sequences are run pass by pass; nested, at most
# this many passes in all (a 30 x 30 grid of plots), else run once for all.
MAX_PASSES = 256


def _plain_string(text: str) -> Optional[str]:
    """The value of a string literal with no prefix and no backslash, read
    without compiling it (what ``ast.literal_eval`` returns); else None."""
    if text[:1] not in ("'", '"') or "\\" in text or "\r" in text or "\x00" in text:
        return None
    quotes = 3 if len(text) >= 6 and text[:3] in ("'''", '"""') else 1
    return text[quotes:-quotes]


class Env:
    """A scope: names to abstract values, and how often each was bound."""

    __slots__ = ("vars", "parent", "counts", "depth")

    def __init__(self, parent: Optional["Env"] = None, vars: Optional[dict] = None,
                 counts: Optional[dict] = None) -> None:
        self.vars: Dict[str, Any] = {} if vars is None else vars
        self.parent = parent
        self.counts: Dict[str, int] = {} if counts is None else counts
        self.depth = 0  # how many branches deep the scope was made (see mutation.replace)

    def assign(self, name: str, value: Any) -> None:
        self.vars[name] = value
        self.counts[name] = self.counts.get(name, 0) + 1

    def seen_from_function(self) -> "Env":
        """The scope as a function defined in it sees it: the function may run
        at any time, so a name bound more than once has no known value."""
        parent = self.parent.seen_from_function() if self.parent is not None else None
        return Env(parent, {k: (None if self.counts.get(k, 0) > 1 else v) for k, v in self.vars.items()})

    def get(self, name: str) -> Any:
        env: Optional[Env] = self
        while env is not None:
            if name in env.vars:
                return env.vars[name]
            env = env.parent
        return MISSING

    def copy(self) -> "Env":
        return Env(self.parent, dict(self.vars), dict(self.counts))


class Args:
    """The evaluated arguments of a call."""

    __slots__ = ("pos", "kw", "pos_nodes", "kw_nodes", "star", "node")

    def __init__(self, node: cst.Call) -> None:
        self.node = node
        self.pos: List[Any] = []
        self.kw: Dict[str, Any] = {}
        self.pos_nodes: List[cst.CSTNode] = []
        self.kw_nodes: Dict[str, cst.CSTNode] = {}
        self.star = False

    def get(self, name: Optional[str], index: Optional[int] = None, default: Any = None) -> Any:
        if name is not None and name in self.kw:
            return self.kw[name]
        if index is not None and index < len(self.pos):
            return self.pos[index]
        return default

    def node_of(self, name: Optional[str], index: Optional[int] = None) -> Optional[cst.CSTNode]:
        if name is not None and name in self.kw_nodes:
            return self.kw_nodes[name]
        if index is not None and index < len(self.pos_nodes):
            return self.pos_nodes[index]
        return None

    def has(self, name: Optional[str], index: Optional[int] = None) -> bool:
        return (name is not None and name in self.kw) or (index is not None and index < len(self.pos))

    def values(self) -> List[Any]:
        return self.pos + list(self.kw.values())


_RAISES = {"assertRaises", "assertRaisesRegex", "assertRaisesRegexp", "raises", "assertRaisesWithPredicateMatch"}


def _raises(body: cst.CSTNode) -> bool:
    """Whether a ``raise`` statement is in ``body`` (outside nested definitions)."""
    todo = [body]
    while todo:
        current = todo.pop()
        kind = type(current)
        if kind is cst.Raise:
            return True
        if kind is not cst.FunctionDef and kind is not cst.ClassDef:
            todo.extend(walk.children(current))
    return False


_NEEDS_COMPILE = {"fit", "evaluate", "train_on_batch", "test_on_batch"}
_DATA_METHODS = _NEEDS_COMPILE | {"predict", "predict_on_batch"}
# Every method name ``fitlint shapes`` counts as a call site.
SITE_METHODS = _DATA_METHODS | {"fit_generator", "evaluate_generator", "predict_generator"}
# Positional index of x, y, batch_size for each data method.
_POSITIONS = {
    "fit": (0, 1, 2), "evaluate": (0, 1, 2), "predict": (0, None, 1),
    "train_on_batch": (0, 1, None), "test_on_batch": (0, 1, None), "predict_on_batch": (0, None, None),
}


class Interpreter:
    def __init__(self, module: cst.Module, path: Optional[str] = None, summary: bool = False) -> None:
        self.module = module
        self.path = path  # the analysed file: imports of project modules are looked up from it
        self.summary = summary  # run as an imported module (see project.py)
        self.homes: List[str] = []  # files of the project functions being inlined
        self.project_exports: Dict[str, Dict[str, Any]] = {}
        self.chain: Tuple[str, ...] = ()
        self.entry: Optional[cst.CSTNode] = None  # the call of this file that runs another module's code
        self.absl_flags: Dict[str, Any] = {}  # absl flag name -> its default (see flags.py)
        self.facts = Facts()
        self.models: List[Model] = []
        self.pending: List[Tuple[cst.FunctionDef, Env]] = []
        self.guarded = 0  # > 0 inside `with self.assertRaises(...)` / `pytest.raises`
        self.loops = 0
        self.trips: List[tuple] = []  # loops being run: (node, depth of the body, passes or None); see array_ops
        self.unrolled = 0  # > 0 inside a loop run pass by pass
        self.passes = 1  # passes of the body being run the loops run pass by pass make together
        self.globals = Env()  # module-level names once the module body ran
        self.star_imports: List[str] = []  # modules of `from X import *`
        self.frames: List[List[Any]] = []  # return values of the calls being inlined
        self.stack: List[cst.FunctionDef] = []
        self.inlined: Dict[cst.FunctionDef, int] = {}
        self.queued: set = set()
        self.owners: Dict[cst.FunctionDef, Any] = {}  # method -> its class (see receivers.fresh_self)
        self.generators: Dict[cst.FunctionDef, bool] = {}
        self.leaves: Dict[cst.CSTNode, bool] = {}
        self.depth = 0  # branches being run (if/else, loop bodies, except handlers)
        self.callers: List[Env] = []  # scopes of the calls being inlined
        self.statement: Optional[cst.CSTNode] = None  # the simple statement being run
        self.roots: Dict[int, tuple] = {}  # id(array) -> (array, the array it was changed from in place)
        self.steps = 0  # expressions and statements evaluated (see fitlint.analysis.budget)
        self.exhausted = False

    def spend(self, node: cst.CSTNode) -> bool:
        """Count one evaluation step; True once the file's budget is spent:
        from then on every value is unknown and no statement runs."""
        self.steps += 1
        if self.steps > budget.MAX_STEPS and not self.exhausted:
            self.exhausted = True
            budget.give_up(self, node, f"more than {budget.MAX_STEPS} evaluation steps: the rest is not analysed")
            for model in self.models:
                model.exact = False  # layers it would have been given may be missing
        return self.exhausted

    # ------------------------------------------------------------------ driver
    def home(self) -> Optional[str]:
        """The file the code being run is in."""
        return self.homes[-1] if self.homes else self.path

    def run_module(self) -> None:
        """The top level only, as an import runs it (see project.py)."""
        self.block(self.module.body, self.globals)

    def run(self) -> Facts:
        self.block(self.module.body, self.globals)
        while self.pending:
            fn, parent = self.pending.pop(0)
            if fn in self.inlined:
                continue  # its calls were followed with their real arguments
            # A function may run at any time: models it did not build itself
            # may or may not be compiled when it does.
            for model in self.models:
                model.compiled = None
                models.forget_use(model)
            env = Env(parent.seen_from_function())
            params = fn.params
            for p in list(params.params) + list(params.posonly_params) + list(params.kwonly_params):
                env.vars[p.name.value] = None
            if fn in self.owners and (params.posonly_params or params.params):
                first = (params.posonly_params or params.params)[0].name.value
                env.vars[first] = receivers.fresh_self(self, fn, self.owners[fn])
            for p in (params.star_arg, params.star_kwarg):
                if type(p) is cst.Param:
                    env.vars[p.name.value] = None
            body = fn.body
            self.block(body.body if type(body) is cst.IndentedBlock else [body], env)
        for model in self.models:
            if model.kind == "sequential" and model.inputs:
                self.trace_sequential(model, model.inputs[0].shape, model.inputs[0].origin)
        return self.facts

    def trace_sequential(self, model: Model, shape, origin: Origin) -> None:
        """Record each layer's input shape, up to the first layer that
        cannot take it (or whose output is not known)."""
        if not model.exact or shape is None or model.traced:
            return
        model.traced = True
        previous = None
        for layer in model.layers:
            self.facts.layer_uses.append(LayerUse(layer, [shape], [origin], previous, model=model))
            if L.problem(layer, shape) is not None:
                return
            shape = L.output_shape(layer, shape)
            if shape is None:
                return
            origin, previous = layer.origin, layer

    # -------------------------------------------------------------- statements
    def block(self, stmts: Sequence[cst.CSTNode], env: Env) -> bool:
        """Run statements; True when the block always leaves early."""
        for stmt in stmts:
            if self.stmt(stmt, env):
                return True
        return False

    def stmt(self, node: cst.CSTNode, env: Env) -> bool:
        if self.spend(node):
            return False
        kind = type(node)
        if kind is cst.SimpleStatementLine:
            for small in node.body:
                if self.small(small, env):
                    return True
            return False
        if kind is cst.If:
            return self.if_(node, env)
        if kind is cst.For or kind is cst.While:
            return self.loop(node, env)
        if kind is cst.Try or kind is cst.TryStar:
            return self.try_(node, env)
        if kind is cst.With:
            return self.with_(node, env)
        if kind is cst.FunctionDef:
            followed = not node.decorators or loops.transparent(self, node, env)
            env.assign(node.name.value, UserFunction(node, env) if followed else None)
            self.queue(node, env)
            return False
        if kind is cst.ClassDef:
            cls = objects.define_class(self, node, env)
            env.assign(node.name.value, cls)
            self.class_body(node, env, cls)
            return False
        return False

    def class_body(self, node: cst.ClassDef, env: Env, cls: Any = None) -> None:
        body = node.body.body if type(node.body) is cst.IndentedBlock else []
        for stmt in body:
            if type(stmt) is cst.FunctionDef:
                self.queue(stmt, env)
                if cls is not None:
                    self.owners.setdefault(stmt, cls)
            elif type(stmt) is cst.ClassDef:
                self.class_body(stmt, env)

    def queue(self, node: cst.FunctionDef, env: Env) -> None:
        if node not in self.queued:
            self.queued.add(node)
            self.pending.append((node, env))

    def small(self, node: cst.BaseSmallStatement, env: Env) -> bool:
        self.statement = node  # where an in-place change is made (see mutation.replace)
        kind = type(node)
        if kind is cst.Assign:
            value = self.ev(node.value, env)
            for target in node.targets:
                self.bind(target.target, value, env)
        elif kind is cst.Expr:
            self.ev(node.value, env)
        elif kind is cst.AnnAssign:
            if node.value is not None:
                self.bind(node.target, self.ev(node.value, env), env)
        elif kind is cst.AugAssign:
            mutation.aug_assign(self, node, env)
        elif kind is cst.Return:
            value = self.ev(node.value, env) if node.value is not None else Const(None)
            if self.frames:
                self.frames[-1].append(value)
            return True
        elif kind is cst.Raise or kind is cst.Continue or kind is cst.Break:
            return True
        elif (kind is cst.Import or kind is cst.ImportFrom) and project.bind_import(self, node, env):
            return False
        elif kind is cst.Import:
            for alias in node.names:
                self.import_library(alias, env)
        elif kind is cst.ImportFrom:
            base = _dotted(node.module) if node.module is not None else None
            if isinstance(node.names, cst.ImportStar) and base and not node.relative:
                self.star_imports.append(base)
                return False
            if node.relative or base is None or isinstance(node.names, cst.ImportStar):
                if isinstance(node.names, Sequence):
                    for alias in node.names:
                        self.bind(alias.asname.name if alias.asname else alias.name, None, env)
                return False
            for alias in node.names:
                name = _dotted(alias.name)
                target = alias.asname.name if alias.asname else alias.name
                if type(target) is cst.Name and name:
                    env.assign(target.value, ModuleRef(f"{base}.{name}"))
        elif kind is cst.Del:
            mutation.delete(self, node.target, env)
        return False

    def import_library(self, alias: cst.ImportAlias, env: Env) -> None:
        dotted = _dotted(alias.name)
        if dotted is None:
            return
        if alias.asname is not None and type(alias.asname.name) is cst.Name:
            env.assign(alias.asname.name.value, ModuleRef(dotted))
        else:
            top = dotted.split(".")[0]
            env.assign(top, ModuleRef(top))

    def attribute(self, base: Any, attr: str, node: cst.CSTNode) -> Any:
        if isinstance(base, project.ProjectModule):
            return base.attribute(self, attr)
        if isinstance(base, objects.OBJECTS):
            return objects.attribute(self, base, attr, node)
        if isinstance(base, wrappers.Wrapper):
            return wrappers.attribute(base, attr)
        value = flags.attribute(self, base, attr)
        if value is not flags.NOT_HANDLED:
            return value
        return library.attribute(self, base, attr, node)

    def bind(self, target: cst.CSTNode, value: Any, env: Env) -> None:
        if type(target) is cst.Name:
            env.assign(target.value, value)
        elif type(target) in (cst.Tuple, cst.List):
            elements = target.elements
            starred = any(type(e) is cst.StarredElement for e in elements)
            batches.unpacked(self, value, target, len(elements), starred)
            items = value.items if isinstance(value, Seq) and not starred and len(value.items) == len(elements) else None
            for i, element in enumerate(elements):
                inner = element.value
                self.bind(inner, items[i] if items is not None else None, env)
        elif type(target) is cst.Attribute and (
                flags.store(self, self.ev(target.value, env), target.attr.value, value)
                or objects.store(self, target, value, env)):
            pass
        elif type(target) in (cst.Subscript, cst.Attribute):
            mutation.store(self, target, value, env)

    # --------------------------------------------------------- control flow
    def snapshot(self) -> Dict[Model, tuple]:
        return {m: (m.compiled, m.loss, m.loss_origin, m.compile_origin, list(m.layers), m.exact, list(m.inputs))
                for m in self.models}

    def restore(self, snap: Dict[Model, tuple]) -> None:
        for m, (compiled, loss, loss_origin, compile_origin, layers, exact, inputs) in snap.items():
            m.compiled, m.loss, m.loss_origin, m.compile_origin = compiled, loss, loss_origin, compile_origin
            m.layers, m.exact, m.inputs = list(layers), exact, list(inputs)

    def branches(self, env: Env, runs: List[Callable[[Env], bool]], loop: bool = False) -> bool:
        start = self.snapshot()
        counts = dict(env.counts)  # every binding a branch makes counts (Env.assign, mutation.replace)
        outcomes = []
        stored: List[Any] = []  # attributes each branch set (branch_attrs.py)
        self.depth += 1
        try:
            for run in runs:
                self.restore(start)
                branch_env = env.copy()
                branch_env.depth = self.depth
                branch_attrs.enter(self)
                try:
                    left = run(branch_env)
                finally:
                    stored.append(branch_attrs.leave(self))
                outcomes.append((branch_env, self.snapshot(), left))
        finally:
            self.depth -= 1
        branch_attrs.join(self, [(s, not o[2]) for s, o in zip(stored, outcomes)])
        live = [o for o in outcomes if not o[2]]
        if not live:
            return True
        envs = [b for b, _, _ in live]
        if len(envs) == 1:  # one way through: its names and counts, as they are
            only = envs[0]
            env.vars.update(only.vars)
            env.counts.update({key: only.counts.get(key, 0) for key in only.vars})
            envs = []
        keys = set()
        if env.counts == counts:
            # Only the names a branch bound may differ: a name whose count no
            # branch changed holds, in every branch, what it held before.
            for branch_env in envs:
                if branch_env.counts != counts:
                    keys.update(k for k, n in branch_env.counts.items() if counts.get(k) != n)
        else:  # the scope itself changed meanwhile (a call run in a branch changed a list it holds)
            for branch_env in envs:
                keys.update(branch_env.vars)
        two = len(envs) == 2
        joined: Dict[tuple, Any] = {}  # names that held one object in every branch still share one
        for key in keys:
            values = [b.vars.get(key, MISSING) for b in envs]
            first = values[0]
            if first is not MISSING and (values[1] is first if two else all(v is first for v in values)):
                env.vars[key] = first
            else:
                ids = tuple(id(v) for v in values)
                if ids not in joined:
                    # A loop body was run once: only an array changed in
                    # place (so its shape could not change) keeps its shape.
                    same = not loop or len({id(mutation.root(self, v)) for v in values}) == 1
                    joined[ids] = _join(values, self if loop else None) if same else None
                    if joined[ids] is not None:
                        mutation.derived(self, values[0], joined[ids])
                env.vars[key] = joined[ids]
            env.counts[key] = max([b.counts.get(key, 0) for b in envs])
        snaps = [s for _, s, _ in live]
        for model in self.models:
            states = [s.get(model) for s in snaps]
            if any(s is None for s in states):
                continue  # built inside a branch
            compiled = {s[0] for s in states}
            model.compiled = states[0][0] if len(compiled) == 1 else None
            same_loss = all(s[1] is states[0][1] for s in states)
            model.loss = states[0][1] if same_loss else None
            model.loss_origin = states[0][2] if same_loss else None
            model.compile_origin = states[0][3]
            same_layers = all(len(s[4]) == len(states[0][4]) and all(a is b for a, b in zip(s[4], states[0][4])) for s in states)
            model.layers = list(states[0][4])
            model.exact = all(s[5] for s in states) and same_layers
            # an input taken on when built by use (see models.py): kept only if every branch has it
            same_inputs = all(len(s[6]) == len(states[0][6]) and all(a is b for a, b in zip(s[6], states[0][6]))
                              for s in states)
            model.inputs = list(states[0][6]) if same_inputs else []
        return False

    def if_(self, node: cst.If, env: Env) -> bool:
        if _is_main_guard(node.test):
            return False if self.summary else self.block(node.body.body, env)
        known = receivers.constant_test(self, node.test, env)
        if known is True:
            return self.block(node.body.body, env)
        if known is False:
            if type(node.orelse) is cst.If:
                return self.if_(node.orelse, env)
            return self.block(node.orelse.body.body, env) if type(node.orelse) is cst.Else else False
        self.ev(node.test, env)
        runs: List[Callable[[Env], bool]] = [lambda e: self.block(node.body.body, e)]
        orelse = node.orelse
        if type(orelse) is cst.If:
            runs.append(lambda e: self.if_(orelse, e))
        elif type(orelse) is cst.Else:
            runs.append(lambda e: self.block(orelse.body.body, e))
        else:
            runs.append(lambda e: False)
        return self.branches(env, runs)

    def loop(self, node, env: Env) -> bool:
        if type(node) is cst.For and node.orelse is None and not _leaves_early(node.body, self.leaves):
            items = receivers.dict_view(self, node.iter, env) or self.ev(node.iter, env)
            if isinstance(items, Seq) and len(items.items) <= library.MAX_UNROLL and \
                    self.passes * len(items.items) <= MAX_PASSES:
                # A loop over a short literal sequence: run each iteration
                # (within loops run so, at most MAX_PASSES passes in all).
                self.unrolled += 1
                outer, self.passes = self.passes, self.passes * max(1, len(items.items))
                try:
                    for item in items.items:
                        if self.exhausted:
                            break
                        self.bind(node.target, item, env)
                        self.block(node.body.body, env)
                finally:
                    self.unrolled -= 1
                    self.passes = outer
                return False

        index, passes = array_ops.loop_range(self, node, env) if type(node) is cst.For else (None, None)
        if node.orelse is not None or _leaves_early(node.body, self.leaves):
            passes = None

        def body(e: Env) -> bool:
            if type(node) is cst.For:
                item = loops.iterate(self, node.iter, e)
                mutation.loop_target_changed(self, node, e)
                self.bind(node.target, index if index is not None else item, e)
            self.loops += 1
            try:
                self.block(node.body.body, e)
            finally:
                self.loops -= 1
            return False

        self.trips.append((node, self.depth + 1, passes))
        try:
            self.branches(env, [body, lambda e: False], loop=True)
        finally:
            self.trips.pop()
        if node.orelse is not None:
            return self.block(node.orelse.body.body, env)
        return False

    def try_(self, node, env: Env) -> bool:
        # Handlers are taken to start where the body ends: an exception is
        # most often raised by the last statements of a try body.
        catches = self.handled(node, env)
        since = self.facts.sizes() if catches else None
        body_left = self.block(node.body.body, env)
        if since is not None:
            self.facts.mark_caught(since, catches)
        runs: List[Callable[[Env], bool]] = [
            lambda e: body_left or (self.block(node.orelse.body.body, e) if node.orelse else False)
        ]
        for handler in node.handlers:
            runs.append(lambda e, h=handler: self.block(h.body.body, e))
        left = self.branches(env, runs)
        if node.finalbody is not None:
            left = self.block(node.finalbody.body.body, env) or left
        return left

    def handled(self, node, env: Env) -> frozenset:
        """What the ``except`` clauses of a try statement catch: the dotted
        names of the exception classes they name (``builtins.ValueError``,
        ``tensorflow.errors.InvalidArgumentError``), ``*`` for a bare
        ``except``. A handler that raises again catches nothing; a name that
        does not resolve to a builtin or library class is left out."""
        out = set()
        for handler in node.handlers:
            if _raises(handler.body):
                continue
            if handler.type is None:
                out.add("*")
                continue
            kinds = handler.type.elements if type(handler.type) in (cst.Tuple, cst.List) else [handler.type]
            for kind in kinds:
                name = self.exception_class(kind.value if isinstance(kind, cst.BaseElement) else kind, env)
                if name is not None:
                    out.add(name)
        return frozenset(out)

    def exception_class(self, node: cst.BaseExpression, env: Env) -> Optional[str]:
        if type(node) is cst.Name:
            value = env.get(node.value)
            if value is MISSING:
                builtin = getattr(builtins, node.value, None)
                if isinstance(builtin, type) and issubclass(builtin, BaseException):
                    return "builtins." + node.value
                value = self.unbound(node.value)
        elif type(node) is cst.Attribute:
            value = self.ev(node, env)
        else:
            return None
        return canonical(value.path) if isinstance(value, ModuleRef) else None

    def with_(self, node: cst.With, env: Env) -> bool:
        guard = False
        for item in node.items:
            call = item.item
            if type(call) is cst.Call:
                func = call.func
                name = func.attr.value if type(func) is cst.Attribute else (func.value if type(func) is cst.Name else "")
                guard = guard or name in _RAISES
            value = None if guard else self.ev(call, env)
            if item.asname is not None:
                self.bind(item.asname.name, value if isinstance(value, (Array, Model)) else None, env)
        self.guarded += guard
        try:
            return self.block(node.body.body, env)
        finally:
            self.guarded -= guard

    # ------------------------------------------------------------ expressions
    def ev(self, node: cst.BaseExpression, env: Env) -> Any:
        if self.spend(node):
            return None
        kind = type(node)  # LibCST's node classes are final: compared by identity, not isinstance (slow on them)
        if kind is cst.Name:
            name = node.value
            if name in ("True", "False", "None"):
                return Const({"True": True, "False": False, "None": None}[name], Origin(node))
            value = env.get(name)
            if value is MISSING:
                return self.unbound(name)
            if isinstance(value, project.Lazy):
                return value.resolve(self)
            return value
        if kind is cst.Call:
            return self.call(node, env)
        if kind is cst.Attribute:
            return self.attribute(self.ev(node.value, env), node.attr.value, node)
        if kind is cst.Integer:
            text = node.value.replace("_", "")
            if len(text) > 24:  # beyond the integer range (and maybe beyond int()'s digit limit)
                budget.give_up(self, node, "an integer literal beyond +-10**18")
                return None
            try:
                value = int(text, 0)
            except ValueError:
                value = int(text.lstrip("0") or "0")
            return Const(value, Origin(node)) if budget.small_int(self, value, node) else None
        if kind is cst.Float:
            return Const(float(node.value.replace("_", "")), Origin(node))
        if kind is cst.SimpleString or kind is cst.ConcatenatedString:
            plain = _plain_string(node.value) if kind is cst.SimpleString else None
            if plain is not None:
                return Const(plain, Origin(node))
            try:
                value = node.evaluated_value
            except Exception:
                return None
            return Const(value, Origin(node)) if isinstance(value, str) else None
        if kind is cst.Tuple or kind is cst.List:
            items = []
            for element in node.elements:
                if type(element) is cst.StarredElement:
                    return None
                items.append(self.ev(element.value, env))
            return Seq(items, "tuple" if kind is cst.Tuple else "list", Origin(node))
        if kind is cst.Dict:
            items = {}
            for element in node.elements:
                if type(element) is not cst.DictElement:
                    return None
                key = py(self.ev(element.key, env))
                value = self.ev(element.value, env)
                if not isinstance(key, str):
                    return None
                items[key] = value
            return Dict_(items, Origin(node))
        if kind is cst.BinaryOperation:
            left, right = self.ev(node.left, env), self.ev(node.right, env)
            if isinstance(left, Sym) or isinstance(right, Sym):
                return objects.sym_binop(node.operator, left, right, node)
            return library.binop(self, node.operator, left, right, node)
        if kind is cst.UnaryOperation:
            return library.unary(node.operator, self.ev(node.expression, env), node)
        if kind is cst.Subscript:
            return library.subscript(self, self.ev(node.value, env), node, env)
        if kind is cst.NamedExpr:
            value = self.ev(node.value, env)
            self.bind(node.target, value, env)
            return value
        if kind is cst.BooleanOperation:
            self.ev(node.left, env)
            self.ev(node.right, env)
            return None
        if kind is cst.Comparison:
            left = self.ev(node.left, env)
            rights = [self.ev(target.comparator, env) for target in node.comparisons]
            return array_ops.compare(node, left, rights)
        if kind is cst.IfExp:
            known = receivers.constant_test(self, node.test, env)
            if known is not None:
                return self.ev(node.body if known else node.orelse, env)
            self.ev(node.test, env)
            body, orelse = self.ev(node.body, env), self.ev(node.orelse, env)
            return body if body is orelse else own_layers.join_syms([body, orelse])
        if kind is cst.Await:
            return self.ev(node.expression, env)
        if kind is cst.ListComp:
            return self.list_comp(node, env)
        if kind is cst.DictComp:
            made = comprehensions.dict_comp(self, node, env)
            if made is not None:
                return made
        if kind is cst.GeneratorExp or kind is cst.SetComp or kind is cst.DictComp or kind is cst.Lambda:
            mutation.unevaluated(self, node, env)
            if kind is cst.Lambda:
                return callables.lambda_value(self, node, env)
        return None

    def list_comp(self, node: cst.ListComp, env: Env) -> Any:
        """``[f(v) for v in <short literal sequence>]``; anything else is unknown."""
        comp = node.for_in
        if comp.ifs or comp.inner_for_in is not None or comp.asynchronous is not None:
            mutation.unevaluated(self, node, env)
            return array_ops.comprehension(self, node, env)
        items = self.ev(comp.iter, env)
        if not isinstance(items, Seq) or len(items.items) > library.MAX_UNROLL:
            mutation.unevaluated(self, node, env)
            return array_ops.comprehension(self, node, env)
        out = []
        for item in items.items:
            scope = Env(env)
            self.bind(comp.target, item, scope)
            out.append(self.ev(node.elt, scope))
        return Seq(out, "list", Origin(node))

    def unbound(self, name: str) -> Any:
        """A name no assignment or import binds: a builtin, or a library
        object a star import brought in."""
        if name in library.BUILTINS:
            return ModuleRef("builtins." + name)
        for base in self.star_imports:
            path = f"{base}.{name}"
            if library.is_known(canonical(path)):
                return ModuleRef(path)
        return None

    def call(self, node: cst.Call, env: Env) -> Any:
        if type(node.func) is cst.Attribute:
            receiver = self.ev(node.func.value, env)
            func = self.attribute(receiver, node.func.attr.value, node.func)
            if node.func.attr.value in SITE_METHODS:
                self.facts.receivers.append(Receiver(node, receiver, bool(self.guarded)))
        else:
            receiver, func = None, self.ev(node.func, env)
        args = Args(node)
        unpacked: List[Any] = []  # what *x / **x pass
        for arg in node.args:
            if arg.star:
                spread = self.ev(arg.value, env)
                if calls.project_code(func) and calls.spread(args, arg, spread):
                    unpacked.extend(spread.items if isinstance(spread, Seq) else spread.items.values())
                    continue  # a tuple/list or dict the analysis knows whole: its items are the arguments
                args.star = True
                unpacked.extend(spread.items if isinstance(spread, Seq) else
                                spread.items.values() if isinstance(spread, Dict_) else ())
                continue
            value = self.ev(arg.value, env)
            if arg.keyword is not None:
                args.kw[arg.keyword.value] = value
                args.kw_nodes[arg.keyword.value] = arg.value
            else:
                args.pos.append(value)
                args.pos_nodes.append(arg.value)
        batches.seen_call(self, func, receiver, args, node, unpacked)  # a batch a model's own step reads
        hooked = wrappers.call(self, func, receiver, args, node)  # nsl.keras wrappers
        if hooked is not wrappers.NOT_HANDLED:
            return hooked
        hooked = objects.call(self, func, receiver, args, node, env)
        if hooked is not objects.NOT_HANDLED:
            return hooked
        if not isinstance(func, UserFunction):
            mutation.escaping_functions(self, args.values(), env)
        if isinstance(func, ModuleRef):
            name = canonical(func.path)
            mutation.function(self, name, args, env, unpacked)
            result = flags.call_function(self, name, args, node)
            if result is not flags.NOT_HANDLED:
                return result
            return library.call_function(self, name, args, node)
        if isinstance(func, Layer):
            return self.call_layer(func, args, node)
        if isinstance(func, Model) and isinstance(args.get("inputs", 0), (Sym, Array)):
            models.called(self, func, args.get("inputs", 0), node)
        if isinstance(func, Model) and isinstance(args.get("inputs", 0), Sym):
            return self.call_model(func, args.get("inputs", 0), node)
        if isinstance(func, Model) and isinstance(args.get("inputs", 0), Array):
            out = callables.preprocessing_model(func, [args.get("inputs", 0)], node) \
                if len(args.pos) + len(args.kw) == 1 else None
            return out if out is not None else loops.model_on_data(self, func, args, node)
        if isinstance(func, library.LossFn):
            loops.loss_object_call(self, func, args, node)
            return None
        if type(node.func) is cst.Attribute and receiver is not None and not isinstance(receiver, project.ProjectModule):
            method = node.func.attr.value
            if isinstance(receiver, flags.Parser):
                return flags.method(self, receiver, method, args, node)
            if isinstance(receiver, Model):
                return self.model_method(receiver, method, args, node)
            result = mutation.method(self, receiver, method, args, node, env)
            if result is not mutation.NOT_HANDLED:
                return result
            return library.call_method(self, receiver, method, args, node)
        if isinstance(func, UserFunction):
            self.callers.append(env)
            try:
                result = self.inline(func, args)
            finally:
                self.callers.pop()
            if result is not _FAILED and not _is_generator(func.node, self.generators):
                return result
            if result is _FAILED:
                # Not followed: it may compile (or rebuild) any model it can reach.
                for model in self.models:
                    model.compiled = None
        elif func is not None or mutation.pure_name(node.func, env) or (
                type(node.func) is cst.Attribute and node.func.attr.value in mutation.PURE_METHODS):
            self.escape(args)  # a model called on data, a known object, a plotting method...
            return None
        # Code not followed may change what it is given.
        mutation.havoc(self, args.values() + unpacked, env)
        objects.havoc(args.values() + unpacked)
        self.escape(args)
        return None

    def inline(self, func: UserFunction, args: Args) -> Any:
        """Run a call of a function of this file with its real arguments.
        The value it returns (the same on every ``return``), or _FAILED."""
        node = func.node
        count = self.inlined.get(node, 0)
        per_object = own_layers.inline_key(node, args)  # a method of an object of the file: counted per object
        if per_object is not None:
            count = self.__dict__.setdefault("object_inlines", {}).get(per_object, 0)
        if args.star or node in self.stack or len(self.stack) >= MAX_DEPTH or count >= MAX_INLINES:
            if not args.star and node not in self.stack:
                self.facts.budget.append(args.node)
            return _FAILED
        if node.asynchronous is not None:
            return _FAILED
        if _is_generator(node, self.generators):
            return None  # calling a generator function runs none of its body
        env = Env(func.env)
        env.depth = self.depth
        params = node.params
        positional = list(params.posonly_params) + list(params.params)
        for i, p in enumerate(positional):
            name = p.name.value
            if i < len(args.pos):
                value = args.pos[i]
            elif name in args.kw:
                value = args.kw[name]
            elif p.default is not None:
                value = self.ev(p.default, func.env)
            else:
                value = None
            env.assign(name, value)
        for p in params.kwonly_params:
            name = p.name.value
            value = args.kw[name] if name in args.kw else self.ev(p.default, func.env) if p.default is not None else None
            env.assign(name, value)
        calls.bind_rest(env, params, args)  # *args and **kwargs: what the call passes beyond the named
        self.inlined[node] = self.inlined.get(node, 0) + 1
        if per_object is not None:
            self.__dict__["object_inlines"][per_object] = count + 1
        self.stack.append(node)
        self.frames.append([])
        self.homes.append(func.home or self.home())
        entering = project.entering(self, func, args.node)
        try:
            body = node.body
            left = self.block(body.body if type(body) is cst.IndentedBlock else [body], env)
        finally:
            project.left(self, entering)
            self.homes.pop()
            self.stack.pop()
            returns = self.frames.pop()
        if not left:
            returns.append(Const(None))
        first = returns[0] if returns else None
        if len(returns) > 1 and all(isinstance(r, Model) for r in returns):
            return receivers.join_models(returns)  # models of one contract: the first
        return first if all(r is first for r in returns) else None

    def escape(self, args: Args) -> None:
        """Models handed to code fitlint does not follow may get compiled there."""
        for value in map(wrappers.unwrap, args.values()):
            if isinstance(value, Model):
                value.compiled = None
                value.exact = value.exact and value.kind in ("functional", "subclassed")

    # ----------------------------------------------------------------- models
    def new_model(self, model: Model) -> Model:
        self.models.append(model)
        self.facts.models.append(model)
        return model

    def input_sym(self, args: Args, node: cst.Call, shape_arg: Any, batch_shape: Any = None) -> Optional[Sym]:
        if batch_shape is not None:
            shape = as_shape(batch_shape)
        else:
            inner = as_shape(shape_arg)
            rank_only = inner is None
            if inner is None:
                inner = sequences.rank_only_shape(shape_arg)
            shape = None if inner is None else (None,) + inner
        dtype = library.dtype_of(args.get("dtype"), default="float32")
        name = py(args.get("name"))
        sym = Sym(shape, dtype, Origin(node), name=name if isinstance(name, str) else None, is_input=True)
        sym.sizes_unknown = batch_shape is None and rank_only and shape is not None
        origin = getattr(shape_arg if batch_shape is None else batch_shape, "origin", None)
        written = args.node_of("shape", 0) if batch_shape is None else args.node_of("batch_shape")
        if origin is not None and origin.node is not written:
            sym.shape_set_at = origin.node
        if isinstance(shape_arg, Seq) and shape_arg.shape_of is not None and shape is not None:
            sym.shape_from = shape_arg.shape_of
            if not self.guarded:
                self.facts.inputs_from_shape.append(InputFromShape(node, shape_arg.shape_of, shape))
        return sym

    def call_layer(self, layer: Layer, args: Args, node: cst.Call) -> Any:
        inputs = sequences.string_input(layer, args.get("inputs", 0), node)
        if isinstance(inputs, Sym):
            if inputs.shape is not None and not self.guarded:
                self.facts.layer_uses.append(LayerUse(layer, [inputs.shape], [inputs.origin], inputs.layer,
                                                      inputs=[inputs]))
            shape = L.output_shape(layer, inputs.shape)
            extra = args.star or len(args.pos) > 1 or any(k not in ("inputs", "training") for k in args.kw)
            out = Sym(shape, L.output_dtype(layer, inputs.dtype), Origin(node), layer=layer, parents=[inputs],
                      traced=not extra)
            inputs.consumers.append((layer, out))
            return out
        if isinstance(inputs, Seq) and inputs.items and all(isinstance(i, Sym) for i in inputs.items):
            shapes = [i.shape for i in inputs.items]
            if all(s is not None for s in shapes) and not self.guarded:
                self.facts.layer_uses.append(LayerUse(layer, shapes, [i.origin for i in inputs.items],
                                                      inputs=list(inputs.items)))
            out = Sym(L.merge_shape(layer, shapes), inputs.items[0].dtype, Origin(node), layer=layer,
                      parents=list(inputs.items))
            for i in inputs.items:
                i.consumers.append((layer, out))
            return out
        if isinstance(inputs, Array) and len(args.pos) + len(args.kw) == 1:
            return L.array_output(layer, inputs, Origin(node))
        return None

    def call_model(self, model: Model, inputs: Sym, node: cst.Call) -> Sym:
        """A model used as a layer of another: its output for this input."""
        shape = None
        declared = getattr(model, "shape_fn", None)  # a keras.applications model (see applications.py)
        if declared is not None and model.exact and inputs.shape is not None:
            shape = declared(inputs.shape)
        elif model.exact and inputs.shape is not None:
            if model.kind == "sequential":
                shape = inputs.shape
                for layer in model.layers:
                    shape = L.output_shape(layer, shape)
                    if shape is None:
                        break
            elif len(model.inputs) == 1 and len(model.outputs) == 1 and model.inputs[0].shape == inputs.shape:
                shape = model.outputs[0].shape
        return Sym(shape, inputs.dtype, Origin(node))

    def sequential(self, layer_list: Any, node: cst.Call) -> Model:
        model = self.new_model(Model("sequential", Origin(node)))
        if layer_list is None:
            return model
        if not isinstance(layer_list, Seq):
            model.exact = False
            return model
        for item in layer_list.items:
            self.add_layer(model, item)
        return model

    def add_layer(self, model: Model, item: Any) -> None:
        if self.loops:
            model.exact = False
        if isinstance(item, Sym) and item.is_input and not model.layers and not model.inputs:
            model.inputs = [item]
            return
        if isinstance(item, (Model, objects.Instance)):
            models.nested_input(self, model, item)
            item = models.element_layer(self, item, model.origin.node) or item
        if not isinstance(item, Layer) or (item.kind not in L.KNOWN and item.kind not in L.TRACED):
            model.exact = False
            if not isinstance(item, Layer):
                model.layers.append(Layer("?", [], {}, Origin(item.origin.node) if getattr(item, "origin", None) else model.origin))
                return
        if not model.layers and not model.inputs:
            declared = L.declared_input(item)
            if declared is not None:
                model.inputs = [Sym(declared, library.dtype_of(item.kwargs.get("dtype"), "float32"), item.origin, is_input=True,
                                    name=item.name if item.kind == "InputLayer" else None)]
                for key in ("input_shape", "batch_input_shape", "input_dim"):
                    if key in item.kwargs and item.set_at(key) is not None:
                        model.inputs[0].shape_set_at = item.set_at(key)
                raw = item.kwargs.get("input_shape")
                if isinstance(raw, Seq) and raw.shape_of is not None:
                    model.inputs[0].shape_from = raw.shape_of
                    if not self.guarded:
                        self.facts.inputs_from_shape.append(InputFromShape(item.origin.node, raw.shape_of, declared))
        if item.kind != "InputLayer":
            model.layers.append(item)

    def functional(self, args: Args, node: cst.Call) -> Model:
        model = self.new_model(Model("functional", Origin(node)))
        ins, outs = args.get("inputs", 0), args.get("outputs", 1)
        inputs = _syms(ins)
        outputs = _syms(outs)
        if inputs is None or outputs is None:
            model.exact = False
            if inputs is not None and outs is None:
                # outputs not followed: the inputs are still the model's (see models.py)
                model.inputs, model.input_dict = inputs, isinstance(ins, Dict_)
            else:
                own_layers.inputs_only(model, ins, inputs)
            return model
        model.inputs, model.outputs = inputs, outputs
        model.input_dict = isinstance(ins, Dict_)
        model.output_dict = isinstance(outs, Dict_)
        if isinstance(outs, Dict_):
            model.output_names = list(outs.items)
        else:
            model.output_names = [o.layer.name if o.layer else None for o in outputs]
        return model

    def model_method(self, model: Model, method: str, args: Args, node: cst.Call) -> Any:
        if method == "add":
            self.add_layer(model, args.get("layer", 0))
            return None
        if method == "pop":
            if model.layers:
                model.layers.pop()
            return None
        if method == "build":
            models.build(self, model, args.get("input_shape", 0), node)
            return None
        if method == "compile":
            model.compiled = True
            model.compile_origin = Origin(node)
            model.compile_args = args
            if args.star and not args.has("loss", 1):
                model.loss, model.loss_origin = None, None
            else:
                model.loss = args.get("loss", 1)
                loss_node = args.node_of("loss", 1)
                model.loss_origin = Origin(loss_node) if loss_node is not None else None
            return None
        if method in _DATA_METHODS:
            if not args.star or args.has("x", 0):
                self.data_call(model, method, args, node)
            return None
        return None

    def data_call(self, model: Model, method: str, args: Args, node: cst.Call) -> None:
        if self.guarded:
            return
        xi, yi, bi = _POSITIONS[method]
        x, x_node = args.get("x", xi), args.node_of("x", xi)
        x = sources.sequence_data(self, x, x_node or node)
        y = args.get("y", yi) if yi is not None else None
        y_node = args.node_of("y", yi) if yi is not None else None
        batch = py(args.get("batch_size", bi)) if bi is not None else None
        batch = batch if isinstance(batch, int) and not isinstance(batch, bool) else None
        self.record_call(model, method, node, x, x_node, y, y_node, batch, validation=False)
        receivers.callbacks(self, model, method, args, node)
        if method == "fit":
            val = args.get("validation_data", 7)
            val_node = args.node_of("validation_data", 7)
            if isinstance(val, Seq) and len(val.items) in (2, 3):
                nodes = list(val_node.elements) if isinstance(val_node, (cst.Tuple, cst.List)) else []
                vx_node = nodes[0].value if nodes else val_node
                vy_node = nodes[1].value if nodes else val_node
                self.record_call(model, method, node, val.items[0], vx_node, val.items[1], vy_node, batch, validation=True)
            elif isinstance(val, Dataset):
                self.record_call(model, method, node, val, val_node, None, None, batch, validation=True)

    def record_call(self, model: Model, method: str, node: cst.Call, x: Any, x_node, y: Any, y_node,
                    batch: Optional[int], validation: bool) -> None:
        dataset = x if isinstance(x, Dataset) else None
        if dataset is not None:
            element = dataset.element
            if isinstance(element, Seq) and len(element.items) >= 2:
                # predict takes the x of (x, y) elements and never looks at y
                x, y = element.items[0], element.items[1] if _POSITIONS.get(method, (0, 1))[1] is not None else None
            else:
                x, y = element, None
            y_node = x_node
            if dataset.batched:
                x, y = library.add_batch_axis(x), library.add_batch_axis(y)
        call = DataCall(method, node, model, model.compiled, [], [], x, x_node, y, y_node,
                        dataset=dataset, batch_size=batch, validation=validation)
        call.loss, call.compile_args, call.layers = model.loss, model.compile_args, list(model.layers)
        call.inputs = self.bindings(model, x, x_node, "validation x" if validation else "x")
        if model.kind == "sequential" and not model.inputs and len(call.inputs) == 1 and not validation:
            models.first_data(self, model, call.inputs[0].value, node, dataset)  # builds it for later calls
        models.built_by_call(model, call)
        batches.attach(model, call)
        call.targets = self.targets(model, call.inputs, y, y_node, "validation y" if validation else "y")
        self.facts.calls.append(call)

    def bindings(self, model: Model, x: Any, x_node, label: str) -> List[Binding]:
        inputs = model.inputs
        if not inputs:
            return [Binding(None, x, x_node, label)]
        if isinstance(x, Dict_):
            return [Binding(i, x.items[i.name], x_node, f"{label}[{i.name!r}]")
                    for i in inputs if i.name is not None and i.name in x.items]
        if isinstance(x, Seq):
            if len(inputs) > 1 or len(x.items) == 1:
                nodes = list(x_node.elements) if type(x_node) in (cst.Tuple, cst.List) else []
                return [Binding(i, v, nodes[k].value if k < len(nodes) else x_node, f"{label}[{k}]")
                        for k, (i, v) in enumerate(zip(inputs, x.items))]
            return []
        if len(inputs) == 1:
            return [Binding(inputs[0], x, x_node, label)]
        return []

    def targets(self, model: Model, bindings: List[Binding], y: Any, y_node, label: str) -> List[Target]:
        losses = model.loss
        if model.kind == "sequential":
            shape = self.sequential_output(model, bindings)
            last = model.layers[-1] if model.layers else None
            return [Target(shape, last, library.loss_family(losses), model.loss_origin, _single(y), y_node, label)]
        if not model.outputs:
            return []
        names = model.output_names or [None] * len(model.outputs)
        out = []
        for k, sym in enumerate(model.outputs):
            name = names[k]
            if isinstance(losses, Dict_):
                loss = losses.items.get(name) if name else None
            elif isinstance(losses, Seq):
                loss = losses.items[k] if k < len(losses.items) else None
            else:
                loss = losses
            if len(model.outputs) == 1:
                yk = _single(y)
            elif isinstance(y, Dict_):
                yk = y.items.get(name) if name else None
            elif isinstance(y, Seq) and len(y.items) == len(model.outputs):
                yk = y.items[k]
            else:
                yk = None
            out.append(Target(sym.shape, sym.layer, library.loss_family(loss), model.loss_origin, yk, y_node,
                              label if len(model.outputs) == 1 else f"{label}[{name or k}]"))
        return out

    def sequential_output(self, model: Model, bindings: List[Binding]):
        """The output shape for the data actually passed (layers without
        weights, like Activation or global pooling, pass other sizes on), or
        for the declared input when the data's shape is not known."""
        if not model.exact:
            return None
        declared = model.inputs[0].shape if model.inputs else None
        data = bindings[0].value if len(bindings) == 1 else None
        shape = declared
        if isinstance(data, Array) and data.shape:
            actual = (None,) + tuple(data.shape[1:])
            if declared is None or len(actual) == len(declared):
                shape = actual
            elif len(actual) == len(declared) - 1 and declared[-1] == 1:
                shape = actual + (1,)
            elif len(actual) == len(declared) + 1 and actual[-1] == 1:
                shape = actual[:-1]
        if shape is None:
            return None
        for layer in model.layers:
            shape = L.output_shape(layer, shape)
            if shape is None:
                return None
        return shape


def _join(values: List[Any], ip: Optional["Interpreter"] = None) -> Any:
    """What a name holds after branches that left it different: arrays of
    one shape and dtype keep them (and the value range they share); models
    of one contract keep the first (see receivers.join_models); lists grown
    in a loop (``ip`` runs it) keep what their items share."""
    if values and all(isinstance(v, Model) for v in values):
        return receivers.join_models(values)
    if values and all(isinstance(v, Sym) for v in values):
        return own_layers.join_syms(values)
    if any(isinstance(v, array_ops.ListOf) for v in values):
        return array_ops.join(values, ip)
    if not values or not all(isinstance(v, Array) for v in values):
        return None
    first = values[0]
    if any(v.shape != first.shape or v.dtype != first.dtype or v.tensor != first.tensor or v.ragged != first.ragged
           for v in values):
        return None
    same = all((v.lo, v.hi, v.open_hi) == (first.lo, first.hi, first.open_hi) for v in values)
    return first.but(lo=first.lo if same else None, hi=first.hi if same else None,
                     open_hi=first.open_hi if same else False, onehot=all(v.onehot for v in values))


def _single(y: Any) -> Any:
    if isinstance(y, Seq) and len(y.items) == 1 and not isinstance(y.items[0], Const):
        return y.items[0]
    return y


def _syms(value: Any) -> Optional[List[Sym]]:
    if isinstance(value, Sym):
        return [value]
    if isinstance(value, Seq) and value.items and all(isinstance(v, Sym) for v in value.items):
        return list(value.items)
    if isinstance(value, Dict_) and value.items and all(isinstance(v, Sym) for v in value.items.values()):
        syms = []
        for key, sym in value.items.items():
            if sym.name is None:
                sym.name = key
            syms.append(sym)
        return syms
    return None


# Compound statements whose blocks run as part of the block holding them.
_RUN_INSIDE = walk.COMPOUND - {cst.FunctionDef, cst.ClassDef}


def _small_statements(body: cst.CSTNode):
    """Every simple statement of a block, nested blocks included, but not
    those of nested functions or classes. Expressions are not walked."""
    todo: List[cst.CSTNode] = [body]
    while todo:
        current = todo.pop()
        if type(current) is cst.SimpleStatementLine:
            yield from current.body
        elif type(current) in walk.SUITES:
            inner = current.body  # type: ignore[attr-defined]
            todo.extend(inner if isinstance(inner, (list, tuple)) else [inner])
        elif type(current) in _RUN_INSIDE:
            for part in ("body", "orelse", "finalbody"):
                child = getattr(current, part, None)
                if child is not None:
                    todo.append(child)
            todo.extend(getattr(current, "handlers", ()))
            todo.extend(getattr(current, "cases", ()))
        elif type(current) in (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase):
            todo.append(current.body)
        elif type(current) in walk.SMALL:
            yield current  # type: ignore[misc]


def _yields(small: cst.BaseSmallStatement) -> bool:
    value = getattr(small, "value", None)
    if type(value) is cst.Await:
        value = value.expression
    return type(value) is cst.Yield


def _is_generator(node: cst.FunctionDef, cache: Dict[cst.CSTNode, bool]) -> bool:
    """Whether the function yields (a yield statement, or the value of one)."""
    if node not in cache:
        cache[node] = any(_yields(small) for small in _small_statements(node.body))
    return cache[node]


_LEAVE = frozenset({cst.Break, cst.Continue, cst.Return, cst.Raise})


def _leaves_early(body: cst.CSTNode, cache: Dict[cst.CSTNode, bool]) -> bool:
    """Whether a loop body has a break, continue, return or raise of its own."""
    if body not in cache:
        cache[body] = any(type(small) in _LEAVE for small in _small_statements(body))
    return cache[body]


def _dotted(node: cst.CSTNode) -> Optional[str]:
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if type(test) is not cst.Comparison or len(test.comparisons) != 1:
        return False
    left, right = test.left, test.comparisons[0].comparator
    if type(test.comparisons[0].operator) is not cst.Equal:
        return False
    names = {n.value for n in (left, right) if type(n) is cst.Name}
    strings = {getattr(n, "evaluated_value", None) for n in (left, right) if type(n) is cst.SimpleString}
    return names == {"__name__"} and strings == {"__main__"}


def analyze(module: cst.Module, path: Optional[str] = None) -> Facts:
    """The facts of ``module``; with ``path``, imports of the project's own
    modules are followed (see project.py)."""
    return Interpreter(module, path).run()
