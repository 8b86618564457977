"""The dry run: confirm findings by running a small program under TensorFlow.

``slicer`` builds the program from the analysis, ``runner`` runs programs in
one worker process, and :func:`confirm` turns results into verdicts.
"""
from __future__ import annotations

from typing import List, Optional

from ..findings import Reported
from ..rules import BY_CODE
from .runner import MissingTensorFlow, run_programs, tensorflow_version

__all__ = ["MissingTensorFlow", "confirm", "tensorflow_version", "verdict"]


def verdict(code: str, result: dict) -> dict:
    """confirmed / refuted / inconclusive from the rule and TF's outcome."""
    documented = (BY_CODE[code].exception or "").split("|")
    seconds = round(result.get("seconds", 0.0), 3)
    if result["status"] == "raised" and result["exception"] in documented:
        status = "confirmed"
    elif result["status"] == "ok":
        status = "refuted"
    else:
        status = "inconclusive"
    out = {"status": status, "exception": result.get("exception"), "detail": result.get("detail") or "",
           "seconds": seconds}
    if status == "inconclusive" and result["status"] == "raised":
        out["detail"] = f"TensorFlow raised {result['exception']} instead of {' or '.join(documented)}: " + out["detail"]
    elif result["status"] in ("timeout", "crashed"):
        out["detail"] = result.get("detail", "")
    return out


def confirm(findings: List[Reported], timeout: float = 60.0, cache_dir: Optional[str] = ".fitlint_cache",
            progress: bool = False) -> List[Reported]:
    """Attach a ``confirmation`` to every error finding. FIT503 candidates
    (``--confirm=all``) are kept only when their dry run fails."""
    cases = [f for f in findings if f.severity == "error" and f.code != "FIT000"]
    runnable = [f for f in cases if f.program]
    for f in cases:
        if not f.program:
            f.confirmation = {"status": "inconclusive", "exception": None,
                              "detail": f.no_program or "nothing to run", "seconds": 0.0}
    results = run_programs([f.program for f in runnable], timeout=timeout, cache_dir=cache_dir, progress=progress)
    for f, result in zip(runnable, results):
        f.confirmation = verdict(f.code, result)
        if f.code == "FIT503" and result["status"] == "raised":
            f.confirmation["status"] = "confirmed"
            f.message = f"{f.message}: TensorFlow raised {result['exception']}: {result.get('detail', '')}"
            f.hint = "the model and data are rebuilt from this script: fix what TensorFlow's message points at"
    return [f for f in findings if f.code != "FIT503" or (f.confirmation or {}).get("status") == "confirmed"]
