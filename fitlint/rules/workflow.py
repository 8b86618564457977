"""FIT5xx: the order of the workflow."""
from __future__ import annotations

from ..findings import Finding
from .base import DATA_CALLS, Rule

_NEEDS_COMPILE = ("fit", "evaluate", "train_on_batch", "test_on_batch")


class FitBeforeCompile(Rule):
    """
    ## What it does
    Finds `fit`, `evaluate`, `train_on_batch` or `test_on_batch` on a model
    that is not compiled on that path through the code.

    ## Why is this bad?
    Keras raises `ValueError: You must call compile() before using the model.`
    — before it looks at the data at all, so this hides every other error.
    (`predict` needs no compile.) A model handed to a function fitlint does
    not follow, or compiled in only one branch of an `if`, is not reported.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((10,)), layers.Dense(1)])
    model.fit(x, y)
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input((10,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y)
    ```
    """

    code = "FIT501"
    name = "fit-before-compile"
    severity = "error"
    summary = "fit/evaluate on a model that is not compiled"
    triggers = DATA_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call in ctx.facts.calls:
            if call.validation or call.method not in _NEEDS_COMPILE or call.compiled is not False:
                continue
            yield Finding(
                self.code,
                f"model.{call.method} on a model that is not compiled: Keras raises "
                f"\"You must call `compile()` before using the model\"",
                call.node,
                [(call.model.origin.node, f"model built here: {ctx.src(call.model.origin.node, 50)}")],
                hint="call model.compile(optimizer=..., loss=...) before model." + call.method)
