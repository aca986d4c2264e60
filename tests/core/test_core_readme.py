"""The README stays true: its Python example runs, its Outputs section names every recorded column, and its
Set-up section gives exactly the two promised commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labelmarket.model.recorder import (ALLOCATION_COLUMNS, EVENT_COLUMNS, LAB_COLUMNS, MARKET_COLUMNS,
                                        VENDOR_COLUMNS)
from labelmarket.scenarios.loader import bundled_scenarios

README = Path(__file__).resolve().parents[2] / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_setup_gives_exactly_two_commands():
    blocks = code_blocks(section("Set-up"), "bash")
    assert len(blocks) == 1
    commands = [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_the_python_api_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    example = code_blocks(section("Python API"), "python")[0]
    assert "from labelmarket import MarketModel, load_scenario, run_scenario" in example
    exec(compile(example, "README.md (Python API)", "exec"), {"__name__": "readme_example"})
    assert "final HHI" in capsys.readouterr().out


@pytest.mark.parametrize("file, columns", [("market.parquet", MARKET_COLUMNS), ("vendors.parquet", VENDOR_COLUMNS),
                                           ("allocations.parquet", ALLOCATION_COLUMNS),
                                           ("events.parquet", EVENT_COLUMNS), ("labs.parquet", LAB_COLUMNS)])
def test_the_outputs_section_names_every_column(file, columns):
    row = next(line for line in section("Outputs").splitlines() if line.startswith(f"| `{file}`"))
    named = re.findall(r"`([a-z_0-9]+)`", row.split("|")[2])
    assert [c for c in named if c in columns] == columns, f"{file}: README lists {named}"


def test_the_scenarios_section_names_every_bundled_scenario():
    text = section("Scenarios")
    for name in bundled_scenarios():
        assert f"`{name}`" in text, name


def test_the_sections_other_people_write_have_their_place():
    for title in ("Validation", "Dashboard", "Sweeps", "Performance"):
        section(title)
