"""The public Python API; the CLI and the HTTP API call these same functions.

>>> from chipwatch import chips
>>> [c.name for c in chips(vendor="nvidia", china_variants=True, sort="tpp")][:3]
['H800', 'A800 SXM', 'A800 PCIe']
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import Catalog, Chip, load_catalog
from .metrics import Metrics, chip_metrics

if TYPE_CHECKING:
    from .rules import Determination, Item, TimelineEntry

SORT_KEYS = (
    "tpp",
    "performance_density",
    "dram_bandwidth_gbps",
    "io_bandwidth_gbps",
    "name",
    "vendor",
    "launch_date",
)


@dataclass(frozen=True, slots=True)
class ChipView:
    """A catalog chip with its computed metrics and, if the name was not exact, how it resolved."""

    chip: Chip
    metrics: Metrics
    resolved_note: str | None = None

    @property
    def id(self) -> str:
        return self.chip.id

    @property
    def name(self) -> str:
        return self.chip.name

    @property
    def vendor(self) -> str:
        return self.chip.vendor

    @property
    def market(self) -> str:
        return self.chip.market

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the ``show --format json`` shape."""
        out = self.chip.to_dict()
        out["metrics"] = self.metrics.to_dict()
        if self.resolved_note:
            out["resolved_note"] = self.resolved_note
        return out


@functools.lru_cache(maxsize=8)
def _catalog(extra: tuple[str, ...], override: bool) -> Catalog:
    return load_catalog(extra, override=override)


def catalog(extra: Iterable[str | Path] = (), *, override: bool = False) -> Catalog:
    """The built-in catalog merged with ``extra`` YAML files and ``$CHIPWATCH_CATALOG``."""
    return _catalog(tuple(str(p) for p in extra), override)


def view(chip_record: Chip, note: str | None = None) -> ChipView:
    """Wrap a catalog record with its metrics."""
    return ChipView(chip_record, chip_metrics(chip_record), note)


def chip(name: str, *, source: Catalog | None = None) -> ChipView:
    """Look a chip up by any reasonable spelling ('h20', 'NVIDIA H-20', 'HGX H20')."""
    match = (source or catalog()).resolve(name)
    return view(match.chip, match.note)


def chips(
    *,
    vendor: str | None = None,
    market: str | None = None,
    china_variants: bool | None = None,
    sort: str | None = None,
    source: Catalog | None = None,
) -> list[ChipView]:
    """Filter and sort the catalog; numeric sorts put the largest first and unknowns last."""
    views = [view(c) for c in (source or catalog())]
    if vendor:
        views = [v for v in views if v.vendor.lower() == vendor.lower()]
    if market:
        views = [v for v in views if v.market == market.lower()]
    if china_variants is not None:
        views = [v for v in views if (v.chip.china_variant_of is not None) == china_variants]
    if sort:
        views = sorted(views, key=_sort_key(sort))
    return views


def compare(names: Sequence[str], *, source: Catalog | None = None) -> list[ChipView]:
    """Several chips side by side, in the order given."""
    return [chip(n, source=source) for n in names]


def _sort_key(sort: str) -> Any:
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}; choose one of {', '.join(SORT_KEYS)}")
    if sort in ("name", "vendor", "launch_date"):
        return lambda v: (getattr(v.chip, sort) or "").lower()

    def numeric(v: ChipView) -> tuple[bool, float]:
        value = getattr(v.metrics, sort)
        return (value is None, -(value or 0.0))

    return numeric


def flat_row(v: ChipView) -> dict[str, Any]:
    """One flat record per chip, for tables, CSV and DataFrames."""
    m, c = v.metrics, v.chip
    q = {
        k: c.throughput[k].value if k in c.throughput else None
        for k in ("fp64", "fp32", "bf16", "fp8", "int8", "fp4")
    }
    return {
        "id": c.id,
        "vendor": c.vendor,
        "name": c.name,
        "market": c.market,
        "china_variant_of": c.china_variant_of,
        "launch_date": c.launch_date,
        **{f"{k}_tflops": val for k, val in q.items()},
        "tpp": m.tpp,
        "performance_density": m.performance_density,
        "die_area_mm2": m.applicable_die_area_mm2,
        "memory_gb": c.memory_gb.value if c.memory_gb else None,
        "dram_bandwidth_gbps": m.dram_bandwidth_gbps,
        "io_bandwidth_gbps": m.io_bandwidth_gbps,
        "tdp_w": c.tdp_w.value if c.tdp_w else None,
    }


def to_dataframe(views: Iterable[ChipView]) -> Any:
    """A pandas DataFrame of :func:`flat_row` records (needs ``pip install chipwatch[pandas]``)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("to_dataframe needs pandas: pip install 'chipwatch[pandas]'") from None
    return pd.DataFrame([flat_row(v) for v in views]).set_index("id")


# --- export-control determinations ------------------------------------------------------


def item(
    name: str | None = None,
    *,
    spec: str | dict[str, str] | None = None,
    source: Catalog | None = None,
) -> Item:
    """The engine's view of a catalog chip (by name) or of ad-hoc specs."""
    from .rules import item_from_chip, item_from_spec

    if (name is None) == (spec is None):
        raise ValueError(
            "give either a chip name or specs (e.g. tpp=2368,die_area=814,dram_bw=4000)"
        )
    if spec is not None:
        return item_from_spec(spec)
    assert name is not None
    return item_from_chip(chip(name, source=source))


def check(
    name: str | None = None,
    *,
    to: str,
    on: dt.date,
    end_user: str | None = None,
    spec: str | dict[str, str] | None = None,
    mode: str = "enforcement",
    exported_from_us: bool = True,
    screener: Any = None,
    source: Catalog | None = None,
    owned_by: str | None = None,
) -> Determination:
    """Is a licence needed to send this chip to ``to`` on ``on``? With reasons. ``owned_by`` names
    the party owning 50% or more of the end user (the Affiliates rule).

    >>> import datetime as dt
    >>> d = check("H20", to="CN", on=dt.date(2024, 6, 1))
    >>> d.classification, d.license_required
    ('not 3A090', False)
    >>> check("H20", to="China", on=dt.date(2025, 5, 1)).review_policy
    'denial'
    """
    from .rules import determine

    return determine(
        item(name, spec=spec, source=source),
        to,
        on,
        end_user,
        mode=mode,
        exported_from_us=exported_from_us,
        screener=screener,
        owned_by=owned_by,
    )


def timeline(
    name: str | None = None,
    *,
    to: str,
    start: dt.date = dt.date(2022, 8, 1),
    end: dt.date | None = None,
    end_user: str | None = None,
    spec: str | dict[str, str] | None = None,
    mode: str = "enforcement",
    source: Catalog | None = None,
    owned_by: str | None = None,
) -> list[TimelineEntry]:
    """Each period over which the answer for this chip and destination stayed the same."""
    from .rules import timeline as run

    return run(
        item(name, spec=spec, source=source), to, start, end or dt.date.today(), end_user,
        mode=mode, owned_by=owned_by,
    )
