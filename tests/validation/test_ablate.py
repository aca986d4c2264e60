"""labelmarket ablate: the mechanism registry's switches, the carry logic, and one small run end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from labelmarket.experiments.ablate import FULL, carry_table, criterion_table, paired_effect
from labelmarket.experiments.cli import main
from labelmarket.experiments.patterns import PATTERN_USE, CheckRow
from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.behaviour import Behaviour, parameter_specs
from labelmarket.scenarios.loader import load_scenario
from labelmarket.scenarios.mechanisms import CALIBRATION_BOX, MECHANISMS, SameAs, switchable


# ------------------------------------------------------------------------------------------- registry
def test_registry_names_real_parameters_and_patterns_once():
    fields = set(Behaviour.model_fields)
    assert len({m.name for m in MECHANISMS}) == len(MECHANISMS)
    for m in MECHANISMS:
        assert set(m.parameters) <= fields, m.name
        assert set(m.off or {}) <= fields, m.name
        assert set(m.claims) <= set(PATTERN_USE), m.name
    owned = [p for m in MECHANISMS for p in m.parameters]
    assert len(owned) == len(set(owned)), "a parameter belongs to one mechanism"


@pytest.mark.parametrize("mechanism", switchable(), ids=lambda m: m.name)
def test_each_switch_really_changes_the_parameters_it_names(mechanism):
    base = load_scenario("meta_scale_2025")
    switched = load_scenario("meta_scale_2025", mechanism.switch_off(base.behaviour))
    for name, value in mechanism.off.items():
        expected = getattr(base.behaviour, value.parameter) if isinstance(value, SameAs) else value
        assert getattr(switched.behaviour, name) == expected
        assert getattr(switched.behaviour, name) != getattr(base.behaviour, name), f"{name} is already off"
    untouched = set(Behaviour.model_fields) - set(mechanism.off)
    assert all(getattr(switched.behaviour, n) == getattr(base.behaviour, n) for n in untouched)


def test_the_box_is_wide_sourced_admissible_and_holds_the_defaults():
    specs = {s.name: s for s in parameter_specs()}
    for m in MECHANISMS:
        assert set(m.parameters) <= set(CALIBRATION_BOX), m.name
    for name, box in CALIBRATION_BOX.items():
        spec = specs[name]
        assert spec.low <= box.low < box.high <= spec.high, name
        assert box.low <= spec.default <= box.high, name
        assert len(box.source) > 20, name
    # the review found the break-up rests on wariness: its box reaches zero; peer contagion carried no pattern
    # at calibrated values and is removed (D56), parameters and all
    assert CALIBRATION_BOX["wariness_gain"].low == 0.0
    assert not any("contagion" in name for name in Behaviour.model_fields)


# ------------------------------------------------------------------------------------- carry logic
def row(key: str, passed: bool, values=(1.0, 2.0, 3.0), applicable: bool = True) -> CheckRow:
    pattern = key.split(".")[0]
    return CheckRow(key, pattern, key, PATTERN_USE[pattern], "median", float(np.median(values)),
                    float(np.median(values)), min(values), max(values), passed, 0.0, (1, 2, 3), tuple(values),
                    applicable)


def test_a_mechanism_carries_a_pattern_exactly_when_switching_it_off_flips_it():
    full = [row("P1.a", True), row("P1.b", True), row("P2.a", False), row("P3.a", True), row("P4.a", True)]
    rows = {
        FULL: full,
        "breaks P1": [row("P1.a", True), row("P1.b", False), *full[2:]],
        "mends P2": [*full[:2], row("P2.a", True), *full[3:]],
        "changes nothing": list(full),
        "hides P3": [*full[:3], row("P3.n/a", False, applicable=False), full[4]],
        "breaks P4, mends P2": [*full[:2], row("P2.a", True), full[3], row("P4.a", False)],
    }
    table = carry_table(rows)
    assert table.loc["breaks P1"].tolist() == ["carries", "fail", "pass", "pass"]
    assert table.loc["mends P2"].tolist() == ["pass", "blocks", "pass", "pass"]
    assert table.loc["changes nothing"].tolist() == ["pass", "fail", "pass", "pass"]
    assert table.loc["hides P3", "P3"] == "n/a"
    assert table.loc["breaks P4, mends P2"].tolist() == ["pass", "blocks", "pass", "carries"]
    flips = criterion_table(rows).query("flipped")
    assert sorted(zip(flips.variant, flips.key)) == [("breaks P1", "P1.b"), ("breaks P4, mends P2", "P2.a"),
                                                     ("breaks P4, mends P2", "P4.a"), ("mends P2", "P2.a")]


def test_paired_effects_are_per_seed_differences():
    full = row("P1.a", True, values=(1.0, 2.0, float("inf")))
    off = row("P1.a", False, values=(0.5, 0.0, float("inf")))
    median, low, high = paired_effect(full, off)
    assert (median, low, high) == (-0.5, -2.0, 0.0)   # the two infinities differ by nothing


def test_a_flip_counts_as_consistent_only_when_the_paired_effect_points_one_way():
    from labelmarket.experiments.ablation_report import consistent

    assert consistent(-1.5, -5.0, 0.0) and consistent(0.25, 0.2, 0.3)
    assert not consistent(-1.0, -2.0, 2.0)      # seeds disagree on the sign: a knife-edge tipping over
    assert not consistent(0.0, -2.0, 1.0) and not consistent(float("nan"), 0.0, 0.0)


# -------------------------------------------------------------------------------------- end to end
def test_ablate_end_to_end_on_the_toy_scenario(tmp_path, capsys):
    out = tmp_path / "ablation"
    argv = ["ablate", "toy", "--seeds", "2", "--workers", "1", "--out", str(out),
            "--mechanism", "rival stake exposure", "--mechanism", "layoffs"]
    assert main(argv) == 0
    assert {p.name for p in out.iterdir()} == {"report.md", "ablation.png", "carries.csv", "criteria.csv",
                                               "mechanisms.csv", "manifest.json"}
    carries = pd.read_csv(out / "carries.csv", index_col="mechanism", keep_default_na=False)
    assert list(carries.index) == ["rival stake exposure", "layoffs"]
    assert carries.loc["layoffs", "P9"] == "carries"                # no layoffs: Appen never cuts capacity
    assert carries.loc["layoffs", "P2"] == "n/a"                    # the toy has no Microsoft or xAI
    criteria = pd.read_csv(out / "criteria.csv")
    assert set(criteria.variant) == {FULL, "rival stake exposure", "layoffs"}
    no_stake = criteria.query("variant == 'rival stake exposure' and key == 'P1.first_shift'").iloc[0]
    assert no_stake["flipped"] and not no_stake["passed"]           # no stake exposure: Beta never moves
    layoffs_capacity = criteria.query("variant == 'layoffs' and key == 'P9.capacity'").iloc[0]
    assert layoffs_capacity["value"] == 0.0 and not layoffs_capacity["passed"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seeds"] == [1, 2] and manifest["switches"]["layoffs"] == {"behaviour.layoff_rate_per_week": 0.0}
    assert manifest["without_switch"] == ["neutrality opinion dynamics", "vendor choice"]  # the captive floor is off (D45)
    assert "## What carries what" in (out / "report.md").read_text()
    assert not list(tmp_path.glob(".tmp-*"))

    capsys.readouterr()
    assert main(argv) == 2                                          # exists: refused without --force
    assert "already exists" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


def test_ablate_refuses_bad_input_with_one_line(tmp_path, capsys):
    stranger = tmp_path / "not-ours"
    stranger.mkdir()
    (stranger / "keep.txt").write_text("precious")
    bad = {"not a labelmarket folder": ["toy", "--seeds", "1", "--out", str(stranger), "--force"],
           "no ownership shock": ["appen_2024", "--seeds", "1", "--out", str(tmp_path / "a")],
           "no such scenario": ["no_such_scenario", "--out", str(tmp_path / "b")]}
    for why, args in bad.items():
        capsys.readouterr()
        assert main(["ablate", *args]) == 2, why
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("labelmarket ablate: error: "), (why, lines)
        assert {"no ownership shock": "not an ownership change", "no such scenario": "no such scenario file",
                "not a labelmarket folder": "not a labelmarket output folder"}[why] in lines[0]
    assert (stranger / "keep.txt").read_text() == "precious"
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert main(["ablate", "toy", "--seeds", "0"]) == 2
    assert "--seeds: must be at least 1" in capsys.readouterr().err
