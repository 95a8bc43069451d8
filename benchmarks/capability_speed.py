"""Scenario evaluations per second: one vectorized concurrency sweep vs a one-at-a-time loop.

A scenario evaluation is one (model, chip, layout, ISL/OSL, concurrency) point with TTFT, TPOT
and throughput. Both paths run the same Scenario.serve code on the same points in this run.
Goal: >= 100,000 scenario evaluations/s vectorized.
Usage: python benchmarks/capability_speed.py [points]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from chipwatch.capability import hardware, model
from chipwatch.capability.inference import Parallel, Precision, Scenario


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    scenarios = [
        Scenario(
            model("DeepSeek-R1"),
            hardware("H20"),
            Parallel(tp=8),
            Precision("fp8", kv="fp8"),
            1024,
            4096,
        ),
        Scenario(
            model("Llama-3.1-70B"), hardware("H100"), Parallel(tp=4), Precision("fp8"), 8192, 1024
        ),
    ]
    rng = np.random.default_rng(1)
    best_vec, loop_rate = float("inf"), 0.0
    for scn in scenarios:
        conc = rng.integers(1, max(2, scn.max_concurrency()), n).astype(float)
        scn.serve(conc[:10])  # warm-up
        start = time.perf_counter()
        out = scn.serve(conc)
        best_vec = min(best_vec, (time.perf_counter() - start) / n)
        k = 500
        start = time.perf_counter()
        for c in conc[:k]:
            one = scn.serve(np.array([c]))
        loop_rate += k / (time.perf_counter() - start) / len(scenarios)
        assert abs(one["tpot_s"][0] - out["tpot_s"][k - 1]) < 1e-12
    vec_rate = 1 / best_vec
    print(f"vectorized sweep: {vec_rate:,.0f} scenario evaluations/s ({n:,} points per call)")
    print(f"one at a time:    {loop_rate:,.0f} scenario evaluations/s")
    print(
        f"ratio {vec_rate / loop_rate:,.0f}x; goal >= 100,000/s: {'met' if vec_rate >= 1e5 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
