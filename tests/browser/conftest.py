"""Real-browser harness: serve the dashboard with ``solara run`` on 127.0.0.1 and drive Debian's Chromium.

- ``solara_server``: one server per test session (per xdist worker) on a free port, stopped by its PID.
- ``browser_type_launch_args`` / ``browser_context_args``: pytest-playwright's settings, pointed at
  ``/usr/bin/chromium`` (never ``playwright install``: it downloads a browser). Tests skip only if that
  file is absent.
- ``dashboard``: a fresh page (its own solara session) on the served app. It records console errors and
  every host the page contacts, and saves a screenshot in ``test-results/<test>/`` when the test ends.
- ``open_dashboard``: the same for a page of a chosen viewport size and zoom (device scale factor).
- ``measured_dashboard``: a ``dashboard`` that runs alone: it waits until no other browser test runs (in any
  xdist worker) and holds the others off while it measures speed. Every browser test takes its turn through
  one lock file shared by the workers (shared for ordinary tests, exclusive for measurements).
- ``page_helpers``: the week heading, stepping, picking a scenario, reading a knob's number.

Tests find every control by its accessible name ("Play", "Pause", "Step", "Reset", "Info", "Export run (zip)").

See ../../../shared/notes/solara-in-a-real-browser.md for why each flag is there.
"""

from __future__ import annotations

import fcntl
import re
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from labelmarket.scenarios import DEFAULT_SCENARIO
from labelmarket.viz.serve import APP, REPO, server_environment, solara_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOOPBACK = "127.0.0.1"
SERVER_START_TIMEOUT_S = 90
MISSING_ASSET = "Could not load URL"


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_executable):
    return {**browser_type_launch_args, "executable_path": str(chromium_executable), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # a 16:9 projector
    return {**browser_context_args, "viewport": {"width": 1600, "height": 900}}


@dataclass
class SolaraServer:
    url: str
    log_path: Path
    process: subprocess.Popen

    def log_text(self, since: int = 0) -> str:
        return self.log_path.read_bytes()[since:].decode(errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _wait_until_serving(server: SolaraServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"`solara run {APP}` exited with {server.process.returncode}:\n{server.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(server.url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"`solara run {APP}` did not answer on {server.url} within {SERVER_START_TIMEOUT_S} s:\n"
                f"{server.log_text()[-3000:]}")


@pytest.fixture(scope="session")
def solara_server(chromium_executable, tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("solara-server") / "server.log"
    command = solara_command(LOOPBACK, port)  # exactly what `labelmarket viz` runs
    env = server_environment(DEFAULT_SCENARIO)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = SolaraServer(url=f"http://{LOOPBACK}:{port}/", log_path=log_path, process=process)
    try:
        _wait_until_serving(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Dashboard:
    """A browser page on the served app, and what it did."""

    page: object
    server: SolaraServer
    log_offset: int
    console_errors: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)

    def record_url(self, url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("data", "blob", "about"):
            self.hosts.add(parsed.hostname or url)

    def assert_clean(self) -> None:
        """No console error, no request off this machine, and no asset the server had to fetch."""
        assert self.console_errors == [], f"browser console errors: {self.console_errors}"
        assert self.hosts <= {LOOPBACK}, f"the page contacted hosts other than {LOOPBACK}: {sorted(self.hosts)}"
        missing = [line for line in self.server.log_text(self.log_offset).splitlines() if MISSING_ASSET in line]
        assert not missing, ("the server tried to fetch assets from the internet; run "
                             f"`.venv/bin/python tools/install_solara_assets.py`:\n" + "\n".join(missing))


def _watch(page, server: SolaraServer) -> Dashboard:
    session = Dashboard(page=page, server=server, log_offset=server.log_size())
    page.on("console", lambda message: session.console_errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: session.console_errors.append(f"uncaught: {error}"))
    page.on("request", lambda request: session.record_url(request.url))
    page.on("websocket", lambda websocket: session.record_url(websocket.url))
    page.set_default_timeout(30_000)
    page.goto(server.url)
    page.get_by_role("button", name="Step").wait_for()
    page.get_by_role("heading", name=re.compile(r"^Week -?\d+:")).wait_for()
    return session


@pytest.fixture(scope="session")
def browser_lock(tmp_path_factory) -> Path:
    """One lock file for every xdist worker of this run (their temporary folders share a parent)."""
    return tmp_path_factory.getbasetemp().parent / "labelmarket-browser-tests.lock"


@contextmanager
def browser_turn(lock: Path, alone: bool):
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _dashboard(page, server: SolaraServer, output_path: str, lock: Path, alone: bool):
    with browser_turn(lock, alone):
        session = _watch(page, server)
        yield session
        Path(output_path).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(output_path) / "screenshot.png", animations="disabled")


@pytest.fixture
def dashboard(chromium_executable, solara_server, page, output_path, browser_lock):
    yield from _dashboard(page, solara_server, output_path, browser_lock, alone=False)


@pytest.fixture
def measured_dashboard(chromium_executable, solara_server, page, output_path, browser_lock):
    yield from _dashboard(page, solara_server, output_path, browser_lock, alone=True)


@pytest.fixture
def open_dashboard(chromium_executable, solara_server, browser, output_path, browser_lock):
    """``open_dashboard(width, height, zoom=1.0)``: a page as a projector of that size shows it at that zoom."""
    contexts = []

    def open_page(width: int, height: int, zoom: float = 1.0) -> Dashboard:
        context = browser.new_context(viewport={"width": round(width / zoom), "height": round(height / zoom)},
                                      device_scale_factor=zoom, accept_downloads=True)
        contexts.append((context, f"{width}x{height}-{zoom:g}"))
        return _watch(context.new_page(), solara_server)

    with browser_turn(browser_lock, alone=False):
        yield open_page
        Path(output_path).mkdir(parents=True, exist_ok=True)
        for context, name in contexts:
            for page in context.pages:
                page.screenshot(path=Path(output_path) / f"screenshot-{name}.png", animations="disabled")
            context.close()
