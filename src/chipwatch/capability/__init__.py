"""What a chip can do: LLM inference and training, validated against published measurements.

>>> r = infer("DeepSeek-R1", chip="H20", chips=8, isl=1024, osl=1024, concurrency=32)
>>> r["fits"], r["bottleneck"] in {"memory bandwidth (weights)", "compute (matmul)", "attention", "elementwise", "communication", "kernel overhead"}
(True, True)
>>> t = train("DeepSeek-V3", chip="H800", chips=2048, tokens=14.8e12, precision="fp8_block",
...           tp=1, pp=16, ep=64, vp=2, seq_len=4096, global_batch_tokens=15360 * 4096,
...           goodput=1.0)
>>> 2.3e6 < t["gpu_hours"] < 3.1e6    # DeepSeek-V3 report: 2.664M H800 GPU-hours of pre-training
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .calibrate import efficiency
from .hardware import Hardware, HardwareError, from_chip
from .inference import (
    MTP_ACCEPTANCE,
    ConfigError,
    Parallel,
    Precision,
    Scenario,
    bottleneck,
    pareto,
    sweep_concurrency,
)
from .training import DEFAULT_VP, RUN_GOODPUT, TrainingRun, TrainParallel, default_parallel
from .workloads import WorkloadError, model, models

__all__ = [
    "WORKLOADS",
    "ConfigError",
    "HardwareError",
    "WorkloadError",
    "capability",
    "hardware",
    "infer",
    "model",
    "models",
    "train",
]

#: Named serving workloads: input/output lengths and latency targets (TPOT, TTFT in ms).
WORKLOADS: dict[str, dict[str, Any]] = {
    "reasoning": {
        "isl": 1024,
        "osl": 4096,
        "tpot_ms": 50.0,
        "ttft_ms": 5000.0,
        "note": "long generated reasoning traces (o1/R1 style); MLPerf DeepSeek-R1 averages ~3.8k output tokens",
    },
    "chat": {
        "isl": 1024,
        "osl": 1024,
        "tpot_ms": 50.0,
        "ttft_ms": 2000.0,
        "note": "balanced prompt and answer",
    },
    "prefill-heavy": {
        "isl": 8192,
        "osl": 512,
        "tpot_ms": 50.0,
        "ttft_ms": 5000.0,
        "note": "long documents, short answers (RAG, summarization)",
    },
}


def hardware(name: str) -> Hardware:
    """Model inputs for a catalog chip (by any spelling the catalog accepts)."""
    from ..api import chip

    return from_chip(chip(name).chip)


def _precision(precision: str, kv: str | None, m: Any) -> Precision:
    if precision not in ("bf16", "fp16", "fp8", "int8", "fp4", "mxfp4"):
        raise ConfigError(f"unknown precision {precision!r}: use bf16, fp8, int8 or fp4")
    experts = m.native_precision.get("experts") if precision == "native" else None
    return Precision(
        weights=precision,
        experts=experts,
        kv=kv or ("fp8" if precision in ("fp8", "fp4") else "bf16"),
    )


def candidate_parallels(m: Any, chips: int) -> list[Parallel]:
    """Layouts an engine would use on ``chips``: TP for dense models; for MoE also attention
    data parallelism with expert parallelism, and TP attention with EP experts."""
    out = [Parallel(tp=chips)]
    if m.is_moe and chips > 1:
        out = [Parallel(tp=1, dp=chips, ep=chips), Parallel(tp=chips, ep=chips), Parallel(tp=chips)]
    return out


def default_serving_parallel(
    m: Any, hw: Hardware, chips: int, precision: Precision, isl: int, osl: int, mtp: int = 0
) -> Parallel:
    """The candidate layout with the highest maximum throughput among those that fit."""
    best, best_rate = None, -1.0
    for par in candidate_parallels(m, chips):
        scn = Scenario(m, hw, par, precision, isl, osl, mtp=mtp)
        c = scn.max_concurrency()
        if c <= 0:
            continue
        rate = float(scn.serve(np.array([float(c)]))["tokens_per_s_per_chip"][0])
        if rate > best_rate:
            best, best_rate = par, rate
    return best or candidate_parallels(m, chips)[0]


def infer(
    model_name: str,
    *,
    chip: str,
    chips: int | None = None,
    instances: int = 1,
    isl: int = 1024,
    osl: int = 1024,
    concurrency: int | None = None,
    precision: str = "fp8",
    kv_precision: str | None = None,
    tp: int | None = None,
    ep: int | None = None,
    dp: int | None = None,
    pp: int = 1,
    sla_tpot_ms: float | None = None,
    sla_ttft_ms: float | None = None,
    benchmark_rounds: int | None = None,
    mtp: int = 0,
    mtp_acceptance: float | None = None,
) -> dict[str, Any]:
    """Serve ``model_name`` on ``chips`` x ``chip``: fit, TTFT, TPOT, tokens/s, Pareto curve.

    Without ``concurrency`` the best point under the SLA (or the maximum throughput) is reported.
    ``benchmark_rounds`` reports TTFT as a closed-loop benchmark of that many requests per
    concurrency slot measures it (ramp-up included); the default is steady state. ``mtp`` draft
    tokens per step turn on speculative decoding with the model's MTP module.
    """
    if benchmark_rounds is not None and benchmark_rounds < 1:
        raise ConfigError("--benchmark-rounds must be >= 1")
    if mtp_acceptance is not None and not mtp:
        raise ConfigError("an MTP acceptance needs MTP draft tokens (--mtp N)")
    m, hw = model(model_name), hardware(chip)
    if chips is None:
        chips = min_chips(m, hw, _precision(precision, kv_precision, m), isl, osl, mtp)
    if tp is None and dp is None:
        par = default_serving_parallel(
            m, hw, chips, _precision(precision, kv_precision, m), isl, osl, mtp
        )
        if ep is not None:
            par = Parallel(par.tp, par.dp, ep, pp)
    else:
        t, d = tp or 1, dp or 1
        par = Parallel(
            tp=t, dp=d, ep=ep or (t * d if m.is_moe and ep is None and d > 1 else 1), pp=pp
        )
    if par.chips != chips:
        raise ConfigError(f"tp x dp x pp = {par.chips} must equal --chips {chips}")
    par.check(m)
    scn = Scenario(
        m, hw, par, _precision(precision, kv_precision, m), isl, osl, instances, mtp=mtp,
        mtp_acceptance=MTP_ACCEPTANCE if mtp_acceptance is None else mtp_acceptance,
    )
    mem = scn.memory_report()
    result: dict[str, Any] = {
        "model": m.name,
        "chip": hw.name,
        "chips": chips,
        "instances": instances,
        "parallel": par.label(),
        "precision": {"weights": scn.precision.weights, "kv": scn.precision.kv},
        "isl": isl,
        "osl": osl,
        "benchmark_rounds": benchmark_rounds,
        "speculative_decoding": {
            "mtp_draft_tokens": mtp,
            "acceptance": scn.mtp_acceptance,
            "tokens_per_step": scn.tokens_per_step(),
        } if mtp else None,
        "fits": bool(mem["fits"]) and mem["max_concurrency"] > 0,
        "memory": mem,
        "assumptions": assumptions(hw.vendor),
    }
    if not result["fits"]:
        result["does_not_fit"] = (
            f"weights need {mem['weights_per_chip_gb']:.1f} GB per chip of {mem['usable_gb']:.1f} GB usable"
            if not mem["fits"]
            else f"no room for the KV cache of one {isl + osl}-token sequence"
        )
        return result
    sweep = sweep_concurrency(mem["max_concurrency"])
    points = scn.serve(sweep, rounds=benchmark_rounds)
    front = pareto(points)
    result["pareto"] = [_point(points, i) for i in front]
    if concurrency is not None:
        if concurrency > mem["max_concurrency"]:
            result["warning"] = (
                f"concurrency {concurrency} exceeds the {mem['max_concurrency']} sequences that fit"
            )
        chosen = scn.serve(np.array([float(concurrency)]), rounds=benchmark_rounds)
        best = _point(chosen, 0)
    else:
        ok = np.ones(len(sweep), bool)
        if sla_tpot_ms is not None:
            ok &= points["tpot_s"] * 1000 <= sla_tpot_ms
        if sla_ttft_ms is not None:
            ok &= points["ttft_s"] * 1000 <= sla_ttft_ms
        if not ok.any():
            result["sla_met"] = False
            result["note"] = (
                "no concurrency meets the latency target; showing the lowest-latency point"
            )
            best = _point(points, 0)
        else:
            idx = np.flatnonzero(ok)[np.argmax(points["tokens_per_s_per_chip"][ok])]
            best = _point(points, int(idx))
            result["sla_met"] = True if (sla_tpot_ms or sla_ttft_ms) else None
    result.update(best)
    result["bottleneck"] = bottleneck(scn, best["concurrency"])
    result["tokens_per_s_total"] = best["tokens_per_s_per_chip"] * chips * instances
    return result


def _point(points: dict[str, Any], i: int) -> dict[str, Any]:
    return {
        "concurrency": int(points["concurrency"][i]),
        "ttft_ms": float(points["ttft_s"][i] * 1000),
        "tpot_ms": float(points["tpot_s"][i] * 1000),
        "tokens_per_s_per_chip": float(points["tokens_per_s_per_chip"][i]),
        "tokens_per_s_per_user": float(points["tokens_per_s_per_user"][i]),
    }


def min_chips(m: Any, hw: Hardware, precision: Precision, isl: int, osl: int, mtp: int = 0) -> int:
    """Smallest power-of-two instance (up to 64) whose weights and one sequence fit."""
    for n in (1, 2, 4, 8, 16, 32, 64):
        if any(
            Scenario(m, hw, par, precision, isl, osl, mtp=mtp).max_concurrency() > 0
            for par in candidate_parallels(m, n)
        ):
            return n
    raise ConfigError(f"{m.name} does not fit on 64 x {hw.name} at {precision.weights}")


def assumptions(vendor: str | None = None) -> dict[str, Any]:
    """The fixed inputs behind an answer; efficiencies are the chip vendor's (see calibrate)."""
    from . import inference

    return {
        "efficiency": {k: v for k, v in efficiency(vendor).to_dict().items() if k != "derivation"},
        "request_overhead_ms": inference.REQUEST_OVERHEAD_S * 1000,
        "prefill_token_budget": inference.PREFILL_TOKEN_BUDGET,
        "max_batch_per_rank": inference.MAX_BATCH_PER_RANK,
        "usable_memory_fraction": 0.9,
        "speculative_decoding": "off unless MTP draft tokens are given (mtp); acceptance "
        f"default {MTP_ACCEPTANCE} (DeepSeek-V3 report)",
    }


def train(
    model_name: str,
    *,
    chip: str,
    chips: int,
    tokens: float,
    mfu: float | None = None,
    price_per_hour: float = 2.0,
    precision: str = "bf16",
    tp: int | None = None,
    pp: int | None = None,
    ep: int | None = None,
    vp: int | None = None,
    cp: int = 1,
    seq_len: int = 4096,
    global_batch_tokens: float = 16 * 2**20,
    goodput: float = RUN_GOODPUT,
) -> dict[str, Any]:
    """GPU-hours, days, cost and MFU to train ``model_name`` on ``tokens`` tokens
    (``goodput``: the fraction of wall time that makes progress over the whole run)."""
    m, hw = model(model_name), hardware(chip)
    if precision not in ("bf16", "fp8", "fp8_block", "fp4"):
        raise ConfigError(
            f"unknown training precision {precision!r}: use bf16, fp8, fp8_block or fp4"
        )
    if chips < 1 or tokens <= 0:
        raise ConfigError("chips must be >= 1 and tokens > 0")
    if mfu is not None and not 0 < mfu <= 1:
        raise ConfigError("--mfu must be between 0 and 1")
    if not 0 < goodput <= 1:
        raise ConfigError("--goodput must be between 0 and 1")
    par = default_parallel(m, hw, chips)
    if tp or pp or ep:
        par = TrainParallel(
            tp=tp or 1, pp=pp or 1, ep=ep or (par.ep if m.is_moe else 1), cp=cp,
            vp=vp or (DEFAULT_VP if (pp or 1) > 1 else 1),
        )
    if par.tp * par.pp * par.cp > chips:
        raise ConfigError(f"tp x pp x cp = {par.tp * par.pp * par.cp} exceeds {chips} chips")
    run = TrainingRun(
        m, hw, chips, tokens, par, precision, seq_len, global_batch_tokens, mfu, price_per_hour,
        goodput,
    )
    return run.result(whole_run=True)


def capability(
    model_name: str, chips: list[str], *, workload: str = "reasoning", precision: str = "fp8"
) -> list[dict[str, Any]]:
    """Side-by-side serving capability of several chips on one workload, per chip and per dollar."""
    if workload not in WORKLOADS:
        raise ConfigError(f"unknown workload {workload!r}: use {', '.join(WORKLOADS)}")
    w = WORKLOADS[workload]
    rows = []
    for name in chips:
        hw = hardware(name)
        m = model(model_name)
        prec = _precision(precision, None, m)
        fewest = min_chips(m, hw, prec, int(w["isl"]), int(w["osl"]))
        # the fewest chips that fit, or twice that when the larger instance serves more per chip
        options = [
            infer(
                model_name,
                chip=name,
                chips=n,
                isl=int(w["isl"]),
                osl=int(w["osl"]),
                precision=precision,
                sla_tpot_ms=float(w["tpot_ms"]),
                sla_ttft_ms=float(w["ttft_ms"]),
            )
            for n in (fewest, 2 * fewest)
        ]
        r = max(options, key=lambda o: o.get("tokens_per_s_per_chip") or 0.0)
        per_chip = r.get("tokens_per_s_per_chip")
        r["workload"] = workload
        r["price_usd"] = hw.price_usd
        r["tokens_per_s_per_1000_usd"] = (
            per_chip / hw.price_usd * 1000 if per_chip and hw.price_usd else None
        )
        r["tokens_per_joule"] = per_chip / hw.tdp_w if per_chip and hw.tdp_w else None
        rows.append(r)
    return rows
