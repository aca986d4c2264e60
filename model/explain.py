"""Plain-language causes, rendered from the structured fields of a :class:`LogEntry`.

The rules record numbers (who, how much, and the drivers); this module is the one place that turns them into
English, e.g. "Google moved $40M/yr from Scale AI to Surge AI: trust 0.31 < alarm 0.40, rival owner Meta
(49 % voting)". The recorder uses it to write ``events.parquet``'s ``cause`` column.
"""

from __future__ import annotations

from labelmarket.model.event_log import MOVE_DRIVERS, SHOCK_DRIVERS, EventKind, LogEntry

NOTABLE_EXPOSURE = 0.02   # exposure above this names trust as a driver even above the alarm level
NAMED_DRIVER_SHARE = 0.1  # a driver that carried at least this share of a move is named in its cause (D39)
SHOWN_DRIVERS = 3         # at most this many drivers are named
PROMISE_WORDS = {"data_firewall": "a data firewall", "non_voting": "non-voting stakes"}  # an assurance's promise


def cause(entry: LogEntry) -> str:
    """One sentence saying what happened and why."""
    match entry.kind:
        case EventKind.MOVE:
            return move_cause(entry)
        case EventKind.OWNERSHIP_CHANGE:
            votes = "voting" if entry.voting else "non-voting"
            talent = f", taking {entry.talent_share:.0%} of its key talent" if entry.talent_share else ""
            return f"{entry.actor} bought a {entry.stake:.0%} {votes} stake in {entry.target}{talent}"
        case EventKind.ASSURANCE:
            return f"{entry.actor} promised {PROMISE_WORDS[entry.promise]} (strength {entry.strength:.2f})"
        case EventKind.LEADERSHIP_DEPARTURE:
            return f"{entry.talent_share:.0%} of {entry.actor}'s key talent left for {entry.target}"
        case EventKind.DIVESTMENT:
            return f"{entry.actor} sold {entry.stake:.0%} of {entry.target}"
        case EventKind.FUNDING | EventKind.VENTURE_FUNDING:
            reason = "announced" if entry.kind is EventKind.VENTURE_FUNDING else f"sector heat {entry.sector_heat:.2f}"
            if entry.amount_musd <= 0:  # a ticket is capped at the capital left: $0M means none was left
                return f"{entry.actor} has no capital left: nothing invested ({reason})"
            return f"{entry.actor} invested ${entry.amount_musd:,.0f}M in {entry.target} ({reason})"
        case EventKind.ENTRY:
            return (f"{entry.actor} entered the market with ${entry.capacity_musd:,.0f}M/yr capacity, "
                    f"quality {entry.quality:.2f}")
        case EventKind.CONTRACT_END:
            return (f"{entry.actor} ended {entry.contract_share:.0%} of its contract with {entry.target} "
                    f"(${entry.amount_musd:,.0f}M/yr to re-place)")
        case EventKind.DEMAND_CHANGE:
            where = f" in {entry.target} work" if entry.target else ""
            verb = "grew" if entry.amount_musd >= 0 else "shrank"
            return f"{entry.actor}'s data budget {verb} by ${abs(entry.amount_musd):,.0f}M/yr{where}"
        case EventKind.EXIT:
            return f"{entry.actor} left the market (cash ran out); clients must move ${entry.amount_musd:,.0f}M/yr"
        # model 2.0, sellers and owners
        case EventKind.PRICE_CHANGE:
            return (f"{entry.actor} changed its price index from {entry.price_before:.3f} to {entry.price_index:.3f}"
                    f" (utilisation {entry.utilisation:.0%}, churn {entry.churn:.0%})")
        case EventKind.SALES_WIN:
            return (f"{possessive(entry.destination)} sales won ${entry.amount_musd:,.0f}M/yr of "
                    f"{possessive(entry.actor)} work from "
                    f"{entry.target}: sales (value gap {entry.value_gap:+.2f}, seller utilisation "
                    f"{entry.utilisation:.0%}, churn {entry.churn:.0%})")
        case EventKind.VENDOR_ASSURANCE:
            return (f"{entry.actor} decided to promise {PROMISE_WORDS[entry.promise]} (strength "
                    f"{entry.strength:.2f}, credibility {entry.credibility:.2f}) for ${entry.amount_musd:,.0f}M, "
                    f"to protect ${entry.benefit_musd:,.0f}M of margin")
        case EventKind.CAPTIVE_SHIFT:
            return (f"{entry.actor} shifted ${entry.amount_musd:,.0f}M/yr of its lab's work from {entry.target} to "
                    f"{entry.destination}: captive volume (stake {entry.stake:.0%}, net pull {entry.value_gap:+.2f}, "
                    f"owned vendor's quality {entry.quality:.2f})")
        case EventKind.STAKE_SALE:
            return (f"{entry.actor} decided to sell {entry.stake:.0%} of {entry.target}: stake worth "
                    f"${entry.stake_value_musd:,.0f}M against ${entry.paid_musd:,.0f}M paid")
    raise ValueError(f"no cause for event kind {entry.kind!r}")


def possessive(name: str) -> str:
    """"Scale AI's", "Other AI startups'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def move_cause(entry: LogEntry) -> str:
    """Who moved how much from where to where, and the drivers at the vendor it left."""
    n = entry.other_destinations
    also = f" (and {n} other vendor{'s' if n > 1 else ''})" if n > 0 else ""
    head = f"{entry.actor} moved ${entry.amount_musd:,.0f}M/yr from {entry.target} to {entry.destination}{also}"
    if entry.notice_weeks > 0:  # model 2.0 (D37): the move is notice given; the money leaves when it ends
        paused = f", ${entry.paused_musd:,.0f}M/yr paused at once" if entry.paused_musd > 0 else ""
        head = (f"{entry.actor} gave notice on ${entry.amount_musd:,.0f}M/yr at {entry.target}, to move to "
                f"{entry.destination}{also} in {entry.notice_weeks:g} weeks{paused}")
    return f"{head}: {', '.join(move_reasons(entry))}"


def move_reasons(entry: LogEntry) -> list[str]:
    """The drivers behind a move: the conditions at the vendor it left, then the top drivers in $M/yr;
    'routine review' only when no condition holds and no shock-related driver (neutrality,
    trust, wariness, captive) carried a notable share of the move."""
    reasons: list[str] = []
    if entry.trust < entry.alarm_trust:
        reasons.append(f"trust {entry.trust:.2f} < alarm {entry.alarm_trust:.2f}")
    elif entry.exposure > NOTABLE_EXPOSURE:
        reasons.append(f"trust {entry.trust:.2f}")
    if entry.rival_owner:
        vote = "voting" if entry.rival_voting else "non-voting"
        reasons.append(f"rival owner {entry.rival_owner} ({entry.rival_stake:.0%} {vote})")
    if entry.talent_to:
        reasons.append(f"leaders left for {entry.talent_to}")
    if entry.own_stake_in_destination > 0:
        reasons.append(f"own investor holds {entry.own_stake_in_destination:.0%} of {entry.destination}")
    drivers = top_drivers(entry)
    if not reasons and not any(name in SHOCK_DRIVERS for name, _ in drivers):
        reasons.append("routine review: better value elsewhere")
    if drivers:
        reasons.append("drivers " + ", ".join(f"{name} ${musd:,.0f}M" for name, musd in drivers))
    return reasons


def top_drivers(entry: LogEntry) -> list[tuple[str, float]]:
    """The drivers that carried at least NAMED_DRIVER_SHARE of a move, largest first, at most SHOWN_DRIVERS
    (model 2.0, D39); none for an entry without driver columns."""
    amounts = [(name, getattr(entry, f"driver_{name}_musd")) for name in MOVE_DRIVERS]
    named = [(name, musd) for name, musd in amounts
             if musd == musd and musd > 0 and musd >= NAMED_DRIVER_SHARE * entry.amount_musd]
    return sorted(named, key=lambda item: -item[1])[:SHOWN_DRIVERS]
