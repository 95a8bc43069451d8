"""Run the measured "truth" scenarios through peer tools and report their error.

Usage (project python; peers live in their own venvs, see setup_peers.sh):

    python benchmarks/peers.py [TRUTH_CSV] [--chipwatch-json FILE] [--only aic|llma]
                               [--limit N] [--json OUT] [--details]

TRUTH_CSV defaults to src/chipwatch/data/truth/perf_truth_dev.csv, else
../shared/research/perf_truth_dev.csv (relative to the repo root).

Peers:
  aiconfigurator (NVIDIA AIConfigurator 0.12.0) -> benchmarks/peers_worker_aic.py
      in .venv-peers/aiconfigurator; inference TTFT / TPOT / output tok/s/GPU.
  llm-analysis (cli99/llm-analysis 0.2.2)        -> benchmarks/peers_worker_llma.py
      in .venv-peers/llm-analysis; closed-form inference and training.

For each peer the script prints: rows mapped, rows skipped (grouped by reason),
per-row detail, median and p90 absolute % error, median seconds per prediction.
With --chipwatch-json (output of `chipwatch validate --truth CSV --format json`)
chipwatch's error for the same rows is printed beside each peer's.

Nothing here imports a peer: each worker runs in a subprocess, so a missing venv
or a peer crash becomes a message or a per-row error, never a crash of this script.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
VENVS = ROOT / ".venv-peers"

# --------------------------------------------------------------------------- truth


def default_truth() -> Path:
    for cand in (
        ROOT / "src/chipwatch/data/truth/perf_truth_dev.csv",
        ROOT.parent / "shared/research/perf_truth_dev.csv",
    ):
        if cand.exists():
            return cand
    return ROOT / "src/chipwatch/data/truth/perf_truth_dev.csv"


def load_truth(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for i, r in enumerate(rows):
        r["_id"] = i  # 0-based data-row index in the CSV
    return rows


def _num(s) -> float | None:
    try:
        v = float(str(s).replace(",", "").strip())
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


def _int(s) -> int | None:
    v = _num(s)
    return int(v) if v is not None and v == int(v) else None


def row_key(r: dict) -> tuple:
    """Identity of a truth row, used to match chipwatch's JSON rows."""
    cols = (
        "kind",
        "model",
        "hardware",
        "n_chips",
        "parallelism",
        "isl",
        "osl",
        "concurrency",
        "metric",
    )
    val = r.get("value", r.get("measured"))
    v = _num(val)
    return (
        *tuple(str(r.get(c, "") if r.get(c) is not None else "").strip() for c in cols),
        round(v, 6) if v is not None else str(val),
    )


# --------------------------------------------------------------------------- parsing


def parse_parallelism(text: str) -> dict:
    t = text or ""
    out: dict = {}

    def grab(pat):
        m = re.search(pat, t)
        return int(m.group(1)) if m else None

    dep = grab(r"(?<![A-Za-z])DEP(\d+)")
    if dep:
        out.update(tp=1, attention_dp=dep, moe_ep=dep, moe_tp=1)
    tp = grab(r"(?<![A-Za-z])TP(\d+)")
    if tp and "tp" not in out:
        out["tp"] = tp
    adp = grab(r"attnDP(\d+)")
    if adp:
        out["attention_dp"] = adp
    mtp = grab(r"moeTP(\d+)")
    if mtp:
        out["moe_tp"] = mtp
    ep = grab(r"(?<![A-Za-z])EP(\d+)")
    if ep and "moe_ep" not in out:
        out["moe_ep"] = ep
    for key, pat in (
        ("pp", r"(?<![A-Za-z])PP(\d+)"),
        ("cp", r"(?<![A-Za-z])CP(\d+)"),
        ("gbs", r"GBS(\d+)"),
        ("mbs", r"MBS(\d+)"),
    ):
        v = grab(pat)
        if v:
            out[key] = v
    dp = grab(r"(?<![A-Za-z])DP(\d+)")
    if dp and not dep:
        out["dp"] = dp
    if re.search(r"\bFSDP\b", t):
        out["fsdp"] = True
    return out


def backend_of(r: dict) -> str | None:
    blob = " ".join((r.get("parallelism", ""), r.get("precision", ""), r.get("notes", ""))).lower()
    for b in ("sglang", "trtllm", "vllm"):
        if b in blob:
            return b
    if "trt-llm" in blob or "tensorrt" in blob:
        return "trtllm"
    return None


def hw_of(hardware: str) -> str | None:
    h = (hardware or "").upper()
    if "GB300" in h:
        return "gb300"
    if "GB200" in h:
        return "gb200"
    if "B300" in h:
        return "b300_sxm"
    if "B200" in h:
        return "b200_sxm"
    if "H200" in h:
        return "h200_sxm"
    if "H800" in h:
        return "h800_sxm"
    if "H100" in h and "PCIE" not in h:
        return "h100_sxm"
    return None


def model_of(model: str) -> str | None:
    m = (model or "").lower().replace("_", "-")
    if "production mix" in m or "internal profile" in m:
        return None
    if m.startswith("deepseek-r1") or m.startswith("deepseek-v3"):
        return "deepseek-v3"
    if "405b" in m and "llama" in m and "family" not in m:
        return "llama-405b"
    if re.search(r"llama[- ]3(\.\d)?[- ]70b", m):
        return "llama-70b"
    if re.search(r"llama[- ]3(\.\d)?[- ]8b", m):
        return "llama-8b"
    if "gpt-oss" in m and "120" in m:
        return "gpt-oss-120b"
    if m.startswith("qwen3-32b") or m.startswith("qwen3 32b"):
        return "qwen3-32b"
    if "qwen3" in m and "235b" in m:
        return "qwen3-235b"
    return None


def precision_bits(prec: str, hw: str | None) -> tuple[int, int, float | None]:
    """(weight_bits, activation_bits, kv_cache_bytes) for llm-analysis."""
    p = (prec or "").lower()
    kv = 1.0 if re.search(r"kv\s*fp8", p) else None
    blackwell = hw in ("b200_sxm", "gb200", "b300_sxm", "gb300")
    if "fp4" in p:
        return (4, 4, kv) if blackwell else (4, 16, kv)
    if "fp8" in p:
        return 8, 8, kv
    return 16, 16, kv


# --------------------------------------------------------------------------- aiconfigurator mapping

AIC_SYSTEMS = {"h100_sxm", "h200_sxm", "b200_sxm", "gb200", "b300_sxm", "gb300"}
AIC_METRICS = {"ttft_mean", "tpot_mean", "output_throughput_per_gpu"}


def aic_model_path(key: str, prec: str) -> tuple[str, dict]:
    p = (prec or "").lower()
    fp4 = "fp4" in p
    fp8 = "fp8" in p
    if key == "deepseek-v3":
        # No R1-0528 NVFP4 checkpoint config is shipped; V3.1-NVFP4 has the same architecture.
        return ("nvidia/DeepSeek-V3.1-NVFP4", {}) if fp4 else ("deepseek-ai/DeepSeek-R1", {})
    if key == "llama-70b":
        if fp4:
            return "meta-llama/Meta-Llama-3.1-70B", {"gemm_quant": "nvfp4"}
        return (
            ("nvidia/Llama-3.1-70B-Instruct-FP8", {})
            if fp8
            else ("meta-llama/Meta-Llama-3.1-70B", {})
        )
    if key == "llama-405b":
        return "meta-llama/Meta-Llama-3.1-405B", ({"gemm_quant": "fp8"} if fp8 else {})
    if key == "llama-8b":
        return "meta-llama/Meta-Llama-3.1-8B", ({"gemm_quant": "fp8"} if fp8 else {})
    if key == "gpt-oss-120b":
        return "openai/gpt-oss-120b", {}
    if key == "qwen3-32b":
        return ("Qwen/Qwen3-32B-FP8", {}) if fp8 else ("Qwen/Qwen3-32B", {})
    if key == "qwen3-235b":
        return ("Qwen/Qwen3-235B-A22B-FP8", {}) if fp8 else ("Qwen/Qwen3-235B-A22B", {})
    raise KeyError(key)


MOE_KEYS = {"deepseek-v3", "gpt-oss-120b", "qwen3-235b"}


def map_aic(r: dict) -> tuple[dict | None, str | None]:
    if r.get("kind") != "infer":
        return None, "not inference (AIConfigurator models serving only)"
    metric = r.get("metric", "")
    if metric not in AIC_METRICS:
        return None, f"metric {metric} not produced by an agg estimate"
    sysname = hw_of(r.get("hardware", ""))
    if sysname not in AIC_SYSTEMS:
        return None, f"hardware {r.get('hardware')!r} has no AIConfigurator system"
    key = model_of(r.get("model", ""))
    if key is None:
        return None, f"model {r.get('model')!r} not mapped"
    isl, osl = _int(r.get("isl")), _int(r.get("osl"))
    if not isl or not osl:
        return None, "ISL/OSL not numeric"
    backend = backend_of(r)
    if backend is None:
        return None, "serving framework unknown"
    par = parse_parallelism(r.get("parallelism", ""))
    n = _int(r.get("n_chips"))
    conc_raw = (r.get("concurrency") or "").lower()
    conc = _int(conc_raw)
    if conc:
        mode = "latency"
    elif "max throughput" in conc_raw:
        mode = "max_throughput"
    else:
        return None, f"concurrency {r.get('concurrency')!r} not a number or max-throughput"
    path, quant = aic_model_path(key, r.get("precision", ""))
    tp = par.get("tp", 1)
    adp = par.get("attention_dp", 1)
    sc = {
        "metric": metric,
        "model_path": path,
        "system": sysname,
        "backend": backend,
        "isl": isl,
        "osl": osl,
        "tp": tp,
        "pp": par.get("pp", 1),
        "attention_dp": adp,
        "mode": mode,
        **quant,
    }
    if key in MOE_KEYS:
        ep = par.get("moe_ep")
        mtp = par.get("moe_tp")
        if ep is None and mtp is None:
            mtp, ep = tp * adp, 1
        sc["moe_ep"] = ep if ep is not None else max(1, tp * adp // (mtp or 1))
        sc["moe_tp"] = mtp if mtp is not None else max(1, tp * adp // sc["moe_ep"])
    if n and tp * adp * par.get("pp", 1) != n:
        return None, f"parallelism {r.get('parallelism')!r} does not cover {n} GPUs"
    if mode == "latency":
        sc["batch"] = conc
    else:
        sc["ctx_tokens"] = max(isl, 8192)  # trtllm-bench default max_num_tokens
    return sc, None


# --------------------------------------------------------------------------- llm-analysis mapping

# Architectures as a new user would enter them.  llm-analysis has two-matrix MLPs,
# so SwiGLU models get ffn_embed_dim = 1.5 x intermediate_size (keeps weight count
# right); it has no MLA, no shared experts, no dense-first layers, so DeepSeek-V3/R1
# is MHA (128 KV heads) with 256 experts, top-k 9 (8 routed + 1 shared).
LLMA_MODELS = {
    "deepseek-v3": dict(
        num_layers=61,
        n_head=128,
        hidden_dim=7168,
        vocab_size=129280,
        num_key_value_heads=128,
        inter=2048,
        moe_num_experts=256,
        moe_top_k=9,
    ),
    "llama-70b": dict(
        num_layers=80,
        n_head=64,
        hidden_dim=8192,
        vocab_size=128256,
        num_key_value_heads=8,
        inter=28672,
    ),
    "llama-405b": dict(
        num_layers=126,
        n_head=128,
        hidden_dim=16384,
        vocab_size=128256,
        num_key_value_heads=8,
        inter=53248,
    ),
    "llama-8b": dict(
        num_layers=32,
        n_head=32,
        hidden_dim=4096,
        vocab_size=128256,
        num_key_value_heads=8,
        inter=14336,
    ),
    "gpt-oss-120b": dict(
        num_layers=36,
        n_head=64,
        hidden_dim=2880,
        vocab_size=201088,
        num_key_value_heads=8,
        inter=2880,
        moe_num_experts=128,
        moe_top_k=4,
    ),
    "qwen3-32b": dict(
        num_layers=64,
        n_head=64,
        hidden_dim=5120,
        vocab_size=151936,
        num_key_value_heads=8,
        inter=25600,
    ),
    "qwen3-235b": dict(
        num_layers=94,
        n_head=64,
        hidden_dim=4096,
        vocab_size=151936,
        num_key_value_heads=4,
        inter=1536,
        moe_num_experts=128,
        moe_top_k=8,
    ),
}


def llma_model(key: str) -> dict:
    d = dict(LLMA_MODELS[key])
    inter = d.pop("inter")
    ffn = int(1.5 * inter)
    return {
        "name": key,
        "max_seq_len": 131072,
        "ffn_embed_dim": ffn,
        "expansion_ratio": ffn / d["hidden_dim"],
        **d,
    }


def _gpu(name, mem, bw, nvlink, bf16, fp8, fp4, ib=50):
    return {
        "name": name,
        "mem_per_GPU_in_GB": mem,
        "hbm_bandwidth_in_GB_per_sec": bw,
        "intra_node_bandwidth_in_GB_per_sec": nvlink,
        "intra_node_min_message_latency": 8e-6,
        "peak_fp16_TFLOPS": bf16,
        "peak_i8_TFLOPS": fp8,
        "peak_i4_TFLOPS": fp4,
        "inter_node_bandwidth_in_GB_per_sec": ib,
    }


# Datasheet dense peaks; h100 matches llm-analysis's shipped h100-sxm-80gb except the
# inter-node link (50 GB/s per GPU = 400G NIC).  "i8"/"i4" slots hold FP8/FP4 peaks.
LLMA_GPUS = {
    "h100_sxm": _gpu("h100-sxm-80gb", 80, 3350, 450, 989, 1979, 3958),
    "h800_sxm": _gpu("h800-sxm-80gb", 80, 3350, 200, 989, 1979, 3958),
    "h200_sxm": _gpu("h200-sxm-141gb", 141, 4800, 450, 989, 1979, 3958),
    "b200_sxm": _gpu("b200-sxm-180gb", 180, 8000, 900, 2250, 4500, 9000),
    "gb200": _gpu("gb200-186gb", 186, 8000, 900, 2500, 5000, 10000),
    "b300_sxm": _gpu("b300-sxm-270gb", 270, 8000, 900, 2250, 4500, 13500),
    "gb300": _gpu("gb300-279gb", 279, 8000, 900, 2500, 5000, 15000),
}
LLMA_INFER_METRICS = {"ttft_mean", "tpot_mean", "output_throughput_per_gpu"}
LLMA_TRAIN_METRICS = {
    "tokens_per_sec_per_gpu",
    "model_tflops_per_gpu",
    "achieved_tflops_per_gpu",
    "mfu",
    "mfu_third_party_estimate",
    "gpu_hours_per_trillion_tokens",
}


def map_llma(r: dict) -> tuple[dict | None, str | None]:
    kind, metric = r.get("kind"), r.get("metric", "")
    if kind == "infer" and metric not in LLMA_INFER_METRICS:
        return None, f"metric {metric} not produced by inference()"
    if kind == "train" and metric not in LLMA_TRAIN_METRICS:
        return None, f"metric {metric} needs data not in the row (e.g. token count)"
    if kind not in ("infer", "train"):
        return None, "not inference/training"
    hw = hw_of(r.get("hardware", ""))
    if hw not in LLMA_GPUS:
        return None, f"hardware {r.get('hardware')!r} not described"
    key = model_of(r.get("model", ""))
    if key is None:
        return None, f"model {r.get('model')!r} not mapped"
    n = _int(r.get("n_chips"))
    if not n:
        return None, "n_chips not numeric"
    par = parse_parallelism(r.get("parallelism", ""))
    wb, ab, kv = precision_bits(r.get("precision", ""), hw)
    base = {
        "kind": kind,
        "metric": metric,
        "model": llma_model(key),
        "gpu": LLMA_GPUS[hw],
        "weight_bits": wb,
        "activation_bits": ab,
        "n_chips": n,
    }
    if kind == "infer":
        isl, osl = _int(r.get("isl")), _int(r.get("osl"))
        if not isl or not osl:
            return None, "ISL/OSL not numeric"
        conc_raw = (r.get("concurrency") or "").lower()
        conc = _int(conc_raw)
        # No attention-DP / EP in llm-analysis inference: the whole replica is TP.
        sc = {**base, "tp": n, "pp": 1, "isl": isl, "osl": osl}
        if kv:
            sc["kv_cache_bytes"] = kv
        if conc:
            sc.update(mode="latency", batch=conc)
        elif "max throughput" in conc_raw:
            sc["mode"] = "max_throughput"
        else:
            return None, f"concurrency {r.get('concurrency')!r} not a number or max-throughput"
        return sc, None
    # training
    seq = _int(r.get("isl"))
    if not seq:
        return None, "sequence length not numeric"
    tp, pp, cp = par.get("tp", 1), par.get("pp", 1), par.get("cp", 1)
    if tp * pp > n or n % (tp * pp):
        return None, f"parallelism {r.get('parallelism')!r} inconsistent with {n} GPUs"
    dp = n // (tp * pp)  # CP folded into DP (llm-analysis has no context parallelism)
    mbs = par.get("mbs", 1)
    gbs = par.get("gbs")
    m = re.search(r"(\d+)M tokens/batch", r.get("concurrency", "") or "")
    if gbs is None and m:
        gbs = int(m.group(1)) * 2**20 // seq
    if gbs is None:
        gbs = (
            dp * mbs
        )  # not in the row; llm-analysis has no pipeline bubble, so it only scales time
    if gbs % (dp * mbs):
        gbs = max(1, round(gbs / (dp * mbs))) * dp * mbs
    ep = par.get("moe_ep", 1)
    sc = {
        **base,
        "tp": tp,
        "pp": pp,
        "dp": dp,
        "ep": ep if LLMA_MODELS[key].get("moe_num_experts") else 1,
        "seq_len": seq,
        "global_batch": gbs,
        "micro_batch": mbs,
        "peak_bf16_tflops": LLMA_GPUS[hw]["peak_fp16_TFLOPS"],
        "cp_folded_into_dp": cp,
    }
    return sc, None


# --------------------------------------------------------------------------- running


PEERS = {
    "aic": {
        "label": "aiconfigurator 0.12.0",
        "venv": "aiconfigurator",
        "worker": "peers_worker_aic.py",
        "mapper": map_aic,
        "timeout": 3600,
    },
    "llma": {
        "label": "llm-analysis 0.2.2",
        "venv": "llm-analysis",
        "worker": "peers_worker_llma.py",
        "mapper": map_llma,
        "timeout": 600,
    },
}


def venv_python(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def run_worker(peer: dict, scenarios: list[dict]) -> tuple[dict, str | None]:
    py = venv_python(peer["venv"])
    if not py.exists():
        return {}, (
            f"venv {py.parent.parent} is absent: run `bash benchmarks/setup_peers.sh` "
            f"(skipping {peer['label']})"
        )
    if not scenarios:
        return {"results": []}, None
    try:
        proc = subprocess.run(
            [str(py), str(BENCH / peer["worker"])],
            input=json.dumps({"scenarios": scenarios}),
            capture_output=True,
            text=True,
            timeout=peer["timeout"],
            cwd=str(ROOT),
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    except subprocess.TimeoutExpired:
        return {}, f"worker timed out after {peer['timeout']} s"
    except OSError as exc:
        return {}, f"worker could not start: {exc}"
    out = proc.stdout.strip().splitlines()
    for line in reversed(out):  # the JSON document is the last stdout line
        try:
            doc = json.loads(line)
            if isinstance(doc, dict):
                if doc.get("error") and not doc.get("results"):
                    return doc, f"worker: {doc['error']}"
                return doc, None
        except json.JSONDecodeError:
            continue
    tail = (proc.stderr or "").strip().splitlines()[-3:]
    return {}, f"worker exited {proc.returncode} without JSON output: {' | '.join(tail)}"


# --------------------------------------------------------------------------- stats / printing


def pctl(xs: list[float], q: float) -> float | None:
    xs = sorted(xs)
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def fmt(v, nd=1, signed=False) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    a = abs(v)
    if a != 0 and (a >= 1e6 or a < 1e-2):
        s = f"{v:.3g}"
    elif not signed and a < 10 and nd == 1:
        s = f"{v:.3f}"
    else:
        s = f"{v:,.{nd}f}"
    return ("+" + s) if signed and v > 0 else s


def short(r: dict, width: int = 62) -> str:
    conc = r.get("concurrency", "")
    conc = "maxTP" if "max throughput" in conc.lower() else conc
    s = (
        f"{r.get('model', '')}|{r.get('hardware', '').split(' (')[0]}x{r.get('n_chips', '')}|"
        f"{r.get('parallelism', '')[:28]}|{r.get('isl', '')}/{r.get('osl', '')}|c{conc}"
    )
    return s if len(s) <= width else s[: width - 1] + "~"


def load_chipwatch(path: str | None) -> tuple[dict, dict | None, str | None]:
    if not path:
        return {}, None, None
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        return {}, None, f"cannot read {path}: {exc}"
    rows = doc.get("rows", []) if isinstance(doc, dict) else doc
    by_key = {}
    for cr in rows if isinstance(rows, list) else []:
        if isinstance(cr, dict):
            base = cr.get("row") if isinstance(cr.get("row"), dict) else cr
            by_key.setdefault(row_key(base), cr)
    return by_key, (doc.get("summary") if isinstance(doc, dict) else None), None


def cw_err(cr: dict | None) -> tuple[float | None, str]:
    if cr is None:
        return None, "not in json"
    e = _num(cr.get("error_pct"))
    if e is None and cr.get("predicted") is not None and _num(cr.get("measured")):
        p, m = _num(cr.get("predicted")), _num(cr.get("measured"))
        e = (p - m) / m * 100.0 if p is not None else None
    if e is None:
        return None, str(cr.get("skipped_reason") or "skipped")
    return e, ""


def report_peer(name: str, peer: dict, truth: list[dict], args, cw: dict) -> dict:
    label = peer["label"]
    print("=" * 100)
    print(f"{label}")
    print("=" * 100)
    mapped, skipped = [], {}
    for r in truth:
        if r.get("kind") not in ("infer", "train"):
            continue
        try:
            sc, why = peer["mapper"](r)
        except Exception as exc:  # mapping bug -> skipped row, never a crash
            sc, why = None, f"mapping error: {type(exc).__name__}: {exc}"
        if sc is None:
            skipped.setdefault(why, []).append(r)
        else:
            sc["id"] = r["_id"]
            mapped.append((r, sc))
    if args.limit:
        mapped = mapped[: args.limit]
    n_skip = sum(len(v) for v in skipped.values())
    print(f"rows mapped: {len(mapped)}   skipped: {n_skip} (of infer/train rows)")
    for why, rs in sorted(skipped.items(), key=lambda kv: -len(kv[1])):
        models = sorted({x.get("model", "") for x in rs})
        print(f"  skip {len(rs):3d}  {why}  [{', '.join(models)[:70]}]")
    doc, err = run_worker(peer, [sc for _, sc in mapped])
    summary = {"tool": label, "mapped": len(mapped), "skipped": n_skip}
    if err:
        print(f"  !! {err}")
        summary["error"] = err
        return summary
    res = {x.get("id"): x for x in doc.get("results", [])}
    if doc.get("import_seconds") is not None:
        print(f"worker import: {doc['import_seconds']:.1f} s (not counted per prediction)")
    print()
    hdr = f"{'row':>4} {'scenario':62} {'metric':26} {'measured':>10} {'peer':>10} {'err%':>8} {'s/pred':>7}"
    if cw:
        hdr += f" {'chipwatch':>10} {'cw err%':>8}"
    print(hdr)
    errs, secs, per_est, cw_errs_same, failed = [], [], [], [], 0
    out_rows = []
    for r, _sc in mapped:
        x = res.get(r["_id"], {"error": "no result returned"})
        meas = _num(r.get("value"))
        val = x.get("value")
        e = None
        if val is not None and meas:
            e = (val - meas) / meas * 100.0
            errs.append(abs(e))
        else:
            failed += 1
        if x.get("seconds") is not None:
            secs.append(x["seconds"])
            n_est = (x.get("detail") or {}).get("estimates") or 1
            per_est.append(x["seconds"] / max(1, int(n_est)))
        line = (
            f"{r['_id']:>4} {short(r):62} {r.get('metric', '')[:26]:26} {fmt(meas):>10} "
            f"{fmt(val) if val is not None else 'ERROR':>10} {fmt(e, signed=True):>8} "
            f"{fmt(x.get('seconds'), 2):>7}"
        )
        cwe = None
        if cw:
            cr = cw.get(row_key(r))
            cwe, why = cw_err(cr)
            if cwe is not None and e is not None:
                cw_errs_same.append(abs(cwe))
            pv = _num(cr.get("predicted")) if cr else None
            line += f" {fmt(pv):>10} {fmt(cwe, signed=True) if cwe is not None else why[:18]:>8}"
        print(line)
        if val is None:
            print(f"{'':5}-> {x.get('error', 'no value')[:150]}")
        elif args.details and x.get("detail"):
            print(f"{'':5}   {json.dumps(x['detail'], default=str)[:200]}")
        out_rows.append(
            {
                "row": r["_id"],
                "metric": r.get("metric"),
                "measured": meas,
                "predicted": val,
                "error_pct": e,
                "seconds": x.get("seconds"),
                "error": x.get("error"),
                "detail": x.get("detail"),
                "chipwatch_error_pct": cwe,
            }
        )
    print()
    med, p90 = pctl(errs, 0.5), pctl(errs, 0.9)
    msec = statistics.median(secs) if secs else None
    print(
        f"SUMMARY {label}: mapped {len(mapped)}, predicted {len(errs)}, failed {failed}; "
        f"|err| median {fmt(med, 2)}%, p90 {fmt(p90, 2)}%; median {fmt(msec, 3)} s/prediction"
    )
    if any(
        ((res.get(r["_id"]) or {}).get("detail") or {}).get("estimates", 1) > 1 for r, _ in mapped
    ):
        print(
            f"   median {fmt(statistics.median(per_est), 3)} s per single estimate "
            "(max-throughput rows sweep several batch sizes, one estimate each)"
        )
    by_metric: dict = {}
    for o in out_rows:
        if o["error_pct"] is not None:
            by_metric.setdefault(o["metric"], []).append(abs(o["error_pct"]))
    for m, xs in sorted(by_metric.items()):
        print(
            f"   {m:30} n={len(xs):3d}  median {fmt(pctl(xs, 0.5), 2)}%  p90 {fmt(pctl(xs, 0.9), 2)}%"
        )
    if cw:
        print(
            f"   chipwatch on the same {len(cw_errs_same)} rows: |err| median "
            f"{fmt(pctl(cw_errs_same, 0.5), 2)}%, p90 {fmt(pctl(cw_errs_same, 0.9), 2)}%"
        )
    summary.update(
        predicted=len(errs),
        failed=failed,
        median_abs_err_pct=med,
        p90_abs_err_pct=p90,
        median_seconds=msec,
        median_seconds_per_estimate=statistics.median(per_est) if per_est else None,
        rows=out_rows,
    )
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("truth", nargs="?", help="truth CSV (default: the dev file)")
    ap.add_argument(
        "--chipwatch-json", help="output of `chipwatch validate --truth CSV --format json`"
    )
    ap.add_argument("--only", choices=sorted(PEERS), action="append", help="run only this peer")
    ap.add_argument("--limit", type=int, default=0, help="first N mapped rows per peer (debug)")
    ap.add_argument("--json", dest="json_out", help="also write all results to this JSON file")
    ap.add_argument("--details", action="store_true", help="print each prediction's detail dict")
    args = ap.parse_args(argv)

    path = Path(args.truth) if args.truth else default_truth()
    if not path.exists():
        print(f"truth CSV not found: {path}", file=sys.stderr)
        return 2
    truth = load_truth(path)
    print(
        f"truth: {path} ({len(truth)} rows; "
        f"{sum(r.get('kind') in ('infer', 'train') for r in truth)} infer/train)"
    )
    cw, cw_summary, cw_err_msg = load_chipwatch(args.chipwatch_json)
    if cw_err_msg:
        print(f"!! chipwatch json ignored: {cw_err_msg}")
    elif args.chipwatch_json:
        print(f"chipwatch: {args.chipwatch_json} ({len(cw)} rows)")
        if cw_summary:
            print(f"chipwatch summary (all its rows): {json.dumps(cw_summary, default=str)[:300]}")
    summaries = []
    for name in args.only or ["aic", "llma"]:
        try:
            summaries.append(report_peer(name, PEERS[name], truth, args, cw))
        except Exception as exc:  # belt and braces: report and go on
            print(f"!! {PEERS[name]['label']} failed: {type(exc).__name__}: {exc}")
            summaries.append({"tool": PEERS[name]["label"], "error": str(exc)})
    print("=" * 100)
    print(
        f"{'tool':24} {'mapped':>6} {'pred':>5} {'med|err|%':>10} {'p90|err|%':>10} {'s/pred':>8}"
    )
    for s in summaries:
        print(
            f"{s['tool']:24} {s.get('mapped', 0):>6} {s.get('predicted', 0):>5} "
            f"{fmt(s.get('median_abs_err_pct'), 2):>10} {fmt(s.get('p90_abs_err_pct'), 2):>10} "
            f"{fmt(s.get('median_seconds'), 3):>8}"
            + (f"  ({s['error']})" if s.get("error") else "")
        )
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump({"truth": str(path), "peers": summaries}, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
