"""The market model: shared state arrays, the weekly schedule, events, metrics and the recorder."""

from model.market_model import MarketModel
from model.runner import RunResult, run_scenario

__all__ = ["MarketModel", "RunResult", "run_scenario"]
