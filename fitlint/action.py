"""The GitHub Action's step (``action.yml``): run ``fitlint check`` once for
the findings and once more (answered from the result cache) in the format
the chosen report needs, write the step outputs and the job summary, and say
whether the job must fail.

Inputs come from environment variables (never interpolated into a shell):

``FITLINT_PATHS``          paths to check, separated by blanks or newlines (default ``.``)
``FITLINT_CONFIG``         a ``pyproject.toml``/``fitlint.toml`` (default: the nearest one)
``FITLINT_CONFIRM``        ``false`` (default), ``true`` (errors) or ``all``
``FITLINT_REPORT``         ``sarif`` (code scanning), ``review`` (reviewdog rdjson) or ``annotations``
``FITLINT_FAIL_ON``        ``error`` (default), ``warning``, ``info`` or ``never``
``FITLINT_CHANGED_SINCE``  a git revision; on a pull request it defaults to the base branch
``FITLINT_ARGS``           extra arguments for ``fitlint check`` (split like a shell would)

Run as ``python -m fitlint.action``; exit 0 when the job may go on, 1 when
findings at or above the fail-on level were reported, 2 on bad inputs or
when fitlint itself could not run (its message is printed).
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

REPORTS = ("sarif", "review", "annotations")
LEVELS = {"info": 0, "warning": 1, "error": 2}
FAIL_ON = tuple(LEVELS) + ("never",)
CONFIRM = {"false": None, "": None, "true": "--confirm", "errors": "--confirm", "all": "--confirm=all"}


class InputError(ValueError):
    pass


def _inputs(env: Dict[str, str]) -> dict:
    def get(name: str, default: str = "") -> str:
        return env.get(name, "").strip() or default

    report = get("FITLINT_REPORT", "sarif").lower()
    if report not in REPORTS:
        raise InputError(f"report must be one of {', '.join(REPORTS)}, not {report!r}")
    fail_on = get("FITLINT_FAIL_ON", "error").lower()
    if fail_on not in FAIL_ON:
        raise InputError(f"fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    confirm = get("FITLINT_CONFIRM", "false").lower()
    if confirm not in CONFIRM:
        raise InputError(f"confirm must be false, true or all, not {confirm!r}")
    since = get("FITLINT_CHANGED_SINCE")
    if not since and env.get("GITHUB_EVENT_NAME", "").startswith("pull_request") and env.get("GITHUB_BASE_REF"):
        since = f"origin/{env['GITHUB_BASE_REF']}"
    try:
        extra = shlex.split(get("FITLINT_ARGS"))
    except ValueError as exc:
        raise InputError(f"args: {exc}") from None
    return {
        "paths": get("FITLINT_PATHS", ".").split(),
        "config": get("FITLINT_CONFIG") or None,
        "confirm": CONFIRM[confirm],
        "report": report,
        "fail_on": fail_on,
        "since": since or None,
        "extra": extra,
    }


def _command(opts: dict, fmt: str, output: str) -> List[str]:
    cmd = [sys.executable, "-m", "fitlint", "check", "--exit-zero", "--output-format", fmt, "--output-file", output]
    if opts["config"]:
        cmd += ["--config", opts["config"]]
    if opts["confirm"]:
        cmd.append(opts["confirm"])
    if opts["since"]:
        cmd += ["--changed-since", opts["since"]]
    return cmd + list(opts["extra"]) + ["--"] + list(opts["paths"])


def _run(cmd: Sequence[str]) -> Optional[str]:
    """None when fitlint ran; its error message otherwise."""
    done = subprocess.run(list(cmd), capture_output=True, text=True)
    if done.stderr:
        sys.stderr.write(done.stderr)
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
    return None


def _summary(findings: List[dict], opts: dict, failed: bool) -> str:
    counts = {level: sum(1 for f in findings if f.get("severity") == level) for level in ("error", "warning", "info")}
    lines = ["## fitlint", ""]
    if not findings:
        lines.append("No findings.")
    else:
        lines += ["| severity | findings |", "| --- | --- |"]
        lines += [f"| {level} | {n} |" for level, n in counts.items() if n]
        lines += ["", "| where | rule | message |", "| --- | --- | --- |"]
        for f in findings[:50]:
            where = f"{f['path']}:{f['line']}" + (f" (cell {f['cell']})" if f.get("cell") else "")
            message = f["message"].replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{where}` | {f['code']} {f['severity']} | {message} |")
        if len(findings) > 50:
            lines.append(f"| … | | {len(findings) - 50} more |")
    if opts["since"]:
        lines += ["", f"Only findings on lines changed since `{opts['since']}`."]
    lines += ["", f"fail-on: `{opts['fail_on']}` -> {'failed' if failed else 'passed'}", ""]
    return "\n".join(lines)


def main(env: Optional[Dict[str, str]] = None) -> int:
    env = dict(os.environ if env is None else env)
    try:
        opts = _inputs(env)
    except InputError as exc:
        sys.stderr.write(f"fitlint action: error: {exc}\n")
        return 2
    folder = env.get("RUNNER_TEMP") or os.getcwd()
    results = os.path.join(folder, "fitlint.json")
    problem = _run(_command(opts, "json", results))
    if problem is not None:
        sys.stderr.write(f"fitlint action: error: fitlint could not run: {problem}\n")
        return 2
    with open(results, encoding="utf-8") as handle:
        findings = json.load(handle)
    report_file = ""
    if opts["report"] == "sarif":
        report_file = os.path.join(folder, "fitlint.sarif")
        problem = _run(_command(opts, "sarif", report_file))
    elif opts["report"] == "review":
        report_file = os.path.join(folder, "fitlint.rdjson")
        problem = _run(_command(opts, "rdjson", report_file))
    else:
        annotations = os.path.join(folder, "fitlint.github")
        problem = _run(_command(opts, "github", annotations))
        if problem is None:
            with open(annotations, encoding="utf-8") as handle:
                sys.stdout.write(handle.read())  # workflow commands: GitHub turns them into annotations
    if problem is not None:
        sys.stderr.write(f"fitlint action: error: fitlint could not run: {problem}\n")
        return 2
    threshold = LEVELS.get(opts["fail_on"])
    failing = [f for f in findings if threshold is not None and LEVELS.get(f.get("severity"), 0) >= threshold]
    failed = bool(failing)
    outputs = {
        "findings": str(len(findings)),
        "errors": str(sum(1 for f in findings if f.get("severity") == "error")),
        "report-file": report_file,
        "failed": "true" if failed else "false",
    }
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
            handle.writelines(f"{k}={v}\n" for k, v in outputs.items())
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as handle:
            handle.write(_summary(findings, opts, failed))
    sys.stderr.write(f"fitlint: {len(findings)} finding(s), {len(failing)} at or above {opts['fail_on']}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
