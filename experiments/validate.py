"""``labelmarket validate``: run the calibrated scenario and its counterfactuals, check P1-P9, write a report.

Every run shares the same seeds (common random numbers), on all cores. The command prints the table
(pattern, use: calibration target or validation only, how seeds are judged, the statistic, median with
10th-90th percentile range, pass/fail), writes ``report.md`` and the figures to the output folder (written
under a temporary name and renamed when complete), and exits 0 only if every criterion passes.
"""

from __future__ import annotations

import argparse
import math
import shlex
import time
from pathlib import Path

from labelmarket.experiments import validation_figures as figures
from labelmarket.experiments.digest import RunDigest
from labelmarket.experiments.engine_options import add_engine_options, checked_scheduler, scheduler_errors
from labelmarket.experiments.output_folder import default_folder, staged_output_folder, write_manifest
from labelmarket.experiments.pattern_runs import pattern_runs, run_variants, story_cast
from labelmarket.experiments.patterns import CALIBRATION, CheckRow, StoryCast, evaluate
from labelmarket.experiments.provenance import provenance
from labelmarket.scenarios.errors import LabelmarketError, one_line

BASE_SCENARIO = "meta_scale_2025"
VALIDATION_KIND = "validation"


def at_least_one(option: str, value: int | None) -> None:
    """Refuse a count below 1 (``--seeds 0``) with one line naming the option."""
    if value is not None and value < 1:
        raise LabelmarketError(option, "", f"must be at least 1, got {value}")


def validation_runs(seeds: int, workers: int | None, base: str = BASE_SCENARIO,
                    scheduler: str | None = None) -> dict[str, list[RunDigest]]:
    """Role -> digests of seeds 1..N for every run the patterns need (on the dask cluster at ``scheduler``
    if given, else on ``workers`` local processes)."""
    return dict(run_variants(pattern_runs(base), {"full": {}}, range(1, seeds + 1), workers=workers or 1,
                             scheduler=scheduler))["full"]


def _fmt(x: float) -> str:
    return "inf" if x == float("inf") else f"{x:.3g}"


def _use(r: CheckRow) -> str:
    return "calib" if r.use == CALIBRATION else "valid"


def _result(r: CheckRow) -> str:
    return "n/a" if not r.applicable else ("PASS" if r.passed else "FAIL")


def format_table(rows: list[CheckRow]) -> str:
    """The plain-text table the command prints."""
    lines = [f"{'pattern':<8}{'use':<6}{'result':<7}{'over seeds':<18}{'value':>8}{'median':>9}  "
             f"{'p10-p90':<17} criterion"]
    for r in rows:
        lines.append(f"{r.pattern:<8}{_use(r):<6}{_result(r):<7}{r.over:<18}{_fmt(r.value):>8}{_fmt(r.median):>9}  "
                     f"{_fmt(r.p10) + ' - ' + _fmt(r.p90):<17} {r.criterion}")
    return "\n".join(lines)


def markdown_table(rows: list[CheckRow]) -> str:
    out = ["| pattern | use | criterion | judged on | value | median | 10th-90th pct | result |",
           "|---|---|---|---|---|---|---|---|"]
    out += [f"| {r.pattern} | {'calibration target' if r.use == CALIBRATION else 'validation only'} | "
            f"{r.criterion} | {r.over} | {_fmt(r.value)} | {_fmt(r.median)} | {_fmt(r.p10)} to {_fmt(r.p90)} | "
            f"{'pass' if r.passed else ('n/a' if not r.applicable else '**FAIL**')} |" for r in rows]
    return "\n".join(out)


def verdict_line(rows: list[CheckRow]) -> str:
    """How many criteria pass, in all and among the calibration targets."""
    targets = [r for r in rows if r.use == CALIBRATION]
    return (f"{sum(r.passed for r in rows)} of {len(rows)} criteria pass "
            f"({sum(r.passed for r in targets)} of {len(targets)} calibration targets)")


def write_report(folder: Path, rows: list[CheckRow], runs: dict, cast: StoryCast, vendor: str, seeds: int,
                 seconds: float) -> None:
    shock = runs["shock"]
    pictures = [
        figures.rival_spend(shock, cast, vendor, folder / "rival_spend.png"),
        figures.hhi_shock_vs_calm(shock, runs["no_shock"], folder / "hhi.png"),
        figures.challenger_inquiries(shock, cast, folder / "inquiries.png"),
        figures.venture_capital(shock, folder / "venture_capital.png"),
        figures.vendor_shares(shock, folder / "vendor_shares.png"),
    ]
    if runs.get("precedent"):
        pictures.append(figures.precedent(runs["precedent"], cast, folder / "appen_precedent.png"))
    verdict = "all patterns pass" if all(r.passed for r in rows) else "SOME PATTERNS FAIL"
    body = [
        f"# Validation of `{BASE_SCENARIO}` against patterns P1-P9",
        "",
        f"{seeds} seeds per run (common random numbers across the roles {', '.join(runs)}); {seconds:.0f} s wall "
        f"time; {verdict}; {verdict_line(rows)}. Calibration targets are the patterns the calibration's "
        "rejection step uses; the others are validation only. Each figure shows the median over seeds and the "
        "10th-90th percentile band; week 0 is the shock. Criteria are defined in docs/ODD.md §1 "
        "(Purpose and patterns).",
        "",
        markdown_table(rows),
        "",
    ]
    body += [f"![{p.stem}]({p.name})\n" for p in pictures]
    (folder / "report.md").write_text("\n".join(body), encoding="utf-8")


def validate(seeds: int, out: Path | None, workers: int | None, force: bool = False,
             command: str = "labelmarket validate", scheduler: str | None = None) -> int:
    """Run the ensemble, print the table, write the report folder; 0 if every criterion passes, else 1.

    Bad options and an unusable ``out`` raise :class:`LabelmarketError` before any simulation runs."""
    at_least_one("--seeds", seeds)
    at_least_one("--workers", workers)
    scheduler = checked_scheduler(scheduler)
    folder = out if out is not None else default_folder(VALIDATION_KIND)
    cast = story_cast()
    with staged_output_folder(folder, VALIDATION_KIND, force) as staging:
        started = time.perf_counter()
        with scheduler_errors(scheduler):
            runs = validation_runs(seeds, workers, scheduler=scheduler)
        seconds = time.perf_counter() - started
        rows = evaluate(runs, cast)
        print(format_table(rows))
        print(f"\n{verdict_line(rows)}; {seeds} seeds x {len(runs)} runs in {seconds:.1f} s")
        write_report(staging, rows, runs, cast, cast.target_vendor, seeds, seconds)
        write_manifest(staging, VALIDATION_KIND, {
            "scenario": BASE_SCENARIO, "runs": list(runs), "seeds": seeds, "wall_time_s": round(seconds, 3),
            "scheduler": scheduler,
            "passed": all(r.passed for r in rows),
            "criteria": [{"pattern": r.pattern, "criterion": r.criterion,
                          "median": float(r.median) if math.isfinite(r.median) else None,
                          "passed": bool(r.passed)} for r in rows],
            **provenance(command)})
    print(f"report: {one_line(str(folder / 'report.md'))}")
    return 0 if all(r.passed for r in rows) else 1


def add_validate_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check the calibrated scenario against patterns P1-P9",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=30, help="seeds 1..N per run (default 30)")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default runs/validation-<time>)")
    parser.add_argument("--force", action="store_true",
                        help="use an existing --out if it is empty or an earlier validation folder (which is replaced); "
                             "nothing else is ever replaced")
    add_engine_options(parser)
    parser.set_defaults(handler=lambda args: validate(args.seeds, args.out, args.workers, args.force,
                                                      shlex.join(["labelmarket", *getattr(args, "argv", ())]),
                                                      args.scheduler))
