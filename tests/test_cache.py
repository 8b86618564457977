"""The static result cache (.fitlint_cache/static) and its authentication."""
import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fitlint import cache, engine
from fitlint.rules import ALL_RULES, BY_CODE

from conftest import FIXTURES, ROOT

BUGGY = textwrap.dedent("""\
    import numpy as np
    import keras

    NUM_CLASSES = 5
    x = np.random.rand(64, 20).astype("float32")
    y = np.random.randint(0, 10, size=64)
    model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(NUM_CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
""")
FIXED = BUGGY.replace("randint(0, 10,", "randint(0, 5,")
DEFAULT = [r for r in ALL_RULES if r.default]


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    """Every test gets its own secret, outside the checked folder."""
    path = tmp_path / "user-cache" / "fitlint" / "key"
    monkeypatch.setenv("FITLINT_KEY_FILE", str(path))
    cache._secret.cache_clear()
    yield path
    cache._secret.cache_clear()


def fitlint(*args, cwd):
    return subprocess.run([sys.executable, "-m", "fitlint", *args], capture_output=True, cwd=cwd)


def project(tmp_path):
    """A project folder: the rule fixtures (some buggy, some fixed), the seed
    scripts and two notebooks."""
    root = tmp_path / "proj"
    shutil.copytree(FIXTURES / "rules", root / "rules")
    shutil.copytree(FIXTURES / "seeds", root / "seeds")
    (root / "nb").mkdir()
    for name in sorted(os.listdir(FIXTURES / "negative")):
        if name.endswith(".ipynb"):
            shutil.copy(FIXTURES / "negative" / name, root / "nb" / name)
    return root


def counting(monkeypatch):
    """Count the files the engine actually analyses (in this process)."""
    seen = []
    real = engine.lint_path

    def lint_path(path, codes, programs=None):
        seen.append(path)
        return real(path, codes, programs)

    monkeypatch.setattr(engine, "lint_path", lint_path)
    return seen


def render(result):
    return json.dumps([f.to_dict() for f in result.findings]) + repr(result.errors)


@pytest.mark.slow
@pytest.mark.slow
def test_cold_and_warm_outputs_are_byte_identical(tmp_path):
    """In the concise and JSON formats, with
    --jobs 1 and 2, a warm run prints exactly what the cold run and a
    --no-cache run print, with the same exit code; also after one file is
    edited (only its findings change) and after the configuration changes the
    selection."""
    root = project(tmp_path)

    def outputs():
        runs = {}
        for fmt in ("concise", "json"):
            for jobs in ("1", "2"):
                out = fitlint("check", "--output-format", fmt, "--jobs", jobs, ".", cwd=root)
                assert out.returncode in (0, 1), out.stderr
                runs[fmt, jobs] = (out.returncode, out.stdout, out.stderr)
        return runs

    def reference():
        return {fmt: fitlint("check", "--no-cache", "--output-format", fmt, "--jobs", "1", ".", cwd=root)
                for fmt in ("concise", "json")}

    def same(runs, ref):
        for (fmt, jobs), (code, stdout, stderr) in runs.items():
            assert (code, stdout, stderr) == (ref[fmt].returncode, ref[fmt].stdout, ref[fmt].stderr), (fmt, jobs)

    ref = reference()
    assert b"FIT201" in ref["concise"].stdout
    assert not (root / ".fitlint_cache").exists()  # --no-cache writes nothing
    same(outputs(), ref)  # cold, then warm
    assert len(os.listdir(root / ".fitlint_cache" / "static")) > 50
    same(outputs(), ref)  # warm only

    buggy = root / "rules" / "FIT201_buggy.py"
    buggy.write_text(buggy.read_text().replace("randint(0, 10", "randint(0, 5"))
    ref = reference()
    assert b"FIT201_buggy.py" not in ref["concise"].stdout
    same(outputs(), ref)

    (root / "fitlint.toml").write_text('ignore = ["FIT101"]\n')
    ref = reference()
    assert b"FIT101 " not in ref["concise"].stdout
    same(outputs(), ref)


def test_second_run_analyses_nothing(tmp_path, monkeypatch):
    """With nothing changed, the second run analyses no file and returns the
    same findings in the same order; --no-cache (no Cache) analyses every file."""
    root = project(tmp_path)
    files, _ = engine.discover([str(root)])
    seen = counting(monkeypatch)
    store = cache.Cache.open(str(root / ".fitlint_cache"), [r.code for r in DEFAULT], None)
    cold = engine.run(files, DEFAULT, jobs=1, cache=store)
    assert len(seen) == len(files)
    seen.clear()
    warm = engine.run(files, DEFAULT, jobs=1, cache=store)
    assert seen == [] and render(warm) == render(cold)
    assert render(engine.run(files, DEFAULT, jobs=1)) == render(cold) and len(seen) == len(files)


def test_invalidation_by_content_config_and_version(tmp_path, monkeypatch):
    """An entry counts only for the same content, the same selection, the
    same dry-run mode and the same fitlint: changing any one analyses the file
    again."""
    path = tmp_path / "train.py"
    path.write_text(BUGGY)
    folder = str(tmp_path / ".fitlint_cache")
    seen = counting(monkeypatch)
    codes = [r.code for r in DEFAULT]

    def run(store, rules=DEFAULT):
        seen.clear()
        result = engine.run([str(path)], rules, jobs=1, cache=store)
        return len(seen), [f.code for f in result.findings]

    base = cache.Cache.open(folder, codes, None)
    assert run(base) == (1, ["FIT201"])
    assert run(base) == (0, ["FIT201"])
    path.write_text(FIXED)
    assert run(base) == (1, [])
    assert run(base) == (0, [])
    path.write_text(BUGGY)  # the old content's entry is still valid
    assert run(base) == (0, ["FIT201"])
    fewer = [r for r in DEFAULT if r.code != "FIT201"]
    assert run(cache.Cache.open(folder, [r.code for r in fewer], None), fewer) == (1, [])
    assert run(cache.Cache.open(folder, codes, "errors")) == (1, ["FIT201"])
    other = cache.Cache.open(folder, codes, None)
    other.fitlint = "another fitlint"
    assert run(other) == (1, ["FIT201"])


def test_fingerprint_follows_version_and_source(tmp_path):
    """fitlint's fingerprint changes with its version and with any change to
    one of its source files."""
    package = tmp_path / "fitlint"
    shutil.copytree(ROOT / "fitlint", package, ignore=shutil.ignore_patterns("__pycache__"))
    first = cache.package_fingerprint(str(package), "1.0")
    assert cache.package_fingerprint(str(package), "1.0") == first
    assert cache.package_fingerprint(str(package), "1.1") != first
    rule = package / "rules" / "labels.py"
    rule.write_text(rule.read_text() + "\n# changed\n")
    assert cache.package_fingerprint(str(package), "1.0") != first


def test_dependency_change_invalidates(tmp_path, monkeypatch):
    """When the analysis reports that it read another file (Facts.dependencies),
    the entry counts only while that file keeps its content: editing it,
    deleting it, or creating a file the analysis looked for re-checks. A
    dependency is a path, or a path with the hash of what was read."""
    main = tmp_path / "train.py"
    main.write_text(BUGGY)
    dep = tmp_path / "models.py"
    dep.write_text("UNITS = 5\n")
    absent = tmp_path / "layers.py"
    real = engine.analyze

    def analyze(module, path=None):
        facts = real(module, path)
        facts.dependencies += [str(dep), (str(absent), cache.file_hash(str(absent)))]
        return facts

    monkeypatch.setattr(engine, "analyze", analyze)
    seen = counting(monkeypatch)
    store = cache.Cache.open(str(tmp_path / ".fitlint_cache"), [r.code for r in DEFAULT], None)

    def analysed():
        seen.clear()
        engine.run([str(main)], DEFAULT, jobs=1, cache=store)
        return len(seen)

    assert analysed() == 1
    assert analysed() == 0
    dep.write_text("UNITS = 10\n")
    assert analysed() == 1
    assert analysed() == 0
    absent.write_text("X = 1\n")
    assert analysed() == 1
    assert analysed() == 0
    dep.unlink()
    assert analysed() == 1


@pytest.mark.slow
def test_folder_markers_key_and_clean(tmp_path, key_file):
    """The cache folder has a CACHEDIR.TAG and a .gitignore of "*"; the key is
    created outside it with mode 0600; `fitlint clean` removes the folder (and
    says so), and is quiet when there is none."""
    (tmp_path / "train.py").write_text(BUGGY)
    assert fitlint("check", "train.py", cwd=tmp_path).returncode == 1
    folder = tmp_path / ".fitlint_cache"
    assert (folder / ".gitignore").read_text() == "*\n"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_bytes().strip()) == 64
    out = fitlint("clean", cwd=tmp_path)
    assert out.returncode == 0 and b".fitlint_cache" in out.stdout and not folder.exists()
    out = fitlint("clean", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == b""


@pytest.mark.slow
@pytest.mark.slow
def test_cache_folder_is_next_to_the_configuration(tmp_path):
    """Run from a subfolder of a project with a fitlint.toml, the cache goes to
    the project's folder (one location for the static and dry-run caches),
    and `fitlint clean` from the subfolder removes it."""
    (tmp_path / "fitlint.toml").write_text("ignore = []\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(BUGGY)
    assert fitlint("check", "train.py", cwd=tmp_path / "src").returncode == 1
    assert (tmp_path / ".fitlint_cache" / "static").is_dir() and not (tmp_path / "src" / ".fitlint_cache").exists()
    assert fitlint("clean", cwd=tmp_path / "src").returncode == 0
    assert not (tmp_path / ".fitlint_cache").exists()


@pytest.mark.slow
@pytest.mark.slow
def test_planted_entry_is_ignored(tmp_path, monkeypatch):
    """A static entry that claims "no findings" for a buggy file, committed to
    the repository (sealed with another key, or not sealed at all), is ignored:
    the finding is still reported, and the entry is replaced by fitlint's own.
    The same holds for a planted whole-run entry claiming "All checks passed."
    with exit 0. An entry of fitlint's own, copied under another key, does not
    verify either."""
    monkeypatch.chdir(tmp_path)  # the working directory is part of the key
    (tmp_path / "train.py").write_text(BUGGY)
    codes = [r.code for r in DEFAULT]
    store = cache.Cache.open(str(tmp_path / ".fitlint_cache"), codes, None)
    key = store.key("train.py", hashlib.sha256(BUGGY.encode()).hexdigest())
    entry = tmp_path / ".fitlint_cache" / "static" / key
    entry.parent.mkdir(parents=True)
    payload = json.dumps({"deps": [], "findings": []}).encode()
    forged = [lambda k, p: cache.seal(b"0" * 64, k, p),  # another user's key
              lambda k, p: hashlib.sha256(p).hexdigest().encode() + b"\n" + p,  # no key at all
              lambda k, p: p]
    for forge in forged:
        shutil.rmtree(tmp_path / ".fitlint_cache" / "runs", ignore_errors=True)
        entry.write_bytes(forge(key, payload))
        out = fitlint("check", "train.py", cwd=tmp_path)
        assert out.returncode == 1 and b"FIT201" in out.stdout
        assert cache.unseal(store.secret_key, key, entry.read_bytes()) is not None  # fitlint's own entry now
    runs = list((tmp_path / ".fitlint_cache" / "runs").iterdir())
    assert len(runs) == 1
    genuine = json.loads(cache.unseal(store.secret_key, "run/" + runs[0].name, runs[0].read_bytes()))
    claim = json.dumps(dict(genuine, stdout="All checks passed.\n", code=0)).encode()
    for forge in forged:
        runs[0].write_bytes(forge("run/" + runs[0].name, claim))
        out = fitlint("check", "train.py", cwd=tmp_path)
        assert out.returncode == 1 and b"FIT201" in out.stdout and b"All checks passed" not in out.stdout
    # and fitlint's own entry, moved under another file's key, does not count there
    other = store.key("other.py", hashlib.sha256(BUGGY.encode()).hexdigest())
    shutil.copy(entry, entry.parent / other)
    assert cache.unseal(store.secret_key, other, (entry.parent / other).read_bytes()) is None


@pytest.mark.slow
def test_unusable_key_means_no_cache(tmp_path, monkeypatch):
    """When the key cannot be created (its folder is a file), the run still
    works and writes no cache."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv("FITLINT_KEY_FILE", str(blocker / "key"))
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "train.py").write_text(BUGGY)
    out = fitlint("check", "train.py", cwd=tmp_path / "proj")
    assert out.returncode == 1 and b"FIT201" in out.stdout
    assert not (tmp_path / "proj" / ".fitlint_cache").exists()


def test_whole_run_is_replayed_without_the_analysis(tmp_path, monkeypatch, capsys):
    """The same `fitlint check` a second time, nothing changed, prints the
    same output and exit code without running the engine; a change to a
    dependency the analysis reported, to a checked file, or to the command
    line runs it again."""
    from fitlint import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "fixed.py").write_text(FIXED)
    dep = tmp_path / "models.py"
    dep.write_text("UNITS = 5\n")
    real = engine.analyze

    def analyze(module, path=None):
        facts = real(module, path)
        facts.dependencies.append(str(dep))
        return facts

    monkeypatch.setattr(engine, "analyze", analyze)
    runs = []
    real_run = engine.run
    monkeypatch.setattr(engine, "run", lambda *a, **k: runs.append(1) or real_run(*a, **k))
    files = ["train.py", "fixed.py"]

    def check(*extra):
        runs.clear()
        code = cli.main(["check", "--jobs", "1", *extra, *files])
        return code, capsys.readouterr().out, len(runs)

    first = check()
    assert first[0] == 1 and "FIT201" in first[1] and first[2] == 1
    assert check() == (first[0], first[1], 0)
    dep.write_text("UNITS = 6\n")
    assert check() == (first[0], first[1], 1)
    assert check() == (first[0], first[1], 0)
    (tmp_path / "fixed.py").write_text(FIXED + "\n# edited\n")
    assert check() == (first[0], first[1], 1)
    code, out, ran = check("--output-format", "json")
    assert ran == 1 and json.loads(out)[0]["code"] == "FIT201"
    assert check("--output-format", "json") == (code, out, 0)


def test_replayed_run_imports_no_analysis(tmp_path):
    """A run answered from the cache imports neither LibCST nor the rules
    (the cost of a warm run is Python's start and reading the files)."""
    (tmp_path / "train.py").write_text(BUGGY)
    probe = ("import sys; from fitlint.cli import main; code = main(['check', 'train.py']); "
             "print(code, 'libcst' in sys.modules, 'fitlint.rules' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert first.stdout.splitlines()[-1] == "1 True True"
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert second.stdout.splitlines()[-1] == "1 False False"
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]


def test_output_format_names_match_the_renderers():
    """The command line's format names (kept light for cached runs) are
    exactly the renderers' names."""
    from fitlint.cli import OUTPUT_FORMATS
    from fitlint.output import FORMATS

    assert sorted(OUTPUT_FORMATS) == sorted(FORMATS)


@pytest.mark.slow
@pytest.mark.slow
def test_project_module_edit_and_creation_invalidate(tmp_path):
    """A script's cached result is re-checked when a project module it imports
    changes (the error appears) and when a module it imports is created
    where it was looked for and not found (the import now means that file)."""
    folder = tmp_path / "proj"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "script_folder", folder)
    (folder / "train_buggy.py").unlink()
    first = fitlint("check", "--output-format", "json", "train_fixed.py", cwd=folder)
    assert first.returncode == 0, first.stdout
    utils = folder / "utils.py"
    utils.write_text(utils.read_text().replace("VOCAB = 50", "VOCAB = 50\nWIDE = 80").replace(
        "randint(0, vocab,", "randint(0, WIDE,"))
    second = fitlint("check", "--output-format", "json", "train_fixed.py", cwd=folder)
    assert second.returncode == 1 and b"FIT301" in second.stdout, second.stdout
    moved = folder / "helpers_later.py"
    utils.rename(moved)
    third = fitlint("check", "--output-format", "json", "train_fixed.py", cwd=folder)
    assert third.returncode == 0, third.stdout  # `import utils` is unknown now
    moved.rename(utils)
    fourth = fitlint("check", "--output-format", "json", "train_fixed.py", cwd=folder)
    assert fourth.stdout == second.stdout
