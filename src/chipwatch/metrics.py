"""Export-control metrics: TPP, performance density and the bandwidth quantities.

Definitions follow the Technical Notes to ECCN 3A090 (15 CFR 774 Supp. 1) and are
explained with their sources in docs/metrics.md. Each metric has a scalar form
(pure Python, used on the CLI hot path) and a vectorized NumPy form for sweeps;
tests check that both agree.

>>> tpp({"bf16": 148.0, "fp8": 296.0, "tf32": 74.0})
(2368.0, ('bf16', 'fp8'))
>>> round(performance_density(2368.0, 814.0), 2)
2.91
>>> pcie_bandwidth_gbps(5, 16)
128.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .catalog.schema import BIT_LENGTH, Chip, Die

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

#: PCIe payload bandwidth per lane per direction in GB/s, as vendors quote it
#: (e.g. "PCIe Gen5 x16: 128 GB/s" bidirectional on NVIDIA datasheets).
PCIE_GBPS_PER_LANE = {1: 0.25, 2: 0.5, 3: 1.0, 4: 2.0, 5: 4.0, 6: 8.0, 7: 16.0}
#: Relative tolerance for ties between precisions when naming the TPP basis.
_TIE = 1e-9


def tpp(throughput: Mapping[str, float]) -> tuple[float | None, tuple[str, ...]]:
    """TPP = max over precisions of dense TOPS x bit length, and the precisions attaining it.

    ``throughput`` maps precision keys (see ``BIT_LENGTH``) to dense TFLOPS/TOPS for
    the whole chip, i.e. already summed over processing units. TF32 has no bit
    length here and is skipped (docs/metrics.md explains why).
    """
    values = {k: v * bits for k, v in throughput.items() if (bits := BIT_LENGTH.get(k))}
    if not values:
        return None, ()
    best = max(values.values())
    return best, tuple(k for k, v in values.items() if v >= best * (1 - _TIE))


def performance_density(tpp_value: float | None, area_mm2: float | None) -> float | None:
    """TPP divided by the applicable die area in mm²; None when either is unknown."""
    if tpp_value is None or not area_mm2:
        return None
    return tpp_value / area_mm2


def applicable_die_area(dies: Sequence[Die]) -> tuple[float | None, float, str | None]:
    """(area, known_area, reason): logic and I/O dies on non-planar nodes; memory excluded.

    ``area`` is None when some counted die has no area or unknown planarity;
    ``known_area`` sums the dies whose area is known (a lower bound of the area).
    """
    if not dies:
        return None, 0.0, "die areas are not in the catalog"
    total, missing = 0.0, []
    for die in dies:
        if die.kind == "memory" or die.non_planar is False:
            continue
        if die.area_mm2 is None or die.non_planar is None:
            missing.append(
                f"{die.name} ({'area' if die.area_mm2 is None else 'planarity'} unknown)"
            )
            continue
        total += die.count * die.area_mm2.value
    if missing:
        return None, total, "applicable die area unknown: " + ", ".join(missing)
    if total == 0:
        return None, 0.0, "no logic die on a non-planar node: performance density is not defined"
    return total, total, None


def pcie_bandwidth_gbps(gen: int | None, lanes: int | None) -> float | None:
    """Bidirectional PCIe bandwidth in GB/s (both directions summed)."""
    if gen is None or lanes is None or gen not in PCIE_GBPS_PER_LANE:
        return None
    return 2 * PCIE_GBPS_PER_LANE[gen] * lanes


def io_bandwidth_gbps(
    scale_up: float | None, pcie: float | None, other: float | None = 0.0
) -> float | None:
    """Aggregate bidirectional I/O excluding memory traffic; None if a part is unknown."""
    if scale_up is None or pcie is None or other is None:
        return None
    return scale_up + pcie + other


def _sum(*parts: float | None) -> float | None:
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)


@dataclass(frozen=True, slots=True)
class Metrics:
    """The control metrics of one chip, with the reason for each unknown."""

    tpp: float | None
    tpp_precisions: tuple[str, ...]
    tpp_by_precision: dict[str, float]
    performance_density: float | None
    performance_density_max: float | None
    applicable_die_area_mm2: float | None
    dram_bandwidth_gbps: float | None
    io_bandwidth_gbps: float | None
    dram_plus_io_bandwidth_gbps: float | None
    hbm_bandwidth_density: float | None
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def processing_performance_2022(self) -> float | None:
        """The Oct-2022 rule's 'bit length x TOPS' (numerically TPP's definition)."""
        return self.tpp

    def to_dict(self) -> dict[str, Any]:
        return {
            "tpp": _round(self.tpp),
            "tpp_precisions": list(self.tpp_precisions),
            "tpp_by_precision": {k: _round(v) for k, v in self.tpp_by_precision.items()},
            "performance_density": _round(self.performance_density, 3),
            "performance_density_max": _round(self.performance_density_max, 3),
            "applicable_die_area_mm2": _round(self.applicable_die_area_mm2),
            "processing_performance_2022": _round(self.processing_performance_2022),
            "dram_bandwidth_gbps": _round(self.dram_bandwidth_gbps),
            "io_bandwidth_gbps": _round(self.io_bandwidth_gbps),
            "dram_plus_io_bandwidth_gbps": _round(self.dram_plus_io_bandwidth_gbps),
            "hbm_bandwidth_density": _round(self.hbm_bandwidth_density, 3),
            "reasons": dict(self.reasons),
        }


def _round(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


def chip_metrics(chip: Chip) -> Metrics:
    """All control metrics of a catalog chip."""
    reasons: dict[str, str] = {}
    dense = {k: q.value for k, q in chip.throughput.items()}
    tpp_value, basis = tpp(dense)
    if tpp_value is None:
        reasons["tpp"] = "no dense throughput figure in the catalog"
    if "tf32" in dense and tpp_value is not None and dense["tf32"] * 32 > tpp_value * (1 + _TIE):
        reasons["tpp_tf32"] = (
            f"TF32 is not counted; at 32 bits it would give TPP {dense['tf32'] * 32:.0f}"
        )
    area, known, area_reason = applicable_die_area(chip.dies)
    density = performance_density(tpp_value, area)
    density_max = None
    if area_reason:
        reasons["performance_density"] = area_reason
        density_max = performance_density(tpp_value, known) if known else None
    elif tpp_value is None:
        reasons["performance_density"] = "TPP unknown"

    dram = chip.memory_bandwidth_gbps.value if chip.memory_bandwidth_gbps else None
    if dram is None:
        reasons["dram_bandwidth_gbps"] = "memory bandwidth not in the catalog"
    pcie = pcie_bandwidth_gbps(chip.pcie_gen, chip.pcie_lanes)
    scale_up = chip.scale_up_gbps.value if chip.scale_up_gbps else None
    other = chip.other_io_gbps.value if chip.other_io_gbps else 0.0
    io = io_bandwidth_gbps(scale_up, pcie, other)
    if io is None:
        missing = [
            n
            for n, v in (("scale-up bandwidth", scale_up), ("PCIe generation/lanes", pcie))
            if v is None
        ]
        reasons["io_bandwidth_gbps"] = "unknown: " + ", ".join(missing)

    return Metrics(
        tpp=tpp_value,
        tpp_precisions=basis,
        tpp_by_precision={k: v * b for k, v in dense.items() if (b := BIT_LENGTH[k])},
        performance_density=density,
        performance_density_max=density_max,
        applicable_die_area_mm2=area,
        dram_bandwidth_gbps=dram,
        io_bandwidth_gbps=io,
        dram_plus_io_bandwidth_gbps=_sum(dram, io),
        hbm_bandwidth_density=_hbm_density(chip, dram, reasons),
        reasons=reasons,
    )


def _hbm_density(chip: Chip, dram: float | None, reasons: dict[str, str]) -> float | None:
    """Memory bandwidth per mm² of memory stack (3A090.c's quantity) when stack areas are known."""
    stacks = [d for d in chip.dies if d.kind == "memory"]
    if not (chip.memory_type or "").upper().startswith("HBM"):
        reasons["hbm_bandwidth_density"] = "not an HBM device"
        return None
    if dram is None or not stacks or any(d.area_mm2 is None for d in stacks):
        reasons["hbm_bandwidth_density"] = "HBM stack areas not in the catalog"
        return None
    return dram / sum(d.count * d.area_mm2.value for d in stacks if d.area_mm2)


# --- vectorized forms ----------------------------------------------------------------


def tpp_array(throughput: Mapping[str, FloatArray]) -> FloatArray:
    """Vectorized :func:`tpp`: NaN marks an unknown or unsupported precision."""
    import numpy as np

    scaled = [
        np.asarray(v, dtype=float) * bits
        for k, v in throughput.items()
        if (bits := BIT_LENGTH.get(k))
    ]
    if not scaled:
        raise ValueError("no precision with a TPP bit length given")
    with np.errstate(invalid="ignore"):
        result: FloatArray = np.fmax.reduce(np.stack(np.broadcast_arrays(*scaled)), axis=0)
        return result


def performance_density_array(tpp_values: FloatArray, area_mm2: FloatArray) -> FloatArray:
    """Vectorized :func:`performance_density`: NaN where the area is unknown or zero."""
    import numpy as np

    area = np.asarray(area_mm2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.where(area > 0, np.asarray(tpp_values, dtype=float) / area, np.nan)
        return result


def io_bandwidth_array(scale_up: FloatArray, pcie: FloatArray, other: FloatArray) -> FloatArray:
    """Vectorized :func:`io_bandwidth_gbps` (NaN propagates unknowns)."""
    import numpy as np

    result: FloatArray = (
        np.asarray(scale_up, float) + np.asarray(pcie, float) + np.asarray(other, float)
    )
    return result
