"""Declared library knowledge wins over a project's own implementation of it.

A project that contains a library fitlint models as data (the repository of
Neural Structured Learning holds ``neural_structured_learning`` itself, and
its tests and examples import it from there) would otherwise have its
imports followed into the library's own source: the interpreter would run
``AdversarialRegularization.call`` on the data and give up. A name a
project module exports whose full dotted name (module name, from the
package folders it is in, then the name) is declared library knowledge is
that library object instead (a ``ModuleRef``), exactly as if it were
imported from the installed library.
"""
from __future__ import annotations

from typing import Any, Dict

from . import wrappers
from .values import ModuleRef


def is_declared(path: str) -> bool:
    """Whether the dotted ``path`` names an object fitlint declares."""
    return wrappers.canonical(path) is not None


def substitute(module: str, exports: Dict[str, Any]) -> None:
    """Replace, in the ``exports`` of the project module named ``module``,
    each name declared as library knowledge by the library's object."""
    if not module:
        return
    for name in exports:
        path = f"{module}.{name}"
        if is_declared(path):
            exports[name] = ModuleRef(path)
