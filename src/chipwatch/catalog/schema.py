"""Catalog records: frozen, typed, and every number carrying its provenance.

The records are plain dataclasses so that a cached catalog loads without any
validation library on the hot path; validation lives in :mod:`.load`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Dense-throughput keys and the bit length each counts for in TPP.
#: ``tf32`` is kept in the catalog but has no TPP bit length (see docs/metrics.md).
BIT_LENGTH: dict[str, int | None] = {
    "fp64": 64,
    "fp64_tensor": 64,
    "fp32": 32,
    "tf32": None,
    "bf16": 16,
    "fp16": 16,
    "fp8": 8,
    "int8": 8,
    "fp6": 6,
    "fp4": 4,
    "int4": 4,
}
PRECISIONS = tuple(BIT_LENGTH)

MARKETS = ("datacenter", "workstation", "consumer")
EVIDENCE_LEVELS = ("datasheet", "primary", "secondary", "derived")
#: How a figure relates to what its source printed.
BASES = ("published", "halved_from_sparse", "derived", "estimate")
DIE_KINDS = ("logic", "io", "memory")


@dataclass(frozen=True, slots=True)
class Source:
    """A cited document: where a number comes from."""

    key: str
    url: str
    retrieved: str
    evidence: str
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "url": self.url,
            "retrieved": self.retrieved,
            "evidence": self.evidence,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in its canonical unit with the sources and reasoning behind it."""

    value: float
    unit: str
    sources: tuple[str, ...]
    evidence: str
    basis: str = "published"
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "basis": self.basis,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Die:
    """One kind of die in the package (``count`` identical copies)."""

    name: str
    kind: str
    count: int
    area_mm2: Quantity | None
    non_planar: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "count": self.count,
            "area_mm2": _q(self.area_mm2),
            "non_planar": self.non_planar,
        }


@dataclass(frozen=True, slots=True)
class Price:
    """An indicative unit price in USD with a low/high range and the date it held."""

    usd: Quantity
    low: float
    high: float
    date: str | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "usd": self.usd.value,
            "low": self.low,
            "high": self.high,
            "date": self.date,
            "note": self.note,
            "sources": list(self.usd.sources),
            "evidence": self.usd.evidence,
        }


@dataclass(frozen=True, slots=True)
class Chip:
    """One accelerator variant as sold (a package, or one GPU of a superchip)."""

    id: str
    vendor: str
    name: str
    family: str
    flagship: bool
    aliases: tuple[str, ...]
    variant: str | None
    form_factor: str | None
    architecture: str | None
    process_node: str | None
    non_planar: bool | None
    launch_date: str | None
    market: str
    cloud_only: bool
    china_variant_of: str | None
    throughput: dict[str, Quantity]
    dies: tuple[Die, ...]
    transistors_billion: Quantity | None
    memory_type: str | None
    memory_gb: Quantity | None
    memory_bandwidth_gbps: Quantity | None
    scale_up: str | None
    scale_up_gbps: Quantity | None
    pcie_gen: int | None
    pcie_lanes: int | None
    other_io_gbps: Quantity | None
    tdp_w: Quantity | None
    price: Price | None
    notes: str | None
    sources: dict[str, Source] = field(default_factory=dict)
    #: what else the chip's short name names ("Volvo S60 car"): the article checker then reads it
    #: as this chip only near chip words
    name_also_means: str | None = None
    file: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Specs as plain JSON-ready data (metrics are added by the API layer)."""
        return {
            "id": self.id,
            "name": self.name,
            "vendor": self.vendor,
            "family": self.family,
            "aliases": list(self.aliases),
            "variant": self.variant,
            "form_factor": self.form_factor,
            "architecture": self.architecture,
            "process": {"node": self.process_node, "non_planar": self.non_planar},
            "launch_date": self.launch_date,
            "market": self.market,
            "cloud_only": self.cloud_only,
            "china_variant_of": self.china_variant_of,
            "name_also_means": self.name_also_means,
            "throughput": {
                k: {**q.to_dict(), "bit_length": BIT_LENGTH[k]} for k, q in self.throughput.items()
            },
            "dies": [d.to_dict() for d in self.dies],
            "transistors_billion": _q(self.transistors_billion),
            "memory": {
                "type": self.memory_type,
                "capacity_gb": _q(self.memory_gb),
                "bandwidth_gbps": _q(self.memory_bandwidth_gbps),
            },
            "interconnect": {
                "scale_up": self.scale_up,
                "scale_up_gbps_bidir": _q(self.scale_up_gbps),
                "pcie_gen": self.pcie_gen,
                "pcie_lanes": self.pcie_lanes,
                "other_io_gbps_bidir": _q(self.other_io_gbps),
            },
            "tdp_w": _q(self.tdp_w),
            "price": self.price.to_dict() if self.price else None,
            "notes": self.notes,
            "sources": [s.to_dict() for s in self.sources.values()],
        }


def _q(q: Quantity | None) -> dict[str, Any] | None:
    return q.to_dict() if q is not None else None
