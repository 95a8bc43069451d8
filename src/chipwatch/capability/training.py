"""Analytic training model: FLOPs, achieved throughput (MFU), GPU-hours, days, cost, memory.

Time per trained token on one chip is the sum of explicit terms (docs/capability.md):

* matmuls ``6 N_active`` FLOPs at the GEMM fraction of the training format's dense peak;
* attention: forward FLOPs at the attention-kernel fraction of the BF16 peak, the backward's
  twice as many at the measured backward/forward kernel rate;
* tensor-parallel collectives (4 per layer per token: 2 forward, 2 backward, as sequence-parallel
  all-gather / reduce-scatter pairs at the measured all-gather bus bandwidth), exposed;
* expert-parallel all-to-all (dispatch + combine, forward and backward) over the scale-up link
  inside the domain and the scale-out NIC beyond it, exposed;
* the pipeline bubble ``(pp - 1) / (microbatches x virtual stages)``;
* a run-level goodput factor for whole-run GPU-hour totals (restarts, checkpoints).

MFU is reported against the BF16 dense peak, the convention of published MFU figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, cast

from .calibrate import Efficiency, efficiency
from .hardware import Hardware
from .workloads import BYTES, Model

#: Fraction of wall time that produces training progress over a whole run, when the run does not
#: say (Llama 3 reports more than 90% effective training time on 16K GPUs: arXiv 2407.21783
#: section 3.3.4).
RUN_GOODPUT = 0.9
#: Virtual stages per pipeline rank when a layout does not say: Megatron-style runs interleave
#: (Narayanan et al. 2021, arXiv 2104.04473); 2 is the smallest interleaving.
DEFAULT_VP = 2
#: Chips of a pre-training cluster when a published run does not say how many.
DEFAULT_CLUSTER = 8192
#: Bytes of weights, gradients and optimizer state per parameter in mixed precision with
#: ZeRO-1: BF16 weights and gradients (4) on every data-parallel rank, FP32 master weights and
#: Adam moments (12) sharded over data-parallel ranks.
REPLICATED_BYTES, SHARDED_BYTES = 4.0, 12.0


@dataclass(frozen=True)
class PublishedRun:
    """A training run whose size and layout its authors published."""

    tokens: float
    seq_len: int
    global_batch_tokens: float
    chip: str
    source: str
    chips: int | None = None
    layout: dict[str, int] = field(default_factory=dict)  # tp, pp, ep, vp as published
    precision: str = "bf16"
    report: str = ""  # who published the figures, for reasons shown to readers
    report_ar: str = ""
    gpu_hours: float | None = None  # the published total
    cost_usd: float | None = None  # the published cost, when one was given
    #: how the published GPU-hours relate to the steady training rate (see RUN_GOODPUT)
    goodput: float = RUN_GOODPUT


#: Published pre-training runs (whole-run GPU-hour checks in `validate` and article claims).
PUBLISHED_RUNS = {
    "deepseek-v3": PublishedRun(
        14.8e12, 4096, 15360 * 4096, "nvidia-h800-sxm", "https://arxiv.org/abs/2412.19437",
        chips=2048, layout={"tp": 1, "pp": 16, "ep": 64, "vp": 2}, precision="fp8_block",
        report="DeepSeek-V3 technical report (arXiv 2412.19437)", gpu_hours=2.788e6,
        report_ar="التقرير التقني لـ DeepSeek-V3 (arXiv 2412.19437)",
        cost_usd=5.576e6,
        # the paper's totals are its steady rate times tokens (180K GPU-hours per trillion tokens
        # x 14.8T = 2.664M, Table 1); it reports no rollbacks, so no extra run-level loss applies
        goodput=1.0,
    ),
    "llama-3.1-405b": PublishedRun(
        15.6e12, 8192, 16 * 2**20, "nvidia-h100-sxm", "https://arxiv.org/abs/2407.21783",
        chips=16384, layout={"tp": 8, "pp": 16, "vp": 2},
        report="Llama 3.1 model card and Llama 3 paper (arXiv 2407.21783)", gpu_hours=30.84e6,
        report_ar="بطاقة نموذج Llama 3.1 وورقة Llama 3 (arXiv 2407.21783)",
    ),
    "llama-3.1-70b": PublishedRun(
        15e12, 8192, 16 * 2**20, "nvidia-h100-sxm", "https://huggingface.co/meta-llama/Llama-3.1-70B",
        report="Llama 3.1 model card", gpu_hours=7.0e6, report_ar="بطاقة نموذج Llama 3.1",
    ),
    "llama-3.1-8b": PublishedRun(
        15e12, 8192, 16 * 2**20, "nvidia-h100-sxm", "https://huggingface.co/meta-llama/Llama-3.1-8B",
        report="Llama 3.1 model card", gpu_hours=1.46e6, report_ar="بطاقة نموذج Llama 3.1",
    ),
}


@dataclass(frozen=True)
class TrainParallel:
    tp: int = 1
    pp: int = 1
    ep: int = 1
    cp: int = 1
    vp: int = 1  # virtual pipeline stages (interleaved schedule)
    micro_batch: int = 1

    def dp(self, chips: int) -> int:
        return max(1, chips // (self.tp * self.pp * self.cp))

    def label(self, chips: int) -> str:
        parts = [
            f"{k.upper()}{v}"
            for k, v in (
                ("tp", self.tp),
                ("pp", self.pp),
                ("ep", self.ep),
                ("cp", self.cp),
                ("vp", self.vp),
            )
            if v > 1
        ]
        return " ".join([*parts, f"DP{self.dp(chips)}"])


@dataclass
class TrainingRun:
    model: Model
    hw: Hardware
    chips: int
    tokens: float
    parallel: TrainParallel = field(default_factory=TrainParallel)
    precision: str = "bf16"  # GEMM format: bf16, fp8 (per-tensor), fp8_block, fp4
    seq_len: int = 4096
    global_batch_tokens: float = 4 * 2**20
    mfu: float | None = None  # give it to skip the model
    price_per_hour: float = 2.0
    goodput: float = RUN_GOODPUT  # for whole-run totals
    #: measured fractions of peak; by default the chip vendor's (see calibrate.efficiency)
    eff: Efficiency = field(default=cast(Efficiency, None))

    def __post_init__(self) -> None:
        if self.eff is None:
            self.eff = efficiency(self.hw.vendor)  # type: ignore[unreachable]  # the default

    def time_per_token_terms(self) -> dict[str, float]:
        """Chip-seconds per trained token, by term (before the pipeline bubble)."""
        m, hw, e, par = self.model, self.hw, self.eff, self.parallel
        fmt = "fp8" if self.precision.startswith("fp8") else self.precision
        frac = e.gemm["fp8_block"] if self.precision == "fp8_block" else e.gemm_fraction(fmt)
        matmul = 6 * m.matmul_params_per_token / (hw.compute_peak(fmt) * frac)
        # forward once, backward twice the FLOPs at the measured backward/forward kernel rate
        attention = (
            (1 + 2 / e.attention_backward)
            * float(m.attention_flops_per_token(self.seq_len / 2))
            / (hw.compute_peak("bf16") * e.attention)
        )
        # memory-bound operators (norms, residuals, activation, MoE permutation, FP8 casts):
        # the backward pass moves about twice the forward's bytes, as it does twice its FLOPs
        elementwise = 3 * m.elementwise_bytes_per_token(fmt) / (hw.hbm_bw * e.hbm_stream)
        tp_comm = 0.0
        if par.tp > 1:
            # sequence-parallel all-gather / reduce-scatter pairs run at the all-gather bus bandwidth
            link = (
                hw.link_bw * e.allgather_bw
                if par.tp <= hw.domain
                else hw.scale_out_bw * e.scale_out_allreduce
            )
            per_token = 4 * m.layers * m.hidden * BYTES["bf16"] * 2 * (par.tp - 1) / par.tp / link
            tp_comm = (
                per_token * par.tp
            )  # every one of the tp ranks spends it: chip-seconds per token
        ep_comm = 0.0
        if par.ep > 1 and m.is_moe:
            intra = par.ep <= hw.domain
            bw = hw.link_bw * e.a2a_intra if intra else hw.scale_out_bw * e.a2a_inter
            k = m.ffn["experts_per_token"]
            moved = (
                2
                * m.moe_layers
                * k
                * m.hidden
                * (BYTES["fp8"] + BYTES["bf16"])
                * (par.ep - 1)
                / par.ep
            )
            ep_comm = moved / bw
        return {
            "matmul": matmul,
            "attention": attention,
            "elementwise": elementwise,
            "tensor_parallel": tp_comm,
            "expert_parallel": ep_comm,
        }

    def bubble(self) -> float:
        par = self.parallel
        if par.pp == 1:
            return 0.0
        sequences = self.global_batch_tokens / self.seq_len
        micro = max(1.0, sequences / (par.dp(self.chips) * par.micro_batch))
        return (par.pp - 1) / (micro * par.vp)

    def tokens_per_s_per_chip(self) -> float:
        if self.mfu is not None:
            return (
                self.mfu
                * self.hw.compute_peak("bf16")
                / self.model.training_flops_per_token(self.seq_len)
            )
        seconds = sum(self.time_per_token_terms().values()) * (1 + self.bubble())
        return 1.0 / seconds

    def model_flops_per_s_per_chip(self) -> float:
        return self.tokens_per_s_per_chip() * self.model.training_flops_per_token(self.seq_len)

    def achieved_mfu(self) -> float:
        return self.model_flops_per_s_per_chip() / self.hw.compute_peak("bf16")

    def memory_per_chip(self) -> float:
        """Weights, gradients and optimizer state per chip (activations not included)."""
        m, par = self.model, self.parallel
        params = m.total_params / (par.tp * par.pp)
        if m.is_moe and par.ep > 1:
            experts = m.moe_layers * m.ffn["num_experts"] * m.expert_params()
            params = (m.total_params - experts) / (par.tp * par.pp) + experts / (par.ep * par.pp)
        return params * (REPLICATED_BYTES + SHARDED_BYTES / par.dp(self.chips))

    def result(self, *, whole_run: bool = False) -> dict[str, Any]:
        rate = self.tokens_per_s_per_chip() * self.chips
        goodput = self.goodput if whole_run else 1.0
        seconds = self.tokens / rate / goodput
        gpu_hours = seconds * self.chips / 3600
        mem = self.memory_per_chip()
        return {
            "model": self.model.name,
            "chip": self.hw.name,
            "chips": self.chips,
            "tokens": self.tokens,
            "parallel": self.parallel.label(self.chips),
            "precision": self.precision,
            "flops": self.model.training_flops_per_token(self.seq_len) * self.tokens,
            "flops_per_token": self.model.training_flops_per_token(self.seq_len),
            "tokens_per_s_per_chip": rate / self.chips,
            "model_tflops_per_chip": self.model_flops_per_s_per_chip() / 1e12,
            "mfu": self.achieved_mfu() if self.mfu is None else self.mfu,
            "mfu_given": self.mfu is not None,
            "terms_us_per_token": {k: v * 1e6 for k, v in self.time_per_token_terms().items()},
            "pipeline_bubble": self.bubble(),
            "goodput": goodput,
            "gpu_hours": gpu_hours,
            "days": seconds / 86400,
            "cost_usd": gpu_hours * self.price_per_hour,
            "price_per_hour": self.price_per_hour,
            "memory_per_chip_gb": mem / 1e9,
            "fits": mem < self.hw.memory * 0.9,
        }


def default_parallel(model: Model, hw: Hardware, chips: int) -> TrainParallel:
    """A Megatron-style layout: TP (within the scale-up domain) x the smallest PP whose weights and
    optimizer state fit, interleaved (2 virtual stages) when pipelined; EP over up to 64 chips."""
    ep = 1
    if model.is_moe:
        ep = min(chips, model.ffn["num_experts"], 64)
    # dense models of tens of billions of parameters need TP inside the scale-up domain for their
    # activations (Megatron and Llama 3 use TP8); smaller and MoE models start without TP
    start = min(8, max(1, hw.domain)) if not model.is_moe and model.total_params >= 30e9 else 1
    for tp in (t for t in (1, 2, 4, 8) if t >= start):
        if tp > max(1, hw.domain):
            break
        for pp in (1, 2, 4, 8, 16, 32):
            if tp * pp > chips:  # stages may be uneven (DeepSeek-V3 runs 61 layers on PP16)
                continue
            candidate = TrainParallel(tp=tp, pp=pp, ep=ep, vp=1 if pp == 1 else DEFAULT_VP)
            run = TrainingRun(model, hw, chips, 1.0, candidate)
            if run.memory_per_chip() < hw.memory * 0.6:  # leave room for activations
                return candidate
    return TrainParallel(
        tp=min(8, max(1, hw.domain)),
        pp=max(1, min(16, 2 ** math.ceil(math.log2(max(1, chips // 8))))),
        ep=ep,
    )
