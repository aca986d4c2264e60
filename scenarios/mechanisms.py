"""The mechanisms of the model, each with its switch, its parameters, its literature and the patterns it claims.

One registry read by ``labelmarket ablate`` (each mechanism switched off in turn), by the robustness map and
the calibration (the wide, sourced box of every mechanism's parameters, ``CALIBRATION_BOX``), and by the
docs (docs/calibration.md quotes the box; tests/validation/test_mechanisms.py keeps them equal).

A switch is a set of behaviour values that turns the mechanism off; a value given as a parameter name
(``SameAs``) takes that parameter's value in the scenario being switched. A mechanism with no clean switch
has ``off = None``: it is listed (with its parameters) so that the box covers it and the report can say it
could not be ablated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from labelmarket.scenarios.behaviour import Behaviour


@dataclass(frozen=True)
class SameAs:
    """A switch value borrowed from another behaviour parameter."""

    parameter: str

    def __str__(self) -> str:
        return f"the value of {self.parameter}"


@dataclass(frozen=True)
class Mechanism:
    name: str
    odd_section: str
    summary: str
    off: Mapping[str, float | SameAs] | None
    parameters: tuple[str, ...]
    literature: str
    claims: tuple[str, ...]   # the patterns this mechanism is meant to carry (what the docs say it does)

    def switch_off(self, behaviour: Behaviour) -> dict[str, float]:
        """Dotted overrides (``behaviour.NAME``) that turn the mechanism off; empty if it has no switch."""
        values = {}
        for name, value in (self.off or {}).items():
            values[f"behaviour.{name}"] = float(getattr(behaviour, value.parameter) if isinstance(value, SameAs)
                                                else value)
        return values


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("rival stake exposure", "7.2.1", "a rival owner's stake raises a lab's conflict exposure",
              {"stake_weight": 0.0}, ("stake_weight",),
              "Salop & O'Brien 2000; Allain, Chambolle & Rey 2016", ("P1", "P2", "P3", "P4", "P5")),
    Mechanism("voting control", "7.2.1", "a voting stake weighs more than a non-voting one",
              {"voting_weight": 1.0}, ("voting_weight",), "Salop & O'Brien 2000 (control vs financial interest)",
              ()),
    Mechanism("talent exposure", "7.2.1", "key people gone to a rival raise exposure",
              {"talent_weight": 0.0}, ("talent_weight",), "Allain, Chambolle & Rey 2016", ("P7",)),
    Mechanism("assurances", "7.2.1", "assurances cut exposure (never to zero)",
              {"assurance_efficacy": 0.0}, ("assurance_efficacy",), "domain.md: perception vs reality", ("P7",)),
    Mechanism("neutrality opinion dynamics", "7.2.3", "perceived neutrality moves toward its anchor",
              None, ("neutrality_rate_per_week",), "Friedkin & Johnsen 1990", ()),
    Mechanism("trust asymmetry", "7.2.4", "trust falls fast and recovers slowly",
              {"trust_recovery_rate_per_week": SameAs("trust_fall_rate_per_week")},
              ("trust_fall_rate_per_week", "trust_recovery_rate_per_week"), "Slovic 1993", ("P7",)),
    Mechanism("wariness (diversification response)", "7.2.5",
              "a lab let down spreads its spend over more vendors", {"wariness_gain": 0.0},
              ("wariness_gain", "wariness_memory_weeks"), "Tomlin 2006", ("P5",)),
    Mechanism("vendor choice", "7.3.3-7.3.4", "softmax choice over quality, trust, price and fit",
              None, ("choice_intensity", "trust_weight"), "Weisbuch, Kirman & Herreiner 2000; Kirman & Vriend 2001",
              ("P1",)),
    Mechanism("dependence aversion", "7.3.4", "a lab dislikes placing much of its budget at one vendor",
              {"dependence_aversion": 0.0}, ("dependence_aversion",), "Farrell & Gallini 1988", ("P5",)),
    Mechanism("switching cost", "7.3.3", "current vendors get a loyalty bonus",
              {"switching_cost_scale": 0.0}, ("switching_cost_scale",), "Klemperer 1995", ("P6",)),
    Mechanism("price response", "7.3.3", "labs value cheaper vendors more (prices are constant today)",
              {"price_weight": 0.0}, ("price_weight",), "Tirole 1988 ch. 7", ()),
    Mechanism("captive bonus", "7.3.3", "the owner's lab values the vendor it owns more",
              {"captive_bonus": 0.0}, ("captive_bonus",), "Allain, Chambolle & Rey 2016", ("P8",)),
    Mechanism("routine inquiries", "7.3.2", "satisfied labs still scan the market at reviews",
              {"routine_inquiries": 0.0}, ("routine_inquiries",), "Kirman & Vriend 2001", ("P3",)),
    Mechanism("dissatisfied search", "7.3.2", "search rises with dissatisfaction",
              {"search_breadth": 0.0}, ("search_breadth", "aspiration_trust"), "Simon 1955", ("P1", "P3")),
    Mechanism("inquiry visibility floor", "7.3.2", "small vendors stay visible in searches",
              {"inquiry_visibility_floor_musd": 0.0}, ("inquiry_visibility_floor_musd",),
              "assumption (search frictions)", ("P3",)),
    Mechanism("menu cost", "7.3.5", "gaps below a share of budget are not worth a contract change",
              {"min_move_share": 0.0}, ("min_move_share",), "assumption (re-contracting costs)", ("P6",)),
    Mechanism("move limit", "7.3.5", "a lab moves at most a share of its budget per review",
              {"max_move_share": 1.0}, ("max_move_share",), "assumption (onboarding limits)", ("P2",)),
    Mechanism("hiring", "7.5.1", "vendors hire toward demand at a limited pace",
              {"hiring_rate_per_week": 0.0, "hiring_ramp_musd_per_week": 0.0},
              ("target_utilisation", "hiring_rate_per_week", "hiring_ramp_musd_per_week",
               "hiring_cost_musd_per_musd"), "Tirole 1988 ch. 7 (capacity)", ("P1", "P5")),
    Mechanism("layoffs", "7.5.1", "loss-making vendors cut capacity", {"layoff_rate_per_week": 0.0},
              ("layoff_after_weeks", "layoff_rate_per_week"), "domain.md: the Appen precedent", ("P9",)),
    Mechanism("growth dilution", "7.5.2", "very fast growth dilutes quality", {"growth_dilution": 0.0},
              ("growth_dilution",), "assumption", ()),
    Mechanism("talent recovery", "7.5.2", "talent recovers slowly after a loss",
              {"talent_recovery_rate_per_week": 0.0}, ("talent_recovery_rate_per_week",), "assumption", ()),
    Mechanism("venture herding", "7.7.1-7.7.2", "funds deal faster in hot segments", {"vc_herding": 0.0},
              ("vc_herding", "vc_base_deal_rate_per_week"), "Nanda & Rhodes-Kropf 2013", ("P4",)),
    Mechanism("venture entry", "7.7.4", "hot-market deals found new neutral entrants", {"vc_entry_share": 0.0},
              ("vc_entry_share", "entrant_capacity_musd", "entrant_quality_mean"), "Nanda & Rhodes-Kropf 2013",
              ("P4", "P5")),
    # ===== Model 2.0 (D35-D44; on by default since D45) =====
    Mechanism("market at rest (rest fit)", "7.3.3", "unused vendors' fit keeps them below the menu cost at rest; "
              "entrants start as outside options", {"rest_fit_on": 0.0}, ("rest_share_of_menu_cost",),
              "Berry 1994 (inversion of market shares)", ("P6",)),
    Mechanism("segment fit", "7.3.3", "moves go to vendors that serve the lab's segments",
              {"segment_fit_weight": 0.0}, ("segment_fit_weight",), "domain.md: markets have segments", ("P2", "P6")),
    Mechanism("notice periods", "7.3.5", "cut spend leaves a vendor only after notice",
              {"notice_weeks": 0.0}, ("notice_weeks",), "Farrell & Klemperer 2007 (contract terms)", ("P9",)),
    Mechanism("pause", "7.3.5", "an alarmed lab pauses the work it gives notice on at once",
              {"pause_on": 0.0}, (), "domain.md: Google cut ties 'at once'", ("P1",)),
    Mechanism("trust from experience", "7.2.4", "trust follows what a vendor delivered to the lab",
              {"experience_weight": 0.0}, ("experience_weight",), "Oliver 1980",
              ("P7",)),
    Mechanism("breach memory", "7.2.4", "a neutrality breach is remembered per pair",
              {"breach_weight": 0.0}, ("breach_weight",),
              "Kim et al. 2004; Lewicki & Bunker 1996", ("P1", "P7")),
    Mechanism("vendor pricing", "7.5.6", "vendors price against utilisation and churn",
              {"price_speed": 0.0}, ("price_speed", "price_max_change_per_quarter", "exit_memory_weeks"),
              "Tirole 1988 ch. 7; Sanchez-Cartas 2018", ("P5",)),
    Mechanism("sales effort", "7.5.7", "vendors with idle capacity or lost clients pursue buyers who value them",
              {"sales_intensity": 0.0}, ("sales_intensity", "sales_pilot_share"), "Farrell & Klemperer 2007",
              ("P3", "P9")),
    Mechanism("decided assurances", "7.5.8", "a vendor whose clients' neutrality falls may issue an assurance",
              {"assurance_decided_strength": 0.0}, ("assurance_decided_strength",), "Salop & O'Brien 2000",
              ("P7",)),
    Mechanism("captive volume", "7.6.1", "the owner's lab weighs its stake's profit against quality",
              {"captive_stake_weight": 0.0}, ("captive_stake_weight",), "Allain, Chambolle & Rey 2016", ("P8",)),
    Mechanism("divestment", "7.6.2", "the owner sells when its stake's value falls below a threshold",
              {"divest_threshold": 0.0}, ("divest_threshold",), "Salop & O'Brien 2000", ()),
    Mechanism("funds' own perception", "7.7.1", "funds judge neutrality from ownership and news, and weigh growth",
              {"fund_own_perception": 0.0}, ("fund_owner_discount", "fund_news_weight", "fund_growth_weight"),
              "Nanda & Rhodes-Kropf 2013; Gompers & Lerner 2004", ("P4",)),
)


@dataclass(frozen=True)
class BoxRange:
    """A wide, sourced range of one behaviour parameter, for the robustness map and the calibration."""

    low: float
    high: float
    source: str


CALIBRATION_BOX: dict[str, BoxRange] = {
    "stake_weight": BoxRange(0.5, 5.0, "no measured value (Salop & O'Brien give the form, not the size): from "
                             "a 49 % stake barely felt (0.25 exposure) to any stake above 20 % saturating it"),
    "voting_weight": BoxRange(1.0, 3.0, "1 = votes add nothing; 3 = control triples the weight of a stake "
                              "(O'Brien & Salop's control term dominates)"),
    "talent_weight": BoxRange(0.0, 2.0, "0 = departed people carry no fear; 2 = 8 % of talent weighs like a "
                              "16 % stake"),
    "assurance_efficacy": BoxRange(0.0, 0.8, "0 = worthless promises; 0.8 = nearly fully credible (domain.md: "
                                   "'assurances help, but once trust is broken it is very hard to rebuild')"),
    "neutrality_rate_per_week": BoxRange(0.1, 0.8, "news travels within one to seven weeks (domain.md: Google "
                                         "talked to other vendors 'within days')"),
    "exit_memory_weeks": BoxRange(2.0, 26.0, "clients' exits remembered (vendors' churn, funds' news) from two "
                                  "weeks to two quarters"),
    "trust_fall_rate_per_week": BoxRange(0.1, 0.9, "half-lives from 6.6 weeks down to 0.3 weeks"),
    "trust_recovery_rate_per_week": BoxRange(0.005, 0.2, "half-lives from 2.7 years to 3 weeks: includes "
                                             "near-symmetric trust (Slovic 1993 argues for asymmetry)"),
    "wariness_gain": BoxRange(0.0, 6.0, "0 = no diversification response (the issue's review found the break-up "
                              "rests on it); 6 = a wary lab's aversion rises sevenfold (Tomlin 2006)"),
    "wariness_memory_weeks": BoxRange(13.0, 156.0, "a breach remembered for a quarter to three budget years"),
    "choice_intensity": BoxRange(2.0, 10.0, "from diffuse to sharp logit choice (Weisbuch-Kirman)"),
    "trust_weight": BoxRange(1.0, 5.0, "trust worth one to five times quality in a lab's value"),
    "dependence_aversion": BoxRange(0.0, 3.0, "0 = plain softmax; 3 = strong second-sourcing (Farrell & Gallini "
                                    "1988)"),
    "switching_cost_scale": BoxRange(0.0, 2.0, "no loyalty to twice each lab's stated switching cost "
                                     "(Klemperer 1995)"),
    "price_weight": BoxRange(0.0, 2.0, "price indifference to price worth twice quality per log unit"),
    "captive_bonus": BoxRange(0.0, 2.0, "no captive preference to a bonus of 1 value unit at a 49 % stake"),
    "routine_inquiries": BoxRange(0.0, 3.0, "no scanning to three requests for quotes per review"),
    "search_breadth": BoxRange(0.0, 50.0, "no extra search to about 20 inquiries at a 40 % trust shortfall"),
    "aspiration_trust": BoxRange(0.4, 0.8, "from below the alarm levels' top (0.5) to above the weakest "
                                 "incumbents' trust"),
    "inquiry_visibility_floor_musd": BoxRange(0.0, 200.0, "no floor to every vendor looking like a $200M one"),
    "min_move_share": BoxRange(0.0, 0.1, "no menu cost to 10 % of budget"),
    "max_move_share": BoxRange(0.1, 1.0, "a tenth of the budget per review to all of it"),
    "target_utilisation": BoxRange(0.7, 0.95, "industry utilisation targets; the calibrated vendors start at "
                                   "0.77-0.92"),
    "hiring_rate_per_week": BoxRange(0.002, 0.03, "capacity growth of 11 % to 370 % a year"),
    "hiring_ramp_musd_per_week": BoxRange(0.0, 10.0, "no fixed recruiting pipeline to $520M/yr of capacity a year"),
    "hiring_cost_musd_per_musd": BoxRange(0.05, 0.5, "recruiting costs of 3 weeks to 6 months of running cost"),
    "layoff_after_weeks": BoxRange(4.0, 26.0, "one month to two quarters of losses before layoffs"),
    "layoff_rate_per_week": BoxRange(0.005, 0.1, "0.5 % to 10 % of capacity a week"),
    "growth_dilution": BoxRange(0.0, 5.0, "no dilution to 10 % of quality lost at 2 % weekly growth"),
    "talent_recovery_rate_per_week": BoxRange(0.002, 0.05, "talent half-lives of 6.6 years to 14 weeks"),
    "vc_herding": BoxRange(0.0, 20.0, "no herding to deal rates twenty times higher per unit heat (Nanda & "
                           "Rhodes-Kropf 2013)"),
    "vc_base_deal_rate_per_week": BoxRange(0.005, 0.06, "a fund deals in this sector every 4 years to 3 times "
                                           "a year"),
    "vc_entry_share": BoxRange(0.0, 1.0, "the whole admissible range"),
    "entrant_capacity_musd": BoxRange(5.0, 80.0, "seed-stage to Handshake-size launches (domain.md: ~$50M ARR "
                                      "within four months)"),
    "entrant_quality_mean": BoxRange(0.5, 0.85, "from clearly worse than every incumbent to near Surge"),
    # ===== Model 2.0 parameters (D45) =====
    "rest_share_of_menu_cost": BoxRange(0.1, 0.9, "unused vendors together draw a tenth to nine tenths of the menu "
                                        "cost at rest (any value below 1 keeps the market at rest by construction)"),
    "segment_fit_weight": BoxRange(0.0, 3.0, "segments play no part to a vendor serving none of the lab's work "
                                   "losing three times the quality term"),
    "notice_weeks": BoxRange(0.0, 13.0, "no notice to a quarter (services contracts: 30-90 days' notice)"),
    "experience_weight": BoxRange(0.0, 2.0, "no learning to a quality surprise counting twice against trust "
                                  "(Oliver 1980)"),
    "breach_weight": BoxRange(0.0, 0.6, "no breach memory to a breach removing 60 % of the trust a lab can place"),
    "price_speed": BoxRange(0.0, 2.0, "constant prices to a 10-point utilisation gap moving the price 20 % "
                            "(within the quarterly cap)"),
    "price_max_change_per_quarter": BoxRange(0.01, 0.15, "list prices moving 1 % to 15 % a quarter"),
    "sales_intensity": BoxRange(0.0, 10.0, "no sales effort to about 2.5 contacts a week at 25 % idle capacity"),
    "sales_pilot_share": BoxRange(0.01, 0.15, "a pilot of 1 % to 15 % of the buyer's budget"),
    "assurance_decided_strength": BoxRange(0.0, 1.0, "only scheduled assurances to a full-strength promise"),
    "captive_stake_weight": BoxRange(0.0, 3.0, "no captive shifts to the stake's profit weighing three times a unit "
                                     "of quality"),
    "divest_threshold": BoxRange(0.0, 0.6, "never sells to selling when the stake is worth under 60 % of its price"),
    "fund_owner_discount": BoxRange(0.5, 4.0, "a 50 % strategic stake costs a quarter to all of a vendor's "
                                    "neutrality in funds' eyes"),
    "fund_news_weight": BoxRange(0.0, 3.0, "funds ignore client exits to reading a third of revenue lost as no "
                                 "neutrality left"),
    "fund_growth_weight": BoxRange(0.0, 3.0, "funds ignore growth to growth tripling a vendor's appeal"),
}


def box_bounds() -> dict[str, tuple[float, float]]:
    """Parameter -> (low, high) of the calibration box, in registry order."""
    return {name: (r.low, r.high) for name, r in CALIBRATION_BOX.items()}


def switchable() -> list[Mechanism]:
    """The mechanisms that have a clean off switch, in registry order."""
    return [m for m in MECHANISMS if m.off is not None]
