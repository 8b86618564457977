"""Modules of the checked project: imports followed across files.

``from .models import build_model`` or ``import utils`` binds the names the
other module defines, as the interpreter's own values: a function is inlined
with the caller's arguments, a constant is known, a module-level array or
dataset keeps its shape. Nothing is imported or executed: each module is
parsed and its top level interpreted once per process (``if __name__ ==
"__main__":`` blocks are skipped, as Python skips them on import).

Where a module is looked up, as Python would look it up:

- relative imports (``from . import x``, ``from ..data import load``) from the
  folder of the importing file;
- absolute imports from the importing file's own folder (a script folder
  that does ``import utils``; for a module of a package, the folder above the
  top package), then the project root (the nearest folder
  upward with ``pyproject.toml``, ``setup.py``, ``setup.cfg`` or ``.git``,
  else the file's folder), then ``<root>/src``; in a checkout with no
  project marker at all, last, a package (``pkg/__init__.py``) in one of the
  three folders above (see :func:`package_fallbacks`).

Library names fitlint models (``tensorflow``, ``keras``, ``numpy``...) are
never looked up in the project.
A name a project module exports that is declared library knowledge under
the module's own dotted name (``neural_structured_learning.keras.
AdversarialRegularization`` in nsl's own repository) is the declared
library object, not the project's implementation of it (see declared.py).

Summaries are cached per process by (real path, content hash). An import
that closes a cycle (the imported module imports, directly or not, the
importing one) gives unknown values, whoever is analysed first, so results
do not depend on the order files are checked in (``--jobs``). A module that
cannot be read or parsed gives unknown values.

What a summary exports is a copy per analysed file: values the importing
file changes in place never leak into another file's analysis. Exported
kinds are listed in ``COPIERS``; any other value (a model built at module
level, a layer instance) is exported as unknown. Support for more kinds
(class objects, instances) is one entry there.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

import libcst as cst

from . import declared, parse, walk
from .flags import Namespace
from .values import Array, Const, Dataset, Dict_, ModuleRef, Seq

ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")

# Each import asks where the importing file really is, many times per file:
# the answer is remembered (a bounded memo: a long editor session may see
# links change, and only then would an answer be stale).
_realpath = lru_cache(maxsize=8192)(os.path.realpath)

MAX_CHAIN = 12  # modules summarised one inside another
_LIBRARY_TOPS = {
    "tensorflow", "keras", "tf_keras", "numpy", "pandas", "sklearn", "scipy", "tensorflow_datasets",
    "tensorflow_hub", "matplotlib", "IPython", "PIL", "cv2", "torch", "jax",
    "tensorflow_recommenders",  # modelled as a library (its Model base), even inside its own repository
}


class ProjectModule:
    """A module (or package) of the checked project, bound by an import."""

    __slots__ = ("path", "package")

    def __init__(self, path: str, package: bool) -> None:
        self.path = path  # the real path of the .py file (``__init__.py`` for a package)
        self.package = package

    def attribute(self, ip, name: str) -> Any:
        exports = exports_for(ip, self.path)
        if name in exports:
            value = exports[name]
            return value.resolve(ip) if isinstance(value, Lazy) else value
        if self.package:
            sub = _module_file(os.path.dirname(self.path), (name,))
            if sub is not None:
                return ProjectModule(*sub)
        return None


_DATA_CALL = re.compile(rb"\.\s*(?:fit|evaluate|predict|train_on_batch|test_on_batch|predict_on_batch)\b")
_IMPORTED = re.compile(rb"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import|import[ \t]+([\w.]+))", re.M)
_STDLIB = set(getattr(sys, "stdlib_module_names", ())) | {"__future__"}
LIBRARY_TOPS, STDLIB = _LIBRARY_TOPS, _STDLIB  # for fitlint shapes' reasons


def may_use_project_model(data: bytes, path: Optional[str] = None) -> bool:
    """Whether a file that builds no model itself may still reach ``fit``
    on one through a module of its project: it imports a project module
    (relative, or neither standard library nor a known library) and either
    has a data call itself or (given its ``path``) one of the project modules
    it imports, directly or further down, has one (a trainer method that
    calls ``self.model.fit`` is reached from a script with no ``fit``)."""
    if not _imports_project(data):
        return False
    if _DATA_CALL.search(data) or path is None:
        return True
    seen: Set[str] = set()
    stack = sorted(_direct(_realpath(path), data)[0])
    while stack and len(seen) < 200:
        module = stack.pop()
        if module in seen:
            continue
        seen.add(module)
        text = _module_text(module)
        if text is None or _DATA_CALL.search(text):
            return True
        stack.extend(sorted(_direct(module, text)[0] - seen))
    return bool(stack)


def _imports_project(data: bytes) -> bool:
    for dots, module, plain in _IMPORTED.findall(data):
        if dots:
            return True
        top = (module or plain).split(b".")[0].decode("ascii", "replace")
        if top and top not in _STDLIB and top not in _LIBRARY_TOPS:
            return True
    return False


_TEXT: Dict[str, Optional[bytes]] = {}  # real path -> its bytes (None: unreadable)


def _module_text(real: str) -> Optional[bytes]:
    if real not in _TEXT:
        try:
            with open(real, "rb") as handle:
                _TEXT[real] = handle.read()
        except OSError:
            _TEXT[real] = None
    return _TEXT[real]


class Lazy:
    """``from .x import name`` in a module being summarised: looked up only
    when the name is used, so importing a package's ``__init__`` does not
    read every module it re-exports."""

    __slots__ = ("real", "package", "name", "importer")

    def __init__(self, real: str, package: bool, name: str, importer: str) -> None:
        self.real, self.package, self.name, self.importer = real, package, name, importer

    def resolve(self, ip, depth: int = 0) -> Any:
        exports = exports_for(ip, self.real, self.importer)
        value = exports.get(self.name)
        if isinstance(value, Lazy) and value.real == self.real and value.name == self.name:
            value = None  # ``from pkg import sub`` in pkg/__init__.py: the submodule
        if value is not None:
            if isinstance(value, Lazy):
                return value.resolve(ip, depth + 1) if depth < MAX_CHAIN else None
            return value
        if self.package:
            sub = _module_file(os.path.dirname(self.real), (self.name,))
            if sub is not None:
                return ProjectModule(*sub)
        return None


def entering(ip, func, call: cst.CSTNode):
    """Before running ``func``: when it is another module's function called
    from the analysed file's own code, remember the call (see ``left``)."""
    if func.home in (None, ip.path) or ip.entry is not None:
        return None
    ip.entry = call
    return ip.facts.sizes()


def left(ip, since) -> None:
    """After the call ``entering`` saw: facts it produced are reported at it."""
    if since is None:
        return
    for name, start in since.items():
        for fact in getattr(ip.facts, name)[start:]:
            ip.facts.entries[id(fact)] = ip.entry
    ip.entry = None


# ------------------------------------------------------------------ locating
@lru_cache(maxsize=1024)
def project_root(folder: str) -> str:
    """The nearest folder upward from ``folder`` holding a project marker,
    else ``folder`` itself."""
    current = folder
    while True:
        if any(os.path.exists(os.path.join(current, m)) for m in ROOT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return folder
        current = parent


def search_roots(importer: str) -> List[str]:
    """Folders absolute imports of ``importer`` are looked up in, in order."""
    return list(_search_roots(importer))


@lru_cache(maxsize=4096)
def _search_roots(importer: str) -> Tuple[str, ...]:
    here = os.path.dirname(_realpath(importer))
    root = project_root(here)
    while os.path.isfile(os.path.join(here, "__init__.py")) and here != os.path.dirname(here):
        # a module of a package: Python 3 has no implicit relative imports;
        # the package's parent folder is where its absolute imports start
        here = os.path.dirname(here)
    roots = [here, root, os.path.join(root, "src")]
    out: List[str] = []
    for r in roots:
        if r not in out and os.path.isdir(r):
            out.append(r)
    return tuple(out)


@lru_cache(maxsize=8192)
def _module_file(folder: str, parts_key) -> Optional[Tuple[str, bool]]:
    parts = list(parts_key)
    base = os.path.join(folder, *parts)
    init = os.path.join(base, "__init__.py")
    if os.path.isfile(init):
        return _realpath(init), True
    if os.path.isfile(base + ".py"):
        return _realpath(base + ".py"), False
    return None


def _module_file_list(folder: str, parts: List[str]) -> Optional[Tuple[str, bool]]:
    return _module_file(folder, tuple(parts))


def resolve(importer: str, module: Optional[str], level: int) -> Optional[Tuple[str, bool]]:
    """The file of the project module ``importer`` names (``level`` dots
    before ``module``), as (real path, is a package), or None."""
    parts = module.split(".") if module else []
    if level > 0:
        folder = os.path.dirname(_realpath(importer))
        for _ in range(level - 1):
            folder = os.path.dirname(folder)
        return _module_file_list(folder, parts)
    if not parts or parts[0] in _LIBRARY_TOPS:
        return None
    for root in search_roots(importer):
        found = _module_file_list(root, parts)
        if found is not None:
            return found
    for folder in package_fallbacks(importer):
        if os.path.isfile(os.path.join(folder, parts[0], "__init__.py")):
            return _module_file_list(folder, parts)
    return None


FALLBACK_LEVELS = 3


@lru_cache(maxsize=4096)
def package_fallbacks(importer: str) -> Tuple[str, ...]:
    """A checkout without packaging files (no project marker upward): the
    folders above the importing file's search roots, nearest first, where a
    package (a folder with ``__init__.py``) of the name imported is looked
    up last, as if the project's package were installed in development mode
    (``examples/run.py`` doing ``import pkg`` beside ``pkg/``). Plain modules
    are not looked up there."""
    here = os.path.dirname(_realpath(importer))
    if any(os.path.exists(os.path.join(r, m)) for r in _search_roots(importer) for m in ROOT_MARKERS) \
            or project_root(here) != here:
        return ()
    out: List[str] = []
    current = _search_roots(importer)[0] if _search_roots(importer) else here
    for _ in range(FALLBACK_LEVELS):
        parent = os.path.dirname(current)
        if parent == current:
            break
        out.append(parent)
        current = parent
    return tuple(out)


# ------------------------------------------------------------------ parsing
class _Parsed:
    __slots__ = ("module", "display", "deps", "positions", "scan", "nodes")

    def __init__(self, module: Optional[cst.Module], display: str) -> None:
        self.module = module
        self.display = display
        self.deps: Optional[Set[str]] = None
        self.positions = None
        self.scan = None
        self.nodes: Optional[Set[int]] = None  # ids of the module's nodes (see holder)


_PARSED: Dict[Tuple[str, str], _Parsed] = {}
_CURRENT: Dict[str, Tuple[str, str]] = {}  # real path -> its key in _PARSED this run
_RECENT: Dict[str, None] = {}  # the real paths of _CURRENT, the last parsed or asked for last
_SUMMARIES: Dict[Tuple[str, str], Optional[Dict[str, Any]]] = {}
_REACH: Dict[str, Set[str]] = {}


def _key(real: str, data: bytes) -> Tuple[str, str]:
    # The kind of tree (see parse.FAST) is part of the key: a file parsed
    # for the analysis alone is parsed again for a run that places its nodes.
    return real, hashlib.sha1(data).hexdigest() + (":fast" if parse.FAST else ":libcst")


def _this_kind(key: Tuple[str, str]) -> bool:
    return key[1].endswith(":fast") == parse.FAST


@contextmanager
def real_trees() -> Iterator[None]:
    """Within: files are parsed by LibCST (for ``fitlint shapes``, the hover,
    the server, which place and quote nearly every node they look at)."""
    before = parse.FAST
    parse.FAST = False
    try:
        yield
    finally:
        parse.FAST = before


def remember(path: str, data: bytes, module: cst.Module) -> None:
    """A file the engine parsed: imports of it reuse that parse."""
    if not os.path.isfile(path):
        return
    real = _realpath(path)
    key = _key(real, data)
    if key not in _PARSED:
        _PARSED[key] = _Parsed(module, path)
    _CURRENT[real] = key
    _used(real)


def _used(real: str) -> None:
    _RECENT.pop(real, None)
    _RECENT[real] = None


def cached_module(path: str, data: bytes) -> Optional[cst.Module]:
    """The parse of ``path`` made earlier in this process (to summarise an
    import of it), if its content is still ``data``."""
    if path.endswith(".ipynb") or not _PARSED:
        return None
    entry = _PARSED.get(_key(_realpath(path), data))
    return entry.module if entry is not None else None


def parsed(real: str, display: Optional[str] = None) -> _Parsed:
    _used(real)
    key = _CURRENT.get(real)
    if key is not None and key in _PARSED and _this_kind(key):
        return _PARSED[key]
    try:
        with open(real, "rb") as handle:
            data = handle.read()
    except OSError:
        data = b""
        key = (real, "")
        entry = _PARSED[key] = _Parsed(None, display or real)
        _CURRENT[real] = key
        return entry
    key = _key(real, data)
    entry = _PARSED.get(key)
    if entry is None:
        try:
            module: Optional[cst.Module] = parse.analysis_tree(data)
        except Exception:  # not valid Python (or not what LibCST accepts): unknown
            module = None
        entry = _PARSED[key] = _Parsed(module, display or real)
    _CURRENT[real] = key
    return entry


def display_path(importer_display: str, real: str) -> str:
    """``real`` written like the importing file's path (relative paths stay
    relative to the working directory)."""
    if os.path.isabs(importer_display):
        return real
    try:
        return os.path.relpath(real)
    except ValueError:
        return real


# --------------------------------------------------------------- import graph
def _statements(module: cst.Module):
    """Every simple statement of the module, in nested blocks, functions and
    classes too. Expressions are not walked (much faster than a visitor)."""
    todo: List[Any] = list(reversed(module.body))
    while todo:
        current = todo.pop()
        if type(current) is cst.SimpleStatementLine:
            yield from current.body
        elif type(current) in walk.SUITES:
            inner = current.body  # type: ignore[attr-defined]
            todo.extend(reversed(inner if isinstance(inner, (list, tuple)) else [inner]))
        elif type(current) in walk.COMPOUND:
            for part in ("finalbody", "orelse", "body"):
                child = getattr(current, part, None)
                if child is not None:
                    todo.append(child)
            todo.extend(getattr(current, "handlers", ()))
            todo.extend(getattr(current, "cases", ()))
        elif type(current) in (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase):
            todo.append(current.body)
        elif isinstance(current, cst.BaseSmallStatement):
            yield current


def _imports_and_globals(entry: "_Parsed"):
    """(every import as (module, level, names), names rebound by ``global``)."""
    if entry.scan is None:
        found: List[Tuple[Optional[str], int, List[str]]] = []
        rebound: Set[str] = set()
        for small in _statements(entry.module) if entry.module is not None else ():
            if type(small) is cst.Import:
                for alias in small.names:
                    name = _dotted(alias.name)
                    if name:
                        found.append((name, 0, []))
            elif type(small) is cst.ImportFrom:
                module = _dotted(small.module) if small.module is not None else None
                names = [] if isinstance(small.names, cst.ImportStar) else [_dotted(a.name) or "" for a in small.names]
                found.append((module, len(small.relative), names))
            elif type(small) is cst.Global:
                rebound.update(n.name.value for n in small.names)
        entry.scan = (found, rebound)
    return entry.scan


_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]*))", re.M)
_DEPS: Dict[str, Set[str]] = {}


def deps(real: str) -> Set[str]:
    """The project modules ``real`` may import, from a scan of its text
    (no parse: import lines anywhere, even in strings, count; an extra edge
    only makes more imports unknown, the same way for every order)."""
    if real in _DEPS:
        return _DEPS[real]
    out: Set[str] = set()
    _DEPS[real] = out
    try:
        with open(real, "rb") as handle:
            data = handle.read()
    except OSError:
        return out
    out.update(_scan(real, data, submodules_only=True))
    return out


def reaches(start: str, goal: str) -> bool:
    """Whether ``start`` imports ``goal``, directly or through other modules."""
    seen = _REACH.get(start)
    if seen is None:
        seen = set()
        todo = [start]
        while todo:
            current = todo.pop()
            for dep in sorted(deps(current)):
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        _REACH[start] = seen
    return goal in seen or goal == start


# ------------------------------------------------------------------ summaries
def _copy_seq(v: Seq, convert) -> Seq:
    return Seq([convert(i) for i in v.items], v.kind, v.origin)


def _copy_dict(v: Dict_, convert) -> Dict_:
    return Dict_({k: convert(i) for k, i in v.items.items()}, v.origin)


# How each exportable kind of value is copied for one analysed file.
COPIERS: Dict[type, Callable[[Any, Callable[[Any], Any]], Any]] = {
    Const: lambda v, convert: Const(v.value, v.origin),
    ModuleRef: lambda v, convert: v,
    ProjectModule: lambda v, convert: v,
    Seq: _copy_seq,
    Dict_: _copy_dict,
    Array: lambda v, convert: replace(v),
    Dataset: lambda v, convert: replace(v),
    Namespace: lambda v, convert: Namespace({k: convert(i) for k, i in v.values.items()}),
}


def _summary(real: str, chain: Tuple[str, ...]) -> Optional[Dict[str, Any]]:
    """The names ``real`` defines at its top level, as values of its own
    interpreter run (shared: copy before use, see :func:`exports_for`)."""
    entry = parsed(real)
    key = _CURRENT.get(real)
    if key in _SUMMARIES:
        return _SUMMARIES[key]
    if entry.module is None or len(chain) >= MAX_CHAIN or real in chain:
        return None
    from .interpreter import Interpreter, UserFunction

    ip = Interpreter(entry.module, path=real, summary=True)
    ip.chain = chain + (real,)
    try:
        ip.run_module()
    except RecursionError:
        _SUMMARIES[key] = None
        return None
    rebound = _imports_and_globals(entry)[1]
    out: Dict[str, Any] = {}
    for name, value in ip.globals.vars.items():
        if ip.globals.counts.get(name, 0) > 1 or name in rebound:
            out[name] = None  # bound more than once: which binding an importer sees is not known
        elif isinstance(value, UserFunction):
            out[name] = value
        else:
            out[name] = value if _exportable(value) else None
    _SUMMARIES[key] = out
    return out


def _exportable(value: Any, depth: int = 0) -> bool:
    from .interpreter import UserFunction
    from .objects import UserClass

    if isinstance(value, (UserFunction, Lazy)):
        return True
    if isinstance(value, UserClass):
        return all(b is None or _exportable(b, depth + 1) or not isinstance(b, UserClass) for b in value.bases)
    if type(value) not in COPIERS or depth > 6:
        return False
    if isinstance(value, Seq):
        return all(i is None or _exportable(i, depth + 1) for i in value.items)
    if isinstance(value, Dict_):
        return all(i is None or _exportable(i, depth + 1) for i in value.items.values())
    if isinstance(value, Namespace):
        return all(i is None or _exportable(i, depth + 1) for i in value.values.values())
    return True


def exports_for(ip, real: str, importer: Optional[str] = None) -> Dict[str, Any]:
    """The exports of module ``real`` as ``importer`` (by default the file
    the code being run is in) sees them in the analysis ``ip`` runs."""
    importer = importer or ip.home()
    if importer is not None and reaches(real, _realpath(importer)):
        return {}  # an import cycle: unknown, whichever file is checked first
    return _materialized(ip, real)


def _materialized(ip, real: str) -> Dict[str, Any]:
    """Fresh copies of the summary's values for the analysis ``ip`` runs,
    functions bound to a scope made of these copies."""
    cache = ip.project_exports
    if real in cache:
        return cache[real]
    from .interpreter import Env, UserFunction
    from .objects import UserClass

    cache[real] = {}
    summary = _summary(real, getattr(ip, "chain", ()))
    if summary is None:
        return cache[real]
    scope = Env()
    memo: Dict[int, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if id(value) in memo:
            return memo[id(value)]
        if isinstance(value, UserFunction) and value.home not in (None, real):
            # re-exported (``from .nets import build`` in ``__init__.py``): the
            # function keeps the scope of the module that defines it
            out = next((v for v in _materialized(ip, value.home).values()
                        if isinstance(v, UserFunction) and v.node is value.node), None)
        elif isinstance(value, UserFunction):
            out = UserFunction(value.node, scope, home=real)
        elif isinstance(value, UserClass):
            out = _copy_class(ip, value, real, scope, convert, memo)
        elif isinstance(value, Lazy):
            out = value
        else:
            copier = COPIERS.get(type(value))
            out = copier(value, convert) if copier is not None else None
        memo[id(value)] = out
        return out

    for name, value in summary.items():
        scope.vars[name] = convert(value)
    declared.substitute(dotted_name(real), scope.vars)
    cache[real] = scope.vars
    return scope.vars


@lru_cache(maxsize=4096)
def dotted_name(real: str) -> str:
    """The name Python imports the module file ``real`` by: its file name
    under the packages (folders with ``__init__.py``) it is in."""
    folder, base = os.path.split(real)
    parts = [] if base == "__init__.py" else [os.path.splitext(base)[0]]
    while os.path.isfile(os.path.join(folder, "__init__.py")) and folder != os.path.dirname(folder):
        folder, name = os.path.split(folder)
        parts.insert(0, name)
    return ".".join(parts)


def _copy_class(ip, value: Any, real: str, scope: Any, convert, memo: Dict[int, Any]) -> Any:
    """A class another module defines, for the analysis ``ip`` runs: its
    methods run in a scope of this analysis' copies of that module's names
    (``home`` says which file they are in); bases defined in a third module
    are that module's classes."""
    from .objects import UserClass

    if value.home not in (None, real):  # re-exported: the defining module's own copy
        return next((v for v in _materialized(ip, value.home).values()
                     if isinstance(v, UserClass) and v.node is value.node), None)
    out = UserClass.__new__(UserClass)
    out.__dict__.update(value.__dict__)
    memo[id(value)] = out  # a method or attribute naming the class itself
    out.env, out.home = scope, real
    out.bases = [convert(b) if isinstance(b, UserClass) else b for b in value.bases]
    out.attrs = {k: convert(v) if v is None or _exportable(v) else None for k, v in value.attrs.items()}
    return out


# ------------------------------------------------------------------ binding
def bind_import(ip, node: cst.CSTNode, env) -> bool:
    """Bind the names of an import of project modules; False when the
    import is not of the project (the interpreter handles it as a library)."""
    importer = ip.home()
    if importer is None:
        return False
    if type(node) is cst.Import:
        handled = False
        for alias in node.names:
            dotted = _dotted(alias.name)
            if dotted is None:
                continue
            if alias.asname is not None and type(alias.asname.name) is cst.Name:
                found = resolve(importer, dotted, 0)
                if found is None:
                    if handled:
                        ip.import_library(alias, env)
                    continue
                env.assign(alias.asname.name.value, ProjectModule(*found))
            else:
                top = dotted.split(".")[0]
                found = resolve(importer, top, 0)
                if found is None:
                    if handled:
                        ip.import_library(alias, env)
                    continue
                env.assign(top, ProjectModule(*found))
            if not handled:
                # names before this one were library modules: bind them now
                for earlier in node.names:
                    if earlier is alias:
                        break
                    if resolve(importer, _dotted(earlier.name) or "", 0) is None:
                        ip.import_library(earlier, env)
            handled = True
        return handled
    if type(node) is not cst.ImportFrom:
        return False
    module = _dotted(node.module) if node.module is not None else None
    level = len(node.relative)
    found = resolve(importer, module, level)
    if found is None:
        if level and module is None and isinstance(node.names, (list, tuple)):
            # ``from . import x`` in a folder without __init__.py: x next to the file
            folder = os.path.dirname(_realpath(importer))
            for _ in range(level - 1):
                folder = os.path.dirname(folder)
            for alias in node.names:
                name = _dotted(alias.name)
                target = alias.asname.name if alias.asname else alias.name
                sub = _module_file(folder, (name,)) if name else None
                ip.bind(target, ProjectModule(*sub) if sub else None, env)
            return True
        return False
    real, package = found
    if ip.summary and not isinstance(node.names, cst.ImportStar):
        for alias in node.names:
            name = _dotted(alias.name)
            target = alias.asname.name if alias.asname else alias.name
            ip.bind(target, Lazy(real, package, name, importer) if name else None, env)
        return True
    exports = exports_for(ip, real)
    if isinstance(node.names, cst.ImportStar):
        listed = exports.get("__all__")
        names = [py_str(i) for i in listed.items] if isinstance(listed, Seq) else [
            n for n in exports if not n.startswith("_")]
        for name in names:
            if isinstance(name, str):
                env.assign(name, exports.get(name))
        return True
    for alias in node.names:
        name = _dotted(alias.name)
        target = alias.asname.name if alias.asname else alias.name
        value = None
        if name in exports:
            value = exports[name]
        elif package and name:
            sub = _module_file(os.path.dirname(real), (name,))
            value = ProjectModule(*sub) if sub else None
        ip.bind(target, value, env)
    return True


def py_str(value: Any) -> Optional[str]:
    return value.value if isinstance(value, Const) and isinstance(value.value, str) else None


def locate(node: cst.CSTNode, skip: Optional[cst.Module] = None) -> Optional[Tuple[str, int, int]]:
    """(real path, line, column) of a node of another module parsed this run."""
    found = holder(node, skip)
    if found is None:
        return None
    real, entry = found
    pos = entry.positions[parse.real_node(entry.module, node)]
    return real, pos.start.line, pos.start.column + 1


def holder(node: cst.CSTNode, skip: Optional[cst.Module] = None) -> Optional[Tuple[str, "_Parsed"]]:
    """(real path, parse) of the module parsed this run that holds ``node``
    (its ``module`` and ``positions``)."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from .walk import identities

    # A node is in one module at most. The modules this analysis used are
    # looked at first (the latest used first): a long run parses many others.
    # For each, a set of node ids is much cheaper to make than positions,
    # which only the holder needs.
    for real in [r for r in reversed(_RECENT) if r in _CURRENT] + sorted(set(_CURRENT) - set(_RECENT)):
        key = _CURRENT[real]
        entry = _PARSED.get(key)
        if entry is None or entry.module is None or entry.module is skip:
            continue
        if entry.positions is None:
            if entry.nodes is None:
                entry.nodes = identities(entry.module)
            if id(node) not in entry.nodes:
                continue
            # of LibCST's tree: a tree built for the analysis alone (see
            # parse.FAST) is placed through it
            entry.positions = MetadataWrapper(parse.real_tree(entry.module), unsafe_skip_copy=True).resolve(
                PositionProvider)
        if parse.real_node(entry.module, node) in entry.positions:
            return real, entry
    return None


def real_node(node: Any) -> Any:
    """The node of LibCST's tree at the place of ``node``, a node of a module
    parsed this run for the analysis alone (``node`` itself otherwise)."""
    found = holder(node)
    return node if found is None else parse.real_node(found[1].module, node)


def _dotted(node: Any) -> Optional[str]:
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


# ------------------------------------------------------------ dependencies
_DIRECT: Dict[str, Tuple[bytes, Set[str], Set[str]]] = {}  # real path -> (source, found, absent)


def _direct(real: str, data: bytes) -> Tuple[Set[str], Set[str]]:
    """The project modules a source imports (found) and the paths where an
    absolute import's module was looked for and not found (a module created
    there later would change what the import means)."""
    known = _DIRECT.get(real)
    if known is not None and known[0] == data:
        return set(known[1]), set(known[2])
    found, absent = _direct_scan(real, data)
    _DIRECT[real] = (data, found, absent)
    return set(found), set(absent)


def _direct_scan(real: str, data: bytes) -> Tuple[Set[str], Set[str]]:
    found: Set[str] = set()
    absent: Set[str] = set()
    for dots, module, names, plain in _IMPORT_LINE.findall(data):
        tops = ([n.split()[0].decode("ascii", "replace") for n in plain.split(b",") if n.strip()] if plain
                else [module.decode("ascii", "replace")] if module and not dots else [])
        for top in (t.split(".")[0] for t in tops):
            if not top or top in _LIBRARY_TOPS or resolve(real, top, 0) is not None:
                continue
            for root in search_roots(real):
                absent.add(os.path.join(root, top + ".py"))
                absent.add(os.path.join(root, top, "__init__.py"))
            for folder in package_fallbacks(real):
                absent.add(os.path.join(folder, top, "__init__.py"))
    found |= _scan(real, data)
    return found, absent


def _scan(real: str, data: bytes, submodules_only: bool = False) -> Set[str]:
    """The project modules the source ``data`` of ``real`` may import (see
    :func:`deps`). With ``submodules_only``, ``from pkg import a, b`` where
    ``a`` and ``b`` are modules of the package ``pkg`` is an edge to them
    only, not to ``pkg/__init__.py``: the value bound is the submodule
    (see ``Lazy.resolve``), and a module of a package importing a sibling
    through its package (``from pkg.keras import layers`` in
    ``pkg/keras/models.py``, re-exported by ``pkg/keras/__init__.py``) is
    then no import cycle."""
    out: Set[str] = set()
    for dots, module, names, plain in _IMPORT_LINE.findall(data):
        if plain:
            entries = [(n.split()[0].decode("ascii", "replace"), 0, []) for n in plain.split(b",") if n.strip()]
        else:
            listed = [n.strip().split()[0].decode("ascii", "replace")
                      for n in names.strip(b"() \t\r\n").replace(b"\n", b",").split(b",") if n.strip()]
            entries = [(module.decode("ascii", "replace") or None, len(dots), listed)]
        for name, level, listed in entries:
            found = resolve(real, name, level)
            if found is None and level and name is None:
                found = (os.path.join(os.path.dirname(real), "__init__.py"), True)  # ``from . import x``, no __init__.py
            elif found is None:
                continue
            else:
                subs = [_module_file(os.path.dirname(found[0]), (n,)) for n in listed] if found[1] else []
                if not (submodules_only and subs and all(subs)):
                    out.add(found[0])
            if found[1]:
                for sub_name in listed:
                    sub = _module_file(os.path.dirname(found[0]), (sub_name,))
                    if sub is not None:
                        out.add(sub[0])
    return out


def dependencies(path: str, source: bytes) -> List[str]:
    """Every file whose content the analysis of ``path`` (with this source
    text) may depend on: the project modules it imports, directly or not,
    and the places where a module it imports from the project was looked
    for and not found. Sorted, for the result cache."""
    if not os.path.exists(path):
        return []
    real = _realpath(path)
    found, absent = _direct(real, source)
    seen: Set[str] = set()
    todo = sorted(found)
    while todo:
        current = todo.pop()
        if current in seen or current == real:
            continue
        seen.add(current)
        try:
            with open(current, "rb") as handle:
                more_found, more_absent = _direct(current, handle.read())
        except OSError:
            continue
        absent |= more_absent
        todo.extend(sorted(more_found - seen))
    return sorted(seen | absent)


def forget(paths: Optional[List[str]] = None) -> None:
    """Drop what this process remembers of project files (their parses,
    summaries and import graph), of ``paths`` only or of every file: for a
    long-running process (the language server) whose files change."""
    _REACH.clear()
    _DIRECT.clear()
    _TEXT.clear()
    project_root.cache_clear()
    _search_roots.cache_clear()
    package_fallbacks.cache_clear()
    _module_file.cache_clear()
    reals = None if paths is None else {_realpath(p) for p in paths}
    for key in [k for k in _PARSED if reals is None or k[0] in reals]:
        parse.forget(_PARSED[key].module)  # with what placing its nodes needed
    if reals is None:
        _PARSED.clear()
        _CURRENT.clear()
        _RECENT.clear()
        _SUMMARIES.clear()
        return
    for key in [k for k in _PARSED if k[0] in reals]:
        del _PARSED[key]
    for key in [k for k in _SUMMARIES if k[0] in reals]:
        del _SUMMARIES[key]
    for real in reals:
        _CURRENT.pop(real, None)
        _RECENT.pop(real, None)
