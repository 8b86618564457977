"""``--output-format json``: the array described in INTERFACE.md."""
from __future__ import annotations

import json
from typing import List

from ..findings import Reported


def render_json(findings: List[Reported]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2) + "\n"
