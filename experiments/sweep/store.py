"""The sweep folder: one Parquet file per finished run, written atomically, consolidated at the end.

Layout of a sweep folder::

    state.json             the sweep it belongs to (fingerprint, resolved sweep) and its sessions
    sweep.toml             the sweep file as run
    design.parquet         one row per point: point_id, the parameters as run, the sampler's raw columns
    parts/ab/<key>.parquet one finished run: its outputs (a one-row table), keyed by hash(params, seed)
    parts/ab/<key>.weekly.parquet   its weekly market frame, if kept (written before the part)
    parts/ab/<key>.vendor_series.parquet, .lab_series.parquet   its opt-in series (written before the part)
    failures/<key>.json    one failed run: its error and traceback
    results.parquet        consolidated: one row per (point, replicate)       } written at the end
    weekly.parquet         consolidated weekly market frames, if kept         }
    manifest.json          resolved sweep, versions, git commit, timings, failures }

A part is written to a temporary name in its own folder and renamed with ``os.replace``, so a part file either
is whole or does not exist. A re-run deletes stray temporary files and skips the keys it finds, so a ``kill -9``
loses at most the runs in flight and never duplicates one. One Parquet file per run is deliberately not a shared
dataset: a single truncated file in a shared dataset breaks reading the whole folder.
"""

from __future__ import annotations

import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from labelmarket.experiments.output_kinds import MANIFEST_FILE, TMP_PREFIX
from labelmarket.experiments.output_kinds import SWEEP_IDENTITY_FILE as STATE_FILE
from labelmarket.experiments.sweep.engines import RunRecord
from labelmarket.experiments.sweep.spec import SweepError

RESULTS_FILE = "results.parquet"
WEEKLY_FILE = "weekly.parquet"
DESIGN_FILE = "design.parquet"
SWEEP_COPY = "sweep.toml"


def write_atomically(path: Path, write: Any) -> None:
    """Call ``write(temporary_path)``, then rename the temporary file onto ``path`` (atomic on POSIX)."""
    temporary = path.with_name(f"{path.name}{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_json(path: Path, document: Any) -> None:
    text = json.dumps(document, indent=2, sort_keys=False, default=str) + "\n"
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_parquet(path: Path, frame: pd.DataFrame | pa.Table, metadata: dict[str, str] | None = None) -> None:
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    write_atomically(path, lambda p: pq.write_table(table, p))


class SweepStore:
    """The files of one sweep folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parts = self.root / "parts"
        self.failures = self.root / "failures"
        self._lock_file: Any = None
        self.type_changes: list[dict[str, Any]] = []
        self.grown = False

    # -- paths -----------------------------------------------------------------------------------------------
    def part_path(self, key: str) -> Path:
        return self.parts / key[:2] / f"{key}.parquet"

    def weekly_path(self, key: str) -> Path:
        return self.parts / key[:2] / f"{key}.weekly.parquet"

    def series_path(self, key: str, name: str) -> Path:
        return self.parts / key[:2] / f"{key}.{name}.parquet"

    def failure_path(self, key: str) -> Path:
        return self.failures / f"{key}.json"

    # -- opening ---------------------------------------------------------------------------------------------
    def open(self) -> None:
        """Create the folders and take the folder's lock (released by the OS even after ``kill -9``)."""
        self.parts.mkdir(parents=True, exist_ok=True)
        self.failures.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return
        handle = open(self.root / ".lock", "a+")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise SweepError(str(self.root), "", "another sweep is writing to this folder right now",
                             "wait for it to finish, or stop it and re-run to resume") from None
        self._lock_file = handle

    def moved_to(self, root: Path) -> None:
        """The folder was renamed (with its lock held): its paths follow it."""
        self.root = Path(root)
        self.parts = self.root / "parts"
        self.failures = self.root / "failures"

    def close(self, finished: bool = False) -> None:
        """Release the lock; a finished folder also loses its lock file."""
        if self._lock_file is not None:
            if finished:
                (self.root / ".lock").unlink(missing_ok=True)
            self._lock_file.close()
            self._lock_file = None

    def bind(self, identity: dict[str, Any], fingerprint: str, sweep_source: str) -> dict[str, Any]:
        """Record which sweep this folder holds, or refuse if it already holds a different one."""
        state_path = self.root / STATE_FILE
        if state_path.exists():
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if state.get("fingerprint") != fingerprint:
                changes = describe_changes(state.get("identity", {}), identity)
                raise SweepError(
                    sweep_source,
                    "",
                    f"this sweep differs from the one already in {self.root}: {changes}",
                    "run it into a new folder with --out, or restore the sweep file to resume the old one",
                )
            return state
        state = {"fingerprint": fingerprint, "identity": identity, "sessions": []}
        write_json(state_path, state)
        return state

    def grow(self, identity: dict[str, Any], fingerprint: str, change: str) -> None:
        """Record that this folder now holds a bigger version of its sweep (``growth``); finished runs stay."""
        state_path = self.root / STATE_FILE
        state = json.loads(state_path.read_text(encoding="utf-8"))
        state.setdefault("grown", []).append({"from": state.get("fingerprint"), "change": change})
        state.update(fingerprint=fingerprint, identity=identity)
        write_json(state_path, state)
        self.grown = True

    def remove_temporaries(self) -> int:
        """Delete temporary files a killed run left behind; return how many."""
        removed = 0
        for folder in (self.root, self.failures, *self._part_folders()):
            for entry in os.scandir(folder):
                if TMP_PREFIX in entry.name and entry.is_file():
                    os.unlink(entry.path)
                    removed += 1
        return removed

    def _part_folders(self) -> list[Path]:
        if not self.parts.exists():
            return []
        return [Path(e.path) for e in os.scandir(self.parts) if e.is_dir()]

    # -- what is done ----------------------------------------------------------------------------------------
    def finished_keys(self) -> set[str]:
        keys = set()
        for folder in self._part_folders():
            for entry in os.scandir(folder):
                name = entry.name
                if name.endswith(".parquet") and name.count(".") == 1 and TMP_PREFIX not in name:
                    keys.add(name[: -len(".parquet")])
        return keys

    def failed_keys(self) -> set[str]:
        if not self.failures.exists():
            return set()
        return {e.name[:-5] for e in os.scandir(self.failures) if e.name.endswith(".json") and TMP_PREFIX not in e.name}

    # -- writing runs ----------------------------------------------------------------------------------------
    def write_record(self, record: RunRecord, params: dict[str, Any]) -> None:
        """Store one finished run. The part file is the commit mark, so it is written last."""
        if not record.ok:
            write_json(self.failure_path(record.key), {
                "key": record.key,
                "seed": record.seed,
                "params": params,
                "error": record.error,
                "traceback": record.traceback,
                "seconds": record.seconds,
            })
            return
        self.part_path(record.key).parent.mkdir(exist_ok=True)
        if record.weekly is not None:
            write_parquet(self.weekly_path(record.key), record.weekly)
        for name, frame in record.series.items():
            write_parquet(self.series_path(record.key, name), frame)
        row = {"run_key": record.key, "seed": record.seed, **record.outputs}
        table = pa.Table.from_pylist([row])
        write_parquet(self.part_path(record.key), table, {
            "labelmarket.seconds": repr(record.seconds),
            "labelmarket.params": json.dumps(params, sort_keys=True),
        })
        self.failure_path(record.key).unlink(missing_ok=True)  # it failed before and succeeded on a re-run

    # -- consolidation ---------------------------------------------------------------------------------------
    def read_parts(self, keys: list[str], *, weekly: bool = False) -> tuple[pa.Table | None, list[float]]:
        """Read the parts (or their weekly frames) of ``keys`` in parallel; also return the run times.

        Columns whose type changes between runs are made consistent (see :func:`unify_tables`); the changes are
        in ``self.type_changes``.
        """
        paths = [self.weekly_path(k) if weekly else self.part_path(k) for k in keys]
        tables = self._read_tables(paths)
        if not tables:
            return None, []
        seconds = [] if weekly else [float((t.schema.metadata or {}).get(b"labelmarket.seconds", b"nan")) for t in tables]
        if weekly:
            tables = [t.append_column("run_key", pa.array([k] * t.num_rows, pa.string())) for k, t in zip(keys, tables)]
        tables = [t.replace_schema_metadata(None) for t in tables]
        table, self.type_changes = unify_tables(tables, keys)
        return table, seconds

    def read_series(self, keys: list[str], name: str) -> pa.Table | None:
        """The opt-in series ``name`` of the runs ``keys`` that kept it, with a ``run_key`` column."""
        present = [k for k in keys if self.series_path(k, name).exists()]
        tables = self._read_tables([self.series_path(k, name) for k in present])
        if not tables:
            return None
        tables = [t.replace_schema_metadata(None).append_column("run_key", pa.array([k] * t.num_rows, pa.string()))
                  for k, t in zip(present, tables)]
        return unify_tables(tables, present)[0]

    @staticmethod
    def _read_tables(paths: list[Path]) -> list[pa.Table]:
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) * 2)) as pool:
            return list(pool.map(pq.read_table, paths))

    def read_failures(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        return {k: json.loads(self.failure_path(k).read_text(encoding="utf-8")) for k in keys}


def unify_tables(tables: list[pa.Table], keys: list[str]) -> tuple[pa.Table, list[dict[str, Any]]]:
    """Concatenate one-run tables whose columns may differ in type between runs.

    Each column keeps the type of the first run (in ``keys`` order) that has a value for it. A whole number
    where a float is expected is cast; any other different type (text where a number is expected, or the
    reverse) is left empty in that run and reported as ``{"column", "run_key", "expected", "found"}``.
    """
    chosen: dict[str, pa.DataType] = {}
    for table in tables:
        for column in table.schema:
            if column.name not in chosen and not pa.types.is_null(column.type):
                chosen[column.name] = column.type
    changes: list[dict[str, Any]] = []
    fixed = []
    for key, table in zip(keys, tables):
        for index, column in enumerate(table.schema):
            expected = chosen.get(column.name)
            if expected is None or column.type == expected or pa.types.is_null(column.type):
                continue
            if _numeric(column.type) and _numeric(expected):
                replacement = table.column(index).cast(expected)
            else:
                replacement = pa.nulls(table.num_rows, expected)
                changes.append({"column": column.name, "run_key": key,
                                "expected": _kind(expected), "found": _kind(column.type)})
            table = table.set_column(index, pa.field(column.name, expected), replacement)
        fixed.append(table)
    return pa.concat_tables(fixed, promote_options="permissive"), changes


def _numeric(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)


def _kind(kind: pa.DataType) -> str:
    if _numeric(kind):
        return "a number"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    return str(kind)


def describe_changes(old: Any, new: Any, limit: int = 5) -> str:
    """Name the fields that differ between two identity documents, e.g. ``design.samples 64 → 128``."""
    flat_old, flat_new = _flatten(old), _flatten(new)
    changed = [k for k in sorted(set(flat_old) | set(flat_new)) if flat_old.get(k, "∅") != flat_new.get(k, "∅")]
    if not changed:
        return "its fingerprint differs"
    shown = [f"{k} {_short(flat_old.get(k, '(absent)'))} → {_short(flat_new.get(k, '(absent)'))}" for k in changed[:limit]]
    more = f" and {len(changed) - limit} more" if len(changed) > limit else ""
    return "; ".join(shown) + more


def _flatten(document: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(document, dict):
        flat: dict[str, Any] = {}
        for key, value in document.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: document}


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
