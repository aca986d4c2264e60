"""``[expect.NAME]`` tables go through the scenario schema: unknown keys and names are one-line errors (exit 2),
``extends`` inherits checks and a child can switch one off or change one field. No simulation runs here."""

from __future__ import annotations

from pathlib import Path

import pytest

from labelmarket.experiments.cli import main
from labelmarket.model.recorder import MARKET_COLUMNS
from labelmarket.scenarios.expectations import MARKET_METRICS
from labelmarket.scenarios.loader import BUNDLED_DIR, load_scenario, scenario_hash, scenario_toml

TOY = BUNDLED_DIR / "toy.toml"
GOOD = {"metric": '"hhi"', "week": "20", "compare": '"<="', "value": "3000"}


def check_table(name: str = "probe", **fields: str) -> str:
    """An [expect.NAME] table from TOML literals; a field set to None is left out."""
    body = {**GOOD, **fields}
    return f"\n[expect.{name}]\n" + "".join(f"{k} = {v}\n" for k, v in body.items() if v is not None)


def child_of_toy(folder: Path, text: str, name: str = "child.toml") -> Path:
    """A scenario that extends the bundled toy market (its checks included)."""
    path = folder / name
    path.write_text(f'extends = "{TOY}"\n\n[meta]\nname = "child"\n' + text, encoding="utf-8")
    return path


def test_the_market_metrics_are_the_columns_of_market_parquet():
    assert list(MARKET_METRICS) == MARKET_COLUMNS[1:]


def test_bundled_scenarios_carry_their_checks():
    toy = load_scenario("toy")
    assert set(toy.expect) == {"market_breaks_up", "beta_leaves_bigco", "alpha_keeps_bigco", "gamma_watches",
                               "hhi_ceiling"}
    assert toy.expect["hhi_ceiling"].statistic == "quantile" and toy.expect["hhi_ceiling"].q == 0.9
    base = load_scenario("meta_scale_2025").expect["market_breaks_up"]
    assert (base.metric, base.week, base.origin, base.relative_to, base.value) == ("hhi", 52, "shock", "no_shock", 0.8)


def test_extends_inherits_checks_and_a_child_switches_one_off_or_changes_one_field():
    talent = load_scenario("talent_loss_only").expect
    assert [name for name, c in talent.items() if not c.enabled] == [
        "market_breaks_up", "scale_share_falls", "google_leaves_scale", "challengers_gain"]
    assert talent["market_breaks_up"].metric == "hhi"  # switched off, not forgotten
    assert {"market_stays_concentrated", "scale_keeps_most_share"} <= set(talent)
    strong = load_scenario("strong_assurances").expect["market_breaks_up"]
    assert strong.value == 0.9 and strong.relative_to == "no_shock" and strong.enabled  # one field changed
    assert all(c.enabled for c in load_scenario("voting_stake").expect.values())


def test_a_child_file_inherits_and_overrides(tmp_path):
    path = child_of_toy(tmp_path, "\n[expect.hhi_ceiling]\nenabled = false\n\n[expect.market_breaks_up]\nvalue = 0.5\n"
                        + check_table("own"))
    expect = load_scenario(path).expect
    assert not expect["hhi_ceiling"].enabled and expect["market_breaks_up"].value == 0.5
    assert expect["market_breaks_up"].relative_to_week == -1 and expect["own"].metric == "hhi"


def test_a_disabled_check_is_not_held_to_the_scenario(tmp_path):
    """A child may shorten the horizon and drop a check that reads past it."""
    path = child_of_toy(tmp_path, "horizon_weeks = 25\n[expect.market_breaks_up]\nenabled = false\n"
                                  "[expect.beta_leaves_bigco]\nenabled = false\n[expect.alpha_keeps_bigco]\n"
                                  "enabled = false\n[expect.gamma_watches]\nenabled = false\n"
                                  "[expect.hhi_ceiling]\nenabled = false\n")
    assert load_scenario(path).meta.horizon_weeks == 25


def test_expectations_survive_the_resolved_scenario_toml_and_do_not_change_the_hash(tmp_path):
    toy = load_scenario("toy")
    copy = tmp_path / "resolved.toml"
    copy.write_text(scenario_toml(toy), encoding="utf-8")
    assert 'from = "shock"' in copy.read_text(encoding="utf-8")
    assert load_scenario(copy).expect == toy.expect
    looser = load_scenario("toy", {"expect.hhi_ceiling.value": 4000})
    assert looser.expect["hhi_ceiling"].value == 4000
    assert scenario_hash(looser) == scenario_hash(toy)  # a check does not change a run


# case -> (the table's fields, words the one line must contain: the field path and the reason)
BAD_CHECKS = {
    "unknown key": ({"comapre": '"<="', "compare": None}, ["expect.probe.comapre", "unknown key",
                                                           "did you mean 'compare'"]),
    "typo of from": ({"form": '"shock"'}, ["expect.probe.form", "did you mean 'from'"]),
    "unknown metric": ({"metric": '"hhx"'}, ["expect.probe.metric", "'hhi'", "'lab_spend'"]),
    "unknown statistic": ({"statistic": '"mode"'}, ["expect.probe.statistic", "'median'"]),
    "unknown comparison": ({"compare": '"<"'}, ["expect.probe.compare", "'between'"]),
    "unknown origin": ({"from": '"begin"'}, ["expect.probe.from", "'start' or 'shock'"]),
    "a threshold that is text": ({"value": '"high"'}, ["expect.probe.value", "finite number"]),
    "a threshold that is nan": ({"value": "nan"}, ["expect.probe.value", "finite number"]),
    "between without a range": ({"compare": '"between"'}, ["expect.probe", "value = [low, high]"]),
    "a range the wrong way round": ({"compare": '"between"', "value": "[2, 1]"}, ["low <= high"]),
    "a range with <=": ({"value": "[1, 2]"}, ["expect.probe", "one number"]),
    "quantile without q": ({"statistic": '"quantile"'}, ["expect.probe", "needs `q`"]),
    "q above 1": ({"statistic": '"quantile"', "q": "1.5"}, ["expect.probe.q", "less than or equal to 1"]),
    "share of seeds without its share": ({"statistic": '"share_of_seeds"'}, ["needs `seed_share`"]),
    "no seeds": ({"seeds": "0"}, ["expect.probe.seeds", "greater than or equal to 1"]),
    "a market metric with a vendor": ({"vendor": '"BigCo"'}, ["expect.probe", "market metric: remove `vendor`"]),
    "a vendor metric without its vendor": ({"metric": '"vendor_share"'}, ["needs `vendor`"]),
    "lab spend without its lab": ({"metric": '"lab_spend"', "vendor": '"BigCo"'}, ["needs `lab`"]),
    "both kinds of relative": ({"relative_to": '"no_shock"', "relative_to_week": "-1"}, ["not both"]),
    "an unknown vendor": ({"metric": '"vendor_share"', "vendor": '"BigKo"'},
                          ["expect.probe.vendor", "unknown vendor 'BigKo'", "BigCo"]),
    "an unknown lab": ({"metric": '"lab_spend"', "vendor": '"BigCo"', "lab": '"Betta"'},
                       ["expect.probe.lab", "unknown lab 'Betta'"]),
    "a week after the horizon": ({"week": "31"}, ["expect.probe.week", "model week 41", "weeks 0-40"]),
    "a week before the start": ({"week": "-1", "from": '"start"'}, ["expect.probe.week", "model week -1"]),
    "a relative week after the horizon": ({"relative_to_week": "40"}, ["expect.probe.relative_to_week"]),
    "an unknown baseline": ({"relative_to": '"no_shok"'}, ["expect.probe.relative_to", "no scenario 'no_shok'",
                                                          "bundled scenarios"]),
    "a baseline without the vendor": ({"metric": '"vendor_share"', "vendor": '"BigCo"', "relative_to": '"no_shock"'},
                                      ["expect.probe.relative_to", "no_shock.toml", "unknown vendor 'BigCo'"]),
}


@pytest.mark.parametrize("case", BAD_CHECKS)
def test_a_bad_check_exits_2_with_one_line(case, tmp_path, capsys):
    fields, words = BAD_CHECKS[case]
    path = tmp_path / "bad.toml"
    path.write_text(TOY.read_text(encoding="utf-8") + check_table(**fields), encoding="utf-8")
    assert main(["test", str(path), "--workers", "1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"labelmarket test: error: {path}: "), captured.err
    for word in words:
        assert word in lines[0], f"{word!r} missing from: {lines[0]}"


def test_check_reports_a_bad_check_too(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(TOY.read_text(encoding="utf-8") + check_table(metric='"hhx"'), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "expect.probe.metric" in capsys.readouterr().err


def test_bad_command_line_input_exits_2_with_one_line(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "plain.toml").write_text('[tool.x]\nname = "not a scenario"\n', encoding="utf-8")
    no_checks = tmp_path / "no_checks.toml"
    no_checks.write_text(TOY.read_text(encoding="utf-8").split("# ----")[0], encoding="utf-8")
    cases = {
        (str(empty),): "no scenario files in this folder",
        (str(tmp_path / "missing.toml"),): "no such scenario file",
        (str(no_checks),): "no [expect.NAME] checks",
        ("toy", "--junit", str(empty)): "is a folder or a device",
        ("toy", "--junit", str(tmp_path / "plain.toml" / "report.xml")): "is not a folder",
    }
    for args, reason in cases.items():
        assert main(["test", *args, "--workers", "1"]) == 2, args
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and reason in err, (args, err)
    assert list(empty.iterdir()) == []
