"""Determinations per second: vectorized plan vs the scalar engine, same inputs, same run.

Builds N random candidate chips (TPP, performance density, DRAM and I/O bandwidth, market),
classifies them for China on 2026-02-01 (the most rule-dense date) with
``Plan.evaluate_arrays`` and, on a sample, with ``Plan.determine``; checks the answers agree
and prints chips/s for each and their ratio. Goal: >= 5 million chips/s vectorized on one core.
Usage: python benchmarks/rules_throughput.py [N] [scalar sample]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np

from chipwatch.rules import build_plan, item_from_spec
from chipwatch.rules.engine import array_facts


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    sample = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    rng = np.random.default_rng(7)
    tpp = rng.uniform(500, 40_000, n)
    area = rng.uniform(200, 1_700, n)
    dram = rng.uniform(100, 9_000, n)
    io = rng.uniform(0, 2_000, n)
    datacenter = rng.random(n) < 0.7
    vendors = np.full(n, "NVIDIA")
    products = np.full(n, "")
    plan = build_plan("CN", dt.date(2026, 2, 1))
    arrays = array_facts(
        metrics={
            "tpp": tpp,
            "performance_density": tpp / area,
            "dram_bandwidth_gbps": dram,
            "io_bandwidth_gbps": io,
            "dram_plus_io_bandwidth_gbps": dram + io,
        },
        datacenter=datacenter,
        vendors=vendors,
        product_ids=products,
    )
    plan.evaluate_arrays(arrays)  # warm-up
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        out = plan.evaluate_arrays(arrays)
        best = min(best, time.perf_counter() - start)
    vec_rate = n / best

    start = time.perf_counter()
    for i in range(sample):
        spec = {
            "tpp": str(tpp[i]),
            "die_area": str(area[i]),
            "dram_bw": str(dram[i]),
            "io_bw": str(io[i]),
            "market": "datacenter" if datacenter[i] else "consumer",
            "vendor": "NVIDIA",
        }
        d = plan.determine(item_from_spec(spec))
        lic = {1: True, 0: False, -1: None}[int(out["license_required"][i])]
        assert lic == d.license_required, (i, lic, d.license_required)
    scalar_rate = sample / (time.perf_counter() - start)
    print(f"vectorized: {vec_rate:,.0f} chips/s ({n:,} chips in {best * 1000:.0f} ms)")
    print(f"scalar:     {scalar_rate:,.0f} chips/s ({sample:,} chips, with reasons)")
    print(
        f"ratio {vec_rate / scalar_rate:,.0f}x; goal >= 5,000,000 chips/s vectorized: "
        f"{'met' if vec_rate >= 5e6 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
