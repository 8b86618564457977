"""``keras.applications``: the pretrained image models, as declared data.

Each model declares its signature once (merged into :mod:`library`'s table
and compared with the installed Keras by tests/test_signatures.py) and, in
``MODELS``, what its shapes follow from:

- ``default``: the input size with ``include_top=True`` and no
  ``input_shape`` (and the one ``weights="imagenet"`` requires with a top);
- ``min_size``: the smallest height/width ``input_shape`` may have;
- ``features``: the channels of the feature map ``include_top=False``
  gives (``pooling="avg"``/``"max"``: a vector of that size); ``None`` when
  it depends on arguments (``alpha``) not followed;
- ``spatial``: how the feature map's height/width follow from the input's
  (``"ceil32"``: ceil(size / 32), ``"floor32"``: floor(size / 32)), measured
  under TensorFlow; ``None``: not declared, the map's size is unknown;
- ``standard``: the model checks its input shape with Keras'
  ``obtain_input_shape`` against its own fixed default size (MobileNet,
  MobileNetV2 and NASNet derive the default from the input, MobileNetV3 has
  its own checks: none of the construction errors is claimed for them).

A model built by ``ResNet50(...)`` is a functional :class:`Model` with one
input and one output; called on another tensor (``base(x, training=False)``)
its output follows from that tensor's size (``shape_fn``). What
``ApplicationCall`` records lets the rules tell which constructions Keras
refuses before any weights are downloaded (3 channels for ImageNet weights,
the minimum size, 1000 classes and the default size with the ImageNet top).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple

import libcst as cst

from .values import Array, Const, Model, Origin, Seq, Shape, Sym, as_shape, py


class Spec(NamedTuple):
    module: str
    default: int
    min_size: int
    features: Optional[int]
    spatial: Optional[str] = None
    standard: bool = True


_TOP = "include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None, classes=1000, " \
       "classifier_activation='softmax'"

MODELS: Dict[str, Spec] = {
    "ResNet50": Spec("resnet", 224, 32, 2048, "ceil32"),
    "ResNet101": Spec("resnet", 224, 32, 2048, "ceil32"),
    "ResNet152": Spec("resnet", 224, 32, 2048, "ceil32"),
    "ResNet50V2": Spec("resnet_v2", 224, 32, 2048),
    "ResNet101V2": Spec("resnet_v2", 224, 32, 2048),
    "ResNet152V2": Spec("resnet_v2", 224, 32, 2048),
    "VGG16": Spec("vgg16", 224, 32, 512, "floor32"),
    "VGG19": Spec("vgg19", 224, 32, 512, "floor32"),
    "InceptionV3": Spec("inception_v3", 299, 75, 2048),
    "InceptionResNetV2": Spec("inception_resnet_v2", 299, 75, 1536),
    "Xception": Spec("xception", 299, 71, 2048),
    "MobileNet": Spec("mobilenet", 224, 32, None, standard=False),
    "MobileNetV2": Spec("mobilenet_v2", 224, 32, None, standard=False),
    "MobileNetV3Small": Spec("mobilenet_v3", 224, 32, None, standard=False),
    "MobileNetV3Large": Spec("mobilenet_v3", 224, 32, None, standard=False),
    "DenseNet121": Spec("densenet", 224, 32, 1024),
    "DenseNet169": Spec("densenet", 224, 32, 1664),
    "DenseNet201": Spec("densenet", 224, 32, 1920),
    "NASNetMobile": Spec("nasnet", 224, 32, 1056, standard=False),
    "NASNetLarge": Spec("nasnet", 331, 32, 4032, standard=False),
    "EfficientNetB0": Spec("efficientnet", 224, 32, 1280),
    "EfficientNetB1": Spec("efficientnet", 240, 32, 1280),
    "EfficientNetB2": Spec("efficientnet", 260, 32, 1408),
    "EfficientNetB3": Spec("efficientnet", 300, 32, 1536),
    "EfficientNetB4": Spec("efficientnet", 380, 32, 1792),
    "EfficientNetB5": Spec("efficientnet", 456, 32, 2048),
    "EfficientNetB6": Spec("efficientnet", 528, 32, 2304),
    "EfficientNetB7": Spec("efficientnet", 600, 32, 2560),
    "EfficientNetV2B0": Spec("efficientnet_v2", 224, 32, 1280),
    "EfficientNetV2B1": Spec("efficientnet_v2", 240, 32, 1280),
    "EfficientNetV2B2": Spec("efficientnet_v2", 260, 32, 1408),
    "EfficientNetV2B3": Spec("efficientnet_v2", 300, 32, 1536),
    "EfficientNetV2S": Spec("efficientnet_v2", 384, 32, 1280),
    "EfficientNetV2M": Spec("efficientnet_v2", 480, 32, 1280),
    "EfficientNetV2L": Spec("efficientnet_v2", 480, 32, 1280),
    "ConvNeXtTiny": Spec("convnext", 224, 32, 768),
    "ConvNeXtSmall": Spec("convnext", 224, 32, 768),
    "ConvNeXtBase": Spec("convnext", 224, 32, 1024),
    "ConvNeXtLarge": Spec("convnext", 224, 32, 1536),
    "ConvNeXtXLarge": Spec("convnext", 224, 32, 2048),
}

# The parameters before and after the common ones, per family.
_SIGNATURES: Dict[str, str] = {
    "resnet": _TOP, "resnet_v2": _TOP, "vgg16": _TOP, "vgg19": _TOP, "inception_v3": _TOP,
    "inception_resnet_v2": _TOP, "xception": _TOP, "densenet": _TOP, "efficientnet": _TOP,
    "efficientnet_v2": _TOP + ", include_preprocessing=True",
    "convnext": "include_top=True, include_preprocessing=True, weights='imagenet', input_tensor=None, "
                "input_shape=None, pooling=None, classes=1000, classifier_activation='softmax'",
    "mobilenet": "input_shape=None, alpha=1.0, depth_multiplier=1, dropout=0.001, include_top=True, "
                 "weights='imagenet', input_tensor=None, pooling=None, classes=1000, "
                 "classifier_activation='softmax', name=None",
    "mobilenet_v2": "input_shape=None, alpha=1.0, include_top=True, weights='imagenet', input_tensor=None, "
                    "pooling=None, classes=1000, classifier_activation='softmax', name=None",
    "mobilenet_v3": "input_shape=None, alpha=1.0, minimalistic=False, include_top=True, weights='imagenet', "
                    "input_tensor=None, classes=1000, pooling=None, dropout_rate=0.2, "
                    "classifier_activation='softmax', include_preprocessing=True",
    "nasnet": "input_shape=None, include_top=True, weights='imagenet', input_tensor=None, pooling=None, "
              "classes=1000, classifier_activation='softmax'",
}

# Modules of keras.applications with a preprocess_input(x, data_format=None).
PREPROCESS_MODULES = ("convnext", "densenet", "efficientnet", "efficientnet_v2", "inception_resnet_v2",
                      "inception_v3", "mobilenet", "mobilenet_v2", "mobilenet_v3", "nasnet", "resnet", "resnet50",
                      "resnet_v2", "vgg16", "vgg19", "xception")


def _signature(name: str, spec: Spec) -> str:
    text = _SIGNATURES[spec.module]
    if "name=None" in text:
        return text
    return f"{text}, name={_NAMES.get(name, name.lower())!r}"


_NAMES = {
    "EfficientNetV2B0": "efficientnetv2-b0", "EfficientNetV2B1": "efficientnetv2-b1",
    "EfficientNetV2B2": "efficientnetv2-b2", "EfficientNetV2B3": "efficientnetv2-b3",
    "EfficientNetV2S": "efficientnetv2-s", "EfficientNetV2M": "efficientnetv2-m", "EfficientNetV2L": "efficientnetv2-l",
    "ConvNeXtTiny": "convnext_tiny", "ConvNeXtSmall": "convnext_small", "ConvNeXtBase": "convnext_base",
    "ConvNeXtLarge": "convnext_large", "ConvNeXtXLarge": "convnext_xlarge",
    "InceptionResNetV2": "inception_resnet_v2", "InceptionV3": "inception_v3",
    "NASNetMobile": "nasnet_mobile", "NASNetLarge": "nasnet_large",
    "MobileNetV3Small": "MobileNetV3Small", "MobileNetV3Large": "MobileNetV3Large",
}


class ApplicationCall(NamedTuple):
    """One construction of a ``keras.applications`` model, with what Keras
    checks before it downloads any weights: each item is known or None."""

    node: cst.Call
    name: str
    spec: Spec
    weights: Any  # "imagenet", None (random), another string (a file), or unknown (MISSING)
    include_top: Optional[bool]
    classes: Optional[int]
    classes_node: Optional[cst.CSTNode]
    input_shape: Optional[Tuple[Any, ...]]  # as written (a tuple or list of ints/None)
    input_shape_kind: Optional[str]  # "tuple" | "list"
    input_shape_node: Optional[cst.CSTNode]
    passed: Dict[str, Any]  # the arguments passed, by parameter name (to rebuild the call)
    input_tensor: bool  # an input_tensor was passed (not None)


UNKNOWN = object()


def refusal(app: ApplicationCall) -> Optional[Tuple[str, str, Optional[cst.CSTNode]]]:
    """What Keras refuses in this construction, checked in the order Keras
    checks it, before any weights are loaded: (what, Keras' words, the
    argument's node), or None when nothing is refused or not all is known."""
    spec, weights, top, shape = app.spec, app.weights, app.include_top, app.input_shape
    if weights not in ("imagenet", None) or top is None or app.input_tensor:
        return None
    imagenet = weights == "imagenet"
    if app.spec.module == "mobilenet_v3":
        return None  # its own checks
    if imagenet and top:
        if app.classes is not None and app.classes != 1000:
            return ("classes", f"`classes` should be 1000.  Received classes={app.classes}", app.classes_node)
        if app.classes is None and app.classes_node is not None:
            return None
        if not spec.standard or shape is None or app.input_shape_kind != "tuple":
            return None
        default = (spec.default, spec.default, 3)
        if tuple(shape) != default and all(isinstance(d, int) for d in shape):
            return ("default-size", f"`input_shape` should be {default}.  Received: input_shape={tuple(shape)}",
                    app.input_shape_node)
        return None
    if shape is None:
        return None
    if len(shape) != 3:
        return ("rank", "`input_shape` must be a tuple of three integers.", app.input_shape_node) \
            if spec.standard else None
    written = tuple(shape) if app.input_shape_kind == "tuple" else list(shape)
    if imagenet and shape[-1] is not None and shape[-1] != 3:
        return ("channels", f"The input must have 3 channels; Received `input_shape={written}`", app.input_shape_node)
    if not spec.standard:
        return None
    if any(d is not None and d < spec.min_size for d in shape[:2]):
        return ("size", f"Input size must be at least {spec.min_size}x{spec.min_size}; Received: "
                        f"input_shape={written}", app.input_shape_node)
    return None


def _weights(a) -> Any:
    value = a.get("weights")
    if isinstance(value, Const) and (value.value is None or isinstance(value.value, str)):
        return value.value
    return UNKNOWN


def _bool(value: Any) -> Optional[bool]:
    v = py(value)
    return v if isinstance(v, bool) else None


def _spatial(spec: Spec, size: Optional[int]) -> Optional[int]:
    if size is None or spec.spatial is None:
        return None
    if spec.spatial == "ceil32":
        return math.ceil(size / 32)
    if spec.spatial == "floor32":
        return size // 32
    return None


# Feature channels of the MobileNets with the default width (alpha=1.0,
# not minimalistic), measured; other widths are not declared.
_ALPHA_ONE = {"MobileNet": 1024, "MobileNetV2": 1280, "MobileNetV3Small": 576, "MobileNetV3Large": 960}


def _features(name: str, spec: Spec, a) -> Optional[int]:
    if spec.features is not None:
        return spec.features
    if name in _ALPHA_ONE and py(a.get("alpha")) == 1.0 and \
            ("minimalistic" not in a.sig or py(a.get("minimalistic")) is False):
        return _ALPHA_ONE[name]
    return None


def output_for(name: str, spec: Spec, a, image: Shape) -> Shape:
    """The output shape for an input image of ``image`` (batch axis
    included), as the construction's arguments shape it."""
    include_top = _bool(a.get("include_top"))
    if include_top is True:
        classes = py(a.get("classes"))
        return (None, classes) if isinstance(classes, int) and not isinstance(classes, bool) else None
    if include_top is None:
        return None
    features = _features(name, spec, a)
    if features is None:
        return None
    if not a.is_none("pooling"):
        # "avg"/"max": a vector; Keras ignores other values (not declared here)
        return (None, features) if py(a.get("pooling")) in ("avg", "max") else None
    if image is None or len(image) != 4:
        return None
    return (None, _spatial(spec, image[1]), _spatial(spec, image[2]), features)


def _construct(name: str) -> Callable:
    spec = MODELS[name]

    def handler(ip, a, node):
        include_top = _bool(a.get("include_top"))
        weights = _weights(a)
        raw = a.get("input_shape")
        written = as_shape(raw) if isinstance(raw, Seq) else None
        classes = py(a.get("classes"))
        record = ApplicationCall(
            node, name, spec, weights, include_top,
            classes if isinstance(classes, int) and not isinstance(classes, bool) else None,
            a.node_of("classes"), written, raw.kind if isinstance(raw, Seq) else None, a.node_of("input_shape"),
            dict(a.values), not a.is_none("input_tensor"))
        if not ip.guarded:
            ip.facts.applications.append(record)
        model = ip.new_model(Model("functional", Origin(node)))
        image = _input_shape(spec, a, include_top, weights, written)
        if image is None:
            model.exact = False
            return model
        tensor = a.get("input_tensor")
        if isinstance(tensor, Sym):
            inp = tensor
        elif a.is_none("input_tensor"):
            inp = Sym(image, "float32", Origin(node), is_input=True)
        else:
            model.exact = False
            return model
        out = Sym(output_for(name, spec, a, inp.shape), "float32", Origin(node), parents=[inp])
        model.inputs, model.outputs = [inp], [out]
        model.output_names = [None]

        def shape_fn(shape: Shape) -> Shape:
            if shape is None or len(shape) != 4:
                return None
            return output_for(name, spec, a, shape)
        setattr(model, "shape_fn", shape_fn)
        return model
    return handler


def _input_shape(spec: Spec, a, include_top: Optional[bool], weights: Any, written: Shape) -> Shape:
    """The model's input (batch axis included), or None when it is not known
    or Keras refuses it (see ApplicationCall)."""
    if include_top is None or not a.is_none("input_tensor") and not isinstance(a.get("input_tensor"), Sym):
        return None
    tensor = a.get("input_tensor")
    if isinstance(tensor, Sym):
        return tensor.shape
    if a.is_none("input_shape"):
        if spec.module == "mobilenet_v3":
            return None  # its own rules for the default input
        if not spec.standard and include_top and weights != "imagenet":
            return None  # the default size may depend on the arguments
        return (None, spec.default, spec.default, 3) if include_top else (None, None, None, 3)
    if written is None or len(written) != 3:
        return None
    return (None,) + tuple(written)


def preprocess_input(ip, a, node):
    """``preprocess_input(x)``: the same shape, float32 (a NumPy array stays
    one; a tensor, symbolic or not, stays one)."""
    x = a.get("x")
    if isinstance(x, Array):
        return x.but(dtype="float32", lo=None, hi=None, open_hi=False, onehot=False, origin=Origin(node))
    if isinstance(x, Sym):
        return Sym(x.shape, "float32", Origin(node), parents=[x])
    return None


SIGNATURE_TEXT: Dict[str, str] = {}
CALLS: Dict[str, Callable] = {}
for _name, _spec in MODELS.items():
    # keras.applications.mobilenet_v3 has no MobileNetV3Small/Large of its own
    _paths = [f"keras.applications.{_name}"] + ([f"keras.applications.{_spec.module}.{_name}"]
                                                  if _spec.module != "mobilenet_v3" else [])
    for _path in _paths:
        SIGNATURE_TEXT[_path] = _signature(_name, _spec)
        CALLS[_path] = _construct(_name)
    if _spec.module == "resnet" and _name == "ResNet50":
        SIGNATURE_TEXT["keras.applications.resnet50.ResNet50"] = _signature(_name, _spec)
        CALLS["keras.applications.resnet50.ResNet50"] = _construct(_name)
for _module in PREPROCESS_MODULES:
    SIGNATURE_TEXT[f"keras.applications.{_module}.preprocess_input"] = "x, data_format=None"
    CALLS[f"keras.applications.{_module}.preprocess_input"] = preprocess_input


def model_attribute(model: Model, attr: str) -> Any:
    """``model.input``/``model.output`` (and ``inputs``/``outputs``) of a
    functional model with known inputs and outputs: its symbolic tensors,
    to build another model on (``Model(base.input, head)``)."""
    if model.kind == "sequential" and attr == "inputs" and len(model.inputs) == 1 \
            and model.inputs[0].declared_by is None:
        # a Sequential with a declared input is a graph on it: another model may start there
        # (``model.input`` raises in Keras 3.15: "has never been called")
        return Seq(list(model.inputs), "list")
    if model.kind != "functional" or not model.exact or not model.inputs or not model.outputs:
        return None
    if attr == "input":
        return model.inputs[0] if len(model.inputs) == 1 else None
    if attr == "output":
        return model.outputs[0] if len(model.outputs) == 1 else None
    if attr in ("inputs", "outputs"):
        return Seq(list(getattr(model, attr)), "list")
    return None
