"""Agents: Firm, Investor (Mesa agents), Workforce (workers as arrays), RestOfWorld."""

from highroad.agents.firm import Firm
from highroad.agents.investor import Investor
from highroad.agents.rest_of_world import RestOfWorld
from highroad.agents.workforce import Workforce

__all__ = ["Firm", "Investor", "RestOfWorld", "Workforce"]
