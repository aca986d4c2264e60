"""Where runs execute: in this process, in local worker processes, or on a dask.distributed cluster.

Every engine runs the same top-level function, :func:`evaluate_batch`, on batches of runs and hands the
records back to the driver, which alone writes the store. So the results do not depend on the engine, and
workers need no shared file system.

- ``sequential``: one run after another in this process (``--workers 1``);
- ``processes``: ``ProcessPoolExecutor`` with the ``spawn`` start method (the default, one worker per core);
- ``dask``: an existing cluster through ``Client(address).get_executor(pure=False)``; ``pure=False`` matters,
  because dask would otherwise merge identical calls and drop replicates.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from labelmarket.experiments.sweep.outputs import WEEKLY_KEY
from labelmarket.experiments.worker_pool import spawn_process_pool

RunFunction = Callable[[dict[str, Any], int], dict[str, Any]]


@dataclass(frozen=True)
class RunTask:
    """One run to do: the store key, the parameter overrides and the seed."""

    key: str
    params: dict[str, Any]
    seed: int


@dataclass
class RunRecord:
    """What came back from one run: its outputs and weekly frame, or the error it raised."""

    key: str
    seed: int
    outputs: dict[str, Any] = field(default_factory=dict)
    weekly: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def evaluate(run_point: RunFunction, task: RunTask) -> RunRecord:
    """Run one point with one seed; an exception becomes a failed record, never a crash of the sweep."""
    started = time.perf_counter()
    try:
        returned = run_point(dict(task.params), task.seed)
        if not isinstance(returned, dict):
            raise TypeError(f"the run function must return a dict of outputs, not {type(returned).__name__}")
        outputs = dict(returned)
        weekly = outputs.pop(WEEKLY_KEY, None)
        if weekly is not None and not isinstance(weekly, pd.DataFrame):
            raise TypeError(f"'{WEEKLY_KEY}' must be a DataFrame, not {type(weekly).__name__}")
        outputs = {name: _scalar(name, value) for name, value in outputs.items()}
    except Exception as error:  # noqa: BLE001 - any model error is a recorded failure
        return RunRecord(
            task.key,
            task.seed,
            error=f"{type(error).__name__}: {error}",
            traceback=traceback.format_exc(limit=20),
            seconds=time.perf_counter() - started,
        )
    return RunRecord(task.key, task.seed, outputs, weekly, seconds=time.perf_counter() - started)


def evaluate_batch(run_point: RunFunction, tasks: list[RunTask]) -> list[RunRecord]:
    """Run a batch of tasks in order (the unit of work an engine ships to a worker)."""
    return [evaluate(run_point, task) for task in tasks]


def _scalar(name: str, value: Any) -> float | str:
    """Outputs are stored as float64 (numbers, bools, None → NaN) or text, so every part has the same schema."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"output '{name}' must be a number or text, not {type(value).__name__}") from None


def batched(tasks: list[RunTask], size: int) -> list[list[RunTask]]:
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def auto_batch_size(pending: int, workers: int) -> int:
    """About eight batches per worker, at most 16 runs a batch: few enough tasks to keep per-task overhead
    small on dask, small enough that a kill loses little and the progress bar moves."""
    if workers <= 1:
        return 1
    return max(1, min(16, math.ceil(pending / (workers * 8))))


class Engine:
    """Runs batches and yields each batch's records as it completes."""

    kind = "sequential"
    workers = 1
    address: str | None = None

    def run(self, run_point: RunFunction, batches: Iterable[list[RunTask]]) -> Iterator[list[RunRecord]]:
        for batch in batches:
            yield evaluate_batch(run_point, batch)

    def close(self, cancel: bool = False) -> None:
        pass

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "workers": self.workers, "address": self.address}


#: Each worker process runs one model at a time, so its numerical libraries get one thread (dask's nanny does the
#: same): a thread pool per library per worker would oversubscribe the cores.
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextmanager
def child_environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables (unless the user already set them) for processes started inside the block."""
    added = [name for name in variables if name not in os.environ]
    os.environ.update({name: variables[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


class ExecutorEngine(Engine):
    """Any ``concurrent.futures`` executor: submit every batch, yield them as they complete."""

    def __init__(self, executor: cf.Executor, kind: str, workers: int, address: str | None = None,
                 worker_environment: dict[str, str] | None = None) -> None:
        self.executor = executor
        self.kind = kind
        self.workers = workers
        self.address = address
        self.worker_environment = worker_environment or {}
        self._futures: list[cf.Future] = []

    def run(self, run_point: RunFunction, batches: Iterable[list[RunTask]]) -> Iterator[list[RunRecord]]:
        with child_environment(self.worker_environment):  # a process pool starts its workers on submit
            self._futures = [self.executor.submit(evaluate_batch, run_point, batch) for batch in batches]
        for future in cf.as_completed(self._futures):
            yield future.result()

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for future in self._futures:
                future.cancel()
        self.executor.shutdown(wait=not cancel)  # dask's ClientExecutor takes no cancel_futures


class DaskEngine(ExecutorEngine):
    """A dask.distributed cluster, driven through the same executor interface."""

    def __init__(self, client: Any, kind: str = "dask", owned: tuple = ()) -> None:
        self.client = client
        self._owned = owned
        try:
            info = client.scheduler_info(n_workers=-1)  # all workers (older dask lists them all by default)
        except TypeError:
            info = client.scheduler_info()
        workers = len(info.get("workers", {}))
        super().__init__(client.get_executor(pure=False), kind, workers, client.scheduler.address)

    def close(self, cancel: bool = False) -> None:
        try:
            super().close(cancel)
        finally:
            self.client.close()
            for resource in self._owned:
                resource.close()


def process_engine(workers: int) -> ExecutorEngine:
    """Local worker processes, spawned, that exit when the driver dies (experiments.worker_pool)."""
    executor = spawn_process_pool(workers)
    return ExecutorEngine(executor, "processes", workers, worker_environment=SINGLE_THREADED)


def dask_engine(address: str, *, timeout_s: float = 30.0) -> DaskEngine:
    """Connect to a running scheduler (``tcp://HOST:PORT``) and wait for at least one worker."""
    from urllib.parse import urlsplit

    from distributed import Client

    where = urlsplit(address)
    if where.scheme == "tcp" and where.hostname and where.port:
        import socket

        try:  # fail in a second, not after the client's whole timeout, when nothing listens there
            socket.create_connection((where.hostname, where.port), timeout=5).close()
        except OSError as error:
            raise OSError(f"nothing answers at {address} ({error.strerror or error})") from None
    client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except Exception:
        client.close()
        raise TimeoutError(f"the dask scheduler at {address} has no workers after {timeout_s:g} s") from None
    return DaskEngine(client)


def local_dask_engine(workers: int) -> DaskEngine:
    """A throw-away local dask cluster (``workers`` processes × 1 thread, on 127.0.0.1), for benchmarks."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = Client(cluster, set_as_default=False)
    return DaskEngine(client, kind="dask-local", owned=(cluster,))


def make_engine(workers: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine the CLI flags ask for: dask with a scheduler address, else local processes or sequential."""
    if scheduler:
        return dask_engine(scheduler)
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        return Engine()
    return process_engine(workers)
