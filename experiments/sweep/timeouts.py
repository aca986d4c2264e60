"""A per-run time limit: a run that takes longer than ``run_timeout_s`` is stopped and recorded as failed.

Where the run executes on a process's main thread (in this process with ``--workers 1``, and in every local
worker process), an interval timer (``SIGALRM``) raises :class:`RunTimeout` inside the run: the run stops at its
next Python instruction, becomes a failed record, and the worker goes on with the next run. Elsewhere (dask runs
tasks on worker threads, where no signal can be delivered) the run executes on a helper thread that the worker
stops waiting for after the limit; the run is recorded as failed, but that thread keeps its worker busy until
the run ends by itself. A run stuck inside C code that ignores signals is caught by the engine's no-progress
watchdog instead (see ``engines``), which stops the session with the finished runs saved.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from labelmarket.experiments.sweep.engines import RunFunction


class RunTimeout(BaseException):
    """A run took longer than its limit. A BaseException, so a model's own ``except Exception`` cannot swallow it."""


class TimedRun:
    """``run_point`` with a time limit: picklable, so it travels to worker processes and dask workers."""

    def __init__(self, run_point: RunFunction, seconds: float) -> None:
        self.run_point = run_point
        self.seconds = float(seconds)

    def __call__(self, params: dict[str, Any], seed: int) -> dict[str, Any]:
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            return self._with_alarm(params, seed)
        return self._on_thread(params, seed)

    def _message(self) -> str:
        return f"the run took longer than run_timeout_s = {self.seconds:g} s and was stopped"

    def _with_alarm(self, params: dict[str, Any], seed: int) -> dict[str, Any]:
        def expire(signum: int, frame: Any) -> None:
            raise RunTimeout(self._message())

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            return self.run_point(params, seed)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def _on_thread(self, params: dict[str, Any], seed: int) -> dict[str, Any]:
        outcome: dict[str, Any] = {}

        def target() -> None:
            try:
                outcome["value"] = self.run_point(params, seed)
            except BaseException as error:  # noqa: BLE001 - handed back to the caller's thread
                outcome["error"] = error

        thread = threading.Thread(target=target, name="labelmarket-timed-run", daemon=True)
        thread.start()
        thread.join(self.seconds)
        if thread.is_alive():
            raise RunTimeout(self._message() + " (its thread keeps running until the run returns)")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]


def with_time_limit(run_point: RunFunction, seconds: float | None) -> RunFunction:
    """``run_point`` itself without a limit, else wrapped in :class:`TimedRun`."""
    return run_point if not seconds else TimedRun(run_point, seconds)
