"""Classes and instances of the analysed file.

A ``class`` statement becomes a :class:`UserClass`; calling it makes an
:class:`Instance` and runs ``__init__`` with ``self`` bound to it, inlined
like the file's functions. Attributes set on ``self`` are read back in other
methods; ``obj.method(...)`` is inlined with its real arguments. A class
derived from ``keras.Model`` makes a :class:`ModelInstance`: a model whose
layers are the ones ``__init__`` stores and whose graph comes from running
``call`` on a symbolic input (from ``build(shape)``, an ``Input`` it is
called on, or the data first given to ``fit``/``evaluate``/``predict``).
Keras re-traces ``call`` for whatever data it gets, but the first data (or
symbolic tensor) it is called on fixes the weights of the layers it reaches:
later data is compared with it on those axes (see models.py). A subclassed
``keras.layers.Layer`` is traced the same way.

Configuration objects (``dataclass``, ``namedtuple``, ``SimpleNamespace``,
``argparse`` defaults) are instances whose attributes are known where the
source says so; ``functools.partial`` binds arguments ahead of a call.
Anything not followed is unknown (``None``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional

import libcst as cst

from . import attrs_classes, batches, branch_attrs, library, models, walk
from .names import canonical
from .values import MISSING, Array, Const, Dataset, Dict_, Layer, Model, ModuleRef, Origin, Seq, Sym, as_shape, py
from .walk import children

NOT_HANDLED = object()

_MODEL_BASES = {"keras.Model", "keras.models.Model", "tensorflow_recommenders.Model",
                "tensorflow_recommenders.models.Model"}
_LAYER_BASES = {"keras.layers.Layer", "keras.Layer"}
# Bases whose training step is their own: labels are not compared with outputs.
_CUSTOM_STEP_BASES = {"tensorflow_recommenders.Model", "tensorflow_recommenders.models.Model"}
# Bases that leave class attributes as written.
_PLAIN_BASES = _MODEL_BASES | _LAYER_BASES | {"builtins.object", "typing.NamedTuple", "keras.callbacks.Callback"}
_DATA_METHODS = {"fit": "train_step", "train_on_batch": "train_step", "evaluate": "test_step",
                 "test_on_batch": "test_step", "predict": "predict_step", "predict_on_batch": "predict_step"}


class UserClass:
    """A class defined in the analysed file."""

    def __init__(self, node: cst.ClassDef, env, bases: List[Any], attrs: Dict[str, Any], name: str) -> None:
        self.node = node
        self.env = env
        self.bases = bases
        self.attrs = attrs  # class-level names (methods are in ``methods``)
        self.name = name
        self.home: Optional[str] = None  # the file of another project module it is defined in
        self.methods: Dict[str, cst.FunctionDef] = {}
        self.dataclass = False
        self.fields: List[tuple] = []  # dataclass fields: (name, default expression or None)
        self.assigned: Dict[cst.FunctionDef, FrozenSet[str]] = {}
        body = node.body.body if type(node.body) is cst.IndentedBlock else []
        for stmt in body:
            if type(stmt) is cst.FunctionDef:
                self.methods[stmt.name.value] = stmt
                self.assigned[stmt] = _self_stores(stmt)

    def mro(self) -> List["UserClass"]:
        """The class and its bases of the project, in lookup order (not to
        be changed: it is remembered for as long as ``bases`` is the same
        list; a copy made for another analysis gets a new one)."""
        cached = self.__dict__.get("_mro")
        if cached is not None and cached[0] is self.bases:
            return cached[1]
        out: List[UserClass] = []
        todo = [self]
        while todo:
            cls = todo.pop(0)
            if cls in out:
                continue
            out.append(cls)
            todo.extend(b for b in cls.bases if isinstance(b, UserClass))
        self.__dict__["_mro"] = (self.bases, out)
        return out

    def library_bases(self) -> set:
        cached = self.__dict__.get("_library_bases")
        if cached is not None and cached[0] is self.bases:
            return cached[1]
        out = {canonical(b.path) for c in self.mro() for b in c.bases if isinstance(b, ModuleRef)}
        self.__dict__["_library_bases"] = (self.bases, out)
        return out

    def unknown_base(self) -> bool:
        return any(b is None or not isinstance(b, (UserClass, ModuleRef)) for c in self.mro() for b in c.bases)

    def lookup(self, name: str, after: Optional["UserClass"] = None) -> Any:
        """(owner, method node or class attribute) along the MRO, or None."""
        chain = self.mro()
        if after is not None and after in chain:
            chain = chain[chain.index(after) + 1:]
        for cls in chain:
            if name in cls.methods:
                return cls, cls.methods[name]
            if name in cls.attrs:
                return cls, cls.attrs[name]
        return None

    @property
    def is_model(self) -> bool:
        return bool(self.library_bases() & _MODEL_BASES)

    @property
    def is_layer(self) -> bool:
        return bool(self.library_bases() & _LAYER_BASES) and not self.is_model


class Instance:
    """An object of a class of the file (or a namespace-like config)."""

    def __init__(self, cls: Optional[UserClass], depth: int) -> None:
        self.cls = cls
        self.attrs: Dict[str, Any] = {}
        self.depth = depth  # branches deep when it was made
        self.traces: Dict[Any, Any] = {}
        self.origin: Optional[Origin] = None  # the call that made it


@dataclass(eq=False)
class ModelInstance(Model):
    """A model of a subclass of ``keras.Model`` defined in the file."""

    cls: Any = None
    attrs: Dict[str, Any] = field(default_factory=dict)
    depth: int = 0
    traces: Dict[Any, Any] = field(default_factory=dict)
    declared: Any = None  # the output traced from build(shape) or a call on an Input


class BoundMethod:
    def __init__(self, func: Any, first: Any) -> None:
        self.func = func  # interpreter.UserFunction
        self.first = first  # the instance (or class, for a classmethod)


class Super:
    def __init__(self, cls: UserClass, obj: Any) -> None:
        self.cls = cls
        self.obj = obj


class LibraryMethod:
    """A method a library base class provides (``super().__init__``)."""

    def __init__(self, obj: Any, name: str) -> None:
        self.obj = obj
        self.name = name


class Partial:
    def __init__(self, func: Any, args) -> None:
        self.func = func
        self.args = args


class NamedTupleClass:
    def __init__(self, fields: List[str]) -> None:
        self.fields = fields


# Elementwise functions of one symbolic tensor: the output has its shape.
SHAPE_KEEPING = {
    f"{module}.{fn}"
    for module in ("tensorflow", "tensorflow.nn", "tensorflow.math", "keras.activations", "keras.ops")
    for fn in ("sigmoid", "relu", "tanh", "softmax", "elu", "selu", "gelu", "swish", "silu", "leaky_relu", "relu6")
}

OBJECTS = (UserClass, Instance, ModelInstance, Super)


_WITH_BLOCKS = walk.COMPOUND | {cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler}


def _decorators(node: cst.FunctionDef) -> set:
    out = set()
    for d in node.decorators:
        expr = d.decorator
        if type(expr) is cst.Call:
            expr = expr.func
        if type(expr) is cst.Attribute:
            out.add(expr.attr.value)
        elif type(expr) is cst.Name:
            out.add(expr.value)
    return out


@lru_cache(maxsize=4096)  # a class may be defined again each time its module or function runs
def _self_stores(fn: cst.FunctionDef) -> FrozenSet[str]:
    """Names of the attributes a method assigns on its first parameter."""
    params = fn.params.posonly_params or fn.params.params
    if not params:
        return frozenset()
    first = params[0].name.value
    out = set()
    for small in _small_statements(fn.body):
        targets: List[cst.CSTNode] = []
        if type(small) is cst.Assign:
            targets = [t.target for t in small.targets]
        elif type(small) in (cst.AugAssign, cst.AnnAssign):
            targets = [small.target]
        while targets:  # targets are small: a plain walk of their nodes
            node = targets.pop()
            if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == first:
                out.add(node.attr.value)
            targets.extend(children(node))
    return frozenset(out)


def _small_statements(block: cst.CSTNode):
    """The simple statements of a block, nested blocks (and functions) included,
    found without visiting expressions."""
    stack: List[Any] = [block]
    while stack:
        node = stack.pop()
        if type(node) is cst.SimpleStatementLine:
            yield from node.body
        elif type(node) in (cst.IndentedBlock, cst.SimpleStatementSuite):
            stack.extend(reversed(node.body))
        elif type(node) in _WITH_BLOCKS:
            for name in ("finalbody", "orelse"):
                part = getattr(node, name, None)
                if part is not None:
                    stack.append(part)
            stack.extend(reversed(getattr(node, "handlers", ())))
            if type(node) is cst.Match:
                stack.extend(case.body for case in node.cases)
            else:
                stack.append(node.body)


# ------------------------------------------------------------- definitions
def define_class(ip, node: cst.ClassDef, env) -> UserClass:
    from .interpreter import Env
    bases = [ip.ev(arg.value, env) for arg in node.bases if arg.keyword is None]
    scope = Env(env)
    body = node.body.body if type(node.body) is cst.IndentedBlock else []
    fields: List[tuple] = []
    for stmt in body:
        if type(stmt) is cst.SimpleStatementLine:
            for small in stmt.body:
                if type(small) is cst.AnnAssign and type(small.target) is cst.Name:
                    fields.append((small.target.value, small.value))
            ip.stmt(stmt, scope)
    attrs = {k: v for k, v in scope.vars.items() if scope.counts.get(k, 0) == 1}
    plain = all(isinstance(b, UserClass) or (isinstance(b, ModuleRef) and canonical(b.path) in _PLAIN_BASES)
                for b in bases)
    if not plain or any(arg.keyword is not None for arg in node.bases):
        # A library base or a metaclass may turn class attributes into
        # something else (an Enum member, a pydantic field): unknown.
        attrs = {}
    cls = UserClass(node, env, bases, attrs, node.name.value)
    cls.home = ip.homes[-1] if ip.homes else None
    names = {_decorator_name(d.decorator) for d in node.decorators}
    named_tuple = any(isinstance(b, ModuleRef) and canonical(b.path) == "typing.NamedTuple" for b in bases)
    attrs_fields = attrs_classes.fields(ip, node, env) if node.decorators else None
    if "dataclass" in names or named_tuple:
        cls.dataclass = True
        cls.fields = fields
    elif attrs_fields is not None:  # @attr.s: an __init__ of its fields, as a dataclass
        cls.dataclass = True
        cls.fields = attrs_fields
    elif node.decorators and names - _TRANSPARENT_DECORATORS:
        # Another decorator may replace the class: unknown.
        return None
    return cls


# Class decorators that return the class itself.
_TRANSPARENT_DECORATORS = {"register_keras_serializable"}


def _decorator_name(expr: cst.BaseExpression) -> str:
    if type(expr) is cst.Call:
        expr = expr.func
    if type(expr) is cst.Attribute:
        return expr.attr.value
    return expr.value if type(expr) is cst.Name else ""


def _function(ip, cls: UserClass, fn: cst.FunctionDef):
    return interpreter.UserFunction(fn, cls.env, home=cls.home)


# -------------------------------------------------------------- attributes
def attribute(ip, base: Any, attr: str, node: cst.CSTNode) -> Any:
    if isinstance(base, (Instance, ModelInstance)):
        if attr in base.attrs:
            return None if _set_elsewhere(base, attr) else base.attrs[attr]
        cls = base.cls
        found = cls.lookup(attr) if cls is not None else None
        if found is None:
            return None
        return _member(ip, cls, found, base, node)
    if isinstance(base, UserClass):
        found = base.lookup(attr)
        if found is None:
            return None
        return _member(ip, base, found, None, node)
    if isinstance(base, Super):
        found = base.cls.lookup(attr, after=base.cls)
        if found is None:
            lib = base.cls.library_bases() or not base.cls.unknown_base()
            return LibraryMethod(base.obj, attr) if lib else None
        return _member(ip, base.cls, found, base.obj, node)
    return None


_FRAMEWORK_RUN = {"__init__", "build", "call", "compute_output_shape", "get_config"}


def _set_elsewhere(obj: Any, attr: str) -> bool:
    """Whether a method the library may call on its own (a callback hook, a
    training step) assigns ``attr`` and has not been followed on ``obj``:
    for an object of a class with a library base, the value may have been
    replaced there."""
    cls = obj.cls
    if getattr(obj, "testcase", False):
        return False  # a test's own instance: only its setUp ran before it (testcases.py)
    if cls is None or not (cls.library_bases() - {"builtins.object", "abc.ABC"} or cls.unknown_base()):
        return False  # ``class T(object)`` is a plain class: no library calls its methods
    ran = getattr(obj, "ran", ())
    return any(attr in names and fn not in ran and fn.name.value not in _FRAMEWORK_RUN
               for c in cls.mro() for fn, names in c.assigned.items())


def _member(ip, cls: UserClass, found, obj: Any, node: cst.CSTNode) -> Any:
    owner, value = found
    if type(value) is not cst.FunctionDef:
        return value
    decorators = _decorators(value)
    func = _function(ip, owner, value)
    if "staticmethod" in decorators:
        return func
    if "classmethod" in decorators:
        return BoundMethod(func, cls)
    if decorators - {"function", "abstractmethod", "wraps"} - {"property"}:
        return None
    if "property" in decorators:
        if obj is None:
            return None
        return _run(ip, func, [obj], node, None)
    if obj is None:
        return func  # Cls.method: a plain function
    return BoundMethod(func, obj)


def store(ip, target: cst.Attribute, value: Any, env) -> bool:
    """``obj.attr = value`` on an instance; False when ``obj`` is not one."""
    base = ip.ev(target.value, env)
    if isinstance(base, UserClass):
        base.attrs[target.attr.value] = None  # a class attribute changed: any instance may see either
        return True
    if not isinstance(base, (Instance, ModelInstance)):
        return False
    attr = target.attr.value
    found = base.cls.lookup(attr) if base.cls is not None else None
    if found is not None and type(found[1]) is cst.FunctionDef:
        base.attrs[attr] = None  # a property setter (or a method replaced): unknown
        return True
    if ip.loops:
        # Set in a loop: it may or may not hold the new value.
        old = base.attrs.get(attr, MISSING)
        base.attrs[attr] = value if old is value else None
    elif ip.depth > base.depth:
        branch_attrs.note(ip, base, attr)  # the branch sees it; joined after it (branch_attrs.py)
        base.attrs[attr] = value
    else:
        base.attrs[attr] = value
    return True


def havoc(values: List[Any]) -> None:
    """Objects handed to code that is not followed may have any attribute
    changed there."""
    for value in values:
        if isinstance(value, Instance):
            for name in value.attrs:
                value.attrs[name] = None


# ------------------------------------------------------------------- calls
def call(ip, func: Any, receiver: Any, args, node: cst.Call, env) -> Any:
    if func is not None and not isinstance(func, _CALLED) and not isinstance(receiver, _RECEIVERS):
        return NOT_HANDLED  # none of the cases below: most calls (one isinstance instead of ten)
    if isinstance(func, ModuleRef):
        return _library(ip, canonical(func.path), args, node)
    if isinstance(func, UserClass):
        return instantiate(ip, func, args, node)
    if isinstance(func, BoundMethod):
        result = _run(ip, func.func, [func.first], node, args, env)
        first = func.first
        if func.func.node.name.value == "build" and isinstance(first, (Instance, ModelInstance)) and \
                first.cls is not None and first.cls.is_layer and not ip.depth > first.depth:
            setattr(first, "built", True)  # Keras marks a layer built by its build(): its first call does not build it again
        return result
    if isinstance(receiver, OBJECTS) and type(func).__name__ == "UserFunction":
        return _run(ip, func, [], node, args, env)  # a staticmethod, or Cls.method(obj, ...)
    if func is None and type(node.func) is cst.Name and node.func.value == "super" and len(args.pos) == 2:
        cls, obj = args.pos
        return Super(cls, obj) if isinstance(cls, UserClass) and isinstance(obj, (Instance, ModelInstance)) else None
    if func is None and type(node.func) is cst.Name and node.func.value == "super" and not args.pos:
        stack = ip.__dict__.get("methods") or []
        if stack and stack[-1][0] is not None and ip.stack and ip.stack[-1] is stack[-1][2]:
            return Super(stack[-1][0], stack[-1][1])
        return None
    if isinstance(func, LibraryMethod):
        if isinstance(func.obj, ModelInstance):
            if func.name == "build":
                _build(ip, func.obj, args.get("input_shape", 0), node)
                return None
            if func.name == "__init__" and args.has("inputs", 0) and args.has("outputs", 1):
                _functional_init(ip, func.obj, args, node)
                return None
            if func.name in _DATA_METHODS:
                prepare_data_call(ip, func.obj, func.name, args, node)
            return ip.model_method(func.obj, func.name, args, node)
        return None
    if isinstance(func, Partial):
        return _call_partial(ip, func, args, node, env)
    if isinstance(func, NamedTupleClass):
        obj = Instance(None, ip.depth)
        for i, name in enumerate(func.fields):
            obj.attrs[name] = args.get(name, i)
        return obj
    if isinstance(func, (Instance, ModelInstance)):
        return _call_instance(ip, func, args, node)
    if isinstance(receiver, ModelInstance) and type(node.func) is cst.Attribute:
        method = node.func.attr.value
        if method == "build":
            _build(ip, receiver, args.get("input_shape", 0), node)
            return None
        if method in _DATA_METHODS:
            prepare_data_call(ip, receiver, method, args, node)
    return NOT_HANDLED


# What call() handles: these called, or a method of these (OBJECTS, and a
# model's build and data methods).
_CALLED = (UserClass, BoundMethod, LibraryMethod, Partial, NamedTupleClass, Instance, ModelInstance, ModuleRef)
_RECEIVERS = OBJECTS + (ModelInstance,)


def instantiate(ip, cls: UserClass, args, node: cst.Call) -> Any:
    if cls.is_model:
        obj: Any = ip.new_model(ModelInstance("subclassed", Origin(node), cls=cls, depth=ip.depth))
    else:
        obj = Instance(cls, ip.depth)
        obj.origin = Origin(node)
    if cls.dataclass:
        for i, (name, default) in enumerate(cls.fields):
            if args.has(name, i):
                obj.attrs[name] = args.get(name, i)
            elif default is not None:
                obj.attrs[name] = _field_default(ip, default, cls)
            else:
                obj.attrs[name] = None
        post = cls.lookup("__post_init__")
        if post is not None and type(post[1]) is cst.FunctionDef:
            _run(ip, _function(ip, post[0], post[1]), [obj], node, None)
        return obj
    init = cls.lookup("__init__")
    if init is not None and type(init[1]) is cst.FunctionDef:
        _run(ip, _function(ip, init[0], init[1]), [obj], node, args)
        if cls.is_layer and not args.star and forwards_kwargs(init[1]):
            obj.__dict__["base_kwargs"] = dict(args.kw)  # what keras.layers.Layer.__init__ may get
    if isinstance(obj, ModelInstance) and obj.kind == "subclassed":
        obj.layers = [v for v in obj.attrs.values() if isinstance(v, Layer)]
        obj.exact = True
    return obj


def _field_default(ip, default: cst.BaseExpression, cls: UserClass) -> Any:
    if type(default) is cst.Call and _decorator_name(default.func) == "field":
        for arg in default.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return ip.ev(arg.value, cls.env)
        return None
    return ip.ev(default, cls.env)


def _run(ip, func, first: List[Any], node: cst.Call, args, env=None) -> Any:
    """Inline ``func`` with ``first`` before the call's own arguments."""
    bound = interpreter.Args(node)
    bound.pos = list(first) + (list(args.pos) if args is not None else [])
    bound.pos_nodes = [node] * len(first) + (list(args.pos_nodes) if args is not None else [])
    if args is not None:
        bound.kw, bound.kw_nodes, bound.star = dict(args.kw), dict(args.kw_nodes), args.star
    obj = first[0] if first else None
    owner = None
    if isinstance(obj, (Instance, ModelInstance)) and obj.cls is not None:
        owner = next((c for c in obj.cls.mro() if func.node in c.assigned), None)
    elif isinstance(obj, UserClass):
        owner = next((c for c in obj.mro() if func.node in c.assigned), None)
    stack = ip.__dict__.setdefault("methods", [])
    stack.append((owner, obj, func.node))
    if isinstance(obj, (Instance, ModelInstance)):
        ran = getattr(obj, "ran", None)
        if ran is None:
            ran = set()
            setattr(obj, "ran", ran)
        ran.add(func.node)
    ip.callers.append(env if env is not None else ip.globals)
    try:
        result = ip.inline(func, bound)
    finally:
        ip.callers.pop()
        stack.pop()
    if result is interpreter._FAILED:
        for model in ip.models:
            model.compiled = None
        if isinstance(obj, (Instance, ModelInstance)):
            for name in (owner.assigned[func.node] if owner else ()):
                obj.attrs[name] = None
        # Not followed: it may have changed any list, dict or object it was
        # given in place (``self.layers.append(...)``).
        from . import mutation
        havoc(list(first) + (bound.pos[len(first):] + list(bound.kw.values())))
        mutation.havoc(ip, list(first) + (bound.pos[len(first):] + list(bound.kw.values())),
                       env if env is not None else ip.globals)
        return None
    return result


def _call_partial(ip, part: Partial, args, node: cst.Call, env) -> Any:
    from .interpreter import Args, UserFunction
    merged = Args(node)
    merged.pos = list(part.args.pos) + list(args.pos)
    merged.pos_nodes = list(part.args.pos_nodes) + list(args.pos_nodes)
    merged.kw = {**part.args.kw, **args.kw}
    merged.kw_nodes = {**part.args.kw_nodes, **args.kw_nodes}
    merged.star = part.args.star or args.star
    func = part.func
    if isinstance(func, UserFunction):
        result = ip.inline(func, merged)
        from .interpreter import _FAILED
        return None if result is _FAILED else result
    if isinstance(func, BoundMethod):
        return _run(ip, func.func, [func.first], node, merged)
    if isinstance(func, UserClass):
        return instantiate(ip, func, merged, node)
    if isinstance(func, ModuleRef):
        from . import library
        return library.call_function(ip, canonical(func.path), merged, node)
    return None


def _library(ip, name: str, args, node: cst.Call) -> Any:
    if name in ("types.SimpleNamespace", "argparse.Namespace"):
        if args.star:
            return None
        obj = Instance(None, ip.depth)
        obj.attrs.update(args.kw)
        return obj
    if name == "functools.partial":
        from .interpreter import Args
        if not args.pos or args.star:
            return None
        rest = Args(node)
        rest.pos, rest.pos_nodes = list(args.pos[1:]), list(args.pos_nodes[1:])
        rest.kw, rest.kw_nodes = dict(args.kw), dict(args.kw_nodes)
        return Partial(args.pos[0], rest)
    if name in ("collections.namedtuple", "typing.NamedTuple"):
        names = py(args.get("field_names", 1))
        if isinstance(names, str):
            names = names.replace(",", " ").split()
        if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
            return NamedTupleClass(list(names))
        return None
    # argparse parsers and absl flag definitions: see flags.py (their values
    # are defaults a user may override, so findings on them are warnings).
    if name in models.SYM_FUNCTIONS and any(isinstance(v, Sym) for v in args.values()):
        return models.sym_function(name, args, node)
    if name in SHAPE_KEEPING and len(args.pos) == 1 and not args.kw and isinstance(args.pos[0], Sym):
        x = args.pos[0]
        return Sym(x.shape, x.dtype, Origin(node), parents=[x])
    return NOT_HANDLED


# ------------------------------------------------------- subclassed models
def _call_instance(ip, obj: Any, args, node: cst.Call) -> Any:
    cls = obj.cls
    if cls is None:
        return None
    inputs = args.get("inputs", 0)
    if isinstance(obj, ModelInstance) and isinstance(inputs, Array) and inputs.shape and not inputs.ragged:
        sym = _symbolic_data(inputs, node)  # model(x) on data: built with its shape
        out = trace(ip, obj, sym, node) if sym is not None else None
        if out is not None:
            _declare(obj, sym, "call", node)
        return None
    if (cls.is_model or cls.is_layer) and isinstance(inputs, (Sym, Seq, Dict_)):
        if not _symbolic(inputs):
            return None
        out = trace(ip, obj, inputs, node)
        if isinstance(obj, ModelInstance) and obj.declared is None:
            obj.declared = out
        if isinstance(obj, ModelInstance) and out is not None:
            _declare(obj, inputs, "call", node)
        from .own_layers import unknown_output
        return out if out is not None else unknown_output(obj, inputs, node)
    if cls.is_model or cls.is_layer:
        return None
    found = cls.lookup("__call__")
    if found is not None and type(found[1]) is cst.FunctionDef:
        return _run(ip, _function(ip, found[0], found[1]), [obj], node, args)
    return None


def _shape_seq(shape) -> Seq:
    return Seq([Const(d) for d in shape], "tuple")


def trace(ip, obj: Any, inputs: Any, node: cst.Call) -> Any:
    """The output of ``call`` (or ``compute_output_shape``) for symbolic inputs."""
    key = _trace_key(inputs)
    if key in obj.traces:
        batches.replay(ip, obj, key, inputs)
        return obj.traces[key]
    obj.traces[key] = None  # a call of itself inside call: unknown
    reading = batches.enter_trace(ip, inputs)
    if isinstance(inputs, Sym):
        obj.__dict__.setdefault("trace_inputs", {})[key] = inputs
    cls = obj.cls
    out = None
    build = cls.lookup("build")
    if isinstance(inputs, Sym) and inputs.shape is not None and build is not None \
            and type(build[1]) is cst.FunctionDef and not getattr(obj, "built", False):
        obj.built = True
        _run(ip, _function(ip, build[0], build[1]), [obj, _shape_seq(inputs.shape)], node, None)
    found = cls.lookup("call")
    if found is not None and type(found[1]) is cst.FunctionDef:
        from .interpreter import Args
        args = Args(node)
        args.pos, args.pos_nodes = [inputs], [node]
        out = _run(ip, _function(ip, found[0], found[1]), [obj], node, args)
    if not _symbolic(out) and isinstance(inputs, Sym) and inputs.shape is not None:
        shape_fn = cls.lookup("compute_output_shape")
        if shape_fn is not None and type(shape_fn[1]) is cst.FunctionDef:
            shape = as_shape(_run(ip, _function(ip, shape_fn[0], shape_fn[1]),
                                  [obj, _shape_seq(inputs.shape)], node, None))
            out = Sym(shape, inputs.dtype, Origin(node), parents=[inputs]) if shape is not None else None
    if not _symbolic(out):
        out = None
    obj.traces[key] = out
    batches.leave_trace(obj, key, reading)
    return out


def sym_binop(op: cst.BaseBinaryOp, left: Any, right: Any, node: cst.CSTNode) -> Any:
    """``x + y``, ``x * 2``... on symbolic tensors (a residual connection,
    a scale in ``call``): the broadcast shape; anything else is unknown."""
    from .library import _broadcast
    if not type(op) in (cst.Add, cst.Subtract, cst.Multiply, cst.Divide):
        return None
    syms = [v for v in (left, right) if isinstance(v, Sym)]
    others = [v for v in (left, right) if not isinstance(v, Sym)]
    if any(not (isinstance(v, Const) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool))
           for v in others):
        return None
    shape = syms[0].shape if len(syms) == 1 else _broadcast(syms[0].shape, syms[1].shape)
    if shape is None:
        return None
    dtypes = {s.dtype for s in syms}
    dtype = dtypes.pop() if len(dtypes) == 1 and type(op) is not cst.Divide else None
    return Sym(shape, dtype, Origin(node), parents=syms)


def _symbolic_data(x: Any, node: cst.Call) -> Any:
    """Symbolic inputs shaped like the data (an array, or a tuple/list/dict
    of arrays), each with an unknown batch size; None if any part is unknown."""
    if isinstance(x, Array):
        if not x.shape:
            return None
        return Sym((None,) + tuple(x.shape[1:]), x.dtype, x.origin or Origin(node), is_input=True)
    if isinstance(x, Seq) and x.items:
        items = [_symbolic_data(v, node) for v in x.items]
        return Seq(items, x.kind) if all(isinstance(v, Sym) for v in items) else None
    if isinstance(x, Dict_) and x.items:
        items = {k: _symbolic_data(v, node) for k, v in x.items.items()}
        return Dict_(items) if all(isinstance(v, Sym) for v in items.values()) else None
    return None


def _trace_key(inputs: Any) -> Any:
    if isinstance(inputs, Sym):
        return inputs.shape, inputs.dtype
    if isinstance(inputs, Seq):
        return tuple(_trace_key(i) for i in inputs.items)
    if isinstance(inputs, Dict_):
        return tuple(sorted((k, _trace_key(v)) for k, v in inputs.items.items()))
    return None


def _symbolic(value: Any) -> bool:
    if isinstance(value, Sym):
        return True
    if isinstance(value, Seq):
        return bool(value.items) and all(isinstance(v, Sym) for v in value.items)
    if isinstance(value, Dict_):
        return bool(value.items) and all(isinstance(v, Sym) for v in value.items.values())
    return False


def _build(ip, obj: ModelInstance, shape_value: Any, node: cst.Call) -> None:
    shape = as_shape(shape_value)
    if shape is None or not shape:
        return
    sym = Sym(shape, "float32", Origin(node), is_input=True)
    out = trace(ip, obj, sym, node)
    if obj.declared is None:
        obj.declared = out


def _functional_init(ip, obj: ModelInstance, args, node: cst.Call) -> None:
    """``super().__init__(inputs=..., outputs=...)``: a functional model."""
    made = ip.functional(args, node)
    ip.models.remove(made)
    ip.facts.models.remove(made)
    obj.kind = "functional"
    obj.inputs, obj.outputs, obj.exact = made.inputs, made.outputs, made.exact
    obj.declared = list(made.outputs)
    obj.input_dict, obj.output_dict, obj.output_names = made.input_dict, made.output_dict, made.output_names


def step_owner(obj: ModelInstance, method: str) -> Optional[str]:
    """What replaces Keras' own step for ``method``: the overridden method's
    name (``train_step``, ``compute_loss``...), the library base, or None."""
    step = _DATA_METHODS[method]
    if obj.cls.lookup(step) is not None:
        return step
    if step == "predict_step":
        return None
    if obj.cls.lookup("compute_loss") is not None:
        return "compute_loss"
    bases = obj.cls.library_bases() & _CUSTOM_STEP_BASES
    return sorted(bases)[0] if bases else None


def custom_step(obj: ModelInstance, method: str) -> bool:
    """Whether the class handles its own training/test/predict step."""
    step = _DATA_METHODS[method]
    if obj.cls.lookup(step) is not None:
        return True
    if step == "predict_step":
        return False
    return bool(obj.cls.library_bases() & _CUSTOM_STEP_BASES) or obj.cls.lookup("compute_loss") is not None


def _declare(obj: ModelInstance, sym: Any, how: str, node: cst.CSTNode, later: bool = False) -> None:
    """The first data (or symbolic tensor) a subclassed model is called on
    fixes the weights of the layers ``call`` reaches (see models.py): later
    data is compared with it on those axes, never on its rank."""
    if obj.kind != "subclassed" or obj.inputs or obj.build_unknown or not isinstance(sym, Sym) \
            or sym.shape is None or len(sym.shape) < 2:
        return
    traced = obj.__dict__.setdefault("trace_inputs", {}).get(_trace_key(sym), sym)
    declared = Sym(sym.shape, sym.dtype, Origin(node), is_input=True, declared_by=how + "-subclassed")
    declared.consumers = traced.consumers  # the graph ``call`` built on this shape
    if later:  # a data call: the calls after it meet this input (models.built_by_call)
        obj.__dict__["pending_input"] = declared
    else:
        obj.inputs = [declared]


def prepare_data_call(ip, obj: ModelInstance, method: str, args, node: cst.Call) -> None:
    """Set the model's outputs for this call: ``call`` traced on the data's
    shape (or on the declared input). The first data fixes the weights of
    the layers ``call`` reaches: it becomes the model's input (see
    models.py)."""
    if obj.kind == "functional":
        # labels handled by the class's own step are not compared
        obj.outputs = [] if custom_step(obj, method) else list(obj.declared or [])
        return
    obj.outputs, obj.output_names, obj.output_dict = [], None, False
    if batches.run_step(ip, obj, method, args, node):
        return  # the step reads the batch by key; its labels are its own
    owner = step_owner(obj, method)
    if owner is not None:
        found = obj.cls.lookup(owner)
        # Keras' own step with another loss, or a step that unpacks the batch
        # as ``x, y = data`` and calls ``self(x)``: the input contract holds.
        if owner != "compute_loss" and not (found is not None and type(found[1]) is cst.FunctionDef
                                            and _unpacks_batch(found[1])):
            return
    x = args.get("x", 0)
    if isinstance(x, Dataset):
        element = x.element
        if isinstance(element, Seq) and len(element.items) >= 2:
            element = element.items[0]
        x = library.add_batch_axis(element) if x.batched else None
    sym = _symbolic_data(x, node)
    out = trace(ip, obj, sym, node) if sym is not None else obj.declared
    if out is not None:
        _declare(obj, sym, "data", node, later=True)
    if owner is not None:
        return  # its labels are not compared with the compile loss
    if isinstance(out, Sym):
        obj.outputs = [out]
    elif isinstance(out, Seq) and _symbolic(out):
        obj.outputs = list(out.items)
    elif isinstance(out, Dict_) and _symbolic(out):
        obj.outputs = list(out.items.values())
        obj.output_names = list(out.items)
        obj.output_dict = True


@lru_cache(maxsize=1024)
def _unpacks_batch(fn: cst.FunctionDef) -> bool:
    """``def train_step(self, data): x, y = data ... self(x, ...)``: the
    batch is unpacked as (x, y[, weights]) and ``x`` is what the model is
    called on."""
    params = fn.params.params
    if len(params) != 2 or type(fn.body) is not cst.IndentedBlock:
        return False
    batch = params[1].name.value
    first = None
    for small in _small_statements(fn.body):
        if type(small) is cst.Assign and len(small.targets) == 1 and type(small.value) is cst.Name \
                and small.value.value == batch and type(small.targets[0].target) is cst.Tuple:
            names = [e.value for e in small.targets[0].target.elements]
            if 2 <= len(names) <= 3 and all(type(n) is cst.Name for n in names):
                first = names[0].value  # type: ignore[attr-defined]
                break
    if first is None:
        return False
    for node in walk.nodes(fn.body):
        if type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "self" and \
                node.args and type(node.args[0].value) is cst.Name and node.args[0].value.value == first:
            return True
    return False


@lru_cache(maxsize=1024)
def forwards_kwargs(fn: cst.FunctionDef) -> bool:
    """``def __init__(self, ..., **kwargs): super().__init__(**kwargs)``:
    keyword arguments the method does not name reach the base class."""
    star = fn.params.star_kwarg
    if type(star) is not cst.Param:
        return False
    name = star.name.value
    for node in walk.nodes(fn.body):
        if type(node) is not cst.Call:
            continue
        func = node.func  # type: ignore[attr-defined]
        if type(func) is cst.Attribute and func.attr.value == "__init__" and \
                type(func.value) is cst.Call and type(func.value.func) is cst.Name and \
                func.value.func.value == "super" and \
                any(a.star == "**" and type(a.value) is cst.Name and a.value.value == name
                    for a in node.args):  # type: ignore[attr-defined]
            return True
    return False


# Imported last, as it imports this module (see _run and _function).
from . import interpreter  # noqa: E402
