"""Opt-in vendor-level and lab-level weekly series, with the point's parameters and both week counts."""

from __future__ import annotations

import numpy as np

from labelmarket.experiments import load_results, sweep

SERIES = {
    "name": "series",
    "scenario": "meta_scale_2025",
    "seed": 2,
    "weeks": 30,
    "design": {"method": "grid"},
    "parameters": {"events.meta_stake.stake": {"values": [0.0, 0.49]}},
    "outputs": {"share_weeks": [2], "vendor_series": True, "lab_series": True},
}


def test_vendor_and_lab_series_carry_the_parameters_and_both_weeks(tmp_path):
    outcome = sweep(SERIES, out=tmp_path / "s", workers=1, progress=False)
    assert outcome.exit_code == 0
    manifest = load_results(outcome.run_dir).manifest
    assert manifest["files"]["vendor_series"] == "vendor_series.parquet"
    vendors = load_results(outcome.run_dir).vendor_series
    labs = load_results(outcome.run_dir).lab_series
    for frame in (vendors, labs):
        assert {"point_id", "replicate", "seed", "events.meta_stake.stake", "week", "week_from_shock"} <= set(frame)
        assert (frame["week"] - frame["week_from_shock"] == 26).all(), "week_from_shock counts from the shock"
        assert sorted(frame["events.meta_stake.stake"].unique()) == [0.0, 0.49]
    shares = vendors.groupby(["point_id", "week"])["share"].sum()
    assert np.allclose(shares, 1.0), "vendor shares sum to 1 every week"
    google = labs[(labs["lab"] == "Google") & (labs["week"] == 0)]
    assert np.allclose(google["share_at_target"], 150 / google["spend_musd"]), "Google's Scale AI contract at week 0"
    assert ((labs["share_at_target"] >= 0) & (labs["share_at_target"] <= 1)).all()
    runs = load_results(outcome.run_dir).runs
    assert "google_halved_week" in runs, "by default, the share vendor's largest client (by contract)"
    assert manifest["resolved"]["target"]["censored_after_weeks"] == {"hhi_below_2500_week": 4, "google_halved_week": 4}
