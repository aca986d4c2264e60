"""A pytest plugin: the ``[expect.NAME]`` checks of scenario files as test items, one per check.

Installed with labelmarket (the ``pytest11`` entry point) and idle unless asked, either on the command line::

    pytest --labelmarket scenarios/

or in the project's pytest configuration (the folders must also be among the paths pytest walks)::

    [tool.pytest.ini_options]
    testpaths = ["tests", "scenarios"]
    labelmarket_scenarios = ["scenarios"]

A scenario file is a .toml file with ``[meta]``, ``extends`` or ``[expect.NAME]`` at its top level; a check
switched off with ``enabled = false`` is reported as skipped. Every run the selected checks need is planned
once per session (a relative check's baseline runs once); in the pytest process, a file's runs run when its
first check does; with ``--labelmarket-workers N`` (N > 1), all of them run at the first check, in one pool.
This module imports only pytest at start-up; labelmarket loads when a scenario file is collected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

VERDICTS = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("labelmarket", "scenario expectations ([expect.NAME] tables)")
    group.addoption("--labelmarket", action="store_true", default=False,
                    help="collect the [expect.NAME] checks of the scenario files pytest walks, one test each")
    group.addoption("--labelmarket-seeds", type=int, default=None, metavar="N",
                    help="seeds 1..N for every check (default: each check's `seeds`, else 10)")
    group.addoption("--labelmarket-workers", type=int, default=1, metavar="N",
                    help="worker processes for the scenario runs (default: 1, in the pytest process)")
    parser.addini("labelmarket_scenarios", type="paths", default=[],
                  help="folders or files whose scenario files' [expect.NAME] checks are collected "
                       "(pytest must also walk them: give them as arguments or in testpaths)")


def _wanted(config: pytest.Config, file_path: Path) -> bool:
    if config.getoption("labelmarket"):
        return True
    roots = [Path(root) for root in config.getini("labelmarket_scenarios")]
    return any(file_path == root or root in file_path.parents for root in roots)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".toml" or not _wanted(parent.config, file_path):
        return None
    from labelmarket.experiments.expectation_suite import looks_like_scenario

    return ScenarioFile.from_parent(parent, path=file_path) if looks_like_scenario(file_path) else None


class ScenarioFile(pytest.File):
    """A scenario file: one item per ``[expect.NAME]`` table, its own and those it inherits."""

    def collect(self):
        from labelmarket.experiments.expectation_suite import load_under_test
        from labelmarket.scenarios.errors import ScenarioError

        try:
            unit = load_under_test(self.path)
        except ScenarioError as err:
            raise self.CollectError(str(err)) from None
        for name in unit.scenario.expect:
            yield ExpectationItem.from_parent(self, name=name, unit=unit)


class ExpectationNotMet(Exception):
    """Raised by a check whose verdict is FAIL; carries the verdict for the report."""

    def __init__(self, verdict: Any) -> None:
        super().__init__(verdict.message())
        self.verdict = verdict


class SessionVerdicts:
    """The suite of every collected check in this session, and the verdicts of the files judged so far."""

    def __init__(self, session: pytest.Session) -> None:
        from labelmarket.experiments.expectation_suite import ExpectationSuite

        units = {item.unit.path: item.unit for item in session.items if isinstance(item, ExpectationItem)}
        config = session.config
        workers = config.getoption("labelmarket_workers")
        self.suite = ExpectationSuite(units.values(), seeds=config.getoption("labelmarket_seeds"), workers=workers)
        if workers > 1:  # one pool for every selected check, rather than one per file
            self.suite.run_all()
        self.by_file: dict[Path, dict[str, Any]] = {}

    def verdict(self, item: ExpectationItem) -> Any:
        if item.unit.path not in self.by_file:
            self.by_file[item.unit.path] = {v.check: v for v in self.suite.verdicts(item.unit)}
        return self.by_file[item.unit.path][item.name]


class ExpectationItem(pytest.Item):
    """One check of one scenario file."""

    def __init__(self, *, unit: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.unit = unit
        self.check = unit.scenario.expect[self.name]
        if not self.check.enabled:
            self.add_marker(pytest.mark.skip(reason="enabled = false in the scenario file"))

    def runtest(self) -> None:
        verdicts = self.session.stash.get(VERDICTS, None)
        if verdicts is None:
            verdicts = self.session.stash[VERDICTS] = SessionVerdicts(self.session)
        verdict = verdicts.verdict(self)
        if not verdict.passed:
            raise ExpectationNotMet(verdict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if not isinstance(excinfo.value, ExpectationNotMet):
            return super().repr_failure(excinfo, style)
        verdict = excinfo.value.verdict
        lines = [verdict.message()]
        if self.check.description:
            lines.append(f"  {self.check.description}")
        lines.append("  per seed (1..N): " + ", ".join(f"{x:.4g}" for x in verdict.seed_values))
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, table_line(self.path, self.name), f"{self.unit.name}: expect.{self.name}"


def table_line(path: Path, name: str) -> int:
    """The 0-based line of ``[expect.NAME]`` in the file, or 0 for a check it inherits."""
    headers = (f"[expect.{name}]", f'[expect."{name}"]')
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((n for n, line in enumerate(lines) if line.strip().startswith(headers)), 0)
