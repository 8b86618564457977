"""``fitlint server``: the language server (pygls), over stdio.

Every check goes through :mod:`fitlint.api`, the static path only (never
TensorFlow). See docs/server.md for what it offers and how to set it up.
"""
from __future__ import annotations

import asyncio
import logging
import os
import traceback
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__, api
from ..findings import Reported
from . import edits as edit_text, incremental

logger = logging.getLogger("fitlint.server")

DEFAULT_DELAY = 0.15  # seconds between the last edit and the check
FIX_ALL = "source.fixAll.fitlint"
_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
             "info": types.DiagnosticSeverity.Information}
_CONFIG_NAMES = ("pyproject.toml", "fitlint.toml")
_OPTION_KEYS = {"select": "select", "extendSelect": "extend_select", "extend-select": "extend_select",
                "ignore": "ignore", "config": "config"}


def path_of(uri: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        return unquote(parsed.path) or uri
    path = unquote(parsed.path)
    if os.name == "nt" and path.startswith("/") and len(path) > 2 and path[2] == ":":
        path = path[1:]
    return path


@dataclass
class Checked:
    """The last successful check of a document (a text file or a notebook)."""

    version: Optional[int]
    findings: List[Reported]
    source: str  # the text checked (for a notebook: its cells as .ipynb JSON)
    dependencies: List[str] = field(default_factory=list)  # real paths of project modules it imports
    by_uri: Dict[str, List[types.Diagnostic]] = field(default_factory=dict)  # diagnostics per document (cells)


class FitlintServer(LanguageServer):
    def __init__(self, delay: Optional[float] = None) -> None:
        super().__init__(
            "fitlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[types.NotebookDocumentFilterWithCells(
                    cells=[types.NotebookCellLanguage(language="python")], notebook="*")],
                save=True))
        self.delay = DEFAULT_DELAY if delay is None else delay
        self.checked: Dict[str, Checked] = {}  # document (or notebook) uri -> last successful check
        self.parses: Dict[str, incremental.Parsed] = {}  # document uri -> the parse of its last text
        self.timers: Dict[str, asyncio.TimerHandle] = {}
        self.configs: Dict[str, Tuple[api.Config, list]] = {}  # folder -> (configuration, rules)
        self.options: Dict[str, Any] = {}  # from initializationOptions / workspace settings
        self.pull = False  # the client asks for diagnostics (textDocument/diagnostic)

    # ------------------------------------------------------------ settings
    def set_options(self, raw: Any) -> None:
        options: Dict[str, Any] = {}
        if isinstance(raw, dict):
            raw = raw.get("fitlint", raw)
            if isinstance(raw, dict):
                for key, name in _OPTION_KEYS.items():
                    if key in raw and raw[key] is not None:
                        options[name] = raw[key]
                if isinstance(raw.get("checkDelay"), (int, float)):
                    self.delay = max(0.0, float(raw["checkDelay"]))
        self.options = options
        self.configs.clear()

    def rules_for(self, path: str) -> Tuple[api.Config, list]:
        folder = os.path.dirname(os.path.abspath(path))
        found = self.configs.get(folder)
        if found is None:
            config = api.load_config(path, self.options.get("config"))
            rules = api.select_rules(config, self.options.get("select"), self.options.get("extend_select", ()),
                                     self.options.get("ignore", ()))
            found = self.configs[folder] = (config, rules)
        return found

    # ------------------------------------------------------------ checking
    def notebook_source(self, notebook: types.NotebookDocument) -> str:
        import json

        cells = []
        for cell in notebook.cells:
            kind = "code" if cell.kind == types.NotebookCellKind.Code else "markdown"
            text = self.workspace.get_text_document(cell.document).source
            cells.append({"cell_type": kind, "source": text, "metadata": {}})
        return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})

    def target(self, uri: str) -> Tuple[str, Optional[types.NotebookDocument]]:
        """The uri that is checked for ``uri`` (the notebook of a cell) and
        the notebook, if it is one."""
        notebook = self.workspace.get_notebook_document(notebook_uri=uri) or \
            self.workspace.get_notebook_document(cell_uri=uri)
        return (notebook.uri, notebook) if notebook is not None else (uri, None)

    def check(self, uri: str) -> Optional[Checked]:
        """Check a document (or the notebook of a cell) now. On a failure,
        log it to the client and keep the last result."""
        uri, notebook = self.target(uri)
        self.cancel(uri)
        try:
            checked = self._check(uri, notebook)
        except Exception as exc:  # never let one document stop the session
            logger.exception("checking %s failed", uri)
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error,
                message=f"fitlint: checking {uri} failed, its diagnostics are kept as they were: "
                        f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"))
            return self.checked.get(uri)
        self.checked[uri] = checked
        return checked

    def _check(self, uri: str, notebook: Optional[types.NotebookDocument]) -> Checked:
        from ..analysis import project

        path = path_of(uri)
        if notebook is not None:
            source = self.notebook_source(notebook)
            name = path if path.endswith(".ipynb") else path + ".ipynb"
            version: Optional[int] = notebook.version
        else:
            document = self.workspace.get_text_document(uri)
            source, name, version = document.source, path, document.version
        config, rules = self.rules_for(path)
        project.forget([path])  # its earlier texts
        if notebook is None:
            # Parse again only the statements the edits changed; the check
            # takes that parse (see project.cached_module).
            parsed = incremental.update(self.parses.get(uri), source)
            if parsed is not None:
                self.parses[uri] = parsed
                project.remember(path, source.encode("utf-8"), parsed.module)
        findings = api.check_source(source, name, config, rules)
        checked = Checked(version, findings, source)
        if notebook is None:
            checked.dependencies = project.dependencies(path, source.encode("utf-8"))
            checked.by_uri[uri] = [self.diagnostic(f, uri, uri) for f in findings]
        else:
            cells = [c.document for c in notebook.cells]
            checked.by_uri = {cell: [] for cell in cells}
            for f in findings:
                if f.cell is not None and 1 <= f.cell <= len(cells):
                    cell_uri = cells[f.cell - 1]
                    checked.by_uri[cell_uri].append(self.diagnostic(f, cell_uri, uri, cells))
        return checked

    def client_position(self, uri: str, line: int, character: int) -> types.Position:
        """A position in characters (as fitlint counts columns) in the
        client's units (UTF-16 unless negotiated otherwise), for an open document."""
        document = self.workspace.text_documents.get(unquote(uri))
        if document is None:
            return types.Position(line=line, character=character)
        return self.workspace.position_codec.position_to_client_units(
            document.lines, types.Position(line=line, character=character))

    def diagnostic(self, f: Reported, uri: str, checked_uri: str,
                   cells: Optional[Sequence[str]] = None) -> types.Diagnostic:
        from ..output.review import help_uri
        from ..rules import BY_CODE

        start = (max(f.line - 1, 0), max(f.column - 1, 0))
        end = (max(f.end_line - 1, 0), max(f.end_column, 0))
        if end <= start:
            end = (start[0], start[1] + 1)
        related = []
        own = path_of(checked_uri)
        for r in f.related:
            if cells is not None and r.cell is not None and os.path.abspath(r.path).startswith(own):
                where = cells[r.cell - 1] if 1 <= r.cell <= len(cells) else uri
            elif os.path.abspath(r.path) == os.path.abspath(own):
                where = uri
            else:
                where = Path(os.path.abspath(r.path)).as_uri()
            at = self.client_position(where, max(r.line - 1, 0), max(r.column - 1, 0))
            related.append(types.DiagnosticRelatedInformation(
                location=types.Location(uri=where, range=types.Range(start=at, end=at)), message=r.message))
        rule = BY_CODE.get(f.code)
        message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
        return types.Diagnostic(
            range=types.Range(start=self.client_position(uri, *start), end=self.client_position(uri, *end)),
            message=message,
            severity=_SEVERITY.get(f.severity, types.DiagnosticSeverity.Information), code=f.code,
            code_description=types.CodeDescription(href=help_uri(rule)) if rule is not None else None,
            source="fitlint", related_information=related or None,
            data={"code": f.code, "line": f.line, "end_line": f.end_line})

    def publish(self, checked: Optional[Checked]) -> None:
        if checked is None or self.pull:
            return
        for uri, diagnostics in checked.by_uri.items():
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=diagnostics, version=checked.version))

    def check_and_publish(self, uri: str) -> None:
        self.publish(self.check(uri))

    def schedule(self, uri: str) -> None:
        uri, _ = self.target(uri)
        self.cancel(uri)
        if self.pull:
            return  # the client asks when it wants them
        loop = asyncio.get_event_loop()
        self.timers[uri] = loop.call_later(self.delay, self.check_and_publish, uri)

    def cancel(self, uri: str) -> None:
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def current(self, uri: str) -> Optional[Checked]:
        """The check of the document's current text (checking it if needed)."""
        target, notebook = self.target(uri)
        checked = self.checked.get(target)
        if notebook is not None:
            version: Optional[int] = notebook.version
        else:
            version = self.workspace.get_text_document(target).version
        if checked is None or checked.version != version or target in self.timers:
            checked = self.check(target)
        return checked

    def close(self, uri: str) -> None:
        self.cancel(uri)
        self.parses.pop(uri, None)
        checked = self.checked.pop(uri, None)
        if not self.pull:
            for each in (checked.by_uri if checked is not None else [uri]):
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=each, diagnostics=[]))

    def recheck_open(self, changed: Optional[List[str]] = None) -> None:
        """Check again every open document, or those depending on ``changed``
        (real paths of files that changed on disk)."""
        from ..analysis import project

        project.forget()
        reals = {os.path.realpath(p) for p in changed} if changed is not None else None
        for uri in list(self.checked):
            checked = self.checked[uri]
            if reals is not None and not reals & set(checked.dependencies):
                continue
            if self.pull:
                checked.version = None  # the next pull checks again
            else:
                self.check_and_publish(uri)
        if self.pull and self._refresh_supported():
            self.workspace_diagnostic_refresh(None)

    def _refresh_supported(self) -> bool:
        workspace = self.client_capabilities.workspace
        diagnostics = workspace.diagnostics if workspace is not None else None
        return bool(diagnostics is not None and diagnostics.refresh_support)


server: Optional[FitlintServer] = None


def create(delay: Optional[float] = None) -> FitlintServer:
    ls = FitlintServer(delay)

    @ls.feature(types.INITIALIZE)
    def initialize(ls: FitlintServer, params: types.InitializeParams) -> None:
        document = params.capabilities.text_document
        ls.pull = bool(document is not None and document.diagnostic is not None)
        ls.set_options(params.initialization_options)

    @ls.feature(types.INITIALIZED)
    def initialized(ls: FitlintServer, params: types.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace is not None else None
        if watched is not None and watched.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in _CONFIG_NAMES]
            watchers.append(types.FileSystemWatcher(glob_pattern="**/*.py"))
            ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="fitlint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FitlintServer, params: types.DidOpenTextDocumentParams) -> None:
        if not ls.pull:
            ls.check_and_publish(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FitlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: FitlintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if not ls.pull:
            ls.check_and_publish(uri)
        ls.recheck_open([path_of(uri)])

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FitlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @ls.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_open(ls: FitlintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        if not ls.pull:
            ls.check_and_publish(params.notebook_document.uri)

    @ls.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_change(ls: FitlintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri)

    @ls.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_save(ls: FitlintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        if not ls.pull:
            ls.check_and_publish(params.notebook_document.uri)

    @ls.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_close(ls: FitlintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        ls.cancel(uri)
        checked = ls.checked.pop(uri, None)
        if not ls.pull:
            cells = set(checked.by_uri) if checked is not None else set()
            cells |= {c.uri for c in params.cell_text_documents}
            for cell in cells:
                ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell, diagnostics=[]))

    @ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
        identifier="fitlint", inter_file_dependencies=True, workspace_diagnostics=False))
    def diagnostic(ls: FitlintServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        uri = params.text_document.uri
        checked = ls.current(uri)
        items = checked.by_uri.get(uri, []) if checked is not None else []
        return types.RelatedFullDocumentDiagnosticReport(items=items)

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: FitlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [path_of(change.uri) for change in params.changes]
        if any(os.path.basename(p) in _CONFIG_NAMES for p in paths):
            ls.configs.clear()
            ls.recheck_open()
        else:
            ls.recheck_open(paths)

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def configuration(ls: FitlintServer, params: types.DidChangeConfigurationParams) -> None:
        if isinstance(params.settings, dict) and "fitlint" in params.settings:
            ls.set_options(params.settings)
            ls.recheck_open()

    @ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL]))
    def code_action(ls: FitlintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        try:
            return code_actions(ls, params)
        except Exception as exc:  # never let one request stop the session
            ls.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=f"fitlint: code actions failed: {type(exc).__name__}: {exc}"))
            return []

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: FitlintServer, params: types.HoverParams) -> Optional[types.Hover]:
        try:
            return hover_at(ls, params.text_document.uri, params.position)
        except Exception as exc:  # never let one request stop the session
            ls.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=f"fitlint: hover failed: {type(exc).__name__}: {exc}"))
            return None

    return ls


# ------------------------------------------------------------ code actions
def _text_edit(ls: FitlintServer, uri: str, edit: edit_text.Edit) -> types.TextEdit:
    line, column, end_line, end_column, text = edit
    return types.TextEdit(range=types.Range(start=ls.client_position(uri, line, column),
                                            end=ls.client_position(uri, end_line, end_column)), new_text=text)


def _workspace_edit(ls: FitlintServer, uri: str, document: Any, edits: List[edit_text.Edit]) -> types.WorkspaceEdit:
    text_edits = [_text_edit(ls, uri, e) for e in edits]
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=document.version),
        edits=text_edits)])


def code_actions(ls: FitlintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    source = document.source
    wanted = params.context.only
    out: List[types.CodeAction] = []
    checked = ls.current(uri)
    findings = checked.findings if checked is not None else []

    def allowed(kind: str) -> bool:
        return not wanted or any(kind == w or kind.startswith(w + ".") for w in wanted)

    if allowed(types.CodeActionKind.QuickFix):
        done = set()
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != "fitlint" or not isinstance(diagnostic.code, str):
                continue
            code = diagnostic.code
            finding = _finding_for(findings, diagnostic)
            if finding is not None:
                fix = edit_text.fix_edits(finding)
                if fix:
                    safe = edit_text.fix_applicability(finding) == "safe"
                    label = "Fix" if safe else "Fix (unsafe)"
                    out.append(types.CodeAction(
                        title=f"{label}: {edit_text.fix_message(finding) or code}", kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic], edit=_workspace_edit(ls, uri, document, fix), is_preferred=safe))
            key = (code, diagnostic.range.start.line)
            if key in done:
                continue
            done.add(key)
            edit = edit_text.ignore_line(source, diagnostic.range.start.line, diagnostic.range.end.line, code)
            if edit is not None:
                out.append(types.CodeAction(title=f"Ignore {code} for this line", kind=types.CodeActionKind.QuickFix,
                                            diagnostics=[diagnostic], edit=_workspace_edit(ls, uri, document, [edit])))
            out.append(types.CodeAction(title=f"Ignore {code} for this file", kind=types.CodeActionKind.QuickFix,
                                        diagnostics=[diagnostic],
                                        edit=_workspace_edit(ls, uri, document, [edit_text.ignore_file(source, code)])))
    if allowed(FIX_ALL) or allowed(types.CodeActionKind.SourceFixAll):
        # Like `check --fix`: only safe fixes are applied all at once.
        fixes = edit_text.without_overlaps([edit_text.fix_edits(f) for f in findings if _in_document(ls, f, uri)
                                            and edit_text.fix_applicability(f) == "safe"])
        if fixes:
            out.append(types.CodeAction(title="fitlint: apply every fix", kind=FIX_ALL,
                                        edit=_workspace_edit(ls, uri, document, fixes)))
    return out


def _finding_for(findings: List[Reported], diagnostic: types.Diagnostic) -> Optional[Reported]:
    for f in findings:
        if f.code == diagnostic.code and f.line - 1 == diagnostic.range.start.line:
            return f
    return None


def _in_document(ls: FitlintServer, finding: Reported, uri: str) -> bool:
    notebook = ls.workspace.get_notebook_document(cell_uri=uri)
    if notebook is None:
        return True
    cells = [c.document for c in notebook.cells]
    return finding.cell is not None and 1 <= finding.cell <= len(cells) and cells[finding.cell - 1] == uri


# ------------------------------------------------------------ hover
def hover_at(ls: FitlintServer, uri: str, position: types.Position) -> Optional[types.Hover]:
    target, notebook = ls.target(uri)
    cell = None
    if notebook is not None:
        source = ls.notebook_source(notebook)
        name = path_of(target)
        name = name if name.endswith(".ipynb") else name + ".ipynb"
        cells = [c.document for c in notebook.cells]
        cell = cells.index(uri) + 1 if uri in cells else None
        if cell is None:
            return None
    else:
        source, name = ls.workspace.get_text_document(uri).source, path_of(uri)
    document = ls.workspace.text_documents.get(unquote(uri))
    if document is not None:
        at = ls.workspace.position_codec.position_from_client_units(document.lines, position)
        line, character = at.line, at.character
    else:
        line, character = position.line, position.character
    found = api.explain(source, name, line + 1, character + 1, cell)
    if found is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.text),
                       range=types.Range(start=ls.client_position(uri, found.line - 1, found.column - 1),
                                         end=ls.client_position(uri, found.end_line - 1, found.end_column - 1)))


def start(delay: Optional[float] = None) -> int:
    global server
    from .. import positions

    positions.REMEMBER = True  # documents are checked again and again, mostly unchanged
    logging.basicConfig(level=logging.WARNING)
    server = create(delay)
    server.start_io()
    return 0
