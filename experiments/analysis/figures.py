"""Publication-ready PNG figures of a sweep: index charts, grid heatmaps and main effects, HHI fan charts.

Figures are drawn with matplotlib's object API (no pyplot, no display needed) at 150 dpi.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from labelmarket.experiments.analysis.indices import Indices

DPI = 150
BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#7f7f7f"


def titled(output: str, label: str | None) -> str:
    """``share_week_52`` with its meaning underneath, when there is one."""
    return f"{output}\n({label})" if label else output


def file_stem(text: str) -> str:
    """A file-name-safe version of an output or parameter name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "output"


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def sobol_chart(indices: Indices, path: Path, label: str | None = None) -> Path:
    """Tornado-style bars: S1 and ST per parameter with their confidence intervals, largest ST on top."""
    table = indices.table.sort_values("ST", ascending=True)
    n = len(table)
    figure = Figure(figsize=(7, 1.2 + 0.45 * n), layout="constrained")
    ax = figure.add_subplot()
    y = np.arange(n)
    ax.barh(y + 0.2, table["ST"], height=0.38, xerr=table["ST_conf"], color=BLUE, label="total (ST)", capsize=3)
    ax.barh(y - 0.2, table["S1"], height=0.38, xerr=table["S1_conf"], color=ORANGE, label="first order (S1)",
            capsize=3)
    ax.set_yticks(y, table["parameter"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Sobol index (bars: 95 % bootstrap confidence interval)")
    ax.set_title(f"Sensitivity of {titled(indices.output, label)}")
    ax.legend(loc="lower right", frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return _save(figure, path)


def second_order_chart(indices: Indices, path: Path, label: str | None = None) -> Path:
    """Bars of the second-order indices S2 per pair of parameters, with their confidence intervals."""
    pairs = indices.pairs.sort_values("S2", ascending=True)
    n = len(pairs)
    figure = Figure(figsize=(7, 1.2 + 0.4 * n), layout="constrained")
    ax = figure.add_subplot()
    y = np.arange(n)
    ax.barh(y, pairs["S2"], xerr=pairs["S2_conf"], color=BLUE, capsize=3)
    ax.set_yticks(y, [f"{a} × {b}" for a, b in zip(pairs["parameter_1"], pairs["parameter_2"])])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("second-order Sobol index S2 (bars: 95 % bootstrap confidence interval)")
    ax.set_title(f"Pairwise interactions: {titled(indices.output, label)}")
    ax.grid(axis="x", alpha=0.3)
    return _save(figure, path)


def morris_chart(indices: Indices, path: Path, label: str | None = None) -> Path:
    """Left: μ* with its confidence interval. Right: μ* against σ (non-linearity or interactions)."""
    table = indices.table.sort_values("mu_star", ascending=True)
    n = len(table)
    figure = Figure(figsize=(11, 1.4 + 0.45 * n), layout="constrained")
    left, right = figure.subplots(1, 2)
    y = np.arange(n)
    left.barh(y, table["mu_star"], xerr=table["mu_star_conf"], color=BLUE, capsize=3)
    left.set_yticks(y, table["parameter"])
    left.set_xlabel("μ* (bars: 95 % bootstrap confidence interval)")
    left.grid(axis="x", alpha=0.3)
    right.scatter(table["mu_star"], table["sigma"], color=ORANGE)
    ranked = table.sort_values("mu_star", ascending=False).reset_index(drop=True)
    for number, row in enumerate(ranked.itertuples(index=False), start=1):  # numbers, not names: they never overlap
        right.annotate(str(number), (row.mu_star, row.sigma), textcoords="offset points", xytext=(3, 3), fontsize=8)
    key = "\n".join(f"{number}  {row.parameter}" for number, row in enumerate(ranked.itertuples(index=False), start=1))
    right.text(1.03, 1.0, key, transform=right.transAxes, va="top", ha="left", fontsize=8, family="monospace")
    top = float(np.nanmax([table["mu_star"].max(), table["sigma"].max(), 1e-12]))
    right.plot([0, top], [0, top], color=GREY, linestyle="--", linewidth=0.8, label="σ = μ*")
    right.set_xlabel("μ*")
    right.set_ylabel("σ")
    right.legend(frameon=False)
    figure.suptitle(f"Morris screening of {titled(indices.output, label)}")
    return _save(figure, path)


def first_order_chart(indices: Indices, path: Path, title: str, label: str | None = None) -> Path:
    """Bars of first-order indices with confidence intervals (RBD-FAST)."""
    table = indices.table.sort_values("S1", ascending=True)
    n = len(table)
    figure = Figure(figsize=(7, 1.2 + 0.45 * n), layout="constrained")
    ax = figure.add_subplot()
    ax.barh(np.arange(n), table["S1"], xerr=table["S1_conf"], color=ORANGE, capsize=3)
    ax.set_yticks(np.arange(n), table["parameter"])
    ax.set_xlabel("first-order index S1 (bars: 95 % confidence interval)")
    ax.set_title(f"{title}: {titled(indices.output, label)}")
    ax.grid(axis="x", alpha=0.3)
    return _save(figure, path)


def grid_heatmap(point_means: pd.DataFrame, rows: str, columns: str, output: str, path: Path,
                 label: str | None = None) -> Path:
    """Mean of ``output`` over replicates for each pair of levels of a two-parameter grid."""
    table = point_means.pivot(index=rows, columns=columns, values="mean")
    figure = Figure(figsize=(1.8 + 0.9 * table.shape[1], 1.4 + 0.6 * table.shape[0]), layout="constrained")
    ax = figure.add_subplot()
    image = ax.imshow(table.to_numpy(dtype=float), cmap="viridis", aspect="auto", origin="lower")
    ax.set_xticks(range(table.shape[1]), [_label(v) for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [_label(v) for v in table.index])
    ax.set_xlabel(columns)
    ax.set_ylabel(rows)
    values = table.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    middle = float(np.median(finite)) if finite.size else 0.0
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(j, i, readable(value), ha="center", va="center", fontsize=8,
                    color="white" if value < middle else "black")
    figure.colorbar(image, ax=ax, label=f"{output} (mean over replicates)")
    ax.set_title(titled(output, label))
    return _save(figure, path)


def main_effects_chart(effects: pd.DataFrame, levels: dict[str, list], output: str, path: Path,
                       label: str | None = None) -> Path:
    """One panel per parameter: the output's mean at each level with its confidence interval."""
    parameters = list(levels)
    figure = Figure(figsize=(3.6 * len(parameters), 3.2), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(parameters), sharey=True))
    for ax, parameter in zip(axes, parameters):
        rows = effects[effects["parameter"] == parameter]
        x = np.arange(len(rows))
        ax.errorbar(x, rows["mean"], yerr=[rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]],
                    marker="o", color=BLUE, capsize=3)
        ax.set_xticks(x, [_label(v) for v in levels[parameter]])
        ax.set_xlabel(parameter)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{output}\n(mean, 95 % CI)")
    figure.suptitle(f"Main effects on {titled(output, label)}")
    return _save(figure, path)


def fan_chart(
    weekly: pd.DataFrame,
    levels: pd.Series,
    labels: list[str],
    parameter: str,
    *,
    metric: str,
    reference_week: int,
    threshold: float | None,
    path: Path,
) -> Path:
    """Median and 50 % / 90 % bands of ``metric`` across runs, week by week, one panel per parameter level.

    ``levels`` maps ``point_id`` to the label of its level of ``parameter``; ``labels`` gives the panel order.
    """
    frame = weekly.join(levels.rename("level"), on="point_id")
    name = "HHI" if metric == "hhi" else metric
    figure = Figure(figsize=(3.2 * len(labels) + 0.8, 3.4), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(labels), sharey=True))
    for ax, label in zip(axes, labels):
        subset = frame[frame["level"] == label]
        table = subset.pivot_table(index="week", columns=["point_id", "replicate"], values=metric)
        weeks = table.index.to_numpy() - reference_week
        q = np.nanquantile(table.to_numpy(dtype=float), [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
        ax.fill_between(weeks, q[0], q[4], color=BLUE, alpha=0.18, linewidth=0, label="90 % of runs")
        ax.fill_between(weeks, q[1], q[3], color=BLUE, alpha=0.35, linewidth=0, label="50 % of runs")
        ax.plot(weeks, q[2], color=BLUE, linewidth=1.6, label="median")
        ax.axvline(0, color=GREY, linestyle=":", linewidth=1)
        if threshold is not None and np.nanmin(q[0]) < threshold * 1.15:  # only when the runs come near it
            ax.axhline(threshold, color=ORANGE, linestyle="--", linewidth=1, label=f"{name} = {threshold:g}")
        ax.set_title(f"{label}  ({table.shape[1]} runs)", fontsize=9)
        ax.set_xlabel("weeks after the shock")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(name)
    handles, names = axes[-1].get_legend_handles_labels()
    figure.legend(handles, names, loc="outside lower center", ncol=len(names), frameon=False, fontsize=8)
    figure.suptitle(f"{name} over the weeks, by {parameter}")
    return _save(figure, path)


def readable(value: float) -> str:
    """A cell label people read at a glance: 2,534 not 2.53e+03; 41.7; 0.352; 3.1e-05 only when tiny."""
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 0.001 or size == 0:
        return f"{value:.3g}"
    return f"{value:.1e}"


def _label(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
