"""The market model: shared state arrays, the weekly schedule, events, metrics and the recorder."""

from labelmarket.model.market_model import MarketModel
from labelmarket.model.runner import RunResult, run_scenario

__all__ = ["MarketModel", "RunResult", "run_scenario"]
