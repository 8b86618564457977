"""Star arguments of calls to the project's own functions.

- ``f(*items)`` / ``f(**options)``, ``f`` a function or class of the project, where ``items`` is a tuple or list and
  ``options`` a dict the analysis knows whole (its length, its keys): the
  call passes those items as Python spreads them, and is followed like one
  written out. Anything else leaves the call's arguments unknown (``star``).
- ``def f(a, *args, **kwargs)`` called without star arguments: ``args`` is
  the tuple of the extra positional arguments, ``kwargs`` the dict of the
  keywords no named parameter takes (empty when there are none), as Python
  binds them; ``super().__init__(model, **kwargs)`` and ``for key, value in
  kwargs.items(): setattr(self, key, value)`` then pass on exactly those.
"""
from __future__ import annotations

from typing import Any

import libcst as cst

from .values import Dict_, Seq


def project_code(func: Any) -> bool:
    """A function, bound method or class of the project (library calls keep
    star arguments unknown: their signatures are bound as written)."""
    from .objects import BoundMethod, UserClass
    return type(func).__name__ == "UserFunction" or isinstance(func, (BoundMethod, UserClass))


def spread(args: Any, arg: cst.Arg, value: Any) -> bool:
    """Add the items of ``*value`` / ``**value`` to ``args``; False (nothing
    added) when they are not known whole."""
    if arg.star == "*" and isinstance(value, Seq) and value.shape_of is None:
        for item in value.items:
            args.pos.append(item)
            args.pos_nodes.append(arg.value)
        return True
    if arg.star == "**" and isinstance(value, Dict_) and all(isinstance(k, str) for k in value.items):
        for key, item in value.items.items():
            args.kw[key] = item
            args.kw_nodes[key] = arg.value
        return True
    return False


def bind_rest(env: Any, params: cst.Parameters, args: Any) -> None:
    star, starstar = params.star_arg, params.star_kwarg
    if type(star) is cst.Param:
        named = len(params.posonly_params) + len(params.params)
        env.assign(star.name.value, None if args.star else Seq(list(args.pos[named:]), "tuple"))
    if type(starstar) is cst.Param:
        if args.star:
            env.assign(starstar.name.value, None)
            return
        taken = {p.name.value for p in list(params.params) + list(params.kwonly_params)}
        env.assign(starstar.name.value, Dict_({k: v for k, v in args.kw.items() if k not in taken}))

