"""Canonical names for the library objects fitlint understands.

Imports bind local names to :class:`ModuleRef` values holding the dotted path
the user wrote (``tf.keras.layers.Dense`` -> ``tensorflow.keras.layers.Dense``);
:func:`canonical` folds the many spellings of one object into one key.
"""
from __future__ import annotations

from functools import lru_cache

_PREFIXES = (
    ("tensorflow.python.keras.", "keras."),
    ("tensorflow.keras.", "keras."),
    ("tf_keras.", "keras."),
    ("keras._tf_keras.keras.", "keras."),
    ("keras.src.", "keras."),
    ("keras.api.", "keras."),
    ("tensorflow.compat.v2.", "tensorflow."),
    ("tensorflow.losses.", "keras.losses."),  # TF 2: tf.losses is tf.keras.losses
)

_MODEL_NAMES = {"Sequential", "Model", "Input"}


@lru_cache(maxsize=4096)
def canonical(path: str) -> str:
    for prefix, repl in _PREFIXES:
        if path.startswith(prefix):
            path = repl + path[len(prefix):]
            break
    if path == "tensorflow.keras":
        return "keras"
    if not path.startswith("keras."):
        return path
    parts = path.split(".")
    last = parts[-1]
    if last in _MODEL_NAMES and (len(parts) == 2 or "models" in parts or "engine" in parts or "layers" in parts):
        return "keras." + last
    if "layers" in parts and last[:1].isalpha():
        return "keras.layers." + last
    if "losses" in parts:
        return "keras.losses." + last
    if last in ("to_categorical", "pad_sequences", "image_dataset_from_directory", "text_dataset_from_directory"):
        return "keras.utils." + last
    if "datasets" in parts:
        return path
    if len(parts) == 2 and last[:1].isupper():
        # keras.Dense does not exist, but keras.Sequential / keras.Model do.
        return path
    return path
