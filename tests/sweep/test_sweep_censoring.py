"""Censored times and uninformative outputs in the analysis: Kaplan–Meier, the share censored, the flags."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from labelmarket.experiments import load_results, sweep
from labelmarket.experiments.analysis import analyze
from labelmarket.experiments.analysis.flags import uninformative
from labelmarket.experiments.analysis.survival import censored_summary, kaplan_meier

# Gehan (1965), 6-MP arm of the leukaemia trial: weeks in remission; False marks a censored time.
GEHAN_WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
GEHAN_RELAPSED = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_kaplan_meier_matches_the_textbook_example():
    curve = kaplan_meier(np.array(GEHAN_WEEKS), np.array(GEHAN_RELAPSED, dtype=bool))
    assert curve.times.tolist() == [6, 7, 10, 13, 16, 22, 23]
    assert np.round(curve.survival, 3).tolist() == [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    assert curve.quantile(0.5) == 23.0  # the published KM median
    assert math.isnan(curve.quantile(0.75)), "never reached: more than the follow-up"


def test_censored_summary_never_averages_censored_values():
    times = pd.Series([2.0, 4.0, np.nan, np.nan, np.nan])  # three runs never saw the event within 10 weeks
    summary = censored_summary(times, 10.0)
    assert summary["censored_share"] == 0.6 and summary["events"] == 2
    assert math.isnan(summary["km_median"]) and not summary["median_reached"]
    assert summary["restricted_mean"] == (2 + 4 + 30) / 5
    assert censored_summary(pd.Series([1.0, 3.0, 5.0]), 10.0)["km_median"] == 3.0


@pytest.mark.parametrize("values, flagged", [([3.0, 3.0, 3.0], "constant"), ([1e-16, 3e-16, 0.0], "noise"),
                                             ([np.nan, np.nan], "no value"), ([0.1, 0.2, 0.3], None)])
def test_uninformative_outputs_are_flagged(values, flagged):
    why = uninformative(pd.Series(values))
    assert (why is None) if flagged is None else (flagged in why)


def test_analyze_flags_constant_and_noise_outputs_and_reports_censored_times(tmp_path):
    document = {"name": "events", "run_function": "censored_runs:event_week", "seed": 3, "replications": 8,
                "design": {"method": "grid"},
                "parameters": {"p.mean_weeks": {"values": [3.0, 40.0]}, "p.other": {"values": [0, 1]}}}
    outcome = sweep(document, out=tmp_path / "ev", workers=1, progress=False)
    runs = load_results(outcome.run_dir).runs
    report = analyze(outcome.run_dir)
    assert "constant" not in report.outputs and "noise" not in report.outputs and "signal" in report.outputs
    assert any(n.startswith("`constant` is constant (1) across runs: left out") for n in report.notes)
    assert any(n.startswith("`noise` varies by at most") and "below numerical noise" in n for n in report.notes)
    figures = [p.name for p in (report.folder / "figures").iterdir()]
    assert not [f for f in figures if "constant" in f or "noise" in f] and "grid_heatmap_signal.png" in figures
    censored = int(runs["event_week"].isna().sum())
    assert 0 < censored < len(runs), "some runs see the event, some do not"
    table = pd.read_csv(report.folder / "times_to_event.csv").set_index("output")
    assert table.loc["event_week", "censored_share"] == pytest.approx(censored / len(runs))
    by_point = pd.read_csv(report.folder / "times_to_event_by_point.csv")
    slow = by_point[by_point["p.mean_weeks"] == 40.0]
    assert (slow["censored_share"] > 0.3).all() and (by_point[by_point["p.mean_weeks"] == 3.0]["median_reached"]).all()
    summary = (report.folder / "summary.md").read_text()
    assert f"`event_week` is censored in {censored} of {len(runs)} runs" in summary
    means = pd.read_csv(report.folder / "grid_means.csv")
    assert means[means["output"] == "event_week"]["mean"].max() <= 20, "restricted: a censored run counts as 20"


def test_point_means_of_a_censored_time_are_restricted_means(tmp_path):
    document = {"name": "events", "run_function": "censored_runs:event_week", "seed": 3, "replications": 8,
                "design": {"method": "grid"}, "parameters": {"p.mean_weeks": {"values": [40.0]}, "p.other": {"values": [0]}}}
    results = load_results(sweep(document, out=tmp_path / "ev", workers=1, progress=False).run_dir)
    times = results.runs["event_week"]
    assert times.isna().any(), "some runs are censored at 20 weeks"
    assert results.points()["event_week"].iloc[0] == pytest.approx(times.fillna(20.0).mean())
    assert results.points()["event_week"].iloc[0] > times.mean(), "a plain mean of the observed times is biased low"
