"""``python -m labelmarket.benchmarks``: run the performance suite, print one table, write benchmarks/results.json.

Options: ``--quick`` (smaller sizes and fewer repeats, for a smoke check; no 10,000 x 1,000 run and no
1,024-run Sobol sweep), ``--skip NAME`` (single, scaling, side_by_side, sweep, ensembles, alternatives, browser;
repeatable), ``--out PATH``. The full suite takes about eight minutes on 2 cores.

The targets are issue 14's table (the ensemble engine), then the budgets of issue 11 that it does not restate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
from pathlib import Path
from typing import Any

from labelmarket.benchmarks import (dashboard_click, ensemble_alternatives, ensembles, scaling, side_by_side,
                                    single_run, sweep)
from labelmarket.benchmarks.measure import git_commit, machine, write_json_atomically

RESULTS = Path(__file__).resolve().parent / "results.json"
QUICK_SIZES = [(10, 10), (100, 30), (300, 100), (1000, 100)]
TARGETS = {  # name: (what, limit, unit, pass when value <= limit ("max") or >= limit ("min"))
    # issue 14, in the order of its table
    "batched_runs_per_core_s": ("default scenario, runs/s per core, market-level, batched", 340.0, "runs/s", "min"),
    "validate_30_seeds_s": ("labelmarket validate --seeds 30, simulations, 2 cores", 0.6, "s", "max"),
    "sobol_1024_s": ("1,024-run Sobol (experiments/sobol_shock.toml), 2 cores", 4.0, "s", "max"),
    "ratio_vs_boltzmann": ("lab-steps/s at 1000x100 / Boltzmann agent-steps/s", 2.0, "x", "min"),
    "run_10000x1000x52_s": ("10,000 x 1,000 x 52 weeks, run", 12.0, "s", "max"),
    "peak_10000x1000x52_mb": ("10,000 x 1,000 x 52 weeks, peak memory", 4096.0, "MB", "max"),
    "default_run_ms": ("one default run, alone, in-process (build+run)", 20.0, "ms", "max"),
    "dashboard_step_ms": ("dashboard Step, click to updated view (browser test)", 160.0, "ms", "max"),
    # issue 11 budgets not restated above
    "default_run_budget_ms": ("default run, issue 11 budget (build+run)", 100.0, "ms", "max"),
    "run_1000x200x104_s": ("1000 labs x 200 vendors x 104 weeks, run", 2.0, "s", "max"),
    "slope": ("log-log slope, time/week vs labs x vendors", 1.1, "", "max"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labelmarket.benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats (a smoke check)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["single", "scaling", "side_by_side", "sweep", "ensembles", "alternatives", "browser"],
                        help="leave a benchmark out")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    results: dict[str, Any] = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               "commit": git_commit(), "quick": args.quick, "machine": machine()}
    figures: dict[str, float] = {}
    if "single" not in args.skip:
        print("1. default scenario ...", flush=True)
        results["single_run"] = {**single_run.in_process(5 if args.quick else 20),
                                 **single_run.process(2 if args.quick else 5),
                                 "split_compile": single_run.split_compile(),
                                 "dashboard": single_run.dashboard_step(10 if args.quick else 20)}
        figures["default_run_ms"] = figures["default_run_budget_ms"] = results["single_run"]["build_run_ms"]
    if "scaling" not in args.skip:
        print("2. scaling (one process per size) ...", flush=True)
        results["scaling"] = scaling.sweep_sizes(QUICK_SIZES if args.quick else scaling.SIZES,
                                                 weeks=26 if args.quick else scaling.WEEKS)
        target = scaling.target_run(repeats=1 if args.quick else 3)
        results["scaling"]["target_1000x200x104"] = target
        figures["run_1000x200x104_s"] = target["run_s"]
        figures["slope"] = results["scaling"]["slope"]
        largest = [r for r in results["scaling"]["rows"] if r["cells"] == 10_000_000]
        if largest:
            figures["peak_10000x1000x52_mb"] = largest[0]["peak_rss_mb"]
            figures["run_10000x1000x52_s"] = largest[0]["run_s"]
    if "side_by_side" not in args.skip:
        print("3. side by side with Mesa's Boltzmann wealth example ...", flush=True)
        results["side_by_side"] = side_by_side.compare(repeats=2 if args.quick else 5)
        figures["ratio_vs_boltzmann"] = results["side_by_side"]["ratio"]
    if "sweep" not in args.skip:
        print("4. sweep throughput ...", flush=True)
        results["sweep"] = sweep.throughput(quick=args.quick)
    if "ensembles" not in args.skip:
        print("5. ensembles: a batch of default runs, validate --seeds 30, the 1,024-run Sobol sweep ...", flush=True)
        results["ensembles"] = {"batched": ensembles.batched(16 if args.quick else 64, 1 if args.quick else 3),
                                "validate": ensembles.validate(5 if args.quick else 30)}
        figures["batched_runs_per_core_s"] = results["ensembles"]["batched"]["runs_per_cpu_s"]
        if not args.quick:
            figures["validate_30_seeds_s"] = results["ensembles"]["validate"]["wall_s"]
            results["ensembles"]["sobol"] = ensembles.sobol()
            figures["sobol_1024_s"] = results["ensembles"]["sobol"]["wall_s"]
    if "alternatives" not in args.skip:
        print("6. many runs in one pass: per run, run axis, compiled kernel (the labs' split) ...", flush=True)
        results["alternatives"] = ensemble_alternatives.compare(16 if args.quick else 64, 3)
    if "browser" not in args.skip:
        print("7. dashboard Step in a real browser, click to updated view ...", flush=True)
        results["dashboard_click"] = dashboard_click.step_click()
        figures["dashboard_step_ms"] = results["dashboard_click"].get("step_median_ms", math.nan)
    results["targets"] = {name: target_row(name, figures.get(name)) for name in TARGETS}
    results["machine"]["load_average_after"] = [round(x, 2) for x in __import__("os").getloadavg()]
    results["suite_s"] = time.perf_counter() - started
    write_json_atomically(args.out, results)
    print()
    print(table(results))
    print(f"\nsuite took {results['suite_s']:.0f} s; results written to {args.out}")
    return 0


def target_row(name: str, value: float | None) -> dict[str, Any]:
    what, limit, unit, sense = TARGETS[name]
    met = None if value is None or math.isnan(value) else (value <= limit if sense == "max" else value >= limit)
    return {"what": what, "value": value, "limit": limit, "unit": unit, "sense": sense, "met": met}


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, "
             f"numpy {m['numpy']}, Mesa {m['mesa']}; load {m['load_average']} -> {m['load_average_after']}",
             f"commit {results['commit']}"]
    if "single_run" in results:
        s = results["single_run"]
        lines += ["", f"1. default scenario ({s['scenario']}, {s['weeks']} weeks), medians of {s['repeats']}",
                  f"   load_scenario {s['load_scenario_ms']:8.1f} ms   (TOML + validation, excluded below)",
                  f"   build+run     {s['build_run_ms']:8.1f} ms",
                  f"   run only      {s['run_only_ms']:8.1f} ms   (CPU {s['run_only_cpu_ms']:.1f} ms)",
                  f"   frames        {s['frames_ms']:8.1f} ms",
                  f"   run_scenario  {s['run_scenario_ms']:8.1f} ms   (build + run + frames)",
                  f"   process       {1e3 * s['process_s']:8.1f} ms   ({s['command']}, start to finish)",
                  f"   dashboard Step, server side {s['dashboard']['server_step_ms']:.1f} ms (two markets' week and "
                  "the views' readings; click to view is the browser test's)"]
        if "split_compile" in s:
            c = s["split_compile"]
            lines.append(f"   compiled split, first call: {c['compile_first_call_ms']:.0f} ms compiling, "
                         f"{c['cache_first_call_ms']:.1f} ms from numba's cache; warm call {c['warm_call_us']:.1f} us; "
                         f"import numba {c['import_numba_ms']:.0f} ms")
    if "scaling" in results:
        sc = results["scaling"]
        lines += ["", f"2. scaling, synthetic markets, {sc['weeks']} weeks (run only; one process per size)",
                  "   labs x vendors      cells  ms/week  CPU ms/wk  ns/cell-wk  lab-steps/s  peak MB  gen+build s"]
        for r in sc["rows"]:
            lines.append(f"   {r['labs']:>6} x {r['vendors']:<5} {r['cells']:>11,} {r['ms_per_week']:8.2f} "
                         f"{r['cpu_ms_per_week']:10.2f} {r['ns_per_cell_week']:11.1f} {r['lab_steps_per_s']:12,.0f} "
                         f"{r['peak_rss_mb']:8.0f} {r['build_s'] + r['generate_s']:12.2f}")
        t = sc["target_1000x200x104"]
        lines += [f"   log-log slope (cells >= {sc['slope_min_cells']:,}): {sc['slope']:.3f} wall, "
                  f"{sc['slope_cpu']:.3f} CPU; all sizes: {sc['slope_all_sizes']:.3f}",
                  f"   1000 x 200 x 104 weeks: run {t['run_s']:.2f} s (CPU {t['cpu_s']:.2f} s), build "
                  f"{t['build_s']:.2f} s (median of {t['repeats']})"]
    if "side_by_side" in results:
        b = results["side_by_side"]
        lines += ["", "3. side by side (same process, interleaved, medians of "
                      f"{b['repeats']})",
                  f"   Mesa BoltzmannWealth 1,000 agents x 100 steps: {b['boltzmann']['agent_steps_per_s']:>10,.0f} "
                  "agent-steps/s",
                  f"   labelmarket 1,000 labs x 100 vendors x 104 wk:  {b['labelmarket']['lab_steps_per_s']:>10,.0f} "
                  f"lab-steps/s ({b['labelmarket']['cell_steps_per_s']:,.0f} lab-vendor cells/s)",
                  f"   ratio ours / Boltzmann: {b['ratio']:.2f} wall, {b['ratio_cpu']:.2f} CPU time"]
    if "sweep" in results:
        sw = results["sweep"]
        figures_ = sw.get("result") or {}
        body = (figures_.get("summary") if isinstance(figures_, dict) and "summary" in figures_
                else json.dumps(figures_, default=str)[:300]) if sw["status"] == "ok" else sw["note"]
        lines += ["", f"4. sweep throughput: {sw['status']}: {body}"]
    if "ensembles" in results:
        e = results["ensembles"]
        b = e["batched"]
        lines += ["", f"5. ensembles ({b['runs']} default runs a batch, medians of {b['repeats']})",
                  f"   batched, market level: {b['runs_per_cpu_s']:6.1f} runs/s per core (CPU), "
                  f"{b['runs_per_wall_s']:.1f} wall",
                  f"   one by one, all frames: {b['one_by_one_full_frames_runs_per_cpu_s']:6.1f} runs/s per core "
                  f"(CPU), {b['one_by_one_full_frames_runs_per_wall_s']:.1f} wall; "
                  f"batched / one by one: {b['speedup_cpu']:.2f}x",
                  f"   validate --seeds {e['validate']['seeds']}: {e['validate']['runs']} runs in "
                  f"{e['validate']['wall_s']:.1f} s on {e['validate']['workers']} workers"]
        if "sobol" in e:
            lines.append(f"   Sobol sweep, {e['sobol']['runs']} runs: {e['sobol']['wall_s']:.1f} s on "
                         f"{e['sobol']['workers']} workers (whole process)")
    if "alternatives" in results:
        a = results["alternatives"]
        compiled = (f"compiled (the model's) {a['compiled_ms_per_run']:.2f} ms ({a['compiled_speedup']:.1f}x, max "
                    f"difference {a['compiled_max_abs_diff']:.1e})")
        lines += ["", f"6. the labs' split over {a['runs']} runs x {a['weeks']} weeks, ms per run (CPU)",
                  f"   per run (numpy) {a['per_run_ms_per_run']:.2f} ms; run axis {a['run_axis_ms_per_run']:.2f} ms "
                  f"({a['run_axis_speedup']:.1f}x, bit-identical: {a['run_axis_bit_identical']}); {compiled}"]
    if "dashboard_click" in results:
        d = results["dashboard_click"]
        lines += ["", "7. dashboard Step in a real browser (tests/browser/test_browser_speed.py)",
                  f"   could not measure: {d['error']}" if "error" in d else
                  f"   click to updated view: median {d['step_median_ms']} ms, max {d['step_max_ms']} ms over 20 "
                  f"Steps; Play {d['play_weeks_per_s']} weeks/s; load per core {d['load_per_core']}"]
    lines += ["", "targets"]
    for name, t in results["targets"].items():
        value = "n/a" if t["value"] is None else f"{t['value']:,.3g} {t['unit']}".strip()
        verdict = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        bound = "<=" if t["sense"] == "max" else ">="
        lines.append(f"   {t['what']:<58} {value:>12}  ({bound} {t['limit']:g} {t['unit']})  {verdict}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
