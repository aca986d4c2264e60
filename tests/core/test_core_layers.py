"""The layers hold (docs/architecture.md): import-linter's contract passes, every module of the model package
is placed in a layer, and importing the rules does not import the schedule above them."""

from __future__ import annotations

import json
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import labelmarket.model

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def layered_modules() -> set[str]:
    return {name.strip() for layer in CONTRACT["layers"] for name in layer.replace("|", ":").split(":")}


def test_lint_imports_keeps_the_contract():
    command = str(LINT_IMPORTS) if LINT_IMPORTS.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is not installed: pip install -e '.[test]'"
    done = subprocess.run([command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_every_module_of_the_model_package_is_in_a_layer():
    modules = {f"labelmarket.model.{m.name}" for m in pkgutil.iter_modules(labelmarket.model.__path__)}
    assert modules - layered_modules() == set(), "add the new module to [tool.importlinter] in pyproject.toml"


def test_the_rules_load_without_the_schedule():
    code = ("import sys, labelmarket.agents, labelmarket.model.state; "
            "import json; print(json.dumps([m for m in sys.modules if m.startswith('labelmarket.model.')]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = json.loads(done.stdout)
    assert "labelmarket.model.market_model" not in loaded and "labelmarket.model.recorder" not in loaded, loaded
    assert "labelmarket.model.state" in loaded
