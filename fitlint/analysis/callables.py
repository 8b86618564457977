"""Calling a function value with arguments that are already evaluated.

Library code calls the functions it is given (``dataset.map(fn)``,
``dataset.apply(fn)``): the function is run the way the interpreter runs a
call written in the file (a ``def`` of this or another project module, a
``lambda``, ``functools.partial``, a bound method, a layer, a library
function), with the abstract arguments the library would pass.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import libcst as cst

from .names import canonical
from .values import Array, Layer, Model, ModuleRef, Shape

# One function definition per lambda, so that a lambda is counted, cached and
# followed like any ``def`` (see Interpreter.inline).
_LAMBDAS: Dict[cst.Lambda, cst.FunctionDef] = {}


def lambda_value(ip, node: cst.Lambda, env) -> Any:
    """The value of a ``lambda`` expression: a function of this file whose
    body returns the lambda's expression."""
    from .interpreter import UserFunction
    fn = _LAMBDAS.get(node)
    if fn is None:
        fn = cst.FunctionDef(
            name=cst.Name("lambda"), params=node.params,
            body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(node.body)])]))
        if len(_LAMBDAS) > 20000:
            _LAMBDAS.clear()
        _LAMBDAS[node] = fn
    return UserFunction(fn, env, ip.home() if ip.homes else None)


def call_value(ip, func: Any, values: List[Any], node: cst.CSTNode, kw: Optional[Dict[str, Any]] = None) -> Any:
    """What ``func(*values, **kw)`` returns, or ``None`` when it cannot be
    followed."""
    from . import library, objects
    from .interpreter import _FAILED, Args, Env, UserFunction
    args = Args(node)  # type: ignore[arg-type]
    args.pos = list(values)
    args.pos_nodes = [node] * len(values)
    args.kw = dict(kw or {})
    args.kw_nodes = {k: node for k in args.kw}
    statement = ip.statement
    ip.callers.append(Env())  # the values passed are new: no scope of the file holds them
    try:
        if isinstance(func, UserFunction):
            result = ip.inline(func, args)
            return None if result is _FAILED else result
        if isinstance(func, Layer):
            return ip.call_layer(func, args, node)
        if isinstance(func, Model):
            return preprocessing_model(func, values, node)
        hooked = objects.call(ip, func, None, args, node, ip.globals)
        if hooked is not objects.NOT_HANDLED:
            return hooked
        if isinstance(func, ModuleRef):
            return library.call_function(ip, canonical(func.path), args, node)
        return None
    finally:
        ip.callers.pop()
        ip.statement = statement


def lambda_layer(ip, layer: Layer) -> None:
    """A ``Lambda`` layer's output shape: its function run on a tensor of the
    input's shape (nothing it computes is reported). Unknown when the
    function cannot be followed, gives something else than one tensor, or
    loses the batch axis."""
    func = layer.kwargs.get("function")
    if func is None or layer.kwargs.get("arguments") is not None or not layer.complete:
        return
    cache: Dict[Shape, Shape] = {}

    def shape_fn(shape: Shape) -> Shape:
        if shape in cache:
            return cache[shape]
        cache[shape] = None  # a function that reaches its own layer again
        probe = Array(shape, "float32", origin=layer.origin, tensor=True)
        ip.guarded += 1
        try:
            out = call_value(ip, func, [probe], layer.origin.node)
        finally:
            ip.guarded -= 1
        result = out.shape if isinstance(out, Array) else None
        if result is None or not result or result[0] is not None or shape is None or not shape:
            result = None
        cache[shape] = result
        return result

    setattr(layer, "shape_fn", shape_fn)


def preprocessing_model(model: Model, values: List[Any], node: cst.CSTNode) -> Any:
    """A Sequential of preprocessing layers only (an augmentation pipeline)
    called on one tensor: each layer's result in turn."""
    from . import layers as L
    from .values import Origin
    if model.kind != "sequential" or not model.exact or not model.layers or len(values) != 1:
        return None
    out = values[0]
    for layer in model.layers:
        if not isinstance(out, Array) or layer.kind not in L.PREPROCESSING:
            return None
        out = L.array_output(layer, out, Origin(node))
    return out
