"""Renderers of ``fitlint shapes``: a table per model, then the call sites
(text), or one JSON object (see docs/shapes.md)."""
from __future__ import annotations

import json
from typing import List, Optional


def _shape(shape: Optional[list]) -> str:
    if shape is None:
        return "?"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _where(item: dict) -> str:
    cell = f":cell {item['cell']}" if "cell" in item else ""
    return f"{item['path']}{cell}:{item['line']}"


def _table(rows: List[List[str]], indent: str = "  ") -> List[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _model(m: dict) -> List[str]:
    out = [f"Model {m['name']} ({m['kind']}) built at {_where(m)}"]
    rows = [["layer", "type", "line", "output shape"]]
    for i in m["inputs"]:
        note = " (from the data)" if i.get("from_data") else {
            "build": " (model.build)", "call": " (first call)", "data": " (first data)",
            "nested": " (its first layer's)"}.get(i.get("built_by") or "", "")
        rows.append([i["name"] or "input", "Input", "", _shape(i["shape"]) + note])
    if not m["inputs"]:
        rows.append(["input", "Input", "", "? (not declared)"])
    for layer in m["layers"]:
        rows.append([layer["name"] or "", layer["type"] or "(unknown)", str(layer["line"]),
                     _shape(layer["output_shape"])])
    out += _table(rows)
    outs = ", ".join(_shape(o["shape"]) for o in m["outputs"]) or "?"
    loss = m["loss"]
    loss_text = "none seen" if loss is None else f"{loss['source'] or '?'}" + (
        f" ({loss['family']})" if loss["family"] else " (not modelled)")
    out.append(f"  outputs: {outs}    loss: {loss_text}")
    return out


def _call(c: dict) -> List[str]:
    out = [f"{_where(c)}:{c['column']}: {c['method']}  {c['status']}"]
    data = c.get("data") or {}
    for row in data.get("inputs", []):
        if row.get("read_by"):  # a key the model's own step reads from the batch
            cell = f"cell {row['read_cell']}:" if row.get("read_cell") else "line "
            at = f" ({cell}{row['read_at']})" if row.get("read_at") else ""
            out.append(f"    data {row['name']}: {_shape(row['shape'])} {row['dtype'] or ''}".rstrip()
                       + f"  read by {row['read_by']}{at}")
            continue
        out.append(f"    data {row['name']}: {_shape(row['shape'])} {row['dtype'] or ''}".rstrip()
                   + f"  model input {_shape(row['expected'])}")
    labels = c.get("labels") or {}
    for row in labels.get("targets", []):
        rng = f" values {row['range'][0]:g}..{row['range'][1]:g}" if row.get("range") else ""
        out.append(f"    labels {row['name']}: {_shape(row['shape'])}{rng}  output {_shape(row['output'])}"
                   f"  loss {row['loss'] or '?'}")
    for r in c["reasons"]:
        cell = f"cell {r['cell']}:" if "cell" in r else ""
        out.append(f"    {r['reason']} ({cell}{r['line']}): {r['detail']}")
    return out


def render_shapes_text(models: List[dict], calls: List[dict], summary: dict) -> str:
    out: List[str] = []
    for m in models:
        out += _model(m)
        out.append("")
    if calls:
        out.append("Calls:")
        for c in calls:
            out += _call(c)
        out.append("")
    reasons = ", ".join(f"{k} {v}" for k, v in summary["reasons"].items())
    out.append(f"{summary['sites']} call sites: {summary['checked']} checked, {summary['partial']} partial, "
               f"{summary['unknown']} unknown." + (f" Reasons: {reasons}." if reasons else "")
               + (f" Not sites: {summary['delegating']} call(s) of the project's own methods."
                  if summary.get("delegating") else ""))
    return "\n".join(out) + "\n"


def render_shapes_json(models: List[dict], calls: List[dict], summary: dict) -> str:
    return json.dumps({"models": models, "calls": calls, "summary": summary}, indent=2) + "\n"


SHAPE_FORMATS = {"text": render_shapes_text, "json": render_shapes_json}
