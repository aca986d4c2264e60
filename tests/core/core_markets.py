"""Small hand-built markets for the rule tests, with every behaviour parameter pinned.

The lead calibrates the defaults in scenarios/behaviour.py; the rule tests must not move when that happens,
so each market here states the behaviour values it was written against (``PINNED_BEHAVIOUR``) and a test
overrides only the ones its rule is about.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.loader import validate_document
from labelmarket.scenarios.schema import Scenario

PINNED_BEHAVIOUR: dict[str, float] = {
    "stake_weight": 2.2, "voting_weight": 1.6, "talent_weight": 1.5, "assurance_efficacy": 0.35,
    "neutrality_rate_per_week": 0.35,
    "exit_memory_weeks": 8.0, "trust_fall_rate_per_week": 0.45, "trust_recovery_rate_per_week": 0.03,
    "choice_intensity": 6.0, "quality_weight": 1.0, "trust_weight": 2.5, "price_weight": 0.8,
    "switching_cost_scale": 1.0, "dependence_aversion": 1.5, "wariness_gain": 4.0,
    "wariness_memory_weeks": 52.0, "max_move_share": 0.3, "min_move_share": 0.03,
    "aspiration_trust": 0.6, "routine_inquiries": 0.4, "search_breadth": 10.0, "captive_bonus": 0.3,
    "target_utilisation": 0.85, "hiring_rate_per_week": 0.008, "hiring_ramp_musd_per_week": 1.5,
    "hiring_cost_musd_per_musd": 0.15, "operating_cost_ratio": 0.8, "layoff_after_weeks": 8.0,
    "layoff_rate_per_week": 0.03, "talent_recovery_rate_per_week": 0.01, "growth_dilution": 1.5,
    "vc_appetite": 1.0, "vc_base_deal_rate_per_week": 0.02, "vc_herding": 6.0, "vc_ticket_share": 0.08,
    "vc_entry_share": 0.35, "vc_valuation_multiple": 12.0, "entrant_capacity_musd": 20.0,
    "entrant_quality_mean": 0.7, "inquiry_visibility_floor_musd": 40.0,
    # model 2.0 switches at their pre-2.0 values (the rule tests were written against these; D45 turned them on
    # by default): a test of a model 2.0 rule switches its own mechanism on
    "rest_fit_on": 0.0, "segment_fit_weight": 0.0, "notice_weeks": 0.0, "pause_on": 0.0, "experience_weight": 0.0,
    "breach_weight": 0.0, "price_speed": 0.0, "sales_intensity": 0.0,
    "assurance_decided_strength": 0.0, "captive_floor": 1.0, "captive_stake_weight": 0.0, "divest_threshold": 0.0,
    "fund_own_perception": 0.0,
}
QUIET_VC = {"vc_base_deal_rate_per_week": 0.0}  # no venture deals: isolates the rule under test


def lab(budget: float = 100.0, contracts: dict[str, float] | None = None, rivals: dict[str, float] | None = None,
        **fields: Any) -> dict[str, Any]:
    """A lab table with explicit values for every field a rule reads."""
    return {"budget_musd": budget, "growth_per_year": 0.0, "rivals": rivals or {}, "data_sensitivity": 0.8,
            "review_interval_weeks": 4, "switching_cost": 0.5, "alarm_trust": 0.4,
            "contracts": contracts or {}, **fields}


def vendor(capacity: float = 300.0, quality: float = 0.8, cash: float = 1000.0, **fields: Any) -> dict[str, Any]:
    return {"capacity_musd": capacity, "quality": quality, "cash_musd": cash, "price_index": 1.0, **fields}


def strategic(lab_name: str) -> dict[str, Any]:
    return {"kind": "strategic", "lab": lab_name}


def venture(capital: float) -> dict[str, Any]:
    return {"kind": "venture", "capital_musd": capital}


def stake_event(week: int, investor: str, vendor_name: str, stake: float, voting: bool = False,
                **fields: Any) -> dict[str, Any]:
    return {"kind": "ownership_change", "week": week, "investor": investor, "vendor": vendor_name,
            "stake": stake, "voting": voting, **fields}


def build(labs: dict[str, dict], vendors: dict[str, dict], investors: dict[str, dict] | None = None,
          events: dict[str, dict] | None = None, behaviour: dict[str, float] | None = None,
          horizon_weeks: int = 30, seed: int = 1, record: dict[str, Any] | None = None,
          reference_week: int = 0) -> Scenario:
    """A validated scenario from tables; behaviour is PINNED_BEHAVIOUR plus ``behaviour``."""
    doc = {"meta": {"name": "test_market", "horizon_weeks": horizon_weeks, "seed": seed,
                    "reference_week": reference_week},
           "labs": labs, "vendors": vendors, "investors": investors or {},
           "behaviour": {**PINNED_BEHAVIOUR, **(behaviour or {})}, "events": events or {}}
    if record is not None:
        doc["record"] = record
    return validate_document(doc, "test market")


def rival_stake_market(behaviour: dict[str, float] | None = None, voting: bool = True, stake: float = 0.49,
                       week: int = 2, horizon_weeks: int = 30, **lab_fields: Any) -> Scenario:
    """Owner (strategic arm of lab Acquirer) buys a stake in Incumbent at ``week``.

    Rival is the Acquirer's rival and buys only from Incumbent; Bystander is nobody's rival. Challenger has
    room and no clients.
    """
    return build(
        labs={"Acquirer": lab(100.0, {"Incumbent": 60.0, "Second": 40.0}, {"Rival": 1.0}),
              "Rival": lab(100.0, {"Incumbent": 70.0, "Second": 30.0}, {"Acquirer": 1.0}, **lab_fields),
              "Bystander": lab(100.0, {"Incumbent": 50.0, "Second": 50.0})},
        vendors={"Incumbent": vendor(400.0, 0.85), "Second": vendor(300.0, 0.8),
                 "Challenger": vendor(200.0, 0.8)},
        investors={"Owner": strategic("Acquirer")},
        events={"stake": stake_event(week, "Owner", "Incumbent", stake, voting)},
        behaviour={**QUIET_VC, **(behaviour or {})}, horizon_weeks=horizon_weeks)


def series(frame: pd.DataFrame, column: str, **where: str) -> np.ndarray:
    """One column of a frame, filtered by equality on other columns, in week order."""
    mask = np.ones(len(frame), dtype=bool)
    for key, value in where.items():
        mask &= (frame[key] == value).to_numpy()
    return frame[mask].sort_values("week")[column].to_numpy()


def run(scenario: Scenario, seed: int = 1, weeks: int | None = None) -> MarketModel:
    return MarketModel(scenario, rng=seed, weeks=weeks).run()


def index(model: MarketModel, lab_name: str | None = None, vendor_name: str | None = None) -> Any:
    s = model.state
    if lab_name is not None and vendor_name is not None:
        return s.lab_names.index(lab_name), s.vendor_names.index(vendor_name)
    return s.lab_names.index(lab_name) if lab_name is not None else s.vendor_names.index(vendor_name)
