"""Plain-text, CSV and JSON renderers shared by the CLI (no third-party imports)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any


def fmt(value: Any, digits: int = 1) -> str:
    """A cell: thousands separators for numbers, '—' for unknown."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:,.{digits}f}" if abs(value) >= 10 else f"{value:,.{max(digits, 2)}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    align_right: Sequence[bool] | None = None,
) -> str:
    """A fixed-width text table; numeric columns are right-aligned."""
    cells = [[fmt(v) for v in row] for row in rows]
    raw_rows = cells
    widths = [max([len(h)] + [len(r[i]) for r in raw_rows]) for i, h in enumerate(headers)]
    if align_right is None:
        align_right = [
            all(_numeric(r[i]) for r in raw_rows) and bool(raw_rows) for i in range(len(headers))
        ]

    def line(vals: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(vals, widths, align_right, strict=True)
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in raw_rows]
    return "\n".join(out)


def _numeric(cell: str) -> bool:
    return cell == "—" or cell.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    """CSV text with a header row taken from the first record."""
    buf = io.StringIO()
    if records:
        writer = csv.DictWriter(buf, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return buf.getvalue()


def to_json(data: Any) -> str:
    """Stable, UTF-8 JSON (Arabic stays readable)."""
    return json.dumps(data, indent=2, ensure_ascii=False)
