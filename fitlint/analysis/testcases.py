"""Test methods of ``unittest.TestCase`` subclasses.

unittest runs each ``test*`` method on a new instance of its class, after
that instance's ``setUp``: a test method run on its own (see
receivers.fresh_self) gets a ``self`` on which the class's ``setUp`` has
run, with the attributes it set (``self.model = build(...)``). No other test
method runs on that instance, so what they assign is not seen there.
"""
from __future__ import annotations

from typing import Any

import libcst as cst

_TESTCASE_BASES = {"unittest.TestCase", "unittest.case.TestCase", "tensorflow.test.TestCase",
                   "absl.testing.absltest.TestCase", "absl.testing.parameterized.TestCase"}


def is_test_method(cls: Any, fn: cst.FunctionDef) -> bool:
    return fn.name.value.startswith("test") and bool(cls.library_bases() & _TESTCASE_BASES) \
        and not cls.unknown_base() and fn.name.value in {m for c in cls.mro() for m in c.methods}


def fresh_test(ip, cls: Any, fn: cst.FunctionDef) -> Any:
    """``self`` for the test method ``fn``: a new instance after ``setUp``."""
    from . import objects
    obj = objects.Instance(cls, ip.depth)
    obj.fresh = True  # type: ignore[attr-defined]
    obj.testcase = True  # type: ignore[attr-defined]  # attributes come from setUp only
    found = cls.lookup("setUp")
    if found is not None and type(found[1]) is cst.FunctionDef:
        objects._run(ip, objects._function(ip, found[0], found[1]), [obj], fn, None)
    return obj
