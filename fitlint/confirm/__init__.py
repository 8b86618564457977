"""The dry run: confirm findings by running a small program under TensorFlow.

``slicer`` builds the program from the analysis, ``runner`` runs programs in
one worker process, and :func:`confirm` turns results into verdicts.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

from ..findings import Reported
from ..rules import BY_CODE, SyntaxErrorRule
from . import slicer
from .evidence import detail, first_line, missing
from .runner import BUDGET, MEMORY_MB, MissingTensorFlow, run_programs, tensorflow_version

__all__ = ["MissingTensorFlow", "confirm", "tensorflow_version", "verdict"]


def verdict(code: str, result: dict, evidence: Sequence[str] = (), program: str = "") -> dict:
    """confirmed / refuted / inconclusive from the rule, the finding's
    evidence, the program that ran and TensorFlow's outcome.

    confirmed: a statement of the script raised the exception the rule
    documents and TensorFlow's message names every evidence item.
    refuted: the program ran cleanly and nothing in it was approximated.
    Anything else is inconclusive, with TensorFlow's message."""
    documented = (BY_CODE[code].exception or "").split("|")
    message = result.get("detail") or ""
    out = {"status": "inconclusive", "exception": result.get("exception"), "detail": detail(message),
           "seconds": round(result.get("seconds", 0.0), 3)}
    approximated = slicer.approximations(program)
    if result["status"] == "raised":
        exc = result["exception"]
        if not slicer.from_script(program, result.get("line")):
            out["detail"] = f"TensorFlow raised {exc} in code the dry run wrote, not in a statement of the script: " \
                            + out["detail"]
        elif BY_CODE[code].dry_run_only:
            if approximated:
                out["detail"] = f"TensorFlow raised {exc}, but the dry run approximated {'; '.join(approximated)}: " \
                                + out["detail"]
            else:
                out["status"] = "confirmed"
        elif exc not in documented:
            out["detail"] = f"TensorFlow raised {exc} instead of {' or '.join(documented)}: " + out["detail"]
        elif not evidence:
            out["detail"] = f"TensorFlow raised {exc}; the finding names nothing to find in its message: " \
                            + out["detail"]
        else:
            absent = missing(evidence, message)
            if absent:
                out["detail"] = (f"TensorFlow raised {exc}, but its message does not name "
                                 f"{', '.join(repr(a) for a in absent)}: " + out["detail"])
            else:
                out["status"] = "confirmed"
    elif result["status"] == "ok":
        if approximated:
            out["detail"] = f"ran without error, but the dry run approximated {'; '.join(approximated)}"
        else:
            out["status"] = "refuted"
    return out


def confirm(findings: List[Reported], timeout: float = 60.0, cache_dir: Optional[str] = ".fitlint_cache",
            progress: bool = False, memory: Optional[int] = MEMORY_MB,
            budget: Optional[float] = BUDGET) -> List[Reported]:
    """Attach a ``confirmation`` to every error finding. FIT503 candidates
    (``--confirm=all``) are kept only when their dry run fails."""
    cases = [f for f in findings if f.severity == "error" and f.code != SyntaxErrorRule.code]
    runnable = [f for f in cases if f.program]
    for f in cases:
        if not f.program:
            f.confirmation = {"status": "inconclusive", "exception": None,
                              "detail": f.no_program or "nothing to run", "seconds": 0.0}
    results = run_programs([f.program for f in runnable], timeout=timeout, cache_dir=cache_dir, progress=progress,
                           memory=memory, budget=budget)
    for f, result in zip(runnable, results):
        f.confirmation = verdict(f.code, result, f.evidence, f.program or "")
        if BY_CODE[f.code].dry_run_only and f.confirmation["status"] == "confirmed":
            f.message = f"{f.message}: TensorFlow raised {result['exception']}: {first_line(result.get('detail'))}"
            f.hint = "the model and data are rebuilt from this script: fix what TensorFlow's message points at"
    return [f for f in findings
            if not BY_CODE[f.code].dry_run_only or (f.confirmation or {}).get("status") == "confirmed"]
