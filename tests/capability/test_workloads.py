"""Model architectures: derived totals match the published ones."""

from __future__ import annotations

import pytest

from chipwatch.capability.workloads import WorkloadError, model, models

# (model, published total B, published active B or None) -- each file's `published` block cites the source
PUBLISHED = [
    (m.id, m.published["total_params_b"], m.published.get("active_params_b"))
    for m in models().values()
]


def test_required_models_are_present() -> None:
    for name in (
        "DeepSeek-V3",
        "DeepSeek-R1",
        "Llama-3.1-8B",
        "Llama-3.1-70B",
        "Llama-3.1-405B",
        "Qwen3-32B",
        "Qwen3-235B-A22B",
        "gpt-oss-120b",
    ):
        assert model(name)


@pytest.mark.parametrize(("model_id", "total", "active"), PUBLISHED)
def test_derived_parameters_match_published(
    model_id: str, total: float, active: float | None
) -> None:
    m = model(model_id)
    assert m.total_params / 1e9 == pytest.approx(total, rel=0.015)
    if active:
        lookup = m.embedding_params if m.published.get("active_counts_input_embedding") else 0.0
        assert (m.active_params + lookup) / 1e9 == pytest.approx(active, rel=0.03)
    assert m.sources and all(str(s["url"]).startswith("http") for s in m.sources)


def test_kv_cache_bytes_per_token() -> None:
    # DeepSeek ISCA'25 "Insights into DeepSeek-V3" (arXiv 2505.09343): MLA 70,272 B; Llama-3.1-405B 516,096 B (BF16)
    assert model("DeepSeek-V3").kv_bytes_per_token("bf16") == 70_272
    assert model("Llama-3.1-405B").kv_bytes_per_token("bf16") == 516_096
    assert model("Llama-3.1-70B").kv_bytes_per_token("fp8") == 80 * 8 * 128 * 2


def test_sliding_window_caps_kv_of_half_the_layers() -> None:
    m = model("gpt-oss-120b")
    full = m.kv_bytes_per_token("bf16") * 8192
    assert m.kv_bytes(8192, "bf16") == pytest.approx(full / 2 + full / 2 * 128 / 8192)


def test_flops_grow_with_context_and_training_is_three_forward_passes() -> None:
    m = model("Llama-3.1-70B")
    assert m.decode_flops(32768) > m.decode_flops(1024) > 2 * m.active_params
    assert m.training_flops_per_token(4096) == pytest.approx(
        3 * float(m.prefill_flops(4096)) / 4096, rel=1e-9
    )
    # DeepSeek-V3: about 250 GFLOP per trained token at 4K (6 x 37B plus attention)
    assert 230e9 < model("DeepSeek-V3").training_flops_per_token(4096) < 270e9


def test_unknown_model_suggests() -> None:
    with pytest.raises(WorkloadError, match="did you mean"):
        model("Llama-3.1-7B")


def test_memory_bound_traffic_per_token_counted_by_hand() -> None:
    """Llama 3.1 8B (hidden 4096, FFN 14336, 32 layers, 32 heads x 128): norms 4h + residuals 6h +
    SwiGLU 3f per layer; GEMM inputs h + 32*128 + h + f per layer."""
    m = model("Llama-3.1-8B")
    h, f, layers = 4096, 14336, 32
    assert m.elementwise_values_per_token() == layers * (10 * h + 3 * f)
    assert m.gemm_input_values_per_token() == layers * (h + 32 * 128 + h + f)
    bf16 = m.elementwise_bytes_per_token("bf16")
    assert bf16 == 2 * m.elementwise_values_per_token()
    assert m.elementwise_bytes_per_token("fp8") == bf16 + 3 * m.gemm_input_values_per_token()


def test_moe_traffic_counts_every_routed_copy() -> None:
    """DeepSeek-V3: 58 MoE layers route each token to 8 of 256 experts plus 1 shared expert."""
    m = model("DeepSeek-V3")
    h = 7168
    moe_only = m.elementwise_values_per_token() - 61 * 10 * h - 3 * 3 * 18432
    assert moe_only == 58 * (3 * 9 * 2048 + 2 * 9 * h)
