"""FIT308: the arguments of a ``keras.applications`` model."""
from __future__ import annotations

from ..analysis.applications import refusal
from ..findings import Finding
from .base import Rule

_HINTS = {
    "channels": "ImageNet weights need RGB input: use 3 channels (e.g. tf.image.grayscale_to_rgb, or repeat the "
                "channel), or weights=None",
    "size": "resize the images to at least {min}x{min}",
    "classes": "use include_top=False and add your own Dense(classes) head, or weights=None",
    "default-size": "use include_top=False to choose the input size, or input_shape={default}",
    "rank": "give input_shape as (height, width, channels)",
}

# What TensorFlow's message names for each refusal.
_EVIDENCE = {"channels": "must have 3 channels", "size": "at least {min}x{min}", "classes": "should be 1000",
             "default-size": "should be {default}", "rank": "three integers"}


class ApplicationInputShape(Rule):
    """
    ## What it does
    Checks the arguments Keras validates when a `keras.applications` model
    (ResNet50, MobileNetV2, EfficientNetB0, InceptionV3, ...) is built:
    ImageNet weights need 3 input channels; `input_shape` must not be smaller
    than the model's minimum (32x32; 75x75 for InceptionV3 and
    InceptionResNetV2, 71x71 for Xception); with `weights="imagenet"` and
    `include_top=True`, `classes` must be 1000 and `input_shape` the model's
    default size. `weights="imagenet"` is the default.

    ## Why is this bad?
    Keras raises `ValueError: The input must have 3 channels; Received
    input_shape=(96, 96, 1)` (or `Input size must be at least 32x32`, or
    `classes should be 1000`) when the model is built, before any weights are
    downloaded.

    ## Example
    ```python
    base = keras.applications.MobileNetV2(input_shape=(96, 96, 1), include_top=False, weights="imagenet")
    ```

    ## Use instead
    ```python
    base = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights="imagenet")
    ```
    """

    code = "FIT308"
    name = "application-input-shape"
    severity = "error"
    summary = "keras.applications model built with an input shape, channels or classes Keras refuses"
    triggers = (r"applications|ResNet|VGG|Inception|Xception|MobileNet|DenseNet|NASNet|EfficientNet|ConvNeXt",)
    exception = "ValueError"

    def check(self, ctx):
        for app in ctx.facts.applications:
            found = refusal(app)
            if found is None:
                continue
            what, words, node = found
            related = [(node, f"set here: {ctx.src(node)}")] if node is not None else []
            hint = _HINTS[what].format(min=app.spec.min_size, default=(app.spec.default, app.spec.default, 3))
            yield Finding(self.code, f"{app.name} refuses this: {words}", app.node, related, hint=hint,
                          subject=app, evidence=(_EVIDENCE[what].format(min=app.spec.min_size, default=(
                              app.spec.default, app.spec.default, 3)),))
