"""Custom training loops.

What a ``GradientTape`` loop does to the values fitlint follows:

- ``for x, y in ds`` (and ``for step, (x, y) in enumerate(ds)``) binds the
  dataset's element, with its batch axis when the dataset is batched;
- ``@tf.function`` leaves a function's shapes alone: a decorated step is
  followed like an undecorated one;
- ``model(x, training=True)`` on data of known shape gives the model's output
  for it (a tensor, batch axis from the data);
- a loss object (``keras.losses.CategoricalCrossentropy()``) or a loss
  function (``keras.losses.sparse_categorical_crossentropy``,
  ``tf.nn.*_cross_entropy_with_logits``) called on ``(labels, predictions)``
  is recorded as a :class:`~fitlint.analysis.facts.LossCall`, which the label
  rules compare as they compare ``fit``'s labels with the model's output.

Each loss function declares its signature once (merged into :mod:`library`'s
table and compared with the installed TensorFlow by tests/test_signatures.py)
and, in ``FUNCTIONS``, its loss family and the parameters holding the labels
and the predictions.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import libcst as cst

from .facts import BINARY, CATEGORICAL, SPARSE, LossCall, Target
from .names import canonical
from .signatures import bind, parse
from .values import MISSING, Array, Dataset, Model, ModuleRef, Origin, Seq, py

SIGNATURE_TEXT: Dict[str, str] = {
    "keras.losses.sparse_categorical_crossentropy": "y_true, y_pred, from_logits=False, ignore_class=None, axis=-1",
    "keras.losses.categorical_crossentropy": "y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1",
    "keras.losses.binary_crossentropy": "y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1",
    "tensorflow.nn.softmax_cross_entropy_with_logits": "labels, logits, axis=-1, name=None",
    "tensorflow.nn.sparse_softmax_cross_entropy_with_logits": "labels, logits, name=None",
    "tensorflow.nn.sigmoid_cross_entropy_with_logits": "labels=None, logits=None, name=None",
}

# function -> (loss family, labels parameter, predictions parameter, api).
# Only names both ``keras.losses`` and ``tf.keras.losses`` have (Keras 3's
# ``mean_squared_error`` is ``MSE`` under tf.keras, and the other way round).
# "keras" losses check labels as fit does; "tf.nn" ops are stricter (no
# squeezing of a trailing axis of 1) or broadcast, see LossCall.api.
FUNCTIONS: Dict[str, Tuple[str, str, str, str]] = {
    "keras.losses.sparse_categorical_crossentropy": (SPARSE, "y_true", "y_pred", "keras"),
    "keras.losses.categorical_crossentropy": (CATEGORICAL, "y_true", "y_pred", "keras"),
    "keras.losses.binary_crossentropy": (BINARY, "y_true", "y_pred", "keras"),
    "tensorflow.nn.softmax_cross_entropy_with_logits": (CATEGORICAL, "labels", "logits", "tf.nn.softmax"),
    "tensorflow.nn.sparse_softmax_cross_entropy_with_logits": (SPARSE, "labels", "logits", "tf.nn"),
    "tensorflow.nn.sigmoid_cross_entropy_with_logits": (BINARY, "labels", "logits", "tf.nn"),
}

# ``loss_object(y_true, y_pred, sample_weight=None)``
_LOSS_CALL = parse("y_true, y_pred, sample_weight=None")

# Decorators that leave a function's shapes as they are.
TRANSPARENT_DECORATORS = {"tensorflow.function", "tensorflow.autograph.experimental.do_not_convert"}


# ------------------------------------------------------------------ @tf.function
def transparent(ip, node: cst.FunctionDef, env) -> bool:
    """Whether every decorator of ``node`` is ``@tf.function`` (with or
    without arguments): the function is followed as if undecorated."""
    for decorator in node.decorators:
        expr = decorator.decorator
        if type(expr) is cst.Call:
            expr = expr.func
        if not type(expr) in (cst.Name, cst.Attribute):
            return False
        value = ip.ev(expr, env)
        if not isinstance(value, ModuleRef) or canonical(value.path) not in TRANSPARENT_DECORATORS:
            return False
    return True


# ------------------------------------------------------------------ iteration
def element(items: Any) -> Any:
    """What one pass of ``for ... in items`` binds: a dataset's element
    (batched: with a batch axis of unknown size), or None."""
    from .library import add_batch_axis
    if not isinstance(items, Dataset) or items.element is None:
        return None
    return add_batch_axis(items.element) if items.batched else items.element


def iterate(ip, iterable: cst.BaseExpression, env) -> Any:
    """Evaluate the iterable of a loop not run pass by pass; the value one
    pass binds to the target. ``enumerate(ds)`` gives ``(unknown, element)``."""
    if type(iterable) is cst.Call and type(iterable.func) is cst.Name and iterable.func.value == "enumerate" \
            and env.get("enumerate") is MISSING and iterable.args and iterable.args[0].keyword is None \
            and not iterable.args[0].star and all(a.keyword is not None and a.keyword.value == "start"
                                                  for a in iterable.args[1:]):
        for arg in iterable.args[1:]:
            ip.ev(arg.value, env)
        inner = element(ip.ev(iterable.args[0].value, env))
        return Seq([None, inner], "tuple") if inner is not None else None
    return element(ip.ev(iterable, env))


# ------------------------------------------------------------------ model(x)
def model_on_data(ip, model: Model, args, node: cst.Call) -> Optional[Array]:
    """``model(x)`` / ``model(x, training=True)`` on one array of known
    shape: the model's output for it, a tensor whose batch axis is the
    data's. None when the output is not known, when the data does not fit
    the model's declared input (its own contract), or when anything else is
    passed."""
    x = args.get("inputs", 0)
    if not isinstance(x, Array) or not x.shape or args.star or len(args.pos) > 1 \
            or any(k not in ("inputs", "training", "mask") for k in args.kw):
        return None
    if model.kind == "sequential":
        if not model.exact or not model.layers or len(model.inputs) > 1:
            return None
    elif model.kind != "functional" or len(model.inputs) != 1 or len(model.outputs) != 1:
        return None
    if model.inputs:
        # data the declared input refuses fails in the model call: its own contract
        declared = model.inputs[0].shape
        if declared is None or len(declared) != len(x.shape) or \
                any(d is not None and a is not None and d != a for d, a in zip(declared[1:], x.shape[1:])):
            return None
    bindings = ip.bindings(model, x, node, "x")
    targets = ip.targets(model, bindings, None, None, "y")
    if len(targets) != 1 or targets[0].shape is None or not targets[0].shape:
        return None
    out = Array((x.shape[0],) + tuple(targets[0].shape[1:]), "float32", origin=Origin(node), tensor=True)
    _outputs(ip)[id(out)] = (out, model, targets[0].layer)
    return out


def _outputs(ip) -> Dict[int, Tuple[Array, Model, Any]]:
    """The tensors ``model(x)`` returned: id -> (tensor, model, output layer)."""
    return ip.__dict__.setdefault("model_outputs", {})


# ------------------------------------------------------------------ loss calls
def loss_object_call(ip, loss: Any, args, node: cst.Call) -> None:
    """``loss_fn(labels, predictions)`` for a Keras loss object."""
    from .library import LossFn
    if not isinstance(loss, LossFn) or loss.family is None:
        return
    axis = loss.kwargs.get("axis")
    if axis is not None and py(axis) != -1:
        return
    bound = bind(_LOSS_CALL, args)
    if bound is None:
        return
    _record(ip, node, f"keras.losses.{loss.name}", loss.family, "keras", loss, loss.origin,
            bound.get("y_true"), bound.node_of("y_true"), bound.get("y_pred"), bound.node_of("y_pred"))


def _function(name: str) -> Callable:
    family, labels, predictions, api = FUNCTIONS[name]

    def handler(ip, a, node):
        if "axis" in a.sig and py(a.get("axis")) != -1:
            return None
        if "ignore_class" in a.sig and not a.is_none("ignore_class"):
            return None
        func = node.func if type(node) is cst.Call else node
        _record(ip, node, name, family, api, None, Origin(func), a.get(labels), a.node_of(labels),
                a.get(predictions), a.node_of(predictions))
        return None
    return handler


def _record(ip, node: cst.Call, function: str, family: str, api: str, loss: Any, loss_origin: Optional[Origin],
            y: Any, y_node, pred: Any, pred_node) -> None:
    if ip.guarded or not isinstance(pred, Array) or not pred.shape or not isinstance(y, Array) or y.shape is None:
        return
    model, layer = None, None
    found = _outputs(ip).get(id(pred))
    if found is not None and found[0] is pred:
        model, layer = found[1], found[2]
    target = Target(pred.shape, layer, family, loss_origin, y, y_node, "labels")
    ip.facts.loss_calls.append(LossCall(node, function, api, loss, target, pred, pred_node, model))


CALLS: Dict[str, Callable] = {name: _function(name) for name in FUNCTIONS}
