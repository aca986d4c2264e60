"""The nine patterns of docs/ODD.md §1 ("Patterns"), checked exactly as that section defines them.

Pattern-oriented validation (Grimm et al. 2005): each criterion is computed per seed, then judged over seeds:
by the **median** (the default), **in N % of seeds** (at least that share of seeds meets it) or in **every
seed**. Paired runs share seeds (common random numbers), so per-seed comparisons between them are
meaningful. Relative week 0 is the shock week; pre-shock means relative week -1.

Each pattern is tagged as a **calibration target** (the calibration's rejection step uses it) or **validation
only** (checked afterwards, never tuned to); ``PATTERN_USE`` is that split, argued in docs/calibration.md.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelmarket.experiments.digest import RunDigest

PRE = -1  # the last pre-shock week
CALIBRATION = "calibration"
VALIDATION = "validation"
PATTERN_USE = {"P1": CALIBRATION, "P2": VALIDATION, "P3": VALIDATION, "P4": CALIBRATION, "P5": CALIBRATION,
               "P6": CALIBRATION, "P7": VALIDATION, "P8": VALIDATION, "P9": VALIDATION}


@dataclass(frozen=True)
class StoryCast:
    """The names the patterns speak of. The patterns may name actors; the rules never do."""

    largest_rival: str = "Google"
    other_rivals: tuple[str, ...] = ("Microsoft", "xAI")
    challengers: tuple[str, ...] = ("Labelbox", "Handshake")
    acquirer_lab: str = "Meta"
    target_vendor: str = "Scale AI"
    other_incumbent: str = "Surge AI"
    precedent_vendor: str = "Appen"
    precedent_client: str = "Google"


@dataclass(frozen=True)
class CheckRow:
    """One criterion judged over seeds.

    ``value`` is the statistic the verdict is taken on: the median of the per-seed values, or the share of
    seeds that meet the threshold (for "in N % of seeds" and "every seed" criteria). ``median``, ``p10`` and
    ``p90`` summarise the per-seed values, which are kept (with their seeds) for paired comparisons.
    ``margin`` is how far the criterion clears its threshold, relative to the threshold's size (negative when
    it fails); for share-of-seeds criteria it is the margin of the seed at the required rank. The calibration
    ranks candidates by their smallest margin.
    """

    key: str
    pattern: str
    criterion: str
    use: str
    over: str
    value: float
    median: float
    p10: float
    p90: float
    passed: bool
    margin: float
    seeds: tuple[int, ...] = ()
    values: tuple[float, ...] = ()
    applicable: bool = True


class NotApplicable(Exception):
    """The runs cannot show this pattern (an actor, a role or a week is missing)."""


_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class Threshold:
    """``op`` one of >=, >, <=, <, or "in" (inclusive range ``(low, high)``)."""

    op: str
    bound: float | tuple[float, float]

    def holds(self, x: float) -> bool:
        if self.op == "in":
            low, high = self.bound  # type: ignore[misc]
            return bool(low <= x <= high)
        return bool(_COMPARE[self.op](x, self.bound))

    def margin(self, x: float) -> float:
        """Relative distance of x inside the threshold (negative outside), capped at 10."""
        if not np.isfinite(x):
            return 10.0 if self.holds(x) else -10.0
        if self.op == "in":
            low, high = self.bound  # type: ignore[misc]
            return min((x - low) / max(abs(low), 0.05), (high - x) / max(abs(high), 0.05), 10.0)
        bound = float(self.bound)  # type: ignore[arg-type]
        gap = x - bound if self.op.startswith(">") else bound - x
        return min(gap / max(abs(bound), 0.05), 10.0)


def judge(key: str, criterion: str, seeds: Sequence[int], values: Sequence[float], threshold: Threshold,
          share: float | None = None, passed: bool | None = None, margin: float | None = None) -> CheckRow:
    """Judge per-seed ``values`` against ``threshold``: on their median (``share`` None), or requiring that at
    least ``share`` of the seeds meet it (1.0 = every seed). ``passed``/``margin`` override the verdict for
    criteria that compare medians of two quantities."""
    arr = np.asarray(values, dtype=float)
    median = float(np.median(arr))
    p10, p90 = (float(np.percentile(arr, q, method="nearest")) for q in (10, 90))
    if share is None:
        over, value = "median", median
        verdict = threshold.holds(median) if passed is None else passed
        margin = threshold.margin(median) if margin is None else margin
    else:
        meets = np.array([threshold.holds(x) for x in arr])
        over = "every seed" if share >= 1.0 else f">= {share:.0%} of seeds"
        value = float(meets.mean())
        verdict = bool(value >= share - 1e-12)
        rank = max(int(np.ceil(share * arr.size - 1e-9)), 1)  # the seed that must still pass
        ordered = sorted(arr, key=threshold.margin, reverse=True)
        margin = threshold.margin(ordered[rank - 1])
    pattern = key.split(".")[0]
    return CheckRow(key, pattern, criterion, PATTERN_USE[pattern], over, value, median, p10, p90, bool(verdict),
                    float(margin), tuple(int(s) for s in seeds), tuple(float(x) for x in arr))


def not_applicable(pattern: str, reason: str) -> CheckRow:
    nan = float("nan")
    return CheckRow(f"{pattern}.n/a", pattern, f"not applicable: {reason}", PATTERN_USE[pattern], "-", nan, nan,
                    nan, nan, False, -10.0, applicable=False)


# ------------------------------------------------------------------------------------- series helpers
def column(frame: pd.DataFrame, name: str, what: str = "column") -> pd.Series:
    if name not in frame.columns:
        raise NotApplicable(f"no {what} '{name}' in the runs")
    return frame[name]


def at(series: pd.Series, week: int) -> float:
    if week not in series.index:
        raise NotApplicable(f"relative week {week} is outside the runs")
    return float(series.loc[week])


def spend_drop(spend: pd.Series, week: int) -> float:
    """Share of pre-shock spend gone at relative week ``week`` (0 = none gone, 1 = all gone)."""
    before = at(spend, PRE)
    return 1.0 - at(spend, week) / before if before > 0 else 0.0


def first_shift_week(spend: pd.Series, shift: float = 0.10) -> float:
    """First relative week >= 0 at which spend is at least ``shift`` below its pre-shock level (inf if never)."""
    before = at(spend, PRE)
    after = spend.loc[0:]
    hit = after.index[after <= (1.0 - shift) * before]
    return float(hit[0]) if len(hit) else float("inf")


def deepest_cut(spend: pd.Series, until: int) -> float:
    """Largest share of pre-shock spend gone at any relative week 0..``until``."""
    before = at(spend, PRE)
    at(spend, until)
    return 1.0 - float(spend.loc[0:until].min()) / before if before > 0 else 0.0


def growth_ratio(after: float, before: float) -> float:
    """after / before, with a zero base counting as infinite growth (or none, if after is zero too)."""
    if before > 0:
        return after / before
    return float("inf") if after > 0 else 0.0


def pre_shock_inquiries(series: pd.Series) -> float:
    """Mean weekly inquiries over relative weeks -25..-1 (the initial week -26 has had no step)."""
    before = series.loc[series.index < 0]
    return float(before.iloc[1:].mean())


def seeds_of(runs: list[RunDigest]) -> list[int]:
    return [r.seed for r in runs]


# ---------------------------------------------------------------------------------------- patterns
def check_p1(shock: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    spend = [column(r.target_spend, cast.largest_rival, "lab") for r in shock]
    seeds = seeds_of(shock)
    return [
        judge("P1.exit", f"{cast.largest_rival}'s spend at the target falls >= 80 % by week 26", seeds,
              [spend_drop(s, 26) for s in spend], Threshold(">=", 0.80)),
        judge("P1.first_shift", f"{cast.largest_rival}'s first shift of >= 10 % by week 4", seeds,
              [first_shift_week(s) for s in spend], Threshold("<=", 4)),
    ]


def check_p2(shock: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    lead = [column(r.target_spend, cast.largest_rival, "lab") for r in shock]
    lead_cut = float(np.median([spend_drop(s, 26) for s in lead]))
    lead_week = float(np.median([first_shift_week(s) for s in lead]))
    seeds, rows = seeds_of(shock), []
    for lab in cast.other_rivals:
        spend = [column(r.target_spend, lab, "lab") for r in shock]
        cuts = [spend_drop(s, 26) for s in spend]
        rows.append(judge(f"P2.{lab}.cut", f"{lab} cuts 25-75 % of its spend at the target by week 26", seeds,
                          cuts, Threshold("in", (0.25, 0.75))))
        weeks = [first_shift_week(s) for s in spend]
        cut, week = float(np.median(cuts)), float(np.median(weeks))
        later = (week - lead_week) / 4.0 if np.isfinite(week - lead_week) else (10.0 if week > lead_week else 0.0)
        margin = min(max((lead_cut - cut) / max(lead_cut, 0.05), later), 10.0)
        rows.append(judge(f"P2.{lab}.vs_lead", f"{lab} cuts less than {cast.largest_rival} ({lead_cut:.0%}) or "
                                               f"later (first shift week; {cast.largest_rival}: {lead_week:g})",
                          seeds, weeks, Threshold(">", lead_week), passed=cut < lead_cut or week > lead_week,
                          margin=margin))
    return rows


def check_p3(shock: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    seeds, rows = seeds_of(shock), []
    for vendor in cast.challengers:
        series = [column(r.inquiries, vendor, "vendor") for r in shock]
        base = [pre_shock_inquiries(s) for s in series]
        ratios = [growth_ratio(float(s.loc[1:4].mean()), b) for s, b in zip(series, base, strict=True)]
        rows.append(judge(f"P3.{vendor}.surge", f"{vendor}'s weekly inquiries in weeks 1-4 > 3x the pre-shock "
                                                "average", seeds, ratios, Threshold(">", 3.0)))
        rows.append(judge(f"P3.{vendor}.base", f"{vendor}'s pre-shock average is >= 2 inquiries a week", seeds,
                          base, Threshold(">=", 2.0)))
    return rows


def check_p4(shock: list[RunDigest]) -> list[CheckRow]:
    for r in shock:  # the runs must cover the 26 weeks before the shock and the 26 after
        at(r.market["entrants"], -26)
        at(r.market["entrants"], 26)
    entrants = [float(r.market["entrants"].loc[0:26].sum()) for r in shock]
    vc = [growth_ratio(float(r.market["vc_committed_musd"].loc[0:26].sum()),
                       float(r.market["vc_committed_musd"].loc[-26:-1].sum())) for r in shock]
    seeds = seeds_of(shock)
    return [
        judge("P4.entry", ">= 1 new vendor enters by week 26", seeds, entrants, Threshold(">=", 1), share=0.8),
        judge("P4.vc", "VC committed in weeks 0-26 >= 2x the 26 weeks before", seeds, vc, Threshold(">=", 2.0)),
    ]


def others_share(r: RunDigest, cast: StoryCast, week: int) -> float:
    """Combined revenue share of every vendor other than the target and the other incumbent."""
    big = at(column(r.shares, cast.target_vendor, "vendor"), week)
    return 1.0 - big - at(column(r.shares, cast.other_incumbent, "vendor"), week)


def check_p5(shock: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    hhi = [at(r.market["hhi"], 52) / at(r.market["hhi"], PRE) for r in shock]
    others = [growth_ratio(others_share(r, cast, 52), others_share(r, cast, PRE)) for r in shock]
    seeds = seeds_of(shock)
    return [
        judge("P5.hhi", "HHI at week 52 <= 75 % of pre-shock HHI", seeds, hhi, Threshold("<=", 0.75)),
        judge("P5.others", f"revenue share of vendors other than {cast.target_vendor} and {cast.other_incumbent} "
                           "at least doubles by week 52", seeds, others, Threshold(">=", 2.0)),
    ]


def check_p6(calm: list[RunDigest]) -> list[CheckRow]:
    hhi = [abs(at(r.market["hhi"], 52) / float(r.market["hhi"].iloc[0]) - 1.0) for r in calm]
    worst = [float(r.drawdown.loc[52].max()) if r.drawdown.size else 0.0 for r in calm]  # running maxima
    seeds = seeds_of(calm)
    return [
        judge("P6.hhi", "no shock: |change of HHI| at week 52 <= 3 % of the start", seeds, hhi,
              Threshold("<=", 0.03)),
        judge("P6.moves", "no shock: no lab moves >= 25 % of its spend away from any vendor by week 52 "
                          "(largest peak-to-trough drop)", seeds, worst, Threshold("<", 0.25), share=1.0),
    ]


def check_p7(shock: list[RunDigest], assured: list[RunDigest], talent_only: list[RunDigest],
             cast: StoryCast) -> list[CheckRow]:
    lead = cast.largest_rival
    base_left = float(np.median([1 - spend_drop(column(r.target_spend, lead, "lab"), 26) for r in shock]))
    left = [1 - spend_drop(column(r.target_spend, lead, "lab"), 26) for r in assured]
    still = [spend_drop(column(r.target_spend, lead, "lab"), 52) for r in assured]
    by_seed = {r.seed: r for r in shock}

    def gone(d: RunDigest) -> float:
        at(d.market["hhi"], 26)
        return float((d.target_spend.loc[PRE] - d.target_spend.loc[26]).clip(lower=0).sum())

    moved = [gone(r) / max(gone(by_seed[r.seed]), 1e-9) for r in talent_only]
    return [
        judge("P7.slower", f"strong assurances: {lead} keeps more at week 26 than with the base assurance "
                           f"({base_left:.0%})", seeds_of(assured), left, Threshold(">", base_left)),
        judge("P7.not_prevented", f"strong assurances do not prevent the exit: {lead}'s spend still falls "
                                  ">= 50 % by week 52", seeds_of(assured), still, Threshold(">=", 0.50)),
        judge("P7.talent", "talent loss alone moves < 1/3 of the spend the stake moves by week 26 (same seed)",
              seeds_of(talent_only), moved, Threshold("<", 1 / 3)),
    ]


def check_p8(shock: list[RunDigest], probe: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    """P8: the acquirer stays, and no rule makes it stay.

    The second row probes the rules: in ``owner_probe`` the owned vendor loses nine tenths of its key talent
    at the shock, so its quality collapses; an owner's lab that weighs quality cuts its spend there. If it does
    not, a rule (today ``labelmarket.agents.choice.keep_captive_spend``) guarantees the first row.
    """
    kept = [at(column(r.target_spend, cast.acquirer_lab, "lab"), 52) / at(r.target_spend[cast.acquirer_lab], PRE)
            for r in shock]
    cut = [deepest_cut(column(r.target_spend, cast.acquirer_lab, "lab"), 26) for r in probe]
    return [
        judge("P8.stays", f"{cast.acquirer_lab}'s spend at the target at week 52 >= its pre-shock level",
              seeds_of(shock), kept, Threshold(">=", 1.0)),
        judge("P8.no_floor", f"no rule forbids leaving: when the owned vendor's quality collapses (probe), "
                             f"{cast.acquirer_lab} cuts >= 10 % of its spend there by week 26", seeds_of(probe),
              cut, Threshold(">=", 0.10)),
    ]


def check_p9(precedent: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    vendor, client = cast.precedent_vendor, cast.precedent_client
    revenue = [column(r.revenue, vendor, "vendor") for r in precedent]
    capacity = [column(r.capacity, vendor, "vendor") for r in precedent]
    for r in precedent:
        if r.target != vendor:
            raise NotApplicable(f"the precedent runs strike '{r.target}', not '{vendor}'")
    others = []
    for r in precedent:
        labs = [lab for lab in r.target_spend.columns if lab != client and at(r.target_spend[lab], PRE) > 0]
        others.append(max((deepest_cut(r.target_spend[lab], 26) for lab in labs), default=0.0))
    seeds = seeds_of(precedent)
    return [
        judge("P9.revenue", f"{vendor}'s revenue at week 12 is 60-80 % of before", seeds,
              [at(s, 12) / at(s, PRE) for s in revenue], Threshold("in", (0.60, 0.80))),
        judge("P9.capacity", f"{vendor}'s capacity falls >= 10 % within 26 weeks (it cuts costs)", seeds,
              [deepest_cut(s, 26) for s in capacity], Threshold(">=", 0.10)),
        judge("P9.active", f"{vendor} is still active at week 52", seeds,
              [at(column(r.active, vendor, "vendor").astype(float), 52) for r in precedent], Threshold(">=", 1.0)),
        judge("P9.others", f"no lab other than {client} cuts >= 25 % of its spend at {vendor} by week 26 "
                           "(largest cut of any other lab)", seeds, others, Threshold("<", 0.25)),
    ]


PATTERN_CHECKS: dict[str, tuple[tuple[str, ...], Callable[..., list[CheckRow]], bool]] = {
    # pattern: (roles it reads, check, whether the check takes the cast)
    "P1": (("shock",), check_p1, True),
    "P2": (("shock",), check_p2, True),
    "P3": (("shock",), check_p3, True),
    "P4": (("shock",), check_p4, False),
    "P5": (("shock",), check_p5, True),
    "P6": (("no_shock",), check_p6, False),
    "P7": (("shock", "strong_assurances", "talent_loss_only"), check_p7, True),
    "P8": (("shock", "owner_probe"), check_p8, True),
    "P9": (("precedent",), check_p9, True),
}


def evaluate(runs: dict[str, list[RunDigest]], cast: StoryCast = StoryCast(),
             patterns: Sequence[str] | None = None) -> list[CheckRow]:
    """Every criterion of the chosen patterns (default P1-P9); ``runs`` maps a role (see
    ``labelmarket.experiments.pattern_runs``) to its per-seed digests. A pattern whose roles, actors or weeks
    the runs lack gives one row marked not applicable (and failing)."""
    rows: list[CheckRow] = []
    for pattern in patterns or PATTERN_CHECKS:
        roles, check, needs_cast = PATTERN_CHECKS[pattern]
        try:
            missing = [role for role in roles if not runs.get(role)]
            if missing:
                raise NotApplicable(f"needs the {', '.join(missing)} runs")
            args = [runs[role] for role in roles] + ([cast] if needs_cast else [])
            rows += check(*args)
        except NotApplicable as why:
            rows.append(not_applicable(pattern, str(why)))
    return rows
