"""Validation harness: mapping free-text rows, the public JSON shape, the accuracy it reaches."""

from __future__ import annotations

import pytest

from chipwatch.capability.calibrate import DEV_TRUTH, VENDOR_MICRO, derive, efficiency, read_truth
from chipwatch.capability.mapping import map_hardware, map_model
from chipwatch.capability.validate import parse_parallel, validate, validate_file
from chipwatch.capability.workloads import model


def test_free_text_mapping() -> None:
    assert map_hardware("H800 SXM + CX7 400Gb IB").name == "H800"
    assert map_hardware("GB300 NVL72 x4").name == "GB300"
    assert map_hardware("MI355X 288GB").name == "Instinct MI355X"
    assert map_hardware("TPU v4") is None
    assert map_model("GPT-OSS 120B").id == "gpt-oss-120b"
    assert map_model("Qwen3 235B-A22B").id == "qwen3-235b-a22b"
    assert map_model("PaLM 540B") is None


def test_parallelism_strings() -> None:
    ds = model("DeepSeek-V3")
    assert parse_parallel("DEP8 (attention DP8 + EP8)", 8, ds).label() == "TP1 DP8 EP8"
    assert parse_parallel("trtllm; agg TP1 attnDP8 EP8", 8, ds).label() == "TP1 DP8 EP8"
    assert parse_parallel("sglang 0.5.9; agg TP8 moeTP8", 8, ds).label() == "TP8"
    assert parse_parallel("TP2", 2, model("Llama-3.1-70B")).label() == "TP2"
    # multi-node EP with no attention layout named: attention is data-parallel, not TP across nodes
    assert parse_parallel("SGLang decode EP72, simulated MTP", 72, ds).label() == "TP1 DP72 EP72"
    assert parse_parallel("decode EP16 MTP(1,2)", 16, ds, domain=8).label() == "TP1 DP16 EP16"
    assert parse_parallel("EP8", 8, ds, domain=8).label() == "TP8 EP8"
    assert parse_parallel("EP320 DP-attention", 320, ds, domain=384).label() == "TP1 DP320 EP320"


def test_calibration_uses_microbenchmarks_only() -> None:
    e = efficiency()
    assert 0.7 < e.gemm["bf16"] < 0.85 and 0.5 < e.gemm["fp8"] < 0.75
    assert 0.7 < e.hbm_weights < 0.95
    assert all("micro" not in k for k in e.derivation)  # keys are constants, values are micro rows
    rows = read_truth(DEV_TRUTH) + (read_truth(VENDOR_MICRO) if VENDOR_MICRO.exists() else [])
    micro = {f"{r['hardware']} {r['metric']}" for r in rows if r["kind"] == "micro"}
    assert all(source in micro for rows in e.derivation.values() for source in rows)


def test_each_vendor_gets_its_own_measured_fractions_else_everyones() -> None:
    """NVIDIA's chips are calibrated on NVIDIA rows only; a vendor with no rows (Huawei) gets the
    medians over all vendors; a quantity a vendor's rows do not measure falls back to those."""
    nvidia, pooled = efficiency("NVIDIA"), efficiency()
    nvidia_rows = [
        r for r in read_truth(DEV_TRUTH)
        if r["kind"] == "micro" and (c := map_hardware(r["hardware"])) and c.vendor == "NVIDIA"
    ]
    assert nvidia.gemm == derive(nvidia_rows, fallback=pooled).gemm
    assert efficiency("Huawei") == pooled
    only_hbm = [{"kind": "micro", "hardware": "MI300X", "precision": "", "metric": "hbm_stream_copy",
                 "value": "4000", "unit": "GB/s", "n_chips": "1", "notes": ""}]
    amd = derive(only_hbm, fallback=pooled)
    assert amd.hbm_stream == pytest.approx(4000 / 5300, rel=0.01)  # MI300X datasheet 5.3 TB/s
    assert amd.gemm == pooled.gemm and amd.allreduce_bw == pooled.allreduce_bw


def test_public_json_shape_and_unmappable_rows() -> None:
    rows = [
        {
            "kind": "infer",
            "model": "Llama-3.1-70B",
            "hardware": "H100 SXM 80GB",
            "n_chips": "8",
            "precision": "fp8",
            "parallelism": "TP8",
            "isl": "1024",
            "osl": "1024",
            "concurrency": "32",
            "metric": "tpot_mean",
            "value": "12.6",
            "unit": "ms",
            "source_url": "https://example.com",
            "notes": "",
        },
        {
            "kind": "infer",
            "model": "Mystery-1T",
            "hardware": "H100",
            "n_chips": "8",
            "precision": "fp8",
            "parallelism": "",
            "isl": "",
            "osl": "",
            "concurrency": "",
            "metric": "tpot_mean",
            "value": "10",
            "unit": "ms",
            "source_url": "",
            "notes": "",
        },
    ]
    out = validate(rows)
    assert set(out["summary"]) >= {"mapped", "total", "median_abs_error_pct", "p90_abs_error_pct"}
    ok, bad = out["rows"]
    assert {"predicted", "measured", "error_pct"} <= set(ok)
    assert "Mystery-1T" in bad["skipped_reason"]
    # each row carries the truth row's identifying columns (peers.py matches rows on them)
    assert (ok["parallelism"], ok["isl"], ok["concurrency"]) == ("TP8", "1024", "32")
    assert out["summary"]["mapped"] == 1 and out["summary"]["total"] == 2


def test_dev_set_accuracy() -> None:
    """Measured on the shipped development truth data (docs/capability.md has the full table).
    The bounds are the issue's goals: >= 80% of rows mapped, median |error| <= 15% on inference
    throughput rows and <= 10% on training rows."""
    s = validate_file(str(DEV_TRUTH))["summary"]
    assert s["mapped"] / s["total"] >= 0.80
    assert s["by_kind"]["infer_throughput"]["median_abs_error_pct"] <= 15
    assert s["by_kind"]["train"]["median_abs_error_pct"] <= 10


def test_decode_all_to_all_matches_deepep_low_latency_rows() -> None:
    """DeepEP's low-latency dispatch timings (deepseek-ai/DeepEP README, H800 + 400 Gb/s IB) are
    not used for calibration: the serving model's all-to-all term predicts them out of sample."""
    rows = [
        r
        for r in validate_file(str(DEV_TRUTH))["rows"]
        if r["metric"].startswith("deepep_v1_lowlatency_dispatch_latency")
    ]
    assert len(rows) >= 5 and all("predicted" in r for r in rows)
    errors = sorted(abs(r["error_pct"]) for r in rows)
    assert errors[len(errors) // 2] < 20
    assert all(e < 35 for e in errors)


def test_per_gpu_concurrency_singular_and_plural() -> None:
    """'1 seq/GPU' on 16 chips is a batch of 16, the same as '16' sequences in all."""
    base = {
        "kind": "infer", "model": "DeepSeek-R1", "hardware": "H20", "n_chips": "16",
        "precision": "FP8", "parallelism": "decode DP16-attn EP16", "isl": "4096",
        "osl": "1536", "metric": "decode_throughput_per_gpu", "value": "40",
        "unit": "tokens/s/GPU", "source_url": "test", "notes": "",
    }
    rows = [dict(base, concurrency=c) for c in ("1 seq/GPU", "2 seqs/GPU", "16")]
    one, two, total = (r["predicted"] for r in validate(rows)["rows"])
    assert one == pytest.approx(total)
    assert two > one


def test_serving_metric_synonyms_map_to_the_same_prediction() -> None:
    """Engines name the same quantities differently: ITL is TPOT, E2E latency is TTFT + (OSL-1)
    x TPOT, request throughput is output throughput / OSL, tokens/s per user is 1 / TPOT."""
    base = {
        "kind": "infer", "model": "Llama-3.1-70B", "hardware": "H100", "n_chips": "8",
        "precision": "fp8", "parallelism": "TP8", "isl": "1024", "osl": "512",
        "concurrency": "32", "value": "1", "source_url": "test", "notes": "",
    }
    metrics = [
        ("tpot_mean", "ms"), ("itl_median", "ms"), ("ttft_mean", "ms"), ("e2el_mean", "ms"),
        ("output_tokens_per_s_per_user", "tokens/s"), ("output_throughput_per_gpu", "tokens/s/GPU"),
        ("request_throughput", "req/s (system)"), ("ttft_p99", "ms"),
    ]
    rows = validate([dict(base, metric=m, unit=u) for m, u in metrics])["rows"]
    tpot, itl, ttft, e2e, user, out, req, p99 = rows
    assert itl["predicted"] == pytest.approx(tpot["predicted"])
    assert e2e["predicted"] == pytest.approx(ttft["predicted"] + 511 * tpot["predicted"])
    assert user["predicted"] == pytest.approx(1000 / tpot["predicted"])
    assert req["predicted"] == pytest.approx(out["predicted"] * 8 / 512)
    assert "percentiles" in p99["skipped_reason"]


def test_training_step_time_is_the_batch_over_the_cluster_rate() -> None:
    base = {
        "kind": "train", "model": "Llama 3 70B", "hardware": "H100 SXM", "n_chips": "64",
        "precision": "FP8", "parallelism": "TP4 PP8 VP5 GBS128", "isl": "8192", "osl": "",
        "concurrency": "", "value": "1", "source_url": "test", "notes": "",
    }
    rate, step = validate(
        [dict(base, metric="tokens_per_second_per_gpu", unit="tokens/s/GPU"),
         dict(base, metric="step_time", unit="s")]
    )["rows"]
    assert step["predicted"] == pytest.approx(128 * 8192 / (rate["predicted"] * 64))


def test_metric_names_units_and_per_chip_totals_from_review() -> None:
    """vLLM's benchmark keys (median_tpot_ms, mean_ttft_ms, p99_itl_ms), latencies given in seconds,
    and 'total' throughputs that are still per GPU."""
    base = {
        "kind": "infer", "model": "Llama-3.1-70B", "hardware": "H100", "n_chips": "8",
        "precision": "fp8", "parallelism": "TP8", "isl": "1024", "osl": "512",
        "concurrency": "32", "value": "1", "source_url": "test", "notes": "",
    }
    rows = validate([
        dict(base, metric="tpot_mean", unit="ms"),
        dict(base, metric="median_tpot_ms", unit="ms"),
        dict(base, metric="mean_ttft_ms", unit="ms"),
        dict(base, metric="ttft_mean", unit="s"),
        dict(base, metric="p99_itl_ms", unit="ms"),
        dict(base, metric="output_throughput_per_gpu", unit="tokens/s/GPU"),
        dict(base, metric="total_token_throughput_per_gpu", unit="tokens/s/gpu"),
    ])["rows"]
    tpot, median_tpot, ttft_ms, ttft_s, p99, out, total = rows
    assert median_tpot["predicted"] == pytest.approx(tpot["predicted"])
    assert ttft_s["predicted"] == pytest.approx(ttft_ms["predicted"] / 1000)
    assert "percentiles" in p99["skipped_reason"]
    assert total["predicted"] == pytest.approx(out["predicted"] * (1024 + 512) / 512)


def test_amd_chips_use_amds_measured_fractions() -> None:
    """micro_other_vendors.csv: hipBLASLt FP8 GEMMs on MI300X reach ~1,100-1,220 of 2,615 TFLOPS
    (Azure ND MI300X v5 results; ROCm CDNA4 blog for MI355X), BabelStream ~4.0-4.3 of 5.3 TB/s,
    RCCL all-reduce ~316 GB/s bus bandwidth (ROCm RCCL/xGMI blog; AMD acceptance guide)."""
    rows = read_truth(VENDOR_MICRO)
    assert rows and all(r["kind"] == "micro" and r["source_url"].startswith("https://") for r in rows)
    amd, nvidia = efficiency("AMD"), efficiency("NVIDIA")
    assert 0.35 < amd.gemm["fp8"] < 0.55 < nvidia.gemm["fp8"]
    assert 0.7 < amd.hbm_stream < 0.85 and 0.6 < amd.allreduce_bw < 0.8
    assert all("MI3" in source for source in amd.derivation["gemm_fp8"])
    assert amd.gemm["bf16"] == efficiency().gemm["bf16"]  # no AMD BF16 row: every vendor's median


def test_out_of_sample_rows_stay_within_their_measured_error() -> None:
    """perf_truth_oos.csv: 67 cited rows never used in development (MI300X, Blackwell, Ascend).
    The figures in docs/capability.md; a bound, so a regression there shows."""
    from chipwatch.capability.calibrate import TRUTH_DIR

    s = validate_file(str(TRUTH_DIR / "perf_truth_oos.csv"))["summary"]
    assert s["mapped"] >= 60 and s["median_abs_error_pct"] < 45
    assert s["by_hardware"]["Instinct MI300X"]["median_abs_error_pct"] < 60
