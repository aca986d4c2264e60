"""The runs the patterns need are derived from the base scenario, and run as one reproducible batch."""

from __future__ import annotations

import pandas as pd
import pytest

from labelmarket.experiments.pattern_runs import (
    PROBE_TALENT_SHARE,
    STRONG_ASSURANCE,
    STRONG_EVENT,
    pattern_runs,
    run_variants,
    shock_event_names,
)
from labelmarket.scenarios.loader import load_scenario, validate_document


def _without_meta(scenario) -> dict:
    """The market a scenario simulates: without its name and description and its `labelmarket test` checks."""
    doc = scenario.model_dump(mode="json")
    doc.pop("meta")
    doc.pop("expect")
    return doc


@pytest.mark.parametrize("role", ["no_shock", "strong_assurances", "talent_loss_only"])
def test_derived_counterfactuals_equal_the_bundled_files(role):
    derived = pattern_runs("meta_scale_2025")[role]
    assert _without_meta(derived) == _without_meta(load_scenario(role))
    assert derived.meta.reference_week == load_scenario(role).meta.reference_week


def test_the_shock_is_every_enabled_event_on_the_target_in_the_reference_week():
    assert shock_event_names(load_scenario("meta_scale_2025")) == ["meta_stake", "ceo_departure"]
    assert shock_event_names(load_scenario("toy")) == ["alpha_stake"]


def test_owner_probe_and_precedent():
    runs = pattern_runs("meta_scale_2025")
    assert runs["owner_probe"].events["ceo_departure"].talent_share == PROBE_TALENT_SHARE
    assert runs["owner_probe"].events["meta_stake"].enabled
    custom = load_scenario("meta_scale_2025", {"behaviour.wariness_gain": 0.0})
    precedent = pattern_runs(custom)["precedent"]
    assert precedent.meta.name == "appen_2024" and precedent.behaviour == custom.behaviour


def test_a_base_without_assurances_or_departures_forms_only_the_roles_it_can():
    assert set(pattern_runs("toy")) == {"shock", "no_shock", "strong_assurances", "precedent"}
    silent = load_scenario("toy", {"behaviour.assurance_decided_strength": 0.0})  # no promise, scheduled or decided
    assert set(pattern_runs(silent, precedent=False)) == {"shock", "no_shock"}


def test_where_the_vendor_decides_its_promise_the_strong_role_imposes_one_in_the_shock_week():
    """D86: meta_scale_2025 schedules no assurance; the counterfactual adds a strong one on the target vendor."""
    strong = pattern_runs("toy", precedent=False)["strong_assurances"]
    promise = strong.events[STRONG_EVENT]
    assert (promise.kind, promise.vendor, promise.week, promise.strength) == (
        "assurance", "BigCo", strong.meta.reference_week, STRONG_ASSURANCE)
    doc = load_scenario("meta_scale_2025").model_dump(mode="json", exclude_none=True)
    doc["events"]["own_promise"] = {"kind": "assurance", "week": 26, "vendor": "Scale AI",
                                    "promise": "data_firewall", "strength": 0.4}
    scheduled = validate_document(doc, "a scheduled promise")
    derived = pattern_runs(scheduled, precedent=False)["strong_assurances"]
    assert derived.events["own_promise"].strength == STRONG_ASSURANCE and STRONG_EVENT not in derived.events


def test_variants_share_seeds_and_one_or_two_workers_give_identical_digests():
    specs = pattern_runs("toy", precedent=False)
    variants = {"full": {}, "calm labs": {"behaviour.routine_inquiries": 0.0}}
    alone = dict(run_variants(specs, variants, [1, 2], workers=1))
    pooled = dict(run_variants(specs, variants, [1, 2], workers=2))
    assert list(alone) == ["full", "calm labs"] and list(alone["full"]) == ["shock", "no_shock", "strong_assurances"]
    for variant in variants:
        for role in specs:
            assert [d.seed for d in pooled[variant][role]] == [1, 2]
            for a, b in zip(alone[variant][role], pooled[variant][role], strict=True):
                for part in ("market", "inquiries", "target_spend", "drawdown"):
                    pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part), check_exact=True)
    assert not alone["full"]["shock"][0].market.equals(alone["calm labs"]["shock"][0].market)
