"""Dict comprehensions over short literal sequences, run pass by pass like
the list comprehensions of the interpreter: ``{name: keras.Input(name=name,
shape=(1,)) for name in COLUMNS}`` is a dict of one ``Input`` per column
(the named inputs of a model fed a dict of columns)."""
from __future__ import annotations

from typing import Any, Dict

import libcst as cst

from .values import Const, Dict_, Origin, Seq, py


def dict_comp(ip, node: cst.DictComp, env) -> Any:
    """The dict, or None when a clause is not a single ``for`` over a short
    literal sequence, or a key is not a known string."""
    from .interpreter import Env
    from .library import MAX_UNROLL
    comp = node.for_in
    if comp.ifs or comp.inner_for_in is not None or comp.asynchronous is not None:
        return None
    items = ip.ev(comp.iter, env)
    if not isinstance(items, Seq) or len(items.items) > MAX_UNROLL:
        return None
    out: Dict[str, Any] = {}
    for item in items.items:
        scope = Env(env)
        ip.bind(comp.target, item, scope)
        key = py(ip.ev(node.key, scope))
        if not isinstance(key, str):
            return None
        out[key] = ip.ev(node.value, scope)
    return Dict_(out, Origin(node))


def dict_view(d: Dict_, method: str, a) -> Any:
    """``d.values()`` / ``d.keys()`` / ``d.items()`` of a known dict, in
    insertion order, as the list ``list(...)`` makes of it (what
    ``keras.Model(inputs=list(inputs.values()), ...)`` needs)."""
    if a.star or a.pos or a.kw:
        return None
    if method == "values":
        return Seq(list(d.items.values()), "list")
    if method == "keys":
        return Seq([Const(k) for k in d.items], "list")
    return Seq([Seq([Const(k), v], "tuple") for k, v in d.items.items()], "list")
