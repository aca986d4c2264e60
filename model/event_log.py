"""The output contract of the event log: what kinds of events there are, and one structured entry per event.

A rule or an event records *what happened and the numbers that drove it* as a :class:`LogEntry`; the schedule
stamps the week; the recorder turns the entries into ``events.parquet``, whose ``cause`` column is rendered
from these fields by ``labelmarket.model.explain`` (docs/decisions.md, D17). Fields that do not apply to an
entry's kind stay empty (NaN for numbers, "" for names).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    """What an event-log row records. The values are the strings written to ``events.parquet``'s ``kind``."""

    MOVE = "move"                                  # a lab moved spend between vendors (its review)
    OWNERSHIP_CHANGE = "ownership_change"          # an investor bought a stake (scheduled or live event)
    ASSURANCE = "assurance"                        # a vendor promised neutrality (event)
    LEADERSHIP_DEPARTURE = "leadership_departure"  # key people left a vendor (event)
    DIVESTMENT = "divestment"                      # an investor sold a stake (event)
    VENTURE_FUNDING = "venture_funding"            # a fund's investment announced as an event
    FUNDING = "funding"                            # a fund's own decision to invest (the funds' rule)
    ENTRY = "entry"                                # a new vendor entered (event or a fund's founding)
    EXIT = "exit"                                  # a vendor ran out of cash and left
    CONTRACT_END = "contract_end"                  # a buyer ended (part of) a contract, no ownership change (event)
    # model 2.0, sellers and owners: decisions of vendors and strategic owners (no scenario schedules them)
    PRICE_CHANGE = "price_change"                  # a vendor changed its price at a price review
    SALES_WIN = "sales_win"                        # a vendor's sales contact won a pilot contract from a buyer
    VENDOR_ASSURANCE = "vendor_assurance"          # a vendor decided to give an assurance (not scheduled)
    CAPTIVE_SHIFT = "captive_shift"                # an owner's lab shifted work to or from the vendor it owns
    STAKE_SALE = "stake_sale"                      # a strategic owner decided to sell its stake (not scheduled)
    DEMAND_CHANGE = "demand_change"                # model 2.0: a buyer's budget changed (event); target = segment


NAN = math.nan


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One event-log row: who did what to whom, how much, and the numeric drivers behind it.

    Money is in $M (per year for spend, one-off for cash and tickets); shares and stakes are 0..1.
    The move drivers are read at the vendor the lab left (``target``), when the lab decided.
    """

    kind: EventKind
    actor: str
    target: str = ""
    amount_musd: float = 0.0
    week: int = -1                          # stamped by the schedule when the entry is logged
    # a lab's move (docs/ODD.md, "Labs decide")
    destination: str = ""                   # the vendor that received most of the moved spend
    other_destinations: int = -1            # how many more vendors received >= 5 % of it
    value_gap: float = NAN                   # value of destination - value of target (< 0 when diversifying)
    trust: float = NAN                       # the lab's trust in the vendor it left
    alarm_trust: float = NAN                 # the lab's alarm level of trust
    exposure: float = NAN                    # the lab's conflict exposure at the vendor it left
    rival_owner: str = ""                    # the rival investor with the strongest pull on the vendor left
    rival_stake: float = NAN                 # that investor's stake in the vendor left
    rival_voting: bool | None = None         # whether that stake votes
    talent_to: str = ""                      # the rival investor the vendor's departed leaders joined
    own_stake_in_destination: float = NAN   # the stake the lab's own strategic investors hold in the destination
    # model 2.0, buyers' side: contracts (D37)
    notice_weeks: float = NAN                # notice given on the cut (the money moves when it ends)
    paused_musd: float = NAN                 # spend the lab paused at once at the vendor it left, $M/yr
    # model 2.0, buyers' side: the moved amount attributed to its drivers, $M/yr (D39; sums to amount_musd)
    driver_neutrality_musd: float = NAN      # perceived neutrality lost to exposure (rival owners, talent)
    driver_trust_musd: float = NAN           # trust apart from neutrality: lag, experience, breach
    driver_wariness_musd: float = NAN        # the diversification response after a let-down (7.2.5)
    driver_diversification_musd: float = NAN  # second sourcing: dependence aversion at the current split
    driver_price_musd: float = NAN
    driver_capacity_musd: float = NAN        # moved elsewhere because the preferred vendor was full
    driver_quality_musd: float = NAN
    driver_fit_musd: float = NAN             # the lab's constant for the vendor, plus segment match
    driver_loyalty_musd: float = NAN         # the switching cost that holds a lab at its current vendors
    driver_captive_musd: float = NAN         # the stake the lab's own investor holds
    # events and the funds' rule
    stake: float = NAN                       # stake bought (ownership change) or sold (divestment)
    voting: bool | None = None               # whether the stake bought votes
    talent_share: float = NAN                # share of the vendor's key talent that left
    promise: str = ""                        # an assurance's promise
    strength: float = NAN                    # an assurance's strength, 0..1
    capacity_musd: float = NAN               # an entrant's capacity, $M/yr
    quality: float = NAN                     # an entrant's quality, 0..1
    sector_heat: float = NAN                 # the heat of the segment a fund invested in
    contract_share: float = NAN              # share of a contract a buyer ended (contract_end event)
    # model 2.0, sellers and owners: drivers of vendors' and strategic owners' decisions
    price_index: float = NAN                 # a price change's new price index
    price_before: float = NAN                # a price change's old price index
    utilisation: float = NAN                 # revenue / capacity when the vendor decided (price, sales)
    churn: float = NAN                       # share of revenue its clients recently withdrew
    credibility: float = NAN                 # a decided assurance's credibility multiplier, 0..1
    benefit_musd: float = NAN                # expected gain that justified the decision, $M (margin or value)
    stake_value_musd: float = NAN            # an owner's stake value (stake x multiple x revenue), $M
    paid_musd: float = NAN                   # the price the owner paid for that stake, $M


# The columns events.parquet adds after week, kind, actor, target, amount_musd, cause, in this order.
DRIVER_COLUMNS = ("destination", "other_destinations", "value_gap", "trust", "alarm_trust", "exposure",
                  "rival_owner", "rival_stake", "rival_voting", "talent_to",
                  "own_stake_in_destination", "stake", "voting", "talent_share", "promise", "strength",
                  "capacity_musd", "quality", "sector_heat", "contract_share",
                  # model 2.0, sellers and owners
                  "price_index", "price_before", "utilisation", "churn", "credibility", "benefit_musd",
                  "stake_value_musd", "paid_musd",
                  # model 2.0, buyers' side (appended; the columns above keep their order)
                  "notice_weeks", "paused_musd",
                  "driver_neutrality_musd", "driver_trust_musd", "driver_wariness_musd",
                  "driver_diversification_musd", "driver_price_musd", "driver_capacity_musd", "driver_quality_musd",
                  "driver_fit_musd", "driver_loyalty_musd", "driver_captive_musd")
# The move drivers (D39), in the order of their columns; those a shock can set off name a move's cause.
MOVE_DRIVERS = ("neutrality", "trust", "wariness", "diversification", "price", "capacity", "quality",
                "fit", "loyalty", "captive")
SHOCK_DRIVERS = ("neutrality", "trust", "wariness", "captive")
