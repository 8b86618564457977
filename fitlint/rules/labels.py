"""FIT2xx: the labels vs the model output and the loss."""
from __future__ import annotations

import math
from typing import Iterable, Tuple, Union

import libcst as cst

from ..analysis import layers as L
from ..analysis.facts import BINARY, CATEGORICAL, REGRESSION, SPARSE, DataCall, LossCall, Target
from ..analysis.library import loss_family
from ..analysis.values import Array, Const, fmt_range, fmt_shape
from ..findings import Finding
from .base import LABEL_CALLS, Context, Rule, arg_name, built_here, related, set_here
from .base import tail_ev
from . import fixing


def _comparable(call: Union[DataCall, LossCall], t: Target) -> bool:
    """A known loss family, known labels and a known output shape."""
    if isinstance(call, LossCall):
        pass  # the predictions are what the loss gets, whatever the model's input
    elif call.dataset is not None and not call.dataset.batched:
        return False
    elif any(i.shape_from is not None for i in call.model.inputs):
        return False  # FIT103: the output shape follows from a wrong input shape
    if t.loss is None or not isinstance(t.y, Array) or t.y.shape is None or t.shape is None:
        return False
    return bool(t.y.shape) and t.shape[-1] is not None


def target_compared(call: DataCall, t: Target) -> bool:
    """Whether these rules compare the labels of one target with its output
    and loss: everything :func:`_comparable` needs, plus the label range for
    a sparse loss (the main sparse check) and a 2-D output for a regression
    loss (the only one its rule compares). ``fitlint shapes`` reports a
    call's label contract as compared from this."""
    if not _comparable(call, t):
        return False
    if t.loss == SPARSE:
        return t.y.lo is not None and t.y.hi is not None
    if t.loss == REGRESSION:
        return len(t.shape) == 2
    return True


def _targets(ctx: Context, *families: str, apis: Tuple[str, ...] = ("keras", "tf.nn")
             ) -> Iterable[Tuple[Union[DataCall, LossCall], Target, Array, tuple]]:
    """Targets with a known loss family, known labels and a known output
    shape: those of the data calls, then the loss calls of custom training
    loops (labels and predictions passed to a loss object or function) made
    with one of ``apis`` (see LossCall.api)."""
    for call in ctx.facts.calls:
        for t in call.targets:
            if t.loss in families and _comparable(call, t):
                yield call, t, t.y, t.shape
    for loss_call in ctx.facts.loss_calls:
        t = loss_call.target
        if loss_call.api in apis and t.loss in families and _comparable(loss_call, t):
            yield loss_call, t, t.y, t.shape


def _output(ctx: Context, t: Target, shape: tuple):
    if t.layer is None or t.layer.kind == "?":
        return None
    return t.layer.origin.node, f"model output {fmt_shape(shape)} from: {ctx.src(t.layer.origin.node)}"


def _loss(ctx: Context, t: Target):
    if t.loss_origin is None:
        return None
    return t.loss_origin.node, f"loss: {ctx.src(t.loss_origin.node)}"


def _labels(ctx: Context, t: Target, y: Array):
    return built_here(ctx, arg_name(ctx, t.y_node, t.label), y)


def _predictions(ctx: Context, call):
    """For a loss call, the predictions passed to it when they are not
    straight from a model output layer already named."""
    if not isinstance(call, LossCall) or call.pred_node is None or call.target.layer is not None:
        return None
    return call.pred_node, f"predictions {fmt_shape(call.predictions.shape)}: {ctx.src(call.pred_node)}"


def _rel(ctx, t, y, shape, call=None):
    units = set_here(ctx, t.layer, "units", 0, "units") if t.layer is not None and t.layer.kind == "Dense" else None
    return related(_output(ctx, t, shape), units, _predictions(ctx, call), _loss(ctx, t), _labels(ctx, t, y))


def _sparse_rank(y: tuple, out: tuple) -> int:
    """Rank of sparse labels once Keras squeezes a trailing axis of size 1."""
    if len(y) == len(out) and y[-1] == 1:
        return len(y) - 1
    return len(y)


def _encoding(y) -> str:
    """How labels encode classes: "sparse" (one index per sample), "onehot"
    (a column per class), or "" when unknown."""
    if not isinstance(y, Array) or not y.shape:
        return ""
    if len(y.shape) == 1 or (len(y.shape) == 2 and y.shape[1] == 1 and y.integral):
        return "sparse"
    if len(y.shape) == 2 and y.shape[1] is not None and y.shape[1] > 1:
        return "onehot"
    return ""


@fixing.guarded
def _loss_fix(ctx: Context, call: DataCall, t: Target, to_sparse: bool):
    """The loss of ``compile`` turned into the one the labels are encoded
    for, when every call of the model with known labels agrees and no
    metric depends on the encoding."""
    if not isinstance(call, DataCall) or t.loss_origin is None or \
            fixing.metrics_mention(ctx, call.compile_args, "categorical", "crossentropy"):
        return None
    want = "sparse" if to_sparse else "onehot"
    for other in ctx.facts.calls:
        if other.model is not call.model:
            continue
        for o in other.targets:
            if o.loss_origin is not None and o.loss_origin.node is t.loss_origin.node and \
                    _encoding(o.y) not in ("", want):
                return None
    edit = fixing.loss_edit(ctx, t.loss_origin.node, to_sparse)
    if edit is None:
        return None
    return fixing.make("safe", f"use the {'sparse' if to_sparse else 'one-hot'} loss: {edit.content}", [edit])


def _classes_built(ctx: Context, y: Array):
    """The number of classes one-hot labels were built with, when the
    ``tf.one_hot``/``to_categorical`` call that built them is known and the
    integer labels it encoded use exactly that many classes (0..depth-1)."""
    origin = y.origin.node if y.origin is not None else None
    for event in ctx.facts.one_hots:
        labels = event.labels
        if event.node is origin and labels.integral and labels.lo is not None and labels.lo >= 0 and \
                labels.hi == event.depth - 1:
            return event.depth
    return None


@fixing.guarded
def _units_fix(ctx: Context, call: DataCall, t: Target, units: int, applicability: str, why: str):
    """The output layer's units literal changed to ``units``, when no other
    call of the model feeds that output labels that need another width."""
    if not isinstance(call, DataCall):
        return None
    for other in ctx.facts.calls:
        if other.model is not call.model:
            continue
        for o in other.targets:
            if o.layer is t.layer and isinstance(o.y, Array) and o.y.shape and len(o.y.shape) == 2 and \
                    o.loss == CATEGORICAL and o.y.shape[1] not in (None, units):
                return None
    edit = fixing.units_edit(ctx, t.layer, units)
    if edit is None:
        return None
    return fixing.make(applicability, f"make the output Dense({units}): {why}", [edit])


class SparseLabelOutOfRange(Rule):
    """
    ## What it does
    With `sparse_categorical_crossentropy`, checks that every label value can
    index the output: `0 <= label < units` of the output layer.

    ## Why is this bad?
    TensorFlow raises `InvalidArgumentError: Received a label value of 9 which
    is outside the valid range of [0, 5)` at the first batch holding such a
    label. This includes a 1-unit softmax output with labels 0/1.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    model.fit(x, np.random.randint(0, 10, 100))
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input((4,)), layers.Dense(10, activation="softmax")])
    ```
    """

    code = "FIT201"
    name = "sparse-label-out-of-range"
    severity = "error"
    summary = "sparse categorical CE with labels >= the output units or < 0"
    fixable = ("unsafe: makes the output layer's units (a number written in `Dense(...)`) one more than the "
               "largest integer label, when the labels' range is known and not negative")
    triggers = LABEL_CALLS
    exception = "InvalidArgumentError"

    def check(self, ctx):
        for call, t, y, out in _targets(ctx, SPARSE):
            if y.lo is None or y.hi is None or _sparse_rank(y.shape, out) != len(out) - 1:
                continue
            if isinstance(call, LossCall) and call.api != "keras" and (len(y.shape) != len(out) - 1 or not y.integral):
                continue  # tf.nn checks the labels' rank and dtype first
            units = out[-1]
            if y.integral:
                too_high, too_low = y.hi >= units, y.lo < 0
            else:  # Keras truncates float labels toward zero
                too_high = y.hi > units or (y.hi == units and not y.open_hi)
                too_low = y.lo <= -1
            if too_high or too_low:
                bad = y.hi if too_high else y.lo
                if not y.integral and math.isfinite(bad):  # the label Keras sees after truncation
                    bad = math.trunc(bad) - (1 if too_high and y.open_hi and bad == math.trunc(bad) else 0)
                yield Finding(
                    self.code,
                    f"labels reach {fmt_range(bad, bad).split('..')[0]} but the output has {units} unit{'s' * (units != 1)} "
                    f"(valid labels: 0..{units - 1})",
                    call.node, _rel(ctx, t, y, out, call),
                    hint=f"use Dense({int(bad) + 1}) or keep labels in 0..{units - 1}" if not too_low
                    else "labels must not be negative", subject=call, evidence=(str(int(bad)), f"[0,{units})"),
                    fix=_units_fix(ctx, call, t, int(y.hi) + 1, "unsafe", f"the labels reach {int(y.hi)}")
                    if y.integral and not too_low and y.lo >= 0 and math.isfinite(y.hi) else None)


class CategoricalLossIntegerLabels(Rule):
    """
    ## What it does
    Finds `categorical_crossentropy` used with integer class labels of shape
    `(N,)` or `(N, 1)` instead of one-hot vectors.

    ## Why is this bad?
    Categorical cross-entropy compares one probability vector with another, so
    Keras raises `ValueError: Arguments target and output must have the same
    rank` (or `the same shape`).

    ## Example
    ```python
    model.compile(loss="categorical_crossentropy")
    model.fit(x, np.random.randint(0, 5, 100))
    ```

    ## Use instead
    ```python
    model.compile(loss="sparse_categorical_crossentropy")
    # or: model.fit(x, keras.utils.to_categorical(y, 5))
    ```
    """

    code = "FIT202"
    name = "categorical-loss-integer-labels"
    severity = "error"
    summary = "categorical CE with integer class labels"
    fixable = ("safe: changes the loss written in `compile` to its sparse twin (`\"sparse_categorical_crossentropy\"`, "
               "`keras.losses.SparseCategoricalCrossentropy(...)` keeping its arguments), when no metric depends on "
               "the label encoding and no other call of the model passes one-hot labels")
    triggers = LABEL_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, t, y, out in _targets(ctx, CATEGORICAL, apis=("keras",)):
            if len(out) != 2 or out[-1] < 2 or y.onehot:
                continue
            if len(y.shape) == 1 or (len(y.shape) == 2 and y.shape[1] == 1 and y.integral):
                yield Finding(
                    self.code,
                    f"categorical cross-entropy needs one-hot labels of shape (N, {out[-1]}) but the labels have "
                    f"shape {fmt_shape(y.shape)}",
                    call.node, _rel(ctx, t, y, out, call),
                    hint=f"use loss='sparse_categorical_crossentropy', or to_categorical(y, {out[-1]})"
                    if isinstance(call, DataCall) else
                    f"use keras.losses.SparseCategoricalCrossentropy, or tf.one_hot(labels, {out[-1]})", subject=call,
                    evidence=(tail_ev(y.shape), tail_ev(out)), fix=_loss_fix(ctx, call, t, to_sparse=True))


class SparseLossOneHotLabels(Rule):
    """
    ## What it does
    Finds `sparse_categorical_crossentropy` used with one-hot or
    multi-column labels `(N, k>1)`.

    ## Why is this bad?
    The sparse loss wants one integer class index per sample; Keras raises
    `ValueError: Argument output must have rank (ndim) target.ndim - 1`.

    ## Example
    ```python
    model.compile(loss="sparse_categorical_crossentropy")
    model.fit(x, keras.utils.to_categorical(y, 5))
    ```

    ## Use instead
    ```python
    model.compile(loss="categorical_crossentropy")
    ```
    """

    code = "FIT203"
    name = "sparse-loss-onehot-labels"
    severity = "error"
    summary = "sparse categorical CE with one-hot labels"
    fixable = ("safe: changes the loss written in `compile` to its one-hot twin (`\"categorical_crossentropy\"`, "
               "`keras.losses.CategoricalCrossentropy(...)`), when the labels are one-hot, no metric depends on "
               "the label encoding and no other call of the model passes integer labels")
    triggers = LABEL_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, t, y, out in _targets(ctx, SPARSE):
            if len(y.shape) == len(out) and y.shape[-1] is not None and y.shape[-1] > 1:
                kind = "one-hot" if y.onehot else "multi-column"
                yield Finding(
                    self.code,
                    f"sparse categorical cross-entropy needs integer labels of shape {fmt_shape(('N',) + out[1:-1])} but the "
                    f"labels are {kind} with shape {fmt_shape(y.shape)}",
                    call.node, _rel(ctx, t, y, out, call),
                    hint="use loss='categorical_crossentropy', or pass y.argmax(axis=-1)" if isinstance(call, DataCall)
                    else "use a categorical (one-hot) loss, or pass tf.argmax(labels, axis=-1)", subject=call,
                    evidence=("rank", tail_ev(y.shape)),
                    fix=_loss_fix(ctx, call, t, to_sparse=False) if y.onehot and len(out) == 2 else None)


class LabelWidthMismatch(Rule):
    """
    ## What it does
    With categorical cross-entropy, checks that the label width (one-hot depth,
    `to_categorical` classes, column count) equals the output units.

    ## Why is this bad?
    Keras raises `ValueError: Arguments target and output must have the same
    shape. Received: target.shape=(8, 3), output.shape=(8, 5)`.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="softmax")])
    model.compile(loss="categorical_crossentropy")
    model.fit(x, tf.one_hot(y, depth=3))
    ```

    ## Use instead
    ```python
    model.fit(x, tf.one_hot(y, depth=5))
    ```
    """

    code = "FIT204"
    name = "label-width-mismatch"
    severity = "error"
    summary = "label width differs from the output units"
    fixable = ("safe: makes the output layer's units (a number written in `Dense(...)`) the number of classes the "
               "one-hot labels were built with (`tf.one_hot` depth, `to_categorical` classes), when the integer "
               "labels encoded use exactly those classes")
    triggers = LABEL_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, t, y, out in _targets(ctx, CATEGORICAL, apis=("keras", "tf.nn.softmax")):
            if len(out) != 2 or len(y.shape) != 2 or y.shape[1] is None or y.shape[1] < 2 or y.shape[1] == out[-1]:
                continue
            yield Finding(
                self.code,
                f"labels have {y.shape[1]} columns but the output has {out[-1]} units",
                call.node, _rel(ctx, t, y, out, call),
                hint=f"make the output Dense({y.shape[1]}) or encode the labels with {out[-1]} classes", subject=call,
                evidence=(tail_ev(y.shape), tail_ev(out)),
                fix=_units_fix(ctx, call, t, y.shape[1], "safe", f"the labels are one-hot with {y.shape[1]} classes")
                if _classes_built(ctx, y) == y.shape[1] else None)


class OutputRankMismatch(Rule):
    """
    ## What it does
    Checks that the model output rank fits the labels and the loss — typically
    a `Flatten` or global pooling layer missing after Conv, Embedding or RNN
    layers (with `return_sequences=True`), so the output is still 3-D or 4-D.

    ## Why is this bad?
    Keras raises `ValueError: Arguments target and output must have the same
    rank (ndim)` or `Argument output must have rank (ndim) target.ndim - 1`.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3),
                              layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3),
                              layers.Flatten(), layers.Dense(3, activation="softmax")])
    ```
    """

    code = "FIT205"
    name = "output-rank-mismatch"
    severity = "error"
    summary = "model output rank differs from what the labels and loss need"
    triggers = LABEL_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, t, y, out in _targets(ctx, SPARSE, CATEGORICAL, BINARY):
            if len(out) < 3 or len(y.shape) > 2:
                continue
            if t.loss == SPARSE:
                bad = _sparse_rank(y.shape, out) != len(out) - 1 and not (len(y.shape) == len(out) and y.shape[-1] > 1)
            else:
                bad = len(y.shape) != len(out) and not (len(y.shape) == len(out) - 1 and out[-1] == 1)
            if bad:
                yield Finding(
                    self.code,
                    f"the model output has rank {len(out)} {fmt_shape(out)} but the labels {fmt_shape(y.shape)} and "
                    f"the loss need rank {len(y.shape) + (1 if t.loss == SPARSE else 0)}",
                    call.node, _rel(ctx, t, y, out, call),
                    hint="add Flatten() or GlobalAveragePooling before the output layer", subject=call,
                    evidence=("rank", tail_ev(out)))


class BinaryLossShapeMismatch(Rule):
    """
    ## What it does
    With binary cross-entropy, checks that labels and output have the same
    width: labels `(N,)`/`(N, 1)` need `Dense(1)`; labels `(N, k)` need
    `Dense(k)`.

    ## Why is this bad?
    Keras raises `ValueError: Arguments target and output must have the same
    rank` / `the same shape`.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="sigmoid")])
    model.compile(loss="binary_crossentropy")
    model.fit(x, np.random.randint(0, 2, 100))
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")])
    ```
    """

    code = "FIT206"
    name = "binary-loss-shape-mismatch"
    severity = "error"
    summary = "binary CE with labels and output of different widths"
    triggers = LABEL_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, t, y, out in _targets(ctx, BINARY):
            if len(out) != 2:
                continue
            units = out[-1]
            width = 1 if len(y.shape) == 1 else y.shape[-1] if len(y.shape) == 2 else None
            if width is None or width == units:
                continue
            if len(y.shape) == 1 and units == 1:
                continue
            yield Finding(
                self.code,
                f"binary cross-entropy gets labels of shape {fmt_shape(y.shape)} for an output of shape {fmt_shape(out)}",
                call.node, _rel(ctx, t, y, out, call),
                hint=f"use Dense({width}, activation='sigmoid') as the output" if width else "match label and output widths", subject=call,
                evidence=(tail_ev(y.shape), tail_ev(out)))


class RegressionTargetMismatch(Rule):
    """
    ## What it does
    With MSE/MAE-style losses, checks that labels and output can broadcast:
    `(N, 5)` labels need `Dense(5)` (or `Dense(1)`).

    ## Why is this bad?
    The loss subtracts the two tensors; TensorFlow raises `ValueError:
    Dimensions must be equal, but are 5 and 3`.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.compile(loss="mse")
    model.fit(x, np.random.rand(100, 5))
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5)])
    ```
    """

    code = "FIT207"
    name = "regression-target-mismatch"
    severity = "error"
    summary = "MSE/MAE-style loss with label and output shapes that cannot broadcast"
    triggers = LABEL_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, t, y, out in _targets(ctx, REGRESSION, apis=("keras",)):
            if len(out) != 2:
                continue
            units = out[-1]
            if len(y.shape) == 2:
                width = y.shape[1]
                if width is None or width == units or 1 in (width, units):
                    continue
            elif len(y.shape) == 1 and units > 1 and y.samples is not None and isinstance(call, DataCall):
                batch = min(call.batch_size or 32, y.samples)
                if batch in (units, 1):
                    continue
                width = None
            else:
                continue
            yield Finding(
                self.code,
                f"the loss subtracts labels of shape {fmt_shape(y.shape)} from an output of shape {fmt_shape(out)}; "
                f"they cannot broadcast",
                call.node, _rel(ctx, t, y, out, call),
                hint=f"use Dense({width}) as the output" if width else f"give the labels the shape (N, {units})", subject=call,
                evidence=(str(units),) + ((str(width),) if width else ()))


class OneHotDepthTooSmall(Rule):
    """
    ## What it does
    Finds `tf.one_hot(labels, depth)` whose labels can reach `depth`.

    ## Why is this bad?
    `tf.one_hot` raises nothing: the row of an out-of-range label is all
    zeros, and the model silently trains on wrong targets. The same mistake
    with `to_categorical(labels, num_classes)` raises an `IndexError`; that
    case is FIT210 (an error), split from this rule: selecting or suppressing
    FIT208 also selects or suppresses FIT210.

    ## Example
    ```python
    y = np.random.randint(0, 5, 100)
    onehot = tf.one_hot(y, depth=3)
    ```

    ## Use instead
    ```python
    onehot = tf.one_hot(y, depth=5)
    ```
    """

    code = "FIT208"
    name = "one-hot-depth-too-small"
    severity = "warning"
    summary = "tf.one_hot depth smaller than the label range: silent all-zero rows"
    triggers = (r"one_hot",)
    function = "tf.one_hot"
    parameter = "depth"
    consequence = "those rows become all zeros and the model trains on wrong targets"

    def check(self, ctx):
        for event in ctx.facts.one_hots:
            labels = event.labels
            if event.function != self.function or labels.hi is None or labels.hi < event.depth or not labels.integral:
                continue
            yield Finding(
                self.code,
                f"labels reach {int(labels.hi)} but {event.function} has {self.parameter} {event.depth}: "
                f"{self.consequence}",
                event.node,
                related(built_here(ctx, "labels", labels),
                        (event.depth_node, f"{self.parameter} set here: {ctx.src(event.depth_node)}")
                        if event.depth_node else None),
                hint=f"use {self.parameter}={int(labels.hi) + 1}", subject=event,
                evidence=(str(event.depth), "out of bounds|out of range|outside"),
                fix=self._fix(ctx, event) if self.fixable else None)

    @fixing.guarded
    def _fix(self, ctx, event):
        """``num_classes=3`` -> one more than the largest label, written in the call."""
        labels = event.labels
        if type(event.depth_node) is not cst.Integer or labels.lo is None or labels.lo < 0 or \
                not math.isfinite(labels.hi):
            return None
        edit = fixing.replace(ctx, event.depth_node, str(int(labels.hi) + 1))
        return fixing.make("unsafe", f"use {self.parameter}={int(labels.hi) + 1}: the labels reach {int(labels.hi)}",
                           [edit])


class NumClassesTooSmall(OneHotDepthTooSmall):
    """
    ## What it does
    Finds `to_categorical(labels, num_classes)` whose labels can reach
    `num_classes`.

    ## Why is this bad?
    `to_categorical` raises `IndexError: index 4 is out of bounds for axis 1
    with size 3`. Split from FIT208 (the silent `tf.one_hot` case, a
    warning): selecting or suppressing FIT208 also selects or suppresses
    FIT210.

    ## Example
    ```python
    y = np.array([0, 1, 2, 4])
    onehot = to_categorical(y, num_classes=3)
    ```

    ## Use instead
    ```python
    onehot = to_categorical(y, num_classes=5)
    ```
    """

    code = "FIT210"
    name = "num-classes-too-small"
    severity = "error"
    summary = "to_categorical num_classes smaller than the label range"
    triggers = (r"to_categorical",)
    exception = "IndexError"
    split_from = "FIT208"
    function = "to_categorical"
    parameter = "num_classes"
    consequence = "to_categorical raises IndexError"
    fixable = ("unsafe: makes `num_classes` (a number written in the call) one more than the largest integer "
               "label, when the labels' range is known and not negative")


class SingleUnitSoftmax(Rule):
    """
    ## What it does
    Finds a model whose output layer is `Dense(1, activation="softmax")`.

    ## Why is this bad?
    Softmax over one unit is always 1.0: the model cannot learn anything. With
    binary cross-entropy it trains without an error, which makes it hard to
    spot. (With sparse categorical CE and labels 0/1 it fails: FIT201.)

    ## Example
    ```python
    layers.Dense(1, activation="softmax")
    ```

    ## Use instead
    ```python
    layers.Dense(1, activation="sigmoid")  # or Dense(2, activation="softmax")
    ```
    """

    code = "FIT209"
    name = "single-unit-softmax"
    severity = "warning"
    summary = "Dense(1, activation='softmax') as the output"
    fixable = ("safe: changes `activation=\"softmax\"` to `\"sigmoid\"` when the model is compiled with "
               "`\"binary_crossentropy\"`")
    triggers = (r"softmax", r"Sequential|Model\s*\(")

    def check(self, ctx):
        for model in ctx.facts.models:
            if model.kind == "sequential":
                outs = [model.layers[-1]] if model.layers and model.exact else []
            else:
                outs = [o.layer for o in model.outputs if o.layer is not None]
            for layer in outs:
                if layer.kind == "Dense" and layer.kw("units", 0) == 1 and L.output_activation(layer) == "softmax":
                    yield Finding(
                        self.code,
                        "the output layer is Dense(1) with softmax: its output is always 1.0 and the model cannot learn",
                        layer.origin.node, [(model.origin.node, f"model built here: {ctx.src(model.origin.node, 40)}")],
                        hint="use activation='sigmoid' for one unit, or Dense(2, activation='softmax')",
                        fix=self._fix(ctx, model, layer))

    @staticmethod
    @fixing.guarded
    def _fix(ctx, model, layer):
        """``activation="softmax"`` -> ``"sigmoid"`` when the model is
        compiled with binary cross-entropy named by a string (a loss object
        may expect logits)."""
        loss = model.loss
        if not (isinstance(loss, Const) and isinstance(loss.value, str) and loss_family(loss) == BINARY):
            return None
        node = fixing.argument_node(layer, "activation", 1)
        if type(node) is not cst.SimpleString or node.evaluated_value != "softmax":
            return None
        edit = fixing.replace(ctx, node, f"{node.prefix}{node.quote}sigmoid{node.quote}")
        return fixing.make("safe", "use activation='sigmoid': one unit with binary cross-entropy", [edit])
