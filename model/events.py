"""Scheduled and live events: ownership changes, assurances, departures, divestments, entries and contract ends.

``apply_event`` is the one door through which an event changes the market, whether the scenario scheduled it
or a teacher fired it from the dashboard (``MarketModel.apply``). Each event is written to the event log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labelmarket.agents.investor import Investor
from labelmarket.agents.vendor import Vendor
from labelmarket.model.state import MarketState
from labelmarket.scenarios.schema import (
    Assurance,
    ContractEnd,
    Divestment,
    Entry,
    Event,
    LeadershipDeparture,
    OwnershipChange,
    VentureFunding,
)

if TYPE_CHECKING:
    from labelmarket.model.market_model import MarketModel


def _strategic_investor_index(s: MarketState, name: str) -> int:
    """An investor by name, or the strategic investor of the lab with that name."""
    if name in s.investor_names:
        return s.investor_names.index(name)
    if name not in s.lab_names:
        raise KeyError(name)
    lab = s.lab_names.index(name)
    for k in range(len(s.investor_names)):
        if s.is_strategic[k] and s.investor_lab[k] == lab:
            return k
    raise KeyError(name)


def _end_contract(s: MarketState, i: int, j: int, share: float) -> float:
    """Lab i stops ``share`` of its work at vendor j; returns the $M/yr that must be re-placed.

    The spend becomes unplaced and the lab reviews at once, re-placing it by its own rules (as when a vendor
    leaves the market, ``Vendor.leave_market``). A full end also drops the vendor from the lab's target split
    and considered set, so only a new inquiry can bring it back. Peers see the withdrawal as any other exit.
    """
    ended = float(s.spend_musd[i, j]) * share
    s.spend_musd[i, j] -= ended
    s.unplaced_musd[i] += ended
    s.withdrawn_musd[i, j] += ended
    if share >= 1.0:
        s.spend_musd[i, j] = 0.0
        s.considered[i, j] = False
    placed = s.spend_musd[i].sum()
    if placed > 0:
        s.target_share[i] = s.spend_musd[i] / placed
    s.review_now[i] = True
    return ended


def live_event_problem(s: MarketState, event: Event) -> str:
    """Why an event cannot be applied to the running market ('' when it can)."""
    vendor = getattr(event, "vendor", None)
    if isinstance(event, Entry):
        return f"vendor: '{vendor}' already exists" if vendor in s.vendor_names else ""
    if vendor is not None and vendor not in s.vendor_names:
        return f"vendor: unknown vendor '{vendor}' (known: {', '.join(s.vendor_names)})"
    investor = getattr(event, "investor", None)
    if investor is not None and investor not in s.investor_names:
        return f"investor: unknown investor '{investor}' (known: {', '.join(s.investor_names)})"
    if isinstance(event, VentureFunding):
        k = s.investor_names.index(event.investor)
        if s.is_strategic[k]:
            return f"investor: '{event.investor}' is not a venture fund"
    if isinstance(event, ContractEnd) and event.lab not in s.lab_names:
        return f"lab: unknown lab '{event.lab}' (known: {', '.join(s.lab_names)})"
    if isinstance(event, LeadershipDeparture):
        try:
            _strategic_investor_index(s, event.to)
        except KeyError:
            return f"to: '{event.to}' is neither a strategic investor nor the lab of one"
    return ""


def apply_event(model: MarketModel, event: Event) -> None:
    """Carry out one event now and log it."""
    s = model.state
    match event:
        case OwnershipChange():
            k, j = s.investor_names.index(event.investor), s.vendor_names.index(event.vendor)
            Investor.acquire_stake(model, k, j, event.stake, event.voting, event.cash_musd, event.talent_taken)
            votes = "voting" if event.voting else "non-voting"
            model.log_event("ownership_change", event.investor, event.vendor, event.cash_musd,
                            f"{event.investor} bought a {event.stake:.0%} {votes} stake in {event.vendor}"
                            + (f", taking {event.talent_taken:.0%} of its key talent" if event.talent_taken else ""))
        case Assurance():
            j = s.vendor_names.index(event.vendor)
            Vendor.issue_assurance(model, j, event.strength, event.promise == "non_voting")
            model.log_event("assurance", event.vendor, "", 0.0,
                            f"{event.vendor} promised {event.promise.replace('_', ' ')} "
                            f"(strength {event.strength:.2f})")
        case LeadershipDeparture():
            j, k = s.vendor_names.index(event.vendor), _strategic_investor_index(s, event.to)
            Vendor.lose_talent(model, j, event.talent_share, k)
            model.log_event("leadership_departure", event.vendor, event.to, 0.0,
                            f"{event.talent_share:.0%} of {event.vendor}'s key talent left for {event.to}")
        case Divestment():
            k, j = s.investor_names.index(event.investor), s.vendor_names.index(event.vendor)
            sold = Investor.divest(model, k, j, event.stake)
            model.log_event("divestment", event.investor, event.vendor, 0.0,
                            f"{event.investor} sold {sold:.0%} of {event.vendor}")
        case VentureFunding():
            k = s.investor_names.index(event.investor)
            j = None if event.vendor is None else s.vendor_names.index(event.vendor)
            Investor.commit(model, k, event.amount_musd, j, event.segment, "announced")
        case Entry():
            model.add_vendor(event.vendor, event.segment, event.capacity_musd, event.quality,
                             event.price_index, event.cash_musd, event.owners)
            s.entrants_this_week += 1
        case ContractEnd():
            i, j = s.lab_names.index(event.lab), s.vendor_names.index(event.vendor)
            ended = _end_contract(s, i, j, event.share)
            model.log_event("contract_end", event.lab, event.vendor, ended,
                            f"{event.lab} ended {event.share:.0%} of its contract with {event.vendor} "
                            f"(${ended:,.0f}M/yr to re-place)")
        case _:
            raise TypeError(f"not an event: {event!r}")
