"""Export controls as dated data: determinations with reasons, timelines and screening."""

from .countries import Countries, Country, UnknownCountryError, countries
from .engine import (
    Determination,
    EngineError,
    Item,
    Plan,
    Reason,
    SpecError,
    TimelineEntry,
    build_plan,
    determine,
    item_from_chip,
    item_from_spec,
    timeline,
)
from .load import RuleDataError, load_rules
from .screening import CslError, ScreeningMatch, load_csl, screen

__all__ = [
    "Countries",
    "Country",
    "CslError",
    "Determination",
    "EngineError",
    "Item",
    "Plan",
    "Reason",
    "RuleDataError",
    "ScreeningMatch",
    "SpecError",
    "TimelineEntry",
    "UnknownCountryError",
    "build_plan",
    "countries",
    "determine",
    "item_from_chip",
    "item_from_spec",
    "load_csl",
    "load_rules",
    "screen",
    "timeline",
]
