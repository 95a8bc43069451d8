"""Fleets from market figures: "$18B of H20" -> chips -> compute, H100-equivalents, capacity.

Unit prices come from the catalog's cited price data (low / central / high); the range is
carried through every aggregate. Capacity figures use the capability model.

>>> f = fleet([FleetItem("H20", spend=18e9)])
>>> f["units"]["low"] < f["units"]["central"] < f["units"]["high"]
True
>>> round(f["units"]["central"] / 1e6, 2)           # $18B at the cited $13,500 per H20
1.33
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from ..api import chip as lookup

#: The reference chip for "H100-equivalents" (the usual unit in policy writing).
REFERENCE = "H100 SXM"
SECONDS_PER_YEAR = 365.25 * 86400
#: Reference workloads for capacity figures (each a documented, overridable assumption).
REFERENCE_TRAINING: dict[str, Any] = {
    "model": "DeepSeek-V3",
    "tokens": 14.8e12,
    "source": "DeepSeek-V3 pre-training, arXiv 2412.19437",
}
REFERENCE_INFERENCE: dict[str, Any] = {"model": "DeepSeek-R1", "workload": "reasoning"}


class FleetError(ValueError):
    """A fleet that cannot be computed (no price, no quantity, ...)."""


@dataclass(frozen=True)
class FleetItem:
    chip: str
    units: float | None = None
    spend: float | None = None
    unit_price: float | None = None


def parse_money(text: str) -> float:
    """'18e9', '$18B', '18 billion', '1.5bn', '$950M', '12,000' -> dollars."""
    t = text.strip().lower().replace(",", "").replace("$", "").replace("usd", "").strip()
    m = re.fullmatch(
        r"(\d+(?:\.\d+)?(?:e\d+)?)\s*(k|thousand|m|mn|million|b|bn|billion|t|tn|trillion)?", t
    )
    if not m:
        raise FleetError(f"cannot read the amount {text!r}: use e.g. 18e9, $18B, 18 billion, 950M")
    scale = {
        None: 1,
        "k": 1e3,
        "thousand": 1e3,
        "m": 1e6,
        "mn": 1e6,
        "million": 1e6,
        "b": 1e9,
        "bn": 1e9,
        "billion": 1e9,
        "t": 1e12,
        "tn": 1e12,
        "trillion": 1e12,
    }[m.group(2)]
    return float(m.group(1)) * scale


def _range(x: float) -> dict[str, float]:
    return {"low": x, "central": x, "high": x}


def _scale(r: dict[str, float], factor: float) -> dict[str, float]:
    return {k: v * factor for k, v in r.items()}


def _add(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: a[k] + b[k] for k in a}


def units_of(item: FleetItem) -> tuple[dict[str, float], dict[str, Any]]:
    """Units low/central/high and the price used (cited, or given)."""
    view = lookup(item.chip)
    price: dict[str, Any]
    if item.unit_price is not None:
        if not item.unit_price > 0:
            raise FleetError(f"unit price {item.unit_price!r} for {item.chip}: must be more than 0")
        price = {
            "low": item.unit_price,
            "central": item.unit_price,
            "high": item.unit_price,
            "source": "given",
        }
    elif view.chip.price is not None:
        p = view.chip.price
        src = [view.chip.sources[k].url for k in p.usd.sources if k in view.chip.sources]
        price = {
            "low": p.low,
            "central": p.usd.value,
            "high": p.high,
            "date": p.date,
            "note": p.note,
            "source": src,
        }
    else:
        price = {}
    if item.units is not None:
        if item.units <= 0:
            raise FleetError(f"{item.chip}: units must be > 0")
        return _range(float(item.units)), price
    if item.spend is None:
        raise FleetError(f"{item.chip}: give a number of units or a spend")
    if item.spend <= 0:
        raise FleetError(f"{item.chip}: spend must be > 0")
    if not price:
        raise FleetError(f"{view.name}: the catalog has no cited price; pass --unit-price USD")
    units = {
        "low": item.spend / price["high"],
        "central": item.spend / price["central"],
        "high": item.spend / price["low"],
    }
    return units, price


@functools.lru_cache(maxsize=64)
def _per_chip_capacity(chip_id: str) -> dict[str, Any]:
    """Reference training and inference rates of one chip (cached: the model is deterministic)."""
    from ..capability import capability, train

    view = lookup(chip_id)
    out: dict[str, Any] = {}
    try:
        fp8 = "fp8" in view.chip.throughput
        t = train(
            str(REFERENCE_TRAINING["model"]),
            chip=chip_id,
            chips=2048,
            tokens=float(REFERENCE_TRAINING["tokens"]),
            precision="fp8_block" if fp8 else "bf16",
        )
        out["train_tokens_per_s_per_chip"] = t["tokens_per_s_per_chip"]
        out["train_note"] = f"{t['parallel']}, {t['precision']}, MFU {t['mfu']:.0%}"
    except ValueError as exc:
        out["train_error"] = str(exc)
    try:
        (r,) = capability(
            str(REFERENCE_INFERENCE["model"]),
            [chip_id],
            workload=str(REFERENCE_INFERENCE["workload"]),
        )
        out["infer_tokens_per_s_per_chip"] = r.get("tokens_per_s_per_chip")
        out["infer_note"] = (
            f"{r['chips']}-chip instances ({r.get('parallel')}), TPOT {r.get('tpot_ms', 0):.0f} ms"
        )
    except ValueError as exc:
        out["infer_error"] = str(exc)
    return out


def fleet(
    items: list[FleetItem], *, on: dt.date | None = None, to: str | None = None
) -> dict[str, Any]:
    """Aggregate compute, memory, H100-equivalents, capacity and power of a (mixed) fleet."""
    if not items:
        raise FleetError("a fleet needs at least one chip")
    ref = lookup(REFERENCE)
    ref_tpp = ref.metrics.tpp or 1.0
    ref_bw = ref.metrics.dram_bandwidth_gbps or 1.0
    zero = _range(0.0)
    totals = {
        k: dict(zero)
        for k in ("units", "tpp", "bf16", "fp8", "hbm_gb", "hbm_tbps", "train", "infer", "power")
    }
    lines, notes = [], []
    power_known = True
    for item in items:
        view = lookup(item.chip)
        units, price = units_of(item)
        c, m = view.chip, view.metrics
        cap = _per_chip_capacity(view.id)
        per = {
            "tpp": m.tpp or 0.0,
            "bf16": c.throughput["bf16"].value * 1e12 if "bf16" in c.throughput else 0.0,
            "fp8": c.throughput["fp8"].value * 1e12 if "fp8" in c.throughput else 0.0,
            "hbm_gb": c.memory_gb.value if c.memory_gb else 0.0,
            "hbm_tbps": (m.dram_bandwidth_gbps or 0.0) / 1000,
            "train": cap.get("train_tokens_per_s_per_chip") or 0.0,
            "infer": cap.get("infer_tokens_per_s_per_chip") or 0.0,
            "power": c.tdp_w.value if c.tdp_w else 0.0,
        }
        if c.tdp_w is None:
            power_known = False
            notes.append(f"{view.name}: TDP not in the catalog; power excludes it")
        totals["units"] = _add(totals["units"], units)
        for k, v in per.items():
            totals[k] = _add(totals[k], _scale(units, v))
        line: dict[str, Any] = {
            "chip": view.name,
            "id": view.id,
            "units": units,
            "unit_price_usd": price or None,
            "spend_usd": item.spend,
            "capacity_basis": {k: v for k, v in cap.items() if k.endswith(("note", "error"))},
        }
        if on is not None and to is not None:
            from ..api import check

            d = check(item.chip, to=to, on=on)
            line["determination"] = {
                "classification": d.classification,
                "license_required": d.license_required,
                "review_policy": d.review_policy,
                "import_restrictions": [x["text"] for x in d.import_restrictions],
            }
        lines.append(line)
    runs_per_year = _scale(totals["train"], SECONDS_PER_YEAR / float(REFERENCE_TRAINING["tokens"]))
    return {
        "items": lines,
        "units": totals["units"],
        "tpp_total": totals["tpp"],
        "bf16_flops": totals["bf16"],
        "fp8_flops": totals["fp8"],
        "hbm_capacity_gb": totals["hbm_gb"],
        "hbm_bandwidth_tbps": totals["hbm_tbps"],
        "h100_equivalents": {
            "by_tpp": _scale(totals["tpp"], 1 / ref_tpp),
            "by_memory_bandwidth": _scale(totals["hbm_tbps"], 1000 / ref_bw),
            "reference": f"{ref.name}: TPP {ref_tpp:,.0f}, {ref_bw:,.0f} GB/s",
        },
        "training": {
            "reference_runs_per_year": runs_per_year,
            "reference": REFERENCE_TRAINING,
            "tokens_per_s": totals["train"],
        },
        "inference": {
            "output_tokens_per_day": _scale(totals["infer"], 86400),
            "reference": {**REFERENCE_INFERENCE, "latency_target": "TPOT <= 50 ms, TTFT <= 5 s"},
        },
        "power_mw": _scale(totals["power"], 1e-6)
        if power_known or totals["power"]["central"]
        else None,
        "on": on.isoformat() if on else None,
        "to": to,
        "assumptions": [
            "units = spend / unit price; low uses the high price and high the low price",
            f"H100-equivalents relative to {ref.name} by TPP and by HBM bandwidth",
            "training capacity: chipwatch's training model for the reference run on 2,048-chip clusters",
            "inference capacity: chipwatch's capability model, best instance size, all chips serving",
            "power at TDP (chips only; servers, networking and cooling add roughly 1.5-2x)",
            *notes,
        ],
    }
