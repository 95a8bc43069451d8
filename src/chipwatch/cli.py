"""The ``chipwatch`` command line: a thin shell over :mod:`chipwatch.api`.

Only the standard library and the catalog are imported at start-up; commands
import anything heavier inside their own function.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from . import api
from .render import fmt, table, to_csv, to_json

EXIT_USAGE = 2


class CliError(Exception):
    """A user-facing error: printed without a traceback, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    from .catalog import CatalogError, UnknownChipError

    try:
        out = args.func(args)
    except (CliError, CatalogError, UnknownChipError, ValueError) as exc:
        print(f"chipwatch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into head
        return 0
    if out:
        sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="FILE",
        help="extra catalog YAML file (repeatable; also $CHIPWATCH_CATALOG)",
    )
    common.add_argument(
        "--override",
        action="store_true",
        help="let --catalog chips replace built-in chips with the same id",
    )
    parser = argparse.ArgumentParser(
        prog="chipwatch",
        description="Which AI chip may be sold to whom, on which date, under which rule.",
    )
    parser.add_argument("--version", action="version", version=f"chipwatch {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser(
        "chips", parents=[common], help="list catalog chips with their control metrics"
    )
    p.add_argument("--vendor", help="only this vendor (e.g. NVIDIA, AMD, Huawei)")
    p.add_argument("--market", choices=("datacenter", "workstation", "consumer"))
    p.add_argument(
        "--china-variants", action="store_true", help="only parts cut down for the China market"
    )
    p.add_argument("--sort", choices=api.SORT_KEYS, help="sort key (numbers: largest first)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_chips)

    p = sub.add_parser("show", parents=[common], help="one chip: specs, metrics and sources")
    p.add_argument("name", help="chip name, alias or id (forgiving: 'h20', 'NVIDIA H-20')")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("compare", parents=[common], help="several chips side by side")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_compare)
    return parser


def _source(args: argparse.Namespace) -> Any:
    return api.catalog(args.catalog, override=args.override)


def cmd_chips(args: argparse.Namespace) -> str:
    views = api.chips(
        vendor=args.vendor,
        market=args.market,
        china_variants=True if args.china_variants else None,
        sort=args.sort,
        source=_source(args),
    )
    if args.format == "json":
        return to_json([v.to_dict() for v in views])
    rows = [api.flat_row(v) for v in views]
    if args.format == "csv":
        return to_csv(rows)
    if not rows:
        return "no chips match"
    cols = (
        "name",
        "vendor",
        "market",
        "tpp",
        "performance_density",
        "dram_bandwidth_gbps",
        "io_bandwidth_gbps",
        "memory_gb",
    )
    heads = ("chip", "vendor", "market", "TPP", "PD", "DRAM GB/s", "I/O GB/s", "mem GB")
    return table(heads, [[r[c] for c in cols] for r in rows]) + f"\n{len(rows)} chips"


def cmd_show(args: argparse.Namespace) -> str:
    v = api.chip(args.name, source=_source(args))
    if args.format == "json":
        return to_json(v.to_dict())
    return render_chip(v)


def cmd_compare(args: argparse.Namespace) -> str:
    views = api.compare(args.names, source=_source(args))
    if args.format == "json":
        return to_json([v.to_dict() for v in views])
    rows = [api.flat_row(v) for v in views]
    if args.format == "csv":
        return to_csv(rows)
    fields = [k for k in rows[0] if k != "id"]
    body = table(
        ["", *(r["name"] for r in rows)],
        [[f, *(r[f] for r in rows)] for f in fields if f != "name"],
        align_right=[False] + [True] * len(rows),
    )
    notes = [f"note: {v.resolved_note}" for v in views if v.resolved_note]
    return "\n".join([body, *notes])


def render_chip(v: api.ChipView) -> str:
    """The human-readable ``show`` page."""
    c, m = v.chip, v.metrics
    lines = [f"{c.name} — {c.vendor}  (id {c.id})"]
    facts = [c.variant, c.architecture]
    if c.process_node:
        planar = {True: "non-planar", False: "planar", None: "planarity unknown"}[c.non_planar]
        facts.append(f"{c.process_node} ({planar})")
    facts += [
        c.market + (", cloud-only" if c.cloud_only else ""),
        f"launched {c.launch_date or '—'}",
    ]
    if c.china_variant_of:
        facts.append(f"China variant of {c.china_variant_of}")
    lines.append(" · ".join(f for f in facts if f))
    if v.resolved_note:
        lines.append(f"note: {v.resolved_note}")

    def why(key: str) -> str:
        return f"  ({m.reasons[key]})" if key in m.reasons else ""

    basis = " = ".join(f"{k.upper()} ×{bits}" for k in m.tpp_precisions if (bits := _bits(k)))
    area = (
        f"  (TPP / {fmt(m.applicable_die_area_mm2)} mm² applicable die area)"
        if m.applicable_die_area_mm2
        else why("performance_density")
    )
    if m.performance_density_max is not None:
        area += f"; at most {fmt(m.performance_density_max, 2)}"
    lines += [
        "",
        "Control metrics",
        f"  TPP                    {fmt(m.tpp)}"
        + (f"  ({basis})" if basis else why("tpp"))
        + why("tpp_tf32"),
        f"  performance density    {fmt(m.performance_density, 2)}{area}",
        f"  DRAM bandwidth         {fmt(m.dram_bandwidth_gbps)} GB/s{why('dram_bandwidth_gbps')}",
        f"  I/O bandwidth          {fmt(m.io_bandwidth_gbps)} GB/s bidirectional, excl. memory{why('io_bandwidth_gbps')}",
        f"  DRAM + I/O bandwidth   {fmt(m.dram_plus_io_bandwidth_gbps)} GB/s",
        f"  HBM bandwidth density  {fmt(m.hbm_bandwidth_density, 2)}{why('hbm_bandwidth_density')}",
        "",
        "Dense throughput",
    ]
    rows = []
    for key, q in c.throughput.items():
        bits = _bits(key)
        rows.append(
            [
                key.upper(),
                q.value,
                bits if bits else "not counted",
                q.value * bits if bits else None,
                q.evidence + ("" if q.basis == "published" else f", {q.basis.replace('_', ' ')}"),
            ]
        )
    lines.append(
        _indent(table(["precision", "TFLOPS/TOPS", "bits", "TPP", "evidence"], rows))
        if rows
        else "  none published"
    )
    mem = f"{c.memory_type or '—'}, {fmt(c.memory_gb.value if c.memory_gb else None)} GB"
    lines += [
        "",
        f"Memory        {mem}, {fmt(m.dram_bandwidth_gbps)} GB/s",
        f"Interconnect  {c.scale_up or '—'} {fmt(c.scale_up_gbps.value if c.scale_up_gbps else None)} GB/s; "
        f"PCIe gen {fmt(c.pcie_gen)} x{fmt(c.pcie_lanes)}",
        "Dies          "
        + (
            "; ".join(
                f"{d.count}× {d.name} ({d.kind}, {fmt(d.area_mm2.value if d.area_mm2 else None)} mm²)"
                for d in c.dies
            )
            or "—"
        ),
        f"TDP           {fmt(c.tdp_w.value if c.tdp_w else None)} W",
    ]
    if c.price:
        p = c.price
        rng = f" (range {fmt(p.low)}–{fmt(p.high)})" if p.low != p.high else ""
        lines.append(
            f"Price         ~${fmt(p.usd.value)}{rng} as of {p.date or '—'}"
            + (f" — {p.note}" if p.note else "")
        )
    notes = sorted({f"{k}: {q.note}" for k, q in c.throughput.items() if q.note})
    if notes:
        lines += ["", "Notes on figures", *(f"  {n}" for n in notes)]
    if c.notes:
        lines += ["", f"Notes  {c.notes}"]
    lines += ["", "Sources"]
    lines += [
        f"  [{s.key}] {s.url} ({s.evidence}, retrieved {s.retrieved})" for s in c.sources.values()
    ]
    return "\n".join(lines)


def _bits(key: str) -> int | None:
    from .catalog.schema import BIT_LENGTH

    return BIT_LENGTH.get(key)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
