"""Fixtures for the sweep tests (helpers live in sweep_helpers.py)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from sweep_helpers import PYTHON, REPO, pid_alive, stop_pid, subprocess_env


@pytest.fixture
def frames_equal():
    """Compare two results frames exactly (values and dtypes), ignoring row order."""
    import pandas as pd

    def check(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> None:
        pd.testing.assert_frame_equal(
            left.sort_values(keys).reset_index(drop=True),
            right.sort_values(keys).reset_index(drop=True),
            check_exact=True,
        )

    return check


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory):
    """A real scheduler and two single-threaded workers on 127.0.0.1; yields the scheduler address."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    env = subprocess_env()
    dask = str(Path(PYTHON).with_name("dask"))
    started: list[subprocess.Popen] = []
    logs = []

    def start(*args: str, name: str) -> subprocess.Popen:
        log = open(folder / f"{name}.log", "w")  # noqa: SIM115 - closed below
        logs.append(log)
        process = subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(REPO))
        started.append(process)
        return process

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(scheduler_file), name="scheduler")
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):
            start("worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-nanny", "--no-dashboard",
                  "--name", f"w{i}", name=f"worker{i}")
        from distributed import Client

        with Client(address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        pids = [p.pid for p in started]
        for process in reversed(started):  # workers first, then the scheduler
            stop_pid(process.pid)
            process.wait(timeout=10)
        for log in logs:
            log.close()
        assert not any(pid_alive(pid) for pid in pids), "every dask process is stopped"
