"""Run a sweep: design → pending runs → engine → store → consolidated results and manifest.

The sweep works in ``<parent>/.tmp-<name>`` and renames it to ``<parent>/<name>`` when every run has an
outcome, so a sweep folder without the ``.tmp-`` prefix is whole. Re-running the same sweep resumes it: finished
runs are skipped, failed ones are tried again.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from labelmarket.experiments import output_folder
from labelmarket.experiments.output_folder import OutputFolderError
from labelmarket.experiments.output_kinds import declared_kind, read_json_object
from labelmarket.experiments.sweep import growth
from labelmarket.experiments.sweep import progress as progress_bar
from labelmarket.experiments.provenance import git_state, utc_now
from labelmarket.experiments.sweep.consolidation import consolidate
from labelmarket.experiments.sweep.engines import Engine, RunFunction, RunTask, auto_batch_size, batched, make_engine
from labelmarket.experiments.sweep.main_guard import check_called_safely
from labelmarket.experiments.sweep.outcome import SweepOutcome
from labelmarket.experiments.sweep.samplers import SAMPLE_PREFIX, Design, build_design, replicate_seeds, run_key
from labelmarket.experiments.sweep.spec import SweepError, SweepFile, SweepSpec, fingerprint, load_sweep
from labelmarket.experiments.sweep.store import (
    DESIGN_FILE,
    MANIFEST_FILE,
    STATE_FILE,
    SWEEP_COPY,
    TMP_PREFIX,
    SweepStore,
    describe_changes,
    write_atomically,
    write_json,
    write_parquet,
)
from labelmarket.experiments.sweep.targets import Target, prepare_target
from labelmarket.experiments.sweep.timeouts import with_time_limit

__all__ = ["SweepOutcome", "default_out_dir", "run_sweep"]

#: Beyond a batch's worth of run time limits, how long the engine waits for any run before it stops, seconds.
STALL_MARGIN_S = 60.0


def default_out_dir(sweep_file: SweepFile) -> Path:
    return Path("runs") / f"sweep-{sweep_file.name}"


def run_sweep(
    source: str | Path | dict | SweepSpec | SweepFile,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    engine: Engine | None = None,
    run_point: RunFunction | None = None,
    batch_size: int | None = None,
    progress: bool = True,
    force: bool = False,
    run_timeout_s: float | None = None,
    stall_timeout_s: float | None = None,
) -> SweepOutcome:
    """Run (or resume) a sweep and return its outcome; the results land in ``out`` (default ``runs/sweep-NAME``).

    ``source`` is a sweep file, a dict with the same fields, or a spec. ``workers`` local processes run it
    (default one per core; 1 runs it in this process), or the dask cluster at ``scheduler`` (``tcp://HOST:PORT``),
    or a ready ``engine``. ``run_point`` replaces the labelmarket model with any picklable
    ``run(params, seed) -> dict``. ``force`` replaces an existing folder that holds a *different* sweep (only a
    labelmarket sweep folder; anything else is refused). ``run_timeout_s`` (default: the sweep file's
    ``run_timeout_s``) stops a run that takes longer and records it as failed. ``stall_timeout_s`` stops the
    session (finished runs kept) when no run finishes for that long, or when a dask cluster has had no worker for
    that long (default 60 s without workers; without progress only with a run time limit: a batch's worth of time
    limits plus 60 s). Bad input raises :class:`SweepError`, before anything is created.
    """
    if engine is None and not scheduler and (workers or os.cpu_count() or 1) > 1:
        check_called_safely()
    sweep_file = load_sweep(source)
    spec = sweep_file.spec
    final_dir = Path(out) if out is not None else default_out_dir(sweep_file)
    work_dir = final_dir.with_name(TMP_PREFIX + final_dir.name)
    with _as_sweep_error(sweep_file):
        output_folder.check_path(final_dir, "sweep", resumable=True)
        for folder in (final_dir, work_dir):
            output_folder.resumable_target(folder, "sweep")
    if scheduler and engine is None:
        scheduler = check_scheduler(scheduler, sweep_file)

    design = build_design(spec)
    seeds = replicate_seeds(spec.seed, spec.replications)
    target = prepare_target(sweep_file, run_point, seeds)
    identity = {"sweep": spec.results_identity(), "target": target.identity}
    sweep_fingerprint = fingerprint(identity)
    runs = _run_table(design, seeds)
    stale, grown = _compare_with_existing(final_dir, work_dir, sweep_fingerprint, identity, sweep_file, design, force)
    if not stale and grown is None:
        finished = _already_complete(final_dir)
        if finished is not None:
            return finished

    timeout = run_timeout_s if run_timeout_s is not None else spec.run_timeout_s
    own_engine = engine is None
    engine = engine or make_engine(workers, scheduler)
    try:
        with _as_sweep_error(sweep_file):
            for folder in stale:
                output_folder.remove_output_folder(folder, "sweep")
        _claim_work_dir(final_dir, work_dir, sweep_file)
        store = SweepStore(work_dir)
        store.open()
    except BaseException:
        if own_engine:
            engine.close(cancel=True)
        raise
    try:
        if grown is not None:
            store.grow(identity, sweep_fingerprint, grown)
        state = store.bind(identity, sweep_fingerprint, sweep_file.source)
        return _run_in_store(store, state, sweep_file, design, runs, target, final_dir,
                             engine, own_engine, batch_size, progress, timeout, stall_timeout_s)
    finally:
        store.close()


@contextmanager
def _as_sweep_error(sweep_file: SweepFile) -> Iterator[None]:
    """Report a refused or unwritable ``--out`` as a :class:`SweepError` of the sweep file's ``--out``."""
    try:
        yield
    except OutputFolderError as error:
        raise sweep_file.error("--out", f"{error.path}: {error.reason}", error.hint) from None


def check_scheduler(address: str, sweep_file: SweepFile) -> str:
    """The scheduler address, checked in seconds before anything is created: its form, dask, and that it answers."""
    from labelmarket.experiments.sweep.engines import SchedulerError, reachable_scheduler

    try:
        return reachable_scheduler(address)
    except SchedulerError as error:
        raise sweep_file.error("--scheduler", str(error), error.hint) from None


def _run_table(design: Design, seeds: list[int]) -> pd.DataFrame:
    """One row per (point, replicate) with its seed and store key."""
    rows = []
    for point_id, params in enumerate(design.points):
        for replicate, seed in enumerate(seeds):
            rows.append((point_id, replicate, seed, run_key(params, seed)))
    return pd.DataFrame(rows, columns=["point_id", "replicate", "seed", "run_key"]).astype(
        {"point_id": "int64", "replicate": "int64", "seed": "int64"}
    )


def _compare_with_existing(final_dir: Path, work_dir: Path, sweep_fingerprint: str, identity: dict,
                           sweep_file: SweepFile, design: Design, force: bool) -> tuple[list[Path], str | None]:
    """Compare the sweep with the folders already there.

    Returns the folders to replace (a different sweep, with ``force``) and, if the sweep grows the one already
    there (``growth``), what grew. A different sweep without ``force`` is refused.
    """
    stale: list[Path] = []
    grown = None
    for folder in (final_dir, work_dir):
        if declared_kind(folder) != "sweep":
            continue
        state = read_json_object(folder / STATE_FILE)
        if state is None or state.get("fingerprint") == sweep_fingerprint:
            continue  # the same sweep, or one killed before it recorded which: resumed
        change = growth.compare(state.get("identity", {}), identity)
        if change is not None and change.ok and _design_extends(folder, design):
            grown = change.text
            continue
        if not force:
            reason = change.text if change is not None and not change.ok else describe_changes(
                state.get("identity", {}), identity)
            raise sweep_file.error(
                "", f"this sweep differs from the one already in {folder}: {reason}",
                "run it into a new folder with --out, restore the sweep file to resume the old one, "
                "or pass --force to replace it")
        stale.append(folder)
    return stale, grown


def _design_extends(folder: Path, design: Design) -> bool:
    """A sampled design must start with the folder's old one (checked, not assumed); a grid always contains it."""
    if design.matrix is None:
        return True
    try:
        old = pd.read_parquet(folder / DESIGN_FILE)
    except (OSError, ValueError):
        return False
    columns = [SAMPLE_PREFIX + name for name in design.names]
    if not set(columns) <= set(old.columns):
        return False
    return growth.extends(old.sort_values("point_id")[columns].to_numpy(dtype=float), design.matrix)


def _already_complete(final_dir: Path) -> SweepOutcome | None:
    """A whole folder of this sweep (a different one was refused or replaced before) with no failures needs no
    work."""
    if not (final_dir / STATE_FILE).exists() or not (final_dir / MANIFEST_FILE).exists():
        return None
    manifest = json.loads((final_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    counts = manifest.get("counts", {})
    if counts.get("failed", 0):
        return None  # try the failures again
    return SweepOutcome(final_dir, counts.get("runs", 0), counts.get("ok", 0), 0, already_complete=True)


def _claim_work_dir(final_dir: Path, work_dir: Path, sweep_file: SweepFile) -> None:
    """Move a whole folder back to its working name (to retry failures), or create the working folder."""
    if final_dir.exists() and work_dir.exists():
        raise SweepError(sweep_file.source, "--out", f"both {final_dir} and {work_dir} exist",
                         "keep the one you want and remove the other")
    try:
        if final_dir.exists():
            if (final_dir / STATE_FILE).exists():
                os.replace(final_dir, work_dir)
            else:  # an empty folder (anything else was refused before)
                final_dir.rmdir()
        work_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise sweep_file.error("--out", f"cannot write {work_dir}: {error.strerror or error}") from None


def _run_in_store(
    store: SweepStore,
    state: dict[str, Any],
    sweep_file: SweepFile,
    design: Design,
    runs: pd.DataFrame,
    target: Target,
    final_dir: Path,
    engine: Engine,
    own_engine: bool,
    batch_size: int | None,
    progress: bool,
    run_timeout_s: float | None,
    stall_timeout_s: float | None,
) -> SweepOutcome:
    started = time.time()
    store.remove_temporaries()
    _write_inputs(store, sweep_file, design)

    multiplicity = Counter(runs["run_key"])
    finished = store.finished_keys() & set(multiplicity)
    params_by_key = {k: design.points[p] for k, p in zip(runs["run_key"], runs["point_id"])}
    seed_by_key = dict(zip(runs["run_key"], runs["seed"]))
    pending_keys = [k for k in dict.fromkeys(runs["run_key"]) if k not in finished]
    tasks = [RunTask(k, params_by_key[k], int(seed_by_key[k])) for k in pending_keys]

    size = batch_size or auto_batch_size(len(tasks), engine.workers)
    _watch(engine, size, run_timeout_s, stall_timeout_s)
    run_point = with_time_limit(target.run_point, run_timeout_s)
    code = git_state()
    notes = _code_change_notes(state.get("sessions", []), code)
    session = {"started": utc_now(), "engine": engine.describe(), "batch_size": size, "pending_runs": len(tasks),
               "run_timeout_s": run_timeout_s, "git": code, "finished": None, "computed": 0}
    if store.grown:
        session["grown"] = state["grown"][-1]["change"]
    state.setdefault("sessions", []).append(session)
    write_json(store.root / STATE_FILE, state)

    done_runs = sum(multiplicity[k] for k in finished)
    failed_now = 0
    computed = 0
    interrupted = False
    engine_error = None
    bar = progress_bar.open_bar(sweep_file.name, total=len(runs), done=done_runs, enabled=progress and bool(tasks))
    try:
        for records in engine.run(run_point, batched(tasks, size)):
            for record in records:
                store.write_record(record, params_by_key[record.key])
                computed += 1
                failed_now += not record.ok
                bar.update(multiplicity[record.key])
            bar.set_postfix(failed=failed_now, refresh=False)
    except KeyboardInterrupt:
        interrupted = True
    except Exception as error:  # noqa: BLE001 - a worker died or the cluster went away: keep what is done
        engine_error = f"{type(error).__name__}: {error}"
    finally:
        bar.close()
        if own_engine:
            engine.close(cancel=interrupted or engine_error is not None)

    session.update(finished=utc_now(), computed=computed, wall_s=round(time.time() - started, 3),
                   interrupted=interrupted, engine_error=engine_error)
    write_json(store.root / STATE_FILE, state)
    if interrupted or engine_error:
        done = sum(multiplicity[k] for k in store.finished_keys() & set(multiplicity))
        return SweepOutcome(store.root, len(runs), done, 0, computed, time.time() - started,
                            interrupted=interrupted, engine_error=engine_error, notes=notes)

    outcome = consolidate(store, sweep_file, design, runs, target, state)
    outcome.notes = notes + outcome.notes
    outcome.computed = computed
    outcome.seconds = time.time() - started
    os.replace(store.root, final_dir)  # still holding the folder's lock: no other sweep can claim it meanwhile
    store.moved_to(final_dir)
    store.close(finished=True)
    outcome.run_dir = final_dir
    return outcome


def _watch(engine: Engine, batch_size: int, run_timeout_s: float | None, stall_timeout_s: float | None) -> None:
    """Set how long the engine may go without progress (or, on a cluster, without workers) before it stops."""
    if stall_timeout_s is not None:
        engine.stall_timeout_s = stall_timeout_s
        engine.no_workers_timeout_s = stall_timeout_s
    elif run_timeout_s is not None:
        engine.stall_timeout_s = batch_size * run_timeout_s + STALL_MARGIN_S


def _code_change_notes(sessions: list[dict[str, Any]], code: dict[str, Any]) -> list[str]:
    """Warn when a resumed sweep runs on different code than the runs it already holds."""
    earlier = [s.get("git") for s in sessions if s.get("git")]
    if not earlier or not code.get("commit"):
        return []
    last = earlier[-1]
    if last.get("commit") != code["commit"]:
        return [f"the code changed since this sweep started (git {last['commit'][:12]} → {code['commit'][:12]}): "
                "runs from both versions are mixed; use a new --out folder for a clean sweep"]
    if code.get("dirty") or last.get("dirty"):
        return ["the working tree has uncommitted changes: runs of different sessions may come from different code"]
    return []


def _write_inputs(store: SweepStore, sweep_file: SweepFile, design: Design) -> None:
    """The design and the sweep file as run (rewritten when the sweep has grown)."""
    if not (store.root / DESIGN_FILE).exists() or len(pd.read_parquet(store.root / DESIGN_FILE)) != len(design):
        write_parquet(store.root / DESIGN_FILE, design.frame())
    if not (store.root / SWEEP_COPY).exists() or store.grown:
        text = sweep_file.text
        if text is None:
            import tomli_w

            text = tomli_w.dumps(sweep_file.spec.model_dump(mode="json", exclude_none=True))
        write_atomically(store.root / SWEEP_COPY, lambda p: p.write_text(text, encoding="utf-8"))
