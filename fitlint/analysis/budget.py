"""The analysis budget of one file. Past a limit the analysis gives up on
the value concerned (it becomes unknown, so no rule reports on it) and
records why in ``Facts.budget``: no file takes more than a few seconds,
whatever it contains. The limits are counts, not times, so that the result
never depends on the machine's speed."""
from __future__ import annotations

from typing import Any

# Expressions and statements evaluated in one file (loop bodies run pass by
# pass count every pass). Past it the rest of the file is not analysed.
MAX_STEPS = 100_000
# The largest magnitude of an integer the analysis computes with.
MAX_INT = 10 ** 18
# The longest list or tuple the analysis builds.
MAX_ITEMS = 10_000

REASON = "budget-exceeded"


def give_up(ip: Any, node: Any, detail: str) -> None:
    """Record that a value became unknown at ``node`` because of ``detail``."""
    if len(ip.facts.budget) < 100:
        ip.facts.budget.append((node, detail))


def small_int(ip: Any, value: int, node: Any) -> bool:
    """Whether ``value`` is within the integer range; records it if not."""
    if -MAX_INT <= value <= MAX_INT:
        return True
    give_up(ip, node, "an integer beyond +-10**18")
    return False
