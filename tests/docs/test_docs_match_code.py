"""The documentation must describe the code as it is.

These fail when a name in docs/ODD.md no longer exists in the code, when a behaviour parameter is added,
renamed or re-defaulted without the docs following, or when docs/calibration.md quotes an input of
meta_scale_2025 that differs from the scenario file. They run in about a second (no simulation).
"""

from __future__ import annotations

import importlib
import inspect
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.loader import load_scenario
from labelmarket.scenarios.parameter_table import render

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SCENARIO = "meta_scale_2025"
PACKAGES = ("labelmarket.agents", "labelmarket.model", "labelmarket.scenarios", "labelmarket.experiments")
REGENERATE = "regenerate it: python -m labelmarket.scenarios.parameter_table > docs/parameters.md"

INLINE_CODE = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(rf"^(?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+$")
BEHAVIOUR_NAME = re.compile(r"(?<![\w./-])behaviour\.([A-Za-z_]\w*)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
TABLE_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|(.*)\|\s*$", re.MULTILINE)
SEARCH_RANGE = re.compile(r"search range ([0-9.]+)–([0-9.]+)")


@cache
def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def prose(text: str) -> str:
    """The text without fenced code blocks (equations there use their own short names)."""
    return FENCE.sub("", text)


def dotted_names(text: str) -> set[str]:
    return {m for m in INLINE_CODE.findall(prose(text)) if DOTTED.match(m)}


def resolve(dotted: str) -> Any:
    """Import the longest importable module prefix, then getattr the rest; raises if any part is missing."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def behaviour_fields() -> set[str]:
    return set(Behaviour.model_fields)


def calibration_rows() -> dict[str, tuple[str, str, str]]:
    """First-cell path -> (value cell, unit cell, note cell) for every row keyed by a backticked path."""
    rows: dict[str, tuple[str, str, str]] = {}
    for path, value, unit, note in TABLE_ROW.findall(doc("calibration.md")):
        assert path not in rows, f"docs/calibration.md has two rows for `{path}`"
        rows[path] = (value.strip(), unit.strip(), note.strip())
    return rows


def scenario_leaves() -> dict[str, Any]:
    """Every input of the resolved scenario (defaults filled in) as dotted path -> value."""
    scenario = load_scenario(SCENARIO)
    out: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        else:
            out[prefix] = node

    walk(scenario.model_dump(mode="json", exclude_none=True, exclude={"expect"}), "")  # checks, not inputs
    return out


def parse_value(cell: str) -> Any:
    text = cell.strip().strip("`").strip()
    if text in ("true", "false"):
        return text == "true"
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text


def same(quoted: Any, actual: Any) -> bool:
    if isinstance(actual, bool) or isinstance(quoted, bool):
        return quoted is actual
    if isinstance(actual, (int, float)):
        return isinstance(quoted, float) and math.isclose(quoted, float(actual), rel_tol=1e-9, abs_tol=1e-12)
    return quoted == actual


# ----------------------------------------------------------------------------------- (a) names resolve
def test_odd_names_enough_to_be_meaningful() -> None:
    assert len(dotted_names(doc("ODD.md"))) > 80, "the dotted-name scan of docs/ODD.md found almost nothing"


@pytest.mark.parametrize("doc_name", ["ODD.md", "calibration.md"])
def test_every_dotted_name_resolves(doc_name: str) -> None:
    missing = []
    for name in sorted(dotted_names(doc(doc_name))):
        try:
            resolve(name)
        except (ImportError, AttributeError) as err:
            missing.append(f"{name} ({type(err).__name__}: {err})")
    assert not missing, f"docs/{doc_name} names code that does not exist: " + "; ".join(missing)


def test_every_rule_and_module_constant_is_in_odd() -> None:
    """A rule or agent constant added to the code must be described (and named) in the ODD."""
    names = dotted_names(doc("ODD.md"))
    expected = set()
    for module_name in ("labelmarket.agents.perception", "labelmarket.agents.choice", "labelmarket.agents.vendor", "labelmarket.agents.investor", "labelmarket.agents.lab",
                        "labelmarket.model.initial_state", "labelmarket.model.metrics", "labelmarket.model.state",
                        "labelmarket.model.explain"):
        module = importlib.import_module(module_name)
        for attr, value in vars(module).items():
            if attr.isupper() and isinstance(value, (int, float)) and not isinstance(value, bool) \
                    and re.search(rf"^{attr} = ", inspect.getsource(module), re.MULTILINE):  # its own, not imported
                expected.add(f"{module_name}.{attr}")
            elif inspect.isfunction(value) and value.__module__ == module_name and not attr.startswith("_"):
                expected.add(f"{module_name}.{attr}")
    expected.add("labelmarket.model.market_model.MarketModel.step")
    expected.add("labelmarket.model.events.apply_event")
    # the model 2.0 schedule steps of the sellers and owners (their rule functions are found above)
    expected.add("labelmarket.agents.vendor.compete")
    expected.add("labelmarket.agents.investor.decide_as_owner")
    expected.add("labelmarket.model.initial_state.settle_sellers_and_owners")
    undocumented = sorted(expected - names)
    assert not undocumented, f"docs/ODD.md does not name: {', '.join(undocumented)}"


def test_every_event_kind_is_in_odd() -> None:
    """Each kind of the event log (``EventKind``), the model 2.0 decisions included, is named in the ODD."""
    from labelmarket.model.event_log import EventKind

    named = set(INLINE_CODE.findall(prose(doc("ODD.md"))))
    missing = sorted(kind.value for kind in EventKind if kind.value not in named)
    assert not missing, f"docs/ODD.md never names the event kinds: {missing}"


# ---------------------------------------------------------------------------- (b), (c) behaviour names
@pytest.mark.parametrize("doc_name", ["ODD.md", "calibration.md"])
def test_behaviour_names_in_docs_are_fields(doc_name: str) -> None:
    unknown = sorted(set(BEHAVIOUR_NAME.findall(doc(doc_name))) - behaviour_fields())
    assert not unknown, f"docs/{doc_name} mentions behaviour parameters that do not exist: {unknown}"


def test_every_behaviour_field_is_in_odd() -> None:
    missing = sorted(behaviour_fields() - set(BEHAVIOUR_NAME.findall(doc("ODD.md"))))
    assert not missing, f"docs/ODD.md does not document: {', '.join('behaviour.' + m for m in missing)}"


# ------------------------------------------------------------------------------- (d) generated table
def test_parameters_md_is_the_generated_table() -> None:
    assert (DOCS / "parameters.md").read_text(encoding="utf-8") == render(), \
        f"docs/parameters.md differs from scenarios.parameter_table: {REGENERATE}"


def test_parameter_table_lists_every_field_with_its_default() -> None:
    text = render()
    for name, field in Behaviour.model_fields.items():
        assert re.search(rf"^\| `{name}` \| {re.escape(f'{field.default:g}')} \|", text, re.MULTILINE), name


# ------------------------------------------------------------------------ (e) every actor is accounted
def test_every_actor_and_event_is_in_calibration() -> None:
    scenario = load_scenario(SCENARIO)
    text = doc("calibration.md")
    names = [*scenario.labs, *scenario.vendors, *scenario.investors, *scenario.events]
    missing = [n for n in names if n not in text]
    assert not missing, f"docs/calibration.md never mentions: {missing}"


# ------------------------------------------------------------------- (f) quoted values equal the file
def test_contract_rows_match_the_scenario() -> None:
    scenario = load_scenario(SCENARIO)
    rows = calibration_rows()
    quoted = {path: value for path, (value, _, _) in rows.items() if ".contracts." in path}
    expected = {f"labs.{lab}.contracts.{vendor}": amount
                for lab, spec in scenario.labs.items() for vendor, amount in spec.contracts.items()}
    assert set(quoted) == set(expected), (f"contract rows missing: {sorted(set(expected) - set(quoted))}; "
                                          f"rows for no contract: {sorted(set(quoted) - set(expected))}")
    wrong = {p: (quoted[p], expected[p]) for p in expected if not same(parse_value(quoted[p]), expected[p])}
    assert not wrong, f"docs/calibration.md quotes contracts that differ from {SCENARIO}.toml: {wrong}"


def test_every_scenario_input_has_a_row_with_its_value() -> None:
    rows = calibration_rows()
    leaves = scenario_leaves()
    missing = sorted(p for p in leaves if not p.startswith("behaviour.") and p not in rows)
    assert not missing, f"docs/calibration.md has no row for: {missing}"
    wrong = {p: (rows[p][0], v) for p, v in leaves.items()
             if p in rows and not same(parse_value(rows[p][0]), v)}
    assert not wrong, f"docs/calibration.md values differ from {SCENARIO} (quoted, actual): {wrong}"
    stray = sorted(p for p in rows if p.split(".")[0] in ("meta", "labs", "vendors", "investors", "events",
                                                           "record") and p not in leaves)
    assert not stray, f"docs/calibration.md has rows for inputs the scenario does not have: {stray}"


def test_behaviour_rows_quote_the_defaults_and_search_ranges() -> None:
    from labelmarket.experiments.calibrate import SEARCH_BOUNDS

    rows = calibration_rows()
    defaults = Behaviour()
    for name in Behaviour.model_fields:
        path = f"behaviour.{name}"
        assert path in rows, f"docs/calibration.md has no row for `{path}`"
        value, _, note = rows[path]
        assert same(parse_value(value), getattr(defaults, name)), \
            f"`{path}`: calibration.md says {value}, the default is {getattr(defaults, name)}"
        searched = SEARCH_BOUNDS.get(name)
        found = SEARCH_RANGE.search(note)
        if searched is None:
            assert found is None and "**calibrated**" not in note, f"`{path}` is not searched by the calibration"
        else:
            assert found, f"`{path}` is searched by the calibration; say so with its search range"
            assert (float(found[1]), float(found[2])) == tuple(map(float, searched)), \
                f"`{path}`: search range {found[1]}–{found[2]} differs from SEARCH_BOUNDS {searched}"


def test_consistency_figures_match_the_scenario() -> None:
    scenario = load_scenario(SCENARIO)
    revenue = {v: 0.0 for v in scenario.vendors}
    for lab in scenario.labs.values():
        for vendor, amount in lab.contracts.items():
            revenue[vendor] += amount
    text = doc("calibration.md")
    cost_ratio = Behaviour().operating_cost_ratio
    for vendor, total in revenue.items():
        row = re.search(rf"^\| {re.escape(vendor)} \|" + r"([^|]*)\|" * 7, text, re.MULTILINE)
        assert row, f"consistency table has no row for {vendor}"
        clients, quoted, _, _, capacity, utilisation, margin = (cell.strip() for cell in row.groups())
        assert float(quoted) == pytest.approx(total), f"{vendor}: quoted revenue {quoted}, contracts sum to {total}"
        terms = dict(re.findall(r"(.+?) ([0-9.]+)(?: \+ |$)", clients))
        actual = {lab: c for lab, spec in scenario.labs.items() for v, c in spec.contracts.items() if v == vendor}
        assert {k: float(x) for k, x in terms.items()} == actual, f"{vendor}: client list differs from the scenario"
        cap = scenario.vendors[vendor].capacity_musd
        assert float(capacity) == cap, f"{vendor}: capacity {capacity} differs from {cap}"
        assert float(utilisation) == pytest.approx(total / cap, abs=6e-4), f"{vendor}: utilisation is stale"
        assert float(margin.replace("−", "-")) == pytest.approx((total - cost_ratio * cap) / 52, abs=6e-3), \
            f"{vendor}: weekly margin is stale (operating_cost_ratio {cost_ratio})"
    shares = [r / sum(revenue.values()) for r in revenue.values()]
    hhi = 10_000 * sum(s * s for s in shares)
    assert f"HHI = {round(hhi):,}" in text, f"the HHI quoted in docs/calibration.md should be {round(hhi):,}"
    assert f"= **{round(sum(revenue.values())):,}**" in text, "the total budget/revenue figure is stale"


def test_exposure_at_the_shock_matches_the_rule() -> None:
    """The exposure table of calibration.md equals the exposure rule applied to the state at the end of the
    shock week: its events (stake, departure) and the promise Scale AI decides that week (D86)."""
    from labelmarket.agents.perception import conflict_exposure
    from labelmarket.model.market_model import MarketModel

    model = MarketModel(SCENARIO, rng=1)
    while model.steps <= model.market_scenario.meta.reference_week:
        model.step()
    s, b = model.state, model.behaviour
    assert s.assurance[s.vendor_names.index("Scale AI")] > 0, "Scale AI decided its promise in the shock week"
    exposure = conflict_exposure(s.data_sensitivity, s.rivalry, s.stake, s.voting, s.departed_talent, s.assurance,
                                 stake_weight=b.stake_weight, voting_weight=b.voting_weight,
                                 talent_weight=b.talent_weight, assurance_efficacy=b.assurance_efficacy)
    target = s.vendor_names.index("Scale AI")
    text = doc("calibration.md")
    for i, lab in enumerate(s.lab_names):
        row = re.search(rf"^\| {re.escape(lab)} \|([^|]*)\|([^|]*)\|([^|]*)\|\s*$", text, re.MULTILINE)
        assert row, f"exposure table has no row for {lab}"
        assert float(row[3]) == pytest.approx(exposure[i, target], abs=6e-4), \
            f"{lab}: exposure {row[3].strip()} is stale; the rule gives {exposure[i, target]:.3f}"


def test_calibration_results_placeholder_is_present() -> None:
    text = doc("calibration.md")
    assert "## Calibration results" in text and "<!-- calibration-results -->" in text
