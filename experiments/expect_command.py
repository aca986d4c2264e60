"""``labelmarket test``: check the ``[expect.NAME]`` tables of scenario files, for CI.

    labelmarket test [SCENARIO|FOLDER ...] [--seeds N] [--junit FILE] [--workers N | --scheduler tcp://HOST:PORT]

Runs each scenario's checks over seeds 1..N on all cores (a run shared by several checks runs once), prints
one row per check (value, threshold, PASS/FAIL and the 10-90 % range over seeds), writes a JUnit XML report
with ``--junit`` and appends a Markdown table to ``$GITHUB_STEP_SUMMARY`` when it is set. Exit status: 0 when
every check passes, 1 when one fails, 2 on bad input (one line on stderr naming the file, the field and the
reason).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from labelmarket.experiments.arguments import at_least_one
from labelmarket.experiments.engine_options import add_engine_options, checked_scheduler, scheduler_errors

EXIT_PASSED, EXIT_FAILED = 0, 1
STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def expect_command(args: argparse.Namespace) -> int:
    """Load every target, run the checks, print and write the reports; the exit status says the verdict."""
    from labelmarket.experiments.ci_reports import (append_step_summary, format_table, report_target_problem,
                                                    write_junit)
    from labelmarket.experiments.cli import UsageError, count
    from labelmarket.experiments.expectation_suite import ExpectationSuite, load_under_test, scenario_files
    from labelmarket.scenarios.loader import BUNDLED_DIR

    junit = Path(args.junit) if args.junit else None
    if junit is not None and (problem := report_target_problem(junit)):
        raise UsageError(f"--junit {junit}: {problem}")
    units = [load_under_test(path) for path in scenario_files(args.targets or [str(BUNDLED_DIR)])]
    if not any(unit.scenario.expect for unit in units):
        raise UsageError(f"no [expect.NAME] checks in {', '.join(str(u.path) for u in units)}")

    scheduler = checked_scheduler(args.scheduler)
    started = time.perf_counter()
    suite = ExpectationSuite(units, seeds=args.seeds, workers=args.workers, scheduler=scheduler)
    with scheduler_errors(scheduler):
        suite.run_all()
        verdicts = [verdict for unit in units for verdict in suite.verdicts(unit)]
    seconds = time.perf_counter() - started

    passed = sum(v.passed is True for v in verdicts)
    judged = sum(v.passed is not None for v in verdicts)
    headline = (f"{passed} of {judged} checks pass"
                + (f" ({len(verdicts) - judged} switched off)" if judged < len(verdicts) else "")
                + f"; {count(len(suite.cache.series), 'run')} in {seconds:.1f} s")
    print(format_table(verdicts))
    print(f"\n{headline}")
    if junit is not None:
        try:
            write_junit(junit, verdicts, seconds)
        except OSError as err:
            raise UsageError(f"--junit {junit}: cannot write: {err.strerror or err}") from None
        print(f"JUnit report: {junit}")
    summary = os.environ.get(STEP_SUMMARY_VARIABLE)
    if summary:
        try:
            append_step_summary(Path(summary), verdicts, headline)
        except OSError as err:
            print(f"labelmarket test: warning: ${STEP_SUMMARY_VARIABLE} {summary}: cannot append: "
                  f"{err.strerror or err}", file=sys.stderr)
    return EXIT_PASSED if passed == judged else EXIT_FAILED


def add_test_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("test", help="check the [expect.NAME] tables of scenario files (for CI)",
                                   description="Check the [expect.NAME] tables of scenario files over seeds "
                                               "1..N; exit 0 if every check passes, 1 if one fails.")
    parser.add_argument("targets", nargs="*", metavar="SCENARIO|FOLDER",
                        help="scenario files, bundled names or folders (every scenario file directly in them); "
                             "default: the bundled scenarios")
    parser.add_argument("--seeds", type=at_least_one, metavar="N",
                        help="seeds 1..N for every check (default: each check's `seeds`, else 10)")
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report to FILE")
    add_engine_options(parser)
    parser.set_defaults(handler=expect_command)
