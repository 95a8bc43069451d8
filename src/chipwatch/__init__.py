"""chipwatch: which AI chip may be sold to whom, on which date, under which rule.

A narrow public API over the cited chip catalog and its export-control metrics:

>>> import chipwatch
>>> h20 = chipwatch.chip("nvidia h-20")
>>> h20.name, h20.metrics.tpp, round(h20.metrics.performance_density, 2)
('H20', 2368.0, 2.91)
>>> chipwatch.chip("H100").name   # a family name resolves to its flagship
'H100 SXM'
>>> len(chipwatch.catalog()) >= 55
True

and the export-control engine:

>>> import datetime as dt
>>> d = chipwatch.check("H20", to="CN", on=dt.date(2025, 5, 1))
>>> d.license_required, d.review_policy, d.reasons[1].rule
(True, 'denial', '2025-04-09-isinformed-h20')
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import ChipView, catalog, check, chip, chips, compare, timeline, to_dataframe
from .catalog import Catalog, CatalogError, UnknownChipError
from .metrics import Metrics

__all__ = [
    "Catalog",
    "CatalogError",
    "ChipView",
    "Metrics",
    "UnknownChipError",
    "__version__",
    "catalog",
    "check",
    "chip",
    "chips",
    "compare",
    "timeline",
    "to_dataframe",
]
