"""The eight patterns of docs/ODD.md ("Patterns"), checked exactly as ../shared/domain.md writes them.

Pattern-oriented validation (Grimm et al. 2005): each criterion is computed per seed, then summarised by its
median over seeds (with the 10th-90th percentile range), and the median must meet the criterion. Paired
scenarios share seeds (common random numbers), so per-seed ratios between them are meaningful. Relative
week 0 is the shock week; pre-shock means relative week -1.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelmarket.experiments.digest import RunDigest

PRE = -1  # the last pre-shock week


@dataclass(frozen=True)
class StoryCast:
    """The names the patterns speak of. The patterns may name actors; the rules never do."""

    largest_rival: str = "Google"
    other_rivals: tuple[str, ...] = ("Microsoft", "xAI")
    challengers: tuple[str, ...] = ("Labelbox", "Handshake")
    acquirer_lab: str = "Meta"


@dataclass(frozen=True)
class CheckRow:
    """One criterion: its median over seeds with the 10th-90th percentile range, and its verdict.

    ``margin`` is how far the median clears the threshold, relative to the threshold's size (negative when
    it fails); the calibration ranks candidate parameter sets by their smallest margin.
    """

    pattern: str
    criterion: str
    median: float
    p10: float
    p90: float
    passed: bool
    margin: float


_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


def _summary(pattern: str, criterion: str, values: Sequence[float], op: str, threshold: float,
             margin: float | None = None, passed: bool | None = None) -> CheckRow:
    arr = np.asarray(values, dtype=float)
    median = float(np.median(arr))
    p10, p90 = (float(np.percentile(arr, q, method="nearest")) for q in (10, 90))
    verdict = _COMPARE[op](median, threshold) if passed is None else passed
    if margin is None:
        gap = (median - threshold) if op.startswith(">") else (threshold - median)
        margin = gap / max(abs(threshold), 0.05) if np.isfinite(gap) else (1.0 if verdict else -1.0)
    return CheckRow(pattern, criterion, median, p10, p90, bool(verdict), float(min(margin, 10.0)))


def spend_drop(spend: pd.Series, at: int) -> float:
    """Share of pre-shock spend gone at relative week ``at`` (0 = none gone, 1 = all gone)."""
    before = float(spend.loc[PRE])
    return 1.0 - float(spend.loc[at]) / before if before > 0 else 0.0


def first_shift_week(spend: pd.Series, shift: float = 0.10) -> float:
    """First relative week >= 0 at which spend is at least ``shift`` below its pre-shock level (inf if never)."""
    before = float(spend.loc[PRE])
    after = spend.loc[0:]
    hit = after.index[after <= (1.0 - shift) * before]
    return float(hit[0]) if len(hit) else float("inf")


def growth_ratio(after: float, before: float) -> float:
    """after / before, with a zero base counting as infinite growth (or none, if after is zero too)."""
    if before > 0:
        return after / before
    return float("inf") if after > 0 else 0.0


def check_p1(shock: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    spend = [r.target_spend[cast.largest_rival] for r in shock]
    return [
        _summary("P1", f"{cast.largest_rival}'s spend at the target falls >= 80 % by week 26",
                 [spend_drop(s, 26) for s in spend], ">=", 0.80),
        _summary("P1", f"{cast.largest_rival}'s first shift of >= 10 % by week 4",
                 [first_shift_week(s) for s in spend], "<=", 4),
    ]


def check_p2(shock: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    lead = [r.target_spend[cast.largest_rival] for r in shock]
    lead_cut = float(np.median([spend_drop(s, 26) for s in lead]))
    lead_week = float(np.median([first_shift_week(s) for s in lead]))
    rows = []
    for lab in cast.other_rivals:
        spend = [r.target_spend[lab] for r in shock]
        cuts = [spend_drop(s, 26) for s in spend]
        rows.append(_summary("P2", f"{lab} cuts >= 25 % by week 26", cuts, ">=", 0.25))
        weeks = [first_shift_week(s) for s in spend]
        cut, week = float(np.median(cuts)), float(np.median(weeks))
        margin = max((lead_cut - cut) / max(lead_cut, 0.05), (week - lead_week) / 4.0)
        rows.append(_summary("P2", f"{lab} cuts less than {cast.largest_rival} ({lead_cut:.0%}) or later "
                                   f"(first shift week; {cast.largest_rival}: {lead_week:g})",
                             weeks, ">", lead_week, margin=margin, passed=cut < lead_cut or week > lead_week))
    return rows


def check_p3(shock: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    rows = []
    for vendor in cast.challengers:
        ratios = []
        for r in shock:
            series = r.inquiries[vendor]
            before = float(series.loc[series.index[(series.index < 0)][1:]].mean())  # skip week 0: no step yet
            ratios.append(growth_ratio(float(series.loc[1:4].mean()), before))
        rows.append(_summary("P3", f"{vendor}'s weekly inquiries in weeks 1-4 > 3x the pre-shock average",
                             ratios, ">", 3.0))
    return rows


def check_p4(shock: list[RunDigest]) -> list[CheckRow]:
    entrants = [float(r.market["entrants"].loc[0:26].sum()) for r in shock]
    vc = [growth_ratio(float(r.market["vc_committed_musd"].loc[0:26].sum()),
                       float(r.market["vc_committed_musd"].loc[-26:-1].sum())) for r in shock]
    return [
        _summary("P4", ">= 1 new vendor enters by week 26", entrants, ">=", 1),
        _summary("P4", "VC committed in weeks 0-26 >= 2x the 26 weeks before", vc, ">=", 2.0),
    ]


def check_p5(shock: list[RunDigest]) -> list[CheckRow]:
    hhi = [r.market["hhi"].loc[52] / r.market["hhi"].loc[PRE] for r in shock]
    eff = [r.market["effective_vendors"].loc[52] - r.market["effective_vendors"].loc[PRE] for r in shock]
    return [
        _summary("P5", "HHI at week 52 <= 75 % of pre-shock HHI", hhi, "<=", 0.75),
        _summary("P5", "effective number of vendors rises (week 52 minus pre-shock)", eff, ">", 0),
    ]


def check_p6(calm: list[RunDigest]) -> list[CheckRow]:
    hhi = [r.market["hhi"].loc[52] / r.market["hhi"].iloc[0] - 1.0 for r in calm]
    worst_move = []
    for r in calm:
        start = r.target_spend.iloc[0]
        low = r.target_spend.loc[:52].min()
        drawdown = ((start - low) / start.where(start > 0)).fillna(0.0)
        worst_move.append(float(drawdown.max()))
    return [
        _summary("P6", "no shock: HHI at week 52 within +-10 % of the start", np.abs(hhi), "<=", 0.10),
        _summary("P6", "no shock: no lab moves >= 50 % of its spend away from the target", worst_move, "<", 0.50),
    ]


def check_p7(shock: list[RunDigest], assured: list[RunDigest], talent_only: list[RunDigest],
             cast: StoryCast) -> list[CheckRow]:
    base_left = float(np.median([1 - spend_drop(r.target_spend[cast.largest_rival], 26) for r in shock]))
    left = [1 - spend_drop(r.target_spend[cast.largest_rival], 26) for r in assured]
    still = [spend_drop(r.target_spend[cast.largest_rival], 52) for r in assured]
    by_seed = {r.seed: r for r in shock}
    moved = []
    for r in talent_only:
        def gone(d: RunDigest) -> float:
            return float((d.target_spend.loc[PRE] - d.target_spend.loc[26]).clip(lower=0).sum())
        moved.append(gone(r) / max(gone(by_seed[r.seed]), 1e-9))
    return [
        _summary("P7", f"strong assurances: {cast.largest_rival} keeps more at week 26 than with the base "
                       f"assurance ({base_left:.0%})", left, ">", base_left),
        _summary("P7", f"strong assurances do not prevent the exit: {cast.largest_rival}'s spend still falls "
                       ">= 50 % by week 52", still, ">=", 0.50),
        _summary("P7", "talent loss alone moves < 1/3 of the spend the stake moves by week 26 (same seed)",
                 moved, "<", 1 / 3),
    ]


def check_p8(shock: list[RunDigest], cast: StoryCast) -> list[CheckRow]:
    kept = []
    for r in shock:
        s = r.target_spend[cast.acquirer_lab]
        kept.append(float(min(s.loc[0:52].min(), s.loc[52])) / float(s.loc[PRE]))
    return [_summary("P8", f"{cast.acquirer_lab}'s spend at the target never falls below pre-shock "
                           "(lowest week 0-52 / pre-shock)", kept, ">=", 0.999)]


SCENARIOS_NEEDED = ("meta_scale_2025", "no_shock", "strong_assurances", "talent_loss_only")


def evaluate(runs: dict[str, list[RunDigest]], cast: StoryCast = StoryCast(),
             base: str = "meta_scale_2025") -> list[CheckRow]:
    """Every criterion of P1-P8; ``runs`` maps scenario name to its per-seed digests."""
    shock = runs[base]
    return [*check_p1(shock, cast), *check_p2(shock, cast), *check_p3(shock, cast), *check_p4(shock),
            *check_p5(shock), *check_p6(runs["no_shock"]),
            *check_p7(shock, runs["strong_assurances"], runs["talent_loss_only"], cast), *check_p8(shock, cast)]
