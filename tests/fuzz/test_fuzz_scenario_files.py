"""Generated scenario files through ``labelmarket run`` and ``check``: mutations of toy.toml, random TOML and
bytes that are not UTF-8 all end in exit 0 or 2 with at most one line on stderr, and leave nothing behind."""

from __future__ import annotations

from hypothesis import given

from fuzz_cli import IN_PROCESS, OUT, SUBPROCESS, assert_kept_the_rule, run_console, run_in_process, workfolder
from fuzz_inputs import bad_bytes, mutated_toy, random_toml, toml_text

RUN = ["run", "scenario.toml", "--weeks", "3", "--out", OUT]
CHECK = ["check", "scenario.toml"]


@SUBPROCESS
@given(mutated_toy())
def test_mutated_toy_through_the_console_script(doc):
    with workfolder({"scenario.toml": toml_text(doc)}) as folder:
        assert_kept_the_rule(run_console(RUN, folder), {"scenario.toml"}, writes_out=True)


@SUBPROCESS
@given(random_toml)
def test_random_toml_through_the_console_script(text):
    with workfolder({"scenario.toml": text}) as folder:
        assert_kept_the_rule(run_console(CHECK, folder), {"scenario.toml"}, writes_out=False)


@SUBPROCESS
@given(bad_bytes())
def test_bytes_that_are_not_utf8_through_the_console_script(data):
    with workfolder({"scenario.toml": data}) as folder:
        assert_kept_the_rule(run_console(RUN, folder), {"scenario.toml"}, writes_out=True)


@IN_PROCESS
@given(mutated_toy())
def test_mutated_toy_checked_in_process(doc):
    with workfolder({"scenario.toml": toml_text(doc)}) as folder:
        assert_kept_the_rule(run_in_process(CHECK, folder), {"scenario.toml"}, writes_out=False)


@IN_PROCESS
@given(bad_bytes())
def test_bad_bytes_checked_in_process(data):
    with workfolder({"scenario.toml": data}) as folder:
        assert_kept_the_rule(run_in_process(CHECK, folder), {"scenario.toml"}, writes_out=False)
