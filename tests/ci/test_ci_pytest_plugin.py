"""The pytest plugin (pytest11 entry point): scenario checks as test items, only when asked for.

Each case runs pytest in a subprocess with this environment's Python, as a user's CI would; the plugin is
found through the installed entry point (no ``-p``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from labelmarket.scenarios.loader import BUNDLED_DIR, bundled_scenarios, load_scenario

TOY = BUNDLED_DIR / "toy.toml"
QUIET = ["-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]


def pytest_run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", *QUIET, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def bundled_check_ids() -> set[str]:
    return {f"{name}.toml::{check}" for name in bundled_scenarios() for check in load_scenario(name).expect}


def strict_toy(folder: Path) -> Path:
    """The toy market with one check it cannot meet."""
    path = folder / "strict_toy.toml"
    path.write_text(f'extends = "{TOY}"\n\n[meta]\nname = "strict_toy"\n\n[expect.hhi_ceiling]\nvalue = 1000\n',
                    encoding="utf-8")
    return path


def test_with_the_option_each_bundled_check_is_one_item(tmp_path):
    done = pytest_run("--labelmarket", str(BUNDLED_DIR), "--collect-only", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    items = {line.split("/")[-1] for line in done.stdout.splitlines() if ".toml::" in line}
    assert items == bundled_check_ids()


def test_without_the_option_scenario_files_are_not_collected(tmp_path):
    done = pytest_run(str(BUNDLED_DIR), "--collect-only", cwd=tmp_path)
    assert done.returncode == 5 and ".toml::" not in done.stdout, done.stdout  # 5: no tests collected


@pytest.mark.slow
def test_the_bundled_checks_run_as_separate_items(tmp_path):
    done = pytest_run("--labelmarket", str(BUNDLED_DIR), "--labelmarket-seeds", "2", "--labelmarket-workers",
                      "2", "-rs", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = [e for name in bundled_scenarios() for e in load_scenario(name).expect.values()]
    off = sum(not e.enabled for e in checks)
    assert f"{len(checks) - off} passed, {off} skipped" in done.stdout
    assert "enabled = false in the scenario file" in done.stdout


def test_a_failing_check_shows_its_value_and_threshold(tmp_path):
    strict_toy(tmp_path)
    done = pytest_run("--labelmarket", "--labelmarket-seeds", "2", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 4 passed" in done.stdout
    assert re.search(r"strict_toy: hhi_ceiling: FAIL: 3,\d{3}, expected <= 1,000 \(q0\.9: hhi at week 20 from the "
                     r"shock; 10-90 % over 2 seeds: 3,750 - 3,769\)", done.stdout), done.stdout
    assert "per seed (1..N): 3750, 3769" in done.stdout
    assert "Traceback" not in done.stdout and "def runtest" not in done.stdout


def test_the_ini_option_collects_the_configured_folder_only(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["checks", "other"]\n'
                                             'labelmarket_scenarios = ["checks"]\n', encoding="utf-8")
    for folder in ("checks", "other"):
        (tmp_path / folder).mkdir()
        strict_toy(tmp_path / folder)
    done = pytest_run("--collect-only", cwd=tmp_path)
    items = [line for line in done.stdout.splitlines() if ".toml::" in line]
    assert len(items) == 5 and all(line.startswith("checks/strict_toy.toml::") for line in items), done.stdout


def test_a_bad_scenario_file_is_a_one_line_collection_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(TOY.read_text(encoding="utf-8") + '\n[expect.probe]\nmetric = "hhx"\nweek = 1\n'
                                                     'compare = "<="\nvalue = 1\n', encoding="utf-8")
    done = pytest_run("--labelmarket", "bad.toml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert f"{bad}: expect.probe.metric: Input should be 'hhi'" in done.stdout
    assert "Traceback" not in done.stdout


def test_importing_the_plugin_loads_nothing_heavy():
    code = ("import sys, labelmarket.experiments.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'pandas', 'pydantic', 'mesa') "
            "or m.startswith('labelmarket.scenarios')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
