"""Reading a sweep folder back: ``load_results(run_dir)`` for notebooks and for ``labelmarket analyze``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labelmarket.experiments.sweep.samplers import SAMPLE_PREFIX, replicate_seeds, run_key
from labelmarket.experiments.sweep.spec import SweepError
from labelmarket.experiments.sweep.store import DESIGN_FILE, MANIFEST_FILE, RESULTS_FILE, STATE_FILE, TMP_PREFIX, WEEKLY_FILE, SweepStore

#: Columns of ``results.parquet`` that are not outputs.
ID_COLUMNS = ("point_id", "replicate", "seed", "error", "run_key")


@dataclass
class SweepResults:
    """A sweep's results: ``runs`` has one row per (point, replicate); ``weekly`` the weekly market frames."""

    run_dir: Path
    runs: pd.DataFrame
    design: pd.DataFrame
    manifest: dict[str, Any]
    weekly: pd.DataFrame | None
    complete: bool = True

    def __repr__(self) -> str:
        """One line: where, which design, how many runs and which outputs (``runs`` holds the table)."""
        ok = int(self.runs["error"].isna().sum()) if "error" in self.runs else len(self.runs)
        outputs = self.outputs
        shown = ", ".join(outputs[:5]) + (f" and {len(outputs) - 5} more" if len(outputs) > 5 else "")
        state = "" if self.complete else ", unfinished"
        return (f"<SweepResults {self.run_dir}: {self.method}, {len(self.runs):,} runs ({ok:,} ok){state}; "
                f"{len(self.parameters)} parameters; outputs {shown}>")

    @property
    def parameters(self) -> list[str]:
        return list(self.manifest["resolved"]["parameters"])

    @property
    def method(self) -> str:
        return str(self.manifest["resolved"]["sweep"]["design"]["method"])

    @property
    def outputs(self) -> list[str]:
        """The numeric outputs, in the order the runs reported them."""
        skip = set(ID_COLUMNS) | set(self.parameters)
        return [c for c in self.runs.columns if c not in skip and pd.api.types.is_numeric_dtype(self.runs[c])]

    @property
    def vendor_series(self) -> pd.DataFrame | None:
        """The opt-in vendor-level weekly series (``outputs.vendor_series = true``), else None."""
        return self._series("vendor_series")

    @property
    def lab_series(self) -> pd.DataFrame | None:
        """The opt-in lab-level weekly series (``outputs.lab_series = true``), else None."""
        return self._series("lab_series")

    def _series(self, name: str) -> pd.DataFrame | None:
        path = self.run_dir / f"{name}.parquet"
        return pd.read_parquet(path) if path.exists() else None

    @property
    def failures(self) -> pd.DataFrame:
        return self.runs[self.runs["error"].notna()]

    def sample_matrix(self) -> np.ndarray:
        """The sampler's raw matrix (points × parameters) in point order, as SALib needs it."""
        columns = [SAMPLE_PREFIX + p for p in self.parameters]
        if not set(columns) <= set(self.design.columns):
            columns = self.parameters
        return self.design.sort_values("point_id")[columns].to_numpy(dtype=float)

    @property
    def time_outputs(self) -> dict[str, float]:
        """Each time-to-event output with τ, the weeks its runs observed after the shock (empty values in
        ``runs`` are censored at τ)."""
        target = self.manifest["resolved"].get("target") or {}
        recorded = target.get("censored_after_weeks")
        if recorded is not None:
            return {name: float(tau) for name, tau in recorded.items() if name in self.runs.columns}
        if "weeks" in target and "reference_week" in target:  # folders written before the manifest recorded it
            tau = float(int(target["weeks"]) - int(target["reference_week"]))
            return {c: tau for c in self.outputs if c.startswith("hhi_below_") and c.endswith("_week")}
        return {}

    def points(self, outputs: list[str] | None = None) -> pd.DataFrame:
        """One row per point: the parameters and the mean of each output over the replicates.

        A point with any failed replicate gets NaN, so every value averages the same seeds (common random numbers).
        A time to an event gives its restricted mean: a censored run counts as τ (``time_outputs``), never as
        missing, which would average only the runs where the event came early.
        """
        outputs = outputs or self.outputs
        runs = self.runs.copy()
        ok = runs["error"].isna()
        for output, tau in self.time_outputs.items():
            if output in outputs:
                runs.loc[ok, output] = runs.loc[ok, output].fillna(tau).clip(upper=tau)
        means = runs.groupby("point_id")[outputs].mean()
        failed = runs.groupby("point_id")["error"].apply(lambda e: e.notna().any())
        means.loc[failed[failed].index, :] = np.nan
        design = self.design.set_index("point_id")[self.parameters]
        return design.join(means).reset_index()


def load_results(run_dir: str | Path) -> SweepResults:
    """Load a sweep folder. An unfinished one (``.tmp-NAME``, or NAME while still running) is read from its
    parts: ``complete`` is then False, failures are not listed and unfinished runs are absent."""
    run_dir = Path(run_dir)
    if not (run_dir / STATE_FILE).exists():
        working = run_dir.with_name(TMP_PREFIX + run_dir.name)
        if (working / STATE_FILE).exists():
            run_dir = working
        else:
            raise SweepError(str(run_dir), "", "not a sweep folder (no state.json)",
                             "pass the folder `labelmarket sweep` wrote, e.g. runs/sweep-NAME")
    design = pd.read_parquet(run_dir / DESIGN_FILE)
    if (run_dir / MANIFEST_FILE).exists() and (run_dir / RESULTS_FILE).exists():
        manifest = json.loads((run_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        runs = pd.read_parquet(run_dir / RESULTS_FILE)
        weekly_path = run_dir / WEEKLY_FILE
        weekly = pd.read_parquet(weekly_path) if weekly_path.exists() else None
        return SweepResults(run_dir, runs, design, manifest, weekly)
    return _load_partial(run_dir, design)


def _load_partial(run_dir: Path, design: pd.DataFrame) -> SweepResults:
    state = json.loads((run_dir / STATE_FILE).read_text(encoding="utf-8"))
    sweep = state["identity"]["sweep"]
    names = list(sweep["parameters"])
    seeds = replicate_seeds(sweep["seed"], sweep["replications"])
    rows = []
    for point in design[["point_id", *names]].itertuples(index=False):
        params = dict(zip(names, [v.item() if hasattr(v, "item") else v for v in point[1:]]))
        for replicate, seed in enumerate(seeds):
            rows.append((point[0], replicate, seed, run_key(params, seed)))
    runs = pd.DataFrame(rows, columns=["point_id", "replicate", "seed", "run_key"])
    store = SweepStore(run_dir)
    finished = store.finished_keys()
    outputs, _ = store.read_parts([k for k in dict.fromkeys(runs["run_key"]) if k in finished])
    runs = runs.merge(design[["point_id", *names]], on="point_id")
    if outputs is not None:
        runs = runs.merge(outputs.to_pandas().drop(columns=["seed"]), on="run_key", how="inner")
    else:
        runs = runs.iloc[0:0]
    runs["error"] = pd.Series(pd.NA, index=runs.index, dtype="string")
    manifest = {"resolved": {"sweep": sweep, "parameters": names, "target": state["identity"].get("target")},
                "counts": {}, "failures": []}
    return SweepResults(run_dir, runs.reset_index(drop=True), design, manifest, None, complete=False)
