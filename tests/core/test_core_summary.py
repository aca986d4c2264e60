"""`labelmarket summary RUN_DIR` prints, from the run folder alone, exactly what `labelmarket run` printed."""

from __future__ import annotations

import pandas as pd
import pytest

from labelmarket.experiments.cli import main


@pytest.mark.parametrize("scenario, seed", [("toy", 3), ("meta_scale_2025", 2)])
def test_summary_of_a_run_folder_reproduces_the_runs_summary(tmp_path, capsys, scenario, seed):
    out = tmp_path / f"{scenario}-run"
    assert main(["run", scenario, "--seed", str(seed), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Biggest moves of spend" in printed and str(out) in printed
    assert main(["summary", str(out)]) == 0
    assert capsys.readouterr().out == printed


def test_summary_reads_the_folder_not_the_model(tmp_path, capsys):
    """A changed frame on disk changes the summary: it is read from the folder, not re-run."""
    out = tmp_path / "toy-run"
    assert main(["run", "toy", "--seed", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    market = pd.read_parquet(out / "market.parquet")
    market.loc[market.index[-1], "unmet_musd"] = 12345.0
    market.to_parquet(out / "market.parquet", index=False)
    assert main(["summary", str(out)]) == 0
    again = capsys.readouterr().out
    assert again != printed and "unmet demand at the end $12,345M/yr" in again


def test_summary_of_a_folder_that_is_no_run_folder_says_so(tmp_path, capsys):
    assert main(["summary", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "not a run folder" in err and "manifest.json" in err


def test_the_summary_lists_the_promise_a_vendor_decided_with_the_scheduled_events(tmp_path, capsys):
    """D86: Scale AI's promise is its own decision in meta_scale_2025; the run's summary shows it among the
    events, with its cause in words."""
    assert main(["run", "meta_scale_2025", "--seed", "7", "--weeks", "30", "--out", str(tmp_path / "run")]) == 0
    events = capsys.readouterr().out.split("\nEvents\n")[1].split("\n\n")[0].splitlines()
    assert any("Meta Platforms bought a 49% non-voting stake in Scale AI" in line for line in events)
    assert any("Scale AI decided to promise a data firewall (strength 0.50" in line for line in events), events
