"""Run functions that misbehave on purpose, for the sweep's safety tests (importable by spawned workers)."""

from __future__ import annotations

import sys
import time
from typing import Any


def exits(params: dict[str, Any], seed: int) -> dict[str, float]:
    """``y = a``, but calls ``sys.exit(4)`` when ``a > 0.5`` (a model that quits instead of raising)."""
    a = float(params["p.a"])
    if a > 0.5:
        sys.exit(4)
    return {"y": a}


def changes_type(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """``label`` is a number, except at ``a = 0.3`` where it is text; ``y`` is always a number."""
    a = float(params["p.a"])
    return {"y": 2 * a, "label": "three tenths" if a == 0.3 else a}


def hangs(params: dict[str, Any], seed: int) -> dict[str, float]:
    """Sleeps ``p.sleep_s`` seconds (a hung run when it is long), then returns ``y = sleep_s``."""
    seconds = float(params["p.sleep_s"])
    time.sleep(seconds)
    return {"y": seconds}
