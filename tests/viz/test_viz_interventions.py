"""Interventions refuse what makes no sense, with a short message, and change nothing when they do."""

import pytest

from labelmarket.viz.interventions import announce_stake, divest, fund_neutral_entrant, issue_assurances
from labelmarket.viz.run import ClassroomRun


def test_a_stake_that_would_pass_100_percent_is_refused():
    run = ClassroomRun("no_shock")
    announce_stake(run, "Meta Platforms", "Scale AI", 0.49, False)
    run.step()
    announce_stake(run, "Meta Platforms", "Scale AI", 0.49, False)
    run.step()
    s = run.market.state
    before = s.stake.copy()
    with pytest.raises(ValueError, match=r"Scale AI is already 98% owned .* would pass 100 % \(at most 2% is left\)"):
        announce_stake(run, "Meta Platforms", "Scale AI", 0.49, False)
    assert (s.stake == before).all() and len(run.interventions) == 2


def test_the_same_stake_twice_in_one_week_is_refused():
    run = ClassroomRun("no_shock")
    announce_stake(run, "Meta Platforms", "Surge AI", 0.1, False)
    with pytest.raises(ValueError, match="Meta Platforms already announced a stake in Surge AI this week: Step first"):
        announce_stake(run, "Meta Platforms", "Surge AI", 0.1, False)


def test_assurances_twice_in_one_week_are_refused():
    run = ClassroomRun()
    issue_assurances(run, "Scale AI", 0.8)
    with pytest.raises(ValueError, match="Scale AI already issued assurances this week"):
        issue_assurances(run, "Scale AI", 0.9)
    run.step()
    issue_assurances(run, "Scale AI", 0.9)  # a new week


def test_each_fund_founds_at_most_one_entrant_a_week():
    run = ClassroomRun()
    s = run.market.state
    funds = sum(1 for k in range(len(s.investor_names)) if not s.is_strategic[k] and s.capital_left_musd[k] > 0)
    founders = set()
    for _ in range(funds):
        fund_neutral_entrant(run)
        founders.add(run.interventions[-1].event.investor)
    assert len(founders) == funds
    vendors = s.n_vendors
    with pytest.raises(ValueError, match="Every fund with capital has already founded an entrant this week"):
        fund_neutral_entrant(run)
    assert s.n_vendors == vendors
    run.step()
    fund_neutral_entrant(run)


def test_a_fund_with_no_capital_is_refused():
    run = ClassroomRun()
    s = run.market.state
    s.capital_left_musd[:] = 0.0
    with pytest.raises(ValueError, match="No venture fund in this market has capital left"):
        fund_neutral_entrant(run)


def test_divesting_a_stake_nobody_holds_is_refused():
    run = ClassroomRun()
    with pytest.raises(ValueError, match="Meta Platforms holds no stake in Scale AI: nothing to divest"):
        divest(run, "Meta Platforms", "Scale AI")


def test_nothing_is_fired_after_the_end_of_the_run():
    run = ClassroomRun("toy")
    while run.step():
        pass
    with pytest.raises(ValueError, match="The run has ended: press Reset"):
        issue_assurances(run, run.focus_vendor, 0.5)
