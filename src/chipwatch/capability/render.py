"""Text tables and Pareto plots for the capability results (JSON is the dicts themselves)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from ..render import fmt, table


def infer_text(r: Mapping[str, Any]) -> str:
    head = f"{r['model']} on {r['chips']} x {r['chip']} ({r['parallel']}, weights {r['precision']['weights']}, KV {r['precision']['kv']}), ISL {r['isl']} / OSL {r['osl']}"
    mem = r["memory"]
    lines = [
        head,
        "",
        f"  memory per chip     weights {mem['weights_per_chip_gb']:.1f} GB of {mem['usable_gb']:.1f} GB usable; "
        f"up to {mem['max_concurrency']} sequences in flight",
    ]
    if not r["fits"]:
        return "\n".join([*lines, f"  does not fit: {r['does_not_fit']}"])
    lines += [
        f"  concurrency         {r['concurrency']}",
        f"  TTFT                {r['ttft_ms']:.0f} ms"
        + (
            f"  (mean of a benchmark of {r['benchmark_rounds']} requests per slot, ramp-up included)"
            if r.get("benchmark_rounds")
            else "  (steady state)"
        ),
        f"  TPOT                {r['tpot_ms']:.1f} ms  ({r['tokens_per_s_per_user']:.1f} tokens/s per user)",
        f"  throughput          {r['tokens_per_s_per_chip']:,.0f} output tokens/s per chip ({r['tokens_per_s_total']:,.0f} in all)",
        f"  bottleneck          {r['bottleneck']}",
    ]
    if spec := r.get("speculative_decoding"):
        lines.append(
            f"  speculative (MTP)   {spec['mtp_draft_tokens']} draft token(s), acceptance "
            f"{spec['acceptance']:.2f}: {spec['tokens_per_step']:.2f} tokens per step"
        )
    if r.get("note"):
        lines.append(f"  note                {r['note']}")
    if r.get("warning"):
        lines.append(f"  warning             {r['warning']}")
    rows = [
        [
            p["concurrency"],
            p["tokens_per_s_per_user"],
            p["tokens_per_s_per_chip"],
            p["tpot_ms"],
            p["ttft_ms"],
        ]
        for p in r.get("pareto", [])
    ]
    if rows:
        lines += [
            "",
            "Throughput-interactivity Pareto front",
            _indent(table(["concurrency", "tok/s/user", "tok/s/chip", "TPOT ms", "TTFT ms"], rows)),
        ]
    return "\n".join(lines)


def train_text(r: Mapping[str, Any]) -> str:
    terms = ", ".join(
        f"{k.replace('_', ' ')} {v:.1f} µs" for k, v in r["terms_us_per_token"].items() if v
    )
    lines = [
        f"Train {r['model']} on {r['chips']:,} x {r['chip']} ({r['parallel']}, {r['precision']}), {r['tokens']:.3g} tokens",
        "",
        f"  compute             {r['flops']:.3g} FLOPs ({r['flops_per_token'] / 1e9:.0f} GFLOP per token)",
        f"  throughput          {r['tokens_per_s_per_chip']:,.0f} tokens/s per chip; {r['model_tflops_per_chip']:.0f} model TFLOP/s per chip",
        f"  MFU                 {r['mfu']:.1%} of the BF16 dense peak"
        + (" (given)" if r["mfu_given"] else ""),
        f"  time per token      {terms}; pipeline bubble {r['pipeline_bubble']:.1%}",
        f"  GPU-hours           {r['gpu_hours']:,.0f} (goodput {r['goodput']:.0%})",
        f"  wall time           {r['days']:.1f} days",
        f"  cost                ${r['cost_usd']:,.0f} at ${r['price_per_hour']:.2f} per chip-hour",
        f"  memory per chip     {r['memory_per_chip_gb']:.1f} GB weights + gradients + optimizer"
        + ("" if r["fits"] else "  — DOES NOT FIT"),
    ]
    return "\n".join(lines)


def capability_text(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return "no chips"
    first = rows[0]
    head = (
        f"{first['model']}, workload {first['workload']} (ISL {first['isl']} / OSL {first['osl']})"
    )
    body = []
    for r in rows:
        if not r["fits"]:
            body.append([r["chip"], r["chips"], "does not fit", None, None, None, None, None])
            continue
        body.append(
            [
                r["chip"],
                r["chips"],
                r["parallel"],
                r["tokens_per_s_per_chip"],
                r["tokens_per_s_per_user"],
                r["tpot_ms"],
                r.get("tokens_per_s_per_1000_usd"),
                r["bottleneck"],
            ]
        )
    heads = [
        "chip",
        "chips",
        "layout",
        "tok/s/chip",
        "tok/s/user",
        "TPOT ms",
        "tok/s per $1k",
        "bottleneck",
    ]
    best = max(
        (r for r in rows if r.get("tokens_per_s_per_chip")),
        key=lambda r: r["tokens_per_s_per_chip"],
        default=None,
    )
    best_usd = max(
        (r for r in rows if r.get("tokens_per_s_per_1000_usd")),
        key=lambda r: r["tokens_per_s_per_1000_usd"],
        default=None,
    )
    foot = []
    if best:
        foot.append(
            f"best per chip: {best['chip']} ({fmt(best['tokens_per_s_per_chip'])} tok/s at TPOT ≤ 50 ms)"
        )
    if best_usd:
        foot.append(
            f"best per dollar: {best_usd['chip']} ({fmt(best_usd['tokens_per_s_per_1000_usd'])} tok/s per $1,000 of chips)"
        )
    return "\n".join([head, "", table(heads, body), "", *foot])


def pareto_plot(rows: Sequence[Mapping[str, Any]], path: str) -> None:
    """Pareto curves (tokens/s per user vs per chip), one line per chip; PNG or SVG by extension."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".png", ".svg"):
        raise ValueError(f"--plot {path!r}: use a .png or .svg file name")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    for r in rows:
        pts = r.get("pareto") or []
        if not pts:
            continue
        ax.plot(
            [p["tokens_per_s_per_user"] for p in pts],
            [p["tokens_per_s_per_chip"] for p in pts],
            marker="o",
            label=f"{r['chip']} x{r['chips']}",
        )
    first = rows[0]
    ax.set_xlabel("output tokens/s per user (interactivity)")
    ax.set_ylabel("output tokens/s per chip (throughput)")
    ax.set_title(f"{first['model']}: {first['workload']} (ISL {first['isl']}, OSL {first['osl']})")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=ext)
    os.close(fd)
    try:
        fig.savefig(tmp, format=ext[1:])
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a plot is meant to be shared
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)


def validation_text(result: Mapping[str, Any]) -> str:
    s = result["summary"]
    lines = [
        f"mapped {s['mapped']} of {s['total']} rows; median |error| {fmt(s['median_abs_error_pct'])}%, p90 {fmt(s['p90_abs_error_pct'])}%",
        "",
    ]
    kinds = [
        [
            k,
            v["n"],
            v["median_abs_error_pct"],
            v["p90_abs_error_pct"],
            v.get("median_signed_error_pct"),
        ]
        for k, v in s["by_kind"].items()
    ]
    lines += [table(["kind", "rows", "median |err| %", "p90 |err| %", "median err %"], kinds), ""]
    hw = [
        [k, v["n"], v["median_abs_error_pct"], v["p90_abs_error_pct"]]
        for k, v in s["by_hardware"].items()
    ]
    lines += [table(["hardware", "rows", "median |err| %", "p90 |err| %"], hw), ""]
    detail = []
    for r in result["rows"]:
        if "error_pct" in r:
            detail.append(
                [
                    r["kind"],
                    r["model"],
                    r["hardware"],
                    r["metric"],
                    r["measured"],
                    r["predicted"],
                    r["error_pct"],
                ]
            )
    lines += [
        table(["kind", "model", "hardware", "metric", "measured", "predicted", "error %"], detail)
    ]
    skipped = [
        f"  {r['model'] or '-'} / {r['hardware']} / {r['metric']}: {r['skipped_reason']}"
        for r in result["rows"]
        if "skipped_reason" in r
    ]
    if skipped:
        lines += ["", f"skipped ({len(skipped)}):", *skipped]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
