"""Odd names (control characters, NUL, bidi overrides, path-like, 5,000 characters, unicode) as the scenario's
name and as the keys of its labs, vendors, investors and events: one line (escaped) or a clean run."""

from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from fuzz_cli import IN_PROCESS, OUT, SUBPROCESS, assert_kept_the_rule, run_console, run_in_process, workfolder
from fuzz_inputs import TOY, names, toml_text

TABLES = ["labs", "vendors", "investors", "events"]


@st.composite
def renamed_toy(draw) -> dict:
    """toy.toml with its name, or one entry of an entity table, renamed (references left pointing at the old)."""
    doc = copy.deepcopy(TOY)
    where = draw(st.sampled_from(["meta", *TABLES]))
    if where == "meta":
        doc["meta"]["name"] = draw(names)
    else:
        old = draw(st.sampled_from(sorted(doc[where])))
        doc[where][draw(names)] = doc[where].pop(old)
    return doc


@SUBPROCESS
@given(renamed_toy())
def test_odd_names_through_the_console_script(doc):
    with workfolder({"named.toml": toml_text(doc)}) as folder:
        outcome = run_console(["run", "named.toml", "--weeks", "2", "--out", OUT], folder)
        assert_kept_the_rule(outcome, {"named.toml"}, writes_out=True)


@IN_PROCESS
@given(renamed_toy())
def test_odd_names_checked_in_process(doc):
    with workfolder({"named.toml": toml_text(doc)}) as folder:
        outcome = run_in_process(["check", "named.toml"], folder)
        assert_kept_the_rule(outcome, {"named.toml"}, writes_out=False)
        if outcome.code == 0:
            assert outcome.stdout.count("\n") == 1 and all(ch.isprintable() for ch in outcome.stdout.strip())
