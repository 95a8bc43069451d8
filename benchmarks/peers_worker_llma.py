"""llm-analysis worker: run INSIDE .venv-peers/llm-analysis (stdlib + llm-analysis only).

Reads {"scenarios": [...]} (or a bare list) as JSON on stdin and prints
{"tool": ..., "version": ..., "results": [{"id", "value"|"error", "seconds", "detail"}]}
on stdout.  Every exception is caught and reported per scenario.

Scenario fields (built by benchmarks/peers.py):
  id, kind ("infer"|"train"), metric, model (dict of ModelConfig fields),
  gpu (dict of GPUConfig fields), weight_bits, activation_bits,
  tp, pp, dp, ep, n_chips,
  infer: isl, osl, batch (per model replica), mode ("latency"|"max_throughput")
  train: seq_len, global_batch, micro_batch, peak_bf16_tflops
Efficiencies follow the llm-analysis README's suggestions (inference: flops 0.7,
HBM 0.9; training: flops 0.5, HBM 0.9) unless the scenario overrides them.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
import traceback
from contextlib import redirect_stdout


def _quiet():
    logging.disable(logging.CRITICAL)


def _build(sc, flops_eff, hbm_eff):
    from llm_analysis.analysis import LLMAnalysis
    from llm_analysis.config import DtypeConfig, GPUConfig, ModelConfig, ParallelismConfig

    mc = ModelConfig(**sc["model"])
    gc = GPUConfig(**sc["gpu"])
    wb, ab = int(sc.get("weight_bits", 16)), int(sc.get("activation_bits", 16))
    dc = DtypeConfig(name=f"w{wb}a{ab}e16", weight_bits=wb, activation_bits=ab, embedding_bits=16)
    pc = ParallelismConfig(
        tp_size=int(sc.get("tp", 1)),
        pp_size=int(sc.get("pp", 1)),
        dp_size=int(sc.get("dp", 1)),
        ep_size=int(sc.get("ep", 1)),
    )
    return LLMAnalysis(mc, gc, dc, pc, flops_efficiency=flops_eff, hbm_memory_efficiency=hbm_eff)


def _infer(sc):
    a = _build(sc, sc.get("flops_efficiency", 0.7), sc.get("hbm_efficiency", 0.9))
    isl, osl = int(sc["isl"]), int(sc["osl"])
    kv_bytes = sc.get("kv_cache_bytes")
    metric = sc["metric"]
    if sc.get("mode") == "max_throughput":
        # Largest batch that llm-analysis says fits, capped (no scheduler model).
        probe = a.inference(
            batch_size_per_gpu=1,
            seq_len=isl,
            num_tokens_to_generate=osl,
            kv_cache_dtype_bytes=kv_bytes,
        )
        batch = max(
            1, min(int(probe["decode_max_batch_size_per_gpu"]), int(sc.get("max_batch", 1024)))
        )
    elif metric == "ttft_mean":
        # llm-analysis has no scheduler: prefill of the whole concurrent batch at once
        # would be the time to the LAST first token of a burst.  In steady state
        # requests arrive staggered, so TTFT is read as the prefill of one request.
        batch = 1
    else:
        batch = max(1, int(sc["batch"]))
    while True:
        try:
            r = a.inference(
                batch_size_per_gpu=batch,
                seq_len=isl,
                num_tokens_to_generate=osl,
                kv_cache_dtype_bytes=kv_bytes,
            )
            break
        except AssertionError:
            # max-throughput: the decode-limited batch may not fit the (unchunked)
            # prefill activations; halve it as a user would.  Other modes: report.
            if sc.get("mode") != "max_throughput" or batch <= 1:
                raise
            batch //= 2
    detail = {
        "batch": batch,
        "prefill_s": r["prefill_latency"],
        "decode_s": r["decode_latency"],
        "params_b": a.total_num_params / 1e9,
        "active_params_b": a.total_num_active_params / 1e9,
    }
    if metric == "ttft_mean":
        return r["prefill_latency"] * 1000.0, detail
    if metric == "tpot_mean":
        return r["decode_latency"] * 1000.0, detail
    if metric == "output_throughput_per_gpu":
        gpus_per_replica = int(sc.get("tp", 1)) * int(sc.get("pp", 1))
        per_req = r["prefill_latency"] + osl * r["decode_latency"]
        return batch * osl / per_req / gpus_per_replica, detail
    raise ValueError(f"unsupported inference metric {metric}")


def _train(sc):
    from llm_analysis.analysis import ActivationRecomputation, DSZeRO

    a = _build(sc, sc.get("flops_efficiency", 0.5), sc.get("hbm_efficiency", 0.9))
    seq = int(sc["seq_len"])
    gbs = int(sc["global_batch"])
    mbs = int(sc.get("micro_batch", 1))
    n = int(sc["n_chips"])
    r = a.training(
        batch_size_per_gpu=mbs,
        global_batch_size=gbs,
        seq_len=seq,
        ds_zero=DSZeRO.STAGE_1,
        activation_recomputation=ActivationRecomputation.NONE,
        total_num_tokens=sc.get("total_tokens"),
    )
    it = r["latency_per_iter"]
    tok_s_gpu = gbs * seq / it / n
    model_flops_per_seq = 3.0 * a.get_num_flops_fwd_total(1, seq)
    tflops_gpu = model_flops_per_seq * gbs / it / n / 1e12
    detail = {
        "latency_per_iter_s": it,
        "tokens_per_s_per_gpu": tok_s_gpu,
        "model_tflops_per_gpu": tflops_gpu,
        "memory_left_gb": r.get("memory_left_per_gpu", 0) / 1e9,
        "active_params_b": a.total_num_active_params / 1e9,
    }
    m = sc["metric"]
    if m == "tokens_per_sec_per_gpu":
        return tok_s_gpu, detail
    if m in ("model_tflops_per_gpu", "achieved_tflops_per_gpu"):
        return tflops_gpu, detail
    if m in ("mfu", "mfu_third_party_estimate"):
        return tflops_gpu / float(sc["peak_bf16_tflops"]), detail
    if m == "gpu_hours_per_trillion_tokens":
        return 1e12 / (tok_s_gpu * n) * n / 3600.0, detail
    raise ValueError(f"unsupported training metric {m}")


def main() -> int:
    _quiet()
    payload = json.loads(sys.stdin.read() or "[]")
    scenarios = payload.get("scenarios", []) if isinstance(payload, dict) else payload
    t0 = time.perf_counter()
    try:
        with redirect_stdout(io.StringIO()):
            import llm_analysis.analysis  # noqa: F401  (warm import, not timed per row)
        from importlib.metadata import version

        ver = version("llm-analysis")
    except Exception as exc:  # pragma: no cover - reported to caller
        print(
            json.dumps({"tool": "llm-analysis", "error": f"import failed: {exc!r}", "results": []})
        )
        return 0
    import_s = time.perf_counter() - t0
    results = []
    for sc in scenarios:
        out = {"id": sc.get("id")}
        t0 = time.perf_counter()
        sink = io.StringIO()
        try:
            with redirect_stdout(sink):
                fn = _train if sc.get("kind") == "train" else _infer
                value, detail = fn(sc)
            out["value"] = float(value)
            out["detail"] = detail
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            msg = str(exc).strip().splitlines()
            out["error"] = f"{type(exc).__name__}: {msg[0][:300] if msg else ''}"
            out["trace"] = traceback.format_exc(limit=3)[-800:]
        out["seconds"] = time.perf_counter() - t0
        results.append(out)
    print(
        json.dumps(
            {"tool": "llm-analysis", "version": ver, "import_seconds": import_s, "results": results}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
