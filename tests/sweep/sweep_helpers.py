"""Helpers for the sweep tests: sweep documents on known functions, subprocess environment, PIDs."""

from __future__ import annotations

import math
import os
import signal
import sys
import time
from pathlib import Path

import tomli_w

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PI = math.pi


def subprocess_env() -> dict[str, str]:
    """The environment for sweep subprocesses and dask workers: the repository and the test helpers importable,
    no stray threads."""
    env = dict(os.environ)
    # the repository (the labelmarket package) and this folder (reporters and run functions of the tests)
    paths = [str(REPO), str(Path(__file__).resolve().parent), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(paths).rstrip(os.pathsep)
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def ishigami_sweep(samples: int = 64, second_order: bool = True) -> dict:
    bounds = [-PI, PI]
    return {
        "name": "ishigami",
        "run_function": "labelmarket.experiments.sweep.known_functions:ishigami",
        "seed": 1,
        "design": {"method": "sobol", "samples": samples, "second_order": second_order},
        "parameters": {f"ishigami.x{i}": {"bounds": bounds} for i in (1, 2, 3)},
    }


def toy_sweep(method: str = "grid", replications: int = 2, delay_s: float | None = None, **design) -> dict:
    """A sweep of the seeded toy market (weekly frames included)."""
    if method == "grid":
        parameters = {"events.shock.stake": {"values": [0.0, 0.25, 0.49]},
                      "behaviour.wariness_gain": {"values": [0.2, 0.8]}}
    else:
        parameters = {"events.shock.stake": {"bounds": [0.0, 0.49]},
                      "behaviour.wariness_gain": {"bounds": [0.0, 1.0]}}
    if delay_s is not None:
        parameters["toy.delay_s"] = {"values": [delay_s]} if method == "grid" else {"bounds": [delay_s, delay_s * 1.001]}
    return {
        "name": f"toy_{method}",
        "run_function": "labelmarket.experiments.sweep.known_functions:toy_market",
        "seed": 7,
        "replications": replications,
        "design": {"method": method, **design},
        "parameters": parameters,
        "outputs": {"weekly_market": True},
    }


def write_sweep(folder: Path, document: dict, name: str = "sweep.toml") -> Path:
    path = folder / name
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path


def stop_pid(pid: int, sig: int = signal.SIGTERM, wait_s: float = 10.0) -> None:
    """Signal one process by PID and wait until it is gone (reaping it if it is our child)."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def pid_alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie that is not our child counts as gone
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
