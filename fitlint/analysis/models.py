"""Models whose input is not declared with an ``Input``: the input contract
they take on when they are first built.

Measured on Keras 3.15 (see docs/shapes.md, "Models built by use"):

- A ``Sequential`` without an input is built by ``model.build(shape)``, by
  its first call ``model(x)`` (on an array or a symbolic tensor), or by the
  first data given to ``fit``/``evaluate``/``predict``/``*_on_batch``. From
  then on it is a functional graph on an ``InputLayer`` of that shape: data
  of another rank fails ("Invalid input shape"), and the weights of its
  layers are fixed, so another size on an axis a weight depends on fails
  ("expected axis -1 of input shape to have value 8"). Other axes (the steps
  of a ``Conv1D``) stay free. Building it again with another shape fails.
- A ``Sequential`` whose first layer is a model with a declared input (a
  nested ``Sequential`` with an ``Input``, a functional model, a backbone
  built with ``input_shape=``) is built at once with that input.
- A subclassed ``keras.Model`` is built by its first call on data or on a
  symbolic tensor (``model(x)``, ``fit``, ``predict``...): the layers
  ``call`` reaches then have fixed weights. The rank is not fixed, and
  ``model.build(shape)`` fixes nothing (a later ``fit`` on another size
  runs).

Such an input is a :class:`Sym` with ``declared_by`` set ("build", "call",
"data", "nested"); rules compare later data with it exactly like with an
``Input``, except that for a subclassed model (``declared_by`` ending in
"-subclassed") only the weight axes are compared, never the rank.

The data call that builds the model has nothing to compare its data with:
its layers are checked on that data (``layers.problem``), and its input
serves the calls after it (``built_by_call``).

A model whose training step is its own (``train_step``/``test_step``
overridden, ``compute_loss`` of a ``tfrs.Model``) has no label contract: the
compile loss is not what its labels are compared with (``fitlint shapes``
reason ``no-label-contract``).
"""
from __future__ import annotations

from typing import Any, List, Optional

import libcst as cst

from . import layers as L
from . import own_layers
from .values import NON_NUMERIC_DTYPES, Array, Layer, Model, Origin, Sym, as_shape

# First layers that take text: the ranks they accept are looser.
_TEXT_FIRST = {"TextVectorization", "StringLookup", "Hashing", "Lambda"}


def _unbuilt_sequential(model: Model) -> bool:
    return model.kind == "sequential" and not model.inputs and model.exact and bool(model.layers) \
        and not model.build_unknown


def _input(shape, dtype: Optional[str], node: cst.CSTNode, how: str) -> Sym:
    return Sym((None,) + tuple(shape[1:]), dtype, Origin(node), is_input=True, declared_by=how)


def declared_by(sym: Optional[Sym]) -> Optional[str]:
    """How a model input came to be: None for a declared ``Input``."""
    return sym.declared_by if sym is not None else None


def rank_fixed(sym: Sym) -> bool:
    """Whether data of another rank fails on this input."""
    how = declared_by(sym)
    return how is None or not how.endswith("-subclassed")


def _declare(ip, model: Model, sym: Sym) -> None:
    model.inputs = [sym]  # its layers are traced with it once the file ran (Interpreter.run)


def build(ip, model: Model, shape_value: Any, node: cst.Call) -> None:
    """``model.build(input_shape)`` on a Sequential."""
    if model.kind != "sequential":
        return
    shape = as_shape(shape_value)
    if not _unbuilt_sequential(model):
        if model.kind == "sequential" and not model.inputs:
            model.build_unknown = True  # built with a shape not followed
        return
    if shape is None or len(shape) < 2:
        model.build_unknown = True
        return
    _declare(ip, model, _input(shape, "float32", node, "build"))


def called(ip, model: Model, value: Any, node: cst.Call) -> None:
    """``model(x)`` on an array or a symbolic tensor: a Sequential without
    an input is built with its shape."""
    if model.kind != "sequential" or model.inputs:
        return
    shape = getattr(value, "shape", None)
    if not _unbuilt_sequential(model) or not isinstance(value, (Array, Sym)) or not shape or \
            (isinstance(value, Array) and not _plain(value)) or model.layers[0].kind in _TEXT_FIRST:
        model.build_unknown = True
        return
    _declare(ip, model, _input(shape, value.dtype, node, "call"))


def first_data(ip, model: Model, data: Any, node: cst.Call, dataset: Any) -> Optional[Sym]:
    """The input a data call builds an unbuilt Sequential with (None when
    it cannot be known). It is kept as the model's input for later calls."""
    if model.kind != "sequential" or model.inputs or not isinstance(data, Array) or not data.shape or \
            (dataset is not None and not dataset.batched):
        return None
    shape = (None,) + tuple(data.shape[1:])
    ip.trace_sequential(model, shape, data.origin or Origin(node))
    model.traced_data = model.traced_data or data
    if not _unbuilt_sequential(model) or not _plain(data) or model.layers[0].kind in _TEXT_FIRST:
        model.build_unknown = True
        return None
    sym = _input(data.shape, data.dtype, node, "data")
    model.__dict__["pending_input"] = sym  # the input of the calls after this one
    return sym


def forget_use(model: Model) -> None:
    """Before a function the file never calls runs: it may be called before
    the code that built the model by use (or where that code never runs, a
    ``__main__`` block), so such an input is unknown there; the function's
    own first data builds the model again."""
    if model.inputs and any(s.declared_by not in (None, "nested") for s in model.inputs):
        model.inputs = []
    model.__dict__.pop("pending_input", None)


def built_by_call(model: Model, call: Any) -> None:
    """After the data call that builds a model (see first_data and
    objects.prepare_data_call): its data becomes the input later calls
    meet. The building call itself has nothing to be compared with
    (``call.builds``)."""
    pending = model.__dict__.pop("pending_input", None)
    if pending is not None and not model.inputs:
        model.inputs = [pending]
        call.__dict__["builds"] = True


def _plain(value: Any) -> bool:
    """Numeric (or not known to be otherwise), not ragged."""
    return not value.ragged and value.dtype not in NON_NUMERIC_DTYPES


def nested_input(ip, model: Model, item: Any) -> None:
    """A Sequential whose first layer is a model with a declared input is
    built with that input at once."""
    from . import objects
    if model.inputs or model.layers:
        return
    if isinstance(item, objects.Instance) and item.cls is not None and item.cls.is_layer:
        # a custom layer given input_shape= that its __init__ hands to Layer.__init__
        given = item.__dict__.get("base_kwargs") or {}
        params = {p.name.value for p in item.cls.lookup("__init__")[1].params.params} \
            if given and type((item.cls.lookup("__init__") or (None, None))[1]) is cst.FunctionDef else set()
        if "input_shape" in given and "input_shape" not in params:
            shape = as_shape(given["input_shape"])
            if shape is not None and shape:
                model.inputs = [Sym((None,) + shape, "float32", getattr(item, "origin", None) or model.origin,
                                    is_input=True, declared_by="nested")]
        return
    if not isinstance(item, Model):
        return
    if item.kind == "sequential" and len(item.inputs) == 1 and item.inputs[0].shape is not None:
        inner = item.inputs[0]
    elif item.kind == "functional" and len(item.inputs) == 1 and item.inputs[0].shape is not None \
            and not declared_by(item.inputs[0]):
        inner = item.inputs[0]
    else:
        return
    if declared_by(inner) not in (None, "nested", "build", "call"):
        return  # built from data: only after that call
    model.inputs = [Sym(inner.shape, inner.dtype, inner.origin, is_input=True, name=inner.name,
                        declared_by="nested")]


def element_layer(ip, item: Any, node: Any) -> Optional[Layer]:
    """A nested model or an object of a ``keras.layers.Layer`` subclass of
    the file used as a Sequential layer: a layer whose output shape is the
    model's (or ``call``'s) output for an input of the given shape."""
    from . import objects
    if isinstance(item, objects.Instance) and (item.cls is None or not item.cls.is_layer):
        return None
    origin = getattr(item, "origin", None)
    layer = Layer("Model" if isinstance(item, Model) else "Custom", [], {}, origin or Origin(node))
    cache: dict = {}

    def shape_fn(shape):
        if shape in cache:
            return cache[shape]
        cache[shape] = None
        result = None
        if isinstance(item, objects.ModelInstance) or isinstance(item, objects.Instance):
            if item.cls is not None and (item.cls.is_layer or item.cls.is_model):
                ip.guarded += 1
                try:
                    out = objects.trace(ip, item, Sym(shape, "float32", layer.origin), node)
                finally:
                    ip.guarded -= 1
                result = out.shape if isinstance(out, Sym) else None
        elif isinstance(item, Model):
            result = nested_output(item, shape)
        if result is not None and (not result or result[0] is not None):
            result = None
        cache[shape] = result
        return result

    setattr(layer, "shape_fn", shape_fn)
    if isinstance(item, Model) and item.kind == "sequential" and item.exact and item.layers:
        setattr(layer, "weight_axes", L.weight_axes(item.layers[0]))
    return layer


def nested_output(model: Model, shape) -> Any:
    """The output shape of a model (without a class) for an input shape."""
    if not model.exact or shape is None:
        return None
    if model.kind == "sequential":
        if model.inputs and model.inputs[0].shape is not None and len(model.inputs[0].shape) != len(shape):
            return None
        for layer in model.layers:
            if L.problem(layer, shape) is not None:
                return None
            shape = L.output_shape(layer, shape)
            if shape is None:
                return None
        return shape
    if model.kind == "functional" and len(model.inputs) == 1 and len(model.outputs) == 1 \
            and model.inputs[0].shape is not None and len(model.inputs[0].shape) == len(shape):
        return model.outputs[0].shape
    return None


# ------------------------------------------------ tensor functions in call
def _sym_reshape(args, node: cst.Call) -> Optional[Sym]:
    """``tf.reshape(x, [-1, 784])`` on a symbolic tensor: the batch axis
    taken by the leading -1, the rest as written; unknown unless the sizes
    per sample agree."""
    from .values import py
    x, target = args.get("tensor", 0), py(args.get("shape", 1))
    if not isinstance(x, Sym) or x.shape is None or not isinstance(target, (list, tuple)) or len(target) < 2:
        return None
    if target[0] != -1 or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in target[1:]):
        return None
    size = 1
    for d in x.shape[1:]:
        if d is None:
            return None
        size *= d
    wanted = 1
    for d in target[1:]:
        wanted *= d
    if size != wanted:
        return None
    return Sym((None,) + tuple(target[1:]), x.dtype, Origin(node), parents=[x])


# Library functions of symbolic tensors (in ``call``), bound as Python binds
# them: (signature, shape rule).
SYM_FUNCTIONS = {
    "tensorflow.reshape": ("tensor, shape, name=None", _sym_reshape),
}
SYM_FUNCTIONS.update(own_layers.SYM_FUNCTIONS)


def sym_function(name: str, args, node: cst.Call) -> Any:
    """The symbolic result of a modelled function, or None."""
    entry = SYM_FUNCTIONS.get(name)
    if entry is None or entry[1] is None or args.star:
        return None
    return entry[1](args, node)
