"""Achievable fractions of peak, derived from the microbenchmark rows of the truth data.

Each constant is a median over the ``kind=micro`` rows that measure it (GEMM
TFLOPS, HBM stream and weight-streaming bandwidth, attention kernels, NCCL
all-reduce bus bandwidth, DeepEP all-to-all; RCCL for AMD), divided by the mapped chip's
catalog peak. The end-to-end rows are never used here. ``Efficiency.derivation``
records which rows gave each number. A vendor with rows of its own gets its own fractions
(a quantity it has no row for falls back to the all-vendor value); a vendor with none gets the
medians over every vendor's rows.
"""

from __future__ import annotations

import csv
import functools
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .mapping import map_hardware

TRUTH_DIR = Path(__file__).resolve().parent.parent / "data" / "truth"
DEV_TRUTH = TRUTH_DIR / "perf_truth_dev.csv"
#: Microbenchmark rows of other vendors' chips (same columns, each cited): calibration only.
VENDOR_MICRO = TRUTH_DIR / "micro_other_vendors.csv"


@dataclass(frozen=True)
class Efficiency:
    """Fractions of catalog peak that real kernels reach, and fixed latencies (seconds)."""

    gemm: Mapping[str, float]  # "bf16", "fp8", "fp8_block": large-GEMM fraction of dense peak
    kernel_latency: float  # fixed cost per kernel launch/tail, from small-GEMM timings
    hbm_weights: float  # decode-shaped weight streaming
    hbm_stream: float  # bulk copies (KV cache, activations)
    attention: float  # attention kernels, fraction of the BF16 dense peak
    attention_backward: float  # backward attention kernels' rate / forward rate (training)
    allreduce_bw: float  # NCCL bus bandwidth / per-direction scale-up link bandwidth
    allgather_bw: (
        float  # NCCL all-gather bus bandwidth / link (sequence-parallel training collectives)
    )
    allreduce_latency: float
    scale_out_allreduce: float  # cross-node / single-node all-reduce bus bandwidth
    a2a_intra: float  # DeepEP dispatch bandwidth / per-direction link bandwidth
    a2a_inter: float  # DeepEP internode bandwidth / scale-out bandwidth per chip
    derivation: Mapping[str, list[str]] = field(default_factory=dict)

    def gemm_fraction(self, precision: str) -> float:
        if precision in ("fp8", "int8"):
            return self.gemm["fp8"]
        if precision in ("fp4", "mxfp4", "int4"):
            # no FP4 GEMM microbenchmark in the data: FP4 kernels are taken to reach the FP8 fraction
            return self.gemm["fp8"]
        return self.gemm["bf16"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "gemm": dict(self.gemm),
            "kernel_latency_us": round(self.kernel_latency * 1e6, 2),
            "hbm_weights": round(self.hbm_weights, 3),
            "hbm_stream": round(self.hbm_stream, 3),
            "attention": round(self.attention, 3),
            "attention_backward": round(self.attention_backward, 3),
            "allreduce_bw": round(self.allreduce_bw, 3),
            "allgather_bw": round(self.allgather_bw, 3),
            "allreduce_latency_us": round(self.allreduce_latency * 1e6, 2),
            "scale_out_allreduce": round(self.scale_out_allreduce, 3),
            "a2a_intra": round(self.a2a_intra, 3),
            "a2a_inter": round(self.a2a_inter, 3),
            "derivation": {k: v for k, v in self.derivation.items()},
        }


def read_truth(path: str | Path) -> list[dict[str, str]]:
    """Rows of a truth CSV (the perf_truth_dev.csv column format)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


_SIZE = re.compile(r"(\d+)\^3")
_SMALL_LATENCY = re.compile(r"\d+\s*KB-message latency ~?(\d+(?:\.\d+)?)\s*us", re.IGNORECASE)
_BYTES = re.compile(r"(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)(?![a-z])", re.IGNORECASE)
_FWD_BWD = re.compile(r"fwd\s+(\d+(?:\.\d+)?)\s*/\s*bwd\s+(\d+(?:\.\d+)?)", re.IGNORECASE)


def _median(values: list[float], default: float) -> float:
    return statistics.median(values) if values else default


def derive(rows: Iterable[Mapping[str, str]], fallback: Efficiency | None = None) -> Efficiency:
    """Efficiency constants from microbenchmark rows; a quantity no row measures takes
    ``fallback``'s value (else a generic default)."""
    gemm: dict[str, list[float]] = {"bf16": [], "fp8": [], "fp8_block": []}
    small: list[tuple[float, float, float]] = []  # (flops, measured seconds, peak)
    hbm_w, hbm_s, attn, ar_bw, a2a_in, a2a_out = [], [], [], [], [], []
    attn_bwd: list[float] = []  # backward / forward rates quoted for the same kernel
    ar_small: list[tuple[float, float, float]] = []  # (bytes moved per chip, bus bandwidth, link)
    ar_small_latency: list[float] = []  # latencies quoted for tiny (KB) messages
    ag_bw: list[float] = []
    # cross-node and single-node all-reduce bus bandwidths per vendor: only one vendor's pair makes
    # a ratio
    cross: dict[str, list[float]] = {}
    single_peak: dict[str, list[float]] = {}
    used: dict[str, list[str]] = {}

    def note(key: str, row: Mapping[str, str]) -> None:
        used.setdefault(key, []).append(f"{row['hardware']} {row['metric']}")

    for row in rows:
        if row.get("kind") != "micro":
            continue
        chip = map_hardware(row["hardware"])
        if chip is None:
            continue
        metric, prec, value = row["metric"].lower(), row["precision"].lower(), float(row["value"])
        tp = {k: q.value for k, q in chip.throughput.items()}
        bw = chip.memory_bandwidth_gbps.value if chip.memory_bandwidth_gbps else None
        link = (chip.scale_up_gbps.value / 2) if chip.scale_up_gbps else None
        if "weight_read" in metric:
            if bw:
                hbm_w.append(value / bw)
                note("hbm_weights", row)
        elif "gemm" in metric and "tflops" in row["unit"].lower():
            key = "fp8_block" if "block" in prec else ("fp8" if "fp8" in prec else "bf16")
            peak = tp.get("fp8" if key != "bf16" else "bf16")
            if not peak:
                continue
            size = _SIZE.search(metric)
            if size and int(size.group(1)) < 4096:
                n = int(size.group(1))
                small.append((2.0 * n**3, 2.0 * n**3 / (value * 1e12), peak * 1e12))
                continue
            if "peak" in metric:  # best-case shapes are not typical
                continue
            gemm[key].append(value / peak)
            note(f"gemm_{key}", row)
        elif metric.startswith(("hbm", "flashmla_dense_decode_memory")) and bw:
            unit = row["unit"].lower()
            gbps = value * 1000 if unit.startswith("tb") else value
            hbm_s.append(gbps / bw)
            note("hbm_stream", row)
        elif (
            "attention" in metric or "flashmla" in metric or "fmha" in metric
        ) and "sparse" not in metric:
            if "tflops" in row["unit"].lower() and tp.get("bf16"):
                attn.append(value / tp["bf16"])
                note("attention", row)
            both = _FWD_BWD.search(row.get("notes", ""))
            if both:
                attn_bwd.append(float(both.group(2)) / float(both.group(1)))
                note("attention_backward", row)
        elif metric.startswith(("nccl_allreduce_latency", "rccl_allreduce_latency")):
            if row["unit"].lower() == "us" and (size := _BYTES.search(metric)) and _to_bytes(size) <= 64e3:
                ar_small_latency.append(value * 1e-6)  # a KB-sized message: the latency itself
                note("allreduce_latency", row)
        elif metric.startswith(("nccl_allreduce", "rccl_allreduce")) and link:
            n = int(row["n_chips"] or 8)
            small_msg = _SMALL_LATENCY.search(row.get("notes", ""))
            if small_msg:
                ar_small_latency.append(float(small_msg.group(1)) * 1e-6)
            if n > 8:
                cross.setdefault(chip.vendor, []).append(value)
                note("scale_out_allreduce", row)
                continue
            size = _BYTES.search(metric) or (re.search(r"_(\d+)(mb|gb)", metric))
            if "peak" in metric or (size and _to_bytes(size) >= 512e6):
                ar_bw.append(value / link)
                single_peak.setdefault(chip.vendor, []).append(value)
                note("allreduce_bw", row)
            elif size:
                ar_small.append((_to_bytes(size) * 2 * (n - 1) / n, value * 1e9, link * 1e9))
                note("allreduce_latency", row)
        elif metric.startswith("nccl_allgather") and link:
            ag_bw.append(value / link)
            note("allgather_bw", row)
        elif metric.startswith("deepep") and "_bw_" in metric:
            ep = int(re.search(r"ep(\d+)", metric).group(1))  # type: ignore[union-attr]
            if "lowlatency" in metric:
                continue
            if ep <= 8 and link:
                a2a_in.append(value / link)
                note("a2a_intra", row)
            elif ep > 8 and "x2" not in metric:
                from .hardware import DEFAULT_SCALE_OUT_GBPS

                a2a_out.append(value / DEFAULT_SCALE_OUT_GBPS)
                note("a2a_inter", row)

    fb = fallback or GENERIC
    eff = {k: _median(v, fb.gemm[k]) for k, v in gemm.items()}
    # kernel latency: what small square GEMMs take beyond their ideal time at the large-GEMM fraction
    lat = [max(0.0, t - f / (p * eff["fp8"])) for f, t, p in small]
    bw_frac = _median(ar_bw, fb.allreduce_bw)
    # all-reduce latency: measured time of small messages minus their bandwidth term
    # (decode all-reduces are KB-sized: a quoted small-message latency is the better estimate)
    ar_lat = ar_small_latency or [max(0.0, b / bus - b / (bw_frac * lk)) for b, bus, lk in ar_small]
    return Efficiency(
        gemm=eff,
        kernel_latency=_median(lat, fb.kernel_latency),
        hbm_weights=_median(hbm_w, fb.hbm_weights),
        hbm_stream=_median(hbm_s, fb.hbm_stream),
        attention=_median(attn, fb.attention),
        attention_backward=_median(attn_bwd, fb.attention_backward),
        allreduce_bw=bw_frac,
        allgather_bw=_median(ag_bw, fb.allgather_bw if fallback else bw_frac),
        allreduce_latency=_median(ar_lat, fb.allreduce_latency),
        scale_out_allreduce=_median(
            [statistics.median(v) / statistics.median(single_peak[k]) for k, v in cross.items()
             if k in single_peak],
            fb.scale_out_allreduce,
        ),
        a2a_intra=_median(a2a_in, fb.a2a_intra),
        a2a_inter=_median(a2a_out, fb.a2a_inter),
        derivation=used,
    )


#: Defaults for a quantity no microbenchmark row measures at all.
GENERIC = Efficiency(
    gemm={"bf16": 0.6, "fp8": 0.6, "fp8_block": 0.6},
    kernel_latency=5e-6,
    hbm_weights=0.8,
    hbm_stream=0.85,
    attention=0.5,
    attention_backward=1.0,
    allreduce_bw=0.9,
    allgather_bw=0.9,
    allreduce_latency=30e-6,
    scale_out_allreduce=0.7,
    a2a_intra=0.75,
    a2a_inter=1.0,
)


def _to_bytes(m: re.Match[str]) -> float:
    value, unit = float(m.group(1)), m.group(2).lower()
    return value * {"b": 1.0, "kb": 1e3, "mb": 1e6, "gb": 1e9}[unit]


@functools.lru_cache(maxsize=32)
def efficiency(vendor: str | None = None) -> Efficiency:
    """Constants for a chip vendor's kernels: from its own microbenchmark rows where it has some
    (shipped development truth data plus ``micro_other_vendors.csv``), the rest from all vendors'."""
    rows = [r for r in _micro_rows() if r.get("kind") == "micro"]
    pooled = derive(rows)
    own = [r for r in rows if vendor is not None and _vendor(r) == vendor]
    return derive(own, fallback=pooled) if own else pooled


@functools.lru_cache(maxsize=1)
def _micro_rows() -> list[dict[str, str]]:
    return read_truth(DEV_TRUTH) + (read_truth(VENDOR_MICRO) if VENDOR_MICRO.exists() else [])


def _vendor(row: Mapping[str, str]) -> str | None:
    chip = map_hardware(row["hardware"])
    return chip.vendor if chip else None
