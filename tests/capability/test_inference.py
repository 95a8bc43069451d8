"""Inference model: memory fit, monotone physics, vectorized sweeps, the H20 inference claim."""

from __future__ import annotations

import numpy as np
import pytest

from chipwatch.capability import ConfigError, capability, hardware, infer, model
from chipwatch.capability.inference import Parallel, Precision, Scenario


def scenario(name: str = "Llama-3.1-70B", chip: str = "H100", tp: int = 8, **kw) -> Scenario:  # type: ignore[no-untyped-def]
    return Scenario(model(name), hardware(chip), Parallel(tp=tp), Precision("fp8"), **kw)


def test_too_big_model_says_what_does_not_fit() -> None:
    r = infer("Llama-3.1-405B", chip="H100", chips=1, precision="bf16")
    assert r["fits"] is False and "weights need" in r["does_not_fit"]


def test_fewest_chips_are_chosen_when_not_given() -> None:
    assert infer("Llama-3.1-8B", chip="H100")["chips"] == 1
    assert infer("DeepSeek-R1", chip="H200")["chips"] == 8


def test_tpot_rises_and_throughput_rises_with_concurrency() -> None:
    out = scenario().serve(np.array([1, 4, 16, 64, 128.0]))
    assert np.all(np.diff(out["tpot_s"]) > 0)
    assert np.all(np.diff(out["tokens_per_s_per_chip"]) > 0)
    assert np.all(out["ttft_s"] > 0)


def test_sweep_is_one_vectorized_call_equal_to_a_loop() -> None:
    scn = scenario()
    conc = np.array([1, 2, 8, 32, 100.0])
    vec = scn.serve(conc)
    for i, c in enumerate(conc):
        one = scn.serve(np.array([c]))
        assert one["tpot_s"][0] == pytest.approx(vec["tpot_s"][i])
        assert one["ttft_s"][0] == pytest.approx(vec["ttft_s"][i])


def test_more_bandwidth_means_faster_decode() -> None:
    base = scenario(chip="H100").step_time(np.array([8.0]), 2048)["total"][0]
    faster = scenario(chip="H200").step_time(np.array([8.0]), 2048)["total"][0]
    assert faster < base  # same compute, 4.8 vs 3.35 TB/s


def test_moe_touches_fewer_experts_at_small_batch() -> None:
    scn = Scenario(model("DeepSeek-V3"), hardware("H200"), Parallel(tp=8), Precision("fp8"))
    one = scn.step_time(np.array([1.0]), 1024)["weight_streaming"][0]
    many = scn.step_time(np.array([256.0]), 1024)["weight_streaming"][0]
    assert many > 3 * one


def test_sla_is_respected() -> None:
    r = infer("Llama-3.1-70B", chip="H100", chips=8, sla_tpot_ms=20)
    assert r["sla_met"] is True and r["tpot_ms"] <= 20
    loose = infer("Llama-3.1-70B", chip="H100", chips=8, sla_tpot_ms=200)
    assert loose["tokens_per_s_per_chip"] >= r["tokens_per_s_per_chip"]


def test_bad_parallel_config_is_an_error() -> None:
    with pytest.raises(ConfigError):
        infer("Llama-3.1-70B", chip="H100", chips=8, tp=4)
    with pytest.raises(ConfigError):
        infer("Llama-3.1-70B", chip="H100", chips=8, tp=8, ep=8)


def test_h20_is_relatively_stronger_at_decode_than_prefill() -> None:
    """The claim "H20 suits reasoning inference": its decode throughput relative to H100 is far
    higher than its prefill (compute) ratio, because decode is bound by memory bandwidth."""
    h20 = Scenario(
        model("DeepSeek-V3"),
        hardware("H20"),
        Parallel(tp=8),
        Precision("fp8", kv="fp8"),
        1024,
        4096,
    )
    h100 = Scenario(
        model("DeepSeek-V3"),
        hardware("H200"),
        Parallel(tp=8),
        Precision("fp8", kv="fp8"),
        1024,
        4096,
    )
    decode_ratio = (
        h20.step_time(np.array([16.0]), 3000)["total"][0] ** -1
        / h100.step_time(np.array([16.0]), 3000)["total"][0] ** -1
    )
    prefill_ratio = (
        h100.prefill_time(np.array([65536.0]))[0] / h20.prefill_time(np.array([65536.0]))[0]
    )
    assert decode_ratio > 2 * prefill_ratio


def test_capability_table_compares_chips_per_dollar() -> None:
    rows = capability("Llama-3.1-70B", ["H20", "H100"], workload="chat")
    assert {r["chip"] for r in rows} == {"H20", "H100 SXM"}
    assert all(r["fits"] for r in rows)
    assert all(r["tokens_per_s_per_1000_usd"] for r in rows)


def test_benchmark_ramp_up_is_prefill_steps_of_the_token_budget() -> None:
    """64 requests of 1,024 tokens arriving at once with an 8,192-token prefill budget: requests
    finish their prefill in steps 1..8, 4.5 steps on average (1/8 x 65/2 + 1/2 = 4.5625)."""
    from chipwatch.capability.inference import PREFILL_TOKEN_BUDGET, REQUEST_OVERHEAD_S

    scn = Scenario(model("Llama-3.1-70B"), hardware("H100"), Parallel(tp=8), Precision(), 1024, 1024)
    step = float(scn.prefill_time(np.array([float(PREFILL_TOKEN_BUDGET)]))[0])
    ramp = float(scn.ramp_up_ttft(np.array([64.0]))[0])
    assert ramp == pytest.approx(REQUEST_OVERHEAD_S + step * 4.5625)
    # fewer requests than one step's budget: one step of just their tokens
    few = float(scn.ramp_up_ttft(np.array([4.0]))[0])
    assert few == pytest.approx(REQUEST_OVERHEAD_S + float(scn.prefill_time(np.array([4096.0]))[0]))


def test_benchmark_rounds_change_ttft_only() -> None:
    scn = Scenario(model("Llama-3.1-70B"), hardware("H100"), Parallel(tp=8), Precision(), 1024, 1024)
    c = np.array([4.0, 16.0, 64.0])
    steady, bench, ramp_only = scn.serve(c), scn.serve(c, rounds=10), scn.serve(c, rounds=1)
    assert np.allclose(steady["tpot_s"], bench["tpot_s"])
    assert np.allclose(steady["tokens_per_s_per_chip"], bench["tokens_per_s_per_chip"])
    assert np.allclose(ramp_only["ttft_s"], scn.ramp_up_ttft(c))
    growth = bench["ttft_s"] / steady["ttft_s"]
    assert growth[0] < growth[1] < growth[2] and growth[2] > 2
    r = infer("Llama-3.1-70B", chip="H100", chips=8, concurrency=64, benchmark_rounds=10)
    r0 = infer("Llama-3.1-70B", chip="H100", chips=8, concurrency=64)
    assert r["benchmark_rounds"] == 10 and r0["benchmark_rounds"] is None
    assert r["ttft_ms"] > 2 * r0["ttft_ms"] and r["tpot_ms"] == r0["tpot_ms"]
    with pytest.raises(ConfigError, match="benchmark-rounds"):
        infer("Llama-3.1-70B", chip="H100", chips=8, benchmark_rounds=0)


def test_mtp_expected_tokens_per_step() -> None:
    """A run of accepted drafts: 1 + a + a^2 + ... + a^k tokens per step (a = 0.85 by default,
    the low end of DeepSeek-V3's reported 85-90%, arXiv 2412.19437 section 5.4.3)."""
    ds = lambda k, **kw: Scenario(  # noqa: E731
        model("DeepSeek-R1"), hardware("H200"), Parallel(tp=8), Precision("fp8"), mtp=k, **kw
    )
    assert ds(0).tokens_per_step() == 1
    assert ds(1).tokens_per_step() == pytest.approx(1.85)
    assert ds(2).tokens_per_step() == pytest.approx(1 + 0.85 + 0.85**2)
    assert ds(1, mtp_acceptance=0.6).tokens_per_step() == pytest.approx(1.6)


def test_mtp_helps_small_batches_and_costs_compute_at_large_ones() -> None:
    """Verifying 1 + k tokens reuses one weight and KV read (memory-bound small batches gain) but
    multiplies matmul and attention work (compute-bound large batches lose): SGLang measured its
    simulated MTP 6.6% below DeepSeek's profile at 128 sequences per H100 (lmsys.org 2025-05-05)."""
    def run(k: int, c: float) -> dict:  # type: ignore[type-arg]
        s = Scenario(model("DeepSeek-R1"), hardware("H200"), Parallel(tp=8), Precision("fp8"), mtp=k)
        return {key: float(v[0]) for key, v in s.serve(np.array([c])).items()}

    assert run(1, 1)["tokens_per_s_per_user"] > 1.3 * run(0, 1)["tokens_per_s_per_user"]

    def per_gpu(k: int) -> float:  # the lmsys setup: EP72 with DP attention, 128 seqs/GPU, 4K
        s = Scenario(model("DeepSeek-V3"), hardware("H100"), Parallel(tp=1, dp=72, ep=72),
                     Precision("fp8"), 4000, 1, mtp=k, mtp_acceptance=0.6)
        batch = 128 * 72
        return batch * s.tokens_per_step() / float(s.step_time(np.array([batch]), 4000)["total"][0]) / 72

    assert 0.8 < per_gpu(1) / per_gpu(0) < 1.0


def test_mtp_module_weights_match_the_published_size() -> None:
    """DeepSeek-V3's MTP module adds 11.5B unique parameters (HF README_WEIGHTS; embedding and
    output head shared with the main model)."""
    ds = lambda k: Scenario(  # noqa: E731
        model("DeepSeek-V3"), hardware("H200"), Parallel(tp=8), Precision("bf16"), mtp=k
    )
    extra_params = (ds(1).weights_per_chip() - ds(0).weights_per_chip()) * 8 / 2
    assert extra_params / 1e9 == pytest.approx(11.5, rel=0.02)


def test_mtp_needs_a_model_with_an_mtp_module() -> None:
    with pytest.raises(ConfigError, match="no multi-token-prediction module"):
        infer("Llama-3.1-70B", chip="H100", chips=8, mtp=1)
    r = infer("DeepSeek-R1", chip="H200", chips=8, concurrency=4, mtp=2, mtp_acceptance=0.7)
    assert r["speculative_decoding"] == {
        "mtp_draft_tokens": 2, "acceptance": 0.7, "tokens_per_step": pytest.approx(1 + 0.7 + 0.49)
    }
    assert infer("DeepSeek-R1", chip="H200", chips=8, concurrency=4)["speculative_decoding"] is None


def test_mtp_acceptance_alone_is_an_error_and_validate_reads_mtp_mentions() -> None:
    from chipwatch.capability.validate import parse_mtp

    with pytest.raises(ConfigError, match="--mtp"):
        infer("DeepSeek-R1", chip="H200", chips=8, mtp_acceptance=0.7)
    ds = model("DeepSeek-R1")
    assert parse_mtp("decode EP16 MTP(1 step,2 draft)", ds) == (1, 0.85)
    assert parse_mtp("simulated MTP (60% accept, slowed attention)", ds) == (1, 0.6)
    assert parse_mtp("TP8, no MTP", ds)[0] == 0 and parse_mtp("MTP off", ds)[0] == 0
    assert parse_mtp("MTP(1 step)", model("Llama-3.1-70B"))[0] == 0  # no MTP module
