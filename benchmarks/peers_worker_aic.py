"""AIConfigurator worker: run INSIDE .venv-peers/aiconfigurator (stdlib + aiconfigurator only).

Reads {"scenarios": [...]} (or a bare list) as JSON on stdin and prints
{"tool": ..., "version": ..., "results": [{"id", "value"|"error", "seconds", "detail"}]}
on stdout.  Every exception is caught and reported per scenario.

Uses the SDK entry point ``aiconfigurator.cli.api.cli_estimate`` (the programmatic
form of ``aiconfigurator cli estimate``), aggregated (in-flight batching) mode,
SILICON database, the backend's latest shipped database version.

Scenario fields (built by benchmarks/peers.py):
  id, metric ("ttft_mean"|"tpot_mean"|"output_throughput_per_gpu"),
  model_path, system, backend, isl, osl, tp, pp, attention_dp, moe_tp, moe_ep,
  mode: "latency"  -> one estimate at batch_size = concurrency / attention_dp
        "max_throughput" -> sweep per-rank batch sizes (no TTFT/TPOT limit) and keep
                            the best tokens/s/gpu that fits in memory and KV cache
  batch (global concurrency, latency mode), ctx_tokens (optional),
  gemm_quant / moe_quant / kv_quant (optional overrides).
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
import traceback
import warnings
from contextlib import redirect_stderr, redirect_stdout

SWEEP = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


def _estimate(cli_estimate, sc, batch):
    kw = dict(
        backend_name=sc.get("backend", "trtllm"),
        isl=int(sc["isl"]),
        osl=int(sc["osl"]),
        batch_size=int(batch),
        tp_size=int(sc.get("tp", 1)),
        pp_size=int(sc.get("pp", 1)),
        attention_dp_size=int(sc.get("attention_dp", 1)),
    )
    if sc.get("moe_tp") is not None:
        kw["moe_tp_size"] = int(sc["moe_tp"])
    if sc.get("moe_ep") is not None:
        kw["moe_ep_size"] = int(sc["moe_ep"])
    if sc.get("ctx_tokens"):
        kw["ctx_tokens"] = int(sc["ctx_tokens"])
    for src, dst in (
        ("gemm_quant", "gemm_quant_mode"),
        ("moe_quant", "moe_quant_mode"),
        ("kv_quant", "kvcache_quant_mode"),
    ):
        if sc.get(src):
            kw[dst] = sc[src]
    return cli_estimate(sc["model_path"], sc["system"], **kw)


def _one(cli_estimate, sc):
    metric = sc["metric"]
    if sc.get("mode") == "max_throughput":
        best, tried, stop = None, [], None
        for bs in SWEEP:
            try:
                r = _estimate(cli_estimate, sc, bs)
            except Exception as exc:  # OOM etc. ends the sweep
                stop = f"bs={bs}: {str(exc).splitlines()[0][:120]}"
                break
            tried.append((bs, round(float(r.tokens_per_second_per_gpu), 1)))
            if r.kv_cache_warning:
                stop = f"bs={bs}: KV cache capacity exceeded"
                break
            if best is None or r.tokens_per_second_per_gpu > best.tokens_per_second_per_gpu:
                best = r
        if best is None:
            raise RuntimeError(f"no batch size fits ({stop})")
        detail = {
            "best_batch_per_rank": best.batch_size,
            "sweep": tried,
            "stopped": stop,
            "estimates": len(tried) + (1 if stop and not stop.endswith("exceeded") else 0),
            "version": best.backend_version,
            "ttft_ms": float(best.ttft),
            "tpot_ms": float(best.tpot),
        }
        if metric == "output_throughput_per_gpu":
            return float(best.tokens_per_second_per_gpu), detail
        raise ValueError(f"max_throughput mode does not support metric {metric}")

    dp = max(1, int(sc.get("attention_dp", 1)))
    batch = max(1, round(int(sc["batch"]) / dp))
    r = _estimate(cli_estimate, sc, batch)
    detail = {
        "batch_per_rank": batch,
        "version": r.backend_version,
        "estimates": 1,
        "ttft_ms": float(r.ttft),
        "tpot_ms": float(r.tpot),
        "tokens_per_s_per_gpu": float(r.tokens_per_second_per_gpu),
    }
    if r.kv_cache_warning:
        detail["warning"] = "KV cache capacity exceeded"
    if metric == "ttft_mean":
        return float(r.ttft), detail
    if metric == "tpot_mean":
        return float(r.tpot), detail
    if metric == "output_throughput_per_gpu":
        return float(r.tokens_per_second_per_gpu), detail
    raise ValueError(f"unsupported metric {metric}")


def main() -> int:
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    payload = json.loads(sys.stdin.read() or "[]")
    scenarios = payload.get("scenarios", []) if isinstance(payload, dict) else payload
    t0 = time.perf_counter()
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            from aiconfigurator.cli.api import cli_estimate
        from importlib.metadata import version

        ver = version("aiconfigurator")
    except Exception as exc:
        print(
            json.dumps(
                {"tool": "aiconfigurator", "error": f"import failed: {exc!r}", "results": []}
            )
        )
        return 0
    import_s = time.perf_counter() - t0
    results = []
    for sc in scenarios:
        out = {"id": sc.get("id")}
        t1 = time.perf_counter()
        try:
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                value, detail = _one(cli_estimate, sc)
            out["value"] = value
            out["detail"] = detail
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            msg = str(exc).strip().splitlines()
            out["error"] = f"{type(exc).__name__}: {msg[0][:300] if msg else ''}"
            out["trace"] = traceback.format_exc(limit=3)[-800:]
        out["seconds"] = time.perf_counter() - t1
        results.append(out)
    print(
        json.dumps(
            {
                "tool": "aiconfigurator",
                "version": ver,
                "import_seconds": import_s,
                "results": results,
            },
            default=float,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
