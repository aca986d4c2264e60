"""``labelmarket robustness``: each pattern's pass rate over the wide calibration box, and where it breaks.

Points are drawn by Latin hypercube (the sweeps' sampler, SALib ``latin``) over every mechanism's parameters in
``labelmarket.scenarios.mechanisms.CALIBRATION_BOX`` (wide and sourced, never narrowed toward success); each
point runs the base scenario and every counterfactual the patterns need on seeds 1..N (the same batch call as
``validate`` and ``ablate``) and is judged on P1-P9 exactly as ``validate`` judges the defaults. The map is
the share of points at which each criterion and each pattern passes; "where it breaks" compares a pattern's
pass rate in the lowest and highest third of each parameter's range (a first-order screen, not a Sobol
analysis). For real: ``--points 256 --seeds 5`` (at least 256 x 5 runs of each role).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from labelmarket.experiments.ablate import check_base
from labelmarket.experiments.arguments import at_least_one
from labelmarket.experiments.engine_options import add_engine_options, checked_scheduler, scheduler_errors
from labelmarket.experiments.pattern_runs import pattern_runs, run_variants, story_cast
from labelmarket.experiments.patterns import CALIBRATION, PATTERN_USE, evaluate
from labelmarket.experiments.output_folder import check_out, default_folder, write_output_folder
from labelmarket.experiments.provenance import command_line, provenance
from labelmarket.experiments.sweep.samplers import latin_hypercube
from labelmarket.scenarios.mechanisms import box_bounds

THIRDS = 3
SIGNIFICANT_DIGITS = 4


def sample_box(n: int, seed: int, bounds: dict[str, tuple[float, float]] | None = None) -> list[dict[str, float]]:
    """``n`` Latin-hypercube points over ``bounds`` (default: the calibration box), rounded to 4 digits."""
    box = bounds or box_bounds()
    names = list(box)
    points = latin_hypercube(box, n, seed)
    return [{k: float(np.clip(float(f"{v:.{SIGNIFICANT_DIGITS}g}"), box[k][0], box[k][1]))
             for k, v in zip(names, p, strict=True)} for p in points]


def run_map(base: str | Path, points: list[dict[str, float]], seeds: list[int], workers: int,
            scheduler: str | None = None) -> pd.DataFrame:
    """One row per point: its parameters, then ``pass:<criterion>`` and ``pass:<pattern>`` columns, and
    ``pass:targets`` (every calibration target) and ``pass:all``."""
    cast = story_cast(base)
    variants = {f"point {i}": {f"behaviour.{k}": v for k, v in p.items()} for i, p in enumerate(points)}
    records = []
    batch = run_variants(pattern_runs(base), variants, seeds, workers=workers, scheduler=scheduler)
    progress = tqdm(batch, total=len(variants), unit="point", desc="robustness map", mininterval=5.0)
    for (variant, runs), params in zip(progress, points, strict=True):
        rows = evaluate(runs, cast)
        record = {"point": variant, **params} | {f"pass:{r.key}": r.passed for r in rows}
        for pattern in PATTERN_USE:
            record[f"pass:{pattern}"] = all(r.passed for r in rows if r.pattern == pattern)
        record["pass:targets"] = all(r.passed for r in rows if r.use == CALIBRATION)
        record["pass:all"] = all(r.passed for r in rows)
        records.append(record)
    return pd.DataFrame.from_records(records)


def pass_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Share of points at which each criterion and pattern passes (with the count of points)."""
    columns = [c for c in table.columns if c.startswith("pass:")]
    return pd.DataFrame({"what": [c.removeprefix("pass:") for c in columns],
                         "pass_rate": [float(table[c].mean()) for c in columns], "points": len(table)})


def thirds(table: pd.DataFrame, bounds: dict[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """Per pattern x parameter: the pattern's pass rate in the low, middle and high third of the parameter's
    range, and the spread (high third - low third)."""
    box = bounds or box_bounds()
    records = []
    for pattern in [*PATTERN_USE, "targets", "all"]:
        passed = table[f"pass:{pattern}"].astype(float)
        for name, (low, high) in box.items():
            if name not in table.columns:
                continue
            third = np.minimum(((table[name] - low) / (high - low) * THIRDS).astype(int), THIRDS - 1)
            rates = [float(passed[third == k].mean()) if (third == k).any() else float("nan") for k in range(THIRDS)]
            records.append({"pattern": pattern, "parameter": name, "low_third": rates[0], "mid_third": rates[1],
                            "high_third": rates[2], "spread": rates[2] - rates[0]})
    return pd.DataFrame.from_records(records)


def where_it_breaks(spread: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """For each pattern, the (up to ``top``) parameters whose thirds differ most in pass rate; a pattern whose
    pass rate moves with no single parameter's third has no row."""
    moving = spread[spread["spread"].abs() > 0]
    ranked = moving.assign(size=moving["spread"].abs()).sort_values(["pattern", "size"], ascending=[True, False])
    return ranked.groupby("pattern", sort=False).head(top).drop(columns="size")


def robustness(scenario: str, n_points: int, seeds: int, lhs_seed: int, out: Path | None, workers: int,
               force: bool, scheduler: str | None = None) -> int:
    from labelmarket.experiments.robustness_report import write_robustness_report

    folder = out or default_folder("robustness")
    check_out(folder, "robustness", force)
    check_base(scenario)
    scheduler = checked_scheduler(scheduler)
    points = sample_box(n_points, lhs_seed)
    started = time.perf_counter()
    with scheduler_errors(scheduler):
        table = run_map(scenario, points, list(range(1, seeds + 1)), workers, scheduler)
    seconds = time.perf_counter() - started
    rates = pass_rates(table)
    print(rates.to_string(index=False))
    manifest = dict(provenance(command_line("robustness")), scenario=scenario, points=n_points,
                    seeds=list(range(1, seeds + 1)), lhs_seed=lhs_seed, workers=workers, scheduler=scheduler,
                    wall_time_s=round(seconds, 1), box=box_bounds())
    write_output_folder(folder, "robustness", force,
                        lambda tmp: write_robustness_report(tmp, scenario, table, seeds, seconds), manifest)
    print(f"\n{n_points} points x {seeds} seeds in {seconds:.0f} s; report: {folder / 'report.md'}")
    return 0


def add_robustness_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("robustness", help="pass rate of each pattern over the wide calibration box",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="meta_scale_2025", metavar="SCENARIO",
                        help="a bundled scenario with an ownership shock, or a .toml path (default: meta_scale_2025)")
    parser.add_argument("--points", type=at_least_one, default=256, metavar="N",
                        help="Latin-hypercube points (default 256)")
    parser.add_argument("--seeds", type=at_least_one, default=5, metavar="N", help="seeds 1..N per point (default 5)")
    parser.add_argument("--lhs-seed", type=int, default=2025, metavar="N", help="seed of the sampler (default 2025)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="report folder (default runs/robustness-<UTC time>)")
    add_engine_options(parser)
    parser.add_argument("--force", action="store_true", help="replace an existing labelmarket folder at --out")
    parser.set_defaults(handler=lambda args: robustness(args.scenario, args.points, args.seeds, args.lhs_seed,
                                                        args.out, args.workers, args.force, args.scheduler))
