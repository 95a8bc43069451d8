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
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import ChipView, catalog, chip, chips, compare, to_dataframe
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
    "chip",
    "chips",
    "compare",
    "to_dataframe",
]
