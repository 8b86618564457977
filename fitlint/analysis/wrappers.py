"""Neural Structured Learning's Keras wrappers, as declared library knowledge.

``nsl.keras.AdversarialRegularization(base_model, label_keys=..., ...)`` and
``nsl.keras.GraphRegularization(base_model, graph_reg_config)`` are Keras
models around a base model. What their data methods do with the data
(read from neural_structured_learning 1.4, keras/adversarial_regularization.py
and keras/graph_regularization.py):

- ``AdversarialRegularization`` is fit on a dict (or a dataset of dicts)
  holding the features *and* the labels: the entries named by ``label_keys``
  are the labels, one per base model output, in order; the entry named by
  ``sample_weight_key`` is the sample weight; the rest are features. A
  functional base model gets ``[features[name] for name in input_names]``
  (a missing name raises); a Sequential whose input name is not a key gets
  the flattened features. ``compile`` compiles the base model with the
  same loss, which is applied to (labels, base outputs). ``evaluate`` and
  ``predict`` run the same ``call`` (labels must be in the dict).
- ``GraphRegularization`` is fit like any model, on ``(x, y)``; ``x`` is a
  dict whose keys starting with the neighbour prefix (``NL_nbr_`` by
  default, from ``make_graph_reg_config``) are neighbour features and
  weights; the base model gets the other entries. ``evaluate`` and
  ``predict`` are the base model's own. ``compile`` compiles the base model
  with the same arguments.

A call on a wrapper is recorded as a data call on its base model with the
data the base model really receives, so the rules compare the base model's
inputs with the features and its outputs and loss with the labels. When
the way the data reaches the base model is not known exactly (keys not
known, unnamed inputs, several features for one Sequential input, the
wrapper not compiled here), nothing is recorded: the call stays unknown,
with the reason kept for ``fitlint shapes``.

The static path never imports neural_structured_learning: this is data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from .signatures import Signature, bind, parse
from .values import Array, Const, Dataset, Dict_, Model, ModuleRef, Origin, Seq, py

NOT_HANDLED = object()

NSL = "neural_structured_learning."
ADVERSARIAL = NSL + "keras.AdversarialRegularization"
GRAPH = NSL + "keras.GraphRegularization"
ADV_CONFIG = NSL + "configs.make_adv_reg_config"
GRAPH_CONFIG = NSL + "configs.make_graph_reg_config"
NEIGHBOR_CONFIG = NSL + "configs.GraphNeighborConfig"

SIGNATURE_TEXT: Dict[str, str] = {
    ADVERSARIAL: ("base_model, label_keys=('label',), sample_weight_key=None, adv_config=None, "
                  "base_with_labels_in_features=False"),
    GRAPH: "base_model, graph_reg_config=None",
    ADV_CONFIG: ("multiplier=0.2, feature_mask=None, adv_step_size=0.001, adv_grad_norm='l2', clip_value_min=None, "
                 "clip_value_max=None, pgd_iterations=1, pgd_epsilon=None, random_init=False"),
    GRAPH_CONFIG: ("neighbor_prefix='NL_nbr_', neighbor_weight_suffix='_weight', max_neighbors=0, multiplier=0.01, "
                   "distance_type='l2', reduction='weighted_sum_by_nonzero_weights', sum_over_axis=None, "
                   "transform_fn='none'"),
    NEIGHBOR_CONFIG: "prefix='NL_nbr_', weight_suffix='_weight', max_neighbors=0",
}
SIGNATURES: Dict[str, Signature] = {name: parse(text) for name, text in SIGNATURE_TEXT.items()}

# The wrappers' data methods: (x, y, batch_size) positions, as keras.Model's.
_POSITIONS = {
    "fit": (0, 1, 2), "evaluate": (0, 1, 2), "predict": (0, None, 1),
    "train_on_batch": (0, 1, None), "test_on_batch": (0, 1, None), "predict_on_batch": (0, None, None),
}
_VALIDATION_DATA = 7  # fit's positional index of validation_data


def canonical(path: str) -> Optional[str]:
    """The key of an nsl object under any of its spellings
    (``nsl.keras.AdversarialRegularization``,
    ``neural_structured_learning.keras.adversarial_regularization.AdversarialRegularization``,
    ``neural_structured_learning.configs.configs.make_adv_reg_config``), or None."""
    if not path.startswith(NSL):
        return None
    parts = path.split(".")
    last = parts[-1]
    for key in SIGNATURE_TEXT:
        if key.rsplit(".", 1)[-1] == last and parts[1] == key.split(".")[1]:
            return key
    return None


@dataclass(eq=False)
class GraphConfig:
    """``make_graph_reg_config(...)``: the neighbour feature prefix, when known."""

    prefix: Optional[str]


@dataclass(eq=False)
class Wrapper:
    """An nsl Keras wrapper around ``base`` (a Model, or None when unknown)."""

    kind: str  # ADVERSARIAL | GRAPH
    base: Any
    origin: Origin
    label_keys: Optional[List[str]] = None  # AdversarialRegularization; None when not known
    weight_key: Optional[str] = None
    prefix: Optional[str] = "NL_nbr_"  # GraphRegularization; None when not known
    compile_node: Optional[cst.CSTNode] = None  # the wrapper's last compile
    # calls not recorded on the base model, for ``fitlint shapes``: call -> (reason, detail, node);
    # an empty detail asks to explain the expression at node from the syntax
    skipped: Dict[cst.CSTNode, Tuple[str, str, Any]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return "nsl." + self.kind[len(NSL):]


def unwrap(value: Any) -> Any:
    """The base model of a wrapper; any other value as it is."""
    return value.base if isinstance(value, Wrapper) else value


# ------------------------------------------------------------ construction
def _strings(value: Any) -> Optional[List[str]]:
    literal = py(value)
    if isinstance(literal, str):
        return [literal]
    if isinstance(literal, (list, tuple)) and all(isinstance(k, str) for k in literal):
        return list(literal)
    return None


def _construct(name: str, args: Any, node: cst.Call) -> Any:
    bound = bind(SIGNATURES[name], args)
    if bound is None:
        return None
    if name in (GRAPH_CONFIG, NEIGHBOR_CONFIG):
        prefix = py(bound.get("neighbor_prefix" if name == GRAPH_CONFIG else "prefix"))
        return GraphConfig(prefix if isinstance(prefix, str) else None)
    if name == ADV_CONFIG:
        return None  # the adversarial step does not change what reaches the base model
    base = bound.get("base_model")
    base = base if isinstance(base, Model) else None
    if name == ADVERSARIAL:
        weight = py(bound.get("sample_weight_key"))
        weight_key = None if bound.is_none("sample_weight_key") else weight if isinstance(weight, str) else MISSING_KEY
        with_labels = py(bound.get("base_with_labels_in_features"))
        wrapper = Wrapper(ADVERSARIAL, base, Origin(node), label_keys=_strings(bound.get("label_keys")),
                          weight_key=weight_key)
        if with_labels is not False:
            wrapper.label_keys = None  # the base model may take the labels too: not followed
        return wrapper
    config = bound.get("graph_reg_config")
    prefix: Optional[str] = "NL_nbr_" if bound.is_none("graph_reg_config") else \
        config.prefix if isinstance(config, GraphConfig) else None
    return Wrapper(GRAPH, base, Origin(node), prefix=prefix)


MISSING_KEY = "\0unknown"  # a sample_weight_key whose value is not known


# ----------------------------------------------------------------- hooks
def call(ip: Any, func: Any, receiver: Any, args: Any, node: cst.Call) -> Any:
    """A call the wrappers model: a constructor, or a method of a wrapper."""
    if isinstance(func, ModuleRef):
        name = canonical(func.path)
        if name is None:
            return NOT_HANDLED
        return _construct(name, args, node)
    if isinstance(receiver, Wrapper) and type(node.func) is cst.Attribute:
        return _method(ip, receiver, node.func.attr.value, args, node)
    return NOT_HANDLED


def attribute(base: "Wrapper", attr: str) -> Any:
    if attr == "base_model":
        return base.base
    return None


def _method(ip: Any, w: Wrapper, method: str, args: Any, node: cst.Call) -> Any:
    base = w.base
    if method == "compile":
        if isinstance(base, Model):
            ip.model_method(base, "compile", args, node)  # both wrappers compile their base model so
            w.compile_node = node
        return None
    if method not in _POSITIONS or ip.guarded:
        return None
    if not isinstance(base, Model):
        w.skipped[node] = ("receiver-unknown", f"the base model of {w.name} is not known", None)
        return None
    if w.kind == GRAPH and method == "predict" or w.kind == GRAPH and method == "evaluate" and base.compiled is True:
        ip.model_method(base, method, args, node)  # GraphRegularization.evaluate is base_model.evaluate
        return None
    if base.compile_origin is None or base.compile_origin.node is not w.compile_node or base.compiled is not True:
        w.skipped[node] = ("loss-unknown", f"{w.name} is not compiled (with its base model) before this call", None)
        return None
    if args.star:
        w.skipped[node] = ("data-unknown", "data given through *args", None)
        return None
    xi, yi, bi = _POSITIONS[method]
    x, x_node = args.get("x", xi), args.node_of("x", xi)
    y = args.get("y", yi) if yi is not None else None
    y_node = args.node_of("y", yi) if yi is not None else None
    batch = py(args.get("batch_size", bi)) if bi is not None else None
    batch = batch if isinstance(batch, int) and not isinstance(batch, bool) else None
    if not _record(ip, w, method, node, x, x_node, y, y_node, batch, False):
        return None
    if method == "fit":
        val, val_node = args.get("validation_data", _VALIDATION_DATA), args.node_of("validation_data", _VALIDATION_DATA)
        if isinstance(val, Dataset) or (w.kind == ADVERSARIAL and isinstance(val, Dict_)):
            _record(ip, w, method, node, val, val_node, None, None, batch, True)
        elif w.kind == GRAPH and isinstance(val, Seq) and len(val.items) in (2, 3):
            nodes = list(val_node.elements) if type(val_node) in (cst.Tuple, cst.List) else []
            _record(ip, w, method, node, val.items[0], nodes[0].value if nodes else val_node, val.items[1],
                    nodes[1].value if nodes else val_node, batch, True)
    return None


def _record(ip: Any, w: Wrapper, method: str, node: cst.Call, x: Any, x_node: Any, y: Any, y_node: Any,
            batch: Optional[int], validation: bool) -> bool:
    """Record the call on the base model with what the base model gets;
    False (and the reason kept) when that is not known exactly."""
    base = w.base
    if x is None:
        if not validation:
            w.skipped[node] = ("data-unknown", "", x_node)  # explained from the syntax by fitlint shapes
        return False
    if isinstance(x, Dataset):
        element = x.element
        if w.kind == ADVERSARIAL:
            split, why = _adversarial(w, element)
        elif isinstance(element, Seq) and len(element.items) >= 2:
            features, why = _graph(w, element.items[0])
            split = None if features is None else (features, element.items[1])
        else:
            split, why = None, "the dataset's element is not a pair (features, labels)"
        if split is None:
            if not validation:
                w.skipped[node] = ("dataset-element-unknown", why, None)
            return False
        features, labels = split
        fed = _base_input(base, features, w.kind)
        if fed is None:
            if not validation:
                w.skipped[node] = _not_fed(w, features)
            return False
        element = Seq([fed, labels] if method not in ("predict", "predict_on_batch") else [fed], "tuple")
        ds = Dataset(element, x.batched, x.origin, x.batch_origin, x.batch_size, x.length)
        ip.record_call(base, method, node, ds, x_node, None, None, batch, validation)
        return True
    if w.kind == ADVERSARIAL:
        split, why = _adversarial(w, x)
        if split is None:
            if not validation:
                w.skipped[node] = ("data-unknown", why, None)
            return False
        features, labels = split
        y_node = _entry_node(x_node, (w.label_keys or [""])[0]) or x_node
    else:
        features, why = _graph(w, x)
        if features is None:
            if not validation:
                w.skipped[node] = ("data-unknown", why, None)
            return False
        labels = y
    fed = _base_input(base, features, w.kind)
    if fed is None:
        if not validation:
            w.skipped[node] = _not_fed(w, features)
        return False
    key = next((k for k, v in features.items.items() if v is fed), None) if isinstance(fed, Array) else None
    if key is not None:
        x_node = _entry_node(x_node, key) or x_node
    if method in ("predict", "predict_on_batch"):
        labels, y_node = None, None
    ip.record_call(base, method, node, fed, x_node, labels, y_node, batch, validation)
    if key is not None and ip.facts.calls and ip.facts.calls[-1].node is node:
        for b in ip.facts.calls[-1].inputs:  # the entry of the dict that reaches the model
            b.label = f"{'validation x' if validation else 'x'}[{key!r}]"
    return True


def _adversarial(w: Wrapper, element: Any) -> Tuple[Optional[Tuple[Dict_, Any]], str]:
    """(features, labels) of one dict for AdversarialRegularization."""
    if not isinstance(element, Dict_):
        return None, f"{w.name} takes a dict of features and labels; this is not a known dict"
    keys = w.label_keys
    if keys is None:
        return None, f"the label_keys of {w.name} are not known"
    if w.weight_key == MISSING_KEY:
        return None, f"the sample_weight_key of {w.name} is not known"
    missing = [k for k in keys if k not in element.items]
    if missing:
        return None, f"the dict has no label key {missing[0]!r} (label_keys of {w.name})"
    features = Dict_({k: v for k, v in element.items.items() if k not in keys and k != w.weight_key}, element.origin)
    labels = element.items[keys[0]] if len(keys) == 1 else Seq([element.items[k] for k in keys], "tuple")
    return (features, labels), ""


def _graph(w: Wrapper, x: Any) -> Tuple[Optional[Dict_], str]:
    """The sample features of GraphRegularization's input dict (without the neighbours)."""
    if not isinstance(x, Dict_):
        return None, f"{w.name} takes a dict of sample and neighbour features; this is not a known dict"
    if w.prefix is None:
        return None, f"the neighbour prefix of {w.name} is not known"
    return Dict_({k: v for k, v in x.items.items() if not k.startswith(w.prefix)}, x.origin), ""


def _base_input(base: Model, features: Dict_, kind: str) -> Any:
    """What the base model receives from the feature dict, when known exactly:
    a dict by input name (functional), or one array (Sequential)."""
    if not base.inputs:
        return None
    names = [s.name for s in base.inputs]
    if base.kind == "sequential":
        name = names[0]
        if name is not None and name in features.items and (kind == ADVERSARIAL or len(features.items) == 1):
            return features.items[name]
        if kind == ADVERSARIAL and (name is None or name not in features.items) and len(features.items) == 1:
            return next(iter(features.items.values()))  # flattened: the only feature
        return None
    if any(n is None or n not in features.items for n in names):
        return None
    return Dict_({n: features.items[n] for n in names if n is not None}, features.origin)


def _not_fed(w: Wrapper, features: Dict_) -> Tuple[str, str, Any]:
    """Why the features' way into the base model is not known: (reason, detail, node)."""
    base = w.base
    assert isinstance(base, Model)  # checked before the data is looked at
    if not base.inputs:
        return "model-input-unknown", f"the inputs of the base model of {w.name} were not followed", base.origin.node
    keys = ", ".join(repr(k) for k in features.items) or "none"
    names = ", ".join(repr(s.name) if s.name else "unnamed" for s in base.inputs)
    return ("data-unknown", f"which features reach the base model of {w.name} is not known: feature keys {keys}, "
            f"model inputs {names}", None)


def _entry_node(node: Any, key: Optional[str]) -> Optional[cst.CSTNode]:
    """The value expression of ``key`` in a dict literal, if ``node`` is one."""
    if key is None or type(node) is not cst.Dict:
        return None
    for element in node.elements:
        if type(element) is cst.DictElement and type(element.key) is cst.SimpleString \
                and element.key.evaluated_value == key:
            return element.value
    return None
