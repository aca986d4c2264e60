"""Scenario discovery: ``analyze --discover "OUTPUT < VALUE"`` runs PRIM on a sweep's runs."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # EMA warns that ipyparallel is missing
    pytest.importorskip("ema_workbench", reason="ema-workbench is the optional extra 'ema'")

from labelmarket.experiments import sweep  # noqa: E402
from labelmarket.experiments.analysis.cli import main as analyze_main  # noqa: E402
from labelmarket.experiments.analysis.discovery import parse_condition  # noqa: E402
from labelmarket.experiments.sweep.spec import SweepError  # noqa: E402
from sweep_helpers import toy_sweep  # noqa: E402


@pytest.fixture(scope="module")
def lhs_run(tmp_path_factory):
    document = toy_sweep("lhs", replications=1, samples=60)
    outcome = sweep(document, out=tmp_path_factory.mktemp("lhs") / "run", workers=1, progress=False)
    assert outcome.exit_code == 0
    return outcome.run_dir


def test_prim_finds_the_box_where_the_shocked_vendor_keeps_its_share(lhs_run, capsys):
    # In the toy market the big vendor's share decays faster the larger the stake: it keeps a large share
    # 26 weeks on only where the stake is small.
    runs = pd.read_parquet(lhs_run / "results.parquet")
    threshold = float(runs["share_week_26"].quantile(0.7))
    assert analyze_main([str(lhs_run), "--discover", f"share_week_26 > {threshold}", "--output", "final_hhi"]) == 0
    printed = capsys.readouterr().out
    assert f"## Scenario discovery: share_week_26 > {threshold:g}" in printed
    assert "box 1: coverage" in printed and "events.shock.stake in [" in printed
    boxes = pd.read_csv(lhs_run / "analysis" / "prim_boxes.csv")
    first = boxes[boxes["box"] == 1]
    stake = first[first["parameter"] == "events.shock.stake"].iloc[0]
    assert stake["low"] == pytest.approx(runs["events.shock.stake"].min()) and stake["high"] < 0.25
    assert first["coverage"].iloc[0] >= 0.5 and first["density"].iloc[0] > 0.6
    assert (lhs_run / "analysis" / "figures" / "prim_share_week_26.png").stat().st_size > 10_000
    assert "## Scenario discovery" in (lhs_run / "analysis" / "summary.md").read_text()


@pytest.mark.parametrize("text, says", [
    ("final_hhi >", "cannot read the condition"),
    ("__import__('os').system('x') > 1", "cannot read the condition"),
    ("final_hhi = 3", "cannot read the condition"),
    ("hhi > 3", "no output called 'hhi'"),
    ("final_hhi > 1e999", "not a finite number"),
])
def test_the_condition_is_parsed_strictly(text, says):
    with pytest.raises(SweepError, match=says):
        parse_condition(text, ["final_hhi"], "run")


def test_a_bad_condition_is_one_line_and_writes_nothing(lhs_run, capsys):
    before = sorted(p.name for p in lhs_run.iterdir())
    assert analyze_main([str(lhs_run), "--discover", "final_hhi ~ 3", "--out", str(lhs_run.parent / "a")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--discover" in err
    assert sorted(p.name for p in lhs_run.iterdir()) == before and not (lhs_run.parent / "a").exists()
