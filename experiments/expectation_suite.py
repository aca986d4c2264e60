"""Scenario files under test: finding them, resolving each check's baseline, and judging every check.

``labelmarket test`` and the pytest plugin share this: both turn scenario files into
:class:`ScenarioUnderTest` objects, plan every run the checks need in one :class:`ExpectationSuite` (so a run
shared by several checks, such as the ``no_shock`` baseline of a relative check, runs once) and ask it for
verdicts. Bad input raises :class:`ScenarioError` naming the file, the field and the reason.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labelmarket.experiments.expectation_runs import Probe, RunCache, RunKey
from labelmarket.experiments.expectation_verdicts import Verdict, judge, ratio, skipped
from labelmarket.scenarios.errors import ScenarioError
from labelmarket.scenarios.expectations import Expectation, expectation_problems
from labelmarket.scenarios.loader import BUNDLED_DIR, bundled_scenarios, load_scenario, scenario_path
from labelmarket.scenarios.schema import Scenario

SCENARIO_MARKERS = ("meta", "extends", "expect")  # top-level keys only a scenario file has


def looks_like_scenario(path: Path) -> bool:
    """Whether a .toml file is a scenario file (not a sweep file or pyproject.toml). A file that cannot be
    read or parsed counts as one, so that the loader reports it instead of it being skipped silently."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    return any(key in doc for key in SCENARIO_MARKERS)


def scenario_files(targets: Sequence[str]) -> list[Path]:
    """Each target is a scenario file, a bundled name, or a folder: every scenario file directly in it."""
    files: dict[Path, Path] = {}  # resolved -> as given: a file named twice is tested once
    for target in targets:
        folder = Path(target)
        if folder.is_dir():
            found = sorted(p for p in folder.glob("*.toml") if p.is_file() and looks_like_scenario(p))
            if not found:
                raise ScenarioError(target, "", "no scenario files in this folder",
                                    "a scenario file is a .toml file with [meta], extends or [expect.NAME]")
        else:
            found = [scenario_path(target)]
        for path in found:
            files.setdefault(path.resolve(), path)
    return list(files.values())


def baseline_path(relative_to: str, declared_in: Path, field_path: str) -> Path:
    """``relative_to`` as a file: a name is NAME.toml next to the file under test, else the bundled one;
    anything with a '/' or a .toml suffix is a path relative to the file under test."""
    is_name = "/" not in relative_to and not relative_to.endswith(".toml")
    candidates = ([declared_in.parent / f"{relative_to}.toml", BUNDLED_DIR / f"{relative_to}.toml"] if is_name
                  else [declared_in.parent / relative_to])
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    where = "next to this file or bundled" if is_name else f"at {candidates[0]}"
    raise ScenarioError(str(declared_in), field_path, f"no scenario '{relative_to}' {where}",
                        f"bundled scenarios: {', '.join(bundled_scenarios())}")


@dataclass(frozen=True)
class Baseline:
    """The scenario a relative check divides by, run on the same seeds."""

    path: Path
    scenario: Scenario


@dataclass(frozen=True)
class ScenarioUnderTest:
    """A validated scenario file with the baseline of each of its relative checks."""

    path: Path
    scenario: Scenario
    baselines: dict[str, Baseline] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.scenario.meta.name


def load_under_test(path: Path) -> ScenarioUnderTest:
    """Load a scenario file and the baselines its enabled relative checks name, checking that each baseline
    has the vendor, the lab and the week the check reads."""
    scenario = load_scenario(path)
    baselines: dict[str, Baseline] = {}
    for name, check in scenario.expect.items():
        if not check.enabled or check.relative_to is None:
            continue
        field_path = f"expect.{name}.relative_to"
        base_path = baseline_path(check.relative_to, path, field_path)
        base = load_scenario(base_path)
        problems = expectation_problems(base.model_copy(update={"expect": {name: check}}))
        if problems:
            raise ScenarioError(str(path), field_path, f"cannot compare with {base_path}: {problems[0][1]}")
        baselines[name] = Baseline(base_path, base)
    return ScenarioUnderTest(path, scenario, baselines)


class ExpectationSuite:
    """Every run the checks of some scenario files need, planned at once, and the checks' verdicts.

    ``seeds`` (``--seeds``) replaces every check's own ``seeds``; ``workers`` is the number of processes, or
    ``scheduler`` the dask cluster that runs them.
    """

    def __init__(self, units: Iterable[ScenarioUnderTest], seeds: int | None = None,
                 workers: int | None = None, scheduler: str | None = None) -> None:
        self.seeds = seeds
        self.cache = RunCache(workers, scheduler)
        self.units = list(units)
        self._keys = {unit.path: self._plan(unit) for unit in self.units}

    def _seed_count(self, check: Expectation) -> int:
        return self.seeds or check.seeds

    def _plan(self, unit: ScenarioUnderTest) -> list[RunKey]:
        keys: list[RunKey] = []
        reference = unit.scenario.meta.reference_week
        for name, check in unit.scenario.expect.items():
            if not check.enabled:
                continue
            seeds, probe = self._seed_count(check), Probe.of(check)
            weeks = [check.week] + ([check.relative_to_week] if check.relative_to_week is not None else [])
            for week in weeks:
                keys += self.cache.need(unit.path, unit.scenario, seeds, probe, check.model_week(week, reference))
            if name in unit.baselines:
                base = unit.baselines[name]
                week = check.model_week(check.week, base.scenario.meta.reference_week)
                keys += self.cache.need(base.path, base.scenario, seeds, probe, week)
        return keys

    def run_all(self) -> None:
        """Run every planned run (in one pool of workers)."""
        self.cache.ensure(key for keys in self._keys.values() for key in keys)

    def verdicts(self, unit: ScenarioUnderTest) -> list[Verdict]:
        """One verdict per check of ``unit``, in file order (running what it needs that has not run)."""
        self.cache.ensure(self._keys[unit.path])
        reference = unit.scenario.meta.reference_week
        out: list[Verdict] = []
        for name, check in unit.scenario.expect.items():
            if not check.enabled:
                out.append(skipped(unit.name, str(unit.path), name, check))
                continue
            seeds, probe = self._seed_count(check), Probe.of(check)
            values = self.cache.values(unit.path, seeds, probe, check.model_week(check.week, reference))
            if check.relative_to_week is not None:
                week = check.model_week(check.relative_to_week, reference)
                values = ratio(values, self.cache.values(unit.path, seeds, probe, week))
            if name in unit.baselines:
                base = unit.baselines[name]
                week = check.model_week(check.week, base.scenario.meta.reference_week)
                values = ratio(values, self.cache.values(base.path, seeds, probe, week))
            out.append(judge(unit.name, str(unit.path), name, check, values))
        return out
