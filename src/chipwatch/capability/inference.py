"""Analytic LLM serving model: memory fit, TTFT, TPOT, throughput, Pareto curve.

Every term is explicit (docs/capability.md):

* **Weights** streamed once per decode step: attention, dense FFN, shared experts and the
  output head on every tensor-parallel rank; routed experts only as many as the batch
  touches, ``E * (1 - (1 - k/E)^B)`` per layer, spread over all chips of the instance.
* **Matmul FLOPs** ``2 x active weights x tokens``; each group (dense / routed) is a
  roofline ``max(FLOPs / (peak x GEMM fraction), bytes / (HBM x streaming fraction))``.
* **Attention** reads the KV cache (MLA latent replicated across TP ranks, GQA heads split)
  and costs FLOPs that grow with context; roofline with the attention-kernel fraction.
* **Communication**: two all-reduces per layer under tensor parallelism (latency +
  ``2(n-1)/n`` bytes over the link), dispatch + combine all-to-all per MoE layer under expert
  parallelism (scale-up link inside the domain, scale-out NIC beyond it).
* **Overheads**: a fixed cost per kernel (from small-GEMM timings) and per request.
* **Speculative decoding (MTP)**, when asked for: each step runs ``k`` draft passes of the
  model's MTP module and verifies ``1 + k`` tokens per sequence in one main-model pass (matmul,
  attention and all-to-all work grow with the tokens; weight and KV reads do not), and emits
  ``(1 - a^(k+1)) / (1 - a)`` tokens per sequence on average at per-token acceptance ``a``.
* **Serving**: closed-loop concurrency; prefills of other requests stall decode steps and
  queue new requests (a small fixed-point iteration, all vectorized over concurrency).

Achievable fractions come from :mod:`.calibrate` (microbenchmark rows), never from the
end-to-end rows. All functions take NumPy arrays of concurrency and evaluate a whole
sweep in one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from .calibrate import Efficiency, efficiency
from .hardware import USABLE_MEMORY, Hardware
from .workloads import BYTES, Model

#: Fixed serving cost per request (tokenization, scheduling, HTTP): an assumption, see docs.
REQUEST_OVERHEAD_S = 0.02
#: Prompt tokens an engine schedules per step: vLLM ``max_num_batched_tokens``, TRT-LLM
#: ``max_num_tokens`` and SGLang ``chunked_prefill_size`` are 8192 in their usual serving
#: configurations (e.g. InferenceMAX's launch commands, github.com/InferenceMAX/InferenceMAX).
PREFILL_TOKEN_BUDGET = 8192
#: Kernels launched per transformer layer per step (GEMMs, norms, attention, activation, routing).
KERNELS_PER_LAYER = {"dense": 8, "moe": 12}
#: Largest number of sequences an engine batches per attention rank (TRT-LLM/SGLang defaults
#: are in the hundreds to a few thousand; beyond this the step is compute-bound anyway).
MAX_BATCH_PER_RANK = 1024
#: Activation workspace reserved per chip beyond weights and KV cache (inside the 10% that
#: USABLE_MEMORY leaves free).
ACTIVATION_RESERVE = 0.0
#: Acceptance of an MTP draft token when none is given: DeepSeek-V3 reports 85-90% for the
#: second-token prediction (arXiv 2412.19437, section 5.4.3); the low end is used.
MTP_ACCEPTANCE = 0.85


def all_to_all_time(hw: Hardware, eff: Efficiency, ep: int, nbytes: Any) -> Any:
    """Seconds for one expert-parallel all-to-all in which each rank sends ``nbytes`` of routed
    token copies: a fixed latency plus the share bound for other ranks over the scale-up link
    inside the domain, the scale-out NIC beyond it."""
    intra = ep <= hw.domain and hw.link_bw > 0
    bw = hw.link_bw * eff.a2a_intra if intra else hw.scale_out_bw * eff.a2a_inter
    return eff.allreduce_latency + nbytes * (ep - 1) / ep / bw


class ConfigError(ValueError):
    """An impossible parallel configuration."""


@dataclass(frozen=True)
class Parallel:
    """How one serving instance spreads the model: attention TP x attention DP x PP chips; experts over EP."""

    tp: int = 1
    dp: int = 1
    ep: int = 1
    pp: int = 1

    @property
    def chips(self) -> int:
        return self.tp * self.dp * self.pp

    def check(self, model: Model) -> None:
        for name in ("tp", "dp", "ep", "pp"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1")
        if self.ep > 1 and not model.is_moe:
            raise ConfigError(f"{model.name} has no experts: ep must be 1")
        if (self.tp * self.dp) % self.ep:
            raise ConfigError(f"ep={self.ep} must divide tp x dp = {self.tp * self.dp}")
        if model.layers % self.pp:
            raise ConfigError(f"pp={self.pp} must divide the {model.layers} layers")

    def label(self) -> str:
        parts = [f"TP{self.tp}"] + [
            f"{k.upper()}{v}"
            for k, v in (("dp", self.dp), ("ep", self.ep), ("pp", self.pp))
            if v > 1
        ]
        return " ".join(parts)


@dataclass(frozen=True)
class Precision:
    weights: str = "fp8"
    experts: str | None = None
    activations: str | None = None
    kv: str = "bf16"

    @property
    def expert_weights(self) -> str:
        return self.experts or self.weights

    def compute(self, weights: str) -> str:
        """GEMM format: the wider of weights and activations."""
        act = self.activations or weights
        return weights if BYTES[weights] >= BYTES[act] else act


@dataclass
class Scenario:
    """One serving question: a model on a chip at ISL/OSL over a concurrency sweep."""

    model: Model
    hw: Hardware
    parallel: Parallel = field(default_factory=Parallel)
    precision: Precision = field(default_factory=Precision)
    isl: int = 1024
    osl: int = 1024
    instances: int = 1
    #: measured fractions of peak; by default the chip vendor's (see calibrate.efficiency)
    eff: Efficiency = field(default=cast(Efficiency, None))
    mtp: int = 0  # MTP draft tokens per step (0: plain decoding)
    mtp_acceptance: float = MTP_ACCEPTANCE

    def __post_init__(self) -> None:
        if self.eff is None:
            self.eff = efficiency(self.hw.vendor)  # type: ignore[unreachable]  # the default
        if self.mtp and not self.model.mtp_layers:
            raise ConfigError(
                f"{self.model.name} has no multi-token-prediction module; speculative decoding "
                "with a separate draft model is not modelled"
            )
        if self.mtp < 0 or not 0 <= self.mtp_acceptance < 1:
            raise ConfigError("MTP draft tokens must be >= 0 and the acceptance in [0, 1)")

    def tokens_per_step(self) -> float:
        """Tokens each sequence emits per decode step: 1, or the expected accepted run plus one."""
        a = self.mtp_acceptance
        return (1 - a ** (self.mtp + 1)) / (1 - a)

    # --- memory ---------------------------------------------------------------------------

    def weights_per_chip(self) -> float:
        """Weights held per chip; with MTP on, the MTP module's layers too (MoE layers, as
        DeepSeek's are; their embedding and output head are shared with the main model)."""
        m, p, par = self.model, self.precision, self.parallel
        wb, eb = BYTES[p.weights], BYTES[p.expert_weights]
        extra = m.mtp_layers if self.mtp else 0
        moe_layers = m.moe_layers + extra if m.is_moe else 0
        replicated = (
            (
                (m.layers + extra) * m.attention_params_per_layer()
                + (m.dense_ffn_layers + (0 if m.is_moe else extra)) * m.dense_ffn_params()
                + (
                    moe_layers * (m.ffn.get("num_shared_experts") or 0) * m.expert_params()
                    if m.is_moe
                    else 0
                )
            )
            / par.pp
            + m.embedding_params
            + m.lm_head_params
        )
        routed = (
            moe_layers * m.ffn["num_experts"] * m.expert_params() / par.pp if m.is_moe else 0.0
        )
        return replicated * wb / par.tp + routed * eb / (par.tp * par.dp)

    def kv_per_sequence_per_chip(self, context: Any) -> Any:
        m, par = self.model, self.parallel
        split = 1 if m.attention["kind"] == "mla" else min(par.tp, m.attention["num_kv_heads"])
        return m.kv_bytes(context, self.precision.kv) / split / par.pp

    def max_concurrency(self) -> int:
        """Sequences the instance can hold at full context (0 when the weights do not fit)."""
        free = self.hw.memory * (USABLE_MEMORY - ACTIVATION_RESERVE) - self.weights_per_chip()
        if free <= 0:
            return 0
        per_rank = int(free // float(self.kv_per_sequence_per_chip(self.isl + self.osl)))
        return max(0, min(per_rank, MAX_BATCH_PER_RANK)) * self.parallel.dp

    def memory_report(self) -> dict[str, Any]:
        usable = self.hw.memory * USABLE_MEMORY
        weights = self.weights_per_chip()
        return {
            "chip_memory_gb": self.hw.memory / 1e9,
            "usable_gb": usable / 1e9,
            "weights_per_chip_gb": weights / 1e9,
            "kv_per_sequence_gb": float(self.kv_per_sequence_per_chip(self.isl + self.osl)) / 1e9,
            "max_concurrency": self.max_concurrency(),
            "fits": weights < usable * (1 - ACTIVATION_RESERVE),
        }

    # --- one decode step --------------------------------------------------------------------

    def _comm(self, tokens_per_rank: Any, layers: float, moe_layers: float) -> Any:
        m, par, e, hw = self.model, self.parallel, self.eff, self.hw
        t = np.zeros_like(np.asarray(tokens_per_rank, dtype=float))
        act = BYTES["bf16"]
        if par.tp > 1:
            link = (
                hw.link_bw * e.allreduce_bw
                if par.tp <= hw.domain and hw.link_bw > 0
                else hw.scale_out_bw * e.scale_out_allreduce
            )
            size = tokens_per_rank * m.hidden * act * 2 * (par.tp - 1) / par.tp
            t = t + 2 * layers * (e.allreduce_latency + size / link)
        if par.ep > 1 and m.is_moe:
            k = m.ffn["experts_per_token"]
            dispatch = all_to_all_time(hw, e, par.ep, tokens_per_rank * k * m.hidden * 1.0)  # FP8
            combine = all_to_all_time(hw, e, par.ep, tokens_per_rank * k * m.hidden * act)  # BF16
            t = t + moe_layers * (dispatch + combine)
        return t

    def step_components(self, batch: Any, context: Any) -> dict[str, Any]:
        """Seconds per decode step, unreduced: each roofline's compute and memory sides apart.

        ``combine`` turns these into a step time; the compliance frontier rescales them to
        evaluate designs with other compute, memory and I/O bandwidth. With MTP the step is one
        verification pass over ``1 + mtp`` tokens per sequence plus ``mtp`` draft passes, each
        costing the MTP module's share (its layers over the model's) of a one-token step.
        """
        if not self.mtp:
            return self._pass_components(batch, context, 1)
        verify = self._pass_components(batch, context, 1 + self.mtp)
        draft = self._pass_components(batch, context, 1)
        share = self.mtp * self.model.mtp_layers / self.model.layers
        return {k: verify[k] + share * draft[k] for k in verify}

    def _pass_components(self, batch: Any, context: Any, queries: int) -> dict[str, Any]:
        """One forward pass over ``queries`` new tokens of each of ``batch`` sequences."""
        m, p, par, e, hw = self.model, self.precision, self.parallel, self.eff, self.hw
        b = np.asarray(batch, dtype=float)
        seqs = b / par.dp / par.pp  # sequences per attention rank per pipeline micro-batch
        per_rank = seqs * queries  # their tokens
        layers, moe_layers = m.layers / par.pp, m.moe_layers / par.pp
        wb, eb = BYTES[p.weights], BYTES[p.expert_weights]
        shared = (
            m.moe_layers * (m.ffn.get("num_shared_experts") or 0) * m.expert_params()
            if m.is_moe
            else 0
        )
        dense_params = (
            m.layers * m.attention_params_per_layer()
            + m.dense_ffn_layers * m.dense_ffn_params()
            + shared
        ) / par.pp
        dense_params += m.lm_head_params / par.pp
        c_dense = p.compute(p.weights)
        zero = np.zeros_like(b)
        out = {
            "dense_compute": 2
            * dense_params
            * per_rank
            / par.tp
            / (hw.compute_peak(c_dense) * e.gemm_fraction(c_dense)),
            "dense_memory": dense_params * wb / par.tp / (hw.hbm_bw * e.hbm_weights) + zero,
            "routed_compute": zero,
            "routed_memory": zero,
        }
        if m.is_moe:
            n_exp, k = m.ffn["num_experts"], m.ffn["experts_per_token"]
            tokens = b * queries / par.pp
            touched = n_exp * (1 - (1 - k / n_exp) ** tokens)
            c_exp = p.compute(p.expert_weights)
            chips = par.tp * par.dp
            out["routed_compute"] = (
                2
                * moe_layers
                * k
                * m.expert_params()
                * tokens
                / chips
                / (hw.compute_peak(c_exp) * e.gemm_fraction(c_exp))
            )
            out["routed_memory"] = (
                moe_layers * touched * m.expert_params() * eb / chips / (hw.hbm_bw * e.hbm_weights)
            )
        attn_flops = (
            m.attention_flops_per_token(context, absorbed=True) / par.pp * per_rank / par.tp
        )
        out["attention_compute"] = attn_flops / (hw.compute_peak("bf16") * e.attention)
        out["attention_memory"] = (  # each sequence's KV cache is read once for all its queries
            self.kv_per_sequence_per_chip(context) * seqs / (hw.hbm_bw * e.hbm_stream)
        )
        out["elementwise"] = (
            m.elementwise_bytes_per_token(c_dense) / par.pp * per_rank / par.tp
            / (hw.hbm_bw * e.hbm_stream)
        )
        out["communication"] = self._comm(per_rank, layers, moe_layers)
        out["kernel_overhead"] = np.full_like(
            b, layers * KERNELS_PER_LAYER["moe" if m.is_moe else "dense"] * e.kernel_latency
        )
        return {k: v * par.pp for k, v in out.items()}

    @staticmethod
    def combine(c: dict[str, Any], compute: Any = 1.0, memory: Any = 1.0, io: Any = 1.0) -> Any:
        """Step time from components, with compute, memory and I/O bandwidth scaled by the factors."""
        return (
            np.maximum(c["dense_compute"] / compute, c["dense_memory"] / memory)
            + np.maximum(c["routed_compute"] / compute, c["routed_memory"] / memory)
            + np.maximum(c["attention_compute"] / compute, c["attention_memory"] / memory)
            + c["elementwise"] / memory
            + c["communication"] / io
            + c["kernel_overhead"]
        )

    def step_time(self, batch: Any, context: Any) -> dict[str, Any]:
        """Seconds per decode step of ``batch`` sequences at ``context`` tokens, by term."""
        c = self.step_components(batch, context)
        weights = np.maximum(c["dense_compute"], c["dense_memory"]) + np.maximum(
            c["routed_compute"], c["routed_memory"]
        )
        return {
            "total": self.combine(c),
            "matmul_compute": c["dense_compute"] + c["routed_compute"],
            "weight_streaming": c["dense_memory"] + c["routed_memory"],
            "weights_and_matmul": weights,
            "attention": np.maximum(c["attention_compute"], c["attention_memory"]),
            "elementwise": c["elementwise"],
            "communication": c["communication"],
            "kernel_overhead": c["kernel_overhead"],
        }

    def prefill_components(self, tokens: Any) -> dict[str, Any]:
        """Seconds to prefill ``tokens`` prompt tokens (batched requests of ISL each), by term."""
        m, p, par, e, hw = self.model, self.precision, self.parallel, self.eff, self.hw
        n = np.asarray(tokens, dtype=float)
        requests = n / self.isl
        flops = m.prefill_flops(self.isl) * requests
        attn = m.attention_flops_per_token(self.isl / 2) * n
        matmul = flops - attn
        c = p.compute(p.weights)
        # matmuls spread over every chip; attention over the TP ranks of one DP rank per request
        return {
            "matmul_compute": matmul / par.chips / (hw.compute_peak(c) * e.gemm_fraction(c)),
            "attention_compute": attn
            / (par.tp * par.pp * np.minimum(par.dp, np.maximum(requests, 1)))
            / (hw.compute_peak("bf16") * e.attention),
            "weight_streaming": self.weights_per_chip() / (hw.hbm_bw * e.hbm_weights) + 0 * n,
            "elementwise": m.elementwise_bytes_per_token(c) * n / par.chips
            / (hw.hbm_bw * e.hbm_stream),
            "communication": self._comm(n / par.dp, m.layers, m.moe_layers),
            "kernel_overhead": m.layers
            * KERNELS_PER_LAYER["moe" if m.is_moe else "dense"]
            * e.kernel_latency
            + 0 * n,
        }

    @staticmethod
    def combine_prefill(
        c: dict[str, Any], compute: Any = 1.0, memory: Any = 1.0, io: Any = 1.0
    ) -> Any:
        """Prefill time from components, with compute, memory and I/O bandwidth scaled."""
        return (
            np.maximum(
                (c["matmul_compute"] + c["attention_compute"]) / compute,
                c["weight_streaming"] / memory,
            )
            + c["elementwise"] / memory
            + c["communication"] / io
            + c["kernel_overhead"]
        )

    def prefill_time(self, tokens: Any) -> Any:
        """Seconds to prefill ``tokens`` prompt tokens (batched requests of ISL each)."""
        return self.combine_prefill(self.prefill_components(tokens))

    # --- serving ----------------------------------------------------------------------------

    def ramp_up_ttft(self, concurrency: Any) -> Any:
        """Mean TTFT when ``concurrency`` requests arrive at once (a benchmark's first round): the
        engine prefills ``PREFILL_TOKEN_BUDGET`` prompt tokens per step and attention-DP rank, so
        request ``i`` waits ``ceil(i x ISL / budget)`` steps; the mean of that ceiling is taken as
        ``ISL/budget x (c+1)/2 + 1/2`` (at least one step)."""
        c = np.maximum(np.asarray(concurrency, dtype=float), 1.0)
        budget = float(PREFILL_TOKEN_BUDGET * self.parallel.dp)
        step = self.prefill_time(np.minimum(budget, c * self.isl))
        steps = np.maximum(1.0, self.isl / budget * (c + 1) / 2 + 0.5)
        return REQUEST_OVERHEAD_S + step * steps

    def serve(self, concurrency: Any, *, rounds: float | None = None) -> dict[str, Any]:
        """TTFT, TPOT and throughput at each concurrency (sequences per instance), vectorized.

        ``rounds`` models a closed-loop benchmark run of ``rounds x concurrency`` requests that all
        start together (vLLM/SGLang ``benchmark_serving`` with ``--max-concurrency``): its first
        round's TTFT is the ramp-up's, the others the steady state's. Without it, steady state."""
        c = np.maximum(np.asarray(concurrency, dtype=float), 1.0)
        context = self.isl + self.osl / 2
        tpot0 = self.step_time(c, context)["total"] / self.tokens_per_step()
        t_pf1 = self.prefill_time(self.isl)
        ttft = REQUEST_OVERHEAD_S + t_pf1 + tpot0 / 2
        tpot = tpot0
        for _ in range(12):  # fixed point: prefills of others stall decode and queue new requests
            cycle = ttft + self.osl * tpot
            queued = 1 + (c - 1) * t_pf1 / cycle
            t_pf = self.prefill_time(self.isl * queued)
            busy = np.minimum(c * t_pf / queued / cycle, 0.95)
            tpot = tpot0 / (1 - busy)
            ttft = REQUEST_OVERHEAD_S + t_pf + tpot0 / 2
        cycle = ttft + self.osl * tpot
        if rounds is not None:
            ttft = (self.ramp_up_ttft(c) + (rounds - 1) * ttft) / rounds
        chips = self.parallel.chips
        out_per_chip = c * self.osl / cycle / chips
        return {
            "concurrency": c,
            "ttft_s": ttft,
            "tpot_s": tpot,
            "tokens_per_s_per_user": 1.0 / tpot,
            "tokens_per_s_per_chip": out_per_chip,
            "input_tokens_per_s_per_chip": out_per_chip * self.isl / self.osl,
        }


def bottleneck(scn: Scenario, concurrency: float) -> str:
    """The largest term of the decode step at this concurrency (matmuls split into compute vs weight reads)."""
    terms = scn.step_time(np.asarray([concurrency]), scn.isl + scn.osl / 2)
    parts = {
        k: float(v[0])
        for k, v in terms.items()
        if k not in ("total", "matmul_compute", "weight_streaming")
    }
    name = max(parts, key=lambda k: parts[k])
    if name == "weights_and_matmul":
        compute, memory = float(terms["matmul_compute"][0]), float(terms["weight_streaming"][0])
        return "compute (matmul)" if compute >= memory else "memory bandwidth (weights)"
    return name.replace("_", " ")


def sweep_concurrency(max_concurrency: int) -> np.ndarray:
    """Powers of two up to the memory limit, plus the limit itself."""
    if max_concurrency < 1:
        return np.array([], dtype=float)
    points = [2**i for i in range(0, 16) if 2**i < max_concurrency] + [max_concurrency]
    return np.array(points, dtype=float)


def pareto(points: dict[str, np.ndarray]) -> np.ndarray:
    """Indices of the throughput-interactivity Pareto front (per-chip vs per-user tokens/s)."""
    chip, user = points["tokens_per_s_per_chip"], points["tokens_per_s_per_user"]
    order = np.argsort(-user)
    front, best = [], -np.inf
    for i in order:
        if chip[i] > best:
            front.append(i)
            best = chip[i]
    return np.array(sorted(front, key=lambda i: -user[i]), dtype=int)
