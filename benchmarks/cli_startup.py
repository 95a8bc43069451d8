"""CLI start-up time: `chipwatch show H20 --format json` vs `python -c pass`, same run.

Prints the median wall time of each over N runs and their ratio (goal: <= 10x).
The catalog cache is warmed first, as it would be after a user's first command.
Usage: python benchmarks/cli_startup.py [N]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    exe = shutil.which("chipwatch")
    show = [exe] if exe else [sys.executable, "-m", "chipwatch"]
    show += ["show", "H20", "--format", "json"]
    subprocess.run(show, check=True, stdout=subprocess.DEVNULL)  # warm the catalog cache
    # interleave to share the machine's noise fairly
    base, cli = [], []
    for _ in range(runs):
        base.append(wall([sys.executable, "-c", "pass"]))
        cli.append(wall(show))
    b, c = statistics.median(base), statistics.median(cli)
    print(f"python -c pass          median {b * 1000:7.1f} ms")
    print(f"{' '.join(show[-4:]):22s}  median {c * 1000:7.1f} ms")
    print(f"ratio {c / b:.2f}x (goal <= 10x)")


if __name__ == "__main__":
    main()
