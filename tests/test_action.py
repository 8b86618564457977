"""The GitHub Action: ``action.yml`` checked against the action metadata
syntax, and its step (``python -m fitlint.action``) run locally on a demo
repository as the runner would run it."""
import json
import os
import re
import subprocess
import sys

import yaml

from conftest import ROOT
from test_review import BUGGY, FIXED, git, repo

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEP_OUTPUTS = {"findings", "errors", "report-file", "failed", "code"}


def test_action_metadata_is_valid():
    """action.yml uses only the keys GitHub's action metadata allows, is a
    composite action whose run steps all name a shell, declares a description
    for every input and output, and refers only to inputs it declares and
    step outputs the fitlint step writes."""
    assert set(ACTION) <= {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
    assert ACTION["name"] and ACTION["description"]
    assert {"paths", "config", "confirm", "fail-on", "report", "changed-since"} <= set(ACTION["inputs"])
    for name, spec in ACTION["inputs"].items():
        assert set(spec) <= {"description", "required", "default", "deprecationMessage"}, name
        assert spec["description"], name
    for name, spec in ACTION["outputs"].items():
        assert set(spec) == {"description", "value"}, name
    runs = ACTION["runs"]
    assert runs["using"] == "composite"
    ids = set()
    for step in runs["steps"]:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] in ("bash", "pwsh", "python", "sh"), step
            assert "${{" not in step["run"], "inputs reach the shell through env, never interpolated"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]
        ids.add(step.get("id"))
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"inputs\.([\w-]+)", text)) <= set(ACTION["inputs"])
    for step_id, output in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", text):
        assert step_id in ids and output in STEP_OUTPUTS, (step_id, output)


def _demo(tmp_path):
    root = repo(tmp_path / "demo")
    (root / "old.py").write_text(BUGGY)
    (root / "train.py").write_text(FIXED)
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    return root


def _step(root, tmp_path, **inputs):
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    out.write_text(""), summary.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "FITLINT_"))}
    env.update(GITHUB_OUTPUT=str(out), GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(tmp_path))
    env.update({f"FITLINT_{k.upper()}": v for k, v in inputs.items() if not k.startswith("GITHUB")})
    env.update({k: v for k, v in inputs.items() if k.startswith("GITHUB")})
    done = subprocess.run([sys.executable, "-m", "fitlint.action"], cwd=root, env=env, capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    return done, outputs, summary.read_text()


def test_sarif_report_and_fail_on(tmp_path):
    """Default inputs: the whole tree is checked, a SARIF file with the
    finding is written for code scanning, the outputs count it, the job
    summary lists it, and the step fails; with fail-on never it passes."""
    root = _demo(tmp_path)
    done, outputs, summary = _step(root, tmp_path)
    assert done.returncode == 1, done.stderr
    assert outputs["findings"] == "1" and outputs["errors"] == "1" and outputs["failed"] == "true"
    sarif = json.loads(open(outputs["report-file"], encoding="utf-8").read())
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["FIT201"]
    assert "old.py" in results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert "FIT201" in summary and "`old.py:11`" in summary and "failed" in summary
    done, outputs, _ = _step(root, tmp_path, fail_on="never")
    assert done.returncode == 0 and outputs["failed"] == "false" and outputs["findings"] == "1"


def test_pull_request_reports_only_changed_lines(tmp_path):
    """On a pull request the base branch is the default changed-since
    revision: the untouched old bug is not reported, the new one is, here as
    workflow-command annotations."""
    root = _demo(tmp_path)
    (root / "new.py").write_text(BUGGY)
    done, outputs, summary = _step(root, tmp_path, report="annotations",
                                   GITHUB_EVENT_NAME="pull_request", GITHUB_BASE_REF="main")
    assert done.returncode == 1, done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 1 and annotations[0].startswith("::error file=new.py,line=11")
    assert outputs["findings"] == "1" and "origin/main" in summary


def test_review_report_is_rdjson(tmp_path):
    """report review writes reviewdog's rdjson for the finding, and
    warnings alone pass with the default fail-on error."""
    root = _demo(tmp_path)
    done, outputs, _ = _step(root, tmp_path, report="review", paths="old.py train.py")
    assert done.returncode == 1
    rdjson = json.loads(open(outputs["report-file"], encoding="utf-8").read())
    assert [d["code"]["value"] for d in rdjson["diagnostics"]] == ["FIT201"]
    (root / "old.py").write_text(FIXED)
    done, outputs, _ = _step(root, tmp_path, report="review")
    assert done.returncode == 0 and outputs["findings"] == "0"


def test_bad_inputs_exit_2_with_one_line(tmp_path):
    """An unknown report or fail-on level, or a path that does not exist, is
    one clear error line and exit 2, never a traceback."""
    root = _demo(tmp_path)
    for inputs, message in (({"report": "email"}, "report must be one of"),
                            ({"fail_on": "fatal"}, "fail-on must be one of"),
                            ({"paths": "no_such_dir"}, "fitlint could not run")):
        done, _, _ = _step(root, tmp_path, **inputs)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
