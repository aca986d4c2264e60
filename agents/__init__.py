"""The actors of the market: labs (buyers), data vendors and investors, as Mesa agents."""

from agents.investor import Investor
from agents.lab import Lab
from agents.vendor import Vendor

__all__ = ["Investor", "Lab", "Vendor"]
