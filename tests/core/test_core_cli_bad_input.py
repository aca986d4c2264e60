"""Bad input: each case exits 2 with ONE message on stderr naming the file, the field and the reason, prints
no traceback, and writes nothing (no run folder, no temporary folder)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from labelmarket.experiments.cli import main
from labelmarket.scenarios.loader import BUNDLED_DIR

TOY = (BUNDLED_DIR / "toy.toml").read_text(encoding="utf-8")
CONSOLE_SCRIPT = Path(sys.executable).with_name("labelmarket")


def edited(old: str, new: str) -> str:
    assert old in TOY, f"toy.toml no longer contains {old!r}: update this test"
    return TOY.replace(old, new, 1)


NEW_TABLE = "\n[vendors.{name}]\ncapacity_musd = 10.0\nquality = 0.5\ncash_musd = 5.0\n"

# case -> (file text, words the one message must contain: the field path and the reason)
FILE_CASES = {
    "malformed TOML": (edited("horizon_weeks = 40", "horizon_weeks = = 40"), ["malformed TOML", "line 7"]),
    "unknown key": (edited("switching_cost = 0.5\nalarm_trust = 0.4\ncontracts = { BigCo = 60.0",
                           "switching_cots = 0.5\nalarm_trust = 0.4\ncontracts = { BigCo = 60.0"),
                    ["labs.Alpha.switching_cots", "unknown key", "did you mean 'switching_cost'"]),
    "unknown behaviour key": (TOY + "\n[behaviour]\nstake_wieght = 2.0\n",
                              ["behaviour.stake_wieght", "unknown key", "stake_weight"]),
    "missing field": (edited("data_sensitivity = 0.8\n", ""),
                      ["labs.Alpha.data_sensitivity", "required field is missing"]),
    "negative budget": (edited("budget_musd = 100.0", "budget_musd = -100.0"),
                        ["labs.Alpha.budget_musd", "greater than or equal to 0"]),
    "negative capacity": (edited("capacity_musd = 210.0", "capacity_musd = -210.0"),
                          ["vendors.BigCo.capacity_musd", "greater than or equal to 0"]),
    "stakes above 100 %": (edited("[vendors.MidCo]\n", "[vendors.MidCo]\nowners = { \"Alpha Ventures\" = "
                                  "{ stake = 0.7, voting = true }, \"Seed Fund\" = { stake = 0.5, voting = false } }\n"),
                           ["vendors.MidCo", "stakes sum to 1.200, above 100 %"]),
    "contract with an unknown vendor": (edited("contracts = { BigCo = 60.0, MidCo = 40.0 }",
                                               "contracts = { BigCo = 60.0, MidKo = 40.0 }"),
                                        ["labs.Alpha.contracts.MidKo", "unknown vendor 'MidKo'"]),
    "rival that is no lab or investor": (edited("rivals = { Beta = 1.0 }", "rivals = { Betta = 1.0 }"),
                                         ["labs.Alpha.rivals.Betta", "unknown lab or investor 'Betta'"]),
    "owner that is no investor": (edited("[vendors.TinyCo]\n", "[vendors.TinyCo]\nowners = { Nobody = "
                                         "{ stake = 0.1, voting = true } }\n"),
                                  ["vendors.TinyCo.owners.Nobody", "unknown investor 'Nobody'"]),
    "event with an unknown investor": (edited('investor = "Alpha Ventures"', 'investor = "Alfa Ventures"'),
                                       ["events.alpha_stake.investor", "unknown investor 'Alfa Ventures'"]),
    "event with an unknown vendor": (edited('vendor = "BigCo"', 'vendor = "BigKo"'),
                                     ["events.alpha_stake.vendor", "unknown vendor 'BigKo'"]),
    "event after the horizon": (edited("week = 10\ninvestor", "week = 41\ninvestor"),
                                ["events.alpha_stake.week", "after the horizon"]),
    "event of an unknown kind": (edited('kind = "ownership_change"', 'kind = "merger"'),
                                 ["events.alpha_stake", "merger"]),
    "duplicate table": (TOY + NEW_TABLE.format(name="BigCo"), ["duplicate", "BigCo"]),
    "duplicate name across kinds": (TOY + NEW_TABLE.format(name="Alpha"),
                                    ["vendors.Alpha", "duplicate name 'Alpha' is both a lab and a vendor"]),
    "contracts above the budget": (edited("contracts = { BigCo = 60.0, MidCo = 40.0 }",
                                          "contracts = { BigCo = 90.0, MidCo = 40.0 }"),
                                   ["labs.Alpha", "above budget_musd"]),
}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder; the default run folder (runs/) would land here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert captured.out == "", "nothing but the error may be printed"
    return code, captured.err


def assert_one_message(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], f"{word!r} missing from: {lines[0]}"


def assert_nothing_written(folder: Path, *allowed: str) -> None:
    assert sorted(p.name for p in folder.iterdir() if p.name not in allowed) == []


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_a_bad_scenario_file_exits_2_with_one_message_and_writes_nothing(case, workdir, capsys):
    text, words = FILE_CASES[case]
    bad = workdir / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    for command in (["run", str(bad), "--out", str(workdir / "out")], ["run", str(bad)], ["check", str(bad)]):
        code, err = run_cli(command, capsys)
        assert code == 2, command
        assert_one_message(err, "bad.toml", *words)
    assert_nothing_written(workdir, "bad.toml")


@pytest.mark.parametrize("sets, words", [
    (["behaviour.stake_wieght=2"], ["--set", "behaviour.stake_wieght", "unknown key", "stake_weight"]),
    (["labs.Zeta.budget_musd=5"], ["--set", "labs.Zeta", "unknown key 'Zeta'"]),
    (["behaviour.stake_weight=-1"], ["toy.toml with --set", "behaviour.stake_weight", "greater than or equal"]),
    (["behaviour.stake_weight=lots"], ["toy.toml with --set", "behaviour.stake_weight", "valid number"]),
    (["labs.Alpha.rivals.Beta=2"], ["labs.Alpha.rivals.Beta", "less than or equal to 1"]),
    (["meta.horizon_weeks=5"], ["events.alpha_stake.week", "after the horizon (5 weeks)"]),
    (["behaviour"], ["--set", "expected KEY=VALUE"]),
    (["=3"], ["--set", "expected KEY=VALUE"]),
    (["behaviour.stake_weight="], ["--set", "behaviour.stake_weight", "missing value"]),
    (["behaviour..stake_weight=1"], ["--set", "empty path segment"]),
    (["meta.name.first=x"], ["--set", "meta.name.first", "is a value, not a table"]),
])
def test_a_bad_set_exits_2_with_one_message_and_writes_nothing(sets, words, workdir, capsys):
    args = [arg for pair in sets for arg in ("--set", pair)]
    for command in (["run", "toy", *args, "--out", str(workdir / "out")], ["check", "toy", *args]):
        code, err = run_cli(command, capsys)
        assert code == 2
        assert_one_message(err, *words)
    assert_nothing_written(workdir)


def test_an_extends_cycle_exits_2(workdir, capsys):
    (workdir / "first.toml").write_text('extends = "second.toml"\n[meta]\nname = "first"\n')
    (workdir / "second.toml").write_text('extends = "first.toml"\n[meta]\nname = "second"\n')
    code, err = run_cli(["run", str(workdir / "first.toml")], capsys)
    assert code == 2
    assert_one_message(err, "extends", "cycle", "first.toml -> second.toml")
    assert_nothing_written(workdir, "first.toml", "second.toml")


def test_extending_a_missing_file_exits_2(workdir, capsys):
    (workdir / "child.toml").write_text('extends = "nowhere.toml"\n')
    code, err = run_cli(["run", str(workdir / "child.toml")], capsys)
    assert code == 2
    assert_one_message(err, "child.toml", "extends", "'nowhere.toml' not found")


def test_a_counterfactual_that_extends_a_bundled_scenario_works(workdir, capsys):
    (workdir / "milder.toml").write_text(f'extends = "{BUNDLED_DIR / "toy.toml"}"\n'
                                         '[events.alpha_stake]\nstake = 0.1\n')
    assert main(["check", str(workdir / "milder.toml")]) == 0


@pytest.mark.parametrize("name, words", [("toi", ["toi", "no such scenario file", "did you mean 'toy'"]),
                                         ("missing.toml", ["missing.toml", "no such scenario file"]),
                                         ("folder/missing.toml", ["folder/missing.toml", "no such scenario"])])
def test_an_unknown_scenario_exits_2(name, words, workdir, capsys):
    for command in (["run", name], ["check", name]):
        code, err = run_cli(command, capsys)
        assert code == 2
        assert_one_message(err, *words)
    assert_nothing_written(workdir)


@pytest.mark.parametrize("where, words", [("a-file/run", ["a-file is a file, not a folder"]),
                                          ("/proc/labelmarket-test/run", ["cannot create the run folder"])])
def test_an_unwritable_out_exits_2_naming_the_path_and_reason(where, words, workdir, capsys):
    (workdir / "a-file").write_text("not a folder")
    out = where if where.startswith("/") else str(workdir / where)
    code, err = run_cli(["run", "toy", "--weeks", "2", "--out", out], capsys)
    assert code == 2
    assert_one_message(err, out, *words)
    assert_nothing_written(workdir, "a-file")


def test_an_out_that_exists_is_refused_before_the_run(workdir, capsys, monkeypatch):
    (workdir / "taken").mkdir()
    monkeypatch.setattr("labelmarket.model.runner.run_scenario", lambda *a, **k: pytest.fail("the run must not start"))
    code, err = run_cli(["run", "toy", "--out", str(workdir / "taken")], capsys)
    assert code == 2
    assert_one_message(err, "taken", "already exists", "--force")
    assert list((workdir / "taken").iterdir()) == []


@pytest.mark.parametrize("args, words", [
    (["run", "toy", "--weeks", "0"], ["--weeks", "at least 1"]),
    (["run", "toy", "--weeks", "ten"], ["--weeks", "whole number"]),
    (["run", "toy", "--seed", "-1"], ["--seed", "at least 0"]),
    (["run", "--synthetic", "labs=3"], ["--synthetic", "labs=N,vendors=M"]),
    (["run", "--synthetic", "labs=3,vendors=many"], ["--synthetic", "vendors must be a whole number"]),
    (["run", "--synthetic", "labs=0,vendors=2"], ["--synthetic", "at least 1"]),
    (["run", "toy", "--colour", "red"], ["unrecognized arguments: --colour"]),
    (["fly"], ["invalid choice: 'fly'"]),
])
def test_bad_options_exit_2_with_the_usage_and_one_error(args, words, workdir, capsys):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "Traceback" not in err
    for word in words:
        assert word in errors[0]
    assert_nothing_written(workdir)


def test_a_scenario_and_synthetic_together_are_refused(workdir, capsys):
    code, err = run_cli(["run", "toy", "--synthetic", "labs=3,vendors=2"], capsys)
    assert code == 2
    assert_one_message(err, "either a SCENARIO or --synthetic")
    assert_nothing_written(workdir)


def test_an_event_naming_a_vendor_before_it_enters_is_bad_input(workdir, capsys):
    bad = workdir / "early.toml"
    bad.write_text(TOY + '\n[events.promise]\nkind = "assurance"\nweek = 2\nvendor = "New"\nstrength = 0.5\n'
                   '\n[events.arrival]\nkind = "entry"\nweek = 5\nvendor = "New"\ncapacity_musd = 10.0\n'
                   'quality = 0.5\ncash_musd = 5.0\n')
    code, err = run_cli(["run", str(bad), "--out", str(workdir / "out")], capsys)
    assert code == 2
    assert_one_message(err, "early.toml", "events.promise.vendor")
    assert_nothing_written(workdir, "early.toml")


def test_the_console_script_prints_no_traceback_for_bad_input(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(FILE_CASES["negative budget"][0], encoding="utf-8")
    done = subprocess.run([str(CONSOLE_SCRIPT), "run", str(bad), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"labelmarket run: error: {bad}: labs.Alpha.budget_musd: Input should be greater than or equal to 0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


@pytest.mark.parametrize("argv, words", [
    (["run", "toy", "--weeks", "1e30"], "argument --weeks: expected a whole number, got '1e30'"),
    (["validate", "--seeds", "abc"], "argument --seeds: invalid int value: 'abc'"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["run", "toy", "--seed", "1\n2\x1b[31m"], r"'1\n2\x1b[31m'"),
])
def test_a_bad_argument_is_one_line_without_the_usage_block(argv, words, workdir, capsys):
    code, err = run_cli(argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and "usage:" not in err, err
    assert words in err and err.startswith("labelmarket")
