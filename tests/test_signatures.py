"""Every declared signature is the real function's: the installed NumPy,
TensorFlow and Keras are imported here and compared with
``inspect.signature``; the values the analysis gives for bound calls are
checked against what the real calls return."""
import importlib
import inspect
import os

import pytest

from fitlint.analysis.library import LAYER_SIGNATURES, SIGNATURE_TEXT, SIGNATURES
from fitlint.analysis.signatures import REQUIRED

from test_binding import BOUND_CASES, LAYER_CASES, PROGRAMS, REFUSED, REFUSED_LAYERS, value

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
np = pytest.importorskip("numpy")

# Declared signatures whose real object inspect describes differently, and why.
# keras.Sequential / keras.Model take (*args, **kwargs) and pass them on to
# these __init__ methods (keras.Model(inputs, outputs) builds a Functional).
_REAL = {
    "keras.Sequential": ("keras", "Sequential.__init__"),
    "keras.Model": ("keras.src.models.functional", "Functional.__init__"),
    # Keras 3 keeps Keras 2's backend functions under tf.keras only.
    "keras.backend.cast": ("keras._tf_keras.keras.backend", "cast"),
    # Keras 3 keeps ImageDataGenerator under tf.keras only (keras.src.legacy).
    "keras.preprocessing.image.ImageDataGenerator": ("keras.src.legacy.preprocessing.image", "ImageDataGenerator"),
    **{f"keras.preprocessing.image.ImageDataGenerator.{m}": ("keras.src.legacy.preprocessing.image",
                                                             f"ImageDataGenerator.{m}")
       for m in ("flow", "flow_from_directory", "flow_from_dataframe")},
}
# np.arange: inspect reads (start_or_stop, /, stop=None, step=1, *, dtype=None,
# device=None, like=None) from its text signature, but NumPy's argument parser
# takes start=, stop=, step=, dtype= by keyword and dtype by position;
# test_numpy_arange_accepts_the_declared_names shows it by calling it.
_BY_CALLS = {"numpy.arange"}


def _resolve(name):
    if name in _REAL:
        module, attr = _REAL[name]
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(name)


def _needs(name):
    top = name.split(".")[0]
    if top in ("tensorflow", "keras"):
        pytest.importorskip("tensorflow")
    elif top == "tensorflow_datasets":
        pytest.importorskip(top, reason="tensorflow-datasets is not installed: its signatures cannot be compared")
    elif top == "sklearn":
        pytest.importorskip("sklearn", reason="scikit-learn is not installed: its signatures cannot be compared")


def _dtype_name(obj):
    name = getattr(obj, "name", None)
    return name if isinstance(name, str) else np.dtype(obj).name


def _same_default(declared, real):
    if real is inspect.Parameter.empty:
        return declared is REQUIRED
    if real is np._NoValue:  # NumPy's "not passed": the declared default is what that means
        return declared in (False, None)
    if real is None or isinstance(real, (bool, int, float, str, tuple)):
        return type(declared) is type(real) and declared == real
    return declared == _dtype_name(real)  # a dtype object, declared by its name


def _compare(name, declared, real):
    params = list(real.parameters.values())
    if params and params[0].name == "self":
        params = params[1:]
    assert [(p.name, p.kind) for p in declared.params] == [(p.name, p.kind.name) for p in params], (
        f"{name}: declared {declared.names}, real {real}")
    for mine, theirs in zip(declared.params, params):
        assert _same_default(mine.default, theirs.default), (name, mine.name, mine.default, theirs.default)


@pytest.mark.parametrize("name", sorted(set(SIGNATURE_TEXT) - _BY_CALLS))
def test_declared_signature_is_the_real_one(name):
    """The declared parameters have the real function's names, in the same
    order, of the same kinds (positional-only, keyword-only, *args,
    **kwargs), with the same defaults (a dtype default by its name)."""
    _needs(name)
    _compare(name, SIGNATURES[name], inspect.signature(_resolve(name)))


@pytest.mark.parametrize("kind", sorted(LAYER_SIGNATURES))
def test_layer_signature_is_the_real_one(kind):
    """Each modelled layer's declared constructor has the parameters of the
    real keras.layers class's __init__: names, order, kinds and defaults."""
    pytest.importorskip("tensorflow")
    import keras
    _compare(kind, LAYER_SIGNATURES[kind], inspect.signature(getattr(keras.layers, kind).__init__))


def test_every_known_layer_is_declared_or_absent_from_keras():
    """Every layer kind the analysis models has a declared signature, unless
    Keras 3 no longer has that class (then calling it fails anyway)."""
    pytest.importorskip("tensorflow")
    import keras
    from fitlint.analysis import layers as L
    missing = sorted(k for k in L.KNOWN | {"InputLayer"} if k not in LAYER_SIGNATURES)
    assert all(not hasattr(keras.layers, k) for k in missing), missing


def _keras_model(layers_src):
    pytest.importorskip("tensorflow")
    import keras
    namespace = {"keras": keras}
    exec(f"from keras.layers import *\nm = keras.Sequential([keras.Input((28, 28, 1)), {layers_src}])", namespace)
    return namespace["m"]


@pytest.mark.parametrize("layers_src, out", LAYER_CASES)
def test_layer_shapes_match_keras(layers_src, out):
    """The output shapes of tests/test_binding.py's layer cases are the ones
    Keras computes for the same constructor calls."""
    assert tuple(_keras_model(layers_src).output_shape) == out


@pytest.mark.parametrize("layer_src", REFUSED_LAYERS)
def test_refused_layers_raise_for_real(layer_src):
    """Each layer call the analysis leaves unknown cannot be constructed."""
    with pytest.raises((TypeError, ValueError)):
        _keras_model(f"Reshape((28, 28)), {layer_src}")


def test_numpy_arange_accepts_the_declared_names():
    """np.arange, whose inspect signature is not what its parser accepts,
    takes start/stop/step/dtype by position and by keyword, and device/like
    only by keyword, as declared."""
    assert list(inspect.signature(np.arange).parameters)[0] == "start_or_stop"  # still different
    assert SIGNATURES["numpy.arange"].names == ["start", "stop", "step", "dtype", "device", "like"]
    assert np.arange(start=2, stop=5, step=1, dtype="int32").tolist() == [2, 3, 4]
    assert np.arange(2, 5, 1, "int32").dtype == np.int32
    assert np.arange(stop=3).tolist() == [0, 1, 2]
    assert np.arange(3, device=None, like=None).tolist() == [0, 1, 2]
    with pytest.raises(TypeError):
        np.arange(0, 3, 1, None, None)  # device is keyword-only


def _real(expr):
    tf = pytest.importorskip("tensorflow")
    import keras
    return eval(expr, {"np": np, "tf": tf, "keras": keras})


@pytest.mark.parametrize("expr, shape, dtype, lo, hi", BOUND_CASES)
def test_bound_values_match_the_real_calls(expr, shape, dtype, lo, hi):
    """The analysis's value of each bound call (tests/test_binding.py) is
    what the real call returns: the same shape and dtype, all values within
    the analysed range (below it when the upper bound is open)."""
    arr = value(expr)
    out = np.asarray(_real(expr))
    assert (arr.shape, arr.dtype) == (tuple(out.shape), out.dtype.name)
    if out.size and arr.lo is not None:
        assert out.min() >= arr.lo
    if out.size and arr.hi is not None:
        assert out.max() < arr.hi if arr.open_hi else out.max() <= arr.hi


def test_cast_of_float_uniform_never_reaches_maxval():
    """tf.cast(tf.random.uniform((n,), 0, 3), tf.int32) holds 0, 1 and 2,
    never 3 (analysed as 0..2)."""
    out = _real("tf.cast(tf.random.uniform((20000,), 0, 3), tf.int32)").numpy()
    assert sorted(set(out.tolist())) == [0, 1, 2]
    assert (value("tf.cast(tf.random.uniform((20000,), 0, 3), tf.int32)").hi) == 2


@pytest.mark.parametrize("expr", REFUSED)
def test_refused_calls_raise_for_real(expr):
    """Each call the analysis leaves unknown because it would not bind (or
    the library refuses its arguments) raises under the real library."""
    with pytest.raises((TypeError, ValueError)):
        _real(expr)


@pytest.mark.parametrize("src, codes", PROGRAMS)
def test_programs_run_exactly_when_no_error_is_reported(src, codes):
    """Each program of tests/test_binding.py's PROGRAMS runs under the real
    TensorFlow when fitlint reports no error, and raises when it reports one."""
    tf = pytest.importorskip("tensorflow")
    import keras
    keras.utils.set_random_seed(0)
    namespace = {"__name__": "__main__"}
    if not codes:
        exec(src, namespace)
        return
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        exec(src, namespace)
