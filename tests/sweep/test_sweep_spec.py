"""The sweep file is validated with the same care as scenarios: one clear message, exit status 2."""

from __future__ import annotations

import pytest

from labelmarket.experiments.sweep.cli import main as sweep_main
from labelmarket.experiments.sweep.spec import SweepError, load_sweep
from sweep_helpers import ishigami_sweep, toy_sweep, write_sweep


def error_for(tmp_path, document: dict) -> SweepError:
    path = write_sweep(tmp_path, document)
    with pytest.raises(SweepError) as caught:
        load_sweep(path)
    assert str(path) in str(caught.value), "the message names the file"
    return caught.value


def test_a_valid_file_loads_with_defaults(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, ishigami_sweep(64), name="check.toml"))
    assert sweep.name == "ishigami"
    assert sweep.spec.replications == 1
    assert sweep.spec.point_count() == 64 * (2 * 3 + 2)
    outputs = sweep.spec.outputs
    assert outputs.hhi_below_name() == "hhi_below_2500_week" and outputs.share_weeks == [52]
    assert outputs.final_week == ["hhi", "cr1", "effective_vendors", "active_vendors"], "no noise by default"


def test_the_name_defaults_to_the_file_stem(tmp_path):
    document = ishigami_sweep()
    del document["name"]
    assert load_sweep(write_sweep(tmp_path, document, name="my sweep.toml")).name == "my-sweep"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.update(replication=3), "replication", "did you mean 'replications'"),
        (lambda d: d["design"].update(samples=100), "design.samples", "power of two"),
        (lambda d: d["design"].update(method="saltelli"), "design.method", "grid, lhs, sobol, morris"),
        (lambda d: d["design"].update(levles=4), "design.levles", "unknown field"),
        (lambda d: d["parameters"]["ishigami.x1"].update(bounds=[1.0, 0.0]), 'parameters."ishigami.x1".bounds', "low < high"),
        (lambda d: d["parameters"].update({"stake": {"bounds": [0, 1]}}), "parameters", "dotted scenario path"),
        (lambda d: d["parameters"]["ishigami.x1"].update(values=[1, 2]), 'parameters."ishigami.x1"', "either values"),
        (lambda d: d.update(replications=0), "replications", "greater than or equal to 1"),
        (lambda d: d.update(outputs={"final_week": ["hhi", "hhhi"]}), "outputs.final_week[1]", "'hhi'"),
    ],
)
def test_bad_fields_are_named_with_the_reason(tmp_path, change, field, words):
    document = ishigami_sweep()
    change(document)
    error = error_for(tmp_path, document)
    assert error.field == field
    assert words in str(error)


def test_grid_needs_values_and_samplers_need_bounds(tmp_path):
    document = toy_sweep("grid")
    document["parameters"]["events.shock.stake"] = {"bounds": [0.0, 0.5]}
    assert "grid method needs values" in str(error_for(tmp_path, document))
    document = toy_sweep("lhs", samples=10)
    document["parameters"]["events.shock.stake"] = {"values": [0.1]}
    assert "lhs method needs bounds" in str(error_for(tmp_path, document))


def test_second_order_needs_two_parameters(tmp_path):
    document = ishigami_sweep()
    document["parameters"] = {"ishigami.x1": {"bounds": [0, 1]}}
    assert "second_order = false" in str(error_for(tmp_path, document))


def test_not_toml_and_missing_files_are_clear(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(SweepError, match="not valid TOML"):
        load_sweep(path)
    with pytest.raises(SweepError, match="sweep file not found"):
        load_sweep(tmp_path / "absent.toml")


def test_cli_exits_2_with_one_message(tmp_path, capsys):
    document = ishigami_sweep()
    document["design"]["samples"] = 96
    path = write_sweep(tmp_path, document)
    assert sweep_main([str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"labelmarket sweep: error: {path}: design.samples: must be a power of two")
    assert "try 64 or 128" in err
    assert not (tmp_path / "out").exists()


def test_cli_rejects_a_bad_worker_count(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        sweep_main([str(tmp_path / "x.toml"), "--workers", "0"])
    assert caught.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err
