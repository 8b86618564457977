"""The dry run (``--confirm``) under real TensorFlow."""
import json
import subprocess
import sys
import textwrap
import time

import pytest

from fitlint import cli
from fitlint.analysis.values import Array
from fitlint.confirm import confirm, runner
from fitlint.engine import lint_source
from fitlint.findings import Finding
from fitlint.rules import BY_CODE, Rule
from fitlint.rules.base import DATA_CALLS

from conftest import FIXTURES, ROOT, expectation


def fitlint(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "fitlint", *args], capture_output=True, text=True, cwd=cwd)


def test_every_buggy_fixture_is_confirmed(tmp_path):
    out = fitlint("check", "--confirm", "--output-format", "json", "--no-cache", str(FIXTURES / "rules"))
    findings = json.loads(out.stdout)
    errors = [f for f in findings if f["severity"] == "error" and f["code"] != "FIT000"]
    buggy = {p.name for p in (FIXTURES / "rules").glob("*_buggy.py") if not p.name.startswith("FIT000")}
    assert {f["path"].rsplit("/", 1)[1] for f in errors} == buggy
    for f in errors:
        c = f["confirmation"]
        expected = expectation(FIXTURES / "rules" / f["path"].rsplit("/", 1)[1])
        assert c["status"] == "confirmed", f
        assert c["exception"] == expected and c["exception"] in BY_CODE[f["code"]].exception.split("|")
        assert c["detail"] and c["seconds"] >= 0


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
    monkeypatch.setitem(BY_CODE, "FIT999", IntegerDataRule)
    seed = FIXTURES / "seeds" / "seed000_ex2.py"
    findings = lint_source(seed.read_bytes(), str(seed), [IntegerDataRule], programs="errors")
    assert findings and all(f.program for f in findings)
    confirmed = confirm(findings, timeout=120, cache_dir=str(tmp_path))
    assert [f.confirmation["status"] for f in confirmed] == ["refuted"] * len(findings)


def test_custom_layers_and_file_reads_are_never_run(tmp_path):
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
    assert statuses[0][0] == "inconclusive" and "layers are not all known" in statuses[0][1]
    assert statuses[1][0] == "inconclusive" and "not know" in statuses[1][1]
    assert not trace.exists(), trace.read_text()


def test_a_hanging_case_times_out_alone(tmp_path):
    hang = "import time\nwhile True:\n    time.sleep(1)\n"
    ok = "import numpy as np\nimport keras\nkeras.layers.Dense(2)(np.zeros((1, 3)))\n"
    start = time.perf_counter()
    results = runner.run_programs([hang, ok], timeout=8, cache_dir=str(tmp_path))
    assert results[0]["status"] == "timeout"
    assert results[1]["status"] == "ok"
    assert time.perf_counter() - start < 120


def test_results_are_cached(tmp_path):
    program = "import numpy as np\nnp.zeros(3) + np.zeros(4)\n"
    first = runner.run_programs([program], cache_dir=str(tmp_path))[0]
    assert first["status"] == "raised" and first["exception"] == "ValueError" and not first["cached"]
    start = time.perf_counter()
    second = runner.run_programs([program], cache_dir=str(tmp_path))[0]
    assert second["cached"] and second["exception"] == "ValueError"
    assert time.perf_counter() - start < 1.0  # no TensorFlow started


def test_confirm_all_reports_a_failing_call_no_rule_saw(tmp_path):
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
    assert findings[0]["confirmation"]["status"] == "confirmed"
    assert "TensorFlow raised" in findings[0]["message"]


def test_refuted_findings_leave_the_output(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(BY_CODE, "FIT999", IntegerDataRule)
    monkeypatch.setattr("fitlint.cli.select", lambda *a, **k: [IntegerDataRule])
    seed = FIXTURES / "seeds" / "seed001_ex2.py"
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--confirm", str(seed)]) == 0
    out = capsys.readouterr().out
    assert "FIT999" not in out and "refuted by the dry run" in out
    assert cli.main(["check", "--confirm", "--show-refuted", str(seed)]) == 0
    assert "[refuted: ran without error]" in capsys.readouterr().out


def test_missing_tensorflow_is_one_line_and_exit_2(monkeypatch, capsys):
    real = runner.util.find_spec
    monkeypatch.setattr(runner.util, "find_spec", lambda name, *a: None if name == "tensorflow" else real(name, *a))
    code = cli.main(["check", "--confirm", str(FIXTURES / "rules" / "FIT201_buggy.py")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "fitlint[confirm]" in err


def test_programs_for_partly_known_values():
    from fitlint.analysis.facts import OneHot
    from fitlint.confirm import slicer

    labels = Array((None,), "int64", 0, 7)  # sample count unknown: a handful are made
    program = slicer.program_for(OneHot(None, "to_categorical", labels, 3, None), "FIT210")
    assert "size=(8,)" in program and "num_classes=3" in program
    with pytest.raises(slicer.Inconclusive):
        slicer.program_for(OneHot(None, "to_categorical", Array((None, None), "int64", 0, 7), 3, None), "FIT210")


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
