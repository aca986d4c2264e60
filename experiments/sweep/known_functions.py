"""Run functions with known behaviour, to check the sweep machinery and the analysis without the full model.

Point a sweep file at one with ``run_function = "labelmarket.experiments.sweep.known_functions:ishigami"``.

- :func:`ishigami`: the Ishigami–Homma (1990) function, whose Sobol indices are known in closed form;
- :func:`toy_market`: a seeded stand-in with the model's weekly market frame, for the outputs and fan charts;
- :func:`linear`: y = 4·x1 − 2·x2 + 0·x3, whose Morris μ* are (4, 2, 0)·range and σ are 0;
- :func:`fragile`: fails for some parameters, to exercise failure handling.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd

from labelmarket.experiments.sweep.outputs import WEEKLY_KEY, summarise_run
from labelmarket.experiments.sweep.spec import MARKET_METRICS, Outputs

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, Any]:
    """Analytic Sobol indices of the Ishigami function on [-π, π]³ (Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    return {
        "S1": [v1 / variance, v2 / variance, 0.0],
        "ST": [(v1 + v13) / variance, v2 / variance, v13 / variance],
        "S2": {("x1", "x3"): v13 / variance, ("x1", "x2"): 0.0, ("x2", "x3"): 0.0},
    }


def ishigami(params: dict[str, Any], seed: int) -> dict[str, float]:
    """y = sin x1 + a sin² x2 + b x3⁴ sin x1, for parameters whose last path part is x1, x2, x3.

    Deterministic. With a parameter named ``noise``, ``y_noisy`` adds ``noise`` × N(0, 1) drawn from the seed.
    """
    x = {path.rsplit(".", 1)[-1]: float(value) for path, value in params.items()}
    x1, x2, x3 = x["x1"], x["x2"], x["x3"]
    y = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)
    if "noise" not in x:
        return {"y": y}
    return {"y": y, "y_noisy": y + x["noise"] * float(np.random.default_rng(seed).standard_normal())}


def toy_market(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """A seeded stand-in for a labelmarket run: 60 weeks, shock at week 10, three vendors.

    ``params`` may set ``events.shock.stake`` (0–1, default 0.49), ``behaviour.wariness_gain`` (0–1, default
    0.5) and ``toy.delay_s`` (sleep per run, default 0). Returns the sweep outputs and the weekly market frame.
    """
    stake = float(params.get("events.shock.stake", 0.49))
    wariness = float(params.get("behaviour.wariness_gain", 0.5))
    delay = float(params.get("toy.delay_s", 0.0))
    if delay:
        time.sleep(delay)
    rng = np.random.default_rng(seed)
    weeks = np.arange(61)
    reference_week = 10
    after = np.clip(weeks - reference_week, 0, None)
    speed = 0.02 + 0.15 * stake * (0.5 + wariness)
    big = 0.55 * np.exp(-speed * after) + 0.12 + 0.01 * rng.standard_normal(weeks.size).cumsum() / 10
    big = np.clip(big, 0.05, 0.95)
    second = (1 - big) * 0.6
    third = 1 - big - second
    shares = np.stack([big, second, third], axis=1)
    hhi = 10_000 * (shares**2).sum(axis=1)
    unmet = 40 * stake * np.exp(-((after - 6) ** 2) / 20) * (after > 0) + np.abs(rng.normal(0, 1, weeks.size))
    market = pd.DataFrame({
        "week": weeks,
        "hhi": hhi,
        "cr1": shares.max(axis=1),
        "cr4": np.ones(weeks.size),
        "effective_vendors": 10_000 / hhi,
        "active_vendors": np.full(weeks.size, 3),
        "entropy": -(shares * np.log(shares)).sum(axis=1),
        "switched_musd": np.diff(big, prepend=big[0]).clip(max=0) * -1000,
        "unmet_musd": unmet,
        "vc_committed_musd": 5 * stake * (after > 0) * rng.random(weeks.size),
        "entrants": (rng.random(weeks.size) < 0.05 * stake).astype(int),
    })
    names = ["Big", "Second", "Third"]
    vendors = pd.DataFrame({
        "week": np.repeat(weeks, 3),
        "vendor": np.tile(names, weeks.size),
        "share": shares.ravel(),
    })
    outputs = Outputs(final_week=list(MARKET_METRICS), share_weeks=[26, 50], weekly_market=True)
    record = summarise_run(market, vendors, reference_week=reference_week, outputs=outputs, share_vendor="Big")
    record[WEEKLY_KEY] = market[["week", *MARKET_METRICS]]
    return record


#: The weeks the toy observes after the shock (60 − 10), declared so the analysis treats ``hhi_below_2500_week`` as
#: censored (the toy's three-vendor market never falls below HHI 3,333, so it always is).
toy_market.censored_after_weeks = {"hhi_below_2500_week": 50}  # type: ignore[attr-defined]

LINEAR_WEIGHTS = {"x1": 4.0, "x2": -2.0, "x3": 0.0}


def linear(params: dict[str, Any], seed: int) -> dict[str, float]:
    """y = 4·x1 − 2·x2 + 0·x3 for parameters whose last path part is x1, x2, x3 (deterministic)."""
    x = {path.rsplit(".", 1)[-1]: float(value) for path, value in params.items()}
    return {"y": sum(LINEAR_WEIGHTS[name] * x[name] for name in LINEAR_WEIGHTS)}


def fragile(params: dict[str, Any], seed: int) -> dict[str, float]:
    """``y = a + b``; raises ValueError when ``a > 0.8`` (an invalid combination), ZeroDivisionError at b = 0."""
    a = float(params.get("p.a", 0.0))
    b = float(params.get("p.b", 1.0))
    if a > 0.8:
        raise ValueError(f"a = {a:.3f} is above 0.8, which the model does not allow")
    return {"y": a + b, "ratio": a / b}
