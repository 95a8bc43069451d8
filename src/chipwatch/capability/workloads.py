"""LLM architectures as cited data, and the quantities derived from them.

Parameters, active parameters, FLOPs per token (matmuls and attention, which grows
with context) and KV-cache bytes per token are computed from the architecture
fields of ``data/models/*.yaml``; tests compare them with the published totals.

>>> m = model("DeepSeek-R1")
>>> round(m.total_params / 1e9), round(m.active_params / 1e9)
(671, 37)
>>> m.kv_bytes_per_token("bf16")      # MLA: 61 layers x (512 + 64) x 2 bytes
70272.0
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "models"

#: Bytes per value of each numeric format (block-scaled FP4 includes its scales: NVFP4 has one
#: 8-bit scale per 16 values, 4.5 bits per value).
BYTES = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "fp4": 0.5625,
    "mxfp4": 0.53125,
    "int4": 0.5625,
}


class WorkloadError(ValueError):
    """An unknown model or a malformed model file."""


@dataclass(frozen=True)
class Model:
    """One LLM architecture with its derived sizes."""

    id: str
    name: str
    aliases: tuple[str, ...]
    arch: Mapping[str, Any]
    sources: tuple[Mapping[str, Any], ...]
    published: Mapping[str, Any]
    native_precision: Mapping[str, str]

    # --- architecture shortcuts ---------------------------------------------------------

    @property
    def hidden(self) -> int:
        return int(self.arch["hidden_size"])

    @property
    def layers(self) -> int:
        return int(self.arch["num_layers"])

    @property
    def attention(self) -> Mapping[str, Any]:
        return self.arch["attention"]  # type: ignore[no-any-return]

    @property
    def ffn(self) -> Mapping[str, Any]:
        return self.arch["ffn"]  # type: ignore[no-any-return]

    @property
    def is_moe(self) -> bool:
        return bool(self.ffn["kind"] == "moe")

    @property
    def mtp_layers(self) -> int:
        """Multi-token-prediction modules shipped with the model (DeepSeek-V3: 1), 0 when none."""
        return int(self.arch.get("mtp_layers") or 0)

    @property
    def moe_layers(self) -> int:
        return self.layers - int(self.ffn.get("dense_layers") or 0) if self.is_moe else 0

    @property
    def dense_ffn_layers(self) -> int:
        return self.layers - self.moe_layers

    @property
    def heads(self) -> int:
        return int(self.attention["num_heads"])

    # --- parameters ---------------------------------------------------------------------

    def attention_params_per_layer(self) -> float:
        a, h = self.attention, self.hidden
        heads = self.heads
        if a["kind"] == "mla":
            qk = a["qk_nope_head_dim"] + a["qk_rope_head_dim"]
            q = (
                h * a["q_lora_rank"] + a["q_lora_rank"] + a["q_lora_rank"] * heads * qk
                if a.get("q_lora_rank")
                else h * heads * qk
            )
            kv = h * (a["kv_lora_rank"] + a["qk_rope_head_dim"]) + a["kv_lora_rank"]
            kv += a["kv_lora_rank"] * heads * (a["qk_nope_head_dim"] + a["v_head_dim"])
            out = heads * a["v_head_dim"] * h
            return float(q + kv + out)
        d, kvh = a["head_dim"], a["num_kv_heads"]
        params = h * heads * d + 2 * h * kvh * d + heads * d * h
        if a.get("qkv_bias"):
            params += heads * d + 2 * kvh * d
        if a.get("attention_sinks"):
            params += heads
        return float(params)

    def _matrices(self) -> int:
        return 3 if self.ffn.get("activation", "swiglu") == "swiglu" else 2

    def dense_ffn_params(self) -> float:
        width = self.ffn.get("intermediate_size") or 0
        return float(self._matrices() * self.hidden * width)

    def expert_params(self) -> float:
        """One routed (or shared) expert."""
        f = self.ffn
        p = self._matrices() * self.hidden * f["moe_intermediate_size"]
        if f.get("expert_bias"):
            p += (self._matrices() - 1) * f["moe_intermediate_size"] + self.hidden
        return float(p)

    def router_params(self) -> float:
        return float(
            self.hidden * self.ffn["num_experts"]
            + (self.ffn["num_experts"] if self.ffn.get("expert_bias") else 0)
        )

    @property
    def embedding_params(self) -> float:
        return float(self.arch["vocab_size"] * self.hidden)

    @property
    def lm_head_params(self) -> float:
        return 0.0 if self.arch.get("tie_embeddings") else self.embedding_params

    @functools.cached_property
    def total_params(self) -> float:
        """All weights of the main model (MTP modules excluded)."""
        norms = self.layers * 2 * self.hidden + self.hidden
        body = (
            self.layers * self.attention_params_per_layer()
            + self.dense_ffn_layers * self.dense_ffn_params()
            + norms
        )
        if self.is_moe:
            f = self.ffn
            per_layer = (
                f["num_experts"] + (f.get("num_shared_experts") or 0)
            ) * self.expert_params() + self.router_params()
            body += self.moe_layers * per_layer
        return body + self.embedding_params + self.lm_head_params

    @functools.cached_property
    def active_params(self) -> float:
        """Weights multiplied per token: routed experts only the top-k, input embedding excluded
        (a table lookup), as DeepSeek (36.6B of "37B") and gpt-oss (5.13B) count them."""
        inactive = 0.0
        if self.is_moe:
            f = self.ffn
            inactive = (
                self.moe_layers * (f["num_experts"] - f["experts_per_token"]) * self.expert_params()
            )
        lookup = 0.0 if self.arch.get("tie_embeddings") else self.embedding_params
        return float(self.total_params - inactive - lookup)

    @property
    def matmul_params_per_token(self) -> float:
        return self.active_params

    # --- KV cache -----------------------------------------------------------------------

    def kv_values_per_token(self) -> float:
        """Cached values per token over all layers (sliding-window layers counted in full here)."""
        a = self.attention
        if a["kind"] == "mla":
            return float(self.layers * (a["kv_lora_rank"] + a["qk_rope_head_dim"]))
        return float(self.layers * 2 * a["num_kv_heads"] * a["head_dim"])

    def kv_bytes_per_token(self, precision: str = "bf16") -> float:
        return self.kv_values_per_token() * BYTES[precision]

    def kv_bytes(self, context: Any, precision: str = "bf16") -> Any:
        """KV bytes of one sequence of ``context`` tokens (windowed layers keep only their window)."""
        import numpy as np

        ctx = np.asarray(context, dtype=float)
        a = self.attention
        window, n_win = a.get("sliding_window"), a.get("sliding_window_layers") or 0
        per_layer = self.kv_values_per_token() / self.layers * BYTES[precision]
        if window and n_win:
            return per_layer * ((self.layers - n_win) * ctx + n_win * np.minimum(ctx, window))
        return per_layer * self.layers * ctx

    # --- memory-bound activation traffic ------------------------------------------------

    def _ffn_width_per_token(self) -> tuple[float, float]:
        """(dense FFN width, MoE FFN width summed over routed and shared experts) per token."""
        f = self.ffn
        dense = float(f.get("intermediate_size") or 0)
        if not self.is_moe:
            return dense, 0.0
        experts = f["experts_per_token"] + (f.get("num_shared_experts") or 0)
        return dense, float(experts * f["moe_intermediate_size"])

    def elementwise_values_per_token(self) -> float:
        """Activation values one token's forward pass reads and writes outside GEMMs and attention,
        all layers: two norms (read + write ``h``), two residual adds (read ``2h``, write ``h``),
        the gated activation (read ``2f``, write ``f``) and, in MoE layers, the permutation of the
        token to its ``k`` experts and back (read ``h``, write ``k h``, twice)."""
        h = self.hidden
        dense_f, moe_f = self._ffn_width_per_token()
        gate = 3 if self._matrices() == 3 else 2
        per_layer = 2 * 2 * h + 2 * 3 * h
        total = self.layers * per_layer + self.dense_ffn_layers * gate * dense_f
        if self.is_moe:
            k = self.ffn["experts_per_token"]
            total += self.moe_layers * (gate * moe_f + 2 * (1 + k) * h)
        return float(total)

    def gemm_input_values_per_token(self) -> float:
        """Activation values entering GEMMs in one token's forward pass (what FP8 training casts):
        the QKV input, the attention output, the FFN input (one copy per expert) and the FFN
        down-projection input."""
        h, a = self.hidden, self.attention
        attn_out = self.heads * (a["v_head_dim"] if a["kind"] == "mla" else a["head_dim"])
        dense_f, moe_f = self._ffn_width_per_token()
        total = self.layers * (h + attn_out) + self.dense_ffn_layers * (h + dense_f)
        if self.is_moe:
            copies = self.ffn["experts_per_token"] + (self.ffn.get("num_shared_experts") or 0)
            total += self.moe_layers * (copies * h + moe_f)
        return float(total)

    def elementwise_bytes_per_token(self, gemm_format: str = "bf16") -> float:
        """Bytes one token's forward pass moves through memory-bound operators: the BF16
        elementwise values, plus casting every GEMM input when GEMMs run in a narrower format
        (read BF16, write the format)."""
        moved = self.elementwise_values_per_token() * BYTES["bf16"]
        if BYTES.get(gemm_format, 2.0) < BYTES["bf16"]:
            moved += self.gemm_input_values_per_token() * (BYTES["bf16"] + BYTES[gemm_format])
        return moved

    # --- FLOPs ----------------------------------------------------------------------------

    def attention_flops_per_token(self, context: Any, *, absorbed: bool = False) -> Any:
        """Forward attention FLOPs (QK and AV) of one token attending to ``context`` tokens, all layers.

        ``absorbed`` uses MLA's decode form (scores over the 512+64-wide latent).
        """
        import numpy as np

        t = np.asarray(context, dtype=float)
        a = self.attention
        if a["kind"] == "mla":
            if absorbed:
                per = (
                    2 * self.heads * (a["kv_lora_rank"] + a["qk_rope_head_dim"])
                    + 2 * self.heads * a["kv_lora_rank"]
                )
            else:
                per = (
                    2 * self.heads * (a["qk_nope_head_dim"] + a["qk_rope_head_dim"])
                    + 2 * self.heads * a["v_head_dim"]
                )
        else:
            per = 4 * self.heads * a["head_dim"]
        window, n_win = a.get("sliding_window"), a.get("sliding_window_layers") or 0
        if window and n_win:
            return per * ((self.layers - n_win) * t + n_win * np.minimum(t, window))
        return per * self.layers * t

    def prefill_flops(self, isl: Any) -> Any:
        """Forward FLOPs to prefill ``isl`` tokens (causal attention: token i sees i tokens)."""
        import numpy as np

        n = np.asarray(isl, dtype=float)
        return 2 * self.matmul_params_per_token * n + self.attention_flops_per_token(n / 2) * n

    def decode_flops(self, context: Any) -> Any:
        """Forward FLOPs of one generated token at ``context`` (MLA in absorbed form)."""
        return 2 * self.matmul_params_per_token + self.attention_flops_per_token(
            context, absorbed=True
        )

    def training_flops_per_token(self, seq_len: float) -> float:
        """Forward + backward FLOPs per trained token: 3 x (2 N_active + causal attention)."""
        return float(
            3 * (2 * self.matmul_params_per_token + self.attention_flops_per_token(seq_len / 2))
        )

    def weight_bytes(self, precision: str, expert_precision: str | None = None) -> float:
        """All weights at a precision (experts may use another, e.g. MXFP4 experts)."""
        ep = expert_precision or precision
        expert = (
            self.moe_layers * self.ffn["num_experts"] * self.expert_params() if self.is_moe else 0.0
        )
        return (self.total_params - expert) * BYTES[precision] + expert * BYTES[ep]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "total_params": self.total_params,
            "active_params": self.active_params,
            "published": dict(self.published),
            "kv_bytes_per_token": {p: self.kv_bytes_per_token(p) for p in ("bf16", "fp8")},
            "decode_flops_per_token_at_4k": float(self.decode_flops(4096)),
            "sources": [dict(s) for s in self.sources],
        }


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower().removeprefix("meta-llama/"))


@functools.lru_cache(maxsize=1)
def models() -> dict[str, Model]:
    """All shipped models by id."""
    import yaml

    out: dict[str, Model] = {}
    for path in sorted(DATA_DIR.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            out[doc["id"]] = Model(
                id=doc["id"],
                name=doc["name"],
                aliases=tuple(doc.get("aliases") or ()),
                arch=doc["architecture"],
                sources=tuple(doc.get("sources") or ()),
                published=doc.get("published") or {},
                native_precision=doc.get("native_precision") or {},
            )
        except (yaml.YAMLError, KeyError, TypeError) as exc:
            raise WorkloadError(f"models/{path.name}: malformed model file ({exc})") from None
    return out


@functools.lru_cache(maxsize=256)
def model(name: str) -> Model:
    """A model by id, name or alias (case and punctuation ignored)."""
    key = _key(name)
    for m in models().values():
        if key in {_key(m.id), _key(m.name), *(_key(a) for a in m.aliases)}:
            return m
    import difflib

    names = [m.name for m in models().values()]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(names)}"
    raise WorkloadError(f"unknown model {name!r}{hint}")
