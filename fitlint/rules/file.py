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
