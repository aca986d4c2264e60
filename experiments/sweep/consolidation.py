"""The end of a sweep: the parts gathered into ``results.parquet`` (and the weekly frames and series), and
``manifest.json`` with the resolved sweep, counts, failures, timings, versions and the git commit."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

import pandas as pd

from labelmarket.experiments.provenance import SWEEP_PACKAGES, git_state, package_versions, utc_now
from labelmarket.experiments.sweep.outcome import SweepOutcome
from labelmarket.experiments.sweep.outputs import SERIES_KEYS
from labelmarket.experiments.sweep.samplers import Design
from labelmarket.experiments.sweep.spec import SweepFile, SweepSpec
from labelmarket.experiments.sweep.store import (
    DESIGN_FILE,
    MANIFEST_FILE,
    RESULTS_FILE,
    SWEEP_COPY,
    WEEKLY_FILE,
    SweepStore,
    write_json,
    write_parquet,
)
from labelmarket.experiments.sweep.targets import Target

MANIFEST_FORMAT = 1


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
        "versions": package_versions(SWEEP_PACKAGES),
        "git": git_state(),
        "host": {"platform": platform.platform(), "python": sys.version.split()[0], "cpus": os.cpu_count()},
        "written": utc_now(),
    }


def _round(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 6)
