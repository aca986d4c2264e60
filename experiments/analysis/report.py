"""``analyze(run_dir)``: sensitivity indices, tables, figures and a short summary, in ``RUN_DIR/analysis/``.

The folder is rebuilt from scratch each time (an output folder of kind ``analysis``, written under a temporary
name, then swapped in), so it never mixes files from two analyses.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from labelmarket.experiments.analysis import discovery, figures, indices, survival
from labelmarket.experiments.analysis.selection import choose_outputs, runs_for_indices
from labelmarket.experiments.analysis.indices import Indices
from labelmarket.experiments.analysis.tables import markdown_table, write_table
from labelmarket.experiments.sweep.outputs import halved_name
from labelmarket.experiments.sweep.results import SweepResults, load_results
from labelmarket.experiments.output_folder import staged_output_folder
from labelmarket.experiments.output_kinds import ANALYSIS_IDENTITY_FILE, ANALYSIS_MARK
from labelmarket.experiments.sweep.spec import SweepError
from labelmarket.experiments.sweep.store import write_json

ANALYSIS_DIR = "analysis"
MAX_FAN_PANELS = 5
WIDE_CI = 0.1


@dataclass
class AnalysisReport:
    """What ``analyze`` wrote, with the indices per output (for notebooks)."""

    folder: Path
    method: str
    outputs: list[str]
    indices: dict[str, Indices] = field(default_factory=dict)
    tables: list[Path] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scenario_discovery: discovery.Discovery | None = None

    def __repr__(self) -> str:
        return (f"<AnalysisReport {self.folder}: {self.method}, {len(self.outputs)} outputs, {len(self.tables)} table "
                f"files, {len(self.figures)} figures, {len(self.notes)} notes>")


def analyze(run_dir: str | Path, outputs: list[str] | None = None, *, seed: int | None = None,
            out: str | Path | None = None, force: bool = False, discover: str | None = None) -> AnalysisReport:
    """Analyse a finished sweep folder; return what was written to ``out`` (default ``RUN_DIR/analysis/``).

    The default folder is replaced on each analysis. An explicit ``out`` that exists is refused unless ``force``
    is given and it is empty or an analysis folder; anything else is never touched (``OutputFolderError``).
    ``discover`` is a condition such as ``"final_hhi > 2500"`` for PRIM scenario discovery.
    """
    results = load_results(run_dir)
    if not results.complete:
        raise SweepError(str(run_dir), "", "the sweep has not finished",
                         "re-run the sweep command to finish it, then analyse")
    final = Path(out) if out is not None else results.run_dir / ANALYSIS_DIR
    condition = discovery.parse_condition(discover, results.outputs, str(run_dir)) if discover is not None else None
    with staged_output_folder(final, "analysis", force or out is None) as work:
        write_json(work / ANALYSIS_IDENTITY_FILE,
                   {"kind": ANALYSIS_MARK, "sweep": str(results.run_dir.resolve()),
                    "written": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        report = _analyze_into(results, work, outputs, seed, condition)
    report.folder = final
    report.tables = [final / p.relative_to(work) for p in report.tables]
    report.figures = [final / p.relative_to(work) for p in report.figures]
    return report


def _analyze_into(results: SweepResults, folder: Path, outputs: list[str] | None, seed: int | None,
                  condition: discovery.Condition | None = None) -> AnalysisReport:
    sweep = results.manifest["resolved"]["sweep"]
    seed = sweep["seed"] if seed is None else seed
    field = "outputs" if outputs else "outputs.analyze"
    chosen, notes = choose_outputs(results, outputs or sweep["outputs"].get("analyze"), field)
    runs, censor_notes = runs_for_indices(results)
    notes += censor_notes
    report = AnalysisReport(folder, results.method, chosen, notes=notes)

    times = results.time_outputs
    plain = [o for o in chosen if o not in times]
    report.tables += write_table(_output_summary(runs, plain), folder, "outputs_summary",
                                 "Outputs across all runs", "Statistics over every (point, replicate) run. Times to "
                                 "an event are in times_to_event.md (they are censored).")
    _times_to_event(results, times, folder, report)
    method = results.method
    if method == "grid":
        _grid(results, runs, chosen, folder, report)
    else:
        _indices(results, runs, chosen, folder, report, seed)
    _fans(results, folder, report)
    if condition is not None:
        _discover(results, runs, condition, folder, report)
    (folder / "summary.md").write_text(_summary(results, report), encoding="utf-8")
    return report


def output_labels(results: SweepResults) -> dict[str, str]:
    """What each labelmarket output means, in words (for figure titles)."""
    target = results.manifest["resolved"].get("target") or {}
    if "reference_week" not in target:
        return {}
    threshold = results.manifest["resolved"]["sweep"]["outputs"].get("hhi_threshold", 2500)
    vendor = target.get("share_vendor", "the share vendor")
    labels = {f"hhi_below_{threshold:g}_week": f"weeks after the shock until HHI < {threshold:g} (restricted mean)",
              "peak_unmet_musd": "peak weekly unmet demand after the shock, $M/yr",
              "entrants_after_shock": "vendors entering after the shock",
              "vc_committed_after_shock_musd": "venture capital committed after the shock, $M",
              "switched_after_shock_musd": "spend switched between vendors after the shock, $M/yr",
              "final_share": f"{vendor}'s revenue share in the last week"}
    for lab in target.get("halving_labs") or []:
        labels[halved_name(lab)] = f"weeks until {lab}'s share at {vendor} halves (restricted mean)"
    for output in results.outputs:
        if output.startswith("share_week_") and target.get("share_vendor"):
            labels[output] = f"{target['share_vendor']}'s revenue share {output.rsplit('_', 1)[1]} weeks after the shock"
        elif output.startswith("final_") and output not in labels:
            labels[output] = f"{output.removeprefix('final_')} in the last week"
    return labels


def _point_values(results: SweepResults, runs: pd.DataFrame, output: str) -> np.ndarray:
    """The output per design point: the mean over replicates, NaN if any replicate failed."""
    grouped = runs.groupby("point_id")
    means = grouped[output].mean()
    failed = grouped["error"].apply(lambda e: e.notna().any())
    means[failed] = np.nan
    return means.reindex(results.design.sort_values("point_id")["point_id"]).to_numpy(dtype=float)


def _output_summary(runs: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    rows = []
    for output in outputs:
        v = runs[output]
        q = v.quantile([0.05, 0.5, 0.95])
        rows.append((output, v.mean(), v.std(), v.min(), q[0.05], q[0.5], q[0.95], v.max(), int(v.notna().sum()),
                     int(v.isna().sum())))
    return pd.DataFrame(rows, columns=["output", "mean", "sd", "min", "p5", "median", "p95", "max", "n", "missing"])


def _times_to_event(results: SweepResults, times: dict[str, float], folder: Path, report: AnalysisReport) -> None:
    """Kaplan–Meier medians, quartiles, share censored and restricted means: overall, and per point of a grid."""
    if not times:
        return
    ok = results.runs[results.runs["error"].isna()]
    overall = [{"output": o, **survival.censored_summary(ok[o], tau)} for o, tau in times.items()]
    note = ("km_*: Kaplan–Meier quartiles of the weeks after the shock (empty where more than "
            "horizon_weeks: not reached); censored_share: runs without the event within the run; restricted_mean: "
            "mean of min(weeks, horizon_weeks). Plain means of censored times are biased and are not shown.")
    report.tables += write_table(pd.DataFrame(overall), folder, "times_to_event", "Times to an event (censored)", note)
    if results.method == "grid":
        rows = []
        for output, tau in times.items():
            for key, group in ok.groupby(results.parameters, sort=True):
                key = key if isinstance(key, tuple) else (key,)
                rows.append({**dict(zip(results.parameters, key)), "output": output,
                             **survival.censored_summary(group[output], tau)})
        report.tables += write_table(pd.DataFrame(rows), folder, "times_to_event_by_point",
                                     "Times to an event per grid point (censored)", note)


def _discover(results: SweepResults, runs: pd.DataFrame, condition: discovery.Condition, folder: Path,
              report: AnalysisReport) -> None:
    """PRIM boxes where the condition holds: a table, a figure, and a section of the summary."""
    usable = runs[runs["error"].isna() & runs[condition.output].notna()]
    found = discovery.discover(usable[results.parameters], usable[condition.output], condition)
    report.scenario_discovery = found
    table = found.boxes.merge(found.limits, on="box", how="left") if len(found.boxes) else found.boxes
    report.tables += write_table(table, folder, "prim_boxes", f"Scenario discovery: {condition}",
                                 f"PRIM (EMA Workbench) on {found.runs} runs, {found.cases} of them cases. Coverage: "
                                 "share of the cases inside the box; density: share of the box's runs that are "
                                 "cases; low/high: the box's limits on each parameter it restricts.")
    report.figures.append(discovery.discovery_figure(found, folder / "figures" / discovery.figure_name(condition)))


# -- methods -------------------------------------------------------------------------------------------------
def _indices(results: SweepResults, runs: pd.DataFrame, outputs: list[str], folder: Path, report: AnalysisReport,
             seed: int) -> None:
    problem = results.manifest["resolved"]["problem"]
    design = results.manifest["resolved"]["sweep"]["design"]
    x = results.sample_matrix()
    figure_dir = folder / "figures"
    method = results.method
    labels = output_labels(results)
    for output in outputs:
        label = labels.get(output)
        y = _point_values(results, runs, output)
        stem = figures.file_stem(output)
        if method == "sobol":
            found = indices.sobol(problem, y, output, second_order=design.get("second_order", True), seed=seed)
            if found.used:
                report.figures.append(figures.sobol_chart(found, figure_dir / f"sobol_{stem}.png", label))
                if found.pairs is not None:
                    report.figures.append(figures.second_order_chart(found, figure_dir / f"sobol_s2_{stem}.png", label))
        elif method == "morris":
            found = indices.morris(problem, x, y, output, levels=design.get("levels", 4), seed=seed)
            if found.used:
                report.figures.append(figures.morris_chart(found, figure_dir / f"morris_{stem}.png", label))
        else:
            found = indices.rbd_fast(problem, x, y, output, seed=seed)
            if found.used:
                report.figures.append(figures.first_order_chart(found, figure_dir / f"rbd_fast_{stem}.png",
                                                                "RBD-FAST first-order indices", label))
        report.indices[output] = found
        report.notes += [f"`{output}`: {n}" for n in found.notes]

    usable = [i for i in report.indices.values() if i.used]
    if not usable:
        return
    table = pd.concat([i.table for i in usable], ignore_index=True)
    if method == "sobol":
        report.tables += write_table(table, folder, "sobol_indices", "Sobol indices",
                                     "S1 first order, ST total; *_conf is the half-width of the 95 % bootstrap "
                                     "confidence interval.")
        pairs = [i.pairs for i in usable if i.pairs is not None]
        if pairs:
            report.tables += write_table(pd.concat(pairs, ignore_index=True), folder, "sobol_second_order",
                                         "Second-order Sobol indices", "S2_conf: half-width of the 95 % interval.")
    elif method == "morris":
        report.tables += write_table(table, folder, "morris_indices", "Morris elementary effects",
                                     "μ* mean absolute effect (mu_star_conf: half-width of its 95 % bootstrap "
                                     "interval), μ mean effect, σ its standard deviation.")
    else:
        report.tables += write_table(table, folder, "rbd_fast_indices", "RBD-FAST first-order indices",
                                     "S1_conf: half-width of the 95 % bootstrap interval.")


def _grid(results: SweepResults, runs: pd.DataFrame, outputs: list[str], folder: Path, report: AnalysisReport) -> None:
    parameters = results.parameters
    ok = runs[runs["error"].isna()]
    levels = {p: list(dict.fromkeys(results.design.sort_values(p)[p].tolist())) for p in parameters}
    figure_dir = folder / "figures"
    labels = output_labels(results)
    point_tables, effect_tables = [], []
    for output in outputs:
        label = labels.get(output)
        stem = figures.file_stem(output)
        means = indices.grid_point_means(ok, parameters, output)
        effects = indices.grid_main_effects(ok, parameters, output)
        point_tables.append(means)
        effect_tables.append(effects)
        if len(parameters) == 2:
            report.figures.append(figures.grid_heatmap(means, parameters[0], parameters[1], output,
                                                       figure_dir / f"grid_heatmap_{stem}.png", label))
        report.figures.append(figures.main_effects_chart(effects, levels, output,
                                                         figure_dir / f"grid_effects_{stem}.png", label))
    if point_tables:
        report.tables += write_table(pd.concat(point_tables, ignore_index=True), folder, "grid_means",
                                     "Mean per grid point", "Mean over replicates, with the 95 % t interval.")
        report.tables += write_table(pd.concat(effect_tables, ignore_index=True), folder, "grid_main_effects",
                                     "Main effects", "Mean over every run at each level, with the 95 % t interval.")


def _fans(results: SweepResults, folder: Path, report: AnalysisReport) -> None:
    weekly = results.weekly
    if weekly is None or "hhi" not in weekly.columns:
        report.notes.append("no weekly market frame kept (outputs.weekly_market = false): no fan charts")
        return
    target = results.manifest["resolved"].get("target") or {}
    reference_week = int(target.get("reference_week", 0) or 0)
    threshold = results.manifest["resolved"]["sweep"]["outputs"].get("hhi_threshold")
    ok_runs = results.runs.loc[results.runs["error"].isna(), ["point_id", "replicate"]]
    weekly = weekly.merge(ok_runs, on=["point_id", "replicate"])
    for parameter in results.parameters:
        levels, labels = _level_labels(results.design, parameter)
        report.figures.append(figures.fan_chart(
            weekly, levels, labels, parameter, metric="hhi", reference_week=reference_week, threshold=threshold,
            path=folder / "figures" / f"fan_hhi_{figures.file_stem(parameter)}.png"))


def _level_labels(design: pd.DataFrame, parameter: str) -> tuple[pd.Series, list[str]]:
    """Each point's level of ``parameter``: its value if there are few, else its tercile."""
    values = design.set_index("point_id")[parameter]
    distinct = sorted(values.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(distinct) <= MAX_FAN_PANELS or not pd.api.types.is_numeric_dtype(values):
        return values.map(lambda v: f"= {figures._label(v)}"), [f"= {figures._label(v)}" for v in distinct]
    bins = pd.qcut(values, 3, duplicates="drop")
    names = ["low", "middle", "high"] if len(bins.cat.categories) == 3 else [str(i) for i in range(len(bins.cat.categories))]
    labels = [f"{n}: {c.left:.3g} to {c.right:.3g}" for n, c in zip(names, bins.cat.categories)]
    mapping = dict(zip(bins.cat.categories, labels))
    return bins.map(mapping).astype(str), labels


# -- summary -------------------------------------------------------------------------------------------------
def _summary(results: SweepResults, report: AnalysisReport) -> str:
    manifest = results.manifest
    counts = manifest.get("counts", {})
    sweep = manifest["resolved"]["sweep"]
    target = manifest["resolved"].get("target") or {}
    git = manifest.get("git") or {}
    lines = [f"# Sweep analysis: {manifest.get('name', results.run_dir.name)}", ""]
    if manifest.get("description"):
        lines += [manifest["description"], ""]
    model = target.get("run_function") or f"scenario `{target.get('scenario', sweep.get('scenario'))}`"
    lines += [
        f"- Model: {model}" + (f", {target['weeks']} weeks, shock at week {target['reference_week']}"
                               if "weeks" in target and "reference_week" in target else ""),
        f"- Design: **{results.method}**, {counts.get('points', '?')} points × {counts.get('replications', '?')} "
        f"replicate(s) = {counts.get('runs', '?')} runs; master seed {sweep['seed']}",
        f"- Runs: {counts.get('ok', '?')} ok, {counts.get('failed', 0)} failed",
        f"- Parameters: {', '.join(f'`{p}`' for p in results.parameters)}",
    ]
    if target.get("share_vendor"):
        lines.append(f"- `share_week_N` is the revenue share of **{target['share_vendor']}** N weeks after the shock")
    if git.get("commit"):
        lines.append(f"- Code: git {git['commit'][:12]}" + (" (with uncommitted changes)" if git.get("dirty") else ""))
    lines.append("")

    if results.method == "grid":
        lines += ["## Grid", "", "Means per point and main effects per level are in `grid_means.md` and "
                  "`grid_main_effects.md`; see the figures below.", ""]
    else:
        lines += _ranking(report)
    if report.scenario_discovery is not None:
        lines += discovery_lines(report.scenario_discovery) + [""]
    if report.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in report.notes] + [""]
    lines += ["## Files", ""]
    lines += [f"- [{p.name}]({p.name})" for p in report.tables if p.suffix == ".md"]
    lines += [""] + [f"![{p.stem}](figures/{p.name})" for p in report.figures] + [""]
    return "\n".join(lines)


def discovery_lines(found: discovery.Discovery) -> list[str]:
    """The PRIM boxes in words: one line per box (also what `labelmarket analyze --discover` prints)."""
    lines = [f"## Scenario discovery: {found.condition}", "",
             f"{found.cases} of {found.runs} runs meet the condition (PRIM, EMA Workbench)."]
    if found.boxes.empty:
        return lines + ["PRIM found no box."]
    for box in found.boxes.itertuples():
        limits = found.limits[found.limits["box"] == box.box]
        where = "; ".join(f"{r.parameter} in [{r.low:.3g}, {r.high:.3g}]" for r in limits.itertuples()) or "anywhere"
        lines.append(f"- box {box.box}: coverage {box.coverage:.2f}, density {box.density:.2f} "
                     f"({box.runs_in_box} runs): {where}")
    return lines


def _ranking(report: AnalysisReport) -> list[str]:
    method = report.method
    key, conf, name = {"sobol": ("ST", "ST_conf", "total Sobol index ST"),
                       "morris": ("mu_star", "mu_star_conf", "Morris μ*"),
                       "lhs": ("S1", "S1_conf", "RBD-FAST first-order index S1")}[method]
    lines = [f"## Most influential parameters (by {name}, ± 95 % interval)", ""]
    rows = []
    widest = 0.0
    for output, found in report.indices.items():
        if not found.used:
            continue
        table = found.table.sort_values(key, ascending=False)
        top = [f"`{r['parameter']}` {r[key]:.2f} ± {r[conf]:.2f}" for _, r in table.head(3).iterrows()]
        rows.append({"output": output, "top parameters": "; ".join(top)})
        if method != "morris":
            widest = max(widest, float(np.nanmax(found.table[conf].to_numpy(dtype=float))))
    if rows:
        lines += [markdown_table(pd.DataFrame(rows))]
    if method == "sobol":
        lines += ["S1 is the share of the output's variance a parameter explains alone; ST adds its interactions. "
                  "ST − S1 large means the parameter acts through interactions.", ""]
    if widest > WIDE_CI and not math.isnan(widest):
        lines += [f"**Wide intervals** (up to ± {widest:.2f}): the ranking is uncertain. Raise `design.samples` "
                  "(N ≥ 512 for a stochastic model) or the replications.", ""]
    return lines
