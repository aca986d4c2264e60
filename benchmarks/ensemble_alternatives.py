"""Benchmark 6: three ways to do many runs' work in one pass, measured on the real rule that costs most.

The rule is the labs' diversified split (``labelmarket.agents.choice._entropic_quadratic_split``), the largest
item of a run's profile before it was compiled (D70, D74). Its real inputs are captured from a batch of
default-scenario runs (every week's block of reviewing labs, one block per run and week), then solved three
ways, interleaved, in this process:

- ``per_run``: the numpy form of the split the model used until D74 (kept here, as ``numpy_split``, for this
  comparison only), once per run and week;
- ``run_axis``: one numpy pass per week over the blocks of every run stacked along a leading run axis; each run
  keeps its own Newton convergence test (a run that has converged stops moving), so every run's numbers are
  those ``per_run`` gives it alone, bit for bit; runs are stacked only with runs of the same vendor count,
  because numpy's row sums group their terms by the row's length;
- ``compiled``: the model's split, a numba kernel (D74), once per run and week; its first call (compiling, or
  loading numba's cache) is timed apart. Its ``exp`` and ``log`` are not numpy's (numpy has its own vectorised
  ones) and its sums run in the written order, so its numbers differ from ``per_run``'s in the last bits; the
  largest difference is reported.

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

Block = tuple[np.ndarray, np.ndarray, np.ndarray]  # logit, allowed, k (one a row) of one run's week


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
                by_week[model.week + 1].append((logit.copy(), allowed.copy(), k.copy()))
                return solve(logit, allowed, k)

            choice._entropic_quadratic_split = capture
            model.run()
    finally:
        choice._entropic_quadratic_split = solve
    return by_week


def per_run(by_week: dict[int, list[Block]]) -> list[np.ndarray]:
    return [numpy_split(*block) for blocks in by_week.values() for block in blocks]


def compiled(by_week: dict[int, list[Block]]) -> list[np.ndarray]:
    return [choice._entropic_quadratic_split(*block) for blocks in by_week.values() for block in blocks]


def numpy_split(logit: np.ndarray, allowed: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The split in numpy calls, as the model computed it until D74 (same algorithm and convergence rule as
    the compiled kernel): one Newton step is a few whole-block numpy calls, and the block's largest step or
    gap decides when to stop."""
    k = np.asarray(k, dtype=float).reshape(-1, 1)
    base = np.where(allowed, logit - 1.0 + np.log(k), choice.SENTINEL_LOGIT)
    top = np.maximum.reduce(np.where(allowed, logit, -np.inf), axis=1, keepdims=True)
    mu = top + np.log(np.add.reduce(np.exp(np.where(allowed, logit - top, -np.inf)), axis=1, keepdims=True)) - 1.0
    u = None  # the first solve starts cold
    for _ in range(choice.OUTER_NEWTON_STEPS):
        u = _numpy_log_y(base - mu, u)  # warm start: mu moves little between outer steps
        y = np.where(allowed, np.exp(u), 0.0)
        gap = np.add.reduce(y, axis=1, keepdims=True) / k - 1.0
        slope = -np.add.reduce(y / (1.0 + y), axis=1, keepdims=True) / k
        mu = mu - gap / slope
        if np.maximum.reduce(np.abs(gap), axis=None) < 1e-13:
            break
    t = np.where(allowed, np.exp(_numpy_log_y(base - mu, u)), 0.0)
    return t / np.add.reduce(t, axis=1, keepdims=True)


def _log_y_start(level: np.ndarray) -> np.ndarray:
    """A start for u = ln y right of the root of y + ln y = level: ln(level) above 1, else level."""
    return np.where(level > 1.0, np.log(np.maximum(level, 1.0)), level)


def _numpy_log_y(level: np.ndarray, u: np.ndarray | None) -> np.ndarray:
    """u = ln y with y + ln y = level by Newton's method, in place on two buffers, until no element moves by
    more than NEWTON_TOLERANCE; warm-started from ``u`` where it lies right of the new root."""
    cold = _log_y_start(level)
    if u is None:
        u = cold
    else:
        u = np.where(np.exp(np.minimum(u, 700.0)) + u - level >= 0.0, np.minimum(u, cold), cold)
    eu, step = np.empty_like(u), np.empty_like(u)
    for _ in range(choice.INNER_NEWTON_STEPS):
        np.exp(u, out=eu)
        np.add(eu, u, out=step)
        step -= level
        eu += 1.0
        step /= eu      # step = (e^u + u - level) / (e^u + 1)
        u -= step
        if np.maximum.reduce(np.abs(step, out=step), axis=None) < choice.NEWTON_TOLERANCE:
            break
    return u


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
    """numpy_split over rows of several runs; ``run`` names each row's run (contiguous).
    The same elementwise arithmetic, with each run's convergence tests taken over its own rows."""
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    k = k.reshape(-1, 1)
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
    """_numpy_log_y on the rows ``rows`` (others keep ``u``), each run stopping on its own test."""
    cold = _log_y_start(level)
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


def compare(runs: int = 32, repeats: int = 5) -> dict[str, Any]:
    by_week = capture_blocks(runs)
    blocks = sum(len(b) for b in by_week.values())
    reference = per_run(by_week)
    stacked = run_axis(by_week)
    identical = all(np.array_equal(a, b) for a, b in zip(reference, stacked))
    timings: dict[str, list[float]] = {"per_run": [], "run_axis": [], "compiled": []}
    result: dict[str, Any] = {"scenario": SCENARIO, "runs": runs, "weeks": len(by_week), "blocks": blocks,
                              "run_axis_bit_identical": identical}
    solved = compiled(by_week)  # the kernel was compiled (or loaded) while the blocks were captured
    result.update(
        compiled_max_abs_diff=max(float(np.max(np.abs(a - b))) for a, b in zip(reference, solved)),
        compiled_max_rel_diff=max(float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300)))
                                  for a, b in zip(reference, solved)),
        compiled_bit_identical=all(np.array_equal(a, b) for a, b in zip(reference, solved)))
    for _ in range(repeats):
        for name, action in (("per_run", per_run), ("run_axis", run_axis), ("compiled", compiled)):
            start = time.process_time()
            action(by_week)
            timings[name].append(time.process_time() - start)
    medians = {name: statistics.median(t) for name, t in timings.items() if t}
    result.update({f"{name}_ms_per_run": 1e3 * t / runs for name, t in medians.items()})
    result.update({f"{name}_speedup": medians["per_run"] / t for name, t in medians.items() if name != "per_run"})
    return result


if __name__ == "__main__":
    print(json.dumps(compare(int(sys.argv[1]) if len(sys.argv) > 1 else 32)))
