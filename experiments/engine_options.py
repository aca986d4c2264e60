"""Where an ensemble command runs: ``--workers N`` local processes, or ``--scheduler tcp://HOST:PORT``, a
running dask.distributed cluster (validate, ablate, robustness, calibrate and test, as sweep does).

Every run is the same batch engine whichever is chosen (``labelmarket.model.runner.run_batch``, D71), and
results come back in submission order, so a command's output does not depend on where it ran. The address
is checked before anything is created or run: a bad or silent one is one line naming ``--scheduler``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager

from labelmarket.experiments.arguments import at_least_one
from labelmarket.experiments.sweep.engines import (START_SCHEDULER_HINT, EngineStalled, SchedulerError,
                                                   reachable_scheduler)
from labelmarket.scenarios.errors import LabelmarketError


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """``--workers N`` (default: all cores) and ``--scheduler tcp://HOST:PORT``."""
    parser.add_argument("--workers", type=at_least_one, default=os.cpu_count() or 1, metavar="N",
                        help="local worker processes (default: all cores; ignored with --scheduler)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                        help="run on this dask.distributed scheduler instead (its workers need labelmarket "
                             "installed); results are identical to a local run")


def checked_scheduler(address: str | None) -> str | None:
    """``address`` as ``tcp://HOST:PORT`` once its port answers, or None; a :class:`LabelmarketError` on
    ``--scheduler`` otherwise (within seconds, before any output folder exists)."""
    if address is None:
        return None
    try:
        return reachable_scheduler(address)
    except SchedulerError as error:
        raise LabelmarketError("--scheduler", "", str(error), error.hint) from None


@contextmanager
def scheduler_errors(address: str | None) -> Iterator[None]:
    """Turn the cluster going away mid-run (no workers, a lost connection) into one line on ``--scheduler``.

    Local runs are left alone: their errors are the command's own."""
    try:
        yield
    except (OSError, TimeoutError, EngineStalled) as error:
        if address is None:
            raise
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise LabelmarketError("--scheduler", "", f"cannot use the dask scheduler at {address}: {reason}",
                               START_SCHEDULER_HINT) from None
