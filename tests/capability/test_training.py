"""Training model: the published runs it must reproduce within 15%, with documented assumptions."""

from __future__ import annotations

import pytest

from chipwatch.capability import ConfigError, train


def test_deepseek_v3_on_h800() -> None:
    """DeepSeek-V3 report (arXiv 2412.19437, Table 1): 2.664M H800 GPU-hours of pre-training on
    14.8T tokens, 2.788M in all, $5.576M at $2 per GPU-hour. Assumptions (from the report):
    2,048 H800, FP8 block-scaled GEMMs, PP16 with DualPipe (two pipeline directions: vp=2),
    EP64, no TP, 4K sequences, batch 15,360 sequences; the report's GPU-hours are its steady rate
    times tokens (180K per trillion x 14.8T), so no run-level goodput loss (goodput 1)."""
    r = train(
        "DeepSeek-V3",
        chip="H800",
        chips=2048,
        tokens=14.8e12,
        precision="fp8_block",
        tp=1,
        pp=16,
        ep=64,
        vp=2,
        seq_len=4096,
        global_batch_tokens=15360 * 4096,
        goodput=1.0,
    )
    assert r["gpu_hours"] == pytest.approx(2.664e6, rel=0.15)
    assert r["gpu_hours"] == pytest.approx(2.788e6, rel=0.15)
    assert r["cost_usd"] == pytest.approx(5.576e6, rel=0.15)


def test_llama_31_405b_on_h100() -> None:
    """Llama 3.1 405B model card: 30.84M H100-80GB GPU-hours. Llama 3 paper (arXiv 2407.21783):
    15.6T tokens, 16K H100, TP8 PP16 DP128, 8K sequences, 16M-token batches, an interleaved
    pipeline schedule (taken as 2 virtual stages), BF16."""
    r = train(
        "Llama-3.1-405B",
        chip="H100",
        chips=16384,
        tokens=15.6e12,
        tp=8,
        pp=16,
        vp=2,
        seq_len=8192,
        global_batch_tokens=16 * 2**20,
    )
    assert r["gpu_hours"] == pytest.approx(30.84e6, rel=0.15)
    assert 0.3 < r["mfu"] < 0.5


def test_goodput_scales_whole_run_hours_and_is_checked() -> None:
    kw = {"chip": "H100", "chips": 64, "tokens": 1e12}
    full, lossy = train("Llama-3.1-8B", goodput=1.0, **kw), train("Llama-3.1-8B", goodput=0.5, **kw)
    assert lossy["gpu_hours"] == pytest.approx(2 * full["gpu_hours"])
    with pytest.raises(ConfigError, match="goodput"):
        train("Llama-3.1-8B", goodput=0.0, **kw)


def test_given_mfu_is_used_verbatim() -> None:
    r = train("Llama-3.1-8B", chip="H100", chips=8, tokens=1e12, mfu=0.4)
    assert r["mfu"] == 0.4 and r["mfu_given"]
    flops = r["flops"]
    assert r["gpu_hours"] == pytest.approx(flops / (0.4 * 989.4e12) / 3600 / 0.9, rel=1e-6)


def test_more_chips_less_time_same_order_of_gpu_hours() -> None:
    a = train("Llama-3.1-70B", chip="H100", chips=1024, tokens=1e12)
    b = train("Llama-3.1-70B", chip="H100", chips=2048, tokens=1e12)
    assert b["days"] < a["days"]
    assert b["gpu_hours"] == pytest.approx(a["gpu_hours"], rel=0.5)


def test_bad_inputs() -> None:
    with pytest.raises(ConfigError):
        train("Llama-3.1-8B", chip="H100", chips=8, tokens=1e12, mfu=1.5)
    with pytest.raises(ConfigError):
        train("Llama-3.1-8B", chip="H100", chips=0, tokens=1e12)
