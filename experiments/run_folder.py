"""A run folder: the frames of one run, its resolved scenario and a manifest, written atomically.

A run folder holds ``manifest.json``, ``scenario.toml`` (the resolved scenario, replayable),
``market.parquet``, ``vendors.parquet``, ``allocations.parquet`` and ``events.parquet`` (columns as in
``model/recorder.py``). It is a labelmarket output folder of kind ``run`` (``experiments/output_folder.py``):
written under a temporary sibling name (``.tmp-...``) and renamed into place when complete, so an interrupted
or failed run leaves nothing behind, and ``--force`` replaces only another run folder.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from labelmarket.experiments.output_folder import (
    MANIFEST_FILE,
    RUNS_DIR,
    staged_output_folder,
    utc_stamp,
    write_manifest,
)
from labelmarket.experiments.provenance import git_state, package_versions, utc_now
from labelmarket.model.runner import RunResult
from labelmarket.scenarios.loader import scenario_hash, scenario_toml

FRAME_FILES = {"market": "market.parquet", "vendors": "vendors.parquet",
               "allocations": "allocations.parquet", "events": "events.parquet", "labs": "labs.parquet"}
SCENARIO_FILE = "scenario.toml"
RUN_KIND = "run"
SLUG_MAX_CHARS = 64


def folder_slug(name: str, max_chars: int = SLUG_MAX_CHARS) -> str:
    """A scenario name made safe as one folder-name component: printable ASCII letters, digits, ``.``, ``_``
    and ``-`` only, no leading dot or dash, at most ``max_chars`` long (``"../../x"`` -> ``"x"``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name)
    slug = re.sub(r"-{2,}", "-", slug).lstrip(".-")[:max_chars].rstrip(".-")
    return slug or "scenario"


def default_run_dir(scenario_name: str, seed: int, root: Path = RUNS_DIR, now: datetime | None = None) -> Path:
    """``runs/<slug of the scenario name>-seed<N>-<UTC timestamp>``; a suffix keeps it unique within the same
    second. The name is slugged (:func:`folder_slug`), so whatever the scenario is called, the folder is one
    level under ``root``."""
    base = f"{folder_slug(scenario_name)}-seed{seed}-{utc_stamp(now)}"
    candidate, n = Path(root) / base, 2
    while os.path.lexists(candidate):
        candidate, n = Path(root) / f"{base}-{n}", n + 1
    return candidate


# ------------------------------------------------------------------------------------------- manifest
def scheduled_events(result: RunResult) -> dict[str, dict[str, Any]]:
    """Each scheduled (enabled) event of the scenario with its kind and week."""
    return {name: {"kind": event.kind, "week": event.week} for name, event in result.scenario.enabled_events()}


def build_manifest(result: RunResult, wall_time_s: float | None = None,
                   extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a reader (or a later run) needs to know about how the frames were made."""
    meta = result.scenario.meta
    manifest: dict[str, Any] = {
        "scenario": meta.name,
        "description": meta.description,
        "scenario_sha256": scenario_hash(result.scenario),
        "seed": result.seed,
        "weeks": result.weeks,
        "horizon_weeks": meta.horizon_weeks,
        "reference_week": meta.reference_week,
        "events": scheduled_events(result),
        "versions": package_versions(),
        "git": git_state(),
        "wall_time_s": None if wall_time_s is None else round(wall_time_s, 3),
        "created_utc": utc_now(),
        "files": {FRAME_FILES[name]: {"rows": int(len(frame)), "columns": list(frame.columns)}
                  for name, frame in result.frames().items()},
    }
    manifest.update(extra or {})
    return manifest


def replay_command(out: Path, result: RunResult) -> str:
    """The shell command (quoted with ``shlex.join``) that reproduces the frames of this run folder."""
    words = ["labelmarket", "run", str(out / SCENARIO_FILE), "--seed", str(result.seed)]
    if result.weeks != result.scenario.meta.horizon_weeks:
        words += ["--weeks", str(result.weeks)]
    return shlex.join(words)


def write_run_files(folder: Path, result: RunResult, manifest: Mapping[str, Any]) -> None:
    """Write the files of a run folder into an existing (staging) folder; the manifest goes last."""
    (folder / SCENARIO_FILE).write_text(scenario_toml(result.scenario), encoding="utf-8")
    for name, frame in result.frames().items():
        frame.to_parquet(folder / FRAME_FILES[name], index=False)
    write_manifest(folder, RUN_KIND, manifest)


def write_run_folder(result: RunResult, out: Path | str, force: bool = False, wall_time_s: float | None = None,
                     extra: Mapping[str, Any] | None = None) -> Path:
    """Write a whole run folder atomically and return its path (the Python face of ``labelmarket run``).

    ``force`` replaces an existing run folder, and nothing else (``experiments/output_folder.py``)."""
    out = Path(out)
    with staged_output_folder(out, RUN_KIND, force) as staging:
        manifest = build_manifest(result, wall_time_s, {"replay": replay_command(out, result), **(extra or {})})
        write_run_files(staging, result, manifest)
    return out


def read_run_folder(folder: Path | str) -> dict[str, Any]:
    """The manifest and the four frames of a run folder: ``{"manifest": {...}, "market": DataFrame, ...}``."""
    folder = Path(folder)
    loaded: dict[str, Any] = {"manifest": json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))}
    for name, file in FRAME_FILES.items():
        loaded[name] = pd.read_parquet(folder / file)
    return loaded
