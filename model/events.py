"""Scheduled and live events: ownership changes, assurances, departures, divestments, funding, entries and
contract ends.

``apply_event`` is the one door through which an event changes the market, whether the scenario scheduled it
or a teacher fired it from the dashboard (``MarketModel.apply``). It changes the state through the actors'
event effects and returns the entries the schedule writes to the event log.
"""

from __future__ import annotations

import numpy as np

from labelmarket.agents import investor, lab, vendor
from labelmarket.model.event_log import EventKind, LogEntry
from labelmarket.model.state import MarketState
from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.schema import (
    Assurance,
    ContractEnd,
    DemandChange,
    Divestment,
    Entry,
    Event,
    LeadershipDeparture,
    OwnershipChange,
    VentureFunding,
    WORK_SEGMENTS,
)


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
    if isinstance(event, DemandChange) and event.lab not in s.lab_names:
        return f"lab: unknown lab '{event.lab}' (known: {', '.join(s.lab_names)})"
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


def apply_event(s: MarketState, b: Behaviour, rng: np.random.Generator, event: Event) -> list[LogEntry]:
    """Carry out one event now; returns its entries for the event log (kind = the event's kind)."""
    match event:
        case OwnershipChange():
            k, j = s.investor_names.index(event.investor), s.vendor_names.index(event.vendor)
            investor.acquire_stake(s, k, j, event.stake, event.voting, event.cash_musd, event.talent_taken,
                                   event.price_paid_musd)
            return [LogEntry(EventKind.OWNERSHIP_CHANGE, event.investor, event.vendor, event.cash_musd,
                             stake=event.stake, voting=event.voting, talent_share=event.talent_taken)]
        case Assurance():
            j = s.vendor_names.index(event.vendor)
            vendor.issue_assurance(s, j, event.strength, event.promise == "non_voting")
            return [LogEntry(EventKind.ASSURANCE, event.vendor, "", 0.0, promise=event.promise,
                             strength=event.strength)]
        case LeadershipDeparture():
            j, k = s.vendor_names.index(event.vendor), _strategic_investor_index(s, event.to)
            vendor.note_breach(s, j)  # leaders leaving for an owner while the vendor is assured breaks its promise
            vendor.lose_talent(s, j, event.talent_share, k)
            return [LogEntry(EventKind.LEADERSHIP_DEPARTURE, event.vendor, event.to, 0.0,
                             talent_share=event.talent_share)]
        case Divestment():
            k, j = s.investor_names.index(event.investor), s.vendor_names.index(event.vendor)
            sold = investor.divest(s, k, j, event.stake)
            return [LogEntry(EventKind.DIVESTMENT, event.investor, event.vendor, 0.0, stake=sold)]
        case VentureFunding():
            k = s.investor_names.index(event.investor)
            j = None if event.vendor is None else s.vendor_names.index(event.vendor)
            return investor.commit(s, b, rng, k, event.amount_musd, j, event.segment, EventKind.VENTURE_FUNDING)
        case Entry():
            s.add_vendor(event.vendor, event.segment, event.capacity_musd, event.quality, event.price_index,
                         event.cash_musd, event.owners)
            s.entrants_this_week += 1
            return [LogEntry(EventKind.ENTRY, event.vendor, "", event.cash_musd,
                             capacity_musd=event.capacity_musd, quality=event.quality)]
        case ContractEnd():
            i, j = s.lab_names.index(event.lab), s.vendor_names.index(event.vendor)
            ended = _end_contract(s, i, j, event.share)
            if b.rest_fit_on and event.share >= 1.0:
                # D46: a lab that ends a contract in full treats the vendor as an outside option, like every vendor
                # it does not use (D35), so a routine inquiry or a sales call does not bring the work straight back
                s.fit[i, j] = investor.entrant_fit(s, j)[i]
            return [LogEntry(EventKind.CONTRACT_END, event.lab, event.vendor, ended, contract_share=event.share)]
        case DemandChange():  # model 2.0 (buyers)
            segment = None if event.segment is None else WORK_SEGMENTS.index(event.segment)
            return [lab.change_demand(s, s.lab_names.index(event.lab), event.factor, event.amount_musd, segment)]
        case _:
            raise TypeError(f"not an event: {event!r}")
