"""The verdict on one ``[expect.NAME]`` check, from its per-seed values.

Each seed gives one value (the metric, or its ratio to the same metric at another week or in the baseline
scenario's run on the same seed: common random numbers, as in docs/decisions.md D9). The statistic turns the
seeds' values into one number and the comparison judges it; ``every_seed`` and ``share_of_seeds`` judge each
seed and count. The 10-90 % range (nearest seed, as ``labelmarket validate`` prints it) shows the spread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labelmarket.scenarios.expectations import Expectation

SEED_COUNTS = ("every_seed", "share_of_seeds")


def ratio(values: np.ndarray, base: np.ndarray) -> np.ndarray:
    """values / base per seed; a zero base gives 1 when the value is zero too (no change), else +-inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base == 0, np.where(values == 0, 1.0, np.copysign(np.inf, values)), values / base)


def meets(check: Expectation, values: np.ndarray) -> np.ndarray:
    """Which values meet the comparison."""
    if check.compare == "between":
        low, high = check.value
        return (values >= low) & (values <= high)
    return values <= check.value if check.compare == "<=" else values >= check.value


def fmt(x: float) -> str:
    """Three significant digits, with thousands separators for large numbers."""
    if not np.isfinite(x):
        return "inf" if x > 0 else "-inf" if x < 0 else "nan"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check of one scenario file."""

    scenario: str            # meta.name
    source: str              # the scenario file
    check: str               # the NAME of [expect.NAME]
    expectation: Expectation
    seed_values: tuple[float, ...] = ()
    value: float = float("nan")   # the statistic; for every_seed / share_of_seeds, the share of seeds meeting it
    passed: bool | None = None    # None: switched off (enabled = false)

    @property
    def status(self) -> str:
        return "SKIP" if self.passed is None else "PASS" if self.passed else "FAIL"

    @property
    def p10_p90(self) -> str:
        if not self.seed_values:
            return ""
        low, high = np.percentile(np.asarray(self.seed_values), [10, 90], method="nearest")
        return f"{fmt(low)} - {fmt(high)}"

    @property
    def shown_value(self) -> str:
        e = self.expectation
        if self.passed is None:
            return "-"
        if e.statistic in SEED_COUNTS:
            return f"{round(self.value * len(self.seed_values))}/{len(self.seed_values)} seeds"
        return fmt(self.value)

    @property
    def threshold(self) -> str:
        """The comparison as text, e.g. '<= 0.8', 'between 0.9 and 1.1', 'every seed >= 1'."""
        e = self.expectation
        bound = (f"between {fmt(e.value[0])} and {fmt(e.value[1])}" if e.compare == "between"
                 else f"{e.compare} {fmt(e.value)}")
        if e.statistic == "every_seed":
            return f"every seed {bound}"
        if e.statistic == "share_of_seeds":
            return f">= {e.seed_share:.0%} of seeds {bound}"
        return bound

    @property
    def measured(self) -> str:
        """What was measured, e.g. "median of hhi at week 52 from the shock / no_shock (same seed)"."""
        e = self.expectation
        what = {"vendor_share": f"{e.vendor}'s share", "vendor_revenue": f"{e.vendor}'s revenue_musd",
                "lab_spend": f"{e.lab}'s spend_musd at {e.vendor}"}.get(e.metric, e.metric)
        what += f" at week {e.week} from the {e.origin}"
        if e.relative_to is not None:
            what += f" / {e.relative_to} (same seed)"
        if e.relative_to_week is not None:
            what += f" / week {e.relative_to_week}"
        statistic = f"q{e.q:g}" if e.statistic == "quantile" else e.statistic.replace("_", " ")
        return f"{statistic}: {what}"

    def message(self) -> str:
        """One line: the check, the value against the threshold, and the spread."""
        if self.passed is None:
            return f"{self.scenario}: {self.check}: skipped (enabled = false)"
        return (f"{self.scenario}: {self.check}: {self.status}: {self.shown_value}, expected {self.threshold} "
                f"({self.measured}; 10-90 % over {len(self.seed_values)} seeds: {self.p10_p90})")


def summary(check: Expectation, values: np.ndarray) -> float:
    """The median, the mean or the quantile ``q`` of the seeds' values."""
    if check.statistic == "median":
        return float(np.median(values))
    if check.statistic == "mean":
        return float(np.mean(values))
    return float(np.quantile(values, check.q))


def judge(scenario: str, source: str, name: str, check: Expectation, values: np.ndarray) -> Verdict:
    """The verdict on ``check`` given one value per seed."""
    ok = meets(check, values)
    if check.statistic in SEED_COUNTS:
        value = float(ok.mean())
        passed = bool(ok.all()) if check.statistic == "every_seed" else value >= check.seed_share - 1e-12
    else:
        value = summary(check, values)
        passed = bool(meets(check, np.array([value]))[0])
    return Verdict(scenario, source, name, check, tuple(float(v) for v in values), value, passed)


def skipped(scenario: str, source: str, name: str, check: Expectation) -> Verdict:
    return Verdict(scenario, source, name, check)
