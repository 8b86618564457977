"""TensorFlow image and string ops, as used on dataset elements.

Each op declares its signature once (merged into :mod:`library`'s table and
compared with the installed TensorFlow by tests/test_signatures.py) and a
rule for the shape and dtype of its result.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from .values import FLOAT_DTYPES, INT_DTYPES, Array, Origin, as_shape, py

SIGNATURE_TEXT: Dict[str, str] = {
    "tensorflow.image.resize": "images, size, method='bilinear', preserve_aspect_ratio=False, antialias=False, name=None",
    "tensorflow.image.convert_image_dtype": "image, dtype, saturate=False, name=None",
    "tensorflow.image.rgb_to_grayscale": "images, name=None",
    "tensorflow.image.grayscale_to_rgb": "images, name=None",
    "tensorflow.image.per_image_standardization": "image",
    "tensorflow.image.random_flip_left_right": "image, seed=None",
    "tensorflow.image.random_flip_up_down": "image, seed=None",
    "tensorflow.image.flip_left_right": "image",
    "tensorflow.image.flip_up_down": "image",
    "tensorflow.image.random_brightness": "image, max_delta, seed=None",
    "tensorflow.image.random_contrast": "image, lower, upper, seed=None",
    "tensorflow.strings.lower": "input, encoding='', name=None",
    "tensorflow.strings.upper": "input, encoding='', name=None",
    "tensorflow.strings.strip": "input, name=None",
    "tensorflow.strings.regex_replace": "input, pattern, rewrite, replace_global=True, name=None",
    "tensorflow.strings.length": "input, unit='BYTE', name=None",
    "tensorflow.random.shuffle": "value, seed=None, name=None",
}

# tf.image.ResizeMethod's members are these strings (what resize's method takes).
CONSTANTS: Dict[str, Any] = {
    f"tensorflow.image.ResizeMethod.{name}": value for name, value in (
        ("BILINEAR", "bilinear"), ("NEAREST_NEIGHBOR", "nearest"), ("BICUBIC", "bicubic"), ("AREA", "area"),
        ("LANCZOS3", "lanczos3"), ("LANCZOS5", "lanczos5"), ("GAUSSIAN", "gaussian"),
        ("MITCHELLCUBIC", "mitchellcubic"))
}


def _image(a: Any, name: str = "image") -> Optional[Array]:
    value = a.get(name)
    return value if isinstance(value, Array) else None


def resize(ip, a, node):
    """Images of rank 3 (one) or 4 (a batch) take the new height and width;
    float32, except for nearest-neighbour resizing, which keeps the dtype."""
    images = _image(a, "images")
    size = as_shape(a.get("size"))
    method = py(a.get("method"))
    preserve = py(a.get("preserve_aspect_ratio"))
    if images is None or images.shape is None or len(images.shape) not in (3, 4) or size is None \
            or len(size) != 2 or any(d is None or d <= 0 for d in size) or not isinstance(method, str) \
            or preserve is not False:
        return None
    dtype = images.dtype if method == "nearest" else "float32"
    shape = images.shape[:-3] + size + images.shape[-1:]
    return Array(shape, dtype, origin=Origin(node), tensor=True)


def convert_image_dtype(ip, a, node):
    """Integers to floats are scaled to 0..1; the shape is kept."""
    from .library import dtype_of
    image = _image(a)
    dtype = dtype_of(a.get("dtype"))
    if image is None or dtype is None or image.dtype is None:
        return None
    lo = hi = None
    if dtype in FLOAT_DTYPES and image.dtype in INT_DTYPES:
        lo, hi = 0.0, 1.0
    elif dtype == image.dtype:
        lo, hi = image.lo, image.hi
    return Array(image.shape, dtype, lo, hi, origin=Origin(node), tensor=True)


def _channels(n: int, needs: int):
    def handler(ip, a, node):
        images = _image(a, "images")
        if images is None or images.shape is None or len(images.shape) < 3 or images.shape[-1] not in (needs, None):
            return None
        return images.but(shape=images.shape[:-1] + (n,), origin=Origin(node), tensor=True, onehot=False)
    return handler


def _same(dtype: Optional[str] = None, keep_range: bool = False, rank: int = 0):
    """Ops that keep the shape (and the dtype, unless given)."""
    def handler(ip, a, node):
        value = a.get("input" if "input" in a.sig else "image")
        if not isinstance(value, Array) or value.shape is not None and len(value.shape) < rank:
            return None
        out = value.but(origin=Origin(node), tensor=True, onehot=False)
        if not keep_range:
            out = out.but(lo=None, hi=None, open_hi=False)
        return out.but(dtype=dtype) if dtype is not None else out
    return handler


def shuffle(ip, a, node):
    """``tf.random.shuffle(value)``: the same values, rows in another order."""
    value = a.get("value")
    if not isinstance(value, Array) or not value.shape:
        return None
    return value.but(origin=Origin(node), tensor=True)


def _strings(dtype: str = "str"):
    def handler(ip, a, node):
        value = a.get("input")
        if not isinstance(value, Array) or value.dtype not in ("str", None):
            return None
        lo = 0.0 if dtype != "str" else None
        return Array(value.shape, dtype, lo, origin=Origin(node), tensor=True)
    return handler


CALLS: Dict[str, Callable] = {
    "tensorflow.image.resize": resize,
    "tensorflow.image.convert_image_dtype": convert_image_dtype,
    "tensorflow.image.rgb_to_grayscale": _channels(1, 3),
    "tensorflow.image.grayscale_to_rgb": _channels(3, 1),
    "tensorflow.image.per_image_standardization": _same("float32", rank=3),
    "tensorflow.image.random_flip_left_right": _same(keep_range=True, rank=3),
    "tensorflow.image.random_flip_up_down": _same(keep_range=True, rank=3),
    "tensorflow.image.flip_left_right": _same(keep_range=True, rank=3),
    "tensorflow.image.flip_up_down": _same(keep_range=True, rank=3),
    "tensorflow.image.random_brightness": _same(rank=3),
    "tensorflow.image.random_contrast": _same(rank=3),
    "tensorflow.strings.lower": _strings(), "tensorflow.strings.upper": _strings(),
    "tensorflow.strings.strip": _strings(), "tensorflow.strings.regex_replace": _strings(),
    "tensorflow.strings.length": _strings("int32"),
    "tensorflow.random.shuffle": shuffle,
}
