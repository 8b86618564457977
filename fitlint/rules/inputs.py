"""FIT1xx: the features passed to fit/evaluate/predict vs the model's inputs."""
from __future__ import annotations

from typing import Iterable, List, Optional, Tuple

import libcst as cst

from ..analysis import batches
from ..analysis import layers as L
from ..analysis.facts import Binding, DataCall
from ..analysis.models import rank_fixed
from ..analysis.values import NON_NUMERIC_DTYPES, Array, Dict_, Model, Seq, Sym, fmt_shape
from ..findings import Finding
from .base import DATA_CALLS, Context, Rule, arg_name, built_here, compatible, input_here, related
from .base import dims_ev, dtype_ev, shape_ev, tail_ev
from . import fixing


def input_compared(call: DataCall, b: Binding) -> bool:
    """Whether these rules compare the data of one binding with its model
    input: both shapes known (and not an unbatched dataset, whose element
    only FIT106 looks at). The rank is then always compared, the fixed
    dimensions wherever the model's layers are known; string or ragged data
    is compared by dtype. ``fitlint shapes`` reports a call's input contract
    as compared from this."""
    if call.dataset is not None and not call.dataset.batched:
        return False
    return (b.input is not None and b.input.shape is not None and isinstance(b.value, Array)
            and b.value.shape is not None)


def _pairs(ctx: Context, from_shape: bool = False) -> Iterable[Tuple[DataCall, Binding, Sym, Array]]:
    """Each known model input with the known array reaching it (batched).
    Inputs declared from the data's full ``.shape`` (FIT103) are left out
    unless ``from_shape``: every other input finding would be a consequence."""
    for call in ctx.facts.calls:
        if call.dataset is not None and not call.dataset.batched:
            continue
        for b in call.inputs:
            if input_compared(call, b):
                assert b.input is not None  # input_compared checked it
                if b.value.ragged or b.value.dtype in NON_NUMERIC_DTYPES:
                    continue  # FIT107
                if (b.input.shape_from is not None) == from_shape:
                    yield call, b, b.input, b.value


def _tolerated(x: tuple, declared: tuple) -> Optional[tuple]:
    """Keras 3 adds or drops a trailing axis of size 1 itself: the shape the
    data has once it did, or None when it does not apply."""
    if len(x) == len(declared) - 1 and declared[-1] == 1:
        return x + (1,)
    if len(x) == len(declared) + 1 and x[-1] == 1:
        return x[:-1]
    return None


def _single_sample(x: tuple, declared: tuple) -> bool:
    return len(x) == len(declared) - 1 and compatible(x, declared[1:])


def _reshape_hint(label: str, x: tuple, declared: tuple) -> str:
    dims = declared[1:]
    total_x = 1
    for d in x[1:]:
        total_x = None if d is None or total_x is None else total_x * d
    total_in = 1
    for d in dims:
        total_in = None if d is None or total_in is None else total_in * d
    target = ", ".join(str(d) for d in dims)
    if total_x is not None and total_x == total_in:
        return f"{label}.reshape(-1, {target})"
    return f"give {label} the shape (N, {target}) or change the model input"


class InputRankMismatch(Rule):
    """
    ## What it does
    Checks that the rank of the data passed to `fit`, `evaluate` or `predict`
    equals the rank of the model input (batch axis included).

    ## Why is this bad?
    Keras raises `ValueError: Invalid input shape ... Expected shape
    (None, 28, 28, 1), but input has incompatible shape (None, 784)` at the
    first batch. Only one difference is tolerated: a trailing axis of size 1
    that the data lacks (or has in excess); Keras 3 adds (or drops) it itself,
    so that case runs and is reported as FIT110 (a warning) instead.

    ## Example
    ```python
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(8, 3),
                              layers.Flatten(), layers.Dense(10, activation="softmax")])
    x = np.random.rand(100, 784)
    model.fit(x, y)
    ```

    ## Use instead
    ```python
    x = np.random.rand(100, 784).reshape(-1, 28, 28, 1)
    model.fit(x, y)
    ```
    """

    code = "FIT101"
    name = "input-rank-mismatch"
    severity = "error"
    summary = "rank of the data differs from the model input's rank"
    triggers = DATA_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, b, sym, x in _pairs(ctx):
            declared = sym.shape
            if len(x.shape) == len(declared) or not rank_fixed(sym):
                continue
            label = arg_name(ctx, b.node, b.label)
            rel = related(input_here(ctx, sym), built_here(ctx, label, x))
            if _tolerated(x.shape, declared) is not None:
                continue  # FIT110 when Keras can fix it, else nothing is sure
            if _single_sample(x.shape, declared):
                continue  # FIT108
            yield Finding(
                self.code,
                f"model.{call.what} input has shape {fmt_shape(x.shape)} but the model expects {fmt_shape(declared)}: "
                f"rank {len(x.shape)} vs {len(declared)}",
                call.node, rel, hint=_reshape_hint(label, x.shape, declared), subject=call,
                evidence=(shape_ev(declared), tail_ev(x.shape)))


class ImplicitTrailingAxis(Rule):
    """
    ## What it does
    Finds data passed to `fit`, `evaluate` or `predict` whose rank differs
    from the model input's by a trailing axis of size 1 only: `(N, 28, 28)`
    into `Input((28, 28, 1))`, or `(N, 10, 1)` into `Input((10,))`.

    ## Why is this bad?
    It runs: Keras 3 adds (or drops) the trailing axis of size 1 itself. But
    the shapes in the code no longer say what the model receives, other Keras
    versions and exported models do not all do this, and a real rank mismatch
    (FIT101, an error) looks the same at a glance. Split from FIT101, which it
    was part of: selecting or suppressing FIT101 also selects or suppresses
    FIT110.

    ## Example
    ```python
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(8, 3),
                              layers.Flatten(), layers.Dense(10, activation="softmax")])
    model.fit(np.random.rand(100, 28, 28), y)
    ```

    ## Use instead
    ```python
    model.fit(np.random.rand(100, 28, 28)[..., None], y)
    ```
    """

    code = "FIT110"
    name = "implicit-trailing-axis"
    severity = "warning"
    summary = "data lacks (or adds) a trailing axis of size 1 that Keras inserts (or drops) itself"
    triggers = DATA_CALLS
    split_from = "FIT101"

    def check(self, ctx):
        for call, b, sym, x in _pairs(ctx):
            declared = sym.shape
            adjusted = _tolerated(x.shape, declared) if len(x.shape) != len(declared) and rank_fixed(sym) else None
            if adjusted is None or not compatible(adjusted, declared):
                continue
            label = arg_name(ctx, b.node, b.label)
            verb = "adds" if len(x.shape) < len(declared) else "drops"
            yield Finding(
                self.code,
                f"model.{call.what} input has shape {fmt_shape(x.shape)} but the model expects "
                f"{fmt_shape(declared)}: rank {len(x.shape)} vs {len(declared)}; Keras {verb} the trailing "
                f"axis of size 1 itself, so this runs",
                call.node, related(input_here(ctx, sym), built_here(ctx, label, x)),
                hint=f"make it explicit: {_reshape_hint(label, x.shape, declared)}", subject=call)


def _first_conflict(model: Model, sym: Sym, actual: tuple):
    """Walk the layers fed by ``sym`` with the declared and the actual shape
    side by side. Return ``(layer, axis, declared, actual)`` at the first
    layer whose weights were built for another size, ``(layer, None, None,
    None)`` at a conv/pool window larger than the data, or None."""
    if model.kind == "sequential":
        if not model.exact:
            return None
        declared = sym.shape
        for layer in model.layers:
            hit = _conflict_at(layer, declared, actual)
            if hit:
                return hit
            declared, actual = L.output_shape(layer, declared), L.output_shape(layer, actual)
            if declared is None or actual is None or declared == actual:
                return None
        return None
    return _walk(sym, sym.shape, actual, 0)


def _walk(sym: Sym, declared: tuple, actual: tuple, depth: int):
    if depth > 50:
        return None
    for layer, out in sym.consumers:
        if layer.kind in L.MERGE:
            continue
        hit = _conflict_at(layer, declared, actual)
        if hit:
            return hit
        d2, a2 = L.output_shape(layer, declared), L.output_shape(layer, actual)
        if d2 is None or a2 is None or d2 == a2:
            continue
        hit = _walk(out, d2, a2, depth + 1)
        if hit:
            return hit
    return None


def _conflict_at(layer, declared: tuple, actual: tuple):
    if L.output_shape(layer, declared) is None:
        return None
    if L.fails_on(layer, actual):
        return layer, None, None, None
    if L.output_shape(layer, actual) is None:
        return None
    for axis in L.weight_axes(layer):
        if not -len(declared) <= axis < len(declared):
            continue
        d, a = declared[axis], actual[axis]
        if d is not None and a is not None and d != a:
            return layer, axis % len(actual), d, a
    return None


class InputDimMismatch(Rule):
    """
    ## What it does
    Checks that the fixed dimensions of the data match the model input, where
    a layer's weights depend on them (the features of a `Dense`, the channels
    of a `Conv2D`, the size a `Flatten` hands to a `Dense`).

    ## Why is this bad?
    The layer's weights were built for the declared size, so Keras raises
    `ValueError: Input 0 of layer "dense" is incompatible with the layer:
    expected axis -1 of input shape to have value 10`. A dimension no weight
    depends on (the image size before a global pooling layer) is not reported:
    that model runs.

    ## Example
    ```python
    model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(1)])
    model.fit(np.random.rand(100, 9), y)
    ```

    ## Use instead
    ```python
    model.fit(np.random.rand(100, 10), y)
    ```
    """

    code = "FIT102"
    name = "input-dim-mismatch"
    severity = "error"
    summary = "a fixed dimension of the data differs from the model input"
    fixable = ("unsafe: writes the data's dimensions into the model's literal input shape (`Input(shape=...)`, "
               "`input_shape=`, `input_dim=`), when every call of the model passes data of that shape")
    triggers = DATA_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, b, sym, x in _pairs(ctx):
            shape = x.shape
            if _single_sample(shape, sym.shape):
                continue  # FIT108
            if len(shape) != len(sym.shape) and rank_fixed(sym):
                shape = _tolerated(shape, sym.shape)
                if shape is None:
                    continue
            actual = (None,) + tuple(shape[1:])
            hit = _first_conflict(call.model, sym, actual)
            if hit is None:
                continue
            layer, axis, want, got = hit
            label = arg_name(ctx, b.node, b.label)
            if axis is None:
                why = f"{ctx.src(layer.origin.node, 40)} gets an input smaller than its window"
                layer_note = f"layer: {ctx.src(layer.origin.node)}"
            else:
                why = f"{ctx.src(layer.origin.node, 40)} was built for size {want} on axis {axis}, the data gives {got}"
                layer_note = f"layer built for size {want}: {ctx.src(layer.origin.node)}"
            yield Finding(
                self.code,
                f"model.{call.what} input has shape {fmt_shape(x.shape)} but the model expects {fmt_shape(sym.shape)}: "
                + why,
                call.node,
                related(input_here(ctx, sym), (layer.origin.node, layer_note), built_here(ctx, label, x)),
                hint=f"give {label} the shape (N, {', '.join(str(d) for d in sym.shape[1:])}) or change the model input",
                subject=call, evidence=("output size|Negative dimension",) if axis is None else (str(want), str(got)),
                fix=_input_fix(ctx, call, sym, x.shape) if len(x.shape) == len(sym.shape) else None)


@fixing.guarded
def _input_fix(ctx: Context, call: DataCall, sym: Sym, data: tuple):
    """The literal input shape of the model (``Input(shape=(10,))``,
    ``input_shape=(10,)``, ``input_dim=10``) given the data's dimensions,
    when every call of the model passes data of that shape."""
    if sym.shape_set_at is not None or sym.declared_by is not None:
        return None  # written elsewhere (a constant another statement may use), or taken from a use
    wanted = tuple(data[1:])
    for other in ctx.facts.calls:
        for b in other.inputs if other.model is call.model else ():
            value = b.value
            if b.input is sym and isinstance(value, Array) and value.shape is not None and \
                    (len(value.shape) != len(data) or not compatible(tuple(value.shape[1:]), wanted)):
                return None
    node = sym.origin.node
    name = _callee(node)
    if name in ("Input", "InputLayer"):
        arg = fixing.call_argument(node, ("shape", "input_shape"), 0)
    else:
        arg = fixing.call_argument(node, ("input_shape",))
        if arg is None and name != "Embedding":
            arg = fixing.call_argument(node, ("input_dim",))
    if arg is None:
        return None
    if type(arg.value) is cst.Integer:  # input_dim=10
        if len(wanted) != 1 or not isinstance(wanted[0], int):
            return None
        edits = [fixing.replace(ctx, arg.value, str(wanted[0]))] if int(arg.value.value, 0) != wanted[0] else []
    else:
        dims = fixing.literal_dims(arg.value)
        if dims is None or len(dims) != len(wanted):
            return None
        edits = [fixing.replace(ctx, d, str(w)) for d, w in zip(dims, wanted)
                 if d is not None and isinstance(w, int) and int(d.value, 0) != w]
    shape = ", ".join("None" if d is None else str(d) for d in wanted)
    return fixing.make("unsafe", f"declare the model input as the data's shape ({shape}{',' * (len(wanted) == 1)})",
                       edits)


@fixing.guarded
def _sample_shape_fix(ctx: Context, sym: Sym):
    """``Input(shape=X.shape)`` -> ``Input(shape=X.shape[1:])``, the
    ``.shape`` written in the call itself."""
    if sym.shape_set_at is not None:
        return None
    node = sym.origin.node
    if _callee(node) in ("Input", "InputLayer"):
        arg = fixing.call_argument(node, ("shape", "input_shape"), 0)
    else:
        arg = fixing.call_argument(node, ("input_shape",))
    value = arg.value if arg is not None else None
    if not (type(value) is cst.Attribute and value.attr.value == "shape"):
        return None
    edit = fixing.insert_after(ctx, value, "[1:]")
    return fixing.make("safe", f"use {ctx.src(value)}[1:], one sample's shape", [edit])


def _callee(node) -> str:
    """``Input`` for ``keras.Input(...)``, ``Dense`` for ``layers.Dense(...)``."""
    func = node.func if type(node) is cst.Call else None
    return func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else ""


class InputShapeIncludesSamples(Rule):
    """
    ## What it does
    Finds `Input(shape=X.shape)` or `input_shape=X.shape` where `X` is the
    training data itself, so the declared input shape includes the number of
    samples.

    ## Why is this bad?
    `shape=` describes one sample; Keras adds the batch axis. With the sample
    count inside, the model expects data one rank higher than `X`, and `fit`
    raises `ValueError: Invalid input shape`.

    ## Example
    ```python
    inputs = keras.Input(shape=X.shape)
    ```

    ## Use instead
    ```python
    inputs = keras.Input(shape=X.shape[1:])
    ```
    """

    code = "FIT103"
    name = "input-shape-includes-samples"
    severity = "error"
    summary = "Input shape built from the data's full .shape (sample axis included)"
    fixable = "safe: appends `[1:]` to the `X.shape` written in `Input(shape=...)` or `input_shape=`"
    triggers = DATA_CALLS
    exception = "ValueError"

    def check(self, ctx):
        seen = set()
        for call, b, sym, x in _pairs(ctx, from_shape=True):
            data = sym.shape_from
            if id(sym) in seen or len(x.shape) != len(sym.shape) - 1:
                continue
            seen.add(id(sym))
            label = arg_name(ctx, b.node, b.label)
            yield Finding(
                self.code,
                f"the model input shape {fmt_shape(sym.shape[1:])} is the full shape of the data, sample axis "
                f"included: the model expects {fmt_shape(sym.shape)} but model.{call.what} gets {fmt_shape(x.shape)}",
                sym.origin.node,
                related((call.node, f"data reaches the model here: {ctx.src(call.node)}"), built_here(ctx, label, data)),
                hint="use X.shape[1:] (one sample's shape) for the input shape",
                subject=call, evidence=(shape_ev(sym.shape), tail_ev(x.shape)), fix=_sample_shape_fix(ctx, sym))


def _input_names(model: Model) -> Optional[List[str]]:
    names = [i.name for i in model.inputs]
    if not names or any(n is None for n in names):
        return None
    return names


class MissingModelInput(Rule):
    """
    ## What it does
    Checks that data passed as a dict has a key for every named model `Input`,
    and that a list or tuple has one array per model input. For a model
    whose own `train_step`/`test_step` (or a `tensorflow_recommenders`
    `compute_loss`) reads the batch of a dataset of dicts by key, checks
    that every key it reads on every path is in the dataset's elements.

    ## Why is this bad?
    Keras raises `ValueError: Missing data for input "input_b"` (dict) or
    `ValueError: ... expects 2 input(s)` (list) before training starts; a
    step reading a key the batch lacks raises `KeyError: 'user_id'` when
    Keras traces it.

    ## Example
    ```python
    a = keras.Input(shape=(5,), name="input_a")
    b = keras.Input(shape=(3,), name="input_b")
    ...
    model.fit({"input_a": xa}, y)
    ```

    ## Use instead
    ```python
    model.fit({"input_a": xa, "input_b": xb}, y)
    ```
    """

    code = "FIT104"
    name = "missing-model-input"
    severity = "error"
    summary = "a named model input gets no data, or a list has too few arrays"
    triggers = DATA_CALLS
    exception = "ValueError|KeyError"

    def check(self, ctx):
        yield from self._batch_keys(ctx)
        for call in ctx.facts.calls:
            model = call.model
            if not model.inputs or call.dataset is not None:
                continue
            if isinstance(call.x, Dict_):
                names = _input_names(model)
                if names is None:
                    continue
                missing = [n for n in names if n not in call.x.items]
                if missing:
                    sym = next(i for i in model.inputs if i.name == missing[0])
                    yield Finding(
                        self.code,
                        f"model.{call.what} gets no data for model input {', '.join(repr(m) for m in missing)}: "
                        f"the dict has {', '.join(repr(k) for k in call.x.items) or 'no keys'}",
                        call.node,
                        related(input_here(ctx, sym), (call.x.origin.node, f"dict built here: {ctx.src(call.x.origin.node)}")
                                if call.x.origin else None),
                        hint=f"add {missing[0]!r}: <array> to the dict", subject=call, evidence=(missing[0],))
            elif isinstance(call.x, Seq) and len(model.inputs) > 1 and len(call.x.items) < len(model.inputs):
                yield Finding(
                    self.code,
                    f"model.{call.what} gets {len(call.x.items)} array(s) but the model has {len(model.inputs)} inputs",
                    call.node,
                    related(*(input_here(ctx, s) for s in model.inputs[len(call.x.items):])),
                    hint=f"pass one array per model input, in order: [{', '.join(i.name or 'x' + str(k) for k, i in enumerate(model.inputs))}]", subject=call,
                    evidence=(str(len(model.inputs)), str(len(call.x.items))))


    def _batch_keys(self, ctx):
        """A model's own step (``train_step``, a tfrs ``compute_loss``) reads
        a key the dataset's dict elements do not have: Keras traces the step
        on the element and ``batch[key]`` raises ``KeyError``."""
        for call in ctx.facts.calls:
            record = batches.record_of(call)
            if record is None:
                continue
            missing = record.missing()
            if not missing:
                continue
            read = missing[0]
            element = record.element.origin.node if record.element.origin is not None else None
            if read.how == "unpack":
                size = record.size
                yield Finding(
                    self.code,
                    f"model.{call.what} gets batches of {size} item(s), but {record.owner} unpacks the batch into "
                    f"{read.key} names: {'not enough' if size < read.key else 'too many'} values to unpack",
                    call.node,
                    related((read.node, f"{record.owner} unpacks it here: {ctx.src(read.node)}") if read.local else None,
                            (element, f"dataset element built here: {ctx.src(element)}")
                            if element is not None else None),
                    hint=f"give the dataset elements of {read.key} items, or unpack {size} names",
                    subject=call, evidence=(str(read.key), str(size)) if size < read.key else (str(read.key),))
                continue
            keys = list(record.element.items)
            yield Finding(
                self.code,
                f"model.{call.what} gets batches without key {read.key!r}, which {record.owner} reads: "
                f"the dataset's elements have {', '.join(repr(k) for k in keys) or 'no keys'}",
                call.node,
                related((read.node, f"{record.owner} reads it here: {ctx.src(read.node)}") if read.local else None,
                        (element, f"dataset element built here: {ctx.src(element)}") if element is not None else None),
                hint=f"add {read.key!r} to the dataset's elements, or read a key they have",
                subject=call, evidence=(read.key,))


class UnknownInputKey(Rule):
    """
    ## What it does
    Finds keys of a dict passed to `fit`/`evaluate`/`predict` that name no
    model input.

    ## Why is this bad?
    Keras ignores the array (with a warning) — usually a typo in a key or in
    an `Input(name=...)`, and the data meant for the model never reaches it.

    ## Example
    ```python
    inputs = keras.Input(shape=(3,), name="features")
    model.fit({"features": x, "feature": x2}, y)
    ```

    ## Use instead
    ```python
    model.fit({"features": x}, y)
    ```
    """

    code = "FIT105"
    name = "unknown-input-key"
    severity = "warning"
    summary = "a dict key names no model input"
    triggers = DATA_CALLS

    def check(self, ctx):
        for call in ctx.facts.calls:
            if not isinstance(call.x, Dict_) or call.dataset is not None:
                continue
            names = _input_names(call.model)
            if names is None:
                continue
            extra = [k for k in call.x.items if k not in names]
            if extra:
                yield Finding(
                    self.code,
                    f"model.{call.what} gets key {', '.join(repr(k) for k in extra)} that names no model input "
                    f"(inputs: {', '.join(repr(n) for n in names)}); Keras ignores it",
                    call.node, related(*(input_here(ctx, s) for s in call.model.inputs)),
                    hint="rename the key to a model input name or drop it", subject=call)


class UnbatchedDataset(Rule):
    """
    ## What it does
    Finds a `tf.data.Dataset` built with `from_tensor_slices` that reaches
    `fit`, `evaluate` or `predict` without `.batch()` or `.padded_batch()`.

    ## Why is this bad?
    Each element is one sample without the batch axis, so the model sees data
    one rank too low and Keras raises `ValueError: Invalid input shape ...
    shape=(10,)`.

    ## Example
    ```python
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    model.fit(ds, epochs=1)
    ```

    ## Use instead
    ```python
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    model.fit(ds, epochs=1)
    ```
    """

    code = "FIT106"
    name = "unbatched-dataset"
    severity = "error"
    summary = "a tf.data.Dataset without .batch() reaches fit/evaluate/predict"
    triggers = DATA_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call in ctx.facts.calls:
            ds = call.dataset
            if ds is None or ds.batched:
                continue
            for b in call.inputs:
                if b.input is None or b.input.shape is None or not isinstance(b.value, Array) or b.value.shape is None:
                    continue
                element, declared = b.value.shape, b.input.shape
                if len(element) == len(declared) or _tolerated(element, declared) is not None:
                    continue
                yield Finding(
                    self.code,
                    f"the dataset passed to model.{call.what} is not batched: its elements have shape "
                    f"{fmt_shape(element)} but the model expects {fmt_shape(declared)}",
                    call.node,
                    related(input_here(ctx, b.input), (ds.origin.node, f"dataset built here: {ctx.src(ds.origin.node)}")),
                    hint="add .batch(32) to the dataset", subject=call, evidence=(shape_ev(declared), dims_ev(element)))
                break


class InvalidInputDtype(Rule):
    """
    ## What it does
    Finds string, object or ragged data passed to a model input that expects
    numbers.

    ## Why is this bad?
    Keras cannot turn it into a float tensor: `ValueError: Invalid dtype:
    str32` / `Invalid dtype: object`. (Integer, uint8 and float64 data are
    fine: Keras casts them.)

    ## Example
    ```python
    x = np.array([["red"], ["green"], ["blue"]])
    model.fit(x, y)
    ```

    ## Use instead
    ```python
    x = np.array([[0], [1], [2]], dtype="float32")  # or a StringLookup layer
    model.fit(x, y)
    ```
    """

    code = "FIT107"
    name = "invalid-input-dtype"
    severity = "error"
    summary = "string, object or ragged data reaches a numeric model input"
    triggers = DATA_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call in ctx.facts.calls:
            for b in call.inputs:
                x, sym = b.value, b.input
                if sym is None or not isinstance(x, Array) or sym.dtype in (None, "str", "string", "object"):
                    continue
                if x.dtype in NON_NUMERIC_DTYPES or x.ragged:
                    kind = "ragged" if x.ragged else x.dtype
                    label = arg_name(ctx, b.node, b.label)
                    yield Finding(
                        self.code,
                        f"model.{call.what} gets {kind} data but the model input is {sym.dtype}",
                        call.node, related(input_here(ctx, sym), built_here(ctx, label, x)),
                        hint="encode it as numbers first (e.g. a StringLookup/TextVectorization layer, or padding)", subject=call,
                        evidence=("dtype", dtype_ev("object" if x.ragged else x.dtype)))


class MissingBatchAxis(Rule):
    """
    ## What it does
    Finds a single sample, without the batch axis, passed to `predict`,
    `evaluate` or `fit`: data whose shape equals the model input's shape
    minus the batch axis.

    ## Why is this bad?
    Keras takes the first axis as the batch axis, so the sample's own first
    dimension becomes the batch and the rest is one rank short: `ValueError`.

    ## Example
    ```python
    model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(1)])
    model.predict(np.random.rand(10))
    ```

    ## Use instead
    ```python
    model.predict(np.random.rand(10)[None, :])  # or np.expand_dims(x, 0)
    ```
    """

    code = "FIT108"
    name = "missing-batch-axis"
    severity = "error"
    summary = "a single sample without the batch axis"
    triggers = DATA_CALLS
    exception = "ValueError"

    def check(self, ctx):
        for call, b, sym, x in _pairs(ctx):
            if not _single_sample(x.shape, sym.shape) or not rank_fixed(sym):
                continue
            adjusted = _tolerated(x.shape, sym.shape)
            if adjusted is not None:
                # Keras appends an axis of size 1 and takes the sample's first
                # axis as the batch: an error only where a layer then fails.
                if compatible(adjusted, sym.shape) or _first_conflict(call.model, sym, (None,) + adjusted[1:]) is None:
                    continue
            label = arg_name(ctx, b.node, b.label)
            yield Finding(
                self.code,
                f"model.{call.what} gets one sample of shape {fmt_shape(x.shape)} without the batch axis; "
                f"the model expects {fmt_shape(sym.shape)}",
                call.node, related(input_here(ctx, sym), built_here(ctx, label, x)),
                hint=f"add the batch axis: np.expand_dims({label}, 0)", subject=call, evidence=(dims_ev(x.shape),))


class SampleCountMismatch(Rule):
    """
    ## What it does
    Checks that x and y (and every input array, and every component of
    `from_tensor_slices`) have the same number of samples.

    ## Why is this bad?
    Keras raises `ValueError: Data cardinality is ambiguous`; `from_tensor_slices`
    raises `ValueError: Dimensions 4 and 5 are not compatible` when the
    dataset is built.

    ## Example
    ```python
    x = np.random.rand(32, 4)
    y = np.random.randint(0, 2, 30)
    model.fit(x, y)
    ```

    ## Use instead
    ```python
    y = np.random.randint(0, 2, 32)
    model.fit(x, y)
    ```
    """

    code = "FIT109"
    name = "sample-count-mismatch"
    severity = "error"
    summary = "x and y have different numbers of samples"
    triggers = (DATA_CALLS[0] + "|from_tensor_slices",)
    exception = "ValueError"

    def check(self, ctx):
        for call in ctx.facts.calls:
            if call.dataset is not None:
                continue
            parts = [(arg_name(ctx, b.node, b.label), b.value) for b in call.inputs]
            parts += [(arg_name(ctx, t.y_node, t.label), t.y) for t in call.targets]
            known = [(label, v) for label, v in parts if isinstance(v, Array) and v.samples is not None]
            if len({v.samples for _, v in known}) > 1:
                desc = ", ".join(f"{label} has {v.samples}" for label, v in known)
                yield Finding(
                    self.code, f"model.{call.what} gets different numbers of samples: {desc}",
                    call.node, related(*(built_here(ctx, label, v) for label, v in known)),
                    hint="give every array the same first dimension", subject=call, evidence=("cardinality|sizes",))
        for event in ctx.facts.slice_counts:
            known = [(label, v) for label, v in event.parts if v.samples is not None]
            desc = ", ".join(f"{label} has {v.samples}" for label, v in known)
            yield Finding(
                self.code, f"from_tensor_slices gets components with different numbers of samples: {desc}",
                event.node, related(*(built_here(ctx, label.strip("[]") or "tensor", v) for label, v in known)),
                hint="give every component the same first dimension", subject=event, evidence=("are not compatible",))
