"""Profile one run and print where the time goes (the source of the findings in benchmarks/README.md).

    python -m labelmarket.benchmarks.profile --labs 1000 --vendors 200 --weeks 104      # a synthetic market
    python -m labelmarket.benchmarks.profile --scenario meta_scale_2025 --runs 10        # the default scenario
    python -m labelmarket.benchmarks.profile --labs 3000 --vendors 300 --tool pyinstrument

``cprofile`` (the default) counts process CPU time, so other processes sharing the cores do not distort the
shares; it lists the functions with the most time spent in their own code. ``pyinstrument`` prints the call
tree by wall time. Only the weekly loop is profiled, not building the model.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time


def build_models(args: argparse.Namespace) -> list:
    from labelmarket.model.market_model import MarketModel

    if args.scenario:
        from labelmarket.scenarios.loader import load_scenario

        scenario = load_scenario(args.scenario)
    else:
        from labelmarket.scenarios.synthetic import synthetic_scenario

        scenario = synthetic_scenario(args.labs, args.vendors, args.seed)
    return [MarketModel(scenario, rng=args.seed + r, weeks=args.weeks) for r in range(args.runs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labelmarket.benchmarks.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", help="a bundled scenario or .toml path (instead of a synthetic market)")
    parser.add_argument("--labs", type=int, default=1000)
    parser.add_argument("--vendors", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=None, help="default: the scenario's horizon")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="profile this many runs back to back")
    parser.add_argument("--top", type=int, default=20, help="functions to list")
    parser.add_argument("--tool", choices=["cprofile", "pyinstrument"], default="cprofile")
    args = parser.parse_args(argv)

    models = build_models(args)
    if args.tool == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for model in models:
            model.run()
        profiler.stop()
        print(profiler.output_text(show_all=False))
        return 0
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for model in models:
        model.run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue().replace(str(__import__("pathlib").Path.cwd()) + "/", ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
