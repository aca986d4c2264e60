"""Behaviour parameters: the single source of truth for every tunable rule constant.

Each field carries its default, its range (``ge``/``le``), its unit and its meaning. The CLI (``--set
behaviour.NAME=...``), the dashboard sliders, the sweeps and ``docs/ODD.md`` all read them from here, through
:func:`parameter_specs`. The mechanism each parameter belongs to is named in its description; the literature is
cited in the docstring of the rule that uses it (``agents/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _param(default: float, low: float, high: float, unit: str, meaning: str) -> Any:
    return Field(default, ge=low, le=high, description=meaning, json_schema_extra={"unit": unit})


class Behaviour(BaseModel):
    """Rule constants shared by all agents of a scenario. Defaults are the calibrated values."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    # --- 1. Labs perceive: conflict exposure (Salop & O'Brien 2000; Allain, Chambolle & Rey 2016)
    stake_weight: float = _param(
        2.15, 0.0, 10.0, "exposure per unit stake",
        "How much conflict exposure a rival owner's stake creates, per unit of stake and rivalry.")
    voting_weight: float = _param(
        1.6, 1.0, 5.0, "multiplier",
        "How much more a voting stake weighs than a non-voting one (control versus financial interest).")
    talent_weight: float = _param(
        0.636, 0.0, 10.0, "exposure per unit talent share",
        "Conflict exposure created per unit share of a vendor's key talent that left for a rival.")
    assurance_efficacy: float = _param(
        0.397, 0.0, 0.95, "share of exposure",
        "Largest share of exposure that a full-strength assurance removes; below 1, so never to zero.")
    # --- Perceived neutrality: anchored opinion dynamics (Friedkin & Johnsen 1990)
    neutrality_rate_per_week: float = _param(
        0.35, 0.01, 1.0, "1/week",
        "Weekly rate at which perceived neutrality moves toward its anchor.")
    # --- Trust: asymmetric updating, falls fast and recovers slowly (Slovic 1993)
    trust_fall_rate_per_week: float = _param(
        0.676, 0.01, 1.0, "1/week",
        "Weekly rate at which trust falls toward quality x neutrality when that is below it.")
    trust_recovery_rate_per_week: float = _param(
        0.03, 0.0, 1.0, "1/week",
        "Weekly rate at which trust recovers toward quality x neutrality when that is above it.")
    # --- 2. Labs decide: softmax vendor choice with loyalty (Weisbuch, Kirman & Herreiner 2000;
    #        Kirman & Vriend 2001) and switching costs (Klemperer 1995)
    choice_intensity: float = _param(
        4.28, 0.0, 50.0, "1/value unit",
        "Softmax intensity of choice (beta): how sharply labs favour the best-valued vendor.")
    quality_weight: float = _param(
        1.0, 0.0, 10.0, "value per unit quality", "Weight of vendor quality in a lab's value of a vendor.")
    trust_weight: float = _param(
        2.95, 0.0, 10.0, "value per unit trust", "Weight of trust in a lab's value of a vendor.")
    price_weight: float = _param(
        0.8, 0.0, 10.0, "value per log price index", "Weight of (log) price in a lab's value of a vendor.")
    switching_cost_scale: float = _param(
        1.0, 0.0, 5.0, "multiplier",
        "Scales every lab's switching cost (its loyalty bonus for current vendors).")
    dependence_aversion: float = _param(
        1.28, 0.0, 10.0, "value per unit share",
        "Value a lab subtracts from a vendor per unit of its split placed there (second sourcing).")
    wariness_gain: float = _param(
        4.0, 0.0, 20.0, "multiplier per unit wariness",
        "How much a lab's wariness (its remembered dissatisfaction) multiplies its dependence aversion.")
    wariness_memory_weeks: float = _param(
        52.0, 1.0, 520.0, "weeks", "Time constant over which a lab's wariness fades.")
    max_move_share: float = _param(
        0.3, 0.01, 1.0, "share of budget per review",
        "Largest share of its budget a lab moves between vendors at one review.")
    min_move_share: float = _param(
        0.03, 0.0, 0.5, "share of budget",
        "Smallest rebalancing worth a contract change; smaller gaps are left alone (menu cost).")
    aspiration_trust: float = _param(
        0.6, 0.0, 1.0, "trust",
        "Trust a lab aspires to; the spend-weighted shortfall below it is the lab's dissatisfaction.")
    routine_inquiries: float = _param(
        2.0, 0.0, 10.0, "inquiries per review",
        "Expected inquiries a satisfied lab sends at a review (routine market scanning).")
    search_breadth: float = _param(
        40.2, 0.0, 50.0, "inquiries per unit dissatisfaction",
        "Extra inquiries per review per unit of dissatisfaction (search rises with dissatisfaction).")
    captive_bonus: float = _param(
        0.3, 0.0, 10.0, "value per unit stake",
        "Value a strategic owner's lab adds to a vendor it owns, per unit stake (captive demand).")
    # ===== Model 2.0, buyers' side (D35-D39). On by default since D45; each switch at 0 gives the pre-2.0 rule. =====
    # --- A market at rest: unused vendors' fit calibrated against the menu cost (D35)
    rest_fit_on: float = _param(
        1.0, 0.0, 1.0, "switch (0 off, 1 on)",
        "1: the initial fit of a vendor a lab does not use keeps it below the menu cost at rest (an outside "
        "option); 0: fit 0 for unused vendors (the pre-2.0 rule).")
    rest_share_of_menu_cost: float = _param(
        0.5, 0.0, 1.0, "share of min_move_share",
        "Combined split a lab gives at rest to all vendors it does not use, as a share of the menu cost "
        "(even if they became current vendors); only with rest_fit_on = 1.")
    # --- Segments: buyers need work in segments, vendors serve some at some quality (D36)
    segment_fit_weight: float = _param(
        1.0, 0.0, 10.0, "value per unit segment match",
        "Value a lab adds to a vendor per unit of segment match (how well it serves the lab's work); it also "
        "spreads the rest shares of unused vendors by match. 0 = segments play no part (pre-2.0).")
    # --- Contracts: notice periods and pauses (D37)
    notice_weeks: float = _param(
        4.0, 0.0, 26.0, "weeks",
        "Notice a lab must give before spend it cuts leaves a vendor; the freed money is then placed along its "
        "target split. 0 = moves take effect at once (pre-2.0).")
    pause_on: float = _param(
        1.0, 0.0, 1.0, "switch (0 off, 1 on)",
        "1: a lab whose trust in a vendor is below its alarm level pauses the work it gives notice on at once "
        "(the vendor's revenue stops, the contract is held until the notice ends). Acts only with notice_weeks > 0.")
    # --- Trust learned from experience, and breaches remembered per pair (D38)
    experience_weight: float = _param(
        1.0, 0.0, 5.0, "trust per unit quality surprise",
        "How much a lab's trust in a vendor it uses follows what that vendor delivered to it against what it "
        "expected (quality - expected quality). 0 = trust reads only public quality x neutrality (pre-2.0).")
    experience_rate_per_week: float = _param(
        0.1, 0.0, 1.0, "1/week",
        "Weekly rate at which a lab's expected quality of a vendor it uses follows the quality delivered.")
    breach_weight: float = _param(
        0.3, 0.0, 1.0, "share of trust per unit breach",
        "Share of the trust a lab can have in a vendor that a remembered breach removes. 0 = no breach "
        "memory (pre-2.0).")
    breach_threshold: float = _param(
        0.05, 0.0, 1.0, "exposure per week",
        "Rise of a lab's conflict exposure at a vendor it uses, in one week, that counts as a breach.")
    breach_memory_weeks: float = _param(
        104.0, 1.0, 1040.0, "weeks", "Time constant over which a remembered breach fades.")
    # --- 3. Vendors: capacity, talent and cash
    exit_memory_weeks: float = _param(
        8.0, 1.0, 52.0, "weeks",
        "How long clients' withdrawals from a vendor stay remembered (leaky sum time constant): the vendor's "
        "churn, which its pricing and sales read, and the exit news funds read.")
    target_utilisation: float = _param(
        0.85, 0.3, 1.0, "revenue / capacity", "Utilisation vendors hire toward.")
    hiring_rate_per_week: float = _param(
        0.0115, 0.0, 0.2, "share of capacity per week", "Fastest capacity growth by hiring, per week.")
    hiring_ramp_musd_per_week: float = _param(
        4.64, 0.0, 50.0, "$M/yr of capacity per week",
        "Capacity any vendor can add per week on top of the proportional rate (recruiting pipelines).")
    hiring_cost_musd_per_musd: float = _param(
        0.15, 0.0, 2.0, "$M cash per $M/yr capacity",
        "Cash cost of adding $1M/yr of capacity (recruiting, onboarding).")
    operating_cost_ratio: float = _param(
        0.8, 0.1, 1.5, "$ cost per $ capacity per year", "Annual running cost of capacity.")
    layoff_after_weeks: float = _param(
        8.0, 1.0, 52.0, "weeks", "Consecutive loss-making weeks after which a vendor lays off.")
    layoff_rate_per_week: float = _param(
        0.03, 0.0, 0.5, "share of capacity per week", "Capacity cut per week while laying off.")
    talent_recovery_rate_per_week: float = _param(
        0.01, 0.0, 0.5, "1/week", "Weekly rate at which talent recovers after a loss.")
    growth_dilution: float = _param(
        1.5, 0.0, 20.0, "quality per unit weekly growth",
        "Quality lost per unit of (smoothed) weekly capacity growth: very fast growth dilutes talent.")
    # --- 4. Venture investors: herding in hot sectors (Nanda & Rhodes-Kropf 2013)
    vc_appetite: float = _param(
        1.0, 0.0, 5.0, "multiplier", "Scales every venture fund's deal rate.")
    vc_base_deal_rate_per_week: float = _param(
        0.02, 0.0, 0.5, "deals per fund per week", "A fund's deal rate in a quiet market.")
    vc_herding: float = _param(
        15.0, 0.0, 50.0, "multiplier per unit heat", "How much sector heat raises a fund's deal rate.")
    vc_ticket_share: float = _param(
        0.08, 0.01, 1.0, "share of fund capital", "Typical ticket as a share of a fund's initial capital.")
    vc_entry_share: float = _param(
        0.588, 0.0, 1.0, "probability", "Share of hot-market deals that found a new neutral entrant.")
    vc_valuation_multiple: float = _param(
        12.0, 1.0, 100.0, "valuation / revenue run-rate", "Pre-money valuation as a multiple of revenue.")
    entrant_capacity_musd: float = _param(
        20.0, 1.0, 1000.0, "$M/yr", "Mean starting capacity of a VC-founded entrant.")
    entrant_quality_mean: float = _param(
        0.7, 0.05, 0.95, "quality", "Mean quality of a VC-founded entrant.")
    inquiry_visibility_floor_musd: float = _param(
        40.0, 0.0, 1000.0, "$M/yr",
        "Capacity-equivalent visibility every vendor has in labs' searches, so small vendors get found.")

    # === Model 2.0, sellers and owners (docs/ODD.md 7.5.6-7.5.8, 7.6, 7.7.1). On by default since D45 at the
    #     starting values of experiments/presets/model2_sellers.toml; each switch at 0 (captive_floor at 1) gives
    #     the pre-2.0 rule.
    # --- 3b. Vendors price against utilisation and churn (Tirole 1988 ch. 7; Sanchez-Cartas 2018)
    price_speed: float = _param(
        0.5, 0.0, 5.0, "log price per unit utilisation gap per review",
        "Pricing switch and speed: how far a vendor moves its log price per unit of (utilisation - target "
        "utilisation - churn) at a price review; 0 keeps every price constant (the pre-2.0 model).")
    price_max_change_per_quarter: float = _param(
        0.05, 0.0, 0.5, "share of price per 13 weeks",
        "Largest price change a vendor makes per quarter (prices are sticky: list prices and contracts).")
    price_review_weeks: float = _param(
        13.0, 1.0, 52.0, "weeks", "Weeks between a vendor's price reviews.")
    price_floor_index: float = _param(
        0.6, 0.1, 1.0, "price index", "Lowest price index a vendor's own pricing goes to.")
    price_ceiling_index: float = _param(
        2.0, 1.0, 10.0, "price index", "Highest price index a vendor's own pricing goes to.")
    # --- 3c. Vendors direct sales effort at buyers who value them
    sales_intensity: float = _param(
        4.0, 0.0, 20.0, "sales contacts per week per unit sales pressure",
        "Sales switch and intensity: contacts a vendor makes per week per unit of idle capacity share plus "
        "churn; 0 means no sales effort (the pre-2.0 model).")
    sales_cost_musd_per_contact: float = _param(
        0.05, 0.0, 5.0, "$M cash per contact", "Cash a vendor spends per sales contact (account team, pilots).")
    sales_pilot_share: float = _param(
        0.05, 0.0, 0.5, "share of the buyer's budget",
        "Share of its budget a contacted buyer moves to the vendor in a pilot, when it values the vendor at "
        "least as much as its weakest current vendor.")
    # --- 3d. Vendors decide assurances (Salop & O'Brien 2000: control versus financial interest)
    assurance_decided_strength: float = _param(
        0.5, 0.0, 1.0, "strength 0..1",
        "Assurance switch: strength of an assurance a vendor decides to give before credibility discounts; 0 "
        "means only scheduled assurances (the pre-2.0 model).")
    assurance_cost_musd: float = _param(
        5.0, 0.0, 200.0, "$M cash per assurance",
        "One-off cash cost of an assurance (firewall, audit, governance changes).")
    assurance_trigger_fall: float = _param(
        0.05, 0.0, 1.0, "neutrality",
        "Fall of the clients' spend-weighted perceived neutrality below its slow average that makes a vendor "
        "consider an assurance.")
    assurance_control_discount: float = _param(
        0.6, 0.0, 1.0, "share of strength",
        "Share of an assurance's credibility lost when a strategic owner controls the vendor (votes).")
    assurance_breach_discount: float = _param(
        0.5, 0.0, 1.0, "multiplier per breach",
        "Credibility kept per past breach (an ownership change or departure to an owner while assured).")
    assurance_repeat_decay: float = _param(
        0.5, 0.0, 1.0, "multiplier per earlier assurance",
        "Credibility kept per assurance already given: repeated promises have diminishing effect.")
    # --- 4b. The strategic owner decides (Salop & O'Brien 2000; Allain, Chambolle & Rey 2016)
    captive_floor: float = _param(
        0.0, 0.0, 1.0, "switch 0/1",
        "1: the owner's lab never cuts spend at a vendor its investor owns (the pre-2.0 floor, off since D45); 0: no "
        "floor, the captive-volume decision acts instead.")
    captive_stake_weight: float = _param(
        1.0, 0.0, 10.0, "value per unit stake x margin",
        "Captive-volume switch and weight: how much the owner's lab values the profit its stake earns on work "
        "sent to the owned vendor, against the quality it gives up; 0 means no captive shifts.")
    captive_shift_share: float = _param(
        0.15, 0.0, 0.5, "share of budget per review",
        "Largest share of its budget the owner's lab shifts toward (or away from) the owned vendor per review.")
    stake_valuation_multiple: float = _param(
        33.0, 1.0, 100.0, "valuation / revenue run-rate",
        "Multiple at which a strategic owner values its stake (Meta-Scale 2025: $29B / $870M revenue).")
    divest_threshold: float = _param(
        0.3, 0.0, 1.0, "share of price paid",
        "Divestment switch: a strategic owner sells its stake when its value falls below this share of the "
        "price it paid; 0 means it never decides to sell (the pre-2.0 model).")
    # --- 4c. Venture funds perceive for themselves (Nanda & Rhodes-Kropf 2013; Gompers & Lerner 2004)
    fund_own_perception: float = _param(
        1.0, 0.0, 1.0, "switch 0/1",
        "1: funds judge neutrality from ownership and news and weigh revenue growth; 0: they borrow the labs' "
        "budget-weighted perceived neutrality (the pre-2.0 model).")
    fund_owner_discount: float = _param(
        2.0, 0.0, 10.0, "neutrality per unit strategic stake",
        "Neutrality funds deduct per unit of stake held by any strategic (lab-owned) investor.")
    fund_news_weight: float = _param(
        1.0, 0.0, 10.0, "neutrality per unit exit share",
        "Neutrality funds deduct per unit share of a vendor's revenue that clients recently withdrew.")
    fund_growth_weight: float = _param(
        1.0, 0.0, 10.0, "multiplier per unit revenue growth",
        "How much a vendor's revenue growth (against its slow average) raises its appeal to funds.")


@dataclass(frozen=True)
class ParameterSpec:
    """One behaviour parameter as every front end shows it."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    meaning: str


def parameter_specs() -> list[ParameterSpec]:
    """The behaviour parameters with default, range, unit and meaning, in declaration order."""
    specs = []
    for name, field in Behaviour.model_fields.items():
        low = next(m.ge for m in field.metadata if hasattr(m, "ge"))
        high = next(m.le for m in field.metadata if hasattr(m, "le"))
        extra = field.json_schema_extra or {}
        specs.append(ParameterSpec(name, float(field.default), float(low), float(high),
                                   str(extra["unit"]), field.description or ""))
    return specs
