"""FIT3xx: the layer graph."""
from __future__ import annotations

from typing import Iterable, Optional

from ..analysis import layers as L
from ..analysis.facts import LayerUse
from ..analysis.values import NON_NUMERIC_DTYPES, Array, Layer, fmt_range, fmt_shape
from ..findings import Finding
from .base import DATA_CALLS, Context, Rule, arg_name, built_here, related, set_here
from .base import dims_ev, shape_ev, tail_ev

# Layer input shapes are known from an Input or a Sequential model.
_LAYERS = (r"Sequential|Input\s*\(|InputLayer\s*\(|input_shape\s*=|input_dim\s*=",)


def reaches(arr: Array, n: int) -> bool:
    """Whether some value of ``arr``, truncated to an integer, is >= ``n``."""
    if arr.hi is None:
        return False
    if arr.integral:
        return arr.hi >= n
    return arr.hi > n or (arr.hi == n and not arr.open_hi)


def _first_layer(call, binding) -> Optional[Layer]:
    model = call.model
    if model.kind == "sequential":
        return model.layers[0] if model.layers and model.exact else None
    if binding.input is None:
        return None
    consumers = [layer for layer, _ in binding.input.consumers]
    return consumers[0] if len(consumers) == 1 else None


class EmbeddingIndexOutOfRange(Rule):
    """
    ## What it does
    Checks that the integer ids fed to an `Embedding(input_dim, ...)` stay
    below `input_dim`.

    ## Why is this bad?
    The embedding is a lookup table with `input_dim` rows; on the CPU
    TensorFlow raises `InvalidArgumentError: indices[3,1] = 150 is not in
    [0, 100)`. (On a GPU the lookup silently returns zeros.) Negative ids and
    float ids below `input_dim` run. A `TextVectorization` whose `max_tokens`
    exceeds `input_dim` only may fail, depending on the text it is adapted
    to: that is FIT307, a warning.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((10,)), layers.Embedding(100, 8), ...])
    model.fit(np.random.randint(0, 200, (32, 10)), y)
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input((10,)), layers.Embedding(200, 8), ...])
    ```
    """

    code = "FIT301"
    name = "embedding-index-out-of-range"
    severity = "error"
    summary = "ids fed to an Embedding can reach its input_dim"
    exception = "InvalidArgumentError"
    triggers = DATA_CALLS + ("Embedding",)

    def check(self, ctx):
        for call in ctx.facts.calls:
            if call.dataset is not None and not call.dataset.batched:
                continue
            for b in call.inputs:
                layer = _first_layer(call, b)
                x = b.value
                if layer is None or layer.kind != "Embedding" or not isinstance(x, Array) or x.hi is None:
                    continue
                if x.ragged or x.dtype in NON_NUMERIC_DTYPES:
                    continue  # FIT107
                vocab = layer.kw("input_dim", 0)
                if not isinstance(vocab, int) or not reaches(x, vocab):
                    continue
                label = arg_name(ctx, b.node, b.label)
                yield Finding(
                    self.code,
                    f"ids reach {fmt_range(x.hi, x.hi).split('..')[0]} but the Embedding has input_dim={vocab} "
                    f"(valid ids: 0..{vocab - 1})",
                    call.node,
                    related((layer.origin.node, f"embedding declared here: {ctx.src(layer.origin.node)}"),
                            set_here(ctx, layer, "input_dim", 0, "input_dim"), built_here(ctx, label, x)),
                    hint=f"use Embedding({int(x.hi) + 1}, ...) or keep ids below {vocab}", subject=call,
                    evidence=(str(int(x.hi)), f"[0,{vocab})"))


class VocabularyExceedsEmbedding(Rule):
    """
    ## What it does
    Finds a `TextVectorization(max_tokens=n)` feeding an `Embedding` whose
    `input_dim` is smaller than `n`.

    ## Why is this bad?
    `max_tokens` is a cap, not the vocabulary size: with a small adapted
    vocabulary the ids stay low and the model runs. But once the text it is
    adapted to has more than `input_dim` distinct tokens, ids reach
    `input_dim` and the lookup fails (`InvalidArgumentError` on the CPU,
    FIT301). A warning: whether it fails depends on data fitlint does not
    see. Split from FIT301: selecting or suppressing FIT301 also selects or
    suppresses FIT307.

    ## Example
    ```python
    vectorizer = layers.TextVectorization(max_tokens=20000, output_sequence_length=8)
    model = keras.Sequential([keras.Input(shape=(1,), dtype="string"), vectorizer,
                              layers.Embedding(10000, 8), ...])
    ```

    ## Use instead
    ```python
    layers.Embedding(vectorizer.vocabulary_size(), 8)  # or max_tokens=10000
    ```
    """

    code = "FIT307"
    name = "vocabulary-exceeds-embedding"
    severity = "warning"
    summary = "TextVectorization max_tokens larger than the Embedding's input_dim"
    triggers = (r"TextVectorization", r"Embedding")
    split_from = "FIT301"

    def check(self, ctx):
        seen = set()
        for use in ctx.facts.layer_uses:
            layer, prev = use.layer, use.previous
            if layer.kind != "Embedding" or prev is None or id(layer) in seen:
                continue
            tokens, vocab = L.vocabulary(prev), layer.kw("input_dim", 0)
            if tokens is None or not isinstance(vocab, int) or tokens <= vocab:
                continue
            seen.add(id(layer))
            yield Finding(
                self.code,
                f"TextVectorization(max_tokens={tokens}) can produce ids up to {tokens - 1} but the Embedding has "
                f"input_dim={vocab}: it fails once the adapted vocabulary has more than {vocab} entries",
                layer.origin.node,
                [(prev.origin.node, f"ids produced here: {ctx.src(prev.origin.node)}")],
                hint=f"use Embedding(input_dim=vectorizer.vocabulary_size(), ...) or max_tokens={vocab}")


def _uses(ctx: Context, kind: str) -> Iterable[tuple]:
    seen = set()
    for use in ctx.facts.layer_uses:
        if len(use.shapes) != 1 or id(use.layer) in seen:
            continue
        found = L.problem(use.layer, use.shapes[0])
        if found and found[0] == kind:
            seen.add(id(use.layer))
            yield use, found[1]


def _source(ctx: Context, use: LayerUse):
    origin = use.sources[0] if use.sources else None
    if origin is None:
        return None
    return origin.node, f"its input {fmt_shape(use.shapes[0])} comes from: {ctx.src(origin.node)}"


class _LayerProblem(Rule):
    """Rules about one layer that cannot take its input (see layers.problem)."""

    fix: str = ""
    problem: str = ""  # the kind of layers.problem this rule reports

    def hint(self, use: LayerUse) -> str:
        return self.fix

    def evidence(self, use: LayerUse) -> tuple:
        shape = use.shapes[0]
        return (f"ndim={len(shape)}", tail_ev(shape)) if self.code == "FIT302" else (dims_ev(shape[1:]),)

    def check(self, ctx):
        for use, detail in _uses(ctx, self.problem):
            yield Finding(self.code, detail, use.layer.origin.node, related(_source(ctx, use)),
                          hint=self.hint(use), subject=use, evidence=self.evidence(use))


class LayerRankMismatch(_LayerProblem):
    """
    ## What it does
    Checks that each layer receives a tensor of the rank it needs: LSTM, GRU
    and SimpleRNN need 3-D `(batch, timesteps, features)`, Conv1D 3-D, Conv2D
    4-D, Dense at least 2-D. A common case is a second recurrent layer after
    one without `return_sequences=True`.

    ## Why is this bad?
    Keras raises `ValueError: Input 0 of layer "lstm_1" is incompatible with
    the layer: expected ndim=3, found ndim=2` when the model is built.

    ## Example
    ```python
    keras.Sequential([keras.Input((20, 8)), layers.LSTM(32), layers.LSTM(16)])
    ```

    ## Use instead
    ```python
    keras.Sequential([keras.Input((20, 8)), layers.LSTM(32, return_sequences=True), layers.LSTM(16)])
    ```
    """

    code = "FIT302"
    problem = "rank"
    name = "layer-rank-mismatch"
    severity = "error"
    summary = "a layer receives a rank it cannot take"
    exception = "ValueError"
    triggers = _LAYERS

    def hint(self, use: LayerUse) -> str:
        prev = use.previous
        if prev is not None and prev.kind in L.RNN and L.NDIM.get(use.layer.kind) == 3:
            return f"pass return_sequences=True to the {prev.kind} before it"
        return "reshape the input (Reshape, expand_dims) or pick a layer for this rank"


class NonPositiveOutputSize(_LayerProblem):
    """
    ## What it does
    Finds a convolution or pooling layer with `"valid"` padding whose window
    is larger than its input, so an output dimension would be zero or
    negative.

    ## Why is this bad?
    Keras raises `ValueError: Computed output size would be zero or negative`
    when the model is built — often after too many pooling layers on small
    images.

    ## Example
    ```python
    keras.Sequential([keras.Input((4, 4, 1)), layers.Conv2D(8, 5)])
    ```

    ## Use instead
    ```python
    keras.Sequential([keras.Input((4, 4, 1)), layers.Conv2D(8, 5, padding="same")])
    ```
    """

    code = "FIT303"
    problem = "window"
    name = "non-positive-output-size"
    severity = "error"
    summary = "conv/pool with 'valid' padding would produce a dimension <= 0"
    exception = "ValueError"
    triggers = _LAYERS
    fix = "use padding='same', a smaller window, or fewer pooling layers before it"


class ReshapeSizeMismatch(_LayerProblem):
    """
    ## What it does
    Checks that a `Reshape(target_shape)` keeps the number of values per
    sample.

    ## Why is this bad?
    Keras raises `ValueError: total size of the new array must be unchanged`
    when the model is built.

    ## Example
    ```python
    keras.Sequential([keras.Input((10,)), layers.Reshape((3, 3))])
    ```

    ## Use instead
    ```python
    keras.Sequential([keras.Input((10,)), layers.Reshape((5, 2))])
    ```
    """

    code = "FIT304"
    problem = "reshape"
    name = "reshape-size-mismatch"
    severity = "error"
    summary = "Reshape target with another number of elements"
    exception = "ValueError"
    triggers = _LAYERS
    fix = "make the target's product equal the input's, or use -1 for one axis"


class MergeShapeMismatch(Rule):
    """
    ## What it does
    Checks the inputs of merge layers: `Concatenate` needs equal sizes on all
    axes but the concatenation axis; `Add`, `Multiply`, `Average`,
    `Subtract`, `Maximum`, `Minimum` need equal shapes.

    ## Why is this bad?
    Keras raises `ValueError: A Concatenate layer requires inputs with
    matching shapes except for the concatenation axis` / `Inputs have
    incompatible shapes` when the layer is called.

    ## Example
    ```python
    a, b = keras.Input((4,)), keras.Input((5,))
    layers.Add()([a, b])
    ```

    ## Use instead
    ```python
    layers.Add()([layers.Dense(5)(a), b])
    ```
    """

    code = "FIT305"
    name = "merge-shape-mismatch"
    severity = "error"
    summary = "merge layer inputs that cannot be merged"
    exception = "ValueError"
    triggers = _LAYERS

    def check(self, ctx):
        for use in ctx.facts.layer_uses:
            if len(use.shapes) < 2:
                continue
            detail = L.merge_problem(use.layer, use.shapes)
            if detail:
                yield Finding(
                    self.code, detail, use.layer.origin.node,
                    related(*((o.node, f"input {fmt_shape(s)} from: {ctx.src(o.node)}")
                              for o, s in zip(use.sources, use.shapes) if o is not None)),
                    hint="project the inputs to matching shapes (Dense, Reshape) or change the axis", subject=use,
                    evidence=tuple(dims_ev(s[1:]) for s in use.shapes))


class WeightsShapeMismatch(Rule):
    """
    ## What it does
    Checks `weights=[matrix]` passed to an `Embedding` (pretrained vectors)
    against the layer's own weight shape `(input_dim, output_dim)`.

    ## Why is this bad?
    Keras raises `ValueError: Layer embedding weight shape (43, 100) is not
    compatible with provided weight shape (50, 100)` when the layer is
    created — usually the vocabulary size and the matrix disagree by the
    padding/OOV rows.

    ## Example
    ```python
    matrix = np.zeros((50, 100))
    layers.Embedding(43, 100, weights=[matrix])
    ```

    ## Use instead
    ```python
    layers.Embedding(matrix.shape[0], matrix.shape[1], weights=[matrix])
    ```
    """

    code = "FIT306"
    name = "weights-shape-mismatch"
    severity = "error"
    summary = "weights= array whose shape differs from the layer's"
    exception = "ValueError"
    triggers = (r"weights\s*=", r"Embedding")

    def check(self, ctx):
        for layer in ctx.facts.layers:
            if layer.kind != "Embedding" or "weights" not in layer.kwargs:
                continue
            weights = layer.kwargs["weights"]
            items = getattr(weights, "items", None)
            if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], Array):
                continue
            matrix = items[0]
            vocab, dim = layer.kw("input_dim", 0), layer.kw("output_dim", 1)
            if not isinstance(vocab, int) or not isinstance(dim, int) or matrix.shape is None:
                continue
            if len(matrix.shape) != 2 or None in matrix.shape or matrix.shape == (vocab, dim):
                continue
            yield Finding(
                self.code,
                f"the Embedding's weights are {fmt_shape((vocab, dim))} but weights= gives {fmt_shape(matrix.shape)}",
                layer.origin.node, related(built_here(ctx, "weights", matrix)),
                hint=f"use Embedding({matrix.shape[0]}, {matrix.shape[1]}, weights=[...])", subject=layer,
                evidence=(shape_ev((vocab, dim)), shape_ev(matrix.shape)))
