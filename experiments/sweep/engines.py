"""Where runs execute: in this process, in local worker processes, or on a dask.distributed cluster.

The one batch engine of labelmarket. An engine runs a top-level function on batches of work
(:meth:`Engine.map_batches`) and hands each batch's results back to the driver as it completes. A sweep runs
:func:`evaluate_batch` on its runs and writes the records to its store in the driver, so the results do not
depend on the engine and workers need no shared file system; validation, calibration, ablation, robustness and
the ``[expect]`` checks run their batches through :func:`map_in_order`, which puts the results back in
submission order, so they are identical on one core or many.

- ``sequential``: one run after another in this process (``--workers 1``);
- ``processes``: ``ProcessPoolExecutor`` with the ``spawn`` start method (the default, one worker per core);
- ``dask``: an existing cluster through ``Client(address).get_executor(pure=False)``; ``pure=False`` matters,
  because dask would otherwise merge identical calls and drop replicates.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import os
import re
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import pandas as pd

from labelmarket.experiments.sweep.outputs import SERIES_KEYS, WEEKLY_KEY
from labelmarket.experiments.worker_pool import spawn_process_pool

RunFunction = Callable[[dict[str, Any], int], dict[str, Any]]
Item = TypeVar("Item")
Result = TypeVar("Result")
BatchFunction = Callable[[list[Item]], list[Result]]


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
    series: dict[str, pd.DataFrame] = field(default_factory=dict)  # opt-in vendor and lab series, by key
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def evaluate(run_point: RunFunction, task: RunTask) -> RunRecord:
    """Run one point with one seed. Anything it raises, even ``SystemExit``, becomes a failed record, never a
    crash of the sweep; only ``KeyboardInterrupt`` (the user's Ctrl-C) goes through."""
    started = time.perf_counter()
    try:
        returned = run_point(dict(task.params), task.seed)
        if not isinstance(returned, dict):
            raise TypeError(f"the run function must return a dict of outputs, not {type(returned).__name__}")
        outputs = dict(returned)
        weekly = outputs.pop(WEEKLY_KEY, None)
        if weekly is not None and not isinstance(weekly, pd.DataFrame):
            raise TypeError(f"'{WEEKLY_KEY}' must be a DataFrame, not {type(weekly).__name__}")
        series = {name: outputs.pop(name) for name in SERIES_KEYS if name in outputs}
        for name, frame in series.items():
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(f"'{name}' must be a DataFrame, not {type(frame).__name__}")
        outputs = {name: _scalar(name, value) for name, value in outputs.items()}
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - any model error (SystemExit included) is a recorded failure
        return RunRecord(
            task.key,
            task.seed,
            error=f"{type(error).__name__}: {error}",
            traceback=traceback.format_exc(limit=20),
            seconds=time.perf_counter() - started,
        )
    return RunRecord(task.key, task.seed, outputs, weekly, series=series, seconds=time.perf_counter() - started)


def evaluate_batch(run_point: RunFunction, tasks: list[RunTask]) -> list[RunRecord]:
    """Run a batch of tasks in order (the unit of work an engine ships to a worker), with one thread per
    numerical library for the whole batch: one run is one core's work, and BLAS threads only stall under load."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
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


def batched(items: list[Item], size: int) -> list[list[Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def auto_batch_size(pending: int, workers: int) -> int:
    """About eight batches per worker, at most 16 runs a batch: few enough tasks to keep per-task overhead
    small on dask, small enough that a kill loses little and the progress bar moves."""
    if workers <= 1:
        return 1
    return max(1, min(16, math.ceil(pending / (workers * 8))))


class EngineStalled(RuntimeError):
    """The engine made no progress for too long (every dask worker gone, or a run stuck past its time limit)."""


#: How often a waiting engine checks on its workers, seconds.
WATCH_INTERVAL_S = 1.0
#: How long a dask cluster may have no worker at all before the sweep stops, seconds (``--stall-timeout``).
NO_WORKERS_TIMEOUT_S = 60.0


class Engine:
    """Runs batches and yields each batch's records as it completes.

    ``stall_timeout_s``: stop with :class:`EngineStalled` when no batch finishes for this long (None: never);
    ``no_workers_timeout_s``: on a cluster, stop when it has had no worker for this long.
    """

    kind = "sequential"
    workers = 1
    address: str | None = None
    stall_timeout_s: float | None = None
    no_workers_timeout_s: float = NO_WORKERS_TIMEOUT_S

    def map_batches(self, function: BatchFunction, batches: Iterable[list[Item]]) -> Iterator[tuple[int, list[Result]]]:
        """Run the top-level ``function`` on every batch; yield (batch index, its results) as each completes."""
        for index, batch in enumerate(batches):
            yield index, function(batch)

    def run(self, run_point: RunFunction, batches: Iterable[list[RunTask]]) -> Iterator[list[RunRecord]]:
        """A sweep's runs: each batch's records, as the batch completes (failures recorded, never raised)."""
        for _, records in self.map_batches(partial(evaluate_batch, run_point), batches):
            yield records

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
    """Any ``concurrent.futures`` executor: submit every batch, yield them as they complete, watch for stalls."""

    def __init__(self, executor: cf.Executor, kind: str, workers: int, address: str | None = None,
                 worker_environment: dict[str, str] | None = None) -> None:
        self.executor = executor
        self.kind = kind
        self.workers = workers
        self.address = address
        self.worker_environment = worker_environment or {}
        self._futures: list[cf.Future] = []

    def map_batches(self, function: BatchFunction, batches: Iterable[list[Item]]) -> Iterator[tuple[int, list[Result]]]:
        with child_environment(self.worker_environment):  # a process pool starts its workers on submit
            self._futures = [self.executor.submit(function, batch) for batch in batches]
        index_of = {future: index for index, future in enumerate(self._futures)}
        pending = set(self._futures)
        last_progress = time.monotonic()
        while pending:
            done, pending = cf.wait(pending, timeout=WATCH_INTERVAL_S, return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield index_of[future], future.result()
            if done:
                last_progress = time.monotonic()
            else:
                self.check_progress(time.monotonic() - last_progress)

    def check_progress(self, quiet_s: float) -> None:
        """Raise :class:`EngineStalled` when nothing has finished for longer than ``stall_timeout_s``."""
        if self.stall_timeout_s is not None and quiet_s > self.stall_timeout_s:
            raise EngineStalled(f"no run finished in the last {quiet_s:.0f} s (--stall-timeout "
                                f"{self.stall_timeout_s:g} s); a run may be stuck where its time limit cannot stop it")

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for future in self._futures:
                future.cancel()
            self._stop_workers()
        self.executor.shutdown(wait=not cancel)  # dask's ClientExecutor takes no cancel_futures

    def _stop_workers(self) -> None:
        """A cancelled local pool's workers are stopped, not left finishing (or stuck in) their batches."""
        processes = getattr(self.executor, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()


class DaskEngine(ExecutorEngine):
    """A dask.distributed cluster, driven through the same executor interface."""

    def __init__(self, client: Any, kind: str = "dask", owned: tuple = ()) -> None:
        self.client = client
        self._owned = owned
        self._no_workers_since: float | None = None
        workers = self._count_workers()
        super().__init__(client.get_executor(pure=False), kind, workers, client.scheduler.address)

    def _count_workers(self) -> int:
        try:
            info = self.client.scheduler_info(n_workers=-1)  # all workers (older dask lists them all by default)
        except TypeError:
            info = self.client.scheduler_info()
        return len(info.get("workers", {}))

    def check_progress(self, quiet_s: float) -> None:
        """Also stop when the cluster has had no worker at all for ``no_workers_timeout_s``."""
        try:
            workers = self._count_workers()
        except Exception as error:  # noqa: BLE001 - the scheduler itself is gone
            raise EngineStalled(f"lost the dask scheduler at {self.address}: {type(error).__name__}: {error}") from None
        now = time.monotonic()
        if workers:
            self._no_workers_since = None
        else:
            self._no_workers_since = self._no_workers_since or now
            without = now - self._no_workers_since
            stalled = self.stall_timeout_s is not None and quiet_s > self.stall_timeout_s
            if without > self.no_workers_timeout_s or stalled:
                raise EngineStalled(f"the dask cluster at {self.address} has had no workers for {max(without, 1):.0f} s "
                                    f"and no run has finished for {quiet_s:.0f} s (the workers died or were stopped)")
        super().check_progress(quiet_s)

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


class SchedulerError(ValueError):
    """A ``--scheduler`` address that cannot be used; ``hint`` says what to do."""

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(reason)
        self.hint = hint


SCHEDULER_ADDRESS = re.compile(r"(?:(?P<scheme>tcp|tls)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>\d{1,5})")
#: What to do when no scheduler answers (every command that takes ``--scheduler`` says it).
START_SCHEDULER_HINT = "start one with `dask scheduler` and at least one `dask worker`"
#: How long the up-front check waits for the scheduler's port to answer, seconds.
CONNECT_TIMEOUT_S = 5.0


def reachable_scheduler(address: str) -> str:
    """``address`` as ``tcp://HOST:PORT`` once its form is right, dask is installed and its port answers.

    Raises :class:`SchedulerError` within seconds; nothing is created before.
    """
    import socket

    match = SCHEDULER_ADDRESS.fullmatch(address.strip())
    if match is None:
        raise SchedulerError(f"{address!r} is not a scheduler address",
                             "give it as tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786, as `dask scheduler` prints")
    port = int(match["port"])
    if not 1 <= port <= 65535:
        raise SchedulerError(f"port {port} is out of range (1 to 65535)")
    try:
        import distributed  # noqa: F401 - only checking that it is installed
    except ImportError:
        raise SchedulerError("dask.distributed is not installed here",
                             "pip install 'labelmarket[dask]'") from None
    host = match["host"].strip("[]")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise SchedulerError(f"nothing answers at {address} ({error.strerror or error})",
                             START_SCHEDULER_HINT) from None
    return f"{match['scheme'] or 'tcp'}://{match['host']}:{port}"


def dask_engine(address: str, *, timeout_s: float = 30.0) -> DaskEngine:
    """Connect to a running scheduler (``tcp://HOST:PORT``) and wait for at least one worker."""
    from distributed import Client

    reachable_scheduler(address)
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


def in_order(indexed: Iterable[tuple[int, Result]]) -> Iterator[Result]:
    """Results that arrive as (index, result) in any order, yielded in index order as soon as each can be."""
    waiting: dict[int, Result] = {}
    next_index = 0
    for index, result in indexed:
        waiting[index] = result
        while next_index in waiting:
            yield waiting.pop(next_index)
            next_index += 1


def map_in_order(function: BatchFunction, items: list[Item], workers: int | None = None,
                 scheduler: str | None = None) -> Iterator[Result]:
    """``function`` over ``items`` in batches on the engine ``workers`` / ``scheduler`` ask for
    (:func:`make_engine`); the results come back one per item, in the items' order, as soon as they can.

    ``function`` takes a batch (a list of items) and returns one result per item; it must be a top-level
    function, because worker processes import it. The engine is closed when the results are all read, and
    its workers stopped if the reader stops early or an error is raised.
    """
    engine = make_engine(workers, scheduler)
    finished = False
    try:
        size = auto_batch_size(len(items), engine.workers)
        for results in in_order(engine.map_batches(function, batched(items, size))):
            yield from results
        finished = True
    finally:
        engine.close(cancel=not finished)
