"""Recognising a labelmarket output folder: which kind it is, and which of its entries labelmarket wrote.

A folder declares its kind in one of two ways, and is a labelmarket output folder only if it holds nothing
but what that kind writes:

- a ``manifest.json`` whose ``"labelmarket_output"`` names the kind and whose ``"contents"`` lists every
  top-level entry (run, validation, calibration, ablation, robustness; D11); a run folder of an earlier
  version (a manifest with ``scenario_sha256``, ``seed`` and ``replay``) holds the six run files;
- an identity file, for the kinds that are written in place and may be resumed (D20): ``state.json`` with a
  fingerprint and an identity for a sweep, ``analysis.json`` marked ``labelmarket-analysis`` for an analysis
  (or, written before it had one, a ``summary.md``). Such a folder may hold the entries its kind writes:
  :data:`SWEEP_ENTRIES` (an ``analysis`` subfolder checked as an analysis), or for an analysis tables,
  notes and a ``figures`` subfolder of images. Names with ``.tmp-`` in them are labelmarket's temporaries.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"
MARKER_FIELD = "labelmarket_output"
CONTENTS_FIELD = "contents"
KINDS = ("run", "validation", "calibration", "sweep", "analysis", "ablation", "robustness")
TMP_PREFIX = ".tmp-"
LEGACY_RUN_KEYS = ("scenario_sha256", "seed", "replay")
LEGACY_RUN_FILES = frozenset({MANIFEST_FILE, "scenario.toml", "market.parquet", "vendors.parquet",
                              "allocations.parquet", "events.parquet"})
MANIFEST_MAX_BYTES = 64 * 1024 * 1024

SWEEP_IDENTITY_FILE = "state.json"
ANALYSIS_IDENTITY_FILE = "analysis.json"
ANALYSIS_MARK = "labelmarket-analysis"
#: Every entry a sweep folder can hold.
SWEEP_ENTRIES = frozenset({
    "state.json", "sweep.toml", "design.parquet", "parts", "failures", "results.parquet", "weekly.parquet",
    "vendor_series.parquet", "lab_series.parquet", "manifest.json", "analysis", ".lock",
})
#: What a sweep's working folder holds before its ``state.json`` is written (each subfolder empty).
SWEEP_STARTING_ENTRIES = frozenset({"parts", "failures", ".lock"})
ANALYSIS_FILE_SUFFIXES = (".csv", ".md", ".json")
ANALYSIS_SUBFOLDERS = frozenset({"figures"})
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in the regular, reasonably sized file ``path``; None for anything else."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MANIFEST_MAX_BYTES:
            return None
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _manifest_kind(manifest: Mapping[str, Any]) -> tuple[str, frozenset[str]] | None:
    """The kind a manifest declares and the entries it says the folder holds; None if it declares none."""
    kind = manifest.get(MARKER_FIELD)
    if kind in KINDS:
        contents = manifest.get(CONTENTS_FIELD)
        if isinstance(contents, list) and all(isinstance(name, str) for name in contents):
            return kind, frozenset(contents) | {MANIFEST_FILE}
        return None
    if kind is None and all(key in manifest for key in LEGACY_RUN_KEYS):
        return "run", LEGACY_RUN_FILES
    return None


def _sweep_starting(folder: Path) -> bool:
    """A sweep's working folder (``.tmp-NAME``) stopped before its state.json was written: empty store, lock."""
    if not folder.name.startswith(TMP_PREFIX):
        return False
    entries = list(os.scandir(folder))
    return {e.name for e in entries} <= SWEEP_STARTING_ENTRIES and all(
        not e.is_dir(follow_symlinks=False) or not any(os.scandir(e.path)) for e in entries)


def _identity_kind(folder: Path) -> str | None:
    """``sweep`` or ``analysis`` if the folder's identity file says so; None otherwise."""
    state = read_json_object(folder / SWEEP_IDENTITY_FILE)
    if state is not None and "fingerprint" in state and "identity" in state:
        return "sweep"
    analysis = read_json_object(folder / ANALYSIS_IDENTITY_FILE)
    if analysis is not None:
        return "analysis" if analysis.get("kind") == ANALYSIS_MARK else None
    if (folder / "summary.md").is_file() and not (folder / "summary.md").is_symlink():
        return "analysis"
    return "sweep" if _sweep_starting(folder) else None


def declared_kind(folder: Path | str) -> str | None:
    """The kind ``folder`` declares itself (see the module docstring), whatever else it holds; None if it
    is not a real folder or declares no kind."""
    folder = Path(folder)
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return None
    except OSError:
        return None
    manifest = read_json_object(folder / MANIFEST_FILE)
    declared = _manifest_kind(manifest) if manifest is not None else None
    return declared[0] if declared is not None else _identity_kind(folder)


def _written_by_kind(folder: Path, kind: str) -> list[str]:
    """Entries of a sweep or analysis folder that its kind does not write (a user's own files)."""
    strangers = []
    for entry in os.scandir(folder):
        name = entry.name
        if TMP_PREFIX in name:
            continue
        if kind == "sweep" and name == "analysis" and entry.is_dir(follow_symlinks=False):
            strangers += [f"analysis/{inner}" for inner in _written_by_kind(Path(entry.path), "analysis")]
            continue
        if kind == "sweep":
            ours = name in SWEEP_ENTRIES and not entry.is_symlink()
        elif entry.is_dir(follow_symlinks=False):
            ours = name in ANALYSIS_SUBFOLDERS and all(
                f.is_file(follow_symlinks=False) and f.name.endswith(FIGURE_SUFFIXES) for f in os.scandir(entry.path))
        else:
            ours = entry.is_file(follow_symlinks=False) and name.endswith(ANALYSIS_FILE_SUFFIXES)
        if not ours:
            strangers.append(name)
    return strangers


def foreign_entries(folder: Path | str) -> list[str]:
    """The entries of a folder that declares a kind which labelmarket did not write there, sorted; [] when
    it declares none."""
    folder = Path(folder)
    kind = declared_kind(folder)
    if kind is None:
        return []
    manifest = read_json_object(folder / MANIFEST_FILE)
    declared = _manifest_kind(manifest) if manifest is not None else None
    if declared is None:
        return sorted(_written_by_kind(folder, kind))
    return sorted(set(os.listdir(folder)) - declared[1])


def output_kind(folder: Path | str) -> str | None:
    """The kind of labelmarket output folder ``folder`` is, or None if it is not one: not a real folder, no
    declaration of ours, or an entry labelmarket did not write."""
    kind = declared_kind(folder)
    try:
        return kind if kind is not None and not foreign_entries(folder) else None
    except OSError:
        return None
