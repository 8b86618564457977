"""FIT5xx: the order of the workflow."""
from __future__ import annotations

from ..analysis import layers as L
from ..analysis.values import Array, fmt_range, fmt_shape
from ..findings import Finding
from .base import DATA_CALLS, Rule, arg_name, built_here, related
from . import fixing

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
    dry_run_uncompiled = True
    severity = "error"
    summary = "fit/evaluate on a model that is not compiled"
    fixable = ("safe: moves the model's `compile(...)` statement (with the comments right above it) before the "
               "call, when it is written later in the same block and nothing between rebinds a name it reads")
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
                hint="call model.compile(optimizer=..., loss=...) before model." + call.method, subject=call,
                evidence=("compile()",), fix=self.fix(ctx, call))

    @staticmethod
    @fixing.guarded
    def fix(ctx, call):
        moved = fixing.compile_before(ctx, call.node)
        return fixing.make("safe", f"move model.compile(...) from line {moved[1].start[0]} above the call",
                           list(moved)) if moved else None


class UnscaledImageInput(Rule):
    """
    ## What it does
    Points out uint8 / 0..255 image data fed to a model that has no
    `Rescaling` or normalisation layer. This is advice, not an error: the
    script runs.

    ## Why is this bad?
    It is not a bug — Keras casts the data and trains — but large input
    values slow convergence and can stall training. (Articles often claim
    uint8 data makes `fit` fail; measured, it does not.) Off by default.

    ## Example
    ```python
    (x, y), _ = keras.datasets.mnist.load_data()
    model.fit(x, y)
    ```

    ## Use instead
    ```python
    model.fit(x / 255.0, y)   # or a layers.Rescaling(1 / 255) first layer
    ```
    """

    code = "FIT502"
    name = "unscaled-image-input"
    severity = "info"
    summary = "uint8/0..255 images into a model without rescaling (runs; slower training)"
    default = False
    triggers = DATA_CALLS

    def check(self, ctx):
        for call in ctx.facts.calls:
            if call.validation or call.method not in ("fit", "train_on_batch"):
                continue
            model = call.model
            if not model.exact or any(layer.kind in L.SCALING for layer in model.layers):
                continue
            if model.kind == "functional" and any(
                    layer.kind in L.SCALING for sym in model.inputs for layer, _ in sym.consumers):
                continue
            if model.kind == "functional" and not model.outputs:
                continue
            for b in call.inputs:
                x = b.value
                if not isinstance(x, Array) or x.rank is None or x.rank < 3:
                    continue
                images = x.dtype == "uint8" or (x.integral and x.lo is not None and x.lo >= 0
                                                and x.hi is not None and x.hi >= 255)
                if not images:
                    continue
                rng = f", values {fmt_range(x.lo, x.hi)}" if x.lo is not None and x.hi is not None else ""
                yield Finding(
                    self.code,
                    f"model.{call.what} gets unscaled images {fmt_shape(x.shape)} ({x.dtype}{rng}) and the model "
                    f"has no Rescaling/normalisation layer: this runs, but training converges slowly",
                    call.node, related(built_here(ctx, arg_name(ctx, b.node, b.label), x)),
                    hint="divide by 255.0 or add layers.Rescaling(1 / 255) as the first layer")


class DryRunFailure(Rule):
    """
    ## What it does
    With `fitlint check --confirm=all`, every `fit`/`evaluate`/`predict` call
    whose model and data fitlint knows completely is run once in the dry run
    (a tiny TensorFlow program with synthetic data of the inferred shapes,
    dtypes and ranges). A call that fails there, though no other rule
    reported it, is reported by this rule with TensorFlow's exception — only
    when the failing line is a statement of the script (its model, compile
    or call), never code the dry run wrote, and only when the program
    approximated nothing.

    ## Why is this bad?
    The script fails in the same way when it runs: the dry run used the
    model and the data the script builds.

    ## Example
    ```python
    model.fit(x, y)   # fitlint check --confirm=all: the dry run raised ValueError
    ```

    ## Use instead
    ```python
    # fix what TensorFlow's message (in the finding) points at
    ```
    """

    code = "FIT503"
    name = "dry-run-failure"
    severity = "error"
    summary = "the dry run of a fully known call raised (only with --confirm=all)"
    exception = "Exception"
    triggers = ("(?!)",)  # never from the static analysis alone
    dry_run_only = True

    def check(self, ctx):
        return ()
