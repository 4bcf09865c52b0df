"""Agents: Firm, Investor (Mesa agents), the Workforce (workers as arrays), the rest of the world."""

from highroad.agents.firm import Firm
from highroad.agents.investor import Investor
from highroad.agents.rest_of_world import RestOfWorld
from highroad.agents.workforce import Workforce

__all__ = ["Firm", "Investor", "RestOfWorld", "Workforce"]
