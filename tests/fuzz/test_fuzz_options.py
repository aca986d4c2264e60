"""Generated ``run`` options: ``--weeks``, ``--seed`` and ``--synthetic`` given odd text, huge sizes (a market
that cannot fit is refused with the estimate, before it is generated) or fine values. argparse prints its
usage above an option error, so the rule here is one *error* line, exit 0 or 2, and nothing left behind."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fuzz_cli import IN_PROCESS, OUT, SUBPROCESS, Outcome, run_console, run_in_process, workfolder
from fuzz_inputs import arg_text

whole = st.one_of(st.sampled_from(["0", "-1", "1", "3", "1040", "1041", "1e30", "1000000000000", "2.5", " 4",
                                   "9" * 5000, "0x10", "١٢"]), arg_text)
# a synthetic market is either tiny (it runs in a blink) or far too large to fit (refused before generating)
sizes = st.one_of(st.sampled_from(["1", "2", "5"]),
                  st.sampled_from(["0", "-3", "1000000000", "10**6", "1e6", "", "many"]), arg_text)
synthetic = st.one_of(st.builds(lambda labs, vendors: f"labs={labs},vendors={vendors}", sizes, sizes),
                      st.sampled_from(["labs=1000000,vendors=100000", "labs=1000000000,vendors=1000000000",
                                       "vendors=2,labs=3", "labs=3", "labs=3,vendors=2,labs=4"]), arg_text)
options = st.fixed_dictionaries({}, optional={"--weeks": whole, "--seed": whole, "--synthetic": synthetic})


def arguments(chosen: dict[str, str]) -> list[str]:
    scenario = [] if "--synthetic" in chosen else ["toy"]
    weeks = [] if "--weeks" in chosen else ["--weeks", "2"]
    return ["run", *scenario, *weeks, "--out", OUT, *(f"{key}={value}" for key, value in chosen.items())]


def assert_one_error(outcome: Outcome) -> None:
    told = f"exit {outcome.code}, stderr:\n{outcome.stderr}"
    assert outcome.code in (0, 2), told
    assert "Traceback" not in outcome.stderr and "\x1b" not in outcome.stderr, told
    errors = [line for line in outcome.stderr.splitlines() if "error:" in line]
    assert len(errors) == (1 if outcome.code else 0), told
    left = {p.name for p in outcome.folder.iterdir()}
    assert left == ({OUT} if outcome.code == 0 else set()), told


@SUBPROCESS
@given(options)
def test_run_options_through_the_console_script(chosen):
    with workfolder({}) as folder:
        assert_one_error(run_console(arguments(chosen), folder))


@IN_PROCESS
@given(options)
def test_run_options_in_process(chosen):
    with workfolder({}) as folder:
        assert_one_error(run_in_process(arguments(chosen), folder))
