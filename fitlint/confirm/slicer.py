"""Build the dry-run program for a finding.

The program is regenerated from the analysis: the model from the layers,
``Input``s and ``compile`` of the user's code (with their evaluated literal
arguments), the data as synthetic arrays with exactly the inferred shapes,
dtypes and value ranges (the extremes of a range included, so an
out-of-range label really appears), then the one failing call. Nothing of the
user's file is executed: whatever cannot be rendered from TensorFlow, Keras,
NumPy and literals — a custom layer, data read from a file, a shape that is
not fully known — makes the case inconclusive, with the reason.

The program says where each line comes from: a statement of the script
(the model, its compile, the failing call) ends with ``FROM_SCRIPT``; every
other line (imports, synthetic data, scaffolding) was written by the dry run,
so an exception raised there never blames the script. What had to be
approximated (a value range filled in, a compile the script did not make)
is listed at the top in ``# approximated:`` lines; a program that
approximated anything can confirm a finding but never refute one.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..analysis import layers as L
from ..analysis.facts import SPARSE, DataCall, LayerUse, LossCall, OneHot, Op, SliceCounts
from ..analysis.applications import ApplicationCall
from ..analysis.library import LossFn, add_batch_axis
from ..analysis.names import canonical
from ..analysis.values import (
    INT_DTYPES, Array, Const, Dict_, Layer, Model, ModuleRef, Seq, Sym,
)

SAMPLES = 8  # samples per synthetic array
HEADER = "import numpy as np\nimport tensorflow as tf\nimport keras\nnp.random.seed(0)\n"
FROM_SCRIPT = "  # from the script"
APPROXIMATED = "# approximated: "


class Inconclusive(Exception):
    """The program cannot be built; the message says why."""


class _Program:
    def __init__(self) -> None:
        self.lines: List[str] = []
        self.names: Dict[int, str] = {}
        self.counter = 0
        self.approximated: List[str] = []
        self.apis: Dict[str, str] = {}

    def var(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def add(self, line: str, script: bool = False) -> None:
        """``script``: the line is a statement of the script, rebuilt."""
        self.lines.append(line + FROM_SCRIPT if script else line)

    def approximate(self, reason: str) -> None:
        if reason not in self.approximated:
            self.approximated.append(reason)

    def api(self, path: str, name: str = "") -> str:
        """A variable (``name`` or a new one) holding the library object
        ``path`` (as the script spelled it), looked up on a line of its own:
        if this TensorFlow has no such name, the dry run failed, not the
        script."""
        if path not in self.apis:
            self.apis[path] = name or self.var("api")
            self.add(f"{self.apis[path]} = {path}")
        return self.apis[path]

    def text(self) -> str:
        notes = "".join(f"{APPROXIMATED}{reason}\n" for reason in self.approximated)
        return notes + HEADER + "\n".join(self.lines) + "\n"


def approximations(program: str) -> List[str]:
    """What a dry-run program had to approximate (see ``_Program``)."""
    return [line[len(APPROXIMATED):] for line in program.splitlines() if line.startswith(APPROXIMATED)]


def from_script(program: str, line: Optional[int]) -> bool:
    """Is program line ``line`` (1-based) a statement of the script?"""
    lines = program.splitlines()
    return line is not None and 1 <= line <= len(lines) and lines[line - 1].endswith(FROM_SCRIPT)


# ------------------------------------------------------------------ values
def literal(value: Any, program: _Program) -> str:
    if isinstance(value, Const):
        if isinstance(value.value, (int, float, str, bool)) or value.value is None:
            return repr(value.value)
        raise Inconclusive("an argument is not a literal")
    if isinstance(value, Seq):
        inner = ", ".join(literal(v, program) for v in value.items)
        if value.kind == "tuple":
            return f"({inner},)" if len(value.items) == 1 else f"({inner})"
        return f"[{inner}]"
    if isinstance(value, Dict_):
        return "{" + ", ".join(f"{k!r}: {literal(v, program)}" for k, v in value.items.items()) + "}"
    if isinstance(value, ModuleRef):
        return program.api(_spelled(value.path))
    if isinstance(value, Array):
        return array(value, program)
    if isinstance(value, Layer):
        return layer_expr(value, program)
    if isinstance(value, LossFn):
        if not value.name:
            raise Inconclusive("a loss object fitlint cannot rebuild")
        kwargs = ", ".join(f"{k}={literal(v, program)}" for k, v in value.kwargs.items())
        return f"{program.api('keras.losses.' + value.name)}({kwargs})"
    if value is None:
        raise Inconclusive("a value fitlint does not know")
    raise Inconclusive(f"a {type(value).__name__} value fitlint cannot rebuild")


def _spelled(path: str) -> str:
    """Code for a library object, spelled as the script spelled it."""
    for module, alias in (("tensorflow", "tf"), ("keras", "keras"), ("numpy", "np")):
        if path == module or path.startswith(module + "."):
            return alias + path[len(module):]
    path = canonical(path)
    if path.startswith("keras."):
        return path
    raise Inconclusive(f"needs {path}, which is not TensorFlow, Keras or NumPy")


def _samples(shape: tuple, n: Optional[int]) -> tuple:
    if not shape:
        return shape
    first = shape[0] if n is None else n
    return (first,) + tuple(shape[1:])


def array(arr: Array, program: _Program, n: Optional[int] = None) -> str:
    """Code for a synthetic array like ``arr``: its exact shape, or ``n``
    samples on axis 0 when ``n`` is given."""
    if arr.shape is None:
        raise Inconclusive("the rank of an array is not known")
    shape = _samples(arr.shape, n)
    if any(d is None for d in shape):
        raise Inconclusive(f"the shape {arr.shape} of an array is not fully known")
    if _size(shape) > 4_000_000:
        raise Inconclusive("an array too large for a dry run")
    name = program.var("data")
    dtype = arr.dtype
    if arr.ragged or dtype == "object":
        program.approximate("ragged data filled with short lists")
        count = shape[0] if shape else 1
        program.add(f"{name} = np.array([[1, 2, 3][: (i % 3) + 1] for i in range({count})], dtype=object)")
        return name
    if dtype in ("str", "bytes"):
        program.approximate("strings filled with 'a'")
        program.add(f"{name} = np.full({shape!r}, 'a')")
        return name
    if dtype is None:
        raise Inconclusive("the dtype of an array is not known")
    if arr.onehot and len(shape) >= 1 and shape[-1]:
        k = shape[-1]
        program.add(f"{name} = np.eye({k}, dtype={dtype!r})[np.random.randint(0, {k}, {shape[:-1]!r})]")
        return _tensor(arr, name, program)
    if arr.lo is None or arr.hi is None:
        program.approximate("the range of an array's values is not known")
    if dtype in INT_DTYPES or dtype == "bool":
        lo = int(arr.lo) if arr.lo is not None else 0
        hi = int(arr.hi) if arr.hi is not None else max(lo, 1)
        program.add(f"{name} = np.random.randint({lo}, {hi + 1}, size={shape!r}).astype({dtype!r})")
        if _size(shape) >= 2 and hi > lo:
            program.add(f"{name}.flat[0], {name}.flat[-1] = {hi}, {lo}  # both ends of the range")
    else:
        lo = float(arr.lo) if arr.lo is not None else 0.0
        hi = float(arr.hi) if arr.hi is not None else lo + 1.0
        top = hi - (hi - lo) * 1e-6 if arr.open_hi else hi
        program.add(f"{name} = np.random.uniform({lo!r}, {top!r}, size={shape!r}).astype({dtype!r})")
        if _size(shape) >= 2 and top > lo:
            program.add(f"{name}.flat[0], {name}.flat[-1] = {top!r}, {lo!r}  # both ends of the range")
    return _tensor(arr, name, program)


def _tensor(arr: Array, name: str, program: _Program) -> str:
    if arr.tensor:
        program.add(f"{name} = tf.constant({name})")
    return name


def _size(shape: tuple) -> int:
    size = 1
    for d in shape:
        size *= d
    return size


def _capped(arr: Array) -> Optional[int]:
    """Samples for a synthetic copy of a data array: at most SAMPLES."""
    if not arr.shape:
        return None
    return SAMPLES if arr.shape[0] is None else min(arr.shape[0], SAMPLES)


def structure(value: Any, program: _Program, counts: Dict[int, int]) -> str:
    """Code for data passed to a model: arrays, lists, tuples, dicts."""
    if isinstance(value, Array):
        return array(value, program, counts.get(id(value), _capped(value)))
    if isinstance(value, Seq):
        items = [structure(v, program, counts) for v in value.items]
        if value.kind == "tuple":
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    if isinstance(value, Dict_):
        return "{" + ", ".join(f"{k!r}: {structure(v, program, counts)}" for k, v in value.items.items()) + "}"
    if isinstance(value, Const) and value.value is None:
        return "None"
    raise Inconclusive("data fitlint does not know")


def _axis0_unsure(call: DataCall) -> bool:
    """Does some input array have fewer axes than its model input (so its
    axis 0 may not be the sample axis)?"""
    return any(isinstance(b.value, Array) and b.value.shape is not None and b.input is not None
               and b.input.shape is not None and len(b.value.shape) < len(b.input.shape) for b in call.inputs)


def _batch_meets_units(call: DataCall) -> bool:
    """Do 1-D labels meet a wider output, so that the batch size itself
    decides whether the loss broadcasts? (Not for sparse labels.)"""
    return any(t.loss != SPARSE and isinstance(t.y, Array) and t.y.shape is not None and len(t.y.shape) == 1 and t.shape
               and len(t.shape) == 2 and t.shape[-1] not in (None, 1) for t in call.targets)


def _arrays(values: List[Any]) -> List[Array]:
    arrays: List[Array] = []

    def walk(v: Any) -> None:
        if isinstance(v, Array):
            arrays.append(v)
        elif isinstance(v, Seq):
            for i in v.items:
                walk(i)
        elif isinstance(v, Dict_):
            for i in v.items.values():
                walk(i)

    for v in values:
        walk(v)
    return arrays


def _sample_counts(values: List[Any], cap: bool = True) -> Dict[int, int]:
    """Samples per array: at most SAMPLES, different counts kept different
    (``cap=False``: the arrays' own counts)."""
    arrays = _arrays(values)
    if not cap:
        return {id(a): a.shape[0] for a in arrays if a.shape and a.shape[0] is not None}
    known = sorted({a.shape[0] for a in arrays if a.shape and a.shape[0] is not None}, reverse=True)
    mapped = {n: (min(n, SAMPLES) if len(known) == 1 else max(1, SAMPLES - i)) for i, n in enumerate(known)}
    return {id(a): mapped[a.shape[0]] for a in arrays if a.shape and a.shape[0] is not None}


# ------------------------------------------------------------------ models
def layer_expr(layer: Layer, program: _Program) -> str:
    if layer.kind not in L.KNOWN and layer.kind not in ("InputLayer", "TextVectorization"):
        raise Inconclusive(f"the model uses a {layer.kind} layer fitlint does not rebuild")
    if layer.kind == "TextVectorization":
        raise Inconclusive("a TextVectorization layer needs its adapted vocabulary")
    if not layer.complete:
        raise Inconclusive(f"a {layer.kind} layer built with *args/**kwargs")
    args = [literal(a, program) for a in layer.args]
    args += [f"{k}={literal(v, program)}" for k, v in layer.kwargs.items()]
    return f"{program.api('keras.layers.' + layer.kind, layer.kind)}({', '.join(args)})"


def _input(sym: Sym, program: _Program) -> str:
    if sym.shape is None:
        raise Inconclusive("a model input of unknown shape")
    if sym.sizes_unknown:
        raise Inconclusive("a model input whose sizes are not all known")
    parts = [f"shape={tuple(sym.shape[1:])!r}"] if sym.shape[0] is None else [f"batch_shape={tuple(sym.shape)!r}"]
    if sym.dtype and sym.dtype != "float32":
        parts.append(f"dtype={'string' if sym.dtype == 'str' else sym.dtype!r}" if sym.dtype != "str"
                     else "dtype='string'")
    if sym.name:
        parts.append(f"name={sym.name!r}")
    return f"keras.Input({', '.join(parts)})"


def _graph(sym: Sym, program: _Program, done: Dict[int, str], layers: Dict[int, str]) -> str:
    if id(sym) in done:
        return done[id(sym)]
    if sym.is_input:
        name = program.var("inp")
        program.add(f"{name} = {_input(sym, program)}", script=True)
    else:
        if sym.layer is None or not sym.parents or not sym.traced:
            raise Inconclusive("a tensor of the model fitlint cannot trace")
        parents = [_graph(p, program, done, layers) for p in sym.parents]
        if id(sym.layer) not in layers:
            layers[id(sym.layer)] = program.var("layer")
            program.add(f"{layers[id(sym.layer)]} = {layer_expr(sym.layer, program)}", script=True)
        arg = parents[0] if len(sym.parents) == 1 and sym.layer.kind not in L.MERGE else f"[{', '.join(parents)}]"
        name = program.var("t")
        program.add(f"{name} = {layers[id(sym.layer)]}({arg})", script=True)
    done[id(sym)] = name
    return name


def build_model(model: Model, program: _Program, layers: Optional[List[Layer]] = None) -> str:
    """Code that builds ``model`` (a Sequential with ``layers``, by default
    its last ones); returns its variable name."""
    if not model.exact:
        raise Inconclusive("the model's layers are not all known (a custom layer, a loop, or a helper)")
    name = program.var("model")
    if model.kind == "sequential":
        items = []
        layers = model.layers if layers is None else layers
        declared_by_layer = layers and model.inputs and model.inputs[0].origin is layers[0].origin
        from_data = model.inputs and model.inputs[0].declared_by == "data"  # built by the data it is given
        if model.inputs and not declared_by_layer and not from_data:
            items.append(_input(model.inputs[0], program))
        items += [layer_expr(layer, program) for layer in layers]
        # no Input declared: Keras builds the model from the data it is given
        program.add(f"{name} = keras.Sequential([{', '.join(items)}])", script=True)
    else:
        if not model.inputs or not model.outputs:
            raise Inconclusive("the model's inputs or outputs are not known")
        if any((s.declared_by or "").endswith("-subclassed") for s in model.inputs):
            raise Inconclusive("a subclassed model's input is the data it was first called on; its call is not rebuilt")
        done: Dict[int, str] = {}
        layers: Dict[int, str] = {}
        for sym in model.inputs:
            _graph(sym, program, done, layers)
        outputs = [_graph(o, program, done, layers) for o in model.outputs]
        inputs = [done[id(s)] for s in model.inputs]
        if model.input_dict:
            ins = "{" + ", ".join(f"{s.name!r}: {done[id(s)]}" for s in model.inputs) + "}"
        else:
            ins = inputs[0] if len(inputs) == 1 else f"[{', '.join(inputs)}]"
        if model.output_dict:
            outs = "{" + ", ".join(f"{n!r}: {o}" for n, o in zip(model.output_names, outputs)) + "}"
        else:
            outs = outputs[0] if len(outputs) == 1 else f"[{', '.join(outputs)}]"
        program.add(f"{name} = keras.Model({ins}, {outs})", script=True)
    return name


_COMPILE = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
            "steps_per_execution", "jit_compile", "auto_scale_loss")


def compile_model(model: Model, name: str, compiled: Optional[bool], program: _Program,
                  force: bool = False, loss: Any = None, args: Any = None) -> None:
    """The script's compile, with its loss, optimizer and metrics as the
    script wrote them (``loss``/``args``: as they were at the call; by
    default the model's last compile). An argument that cannot be rebuilt
    is left out, and the program is marked approximated (except the
    optimizer, which no mismatch is about: Keras' default stands in).
    ``force``: the finding is not about compile, so an uncompiled model is
    compiled (loss 'mse') to reach the code path the finding is about."""
    if compiled is None:
        raise Inconclusive("whether the model is compiled there is not known")
    if not compiled and force:
        program.approximate("the model is compiled by the dry run, not by the script")
        program.add(f"{name}.compile(optimizer='sgd', loss='mse')  # not compiled in the script")
        return
    if not compiled:
        return
    loss = model.loss if loss is None and args is None else loss
    args = model.compile_args if args is None else args
    if loss is None:
        raise Inconclusive("the loss is not known")
    parts = [f"loss={literal(loss, program)}"]
    if args is None or args.star:
        program.approximate("compile arguments other than the loss are not known")
        parts.insert(0, "optimizer='sgd'")
    else:
        for i, key in enumerate(_COMPILE):
            if key == "loss" or not args.has(key, i):
                continue
            try:
                parts.append(f"{key}={literal(args.get(key, i), program)}")
            except Inconclusive:
                if key != "optimizer":
                    program.approximate(f"compile's {key}= is left out")
        if not any(p.startswith("optimizer=") for p in parts):
            # Keras' default; an optimizer object fitlint cannot rebuild
            # (Adam(1e-3)) is replaced too: no data or shape goes through it
            parts.insert(0, "optimizer='rmsprop'")
        extra = set(args.kw) - set(_COMPILE)
        if extra or len(args.pos) > len(_COMPILE):
            program.approximate("compile arguments fitlint does not know")
    program.add(f"{name}.compile({', '.join(parts)})", script=True)


# ------------------------------------------------------------------ cases
def for_call(call: DataCall, uncompiled: bool = False) -> str:
    program = _Program()
    model = build_model(call.model, program, call.layers)
    needs_compile = call.method in ("fit", "evaluate", "train_on_batch", "test_on_batch")
    compile_model(call.model, model, call.compiled, program, force=needs_compile and not uncompiled,
                  loss=call.loss, args=call.compile_args)
    if call.dataset is not None:
        ds = call.dataset
        samples = add_batch_axis(ds.element)  # from_tensor_slices takes whole arrays
        counts = _sample_counts([samples])
        element = structure(samples, program, counts)
        data = program.var("ds")
        program.add(f"{data} = tf.data.Dataset.from_tensor_slices({element})"
                    + (".batch(4)" if ds.batched else ""))
        program.approximate("the dataset is rebuilt from its element")
        args = [data]
    else:
        y = call.y
        if y is None and call.y_node is not None:
            raise Inconclusive("labels fitlint does not know")
        counts = _sample_counts([call.x, y])
        if _axis0_unsure(call):
            # axis 0 may not be the sample axis: keep every array's shape
            exact = _sample_counts([call.x, y], cap=False)
            if all(_size(a.shape) <= 4_000_000 for a in _arrays([call.x, y]) if a.shape and None not in a.shape):
                counts = exact
            else:
                program.approximate("the number of samples is cut down on data with no clear sample axis")
        elif _batch_meets_units(call) and any(counts.get(id(a)) != a.shape[0] for a in _arrays([call.x, y]) if a.shape):
            program.approximate("fewer samples than the script, with labels of shape (N,) against a wider output")
        args = [structure(call.x, program, counts)]
        if call.method != "predict" and call.method != "predict_on_batch" and y is not None:
            args.append(structure(y, program, counts))
    if call.method in ("fit", "evaluate", "predict"):
        batch = call.batch_size or 32  # Keras' default
        # unshuffled, so the first bad value TF meets is the extreme the
        # finding names (the data puts it first)
        options = f"batch_size={batch}, verbose=0" + (", epochs=1, shuffle=False" if call.method == "fit" else "")
        if call.validation:
            # the validation data runs through the same call
            program.add(f"{model}.evaluate({', '.join(args)}, {options.replace(', epochs=1, shuffle=False', '')})"
                        if call.compiled else f"{model}.predict({args[0]}, verbose=0)", script=True)
        else:
            program.add(f"{model}.{call.method}({', '.join(args)}, {options})", script=True)
    else:
        program.add(f"{model}.{call.method}({', '.join(args)})", script=True)
    return program.text()


def for_layer_use(use: LayerUse) -> str:
    program = _Program()
    if use.model is not None:
        model = build_model(use.model, program)
        data = use.model.traced_data
        if not use.model.inputs or use.model.inputs[0].declared_by == "data":
            # built from the data the script gives it, as Keras does
            if not isinstance(data, Array):
                raise Inconclusive("the data the model is built from is not known")
            program.add(f"{model}({array(data, program, _capped(data))})", script=True)
        return program.text()
    if use.inputs:
        done: Dict[int, str] = {}
        layers: Dict[int, str] = {}
        names = [_graph(s, program, done, layers) for s in use.inputs]
        arg = names[0] if len(names) == 1 and use.layer.kind not in L.MERGE else f"[{', '.join(names)}]"
        program.add(f"{layer_expr(use.layer, program)}({arg})", script=True)
        return program.text()
    raise Inconclusive("the layer's input is not known")


def for_op(op: Op) -> str:
    program = _Program()
    left = array(op.left, program)  # an op's operands keep their exact shapes
    right = array(op.right, program) if isinstance(op.right, Array) else literal(op.right, program)
    if op.name in ("+", "-", "*", "/", "@"):
        program.add(f"{left} {op.name} {right}", script=True)
    elif op.name.startswith(("tf.", "np.")):
        program.add(f"{op.name}({left}, {right})", script=True)
    else:
        raise Inconclusive(f"the operation {op.name} is not rebuilt")
    return program.text()


def for_one_hot(event: OneHot) -> str:
    program = _Program()
    labels = array(event.labels, program, _capped(event.labels))
    if event.function == "to_categorical":
        program.add(f"keras.utils.to_categorical({labels}, num_classes={event.depth})", script=True)
    else:
        program.add(f"tf.one_hot({labels}, depth={event.depth})", script=True)
    return program.text()


def for_slices(event: SliceCounts) -> str:
    program = _Program()
    counts = _sample_counts([a for _, a in event.parts])
    parts = [array(a, program, counts.get(id(a))) for _, a in event.parts]
    program.add(f"tf.data.Dataset.from_tensor_slices(({', '.join(parts)},))", script=True)
    return program.text()


def for_loss_call(call: LossCall) -> str:
    """The loss object or function called on synthetic labels and
    predictions of the inferred shapes (a batch of SAMPLES)."""
    program = _Program()
    y, pred = call.target.y, call.predictions
    if not isinstance(y, Array) or not y.shape or not pred.shape:
        raise Inconclusive("the labels or the predictions have no batch axis")
    labels = array(y, program, SAMPLES)
    # the values of the predictions do not matter to the loss's checks
    preds = array(pred.but(dtype="float32", lo=0.0, hi=1.0, open_hi=True, onehot=False), program, SAMPLES)
    if isinstance(call.loss, LossFn):
        program.add(f"{literal(call.loss, program)}({labels}, {preds})", script=True)
    elif call.api == "keras":
        program.add(f"{program.api(_spelled(call.function))}({labels}, {preds})", script=True)
    else:
        program.add(f"{program.api(_spelled(call.function))}(labels={labels}, logits={preds})", script=True)
    return program.text()


def for_application(app: Any) -> str:
    """The ``keras.applications`` model built with the script's arguments
    (Keras checks them before it loads any weights)."""
    program = _Program()
    parts = [f"{key}={literal(value, program)}" for key, value in app.passed.items()]
    program.add(f"{program.api('keras.applications.' + app.name)}({', '.join(parts)})", script=True)
    return program.text()


def for_layer(layer: Layer) -> str:
    program = _Program()
    program.add(layer_expr(layer, program), script=True)
    return program.text()


def program_for(subject: Any, uncompiled: bool = False) -> str:
    """The dry-run program for a finding's subject; ``uncompiled``: compile
    the model only where the script does (see Rule.dry_run_uncompiled).
    Raises Inconclusive."""
    if isinstance(subject, DataCall):
        return for_call(subject, uncompiled)
    if isinstance(subject, LayerUse):
        return for_layer_use(subject)
    if isinstance(subject, Op):
        return for_op(subject)
    if isinstance(subject, OneHot):
        return for_one_hot(subject)
    if isinstance(subject, SliceCounts):
        return for_slices(subject)
    if isinstance(subject, Layer):
        return for_layer(subject)
    if isinstance(subject, LossCall):
        return for_loss_call(subject)
    if isinstance(subject, ApplicationCall):
        return for_application(subject)
    raise Inconclusive("this finding has nothing to run")
