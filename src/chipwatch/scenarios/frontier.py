"""The compliance frontier: the most capable chip design a rule still allows.

Designs start from a base chip and vary its knobs within ranges the base allows:
compute (fraction of the base's dense throughput, every precision alike: fusing off units
or lowering clocks), DRAM bandwidth (the base's HBM up to the next HBM generation on
the same interface, 1.45x: H100 3.35 -> H200 4.8 TB/s), memory capacity (0.5-1.8x) and
chip-to-chip I/O (0-1x of the base's links). The die, and so the area performance
density divides by, is the base's. All candidates are classified in one vectorized call
of the rules engine and scored with a vectorized objective:

* ``tpp`` - TPP itself;
* ``decode`` - output tokens/s per chip serving a model (rescaled roofline terms);
* ``prefill`` - prompt tokens/s per chip;
* ``training`` - trained tokens/s per chip.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..api import ChipView
from ..api import chip as lookup

OBJECTIVES = ("decode", "prefill", "training", "tpp")
#: Physical ranges of the knobs, as multiples of the base chip.
RANGES = {
    "compute": (0.02, 1.0),
    "memory_bw": (0.1, 1.45),
    "capacity": (0.5, 1.8),
    "io": (0.0, 1.0),
}
#: Real China-market chips the frontier is compared with (those with figures in the catalog).
CHINA_CHIPS = ("H20", "L20", "RTX PRO 6000D", "B30A", "Instinct MI308X", "Gaudi 3 (China OAM)")
#: Decode reference point: sequences per instance and context.
DECODE_BATCH, PREFILL_TOKENS = 64, 65536


class FrontierError(ValueError):
    """A frontier that cannot be computed (base without die area, unknown objective, ...)."""


@dataclass(frozen=True)
class Base:
    view: ChipView
    tpp: float
    area: float
    dram: float
    io: float
    memory_gb: float

    @classmethod
    def of(cls, name: str) -> Base:
        v = lookup(name)
        m = v.metrics
        missing = [
            n
            for n, x in (
                ("TPP", m.tpp),
                ("applicable die area", m.applicable_die_area_mm2),
                ("DRAM bandwidth", m.dram_bandwidth_gbps),
                ("I/O bandwidth", m.io_bandwidth_gbps),
            )
            if not x
        ]
        if missing:
            raise FrontierError(
                f"base {v.name} lacks {', '.join(missing)} in the catalog; choose another --base"
            )
        return cls(
            v,
            m.tpp or 0.0,
            m.applicable_die_area_mm2 or 0.0,
            m.dram_bandwidth_gbps or 0.0,
            m.io_bandwidth_gbps or 0.0,
            v.chip.memory_gb.value if v.chip.memory_gb else 0.0,
        )


def grid(n: int) -> dict[str, np.ndarray]:
    """About ``n`` candidate designs: a log grid of compute x memory bandwidth x I/O."""
    side = max(4, round(n ** (1 / 3)))
    c = np.geomspace(*RANGES["compute"], side)
    m = np.linspace(*RANGES["memory_bw"], side)
    io = np.linspace(*RANGES["io"], max(2, side // 2))
    cc, mm, ii = (a.ravel() for a in np.meshgrid(c, m, io, indexing="ij"))
    return {"compute": cc, "memory_bw": mm, "io": ii}


class Objective:
    """Vectorized objective over knob arrays, built once per base and model."""

    def __init__(self, kind: str, base: Base, model_name: str) -> None:
        if kind not in OBJECTIVES:
            raise FrontierError(f"unknown objective {kind!r}: use {', '.join(OBJECTIVES)}")
        self.kind, self.base, self.model_name = kind, base, model_name
        self.unit = {
            "tpp": "TPP",
            "decode": "output tokens/s per chip",
            "prefill": "prompt tokens/s per chip",
            "training": "trained tokens/s per chip",
        }[kind]
        if kind in ("decode", "prefill"):
            self._serving()
        elif kind == "training":
            self._training()

    def _serving(self) -> None:
        from ..capability import candidate_parallels, hardware, model
        from ..capability.inference import Precision, Scenario

        m, hw = model(self.model_name), hardware(self.base.view.id)
        prec = Precision("fp8", kv="fp8")
        chips = next(
            (
                n
                for n in (1, 2, 4, 8, 16, 32, 64)
                if Scenario(
                    m, hw, candidate_parallels(m, n)[-1], prec, 1024, 1024
                ).max_concurrency()
                > 0
            ),
            64,
        )
        self.scn = Scenario(m, hw, candidate_parallels(m, chips)[-1], prec, 1024, 1024)
        self.chips = chips
        if self.kind == "decode":
            self.parts = self.scn.step_components(np.array([float(DECODE_BATCH)]), 1536)
        else:
            self.parts = self.scn.prefill_components(np.array([float(PREFILL_TOKENS)]))

    def _training(self) -> None:
        from ..capability import hardware, model
        from ..capability.training import TrainingRun, default_parallel

        m, hw = model(self.model_name), hardware(self.base.view.id)
        run = TrainingRun(
            m, hw, 1024, 1.0, default_parallel(m, hw, 1024), "fp8" if "fp8" in hw.native else "bf16"
        )
        t = run.time_per_token_terms()
        self.train_compute = t["matmul"] + t["attention"]
        self.train_memory = t["elementwise"]
        self.train_comm = t["tensor_parallel"] + t["expert_parallel"]
        self.train_bubble = 1 + run.bubble()

    def __call__(self, compute: Any, memory_bw: Any, io: Any) -> Any:
        compute = np.asarray(compute, float)
        if self.kind == "tpp":
            return compute * self.base.tpp
        io_f = np.maximum(np.asarray(io, float), 1e-3)
        if self.kind == "decode":
            step = self.scn.combine(self.parts, compute, np.asarray(memory_bw, float), io_f)
            return DECODE_BATCH / step / self.scn.parallel.chips
        if self.kind == "prefill":
            t = self.scn.combine_prefill(self.parts, compute, np.asarray(memory_bw, float), io_f)
            return PREFILL_TOKENS / t / self.chips
        seconds = (
            self.train_compute / compute
            + self.train_memory / np.asarray(memory_bw, float)
            + self.train_comm / io_f
        )
        return 1.0 / (seconds * self.train_bubble)


def _allowed(out: dict[str, Any], zone: str | None) -> Any:
    if zone is None:
        return out["license_required"] == 0
    return (out["license_required"] == 1) & (out["review_policy"] == out["policies"].index(zone))


def refine(
    design: dict[str, float],
    base: Base,
    obj: Objective,
    plan: Any,
    zone: str | None,
    steps: int = 2001,
) -> dict[str, float]:
    """Push each knob from the grid optimum up to the largest allowed value that improves the objective."""
    for _ in range(2):
        for knob in ("compute", "memory_bw", "io"):
            lo, hi = design[knob], RANGES[knob][1]
            trial = {k: np.full(steps, v) for k, v in design.items()}
            trial[knob] = np.linspace(lo, hi, steps)
            ok = _allowed(plan.evaluate_arrays(_arrays(base, trial)), zone)
            value = np.where(ok, obj(trial["compute"], trial["memory_bw"], trial["io"]), -np.inf)
            best = int(
                np.flatnonzero(value >= value.max() * (1 - 1e-12))[-1]
            )  # the largest value among ties
            design[knob] = float(trial[knob][best])
    return design


def _specs(base: Base, compute: float, memory_bw: float, io: float) -> dict[str, Any]:
    tp = base.view.chip.throughput
    tpp = compute * base.tpp
    return {
        "tpp": tpp,
        "performance_density": tpp / base.area,
        "die_area_mm2": base.area,
        "bf16_tflops": tp["bf16"].value * compute if "bf16" in tp else None,
        "fp8_tflops": tp["fp8"].value * compute if "fp8" in tp else None,
        "dram_bandwidth_gbps": memory_bw * base.dram,
        "io_bandwidth_gbps": io * base.io,
        "dram_plus_io_bandwidth_gbps": memory_bw * base.dram + io * base.io,
        "memory_gb": base.memory_gb * RANGES["capacity"][1] if memory_bw > 1 else base.memory_gb,
    }


def _arrays(base: Base, knobs: dict[str, np.ndarray]) -> Any:
    from ..rules.engine import array_facts

    tpp = knobs["compute"] * base.tpp
    dram = knobs["memory_bw"] * base.dram
    io = knobs["io"] * base.io
    n = tpp.shape[0]
    return array_facts(
        metrics={
            "tpp": tpp,
            "performance_density": tpp / base.area,
            "dram_bandwidth_gbps": dram,
            "io_bandwidth_gbps": io,
            "dram_plus_io_bandwidth_gbps": dram + io,
        },
        datacenter=np.full(n, base.view.market == "datacenter"),
        vendors=np.full(n, base.view.vendor),
        product_ids=np.full(n, ""),
    )


def frontier(
    *,
    to: str,
    on: dt.date,
    base: str = "H100 SXM",
    objective: str = "decode",
    model: str = "Llama-3.1-70B",
    zone: str | None = None,
    candidates: int = 200_000,
) -> dict[str, Any]:
    """The best design for ``objective`` that is licence-free (or inside review-policy ``zone``)."""
    from ..rules import build_plan, determine, item_from_spec

    if zone not in (None, "case-by-case", "approval"):
        raise FrontierError(f"unknown zone {zone!r}: use case-by-case or approval")
    b = Base.of(base)
    obj = Objective(objective, b, model)
    knobs = grid(candidates)
    plan = build_plan(to, on)
    out = plan.evaluate_arrays(_arrays(b, knobs))
    ok = _allowed(out, zone)
    values = obj(knobs["compute"], knobs["memory_bw"], knobs["io"])
    if not ok.any():
        raise FrontierError(
            f"no {b.view.name}-based design is {'licence-free' if zone is None else 'in the ' + zone + ' zone'} for {to} on {on}"
        )
    scores = np.where(ok, values, -np.inf)
    best = int(np.argmax(scores))
    design = refine({k: float(v[best]) for k, v in knobs.items()}, b, obj, plan, zone)
    specs = _specs(b, design["compute"], design["memory_bw"], design["io"])
    spec = {
        "tpp": specs["tpp"],
        "pd": specs["performance_density"],
        "dram_bw": specs["dram_bandwidth_gbps"],
        "io_bw": specs["io_bandwidth_gbps"],
        "market": b.view.market,
        "vendor": b.view.vendor,
        "name": f"frontier design ({b.view.name} base)",
    }
    det = determine(item_from_spec({k: str(v) for k, v in spec.items()}), to, on)
    return {
        "to": det.destination.code,
        "on": on.isoformat(),
        "zone": zone or "licence-free",
        "base": b.view.name,
        "model": model if objective != "tpp" else None,
        "objective": objective,
        "objective_unit": obj.unit,
        "objective_value": float(
            obj(
                np.array([design["compute"]]),
                np.array([design["memory_bw"]]),
                np.array([design["io"]]),
            )[0]
        ),
        "design": {"knobs": design, "specs": specs},
        "metrics": {
            k: specs[k]
            for k in (
                "tpp",
                "performance_density",
                "dram_bandwidth_gbps",
                "io_bandwidth_gbps",
                "dram_plus_io_bandwidth_gbps",
            )
        },
        "determination": det.to_dict(),
        "binding_constraints": binding_constraints(plan, specs, design),
        "comparisons": comparisons(obj, to, on),
        "candidates_evaluated": int(knobs["compute"].size),
        "candidates_allowed": int(ok.sum()),
    }


def binding_constraints(plan: Any, specs: dict[str, Any], design: dict[str, float]) -> list[str]:
    """Thresholds the design sits against (within 3 %), and knobs at their physical limit."""
    from ..rules.criteria import Compare

    values = {
        "tpp": specs["tpp"],
        "performance_density": specs["performance_density"],
        "dram_bandwidth_gbps": specs["dram_bandwidth_gbps"],
        "io_bandwidth_gbps": specs["io_bandwidth_gbps"],
        "dram_plus_io_bandwidth_gbps": specs["dram_plus_io_bandwidth_gbps"],
    }
    found: dict[str, str] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, Compare) and node.metric in values:
            v, t = values[node.metric], node.value
            if t and abs(v - t) / t <= 0.03:
                side = "below" if v < t else "at or above"
                found.setdefault(
                    f"{node.metric}:{t}",
                    f"{_label(node.metric)} {v:,.6g} stays {side} {t:,.6g} ({where})",
                )
        for child in getattr(node, "items", ()) or ():
            walk(child, where)
        if hasattr(node, "item"):
            walk(node.item, where)

    if plan.classification:
        for p in plan.classification.paragraphs:
            walk(p.when, p.id)
    for req, _ in plan.requirements:
        if req.items is not None:
            walk(req.items, req.key)
    for ch in plan.policy_changes:
        if ch.when is not None:
            walk(ch.when, ch.key)
    out = list(found.values())
    for knob, (_lo, hi) in RANGES.items():
        if knob in design and math.isclose(design[knob], hi, rel_tol=1e-6):
            out.append(f"{knob.replace('_', ' ')} at the base's physical limit ({hi:g}x)")
    return out or ["no rule threshold binds: the design is limited by the base chip itself"]


def _label(metric: str) -> str:
    from ..rules.criteria import METRICS

    return METRICS[metric]


def comparisons(obj: Objective, to: str, on: dt.date) -> list[dict[str, Any]]:
    """The objective for real China-market chips, scored with the same rescaled model."""
    from ..api import check

    out: list[dict[str, Any]] = []
    for name in CHINA_CHIPS:
        try:
            v = lookup(name)
        except LookupError:
            continue
        m, b = v.metrics, obj.base
        if not (m.tpp and m.dram_bandwidth_gbps):
            out.append(
                {
                    "chip": v.name,
                    "objective_value": None,
                    "license_required": None,
                    "note": "no compute or bandwidth figures in the catalog",
                }
            )
            continue
        compute = m.tpp / b.tpp
        value = obj(
            np.array([compute]),
            np.array([m.dram_bandwidth_gbps / b.dram]),
            np.array([(m.io_bandwidth_gbps or 0) / b.io]),
        )
        d = check(name, to=to, on=on)
        out.append(
            {
                "chip": v.name,
                "objective_value": float(value[0]),
                "license_required": d.license_required,
                "review_policy": d.review_policy,
            }
        )
    return out
