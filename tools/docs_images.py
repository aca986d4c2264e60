"""Regenerate the dashboard screenshots in docs/img/ (``make docs-images``).

Serves the dashboard exactly as ``labelmarket viz`` does (127.0.0.1, a free port, production mode, no
internet), drives it in headless Chromium with Playwright, and saves:

- ``docs/img/dashboard-mid-run.png``: 1366 x 768, twelve weeks after the shock;
- ``docs/img/dashboard-1920.png``: 1920 x 1080, the same week;
- ``docs/img/dashboard-inspector.png``: 1366 x 768, the agent inspector open on Scale AI.

Usage: ``.venv/bin/python tools/docs_images.py [--chromium /usr/bin/chromium]``. Stops the server it started.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from labelmarket.scenarios import DEFAULT_SCENARIO
from labelmarket.viz.serve import REPO, server_environment, solara_command

IMAGES = REPO / "docs" / "img"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WEEK = 12  # weeks after the shock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the dashboard server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the dashboard server did not answer on {url} within {timeout_s:.0f} s")


def open_page(browser, url: str, width: int, height: int):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_role("heading", name=re.compile(r"^Week -?\d+:")).wait_for()
    return page


def step_to(page, week: int) -> None:
    """Press → until the heading shows ``week`` weeks from the shock."""
    heading = page.get_by_role("heading", name=re.compile(r"^Week -?\d+:"))
    while (now := int(re.match(r"Week (-?\d+)", heading.inner_text()).group(1))) < week:
        page.keyboard.press("ArrowRight")
        page.get_by_role("heading", name=re.compile(rf"^Week {now + 1}:")).wait_for()


def shoot(page, name: str) -> None:
    page.wait_for_timeout(500)
    page.screenshot(path=IMAGES / name, animations="disabled")
    print(f"wrote {IMAGES / name}")


def make_images(url: str, chromium: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = open_page(browser, url, 1366, 768)
        step_to(page, WEEK)
        shoot(page, "dashboard-mid-run.png")
        page.get_by_role("figure", name=re.compile("^Contract network")).get_by_role(
            "button", name="Inspect Scale AI").click()
        page.get_by_text("Inspector: Scale AI (vendor)").wait_for()
        shoot(page, "dashboard-inspector.png")
        wide = open_page(browser, url, 1920, 1080)
        step_to(wide, WEEK)
        shoot(wide, "dashboard-1920.png")
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the dashboard screenshots in docs/img/.")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium to drive (default: %(default)s)")
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        print(f"error: no Chromium at {args.chromium}: apt-get install -y chromium", file=sys.stderr)
        return 2
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    process = subprocess.Popen(solara_command("127.0.0.1", port), cwd=REPO, env=server_environment(DEFAULT_SCENARIO),
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(url, process)
        IMAGES.mkdir(parents=True, exist_ok=True)
        make_images(url, args.chromium)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
