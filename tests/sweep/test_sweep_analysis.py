"""`labelmarket analyze`: the right numbers on functions with known answers, and the files a researcher expects."""

from __future__ import annotations

import pandas as pd
import pytest

from labelmarket.experiments.output_folder import OutputFolderError

from labelmarket.experiments import load_results, sweep
from labelmarket.experiments.analysis import analyze
from labelmarket.experiments.analysis.cli import main as analyze_main
from labelmarket.experiments.sweep.known_functions import ishigami_indices
from sweep_helpers import PI, ishigami_sweep, toy_sweep


def run(document, out):
    outcome = sweep(document, out=out, workers=1, progress=False)
    assert outcome.exit_code in (0, 1)
    return outcome.run_dir


@pytest.fixture(scope="module")
def ishigami_run(tmp_path_factory):
    return run(ishigami_sweep(256), tmp_path_factory.mktemp("ishigami") / "run")


def test_sobol_indices_of_ishigami_match_the_analytic_values(ishigami_run):
    report = analyze(ishigami_run, ["y"])
    truth = ishigami_indices()
    table = report.indices["y"].table
    assert list(table["parameter"]) == ["ishigami.x1", "ishigami.x2", "ishigami.x3"]
    for kind in ("S1", "ST"):
        error = (table[kind] - truth[kind]).abs()
        assert (error <= table[f"{kind}_conf"]).all(), f"{kind} outside its confidence interval:\n{table}"
        assert (table[f"{kind}_conf"] < 0.25).all()
    assert list(table.sort_values("ST", ascending=False)["parameter"]) == ["ishigami.x1", "ishigami.x2", "ishigami.x3"]
    pairs = report.indices["y"].pairs.set_index(["parameter_1", "parameter_2"])
    for (first, second), s2 in truth["S2"].items():
        row = pairs.loc[(f"ishigami.{first}", f"ishigami.{second}")]
        assert abs(row["S2"] - s2) <= row["S2_conf"]


def test_the_analysis_writes_tables_figures_and_a_summary(ishigami_run):
    report = analyze(ishigami_run)
    folder = ishigami_run / "analysis"
    assert report.folder == folder
    for name in ("summary.md", "sobol_indices.csv", "sobol_indices.md", "sobol_second_order.csv",
                 "sobol_second_order.md", "outputs_summary.csv", "figures/sobol_y.png", "figures/sobol_s2_y.png"):
        assert (folder / name).is_file(), name
    assert (folder / "figures/sobol_y.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv = pd.read_csv(folder / "sobol_indices.csv")
    y = csv[csv["output"] == "y"].reset_index(drop=True)
    pd.testing.assert_frame_equal(y, report.indices["y"].table.reset_index(drop=True), check_exact=False, rtol=1e-12)
    markdown = (folder / "sobol_indices.md").read_text()
    assert f"| y | ishigami.x2 | {y.loc[1, 'S1']:.3f} |" in markdown
    summary = (folder / "summary.md").read_text()
    assert "**sobol**, 2048 points" in summary and "`ishigami.x1`" in summary
    assert "![sobol_y](figures/sobol_y.png)" in summary


def test_a_second_analysis_replaces_the_first_but_never_a_users_file(ishigami_run):
    analyze(ishigami_run, ["y"])
    (ishigami_run / "analysis" / "stale.md").write_text("an earlier analysis's table")
    analyze(ishigami_run, ["y"])
    assert not (ishigami_run / "analysis" / "stale.md").exists(), "the default analysis folder is rebuilt"
    (ishigami_run / "analysis" / "notes.txt").write_text("mine")
    with pytest.raises(OutputFolderError, match="'notes.txt', which labelmarket did not write"):
        analyze(ishigami_run, ["y"])
    assert (ishigami_run / "analysis" / "notes.txt").read_text() == "mine"


def test_morris_on_a_linear_function_gives_its_slopes(tmp_path):
    document = {"name": "linear", "run_function": "labelmarket.experiments.sweep.known_functions:linear", "seed": 4,
                "design": {"method": "morris", "trajectories": 10, "levels": 4},
                "parameters": {f"lin.x{i}": {"bounds": [0.0, 1.0]} for i in (1, 2, 3)}}
    report = analyze(run(document, tmp_path / "m"))
    table = report.indices["y"].table.set_index("parameter")
    assert table["mu_star"].tolist() == pytest.approx([4.0, 2.0, 0.0])
    assert table["mu"].tolist() == pytest.approx([4.0, -2.0, 0.0])
    assert table["sigma"].tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    assert (tmp_path / "m" / "analysis" / "morris_indices.md").exists()
    assert (tmp_path / "m" / "analysis" / "figures" / "morris_y.png").exists()


def test_lhs_gets_rbd_fast_first_order_indices(tmp_path):
    document = {"name": "lhs", "run_function": "labelmarket.experiments.sweep.known_functions:ishigami", "seed": 2,
                "design": {"method": "lhs", "samples": 400},
                "parameters": {f"ishigami.x{i}": {"bounds": [-PI, PI]} for i in (1, 2, 3)}}
    report = analyze(run(document, tmp_path / "l"), ["y"])
    table = report.indices["y"].table.set_index("parameter")
    truth = ishigami_indices()["S1"]
    assert table["S1"].tolist() == pytest.approx(truth, abs=0.1)
    assert (tmp_path / "l" / "analysis" / "rbd_fast_indices.csv").exists()


def test_a_two_parameter_grid_gets_means_a_heatmap_and_hhi_fan_charts(tmp_path):
    out = run(toy_sweep("grid", replications=3), tmp_path / "g")
    report = analyze(out, ["final_hhi"])
    folder = out / "analysis"
    runs = load_results(out).runs
    means = pd.read_csv(folder / "grid_means.csv")
    hhi = means[means["output"] == "final_hhi"].set_index(["events.shock.stake", "behaviour.wariness_gain"])
    expected = runs.groupby(["events.shock.stake", "behaviour.wariness_gain"])["final_hhi"].mean()
    pd.testing.assert_series_equal(hhi["mean"].sort_index(), expected.sort_index(), check_names=False)
    assert (hhi["ci_low"] < hhi["mean"]).all() and (hhi["n"] == 3).all()
    effects = pd.read_csv(folder / "grid_main_effects.csv")
    assert len(effects[effects["output"] == "final_hhi"]) == 3 + 2
    for name in ("grid_heatmap_final_hhi.png", "grid_effects_final_hhi.png", "fan_hhi_events.shock.stake.png",
                 "fan_hhi_behaviour.wariness_gain.png"):
        assert (folder / "figures" / name).exists(), name
    assert len(report.figures) == 2 + 2  # heatmap and main effects, one fan chart per parameter


def test_failed_runs_drop_their_sobol_blocks_and_say_so(tmp_path):
    document = {"name": "fragile", "run_function": "labelmarket.experiments.sweep.known_functions:fragile", "seed": 3,
                "design": {"method": "sobol", "samples": 32},
                "parameters": {"p.a": {"bounds": [0.0, 0.85]}, "p.b": {"bounds": [1.0, 2.0]}}}
    out = run(document, tmp_path / "f")
    assert load_results(out).failures.shape[0] > 0
    report = analyze(out, ["y"])
    found = report.indices["y"]
    assert 0 < found.used < 32 * 6 and found.used % 6 == 0
    assert any("Sobol blocks dropped" in note for note in report.notes)
    assert "Sobol blocks dropped" in (out / "analysis" / "summary.md").read_text()


def test_analyze_refuses_what_it_cannot_read(tmp_path, capsys):
    assert analyze_main([str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err
    sweep(toy_sweep("grid"), out=tmp_path / "t", workers=1, progress=False)
    assert analyze_main([str(tmp_path / "t"), "--output", "nonsense"]) == 2
    assert "no output called nonsense" in capsys.readouterr().err
    assert analyze_main([str(tmp_path / "t"), "--output", "final_hhi"]) == 0


def test_results_outcomes_and_reports_print_in_one_line(tmp_path):
    from labelmarket.experiments import load_results, sweep

    document = {"name": "lin", "run_function": "labelmarket.experiments.sweep.known_functions:linear",
                "design": {"method": "grid"}, "parameters": {f"lin.x{i}": {"values": [0.0, 1.0]} for i in (1, 2, 3)}}
    outcome = sweep(document, out=tmp_path / "lin", workers=1, progress=False)
    assert repr(outcome) == f"<SweepOutcome {tmp_path / 'lin'}: done; 8 runs, 8 ok, 0 failed, 8 computed now>"
    results = load_results(outcome.run_dir)
    assert repr(results) == f"<SweepResults {tmp_path / 'lin'}: grid, 8 runs (8 ok); 3 parameters; outputs y>"
    assert "\n" not in repr(analyze(outcome.run_dir))


def test_heatmap_cells_use_readable_numbers():
    from labelmarket.experiments.analysis.figures import readable

    assert [readable(v) for v in (2534.2, 41.66, 0.35234, 0.0, 3.1e-05, -1234.0)] == [
        "2,534", "41.7", "0.352", "0", "3.1e-05", "-1,234"]
