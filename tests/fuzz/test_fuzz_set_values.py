"""Generated ``--set PATH=VALUE`` overrides of the toy scenario: any path (existing, declared or junk) with any
value (NaN, inf, 1e400, 3,000 brackets, control characters) ends in exit 0 or 2 with at most one line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fuzz_cli import IN_PROCESS, OUT, SUBPROCESS, assert_kept_the_rule, run_console, run_in_process, workfolder
from fuzz_inputs import set_paths, set_values

overrides = st.lists(st.tuples(set_paths, set_values), min_size=1, max_size=3)


def set_options(pairs: list[tuple[str, str]]) -> list[str]:
    """``--set=PATH=VALUE`` (one argument each, so a value that starts with '-' is not taken for an option)."""
    return [f"--set={path}={value}" for path, value in pairs]


@SUBPROCESS
@given(overrides)
def test_set_through_the_console_script(pairs):
    with workfolder({}) as folder:
        outcome = run_console(["run", "toy", "--weeks", "3", "--out", OUT, *set_options(pairs)], folder)
        assert_kept_the_rule(outcome, set(), writes_out=True)


@IN_PROCESS
@given(overrides)
def test_set_checked_in_process(pairs):
    with workfolder({}) as folder:
        assert_kept_the_rule(run_in_process(["check", "toy", *set_options(pairs)], folder), set(), writes_out=False)
