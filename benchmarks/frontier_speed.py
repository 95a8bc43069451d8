"""Candidate chip designs evaluated per second by the compliance frontier, objective included.

One evaluation = rules-engine classification (licence, review policy) + the objective for a
design. Measures the TPP objective and a capability objective (decode throughput), each over
the same candidate grid, against a one-at-a-time loop through the scalar engine in this run.
Goals: >= 1,000,000 designs/s (TPP) and >= 100,000/s (capability objective).
Usage: python benchmarks/frontier_speed.py [candidates]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from chipwatch.rules import build_plan, determine, item_from_spec
from chipwatch.scenarios.frontier import Base, Objective, _allowed, _arrays, grid


def rate(objective: Objective, plan: object, knobs: dict, base: Base) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        out = plan.evaluate_arrays(_arrays(base, knobs))  # type: ignore[attr-defined]
        ok = _allowed(out, None)
        values = objective(knobs["compute"], knobs["memory_bw"], knobs["io"])
        _ = values[ok].max()
        best = min(best, time.perf_counter() - start)
    return knobs["compute"].size / best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    on = dt.date(2025, 6, 1)
    plan = build_plan("CN", on)
    base = Base.of("H100 SXM")
    knobs = grid(n)
    tpp_rate = rate(Objective("tpp", base, "Llama-3.1-70B"), plan, knobs, base)
    decode_rate = rate(Objective("decode", base, "Llama-3.1-70B"), plan, knobs, base)
    k = 300
    start = time.perf_counter()
    for i in range(k):
        tpp = knobs["compute"][i] * base.tpp
        spec = {
            "tpp": tpp,
            "pd": tpp / base.area,
            "dram_bw": knobs["memory_bw"][i] * base.dram,
            "io_bw": knobs["io"][i] * base.io,
            "market": "datacenter",
            "vendor": "NVIDIA",
        }
        determine(item_from_spec({a: str(b) for a, b in spec.items()}), "CN", on)
    loop_rate = k / (time.perf_counter() - start)
    size = knobs["compute"].size
    print(f"TPP objective:    {tpp_rate:,.0f} designs/s ({size:,} candidates per call)")
    print(f"decode objective: {decode_rate:,.0f} designs/s")
    print(f"scalar engine:    {loop_rate:,.0f} designs/s (one at a time, with reasons)")
    print(
        f"ratio vectorized/scalar: {tpp_rate / loop_rate:,.0f}x (TPP), {decode_rate / loop_rate:,.0f}x (decode)"
    )
    print(
        f"goals: TPP >= 1,000,000/s {'met' if tpp_rate >= 1e6 else 'NOT met'}; "
        f"capability >= 100,000/s {'met' if decode_rate >= 1e5 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
