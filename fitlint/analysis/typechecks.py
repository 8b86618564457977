"""``isinstance(value, classes)`` where the answer is certain.

Trainer and pipeline classes dispatch on the kind of object they are given
(``if not isinstance(self.model, tf.keras.Model): self.model =
self.model.build_model(inputs)``, ``if isinstance(data, (list, tuple)): x, y
= data``). When the analysis knows what the value is, the test is decided
and only the branch Python takes runs (see receivers.constant_test);
otherwise it stays unknown (both branches run and are joined).

What is certain:

- a list or tuple written in the code, or built by ``list()``/``tuple()``
  (a :class:`Seq` that is not an array's ``.shape``, which is a
  ``TensorShape`` for a tensor): an instance of ``list``/``tuple``
  (``(list, tuple)`` together always; one of them alone only for a literal
  of that kind), never of ``dict``, a dataset, a model, a Keras
  ``Sequence``, an array or a string;
- a dict (:class:`Dict_`): ``dict``, never the others;
- an array or tensor: never ``list``/``tuple``/``dict``/``str``, a dataset or
  a model;
- a ``tf.data.Dataset``: ``tf.data.Dataset``, never the others;
- a Keras model: ``keras.Model``, never the others;
- an object of a plain class of the project (bases only project classes,
  ``object`` or ``abc.ABC``): an instance of a project class exactly when
  that class is in its MRO; never of a library class;
- a Python literal: its own type.

Anything else (an unknown value, a class that is not known, an object of a
class with library or unknown bases) is unknown.
"""
from __future__ import annotations

from typing import Any, List, Optional

import libcst as cst

from .names import canonical
from .values import Array, Const, Dataset, Dict_, Model, ModuleRef, Seq

_LIST, _TUPLE, _DICT = "builtins.list", "builtins.tuple", "builtins.dict"
_LIBRARY = {
    "keras.Model": "model", "keras.models.Model": "model", "keras.Sequential": "sequential",
    "keras.models.Sequential": "sequential",
    "tensorflow.data.Dataset": "dataset",
    "keras.utils.Sequence": "sequence", "keras.utils.PyDataset": "sequence",
    "numpy.ndarray": "ndarray", "tensorflow.Tensor": "tensor",
}
_PY = {"builtins.str": str, "builtins.int": int, "builtins.float": float, "builtins.bool": bool,
       "builtins.bytes": bytes}
_PLAIN_BASES = {"builtins.object", "abc.ABC"}


def _classes(value: Any) -> Optional[List[Any]]:
    """The classes of the second argument: canonical library names or
    project classes; None when one is not known."""
    from .objects import UserClass
    items = value.items if isinstance(value, Seq) and value.kind == "tuple" else [value]
    out: List[Any] = []
    for item in items:
        if isinstance(item, UserClass):
            out.append(item)
        elif isinstance(item, ModuleRef):
            name = canonical(item.path)
            if name not in _LIBRARY and name not in _PY and name not in (_LIST, _TUPLE, _DICT):
                return None
            out.append(name)
        else:
            return None
    return out


def _one(value: Any, cls: Any) -> Optional[bool]:
    from .objects import Instance, ModelInstance, UserClass
    if isinstance(cls, UserClass):
        if isinstance(value, Instance) and value.cls is not None and _plain(value.cls):
            return cls in value.cls.mro()
        if isinstance(value, (Seq, Dict_, Array, Dataset, Const)) or (isinstance(value, Model) and not isinstance(
                value, ModelInstance)):
            return False
        return None
    kind = _LIBRARY.get(cls)
    if isinstance(value, Const):
        if cls in _PY:
            return isinstance(value.value, _PY[cls])
        return False if value.value is None or isinstance(value.value, (str, int, float, bytes)) else None
    if isinstance(value, Seq):
        if value.shape_of is not None:
            return None  # an array's .shape: a TensorShape for a tensor
        if cls in (_LIST, _TUPLE):
            literal = value.origin is not None and type(value.origin.node) in (cst.List, cst.Tuple)
            return (value.kind == ("list" if cls == _LIST else "tuple")) if literal else None
        return False
    if isinstance(value, Dict_):
        return cls == _DICT
    if isinstance(value, Array):
        return None if kind in ("ndarray", "tensor") else False
    if isinstance(value, Dataset):
        return kind == "dataset"
    if isinstance(value, Model):
        if kind == "model":
            return True
        if kind == "sequential":
            return value.kind == "sequential" if not isinstance(value, ModelInstance) else None
        return False
    if isinstance(value, Instance) and value.cls is not None and _plain(value.cls):
        return False
    return None


def _plain(cls: Any) -> bool:
    return not cls.unknown_base() and cls.library_bases() <= _PLAIN_BASES and not cls.is_model and not cls.is_layer


def builtin_isinstance(ip, a, node: cst.Call) -> Optional[Const]:
    if a.star or a.kw or len(a.pos) != 2:
        return None
    classes = _classes(a.pos[1])
    if not classes:
        return None
    value = a.pos[0]
    answers = []
    if isinstance(value, Seq) and len([c for c in classes if c in (_LIST, _TUPLE)]) == 2:
        if value.shape_of is None:
            return Const(True)  # a list or a tuple, whichever it is
    for cls in classes:
        answer = _one(value, cls)
        if answer is True:
            return Const(True)
        answers.append(answer)
    return Const(False) if all(x is False for x in answers) else None


def _is_none(value: Any) -> Optional[bool]:
    """Whether a value is ``None``: certain for a literal and for the
    objects the analysis made (an array, a model, a layer...)."""
    from .objects import Instance
    from .values import Layer
    if isinstance(value, Const):
        return value.value is None
    if isinstance(value, (Array, Dataset, Model, Seq, Dict_, Layer, Instance)):
        return False
    return None


def decided(ip, test: cst.BaseExpression, env) -> Optional[bool]:
    """The truth of ``isinstance(...)``, or of ``x is None`` / ``x is not
    None``, as a branch test, or None."""
    if type(test) is cst.Comparison and len(test.comparisons) == 1 and \
            type(test.comparisons[0].operator) in (cst.Is, cst.IsNot) and \
            type(test.comparisons[0].comparator) is cst.Name and test.comparisons[0].comparator.value == "None":
        answer = _is_none(ip.ev(test.left, env))
        if answer is None:
            return None
        return answer if type(test.comparisons[0].operator) is cst.Is else not answer
    if not (type(test) is cst.Call and type(test.func) is cst.Name and test.func.value == "isinstance"):
        return None
    func = ip.ev(test.func, env)
    if not isinstance(func, ModuleRef) or func.path != "builtins.isinstance":
        return None
    value = ip.ev(test, env)
    return value.value if isinstance(value, Const) and isinstance(value.value, bool) else None


CALLS = {"builtins.isinstance": builtin_isinstance}
