"""Step latency in the browser: the time from a Step click until the new week shows, median of 20.

It runs alone (``measured_dashboard``): no other browser test shares the machine while it measures. The
target is 300 ms on a machine with a free core; on a busier machine (more runnable processes than cores, by
the one-minute load average) the bound grows with the load, up to twice the target.
"""

import json
import os
import statistics
import time
from pathlib import Path

import pytest
from dashboard_page import shown_week, wait_until_week_reaches, week_heading

pytestmark = pytest.mark.browser

STEP_MEDIAN_TARGET_MS = 300


def step_median_limit_ms() -> float:
    load_per_core = os.getloadavg()[0] / (os.cpu_count() or 1)
    return STEP_MEDIAN_TARGET_MS * min(2.0, max(1.0, load_per_core))


def test_step_is_fast_enough_for_a_class_and_play_keeps_its_speed(measured_dashboard, output_path):
    dashboard = measured_dashboard
    page = dashboard.page
    latencies = []
    for week in range(-25, -5):
        started = time.perf_counter()
        page.get_by_role("button", name="Step").click()
        week_heading(page, week).wait_for()
        latencies.append(time.perf_counter() - started)
    page.get_by_role("button", name="Play", exact=True).click()  # "Brisk": 2 weeks a second
    wait_until_week_reaches(page, -4)
    first, started = shown_week(page), time.perf_counter()
    page.wait_for_timeout(4_000)
    last, seconds = shown_week(page), time.perf_counter() - started
    page.get_by_role("button", name="Pause").click()
    figures = {"load_per_core": round(os.getloadavg()[0] / (os.cpu_count() or 1), 2),
               "limit_ms": round(step_median_limit_ms()),
               "step_median_ms": round(1000 * statistics.median(latencies)),
               "step_max_ms": round(1000 * max(latencies)), "play_weeks_per_s": round((last - first) / seconds, 2)}
    Path(output_path).mkdir(parents=True, exist_ok=True)
    (Path(output_path) / "speed.json").write_text(json.dumps(figures, indent=2))
    print(f"\ndashboard speed: {figures}")
    assert figures["step_median_ms"] <= figures["limit_ms"], figures
    assert 1.5 <= figures["play_weeks_per_s"] <= 2.2, figures  # the chosen speed, give or take a tick
    dashboard.assert_clean()
