"""The actors of the market (labs, data vendors, investors): their rules, and their faces as Mesa agents."""

from labelmarket.agents.investor import Investor
from labelmarket.agents.lab import Lab
from labelmarket.agents.vendor import Vendor

__all__ = ["Investor", "Lab", "Vendor"]
