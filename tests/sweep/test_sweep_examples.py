"""The example sweep files stay valid as the model changes, and docs/sweeps.md lists each of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from labelmarket.experiments.sweep.spec import load_sweep
from labelmarket.experiments.sweep.targets import prepare_target

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "experiments").glob("*.toml"))


def test_there_are_examples():
    assert {p.stem for p in EXAMPLES} >= {"sobol_shock", "grid_stake_wariness", "morris_screening"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_sweep_files_pass_every_check(path):
    sweep_file = load_sweep(path)
    assert sweep_file.name == path.stem, "the default folder runs/sweep-<name> matches the file name"
    target = prepare_target(sweep_file)  # paths and bounds tried on the scenario, outputs fit the run
    if sweep_file.spec.run_function is None:
        assert target.identity["share_vendor"] == "Scale AI"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_run_count_in_an_examples_comment_is_right(path):
    import re

    header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if line.startswith("#"))
    stated = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) runs", header)]
    assert all(n == load_sweep(path).spec.run_count() for n in stated), f"{path.name} says {stated} runs"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_docs_list_every_example(path):
    docs = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    assert f"`{path.name}`" in docs
    assert f"{load_sweep(path).spec.run_count():,}" in docs, "docs/sweeps.md gives its run count"


def test_the_sweep_file_in_the_docs_is_valid():
    import re
    import tomllib

    docs = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", docs, re.DOTALL).group(1)
    sweep_file = load_sweep(tomllib.loads(block), name="docs/sweeps.md")
    assert sweep_file.spec.parameters["labs.Google.review_interval_weeks"].integer
    prepare_target(sweep_file)
