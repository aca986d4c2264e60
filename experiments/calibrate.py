"""Pattern-oriented calibration by rejection (Grimm et al. 2005; Railsback & Grimm 2019, ch. 20).

Candidate behaviour-parameter sets are drawn by Latin hypercube over plausible bounds; each candidate runs the
scenarios the patterns need over the same seeds; a candidate is *rejected* if any calibration-target criterion fails (validation-only patterns are recorded, never used to reject).
Among the accepted, the one whose weakest criterion clears its threshold by the largest relative margin is
reported. No outcome is written into a rule: only parameter values are chosen.

``python -m labelmarket.experiments.calibrate --candidates 96 --seeds 10 --out runs/calibration`` writes
``candidates.csv`` (one row per candidate: parameters, each criterion's margin, accepted) and
``sensitivity.csv`` (Spearman correlation of each parameter with each pattern's weakest margin). The folder is a
labelmarket output folder of kind ``calibration`` (``experiments/output_folder.py``): checked before any run,
written atomically, and an existing one is replaced only with ``--force``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from tqdm import tqdm

from labelmarket.experiments.engine_options import add_engine_options, checked_scheduler, scheduler_errors
from labelmarket.experiments.output_folder import staged_output_folder, write_manifest
from labelmarket.experiments.pattern_runs import pattern_runs, run_variants, story_cast
from labelmarket.experiments.patterns import CALIBRATION, PATTERN_USE, evaluate
from labelmarket.experiments.provenance import provenance
from labelmarket.experiments.sweep.samplers import latin_hypercube
from labelmarket.experiments.validate import at_least_one
from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.errors import LabelmarketError, one_line
from labelmarket.scenarios.mechanisms import box_bounds

# Round 1 searched wide bounds (a sub-range of each parameter's admissible range in scenarios/behaviour.py);
# round 2 narrowed them toward where round 1's sensitivities pointed (docs/calibration.md tells the story).
WIDE_BOUNDS: dict[str, tuple[float, float]] = {
    "stake_weight": (1.2, 3.5),
    "talent_weight": (0.2, 1.5),
    "assurance_efficacy": (0.2, 0.6),
    "trust_fall_rate_per_week": (0.2, 0.7),
    "choice_intensity": (4.0, 8.0),
    "trust_weight": (1.5, 3.5),
    "dependence_aversion": (0.8, 2.5),
    "wariness_gain": (2.0, 6.0),
    "hiring_rate_per_week": (0.005, 0.012),
    "hiring_ramp_musd_per_week": (1.5, 5.0),
    "search_breadth": (15.0, 45.0),
    "vc_herding": (3.0, 12.0),
    "vc_entry_share": (0.2, 0.8),
}
SEARCH_BOUNDS: dict[str, tuple[float, float]] = {
    "stake_weight": (2.2, 3.5),
    "talent_weight": (0.2, 0.8),
    "assurance_efficacy": (0.2, 0.45),
    "trust_fall_rate_per_week": (0.3, 0.7),
    "choice_intensity": (4.0, 7.0),
    "trust_weight": (2.5, 3.5),
    "dependence_aversion": (0.8, 1.8),
    "wariness_gain": (2.0, 5.0),
    "hiring_rate_per_week": (0.007, 0.012),
    "hiring_ramp_musd_per_week": (3.5, 6.0),
    "search_breadth": (30.0, 45.0),
    "vc_herding": (6.0, 12.0),
    "vc_entry_share": (0.3, 0.8),
}
# The next calibration searches the wide, sourced box of every mechanism's parameters (scenarios/mechanisms.py;
# docs/calibration.md, "Calibration box"), never a box narrowed toward success.
ROUNDS = {"wide": WIDE_BOUNDS, "narrow": SEARCH_BOUNDS, "box": box_bounds()}
CALIBRATION_KIND = "calibration"
PROG = "python -m labelmarket.experiments.calibrate"



def candidate_sets(n: int, seed: int, bounds: dict[str, tuple[float, float]] = SEARCH_BOUNDS
                   ) -> list[dict[str, float]]:
    """``n`` Latin-hypercube points over ``bounds``; candidate 0 is the current defaults."""
    names = list(bounds)
    points = latin_hypercube(bounds, max(n - 1, 1), seed)
    defaults = Behaviour()
    rows = [{k: float(getattr(defaults, k)) for k in names}]
    rows += [{k: float(round(v, 4)) for k, v in zip(names, p, strict=True)} for p in points[: n - 1]]
    return rows


def calibrate(n_candidates: int, seeds: list[int], workers: int, lhs_seed: int = 2025,
              bounds: dict[str, tuple[float, float]] = SEARCH_BOUNDS, scheduler: str | None = None) -> pd.DataFrame:
    """Evaluate every candidate on every criterion; one row per candidate. A candidate is accepted when every
    calibration target passes (validation-only patterns are recorded, never used to reject)."""
    candidates = candidate_sets(n_candidates, lhs_seed, bounds)
    variants = {cid: {f"behaviour.{k}": v for k, v in params.items()} for cid, params in enumerate(candidates)}
    cast = story_cast()
    records = []
    progress = tqdm(total=len(candidates), unit="candidate", desc="calibration", mininterval=5.0)
    for cid, runs in run_variants(pattern_runs(), variants, seeds, workers=workers, scheduler=scheduler):
        rows = evaluate(runs, cast)
        targets = [r for r in rows if r.use == CALIBRATION]
        records.append({"candidate": cid, **candidates[cid], **{f"{r.key}": r.margin for r in rows},
                        "accepted": all(r.passed for r in targets),
                        "weakest_margin": min(r.margin for r in targets)})
        progress.update()
    progress.close()
    return pd.DataFrame(records)


def sensitivity(table: pd.DataFrame) -> pd.DataFrame:
    """Spearman rank correlation of each searched parameter with each pattern's weakest margin."""
    criteria = [c for c in table.columns if c.split(".")[0] in PATTERN_USE]
    patterns = sorted({c.split(".")[0] for c in criteria})
    weakest = pd.DataFrame({p: table[[c for c in criteria if c.split(".")[0] == p]].min(axis=1) for p in patterns})
    params = [p for p in Behaviour.model_fields if p in table.columns and table[p].nunique() > 1]
    out = pd.DataFrame(index=params, columns=patterns, dtype=float)
    for param in params:
        for p in patterns:
            rho = spearmanr(table[param], weakest[p]).statistic
            out.loc[param, p] = round(float(rho), 2) if np.isfinite(rho) else 0.0
    return out


def write_calibration(folder: Path, table: pd.DataFrame, sens: pd.DataFrame, manifest: dict) -> None:
    """``candidates.csv``, ``sensitivity.csv`` and the manifest, into an existing (staging) folder."""
    table.to_csv(folder / "candidates.csv", index=False)
    sens.to_csv(folder / "sensitivity.csv")
    write_manifest(folder, CALIBRATION_KIND, manifest)


def run_calibration(args: argparse.Namespace, argv: list[str]) -> None:
    """Check the options and ``--out`` first, then calibrate and write the folder; print the outcome."""
    for option in ("candidates", "seeds", "workers"):
        at_least_one(f"--{option}", getattr(args, option))
    scheduler = checked_scheduler(args.scheduler)
    with staged_output_folder(args.out, CALIBRATION_KIND, args.force) as staging:
        with scheduler_errors(scheduler):
            table = calibrate(args.candidates, list(range(1, args.seeds + 1)), args.workers, args.lhs_seed,
                              ROUNDS[args.round], scheduler)
        sens = sensitivity(table)
        write_calibration(staging, table, sens, {
            "candidates": args.candidates, "seeds": args.seeds, "lhs_seed": args.lhs_seed, "round": args.round, "scheduler": scheduler,
            "accepted": int(table["accepted"].sum()), **provenance(shlex.join([PROG, *argv]))})
    accepted = table[table["accepted"]].sort_values("weakest_margin", ascending=False)
    print(f"{len(accepted)} of {len(table)} candidates accepted (every calibration target passes at {args.seeds} seeds)")
    print(sens.to_string())
    if len(accepted):
        best = accepted.iloc[0]
        print("best candidate:", {k: float(best[k]) for k in ROUNDS[args.round]},
              "weakest margin", round(float(best.weakest_margin), 3))
    print(f"written: {one_line(str(args.out))}")


def main(argv: list[str] | None = None) -> int:
    """``python -m labelmarket.experiments.calibrate``: 0 done, 2 bad options or an unusable ``--out``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=96)
    parser.add_argument("--seeds", type=int, default=10, help="seeds 1..N per candidate")
    add_engine_options(parser)
    parser.add_argument("--lhs-seed", type=int, default=2025)
    parser.add_argument("--round", choices=sorted(ROUNDS), default="narrow", help="which bounds to search")
    parser.add_argument("--out", type=Path, default=Path("runs/calibration"))
    parser.add_argument("--force", action="store_true",
                        help="use an existing --out if it is empty or an earlier calibration folder (which is "
                             "replaced); nothing else is ever replaced")
    args = parser.parse_args(argv)
    try:
        run_calibration(args, argv)
    except LabelmarketError as err:
        print(f"{PROG}: error: {one_line(str(err))}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
