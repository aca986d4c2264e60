"""``labelmarket ablate``: switch each mechanism off in turn and see which patterns it carries.

The base scenario and every counterfactual the patterns need run once with the full model and once per
mechanism of ``labelmarket.scenarios.mechanisms.MECHANISMS`` that has a switch, all on the same seeds (common
random numbers) in one batch (``labelmarket.experiments.pattern_runs.run_variants``). A mechanism *carries* a
pattern when the pattern passes with the full model and fails with the mechanism off; it *blocks* one when
the pattern fails with the full model and passes with it off. Effects are paired over seeds: per seed, the
criterion's value with the mechanism off minus its value in the full model (median and 10th-90th
percentiles).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from labelmarket.experiments.arguments import at_least_one
from labelmarket.experiments.digest import largest_rival_client, shock_roles
from labelmarket.experiments.engine_options import add_engine_options, checked_scheduler, scheduler_errors
from labelmarket.experiments.pattern_runs import pattern_runs, run_variants, story_cast
from labelmarket.experiments.patterns import CheckRow, evaluate
from labelmarket.experiments.output_folder import check_out, default_folder, write_output_folder
from labelmarket.experiments.provenance import command_line, provenance
from labelmarket.scenarios.errors import ScenarioError
from labelmarket.scenarios.loader import load_scenario, scenario_path
from labelmarket.scenarios.mechanisms import MECHANISMS, Mechanism, switchable

FULL = "full model"


@dataclass
class Ablation:
    """Every criterion's rows for the full model and for each mechanism switched off."""

    base: str
    seeds: list[int]
    mechanisms: list[Mechanism]
    rows: dict[str, list[CheckRow]]   # variant (FULL or a mechanism's name) -> rows
    seconds: float


def ablation_variants(base: str | Path, mechanisms: list[Mechanism]) -> dict[str, dict[str, float]]:
    behaviour = load_scenario(base).behaviour
    return {FULL: {}} | {m.name: m.switch_off(behaviour) for m in mechanisms}


def run_ablation(base: str | Path, seeds: list[int], workers: int,
                 mechanisms: list[Mechanism] | None = None, scheduler: str | None = None) -> Ablation:
    """The full model and each mechanism off, evaluated on P1-P9 (the one batch call: ``run_variants``)."""
    chosen = switchable() if mechanisms is None else mechanisms
    cast = story_cast(base)
    started = time.perf_counter()
    variants = ablation_variants(base, chosen)
    rows = {}
    for variant, runs in tqdm(run_variants(pattern_runs(base), variants, seeds, workers=workers, scheduler=scheduler),
                              total=len(variants), unit="variant", desc="ablation", mininterval=5.0):
        rows[variant] = evaluate(runs, cast)
    return Ablation(str(base), seeds, chosen, rows, time.perf_counter() - started)


def paired_effect(full: CheckRow, off: CheckRow) -> tuple[float, float, float]:
    """Median and 10th/90th percentiles over seeds of (value off - value in the full model), seed by seed."""
    full_by_seed = dict(zip(full.seeds, full.values, strict=True))
    diffs = []
    for seed, value in zip(off.seeds, off.values, strict=True):
        base = full_by_seed.get(seed)
        if base is None:
            continue
        diffs.append(0.0 if value == base else value - base)   # equal infinities differ by nothing
    arr = np.asarray([d for d in diffs if not np.isnan(d)], dtype=float)
    if arr.size == 0:
        return (float("nan"),) * 3
    return (float(np.median(arr)), float(np.percentile(arr, 10, method="nearest")),
            float(np.percentile(arr, 90, method="nearest")))


def pattern_verdicts(rows: list[CheckRow]) -> dict[str, bool | None]:
    """Pattern -> whether every criterion passes (None when the runs cannot show it)."""
    verdicts: dict[str, bool | None] = {}
    for r in rows:
        if not r.applicable:
            verdicts[r.pattern] = None
        elif verdicts.get(r.pattern, True) is not None:
            verdicts[r.pattern] = verdicts.get(r.pattern, True) and r.passed
    return verdicts


def carry_table(rows: dict[str, list[CheckRow]]) -> pd.DataFrame:
    """Mechanism x pattern: 'carries' (passes in full, fails off), 'blocks' (fails in full, passes off), else
    the pattern's verdict with the mechanism off ('pass' / 'fail'), or 'n/a'."""
    full = pattern_verdicts(rows[FULL])
    table = {}
    for variant, variant_rows in rows.items():
        if variant == FULL:
            continue
        off = pattern_verdicts(variant_rows)
        cells = {}
        for pattern, with_it in full.items():
            without = off.get(pattern)
            if with_it is None or without is None:
                cells[pattern] = "n/a"
            elif with_it and not without:
                cells[pattern] = "carries"
            elif without and not with_it:
                cells[pattern] = "blocks"
            else:
                cells[pattern] = "pass" if without else "fail"
        table[variant] = cells
    return pd.DataFrame.from_dict(table, orient="index")


def criterion_table(rows: dict[str, list[CheckRow]]) -> pd.DataFrame:
    """One row per variant x criterion: verdict, statistic, median, paired effect against the full model."""
    full = {r.key: r for r in rows[FULL]}
    records = []
    for variant, variant_rows in rows.items():
        for r in variant_rows:
            base = full.get(r.key)
            effect = paired_effect(base, r) if base is not None and r.applicable else (float("nan"),) * 3
            records.append({
                "variant": variant, "key": r.key, "pattern": r.pattern, "use": r.use, "criterion": r.criterion,
                "over": r.over, "passed": r.passed, "value": r.value, "median": r.median,
                "effect_median": effect[0], "effect_p10": effect[1], "effect_p90": effect[2],
                "flipped": base is not None and r.passed != base.passed})
    return pd.DataFrame.from_records(records)


def check_base(scenario: str | Path) -> None:
    """A base scenario must load and have an ownership shock whose acquirer has a rival client at the target
    (ScenarioError otherwise, naming the file)."""
    loaded = load_scenario(scenario)
    where = str(scenario_path(scenario))
    try:
        roles = shock_roles(loaded)
    except ValueError as err:
        raise ScenarioError(where, "events", str(err)) from None
    if roles.acquirer_lab is None:
        raise ScenarioError(where, "events", "its shock is a contract_end, not an ownership change",
                            "the patterns need an ownership_change event")
    try:
        largest_rival_client(loaded, roles)
    except ValueError as err:
        raise ScenarioError(where, "labs", str(err), "the patterns need a rival of the acquirer") from None


def ablate(scenario: str, seeds: int, out: Path | None, workers: int, force: bool,
           only: list[str] | None = None, scheduler: str | None = None) -> int:
    from labelmarket.experiments.ablation_report import write_ablation_report

    folder = out or default_folder("ablation")
    check_out(folder, "ablation", force)   # bad input fails here, before any work
    check_base(scenario)
    scheduler = checked_scheduler(scheduler)
    chosen = [m for m in switchable() if not only or m.name in only]
    with scheduler_errors(scheduler):
        result = run_ablation(scenario, list(range(1, seeds + 1)), workers, chosen, scheduler)
    carries = carry_table(result.rows)
    print(carries.to_string())
    switches = {m.name: m.switch_off(load_scenario(scenario).behaviour) for m in result.mechanisms}
    write_output_folder(folder, "ablation", force, lambda tmp: write_ablation_report(tmp, result),
                 dict(provenance(command_line("ablate")), scenario=scenario, seeds=result.seeds, workers=workers,
                          scheduler=scheduler,
                          wall_time_s=round(result.seconds, 1), switches=switches,
                          without_switch=[m.name for m in MECHANISMS if m.off is None]))
    print(f"\n{len(result.mechanisms)} mechanisms x {seeds} seeds in {result.seconds:.0f} s; "
          f"report: {folder / 'report.md'}")
    return 0


def add_ablate_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ablate", help="switch each mechanism off in turn; which patterns it carries",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="meta_scale_2025", metavar="SCENARIO",
                        help="a bundled scenario with an ownership shock, or a .toml path (default: meta_scale_2025)")
    parser.add_argument("--seeds", type=at_least_one, default=10, metavar="N", help="seeds 1..N (default 10)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="report folder (default runs/ablation-<UTC time>)")
    add_engine_options(parser)
    parser.add_argument("--force", action="store_true", help="replace an existing labelmarket folder at --out")
    parser.add_argument("--mechanism", action="append", choices=[m.name for m in switchable()], metavar="NAME",
                        help="ablate only this mechanism (repeatable; default: every mechanism with a switch)")
    parser.set_defaults(handler=lambda args: ablate(args.scenario, args.seeds, args.out, args.workers, args.force,
                                                    args.mechanism, args.scheduler))
