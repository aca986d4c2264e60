"""What ``labelmarket robustness`` writes: the points, the pass rates, the thirds screen, a figure, report.md."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from labelmarket.experiments.patterns import CALIBRATION, PATTERN_USE  # noqa: E402
from labelmarket.experiments.robustness import pass_rates, thirds, where_it_breaks  # noqa: E402
from labelmarket.scenarios.mechanisms import CALIBRATION_BOX  # noqa: E402

DPI = 130
SUMMARY_ROWS = [*PATTERN_USE, "targets", "all"]


def figure(rates: pd.DataFrame, spread: pd.DataFrame, path: Path) -> Path:
    """Left: each pattern's pass rate over the box. Right: pass rate in the parameter's high third minus its
    low third (red: the pattern breaks as the parameter rises; blue: as it falls)."""
    by_what = rates.set_index("what")["pass_rate"]
    grid = spread.pivot(index="pattern", columns="parameter", values="spread").reindex(SUMMARY_ROWS)
    grid = grid[[p for p in CALIBRATION_BOX if p in grid.columns]]
    fig, (bars, heat) = plt.subplots(1, 2, figsize=(18, 6), gridspec_kw={"width_ratios": [1, 5]})
    colours = ["#1f77b4" if PATTERN_USE.get(p) == CALIBRATION else "#ff7f0e" if p in PATTERN_USE else "#555555"
               for p in SUMMARY_ROWS]
    bars.barh(SUMMARY_ROWS, [by_what.get(p, np.nan) for p in SUMMARY_ROWS], color=colours)
    bars.set_xlim(0, 1)
    bars.invert_yaxis()
    bars.set_xlabel("share of points that pass")
    bars.set_title("pass rate (blue: calibration target)", fontsize=9)
    image = heat.imshow(grid.to_numpy(dtype=float), cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    heat.set_xticks(np.arange(grid.shape[1]), grid.columns, rotation=75, ha="right", fontsize=7)
    heat.set_yticks(np.arange(grid.shape[0]), grid.index, fontsize=8)
    heat.set_title("pass rate in the parameter's high third minus its low third", fontsize=9)
    fig.colorbar(image, ax=heat, fraction=0.02)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _markdown(frame: pd.DataFrame) -> str:
    def cell(v: object) -> str:
        return f"{v:.2f}" if isinstance(v, float) else str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def write_robustness_report(folder: Path, scenario: str, table: pd.DataFrame, seeds: int, seconds: float) -> None:
    rates = pass_rates(table)
    spread = thirds(table)
    breaks = where_it_breaks(spread)
    table.to_csv(folder / "points.csv", index=False)
    rates.to_csv(folder / "pass_rates.csv", index=False)
    spread.to_csv(folder / "thirds.csv", index=False)
    picture = figure(rates, spread, folder / "robustness.png")
    patterns = rates[rates["what"].isin(SUMMARY_ROWS)].set_index("what").reindex(SUMMARY_ROWS).reset_index()
    patterns.insert(1, "use", [PATTERN_USE.get(p, "-") for p in patterns["what"]])
    body = [
        f"# Robustness map of `{scenario}`",
        "",
        f"{len(table)} Latin-hypercube points over the calibration box ({len(CALIBRATION_BOX)} parameters, "
        f"scenarios/mechanisms.py; sources in docs/calibration.md), each judged on P1-P9 over seeds 1-{seeds} "
        f"exactly as `labelmarket validate` judges the defaults; {seconds:.0f} s wall time. `targets` passes "
        "when every calibration target passes; `all` when every criterion does.",
        "",
        "## Pass rate of each pattern",
        "",
        _markdown(patterns[["what", "use", "pass_rate", "points"]]),
        "",
        "## Where the story breaks",
        "",
        "For each pattern, the three parameters whose low, middle and high thirds of the box differ most in pass "
        "rate (a first-order screen: parameters interact, and a rate from few points is noisy).",
        "",
        _markdown(breaks[["pattern", "parameter", "low_third", "mid_third", "high_third", "spread"]]),
        "",
        f"![robustness map]({picture.name})",
        "",
        "Every criterion's pass rate: `pass_rates.csv`; every point with its verdicts: `points.csv`; every "
        "pattern x parameter third: `thirds.csv`.",
        "",
    ]
    (folder / "report.md").write_text("\n".join(body), encoding="utf-8")
