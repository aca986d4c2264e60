"""The validated shape of a scenario file: one schema for every bundled and user scenario.

A scenario describes a whole market: metadata, labs (buyers), vendors, investors, behaviour parameters and
scheduled events. Names are the keys of their tables, so a counterfactual that ``extends`` another file names
only what differs. Unknown keys are errors: a typo must never be silently ignored. Every number is finite and
bounded (scenarios/limits.py), and every name is printable text of bounded length (scenarios/names.py).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.expectations import Expectation
from labelmarket.scenarios.limits import MAX_MUSD, MAX_SWITCHING_COST, MAX_WEEKS
from labelmarket.scenarios.names import Name, Text

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Money = Annotated[float, Field(ge=0.0, le=MAX_MUSD)]
Week = Annotated[int, Field(ge=0, le=MAX_WEEKS)]

# ===== Model 2.0, buyers' side: segments of data work (D36) =====
# The work comes in segments with different suppliers (domain.md, "Markets have segments"). Assumed: four.
WorkSegment = Literal["generalist", "expert", "perception", "government"]
WORK_SEGMENTS: tuple[str, ...] = ("generalist", "expert", "perception", "government")
# A buyer that names no `segments` needs its kind's mix (assumption, docs/calibration.md): frontier labs buy
# RLHF/preference data and expert (PhD) work; enterprises generalist and perception work; the public sector
# mostly cleared work.
DEMAND_BY_KIND: dict[str, dict[str, float]] = {
    "frontier_lab": {"generalist": 0.6, "expert": 0.4},
    "enterprise": {"generalist": 0.5, "perception": 0.5},
    "public_sector": {"government": 0.7, "perception": 0.3},
}
# A vendor that names no `serves` serves what its (pre-2.0) `segment` implies, at full quality; a segment
# string not listed serves generalist work.
SERVES_BY_SEGMENT: dict[str, dict[str, float]] = {
    "managed_labelling": {"generalist": 1.0, "perception": 1.0, "government": 1.0},
    "expert_data": {"generalist": 1.0, "expert": 1.0},
    "expert_network": {"generalist": 0.5, "expert": 1.0},
}


def default_serves(segment: str) -> dict[str, float]:
    """What a vendor of a (pre-2.0) ``segment`` serves, when its file names no ``serves``."""
    return SERVES_BY_SEGMENT.get(segment, {"generalist": 1.0})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Meta(Strict):
    name: Name = Field(description="Short identifier of the scenario.")
    description: Text = ""
    horizon_weeks: int = Field(gt=0, le=MAX_WEEKS, description="Weeks simulated after the initial state.")
    seed: int = Field(0, ge=0, description="Default random seed.")
    reference_week: Week = Field(0, description="Model week that reports call 'week 0' (the shock week).")


class Lab(Strict):
    """A buyer of training data: a frontier lab, or another buyer (enterprise, public sector)."""

    kind: Literal["frontier_lab", "enterprise", "public_sector"] = "frontier_lab"
    budget_musd: Money = Field(description="External data budget, $M per year.")
    growth_per_year: float = Field(0.0, ge=-0.9, le=5.0, description="Budget growth rate per year.")
    rivals: dict[Name, Share] = Field(default_factory=dict,
                                     description="Rival labs or investors, with rivalry strength 0..1.")
    data_sensitivity: Share = Field(description="How much the lab fears exposure of its data and methods.")
    review_interval_weeks: int = Field(ge=1, le=104, description="Weeks between routine contract reviews.")
    switching_cost: float = Field(ge=0.0, le=MAX_SWITCHING_COST,
                                  description="Loyalty bonus for current vendors, in value units.")
    alarm_trust: Share = Field(0.4, description="Trust below which a lab reviews at once.")
    contracts: dict[Name, Money] = Field(default_factory=dict,
                                              description="Initial spend per vendor, $M per year.")
    segments: dict[WorkSegment, Annotated[float, Field(ge=0.0, le=1e6)]] | None = Field(
        None, description="Model 2.0: how the lab's demand splits over segments (normalised); default by kind.")

    def demand_mix(self) -> dict[str, float]:
        """The lab's demand over segments, shares summing to 1 (its kind's mix when the file names none)."""
        mix = self.segments if self.segments else DEMAND_BY_KIND[self.kind]
        total = sum(mix.values())
        return {seg: value / total for seg, value in mix.items()} if total > 0 else dict(DEMAND_BY_KIND[self.kind])

    @model_validator(mode="after")
    def _contracts_within_budget(self) -> Lab:
        total = sum(self.contracts.values())
        if total > self.budget_musd * (1 + 1e-9) + 1e-9:
            raise ValueError(f"contracts sum to {total:g} $M/yr, above budget_musd {self.budget_musd:g}")
        return self


class KindDefaults(Strict):
    """Model 2.0: behaviour inputs shared by the labs of one kind (``[kinds.frontier_lab]``); a lab that omits
    one of these fields takes its kind's value, so a value that differs between labs of a kind needs a source."""

    data_sensitivity: Share | None = None
    review_interval_weeks: int | None = Field(None, ge=1, le=104)
    alarm_trust: Share | None = None
    switching_cost: float | None = Field(None, ge=0.0, le=MAX_SWITCHING_COST)


LabKind = Literal["frontier_lab", "enterprise", "public_sector"]


class Owner(Strict):
    stake: Share = Field(description="Share of the vendor's equity, 0..1.")
    voting: bool = Field(description="Whether the stake carries votes (control).")


class Vendor(Strict):
    segment: Name = Field("managed_labelling", description="Market segment, for VC herding.")
    capacity_musd: Money = Field(description="Work it can deliver, $M per year.")
    quality: Share
    price_index: float = Field(1.0, gt=0.0, le=10.0, description="Price relative to the market (1 = par).")
    cash_musd: Money = Field(description="Cash on hand, $M.")
    owners: dict[Name, Owner] = Field(default_factory=dict, description="Investor name -> stake.")
    neutrality_commitment: Share = Field(0.0, description="Strength of standing neutrality promises.")
    serves: dict[WorkSegment, Share] | None = Field(
        None, description="Model 2.0: segments served and how well (0..1); default from `segment`.")

    def service(self) -> dict[str, float]:
        return dict(self.serves) if self.serves is not None else default_serves(self.segment)

    @model_validator(mode="after")
    def _stakes_at_most_whole(self) -> Vendor:
        total = sum(o.stake for o in self.owners.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"stakes sum to {total:.3f}, above 100 %")
        return self


class Investor(Strict):
    kind: Literal["strategic", "venture"]
    lab: Name | None = Field(None, description="The lab a strategic investor belongs to.")
    capital_musd: Money = Field(0.0, description="Capital a venture fund can deploy, $M.")

    @model_validator(mode="after")
    def _strategic_has_lab(self) -> Investor:
        if self.kind == "strategic" and not self.lab:
            raise ValueError("a strategic investor needs `lab`, the lab it belongs to")
        if self.kind == "venture" and self.lab:
            raise ValueError("a venture investor has no `lab`")
        return self


class EventBase(Strict):
    week: Week
    enabled: bool = Field(True, description="Set false in a counterfactual to drop an inherited event.")


class OwnershipChange(EventBase):
    kind: Literal["ownership_change"]
    investor: Name
    vendor: Name
    stake: Share = Field(description="Share of the vendor's equity bought, 0..1.")
    voting: bool = Field(description="Whether the stake carries votes (control) or only financial interest.")
    cash_musd: Money = Field(0.0, description="Cash the vendor receives from the deal, $M.")
    talent_taken: Share = Field(0.0, description="Share of the vendor's key talent the investor takes.")
    # model 2.0, sellers and owners: what the owner weighs when it decides to keep or sell the stake
    price_paid_musd: Money | None = Field(
        None, description="Price the investor paid for the stake, $M (default: cash_musd).")


class Assurance(EventBase):
    kind: Literal["assurance"]
    vendor: Name
    promise: Literal["data_firewall", "non_voting"] = "data_firewall"
    strength: Share = Field(description="How credible and binding the promise is, 0..1.")


class LeadershipDeparture(EventBase):
    kind: Literal["leadership_departure"]
    vendor: Name
    to: Name = Field(description="The strategic investor (or its lab) the leaders join.")
    talent_share: Share = Field(description="Share of the vendor's key talent that leaves.")


class Divestment(EventBase):
    kind: Literal["divestment"]
    investor: Name
    vendor: Name
    stake: Share | None = Field(None, description="Stake sold; default all of it.")


class Entry(EventBase):
    kind: Literal["entry"]
    vendor: Name = Field(description="Name of the new vendor.")
    segment: Name = "managed_labelling"
    capacity_musd: Money
    quality: Share
    price_index: float = Field(1.0, gt=0.0, le=10.0)
    cash_musd: Money
    owners: dict[Name, Owner] = Field(default_factory=dict)


class VentureFunding(EventBase):
    kind: Literal["venture_funding"]
    investor: Name = Field(description="The venture fund that invests.")
    amount_musd: float = Field(gt=0.0, le=MAX_MUSD,
                               description="Capital committed, $M (capped at what the fund has left).")
    vendor: Name | None = Field(None, description="The vendor funded; omit to found a new neutral entrant.")
    segment: Name = Field("managed_labelling", description="Segment of a new entrant.")


class ContractEnd(EventBase):
    """A buyer ends (or shrinks) its contract with one vendor for reasons outside the model, with no ownership
    change: the Appen precedent (Google ended its Appen contract in early 2024)."""

    kind: Literal["contract_end"]
    lab: Name = Field(description="The buyer that ends its contract.")
    vendor: Name = Field(description="The vendor whose contract ends.")
    share: Share = Field(1.0, description="Share of the lab's spend at the vendor that ends (1 = all of it).")


class DemandChange(EventBase):
    """Model 2.0: a buyer's budget changes (a public programme, an enterprise wave), optionally in one segment."""

    kind: Literal["demand_change"]
    lab: Name = Field(description="The buyer whose budget changes.")
    factor: float = Field(1.0, ge=0.0, le=100.0, description="Multiplies the budget (or the segment's part of it).")
    amount_musd: float = Field(0.0, ge=-1e6, le=1e6, description="Then adds this, $M/yr (negative cuts).")
    segment: WorkSegment | None = Field(None, description="Only this segment's demand changes; omit for all.")


Event = Annotated[
    Union[OwnershipChange, Assurance, LeadershipDeparture, Divestment, Entry, VentureFunding, ContractEnd,
          DemandChange],
    Field(discriminator="kind"),
]


class Record(Strict):
    """What the recorder keeps; large synthetic markets switch the labs x vendors frame off."""

    allocations: bool = Field(True, description="Record the labs x vendors frame.")
    allocations_every_weeks: int = Field(1, ge=1, le=MAX_WEEKS, description="Record it every N weeks.")
    decisions_min_musd: Money = Field(1.0, description="Smallest move written to the event log, $M/yr.")


class Scenario(Strict):
    meta: Meta
    labs: dict[Name, Lab] = Field(min_length=1)
    vendors: dict[Name, Vendor] = Field(min_length=1)
    investors: dict[Name, Investor] = Field(default_factory=dict)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    events: dict[Name, Event] = Field(default_factory=dict)
    record: Record = Field(default_factory=Record)
    expect: dict[str, Expectation] = Field(default_factory=dict, description="Checks for `labelmarket test`.")
    kinds: dict[LabKind, KindDefaults] = Field(
        default_factory=dict, description="Model 2.0: inputs shared by the labs of a kind (filled in by the loader).")

    def enabled_events(self) -> list[tuple[str, Event]]:
        """Scheduled events that take place, in week order (ties keep file order)."""
        live = [(name, e) for name, e in self.events.items() if e.enabled]
        return sorted(live, key=lambda item: item[1].week)
