"""Each pattern criterion on hand-made digests, passing and failing just across its threshold.

A wrong threshold, a wrong comparison (>= for >), or a wrong way of judging over seeds (median, "in N % of
seeds", "every seed") fails one of these tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelmarket.experiments.digest import RunDigest, max_drawdown
from labelmarket.experiments.patterns import (
    CALIBRATION,
    PATTERN_USE,
    VALIDATION,
    StoryCast,
    Threshold,
    check_p1,
    check_p2,
    check_p3,
    check_p4,
    check_p5,
    check_p6,
    check_p7,
    check_p8,
    check_p9,
    evaluate,
    first_shift_week,
    growth_ratio,
    judge,
    spend_drop,
)

WEEKS = np.arange(-26, 79)  # relative weeks: 26 pre-shock weeks, the shock at 0, then 78 more
CAST = StoryCast()
LABS = ("Google", "Microsoft", "xAI", "Meta", "Amazon")
VENDORS = ("Scale AI", "Surge AI", "Labelbox", "Handshake", "Appen")


def flat(level: float) -> pd.Series:
    return pd.Series(float(level), index=WEEKS)


def path(before: float, after: float, start: int = 0, ramp: int = 1) -> pd.Series:
    """Flat at ``before``, then a linear move to ``after`` reaching it ``ramp`` weeks after ``start`` - 1
    (with ramp 1 the new level holds from week ``start`` on)."""
    frac = np.clip((WEEKS - start + 1) / ramp, 0.0, 1.0)
    return pd.Series(before + (after - before) * frac, index=WEEKS)


def step(before: float, after: float, start: int, end: int | None = None) -> pd.Series:
    """``before`` everywhere except ``after`` in weeks start..end (inclusive; to the end when None)."""
    inside = (WEEKS >= start) & (WEEKS <= (WEEKS[-1] if end is None else end))
    return pd.Series(np.where(inside, after, before), index=WEEKS).astype(float)


def digest(seed: int = 1, spend: dict[str, pd.Series] | None = None, hhi: pd.Series | None = None,
           vc: pd.Series | None = None, entrants: pd.Series | None = None,
           inquiries: dict[str, pd.Series] | None = None, shares: dict[str, pd.Series] | None = None,
           revenue: dict[str, pd.Series] | None = None, capacity: dict[str, pd.Series] | None = None,
           active: dict[str, pd.Series] | None = None, other_spend: dict[tuple[str, str], pd.Series] | None = None,
           target: str = "Scale AI") -> RunDigest:
    """A digest with calm defaults; every argument replaces one part of it."""
    spend = {lab: flat(100.0) for lab in LABS} | (spend or {})
    market = pd.DataFrame({
        "hhi": hhi if hhi is not None else flat(4000.0),
        "effective_vendors": flat(2.5),
        "vc_committed_musd": vc if vc is not None else flat(0.0),
        "entrants": entrants if entrants is not None else pd.Series(0, index=WEEKS),
        "unmet_musd": flat(0.0)})
    pairs = {(lab, target): s for lab, s in spend.items()} | (other_spend or {})
    drawdown = max_drawdown(pd.DataFrame(pairs))
    return RunDigest(
        "test", seed, target, market,
        pd.DataFrame({v: pd.Series(5, index=WEEKS) for v in VENDORS} | (inquiries or {})),
        pd.DataFrame({"Scale AI": flat(0.37), "Surge AI": flat(0.50), "Labelbox": flat(0.13)} | (shares or {})),
        pd.DataFrame({v: flat(100.0) for v in VENDORS} | (revenue or {})),
        pd.DataFrame({v: flat(120.0) for v in VENDORS} | (capacity or {})),
        pd.DataFrame({v: pd.Series(True, index=WEEKS) for v in VENDORS} | (active or {})),
        pd.DataFrame(spend), drawdown)


def verdicts(rows) -> dict[str, bool]:
    return {r.key: r.passed for r in rows}


def one(rows, key: str):
    return next(r for r in rows if r.key == key)


# ------------------------------------------------------------------------------------------ helpers
def test_series_helpers():
    s = path(100, 10, start=3)
    assert spend_drop(s, 26) == pytest.approx(0.9)
    assert first_shift_week(s) == 3
    assert first_shift_week(path(100, 90, start=2)) == 2          # exactly 10 % counts
    assert first_shift_week(path(100, 91, start=1)) == float("inf")
    assert growth_ratio(3, 1) == 3 and growth_ratio(1, 0) == float("inf") and growth_ratio(0, 0) == 0


def test_max_drawdown_is_peak_to_trough_and_never_forgets():
    spend = pd.DataFrame({"a": [100.0, 140.0, 105.0, 140.0, 150.0], "b": [0.0, 0.0, 10.0, 5.0, 10.0]})
    drawdown = max_drawdown(spend)
    assert drawdown["a"].tolist() == pytest.approx([0, 0, 0.25, 0.25, 0.25])  # 140 -> 105, though above start
    assert drawdown["b"].tolist() == pytest.approx([0, 0, 0, 0.5, 0.5])


def test_threshold_comparisons_and_margins():
    assert Threshold(">=", 2).holds(2) and not Threshold(">", 2).holds(2)
    assert Threshold("<=", 2).holds(2) and not Threshold("<", 2).holds(2)
    assert Threshold("in", (0.25, 0.75)).holds(0.25) and Threshold("in", (0.25, 0.75)).holds(0.75)
    assert not Threshold("in", (0.25, 0.75)).holds(0.76) and not Threshold("in", (0.25, 0.75)).holds(0.24)
    assert Threshold(">=", 2).margin(3) == pytest.approx(0.5) and Threshold("<=", 2).margin(3) == pytest.approx(-0.5)
    assert Threshold("in", (0.25, 0.75)).margin(0.7) == pytest.approx(0.05 / 0.75)
    assert Threshold("in", (0.25, 0.75)).margin(0.2) < 0


def test_judging_over_seeds_median_share_and_every_seed():
    seeds = list(range(10))
    seven = [1.0] * 7 + [0.0] * 3
    eight = [1.0] * 8 + [0.0] * 2
    at_least = Threshold(">=", 1)
    assert judge("P4.x", "c", seeds, seven, at_least).passed                 # the median meets it
    assert not judge("P4.x", "c", seeds, seven, at_least, share=0.8).passed  # but only 70 % of seeds do
    row = judge("P4.x", "c", seeds, eight, at_least, share=0.8)
    assert row.passed and row.value == pytest.approx(0.8) and row.over == ">= 80% of seeds"
    assert row.margin == pytest.approx(0.0)   # the 8th best seed sits exactly on the threshold
    below = Threshold("<", 0.25)
    every = judge("P6.x", "c", seeds, [0.1] * 9 + [0.24], below, share=1.0)
    assert every.passed and every.over == "every seed"
    broken = judge("P6.x", "c", seeds, [0.1] * 9 + [0.25], below, share=1.0)
    assert not broken.passed and broken.median == pytest.approx(0.1)  # one seed is enough to fail
    assert broken.values[-1] == 0.25 and broken.seeds == tuple(seeds)


def test_every_pattern_is_tagged_and_the_split_is_the_documented_one():
    assert set(PATTERN_USE) == {f"P{n}" for n in range(1, 10)}
    assert {p for p, use in PATTERN_USE.items() if use == CALIBRATION} == {"P1", "P4", "P5", "P6"}
    assert {p for p, use in PATTERN_USE.items() if use == VALIDATION} == {"P2", "P3", "P7", "P8", "P9"}


# ----------------------------------------------------------------------------------------- patterns
def test_p1_exit_of_80_percent_by_week_26_and_first_shift_by_week_4():
    assert verdicts(check_p1([digest(spend={"Google": path(100, 20, start=4)})], CAST)) == \
        {"P1.exit": True, "P1.first_shift": True}
    assert verdicts(check_p1([digest(spend={"Google": path(100, 21, start=5)})], CAST)) == \
        {"P1.exit": False, "P1.first_shift": False}


def test_p2_other_rivals_cut_25_to_75_percent_and_less_or_later_than_the_lead():
    google = path(100, 10, start=1)
    for cut, ok in ((0.25, True), (0.24, False), (0.75, True), (0.76, False)):
        rows = check_p2([digest(spend={"Google": google, "Microsoft": path(100, 100 * (1 - cut), start=3),
                                       "xAI": path(100, 50, start=3)})], CAST)
        assert one(rows, "P2.Microsoft.cut").passed is ok, cut
    same = check_p2([digest(spend={"Google": google, "Microsoft": path(100, 10, start=1)})], CAST)
    assert not one(same, "P2.Microsoft.vs_lead").passed          # as much and as early: not "reconsidering"
    less = check_p2([digest(spend={"Google": google, "Microsoft": path(100, 11, start=1)})], CAST)
    assert one(less, "P2.Microsoft.vs_lead").passed
    later = check_p2([digest(spend={"Google": google, "Microsoft": path(100, 10, start=2)})], CAST)
    assert one(later, "P2.Microsoft.vs_lead").passed


def test_p3_surge_above_3x_over_a_base_of_at_least_2_inquiries_a_week():
    def inquiries(base: pd.Series, surge: float) -> pd.Series:
        return base.where(~((WEEKS >= 1) & (WEEKS <= 4)), surge)

    two = pd.Series(2, index=WEEKS)
    rows = check_p3([digest(inquiries={"Labelbox": inquiries(two, 6.25), "Handshake": inquiries(two, 6)})], CAST)
    assert verdicts(rows) == {"P3.Labelbox.surge": True, "P3.Labelbox.base": True,
                              "P3.Handshake.surge": False, "P3.Handshake.base": True}  # 3x is not > 3x
    thin = two.where(WEEKS != -5, 1)  # 24 weeks of 2 and one of 1: a mean of 1.96
    rows = check_p3([digest(inquiries={"Labelbox": inquiries(thin, 20), "Handshake": inquiries(two, 20)})], CAST)
    assert not one(rows, "P3.Labelbox.base").passed and one(rows, "P3.Labelbox.surge").passed
    assert one(rows, "P3.Labelbox.base").median == pytest.approx(1.96)


def test_p4_entry_in_80_percent_of_seeds_and_vc_doubling():
    vc = step(2.0, 4.0, 0)                                  # 27 weeks at 4 against 26 weeks at 2: 2.08x
    entered, none = step(0, 1, 10, 10), pd.Series(0, index=WEEKS)
    four_of_five = [digest(seed=s, vc=vc, entrants=entered if s < 4 else none) for s in range(5)]
    assert verdicts(check_p4(four_of_five)) == {"P4.entry": True, "P4.vc": True}
    three_of_five = [digest(seed=s, vc=vc, entrants=entered if s < 3 else none) for s in range(5)]
    assert verdicts(check_p4(three_of_five))["P4.entry"] is False  # the median seed has one; 60 % is too few
    assert one(check_p4([digest(vc=step(2.0, 3.8, 0))]), "P4.vc").passed is False  # 27 x 3.8 / 52 = 1.97x


def test_p5_hhi_ratio_and_the_share_of_the_other_vendors_doubling():
    before = {"Scale AI": 0.375, "Surge AI": 0.5}                  # the others hold 0.125 before the shock

    def shares(scale_after: float) -> dict[str, pd.Series]:
        return {"Scale AI": step(before["Scale AI"], scale_after, 10), "Surge AI": flat(before["Surge AI"])}

    ok = digest(hhi=step(4000.0, 3000.0, 10), shares=shares(0.25))  # the others reach 0.25: exactly 2x
    assert verdicts(check_p5([ok], CAST)) == {"P5.hhi": True, "P5.others": True}
    short = digest(hhi=step(4000.0, 3040.0, 10), shares=shares(0.2501))
    assert verdicts(check_p5([short], CAST)) == {"P5.hhi": False, "P5.others": False}  # 0.76; 1.9992x


def test_p6_calm_hhi_within_3_percent_and_no_large_move_in_any_seed():
    calm = [digest(seed=s, hhi=step(4000.0, 3881.0, 30)) for s in range(10)]  # -2.98 %
    assert verdicts(check_p6(calm)) == {"P6.hhi": True, "P6.moves": True}
    assert not one(check_p6([digest(hhi=step(4000.0, 4124.0, 30))]), "P6.hhi").passed  # +3.1 %
    bumpy = calm[:9] + [digest(seed=9, other_spend={("Amazon", "Labelbox"): step(100.0, 75.0, 40)})]
    rows = check_p6(bumpy)
    assert not one(rows, "P6.moves").passed and one(rows, "P6.moves").median == 0.0  # one seed of ten
    late = calm[:9] + [digest(seed=9, other_spend={("Amazon", "Labelbox"): step(100.0, 70.0, 53)})]
    assert one(check_p6(late), "P6.moves").passed                         # after week 52: not counted
    nearly = calm[:9] + [digest(seed=9, other_spend={("Amazon", "Labelbox"): step(100.0, 75.1, 40)})]
    assert one(check_p6(nearly), "P6.moves").passed


def test_p7_assurances_slow_but_do_not_stop_and_talent_alone_is_small():
    base = digest(spend={"Google": path(150, 15, start=1, ramp=4), "Microsoft": path(90, 45, start=2)})
    assured = digest(spend={"Google": path(150, 20, start=1, ramp=40)})
    talent = digest(spend={"Google": path(150, 140, start=1), "Microsoft": path(90, 86, start=2)})
    assert all(r.passed for r in check_p7([base], [assured], [talent], CAST))
    stopped = digest(spend={"Google": path(150, 76, start=1, ramp=40)})      # 49 % gone by week 52
    assert verdicts(check_p7([base], [stopped], [talent], CAST))["P7.not_prevented"] is False
    no_slower = digest(spend={"Google": path(150, 15, start=1, ramp=4)})
    assert verdicts(check_p7([base], [no_slower], [talent], CAST))["P7.slower"] is False
    under = digest(spend={"Google": path(150, 90.1, start=1)})   # 59.9 of the base run's 135 + 45 = 180
    assert verdicts(check_p7([base], [assured], [under], CAST))["P7.talent"] is True
    third = digest(spend={"Google": path(150, 90, start=1)})     # 60 of 180: a third is not "less than"
    assert verdicts(check_p7([base], [assured], [third], CAST))["P7.talent"] is False


def test_p8_the_acquirer_keeps_its_spend_and_cuts_when_the_probe_makes_it_want_to():
    keeps = digest(spend={"Meta": path(110, 110, start=1)})
    cuts = digest(spend={"Meta": step(100.0, 89.9, 10, 12)})                  # 10.1 % off for three weeks
    assert verdicts(check_p8([keeps], [cuts], CAST)) == {"P8.stays": True, "P8.no_floor": True}
    falls = digest(spend={"Meta": path(110, 108.9, start=52)})
    floored = digest(spend={"Meta": step(100.0, 90.1, 10, 12)})
    assert verdicts(check_p8([falls], [floored], CAST)) == {"P8.stays": False, "P8.no_floor": False}


def precedent(revenue_at_12: float = 0.7, capacity_low: float = 0.89, active: bool = True,
              other_cut: float = 0.2) -> RunDigest:
    return digest(target="Appen",
                  spend={"Google": step(80.0, 0.0, 0), "Meta": step(50.0, 50.0 * (1 - other_cut), 20, 22)},
                  revenue={"Appen": step(100.0, 100.0 * revenue_at_12, 0)},
                  capacity={"Appen": step(120.0, 120.0 * capacity_low, 20)},
                  active={"Appen": pd.Series(WEEKS <= 40 if not active else True, index=WEEKS)})  # left at week 41


def test_p9_the_appen_precedent_each_criterion_across_its_threshold():
    assert all(r.passed for r in check_p9([precedent()], CAST))
    cases = {"P9.revenue": [precedent(revenue_at_12=x) for x in (0.6, 0.8, 0.59, 0.81)],
             "P9.capacity": [precedent(capacity_low=x) for x in (0.899, 0.8, 0.901, 0.95)],
             "P9.others": [precedent(other_cut=x) for x in (0.24, 0.24, 0.25, 0.25)]}
    for key, (in1, in2, out1, out2) in cases.items():
        assert one(check_p9([in1], CAST), key).passed and one(check_p9([in2], CAST), key).passed, key
        assert not one(check_p9([out1], CAST), key).passed and not one(check_p9([out2], CAST), key).passed, key
    gone = check_p9([precedent(active=False)] * 2 + [precedent()], CAST)
    assert not one(gone, "P9.active").passed                       # the median run has left the market
    assert one(check_p9([precedent(active=False)] + [precedent()] * 2, CAST), "P9.active").passed


# -------------------------------------------------------------------------------------- evaluation
def test_median_over_seeds_not_any_seed():
    good = [digest(seed=s, spend={"Google": path(150, 5, start=1)}) for s in range(3)]
    bad = [digest(seed=s + 3, spend={"Google": path(150, 140, start=1)}) for s in range(2)]
    assert one(check_p1(good + bad, CAST), "P1.exit").passed
    assert not one(check_p1(good[:1] + bad, CAST), "P1.exit").passed


def test_missing_roles_actors_or_weeks_make_a_pattern_not_applicable():
    short = digest()
    short.market = short.market.loc[:30]
    rows = evaluate({"shock": [short], "no_shock": [short]}, CAST, patterns=["P1", "P5", "P6", "P7"])
    by_pattern = {r.pattern: r for r in rows if not r.applicable}
    assert set(by_pattern) == {"P5", "P6", "P7"}
    assert "week 52" in by_pattern["P5"].criterion and "strong_assurances" in by_pattern["P7"].criterion
    assert not any(r.passed for r in by_pattern.values())
    nobody = evaluate({"shock": [digest()]}, StoryCast(largest_rival="Nobody"), patterns=["P1"])
    assert not nobody[0].applicable and "Nobody" in nobody[0].criterion
