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

from typing import Any, List, Optional

import libcst as cst

from .values import Dict_, Layer, Origin, Seq, Sym


def unknown_output(obj: Any, inputs: Any, node: cst.Call) -> Optional[Sym]:
    """The output of ``obj(inputs)`` (``obj`` an instance of the file's own
    layer or model class) when ``call`` gave nothing symbolic: a tensor of
    unknown shape, or None when ``call`` is not the class's own (a library
    class that is not modelled)."""
    cls = getattr(obj, "cls", None)
    if cls is None or not (cls.is_layer or cls.is_model):
        return None
    found = cls.lookup("call")
    if found is None or not isinstance(found[1], cst.FunctionDef):
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
