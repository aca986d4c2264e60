"""Each pattern check passes on hand-made series that show its pattern and fails on series that do not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelmarket.experiments.digest import RunDigest
from labelmarket.experiments.patterns import (
    StoryCast,
    check_p1,
    check_p2,
    check_p3,
    check_p4,
    check_p5,
    check_p6,
    check_p7,
    check_p8,
    first_shift_week,
    growth_ratio,
    spend_drop,
)

WEEKS = np.arange(-26, 79)  # relative weeks: 26 pre-shock weeks, the shock at 0, then 78 more
CAST = StoryCast()
LABS = ("Google", "Microsoft", "xAI", "Meta")


def path(before: float, after: float, start: int = 0, ramp: int = 1) -> pd.Series:
    """A spend path: flat at ``before``, then a linear move to ``after`` from ``start`` over ``ramp`` weeks."""
    frac = np.clip((WEEKS - start + 1) / ramp, 0.0, 1.0)
    return pd.Series(before + (after - before) * frac, index=WEEKS)


def digest(seed: int = 1, spend: dict[str, pd.Series] | None = None, hhi: pd.Series | None = None,
           eff: pd.Series | None = None, vc: pd.Series | None = None, entrants: pd.Series | None = None,
           inquiries: dict[str, pd.Series] | None = None) -> RunDigest:
    flat = pd.Series(100.0, index=WEEKS)
    spend = {lab: flat.copy() for lab in LABS} | (spend or {})
    market = pd.DataFrame({
        "hhi": hhi if hhi is not None else pd.Series(4000.0, index=WEEKS),
        "effective_vendors": eff if eff is not None else pd.Series(2.5, index=WEEKS),
        "vc_committed_musd": vc if vc is not None else pd.Series(0.0, index=WEEKS),
        "entrants": entrants if entrants is not None else pd.Series(0, index=WEEKS),
        "unmet_musd": pd.Series(0.0, index=WEEKS)})
    quiet = pd.Series(1, index=WEEKS)
    inq = {v: quiet.copy() for v in CAST.challengers} | (inquiries or {})
    return RunDigest("test", seed, market, pd.DataFrame(inq), pd.DataFrame({"Scale AI": 0.4 + 0 * WEEKS}),
                     pd.DataFrame(spend))


def passes(rows) -> bool:
    return all(r.passed for r in rows)


def test_series_helpers():
    s = path(100, 10, start=3)
    assert spend_drop(s, 26) == pytest.approx(0.9)
    assert first_shift_week(s) == 3
    assert first_shift_week(path(100, 95, start=1)) == float("inf")
    assert growth_ratio(3, 1) == 3 and growth_ratio(1, 0) == float("inf") and growth_ratio(0, 0) == 0


def test_p1_google_leaves_early_and_mostly():
    assert passes(check_p1([digest(spend={"Google": path(150, 10, start=2, ramp=6)})], CAST))
    late = check_p1([digest(spend={"Google": path(150, 10, start=8, ramp=6)})], CAST)
    assert [r.passed for r in late] == [True, False]
    partial = check_p1([digest(spend={"Google": path(150, 60, start=1)})], CAST)
    assert [r.passed for r in partial] == [False, True]


def test_p2_others_cut_less_or_later():
    google = path(150, 0, start=1)
    ok = {"Google": google, "Microsoft": path(90, 45, start=6), "xAI": path(70, 30, start=3)}
    assert passes(check_p2([digest(spend=ok)], CAST))
    too_little = {"Google": google, "Microsoft": path(90, 80, start=6), "xAI": path(70, 30, start=3)}
    assert not passes(check_p2([digest(spend=too_little)], CAST))
    same_as_google = {"Google": google, "Microsoft": path(90, 0, start=1), "xAI": path(70, 30, start=3)}
    assert not passes(check_p2([digest(spend=same_as_google)], CAST))


def test_p3_inquiry_surge_needs_both_challengers():
    surge = pd.Series(np.where((WEEKS >= 1) & (WEEKS <= 4), 5, 1), index=WEEKS)
    assert passes(check_p3([digest(inquiries={"Labelbox": surge, "Handshake": surge})], CAST))
    mild = pd.Series(np.where((WEEKS >= 1) & (WEEKS <= 4), 2, 1), index=WEEKS)
    assert not passes(check_p3([digest(inquiries={"Labelbox": surge, "Handshake": mild})], CAST))


def test_p4_entry_and_vc_doubling():
    vc = pd.Series(np.where(WEEKS < 0, 2.0, 5.0), index=WEEKS)
    entrants = pd.Series(np.where(WEEKS == 10, 1, 0), index=WEEKS)
    assert passes(check_p4([digest(vc=vc, entrants=entrants)]))
    assert not passes(check_p4([digest(vc=vc)]))  # no entrant
    assert not passes(check_p4([digest(vc=pd.Series(2.0, index=WEEKS), entrants=entrants)]))  # VC flat


def test_p5_fragmentation():
    hhi = pd.Series(np.where(WEEKS < 10, 4000.0, 2800.0), index=WEEKS)
    eff = pd.Series(np.where(WEEKS < 10, 2.5, 3.6), index=WEEKS)
    assert passes(check_p5([digest(hhi=hhi, eff=eff)]))
    assert not passes(check_p5([digest(hhi=pd.Series(np.where(WEEKS < 10, 4000.0, 3500.0), index=WEEKS),
                                       eff=eff)]))


def test_p6_calm_market_without_shock():
    assert passes(check_p6([digest(hhi=pd.Series(np.linspace(4000, 3800, WEEKS.size), index=WEEKS))]))
    drifting = digest(hhi=pd.Series(np.linspace(4000, 3000, WEEKS.size), index=WEEKS))
    assert not passes(check_p6([drifting]))
    exodus = digest(spend={"Google": path(150, 60, start=-10)})
    assert not passes(check_p6([exodus]))


def test_p7_assurances_slow_but_do_not_stop_and_talent_alone_is_small():
    base = digest(spend={"Google": path(150, 5, start=1, ramp=4)})
    assured = digest(spend={"Google": path(150, 20, start=1, ramp=40)})
    talent = digest(spend={"Google": path(150, 140, start=1)})
    assert passes(check_p7([base], [assured], [talent], CAST))
    stopped = digest(spend={"Google": path(150, 120, start=1, ramp=40)})
    assert not passes(check_p7([base], [stopped], [talent], CAST))
    big_talent = digest(spend={"Google": path(150, 60, start=1)})
    assert not passes(check_p7([base], [assured], [big_talent], CAST))


def test_p8_acquirer_stays():
    assert passes(check_p8([digest(spend={"Meta": path(110, 150, start=1)})], CAST))
    assert not passes(check_p8([digest(spend={"Meta": path(110, 90, start=5)})], CAST))


def test_median_over_seeds_not_any_seed():
    good = [digest(seed=s, spend={"Google": path(150, 5, start=1)}) for s in range(3)]
    bad = [digest(seed=s + 3, spend={"Google": path(150, 140, start=1)}) for s in range(2)]
    assert passes(check_p1(good + bad, CAST))
    assert not passes(check_p1(good[:1] + bad, CAST))
