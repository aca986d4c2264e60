"""Timing, peak memory and machine facts shared by the benchmarks.

Sizes that need their own peak-memory figure run in a child process (``python -m labelmarket.benchmarks.<module>``), which
prints one JSON line; the parent reads it. Peak memory is the child's peak resident set (``ru_maxrss``), which
includes the interpreter and its imports (``rss_after_imports_mb`` says how much of it that is).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def median_seconds(action: Callable[[], Any], repeats: int,
                   clock: Callable[[], float] = time.perf_counter) -> tuple[float, list[float]]:
    """Median time of ``action`` over ``repeats`` calls (wall clock unless told), and every time measured."""
    times = []
    for _ in range(repeats):
        start = clock()
        action()
        times.append(clock() - start)
    return statistics.median(times), times


def run_child(module: str, args: list[str], timeout_s: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m labelmarket.benchmarks.<module> ARGS`` in a fresh process (``env`` added to this process's
    environment); return the JSON it prints last."""
    command = [PYTHON, "-m", f"labelmarket.benchmarks.{module}", *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout_s,
                          env={**os.environ, **env} if env else None)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def process_seconds(command: list[str], cwd: Path, repeats: int, timeout_s: float) -> tuple[float, list[float]]:
    """Median start-to-finish wall time of a command (a whole process: start-up, imports, run, exit)."""
    def once() -> None:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout_s)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return median_seconds(once, repeats)


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, memory, Python and library versions, load."""
    import mesa
    import numba
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(), "numpy": numpy.__version__, "mesa": mesa.__version__,
        "numba": numba.__version__,
        "platform": platform.platform(), "load_average": [round(x, 2) for x in os.getloadavg()],
        "blas_threads_env": {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                        "OPENBLAS_CORETYPE") if k in os.environ},
    }


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return done.stdout.strip() + ("+uncommitted" if dirty else "")


def write_json_atomically(path: Path, document: dict[str, Any]) -> None:
    """Write to a temporary file in the same folder, then rename over ``path`` (never a half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2, sort_keys=False)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
