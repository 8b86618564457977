"""``fitlint server`` driven over stdio as an editor drives it (pytest-lsp):
diagnostics, code actions, hover, notebooks, configuration, dependents,
failures and shutdown."""
import asyncio
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

# pytest-lsp's hooks (pyproject.toml keeps the plugin off elsewhere: its import is slow).
pytest_plugins = ["pytest_lsp"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SERVER = [sys.executable, "-m", "fitlint", "server", "--check-delay", "0.05"]
# The server with checking made to fail on any text holding "BOOM".
FAILING = [sys.executable, "-c", textwrap.dedent("""
    import sys
    from fitlint import api
    real = api.check_source
    def check_source(source, *args, **kwargs):
        if "BOOM" in (source if isinstance(source, str) else source.decode()):
            raise RuntimeError("checking exploded")
        return real(source, *args, **kwargs)
    api.check_source = check_source
    from fitlint.cli import main
    sys.exit(main(["server", "--check-delay", "0.05"]))
""")]
TIMEOUT = 15

ASYNC = pytest.mark.asyncio(loop_scope="module")

PUSH = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True,
                                                                       code_description_support=True),
        hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown])),
    workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=False)),
    notebook_document=types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities()))
PULL = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        diagnostic=types.DiagnosticClientCapabilities(related_document_support=False)),
    workspace=types.WorkspaceClientCapabilities(
        diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True),
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def client(lsp_client: LanguageClient, tmp_path_factory):
    folder = tmp_path_factory.mktemp("workspace")
    lsp_client.initialized_with = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=PUSH, root_uri=folder.as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=FAILING), scope="module")
async def failing(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=PUSH))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def puller(lsp_client: LanguageClient):
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    await lsp_client.initialize_session(types.InitializeParams(capabilities=PULL))
    yield
    await lsp_client.shutdown_session()


# ------------------------------------------------------------ helpers
async def until(predicate, what: str):
    """Wait (polling) until ``predicate()`` is true."""
    for _ in range(TIMEOUT * 50):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def copy(tmp_path: Path, fixture: str, name: str = None) -> Path:
    target = tmp_path / (name or Path(fixture).name)
    shutil.copy(FIXTURES / fixture, target)
    return target


def open_file(client: LanguageClient, path: Path, text: str = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=path.read_text() if text is None else text)))
    return uri


def replace_text(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def apply_edits(text: str, edits) -> str:
    """Apply LSP text edits (on distinct places) to ``text``."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    spans = sorted(((offsets[e.range.start.line] + e.range.start.character,
                     offsets[e.range.end.line] + e.range.end.character, e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def codes(client: LanguageClient, uri: str):
    return [d.code for d in client.diagnostics.get(uri, [])]


async def hover(client: LanguageClient, uri: str, line: int, character: int) -> str:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)))
    assert result is not None, (line, character)
    return result.contents.value


# ------------------------------------------------------------ tests
@ASYNC
async def test_initialize_announces_the_features(client: LanguageClient):
    """initialize answers with the server's name and the features it offers:
    incremental sync, hover, code actions (quick fixes and
    source.fixAll.fitlint), pull diagnostics and notebook sync."""
    result = client.initialized_with
    assert result.server_info.name == "fitlint"
    caps = result.capabilities
    assert caps.hover_provider
    assert types.CodeActionKind.QuickFix in caps.code_action_provider.code_action_kinds
    assert "source.fixAll.fitlint" in caps.code_action_provider.code_action_kinds
    assert caps.diagnostic_provider.identifier == "fitlint"
    assert caps.notebook_document_sync is not None
    sync = caps.text_document_sync
    assert getattr(sync, "change", sync) == types.TextDocumentSyncKind.Incremental


@ASYNC
async def test_buggy_script_has_diagnostics_with_both_ends_and_docs_link(client: LanguageClient, tmp_path):
    """Opening a buggy script publishes its FIT101 error at the fit call,
    with the link to the rule's docs and related information pointing at
    the model's Input (line 6) and where x was built (line 12)."""
    uri = open_file(client, copy(tmp_path, "rules/FIT101_buggy.py"))
    await until(lambda: "FIT101" in codes(client, uri), "FIT101")
    (diagnostic,) = client.diagnostics[uri]
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start.line == 13 and diagnostic.source == "fitlint"
    assert diagnostic.code_description.href.endswith("docs/rules.md#fit101-input-rank-mismatch")
    related = {(r.location.uri, r.location.range.start.line): r.message for r in diagnostic.related_information}
    assert "model input declared here" in related[(uri, 5)]
    assert "x built here" in related[(uri, 11)]


@ASYNC
async def test_noqa_code_actions_remove_the_diagnostic(client: LanguageClient, tmp_path):
    """The "Ignore FIT101 for this line" action adds ``# noqa: FIT101`` to
    the fit line and, once applied, the diagnostic goes; the file-level
    action inserts ``# fitlint: noqa: FIT101`` at the top, which clears it too."""
    path = copy(tmp_path, "rules/FIT101_buggy.py")
    uri = open_file(client, path)
    await until(lambda: "FIT101" in codes(client, uri), "FIT101")
    diagnostic = client.diagnostics[uri][0]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    by_title = {a.title: a for a in actions}
    assert set(by_title) == {"Ignore FIT101 for this line", "Ignore FIT101 for this file"}
    text = path.read_text()
    line_edit = by_title["Ignore FIT101 for this line"].edit.document_changes[0].edits
    fixed = apply_edits(text, line_edit)
    assert fixed.split("\n")[13].endswith("verbose=0)  # [FIT101]  # noqa: FIT101")
    replace_text(client, uri, fixed, 2)
    await until(lambda: codes(client, uri) == [], "the line's diagnostic to go")

    file_edit = by_title["Ignore FIT101 for this file"].edit.document_changes[0].edits
    whole = apply_edits(text, file_edit)
    assert whole.startswith("# fitlint: noqa: FIT101\n# expect: ValueError")
    replace_text(client, uri, text, 3)
    await until(lambda: codes(client, uri) == ["FIT101"], "the diagnostic to come back")
    replace_text(client, uri, whole, 4)
    await until(lambda: codes(client, uri) == [], "the file's diagnostic to go")


def _fixed_by_cli(path: Path, tmp_path: Path) -> str:
    """The file as `fitlint check --fix` leaves it (on a copy)."""
    folder = tmp_path / "cli"
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    shutil.copy(path, target)
    subprocess.run([sys.executable, "-m", "fitlint", "check", "--no-cache", "--fix", target.name], cwd=folder,
                   capture_output=True, text=True)
    return target.read_text()


async def _actions(client: LanguageClient, uri: str, diagnostics, only=None):
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostics[0].range if diagnostics else types.Range(start=types.Position(line=0, character=0),
                                                                   end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=diagnostics, only=only)))


@ASYNC
async def test_fix_code_action_applies_the_findings_fix(client: LanguageClient, tmp_path):
    """A finding with a safe fix gets a preferred "Fix: ..." quick fix whose
    edit is the very one `check --fix` makes; applied, the diagnostic goes."""
    path = copy(tmp_path, "fixes/fixes_FIT202_loss_class.py")
    uri = open_file(client, path)
    await until(lambda: "FIT202" in codes(client, uri), "FIT202")
    diagnostic = next(d for d in client.diagnostics[uri] if d.code == "FIT202")
    actions = await _actions(client, uri, [diagnostic])
    fixes = [a for a in actions if a.title.startswith("Fix")]
    assert [a.title for a in fixes] == ["Fix: use the sparse loss: SparseCategoricalCrossentropy"]
    assert fixes[0].is_preferred and fixes[0].kind == types.CodeActionKind.QuickFix
    assert list(fixes[0].diagnostics) == [diagnostic]
    fixed = apply_edits(path.read_text(), fixes[0].edit.document_changes[0].edits)
    assert "loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),  # logits out" in fixed
    assert fixed == _fixed_by_cli(path, tmp_path)
    replace_text(client, uri, fixed, 2)
    await until(lambda: codes(client, uri) == [], "the fixed diagnostic to go")


@ASYNC
async def test_unsafe_fix_is_offered_but_not_preferred_nor_applied_by_fix_all(client: LanguageClient, tmp_path):
    """An unsafe fix (output units) is a "Fix (unsafe): ..." quick fix that is
    not preferred; `source.fixAll.fitlint` leaves it out, as `--fix` does.
    Applying the quick fix clears the diagnostic."""
    path = copy(tmp_path, "fixes/fixes_FIT201_literal_units.py")
    uri = open_file(client, path)
    await until(lambda: "FIT201" in codes(client, uri), "FIT201")
    diagnostic = next(d for d in client.diagnostics[uri] if d.code == "FIT201")
    fixes = [a for a in await _actions(client, uri, [diagnostic]) if a.title.startswith("Fix")]
    assert [a.title for a in fixes] == ["Fix (unsafe): make the output Dense(8): the labels reach 7"]
    assert not fixes[0].is_preferred
    assert not await _actions(client, uri, [], only=["source.fixAll.fitlint"])
    fixed = apply_edits(path.read_text(), fixes[0].edit.document_changes[0].edits)
    assert 'layers.Dense(8, activation="softmax"),  # the output layer' in fixed
    replace_text(client, uri, fixed, 2)
    await until(lambda: codes(client, uri) == [], "the fixed diagnostic to go")


@ASYNC
async def test_fix_all_applies_every_safe_fix_of_the_document(client: LanguageClient, tmp_path):
    """`source.fixAll.fitlint` (also asked for as `source.fixAll`) is one
    action with the safe fixes of the whole document, the same result as
    `check --fix`; applied, the document has no diagnostic left."""
    path = copy(tmp_path, "fixes/fixes_FIT203_loss_function.py")
    uri = open_file(client, path)
    await until(lambda: "FIT203" in codes(client, uri), "FIT203")
    for only in (["source.fixAll.fitlint"], [types.CodeActionKind.SourceFixAll]):
        actions = await _actions(client, uri, [], only=only)
        assert [(a.title, a.kind) for a in actions] == [("fitlint: apply every fix", "source.fixAll.fitlint")]
    fixed = apply_edits(path.read_text(), actions[0].edit.document_changes[0].edits)
    assert fixed == _fixed_by_cli(path, tmp_path)
    assert "loss=keras.losses.categorical_crossentropy" in fixed
    replace_text(client, uri, fixed, 2)
    await until(lambda: codes(client, uri) == [], "the document's diagnostics to go")


@ASYNC
async def test_editing_into_the_fixed_script_clears_diagnostics(client: LanguageClient, tmp_path):
    """Editing the buggy script (incremental change of line 12) into its
    fixed twin clears its diagnostics; closing a document clears them too."""
    path = copy(tmp_path, "rules/FIT101_buggy.py")
    end = len(path.read_text().split("\n")[11])
    uri = open_file(client, path)
    await until(lambda: "FIT101" in codes(client, uri), "FIT101")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=11, character=end), end=types.Position(line=11, character=end)),
            text=".reshape(-1, 28, 28, 1)")]))
    await until(lambda: codes(client, uri) == [], "diagnostics cleared")
    replace_text(client, uri, (FIXTURES / "rules/FIT101_buggy.py").read_text(), 3)
    await until(lambda: codes(client, uri) == ["FIT101"], "FIT101 again")
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await until(lambda: codes(client, uri) == [], "diagnostics cleared on close")


@ASYNC
async def test_hover_shows_model_summary_data_shape_and_rule_docs(client: LanguageClient, tmp_path):
    """Hovering the model shows its layers with output shapes and its loss;
    hovering x shows its shape, dtype, range and where it was built;
    hovering FIT201 in a ``# noqa`` comment shows that rule's docs."""
    path = copy(tmp_path, "rules/FIT101_buggy.py")
    text = path.read_text().replace("# [FIT101]", "# noqa: FIT201")
    uri = open_file(client, path, text)
    model = await hover(client, uri, 4, 2)
    assert "Conv2D" in model and "(None, 26, 26, 4)" in model and "(None, 2704)" in model
    assert "sparse_categorical_crossentropy" in model
    x = await hover(client, uri, 13, 10)
    assert "array (16, 784), float32, values 0..1" in x and "built at line 12" in x
    y = await hover(client, uri, 12, 0)
    assert "(16,)" in y and "values 0..9" in y
    column = text.split("\n")[13].index("FIT201") + 2
    rule = await hover(client, uri, 13, column)
    assert "FIT201 sparse-label-out-of-range" in rule and "#fit201-sparse-label-out-of-range" in rule


@ASYNC
async def test_positions_are_in_utf16_units(client: LanguageClient, tmp_path):
    """Columns go to the client in UTF-16 code units: after an emoji (two
    units, one character) on the fit line, the diagnostic starts one unit
    further right than its character column, the noqa edit lands at the end
    of the line, and hovering x after the emoji still finds x."""
    path = copy(tmp_path, "rules/FIT101_buggy.py")
    lines = path.read_text().split("\n")
    lines[13] = 'print("\U0001F60B"); ' + lines[13]
    text = "\n".join(lines)
    uri = open_file(client, path, text)
    await until(lambda: "FIT101" in codes(client, uri), "FIT101")
    (diagnostic,) = client.diagnostics[uri]
    assert diagnostic.range.start.character == len('print("\U0001F60B"); '.encode("utf-16-le")) // 2 == 13
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    (edit,) = next(a for a in actions if a.title == "Ignore FIT101 for this line").edit.document_changes[0].edits
    assert edit.range.start.character == len(lines[13].encode("utf-16-le")) // 2
    x = lines[13].index("(x,") + 1
    assert "(16, 784)" in await hover(client, uri, 13, x + 1)


@ASYNC
async def test_notebook_diagnostic_lands_on_the_right_cell(client: LanguageClient, tmp_path):
    """A notebook document (markdown cell, model cell, fit cell) is checked
    as one program: the FIT101 error is published on the third cell, at
    its line within that cell, and hovering x there shows its shape; editing
    the cell clears or brings back the diagnostic; closing clears it."""
    nb = (tmp_path / "train.ipynb").as_uri()
    lines = (FIXTURES / "rules/FIT101_buggy.py").read_text().split("\n")
    texts = ["# Training\n", "\n".join(lines[1:11]) + "\n", "\n".join(lines[11:14]) + "\n"]
    kinds = [types.NotebookCellKind.Markup, types.NotebookCellKind.Code, types.NotebookCellKind.Code]
    cells = [f"{nb}#cell{i}" for i in range(3)]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(uri=nb, notebook_type="jupyter-notebook", version=1, cells=[
            types.NotebookCell(kind=k, document=c) for k, c in zip(kinds, cells)]),
        cell_text_documents=[types.TextDocumentItem(uri=c, language_id="markdown" if i == 0 else "python",
                                                    version=1, text=t) for i, (c, t) in enumerate(zip(cells, texts))]))
    await until(lambda: "FIT101" in codes(client, cells[2]), "FIT101 on the third cell")
    (diagnostic,) = client.diagnostics[cells[2]]
    assert diagnostic.range.start.line == 2
    assert codes(client, cells[1]) == [] and codes(client, cells[0]) == []
    related = {r.location.uri for r in diagnostic.related_information}
    assert related == {cells[1], cells[2]}
    assert "(16, 784)" in await hover(client, cells[2], 2, 10)
    fixed = texts[2].replace('.astype("float32")', '.astype("float32").reshape(-1, 28, 28, 1)')
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=nb, version=2),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=cells[2], version=2),
                changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)])]))))
    await until(lambda: codes(client, cells[2]) == [], "the cell's diagnostic cleared by the edit")
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=nb, version=3),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=cells[2], version=3),
                changes=[types.TextDocumentContentChangeWholeDocument(text=texts[2])])]))))
    await until(lambda: codes(client, cells[2]) == ["FIT101"], "FIT101 back")
    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=nb),
        cell_text_documents=[types.TextDocumentIdentifier(uri=c) for c in cells]))
    await until(lambda: codes(client, cells[2]) == [], "cleared on close")


@ASYNC
async def test_configuration_change_changes_the_selection(client: LanguageClient, tmp_path):
    """Writing ``ignore = ["FIT101"]`` into the project's pyproject.toml and
    notifying the change (workspace/didChangeWatchedFiles) re-checks the
    open script without FIT101; removing it brings FIT101 back."""
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.fitlint]\nignore = []\n")
    uri = open_file(client, copy(project, "rules/FIT101_buggy.py"))
    await until(lambda: codes(client, uri) == ["FIT101"], "FIT101")

    def changed():
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
            uri=(project / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed)]))

    (project / "pyproject.toml").write_text('[tool.fitlint]\nignore = ["FIT101"]\n')
    changed()
    await until(lambda: codes(client, uri) == [], "FIT101 ignored")
    (project / "pyproject.toml").write_text("[tool.fitlint]\n")
    changed()
    await until(lambda: codes(client, uri) == ["FIT101"], "FIT101 selected again")


@ASYNC
async def test_client_settings_change_the_selection(client: LanguageClient, tmp_path):
    """Settings sent with workspace/didChangeConfiguration under "fitlint"
    (here ignore FIT101) apply over the configuration files and re-check
    the open documents; empty settings restore the selection."""
    uri = open_file(client, copy(tmp_path, "rules/FIT101_buggy.py"))
    await until(lambda: codes(client, uri) == ["FIT101"], "FIT101")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"fitlint": {"ignore": ["FIT101"]}}))
    await until(lambda: codes(client, uri) == [], "FIT101 ignored by the settings")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"fitlint": {}}))
    await until(lambda: codes(client, uri) == ["FIT101"], "FIT101 back")


@ASYNC
async def test_dependent_is_rechecked_when_an_imported_module_changes(client: LanguageClient, tmp_path):
    """An open script using a helper module is checked again when that
    module changes on disk: the helper's output layer shrinking to 3 units
    makes the script's labels 0..3 out of range (FIT201), with related
    information pointing into the helper's file."""
    for name in ("run_fixed.py", "training.py"):
        copy(tmp_path, f"projects/fit_helper/{name}")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    uri = open_file(client, tmp_path / "run_fixed.py")
    await asyncio.sleep(0.3)
    assert codes(client, uri) == []
    training = tmp_path / "training.py"
    training.write_text(training.read_text().replace("Dense(classes,", "Dense(classes - 1,"))
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=training.as_uri(), type=types.FileChangeType.Changed)]))
    await until(lambda: codes(client, uri) == ["FIT201"], "FIT201 from the changed helper")
    related = {r.location.uri for r in client.diagnostics[uri][0].related_information}
    assert related == {uri, training.as_uri()}  # the failing call and the output layer are in the helper


@ASYNC
async def test_a_checking_failure_keeps_the_session_and_the_last_diagnostics(failing: LanguageClient, tmp_path):
    """When checking a document raises, the failure is logged to the client
    (window/logMessage, type Error), the document keeps its last
    diagnostics, and the server goes on checking later edits."""
    path = copy(tmp_path, "rules/FIT101_buggy.py")
    text = path.read_text()
    uri = open_file(failing, path)
    await until(lambda: codes(failing, uri) == ["FIT101"], "FIT101")
    replace_text(failing, uri, text + "# BOOM\n", 2)
    await until(lambda: any("checking exploded" in m.message and m.type == types.MessageType.Error
                            for m in failing.log_messages), "the failure logged")
    assert codes(failing, uri) == ["FIT101"]
    replace_text(failing, uri, (FIXTURES / "rules/FIT101_fixed.py").read_text(), 3)
    await until(lambda: codes(failing, uri) == [], "diagnostics of the fixed script")


@ASYNC
async def test_pull_diagnostics(puller: LanguageClient, tmp_path):
    """A client that supports pull diagnostics gets them from
    textDocument/diagnostic (and none pushed); after an edit the next pull
    reflects the new text."""
    path = copy(tmp_path, "rules/FIT101_buggy.py")
    uri = open_file(puller, path)

    async def pull():
        report = await puller.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        return [d.code for d in report.items]

    assert await pull() == ["FIT101"]
    replace_text(puller, uri, (FIXTURES / "rules/FIT101_fixed.py").read_text(), 2)
    assert await pull() == []
    assert uri not in puller.diagnostics


@ASYNC
async def test_pull_client_gets_watchers_registered_and_a_refresh(puller: LanguageClient, tmp_path):
    """A client that registers file watchers dynamically is asked to watch
    pyproject.toml, fitlint.toml and Python files; after a configuration
    change it is asked to pull again (workspace/diagnostic/refresh) and the
    next pull has the new selection."""
    await until(lambda: puller.registrations, "the watcher registration")
    (registration,) = puller.registrations
    assert registration.method == "workspace/didChangeWatchedFiles"
    globs = {w["globPattern"] if isinstance(w, dict) else w.glob_pattern
             for w in (registration.register_options["watchers"] if isinstance(registration.register_options, dict)
                       else registration.register_options.watchers)}
    assert globs == {"**/pyproject.toml", "**/fitlint.toml", "**/*.py"}
    (tmp_path / "fitlint.toml").write_text("")
    uri = open_file(puller, copy(tmp_path, "rules/FIT101_buggy.py"))
    report = await puller.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [d.code for d in report.items] == ["FIT101"]
    before = puller.diagnostic_refresh_count
    (tmp_path / "fitlint.toml").write_text('ignore = ["FIT1"]\n')
    puller.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=(tmp_path / "fitlint.toml").as_uri(), type=types.FileChangeType.Changed)]))
    await until(lambda: puller.diagnostic_refresh_count > before, "a refresh request")
    report = await puller.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert list(report.items) == []


@ASYNC
async def test_shutdown_is_clean(tmp_path):
    """shutdown then exit ends the server process with code 0."""
    lsp = await ClientServerConfig(server_command=SERVER).start()
    try:
        await lsp.initialize_session(types.InitializeParams(capabilities=PUSH))
        uri = open_file(lsp, copy(tmp_path, "rules/FIT101_buggy.py"))
        await until(lambda: "FIT101" in codes(lsp, uri), "FIT101")
        await lsp.shutdown_session()
        assert lsp._server.returncode == 0
    finally:
        await lsp.stop()


def test_server_without_pygls_says_how_to_install_it():
    """Without pygls, ``fitlint server`` prints how to install the lsp extra
    and exits 2."""
    code = "import sys; sys.modules['pygls'] = None; from fitlint.cli import main; sys.exit(main(['server']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'fitlint[lsp]'" in done.stderr
