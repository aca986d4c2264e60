"""docs/ci.md and the README describe the checks as the code has them; the CI examples are valid YAML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import yaml

from labelmarket.scenarios.expectations import Expectation, Metric

ROOT = Path(__file__).resolve().parents[2]
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert match, f"no '## {title}' section"
    return match.group(1)


def yaml_blocks(text: str) -> list[dict]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]


def test_the_key_table_lists_every_field_of_a_check():
    table = section(CI_DOC, "The `[expect.NAME]` table")
    keys = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M)
    assert sorted(keys) == sorted(field.alias or name for name, field in Expectation.model_fields.items())


def test_every_metric_is_described():
    missing = [metric for metric in get_args(Metric) if f"`{metric}`" not in CI_DOC]
    assert not missing, f"docs/ci.md does not name the metrics {missing}"


def test_the_ci_examples_are_valid_and_run_labelmarket_test():
    github, gitlab = yaml_blocks(CI_DOC)
    steps = github["jobs"]["scenarios"]["steps"]
    assert any(step.get("run", "").startswith("labelmarket test ") for step in steps)
    assert any(step.get("with", {}).get("cache") == "pip" for step in steps)
    job = gitlab["scenario-checks"]
    assert any(line.startswith("labelmarket test ") for line in job["script"])
    assert job["artifacts"]["reports"]["junit"] in " ".join(job["script"]) and job["cache"]["paths"]


def test_the_readme_points_to_the_checks():
    assert "| `[expect.NAME]` |" in section(README, "Scenarios")
    assert "docs/ci.md" in section(README, "In CI") and "labelmarket test" in section(README, "In CI")
