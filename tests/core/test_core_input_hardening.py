"""Issue 9, sections 2 and 3: every reproduction of bad input there is one line on stderr, exit 2, no traceback
and nothing written; the values the schema must refuse or handle are refused or handled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from labelmarket.experiments.cli import main
from labelmarket.scenarios.limits import MAX_EXTENDS, MAX_WEEKS
from labelmarket.scenarios.loader import BUNDLED_DIR

TOY = (BUNDLED_DIR / "toy.toml").read_text(encoding="utf-8")
CONSOLE_SCRIPT = Path(sys.executable).with_name("labelmarket")
VENTURE_FUNDING = ('\n[events.seed_round]\nkind = "venture_funding"\nweek = 5\ninvestor = "Seed Fund"\n'
                   'amount_musd = {amount}\nvendor = "TinyCo"\n')


def edited(old: str, new: str) -> str:
    assert old in TOY, f"toy.toml no longer contains {old!r}: update this test"
    return TOY.replace(old, new, 1)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder; the default run folder (runs/) would land here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(args: list[str], capsys, *words: str) -> str:
    """Run the CLI in-process; assert exit 2, nothing on stdout and ONE line on stderr holding ``words``."""
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{captured.err}"
    assert "Traceback" not in captured.err and "\x1b" not in captured.err
    for word in words:
        assert word in lines[0], f"{word!r} missing from: {lines[0]}"
    return lines[0]


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------------------ invalid UTF-8
@pytest.mark.parametrize("command", ["run", "check", "viz"])
def test_invalid_utf8_in_a_scenario_names_the_file_and_the_byte(command, workdir, capsys):
    (workdir / "g.toml").write_bytes(b"\xff\xfe")
    refused([command, "g.toml"], capsys, f"labelmarket {command}: error:", "g.toml", "not valid UTF-8 at byte 0")
    assert listing(workdir) == ["g.toml"]


def test_invalid_utf8_deep_in_a_file_gives_its_byte_and_line(workdir, capsys):
    (workdir / "g.toml").write_bytes(TOY.encode() + b'\n# caf\xe9\n')
    refused(["check", "g.toml"], capsys, f"not valid UTF-8 at byte {len(TOY.encode()) + 6}",
            f"line {TOY.count(chr(10)) + 2}, byte 0xe9")


def test_invalid_utf8_in_an_extends_parent_names_the_parent(workdir, capsys):
    (workdir / "parent.toml").write_bytes(b"[meta]\nname = \"\xc3\x28\"\n")
    (workdir / "child.toml").write_text('extends = "parent.toml"\n')
    for command in (["run", "child.toml", "--out", "out"], ["check", "child.toml"]):
        refused(command, capsys, "parent.toml", "not valid UTF-8 at byte 15 (line 2")
    assert listing(workdir) == ["child.toml", "parent.toml"]


def test_invalid_utf8_in_a_sweeps_scenario_is_one_line(workdir, capsys):
    (workdir / "g.toml").write_bytes(b"\xff\xfe")
    (workdir / "s.toml").write_text('name = "s"\nscenario = "g.toml"\nreplications = 1\n[design]\nmethod = "grid"\n'
                                    '[parameters]\n"behaviour.wariness_gain" = { values = [0.1] }\n'
                                    '[outputs]\nfinal_week = ["hhi"]\n')
    refused(["sweep", "s.toml", "--workers", "1", "--no-progress", "--out", "sw"], capsys,
            "g.toml", "not valid UTF-8 at byte 0")
    assert listing(workdir) == ["g.toml", "s.toml"]


# ------------------------------------------------------------------------------ deep nesting
def test_a_set_value_nested_3000_deep_is_one_line(workdir, capsys):
    for command in ("run", "check"):
        refused([command, "toy", "--set", "behaviour.stake_weight=" + "[" * 3000], capsys,
                "--set", "behaviour.stake_weight", "nested more than 16 deep")
    refused(["check", "toy", "--set", "behaviour.stake_weight=" + "[" * 200 + "]" * 200], capsys,
            "nested more than 16 deep")
    assert listing(workdir) == []


@pytest.mark.parametrize("deep", ["x = " + "[" * 3000 + "]" * 3000, "x = " + "{a = " * 400 + "1" + "}" * 400,
                                  "[" + ".".join(["a"] * 3000) + "]", "x = " + "[" * 40 + "]" * 40])
def test_a_scenario_nested_too_deep_is_one_line(deep, workdir, capsys):
    (workdir / "deep.toml").write_text(TOY + "\n" + deep + "\n")
    refused(["run", "deep.toml", "--out", "out"], capsys, "deep.toml", "nested more than 16 deep")
    assert listing(workdir) == ["deep.toml"]


@pytest.mark.parametrize("files", [MAX_EXTENDS + 2, 1100])
def test_an_extends_chain_longer_than_the_bound_is_refused(files, workdir, capsys):
    (workdir / "f0.toml").write_text(TOY)
    for n in range(1, files):
        (workdir / f"f{n}.toml").write_text(f'extends = "f{n - 1}.toml"\n')
    refused(["check", f"f{files - 1}.toml"], capsys, "extends", f"more than {MAX_EXTENDS} files",
            f"starts at {(workdir / f'f{files - 1}.toml').resolve()}")


def test_an_extends_chain_at_the_bound_loads(workdir, capsys):
    (workdir / "f0.toml").write_text(TOY)
    for n in range(1, MAX_EXTENDS):
        (workdir / f"f{n}.toml").write_text(f'extends = "f{n - 1}.toml"\n')
    assert main(["check", f"f{MAX_EXTENDS - 1}.toml"]) == 0


# ----------------------------------------------------------------------------------- names
@pytest.mark.parametrize("name, words", [("a" * 5000, ["at most 64 characters, got 5000"]),
                                         ("a\u0000b", ["printable", r"'a\x00b'"]),
                                         ("", ["must not be empty"]),
                                         (" padded", ["must not start or end with a space"])])
def test_a_bad_meta_name_is_refused_and_nothing_is_created(name, words, workdir, capsys):
    escaped = name.replace("\0", "\\u0000")
    (workdir / "named.toml").write_text(edited('name = "toy"', f'name = "{escaped}"'))
    for command in (["run", "named.toml"], ["check", "named.toml"],
                    ["run", "toy", "--set", f'meta.name="{escaped}"']):
        line = refused(command, capsys, "meta.name", *words)
        assert len(line) < 400
    assert listing(workdir) == ["named.toml"]  # not even an empty runs/


FORGED = "Tiny\nlabelmarket run: error: fake second line\u001b[31m"


def test_a_forged_vendor_name_cannot_forge_a_line_or_colour_the_terminal(workdir, capsys):
    toml_name = FORGED.replace("\n", "\\n").replace("\u001b", "\\u001b")
    tiny = "[vendors.TinyCo]\nsegment = \"expert_network\"\ncapacity_musd = 15.0\nquality = 0.7\n"
    (workdir / "forged.toml").write_text(edited(tiny, tiny.replace("TinyCo", f'"{toml_name}"').replace("0.7", "1.7")))
    line = refused(["run", "forged.toml", "--out", "out"], capsys, "forged.toml", r"Tiny\nlabelmarket run",
                   r"\x1b[31m")
    assert line.count("labelmarket run: error:") == 2  # the real prefix and the escaped fake, on one line
    assert listing(workdir) == ["forged.toml"]


@pytest.mark.parametrize("old, new", [("[labs.Gamma]", '[labs."Gam\\tma"]'),
                                      ("[events.alpha_stake]", '[events."alpha\\u202estake"]'),
                                      ('segment = "expert_network"', 'segment = "expert\\rnetwork"'),
                                      ('[investors."Seed Fund"]', f'[investors."{"F" * 65}"]')])
def test_every_kind_of_name_must_be_printable_and_bounded(old, new, workdir, capsys):
    (workdir / "odd.toml").write_text(edited(old, new))
    refused(["check", "odd.toml"], capsys, "odd.toml", "a name")


@pytest.mark.parametrize("args", [["run", "toy", "extra\n\x1b[31mx"], ["run", "toy", "--weeks", "3\nlabelmarket"],
                                  ["run", "--synthetic", "labs=\x1b[2J"]])
def test_arguments_in_usage_errors_are_escaped(args, workdir, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "\x1b" not in err and "Traceback" not in err
    assert "\\n" in errors[0] or "\\x1b" in errors[0]


@pytest.mark.parametrize("where", ["a" * 5000, "a\nb\x1b[31m.toml", "x/" * 3000 + "s.toml"])
def test_an_odd_scenario_path_is_one_short_escaped_line(where, workdir, capsys):
    for command in ("run", "check"):
        line = refused([command, where], capsys)
        assert len(line) < 600


def test_an_odd_extends_parent_is_one_line(workdir, capsys):
    for parent in ("b" * 5000, "a\\u0000b", "/dev/zero", "."):
        (workdir / "child.toml").write_text(f'extends = "{parent}"\n')
        refused(["check", "child.toml"], capsys, "child.toml", "extends")


def test_names_in_reference_errors_are_escaped(workdir, capsys):
    refused(["check", "toy", "--set", 'events.alpha_stake.vendor="Big\\u0007Co"'], capsys,
            "events.alpha_stake.vendor", r"'Big\x07Co'")


# --------------------------------------------------------------------------- finite numbers
@pytest.mark.parametrize("path", ["labs.Alpha.budget_musd", "labs.Alpha.contracts.BigCo", "labs.Alpha.switching_cost",
                                  "vendors.BigCo.capacity_musd", "vendors.BigCo.cash_musd",
                                  "investors.Seed Fund.capital_musd", "events.alpha_stake.cash_musd",
                                  "record.decisions_min_musd", "behaviour.stake_weight", "labs.Alpha.rivals.Beta"])
@pytest.mark.parametrize("value", ["inf", "-inf", "nan"])
def test_every_number_must_be_finite(path, value, workdir, capsys):
    refused(["run", "toy", "--set", f"{path}={value}", "--out", "out"], capsys, path)
    assert listing(workdir) == []


def test_infinite_budget_is_refused_as_the_issue_shows_it(workdir, capsys):
    refused(["run", "toy", "--set", "labs.Alpha.budget_musd=inf"], capsys,
            "labs.Alpha.budget_musd", "finite number")
    assert listing(workdir) == []


@pytest.mark.parametrize("amount", ["inf", "nan", "1e300"])
def test_venture_funding_amount_must_be_finite_and_bounded(amount, workdir, capsys):
    (workdir / "vf.toml").write_text(TOY + VENTURE_FUNDING.format(amount=amount))
    refused(["check", "vf.toml"], capsys, "events.seed_round.amount_musd")


@pytest.mark.parametrize("path", ["labs.Alpha.budget_musd", "vendors.BigCo.capacity_musd",
                                  "investors.Seed Fund.capital_musd"])
def test_money_has_an_upper_bound(path, workdir, capsys):
    refused(["check", "toy", "--set", f"{path}=1e300"], capsys, path, "less than or equal to")


# ---------------------------------------------------------------------------- sizes that cannot fit
@pytest.mark.parametrize("weeks, words", [("1000000000000", ["at most 1,040"]), ("1e30", ["whole number"]),
                                          (str(MAX_WEEKS + 1), ["at most 1,040"])])
def test_weeks_beyond_the_horizon_cap_are_refused(weeks, words, workdir, capsys):
    code = main(["run", "toy", "--weeks", weeks])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "--weeks" in errors[0]
    for word in words:
        assert word in errors[0]
    assert listing(workdir) == []


def test_a_synthetic_market_too_large_is_refused_before_allocating(workdir, capsys):
    started = time.perf_counter()
    line = refused(["run", "--synthetic", "labs=1000000,vendors=100000"], capsys,
                   "--synthetic", "1,000,000 labs x 100,000 vendors", "TB of memory", "the limit of", "GB")
    assert time.perf_counter() - started < 5, "the size must be checked before the market is generated"
    assert "50% of this machine's" in line
    assert listing(workdir) == []


def test_a_scenario_file_too_large_for_the_machine_is_refused(workdir, capsys, monkeypatch):
    monkeypatch.setattr("labelmarket.scenarios.size.physical_memory_bytes", lambda: 200 * 2**20)
    refused(["run", "toy", "--out", "out"], capsys, "toy.toml", "3 labs x 4 vendors", "the limit of 100.0 MB")
    assert listing(workdir) == []


def test_a_scenario_file_larger_than_the_bound_is_refused_unread(workdir, capsys, monkeypatch):
    monkeypatch.setattr("labelmarket.scenarios.toml_input.MAX_FILE_BYTES", 2 * 2**20)
    (workdir / "big.toml").write_text(TOY + "#" * 3 * 2**20 + "\n")
    refused(["check", "big.toml"], capsys, "big.toml", "file larger than 2 MB")


def test_the_memory_estimate_grows_with_the_market_and_what_it_records():
    from labelmarket.scenarios.size import run_memory_bytes

    base = run_memory_bytes(100, 10, 52, None)
    assert run_memory_bytes(200, 10, 52, None) > base and run_memory_bytes(100, 20, 52, None) > base
    assert run_memory_bytes(100, 10, 104, None) > base
    weekly, monthly = run_memory_bytes(100, 10, 52, 1), run_memory_bytes(100, 10, 52, 4)
    assert weekly - base == 100 * 10 * 53 * 200 and weekly > monthly > base


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
def test_the_memory_estimate_bounds_a_real_run():
    from labelmarket.scenarios.synthetic import synthetic_memory_bytes

    # VmHWM is this process's peak resident memory (ru_maxrss would carry the parent's peak across exec)
    probe = ("import re; from labelmarket.model.runner import run_scenario; "
             "from labelmarket.scenarios.synthetic import synthetic_scenario; "
             "run_scenario(synthetic_scenario(1500, 300, 0), seed=1, weeks=12); "
             "print(int(re.search(r'VmHWM:\\s*(\\d+) kB', open('/proc/self/status').read())[1]) * 1024)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) <= synthetic_memory_bytes(1500, 300, 12)


# ----------------------------------------------------------------- --set of fields left at their default
@pytest.mark.parametrize("setting, check", [
    ("vendors.MidCo.price_index=1.2", lambda s: s.vendors["MidCo"].price_index == 1.2),
    ("labs.Gamma.rivals.Alpha=0.5", lambda s: s.labs["Gamma"].rivals == {"Alpha": 0.5}),
    ("labs.Gamma.contracts.MidCo=0.0", lambda s: s.labs["Gamma"].contracts["MidCo"] == 0.0),
    ("vendors.MidCo.neutrality_commitment=0.3", lambda s: s.vendors["MidCo"].neutrality_commitment == 0.3),
    ("record.allocations=false", lambda s: s.record.allocations is False),
])
def test_set_reaches_fields_the_file_leaves_at_their_default(setting, check, workdir, capsys):
    from labelmarket.experiments.cli import parse_overrides
    from labelmarket.scenarios.loader import load_scenario

    assert main(["check", "toy", "--set", setting]) == 0
    assert capsys.readouterr().out.startswith("OK ")
    assert check(load_scenario("toy", parse_overrides([setting])))


@pytest.mark.parametrize("setting, words", [
    ("labs.Gamma.rivals.Nobody=0.5", ["labs.Gamma.rivals.Nobody", "unknown lab or investor 'Nobody'"]),
    ("vendors.MidCo.owners.Seed Fund.stake=0.2", ["vendors.MidCo.owners.Seed Fund.voting", "missing"]),
    ("vendors.NewCo.quality=0.5", ["--set", "vendors.NewCo", "unknown key 'NewCo'"]),
    ("events.new_event.week=3", ["--set", "events.new_event", "unknown key 'new_event'"]),
    ("vendors.MidCo.price_indx=1.2", ["--set", "unknown key 'price_indx'", "did you mean 'price_index'"]),
])
def test_set_keeps_the_reference_checks_and_makes_no_new_entity(setting, words, workdir, capsys):
    refused(["check", "toy", "--set", setting], capsys, *words)


# ------------------------------------------------------------------------- self-contradicting hints
@pytest.mark.parametrize("old, new, words", [
    ("reference_week = 10", "reference_week = 10\n[meta.labs]\nx = 1",
     ["meta.labs", "the top-level [labs] table is inside [meta]"]),
    ("reference_week = 10", 'reference_week = 10\nlabs = "x"', ["meta.labs", "'labs' is not a field of [meta]"]),
    ("cash_musd = 50.0\n", 'cash_musd = 50.0\nsegment = "x"\n',
     ["events.alpha_stake.segment", "not a field of an event of kind 'ownership_change'"]),
    ("[vendors.MidCo]", '[vendors.MidCo]\ninvestor = "x"',
     ["vendors.MidCo.investor", "not a field of [vendors.MidCo]"]),
    ("budget_musd = 100.0", "budget_musd = { x = 1 }", ["labs.Alpha.budget_musd", "expected a number, got a table"]),
    ("[labs.Alpha]\n", '[labs]\nAlpha = "x"\n[labs.Beta_]\n', ["labs.Alpha", "expected a table, got a string"]),
])
def test_hints_say_what_is_wrong_and_never_suggest_the_same_name(old, new, words, workdir, capsys):
    (workdir / "hint.toml").write_text(edited(old, new))
    line = refused(["check", "hint.toml"], capsys, *words)
    for key in ("labs", "segment", "investor", "budget_musd", "Alpha"):
        assert f"did you mean '{key}'" not in line


# ------------------------------------------------------------------------------ zero-capital fund
def test_a_fund_with_no_capital_invests_nothing_and_logs_it(workdir, capsys):
    text = edited("capital_musd = 200.0", "capital_musd = 0.0") + VENTURE_FUNDING.format(amount=10.0)
    (workdir / "broke.toml").write_text(text)
    assert main(["run", "broke.toml", "--weeks", "8", "--out", "out"]) == 0
    events = pd.read_parquet(workdir / "out" / "events.parquet")
    funding = events[events.kind == "venture_funding"]
    assert funding[["week", "actor", "target", "amount_musd"]].values.tolist() == [[5, "Seed Fund", "TinyCo", 0.0]]
    assert "no capital left: nothing invested" in funding.cause.iloc[0]


# ------------------------------------------------------------------------------- viz and Ctrl-C
def test_viz_with_an_unknown_scenario_has_the_command_prefix(workdir, capsys):
    refused(["viz", "nosuch"], capsys, "labelmarket viz: error: nosuch: no such scenario file")


def _started_importing(pid: int) -> bool:
    """Whether the process has loaded pydantic's core (it is importing labelmarket's modules)."""
    try:
        return "pydantic_core" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc to see the child's imports")
@pytest.mark.parametrize("launcher", [[str(CONSOLE_SCRIPT)], [sys.executable, "-m", "labelmarket"]])
def test_ctrl_c_during_imports_exits_130_quietly(launcher, tmp_path):
    for n, delay in enumerate((0.0, 0.05, 0.1, 0.2, 0.3)):
        out = tmp_path / f"out{n}"
        child = subprocess.Popen([*launcher, "run", "toy", "--weeks", "2", "--out", str(out)],
                                 cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not _started_importing(child.pid) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(delay)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=120)
        if child.returncode == 0:  # the run finished before the signal: nothing to check at this delay
            continue
        assert child.returncode == 130, (delay, err)
        assert "Traceback" not in err and len(err.splitlines()) == 1, (delay, err)
        assert "interrupted" in err
        assert not out.exists() and not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]
