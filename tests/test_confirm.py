"""The dry run (``--confirm``) under real TensorFlow."""
import json
import subprocess
import sys
import textwrap
import time

import pytest

from fitlint import cli
from fitlint.analysis.values import Array
from fitlint.confirm import confirm, runner, slicer, verdict
from fitlint.confirm.evidence import DETAIL_CHARS, detail, missing, normalise
from fitlint.engine import lint_source
from fitlint.findings import Finding
from fitlint.rules import BY_CODE, Rule
from fitlint.rules.base import DATA_CALLS

from conftest import FIXTURES, ROOT, check_in_parts, expectation


def fitlint(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "fitlint", *args], capture_output=True, text=True, cwd=cwd)


# For each buggy fixture, the part of TensorFlow's message that proves the
# mismatch the finding describes is the one TF hit (written by hand from
# TF 2.21 / Keras 3 messages; the sample axis is the dry run's, 8 samples).
FRAGMENTS = {
    "FIT102_tfdata_window_buggy.py": "expected axis -1 of input shape to have value 10, but received input with shape (None, 12)",
    "FIT102_windows_buggy.py": "expected axis -1 of input shape to have value 20, but received input with shape (None, 24)",
    "FIT204_tfdata_map_buggy.py": "target.shape=(None, 10), output.shape=(None, 5)",
    "FIT301_tfdata_vectorize_buggy.py": "= 6 is not in [0, 5)",
    "FIT302_tfdata_window_buggy.py": "expected ndim=3, found ndim=2. Full shape received: (8, 8)",
    "FIT101_buggy.py": "Expected shape (None, 28, 28, 1), but input has incompatible shape (8, 784)",
    "FIT101_next_batch_buggy.py": "Expected shape (None, 400), but input has incompatible shape (8, 20, 20)",
    "FIT102_buggy.py": "expected axis -1 of input shape to have value 10, but received input with shape (8, 9)",
    "FIT102_decode_resize_buggy.py": "expected axis -1 of input shape to have value 3072, but received input with shape (None, 12288)",
    "FIT102_trainer_buggy.py": "expected axis -1 of input shape to have value 6, but received input with shape (8, 7)",
    "FIT102_built_buggy.py": "expected axis -1 of input shape to have value 8, but received input with shape (None, 9)",
    "FIT102_resize_method_buggy.py": "expected axis -1 of input shape to have value 3072",
    "FIT103_buggy.py": "expected shape=(None, 16, 6), found shape=(8, 6)",
    "FIT104_buggy.py": 'Missing data for input "input_b"',
    "FIT104_list_buggy.py": "expects 2 named input(s)",
    "FIT104_sequential_buggy.py": "Expected: tokens",
    "FIT106_buggy.py": "Expected shape (None, 10), but input has incompatible shape (10,)",
    "FIT107_buggy.py": "Invalid dtype: str",
    "FIT108_buggy.py": "Expected shape (None, 10), but input has incompatible shape (10,)",
    "FIT108_image_buggy.py": "input shapes: [28,28,1,1]",
    "FIT109_buggy.py": "Data cardinality is ambiguous",
    "FIT109_slices_buggy.py": "are not compatible",
    "FIT201_buggy.py": "Received a label value of 9 which is outside the valid range of [0, 5)",
    "FIT201_loop_buggy.py": "Received a label value of 8 which is outside the valid range of [0, 6)",
    "FIT201_builder_buggy.py": "Received a label value of 9 which is outside the valid range of [0, 7)",
    "FIT201_attrs_buggy.py": "Received a label value of 6 which is outside the valid range of [0, 4)",
    "FIT202_loop_buggy.py": "target.shape=(8,), output.shape=(8, 7)",
    "FIT204_loop_buggy.py": "target.shape=(8, 3), output.shape=(8, 4)",
    "FIT201_float_buggy.py": "Received a label value of 8 which is outside the valid range of [0, 5)",
    "FIT201_softmax1_buggy.py": "Received a label value of 1 which is outside the valid range of [0, 1)",
    "FIT202_buggy.py": "target.shape=(8,), output.shape=(8, 5)",
    "FIT203_buggy.py": "target.shape=(8, 5), output.shape=(8, 5)",
    "FIT204_buggy.py": "target.shape=(8, 3), output.shape=(8, 5)",
    "FIT205_buggy.py": "target.shape=(8,), output.shape=(8, 6, 6, 3)",
    "FIT205_embedding_buggy.py": "target.shape=(8,), output.shape=(8, 12, 3)",
    "FIT206_buggy.py": "target.shape=(8,), output.shape=(8, 3)",
    "FIT207_buggy.py": "Dimensions must be equal, but are 5 and 3",
    "FIT210_buggy.py": "out of bounds for axis 1 with size 3",
    "FIT301_buggy.py": "= 199 is not in [0, 100)",
    "FIT302_buggy.py": "expected ndim=3, found ndim=2",
    "FIT303_buggy.py": "inputs shape=(None, 3, 3, 8)",
    "FIT304_buggy.py": "input_shape=(10,), target_shape=(3, 3)",
    "FIT305_buggy.py": "Received shapes (4,) and (5,)",
    "FIT308_buggy.py": "The input must have 3 channels; Received `input_shape=(32, 32, 1)`",
    "FIT306_buggy.py": "weight shape (43, 100) is not compatible with provided weight shape (50, 100)",
    "FIT401_buggy.py": "In[0]: [2,2], In[1]: [3,2]",
    "FIT401_numpy_buggy.py": "size 3 is different from 4",
    "FIT402_buggy.py": "expected to be a int32 tensor but is a float tensor",
    "FIT403_buggy.py": "Incompatible shapes: [8,3] vs. [4]",
    "FIT501_buggy.py": "You must call `compile()` before using the model",
}


def _squash(text):
    return " ".join(text.split())


def test_every_buggy_fixture_is_confirmed(tmp_path):
    """Every error finding on a buggy fixture is confirmed by the dry run:
    TF raises the class the fixture and the rule document, and TF's message
    (kept whole in JSON) contains the fragment naming the very mismatch the
    finding describes (dims, dtype, value, key)."""
    # The folder's files, checked in two runs at once (each with its dry-run worker).
    files = sorted(p for p in (FIXTURES / "rules").rglob("*") if p.suffix in (".py", ".ipynb"))
    findings, _ = check_in_parts(["--confirm", "--output-format", "json", "--no-cache"], files)
    errors = [f for f in findings if f["severity"] == "error" and f["code"] != "FIT000"]
    buggy = {p.name for p in (FIXTURES / "rules").glob("*_buggy.py") if not p.name.startswith("FIT000")}
    assert {f["path"].rsplit("/", 1)[1] for f in errors} == buggy
    assert set(FRAGMENTS) == buggy
    for f in errors:
        c = f["confirmation"]
        name = f["path"].rsplit("/", 1)[1]
        expected = expectation(FIXTURES / "rules" / name)
        assert c["status"] == "confirmed", f
        assert c["exception"] == expected and c["exception"] in BY_CODE[f["code"]].exception.split("|")
        assert _squash(FRAGMENTS[name]) in _squash(c["detail"]), (name, c["detail"])
        assert c["seconds"] >= 0


def test_a_finding_whose_evidence_tf_does_not_name_is_inconclusive(tmp_path):
    """Same exception class is not enough: when the finding's evidence (here
    deliberately wrong: labels reaching 7, not the 9 the data has) is not in
    TF's message, the verdict is inconclusive and carries TF's message. The
    same finding with its own evidence is confirmed."""
    path = FIXTURES / "rules" / "FIT201_buggy.py"
    right = lint_source(path.read_bytes(), str(path), [BY_CODE["FIT201"]], programs="errors")
    wrong = lint_source(path.read_bytes(), str(path), [BY_CODE["FIT201"]], programs="errors")
    assert len(right) == len(wrong) == 1 and right[0].evidence == ("9", "[0,5)")
    wrong[0].evidence = ("7", "[0,5)")
    confirm(right + wrong, timeout=120, cache_dir=str(tmp_path))
    assert right[0].confirmation["status"] == "confirmed"
    c = wrong[0].confirmation
    assert c["status"] == "inconclusive" and c["exception"] == "InvalidArgumentError"
    assert "does not name '7'" in c["detail"] and "label value of 9" in c["detail"]


def test_verdict_rules_without_tensorflow():
    """The verdict table: the documented class with every evidence item in
    the message confirms; a missing item, another class, a line the dry run
    wrote, or an approximated program that ran cleanly are inconclusive; only
    a faithful program that ran cleanly refutes."""
    program = slicer.HEADER + "data = 1\nmodel.fit(data)" + slicer.FROM_SCRIPT + "\n"
    fit_line = program.splitlines().index("model.fit(data)" + slicer.FROM_SCRIPT) + 1
    raised = {"status": "raised", "exception": "InvalidArgumentError", "line": fit_line, "seconds": 0.1,
              "detail": "Graph execution error:\n\nReceived a label value of 9 which is outside the valid range of [0, 5)."}
    assert verdict("FIT201", raised, ("9", "[0,5)"), program)["status"] == "confirmed"
    assert verdict("FIT201", raised, ("5", "[0,9)"), program)["status"] == "inconclusive"
    assert verdict("FIT201", raised, (), program)["status"] == "inconclusive"
    assert verdict("FIT201", dict(raised, exception="ValueError"), ("9",), program)["status"] == "inconclusive"
    assert verdict("FIT201", dict(raised, line=fit_line - 1), ("9",), program)["status"] == "inconclusive"
    ok = {"status": "ok", "exception": None, "detail": "", "seconds": 0.1}
    assert verdict("FIT201", ok, ("9",), program)["status"] == "refuted"
    approximated = slicer.APPROXIMATED + "the range of an array's values is not known\n" + program
    c = verdict("FIT201", ok, ("9",), approximated)
    assert c["status"] == "inconclusive" and "range of an array" in c["detail"]


def test_evidence_matches_whole_numbers_and_any_spacing():
    """Evidence is found whitespace-normalised, and a number only as a whole
    number: 9 is not found in 399 or 9.5, (8, 784) matches ,784)."""
    assert missing(("9",), "line 399, value 9.5") == ["9"]
    assert missing(("9", ",784)|,784]"), "label 9 in shape (8,  784)") == []
    assert missing(("float32|float",), "is a float tensor") == []
    assert normalise("[0, 5)") == "[0,5)"


class IntegerDataRule(Rule):
    """A claim of the seed articles that TensorFlow refutes: integer data breaks fit."""

    code = "FIT999"
    name = "integer-input-data"
    severity = "error"
    summary = "integer data into a float model (false)"
    exception = "InvalidArgumentError"
    triggers = DATA_CALLS

    def check(self, ctx):
        for call in ctx.facts.calls:
            for b in call.inputs:
                if isinstance(b.value, Array) and b.value.integral:
                    yield Finding(self.code, "integer data", call.node, subject=call)


def test_a_wrong_finding_is_refuted(monkeypatch, tmp_path):
    """A false claim (integer data breaks fit) on a fully known program runs
    cleanly under TF and is refuted."""
    monkeypatch.setitem(BY_CODE, "FIT999", IntegerDataRule)
    seed = FIXTURES / "clean" / "dtypes_that_work.py"  # integer data, outside any try
    findings = lint_source(seed.read_bytes(), str(seed), [IntegerDataRule], programs="errors")
    assert findings and all(f.program for f in findings)
    confirmed = confirm(findings, timeout=120, cache_dir=str(tmp_path))
    assert [f.confirmation["status"] for f in confirmed] == ["refuted"] * len(findings)


def test_custom_layers_and_file_reads_are_never_run(tmp_path):
    """The dry run never imports the user's modules or runs their functions:
    a custom layer or data read from a file makes the case inconclusive."""
    trace = tmp_path / "trace.txt"
    (tmp_path / "mylayers.py").write_text(textwrap.dedent(f"""
        open({str(trace)!r}, "a").write("imported mylayers\\n")
        import keras
        class Fancy(keras.layers.Layer):
            def call(self, x):
                open({str(trace)!r}, "a").write("called Fancy\\n")
                return x
    """))
    (tmp_path / "train.py").write_text(textwrap.dedent(f"""
        import numpy as np
        import keras
        from mylayers import Fancy

        def load():
            open({str(trace)!r}, "a").write("read the data\\n")
            return np.load("data.npy")

        custom = keras.Sequential([keras.Input((4,)), Fancy(), keras.layers.Dense(2)])
        custom.fit(np.random.rand(8, 4), np.random.rand(8, 2))
        plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        plain.fit(load(), np.random.rand(8, 2))
    """))
    out = fitlint("check", "--confirm", "--output-format", "json", "--no-cache", "train.py", cwd=tmp_path)
    findings = json.loads(out.stdout)
    assert [f["code"] for f in findings] == ["FIT501", "FIT501"]
    statuses = [(f["confirmation"]["status"], f["confirmation"]["detail"]) for f in findings]
    # The project's layer class is followed across modules: known as a custom layer, never rebuilt or run.
    assert statuses[0][0] == "inconclusive" and "Custom layer fitlint does not rebuild" in statuses[0][1]
    assert statuses[1][0] == "inconclusive" and "not know" in statuses[1][1]
    assert not trace.exists(), trace.read_text()


def test_a_hanging_case_times_out_alone(tmp_path):
    """A case that never ends times out alone; the next case still runs."""
    hang = "import time\nwhile True:\n    time.sleep(1)\n"
    ok = "import numpy as np\nimport keras\nkeras.layers.Dense(2)(np.zeros((1, 3)))\n"
    start = time.perf_counter()
    results = runner.run_programs([hang, ok], timeout=8, cache_dir=str(tmp_path))
    assert results[0]["status"] == "timeout"
    assert results[1]["status"] == "ok"
    assert time.perf_counter() - start < 120


def test_results_are_cached(tmp_path):
    """A program's result is cached: the second run starts no TensorFlow."""
    program = "import numpy as np\nnp.zeros(3) + np.zeros(4)\n"
    first = runner.run_programs([program], cache_dir=str(tmp_path))[0]
    assert first["status"] == "raised" and first["exception"] == "ValueError" and not first["cached"]
    start = time.perf_counter()
    second = runner.run_programs([program], cache_dir=str(tmp_path))[0]
    assert second["cached"] and second["exception"] == "ValueError"
    assert time.perf_counter() - start < 1.0  # no TensorFlow started


def test_confirm_all_reports_a_failing_call_no_rule_saw(tmp_path):
    """--confirm=all reports FIT503 for a fully known call whose own statement
    fails under TF (KL divergence on labels of the wrong width), with TF's
    message, and nothing for the call that runs."""
    script = tmp_path / "train.py"
    # Integer labels with categorical CE on a 1-unit output run; no rule fires.
    # A custom-free model whose loss fitlint does not model: the dry run decides.
    script.write_text(textwrap.dedent("""
        import numpy as np
        import keras
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        model.compile(optimizer="sgd", loss="kl_divergence")
        model.fit(np.random.rand(8, 4), np.random.rand(8, 5))
        model.fit(np.random.rand(8, 4), np.random.rand(8, 3))
    """))
    out = fitlint("check", "--confirm=all", "--output-format", "json", "--no-cache", str(script), cwd=tmp_path)
    findings = json.loads(out.stdout)
    assert [(f["code"], f["line"]) for f in findings] == [("FIT503", 6)]
    c = findings[0]["confirmation"]
    assert c["status"] == "confirmed" and c["exception"] == "ValueError"
    assert "Dimensions must be equal, but are 5 and 3" in c["detail"] and "kl_divergence" in c["detail"]
    assert "TensorFlow raised ValueError: Dimensions must be equal" in findings[0]["message"]


def test_refuted_findings_leave_the_output(monkeypatch, tmp_path, capsys):
    """A refuted finding is dropped from the text output and counted, and
    shown with --show-refuted."""
    monkeypatch.setitem(BY_CODE, "FIT999", IntegerDataRule)
    monkeypatch.setattr("fitlint.rules.select", lambda *a, **k: [IntegerDataRule])
    seed = FIXTURES / "clean" / "dtypes_that_work.py"  # integer data, outside any try
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--confirm", str(seed)]) == 0
    out = capsys.readouterr().out
    assert "FIT999" not in out and "refuted by the dry run" in out
    assert cli.main(["check", "--confirm", "--show-refuted", str(seed)]) == 0
    assert "[refuted: ran without error]" in capsys.readouterr().out


def test_missing_tensorflow_is_one_line_and_exit_2(monkeypatch, capsys):
    """--confirm without TensorFlow is a one-line error and exit code 2."""
    real = runner.util.find_spec
    monkeypatch.setattr(runner.util, "find_spec", lambda name, *a: None if name == "tensorflow" else real(name, *a))
    code = cli.main(["check", "--confirm", str(FIXTURES / "rules" / "FIT201_buggy.py")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "fitlint[confirm]" in err


def test_programs_for_partly_known_values():
    """An unknown sample count is filled with a few samples; an unknown
    feature dimension makes the case inconclusive."""
    from fitlint.analysis.facts import OneHot
    from fitlint.confirm import slicer

    labels = Array((None,), "int64", 0, 7)  # sample count unknown: a handful are made
    program = slicer.program_for(OneHot(None, "to_categorical", labels, 3, None))
    assert "size=(8,)" in program and "num_classes=3" in program
    with pytest.raises(slicer.Inconclusive):
        slicer.program_for(OneHot(None, "to_categorical", Array((None, None), "int64", 0, 7), 3, None))


def test_confirm_all_rebuilds_faithfully(tmp_path):
    """Patterns from Keras' own tests that a careless rebuild gets wrong: each
    call runs, so --confirm=all must report nothing."""
    script = tmp_path / "ok.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        import keras
        from keras import layers

        config = {"units": 2}
        data = np.random.random((16, 3))
        labels = np.where(data[:, :1] > 0.5, 1, 0)

        inp = keras.Input((4, 8))
        att = layers.MultiHeadAttention(num_heads=2, key_dim=4)(inp, inp)
        m1 = keras.Model(inp, layers.Dense(1)(layers.Flatten()(att)))
        m1.compile(optimizer="sgd", loss="mse")
        m1.fit(np.random.rand(8, 4, 8), np.random.rand(8, 1), verbose=0)

        m2 = keras.Sequential([keras.Input((3,)), layers.Dense(**config)])
        m2.compile(optimizer="sgd", loss="mse")
        m2.fit(data, np.random.rand(16, 2), verbose=0)

        x = keras.Input((3,))
        a = layers.Dense(1, name="output_a")(x)
        b = layers.Dense(1, activation="sigmoid", name="output_b")(x)
        m3 = keras.Model(x, {"output_a": a, "output_b": b})
        m3.compile(optimizer="sgd", loss={"output_b": "binary_crossentropy"})
        m3.fit(data, {"output_a": np.random.rand(16, 1), "output_b": np.random.randint(0, 2, (16, 1))}, verbose=0)

        m4 = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
        m4.compile(optimizer="sgd", loss="mae")
        m4.fit(data, labels, verbose=0)
    """))
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr[-2000:]
    # the dict-output model (m3) and the **kwargs one (m2) must really be
    # exercised: one rebuilt and run, the other refused as inconclusive
    from fitlint.rules import select

    lines = script.read_text().splitlines()
    line_of = {name: next(i for i, l in enumerate(lines, 1) if l.startswith(f"{name}.fit(")) for name in ("m2", "m3")}
    candidates = {f.line: f for f in lint_source(script.read_bytes(), str(script), select(), programs="all")}
    assert candidates[line_of["m3"]].program and "{'output_a':" in candidates[line_of["m3"]].program
    assert "**kwargs" in candidates[line_of["m2"]].no_program
    out = fitlint("check", "--confirm=all", "--output-format", "json", "--no-cache", str(script), cwd=tmp_path)
    assert json.loads(out.stdout) == []


def test_a_sequential_without_input_is_built_from_the_data(tmp_path):
    """A Sequential with no Input is built by the data the script passes it,
    never from a guessed input shape: its layer finding (an LSTM fed 2-D
    data) is rebuilt by calling the model on synthetic data of the data's
    shape, and TF confirms it."""
    script = tmp_path / "seq.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        import keras
        x = np.random.rand(32, 10)
        y = np.random.randint(0, 3, (32,))
        model = keras.Sequential([keras.layers.LSTM(4), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1)
    """))
    findings = lint_source(script.read_bytes(), str(script), [BY_CODE["FIT302"]], programs="errors")
    assert [f.code for f in findings] == ["FIT302"]
    program = findings[0].program
    assert "keras.Input" not in program and "size=(8, 10)" in program
    confirm(findings, timeout=120, cache_dir=str(tmp_path))
    c = findings[0].confirmation
    assert c["status"] == "confirmed" and "expected ndim=3, found ndim=2" in c["detail"], c


def test_the_slice_spells_losses_as_the_script_does(tmp_path):
    """Losses, optimizers and metrics given as strings stay strings (a slice
    with loss="mae" runs under TF: no FIT503), and a library name the script
    wrote but this Keras lacks (keras.losses.mae) is looked up on a line the
    dry run wrote, so its AttributeError never becomes FIT503."""
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        import keras
        x = np.random.rand(16, 3)
        y = np.random.rand(16, 1)
        good = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="relu")])
        good.compile(optimizer="adam", loss="mae", metrics=["mae"])
        good.fit(x, y, verbose=0)
        odd = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        odd.compile(optimizer="adam", loss=keras.losses.mae)
        odd.fit(x, y, verbose=0)
    """))
    from fitlint.rules import select

    candidates = lint_source(script.read_bytes(), str(script), select(), programs="all")
    programs = {f.line: f.program for f in candidates}
    assert "loss='mae'" in programs[8] and "metrics=['mae']" in programs[8] and "optimizer='adam'" in programs[8]
    assert "keras.losses.mae" not in programs[8]
    lookup = next(l for l in programs[11].splitlines() if l.endswith("= keras.losses.mae"))
    assert not lookup.endswith(slicer.FROM_SCRIPT)
    out = fitlint("check", "--confirm=all", "--output-format", "json", "--no-cache", str(script), cwd=tmp_path)
    assert json.loads(out.stdout) == []


def test_an_approximated_slice_never_refutes(monkeypatch, tmp_path):
    """A finding whose program had to approximate something (here: the data
    is np.full with a value read at run time, so its range is filled in) is
    inconclusive when TF runs cleanly, never refuted; with fully known data
    the same claim is refuted."""
    monkeypatch.setitem(BY_CODE, "FIT999", IntegerDataRule)
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""\
        import sys
        import numpy as np
        import keras
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        known = np.random.randint(0, 10, (16, 4))
        model.fit(known, np.random.rand(16, 1), verbose=0)
        filled = np.full((16, 4), int(sys.argv[1]))
        model.fit(filled, np.random.rand(16, 1), verbose=0)
    """))
    findings = lint_source(script.read_bytes(), str(script), [IntegerDataRule], programs="errors")
    assert [f.line for f in findings] == [7, 9]
    assert not slicer.approximations(findings[0].program)
    assert slicer.approximations(findings[1].program)
    confirm(findings, timeout=120, cache_dir=str(tmp_path))
    assert [f.confirmation["status"] for f in findings] == ["refuted", "inconclusive"]
    assert "approximated" in findings[1].confirmation["detail"]


def test_a_failure_in_code_the_dry_run_wrote_is_not_fit503(tmp_path):
    """FIT503 blames the script only when one of its own statements raises:
    the same failing statement on a line the dry run wrote (synthetic data,
    scaffolding) is inconclusive and FIT503 is not reported."""
    from fitlint.findings import Reported

    def candidate(program):
        f = Reported("FIT503", "dry-run-failure", "error", "the dry run of model.fit failed", "x.py", 1, 1, 1, 1)
        f.program = program
        return f

    ours = candidate(slicer.HEADER + "data = np.zeros(3) + np.zeros(4)\n")
    theirs = candidate(slicer.HEADER + "data = np.zeros(3) + np.zeros(4)" + slicer.FROM_SCRIPT + "\n")
    kept = confirm([ours, theirs], timeout=120, cache_dir=str(tmp_path))
    assert kept == [theirs] and theirs.confirmation["status"] == "confirmed"
    assert ours.confirmation["status"] == "inconclusive"
    assert "code the dry run wrote" in ours.confirmation["detail"]


def test_json_keeps_the_whole_message(tmp_path):
    """confirmation.detail holds TF's whole message, every line of it (the
    label value is on a later line of a graph error), trimmed to a bounded
    length that keeps both its start and its end; the text output shows one
    short line."""
    path = FIXTURES / "rules" / "FIT201_buggy.py"
    out = fitlint("check", "--confirm", "--output-format", "json", "--no-cache", str(path), cwd=tmp_path)
    c = json.loads(out.stdout)[0]["confirmation"]
    lines = c["detail"].splitlines()
    assert len(lines) >= 3 and lines[0].startswith("Graph execution error")
    assert any("Received a label value of 9" in l for l in lines[1:]) and len(c["detail"]) <= DETAIL_CHARS
    long = "head line\n" + "middle\n" * 1000 + "the cause at the end"
    trimmed = detail(long)
    assert len(trimmed) <= DETAIL_CHARS and trimmed.startswith("head line") and trimmed.endswith("the cause at the end")
    text = fitlint("check", "--confirm", str(path), cwd=tmp_path).stdout
    assert "[confirmed: InvalidArgumentError]" in text and "Graph execution error" not in text


def test_each_call_is_rebuilt_with_the_model_as_it_was_then():
    """A model recompiled and grown after a call is rebuilt for that call
    with the loss and layers it had then, not its final ones (no TF run)."""
    source = textwrap.dedent("""\
        import numpy as np
        import keras
        x = np.random.rand(32, 10)
        model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(3)])
        model.compile(optimizer="sgd", loss="mae")
        model.fit(x, np.random.rand(32, 3), verbose=0)
        model.add(keras.layers.Dense(5))
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, np.random.rand(32, 5), verbose=0)
    """).encode()
    from fitlint.rules import select

    programs = {f.line: f.program for f in lint_source(source, "grow.py", select(), programs="all")}
    first, second = programs[6], programs[9]
    assert "loss='mae'" in first and "optimizer='sgd'" in first and "Dense(units=5)" not in first
    assert "loss='mse'" in second and "optimizer='adam'" in second and "Dense(units=3), Dense(units=5)" in second
    assert not slicer.approximations(first) and not slicer.approximations(second)


class WrongLabelsRule(Rule):
    """A wrong analysis: blames the labels' width for a fit that fails on
    the input's width (both are ValueErrors)."""

    code = "FIT998"
    name = "wrong-label-width"
    severity = "error"
    summary = "labels blamed for an input mismatch (false)"
    exception = "ValueError"
    triggers = DATA_CALLS

    def check(self, ctx):
        for call in ctx.facts.calls:
            yield Finding(self.code, "labels have 4 columns but the output has 3 units", call.node, subject=call,
                          evidence=(",4)|,4]", ",3)|,3]"))


def test_the_same_exception_for_another_mismatch_is_inconclusive(monkeypatch, tmp_path):
    """A finding whose analysis is wrong — it blames the labels, while TF
    fails on the input's width with the same ValueError — is inconclusive,
    not confirmed, and its detail shows TF's real complaint."""
    monkeypatch.setitem(BY_CODE, "FIT998", WrongLabelsRule)
    source = textwrap.dedent("""\
        import numpy as np
        import keras
        model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(3)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.random.rand(16, 9), np.random.rand(16, 3), verbose=0)
    """).encode()
    findings = lint_source(source, "wrong.py", [WrongLabelsRule], programs="errors")
    assert len(findings) == 1 and findings[0].program
    confirm(findings, timeout=120, cache_dir=str(tmp_path))
    c = findings[0].confirmation
    assert c["status"] == "inconclusive" and c["exception"] == "ValueError"
    assert "does not name ',4)|,4]'" in c["detail"]
    assert "expected axis -1 of input shape to have value 10" in c["detail"]


def test_planted_dry_run_entry_is_ignored(tmp_path, monkeypatch):
    """A dry-run result committed to the repository (.fitlint_cache/confirm/
    <key>.json claiming a clean run, i.e. "refuted", for a real FIT201 error)
    is ignored, whether unsealed or sealed with another key: the finding is
    confirmed by TensorFlow and the exit code stays 1."""
    from fitlint import cache

    monkeypatch.setenv("FITLINT_KEY_FILE", str(tmp_path / "user" / "key"))
    cache._secret.cache_clear()
    script = tmp_path / "train.py"
    script.write_text((FIXTURES / "rules" / "FIT201_buggy.py").read_text())
    findings = lint_source(script.read_bytes(), "train.py", [BY_CODE["FIT201"]], programs="errors")
    key = runner._key(findings[0].program, runner.tensorflow_version())
    entry = tmp_path / ".fitlint_cache" / "confirm" / f"{key}.json"
    entry.parent.mkdir(parents=True)
    clean_run = json.dumps({"status": "ok", "exception": None, "detail": "", "line": None, "seconds": 0.1})
    entry.write_text(clean_run)
    assert runner._load(str(tmp_path / ".fitlint_cache"), key) is None
    entry.write_bytes(cache.seal(b"1" * 64, "confirm/" + key, clean_run.encode()))
    assert runner._load(str(tmp_path / ".fitlint_cache"), key) is None
    out = fitlint("check", "--confirm", "--output-format", "json", "train.py", cwd=tmp_path)
    data = json.loads(out.stdout)
    assert out.returncode == 1 and [f["confirmation"]["status"] for f in data] == ["confirmed"], out.stdout
    assert runner._load(str(tmp_path / ".fitlint_cache"), key)["status"] == "raised"  # fitlint's own entry now
    cache._secret.cache_clear()


def test_memory_limit_makes_the_case_inconclusive(tmp_path):
    """A program that allocates more than the worker's memory limit ends as
    "memory" (inconclusive, "memory limit exceeded"); the next case runs in a
    fresh worker; nothing of the first is cached."""
    greedy = "import numpy as np\nx = np.ones((1024, 1024, 1024), dtype=np.uint8)\nprint(x.sum())\n"
    ok = "import numpy as np\nimport keras\nkeras.layers.Dense(2)(np.zeros((1, 3)))\n"
    results = runner.run_programs([greedy, ok], timeout=120, cache_dir=str(tmp_path), memory=256)
    assert results[0]["status"] == "memory" and "memory limit exceeded (256 MB)" in results[0]["detail"]
    assert results[1]["status"] == "ok"
    judged = verdict("FIT201", results[0], ("9",), greedy)
    assert judged["status"] == "inconclusive" and judged["detail"].startswith("memory limit exceeded")
    assert len(list((tmp_path / "confirm").iterdir())) == 1  # only the clean run


def test_run_budget_and_remembered_timeouts(tmp_path):
    """The whole dry run stops when its budget is spent: the case running
    then and the cases after it are "run budget exhausted" (inconclusive).
    A case that timed out is not run again in the same process."""
    hang = "import time\nwhile True:\n    time.sleep(0.5)\n"
    ok = "x = 1\n"
    start = time.perf_counter()
    results = runner.run_programs([hang, ok], timeout=100, cache_dir=str(tmp_path), budget=4)
    assert [r["status"] for r in results] == ["budget", "budget"]
    assert all("run budget exhausted" in r["detail"] for r in results)
    assert verdict("FIT201", results[1], ("9",), ok)["status"] == "inconclusive"
    assert time.perf_counter() - start < 100

    stuck = "import time\nwhile True:\n    time.sleep(0.25)\n"
    first = runner.run_programs([stuck], timeout=3, cache_dir=str(tmp_path), budget=None)[0]
    assert first["status"] == "timeout" and not first["cached"]
    start = time.perf_counter()
    again = runner.run_programs([stuck], timeout=3, cache_dir=str(tmp_path), budget=None)[0]
    assert again["status"] == "timeout" and again["cached"]
    assert time.perf_counter() - start < 1.0  # no worker started
