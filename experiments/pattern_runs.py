"""Which runs the patterns need for a base scenario, and the one batch call that runs them.

Each pattern reads one or more *roles*: the base scenario with its shock (``shock``), and counterfactuals
derived from it by changing some of its events, so that any scenario with an ownership shock can be validated or
ablated, not only the bundled one:

- ``no_shock``: the shock's events (every enabled event that names the target vendor in the reference
  week) switched off;
- ``strong_assurances``: the shock's scheduled assurances at strength ``STRONG_ASSURANCE``; where the target
  vendor decides its own promise (no scheduled one: ``meta_scale_2025`` since D86), an assurance of that
  strength imposed on it in the shock week (its own rule still acts on top);
- ``talent_loss_only``: the shock's events switched off except its leadership departures;
- ``owner_probe``: the shock's leadership departures take ``PROBE_TALENT_SHARE`` of the vendor's key talent,
  so the owned vendor's quality collapses (P8's probe of whether a rule forbids the owner's lab to leave);
- ``precedent``: the Appen precedent (``PRECEDENT_SCENARIO``) run with the base scenario's behaviour.

For ``meta_scale_2025`` the first three equal the bundled files ``no_shock``, ``strong_assurances`` and
``talent_loss_only`` (tests/validation/test_pattern_runs.py checks it). A *variant* is a set of dotted
overrides applied on top of every role (an ablation switch, a calibration candidate); all variants, roles and
seeds run as one batch on the batch engine of the sweeps (``labelmarket.experiments.sweep.engines``) with
common random numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from labelmarket.experiments.digest import RunDigest, digest_model, largest_rival_client, shock_roles
from labelmarket.experiments.patterns import StoryCast
from labelmarket.experiments.sweep.engines import map_in_order
from labelmarket.model.runner import RunSpec, run_batch
from labelmarket.scenarios.loader import load_scenario, validate_document
from labelmarket.scenarios.schema import Assurance, LeadershipDeparture, Scenario

STRONG_ASSURANCE = 0.95      # as scenarios/strong_assurances.toml
STRONG_EVENT = "strong_assurance"  # the name of the imposed promise, as in scenarios/strong_assurances.toml
PROBE_TALENT_SHARE = 0.9     # the owner probe: nine tenths of the owned vendor's key talent leaves
PRECEDENT_SCENARIO = "appen_2024"


def story_cast(base: str | Path | Scenario = "meta_scale_2025") -> StoryCast:
    """The cast of the patterns, with the target, the acquirer and its largest rival client read from the
    base scenario's shock."""
    scenario = load_scenario(base)
    roles = shock_roles(scenario)
    return StoryCast(largest_rival=largest_rival_client(scenario, roles), acquirer_lab=roles.acquirer_lab or "",
                     target_vendor=roles.vendor)


def shock_event_names(scenario: Scenario) -> list[str]:
    """Enabled events in the reference week that name the shock's target vendor."""
    roles = shock_roles(scenario)
    return [name for name, event in scenario.events.items()
            if event.enabled and event.week == roles.reference_week and getattr(event, "vendor", None) == roles.vendor]


def derive(base: Scenario, role: str, events: Mapping[str, Mapping[str, Any]]) -> Scenario:
    """``base`` with some fields of some events changed (an event it lacks is added), named after the role
    it plays."""
    doc = base.model_dump(mode="json", exclude_none=True)
    doc["meta"]["name"] = f"{base.meta.name}:{role}"
    for name, fields in events.items():
        doc.setdefault("events", {}).setdefault(name, {}).update(fields)
    return validate_document(doc, f"scenario '{base.meta.name}' as {role}")


def pattern_runs(base: str | Path | Scenario = "meta_scale_2025", precedent: bool = True) -> dict[str, Scenario]:
    """Role -> scenario for every run the patterns need; roles the base cannot form are left out."""
    scenario = load_scenario(base)
    shock = shock_event_names(scenario)
    assurances = [n for n in shock if isinstance(scenario.events[n], Assurance)]
    departures = [n for n in shock if isinstance(scenario.events[n], LeadershipDeparture)]
    runs = {"shock": scenario, "no_shock": derive(scenario, "no_shock", {n: {"enabled": False} for n in shock})}
    if assurances:
        runs["strong_assurances"] = derive(scenario, "strong_assurances",
                                           {n: {"strength": STRONG_ASSURANCE} for n in assurances})
    elif scenario.behaviour.assurance_decided_strength > 0:  # the vendor decides its promise (D86)
        roles = shock_roles(scenario)
        runs["strong_assurances"] = derive(scenario, "strong_assurances", {STRONG_EVENT: {
            "kind": "assurance", "week": roles.reference_week, "vendor": roles.vendor, "promise": "data_firewall",
            "strength": STRONG_ASSURANCE}})
    if departures:
        runs["talent_loss_only"] = derive(scenario, "talent_loss_only",
                                          {n: {"enabled": False} for n in shock if n not in departures})
        runs["owner_probe"] = derive(scenario, "owner_probe",
                                     {n: {"talent_share": PROBE_TALENT_SHARE} for n in departures})
    if precedent:
        doc = load_scenario(PRECEDENT_SCENARIO).model_dump(mode="json", exclude_none=True)
        doc["behaviour"] = scenario.behaviour.model_dump(mode="json")
        runs["precedent"] = validate_document(doc, f"{PRECEDENT_SCENARIO} with the behaviour of "
                                                   f"'{scenario.meta.name}'")
    return runs


Job = tuple[Scenario, int, dict[str, Any]]


def _run_batch(batch: list[Job]) -> list[RunDigest]:
    return run_batch([RunSpec(source, seed, overrides) for source, seed, overrides in batch], digest_model)


def run_variants(specs: Mapping[str, Scenario], variants: Mapping[str, Mapping[str, Any]], seeds: Iterable[int],
                 workers: int = 1, scheduler: str | None = None) -> Iterator[tuple[str, dict[str, list[RunDigest]]]]:
    """Run every variant x role x seed; yield (variant, role -> digests in seed order), variant by variant.

    The one batch call of validation, ablation, calibration and the robustness map: runs go to the batch
    engine (``workers`` local processes, or the dask cluster at ``scheduler``) in batches, results come back in
    submission order (identical on one core or many), and a variant is handed over as soon as its runs are
    done, so callers can reduce it and let the digests go.
    """
    seed_list = list(seeds)
    plan = [(variant, role) for variant in variants for role in specs]
    jobs: list[Job] = [(specs[role], seed, dict(variants[variant]))
                       for variant, role in plan for seed in seed_list]
    digests = map_in_order(_run_batch, jobs, workers, scheduler)
    try:
        for variant in variants:
            yield variant, {role: [next(digests) for _ in seed_list] for role in specs}
        next(digests, None)  # every digest read: lets the engine stop its workers cleanly
    finally:
        digests.close()
