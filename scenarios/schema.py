"""The validated shape of a scenario file: one schema for every bundled and user scenario.

A scenario describes a whole market: metadata, labs (buyers), vendors, investors, behaviour parameters and
scheduled events. Names are the keys of their tables, so a counterfactual that ``extends`` another file names
only what differs. Unknown keys are errors: a typo must never be silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from labelmarket.scenarios.behaviour import Behaviour

Share = Annotated[float, Field(ge=0.0, le=1.0)]

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
NonNegative = Annotated[float, Field(ge=0.0)]
Week = Annotated[int, Field(ge=0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Meta(Strict):
    name: str = Field(min_length=1, description="Short identifier of the scenario.")
    description: str = ""
    horizon_weeks: int = Field(gt=0, le=1040, description="Weeks simulated after the initial state.")
    seed: int = Field(0, ge=0, description="Default random seed.")
    reference_week: Week = Field(0, description="Model week that reports call 'week 0' (the shock week).")


class Lab(Strict):
    """A buyer of training data: a frontier lab, or another buyer (enterprise, public sector)."""

    kind: Literal["frontier_lab", "enterprise", "public_sector"] = "frontier_lab"
    budget_musd: NonNegative = Field(description="External data budget, $M per year.")
    growth_per_year: float = Field(0.0, ge=-0.9, le=5.0, description="Budget growth rate per year.")
    rivals: dict[str, Share] = Field(default_factory=dict,
                                     description="Rival labs or investors, with rivalry strength 0..1.")
    data_sensitivity: Share = Field(description="How much the lab fears exposure of its data and methods.")
    review_interval_weeks: int = Field(ge=1, le=104, description="Weeks between routine contract reviews.")
    switching_cost: NonNegative = Field(description="Loyalty bonus for current vendors, in value units.")
    alarm_trust: Share = Field(0.4, description="Trust below which a lab reviews at once.")
    contracts: dict[str, NonNegative] = Field(default_factory=dict,
                                              description="Initial spend per vendor, $M per year.")
    segments: dict[WorkSegment, NonNegative] | None = Field(
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
    switching_cost: NonNegative | None = None


LabKind = Literal["frontier_lab", "enterprise", "public_sector"]


class Owner(Strict):
    stake: Share = Field(description="Share of the vendor's equity, 0..1.")
    voting: bool = Field(description="Whether the stake carries votes (control).")


class Vendor(Strict):
    segment: str = Field("managed_labelling", min_length=1, description="Market segment, for VC herding.")
    capacity_musd: NonNegative = Field(description="Work it can deliver, $M per year.")
    quality: Share
    price_index: float = Field(1.0, gt=0.0, le=10.0, description="Price relative to the market (1 = par).")
    cash_musd: NonNegative = Field(description="Cash on hand, $M.")
    owners: dict[str, Owner] = Field(default_factory=dict, description="Investor name -> stake.")
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
    lab: str | None = Field(None, description="The lab a strategic investor belongs to.")
    capital_musd: NonNegative = Field(0.0, description="Capital a venture fund can deploy, $M.")

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
    investor: str
    vendor: str
    stake: Share = Field(description="Share of the vendor's equity bought, 0..1.")
    voting: bool = Field(description="Whether the stake carries votes (control) or only financial interest.")
    cash_musd: NonNegative = Field(0.0, description="Cash the vendor receives from the deal, $M.")
    talent_taken: Share = Field(0.0, description="Share of the vendor's key talent the investor takes.")


class Assurance(EventBase):
    kind: Literal["assurance"]
    vendor: str
    promise: Literal["data_firewall", "non_voting"] = "data_firewall"
    strength: Share = Field(description="How credible and binding the promise is, 0..1.")


class LeadershipDeparture(EventBase):
    kind: Literal["leadership_departure"]
    vendor: str
    to: str = Field(description="The strategic investor (or its lab) the leaders join.")
    talent_share: Share = Field(description="Share of the vendor's key talent that leaves.")


class Divestment(EventBase):
    kind: Literal["divestment"]
    investor: str
    vendor: str
    stake: Share | None = Field(None, description="Stake sold; default all of it.")


class Entry(EventBase):
    kind: Literal["entry"]
    vendor: str = Field(min_length=1, description="Name of the new vendor.")
    segment: str = "managed_labelling"
    capacity_musd: NonNegative
    quality: Share
    price_index: float = Field(1.0, gt=0.0, le=10.0)
    cash_musd: NonNegative
    owners: dict[str, Owner] = Field(default_factory=dict)


class VentureFunding(EventBase):
    kind: Literal["venture_funding"]
    investor: str = Field(description="The venture fund that invests.")
    amount_musd: float = Field(gt=0.0, description="Capital committed, $M (capped at what the fund has left).")
    vendor: str | None = Field(None, description="The vendor funded; omit to found a new neutral entrant.")
    segment: str = Field("managed_labelling", min_length=1, description="Segment of a new entrant.")


class DemandChange(EventBase):
    """Model 2.0: a buyer's budget changes (a public programme, an enterprise wave), optionally in one segment."""

    kind: Literal["demand_change"]
    lab: str = Field(description="The buyer whose budget changes.")
    factor: float = Field(1.0, ge=0.0, le=100.0, description="Multiplies the budget (or the segment's part of it).")
    amount_musd: float = Field(0.0, ge=-1e6, le=1e6, description="Then adds this, $M/yr (negative cuts).")
    segment: WorkSegment | None = Field(None, description="Only this segment's demand changes; omit for all.")


Event = Annotated[
    Union[OwnershipChange, Assurance, LeadershipDeparture, Divestment, Entry, VentureFunding, DemandChange],
    Field(discriminator="kind"),
]


class Record(Strict):
    """What the recorder keeps; large synthetic markets switch the labs x vendors frame off."""

    allocations: bool = Field(True, description="Record the labs x vendors frame.")
    allocations_every_weeks: int = Field(1, ge=1, description="Record it every N weeks.")
    decisions_min_musd: NonNegative = Field(1.0, description="Smallest move written to the event log, $M/yr.")


class Scenario(Strict):
    meta: Meta
    labs: dict[str, Lab] = Field(min_length=1)
    vendors: dict[str, Vendor] = Field(min_length=1)
    investors: dict[str, Investor] = Field(default_factory=dict)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    events: dict[str, Event] = Field(default_factory=dict)
    record: Record = Field(default_factory=Record)
    kinds: dict[LabKind, KindDefaults] = Field(
        default_factory=dict, description="Model 2.0: inputs shared by the labs of a kind (filled in by the loader).")

    def enabled_events(self) -> list[tuple[str, Event]]:
        """Scheduled events that take place, in week order (ties keep file order)."""
        live = [(name, e) for name, e in self.events.items() if e.enabled]
        return sorted(live, key=lambda item: item[1].week)
