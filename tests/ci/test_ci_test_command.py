"""``labelmarket test``: the verdicts, the exit status, the JUnit report, the step summary, relative checks."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from labelmarket.experiments.cli import main
from labelmarket.experiments.expectation_runs import Probe, RunRequest, reduced_run
from labelmarket.experiments.expectation_suite import ExpectationSuite, load_under_test
from labelmarket.model.runner import run_scenario
from labelmarket.scenarios.loader import BUNDLED_DIR, bundled_scenarios, load_scenario

CONSOLE_SCRIPT = Path(sys.executable).with_name("labelmarket")
TOY = BUNDLED_DIR / "toy.toml"
META = BUNDLED_DIR / "meta_scale_2025.toml"
META_CHECKS_OFF = "".join(f"\n[expect.{name}]\nenabled = false\n" for name in load_scenario(META).expect)


def scenario_file(folder: Path, name: str, parent: Path, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'extends = "{parent}"\n\n[meta]\nname = "{name}"\n{text}', encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_bundled_scenarios_pass_and_write_valid_junit(tmp_path):
    report = tmp_path / "reports" / "junit.xml"
    done = subprocess.run([str(CONSOLE_SCRIPT), "test", str(BUNDLED_DIR), "--junit", str(report),
                           "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = {name: load_scenario(name).expect for name in bundled_scenarios()}
    total = sum(len(c) for c in checks.values())
    off = sum(not e.enabled for c in checks.values() for e in c.values())
    assert f"{total - off} of {total - off} checks pass ({off} switched off)" in done.stdout
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures")) == (str(total), "0")
    assert sorted(s.get("name") for s in root.iter("testsuite")) == sorted(checks)
    cases = list(root.iter("testcase"))
    assert len(cases) == total and len({(c.get("classname"), c.get("name")) for c in cases}) == total
    assert sum(c.find("skipped") is not None for c in cases) == off
    assert not any(c.find("failure") is not None for c in cases)
    assert [p.name for p in report.parent.iterdir()] == ["junit.xml"]  # no temporary file left


def test_a_failing_check_exits_1_and_names_it_in_one_line(tmp_path, capsys):
    path = scenario_file(tmp_path, "strict_toy", TOY, "\n[expect.hhi_ceiling]\nvalue = 1000\n"
                                                      "\n[expect.gamma_watches]\nenabled = false\n")
    report = tmp_path / "junit.xml"
    report.write_text("an older report", encoding="utf-8")
    assert main(["test", str(path), "--seeds", "2", "--workers", "1", "--junit", str(report)]) == 1
    out = capsys.readouterr().out
    failing = [line for line in out.splitlines() if "FAIL" in line]
    assert len(failing) == 1 and failing[0].split()[:3] == ["strict_toy", "hhi_ceiling", "FAIL"]
    assert "<= 1,000" in failing[0]
    assert [line.split()[2] for line in out.splitlines() if line.startswith("strict_toy")] == \
        ["PASS", "PASS", "PASS", "SKIP", "FAIL"]  # inherited from toy, in file order
    assert "3 of 4 checks pass (1 switched off); 2 runs" in out
    suite = ET.parse(report).getroot().find("testsuite")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    failure = cases["hhi_ceiling"].find("failure")
    assert failure is not None and "expected <= 1,000" in failure.get("message")
    assert cases["gamma_watches"].find("skipped") is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "1", "1")


def test_a_relative_check_divides_by_no_shock_on_the_same_seed():
    units = [load_under_test(BUNDLED_DIR / f"{name}.toml") for name in ("meta_scale_2025", "no_shock")]
    suite = ExpectationSuite(units, seeds=2, workers=1)
    assert {key.seed for key in suite.cache.plan} == {1, 2} and len(suite.cache.plan) == 4  # baseline shared
    assert {request.weeks for request in suite.cache.plan.values()} == {26 + 52}  # only as far as read
    verdict = next(v for v in suite.verdicts(units[0]) if v.check == "market_breaks_up")
    twins = [run_scenario("meta_scale_2025", seed=s).market.hhi[78] / run_scenario("no_shock", seed=s).market.hhi[78]
             for s in (1, 2)]
    assert verdict.seed_values == pytest.approx(twins, rel=1e-12)
    assert verdict.value == pytest.approx(np.median(twins)) and verdict.passed
    assert len(suite.cache.series) == 4


def test_a_relative_check_names_a_sibling_file_first(tmp_path, capsys):
    """`relative_to = "twin"` is twin.toml next to the file when there is one (here: the same market)."""
    scenario_file(tmp_path, "twin", META, "")
    path = scenario_file(tmp_path, "shocked", META, META_CHECKS_OFF + '\n[expect.same_as_twin]\nmetric = "hhi"\n'
                         'week = 10\nrelative_to = "twin"\ncompare = "between"\nvalue = [0.999, 1.001]\n')
    assert main(["test", str(path), "--seeds", "2", "--workers", "1"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "same_as_twin" in line)
    assert row.split()[2:4] == ["PASS", "1"] and "/ twin (same seed)" in row


def test_the_step_summary_is_appended(tmp_path, monkeypatch, capsys):
    summary = tmp_path / "step_summary.md"
    summary.write_text("an earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["test", "toy", "--seeds", "2", "--workers", "1"]) == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("an earlier step\n### labelmarket test\n\n5 of 5 checks pass; 2 runs")
    rows = [line for line in text.splitlines() if line.startswith("| toy |")]
    assert len(rows) == 5 and rows[0].startswith("| toy | market_breaks_up | PASS | ")
    assert "| beta_leaves_bigco | PASS | 2/2 seeds | every seed <= 0.5 |" in text


def test_a_reduced_run_keeps_exactly_the_frames_values():
    probes = {Probe("hhi"), Probe("vendor_share", "BigCo"), Probe("vendor_revenue", "MidCo"),
              Probe("lab_spend", "MidCo", "Beta")}
    series = reduced_run(RunRequest(load_scenario("toy"), seed=3, weeks=25, probes=probes))
    full = run_scenario("toy", seed=3)
    vendors = full.vendors.pivot(index="week", columns="vendor")
    spend = full.allocations.query("lab == 'Beta' and vendor == 'MidCo'").set_index("week").spend_musd
    expected = {Probe("hhi"): full.market.hhi, Probe("vendor_share", "BigCo"): vendors["share"]["BigCo"],
                Probe("vendor_revenue", "MidCo"): vendors["revenue_musd"]["MidCo"],
                Probe("lab_spend", "MidCo", "Beta"): spend}
    for probe, frame_values in expected.items():
        assert np.array_equal(series[probe], frame_values.to_numpy()[:26]), probe


def test_a_file_named_twice_is_tested_once(capsys):
    assert main(["test", "toy", str(TOY), str(BUNDLED_DIR / ".." / "scenarios" / "toy.toml"), "--seeds", "1",
                 "--workers", "1"]) == 0
    assert "5 of 5 checks pass; 1 run in" in capsys.readouterr().out
