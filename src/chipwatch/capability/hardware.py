"""A chip as the performance model sees it: dense peaks, memory, links.

Everything comes from the catalog; the few quantities the catalog does not hold
(scale-out bandwidth per chip, scale-up domain size) have documented defaults that
the caller can override.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..catalog import Chip

#: Per-chip scale-out bandwidth when the catalog has none: one 400 Gb/s NIC per accelerator
#: (50 GB/s per direction), the HGX/DGX norm (DeepEP's H800 measurements run at ~50 GB/s per GPU).
DEFAULT_SCALE_OUT_GBPS = 50.0
#: Scale-up domain when the catalog does not name one: an 8-accelerator board for chips with a
#: chip-to-chip link, 1 for PCIe-only cards.
DEFAULT_DOMAIN = 8
#: Fraction of HBM usable for weights and KV cache (serving engines reserve the rest; vLLM's
#: default gpu_memory_utilization is 0.9).
USABLE_MEMORY = 0.9


class HardwareError(ValueError):
    """The chip lacks a number the model needs."""


@dataclass(frozen=True, slots=True)
class Hardware:
    """Per-chip capabilities in SI units (FLOP/s, bytes/s, bytes)."""

    name: str
    peak: dict[str, float]  # precision -> dense FLOP/s actually usable for that format
    native: frozenset[str]  # precisions with their own dense rate in the catalog
    hbm_bw: float
    memory: float
    link_bw: float  # scale-up bandwidth per direction
    scale_out_bw: float  # per direction, per chip
    domain: int  # chips in one scale-up (NVLink-class) domain
    price_usd: float | None = None
    tdp_w: float | None = None
    chip_id: str | None = None
    vendor: str | None = None  # whose kernels: picks the vendor's measured efficiencies

    def compute_peak(self, precision: str) -> float:
        """Dense FLOP/s for a compute format, falling back to the next wider native format."""
        for p in _FALLBACK[precision]:
            if p in self.peak:
                return self.peak[p]
        raise HardwareError(
            f"{self.name}: no dense throughput for {precision} or a wider format in the catalog"
        )

    def runs_natively(self, precision: str) -> bool:
        return precision in self.native

    def with_(self, **changes: Any) -> Hardware:
        return replace(self, **changes)


_FALLBACK = {
    "fp4": ("fp4", "fp8", "int8", "bf16"),
    "mxfp4": ("fp4", "fp8", "int8", "bf16"),
    "int4": ("int4", "int8", "fp8", "bf16"),
    "fp8": ("fp8", "int8", "bf16"),
    "int8": ("int8", "fp8", "bf16"),
    "bf16": ("bf16", "fp16"),
    "fp16": ("fp16", "bf16"),
    "fp32": ("fp32",),
}


def from_chip(
    chip: Chip, *, scale_out_gbps: float | None = None, domain: int | None = None
) -> Hardware:
    """Model inputs from a catalog chip; raises :class:`HardwareError` naming what is missing."""
    peak = {k: q.value * 1e12 for k, q in chip.throughput.items() if k in _ALL}
    if "bf16" not in peak and "fp16" not in peak:
        raise HardwareError(f"{chip.name}: no dense BF16/FP16 throughput in the catalog")
    if chip.memory_bandwidth_gbps is None or chip.memory_gb is None:
        raise HardwareError(f"{chip.name}: memory capacity or bandwidth not in the catalog")
    link = (chip.scale_up_gbps.value if chip.scale_up_gbps else 0.0) / 2 * 1e9
    return Hardware(
        name=chip.name,
        peak=peak,
        native=frozenset(peak),
        hbm_bw=chip.memory_bandwidth_gbps.value * 1e9,
        memory=chip.memory_gb.value
        * 2**30,  # marketed HBM "GB" are binary: an "80 GB" H100 holds 80 GiB
        link_bw=link,
        scale_out_bw=(scale_out_gbps or DEFAULT_SCALE_OUT_GBPS) * 1e9,
        domain=domain or _domain(chip, link),
        price_usd=chip.price.usd.value if chip.price else None,
        tdp_w=chip.tdp_w.value if chip.tdp_w else None,
        chip_id=chip.id,
        vendor=chip.vendor,
    )


_ALL = ("fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp6", "fp4", "int4")


def _domain(chip: Chip, link: float) -> int:
    """Scale-up domain size named in the interconnect text ('72-GPU NVLink domain'), else the default."""
    text = f"{chip.scale_up or ''} {chip.variant or ''}"
    m = re.search(r"(\d[\d,]{1,5})[- ](?:GPU|chip|NPU)", text) or re.search(r"NVL(\d{2,3})", text)
    if m:
        return int(m.group(1).replace(",", ""))
    return DEFAULT_DOMAIN if link > 0 else 1
