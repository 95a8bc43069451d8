"""MB/s of Arabic text analyzed: extraction only, and the full analysis with engine checks.

The input is the real Arabic example article repeated to the requested size; both runs are
timed in this process. Goal: >= 1 MB/s for extraction.
Usage: python benchmarks/news_speed.py [MB]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from chipwatch.news import analyze
from chipwatch.news.extract import extract

ARTICLE = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "articles" / "ar-h20-example.txt"
)


def main() -> None:
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    base = ARTICLE.read_text(encoding="utf-8")
    text = base * max(1, int(mb * 1e6 / len(base.encode("utf-8"))))
    size = len(text.encode("utf-8")) / 1e6
    extract(base)  # warm the gazetteer and regexes
    start = time.perf_counter()
    extract(text)
    t_extract = time.perf_counter() - start
    one = base * 3
    start = time.perf_counter()
    analyze(one, article_date=dt.date(2025, 4, 10))
    t_full = time.perf_counter() - start
    full_rate = len(one.encode("utf-8")) / 1e6 / t_full
    print(
        f"extraction:        {size / t_extract:.2f} MB/s ({size:.1f} MB of Arabic text in {t_extract:.2f} s)"
    )
    print(
        f"full with checks:  {full_rate:.3f} MB/s (claims checked against the rules, fleet and capability models)"
    )
    print(
        f"ratio extraction/full: {size / t_extract / full_rate:,.0f}x; goal >= 1 MB/s extraction: "
        f"{'met' if size / t_extract >= 1 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
