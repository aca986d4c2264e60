"""Cross-reference checks that a field-by-field schema cannot make.

Every name a scenario uses (a contract's vendor, a rival, an owner, an event's actor) must exist, names must be
unique across labs, vendors and investors, and every event must fall inside the horizon.
"""

from __future__ import annotations

from labelmarket.scenarios.errors import listing, quoted
from labelmarket.scenarios.schema import (
    Assurance,
    ContractEnd,
    DemandChange,
    VentureFunding,
    Divestment,
    Entry,
    LeadershipDeparture,
    OwnershipChange,
    Scenario,
)


def reference_problems(s: Scenario) -> list[tuple[str, str]]:
    """Return (field path, reason) for every dangling or ambiguous name; empty when the scenario is sound."""
    problems: list[tuple[str, str]] = []
    labs, vendors, investors = set(s.labs), set(s.vendors), set(s.investors)
    entry_names = [e.vendor for e in s.events.values() if isinstance(e, Entry)]
    entrants = set(entry_names)
    for name in sorted({n for n in entry_names if entry_names.count(n) > 1}):
        problems.append(("events", f"duplicate name {quoted(name)}: two entry events create it"))

    def known(kind: str, name: str, pool: set[str], path: str) -> None:
        if name not in pool:
            problems.append((path, f"unknown {kind} {quoted(name)} (known: {listing(sorted(pool))})"))

    for kind_a, set_a, kind_b, set_b in (("lab", labs, "vendor", vendors), ("lab", labs, "investor", investors),
                                         ("vendor", vendors, "investor", investors),
                                         ("vendor", vendors, "entering vendor", entrants)):
        for name in sorted(set_a & set_b):
            problems.append((f"{kind_b}s.{name}" if kind_b != "entering vendor" else "events",
                             f"duplicate name {quoted(name)} is both a {kind_a} and a {kind_b}"))

    all_vendors = vendors | entrants
    rival_names = labs | investors
    for lab_name, lab in s.labs.items():
        for vendor in lab.contracts:
            known("vendor", vendor, vendors, f"labs.{lab_name}.contracts.{vendor}")
        for rival in lab.rivals:
            known("lab or investor", rival, rival_names, f"labs.{lab_name}.rivals.{rival}")
    for vendor_name, vendor in s.vendors.items():
        for owner in vendor.owners:
            known("investor", owner, investors, f"vendors.{vendor_name}.owners.{owner}")
    for inv_name, inv in s.investors.items():
        if inv.lab is not None:
            known("lab", inv.lab, labs, f"investors.{inv_name}.lab")

    order = {name: n for n, name in enumerate(s.events)}
    entered = {e.vendor: (e.week, order[name]) for name, e in s.events.items() if isinstance(e, Entry) and e.enabled}
    strategic_targets = investors | {i.lab for i in s.investors.values() if i.kind == "strategic" and i.lab}
    for ev_name, ev in s.events.items():
        path = f"events.{ev_name}"
        if ev.week > s.meta.horizon_weeks:
            problems.append((f"{path}.week", f"week {ev.week} is after the horizon ({s.meta.horizon_weeks} weeks)"))
        if isinstance(ev, (OwnershipChange, Divestment)):
            known("investor", ev.investor, investors, f"{path}.investor")
        if isinstance(ev, (OwnershipChange, Divestment, Assurance, LeadershipDeparture)):
            known("vendor", ev.vendor, all_vendors, f"{path}.vendor")
            if ev.enabled and ev.vendor in entered and ev.vendor not in vendors:
                entry_at, entry_order = entered[ev.vendor]
                if (ev.week, order[ev_name]) < (entry_at, entry_order):
                    problems.append((f"{path}.vendor", f"week {ev.week} names {quoted(ev.vendor)} before it enters "
                                                     f"(its entry event is at week {entry_at})"))
            elif ev.enabled and ev.vendor in entrants and ev.vendor not in vendors:
                problems.append((f"{path}.vendor", f"{quoted(ev.vendor)} never enters: its entry event is disabled"))
        if isinstance(ev, VentureFunding):
            known("investor", ev.investor, investors, f"{path}.investor")
            if ev.investor in s.investors and s.investors[ev.investor].kind != "venture":
                problems.append((f"{path}.investor", f"{quoted(ev.investor)} is not a venture fund"))
            if ev.vendor is not None:
                known("vendor", ev.vendor, all_vendors, f"{path}.vendor")
        if isinstance(ev, ContractEnd):
            known("lab", ev.lab, labs, f"{path}.lab")
            known("vendor", ev.vendor, vendors, f"{path}.vendor")
        if isinstance(ev, LeadershipDeparture):
            known("strategic investor or its lab", ev.to, strategic_targets, f"{path}.to")
        if isinstance(ev, DemandChange):  # model 2.0 (buyers)
            known("lab", ev.lab, labs, f"{path}.lab")
        if isinstance(ev, Entry):
            for owner in ev.owners:
                known("investor", owner, investors, f"{path}.owners.{owner}")
            if sum(o.stake for o in ev.owners.values()) > 1 + 1e-9:
                problems.append((f"{path}.owners", "stakes sum above 100 %"))
    return problems
