"""keras.applications as declared data: each model's input, feature map and
head; models used as layers and as the base of another model; and FIT308,
the constructions Keras refuses before it downloads any weights."""
import textwrap

import libcst as cst
import pytest

from fitlint.analysis.applications import MODELS, PREPROCESS_MODULES
from fitlint.analysis.interpreter import Interpreter
from fitlint.engine import lint_source
from fitlint.rules import select

HEADER = """
import numpy as np
import tensorflow as tf
from tensorflow import keras
"""


def interpret(src):
    interp = Interpreter(cst.parse_module(HEADER + textwrap.dedent(src)))
    facts = interp.run()
    return interp.globals.vars, facts


def errors(src):
    return [(f.code, f.message) for f in lint_source(HEADER + textwrap.dedent(src), "t.py", select(["ALL"]))
            if f.severity == "error"]


def shapes(model):
    return [s.shape for s in model.inputs], [s.shape for s in model.outputs]


def test_every_model_is_declared_once_with_sane_sizes():
    """The table covers the families of keras.applications, each with a
    default size at least its minimum and a preprocess_input module."""
    for family in ("ResNet50", "ResNet152V2", "VGG19", "InceptionV3", "InceptionResNetV2", "Xception", "MobileNet",
                   "MobileNetV2", "MobileNetV3Large", "DenseNet201", "NASNetLarge", "EfficientNetB7",
                   "EfficientNetV2L", "ConvNeXtXLarge"):
        assert family in MODELS
    for name, spec in MODELS.items():
        assert spec.default >= spec.min_size >= 32, name
        assert spec.module in PREPROCESS_MODULES, name


@pytest.mark.parametrize("call, inputs, outputs", [
    ("keras.applications.ResNet50(weights=None)", (None, 224, 224, 3), (None, 1000)),
    ("keras.applications.ResNet50(weights=None, classes=7)", (None, 224, 224, 3), (None, 7)),
    ("keras.applications.InceptionV3(include_top=False)", (None, None, None, 3), (None, None, None, 2048)),
    ("keras.applications.ResNet50(include_top=False, input_shape=(199, 199, 3))", (None, 199, 199, 3),
     (None, 7, 7, 2048)),
    ("keras.applications.VGG16(include_top=False, weights=None, input_shape=(97, 97, 1))", (None, 97, 97, 1),
     (None, 3, 3, 512)),
    ("keras.applications.EfficientNetB0(include_top=False, pooling='avg', input_shape=(64, 64, 3))",
     (None, 64, 64, 3), (None, 1280)),
    ("keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False)", (None, 96, 96, 3),
     (None, None, None, 1280)),
    ("tf.keras.applications.densenet.DenseNet121(include_top=False, pooling='max')", (None, None, None, 3),
     (None, 1024)),
])
def test_the_model_built_has_the_declared_input_and_output(call, inputs, outputs):
    """include_top gives (None, classes); pooling a vector of the feature
    channels; otherwise the feature map, its size declared where measured."""
    env, _ = interpret(f"base = {call}\n")
    assert shapes(env["base"]) == ([inputs], [outputs])


@pytest.mark.parametrize("call", [
    "keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, include_top=False)",
    "keras.applications.MobileNetV3Small(input_shape=(96, 96, 3), minimalistic=True, include_top=False)",
    "keras.applications.ResNet50(include_top=flag)",
    "keras.applications.ResNet50(include_top=False, pooling=kind)",
])
def test_what_depends_on_arguments_not_declared_stays_unknown(call):
    """A width (alpha) or a flag fitlint does not know leaves the output
    unknown."""
    env, _ = interpret(f"import sys\nflag = sys.argv[1] == 'x'\nkind = sys.argv[2]\nbase = {call}\n")
    model = env["base"]
    assert not model.outputs or model.outputs[0].shape is None


TRANSFER = """
    base = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights="imagenet")
    base.trainable = False
    inputs = keras.Input(shape=(96, 96, 3))
    x = keras.applications.mobilenet_v2.preprocess_input(inputs)
    x = base(x, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(4, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.random.rand(8, 96, 96, 3), LABELS)
"""


def test_a_base_model_used_as_a_layer_gives_the_head_its_features():
    """base(x, training=False) on another input gives the features for it:
    the labels are compared with the head (labels made wrong: FIT201)."""
    assert errors(TRANSFER.replace("LABELS", "np.random.randint(0, 4, 8)")) == []
    assert [c for c, _ in errors(TRANSFER.replace("LABELS", "np.random.randint(0, 6, 8)"))] == ["FIT201"]


def test_a_model_built_on_the_base_input_and_output():
    """Model(base.input, head(base.output)) is a functional model with the
    base's input and the head's output."""
    src = """
    base = keras.applications.ResNet50(include_top=False, weights=None, input_shape=(64, 64, 3), pooling="avg")
    head = keras.layers.Dense(3, activation="softmax")(base.output)
    model = keras.Model(base.input, head)
    model.compile(loss="categorical_crossentropy")
    model.fit(np.random.rand(4, 64, 64, 3), keras.utils.to_categorical(np.random.randint(0, 5, 4), 5))
    """
    env, _ = interpret(src)
    assert shapes(env["model"]) == ([(None, 64, 64, 3)], [(None, 3)])
    assert [c for c, _ in errors(src)] == ["FIT204"]


def test_preprocess_input_keeps_the_shape():
    """preprocess_input(x) is float32 with x's shape, on arrays and on
    symbolic tensors."""
    env, _ = interpret("""
    images = np.random.randint(0, 256, size=(5, 32, 32, 3))
    arr = keras.applications.resnet50.preprocess_input(images)
    sym = tf.keras.applications.efficientnet.preprocess_input(keras.Input((32, 32, 3)))
    """)
    assert (env["arr"].shape, env["arr"].dtype) == ((5, 32, 32, 3), "float32")
    assert env["sym"].shape == (None, 32, 32, 3)


@pytest.mark.parametrize("call, words", [
    ("keras.applications.MobileNetV2(input_shape=(96, 96, 1), include_top=False)", "must have 3 channels"),
    ("keras.applications.ResNet50(input_shape=(64, 64, 1), include_top=False, weights='imagenet')",
     "must have 3 channels"),
    ("keras.applications.InceptionV3(input_shape=(64, 64, 3), include_top=False, weights=None)",
     "at least 75x75"),
    ("keras.applications.Xception(input_shape=(70, 70, 3), include_top=False)", "at least 71x71"),
    ("keras.applications.ResNet50(classes=10)", "should be 1000"),
    ("keras.applications.EfficientNetB0(input_shape=(160, 160, 3))", "should be (224, 224, 3)"),
    ("keras.applications.VGG16(include_top=False, weights=None, input_shape=(64, 64))", "three integers"),
])
def test_refused_constructions_are_errors(call, words):
    """What Keras refuses before loading weights is a FIT308 error naming
    Keras' words."""
    found = errors(f"base = {call}\n")
    assert [c for c, _ in found] == ["FIT308"] and words in found[0][1]


@pytest.mark.parametrize("call", [
    "keras.applications.ResNet50(input_shape=(64, 64, 1), include_top=False, weights=None)",
    "keras.applications.ResNet50(input_shape=[224, 224, 3])",  # Keras compares a list with a tuple: not claimed
    "keras.applications.ResNet50(weights=None, classes=10)",
    "keras.applications.ResNet50(weights=path, classes=10)",
    "keras.applications.ResNet50(include_top=False, input_shape=(64, 64, 1), input_tensor=keras.Input((64, 64, 1)))",
    "keras.applications.MobileNetV3Small(input_shape=(96, 96, 1), include_top=False)",
    "keras.applications.MobileNet(input_shape=(20, 20, 3), include_top=False, weights=None)",
    "keras.applications.ResNet50(include_top=False, input_shape=(None, None, 3))",
])
def test_accepted_or_unclear_constructions_stay_silent(call):
    """Random weights with one channel, arguments fitlint cannot see, models
    with their own checks: no error."""
    assert errors(f"import sys\npath = sys.argv[1]\nbase = {call}\n") == []


REFUSED = {
    "channels": "keras.applications.{name}(weights='imagenet', include_top=False, input_shape=({size}, {size}, 1))",
    "classes": "keras.applications.{name}(weights='imagenet', include_top=True, classes=10)",
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_tensorflow_refuses_what_fitlint_claims(name, tmp_path, tf_runner):
    """For every model, each construction FIT308 reports raises ValueError
    under TensorFlow with Keras' words, before any download."""
    size = max(128, MODELS[name].min_size)
    for kind, template in REFUSED.items():
        src = "import keras\n" + template.format(name=name, size=size) + "\n"
        claimed = [m for c, m in (lambda s: [(f.code, f.message) for f in lint_source(s, "t.py", select(["ALL"]))])(src)
                   if c == "FIT308"]
        if not claimed:
            continue
        path = tmp_path / f"{name}_{kind}.py"
        path.write_text(src)
        result = tf_runner.run(path)
        words = claimed[0].split("refuses this: ")[1].split("Received")[0].strip().rstrip(".;").strip()
        assert result["status"] == "raised" and result["exception"] == "ValueError", result
        assert words in result["message"], (words, result["message"])
