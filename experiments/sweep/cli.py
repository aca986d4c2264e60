"""``labelmarket sweep SWEEP.toml [--workers N] [--scheduler tcp://HOST:PORT] [--out DIR] [--force]
[--run-timeout SECONDS] [--stall-timeout SECONDS]``.

Exit status: 0 every run succeeded; 1 some runs failed (they are listed, and recorded in the manifest) or the
engine broke or stalled (finished runs kept; re-run to resume); 2 bad input, one line naming the file, the
field or option and the reason, with nothing created; 130 interrupted.
Also runnable without the main CLI as ``python -m labelmarket.experiments.sweep SWEEP.toml ...``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from labelmarket.experiments.arguments import at_least_one
from labelmarket.scenarios.errors import one_line

SHOWN_FAILURES = 10



def add_sweep_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``sweep`` subcommand; its handler is ``args.handler(args) -> int``."""
    parser = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep (grid, lhs, sobol, morris); re-run the same command to resume",
        description="Run a resumable parameter sweep described by a sweep file (see docs/sweeps.md). "
        "Local worker processes by default; a dask.distributed cluster with --scheduler.",
    )
    parser.add_argument("sweep_file", metavar="SWEEP.toml", help="the sweep file")
    parser.add_argument("--workers", type=at_least_one, metavar="N",
                        help="local worker processes (default: one per core; 1 runs in this process)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on this dask.distributed scheduler instead of local processes")
    parser.add_argument("--out", metavar="DIR",
                        help="sweep folder (default: runs/sweep-NAME); an existing one is resumed if it holds "
                             "the same sweep, and anything else there is refused")
    parser.add_argument("--force", action="store_true",
                        help="replace a sweep folder that holds a different sweep (only a labelmarket sweep folder)")
    parser.add_argument("--run-timeout", type=_seconds, metavar="SECONDS",
                        help="stop a run that takes longer and record it as failed (default: the sweep file's "
                             "run_timeout_s, else no limit)")
    parser.add_argument("--stall-timeout", type=_seconds, metavar="SECONDS",
                        help="stop (finished runs kept; re-run to resume) when no run finishes for this long, or "
                             "a dask cluster has no workers for this long (default: 60 s without workers)")
    parser.add_argument("--batch-size", type=at_least_one, metavar="K",
                        help="runs per task sent to a worker (default: chosen from the sweep size)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(handler=sweep_command)
    return parser



def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not 0 < value <= 7 * 24 * 3600:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most a week (604800), got {text}")
    return value


def sweep_command(args: argparse.Namespace) -> int:
    from labelmarket.experiments.sweep.engines import START_SCHEDULER_HINT
    from labelmarket.experiments.sweep.runner import run_sweep
    from labelmarket.experiments.sweep.spec import SweepError

    if args.scheduler and args.workers:
        print("note: --workers is ignored with --scheduler (the cluster has its own workers)", file=sys.stderr)
    try:
        outcome = run_sweep(
            args.sweep_file,
            out=args.out,
            workers=None if args.scheduler else args.workers,
            scheduler=args.scheduler,
            batch_size=args.batch_size,
            progress=not args.no_progress,
            force=args.force,
            run_timeout_s=args.run_timeout,
            stall_timeout_s=args.stall_timeout,
        )
    except SweepError as error:
        print(f"labelmarket sweep: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except (OSError, TimeoutError) as error:
        if args.scheduler:
            print(f"labelmarket sweep: error: cannot use the dask scheduler at {args.scheduler}: "
                  f"{one_line(str(error))} ({START_SCHEDULER_HINT})",
                  file=sys.stderr)
            return 2
        where = f"{error.filename}: " if getattr(error, "filename", None) else ""
        print(f"labelmarket sweep: error: {where}{one_line(error.strerror or str(error))}", file=sys.stderr)
        return 2

    for note in outcome.notes:
        print(f"labelmarket sweep: note: {one_line(note)}", file=sys.stderr)
    if outcome.already_complete:
        print(f"{outcome.run_dir}: already complete ({outcome.runs} runs); nothing to do")
        return 0
    if outcome.interrupted:
        print(f"\ninterrupted: {outcome.ok} of {outcome.runs} runs are saved in {outcome.run_dir}; "
              "re-run the same command to resume", file=sys.stderr)
        return outcome.exit_code
    if outcome.engine_error:
        print(f"labelmarket sweep: error: the engine stopped: {one_line(outcome.engine_error)}; {outcome.ok} of "
              f"{outcome.runs} runs are saved in {outcome.run_dir}; re-run the same command to resume", file=sys.stderr)
        return outcome.exit_code
    rate = f", {outcome.computed / outcome.seconds:.1f} runs/s" if outcome.computed and outcome.seconds else ""
    print(f"{outcome.run_dir}: {outcome.runs} runs, {outcome.ok} ok, {outcome.failed} failed "
          f"({outcome.computed} computed now in {outcome.seconds:.1f} s{rate})")
    if outcome.failed:
        print(f"{outcome.failed} run(s) failed:", file=sys.stderr)
        for failure in outcome.failures[:SHOWN_FAILURES]:
            print(f"  points {failure['point_ids']} seed {failure['seed']}: {failure['error']}", file=sys.stderr)
        if len(outcome.failures) > SHOWN_FAILURES:
            print(f"  ... and {len(outcome.failures) - SHOWN_FAILURES} more: see {outcome.run_dir}/manifest.json",
                  file=sys.stderr)
        print("re-running the same command tries the failed runs again", file=sys.stderr)
    return outcome.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m labelmarket.experiments.sweep SWEEP.toml ...``: the same command without the main CLI."""
    parser = argparse.ArgumentParser(prog="python -m labelmarket.experiments.sweep")
    add_sweep_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["sweep", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)
