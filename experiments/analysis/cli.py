"""``labelmarket analyze RUN_DIR [--out DIR] [--force] [--discover "OUTPUT < VALUE"]``: indices, tables, figures
and summary.md into ``RUN_DIR/analysis/``.

Exit status: 0 done; 2 bad input, one line, nothing written (not a sweep folder, an unfinished sweep, an unknown
output, an unreadable --discover condition, an --out that is not an analysis folder, a place it cannot write).
Also runnable as ``python -m labelmarket.experiments.analysis RUN_DIR``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def add_analyze_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``analyze`` subcommand; its handler is ``args.handler(args) -> int``."""
    parser = subparsers.add_parser(
        "analyze",
        help="sensitivity indices, tables and figures for a finished sweep",
        description="Analyse a sweep folder: Sobol S1/ST/S2 or Morris μ*/σ (or RBD-FAST for lhs) with confidence "
        "intervals, per-level means for grids, HHI fan charts; written to RUN_DIR/analysis/.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="the folder `labelmarket sweep` wrote")
    parser.add_argument("--output", dest="outputs", action="append", metavar="NAME",
                        help="analyse only this output (repeatable; default: every numeric output)")
    parser.add_argument("--out", metavar="DIR",
                        help="analysis folder (default: RUN_DIR/analysis, replaced each time); an existing one "
                             "is refused unless --force is given and it is an analysis folder")
    parser.add_argument("--force", action="store_true", help="replace the analysis folder at --out")
    parser.add_argument("--discover", metavar='"OUTPUT < VALUE"',
                        help="scenario discovery: PRIM boxes of parameter space where the condition holds "
                             '(operators <, <=, >, >=; e.g. "final_hhi > 2500"); needs ema-workbench')
    parser.set_defaults(handler=analyze_command)
    return parser


def analyze_command(args: argparse.Namespace) -> int:
    from labelmarket.experiments.analysis.report import analyze
    from labelmarket.experiments.sweep.cli import one_line
    from labelmarket.scenarios.errors import LabelmarketError

    try:
        report = analyze(args.run_dir, args.outputs, out=args.out, force=args.force, discover=args.discover)
    except LabelmarketError as error:
        print(f"labelmarket analyze: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except OSError as error:
        where = f"{error.filename}: " if getattr(error, "filename", None) else ""
        print(f"labelmarket analyze: error: {where}{one_line(error.strerror or str(error))}", file=sys.stderr)
        return 2
    if report.scenario_discovery is not None:
        from labelmarket.experiments.analysis.report import discovery_lines

        print("\n".join(discovery_lines(report.scenario_discovery)))
    print(f"{report.folder}: {len(report.tables)} table files, {len(report.figures)} figures; "
          f"read {report.folder / 'summary.md'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labelmarket.experiments.analysis")
    add_analyze_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["analyze", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)
