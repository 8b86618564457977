"""Notebook cells are read as IPython reads them (fitlint.notebook), with
every line kept in place so that findings point at the right cell and line.
IPython is the oracle of the differential tests; fitlint never imports it."""
import ast
import json
import warnings

import pytest

from fitlint.engine import lint_source
from fitlint.notebook import LINE_MAGICS, PYTHON_CELL_MAGICS, to_script, transform_cell
from fitlint.rules import ALL_RULES

from notebook_cells import CELLS

HEADER = ("import numpy as np\n"
          "import tensorflow as tf\n"
          "model = tf.keras.Sequential([tf.keras.Input(shape=(20,)), tf.keras.layers.Dense(3, activation='softmax')])\n"
          "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n")
FIT = "model.fit(x, y, epochs=1)\n"  # FIT201 when y holds labels 0..3


def notebook(*cells):
    """A notebook: a markdown cell first, then the given code cells (so code
    cell k is cell k + 1)."""
    return json.dumps({"cells": [{"cell_type": "markdown", "source": "# t"}]
                       + [{"cell_type": "code", "source": c} for c in cells]})


def findings(*cells, columns=False):
    return {(f.cell, f.line, f.code) + ((f.column, f.end_column) if columns else ())
            for f in lint_source(notebook(*cells), "t.ipynb", ALL_RULES)}


def test_baseline_finding_is_located():
    """The labels-out-of-range bug used below is found at its cell and line
    (so the tests below that expect or deny it can fail)."""
    cell = "x = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)\n" + FIT
    assert findings(HEADER, cell) == {(3, 3, "FIT201")}


def test_magic_and_shell_lines_in_blocks_keep_the_block():
    """A `!cmd` or `%magic` line that is a block's only statement becomes a
    call statement at the same indentation, so the cell is valid Python and a
    finding in a later cell is still reported there."""
    cell = "if x:\n    !ls\nfor i in y:\n    %time f(i)\ntry:\n    %load_ext tensorboard\nexcept Exception:\n    pass\n"
    assert transform_cell(cell) == (
        "if x:\n    get_ipython().system('ls')\nfor i in y:\n    get_ipython().run_line_magic('time', 'f(i)')\n"
        "try:\n    get_ipython().run_line_magic('load_ext', 'tensorboard')\nexcept Exception:\n    pass\n")
    assert findings(HEADER, cell, "x = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)\n" + FIT) == {
        (4, 3, "FIT201")}


def test_backslash_continued_magic_owns_its_lines():
    """`!cmd \\` and `%magic \\` take all their continued lines (joined as
    IPython joins them); those lines become blank and the next statement
    keeps its line."""
    cell = "!pip install \\\n   foo \\\n   bar\n%time \\\n  f(1)\nx = np.random.rand(100, 20)\n"
    assert transform_cell(cell).split("\n") == [
        "get_ipython().system('pip install     foo     bar')", "", "",
        "get_ipython().run_line_magic('time', '   f(1)')", "", "x = np.random.rand(100, 20)", ""]
    assert findings(HEADER, cell + "y = np.random.randint(0, 4, 100)\n" + FIT) == {(3, 8, "FIT201")}


def test_percent_in_brackets_is_string_formatting():
    """A `%` starting a continuation line inside brackets is the modulo /
    formatting operator: the cell is left as it is and analysed."""
    cell = "name = ('%s-%d'\n        % ('a', 1))\nx = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)\n" + FIT
    assert transform_cell(cell) == cell
    assert findings(HEADER, cell) == {(3, 5, "FIT201")}


def test_comment_ending_in_question_mark_is_code():
    """A statement whose trailing comment ends in `?` is kept and analysed
    (its labels give the finding); only `obj?`, `obj??` and `?obj` are help."""
    cell = "x = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)  # four classes?\n"
    assert transform_cell(cell) == cell
    assert findings(HEADER, cell, FIT) == {(4, 1, "FIT201")}
    help_cell = "np.sum?\nnp.sum??\n?np.sum\n"
    assert transform_cell(help_cell) == ("get_ipython().run_line_magic('pinfo', 'np.sum')\n"
                                         "get_ipython().run_line_magic('pinfo2', 'np.sum')\n"
                                         "get_ipython().run_line_magic('pinfo', 'np.sum')\n")
    assert transform_cell("print(x)?\n") == "print(x)?\n"  # not help: IPython rejects it too


def test_indented_cell_is_dedented():
    """A cell whose lines all share a leading indentation is dedented as
    IPython does, and its findings keep their lines."""
    cell = "    x = np.random.rand(100, 20)\n    y = np.random.randint(0, 4, 100)\n    " + FIT
    assert transform_cell(cell) == "x = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)\n" + FIT
    assert findings(HEADER, cell) == {(3, 3, "FIT201")}


def test_cut_columns_are_given_back():
    """Columns of findings in a dedented cell or behind `>>>` / `In [1]:`
    prompts are columns of the cell as written (the cut is added back)."""
    body = ["x = np.random.rand(100, 20)", "y = np.random.randint(0, 4, 100)", FIT.rstrip()]
    (plain,) = findings(HEADER, "\n".join(body) + "\n", columns=True)
    for prefix, first in (("    ", "    "), ("... ", ">>> "), ("   ...: ", "In [1]: ")):
        cell = "\n".join([first + body[0]] + [prefix + line for line in body[1:]]) + "\n"
        (found,) = findings(HEADER, cell, columns=True)
        assert found == plain[:3] + (plain[3] + len(prefix), plain[4] + len(prefix)), prefix


def test_assignments_from_shell_and_magic_are_unknown_values():
    """`y = !cmd` and `y = %magic` assign a value the analysis does not know:
    the cell is valid and the labels bug is no longer claimed."""
    assert transform_cell("y = !cat labels.txt\n") == "y = get_ipython().getoutput('cat labels.txt')\n"
    assert transform_cell("y = %sx cat labels\n") == "y = get_ipython().run_line_magic('sx', 'cat labels')\n"
    base = "x = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)\n"
    assert findings(HEADER, base + "y = !cat labels.txt\n" + FIT) == set()
    assert findings(HEADER, base + "y = %sx cat labels\n" + FIT) == set()


@pytest.mark.parametrize("magic", sorted(PYTHON_CELL_MAGICS))
def test_python_cell_magic_bodies_are_analysed(magic):
    """The body of a %%time/%%timeit/%%capture/%%prun cell is Python: its
    finding is reported at its line in that cell."""
    cell = f"%%{magic}\nx = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)\n" + FIT
    assert transform_cell(cell).split("\n")[0] == ""
    assert findings(HEADER, cell) == {(3, 4, "FIT201")}


@pytest.mark.parametrize("magic", ["bash", "sh", "writefile model.py", "html", "javascript", "latex",
                                   "bigquery df", "some_unknown_magic"])
def test_other_cell_magics_are_not_analysed(magic):
    """Any other cell magic's body is not Python: it is left out (no FIT000,
    no finding from its text), and a later cell is still located."""
    cell = f"%%{magic}\nx = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)\n{FIT}def broken(:\n"
    assert transform_cell(cell) == "\n" * 5
    assert findings(HEADER, cell, "x = np.random.rand(100, 20)\n\ny = np.random.randint(0, 4, 100)\n" + FIT) == {
        (4, 4, "FIT201")}


def test_invalid_cell_is_located():
    """A cell that is not Python even as IPython reads it gives FIT000 at its
    cell and line, after cells full of IPython syntax."""
    assert findings("%matplotlib inline\n!ls\nx = !pwd\n", "a = 1\nb = [)\n", "c = 2\n") == {(3, 2, "FIT000")}


def test_script_keeps_every_line():
    """to_script writes as many lines per cell as the cell has, so cell
    starts are where locate expects them."""
    cells = ["!pip install \\\n  a\n", "%%bash\nls\n", "if x:\n    %time f()\n"]
    script, starts, _ = to_script(notebook(*cells).encode())
    assert starts == [(1, 2), (4, 3), (7, 4)]
    assert len(script.split("\n")) - 1 == sum(c.count("\n") + 1 for c in cells)


# -- IPython as the oracle ---------------------------------------------------

def _parse(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes in generated cells
        return ast.parse(text)


def _ipython_python(cell):
    """The Python IPython runs for a cell (the body of a Python cell magic is
    transformed as a cell, as those magics do), as an AST dump, or None if
    IPython cannot run it as Python."""
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        tree = _parse(TransformerManager().transform_cell(cell))
    except Exception:  # SyntaxError, or IPython's own tokenizer refusing
        # What is not Python may still run in IPython's shell: a one-line
        # cell starting with a magic's name (automagic).
        try:
            tree = _parse(_shell().transform_cell(cell))
        except Exception:
            return None
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Call):
        call = tree.body[0].value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "run_cell_magic":
            name, _, body = (arg.value for arg in call.args)
            return _ipython_python(body) if name in PYTHON_CELL_MAGICS else ast.dump(ast.parse(""))
    return ast.dump(tree)


_SHELL = []


def _shell():
    if not _SHELL:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config
        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        _SHELL.append(InteractiveShell.instance(config=config))
    return _SHELL[0]


def test_line_magic_names_are_ipython_defaults():
    """The names fitlint runs as magics without '%' are exactly the line
    magics of a default IPython shell."""
    assert LINE_MAGICS == set(_shell().magics_manager.lsmagic()["line"])


def test_automagic_one_line_cells():
    """A one-line cell that starts with a magic's name and is not Python runs
    the magic (`pip install x`, `ls -la`), as in IPython's shell; a longer
    cell, or a line that is Python, stays as it is."""
    assert transform_cell("pip install foo\n") == "get_ipython().run_line_magic('pip', 'install foo')\n"
    assert transform_cell("\nls -la ../data\n") == "\nget_ipython().run_line_magic('ls', '-la ../data')\n"
    assert transform_cell("cd ..\nx = 1\n") == "cd ..\nx = 1\n"
    assert transform_cell("ls = 3\n") == "ls = 3\n"
    assert findings(HEADER, "pip install foo\n", "x = np.random.rand(100, 20)\ny = np.random.randint(0, 4, 100)\n"
                    + FIT) == {(4, 3, "FIT201")}


def _fitlint_python(cell):
    out = transform_cell(cell)
    assert out.count("\n") == cell.count("\n") + (not cell.endswith("\n"))  # every line kept
    try:
        return ast.dump(_parse(out))
    except SyntaxError:
        return None


def test_cell_corpus_covers_valid_and_invalid():
    """The differential corpus holds both cells IPython runs and cells it rejects."""
    verdicts = [_ipython_python(c) is not None for c in CELLS]
    assert any(verdicts) and not all(verdicts)


@pytest.mark.parametrize("cell", CELLS)
def test_same_python_as_ipython(cell):
    """fitlint's Python for the cell compiles exactly when IPython's does, and
    both hold the same statements (the calls IPython writes for magics are
    written the same way), with the cell's line count unchanged."""
    assert _fitlint_python(cell) == _ipython_python(cell)


# -- generated cells ---------------------------------------------------------

FRAGMENTS = [
    "x = 1", "y = (x,", "     2)", "z = x \\", "    + 1", "if x:", "for i in y:", "try:", "except Exception:",
    "else:", "    pass", "    w = 3", "!ls -la", "!!pwd", "!echo 'a' \\", "  b", "%time f(1)", "%matplotlib inline",
    "%load_ext autoreload \\", "x = !ls", "x = %time f(1)", "out = !cat f \\", "f?", "np.sum??", "?f", "print(x)?",
    ",f a b", ";f a b", "/f a b", "    !ls", "    %time g()", "    y = !ls", "    f?", "s = ('%s'", "     % x)",
    "# why?", "x = 1  # why?", "'''", "\"\"\"!ls", "%%time", "%%bash", "%%capture c", ">>> a = 1", "... b = 2",
    "In [3]: c = 3", "   ...: d = 4", "pip install foo", "ls -la", "", "  ", "def f(:", "\\",
]


def test_generated_cells_same_python_as_ipython():
    """Over cells made of random lines of IPython syntax, Python, blocks,
    continuations and prompts (valid or not), fitlint's Python compiles
    exactly when IPython's does and holds the same statements."""
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    _shell()  # made once, outside the examples

    @hypothesis.settings(max_examples=400, deadline=None, derandomize=True)
    @hypothesis.given(st.lists(st.tuples(st.sampled_from(["", "  ", "    "]), st.sampled_from(FRAGMENTS)),
                               min_size=1, max_size=6))
    def check(parts):
        cell = "".join(indent + text + "\n" for indent, text in parts)
        assert _fitlint_python(cell) == _ipython_python(cell), cell

    check()


def test_character_soup_same_python_as_ipython():
    """Over cells made of random characters and pieces that matter to
    IPython's rules (escapes, brackets, quotes, backslashes, prompts), fitlint
    never fails, compiles exactly when IPython does, and holds the same
    statements. (Line breaks other than '\\n', which IPython also splits on,
    are left out: fitlint keeps Python's line numbering.)"""
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    _shell()
    pieces = list("ab x=()[]{}'\"\\\n\t!?%,;/#.:*$0") + ["    ", "\n    ", "'''", "if a:\n", "%%time\n", ">>> ",
                                                     "In [1]: ", "pip ", "\u00e9"]

    @hypothesis.settings(max_examples=400, deadline=None, derandomize=True)
    @hypothesis.given(st.lists(st.sampled_from(pieces), min_size=1, max_size=25))
    def check(parts):
        cell = "".join(parts)
        assert _fitlint_python(cell) == _ipython_python(cell), cell

    check()
