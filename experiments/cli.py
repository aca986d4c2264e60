"""The ``labelmarket`` command line.

    labelmarket run [SCENARIO] [--seed N] [--weeks N] [--set KEY=VALUE ...] [--out DIR] [--force]
                    [--synthetic labs=N,vendors=M]
    labelmarket check SCENARIO [--set KEY=VALUE ...]
    labelmarket scenarios
    labelmarket validate [--seeds N] ...      (experiments/validate.py)
    labelmarket ablate [SCENARIO] ...         (experiments/ablate.py)
    labelmarket robustness [SCENARIO] ...     (experiments/robustness.py)
    labelmarket sweep SWEEP.toml ...          (experiments/sweep/cli.py)
    labelmarket analyze RUN_DIR ...           (experiments/analysis/cli.py)
    labelmarket viz [SCENARIO] [--port N]     (viz/serve.py)
    labelmarket test [SCENARIO|FOLDER ...]    (experiments/expect_command.py)

The other packages' subcommands are imported only when the command line may need them (help, or one of
their names), so ``run``, ``check`` and ``scenarios`` start without loading plotting and statistics
libraries.

Exit status: 0 success; 2 bad input (one message on stderr naming the file, the field and the reason, and
nothing written); 130 interrupted. User errors never print a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from labelmarket.experiments.arguments import shown, whole_number
from labelmarket.scenarios.errors import LabelmarketError, one_line
from labelmarket.scenarios.limits import MAX_WEEKS

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
OWN_COMMANDS = ("run", "check", "scenarios", "summary")
#: commands that never simulate, so never load the compiled kernels' runtime
NON_SIMULATING_COMMANDS = ("check", "scenarios", "summary")


#: (command, option that needs it or None, module, extra): a command that needs an optional dependency
#: names the extra of pyproject.toml that installs it.
EXTRAS_NEEDED = (("viz", None, "solara", "viz"), ("sweep", "scheduler", "distributed", "dask"))


class UsageError(LabelmarketError):
    """Bad command-line input that is not about a scenario file."""

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__("", "", reason, hint)


class OneLineErrors(argparse.ArgumentParser):
    """argparse, with a bad argument reported as ONE line, ``labelmarket run: error: argument --weeks: ...``,
    and exit status 2: no usage block (``--help`` shows it), and the user's text escaped, so an argument holding
    a newline or an ANSI escape cannot forge a second error line or drive the terminal. Its subcommands' parsers
    are of this class too."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


# ------------------------------------------------------------------------------------- argument types
def parse_synthetic(text: str) -> dict[str, int]:
    """``labs=N,vendors=M`` -> {"labs": N, "vendors": M}."""
    sizes: dict[str, int] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in ("labs", "vendors") or key in sizes:
            raise argparse.ArgumentTypeError(f"expected labs=N,vendors=M, got {shown(text)}")
        try:
            sizes[key] = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{key} must be a whole number, got {shown(value.strip())}") from None
        if sizes[key] < 1:
            raise argparse.ArgumentTypeError(f"{key} must be at least 1, got {sizes[key]}")
    if set(sizes) != {"labs", "vendors"}:
        raise argparse.ArgumentTypeError(f"expected labs=N,vendors=M, got {shown(text)}")
    return sizes


def parse_overrides(pairs: Sequence[str] | None) -> dict[str, Any]:
    """``["behaviour.stake_weight=2", ...]`` -> {"behaviour.stake_weight": 2.0}; values are TOML literals."""
    from labelmarket.scenarios.errors import ScenarioError
    from labelmarket.scenarios.overrides import SET_SOURCE, parse_set_value

    overrides: dict[str, Any] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(SET_SOURCE, pair, "expected KEY=VALUE", "e.g. --set behaviour.wariness_gain=4.0")
        if not value.strip():
            raise ScenarioError(SET_SOURCE, key.strip(), "missing value after '='")
        overrides[key.strip()] = parse_set_value(value.strip(), key.strip())
    return overrides


# ------------------------------------------------------------------------------------------- commands
def resolve_scenario(args: argparse.Namespace):
    """The validated scenario a ``run`` asks for: a file or bundled name, or a synthetic market; either is
    refused, with the estimate and the limit, when its run would need more memory than this machine has."""
    from labelmarket.scenarios.loader import DEFAULT_SCENARIO, load_scenario, scenario_path
    from labelmarket.scenarios.size import check_fits, scenario_memory_bytes

    overrides = parse_overrides(args.set)
    if args.synthetic is None:
        source = args.scenario or DEFAULT_SCENARIO
        scenario = load_scenario(source, overrides or None)
        check_fits(scenario_memory_bytes(scenario, args.weeks), str(scenario_path(source)),
                   f"a run of {len(scenario.labs):,} labs x {len(scenario.vendors):,} vendors")
        return scenario
    if args.scenario is not None:
        raise UsageError("give either a SCENARIO or --synthetic, not both")
    from labelmarket.scenarios.synthetic import synthetic_memory_bytes, synthetic_scenario

    labs, vendors = args.synthetic["labs"], args.synthetic["vendors"]
    check_fits(synthetic_memory_bytes(labs, vendors, args.weeks), "--synthetic",
               f"a run of {labs:,} labs x {vendors:,} vendors")
    market = synthetic_scenario(labs, vendors, 0 if args.seed is None else args.seed)
    return load_scenario(market, overrides or None)


def run_command(args: argparse.Namespace) -> int:
    from labelmarket.experiments.output_folder import staged_output_folder
    from labelmarket.experiments.run_folder import (RUN_KIND, build_manifest, default_run_dir, replay_command,
                                                    write_run_files)
    from labelmarket.experiments.summary import run_summary
    from labelmarket.model.runner import run_scenario

    if args.out is not None and not args.out:
        raise UsageError("--out: the folder name is empty")
    scenario = resolve_scenario(args)
    seed = scenario.meta.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else default_run_dir(scenario.meta.name, seed)
    extra: dict[str, Any] = {"command": shlex.join(["labelmarket", *args.argv]),
                             "overrides": parse_overrides(args.set)}
    if args.synthetic is not None:
        extra["synthetic"] = args.synthetic
    with staged_output_folder(out, RUN_KIND, args.force) as staging:
        started = time.perf_counter()
        result = run_scenario(scenario, seed=seed, weeks=args.weeks)
        wall_time_s = time.perf_counter() - started
        extra["replay"] = replay_command(out, result)
        write_run_files(staging, result, build_manifest(result, wall_time_s, extra))
        summary = run_summary(result, out)
    print(summary)
    return EXIT_OK


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def check_command(args: argparse.Namespace) -> int:
    from labelmarket.scenarios.loader import load_scenario, scenario_path

    scenario = load_scenario(args.scenario, parse_overrides(args.set) or None)
    strategic = sum(inv.kind == "strategic" for inv in scenario.investors.values())
    scheduled = len(scenario.enabled_events())
    print(f"OK {one_line(scenario_path(args.scenario))} ({scenario.meta.name}): "
          f"{count(len(scenario.labs), 'lab')}, {count(len(scenario.vendors), 'vendor')}, "
          f"{count(len(scenario.investors), 'investor')} "
          f"({strategic} strategic, {len(scenario.investors) - strategic} venture), "
          f"{count(len(scenario.events), 'event')} ({scheduled} enabled), {scenario.meta.horizon_weeks} weeks")
    return EXIT_OK


def summary_command(args: argparse.Namespace) -> int:
    """Print the summary of a run folder, as ``labelmarket run`` printed it (read from the folder alone)."""
    from labelmarket.experiments.output_kinds import MANIFEST_FILE, declared_kind
    from labelmarket.experiments.summary import folder_summary

    kind = declared_kind(args.run_dir)
    if kind != "run":
        what = f"it is a labelmarket {kind} folder" if kind else f"it has no {MANIFEST_FILE} of a run"
        raise UsageError(f"{args.run_dir}: not a run folder ({what}); "
                         "give a folder that `labelmarket run` wrote, e.g. one under runs/")
    print(folder_summary(Path(args.run_dir)))
    return EXIT_OK


def scenarios_command(args: argparse.Namespace) -> int:
    from labelmarket.scenarios.errors import ScenarioError
    from labelmarket.scenarios.loader import DEFAULT_SCENARIO, bundled_scenarios, load_scenario

    rows = []
    for name in bundled_scenarios():
        try:
            scenario = load_scenario(name)
            about = f"{scenario.meta.horizon_weeks:>4} weeks  {scenario.meta.description}"
        except ScenarioError as err:
            about = f"   (does not load: {err})"
        rows.append((name + (" (default)" if name == DEFAULT_SCENARIO else ""), about))
    width = max(len(name) for name, _ in rows)
    for name, about in rows:
        print(f"{name.ljust(width)}  {about}")
    return EXIT_OK


# --------------------------------------------------------------------------------------------- parser
def add_other_commands(commands: argparse._SubParsersAction) -> None:
    """The subcommands other packages provide, each registered by its own module."""
    from labelmarket.experiments.ablate import add_ablate_parser
    from labelmarket.experiments.analysis.cli import add_analyze_parser
    from labelmarket.experiments.expect_command import add_test_parser
    from labelmarket.experiments.robustness import add_robustness_parser
    from labelmarket.experiments.sweep.cli import add_sweep_parser
    from labelmarket.experiments.validate import add_validate_parser
    from labelmarket.viz.serve import add_viz_parser

    add_validate_parser(commands)
    add_ablate_parser(commands)
    add_robustness_parser(commands)
    add_sweep_parser(commands)
    add_analyze_parser(commands)
    add_viz_parser(commands)
    add_test_parser(commands)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``labelmarket`` parser; given ``argv`` that names one of this module's commands, the other
    packages' subcommands are left out (they are not needed to parse it)."""
    parser = OneLineErrors(
        prog="labelmarket",
        description="Agent-based simulation of the AI training-data market after an ownership shock.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser("run", help="run a scenario and write a run folder",
                              description="Run a scenario headless, write a run folder and print a summary.")
    run.add_argument("scenario", nargs="?", metavar="SCENARIO",
                     help="a bundled scenario name (see `labelmarket scenarios`) or a .toml path "
                          "(default: meta_scale_2025)")
    run.add_argument("--seed", type=whole_number(0), metavar="N", help="random seed (default: the scenario's meta.seed)")
    run.add_argument("--weeks", type=whole_number(1, MAX_WEEKS), metavar="N",
                     help=f"weeks to simulate, at most {MAX_WEEKS:,} (default: the scenario's meta.horizon_weeks)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="override a scenario field by dotted path, e.g. --set behaviour.wariness_gain=4.0 "
                          "(repeatable; values are TOML literals)")
    run.add_argument("--out", metavar="DIR", help="run folder (default: runs/<scenario>-seed<N>-<UTC time>)")
    run.add_argument("--force", action="store_true",
                     help="use an existing --out if it is empty or an earlier run folder (which is replaced); "
                          "nothing else is ever replaced")
    run.add_argument("--synthetic", type=parse_synthetic, metavar="labs=N,vendors=M",
                     help="run a generated market of this size instead of a scenario file")
    run.set_defaults(handler=run_command)

    check = commands.add_parser("check", help="validate a scenario file",
                                description="Validate a scenario file (with any --set overrides) and count it.")
    check.add_argument("scenario", metavar="SCENARIO", help="a bundled scenario name or a .toml path")
    check.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a field by dotted path")
    check.set_defaults(handler=check_command)

    listing = commands.add_parser("scenarios", help="list the bundled scenarios",
                                  description="List the bundled scenarios with their descriptions.")
    listing.set_defaults(handler=scenarios_command)

    summary = commands.add_parser("summary", help="print the summary of a run folder",
                                  description="Print a run's summary from its run folder alone, as `labelmarket "
                                              "run` printed it.")
    summary.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by `labelmarket run`")
    summary.set_defaults(handler=summary_command)

    if not argv or argv[0] not in OWN_COMMANDS:
        add_other_commands(commands)
    return parser


def preload_runtime(argv: Sequence[str]) -> None:
    """Import numba (and its LLVM runtime, a C extension) for a command that simulates.

    ``labelmarket.__main__`` calls this while Ctrl-C is only noted: a KeyboardInterrupt raised inside a C
    extension's start-up code can make Python kill itself with SIGINT instead of exiting 130 with one line.
    """
    if not argv or argv[0] not in NON_SIMULATING_COMMANDS:
        importlib.import_module("numba")


def require_extras(args: argparse.Namespace) -> None:
    """Refuse, naming the extra to install, a command that needs an optional dependency this install lacks."""
    for command, option, module, extra in EXTRAS_NEEDED:
        if args.command != command or (option is not None and not getattr(args, option, None)):
            continue
        try:
            importlib.import_module(module)
        except ImportError:
            what = f"labelmarket {command}" + (f" --{option}" if option else "")
            raise UsageError(f"{what} needs the optional package '{module}', which is not installed",
                             f"install it with: pip install 'labelmarket[{extra}]'") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``labelmarket`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    args.argv = argv
    try:
        require_extras(args)
        return int(args.handler(args))
    except LabelmarketError as err:
        print(f"labelmarket {args.command}: error: {one_line(str(err))}", file=sys.stderr)
    except BrokenPipeError:  # `labelmarket run | head`: the reader left; the run folder is complete
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        note = " (no run folder was written)" if args.command == "run" else ""
        print(f"labelmarket {args.command}: interrupted{note}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
