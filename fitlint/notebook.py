"""Jupyter notebooks as scripts: code cells joined in order, each cell read as
IPython reads it, and positions mapped back to (cell, line within the cell).
Cells are numbered from 1 over all cells of the notebook, markdown included,
as they appear in the file.

A cell is turned into Python by IPython's input rules (those of
``IPython.core.inputtransformer2``, re-implemented here): leading blank lines
and a leading indentation common to the cell are dropped, ``>>>`` and
``In [1]:`` prompts are stripped, a ``%%`` first line makes a cell magic, and
then, one logical line at a time, ``x = %magic``, ``x = !cmd``, escaped lines
(``!cmd``, ``!!cmd``, ``%magic``, ``?obj``, ``,f a b``, ``;f a b``, ``/f a b``)
and help queries (``obj?``, ``obj??``) become the calls IPython writes for
them (``get_ipython().system(...)`` and so on: calls the analysis does not
know). Unlike IPython, every physical line keeps its place: a special line
continued with backslashes becomes its call on its first line and blank lines
after it, so findings point at the right cell and line. As in IPython's
shell, a cell of one line may also run a magic without its ``%``
(``pip install foo``), see ``_automagic``.

The body of a ``%%time``, ``%%timeit``, ``%%capture`` or ``%%prun`` cell is
Python, read by the same rules; any other cell magic (``%%bash``,
``%%writefile``, ``%%html``, ...) is not Python and is left out."""
from __future__ import annotations

import ast
import bisect
import json
import re
import tokenize
import warnings
from typing import Dict, List, Optional, Tuple


class NotebookError(ValueError):
    pass


# Cell magics whose body IPython runs as Python code of the notebook.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

_INDENT = re.compile(r"^[ \t]+")
_CLASSIC_PROMPT = re.compile(r"^(>>>|\.\.\.)( |$)")
_CLASSIC_FIRST = re.compile(r"^>>>( |$)")
_IPYTHON_PROMPT = re.compile(r"^(((\[nav\]|\[ins\])?\ )?In\ \[\d+\]:\ |\s*\.{3,}:\ ?)")
_CELL_MAGIC_HELP = re.compile(r"%%\w+\?")
_HELP_END = re.compile(r"(%{0,2}(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*)(\?\??)$")
_ESCAPES = frozenset("!?%,;/")
_OPENING, _CLOSING = frozenset("([{"), frozenset(")]}")
_LOOP_LIMIT = 500


def transform_cell(text: str) -> str:
    """The Python IPython runs for a cell, with as many lines as the cell
    (lines split on ``\\n``), each ended by a newline."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return "".join(line + "\n" for line in transform_lines(lines))


def transform_lines(lines: List[str]) -> List[str]:
    """The Python of a cell given as its lines (without line ends): one
    output line per input line."""
    return _transform(lines)[0]


def _transform(lines: List[str]) -> Tuple[List[str], List[int]]:
    """transform_lines, and for each line how many columns were removed at
    its start (a common indentation, a prompt)."""
    work = [line + "\n" for line in lines]
    first = next((i for i, line in enumerate(work) if not line.isspace()), None)
    if first is None:
        return [""] * len(lines), [0] * len(lines)
    body, shifts = _cleanup(work[first:])
    head = [""] * first
    shifts = [0] * first + shifts
    if body[0].startswith("%%") and not _CELL_MAGIC_HELP.match(body[0]):
        name = body[0][2:].rstrip().partition(" ")[0]
        if name in PYTHON_CELL_MAGICS:
            inner, inner_shifts = _transform([line[:-1] for line in body[1:]])
            inner_shifts = [a + b for a, b in zip(shifts[first + 1:], inner_shifts)]
            return head + [""] + inner, shifts[:first + 1] + inner_shifts
        return [""] * len(lines), [0] * len(lines)  # not Python
    body, padding = _special_syntax(body)
    if len(body) - padding == 1:  # IPython's output is one line
        body[0] = _automagic(body[0][:-1]) + "\n"
    return head + [line[:-1] for line in body], shifts


def _cleanup(lines: List[str]) -> Tuple[List[str], List[int]]:
    before = [len(line) for line in lines]
    indent = _INDENT.match(lines[0])
    if indent:
        space = indent.group(0)
        lines = [line[len(space):] if line.startswith(space) else line for line in lines]
    if _CLASSIC_FIRST.match(lines[0]) or (len(lines) > 1 and _CLASSIC_PROMPT.match(lines[1])):
        lines = [_CLASSIC_PROMPT.sub("", line, count=1) for line in lines]
    if _IPYTHON_PROMPT.match(lines[0]) or (len(lines) > 1 and _IPYTHON_PROMPT.match(lines[1])):
        lines = [_IPYTHON_PROMPT.sub("", line, count=1) for line in lines]
    return lines, [b - len(line) for b, line in zip(before, lines)]


# -- logical lines ---------------------------------------------------------

def _logical_lines(lines: List[str]) -> Optional[List[List[tokenize.TokenInfo]]]:
    """The cell's tokens grouped by logical line (a bracketed expression is
    one line; a blank or comment line outside brackets is a line of its own).
    Input that ends inside a string or brackets keeps the tokens read so far.
    None when the indentation is inconsistent (IPython fails there too)."""
    groups: List[List[tokenize.TokenInfo]] = [[]]
    depth = 0
    try:
        for token in tokenize.generate_tokens(iter(lines).__next__):
            groups[-1].append(token)
            if token.type == tokenize.NEWLINE or (token.type == tokenize.NL and depth <= 0):
                groups.append([])
            elif token.string in _OPENING:
                depth += 1
            elif token.string in _CLOSING and depth > 0:
                depth -= 1
    except tokenize.TokenError:
        pass
    except SyntaxError:  # IndentationError, and any tokenizer refusal
        return None
    if not groups[-1]:
        groups.pop()
    return groups


def _is_error(token: tokenize.TokenInfo) -> bool:
    # A character Python has no token for ('!', '?', '$', a lone quote, the
    # space before it); newer tokenizers call '!' and '?' operators.
    return token.type == tokenize.ERRORTOKEN or (token.type == tokenize.OP and token.string in ("!", "?"))


def _first_assignment(group: List[tokenize.TokenInfo]) -> Optional[int]:
    depth = 0
    for index, token in enumerate(group):
        if token.string == "=" and depth == 0:
            return index
        if token.string in _OPENING:
            depth += 1
        elif token.string in _CLOSING and depth > 0:
            depth -= 1
    return None


def _first_code_token(group: List[tokenize.TokenInfo]) -> int:
    index = 0
    while index < len(group) and group[index].type in (tokenize.INDENT, tokenize.DEDENT):
        index += 1
    return index


# -- finding special syntax (line, column, priority, kind, extra) ----------

def _find_magic_assign(groups):
    for group in groups:
        at = _first_assignment(group)
        if (at is not None and at + 2 < len(group) and group[at + 1].string == "%"
                and group[at + 2].type == tokenize.NAME):
            line, col = group[at + 1].start
            return (line - 1, col, 10, "magic_assign", None)
    return None


def _find_system_assign(groups):
    for group in groups:
        at = _first_assignment(group)
        if at is None or group[at].line.strip().startswith("=") or at + 1 >= len(group):
            continue
        index = at + 1
        while index < len(group) and _is_error(group[index]):
            if group[index].string == "!":
                line, col = group[index].start
                return (line - 1, col, 10, "system_assign", None)
            if not group[index].string.isspace():
                break
            index += 1
    return None


def _find_escaped(groups):
    for group in groups:
        index = _first_code_token(group)
        if index < len(group) and group[index].string in _ESCAPES:
            line, col = group[index].start
            return (line - 1, col, 10, "escaped", None)
    return None


def _find_help_end(groups):
    for group in groups:
        if len(group) > 2 and group[-2].string == "?":
            line, col = group[_first_code_token(group)].start
            return (line - 1, col, 5, "help_end", group[-2].start[0] - 1)
    return None


_FINDERS = (_find_magic_assign, _find_system_assign, _find_escaped, _find_help_end)


# -- rewriting one piece of special syntax ---------------------------------

def _continued_end(lines: List[str], start: int) -> int:
    end = start
    while lines[end].endswith("\\\n"):
        end += 1
        if end >= len(lines):
            return len(lines) - 1  # the cell ends with a backslash
    return end


def _joined(lines: List[str], line: int, col: int, end: int) -> str:
    parts = [lines[line][col:]] + lines[line + 1:end + 1]
    return " ".join([part.rstrip()[:-1] for part in parts[:-1]] + [parts[-1].rstrip()])


def _line_magic(content: str) -> str:
    name, _, args = content.partition(" ")
    return f"get_ipython().run_line_magic({name!r}, {args!r})"


def _help(target: str, escape: str) -> str:
    if not target:
        return "get_ipython().show_usage()"
    method = "pinfo2" if escape == "??" else "psearch" if "*" in target else "pinfo"
    return _line_magic(f"{method} {target}".lstrip("%"))


def _escaped_call(text: str) -> str:
    escape = text[:2] if text[:2] in ("!!", "??") else text[:1]
    content = text[len(escape):]
    if escape == "!":
        return f"get_ipython().system({content!r})"
    if escape == "!!":
        return f"get_ipython().getoutput({content!r})"
    if escape in ("?", "??"):
        return _help(content, escape)
    if escape == "%":
        return _line_magic(content)
    name, _, args = content.partition(" ")
    if escape == ",":
        return '%s("%s")' % (name, '", "'.join(args.split()))
    if escape == ";":
        return '%s("%s")' % (name, args)
    return "%s(%s)" % (name, ", ".join(args.split()))  # "/"


def _rewrite(lines: List[str], found) -> Optional[List[str]]:
    """``lines`` with the special syntax ``found`` replaced by its call, the
    lines it spanned after the first made blank; None if it is not what it
    seemed (a ``?`` that ends no name)."""
    line, col, _, kind, extra = found
    if kind == "help_end":
        end = extra
        piece = "".join(lines[line:end + 1])
        match = _HELP_END.search(piece[col:])
        if match is None:
            return None
        new = piece[:col] + _help(match.group(1), match.group(3))
    else:
        end = _continued_end(lines, line)
        text = _joined(lines, line, col, end)
        prefix = lines[line][:col]
        if kind == "magic_assign":
            new = prefix + _line_magic(text[1:])
        elif kind == "system_assign":
            new = prefix + f"get_ipython().getoutput({text[1:]!r})"
        else:
            new = prefix + _escaped_call(text)
    return lines[:line] + [new + "\n"] + ["\n"] * (end - line) + lines[end + 1:]


# Every piece of special syntax has one of these characters, or a line that
# starts with one of these: a cell with none is Python as it is, and is not
# tokenized (the tokenizer is slow).
_MAYBE_SPECIAL = re.compile(r"[!?%]|^\s*[,;/]", re.M)


def _special_syntax(lines: List[str]) -> Tuple[List[str], int]:
    """The lines with all special syntax rewritten, and how many lines were
    blanked because IPython merges them into the line before."""
    if not _MAYBE_SPECIAL.search("".join(lines)):
        return lines, 0
    padding = 0
    for _ in range(_LOOP_LIMIT):
        groups = _logical_lines(lines)
        if groups is None:
            break
        candidates = sorted((f for f in (finder(groups) for finder in _FINDERS) if f),
                            key=lambda f: f[:3])
        for found in candidates:
            rewritten = _rewrite(lines, found)
            if rewritten is not None:
                padding += _merged(lines, found)
                lines = rewritten
                break
        else:
            break
    return lines, padding


def _merged(lines: List[str], found) -> int:
    line, _, _, kind, extra = found
    return (extra if kind == "help_end" else _continued_end(lines, line)) - line


# Line magics of a default IPython shell (aliases included). A one-line cell
# that starts with one of these names without '%' runs it as a magic when
# the line is not Python ("automagic", e.g. ``pip install foo``, ``ls -la``).
LINE_MAGICS = frozenset("""
alias alias_magic autoawait autocall automagic bookmark cat cd colors conda config cp debug dhist
dirs doctest_mode ed edit env gui hist history killbgscripts ldir lf lk ll load load_ext loadpy
logoff logon logstart logstate logstop ls lsmagic lx macro magic matplotlib mkdir mv notebook page
pastebin pdb pdef pdoc pfile pinfo pinfo2 pip popd pprint precision prun psearch psource pushd pwd
pycat pylab quickref recall rehashx reload_ext rep rerun reset reset_selective rm rmdir run save sc
set_env sx system tb time timeit unalias unload_ext who who_ls whos xdel xmode
""".split())
_LINE_SPLIT = re.compile(r"^(\s*)([,;/%]|!!?|\?\??)?\s*(%{0,2}[\w\.\*]*)(.*?$|$)")


def _automagic(line: str) -> str:
    """A one-line cell as IPython's automagic reads it: a magic name then
    anything that is not Python runs that magic. A line that is Python stays
    Python (as it does in IPython whenever the name is defined)."""
    match = _LINE_SPLIT.match(line)
    if not line.strip() or match is None:
        return line
    pre, escape, name, rest = match.groups()
    name, rest = name.strip(), rest.lstrip()
    if escape or name not in LINE_MAGICS or (rest and rest[0] in "=,"):
        return line
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the file's own check reports nothing twice
            compile(line + "\n", "<cell>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        return line
    except (SyntaxError, ValueError):
        pass
    magic, _, args = f"{name} {rest}".partition(" ")
    return f"{pre}get_ipython().run_line_magic({magic!r}, {args!r})"


# -- notebooks -------------------------------------------------------------

def to_script(data: bytes) -> Tuple[str, List[Tuple[int, int]], Dict[int, int]]:
    """The notebook's code as one script, for each code cell the line where
    it starts in that script (1-based) with its cell number, and for the
    script lines whose start was cut (a cell's common indentation, a prompt)
    how many columns were cut."""
    try:
        notebook = json.loads(data.decode("utf-8"))
        cells = notebook["cells"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise NotebookError(f"not a readable notebook: {exc}") from None
    if not isinstance(cells, list):
        raise NotebookError("not a readable notebook: 'cells' is not a list")
    lines: List[str] = []
    starts: List[Tuple[int, int]] = []
    shifts: Dict[int, int] = {}
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            text = "".join(source)
        elif isinstance(source, str):
            text = source
        else:
            raise NotebookError(f"not a readable notebook: the source of cell {number} is not text")
        cell_lines = text.split("\n")
        if cell_lines and cell_lines[-1] == "":
            cell_lines.pop()
        starts.append((len(lines) + 1, number))
        python, cut = _transform(cell_lines)
        shifts.update((len(lines) + 1 + i, n) for i, n in enumerate(cut) if n)
        lines.extend(python)
        lines.append("")  # keeps cells apart
    return "\n".join(lines) + "\n", starts, shifts


def code_size(data: bytes) -> Optional[int]:
    """The characters of the notebook's code cells (what fitlint analyses of
    it; its outputs, often most of its bytes, are not read), or None when it
    is not a readable notebook."""
    try:
        cells = json.loads(data.decode("utf-8"))["cells"]
        return sum(len(source) if isinstance(source, str) else sum(len(part) for part in source)
                   for cell in cells if cell.get("cell_type") == "code"
                   for source in [cell.get("source", "")])
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return None


def locate(line: int, starts: List[Tuple[int, int]]) -> Tuple[int, int]:
    """(cell number, line within the cell) of a line of the joined script."""
    index = bisect.bisect_right([s for s, _ in starts], line) - 1
    if index < 0:
        return (starts[0][1] if starts else 1), line
    start, number = starts[index]
    return number, line - start + 1
