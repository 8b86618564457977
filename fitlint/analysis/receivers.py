"""Following the model to the call: receivers the interpreter would lose.

- **Constant conditions.** ``if True:``, ``if 0:``, ``if DEBUG:`` where
  ``DEBUG`` is a module constant bound once to a literal: only the branch
  Python takes runs (no join, so nothing is lost). A value that is a
  command-line default (argparse, absl) is not constant: the user may
  override it.
- **Branches building models of one contract.** ``if big: model = a() else:
  model = b()`` where both models have the same architecture (the same
  layer kinds and literal arguments, inputs, outputs and loss): the name
  keeps the first one, since every rule would say the same of either.
- **Callbacks.** Keras calls ``set_model`` on each callback given to
  ``fit``/``evaluate``/``predict``: a callback object of a class of the
  project derived from ``keras.callbacks.Callback`` gets ``self.model`` =
  that model, and its ``on_*`` hooks are run there (their arguments unknown).
- **Methods nobody calls in the file.** A method of a plain class (a
  trainer, a pipeline, a mixin) that the analysis never reaches through an
  instance runs with ``self`` = an instance whose ``__init__`` ran on
  unknown arguments. Attributes another method assigns are unknown there
  (it may have run first), and so is the compile state of a model
  another method may compile.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, List, Optional

import libcst as cst

from . import builders
from .values import MISSING, Const, Dict_, Layer, Model, ModuleRef, Seq, Sym, py
from .walk import children

_CALLBACK_BASES = {"keras.callbacks.Callback", "keras.callbacks.ProgbarLogger", "keras.callbacks.History"}
_CALLBACK_ARG = {"fit": 5, "evaluate": 6, "predict": 3}  # positional index of callbacks=
MAX_FRESH = 12  # methods run with a fresh ``self`` per class


# ------------------------------------------------------------ constant tests
def constant_test(ip, test: cst.BaseExpression, env) -> Optional[bool]:
    """The truth of an ``if`` test that is a literal or a name bound once to a
    literal (not a command-line default), else None."""
    negate = False
    while type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        negate, test = not negate, test.expression
    if type(test) in (cst.Integer, cst.SimpleString) or (
            type(test) is cst.Name and test.value in ("True", "False", "None")):
        value = ip.ev(test, env)
    elif type(test) in (cst.Call, cst.Comparison):
        # Each decides only what it knows for certain, so the first answer holds:
        # isinstance/None tests of known values (typechecks.py), an index of an
        # unrolled loop against a length (builders.py), a comparison of known
        # constants or isinstance of a known Python type (own_layers.py).
        known = typechecks.decided(ip, test, env)
        if known is None and type(test) is cst.Comparison:
            known = builders.known_test(ip, test, env)
        if known is None:
            known = own_layers.known_test(ip, test, env, lambda name: name in ("True", "False", "None") or
                               not _bound_more_than_once(env, name) or
                               (env.get(name) is MISSING and name in library.BUILTINS | {"isinstance"}))
        return None if known is None else known != negate
    elif type(test) is cst.Name:
        value = env.get(test.value)
        if not isinstance(value, Const) or value.origin is None or not _literal(value.origin.node):
            return None
        if any(value is v for v in ip.facts.flag_defaults.values()) or any(
                value is v for v in ip.absl_flags.values()):
            return None
        if _bound_more_than_once(env, test.value):
            return None
    elif type(test) is cst.Attribute:
        value = own_layers.attribute_constant(ip, test, env)  # ``self.flag`` only __init__ sets (own_layers.py)
        if value is None or not _literal(value.origin.node) or any(
                value is v for v in ip.facts.flag_defaults.values()) or any(value is v for v in ip.absl_flags.values()):
            return None
    else:
        known = builders.known_test(ip, test, env)  # an index of an unrolled loop against a length
        return None if known is None else known != negate
    if not isinstance(value, Const) or not isinstance(value.value, (bool, int, str, type(None))):
        return None
    return bool(value.value) != negate


def _literal(node: Any) -> bool:
    return type(node) in (cst.Integer, cst.SimpleString) or (
        type(node) is cst.Name and node.value in ("True", "False", "None"))


def _bound_more_than_once(env, name: str) -> bool:
    while env is not None:
        if name in env.vars:
            return env.counts.get(name, 0) > 1
        env = env.parent
    return True


# ----------------------------------------------------------- joined branches
def join_models(values: List[Any]) -> Any:
    """The first model if every branch's model has the same contract, else None."""
    first = values[0]
    if all(v is first for v in values):
        return first
    if type(first) is not Model or any(type(v) is not Model for v in values):
        return None
    if _same_inputs_only(values):
        return first
    sig = _model_sig(first)
    if sig is None or any(_model_sig(v) != sig for v in values[1:]):
        return None
    return first


def _same_inputs_only(values: List[Any]) -> bool:
    """Functional models on the very same inputs whose outputs were not
    followed on any path (``build_model(inputs)`` returning
    ``Model(inputs, self.model(inputs))`` or ``Model(inputs, self(inputs))``):
    all that is known of each is that input, the same on every path, and
    none is compiled yet."""
    first = values[0]
    return all(v.kind == "functional" and not v.outputs and not v.exact and v.compiled is False and v.loss is None
               and len(v.inputs) == len(first.inputs) and all(a is b for a, b in zip(v.inputs, first.inputs))
               and v.input_dict == first.input_dict for v in values) and bool(first.inputs)


def _value_sig(value: Any, depth: int = 0) -> Any:
    if depth > 4:
        return "?"
    if isinstance(value, (Const, Seq)):
        return repr(py(value, "?"))
    if isinstance(value, ModuleRef):
        return value.path
    if isinstance(value, Dict_):
        return tuple(sorted((k, _value_sig(v, depth + 1)) for k, v in value.items.items()))
    if isinstance(value, Layer):
        return _layer_sig(value)
    return "?" if value is None else type(value).__name__


def _layer_sig(layer: Layer) -> Any:
    return (layer.kind, layer.complete, tuple(_value_sig(a) for a in layer.args),
            tuple(sorted((k, _value_sig(v)) for k, v in layer.kwargs.items() if k != "name")))


def _sym_sig(sym: Sym, depth: int = 0) -> Any:
    if depth > 200:
        return None
    parents = []
    for p in sym.parents:
        s = _sym_sig(p, depth + 1)
        if s is None:
            return None
        parents.append(s)
    return (sym.shape, sym.dtype, sym.name if sym.is_input else None,
            _layer_sig(sym.layer) if sym.layer is not None else None, tuple(parents))


def _model_sig(m: Model) -> Any:
    if not m.exact:
        return None
    common = (m.kind, m.compiled, _value_sig(m.loss), m.input_dict, m.output_dict,
              tuple(m.output_names) if m.output_names else None)
    if m.kind == "sequential":
        return common + (tuple((i.shape, i.dtype) for i in m.inputs), tuple(_layer_sig(layer) for layer in m.layers))
    if m.kind == "functional":
        outputs = []
        for o in m.outputs:
            s = _sym_sig(o)
            if s is None:
                return None
            outputs.append(s)
        return common + (tuple((i.shape, i.dtype, i.name) for i in m.inputs), tuple(outputs))
    return None


# ---------------------------------------------------------------- callbacks
def callbacks(ip, model: Model, method: str, args, node: cst.Call) -> None:
    """``fit(..., callbacks=[MyCallback(...)])``: each project callback gets
    ``self.model``; its hooks run with it."""
    from . import objects

    index = _CALLBACK_ARG.get(method)
    if index is None:
        return
    given = args.get("callbacks", index)
    items = given.items if isinstance(given, Seq) else [given] if given is not None else []
    for obj in items:
        if not isinstance(obj, objects.Instance) or obj.cls is None:
            continue
        if not (obj.cls.library_bases() & _CALLBACK_BASES):
            continue
        obj.attrs["model"] = model
        for cls in obj.cls.mro():
            for name, fn in cls.methods.items():
                if name.startswith("on_") and obj.cls.lookup(name) == (cls, fn):
                    objects._run(ip, objects._function(ip, cls, fn), [obj], node, _unknown_args(fn, node))
        obj.attrs["model"] = model  # a hook may not replace what Keras set


def _unknown_args(fn: cst.FunctionDef, node: cst.CSTNode):
    from .interpreter import Args

    args = Args(node)  # type: ignore[arg-type]
    params = list(fn.params.posonly_params) + list(fn.params.params)
    for p in params[1:] + list(fn.params.kwonly_params):
        args.kw[p.name.value] = None
    return args


# ------------------------------------------------------------ methods alone
def fresh_self(ip, fn: cst.FunctionDef, cls: Any) -> Any:
    """What ``self`` is for a method run on its own (see the module doc),
    or None when it stays unknown."""
    from . import objects

    if cls is None or not isinstance(cls, objects.UserClass) or cls.is_model or cls.is_layer:
        return None
    params = list(fn.params.posonly_params) + list(fn.params.params)
    if not params or objects._decorators(fn) & {"staticmethod", "classmethod", "property"}:
        return None
    runs = ip.__dict__.setdefault("fresh_runs", {})
    if runs.get(cls, 0) >= MAX_FRESH:
        return None
    runs[cls] = runs.get(cls, 0) + 1
    from . import testcases
    if testcases.is_test_method(cls, fn):
        return testcases.fresh_test(ip, cls, fn)  # a new TestCase after its setUp
    obj = objects.Instance(cls, ip.depth)
    obj.fresh = True  # type: ignore[attr-defined]  # its class is a guess: a subclass (a mixin's user) may override
    if fn.name.value == "__init__":
        return obj
    init = cls.lookup("__init__")
    before = len(ip.models)
    if init is not None and type(init[1]) is cst.FunctionDef:
        objects._run(ip, objects._function(ip, init[0], init[1]), [obj], fn, _unknown_args(init[1], fn))
    elsewhere = set()
    compiles = False
    for c in cls.mro():
        for method, names in c.assigned.items():
            if method.name.value != "__init__":
                elsewhere |= names
                compiles = compiles or _compiles(method)
    for name in elsewhere:
        obj.attrs[name] = None
    for model in ip.models[before:]:
        if model.compiled is False or compiles:
            model.compiled = None
        if compiles:
            model.loss, model.loss_origin = None, None
    return obj


@lru_cache(maxsize=4096)  # asked again for each method run on its own
def _compiles(fn: cst.FunctionDef) -> bool:
    from . import objects

    for small in objects._small_statements(fn.body):
        todo: List[Any] = [small]
        while todo:
            current = todo.pop()
            if type(current) is cst.Call and type(current.func) is cst.Attribute and \
                    current.func.attr.value == "compile":
                return True
            if type(current) in (cst.Call, cst.Expr, cst.Assign, cst.Attribute):
                todo.extend(children(current))
    return False


# --------------------------------------------------------------- dict loops
def dict_view(ip, node: cst.BaseExpression, env) -> Optional[Seq]:
    """``d.items()`` / ``d.values()`` / ``d.keys()`` of a dict literal the
    analysis knows (models kept in a dict by name): the sequence a ``for``
    loop goes through, in insertion order; else None."""
    if not (type(node) is cst.Call and type(node.func) is cst.Attribute and not node.args
            and node.func.attr.value in ("items", "values", "keys")):
        return None
    base = ip.ev(node.func.value, env)
    if not isinstance(base, Dict_):
        return None
    view = node.func.attr.value
    if view == "values":
        return Seq(list(base.items.values()), "list")
    if view == "keys":
        return Seq([Const(k) for k in base.items], "list")
    return Seq([Seq([Const(k), v], "tuple") for k, v in base.items.items()], "list")


# Imported last, as these modules import this one (a function-level import
# costs a lookup on each call of a function run thousands of times a file).
from . import library, own_layers, typechecks  # noqa: E402
