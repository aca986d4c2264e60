"""``labelmarket validate``: run the calibrated scenario and its counterfactuals, check P1-P8, write a report.

Every scenario runs on the same seeds (common random numbers), on all cores. The command prints the table
(pattern, criterion, median with 10th-90th percentile range, pass/fail), writes ``report.md`` and the figures
to the output folder (written under a temporary name and renamed when complete), and exits 0 only if every
criterion passes.
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import time
from datetime import UTC, datetime
from pathlib import Path

from labelmarket.experiments import validation_figures as figures
from labelmarket.experiments.digest import largest_rival_client, shock_roles
from labelmarket.experiments.ensemble import run_ensemble
from labelmarket.experiments.output_folder import staged_output_folder, write_manifest
from labelmarket.experiments.patterns import SCENARIOS_NEEDED, CheckRow, StoryCast, evaluate
from labelmarket.experiments.run_folder import RUNS_DIR, git_revision, package_versions, utc_stamp
from labelmarket.scenarios.errors import LabelmarketError, one_line
from labelmarket.scenarios.loader import load_scenario

BASE_SCENARIO = "meta_scale_2025"
EXTRA_SCENARIOS = ("voting_stake",)  # not needed by P1-P8, shown in the report for comparison
VALIDATION_KIND = "validation"


def at_least_one(option: str, value: int | None) -> None:
    """Refuse a count below 1 (``--seeds 0``) with one line naming the option."""
    if value is not None and value < 1:
        raise LabelmarketError(option, "", f"must be at least 1, got {value}")


def _fmt(x: float) -> str:
    return "inf" if x == float("inf") else f"{x:.3g}"


def format_table(rows: list[CheckRow]) -> str:
    """The plain-text table the command prints."""
    lines = [f"{'pattern':<8}{'result':<8}{'median':>9}  {'p10-p90':<17} criterion"]
    for r in rows:
        lines.append(f"{r.pattern:<8}{'PASS' if r.passed else 'FAIL':<8}{_fmt(r.median):>9}  "
                     f"{_fmt(r.p10) + ' - ' + _fmt(r.p90):<17} {r.criterion}")
    return "\n".join(lines)


def markdown_table(rows: list[CheckRow]) -> str:
    out = ["| pattern | criterion | median | 10th-90th pct | result |", "|---|---|---|---|---|"]
    out += [f"| {r.pattern} | {r.criterion} | {_fmt(r.median)} | {_fmt(r.p10)} to {_fmt(r.p90)} | "
            f"{'pass' if r.passed else '**FAIL**'} |" for r in rows]
    return "\n".join(out)


def write_report(folder: Path, rows: list[CheckRow], runs: dict, cast: StoryCast, vendor: str, seeds: int,
                 seconds: float) -> None:
    shock = runs[BASE_SCENARIO]
    pictures = [
        figures.rival_spend(shock, cast, vendor, folder / "rival_spend.png"),
        figures.hhi_shock_vs_calm(shock, runs["no_shock"], folder / "hhi.png"),
        figures.challenger_inquiries(shock, cast, folder / "inquiries.png"),
        figures.venture_capital(shock, folder / "venture_capital.png"),
        figures.vendor_shares(shock, folder / "vendor_shares.png"),
    ]
    verdict = "all patterns pass" if all(r.passed for r in rows) else "SOME PATTERNS FAIL"
    body = [
        f"# Validation of `{BASE_SCENARIO}` against patterns P1-P8",
        "",
        f"{seeds} seeds per scenario (common random numbers across {', '.join(runs)}); {seconds:.0f} s wall "
        f"time; {verdict}. Each figure shows the median over seeds and the 10th-90th percentile band; week 0 "
        "is the ownership shock. Criteria are defined in docs/ODD.md and ../shared/domain.md.",
        "",
        markdown_table(rows),
        "",
    ]
    body += [f"![{p.stem}]({p.name})\n" for p in pictures]
    (folder / "report.md").write_text("\n".join(body), encoding="utf-8")


def validate(seeds: int, out: Path | None, workers: int | None, force: bool = False,
             command: str = "labelmarket validate") -> int:
    """Run the ensemble, print the table, write the report folder; 0 if every criterion passes, else 1.

    Bad options and an unusable ``out`` raise :class:`LabelmarketError` before any simulation runs."""
    at_least_one("--seeds", seeds)
    at_least_one("--workers", workers)
    folder = out if out is not None else RUNS_DIR / f"validation-{utc_stamp()}"
    scenario = load_scenario(BASE_SCENARIO)
    roles = shock_roles(scenario)
    cast = StoryCast(largest_rival=largest_rival_client(scenario, roles), acquirer_lab=roles.acquirer_lab)
    with staged_output_folder(folder, VALIDATION_KIND, force) as staging:
        started = time.perf_counter()
        runs = run_ensemble((*SCENARIOS_NEEDED, *EXTRA_SCENARIOS), range(1, seeds + 1), workers=workers)
        seconds = time.perf_counter() - started
        rows = evaluate(runs, cast)
        print(format_table(rows))
        print(f"\n{sum(r.passed for r in rows)} of {len(rows)} criteria pass; {seeds} seeds x {len(runs)} "
              f"scenarios in {seconds:.1f} s")
        write_report(staging, rows, runs, cast, roles.vendor, seeds, seconds)
        write_manifest(staging, VALIDATION_KIND, {
            "scenario": BASE_SCENARIO, "scenarios": list(runs), "seeds": seeds, "wall_time_s": round(seconds, 3),
            "passed": all(r.passed for r in rows),
            "criteria": [{"pattern": r.pattern, "criterion": r.criterion,
                          "median": float(r.median) if math.isfinite(r.median) else None,
                          "passed": bool(r.passed)} for r in rows],
            "command": command, "versions": package_versions(), "git": git_revision(),
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds")})
    print(f"report: {one_line(str(folder / 'report.md'))}")
    return 0 if all(r.passed for r in rows) else 1


def add_validate_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check the calibrated scenario against patterns P1-P8",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=30, help="seeds 1..N per scenario (default 30)")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default runs/validation-<time>)")
    parser.add_argument("--force", action="store_true",
                        help="use an existing --out if it is empty or an earlier validation folder (which is replaced); "
                             "nothing else is ever replaced")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="processes (default: all cores)")
    parser.set_defaults(handler=lambda args: validate(args.seeds, args.out, args.workers, args.force,
                                                      shlex.join(["labelmarket", *getattr(args, "argv", ())])))
