"""``[expect.NAME]``: a check a scenario states about its own outcome, for CI (``labelmarket test``).

One table is one check: a metric (a market metric, a vendor's share or revenue, or a lab's spend at a vendor)
read at one week of every run, per seed; optionally divided by the same metric at another week of the same
run (``relative_to_week``) or in another scenario run on the same seed (``relative_to``); summarised over the
seeds by a statistic; and compared with a threshold. Everything is data: nothing is evaluated as code.

    [expect.market_breaks_up]
    metric = "hhi"
    week = 52
    from = "shock"
    relative_to = "no_shock"
    statistic = "median"
    compare = "<="
    value = 0.8

This module is the schema and the cross-reference check; experiments/expectation_suite.py runs the checks.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

if TYPE_CHECKING:
    from labelmarket.scenarios.schema import Scenario

# The columns of market.parquet (model/recorder.py MARKET_COLUMNS without `week`; a test keeps them equal).
MARKET_METRICS = ("hhi", "cr1", "cr4", "effective_vendors", "active_vendors", "entropy", "switched_musd",
                  "unmet_musd", "vc_committed_musd", "entrants")
# metric name -> the column of vendors.parquet (per vendor) or allocations.parquet (per lab and vendor)
VENDOR_METRICS = {"vendor_share": "share", "vendor_revenue": "revenue_musd"}
LAB_METRICS = {"lab_spend": "spend_musd"}
DEFAULT_SEEDS = 10

Metric = Literal[(*MARKET_METRICS, *VENDOR_METRICS, *LAB_METRICS)]  # every metric a check can read, by name


def _threshold(raw: object) -> float | list[float]:
    """A finite number, or a list of them (``between`` then checks there are two, low <= high)."""
    numbers = raw if isinstance(raw, list) else [raw]
    if not numbers or any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x)
                          for x in numbers):
        raise ValueError("must be a finite number, or [low, high] for compare = \"between\"")
    return [float(x) for x in numbers] if isinstance(raw, list) else float(raw)


Threshold = Annotated[float | list[float], PlainValidator(_threshold)]


class Expectation(BaseModel):
    """One ``[expect.NAME]`` table. Weeks count from the start (model week) or from the shock
    (``meta.reference_week``, the week reports call week 0); negative weeks from the shock are before it."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, serialize_by_alias=True, allow_inf_nan=False)

    enabled: bool = Field(True, description="Set false in a scenario that extends another to drop this check.")
    description: str = Field("", description="What the check says, in words (shown when it fails).")
    metric: Metric = Field(description="A market metric, vendor_share, vendor_revenue or lab_spend.")
    vendor: str | None = Field(None, min_length=1, description="The vendor of vendor_share, vendor_revenue "
                                                                "and lab_spend.")
    lab: str | None = Field(None, min_length=1, description="The lab of lab_spend.")
    week: int = Field(description="The week the metric is read at, counted from `from`.")
    origin: Literal["start", "shock"] = Field("shock", alias="from",
                                              description="Count weeks from the start or from the shock.")
    relative_to_week: int | None = Field(None, description="Divide by the same metric at this week of the same "
                                                           "run (counted from `from`).")
    relative_to: str | None = Field(None, min_length=1,
                                    description="Divide by the same metric in this scenario (a bundled name or "
                                                "a path relative to the file under test), run on the same seed.")
    statistic: Literal["median", "mean", "quantile", "every_seed", "share_of_seeds"] = "median"
    q: float | None = Field(None, ge=0.0, le=1.0, description="The quantile of statistic = \"quantile\".")
    seed_share: float | None = Field(None, gt=0.0, le=1.0,
                                     description="The share of seeds that must meet the comparison, for "
                                                 "statistic = \"share_of_seeds\".")
    seeds: int = Field(DEFAULT_SEEDS, ge=1, le=1000, description="Seeds 1..N (labelmarket test --seeds overrides).")
    compare: Literal["<=", ">=", "between"]
    value: Threshold = Field(description="The threshold: a number, or [low, high] for between.")

    @model_validator(mode="after")
    def _consistent(self) -> Expectation:
        """Each metric names exactly the actors it needs; each statistic and comparison has its parameter."""
        wants_vendor = self.metric in VENDOR_METRICS or self.metric in LAB_METRICS
        if wants_vendor and self.vendor is None:
            raise ValueError(f"metric {self.metric} needs `vendor`, the vendor's name")
        if not wants_vendor and self.vendor is not None:
            raise ValueError(f"{self.metric} is a market metric: remove `vendor`")
        if self.metric in LAB_METRICS and self.lab is None:
            raise ValueError(f"metric {self.metric} needs `lab`, the lab's name")
        if self.metric not in LAB_METRICS and self.lab is not None:
            raise ValueError(f"`lab` belongs to metric lab_spend only, not {self.metric}")
        if self.relative_to is not None and self.relative_to_week is not None:
            raise ValueError("give relative_to (another scenario) or relative_to_week (another week), not both")
        if (self.statistic == "quantile") != (self.q is not None):
            raise ValueError("statistic = \"quantile\" needs `q` (e.g. q = 0.9), and `q` needs that statistic")
        if (self.statistic == "share_of_seeds") != (self.seed_share is not None):
            raise ValueError("statistic = \"share_of_seeds\" needs `seed_share` (e.g. seed_share = 0.8), "
                             "and `seed_share` needs that statistic")
        if self.compare == "between":
            if not (isinstance(self.value, list) and len(self.value) == 2 and self.value[0] <= self.value[1]):
                raise ValueError("compare = \"between\" needs value = [low, high] with low <= high")
        elif isinstance(self.value, list):
            raise ValueError(f"compare = \"{self.compare}\" needs one number as `value`")
        return self

    def model_week(self, week: int, reference_week: int) -> int:
        """``week`` (counted from ``from``) as a model week, given the scenario's shock week."""
        return week + (reference_week if self.origin == "shock" else 0)


def expectation_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """(field path, reason) for every enabled check that names an unknown vendor or lab, or a week outside
    the horizon. A disabled check is not held to the scenario (a child may shorten the horizon and drop it)."""
    problems: list[tuple[str, str]] = []
    vendors = set(scenario.vendors) | {e.vendor for e in scenario.events.values() if e.kind == "entry"}
    horizon, reference = scenario.meta.horizon_weeks, scenario.meta.reference_week
    for name, check in scenario.expect.items():
        if not check.enabled:
            continue
        path = f"expect.{name}"
        for kind, actor, known in (("vendor", check.vendor, vendors), ("lab", check.lab, set(scenario.labs))):
            if actor is not None and actor not in known:
                problems.append((f"{path}.{kind}", f"unknown {kind} '{actor}' (known: {', '.join(sorted(known))})"))
        for field, week in (("week", check.week), ("relative_to_week", check.relative_to_week)):
            if week is not None and not 0 <= check.model_week(week, reference) <= horizon:
                problems.append((f"{path}.{field}", f"week {week} from the {check.origin} is model week "
                                                    f"{check.model_week(week, reference)}, outside the run "
                                                    f"(weeks 0-{horizon})"))
    return problems
