"""labelmarket: an agent-based model of the AI training-data market after an ownership shock.

The public API in one place::

    from labelmarket import load_scenario, run_scenario, MarketModel
"""

from model import MarketModel, RunResult, run_scenario
from scenarios import Scenario, ScenarioError, load_scenario

__all__ = ["MarketModel", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run_scenario"]
