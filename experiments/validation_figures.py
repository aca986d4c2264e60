"""The validation report's figures: medians over seeds with 10th-90th percentile bands.

Each function takes the per-seed digests and writes one PNG; axes are in relative weeks (0 = the shock).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from labelmarket.experiments.digest import RunDigest  # noqa: E402
from labelmarket.experiments.patterns import StoryCast  # noqa: E402

GUIDELINE_HHI = ((1_000, "1,000: unconcentrated below"), (1_800, "1,800: highly concentrated above"))
DPI = 130


def _band(series: list[pd.Series]) -> pd.DataFrame:
    """Median and 10th/90th percentiles across seeds, aligned on relative week."""
    frame = pd.concat(series, axis=1)
    return pd.DataFrame({"median": frame.median(axis=1), "p10": frame.quantile(0.1, axis=1),
                         "p90": frame.quantile(0.9, axis=1)})


def _plot_band(ax: plt.Axes, band: pd.DataFrame, label: str, color: str, style: str = "-") -> None:
    ax.fill_between(band.index, band["p10"], band["p90"], color=color, alpha=0.18, linewidth=0)
    ax.plot(band.index, band["median"], style, color=color, label=label, linewidth=2)


def _finish(fig: plt.Figure, ax: plt.Axes, path: Path, title: str, ylabel: str,
            xlabel: str = "weeks since the ownership shock") -> Path:
    ax.axvline(0, color="black", linewidth=1, linestyle=":")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def rival_spend(shock: list[RunDigest], cast: StoryCast, vendor: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for lab, color in zip((cast.largest_rival, *cast.other_rivals), ("#d62728", "#1f77b4", "#2ca02c")):
        _plot_band(ax, _band([r.target_spend[lab] for r in shock]), lab, color)
    return _finish(fig, ax, path, f"Rival labs' spend at {vendor} (median, 10-90 % band)", "$M per year")


def hhi_shock_vs_calm(shock: list[RunDigest], calm: list[RunDigest], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _plot_band(ax, _band([r.market["hhi"] for r in shock]), "with the stake", "#d62728")
    _plot_band(ax, _band([r.market["hhi"] for r in calm]), "no shock (same seeds)", "#555555", "--")
    for level, label in GUIDELINE_HHI:
        ax.axhline(level, color="#999999", linewidth=1)
        ax.text(ax.get_xlim()[0], level, f" {label}", va="bottom", fontsize=8, color="#666666")
    ax.set_ylim(bottom=0)
    return _finish(fig, ax, path, "Revenue HHI: shock against no shock", "HHI (0-10,000)")


def challenger_inquiries(shock: list[RunDigest], cast: StoryCast, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for vendor, color in zip(cast.challengers, ("#9467bd", "#ff7f0e")):
        weekly = [r.inquiries[vendor].rolling(2, min_periods=1).mean() for r in shock]
        _plot_band(ax, _band(weekly), f"{vendor} (2-week mean)", color)
    return _finish(fig, ax, path, "Weekly inquiries at the challengers", "inquiries per week")


def venture_capital(shock: list[RunDigest], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _plot_band(ax, _band([r.market["vc_committed_musd"].cumsum() for r in shock]), "VC committed (cumulative)",
               "#17becf")
    twin = ax.twinx()
    entrants = _band([r.market["entrants"].cumsum().astype(float) for r in shock])
    twin.step(entrants.index, entrants["median"], color="#8c564b", where="post", label="entrants (cumulative)")
    twin.set_ylabel("new vendors")
    twin.legend(loc="lower right", fontsize=9)
    return _finish(fig, ax, path, "Venture capital and new neutral entrants", "$M committed")


def vendor_shares(shock: list[RunDigest], path: Path) -> Path:
    """Stacked median shares; vendors created during the run are pooled as 'new entrants'."""
    named = list(shock[0].shares.columns)
    frames = []
    for r in shock:
        incumbents = [c for c in named if c in r.shares.columns and not c.startswith("Neutral entrant")]
        part = r.shares[incumbents].copy()
        part["new entrants"] = r.shares.drop(columns=incumbents).sum(axis=1)
        frames.append(part)
    columns = list(frames[0].columns)
    median = pd.DataFrame({c: pd.concat([f[c] for f in frames], axis=1).median(axis=1) for c in columns})
    median = median.div(median.sum(axis=1), axis=0).fillna(0.0)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.stackplot(median.index, median.T.values, labels=columns, colors=plt.cm.tab10(np.arange(len(columns))))
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    return _finish(fig, ax, path, "Vendor revenue shares (median over seeds, renormalised)", "share of revenue")


def precedent(runs: list[RunDigest], cast: StoryCast, path: Path) -> Path:
    """P9: the precedent vendor's revenue and capacity, as a share of their pre-shock levels."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    vendor = cast.precedent_vendor
    for part, label, color in (("revenue", "revenue", "#d62728"), ("capacity", "capacity", "#1f77b4")):
        series = [getattr(r, part)[vendor] / getattr(r, part)[vendor].loc[-1] for r in runs]
        _plot_band(ax, _band(series), label, color)
    for level in (0.6, 0.8):
        ax.axhline(level, color="#999999", linewidth=1, linestyle="--")
    ax.set_ylim(bottom=0)
    return _finish(fig, ax, path, f"The precedent: {vendor} loses {cast.precedent_client} (P9)",
                   "share of the level before the contract ends", xlabel="weeks since the contract ended")
