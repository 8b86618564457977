"""Objects of the analysed code's own layer and model classes called in a
functional graph, when their ``call`` cannot be followed to a symbolic
output.

Measured on Keras 3.15 (see docs/shapes.md, "Own layers not followed"):
whatever a layer's ``call`` computes, the model built on its output still
takes exactly the data its ``Input`` tensors declare. So the call's output
is a symbolic tensor of unknown shape and dtype: the model built on it keeps
its inputs (the input contract is compared), while its outputs, and so its
label contract, stay unknown. The output comes from a "Custom" layer that
consumes the inputs: nothing is known of it (its activation, its units, whether
it rescales or embeds its input), so no rule says anything about it.

Its structure (one tensor or several) is not known either; taking it as one
tensor of unknown shape only ever makes a label comparison impossible, since
no shape is known on that side.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, List, Optional, Tuple

import libcst as cst

from .names import canonical
from .values import MISSING, Const, Dict_, Layer, ModuleRef, Origin, Seq, Sym
from .walk import children, kinds


_NOT_PLAIN = kinds(cst.Lambda, cst.BaseComp)


def unknown_output(obj: Any, inputs: Any, node: cst.Call) -> Optional[Sym]:
    """The output of ``obj(inputs)`` (``obj`` an instance of the file's own
    layer or model class) when ``call`` gave nothing symbolic: a tensor of
    unknown shape, or None when ``call`` is not the class's own (a library
    class that is not modelled)."""
    cls = getattr(obj, "cls", None)
    if cls is None or not (cls.is_layer or cls.is_model):
        return None
    found = cls.lookup("call")
    if found is None or type(found[1]) is not cst.FunctionDef:
        return None
    if isinstance(inputs, Sym):
        parents = [inputs]
    elif isinstance(inputs, Dict_):
        parents = [v for v in inputs.items.values() if isinstance(v, Sym)]
    else:
        parents = [v for v in getattr(inputs, "items", []) if isinstance(v, Sym)]
    layer = Layer("Custom", [], {}, Origin(node))  # nothing known of it, not even its shape
    out = Sym(None, None, Origin(node), layer=layer, parents=parents)
    for parent in parents:
        parent.consumers.append((layer, out))  # it may rescale, embed...: see workflow and graph rules
    return out


def inputs_only(model: Any, ins: Any, inputs: Optional[List[Sym]]) -> None:
    """``Model(inputs, outputs)`` whose outputs were not followed (a list
    of ``layer.output`` of another model, an object the analysis does not
    know): the model still takes exactly the data its ``Input`` tensors
    declare, so it keeps them; its outputs stay unknown."""
    if not inputs or not all(s.is_input and s.declared_by is None for s in inputs):
        return
    model.inputs = inputs
    model.input_dict = isinstance(ins, Dict_)


def model_attribute(model: Any, attr: str) -> Any:
    """``model.inputs`` of a Sequential whose input is declared (an
    ``Input`` or ``input_shape=`` on its first layer): Keras builds it at
    once, and this is the list of its input tensor (to build a model of its
    intermediate outputs on). ``model.input`` of such a Sequential raises
    AttributeError on Keras 3.15 ("has never been called"): unknown."""
    if model.kind != "sequential" or len(model.inputs) != 1 or model.inputs[0].declared_by is not None:
        return None
    if attr == "inputs":
        return Seq([model.inputs[0]], "list")
    return None


# ------------------------------------------- the code of an own layer's call
# What a layer's ``build``/``call`` is commonly written with, followed on
# symbolic tensors (measured on Keras 3.15; see docs/shapes.md):
# ``layer.build(shape)`` of a library layer builds it and returns None;
# ``layer.compute_output_shape(shape)`` returns the output shape as a tuple;
# casts and ``tf.reverse`` keep the shape; a tensor that is one of two
# tensors of the same shape and dtype (``a if flag else b``, a branch) has
# that shape and dtype.

def layer_method(receiver: Layer, method: str, a, node: cst.Call) -> Any:
    """``build`` and ``compute_output_shape`` of a library layer."""
    from . import layers as L
    from .values import Const, as_shape
    if a.star or len(a.pos) + len(a.kw) != 1:
        return None
    shape = as_shape(a.get("input_shape", 0))
    if method == "build" or shape is None:
        return None
    out = L.output_shape(receiver, shape)
    if out is None:
        return None
    return Seq([Const(d) for d in out], "tuple", Origin(node))


def join_syms(values: List[Any]) -> Optional[Sym]:
    """Symbolic tensors of one shape and dtype, one per branch: a tensor of
    that shape and dtype (Inputs keep their identity: never joined)."""
    if len(values) < 2 or not all(isinstance(v, Sym) for v in values):
        return None
    first = values[0]
    if first.shape is None or any(v.is_input or v.shape != first.shape or v.dtype != first.dtype for v in values):
        return None
    return Sym(first.shape, first.dtype, first.origin, parents=list(values))


def _keep_shape(args, node: cst.Call) -> Optional[Sym]:
    x = args.get("x", 0)
    if not isinstance(x, Sym):
        return None
    return Sym(x.shape, x.dtype, Origin(node), parents=[x])


def _cast(args, node: cst.Call) -> Optional[Sym]:
    from .library import dtype_of
    x = args.get("x", 0)
    dtype = dtype_of(args.get("dtype", 1))
    if not isinstance(x, Sym) or dtype is None or len(args.pos) + len(args.kw) != 2:
        return None
    return Sym(x.shape, dtype, Origin(node), parents=[x])


# Functions of symbolic tensors (see models.SYM_FUNCTIONS): signature, rule.
SYM_FUNCTIONS = {
    "tensorflow.cast": ("x, dtype, name=None", _cast),
    "keras.backend.cast": ("x, dtype", _cast),
    "keras.ops.cast": ("x, dtype", _cast),
    "tensorflow.reverse": ("tensor, axis, name=None", lambda args, node: _keep_shape(args, node)
                           if len(args.pos) + len(args.kw) == 2 else None),
}


def attribute_constant(ip, test: cst.BaseExpression, env) -> Any:
    """``if self.flag:`` in a method of the file's own class: the literal
    the attribute holds, when every method of the class that assigns it
    besides ``__init__`` was followed on this object (no method run on its
    own may have changed it) and the test is not in a loop run once for all
    its passes. Else None."""
    from . import objects
    from .values import Const
    if type(test) is not cst.Attribute or type(test.value) is not cst.Name or ip.loops:
        return None
    base = env.get(test.value.value)
    if not isinstance(base, (objects.Instance, objects.ModelInstance)) or base.cls is None or \
            getattr(base, "fresh", False):
        return None
    name = test.attr.value
    ran = getattr(base, "ran", ())
    for cls in base.cls.mro():
        for fn, names in cls.assigned.items():
            if name in names and fn.name.value != "__init__" and fn not in ran:
                return None  # a method not followed on this object may have set it
    value = objects.attribute(ip, base, name, test)
    if not isinstance(value, Const) or value.origin is None:
        return None
    return value


_COMPARE = {cst.Equal: "==", cst.NotEqual: "!=", cst.LessThan: "<", cst.GreaterThan: ">", cst.LessThanEqual: "<=",
            cst.GreaterThanEqual: ">="}
_TYPES = {"builtins.list": list, "builtins.tuple": tuple, "builtins.dict": dict, "builtins.int": int,
          "builtins.float": float, "builtins.str": str, "builtins.bool": bool}


def known_test(ip, test: cst.BaseExpression, env, plain) -> Optional[bool]:
    """The truth of ``a != b`` (one comparison of known numbers or strings,
    ``self.filters != input_shape[-1]``) or ``isinstance(v, list)`` (a value
    of known Python type), outside a loop run once for all its passes; every
    name in it must be bound once (``plain(name)``), and no operand may be a
    command-line default. Else None."""
    if ip.loops:
        return None
    comparison = type(test) is cst.Comparison and len(test.comparisons) == 1
    if not comparison and not (type(test) is cst.Call and type(test.func) is cst.Name and
                               test.func.value == "isinstance"):
        return None
    for sub in _names(test):
        if not plain(sub):
            return None
    if comparison:
        op = _COMPARE.get(type(test.comparisons[0].operator))
        left, right = ip.ev(test.left, env), ip.ev(test.comparisons[0].comparator, env)
        if op is None or not all(_plain_const(ip, v) for v in (left, right)):
            return None
        a, b = left.value, right.value
        if isinstance(a, str) != isinstance(b, str) and op not in ("==", "!="):
            return None
        try:
            return bool({"==": a == b, "!=": a != b}[op]) if op in ("==", "!=") else \
                bool({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op])
        except TypeError:
            return None
    if type(test) is cst.Call and type(test.func) is cst.Name and test.func.value == "isinstance" and \
            len(test.args) == 2 and not any(a.keyword or a.star for a in test.args) and \
            env.get("isinstance") is MISSING:
        value, kind = ip.ev(test.args[0].value, env), ip.ev(test.args[1].value, env)
        kinds = kind.items if isinstance(kind, Seq) and kind.kind == "tuple" else [kind]
        types = [_TYPES.get(canonical(k.path)) if isinstance(k, ModuleRef) else None for k in kinds]
        if not types or any(t is None for t in types):
            return None
        if isinstance(value, Const) and _plain_const(ip, value):
            return isinstance(value.value, tuple(types))  # type: ignore[arg-type]
        if isinstance(value, Seq):
            return (list if value.kind == "list" else tuple) in types
        if isinstance(value, Dict_):
            return dict in types
        return None
    return None


def _plain_const(ip, value: Any) -> bool:
    from .values import Const
    return isinstance(value, Const) and isinstance(value.value, (bool, int, float, str, type(None))) and \
        not any(value is v for v in ip.facts.flag_defaults.values()) and \
        not any(value is v for v in ip.absl_flags.values())


@lru_cache(maxsize=4096)  # a test is looked at each time it is run
def _names(node: cst.CSTNode) -> Tuple[str, ...]:
    """The plain names an expression reads (not attribute names)."""
    out: List[str] = []
    todo = [node]
    while todo:
        current = todo.pop()
        if type(current) is cst.Name:
            out.append(current.value)
        elif type(current) is cst.Attribute:
            todo.append(current.value)
        elif type(current) in _NOT_PLAIN:
            return ("<not plain>",)
        else:
            todo.extend(children(current))
    return tuple(out)


def inline_key(node: cst.FunctionDef, args) -> Any:
    """How the inlined calls of a method are counted (interpreter.MAX_INLINES):
    per object of the file's own layer classes (each block of a stack of
    residual blocks builds its own sublayers with the same helper), else
    per function (None)."""
    first = args.pos[0] if args.pos else None
    if isinstance(first, objects.Instance) and first.cls is not None and first.cls.is_layer:
        return node, id(first)
    return None


# Imported last, as it imports this module (see inline_key).
from . import objects  # noqa: E402
