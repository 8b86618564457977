"""``fitlint shapes``: what the analysis knows about each model and about
every fit-family call site of a file.

A *site* is one syntactic call ``X.<method>(...)`` of a fit-family method
(see ``SITE_METHODS``) in a file that imports TensorFlow or Keras, whatever
``X`` is. The analysis may evaluate a site several times (a function
inlined from several calls) or never; each evaluation is a *visit*. A site
is reported once, from its best visit (the one where the most contracts were
compared; the first such one in analysis order).

Status, from exactly what the rules compare (``input_compared`` in
rules/inputs.py and ``target_compared`` in rules/labels.py):

- the *input contract* is compared when every model input gets data and
  each pair is compared;
- the *label contract* is compared when every model output has labels and
  each is compared; ``predict`` calls have no label contract;
- ``checked``: every contract of the call was compared; ``partial``: one of
  the two; ``unknown``: none;
- ``delegates``: not a Keras call but a project class's own method of that
  name (see ``_delegates``): listed, counted in ``summary.delegating``, not
  a site.

Reasons (see ``REASONS``) say why a contract was not compared, each with
the location of the expression the analysis could not follow.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from . import notebook
from .analysis import layers as L
from .analysis import library
from .analysis import batches, objects, parse, project, walk
from .analysis.facts import DataCall, Facts
from .analysis.interpreter import SITE_METHODS, analyze
from .analysis.values import Array, Dataset, Dict_, Frame, Model, Seq
from .analysis.wrappers import Wrapper
from .engine import no_cycle_collection, set_aside
from .positions import Positions
from .rules.inputs import input_compared
from .rules.labels import target_compared

# The reason vocabulary (docs/shapes.md explains each one).
REASONS = {
    "file-unparsed": "the file could not be parsed, so nothing in it was analysed",
    "not-reached": "the analysis never evaluates this code (an f-string, lambda, comprehension, ...)",
    "receiver-unknown": "the object whose method is called is not known as a Keras model",
    "reloaded-from-disk": "the model is loaded from a file (load_model, model_from_json, tf.saved_model.load...)",
    "third-party-model": "the object comes from a package fitlint does not model (named in the detail)",
    "project-object": "the object is the project's own (not a Keras model): its method is the project's code",
    "model-input-unknown": "the model is known but the shape of an input is not",
    "model-output-unknown": "the model is known but the shape of an output is not",
    "loss-unknown": "no loss known for the model at this call (not compiled here, or an unmodelled loss)",
    "data-unknown": "the shape of the data (x) is not known",
    "dataset-element-unknown": "the data is a tf.data.Dataset whose element structure or shapes are lost",
    "dataset-unbatched": "the data is a dataset without .batch(): only its rank is looked at",
    "generator-data": "the data comes from a Python generator or a *_generator method",
    "labels-unknown": "the shape (or, for a sparse loss, the range) of the labels (y) is not known",
    "not-compared": "both ends are known but no rule compares this combination",
    "no-label-contract": "the model's own training step (train_step, compute_loss) decides what the labels meet",
    "budget-exceeded": "a call was not followed because an analysis limit was reached",
    "data-from-files": "the data's shape, classes or columns depend on files on disk (a directory's class folders, "
                       "an image's size, a CSV file's columns), which are never read",
}
LOADERS = {"load_model", "model_from_json", "model_from_yaml", "model_from_config", "load", "clone_model"}
_FRAMEWORKS = {"tensorflow", "keras", "tf_keras"}
_PREDICT = {"predict", "predict_on_batch", "predict_generator"}
_IMPORT_RE = re.compile(rb"^[ \t]*(?:import|from)[ \t]+(?:tensorflow|keras|tf_keras)\b", re.M)
_SITE_RE = re.compile(r"\.\s*(" + "|".join(sorted(SITE_METHODS)) + r")\s*\(")


@dataclass
class FileShapes:
    path: str
    models: List[dict] = field(default_factory=list)
    calls: List[dict] = field(default_factory=list)
    error: Optional[str] = None
    direct: bool = False  # imports TensorFlow or Keras itself
    imports: List[str] = field(default_factory=list)  # modules it imports (".x" when relative)
    # visits of sites in other files (code of an imported module this file runs): real path -> entries
    elsewhere: Dict[str, List[dict]] = field(default_factory=dict)


_IMPORTS_RE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w., \t]+)|import[ \t]+([\w., \t]+))", re.M)


def _imports(text: str) -> List[str]:
    """The modules a file imports, from its text: ``import a.b`` gives
    ``a.b``; ``from .m import f, g`` gives ``.m``, ``.m.f`` and ``.m.g``."""
    out: List[str] = []
    for base, names, plain in _IMPORTS_RE.findall(text):
        if plain:
            out += [n.split(" as ")[0].strip() for n in plain.split(",") if n.strip()]
            continue
        out.append(base)
        for name in names.split(","):
            name = name.split(" as ")[0].strip()
            if name and name != "*":
                out.append(base + name if base.endswith(".") else f"{base}.{name}")
    return [m for m in out if m.strip(".")]


def _resolve(path: str, module: str, files: set) -> Optional[str]:
    """The analysed file an import names, if any: relative to the file's
    package for ``.m``, else under the file's folder or one of its parents
    (a sibling module, or a package of the project)."""
    folder = os.path.dirname(os.path.abspath(path))
    dots = len(module) - len(module.lstrip("."))
    parts = module.lstrip(".").split(".")
    if dots:
        for _ in range(dots - 1):
            folder = os.path.dirname(folder)
        bases = [folder]
    else:
        bases = []
        while True:
            bases.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    for base in bases:
        stem = os.path.join(base, *parts)
        for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
            if candidate in files:
                return candidate
    return None


def using_framework(results: Sequence[FileShapes]) -> set:
    """The files that use TensorFlow or Keras: those importing it, and those
    importing (directly or not) an analysed module that does."""
    files = {os.path.abspath(r.path): r for r in results}
    edges = {key: [m for m in (_resolve(key, i, set(files)) for i in r.imports) if m] for key, r in files.items()}
    using = {key for key, r in files.items() if r.direct}
    changed = True
    while changed:
        changed = False
        for key, targets in edges.items():
            if key not in using and any(t in using for t in targets):
                using.add(key)
                changed = True
    return {files[k].path for k in using}


# ----------------------------------------------------------------- syntax
def _dotted(node: Any) -> Optional[str]:
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


class _Scope:
    """The names a module or function binds itself (not in nested definitions)."""

    def __init__(self, node: Any, name: str, parent: Optional["_Scope"]) -> None:
        self.node, self.name, self.parent = node, name, parent
        self.bindings: Dict[str, List[Tuple[str, Any, Any]]] = {}  # name -> [(kind, value, where)]

    def add(self, name: str, kind: str, value: Any, where: Any) -> None:
        self.bindings.setdefault(name, []).append((kind, value, where))


class _Syntax(walk.Visitor):
    """One walk: sites, scopes and their bindings, classes, functions, imports."""

    def __init__(self) -> None:
        self.sites: List[Tuple[cst.Call, _Scope]] = []
        self.uses_framework = False
        self.classes: Dict[str, cst.ClassDef] = {}
        self.functions: Dict[str, cst.FunctionDef] = {}
        self.test_classes: set = set()
        self.names: Dict[cst.CSTNode, str] = {}  # value of an assignment -> its target's source
        self.module_scope: Optional[_Scope] = None
        self.scopes: List[_Scope] = []
        self.class_stack: List[cst.ClassDef] = []
        self.opaque: List[str] = []
        self.inside: Dict[cst.Call, str] = {}  # site -> the construct around it the interpreter does not evaluate

    def visit_Module(self, node: cst.Module) -> None:
        self.module_scope = _Scope(node, "<module>", None)
        self.scopes.append(self.module_scope)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name) or ""
            if dotted.split(".")[0] in _FRAMEWORKS:
                self.uses_framework = True
            target = alias.asname.name.value if alias.asname and type(alias.asname.name) is cst.Name \
                else dotted.split(".")[0]
            self.scopes[-1].add(target, "import", dotted, node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = _dotted(node.module) if node.module is not None else ""
        base = "." * len(node.relative) + (base or "")
        if base.split(".")[0] in _FRAMEWORKS:
            self.uses_framework = True
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = _dotted(alias.name) or ""
            target = alias.asname.name.value if alias.asname and type(alias.asname.name) is cst.Name else name
            self.scopes[-1].add(target, "import", f"{base}.{name}", node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes[-1].add(node.name.value, "class", node, node)
        self.classes.setdefault(node.name.value, node)
        for base in node.bases:
            dotted = _dotted(base.value) or ""
            if dotted.endswith("TestCase") or dotted in self.test_classes:
                self.test_classes.add(node.name.value)
        self.class_stack.append(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes[-1].add(node.name.value, "function", node, node)
        self.functions.setdefault(node.name.value, node)
        scope = _Scope(node, node.name.value, self.scopes[-1])
        params = node.params
        for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params):
            scope.add(p.name.value, "parameter", None, p)
        for star in (params.star_arg, params.star_kwarg):
            if type(star) is cst.Param:
                scope.add(star.name.value, "parameter", None, star)
        scope.in_class = self.class_stack[-1] if self.class_stack else None  # type: ignore[attr-defined]
        self.scopes.append(scope)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def _targets(self, target: Any, kind: str, value: Any, where: Any) -> None:
        if type(target) is cst.Name:
            self.scopes[-1].add(target.value, kind, value, where)
        elif type(target) in (cst.Tuple, cst.List):
            for element in target.elements:
                self._targets(element.value, "unpacked" if kind == "assign" else kind, value, where)

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._targets(t.target, "assign", node.value, node)
            if type(t.target) in (cst.Name, cst.Attribute):
                self.names.setdefault(node.value, _dotted(t.target) or "")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._targets(node.target, "assign", node.value, node)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target, "loop", node.iter, node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name, "with", node.item, node)

    # Expressions the interpreter does not evaluate: a site inside one is not reached.
    _OPAQUE = {cst.FormattedString: "an f-string", cst.Lambda: "a lambda", cst.ListComp: "a comprehension",
               cst.SetComp: "a comprehension", cst.DictComp: "a comprehension", cst.GeneratorExp: "a generator expression"}

    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = self._OPAQUE.get(type(node))
        if kind is not None:
            self.opaque.append(kind)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if type(original_node) in self._OPAQUE:
            self.opaque.pop()
        super().on_leave(original_node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if type(func) is cst.Attribute and func.attr.value in SITE_METHODS:
            receiver = func.value
            own = (type(receiver) is cst.Name and receiver.value == "self") or (
                type(receiver) is cst.Call and _dotted(receiver.func) == "super")
            if func.attr.value == "evaluate" and own and self.class_stack and \
                    self.class_stack[-1].name.value in self.test_classes:
                return  # tf.test.TestCase.evaluate runs tensors, not a model
            self.sites.append((node, self.scopes[-1]))
            if self.opaque:
                self.inside[node] = self.opaque[-1]


def _is_generator(fn: cst.FunctionDef) -> bool:
    """Whether ``yield`` is in the function (not in a function or lambda in it)."""
    todo: List[cst.CSTNode] = [fn]
    while todo:
        node = todo.pop()
        kind = type(node)
        if kind is cst.Yield:
            return True
        if (kind is cst.FunctionDef and node is not fn) or kind is cst.Lambda:
            continue
        todo.extend(walk.children(node))
    return False


# ---------------------------------------------------------------- a file
# The walk and the positions of project modules other files ran code of, by
# the identity of their parse (kept by project.py while their text is the
# same): the modules a project's files all import are walked once a run.
_WALKED: "Dict[int, Tuple[cst.Module, _Syntax, Positions]]" = {}
_MAX_WALKED = 64


def _walked(module: cst.Module) -> Tuple["_Syntax", Positions]:
    found = _WALKED.get(id(module))
    if found is None or found[0] is not module:
        syntax = _Syntax()
        walk.visit(module, syntax)
        found = (module, syntax, Positions(module))
        _WALKED.pop(id(module), None)
        _WALKED[id(module)] = found
        while len(_WALKED) > _MAX_WALKED:
            _WALKED.pop(next(iter(_WALKED)))
    return found[1], found[2]


class _File:
    def __init__(self, path: str, module: cst.Module, facts: Facts, syntax: _Syntax,
                 starts=None, shifts=None, positions: Optional[Positions] = None) -> None:
        self.path, self.module, self.facts, self.syntax = path, module, facts, syntax
        self.starts, self.shifts = starts, shifts
        # each top-level statement placed when a node in it is asked for
        self.positions = positions if positions is not None else Positions(module)
        self.budget = set(facts.budget)
        self.from_files = set(facts.from_files)
        self.real: Optional[str] = None
        self.others: Dict[str, "_File"] = {}  # real path -> the other module, seen from this analysis

    def other(self, node: Any) -> "_File":
        """The file (this one, or a module of the project this analysis
        ran code of) whose syntax holds ``node``."""
        if node is None or node in self.positions:
            return self
        found = project.holder(node, skip=self.module)
        if found is None:
            return self
        real, entry = found
        known = self.others.get(real)
        if known is None:
            assert entry.module is not None  # holder only finds parsed modules
            syntax, positions = _walked(entry.module)
            known = _File(project.display_path(self.path, real), entry.module, self.facts, syntax,
                          positions=positions)
            known.real, known.others = real, self.others
            self.others[real] = known
        return known

    def src(self, node: Any, limit: int = 60) -> str:
        text = re.sub(r"\s+", " ", self.module.code_for_node(node)).strip()
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def where(self, node: Any) -> dict:
        """path, line (and cell in a notebook) of a node; column when asked."""
        if node is not None and node not in self.positions:
            elsewhere = self.other(node)
            if elsewhere is not self:
                return elsewhere.where(node)
        pos = self.positions.get(node) if node is not None else None
        line, column = (pos.start.line, pos.start.column + 1) if pos is not None else (1, 1)
        out = {"path": self.path, "line": line}
        if self.starts is not None:
            column += self.shifts.get(line, 0)
            out["cell"], out["line"] = notebook.locate(line, self.starts)
        out["column"] = column
        return out

    def reason(self, reason: str, node: Any, detail: str) -> dict:
        loc = self.where(node)
        loc.pop("column", None)
        out = {"reason": reason, "path": loc["path"], "line": loc["line"]}
        if "cell" in loc:
            out["cell"] = loc["cell"]
        out["detail"] = detail
        return out

    # -------------------------------------------------- following a name
    def binding(self, name: str, scope: Optional[_Scope], node: Any):
        """The binding of ``name`` seen from ``scope`` at ``node``: the last
        one before it in the innermost scope binding it (or that scope's
        last one), with how many bindings that scope has, and the scope."""
        while scope is not None:
            found = scope.bindings.get(name)
            if found:
                before = [b for b in found if self._before(b[2], node)]
                return (before or found)[-1], len(found), scope
            scope = scope.parent
        return None, 0, None

    def _before(self, a: Any, b: Any) -> bool:
        pa, pb = self.positions.get(a), self.positions.get(b)
        return pa is not None and pb is not None and (pa.start.line, pa.start.column) < (pb.start.line, pb.start.column)

    def explain(self, expr: Any, scope: Optional[_Scope], depth: int = 0) -> Tuple[str, Any, str]:
        """(reason, node, detail) for an expression whose value is unknown:
        how it was built, as far as the syntax says."""
        if type(expr) is cst.Name:
            found, count, where = self.binding(expr.value, scope, expr)
            if found is None:
                return "", expr, f"name {expr.value} is not bound in this file"
            kind, value, node = found
            several = f" (bound {count} times)" if count > 1 else ""
            if kind == "parameter":
                return "", node, f"parameter {expr.value} of function {where.name}{several}"
            if kind == "import":
                return "", node, f"imported {value}"
            if kind == "loop":
                return "", node, f"loop variable {expr.value} over {self.src(value, 40)}"
            if kind == "with":
                return "", node, f"bound by with {self.src(value, 40)}"
            if kind in ("class", "function"):
                return "", node, f"{kind} {expr.value} defined in this file"
            if kind == "unpacked":
                reason, _, detail = self.describe(value, scope)
                return reason, node, f"unpacked from {detail}{several}"
            if depth < 3 and type(value) is cst.Name and value.value != expr.value:
                reason, at, detail = self.explain(value, scope, depth + 1)
                return reason, at, detail
            reason, _, detail = self.describe(value, scope)
            return reason, node, detail + several
        return self.describe(expr, scope)

    def third_party(self, origin: str) -> Optional[str]:
        """The top package of an imported name when it is neither the
        project's own module, a library fitlint models, nor the standard
        library; else None."""
        top = origin.split(".")[0]
        if not top or origin.startswith(".") or top in _FRAMEWORKS or top in project.LIBRARY_TOPS or \
                top in project.STDLIB:
            return None
        if os.path.isfile(self.path) and project.resolve(os.path.realpath(self.path), top, 0) is not None:
            return None
        return top

    def describe(self, value: Any, scope: Optional[_Scope], depth: int = 0) -> Tuple[str, Any, str]:
        if type(value) is cst.Call:
            reason = "budget-exceeded" if value in self.budget else "data-from-files" if value in self.from_files else ""
            callee = _dotted(value.func)
            if callee is None:
                return reason, value, f"returned by {self.src(value.func, 40)}"
            last = callee.rsplit(".", 1)[-1]
            head = callee.split(".")[0]
            found, _, _ = self.binding(head, scope, value)
            if last in LOADERS and callee != last or (found and found[0] == "import" and last in LOADERS):
                return reason or "reloaded-from-disk", value, f"reloaded from disk by {callee}"
            if found and found[0] == "class" and callee == head:
                cls = found[1]
                bases = [_dotted(b.value) or "?" for b in cls.bases]
                kind = " (a Model subclass)" if any(b.endswith("Model") for b in bases) else \
                    f" (bases: {', '.join(bases)})" if bases else ""
                if not [b for b in bases if b != "object"]:
                    return reason or "project-object", value, \
                        f"instance of class {callee} defined in this file, a plain class (not a Keras model)"
                return reason, value, f"instance of class {callee} defined in this file{kind}"
            if found and found[0] == "function" and callee == head:
                if _is_generator(found[1]):
                    return "generator-data", value, f"Python generator {callee} defined in this file"
                return reason, value, f"returned by function {callee} defined in this file"
            if found and found[0] == "import":
                origin = found[1] + callee[len(head):]
                package = self.third_party(origin)
                if package:
                    return reason or "third-party-model", value, \
                        f"returned by {callee} (imported: {origin}), from package {package}, which fitlint does not model"
                return reason, value, f"returned by {callee} (imported: {origin})"
            if found and found[0] == "parameter":
                return reason, value, f"returned by {callee} (a parameter)"
            if found and found[0] == "assign" and type(found[1]) is cst.Call and callee != head and depth < 3:
                # a method of an object a third-party package made (``endpoint = m.deploy()``)
                why, _, _ = self.describe(found[1], scope, depth + 1)
                if why == "third-party-model":
                    package = self.third_party(_dotted(found[1].func) or "") or ""
                    inner = _dotted(found[1].func) or ""
                    top = self.binding(inner.split(".")[0], scope, found[1])[0] if inner else None
                    origin = top[1] if top and top[0] == "import" else package
                    return reason or "third-party-model", value, \
                        f"returned by {callee}, a method of an object made by {inner} (from package " \
                        f"{self.third_party(origin) or origin.split('.')[0]}, which fitlint does not model)"
            if head == "self":
                return reason, value, f"returned by method {callee}"
            return reason, value, f"returned by {callee}"
        if type(value) is cst.Attribute:
            dotted = _dotted(value)
            return "", value, f"attribute {dotted or self.src(value, 40)}"
        if type(value) is cst.Subscript:
            return "", value, f"item of {self.src(value.value, 40)}"
        return "", value, f"expression {self.src(value, 40)}"


# ---------------------------------------------------------- JSON pieces
def _shape(shape: Any) -> Optional[list]:
    return None if shape is None else list(shape)


def _array(value: Any) -> dict:
    if isinstance(value, Array):
        out: dict = {"shape": _shape(value.shape), "dtype": value.dtype}
        out["range"] = [value.lo, value.hi] if value.lo is not None and value.hi is not None else None
        return out
    return {"shape": None, "dtype": None, "range": None}


def _kind(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, Frame):
        return "a pandas " + ("DataFrame" if value.ndim == 2 else "Series")
    return {Seq: "a list or tuple", Dict_: "a dict", Dataset: "a dataset", Array: "an array"}.get(type(value),
                                                                                              type(value).__name__)


def _loss(file: _File, model: Model) -> Optional[dict]:
    if model.loss_origin is None and model.loss is None:
        return None
    source = file.src(model.loss_origin.node) if model.loss_origin is not None else None
    return {"source": source, "family": library.loss_family(model.loss)}


def _model_name(file: _File, model: Model) -> str:
    name = file.syntax.names.get(model.origin.node)
    if name:
        return name
    return f"model at line {file.where(model.origin.node)['line']}"


def _layer_row(file: _File, layer: Any, shape: Any) -> dict:
    loc = file.where(layer.origin.node)
    return {"name": layer.name, "type": layer.kind if layer.kind != "?" else None, "line": loc["line"],
            "output_shape": _shape(shape)}


def model_summary(file: _File, model: Model) -> dict:
    file = file.other(model.origin.node)
    loc = file.where(model.origin.node)
    out: dict = {"name": _model_name(file, model), "path": file.path, "line": loc["line"]}
    if "cell" in loc:
        out["cell"] = loc["cell"]
    out["kind"] = model.kind
    out["inputs"] = [{"name": s.name, "shape": _shape(s.shape), "dtype": s.dtype} for s in model.inputs]
    for row, s in zip(out["inputs"], model.inputs):
        if s.declared_by is not None:  # not an Input: taken on when built (see analysis/models.py)
            row["built_by"] = s.declared_by.replace("-subclassed", "")
    layers: List[dict] = []
    outputs: List[dict] = []
    if model.kind == "sequential":
        shape = model.inputs[0].shape if model.inputs else None
        if shape is None:  # traced from the first data that reached it
            uses = [u for u in file.facts.layer_uses if u.model is model]
            shape = uses[0].shapes[0] if uses else None
            if shape is not None:
                out["inputs"] = [{"name": None, "shape": _shape(shape), "dtype": None, "from_data": True}]
        for layer in model.layers:
            shape = L.output_shape(layer, shape) if shape is not None and layer.kind != "?" else None
            layers.append(_layer_row(file, layer, shape))
        if model.layers and model.exact:
            outputs = [{"name": model.layers[-1].name, "shape": _shape(shape)}]
    else:
        seen: set = set()
        todo = list(model.inputs)
        rows: List[Tuple[int, int, dict]] = []
        while todo:
            sym = todo.pop()
            for layer, result in sym.consumers:
                if id(result) in seen:
                    continue
                seen.add(id(result))
                rows.append((file.where(result.origin.node)["line"], len(rows), _layer_row(file, layer, result.shape)))
                todo.append(result)
        layers = [r for _, _, r in sorted(rows, key=lambda r: (r[0], r[1]))]
        names = model.output_names or [None] * len(model.outputs)
        outputs = [{"name": names[k] if k < len(names) else None, "shape": _shape(s.shape)}
                   for k, s in enumerate(model.outputs)]
    out["layers"] = layers
    out["outputs"] = outputs
    out["loss"] = _loss(file, model)
    return out


# ------------------------------------------------------------ one site
def _visit(file: _File, call: cst.Call, scope: _Scope, method: str,
           receivers: List[Any], data_calls: List[DataCall]) -> Tuple[int, dict, Optional[dict], List[dict]]:
    """The best visit: (contracts compared, data, labels, reasons)."""
    func = call.func
    assert type(func) is cst.Attribute  # a site calls a method (_Syntax.visit_Call)
    if not receivers:
        inside = file.syntax.inside.get(call)
        detail = f"inside {inside}, which the analysis does not evaluate" if inside else \
            "not evaluated on any path the analysis followed"
        return 0, {}, {}, [file.reason("not-reached", call, detail)]
    wrapped = [r.value for r in receivers if isinstance(r.value, Wrapper)]
    if wrapped and not [c for c in data_calls if not c.validation]:
        reason, detail, node = wrapped[0].skipped.get(call, (
            "data-unknown", f"the data does not reach the base model of {wrapped[0].name} on any path followed", None))
        if not detail and node is not None:
            why, node, detail = file.explain(node, scope)
            reason = why or reason
        return 0, {}, {}, [file.reason(reason, node if node is not None else call, detail)]
    if not any(isinstance(r.value, Model) or isinstance(r.value, Wrapper) for r in receivers):
        reason, node, detail = file.explain(func.value, scope)
        if reason == "generator-data":
            reason = ""
        return 0, {}, {}, [file.reason(reason or "receiver-unknown", node, detail)]
    main = [c for c in data_calls if not c.validation]
    if not main:
        if method.endswith("_generator"):
            return 0, {}, {}, [file.reason("generator-data", call, f"model.{method}: generator data is not followed")]
        if any(r.guarded for r in receivers):
            detail = "inside a with block that expects an exception"
        else:
            detail = "data given only through *args"
        return 0, {}, {}, [file.reason("data-unknown", call, detail)]
    best = None
    for dc in main:
        scored = _score(file, dc, scope, method)
        if best is None or scored[0] > best[0]:
            best = scored
    assert best is not None  # main is not empty
    return best


def _score(file: _File, dc: DataCall, scope: _Scope, method: str) -> Tuple[int, dict, Optional[dict], List[dict]]:
    model = dc.model
    reasons: List[dict] = []
    # ----- the input contract
    data_rows = []
    for b in dc.inputs:
        row: Dict[str, Any] = {"name": b.label, "expected": _shape(b.input.shape) if b.input is not None else None}
        row.update(_array(b.value))
        built = getattr(b.value, "origin", None)
        if built is not None:
            row["built"] = file.where(built.node)["line"]
        row["compared"] = input_compared(dc, b)
        data_rows.append(row)
    inputs_ok = bool(dc.inputs) and all(r["compared"] for r in data_rows) and (
        not model.inputs or len(dc.inputs) == len(model.inputs))
    record = batches.record_of(dc)
    if record is not None:  # a step that reads the batch by key (analysis/batches.py)
        data_rows, inputs_ok = _batch_rows(file, dc, record), record.compared
        if not inputs_ok:
            reasons.append(_batch_reason(file, dc, record))
    elif not inputs_ok:
        reasons += _input_reasons(file, dc, scope, method)
    data = {"kind": "dataset" if dc.dataset is not None else _kind(dc.x if dc.dataset is None else dc.dataset),
            "inputs": data_rows}
    # ----- the label contract
    labels: Optional[dict] = None
    labels_ok = True
    if method not in _PREDICT:
        rows = []
        for t in dc.targets:
            row = {"name": t.label, "output": _shape(t.shape), "loss": t.loss}
            row.update(_array(t.y))
            built = getattr(t.y, "origin", None)
            if built is not None:
                row["built"] = file.where(built.node)["line"]
            row["compared"] = target_compared(dc, t)
            rows.append(row)
        labels = {"targets": rows}
        labels_ok = bool(rows) and all(r["compared"] for r in rows)
        if not labels_ok:
            reasons += _label_reasons(file, dc, scope, method)
    compared = int(inputs_ok) + (0 if method in _PREDICT else int(labels_ok))
    return compared, data, labels, _unique(reasons)


def _batch_rows(file: _File, dc: DataCall, record: Any) -> List[dict]:
    """One row per batch key the model's own step reads: the element's
    value (batch axis first), or none for a key it does not have."""
    rows = []
    label = dc.inputs[0].label if dc.inputs else "x"
    if isinstance(record.element, Seq):  # a tuple batch: one row per item
        first = record.reads[0] if record.reads else None
        for k, value in enumerate(record.element.items):
            row: Dict[str, Any] = {"name": f"batch[{k}]", "expected": None}
            row.update(_array(library.add_batch_axis(value)))
            built = getattr(value, "origin", None)
            if built is not None:
                row["built"] = file.where(built.node)["line"]
            row["read_by"] = record.owner
            if first is not None and first.local:
                row.update(_read_at(file, first.node))
            row["compared"] = record.compared
            rows.append(row)
        return rows
    for key, read in batches.reads_by_key(record).items():
        value = record.element.items.get(key)
        row = {"name": f"{label}[{key!r}]", "expected": None}
        row.update(_array(library.add_batch_axis(value)) if isinstance(value, Array) else _array(None))
        built = getattr(value, "origin", None)
        if built is not None:
            row["built"] = file.where(built.node)["line"]
        row["read_by"] = record.owner
        if read.local:
            row.update(_read_at(file, read.node))
        row["compared"] = record.compared
        rows.append(row)
    return rows


def _read_at(file: _File, node: Any) -> dict:
    where = file.where(node)
    out = {"read_at": where["line"]}
    if "cell" in where:
        out["read_cell"] = where["cell"]
    return out


def _batch_reason(file: _File, dc: DataCall, record: Any) -> dict:
    if record.escaped is not None:
        detail = f"{record.owner} hands the batch to code not followed: {record.escaped}"
    elif not record.ran:
        detail = f"{record.owner} was not followed to its end"
    else:
        detail = f"{record.owner} reads no key of the batch"
    return file.reason("model-input-unknown", record.node, detail)


def _unique(reasons: List[dict]) -> List[dict]:
    seen, out = set(), []
    for r in reasons:
        key = (r["reason"], r["line"], r.get("cell"), r["detail"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _dataset_reasons(file: _File, dc: DataCall) -> List[dict]:
    ds = dc.dataset
    assert ds is not None  # called only for a call on a dataset
    node = ds.origin.node if ds.origin is not None else dc.x_node
    if not ds.batched:
        return [file.reason("dataset-unbatched", node, "the dataset is not batched")]
    if node in file.from_files:
        return [file.reason("data-from-files", node, f"the element depends on the files read by {file.src(node, 40)}")]
    return [file.reason("dataset-element-unknown", node, f"element lost after {file.src(node, 50)}")]


def _unknown_value(file: _File, value: Any, node: Any, scope: _Scope, reason: str, what: str) -> dict:
    if node is None:
        return file.reason(reason, None, f"no {what} given")
    if value is None:
        why, at, detail = file.explain(node, scope)
        return file.reason(why if why in ("generator-data", "budget-exceeded", "data-from-files") else reason, at, detail)
    if isinstance(value, Array):
        if value.origin is not None and value.origin.node in file.from_files:
            return file.reason("data-from-files", value.origin.node,
                               f"{what} {file.src(node, 40)}: its shape depends on the files read here")
        return file.reason(reason, node, f"{what} {file.src(node, 40)}: an array of unknown shape")
    return file.reason(reason, node, f"{what} {file.src(node, 40)} is {_kind(value)}, not an array")


def _input_reasons(file: _File, dc: DataCall, scope: _Scope, method: str) -> List[dict]:
    model = dc.model
    out = []
    builds = dc.__dict__.get("builds", False)  # this call's data builds the model (analysis/models.py)
    if builds:
        out.append(file.reason("model-input-unknown", model.origin.node, "the model is built by this call's data: "
                               "nothing to compare it with"))
    elif not model.inputs:
        detail = "Sequential with no declared input shape" if model.kind == "sequential" else \
            "the model's inputs were not followed"
        where = model.origin.node
        if isinstance(model, objects.ModelInstance) and model.kind == "subclassed":
            owner = objects.step_owner(model, method) if method in objects._DATA_METHODS else None
            found = model.cls.lookup("call")
            if owner is not None and owner != "compute_loss":
                detail = f"{owner} of class {model.cls.name} takes the data its own way"
            elif found is not None and type(found[1]) is cst.FunctionDef:
                where, detail = found[1], f"call() of class {model.cls.name} could not be followed on this data"
        out.append(file.reason("model-input-unknown", where, detail))
    for sym in model.inputs:
        if sym.shape is None:
            out.append(file.reason("model-input-unknown", sym.origin.node, "the input shape is not a known literal"))
    if dc.dataset is not None:
        if not model.inputs and dc.dataset.batched and dc.x is not None:
            return out  # the element is known: what is missing is the model's input
        if not dc.dataset.batched or any(not isinstance(b.value, Array) or b.value.shape is None for b in dc.inputs) \
                or not dc.inputs:
            out += _dataset_reasons(file, dc)
        return out
    if not dc.inputs:
        out.append(file.reason("data-unknown", dc.x_node or dc.node,
                               f"x is {_kind(dc.x)}, which does not match the model's {len(model.inputs)} input(s)"))
    for b in dc.inputs:
        if b.input is None and model.inputs and not builds:
            owner = objects.step_owner(model, method) if isinstance(model, objects.ModelInstance) else None
            detail = f"{owner} of the model's class takes the data" if owner else \
                "the model was built by use elsewhere, not on this path: nothing to compare it with"
            out.append(file.reason("model-input-unknown", model.origin.node, detail))
        if not isinstance(b.value, Array) or b.value.shape is None:
            out.append(_unknown_value(file, b.value, b.node, scope, "data-unknown", b.label))
    if model.inputs and dc.inputs and len(dc.inputs) < len(model.inputs):
        out.append(file.reason("data-unknown", dc.x_node or dc.node, "some model inputs get no known data"))
    return out


def _label_reasons(file: _File, dc: DataCall, scope: _Scope, method: str) -> List[dict]:
    model = dc.model
    out = []
    if dc.dataset is not None and not dc.dataset.batched:
        return _dataset_reasons(file, dc)
    owner = objects.step_owner(model, method) if isinstance(model, objects.ModelInstance) and \
        method in objects._DATA_METHODS else None
    if not dc.targets and owner is not None:
        cls = model.cls  # type: ignore[attr-defined]
        found = cls.lookup(owner)
        where = found[1] if found is not None and type(found[1]) is cst.FunctionDef else cls.node
        what = f"{owner} of class {cls.name}" if found is not None else f"class {cls.name} (a {owner})"
        out.append(file.reason("no-label-contract", where, f"{what} computes the loss itself: "
                                                             "the compile loss is not what the labels meet"))
    elif not dc.targets:
        out.append(file.reason("model-output-unknown", model.origin.node, "the model's outputs were not followed"))
    for t in dc.targets:
        before = len(out)
        if t.shape is None or (t.shape and t.shape[-1] is None):
            out.append(_output_reason(file, model, t))
        if t.loss is None:
            if model.compiled is False or dc.compiled is False:
                out.append(file.reason("loss-unknown", dc.node, "no compile() of this model before this call"))
            elif model.loss_origin is not None:
                out.append(file.reason("loss-unknown", model.loss_origin.node,
                                       f"loss {file.src(model.loss_origin.node, 40)} is not a modelled loss"))
            elif model.compile_origin is not None:
                out.append(file.reason("loss-unknown", model.compile_origin.node, "compile() without a known loss"))
            else:
                out.append(file.reason("loss-unknown", model.origin.node, "compiled outside the analysed code"))
        y = t.y
        if not isinstance(y, Array) or y.shape is None or not y.shape:
            if dc.dataset is not None:
                out += _dataset_reasons(file, dc)
            elif t.y_node is None and dc.x_node is not None and method in ("fit", "evaluate", "fit_generator",
                                                                           "evaluate_generator"):
                out.append(file.reason("labels-unknown", dc.x_node, "no y given: the labels come with x, which is not "
                                       "a known dataset"))
            else:
                out.append(_unknown_value(file, y, t.y_node, scope, "labels-unknown", t.label))
        elif t.loss is not None and t.shape is not None and any(i.shape_from is not None for i in model.inputs):
            out.append(file.reason("not-compared", model.origin.node,
                                   "the input shape includes the samples: the output shape follows from it"))
        elif t.loss == "sparse_categorical_crossentropy" and (y.lo is None or y.hi is None):
            if y.origin is not None and y.origin.node in file.from_files:
                out.append(file.reason("data-from-files", y.origin.node,
                                       f"range of {t.label}: the number of classes depends on the files read here"))
            else:
                out.append(file.reason("labels-unknown", t.y_node or dc.node, f"range of {t.label} not known"))
        elif len(out) == before and t.shape is not None:
            out.append(file.reason("not-compared", dc.node,
                                   f"{t.loss} loss with an output of rank {len(t.shape)} is not compared"))
    return out


def _output_reason(file: _File, model: Model, t: Any) -> dict:
    if model.kind == "sequential":
        if not model.exact:
            return file.reason("model-output-unknown", model.origin.node, "the layers are not known exactly")
        if not model.inputs and not any(u.model is model for u in file.facts.layer_uses):
            return file.reason("model-output-unknown", model.origin.node, "no input shape to start from")
        for layer in model.layers:
            if layer.kind == "?" or (layer.kind not in L.KNOWN and layer.kind not in L.TRACED):
                return file.reason("model-output-unknown", layer.origin.node,
                                   f"output shape of {file.src(layer.origin.node, 40)} not inferred")
        return file.reason("model-output-unknown", model.origin.node, "output shape not inferred")
    node = t.layer.origin.node if t.layer is not None else model.origin.node
    return file.reason("model-output-unknown", node, f"output shape of {file.src(node, 40)} not inferred")


# --------------------------------------------------------------- files
def _unparsed(path: str, text: str, error: str, cells: Optional[List[Tuple[int, str]]] = None) -> FileShapes:
    """Sites of a file that does not parse, found by their text."""
    result = FileShapes(path)
    parts = cells if cells is not None else [(None, text)]
    for cell, source in parts:
        for number, line in enumerate(source.splitlines(), 1):
            for m in _SITE_RE.finditer(line):
                entry: dict = {"path": path, "line": number, "column": m.start() + 1}
                if cell is not None:
                    entry["cell"] = cell
                entry.update({"method": m.group(1), "status": "unknown", "data": None, "labels": None})
                reason = {"reason": "file-unparsed", "path": path, "line": number}
                if cell is not None:
                    reason["cell"] = cell
                reason["detail"] = error
                entry["reasons"] = [reason]
                result.calls.append(entry)
    return result


def _cells(data: bytes) -> Optional[List[Tuple[int, str]]]:
    import json

    try:
        cells = json.loads(data.decode("utf-8"))["cells"]
        out = []
        for number, cell in enumerate(cells, 1):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                source = cell.get("source", "")
                out.append((number, "".join(source) if isinstance(source, list) else str(source)))
        return out
    except Exception:
        return None


def shapes_source(data: bytes, path: str) -> FileShapes:
    """The models and sites of one file (a script or a notebook). ``direct``
    says whether it imports TensorFlow or Keras itself; a file that does not
    keeps its sites only if it imports a module that does (see
    :func:`using_framework`). Files are parsed by LibCST: nearly every node
    looked at is placed and quoted."""
    with project.real_trees():
        return _shapes_source(data, path)


def _shapes_source(data: bytes, path: str) -> FileShapes:
    starts = shifts = None
    if path.endswith(".ipynb"):
        cells = _cells(data)
        text = "\n".join(src for _, src in cells or [])
        try:
            script, starts, shifts = notebook.to_script(data)
        except notebook.NotebookError as exc:
            result = _unparsed(path, "", str(exc), cells or [])
            result.direct, result.imports = bool(_IMPORT_RE.search(text.encode("utf-8", "replace"))), _imports(text)
            return result
        source = script.encode("utf-8")
    else:
        source, cells = data, None
    text = source.decode("utf-8", "replace")
    direct, imports = bool(_IMPORT_RE.search(source)), _imports(text)
    if not direct and not _SITE_RE.search(text) and not _imports_project(path, source):
        return FileShapes(path, imports=imports)
    try:
        module = (None if cells is not None else project.cached_module(path, source)) or set_aside(parse.module(source))
    except Exception as exc:  # LibCST rejects it: find the sites by their text
        message = str(getattr(exc, "message", "") or exc).strip().splitlines()
        result = _unparsed(path, text, f"cannot parse: {message[0] if message else exc}", cells)
        result.direct, result.imports = direct, imports
        return result
    syntax = _Syntax()
    walk.visit(module, syntax)
    if cells is None:
        project.remember(path, source, module)
    facts = analyze(module, path)
    file = _File(path, module, facts, syntax, starts, shifts)
    return FileShapes(path, _models(file), _sites(file), direct=syntax.uses_framework, imports=imports,
                      elsewhere=_elsewhere(file))


def _imports_project(path: str, source: bytes) -> bool:
    """Whether a file imports a module of its project (whose code it may
    run on a model: a site there is visited from this file)."""
    if not os.path.isfile(path):
        return False
    try:
        return bool(project.deps(os.path.realpath(path)))
    except Exception:  # an unreadable import: nothing to follow
        return False


def _models(file: _File) -> List[dict]:
    best: Dict[cst.CSTNode, Model] = {}
    for model in file.facts.models:
        known = best.get(model.origin.node)
        if known is None or _richness(model) > _richness(known):
            best[model.origin.node] = model
    out = [model_summary(file, m) for m in best.values()]
    out.sort(key=lambda m: (m.get("cell", 0), m["line"]))
    return out


def _richness(model: Model) -> tuple:
    known_dims = sum(1 for sym in model.inputs if sym.shape is not None for d in sym.shape if d is not None)
    return (bool(model.inputs), model.exact, len(model.layers) + len(model.outputs), model.loss is not None,
            known_dims)


def _site(file: _File, node: cst.Call, scope: _Scope, receivers: List[Any], calls: List[DataCall]) -> dict:
    assert type(node.func) is cst.Attribute  # a site calls a method (_Syntax.visit_Call)
    method = node.func.attr.value
    owner = _delegates(receivers, method)
    if owner is not None:
        cls, fn = owner
        status = "delegates"
        data: Optional[dict] = {}
        labels: Optional[dict] = {}
        reasons = [file.reason("project-object", fn, f"{cls.name}.{method} is the project's own method "
                                                     f"(class {cls.name} is not a Keras model): the calls inside it are sites")]
    else:
        compared, data, labels, reasons = _visit(file, node, scope, method, receivers, calls)
        needed = 1 if method in _PREDICT else 2
        status = "checked" if compared >= needed else "partial" if compared else "unknown"
    loc = file.where(node)
    entry = {"path": loc["path"], "line": loc["line"], "column": loc["column"]}
    if "cell" in loc:
        entry["cell"] = loc["cell"]
    entry.update({"method": method, "status": status, "data": data or None,
                  "labels": labels if labels else None, "reasons": reasons,
                  "visits": len(receivers)})
    return entry


def _delegates(receivers: List[Any], method: str) -> Optional[Tuple[Any, cst.FunctionDef]]:
    """(class, method) when on every visit the receiver was an object of a
    project class that is not a Keras model and whose own method of this
    name Python calls (the class defines it, or a project base does and no
    library or unknown base could come first); else None."""
    if not receivers:
        return None
    found = None
    for r in receivers:
        obj = r.value
        if not isinstance(obj, objects.Instance) or obj.cls is None or getattr(obj, "fresh", False):
            return None  # a self made up for a method run alone may be of a subclass overriding the method
        owner = obj.cls.lookup(method)
        if owner is None or type(owner[1]) is not cst.FunctionDef:
            return None
        if owner[0] is not obj.cls and (obj.cls.library_bases() or obj.cls.unknown_base()):
            return None
        found = found or owner
    return found


def _by_node(file: _File) -> Tuple[Dict[cst.CSTNode, List[Any]], Dict[cst.CSTNode, List[DataCall]]]:
    receivers: Dict[cst.CSTNode, List[Any]] = {}
    for r in file.facts.receivers:
        receivers.setdefault(r.node, []).append(r)
    calls: Dict[cst.CSTNode, List[DataCall]] = {}
    for c in file.facts.calls:
        calls.setdefault(c.node, []).append(c)
    return receivers, calls


def _sites(file: _File) -> List[dict]:
    receivers, calls = _by_node(file)
    out = [_site(file, node, scope, receivers.get(node, []), calls.get(node, [])) for node, scope in file.syntax.sites]
    out.sort(key=lambda c: (c.get("cell", 0), c["line"], c["column"]))
    return out


def _elsewhere(file: _File) -> Dict[str, List[dict]]:
    """Visits of sites of other project modules, made while this file's
    analysis ran their code (a function or method called from here), by the
    real path of their file. Only visits where the receiver was a model, or
    an object of a project class whose own method it is (a mixin's
    ``self.predict`` on a class that defines it): the others say nothing the
    module's own analysis does not."""
    receivers, calls = _by_node(file)
    out: Dict[str, List[dict]] = {}
    for node, found in receivers.items():
        if node in file.positions:
            continue
        if not any(isinstance(r.value, Model) for r in found) and not (
                type(node) is cst.Call and type(node.func) is cst.Attribute
                and _delegates(found, node.func.attr.value) is not None):
            continue
        other = file.other(node)
        if other is file or other.real is None:
            continue
        scope = next((sc for n, sc in other.syntax.sites if n is node), None)
        if scope is None:
            continue
        assert type(node) is cst.Call  # a receiver is recorded for a call
        entry = _site(other, node, scope, found, calls.get(node, []))
        out.setdefault(other.real, []).append(entry)
    return out


def shapes_path(path: str) -> FileShapes:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return FileShapes(path, error=f"cannot read: {exc.strerror or exc}")
    try:
        with no_cycle_collection():  # as check analyses a file (see fitlint.engine)
            return shapes_source(data, path)
    except RecursionError:
        return FileShapes(path, error="file too deeply nested to analyse")
    except Exception as exc:  # one file's analysis bug must not hide the others
        return FileShapes(path, error=f"internal error: {type(exc).__name__}: {exc}")


DIED = "the process analysing it died (a crash of the interpreter, or killed for lack of memory)"


def run(files: Sequence[str], jobs: Optional[int] = None) -> Tuple[List[dict], List[dict], List[Tuple[str, str]]]:
    """Models, sites and errors of every file, in file order."""
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= 16 else 1
    collected: List[FileShapes]
    if jobs > 1 and len(files) > 1:
        from . import parallel

        found = parallel.run(shapes_path, files, [parallel.weight(f) for f in files], jobs, paths=files)
        collected = [found[i] if i in found else FileShapes(path, error=DIED) for i, path in enumerate(files)]
    else:
        collected = [shapes_path(f) for f in files]
    visited = _merge_elsewhere(collected)
    using = using_framework(collected) | visited
    models: List[dict] = []
    calls: List[dict] = []
    errors: List[Tuple[str, str]] = []
    for result in collected:
        if result.path in using:
            models += result.models
            calls += result.calls
        if result.error:
            errors.append((result.path, result.error))
    return _best_models(models), calls, errors


_RANK = {"checked": 2, "partial": 1, "unknown": 0, "delegates": 0}


def _score_entry(entry: dict) -> tuple:
    return _RANK[entry["status"]], not any(r["reason"] == "receiver-unknown" for r in entry["reasons"])


def _merge_elsewhere(collected: Sequence[FileShapes]) -> set:
    """Each site visited from other files' analyses (a function of a module
    called from scripts) keeps its best visit over all of them: the most
    contracts compared, then a known receiver; the first such in file order,
    the file's own analysis first. Returns the files with such a visit on a
    model (their sites are Keras calls even when they import no Keras)."""
    by_real = {os.path.realpath(r.path): r for r in collected}
    visited = set()
    for result in collected:
        for real, entries in result.elsewhere.items():
            target = by_real.get(real)
            if target is None:
                continue
            visited.add(target.path)
            own = {(c["line"], c["column"]): k for k, c in enumerate(target.calls)}
            for entry in entries:
                k = own.get((entry["line"], entry["column"]))
                if k is None:
                    continue
                current = target.calls[k]
                if _score_entry(entry) > _score_entry(current):
                    entry = dict(entry, path=current["path"], visits=current["visits"] + entry["visits"])
                    for r in entry["reasons"]:
                        if os.path.realpath(r["path"]) == real:
                            r["path"] = current["path"]
                    target.calls[k] = entry
                else:
                    current["visits"] += entry["visits"]
    return visited


def _model_score(m: dict) -> tuple:
    return (sum(i["shape"] is not None for i in m["inputs"]), sum(r["output_shape"] is not None for r in m["layers"]),
            sum(o["shape"] is not None for o in m["outputs"]), m["loss"] is not None, len(m["layers"]),
            sum(d is not None for i in m["inputs"] if i["shape"] is not None for d in i["shape"]))


def _best_models(models: List[dict]) -> List[dict]:
    """One entry per place a model is built (analyses of several files may
    each build it, a function of a module called from several scripts): the
    one where the most is known, the first such."""
    best: Dict[tuple, int] = {}
    out: List[dict] = []
    for m in models:
        key = (os.path.realpath(m["path"]), m.get("cell", 0), m["line"])
        k = best.get(key)
        if k is None:
            best[key] = len(out)
            out.append(m)
        elif _model_score(m) > _model_score(out[k]):
            out[k] = dict(m, path=out[k]["path"])
    return out


def summary(calls: List[dict]) -> dict:
    """Counts of sites by status, and of sites by reason (a site counts
    once per reason it has)."""
    out: Dict[str, Any] = {"sites": 0, "checked": 0, "partial": 0, "unknown": 0, "delegating": 0, "reasons": {}}
    reasons: Dict[str, int] = {}
    for c in calls:
        if c["status"] == "delegates":
            out["delegating"] += 1  # not a Keras call: not a site (see docs/shapes.md)
            continue
        out["sites"] += 1
        out[c["status"]] += 1
        for name in sorted({r["reason"] for r in c["reasons"]}):
            reasons[name] = reasons.get(name, 0) + 1
    out["reasons"] = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    return out
