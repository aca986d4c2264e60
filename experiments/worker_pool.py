"""Local worker processes for every batch job (validation ensembles, calibration, sweeps).

Workers are started with ``spawn`` (explicitly: reproducible on every platform, and Python 3.14 changes the
default) and exit by themselves when their driver dies: a killed driver otherwise leaves its workers running
(seen here: a killed calibration left two busy workers for over an hour).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import threading
import time

ORPHAN_CHECK_SECONDS = 0.5


def exit_when_orphaned(parent_pid: int) -> None:
    """Worker initializer: a daemon thread ends the worker once its parent is no longer ``parent_pid``."""

    def watch() -> None:
        while True:
            time.sleep(ORPHAN_CHECK_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="exit-when-orphaned", daemon=True).start()


def spawn_process_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A process pool of ``workers`` spawned workers that exit when this process dies."""
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=exit_when_orphaned, initargs=(os.getpid(),))
