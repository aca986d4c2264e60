"""``labelmarket run / check / scenarios``: the happy paths, the run folder and the summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from labelmarket.experiments import run_folder
from labelmarket.experiments.cli import OWN_COMMANDS, build_parser, main
from labelmarket.experiments.output_folder import write_manifest
from labelmarket.model.recorder import (ALLOCATION_COLUMNS, EVENT_COLUMNS, LAB_COLUMNS, MARKET_COLUMNS,
                                        VENDOR_COLUMNS)
from labelmarket.scenarios.loader import bundled_scenarios, load_scenario, scenario_hash

COLUMNS = {"market.parquet": MARKET_COLUMNS, "vendors.parquet": VENDOR_COLUMNS,
           "allocations.parquet": ALLOCATION_COLUMNS, "events.parquet": EVENT_COLUMNS, "labs.parquet": LAB_COLUMNS}
RUN_FILES = {"manifest.json", "scenario.toml", *COLUMNS}
CONSOLE_SCRIPT = Path(sys.executable).with_name("labelmarket")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-"))


# ------------------------------------------------------------------------------------------- run
def test_run_writes_a_whole_run_folder_and_prints_a_summary(tmp_path, capsys):
    out = tmp_path / "toy-run"
    assert main(["run", "toy", "--seed", "3", "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == RUN_FILES
    assert leftovers(tmp_path) == []
    for file, columns in COLUMNS.items():
        assert list(pd.read_parquet(out / file).columns) == columns, file
    market = pd.read_parquet(out / "market.parquet")
    assert market.week.tolist() == list(range(41))
    text = capsys.readouterr().out
    for words in ("toy: seed 3, 40 weeks", "HHI (0-10,000)", "week 9", "week 40", "Top vendors by final share",
                  "BigCo", "Biggest moves of spend", "Alpha Ventures bought a 45% non-voting stake in BigCo"):
        assert words in text, words


def test_the_manifest_says_how_the_frames_were_made(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "toy", "--seed", "4", "--weeks", "15", "--set", "behaviour.wariness_gain=0.3",
                 "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    scenario = load_scenario("toy", {"behaviour.wariness_gain": 0.3})
    assert manifest["scenario"] == "toy"
    assert manifest["scenario_sha256"] == scenario_hash(scenario)
    assert manifest["seed"] == 4 and manifest["weeks"] == 15 and manifest["horizon_weeks"] == 40
    assert manifest["events"] == {"alpha_stake": {"kind": "ownership_change", "week": 10}}
    assert manifest["overrides"] == {"behaviour.wariness_gain": 0.3}
    assert {"python", "labelmarket", "mesa", "numpy", "pandas", "pyarrow"} <= set(manifest["versions"])
    assert manifest["git"]["commit"] is None or len(manifest["git"]["commit"]) == 40
    assert manifest["wall_time_s"] >= 0
    assert manifest["replay"] == f"labelmarket run {out / 'scenario.toml'} --seed 4 --weeks 15"
    assert manifest["files"]["market.parquet"] == {"rows": 16, "columns": MARKET_COLUMNS}


def test_the_default_run_folder_is_under_runs_and_named_after_scenario_seed_and_time(tmp_path, monkeypatch,
                                                                                        capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "toy", "--weeks", "2"]) == 0
    assert main(["run", "toy", "--weeks", "2"]) == 0  # the same second: a second folder, not a clash
    folders = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(folders) == 2 and all(name.startswith("toy-seed1-") for name in folders)
    assert leftovers(tmp_path / "runs") == []


def test_an_existing_folder_is_kept_unless_forced(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "toy", "--seed", "1", "--weeks", "3", "--out", str(out)]) == 0
    first = (out / "manifest.json").read_text()
    assert main(["run", "toy", "--seed", "2", "--weeks", "3", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "manifest.json").read_text() == first
    assert main(["run", "toy", "--seed", "2", "--weeks", "3", "--out", str(out), "--force"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert leftovers(tmp_path) == []


def test_a_run_that_fails_midway_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the model broke")

    monkeypatch.setattr("labelmarket.model.runner.run_scenario", broken)
    with pytest.raises(RuntimeError, match="the model broke"):
        main(["run", "toy", "--out", str(tmp_path / "deep" / "run")])
    assert list(tmp_path.iterdir()) == []  # not the run, not its temporary twin, not the parent folder


def test_an_interrupted_run_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("labelmarket.model.runner.run_scenario", interrupted)
    assert main(["run", "toy", "--out", str(tmp_path / "run")]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_reported_with_the_path_and_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    def no_space(self, path, *args, **kwargs):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", no_space)
    out = tmp_path / "run"
    assert main(["run", "toy", "--weeks", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(out) in err and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []


def test_the_run_folder_writer_is_usable_from_python(tmp_path):
    from labelmarket.model.runner import run_scenario

    result = run_scenario("toy", seed=2, weeks=5)
    out = run_folder.write_run_folder(result, tmp_path / "api-run", wall_time_s=0.5)
    loaded = run_folder.read_run_folder(out)
    pd.testing.assert_frame_equal(loaded["vendors"], result.vendors)
    assert loaded["manifest"]["wall_time_s"] == 0.5 and loaded["manifest"]["weeks"] == 5


def test_synthetic_markets_run_when_the_generator_exists(tmp_path, capsys):
    pytest.importorskip("labelmarket.scenarios.synthetic")
    out = tmp_path / "synthetic"
    assert main(["run", "--synthetic", "labs=6,vendors=3", "--weeks", "3", "--seed", "2", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["synthetic"] == {"labs": 6, "vendors": 3} and manifest["seed"] == 2
    assert pd.read_parquet(out / "allocations.parquet").lab.nunique() == 6


def test_the_console_script_runs_and_exits_zero(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run([str(CONSOLE_SCRIPT), "run", "toy", "--weeks", "4", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Top vendors by final share" in done.stdout
    assert {p.name for p in out.iterdir()} == RUN_FILES


# ----------------------------------------------------------------------------------- check, scenarios
def test_check_prints_ok_and_a_census(capsys):
    assert main(["check", "toy"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("OK ") and "toy.toml" in line
    for words in ("3 labs", "4 vendors", "2 investors (1 strategic, 1 venture)", "1 event (1 enabled)"):
        assert words in line, words


def test_check_accepts_overrides(capsys):
    assert main(["check", "toy", "--set", "behaviour.stake_weight=3"]) == 0
    assert main(["check", "toy", "--set", "behaviour.stake_weight=-3"]) == 2


def test_scenarios_lists_every_bundled_scenario_with_its_description(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(bundled_scenarios())
    for name, line in zip(bundled_scenarios(), lines):
        assert line.startswith(name)
        assert load_scenario(name).meta.description in line
    assert any("(default)" in line for line in lines)


def test_every_bundled_scenario_checks_ok(capsys):
    for name in bundled_scenarios():
        assert main(["check", name]) == 0, name


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit) as stop:
        from labelmarket.experiments.cli import build_parser
        build_parser().parse_args(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for command in ("run", "check", "scenarios", "validate", "sweep", "analyze", "viz"):
        assert command in text


def test_summary_of_another_kind_of_output_folder_is_one_line(tmp_path, capsys):
    write_manifest(tmp_path, "validation", {})
    assert main(["summary", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a run folder (it is a labelmarket validation folder)" in err


def test_summary_parses_without_the_other_commands():
    assert "summary" in OWN_COMMANDS, "`labelmarket summary` starts without importing the batch commands"
    assert build_parser(["summary", "x"]).parse_args(["summary", "x"]).run_dir == "x"
