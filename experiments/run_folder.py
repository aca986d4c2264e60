"""A run folder: the frames of one run, its resolved scenario and a manifest, written atomically.

A run folder holds ``manifest.json``, ``scenario.toml`` (the resolved scenario, replayable),
``market.parquet``, ``vendors.parquet``, ``allocations.parquet`` and ``events.parquet`` (columns as in
``model/recorder.py``). It is written under a temporary sibling name (``.tmp-...``) and renamed into place
when complete, so an interrupted or failed run leaves nothing behind, and a folder whose name does not
start with ``.tmp-`` is whole.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from labelmarket.model.runner import RunResult
from labelmarket.scenarios.loader import scenario_hash, scenario_toml

RUNS_DIR = Path("runs")
FRAME_FILES = {"market": "market.parquet", "vendors": "vendors.parquet",
               "allocations": "allocations.parquet", "events": "events.parquet", "labs": "labs.parquet"}
MANIFEST_FILE = "manifest.json"
SCENARIO_FILE = "scenario.toml"
TMP_PREFIX = ".tmp-"
VERSIONED_PACKAGES = ("labelmarket", "mesa", "numpy", "pandas", "pyarrow", "pydantic")
REPO_DIR = Path(__file__).resolve().parent.parent


class RunFolderError(Exception):
    """A run folder that cannot be written: names the path and the reason."""

    def __init__(self, path: Path | str, reason: str, hint: str = "") -> None:
        self.path = Path(path)
        self.reason = reason
        text = f"{path}: {reason}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


def utc_stamp(now: datetime | None = None) -> str:
    """A compact UTC timestamp for folder names, e.g. ``20250613T091500Z``."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def default_run_dir(scenario_name: str, seed: int, root: Path = RUNS_DIR, now: datetime | None = None) -> Path:
    """``runs/<scenario>-seed<N>-<UTC timestamp>``; a suffix keeps it unique within the same second."""
    base = f"{scenario_name}-seed{seed}-{utc_stamp(now)}"
    candidate, n = Path(root) / base, 2
    while candidate.exists():
        candidate, n = Path(root) / f"{base}-{n}", n + 1
    return candidate


def check_target(out: Path, force: bool) -> None:
    """Refuse an existing folder (unless ``force``) before any work is done."""
    if (out.exists() or out.is_symlink()) and not force:
        raise RunFolderError(out, "already exists", "choose another --out, or pass --force to replace it")
    if out.name.startswith(TMP_PREFIX):
        raise RunFolderError(out, f"a run folder name must not start with '{TMP_PREFIX}'")


def _make_parents(parent: Path) -> list[Path]:
    """Create missing parent folders; return the ones created (deepest last) so a failure can undo them."""
    missing: list[Path] = []
    here = parent
    while not here.exists():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for folder in reversed(missing):
        folder.mkdir()
    return list(reversed(missing))


def _remove_created(created: list[Path]) -> None:
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            break


@contextmanager
def staged_run_folder(out: Path | str, force: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling folder of ``out``; on success rename it to ``out``, on any failure remove it.

    With ``force`` an existing ``out`` is replaced (it is moved aside first and deleted only once the new
    folder is in place). Problems with the disk raise :class:`RunFolderError` naming the path and reason.
    """
    out = Path(out)
    check_target(out, force)
    created: list[Path] = []
    staging: Path | None = None
    try:
        created = _make_parents(out.parent)
        staging = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{out.name}-", dir=out.parent))
    except OSError as err:
        _remove_created(created)
        raise RunFolderError(out, f"cannot create the run folder: {err.strerror or err}") from None
    try:
        yield staging
        _move_into_place(staging, out, force)
    except BaseException as err:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_created(created)
        if isinstance(err, OSError):
            raise RunFolderError(out, f"cannot write the run folder: {err.strerror or err}") from None
        raise


def _move_into_place(staging: Path, out: Path, force: bool) -> None:
    if not (out.exists() or out.is_symlink()):
        os.rename(staging, out)
        return
    if not force:
        raise RunFolderError(out, "already exists (it appeared while the run was going)",
                             "choose another --out, or pass --force to replace it")
    aside = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}old-{out.name}-", dir=out.parent))
    aside.rmdir()
    os.rename(out, aside)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(aside, out)
        raise
    if aside.is_dir() and not aside.is_symlink():
        shutil.rmtree(aside, ignore_errors=True)
    else:
        aside.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------- manifest
def package_versions() -> dict[str, str]:
    """Python and the packages whose versions decide a run's numbers."""
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_revision(repo: Path = REPO_DIR) -> dict[str, Any] | None:
    """The commit of the source tree and whether it had uncommitted changes; None outside git."""
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=5, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(status.strip())}


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
        "git": git_revision(),
        "wall_time_s": None if wall_time_s is None else round(wall_time_s, 3),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {FRAME_FILES[name]: {"rows": int(len(frame)), "columns": list(frame.columns)}
                  for name, frame in result.frames().items()},
    }
    manifest.update(extra or {})
    return manifest


def replay_command(out: Path, result: RunResult) -> str:
    """The command that reproduces the frames of this run folder."""
    command = f"labelmarket run {out / SCENARIO_FILE} --seed {result.seed}"
    if result.weeks != result.scenario.meta.horizon_weeks:
        command += f" --weeks {result.weeks}"
    return command


def write_run_files(folder: Path, result: RunResult, manifest: Mapping[str, Any]) -> None:
    """Write the six files of a run folder into an existing (staging) folder."""
    (folder / SCENARIO_FILE).write_text(scenario_toml(result.scenario), encoding="utf-8")
    for name, frame in result.frames().items():
        frame.to_parquet(folder / FRAME_FILES[name], index=False)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_run_folder(result: RunResult, out: Path | str, force: bool = False, wall_time_s: float | None = None,
                     extra: Mapping[str, Any] | None = None) -> Path:
    """Write a whole run folder atomically and return its path (the Python face of ``labelmarket run``)."""
    out = Path(out)
    with staged_run_folder(out, force) as staging:
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
