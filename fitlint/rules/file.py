"""FIT0xx: the file itself."""
from __future__ import annotations

from ..findings import Finding
from .base import Rule


class SyntaxErrorRule(Rule):
    """
    ## What it does
    Reports a file that cannot be parsed as Python.

    ## Why is this bad?
    Nothing in the file can run, and fitlint cannot check it. fitlint reports
    the parse error as a finding instead of crashing, so one broken file does
    not hide the findings of the others.

    ## Example
    ```python
    model.fit(x, y, epochs=1
    ```

    ## Use instead
    ```python
    model.fit(x, y, epochs=1)
    ```
    """

    code = "FIT000"
    name = "syntax-error"
    severity = "error"
    summary = "the file cannot be parsed"
    exception = "SyntaxError"
    triggers = ()  # the engine checks the syntax of every file itself

    def check(self, ctx):
        error = ctx.facts.syntax_error
        if error is not None:
            message, line, column = error
            yield Finding(self.code, f"cannot parse the file: {message}", None, position=(line, column),
                          hint="fix the syntax error; no other rule can check this file until then")


class InternalErrorRule(Rule):
    """
    ## What it does
    Reports a file fitlint could not check because fitlint itself failed on
    it: an exception in the analysis, or the process analysing it died.

    ## Why is this bad?
    The file was not checked, so a bug in it may go unreported. This is a
    fault of fitlint, or a limit it documents (a file whose expressions nest
    over a thousand deep is not analysed), not of your program: please report
    it with the file (or a reduced version of it). The other files are
    checked as usual.

    The finding is a warning, as it makes no claim about your program; like
    every finding it makes the run exit 1, so a file that could not be checked
    never passes silently.

    ## Example
    Any file fitlint fails on.

    ## Use instead
    Report the failure. It is reported whatever rules are selected;
    ``per-file-ignores`` can silence it for a file meanwhile.
    """

    code = "FIT001"
    name = "internal-error"
    severity = "warning"
    summary = "fitlint failed on the file"
    exception = None
    triggers = ()  # reported by the engine itself

    def check(self, ctx):
        error = ctx.facts.internal_error
        if error is not None:
            yield Finding(self.code, f"fitlint could not check this file: {error}", None, position=(1, 1),
                          hint="a fault or a limit of fitlint, not of your program: please report it with the file")
