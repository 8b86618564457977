"""What the analysis knows at one position of a file (the editor's hover):

- over a name bound to a model: its static summary, as ``fitlint shapes``
  prints it (inputs, layers with their output shapes, outputs, loss);
- over a name bound to an array, tensor, dataset, list, layer or constant:
  its inferred shape, dtype and value range, and where it was built;
- over a rule code in a ``# noqa`` (or ``# fitlint:``) comment: the rule's
  documentation.

A name evaluated several times (a function called from several places) may
have several values: each distinct description is shown, up to three.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from . import notebook
from .analysis.interpreter import Interpreter
from .analysis import library, parse, project
from .analysis.values import Array, Const, Dataset, Dict_, Frame, Layer, Model, Seq, Sym


@dataclass
class Explanation:
    kind: str  # "model" | "value" | "rule"
    name: str  # the name hovered, or the rule code
    text: str  # Markdown
    line: int  # the span explained, 1-based, end column exclusive (within ``cell`` in a notebook)
    column: int
    end_line: int
    end_column: int
    cell: Optional[int] = None
    data: List[Dict[str, Any]] = field(default_factory=list)  # the facts shown, as JSON-ready dicts


_CODE = re.compile(r"\bFIT\d{3}\b", re.I)
_DIRECTIVE = re.compile(r"#\s*(noqa|fitlint\s*:)", re.I)
MAX_VALUES = 3


def explain(source: Union[bytes, str], path: str, line: int, column: int,
            cell: Optional[int] = None) -> Optional[Explanation]:
    with project.real_trees():  # the nodes under the cursor are found by their places
        return _explain(source, path, line, column, cell)


def _explain(source: Union[bytes, str], path: str, line: int, column: int,
             cell: Optional[int] = None) -> Optional[Explanation]:
    data = source.encode("utf-8") if isinstance(source, str) else source
    starts: Optional[List[Tuple[int, int]]] = None
    shifts: Dict[int, int] = {}
    if path.endswith(".ipynb"):
        try:
            script, starts, shifts = notebook.to_script(data)
        except notebook.NotebookError:
            return None
        first = next((s for s, n in starts if n == cell), None)
        if first is None:
            return None
        at_line = first + line - 1
        at_column = column - shifts.get(at_line, 0)
    else:
        script = data.decode("utf-8", "replace")
        at_line, at_column = line, column
    lines = script.splitlines()
    if not 1 <= at_line <= len(lines):
        return None
    found = _rule_code(lines[at_line - 1], at_column)
    if found is not None:
        return _rule(found[0], line, found[1] + (column - at_column), found[2] + (column - at_column), cell)
    try:
        module = parse.module(script)
    except Exception:  # not Python LibCST reads: nothing is known
        return None
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    target = _name_at(positions, at_line, at_column)
    if target is None:
        return None
    recorder = _Recorder(module, path, target)
    recorder.run()
    values = [v for v in recorder.seen if _known(v)]
    if not values:
        return None
    facts = _Facts(path, module, recorder, starts, shifts)
    pos = positions[target]
    shift = column - at_column
    out = Explanation("value", target.value, "", line, pos.start.column + 1 + shift, line,
                      pos.end.column + 1 + shift, cell)
    models = [v for v in values if isinstance(v, Model)]
    if models:
        out.kind = "model"
        unique = list({id(m): m for m in models}.values())[:MAX_VALUES]
        out.data = [facts.model(m) for m in unique]
        out.text = "\n\n".join(facts.model_text(d) for d in out.data)
        return out
    texts: List[str] = []
    for value in values:
        described = facts.value(value)
        text = _value_text(target.value, described)
        if text not in texts:
            texts.append(text)
            out.data.append(described)
        if len(texts) == MAX_VALUES:
            break
    out.text = "\n\n---\n\n".join(texts)
    return out


# ------------------------------------------------------------ rule codes
def _rule_code(text: str, column: int) -> Optional[Tuple[str, int, int]]:
    """(code, start column, end column) of a rule code under ``column`` in a
    suppression comment of the line."""
    directive = _DIRECTIVE.search(text)
    if directive is None:
        return None
    for match in _CODE.finditer(text, directive.start()):
        if match.start() + 1 <= column <= match.end():
            return match.group(0).upper(), match.start() + 1, match.end() + 1
    return None


def _rule(code: str, line: int, column: int, end_column: int, cell: Optional[int]) -> Optional[Explanation]:
    from .output.review import help_uri
    from .rules import lookup

    rule = lookup(code)
    if rule is None:
        return None
    off = "" if rule.default else ", off by default"
    text = (f"**{rule.code} {rule.name}** ({rule.severity}{off})\n\n{rule.summary}\n\n{rule.doc()}\n\n"
            f"[{rule.code} in the rules documentation]({help_uri(rule)})")
    return Explanation("rule", rule.code, text, line, column, line, end_column, cell,
                       [{"code": rule.code, "name": rule.name, "severity": rule.severity, "url": help_uri(rule)}])


# ------------------------------------------------------------ the name
def _name_at(positions: Any, line: int, column: int) -> Optional[cst.Name]:
    best = None
    for node, pos in positions.items():
        if type(node) is not cst.Name:
            continue
        if pos.start.line == line and pos.start.column + 1 <= column <= pos.end.column:
            best = node
    return best


class _Recorder(Interpreter):
    """The interpreter, noting every value one Name node evaluates to or is
    bound to."""

    def __init__(self, module: cst.Module, path: str, target: cst.Name) -> None:
        super().__init__(module, path)
        self.target = target
        self.seen: List[Any] = []

    def ev(self, node: cst.BaseExpression, env: Any) -> Any:
        value = super().ev(node, env)
        if node is self.target:
            self.seen.append(value)
        return value

    def bind(self, target: cst.CSTNode, value: Any, env: Any) -> None:
        if target is self.target:
            self.seen.append(value)
        super().bind(target, value, env)


def _known(value: Any) -> bool:
    return isinstance(value, (Model, Array, Dataset, Sym, Layer, Seq, Dict_, Frame, Const))


# ------------------------------------------------------------ describing
class _Facts:
    def __init__(self, path: str, module: cst.Module, recorder: _Recorder, starts, shifts) -> None:
        self.path, self.module, self.recorder = path, module, recorder
        self.starts, self.shifts = starts, shifts
        self._file: Any = None

    @property
    def file(self) -> Any:
        if self._file is None:
            from .analysis import walk
            from .shapes import _File, _Syntax

            syntax = _Syntax()
            walk.visit(self.module, syntax)
            self._file = _File(self.path, self.module, self.recorder.facts, syntax, self.starts, self.shifts)
        return self._file

    def model(self, model: Model) -> dict:
        from .shapes import model_summary

        return model_summary(self.file, model)

    def model_text(self, summary: dict) -> str:
        from .output.shapes import _model

        return "```text\n" + "\n".join(_model(summary)) + "\n```"

    def where(self, value: Any) -> Optional[dict]:
        origin = getattr(value, "origin", None)
        if origin is None or origin.node is None:
            return None
        if self.file.positions.get(origin.node) is None:
            return None  # built in another module
        out = self.file.where(origin.node)
        out["source"] = self.file.src(origin.node)
        return out

    def value(self, value: Any) -> dict:
        out = _describe(value)
        where = self.where(value)
        if where is not None:
            out["built"] = where
        return out


def _shape(shape: Any) -> Optional[list]:
    return None if shape is None else list(shape)


def _describe(value: Any, depth: int = 0) -> dict:
    if isinstance(value, Array):
        return {"kind": "tensor" if value.tensor else "array", "shape": _shape(value.shape), "dtype": value.dtype,
                "range": [value.lo, value.hi] if value.lo is not None and value.hi is not None else None,
                "one_hot": value.onehot}
    if isinstance(value, Sym):
        return {"kind": "keras tensor", "shape": _shape(value.shape), "dtype": value.dtype,
                "layer": value.layer.kind if value.layer is not None else ("Input" if value.is_input else None)}
    if isinstance(value, Dataset):
        return {"kind": "dataset", "batched": value.batched,
                "element": _describe(value.element, depth + 1) if depth < 3 else None}
    if isinstance(value, Seq):
        items = [_describe(v, depth + 1) for v in value.items[:8]] if depth < 3 else []
        return {"kind": value.kind, "length": len(value.items), "items": items}
    if isinstance(value, Dict_):
        return {"kind": "dict", "items": {k: _describe(v, depth + 1) for k, v in list(value.items.items())[:8]}
                if depth < 3 else {}}
    if isinstance(value, Layer):
        return {"kind": "layer", "type": value.kind if value.kind != "?" else None, "name": value.name}
    if isinstance(value, Frame):
        return {"kind": "DataFrame" if value.ndim == 2 else "Series"}
    if isinstance(value, Const):
        return {"kind": "constant", "value": value.value if isinstance(value.value, (int, float, str, bool))
                or value.value is None else repr(value.value)}
    family = library.loss_family(value) if value is not None else None
    return {"kind": "loss", "family": family} if family else {"kind": "unknown"}


def _shape_text(shape: Optional[list]) -> str:
    from .output.shapes import _shape as rendered

    return rendered(shape)


def _summary(d: dict) -> str:
    kind = d["kind"]
    if kind in ("array", "tensor", "keras tensor"):
        parts = [f"{kind} {_shape_text(d['shape'])}"]
        if d.get("dtype"):
            parts.append(d["dtype"])
        if d.get("range"):
            lo, hi = d["range"]
            parts.append(f"values {lo:g}..{hi:g}")
        if d.get("one_hot"):
            parts.append("one-hot")
        if d.get("layer"):
            parts.append(f"from {d['layer']}")
        return ", ".join(parts)
    if kind == "dataset":
        element = _summary(d["element"]) if d.get("element") else "?"
        return f"dataset of {element}" + ("" if d["batched"] else " (not batched)")
    if kind in ("tuple", "list"):
        inner = "; ".join(_summary(i) for i in d["items"])
        more = ", ..." if d["length"] > len(d["items"]) else ""
        return f"{kind} of {d['length']}: ({inner}{more})"
    if kind == "dict":
        return "dict {" + "; ".join(f"{k!r}: {_summary(v)}" for k, v in d["items"].items()) + "}"
    if kind == "layer":
        return f"layer {d['type'] or '(unknown type)'}" + (f" named {d['name']!r}" if d.get("name") else "")
    if kind == "constant":
        return f"constant {d['value']!r}"
    if kind == "loss":
        return f"loss ({d['family']})"
    if kind in ("DataFrame", "Series"):
        return f"pandas {kind}"
    return "unknown"


def _value_text(name: str, d: dict) -> str:
    text = f"`{name}`: {_summary(d)}"
    built = d.get("built")
    if built is not None:
        cell = f"cell {built['cell']}, " if "cell" in built else ""
        text += f"\n\nbuilt at {cell}line {built['line']}: `{built['source']}`"
    return text
