"""Generated sweep files of the toy scenario through ``labelmarket sweep``: exit 0 or 2, at most one line on
stderr, and nothing left but the inputs and, after a success, the ``--out`` sweep folder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from fuzz_cli import OUT, SUBPROCESS, assert_kept_the_rule, run_console, run_in_process, workfolder
from fuzz_inputs import sweep_documents, toml_text

BAD_SCENARIO = b"\xff\xfe"  # the sweep's scenario may name it: invalid UTF-8
SWEEP = ["sweep", "sweep.toml", "--workers", "1", "--no-progress", "--out", OUT]
INPUTS = {"sweep.toml", "bad.toml"}


@settings(SUBPROCESS, max_examples=10)
@given(sweep_documents())
def test_sweep_files_through_the_console_script(doc):
    with workfolder({"sweep.toml": toml_text(doc), "bad.toml": BAD_SCENARIO}) as folder:
        assert_kept_the_rule(run_console(SWEEP, folder), INPUTS, writes_out=True)


@settings(SUBPROCESS, max_examples=40)
@given(sweep_documents())
def test_sweep_files_in_process(doc):
    with workfolder({"sweep.toml": toml_text(doc), "bad.toml": BAD_SCENARIO}) as folder:
        assert_kept_the_rule(run_in_process(SWEEP, folder), INPUTS, writes_out=True)


@pytest.mark.parametrize("text", [b"\xff\xfe", b"x = " + b"[" * 3000])
def test_a_sweep_file_of_bad_bytes_or_deep_nesting_is_one_line(text):
    with workfolder({"sweep.toml": text, "bad.toml": BAD_SCENARIO}) as folder:
        assert_kept_the_rule(run_in_process(SWEEP, folder), INPUTS, writes_out=True)
