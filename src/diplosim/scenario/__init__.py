"""Scenario files: the schema, and loading with precise, line-numbered errors."""

from diplosim.scenario.loader import load_scenario, parse_scenario
from diplosim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "parse_scenario"]
