"""Review-bot formats, --diff, docs, and the pre-commit hook, end to end."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fitlint.docs import render
from fitlint.rules import ALL_RULES

from conftest import FIXTURES, ROOT
from test_cli import run

BUGGY = (FIXTURES / "rules" / "FIT201_buggy.py").read_text()
FIXED = (FIXTURES / "rules" / "FIT201_fixed.py").read_text()


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def repo(tmp_path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.invalid")
    git(tmp_path, "config", "user.name", "t")
    return tmp_path


def test_sarif_fields(tmp_path):
    """The SARIF report is valid 2.1.0 with every rule's metadata, the finding's
    repository-relative location, its four related locations, and a fingerprint
    that survives an unrelated edit above it."""
    root = repo(tmp_path)
    (root / "src").mkdir()
    (root / "src" / "train.py").write_text(BUGGY)
    data = json.loads(run("check", "--output-format", "sarif", "src", cwd=root).stdout)
    assert data["version"] == "2.1.0" and data["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = data["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "fitlint" and driver["version"]
    assert [r["id"] for r in driver["rules"]] == [r.code for r in ALL_RULES]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["helpUri"].startswith("https://") and "#fit" in rule["helpUri"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    (result,) = run_["results"]
    assert result["ruleId"] == "FIT201" and driver["rules"][result["ruleIndex"]]["id"] == "FIT201"
    assert result["level"] == "error" and result["message"]["text"].startswith("labels reach 9")
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "src/train.py"  # relative to the repository
    assert loc["region"] == {"startLine": 11, "startColumn": 1, "endLine": 11, "endColumn": 52}
    assert len(result["relatedLocations"]) == 4  # output layer, units constant, loss, labels
    for i, rel in enumerate(result["relatedLocations"], 1):
        assert rel["id"] == i and rel["message"]["text"]
        assert rel["physicalLocation"]["artifactLocation"]["uri"] == "src/train.py"
        assert rel["physicalLocation"]["region"]["startLine"] >= 1
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    print_before = result["partialFingerprints"]["fitlintFinding/v1"]
    # an unrelated edit above the finding keeps the fingerprint
    (root / "src" / "train.py").write_text("# a comment\n\nimport os\n" + BUGGY)
    data = json.loads(run("check", "--output-format", "sarif", "src", cwd=root).stdout)
    moved = data["runs"][0]["results"][0]
    assert moved["locations"][0]["physicalLocation"]["region"]["startLine"] == 14
    assert moved["partialFingerprints"]["fitlintFinding/v1"] == print_before


def test_github_workflow_commands(tmp_path):
    """The github format emits one ::error command with file, line, columns and
    title, escapes newlines, and omits endColumn for a multi-line call."""
    (tmp_path / "t.py").write_text(BUGGY)
    out = run("check", "--output-format", "github", "t.py", cwd=tmp_path).stdout.splitlines()
    assert len(out) == 1
    head, message = out[0].split("::", 2)[1:]
    kind, props = head.split(" ", 1)
    assert kind == "error"
    fields = dict(p.split("=", 1) for p in props.split(","))
    assert fields == {"file": "t.py", "line": "11", "col": "1", "endLine": "11", "endColumn": "51",
                      "title": "FIT201 sparse-label-out-of-range"}
    assert "\n" not in message and "%0A" in message and message.startswith("labels reach 9")
    multi = tmp_path / "m.py"
    multi.write_text(BUGGY.replace("model.fit(x, y, epochs=1", "model.fit(\n    x,\n    y, epochs=1"))
    line = run("check", "--output-format", "github", "m.py", cwd=tmp_path).stdout.splitlines()[0]
    fields = dict(p.split("=", 1) for p in line.split("::")[1].split(" ", 1)[1].split(","))
    assert fields["line"] == "11" and fields["endLine"] == "13" and "endColumn" not in fields


def test_rdjson(tmp_path):
    """The rdjson report has the severity, the code with its docs URL, the location
    range and the related locations."""
    (tmp_path / "t.py").write_text(BUGGY)
    data = json.loads(run("check", "--output-format", "rdjson", "t.py", cwd=tmp_path).stdout)
    assert data["source"]["name"] == "fitlint"
    (d,) = data["diagnostics"]
    assert d["severity"] == "ERROR" and d["code"]["value"] == "FIT201" and d["code"]["url"].endswith(
        "#fit201-sparse-label-out-of-range")
    assert d["location"] == {"path": "t.py", "range": {"start": {"line": 11, "column": 1},
                                                       "end": {"line": 11, "column": 52}}}
    assert len(d["related_locations"]) == 4 and d["related_locations"][0]["location"]["path"] == "t.py"


def test_diff_reports_only_changed_lines(tmp_path):
    """--changed-since reports a finding only when its line or one of its
    related lines changed since the revision (or the file is new); a bad
    revision exits 2; the former name --diff gives the same findings with a
    deprecation note."""
    root = repo(tmp_path)
    (root / "old.py").write_text(BUGGY)
    (root / "train.py").write_text(FIXED)
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    # a new bug in train.py (its output layer, a related line, changes), old.py untouched
    (root / "train.py").write_text(FIXED.replace("Dense(NUM_CLASSES,", "Dense(5,"))
    (root / "new.py").write_text(BUGGY)
    out = run("check", "--output-format", "json", "--changed-since", "HEAD", ".", cwd=root)
    found = sorted((f["path"], f["line"]) for f in json.loads(out.stdout))
    assert found == [("new.py", 11), ("train.py", 11)]  # train.py: via its changed related line 7
    assert "deprecated" not in out.stderr
    old = run("check", "--output-format", "json", "--diff", "HEAD", ".", cwd=root)
    assert old.stdout == out.stdout and "--diff is deprecated, use --changed-since" in old.stderr
    assert len(json.loads(run("check", "--output-format", "json", ".", cwd=root).stdout)) == 3
    bad = run("check", "--changed-since", "no-such-rev", ".", cwd=root)
    assert bad.returncode == 2 and "--changed-since no-such-rev" in bad.stderr and "Traceback" not in bad.stderr


def test_docs_are_current():
    """docs/rules.md is exactly what the rule docstrings render to now."""
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_refuses_then_accepts(tmp_path):
    """The pre-commit hook refuses a commit with a FIT201 bug, accepts the fix,
    keeps the configured excludes for the files it names, installs without
    TensorFlow/Keras/NumPy, and works with try-repo."""
    precommit = Path(sys.executable).parent / "pre-commit"
    if not precommit.exists():
        pytest.fail("pre-commit is part of the test extra")
    hooks = repo(tmp_path / "hooks")
    # the hook repository: this checkout, committed as it is now
    for name in ("fitlint", "pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, hooks / name)
    git(hooks, "add", ".")
    git(hooks, "commit", "-qm", "hooks")
    rev = git(hooks, "rev-parse", "HEAD").strip()
    project = repo(tmp_path / "project")
    (project / ".pre-commit-config.yaml").write_text(textwrap.dedent(f"""
        repos:
          - repo: {hooks}
            rev: {rev}
            hooks:
              - id: fitlint
    """))
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    subprocess.run([str(precommit), "install"], cwd=project, env=env, check=True, capture_output=True)
    (project / "train.py").write_text(BUGGY)
    git(project, "add", ".")
    refused = subprocess.run(["git", "commit", "-m", "buggy"], cwd=project, env=env, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "FIT201 labels reach 9 but the output has 5 units" in refused.stdout + refused.stderr
    (project / "train.py").write_text(FIXED)
    git(project, "add", ".")
    accepted = subprocess.run(["git", "commit", "-m", "fixed"], cwd=project, env=env, capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    # pre-commit names every staged file: the configured excludes still apply
    (project / "pyproject.toml").write_text('[tool.fitlint]\nextend-exclude = ["generated"]\n')
    (project / "generated").mkdir()
    (project / "generated" / "bad.py").write_text(BUGGY)
    git(project, "add", ".")
    excluded = subprocess.run(["git", "commit", "-m", "generated"], cwd=project, env=env, capture_output=True,
                              text=True)
    assert excluded.returncode == 0, excluded.stdout + excluded.stderr
    installed = [p.name.lower() for p in (tmp_path / "cache").rglob("site-packages/*")]
    assert any(n.startswith("libcst") for n in installed)
    assert not any(n.startswith(("tensorflow", "keras", "numpy")) for n in installed)
    # try-repo against the hook repository, as a user would before adopting it
    tried = subprocess.run([str(precommit), "try-repo", str(hooks), "fitlint", "--files", "train.py"],
                           cwd=project, env=env, capture_output=True, text=True)
    assert tried.returncode == 0, tried.stdout
