"""The dashboard's Step, click to updated view, in a real browser.

``make bench`` runs the browser test that measures it (tests/browser/test_browser_speed.py: a Step click until the
new week shows, median of 20, with Playwright and the system's chromium) in a child process and reads the figures
it writes, so that the click-to-view time sits in the same results file as the other rows.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
SPEED_TEST = REPOSITORY / "tests" / "browser" / "test_browser_speed.py"


def step_click(timeout_s: float = 600.0) -> dict[str, Any]:
    """``step_median_ms``, ``step_max_ms``, ``play_weeks_per_s`` and ``load_per_core`` from the browser test,
    or ``error`` (its last line of output) when it could not measure, e.g. without chromium."""
    with tempfile.TemporaryDirectory(prefix="labelmarket-bench-") as out:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(SPEED_TEST),
                               "--output", out], cwd=REPOSITORY, capture_output=True, text=True, timeout=timeout_s)
        found = sorted(Path(out).rglob("speed.json"))
        if not found:
            lines = (done.stdout + done.stderr).strip().splitlines()
            return {"error": lines[-1] if lines else f"exit status {done.returncode}"}
        return {**json.loads(found[0].read_text()), "test_passed": done.returncode == 0}
