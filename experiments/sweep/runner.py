"""Run a sweep: design → pending runs → engine → store → consolidated results and manifest.

The sweep works in ``<parent>/.tmp-<name>`` and renames it to ``<parent>/<name>`` when every run has an
outcome, so a sweep folder without the ``.tmp-`` prefix is whole. Re-running the same sweep resumes it: finished
runs are skipped, failed ones are tried again.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from labelmarket.experiments.sweep import growth, out_folder
from labelmarket.experiments.sweep import progress as progress_bar
from labelmarket.experiments.sweep.main_guard import check_called_safely
from labelmarket.experiments.sweep.engines import Engine, RunFunction, RunTask, auto_batch_size, batched, make_engine
from labelmarket.experiments.sweep.samplers import SAMPLE_PREFIX, Design, build_design, replicate_seeds, run_key
from labelmarket.experiments.sweep.spec import SweepError, SweepFile, SweepSpec, fingerprint, load_sweep
from labelmarket.experiments.sweep.store import (
    DESIGN_FILE,
    MANIFEST_FILE,
    RESULTS_FILE,
    STATE_FILE,
    SWEEP_COPY,
    TMP_MARK,
    WEEKLY_FILE,
    SweepStore,
    describe_changes,
    write_atomically,
    write_json,
    write_parquet,
)
from labelmarket.experiments.sweep.outputs import SERIES_KEYS
from labelmarket.experiments.sweep.targets import Target, prepare_target
from labelmarket.experiments.sweep.timeouts import with_time_limit

MANIFEST_FORMAT = 1
#: Beyond a batch's worth of run time limits, how long the engine waits for any run before it stops, seconds.
STALL_MARGIN_S = 60.0


@dataclass
class SweepOutcome:
    """What a finished (or interrupted) sweep reports back."""

    run_dir: Path
    runs: int
    ok: int
    failed: int
    computed: int = 0
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False
    engine_error: str | None = None
    already_complete: bool = False
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        state = ("interrupted" if self.interrupted else "engine stopped" if self.engine_error
                 else "already complete" if self.already_complete else "done")
        return (f"<SweepOutcome {self.run_dir}: {state}; {self.runs:,} runs, {self.ok:,} ok, {self.failed:,} failed, "
                f"{self.computed:,} computed now>")

    @property
    def complete(self) -> bool:
        return not self.interrupted and self.engine_error is None

    @property
    def exit_code(self) -> int:
        """0: every run succeeded; 1: some failed, or the engine broke; 130: interrupted (re-run to resume)."""
        if self.interrupted:
            return 130
        return 1 if self.failed or self.engine_error else 0


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
    work_dir = final_dir.with_name(TMP_MARK + final_dir.name)
    out_folder.check_path(final_dir, sweep_file.source, "--out")
    for folder in (final_dir, work_dir):
        if out_folder.existing_kind(folder) == "foreign":
            raise sweep_file.error("--out", out_folder.describe_foreign(folder),
                                   "choose another folder; labelmarket replaces only its own sweep folders")
    out_folder.check_parent_writable(final_dir, sweep_file.source, "--out")
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
        finished = _already_complete(final_dir, sweep_fingerprint, sweep_file, identity)
        if finished is not None:
            return finished

    timeout = run_timeout_s if run_timeout_s is not None else spec.run_timeout_s
    own_engine = engine is None
    engine = engine or make_engine(workers, scheduler)
    try:
        for folder in stale:
            out_folder.remove_labelmarket_folder(folder, "sweep", sweep_file.source, "--out")
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
        if out_folder.existing_kind(folder) != "sweep":
            continue
        state = out_folder.read_identity(folder, STATE_FILE)
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


def _already_complete(final_dir: Path, sweep_fingerprint: str, sweep_file: SweepFile, identity: dict) -> SweepOutcome | None:
    """A whole folder of this sweep with no failures needs no work."""
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
        raise out_folder.unwritable(work_dir, error, sweep_file.source, "--out") from None


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
    session = {"started": _now(), "engine": engine.describe(), "batch_size": size, "pending_runs": len(tasks),
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
    bar = progress_bar.open_bar(sweep_file.name, total=len(runs), done=done_runs, enabled=progress)
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

    session.update(finished=_now(), computed=computed, wall_s=round(time.time() - started, 3),
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


def consolidate(
    store: SweepStore,
    sweep_file: SweepFile,
    design: Design,
    runs: pd.DataFrame,
    target: Target,
    state: dict[str, Any],
) -> SweepOutcome:
    """Gather the parts into ``results.parquet`` (and ``weekly.parquet``), and write ``manifest.json``."""
    spec = sweep_file.spec
    keys = list(dict.fromkeys(runs["run_key"]))
    finished = store.finished_keys()
    ok_keys = [k for k in keys if k in finished]
    failed_keys = [k for k in keys if k not in finished and k in store.failed_keys()]
    missing = [k for k in keys if k not in finished and k not in failed_keys]

    outputs, seconds = store.read_parts(ok_keys)
    design_frame = design.frame()[["point_id", *design.names]]
    results = runs.merge(design_frame, on="point_id", how="left")
    if outputs is not None:
        output_frame = outputs.to_pandas().drop(columns=["seed"])
        results = results.merge(output_frame, on="run_key", how="left")
    failures = store.read_failures(failed_keys)
    errors = {k: f["error"] for k, f in failures.items()}
    errors.update({k: "not run" for k in missing})
    results["error"] = results["run_key"].map(errors).astype("string")
    ordered = ["point_id", "replicate", "seed", *design.names]
    rest = [c for c in results.columns if c not in ordered and c not in ("run_key", "error")]
    results = results[[*ordered, *rest, "error", "run_key"]]
    write_parquet(store.root / RESULTS_FILE, results)

    keep_weekly = spec.outputs.weekly_market
    weekly_written = False
    if keep_weekly and ok_keys:
        with_weekly = [k for k in ok_keys if store.weekly_path(k).exists()]
        weekly, _ = store.read_parts(with_weekly, weekly=True)
        if weekly is not None:
            frame = runs[["point_id", "replicate", "seed", "run_key"]].merge(weekly.to_pandas(), on="run_key")
            frame = frame.sort_values(["point_id", "replicate", "week"], kind="stable").drop(columns=["run_key"])
            write_parquet(store.root / WEEKLY_FILE, frame.reset_index(drop=True))
            weekly_written = True

    series_written = _write_series(store, spec, ok_keys, runs, design)
    point_ids = runs.groupby("run_key")["point_id"].apply(list).to_dict()
    type_notes = type_change_notes(store.type_changes, point_ids, runs)
    failure_list = []
    for key, failure in failures.items():
        failure_list.append({
            "point_ids": [int(p) for p in point_ids[key]],
            "seed": failure["seed"],
            "params": failure["params"],
            "error": failure["error"],
            "details": f"failures/{key}.json",
        })
    n_failed = int(results["error"].notna().sum())
    outcome = SweepOutcome(store.root, len(runs), len(runs) - n_failed, n_failed, failures=failure_list,
                           notes=type_notes)
    manifest = _manifest(sweep_file, design, runs, target, state, outcome, seconds, weekly_written)
    manifest["files"].update({name: f"{name}.parquet" if name in series_written else None for name in SERIES_KEYS})
    manifest["type_changes"] = store.type_changes
    write_json(store.root / MANIFEST_FILE, manifest)
    return outcome


def _write_series(store: SweepStore, spec: SweepSpec, ok_keys: list[str], runs: pd.DataFrame,
                  design: Design) -> list[str]:
    """Consolidate the opt-in vendor and lab series into ``<name>.parquet``, with each point's parameters."""
    written = []
    identity = runs[["point_id", "replicate", "seed", "run_key"]].merge(
        design.frame()[["point_id", *design.names]], on="point_id")
    for name in SERIES_KEYS:
        if not getattr(spec.outputs, name) or not ok_keys:
            continue
        table = store.read_series(ok_keys, name)
        if table is None:
            continue
        frame = identity.merge(table.to_pandas(), on="run_key").drop(columns=["run_key"])
        entity = "vendor" if name == "vendor_series" else "lab"
        frame = frame.sort_values(["point_id", "replicate", "week", entity], kind="stable").reset_index(drop=True)
        write_parquet(store.root / f"{name}.parquet", frame)
        written.append(name)
    return written


def type_change_notes(changes: list[dict[str, Any]], point_ids: dict[str, list[int]], runs: pd.DataFrame) -> list[str]:
    """One line per output whose type changed between runs: where it first changed, and how often."""
    seeds = dict(zip(runs["run_key"], runs["seed"]))
    by_output: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        by_output.setdefault(change["column"], []).append(change)
    notes = []
    for output, found in by_output.items():
        first = min(found, key=lambda c: min(point_ids.get(c["run_key"], [0])))
        point = min(point_ids.get(first["run_key"], [0]))
        notes.append(f"output '{output}' is {first['found']} at point {point} (seed {seeds.get(first['run_key'])}) "
                     f"but {first['expected']} in earlier runs: {len(found)} such value(s) are left empty in "
                     "results.parquet; the other outputs of those runs are kept")
    return notes


def _manifest(sweep_file, design, runs, target, state, outcome, seconds, weekly_written) -> dict[str, Any]:
    spec = sweep_file.spec
    run_seconds = pd.Series(seconds, dtype="float64")
    sessions = state.get("sessions", [])
    return {
        "format": MANIFEST_FORMAT,
        "name": sweep_file.name,
        "description": spec.description,
        "sweep_file": sweep_file.source,
        "fingerprint": state.get("fingerprint"),
        "resolved": {
            "sweep": spec.model_dump(mode="json"),
            "target": target.resolved,
            "seeds": [int(s) for s in runs.drop_duplicates("replicate")["seed"]],
            "parameters": list(design.names),
            "problem": design.problem,
        },
        "counts": {
            "points": len(design),
            "replications": spec.replications,
            "runs": outcome.runs,
            "unique_runs": int(runs["run_key"].nunique()),
            "ok": outcome.ok,
            "failed": outcome.failed,
        },
        "failures": outcome.failures,
        "files": {
            "results": RESULTS_FILE,
            "weekly": WEEKLY_FILE if weekly_written else None,
            "design": DESIGN_FILE,
            "sweep": SWEEP_COPY,
        },
        "timings": {
            "wall_s_all_sessions": round(sum(s.get("wall_s") or 0 for s in sessions), 3),
            "run_s_mean": _round(run_seconds.mean()),
            "run_s_median": _round(run_seconds.median()),
            "run_s_max": _round(run_seconds.max()),
            "run_s_total": _round(run_seconds.sum()),
        },
        "sessions": sessions,
        "versions": versions(),
        "git": git_state(),
        "host": {"platform": platform.platform(), "python": sys.version.split()[0], "cpus": os.cpu_count()},
        "written": _now(),
    }


def _round(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 6)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def versions() -> dict[str, str | None]:
    from importlib import metadata

    found: dict[str, str | None] = {}
    for package in ("labelmarket", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib", "dask", "distributed"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def git_state() -> dict[str, Any]:
    """The repository's commit and whether it had uncommitted changes (None outside a git checkout)."""
    root = Path(__file__).resolve().parents[2]
    if shutil.which("git") is None:
        return {"commit": None, "dirty": None}
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (subprocess.SubprocessError, OSError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}
