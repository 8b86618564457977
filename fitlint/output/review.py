"""Formats for review bots: SARIF 2.1.0 (GitHub code scanning), GitHub
Actions workflow commands, and reviewdog's rdjson."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from functools import lru_cache
from typing import Any, Dict, List, Optional

from .. import DOCS_URL, __version__
from ..findings import Related, Reported
from ..rules import ALL_RULES, Rule

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def help_uri(rule) -> str:
    return f"{DOCS_URL}#{rule.code.lower()}-{rule.name}"


@lru_cache(maxsize=1)
def repo_root() -> str:
    """The git work tree's top folder (paths in SARIF are relative to it),
    else the working directory."""
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return os.path.realpath(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return os.path.realpath(os.getcwd())


def repo_path(path: str) -> str:
    if path in ("-", "") or not os.path.exists(path):
        return path.replace(os.sep, "/")
    return os.path.relpath(os.path.realpath(path), repo_root()).replace(os.sep, "/")


@lru_cache(maxsize=256)
def _lines(path: str) -> List[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def fingerprints(findings: List[Reported]) -> Dict[int, str]:
    """Per finding: a hash of the rule, the file, the text of the reported
    line and its rank among identical ones — no line numbers, so edits
    elsewhere in the file keep it."""
    seen: Dict[tuple, int] = {}
    out = {}
    for f in findings:
        lines = _lines(f.path) if f.cell is None else []
        text = lines[f.line - 1].strip() if 0 < f.line <= len(lines) else f.message
        key = (f.code, repo_path(f.path), f.cell, " ".join(text.split()))
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha256(repr(key + (seen[key],)).encode()).hexdigest()[:32]
        out[id(f)] = digest
    return out


def _doc_section(rule, title: str) -> str:
    doc = rule.doc()
    marker = f"## {title}"
    if marker not in doc:
        return rule.summary
    body = doc.split(marker, 1)[1].split("\n## ", 1)[0]
    return " ".join(body.split())


def _sarif_location(path: str, line: int, column: int, end_line: Optional[int] = None,
                    end_column: Optional[int] = None) -> dict:
    region = {"startLine": line, "startColumn": column}
    if end_line is not None and end_column is not None:
        region["endLine"] = end_line
        region["endColumn"] = end_column + 1  # SARIF end columns are exclusive
    return {"physicalLocation": {"artifactLocation": {"uri": repo_path(path), "uriBaseId": "%SRCROOT%"},
                                 "region": region}}


def _where(f: Reported) -> str:
    return f" (notebook cell {f.cell})" if f.cell is not None else ""


def render_sarif(findings: List[Reported]) -> str:
    rules = list(ALL_RULES)
    index = {r.code: i for i, r in enumerate(rules)}
    prints = fingerprints(findings)
    results = []
    for f in findings:
        related = []
        for i, r in enumerate(f.related):
            loc = _sarif_location(r.path, r.line, r.column)
            loc["id"] = i + 1
            loc["message"] = {"text": r.message + (f" (notebook cell {r.cell})" if r.cell is not None else "")}
            related.append(loc)
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message + _where(f) + (f"\nhint: {f.hint}" if f.hint else "")},
            "locations": [_sarif_location(f.path, f.line, f.column, f.end_line, f.end_column)],
            "partialFingerprints": {"fitlintFinding/v1": prints[id(f)]},
        }
        if related:
            result["relatedLocations"] = related
        if f.fix is not None and all(e.cell is None for e in f.fix.edits):
            result["fixes"] = [{
                "description": {"text": f"{f.fix.message} ({f.fix.applicability})"},
                "artifactChanges": [{
                    "artifactLocation": {"uri": repo_path(f.path), "uriBaseId": "%SRCROOT%"},
                    "replacements": [{
                        "deletedRegion": {"startLine": e.start[0], "startColumn": e.start[1],
                                          "endLine": e.end[0], "endColumn": e.end[1]},  # exclusive, as SARIF's
                        "insertedContent": {"text": e.content},
                    } for e in f.fix.edits],
                }],
            }]
        if f.confirmation:
            result["properties"] = {"confirmation": f.confirmation}
        results.append(result)
    driver = {
        "name": "fitlint",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": DOCS_URL,
        "rules": [{
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": _doc_section(r, "What it does")},
            "help": {"text": r.doc(), "markdown": r.doc()},
            "helpUri": help_uri(r),
            "defaultConfiguration": {"level": _LEVEL[r.severity], "enabled": r.default},
            "properties": {"tags": ["keras", "tensorflow"], "problem.severity": r.severity,
                           **({"splitFrom": r.split_from} if r.split_from else {})},
        } for r in rules],
    }
    root = repo_root().replace(os.sep, "/")
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + ("" if root.startswith("/") else "/") + root + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(sarif, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: List[Reported]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    kind = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for f in findings:
        props = [f"file={_escape_property(f.path)}", f"line={f.line}", f"col={f.column}"]
        if f.cell is None:
            props += [f"endLine={f.end_line}"]
            if f.end_line == f.line:
                props += [f"endColumn={f.end_column}"]
        props.append(f"title={_escape_property(f'{f.code} {f.name}')}")
        text = f.message + _where(f)
        for r in f.related:
            text += f"\n{r.where()}: {r.message}"
        if f.hint:
            text += f"\nhint: {f.hint}"
        out.append(f"::{kind[f.severity]} {','.join(props)}::{_escape_data(text)}")
    return "\n".join(out) + ("\n" if out else "")


def _rd_range(line: int, column: int, end_line: Optional[int] = None, end_column: Optional[int] = None) -> dict:
    rng = {"start": {"line": line, "column": column}}
    if end_line is not None and end_column is not None:
        rng["end"] = {"line": end_line, "column": end_column + 1}  # exclusive end
    return rng


def render_rdjson(findings: List[Reported]) -> str:
    """reviewdog's Diagnostic Result format (rdjson)."""
    severity = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
    rules = {r.code: r for r in ALL_RULES}
    diagnostics = []
    for f in findings:
        diagnostic: Dict[str, Any] = {
            "message": f.message + _where(f) + (f"\nhint: {f.hint}" if f.hint else ""),
            "location": {"path": f.path, "range": _rd_range(f.line, f.column, f.end_line, f.end_column)},
            "severity": severity[f.severity],
            "source": {"name": "fitlint", "url": DOCS_URL},
            "code": {"value": f.code, "url": help_uri(rules[f.code])},
        }
        if f.fix is not None and all(e.cell is None for e in f.fix.edits):
            diagnostic["suggestions"] = [{"range": {"start": {"line": e.start[0], "column": e.start[1]},
                                                    "end": {"line": e.end[0], "column": e.end[1]}},
                                          "text": e.content} for e in f.fix.edits]
        if f.related:
            diagnostic["related_locations"] = [
                {"message": r.message, "location": {"path": r.path, "range": _rd_range(r.line, r.column)}}
                for r in f.related]
        diagnostics.append(diagnostic)
    return json.dumps({"source": {"name": "fitlint", "url": DOCS_URL}, "diagnostics": diagnostics}, indent=2) + "\n"


__all__ = ["render_sarif", "render_github", "render_rdjson", "fingerprints", "Related", "Rule"]
