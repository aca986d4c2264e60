"""Scenario files (the bundled ``*.toml`` here), their schema and their loader."""

from labelmarket.scenarios.errors import ScenarioError
from labelmarket.scenarios.loader import DEFAULT_SCENARIO, bundled_scenarios, load_scenario
from labelmarket.scenarios.schema import Scenario

__all__ = ["DEFAULT_SCENARIO", "Scenario", "ScenarioError", "bundled_scenarios", "load_scenario"]
