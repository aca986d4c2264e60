"""Benchmark 6: three ways to do many runs' work in one pass, measured on the real rule that costs most.

The rule is the labs' diversified split (``labelmarket.agents.choice._entropic_quadratic_split``), the largest
item of a run's profile. Its real inputs are captured from a batch of default-scenario runs (every week's block
of reviewing labs, one block per run and week), then solved three ways, interleaved, in this process:

- ``per_run``: the model's own code, once per run and week (what a batch of runs costs today);
- ``run_axis``: one numpy pass per week over the blocks of every run stacked along a leading run axis; each run
  keeps its own Newton convergence test (a run that has converged stops moving), so every run's numbers are
  those it gets alone, bit for bit; runs are stacked only with runs of the same vendor count, because numpy's
  row sums group their terms by the row's length;
- ``compiled``: a numba kernel of the same rule that loops over runs, rows and vendors in one call (its first,
  compiling call timed apart). Its ``exp`` and ``log`` are not numpy's (numpy has its own vectorised ones), so
  its numbers differ in the last bits; the largest difference is reported.

``python -m labelmarket.benchmarks.ensemble_alternatives [RUNS]`` prints one JSON line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

import numpy as np

from labelmarket.agents import choice

SCENARIO = "meta_scale_2025"

Block = tuple[np.ndarray, np.ndarray, np.ndarray]  # logit, allowed, k of one run's week


def capture_blocks(runs: int) -> dict[int, list[Block]]:
    """Week -> the split's inputs of every run that week (seeds 1..runs of the default scenario)."""
    from labelmarket.model.market_model import MarketModel
    from labelmarket.scenarios.loader import load_scenario

    scenario = load_scenario(SCENARIO)
    by_week: dict[int, list[Block]] = defaultdict(list)
    solve = choice._entropic_quadratic_split
    try:
        for seed in range(1, runs + 1):
            model = MarketModel(scenario, rng=seed, record="market")

            def capture(logit, allowed, k, model=model):
                by_week[model.week + 1].append((logit.copy(), allowed.copy(), np.array(k, dtype=float)))
                return solve(logit, allowed, k)

            choice._entropic_quadratic_split = capture
            model.run()
    finally:
        choice._entropic_quadratic_split = solve
    return by_week


def per_run(by_week: dict[int, list[Block]]) -> list[np.ndarray]:
    return [choice._entropic_quadratic_split(*block) for blocks in by_week.values() for block in blocks]


def run_axis(by_week: dict[int, list[Block]]) -> list[np.ndarray]:
    """Every week, the blocks of runs with the same vendor count solved in one stacked pass."""
    out: dict[tuple[int, int], np.ndarray] = {}
    for week, blocks in by_week.items():
        groups: dict[int, list[int]] = defaultdict(list)
        for n, (logit, _, _) in enumerate(blocks):
            groups[logit.shape[1]].append(n)
        for members in groups.values():
            parts = [blocks[n] for n in members]
            sizes = [p[0].shape[0] for p in parts]
            solved = _stacked_split(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                                    np.concatenate([p[2] for p in parts]), np.repeat(np.arange(len(parts)), sizes))
            for n, piece in zip(members, np.split(solved, np.cumsum(sizes)[:-1])):
                out[week, n] = piece
    return [out[week, n] for week, blocks in by_week.items() for n in range(len(blocks))]


def _stacked_split(logit: np.ndarray, allowed: np.ndarray, k: np.ndarray, run: np.ndarray) -> np.ndarray:
    """choice._entropic_quadratic_split over rows of several runs; ``run`` names each row's run (contiguous).
    The same elementwise arithmetic, with each run's convergence tests taken over its own rows."""
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    base = np.where(allowed, logit - 1.0 + np.log(k), choice.SENTINEL_LOGIT)
    top = np.maximum.reduce(np.where(allowed, logit, -np.inf), axis=1, keepdims=True)
    mu = top + np.log(np.add.reduce(np.exp(np.where(allowed, logit - top, -np.inf)), axis=1, keepdims=True)) - 1.0
    live = np.ones(len(starts), dtype=bool)  # runs still iterating the outer Newton
    u = None
    for _ in range(choice.OUTER_NEWTON_STEPS):
        rows = live[run]
        u = _stacked_log_y(base - mu, u, rows, run, starts)
        y = np.where(allowed, np.exp(u), 0.0)
        gap = np.add.reduce(y, axis=1, keepdims=True) / k - 1.0
        slope = -np.add.reduce(y / (1.0 + y), axis=1, keepdims=True) / k
        mu = np.where(rows[:, None], mu - gap / slope, mu)
        live &= ~(np.maximum.reduceat(np.abs(gap)[:, 0], starts) < 1e-13)
        if not live.any():
            break
    t = np.where(allowed, np.exp(_stacked_log_y(base - mu, u, np.ones(len(run), dtype=bool), run, starts)), 0.0)
    return t / np.add.reduce(t, axis=1, keepdims=True)


def _stacked_log_y(level: np.ndarray, u: np.ndarray | None, rows: np.ndarray, run: np.ndarray,
                   starts: np.ndarray) -> np.ndarray:
    """choice._solve_log_y on the rows ``rows`` (others keep ``u``), each run stopping on its own test."""
    cold = choice._log_y_start(level)
    if u is None:
        new = cold
    else:
        new = np.where(np.exp(np.minimum(u, 700.0)) + u - level >= 0.0, np.minimum(u, cold), cold)
        new = np.where(rows[:, None], new, u)
    live = np.zeros(len(starts), dtype=bool)
    live[run[rows]] = True
    for _ in range(choice.INNER_NEWTON_STEPS):
        moving = live[run][:, None]
        eu = np.exp(new)
        step = (eu + new - level) / (eu + 1.0)
        new = np.where(moving, new - step, new)
        live &= ~(np.maximum.reduceat(np.maximum.reduce(np.abs(step), axis=1), starts) < choice.NEWTON_TOLERANCE)
        if not live.any():
            break
    return new


def compiled_kernel():
    """The numba kernel of the split (compiled on first call); None when numba is not installed."""
    try:
        from numba import njit
    except ImportError:
        return None

    @njit(cache=False)
    def solve_log_y(base, mu, allowed, u, warm):  # pragma: no cover - compiled
        n, m = base.shape
        for i in range(n):
            for j in range(m):
                level = base[i, j] - mu[i]
                cold = np.log(level) if level > 1.0 else level
                if warm and np.exp(min(u[i, j], 700.0)) + u[i, j] - level >= 0.0:
                    u[i, j] = min(u[i, j], cold)
                else:
                    u[i, j] = cold
        for _ in range(12):
            worst = 0.0
            for i in range(n):
                for j in range(m):
                    e = np.exp(u[i, j])
                    step = (e + u[i, j] - (base[i, j] - mu[i])) / (e + 1.0)
                    u[i, j] -= step
                    worst = max(worst, abs(step))
            if worst < 1e-13:
                break

    @njit(cache=False)
    def split(logit, allowed, k):  # pragma: no cover - compiled
        n, m = logit.shape
        base = np.empty((n, m))
        mu = np.empty(n)
        for i in range(n):
            top = -np.inf
            for j in range(m):
                if allowed[i, j] and logit[i, j] > top:
                    top = logit[i, j]
            total = 0.0
            for j in range(m):
                base[i, j] = logit[i, j] - 1.0 + np.log(k[i, 0]) if allowed[i, j] else -50.0
                if allowed[i, j]:
                    total += np.exp(logit[i, j] - top)
            mu[i] = top + np.log(total) - 1.0
        u = np.empty((n, m))
        solve_log_y(base, mu, allowed, u, False)
        for _ in range(60):
            gap_worst = 0.0
            for i in range(n):
                s, d = 0.0, 0.0
                for j in range(m):
                    if allowed[i, j]:
                        y = np.exp(u[i, j])
                        s += y
                        d += y / (1.0 + y)
                gap = s / k[i, 0] - 1.0
                mu[i] -= gap / (-d / k[i, 0])
                gap_worst = max(gap_worst, abs(gap))
            if gap_worst < 1e-13:
                break
            solve_log_y(base, mu, allowed, u, True)
        solve_log_y(base, mu, allowed, u, True)
        out = np.zeros((n, m))
        for i in range(n):
            total = 0.0
            for j in range(m):
                if allowed[i, j]:
                    out[i, j] = np.exp(u[i, j])
                    total += out[i, j]
            for j in range(m):
                out[i, j] /= total
        return out

    return split


def compare(runs: int = 32, repeats: int = 5) -> dict[str, Any]:
    by_week = capture_blocks(runs)
    blocks = sum(len(b) for b in by_week.values())
    reference = per_run(by_week)
    stacked = run_axis(by_week)
    identical = all(np.array_equal(a, b) for a, b in zip(reference, stacked))
    kernel = compiled_kernel()
    timings: dict[str, list[float]] = {"per_run": [], "run_axis": [], "compiled": []}
    result: dict[str, Any] = {"scenario": SCENARIO, "runs": runs, "weeks": len(by_week), "blocks": blocks,
                              "run_axis_bit_identical": identical}
    if kernel is not None:
        start = time.perf_counter()
        kernel(*by_week[next(iter(by_week))][0])
        result["compiled_first_call_s"] = time.perf_counter() - start
        solved = [kernel(*block) for blocks_ in by_week.values() for block in blocks_]
        diff = max(float(np.max(np.abs(a - b))) for a, b in zip(reference, solved))
        rel = max(float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300))) for a, b in zip(reference, solved))
        result.update(compiled_max_abs_diff=diff, compiled_max_rel_diff=rel,
                      compiled_bit_identical=all(np.array_equal(a, b) for a, b in zip(reference, solved)))
    for _ in range(repeats):
        for name, action in (("per_run", lambda: per_run(by_week)), ("run_axis", lambda: run_axis(by_week)),
                             ("compiled", (lambda: [kernel(*b) for bs in by_week.values() for b in bs])
                              if kernel else None)):
            if action is None:
                continue
            start = time.process_time()
            action()
            timings[name].append(time.process_time() - start)
    medians = {name: statistics.median(t) for name, t in timings.items() if t}
    result.update({f"{name}_ms_per_run": 1e3 * t / runs for name, t in medians.items()})
    result.update({f"{name}_speedup": medians["per_run"] / t for name, t in medians.items() if name != "per_run"})
    return result


if __name__ == "__main__":
    print(json.dumps(compare(int(sys.argv[1]) if len(sys.argv) > 1 else 32)))
