"""Output shapes of Keras layers, computed from their literal configuration.

Every function returns ``None`` when it cannot be sure: unknown layers,
non-literal arguments, ``channels_first`` data, unexpected ranks.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from .values import Array, Layer, Origin, Shape, as_shape, fmt_shape

IDENTITY = {
    "Dropout", "Activation", "BatchNormalization", "LayerNormalization", "Softmax", "ReLU",
    "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "Masking",
    "ActivityRegularization", "UnitNormalization", "InputLayer", "Identity", "Rescaling",
    "Normalization", "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation",
    "GroupNormalization", "RandomBrightness",
}
# Layers that take the values themselves down to a small range.
SCALING = {"Rescaling", "Normalization", "BatchNormalization", "LayerNormalization", "GroupNormalization", "Lambda",
           "Model", "Custom"}
RNN = {"LSTM", "GRU", "SimpleRNN"}
CONV_RANK = {
    "Conv1D": 1, "Conv2D": 2, "Conv3D": 3, "Convolution1D": 1, "Convolution2D": 2, "Convolution3D": 3,
    "SeparableConv1D": 1, "SeparableConv2D": 2, "SeparableConvolution1D": 1, "SeparableConvolution2D": 2,
}
DEPTHWISE_RANK = {"DepthwiseConv1D": 1, "DepthwiseConv2D": 2}
TRANSPOSE_RANK = {"Conv1DTranspose": 1, "Conv2DTranspose": 2, "Conv3DTranspose": 3,
                  "Convolution2DTranspose": 2, "Convolution3DTranspose": 3}
RESAMPLE_RANK = {"UpSampling1D": 1, "UpSampling2D": 2, "UpSampling3D": 3, "ZeroPadding1D": 1, "ZeroPadding2D": 2,
                 "ZeroPadding3D": 3, "Cropping1D": 1, "Cropping2D": 2, "Cropping3D": 3}
POOL_RANK = {
    "MaxPooling1D": 1, "MaxPooling2D": 2, "MaxPooling3D": 3, "MaxPool1D": 1, "MaxPool2D": 2, "MaxPool3D": 3,
    "AveragePooling1D": 1, "AveragePooling2D": 2, "AveragePooling3D": 3,
    "AvgPool1D": 1, "AvgPool2D": 2, "AvgPool3D": 3,
}
GLOBAL_POOL_RANK = {
    "GlobalAveragePooling1D": 1, "GlobalAveragePooling2D": 2, "GlobalAveragePooling3D": 3,
    "GlobalMaxPooling1D": 1, "GlobalMaxPooling2D": 2, "GlobalMaxPooling3D": 3,
    "GlobalAvgPool1D": 1, "GlobalAvgPool2D": 2, "GlobalAvgPool3D": 3,
    "GlobalMaxPool1D": 1, "GlobalMaxPool2D": 2, "GlobalMaxPool3D": 3,
}
MERGE = {"Concatenate", "Add", "Multiply", "Average", "Maximum", "Minimum", "Subtract", "Dot"}
KNOWN = IDENTITY | RNN | set(CONV_RANK) | set(POOL_RANK) | set(GLOBAL_POOL_RANK) | MERGE | set(DEPTHWISE_RANK) | {
    "Dense", "Flatten", "Reshape", "Embedding", "RepeatVector", "Permute", "Resizing", "Bidirectional",
    "TimeDistributed", "CenterCrop", "EinsumDense", "TextVectorization", "MultiHeadAttention",
    "StringLookup", "IntegerLookup", "CategoryEncoding", "Hashing", "RandomCrop", "RandomBrightness", "Lambda",
} | set(TRANSPOSE_RANK) | set(RESAMPLE_RANK)
# Layers of the analysed code itself: a nested model, an object of a
# ``keras.layers.Layer`` subclass (see models.element_layer). Their output
# shape is their traced output (``shape_fn``); nothing else about them is known.
TRACED = {"Model", "Custom"}
# The input rank each layer needs (batch axis included): exact, or a minimum.
NDIM = {"LSTM": 3, "GRU": 3, "SimpleRNN": 3, "Bidirectional": 3, "RepeatVector": 2}
MIN_NDIM = {"Dense": 2}
for _k, _r in {**CONV_RANK, **DEPTHWISE_RANK, **TRANSPOSE_RANK}.items():
    MIN_NDIM[_k] = _r + 2
for _table in (POOL_RANK, GLOBAL_POOL_RANK, RESAMPLE_RANK):
    for _k, _r in _table.items():
        NDIM[_k] = _r + 2


def _tuple(value, n: int) -> Optional[tuple]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    if isinstance(value, (tuple, list)) and len(value) == n and all(isinstance(v, int) for v in value):
        return tuple(value)
    return None


def _spatial(n: Optional[int], k: int, s: int, d: int, padding: str) -> Optional[int]:
    if n is None or s <= 0 or k <= 0 or d <= 0:
        return None  # Keras refuses such a layer itself: no output shape
    if padding == "same":
        return -(-n // s)
    if padding == "valid":
        return (n - d * (k - 1) - 1) // s + 1
    return None


def _channels_last(layer: Layer) -> bool:
    return layer.kw("data_format", default="channels_last") in ("channels_last", None)


def _dense(layer: Layer, shape: Shape) -> Shape:
    units = layer.kw("units", 0)
    if not isinstance(units, int) or len(shape) < 2:
        return None
    return shape[:-1] + (units,)


def _flatten(layer: Layer, shape: Shape) -> Shape:
    if len(shape) < 2:
        return None
    size = 1
    for d in shape[1:]:
        if d is None:
            return (shape[0], None)
        size *= d
    return (shape[0], size)


def _conv(layer: Layer, shape: Shape) -> Shape:
    rank = CONV_RANK[layer.kind]
    filters = layer.kw("filters", 0)
    kernel = _tuple(layer.kw("kernel_size", 1), rank)
    strides = _tuple(layer.kw("strides", 2, 1), rank)
    dilation = _tuple(layer.kw("dilation_rate", default=1), rank)
    padding = layer.kw("padding", 3, "valid")
    if (len(shape) != rank + 2 or not isinstance(filters, int) or None in (kernel, strides, dilation)
            or not _channels_last(layer) or not isinstance(padding, str)):
        return None
    padding = padding.lower()
    if padding == "causal" and rank == 1:
        padding = "same"
    dims = tuple(_spatial(n, k, s, d, padding) for n, k, s, d in zip(shape[1:-1], kernel, strides, dilation))
    if any(d is not None and d <= 0 for d in dims):
        return None
    return (shape[0],) + dims + (filters,)


def _pool(layer: Layer, shape: Shape) -> Shape:
    rank = POOL_RANK[layer.kind]
    pool = _tuple(layer.kw("pool_size", 0, 2), rank)
    strides = layer.kw("strides", 1, None)
    strides = pool if strides is None else _tuple(strides, rank)
    padding = layer.kw("padding", 2, "valid")
    if len(shape) != rank + 2 or None in (pool, strides) or not _channels_last(layer) or not isinstance(padding, str):
        return None
    dims = tuple(_spatial(n, k, s, 1, padding.lower()) for n, k, s in zip(shape[1:-1], pool, strides))
    if any(d is not None and d <= 0 for d in dims):
        return None
    return (shape[0],) + dims + (shape[-1],)


def _global_pool(layer: Layer, shape: Shape) -> Shape:
    rank = GLOBAL_POOL_RANK[layer.kind]
    if len(shape) != rank + 2 or not _channels_last(layer):
        return None
    if layer.kw("keepdims", default=False):
        return (shape[0],) + (1,) * rank + (shape[-1],)
    return (shape[0], shape[-1])


def _reshape(layer: Layer, shape: Shape) -> Shape:
    target = as_shape(layer.args[0]) if layer.args else as_shape(layer.kwargs.get("target_shape"))
    if target is None or any(d is None for d in target):
        return None
    if -1 in target:
        known = 1
        for d in target:
            if d != -1:
                known *= d
        total = 1
        for d in shape[1:]:
            if d is None:
                return None
            total *= d
        if known == 0 or total % known:
            return None
        target = tuple(total // known if d == -1 else d for d in target)
    return (shape[0],) + tuple(target)


def _embedding(layer: Layer, shape: Shape) -> Shape:
    dim = layer.kw("output_dim", 1)
    if not isinstance(dim, int):
        return None
    return shape + (dim,)


def _rnn(layer: Layer, shape: Shape) -> Shape:
    units = layer.kw("units", 0)
    if len(shape) != 3 or not isinstance(units, int) or layer.kw("return_state", default=False):
        return None
    if layer.kw("return_sequences", default=False) is True:
        return (shape[0], shape[1], units)
    if layer.kw("return_sequences", default=False) is False:
        return (shape[0], units)
    return None


def _depthwise(layer: Layer, shape: Shape) -> Shape:
    rank = DEPTHWISE_RANK[layer.kind]
    mult = layer.kw("depth_multiplier", default=1)
    kernel = _tuple(layer.kw("kernel_size", 0), rank)
    strides = _tuple(layer.kw("strides", 1, 1), rank)
    padding = layer.kw("padding", 2, "valid")
    if (len(shape) != rank + 2 or kernel is None or strides is None or not isinstance(mult, int)
            or not isinstance(padding, str) or not _channels_last(layer)):
        return None
    dims = tuple(_spatial(n, k, s, 1, padding.lower()) for n, k, s in zip(shape[1:-1], kernel, strides))
    if any(d is not None and d <= 0 for d in dims):
        return None
    return (shape[0],) + dims + (None if shape[-1] is None else shape[-1] * mult,)


def _transpose(layer: Layer, shape: Shape) -> Shape:
    rank = TRANSPOSE_RANK[layer.kind]
    filters = layer.kw("filters", 0)
    kernel = _tuple(layer.kw("kernel_size", 1), rank)
    strides = _tuple(layer.kw("strides", 2, 1), rank)
    padding = layer.kw("padding", 3, "valid")
    if (len(shape) != rank + 2 or not isinstance(filters, int) or kernel is None or strides is None
            or layer.has("output_padding") or not isinstance(padding, str) or not _channels_last(layer)):
        return None
    dims = []
    for n, k, s in zip(shape[1:-1], kernel, strides):
        if n is None:
            dims.append(None)
        elif padding.lower() == "valid":
            dims.append(n * s + max(k - s, 0))
        elif padding.lower() == "same":
            dims.append(n * s)
        else:
            return None
    return (shape[0],) + tuple(dims) + (filters,)


def _resample(layer: Layer, shape: Shape) -> Shape:
    rank = RESAMPLE_RANK[layer.kind]
    if len(shape) != rank + 2 or not _channels_last(layer):
        return None
    kind = layer.kind[:-2]
    if kind == "UpSampling":
        size = _tuple(layer.kw("size", 0, 2), rank)
        if size is None:
            return None
        dims = tuple(None if n is None else n * f for n, f in zip(shape[1:-1], size))
        return (shape[0],) + dims + (shape[-1],)
    value = layer.kw("padding" if kind == "ZeroPadding" else "cropping", 0, 1 if kind == "ZeroPadding" else (1, 1))
    per_axis = []
    if isinstance(value, int):
        per_axis = [(value, value)] * rank
    elif isinstance(value, (tuple, list)) and len(value) == rank:
        for v in value:
            if isinstance(v, int):
                per_axis.append((v, v))
            elif isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(i, int) for i in v):
                per_axis.append(tuple(v))
            else:
                return None
    elif rank == 1 and isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(i, int) for i in value):
        per_axis = [tuple(value)]
    else:
        return None
    sign = 1 if kind == "ZeroPadding" else -1
    dims = tuple(None if n is None else n + sign * (a + b) for n, (a, b) in zip(shape[1:-1], per_axis))
    if any(d is not None and d <= 0 for d in dims):
        return None
    return (shape[0],) + dims + (shape[-1],)


def _repeat(layer: Layer, shape: Shape) -> Shape:
    n = layer.kw("n", 0)
    return (shape[0], n, shape[1]) if isinstance(n, int) and len(shape) == 2 else None


def _permute(layer: Layer, shape: Shape) -> Shape:
    dims = layer.kw("dims", 0)
    if not isinstance(dims, (tuple, list)) or sorted(dims) != list(range(1, len(shape))):
        return None
    return (shape[0],) + tuple(shape[d] for d in dims)


def _resizing(layer: Layer, shape: Shape) -> Shape:
    h, w = layer.kw("height", 0), layer.kw("width", 1)
    if not isinstance(h, int) or not isinstance(w, int) or len(shape) not in (3, 4) or not _channels_last(layer):
        return None
    return (shape[0], h, w, shape[-1]) if len(shape) == 4 else (h, w, shape[-1])


def _bidirectional(layer: Layer, shape: Shape) -> Shape:
    inner = layer.args[0] if layer.args else layer.kwargs.get("layer")
    if not isinstance(inner, Layer) or inner.kind not in RNN:
        return None
    out = _rnn(inner, shape)
    if out is None:
        return None
    mode = layer.kw("merge_mode", default="concat")
    if mode == "concat":
        return out[:-1] + (out[-1] * 2,)
    return out if mode in ("sum", "mul", "ave") else None


def _time_distributed(layer: Layer, shape: Shape) -> Shape:
    inner = layer.args[0] if layer.args else layer.kwargs.get("layer")
    if not isinstance(inner, Layer) or len(shape) < 3:
        return None
    out = output_shape(inner, (shape[0],) + shape[2:])
    return None if out is None else (shape[0], shape[1]) + out[1:]


def _text_vectorization(layer: Layer, shape: Shape) -> Shape:
    """int: (batch, output_sequence_length or None); a single string gives
    (length,). Other modes: (batch, vocabulary size), known only with
    ``pad_to_max_tokens=True`` (after ``adapt`` the size is the vocabulary's)."""
    mode = layer.kw("output_mode", default="int")
    if len(shape) > 2 or len(shape) == 2 and shape[1] not in (1, None):
        return None
    if mode == "int":
        length = layer.kw("output_sequence_length", default=None)
        length = length if isinstance(length, int) and not isinstance(length, bool) else None
        return (length,) if not shape else (shape[0], length)
    if mode in ("multi_hot", "count", "tf_idf") and shape:
        tokens = layer.kw("max_tokens", default=None)
        pad = layer.kw("pad_to_max_tokens", default=False) is True
        return (shape[0], tokens if pad and isinstance(tokens, int) and not isinstance(tokens, bool) else None)
    return None


def _lookup(layer: Layer, shape: Shape) -> Shape:
    """StringLookup / IntegerLookup / Hashing in ``int`` mode keep the shape."""
    if layer.kw("output_mode", default="int") != "int" or layer.kw("invert", default=False) is not False:
        return None
    return shape


def _category_encoding(layer: Layer, shape: Shape) -> Shape:
    tokens = layer.kw("num_tokens", 0)
    mode = layer.kw("output_mode", 1, "multi_hot")
    if not isinstance(tokens, int) or isinstance(tokens, bool):
        return None
    if mode == "one_hot":
        if len(shape) == 0:
            return (1, tokens)
        if len(shape) == 1 or len(shape) == 2 and shape[1] == 1:
            return (shape[0], tokens)
        return None
    if mode in ("multi_hot", "count"):
        if len(shape) == 1:
            return (tokens,)
        return (shape[0], tokens) if len(shape) == 2 else None
    return None


def _crop(layer: Layer, shape: Shape) -> Shape:
    return _resizing(layer, shape)


def vocabulary(layer: Layer) -> Optional[int]:
    """The most ids an integer-mode TextVectorization can produce (max_tokens)."""
    if layer.kind != "TextVectorization" or layer.kw("output_mode", default="int") != "int":
        return None
    tokens = layer.kw("max_tokens", 0)
    return tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None


_SHAPES: Dict[str, Callable[[Layer, tuple], Shape]] = {
    "Dense": _dense, "Flatten": _flatten, "Reshape": _reshape, "Embedding": _embedding,
    "RepeatVector": _repeat, "Permute": _permute, "Resizing": _resizing, "Bidirectional": _bidirectional,
    "TimeDistributed": _time_distributed, "TextVectorization": _text_vectorization,
    "StringLookup": _lookup, "IntegerLookup": _lookup, "Hashing": _lookup, "CategoryEncoding": _category_encoding,
    "CenterCrop": _crop, "RandomCrop": _crop,
}
for _kinds, _fn in ((DEPTHWISE_RANK, _depthwise), (TRANSPOSE_RANK, _transpose), (RESAMPLE_RANK, _resample),
                    (CONV_RANK, _conv), (POOL_RANK, _pool), (GLOBAL_POOL_RANK, _global_pool), (RNN, _rnn)):
    for _k in _kinds:
        _SHAPES[_k] = _fn


def fails_on(layer: Layer, shape: Shape) -> bool:
    """True when the layer cannot take ``shape`` at all: a conv/pool window
    larger than the input ("valid" padding)."""
    if shape is None or (layer.kind not in CONV_RANK and layer.kind not in POOL_RANK):
        return False
    rank = CONV_RANK.get(layer.kind) or POOL_RANK.get(layer.kind)
    if len(shape) != rank + 2 or not _channels_last(layer):
        return False
    if layer.kind in CONV_RANK:
        window = _tuple(layer.kw("kernel_size", 1), rank)
        padding = layer.kw("padding", 3, "valid")
    else:
        window = _tuple(layer.kw("pool_size", 0, 2), rank)
        padding = layer.kw("padding", 2, "valid")
    if window is None or not isinstance(padding, str) or padding.lower() != "valid":
        return False
    return any(n is not None and n < k for n, k in zip(shape[1:-1], window))


def output_shape(layer: Layer, shape: Shape) -> Shape:
    """The output shape of ``layer`` for an input of ``shape`` (batch axis
    included), or ``None``."""
    if shape is None:
        return None
    if layer.kind in IDENTITY:
        return shape
    if layer.kind == "MultiHeadAttention":  # called on the query: its shape, unless output_shape= says otherwise
        return shape if not layer.has("output_shape") and len(shape) >= 3 else None
    if layer.kind == "Lambda" or layer.kind in TRACED:  # its function run on the shape (see callables.lambda_layer)
        run = getattr(layer, "shape_fn", None)
        return run(shape) if run is not None else None
    fn = _SHAPES.get(layer.kind)
    return fn(layer, shape) if fn else None


def problem(layer: Layer, shape: Shape) -> Optional[Tuple[str, str]]:
    """Why ``layer`` cannot take an input of ``shape``: (kind, detail), the
    kind "rank", "window" or "reshape"; None when it can or when that is not
    known."""
    if shape is None:
        return None
    need = NDIM.get(layer.kind)
    if need is not None and len(shape) != need:
        return "rank", f"{layer.kind} needs {need}-D input, gets {len(shape)}-D {fmt_shape(shape)}"
    least = MIN_NDIM.get(layer.kind)
    if least is not None and len(shape) < least:
        return "rank", f"{layer.kind} needs input of at least {least}-D, gets {len(shape)}-D {fmt_shape(shape)}"
    if fails_on(layer, shape):
        return "window", f"{layer.kind} window is larger than its input {fmt_shape(shape)}"
    if layer.kind == "Reshape":
        target = as_shape(layer.args[0]) if layer.args else as_shape(layer.kwargs.get("target_shape"))
        size = 1
        for d in shape[1:]:
            if d is None:
                return None
            size *= d
        if target is None or any(d is None for d in target) or target.count(-1) > 1:
            return None
        known = 1
        for d in target:
            if d != -1:
                known *= d
        if (-1 in target and (known == 0 or size % known)) or (-1 not in target and known != size):
            return "reshape", f"Reshape{fmt_shape(target)} needs {known} values per sample, gets {size} {fmt_shape(shape)}"
    return None


def merge_problem(layer: Layer, shapes: List[Shape]) -> Optional[str]:
    if any(s is None for s in shapes) or len(shapes) < 2:
        return None
    rank = len(shapes[0])
    shown = ", ".join(fmt_shape(s) for s in shapes)
    if layer.kind == "Concatenate":
        axis = layer.kw("axis", default=-1)
        if not isinstance(axis, int) or any(len(s) != rank for s in shapes) or not -rank <= axis < rank:
            return None
        axis %= rank
        for i in range(rank):
            if i == axis:
                continue
            dims = {s[i] for s in shapes if s[i] is not None}
            if len(dims) > 1:
                return f"Concatenate(axis={axis}) needs equal sizes on every other axis; gets {shown}"
        return None
    if layer.kind in ("Add", "Multiply", "Average", "Maximum", "Minimum", "Subtract"):
        if any(len(s) != rank for s in shapes):
            return None
        for i in range(1, rank):
            dims = {s[i] for s in shapes if s[i] is not None and s[i] != 1}
            if len(dims) > 1:
                return f"{layer.kind} needs inputs of the same shape; gets {shown}"
    return None


def merge_shape(layer: Layer, shapes: List[Shape]) -> Shape:
    if any(s is None for s in shapes) or not shapes:
        return None
    if layer.kind == "Concatenate":
        axis = layer.kw("axis", default=-1)
        rank = len(shapes[0])
        if not isinstance(axis, int) or any(len(s) != rank for s in shapes):
            return None
        axis = axis % rank
        total = 0
        for s in shapes:
            if s[axis] is None:
                total = None
                break
            total += s[axis]
        return shapes[0][:axis] + (total,) + shapes[0][axis + 1:]
    if layer.kind in ("Add", "Multiply", "Average", "Maximum", "Minimum", "Subtract"):
        return shapes[0] if all(s == shapes[0] for s in shapes) else None
    return None


def declared_input(layer: Layer) -> Shape:
    """The model input shape a first Sequential layer declares, batch axis
    included (``input_shape=``, ``batch_input_shape=``, ``input_dim=``)."""
    if "batch_input_shape" in layer.kwargs or "batch_shape" in layer.kwargs:
        return as_shape(layer.kwargs.get("batch_input_shape", layer.kwargs.get("batch_shape")))
    if "input_shape" in layer.kwargs:
        shape = as_shape(layer.kwargs["input_shape"])
        return None if shape is None else (None,) + shape
    if layer.kind == "InputLayer" and "shape" in layer.kwargs:
        shape = as_shape(layer.kwargs["shape"])
        return None if shape is None else (None,) + shape
    if "input_dim" in layer.kwargs and layer.kind != "Embedding":
        dim = layer.kw("input_dim")
        return (None, dim) if isinstance(dim, int) else None
    return None


def weight_axes(layer: Layer) -> List[int]:
    """Input axes whose size is baked into the layer's weights when it is
    built: feeding another size later fails."""
    if layer.kind in TRACED:  # a nested model: its first layer's (see models.element_layer)
        return list(getattr(layer, "weight_axes", []))
    if layer.kind == "Dense" or layer.kind in RNN:
        return [-1]
    if layer.kind in CONV_RANK:
        return [-1] if _channels_last(layer) else []
    if layer.kind in ("BatchNormalization", "LayerNormalization"):
        axis = layer.kw("axis", default=-1)
        return [axis] if isinstance(axis, int) else []
    return []


def output_activation(layer: Layer) -> Optional[str]:
    act = layer.kw("activation", 1 if layer.kind == "Dense" else None)
    if layer.kind == "Activation":
        act = layer.kw("activation", 0)
    if layer.kind == "Softmax":
        return "softmax"
    return act.lower() if isinstance(act, str) else None


# The constructor signature of each modelled layer class (``__init__`` without
# ``self``) as in Keras 3.15; tests/test_signatures.py compares each with the
# real one. A layer call is bound to it, so every argument is known by name.
SIGNATURES: Dict[str, str] = {
    "Activation": "activation, **kwargs",
    "ActivityRegularization": "l1=0.0, l2=0.0, **kwargs",
    "Add": "**kwargs",
    "AlphaDropout": "rate, noise_shape=None, seed=None, **kwargs",
    "Average": "**kwargs",
    "AveragePooling1D": "pool_size, strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "AveragePooling2D": "pool_size, strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "AveragePooling3D": "pool_size, strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "AvgPool1D": "pool_size, strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "AvgPool2D": "pool_size, strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "AvgPool3D": "pool_size, strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "BatchNormalization": (
        "axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True, beta_initializer='zeros', "
        "gamma_initializer='ones', moving_mean_initializer='zeros', moving_variance_initializer='ones', "
        "beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, "
        "renorm=False, renorm_clipping=None, renorm_momentum=0.99, synchronized=False, **kwargs"),
    "Bidirectional": "layer, merge_mode='concat', weights=None, backward_layer=None, **kwargs",
    "CategoryEncoding": "num_tokens=None, output_mode='multi_hot', sparse=False, **kwargs",
    "CenterCrop": "height, width, data_format=None, **kwargs",
    "Concatenate": "axis=-1, **kwargs",
    "Conv1D": (
        "filters, kernel_size, strides=1, padding='valid', data_format=None, dilation_rate=1, groups=1, "
        "activation=None, use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros', "
        "kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, "
        "bias_constraint=None, **kwargs"),
    "Conv1DTranspose": (
        "filters, kernel_size, strides=1, padding='valid', output_padding=None, data_format=None, "
        "dilation_rate=1, activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Conv2D": (
        "filters, kernel_size, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1), "
        "groups=1, activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Conv2DTranspose": (
        "filters, kernel_size, strides=(1, 1), padding='valid', output_padding=None, data_format=None, "
        "dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Conv3D": (
        "filters, kernel_size, strides=(1, 1, 1), padding='valid', data_format=None, dilation_rate=(1, 1, 1),"
        " groups=1, activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Conv3DTranspose": (
        "filters, kernel_size, strides=(1, 1, 1), padding='valid', data_format=None, output_padding=None, "
        "dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Convolution1D": (
        "filters, kernel_size, strides=1, padding='valid', data_format=None, dilation_rate=1, groups=1, "
        "activation=None, use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros', "
        "kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, "
        "bias_constraint=None, **kwargs"),
    "Convolution2D": (
        "filters, kernel_size, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1), "
        "groups=1, activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Convolution2DTranspose": (
        "filters, kernel_size, strides=(1, 1), padding='valid', output_padding=None, data_format=None, "
        "dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Convolution3D": (
        "filters, kernel_size, strides=(1, 1, 1), padding='valid', data_format=None, dilation_rate=(1, 1, 1),"
        " groups=1, activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Convolution3DTranspose": (
        "filters, kernel_size, strides=(1, 1, 1), padding='valid', data_format=None, output_padding=None, "
        "dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, **kwargs"),
    "Cropping1D": "cropping=(1, 1), **kwargs",
    "Cropping2D": "cropping=((0, 0), (0, 0)), data_format=None, **kwargs",
    "Cropping3D": "cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs",
    "Dense": (
        "units, activation=None, use_bias=True, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,"
        " kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None, "
        "quantization_config=None, **kwargs"),
    "DepthwiseConv1D": (
        "kernel_size, strides=1, padding='valid', depth_multiplier=1, data_format=None, dilation_rate=1, "
        "activation=None, use_bias=True, depthwise_initializer='glorot_uniform', bias_initializer='zeros', "
        "depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, "
        "depthwise_constraint=None, bias_constraint=None, **kwargs"),
    "DepthwiseConv2D": (
        "kernel_size, strides=(1, 1), padding='valid', depth_multiplier=1, data_format=None, "
        "dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer='glorot_uniform', "
        "bias_initializer='zeros', depthwise_regularizer=None, bias_regularizer=None, "
        "activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs"),
    "Dot": "axes, normalize=False, **kwargs",
    "Dropout": "rate, noise_shape=None, seed=None, **kwargs",
    "ELU": "alpha=1.0, **kwargs",
    "EinsumDense": (
        "equation, output_shape, activation=None, bias_axes=None, kernel_initializer='glorot_uniform', "
        "bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None, "
        "bias_constraint=None, lora_rank=None, lora_alpha=None, gptq_unpacked_column_size=None, "
        "quantization_config=None, **kwargs"),
    "Embedding": (
        "input_dim, output_dim, embeddings_initializer='uniform', embeddings_regularizer=None, "
        "embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, lora_alpha=None, "
        "quantization_config=None, **kwargs"),
    "Flatten": "data_format=None, **kwargs",
    "GRU": (
        "units, activation='tanh', recurrent_activation='sigmoid', use_bias=True, "
        "kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', bias_initializer='zeros', "
        "kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, "
        "activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, "
        "dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, "
        "go_backwards=False, stateful=False, unroll=False, reset_after=True, use_cudnn='auto', **kwargs"),
    "GaussianDropout": "rate, seed=None, **kwargs",
    "GaussianNoise": "stddev, seed=None, **kwargs",
    "GlobalAveragePooling1D": "data_format=None, keepdims=False, **kwargs",
    "GlobalAveragePooling2D": "data_format=None, keepdims=False, **kwargs",
    "GlobalAveragePooling3D": "data_format=None, keepdims=False, **kwargs",
    "GlobalAvgPool1D": "data_format=None, keepdims=False, **kwargs",
    "GlobalAvgPool2D": "data_format=None, keepdims=False, **kwargs",
    "GlobalAvgPool3D": "data_format=None, keepdims=False, **kwargs",
    "GlobalMaxPool1D": "data_format=None, keepdims=False, **kwargs",
    "GlobalMaxPool2D": "data_format=None, keepdims=False, **kwargs",
    "GlobalMaxPool3D": "data_format=None, keepdims=False, **kwargs",
    "GlobalMaxPooling1D": "data_format=None, keepdims=False, **kwargs",
    "GlobalMaxPooling2D": "data_format=None, keepdims=False, **kwargs",
    "GlobalMaxPooling3D": "data_format=None, keepdims=False, **kwargs",
    "GroupNormalization": (
        "groups=32, axis=-1, epsilon=0.001, center=True, scale=True, beta_initializer='zeros', "
        "gamma_initializer='ones', beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, "
        "gamma_constraint=None, **kwargs"),
    "Hashing": "num_bins, mask_value=None, salt=None, output_mode='int', sparse=False, **kwargs",
    "Identity": "**kwargs",
    "InputLayer": (
        "shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None, "
        "input_tensor=None, optional=False, name=None, **kwargs"),
    "IntegerLookup": (
        "max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None, "
        "vocabulary_dtype='int64', idf_weights=None, invert=False, output_mode='int', sparse=False, "
        "pad_to_max_tokens=False, oov_method='floormod', salt=None, name=None, **kwargs"),
    "LSTM": (
        "units, activation='tanh', recurrent_activation='sigmoid', use_bias=True, "
        "kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', bias_initializer='zeros', "
        "unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, "
        "activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, "
        "dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, "
        "go_backwards=False, stateful=False, unroll=False, use_cudnn='auto', **kwargs"),
    "Lambda": "function, output_shape=None, mask=None, arguments=None, **kwargs",
    "LayerNormalization": (
        "axis=-1, epsilon=0.001, center=True, scale=True, beta_initializer='zeros', gamma_initializer='ones',"
        " beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, "
        "**kwargs"),
    "LeakyReLU": "negative_slope=0.3, **kwargs",
    "Masking": "mask_value=0.0, **kwargs",
    "MaxPool1D": "pool_size=2, strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "MaxPool2D": "pool_size=(2, 2), strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "MaxPool3D": "pool_size=(2, 2, 2), strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "MaxPooling1D": "pool_size=2, strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "MaxPooling2D": "pool_size=(2, 2), strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "MaxPooling3D": "pool_size=(2, 2, 2), strides=None, padding='valid', data_format=None, name=None, **kwargs",
    "Maximum": "**kwargs",
    "Minimum": "**kwargs",
    "MultiHeadAttention": (
        "num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None, "
        "attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer='glorot_uniform',"
        " bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, "
        "activity_regularizer=None, kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, "
        "**kwargs"),
    "Multiply": "**kwargs",
    "Normalization": "axis=-1, mean=None, variance=None, invert=False, **kwargs",
    "PReLU": "alpha_initializer='Zeros', alpha_regularizer=None, alpha_constraint=None, shared_axes=None, **kwargs",
    "Permute": "dims, **kwargs",
    "RandomBrightness": "factor, value_range=(0, 255), seed=None, **kwargs",
    "RandomContrast": "factor, value_range=(0, 255), seed=None, **kwargs",
    "RandomFlip": "mode='horizontal_and_vertical', seed=None, data_format=None, **kwargs",
    "RandomCrop": "height, width, seed=None, data_format=None, name=None, **kwargs",
    "RandomRotation": (
        "factor, fill_mode='reflect', interpolation='bilinear', seed=None, fill_value=0.0, data_format=None, "
        "**kwargs"),
    "RandomTranslation": (
        "height_factor, width_factor, fill_mode='reflect', interpolation='bilinear', seed=None, "
        "fill_value=0.0, data_format=None, **kwargs"),
    "RandomZoom": (
        "height_factor, width_factor=None, fill_mode='reflect', interpolation='bilinear', seed=None, "
        "fill_value=0.0, data_format=None, **kwargs"),
    "ReLU": "max_value=None, negative_slope=0.0, threshold=0.0, **kwargs",
    "RepeatVector": "n, **kwargs",
    "Rescaling": "scale, offset=0.0, **kwargs",
    "Reshape": "target_shape, **kwargs",
    "Resizing": (
        "height, width, interpolation='bilinear', crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, "
        "fill_mode='constant', fill_value=0.0, antialias=False, data_format=None, **kwargs"),
    "SeparableConv1D": (
        "filters, kernel_size, strides=1, padding='valid', data_format=None, dilation_rate=1, "
        "depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer='glorot_uniform', "
        "pointwise_initializer='glorot_uniform', bias_initializer='zeros', depthwise_regularizer=None, "
        "pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, "
        "depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs"),
    "SeparableConv2D": (
        "filters, kernel_size, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1), "
        "depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer='glorot_uniform', "
        "pointwise_initializer='glorot_uniform', bias_initializer='zeros', depthwise_regularizer=None, "
        "pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, "
        "depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs"),
    "SeparableConvolution1D": (
        "filters, kernel_size, strides=1, padding='valid', data_format=None, dilation_rate=1, "
        "depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer='glorot_uniform', "
        "pointwise_initializer='glorot_uniform', bias_initializer='zeros', depthwise_regularizer=None, "
        "pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, "
        "depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs"),
    "SeparableConvolution2D": (
        "filters, kernel_size, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1), "
        "depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer='glorot_uniform', "
        "pointwise_initializer='glorot_uniform', bias_initializer='zeros', depthwise_regularizer=None, "
        "pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, "
        "depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs"),
    "SimpleRNN": (
        "units, activation='tanh', use_bias=True, kernel_initializer='glorot_uniform', "
        "recurrent_initializer='orthogonal', bias_initializer='zeros', kernel_regularizer=None, "
        "recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, "
        "kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0, "
        "recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False, "
        "stateful=False, unroll=False, seed=None, **kwargs"),
    "Softmax": "axis=-1, **kwargs",
    "SpatialDropout1D": "rate, seed=None, name=None, dtype=None",
    "SpatialDropout2D": "rate, data_format=None, seed=None, name=None, dtype=None",
    "SpatialDropout3D": "rate, data_format=None, seed=None, name=None, dtype=None",
    "StringLookup": (
        "max_tokens=None, num_oov_indices=1, mask_token=None, oov_token='[UNK]', vocabulary=None, "
        "idf_weights=None, invert=False, output_mode='int', pad_to_max_tokens=False, sparse=False, "
        "encoding='utf-8', name=None, salt=None, **kwargs"),
    "Subtract": "**kwargs",
    "TextVectorization": (
        "max_tokens=None, standardize='lower_and_strip_punctuation', split='whitespace', ngrams=None, "
        "output_mode='int', output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None, "
        "idf_weights=None, sparse=False, ragged=False, encoding='utf-8', name=None, **kwargs"),
    "TimeDistributed": "layer, **kwargs",
    "UnitNormalization": "axis=-1, **kwargs",
    "UpSampling1D": "size=2, **kwargs",
    "UpSampling2D": "size=(2, 2), data_format=None, interpolation='nearest', **kwargs",
    "UpSampling3D": "size=(2, 2, 2), data_format=None, **kwargs",
    "ZeroPadding1D": "padding=1, data_format=None, **kwargs",
    "ZeroPadding2D": "padding=(1, 1), data_format=None, **kwargs",
    "ZeroPadding3D": "padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs",
}


# ------------------------------------------------------ preprocessing layers
# Layers that also run on tensors (inside ``Dataset.map``), with the dtype of
# what they return; ``None`` keeps the input's dtype.
PREPROCESSING: Dict[str, Optional[str]] = {
    "TextVectorization": "int64", "StringLookup": "int64", "IntegerLookup": "int64", "Hashing": "int64",
    "CategoryEncoding": "float32", "Normalization": "float32", "Rescaling": "float32", "Resizing": None,
    "CenterCrop": "float32", "RandomCrop": "float32", "RandomFlip": "float32", "RandomRotation": "float32",
    "RandomZoom": "float32", "RandomContrast": "float32", "RandomTranslation": "float32",
    "RandomBrightness": "float32",
}


def output_dtype(layer: Layer, dtype: Optional[str]) -> Optional[str]:
    """The dtype a layer returns for inputs of ``dtype`` (preprocessing
    layers; any other layer is taken to keep it)."""
    if layer.kind not in PREPROCESSING:
        return dtype
    if layer.kind == "TextVectorization":
        mode = layer.kw("output_mode", default="int")
        return "int64" if mode == "int" else "float32" if mode == "tf_idf" else None
    if layer.kind in ("StringLookup", "IntegerLookup", "Hashing"):
        return "int64" if layer.kw("output_mode", default="int") == "int" else None
    return PREPROCESSING[layer.kind] or dtype


def _literal_vocabulary(layer: Layer) -> Optional[int]:
    vocab = layer.kw("vocabulary", default=None)
    if not isinstance(vocab, (list, tuple)) or not vocab or getattr(layer, "adapted", False):
        return None
    return len(vocab)


def output_range(layer: Layer) -> Optional[Tuple[float, float]]:
    """The values a preprocessing layer can return, when that is certain:
    ids of a lookup with a literal vocabulary, hash bins, one-hot codes."""
    if layer.kind in ("StringLookup", "IntegerLookup", "TextVectorization") and _lookup_int(layer):
        size = _literal_vocabulary(layer)
        if size is None:
            return None
        if layer.kind == "TextVectorization":
            return 0.0, float(size + 1)  # 0 is padding, 1 the unknown token
        oov = layer.kw("num_oov_indices", default=1)
        mask = layer.kw("mask_token", default=None)
        if not isinstance(oov, int) or isinstance(oov, bool) or oov < 0 or not isinstance(mask, (str, int, type(None))):
            return None
        return 0.0, float(size + oov - 1 + (mask is not None))
    if layer.kind == "Hashing" and layer.kw("output_mode", default="int") == "int":
        bins = layer.kw("num_bins", 0)
        if not isinstance(bins, int) or isinstance(bins, bool) or layer.kw("mask_value", default=None) is not None:
            return None
        return 0.0, float(bins - 1)
    if layer.kind == "CategoryEncoding" and layer.kw("output_mode", 1, "multi_hot") in ("one_hot", "multi_hot"):
        return 0.0, 1.0
    return None


def _lookup_int(layer: Layer) -> bool:
    return layer.kw("output_mode", default="int") == "int" and layer.kw("invert", default=False) is False


def array_output(layer: Layer, arr: Array, origin: Origin) -> Optional[Array]:
    """A preprocessing layer called on a tensor (eagerly or inside
    ``Dataset.map``): its first axis is taken as the batch axis, as Keras does."""
    if layer.kind not in PREPROCESSING or arr.shape is None:
        return None
    if layer.kind in ("TextVectorization", "StringLookup") and arr.dtype not in ("str", None):
        return None
    shape = output_shape(layer, arr.shape)
    if shape is None:
        return None
    lo = hi = None
    bounds = output_range(layer)
    if bounds is not None:
        lo, hi = bounds
    elif layer.kind == "Rescaling" and arr.lo is not None and arr.hi is not None:
        scale, offset = layer.kw("scale", 0), layer.kw("offset", 1, 0.0)
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (scale, offset)):
            ends = [arr.lo * scale + offset, arr.hi * scale + offset]
            lo, hi = min(ends), max(ends)
    elif layer.kind in ("CenterCrop", "RandomCrop", "RandomFlip"):
        lo, hi = arr.lo, arr.hi
    onehot = layer.kind == "CategoryEncoding" and layer.kw("output_mode", 1, "multi_hot") == "one_hot"
    return Array(shape, output_dtype(layer, arr.dtype), lo, hi, onehot=onehot, origin=origin, tensor=True)
