"""The ``chipwatch`` command line: a thin shell over :mod:`chipwatch.api`.

Only the standard library and the catalog are imported at start-up; commands
import anything heavier inside their own function.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
    from .rules import CslError, UnknownCountryError

    try:
        out = args.func(args)
    except (
        CliError,
        CatalogError,
        UnknownChipError,
        UnknownCountryError,
        CslError,
        ValueError,
    ) as exc:
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

    p = sub.add_parser(
        "check",
        parents=[common],
        help="licence requirement for a chip, destination, date and end user",
    )
    p.add_argument("name", nargs="?", help="catalog chip (or use --spec / --input)")
    p.add_argument(
        "--to", help="destination: ISO code (CN), or a country name in English or Arabic"
    )
    p.add_argument("--on", type=_date, help="date YYYY-MM-DD (default: today)")
    p.add_argument(
        "--end-user", help="end user's name (screened against the Entity List subset and --csl)"
    )
    p.add_argument(
        "--owned-by",
        help="the party owning 50%% or more of the end user (screened; the BIS Affiliates rule)",
    )
    p.add_argument(
        "--spec",
        help="ad-hoc specs instead of a chip: tpp=2368,die_area=814,dram_bw=4000,market=datacenter",
    )
    p.add_argument(
        "--mode",
        choices=("enforcement", "legal-text"),
        default="enforcement",
        help="enforcement (default) skips rules BIS does not enforce (AI Diffusion); legal-text applies the CFR text",
    )
    p.add_argument(
        "--not-from-us",
        action="store_true",
        help="the export leaves from outside the United States (reexport)",
    )
    p.add_argument(
        "--csl",
        metavar="FILE",
        help="also screen against an official Consolidated Screening List CSV",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="show evidence levels, source URLs and missing inputs",
    )
    p.add_argument("--format", choices=("table", "json", "md"), default="table")
    p.add_argument(
        "--audit", metavar="FILE", help="append each determination to this JSON-lines audit log"
    )
    p.add_argument(
        "--input", metavar="CSV", help="bulk: rows with chip (or spec columns), to, on, end_user"
    )
    p.add_argument(
        "--output", metavar="CSV", help="bulk: where to write results (written atomically)"
    )
    p.add_argument(
        "--excel",
        action="store_true",
        help="bulk: write UTF-8 with BOM so Excel shows Arabic correctly",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "timeline",
        parents=[common],
        help="how the answer for a chip and destination changed over time",
    )
    p.add_argument("name", nargs="?")
    p.add_argument("--to", required=True)
    p.add_argument("--spec")
    p.add_argument("--end-user")
    p.add_argument("--owned-by", help="the party owning 50%% or more of the end user")
    p.add_argument(
        "--from", dest="start", type=_date, default=None, help="start date (default 2022-08-01)"
    )
    p.add_argument("--until", dest="end", type=_date, default=None, help="end date (default today)")
    p.add_argument("--mode", choices=("enforcement", "legal-text"), default="enforcement")
    p.add_argument("--format", choices=("table", "json", "md"), default="table")
    p.set_defaults(func=cmd_timeline)

    p = sub.add_parser(
        "infer", help="serve an LLM on a chip: fit, TTFT, TPOT, tokens/s, Pareto curve"
    )
    p.add_argument(
        "model",
        help="model name or alias (DeepSeek-R1, Llama-3.1-70B, Qwen3-32B, gpt-oss-120b, ...)",
    )
    p.add_argument("--chip", required=True)
    p.add_argument("--chips", type=int, help="chips per instance (default: the fewest that fit)")
    p.add_argument("--instances", type=int, default=1)
    p.add_argument("--isl", type=int, default=1024, help="input tokens per request")
    p.add_argument("--osl", type=int, default=1024, help="output tokens per request")
    p.add_argument(
        "--concurrency",
        type=int,
        help="requests in flight per instance (default: best under the SLA)",
    )
    p.add_argument("--precision", default="fp8", choices=("bf16", "fp8", "int8", "fp4"))
    p.add_argument("--kv-precision", choices=("bf16", "fp8"))
    p.add_argument("--tp", type=int)
    p.add_argument("--ep", type=int)
    p.add_argument("--dp", type=int, help="attention data parallelism")
    p.add_argument("--pp", type=int, default=1)
    p.add_argument("--sla-tpot-ms", type=float, help="latency target per output token")
    p.add_argument("--sla-ttft-ms", type=float, help="latency target to the first token")
    p.add_argument(
        "--benchmark-rounds", type=int,
        help="report TTFT as a closed-loop benchmark of N requests per concurrency slot measures "
        "it (all start at once; InferenceMAX uses 10); default: steady state",
    )
    p.add_argument(
        "--mtp", type=int, default=0, metavar="N",
        help="speculative decoding with the model's multi-token-prediction module: N draft tokens "
        "per step (DeepSeek-V3/R1; default 0, off)",
    )
    p.add_argument(
        "--mtp-acceptance", type=float, metavar="A",
        help="probability that a draft token is accepted (default 0.85, DeepSeek-V3 report)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_infer)

    p = sub.add_parser("train", help="GPU-hours, days, cost and MFU to train an LLM")
    p.add_argument("model")
    p.add_argument("--chip", required=True)
    p.add_argument("--chips", type=int, required=True)
    p.add_argument("--tokens", type=float, required=True, help="training tokens, e.g. 14.8e12")
    p.add_argument("--mfu", type=float, help="use this MFU instead of modelling it")
    p.add_argument(
        "--price-per-hour", type=float, default=2.0, help="USD per chip-hour (default 2)"
    )
    p.add_argument(
        "--goodput", type=float, default=0.9,
        help="fraction of wall time that makes progress over the run (default 0.9)",
    )
    p.add_argument("--precision", default="bf16", choices=("bf16", "fp8", "fp8_block", "fp4"))
    p.add_argument("--tp", type=int)
    p.add_argument("--pp", type=int)
    p.add_argument("--ep", type=int)
    p.add_argument(
        "--vp", type=int, default=None,
        help="virtual pipeline stages (interleaved schedule; default 2 when pipelined)"
    )
    p.add_argument("--seq-len", type=int, default=4096)
    p.add_argument("--global-batch-tokens", type=float, default=16 * 2**20)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "capability", help="which chip serves a model better, per chip and per dollar"
    )
    p.add_argument("model")
    p.add_argument(
        "--chips",
        required=True,
        help="comma-separated chip names, e.g. 'H20,H100 SXM,H800,Ascend 910C'",
    )
    p.add_argument(
        "--workload", default="reasoning", choices=("reasoning", "chat", "prefill-heavy")
    )
    p.add_argument("--precision", default="fp8", choices=("bf16", "fp8", "int8", "fp4"))
    p.add_argument("--plot", metavar="FILE", help="write the Pareto curves as PNG or SVG")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_capability)

    p = sub.add_parser("validate", help="compare the capability model with measured results")
    p.add_argument(
        "--truth", help="CSV in the perf_truth_dev.csv column format (default: the shipped dev set)"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("fleet", help="turn a spend or unit count into chips, compute and capacity")
    p.add_argument("name", nargs="?", help="chip (or use --input for a mixed fleet)")
    p.add_argument("--spend", help="money spent, e.g. 18e9, $18B, '18 billion'")
    p.add_argument("--units", type=float, help="number of chips")
    p.add_argument("--unit-price", help="USD per chip (default: the catalog's cited price range)")
    p.add_argument(
        "--input",
        metavar="CSV",
        help="mixed fleet: rows with chip and units or spend (and unit_price)",
    )
    p.add_argument("--on", type=_date, help="date for the export determination of each chip")
    p.add_argument("--to", help="destination for the export determination (with --on)")
    p.add_argument(
        "--compare", metavar="NAME", help="also show the same spend on this chip (e.g. 'H100 SXM')"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_fleet)

    p = sub.add_parser(
        "frontier", help="the most capable design a rule still allows for a destination and date"
    )
    p.add_argument("--to", required=True)
    p.add_argument("--on", type=_date, help="date (default: today)")
    p.add_argument(
        "--base", default="H100 SXM", help="base chip whose die, memory and links the design keeps"
    )
    p.add_argument(
        "--objective", default="decode", choices=("decode", "prefill", "training", "tpp")
    )
    p.add_argument(
        "--model", default="Llama-3.1-70B", help="model for the decode/prefill/training objectives"
    )
    p.add_argument(
        "--zone",
        choices=("case-by-case", "approval"),
        help="inside this review-policy zone instead of licence-free",
    )
    p.add_argument("--candidates", type=int, default=200_000)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_frontier)

    p = sub.add_parser(
        "map", help="chips on TPP x performance density with the control regions in force"
    )
    p.add_argument("--on", type=_date, help="date (default: today)")
    p.add_argument("--to", default="CN", help="destination (default CN)")
    p.add_argument(
        "--plot", metavar="FILE", help="write FILE.png, FILE.svg or an interactive FILE.html"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_map)

    p = sub.add_parser(
        "analyze", help="check a news article (Arabic or English): entities, claims, verdicts"
    )
    p.add_argument("file", help="article text file, or - for standard input")
    p.add_argument("--date", type=_date, help="the article's date when the text does not state it")
    p.add_argument("--lang", choices=("ar", "en"), help="report language (default: the article's)")
    p.add_argument("--format", choices=("md", "json", "html"), default="md")
    p.add_argument(
        "--output",
        metavar="FILE",
        help="write the report to FILE (atomically) instead of standard output",
    )
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser(
        "rules", help="list the regulatory events chipwatch knows; 'rules show ID' for one"
    )
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("id", nargs="?")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("serve", help="run the web app and HTTP API (http://127.0.0.1:8000 by default)")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.set_defaults(func=cmd_serve)
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: use 1-65535")
    return int(text)


def cmd_serve(args: argparse.Namespace) -> str:
    import uvicorn

    print(f"chipwatch: serving on http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    uvicorn.run("chipwatch.web:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="warning", access_log=False)
    return ""


def cmd_infer(args: argparse.Namespace) -> str:
    from .capability import infer
    from .capability.render import infer_text

    r = infer(
        args.model,
        chip=args.chip,
        chips=args.chips,
        instances=args.instances,
        isl=args.isl,
        osl=args.osl,
        concurrency=args.concurrency,
        precision=args.precision,
        kv_precision=args.kv_precision,
        tp=args.tp,
        ep=args.ep,
        dp=args.dp,
        pp=args.pp,
        sla_tpot_ms=args.sla_tpot_ms,
        sla_ttft_ms=args.sla_ttft_ms,
        benchmark_rounds=args.benchmark_rounds,
        mtp=args.mtp,
        mtp_acceptance=args.mtp_acceptance,
    )
    return to_json(r) if args.format == "json" else infer_text(r)


def cmd_train(args: argparse.Namespace) -> str:
    from .capability import train
    from .capability.render import train_text

    r = train(
        args.model,
        chip=args.chip,
        chips=args.chips,
        tokens=args.tokens,
        mfu=args.mfu,
        price_per_hour=args.price_per_hour,
        goodput=args.goodput,
        precision=args.precision,
        tp=args.tp,
        pp=args.pp,
        ep=args.ep,
        vp=args.vp,
        seq_len=args.seq_len,
        global_batch_tokens=args.global_batch_tokens,
    )
    return to_json(r) if args.format == "json" else train_text(r)


def cmd_capability(args: argparse.Namespace) -> str:
    from .capability import capability
    from .capability.render import capability_text, pareto_plot

    names = [n.strip() for n in args.chips.split(",") if n.strip()]
    if not names:
        raise CliError("--chips needs at least one chip name")
    rows = capability(args.model, names, workload=args.workload, precision=args.precision)
    note = ""
    if args.plot:
        pareto_plot(rows, args.plot)
        note = f"\nplot written to {args.plot}"
    return to_json(rows) if args.format == "json" else capability_text(rows) + note


def cmd_validate(args: argparse.Namespace) -> str:
    from .capability.calibrate import DEV_TRUTH
    from .capability.render import validation_text
    from .capability.validate import validate_file

    path = args.truth or str(DEV_TRUTH)
    try:
        result = validate_file(path)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    except KeyError as exc:
        raise CliError(
            f"{path}: missing column {exc}; expected kind,model,hardware,n_chips,precision,parallelism,"
            "isl,osl,concurrency,metric,value,unit,source_url,notes"
        ) from None
    return to_json(result) if args.format == "json" else validation_text(result)


def cmd_fleet(args: argparse.Namespace) -> str:
    from .scenarios.fleet import FleetItem, fleet
    from .scenarios.render import fleet_text

    items = _fleet_items(args)
    on = args.on or (dt.date.today() if args.to else None)
    result = fleet(items, on=on, to=args.to)
    if args.compare:
        spend = sum(i.spend or 0 for i in items)
        if not spend:
            raise CliError(
                "--compare needs a spend (--spend or spend column) to re-spend on the other chip"
            )
        result["comparison"] = fleet([FleetItem(args.compare, spend=spend)], on=on, to=args.to)
    return to_json(result) if args.format == "json" else fleet_text(result)


def _fleet_items(args: argparse.Namespace) -> list[Any]:
    import csv

    from .scenarios.fleet import FleetItem, parse_money

    if args.input:
        if args.name or args.spend or args.units:
            raise CliError("use either --input or a chip with --spend/--units")
        try:
            with open(args.input, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as exc:
            raise CliError(f"cannot read {args.input}: {exc}") from None
        items = []
        for n, row in enumerate(rows, start=2):
            chip = (row.get("chip") or "").strip()
            if not chip:
                raise CliError(f"{args.input} line {n}: empty 'chip' column")
            try:
                items.append(
                    FleetItem(
                        chip,
                        units=float(row["units"]) if (row.get("units") or "").strip() else None,
                        spend=parse_money(row["spend"])
                        if (row.get("spend") or "").strip()
                        else None,
                        unit_price=parse_money(row["unit_price"])
                        if (row.get("unit_price") or "").strip()
                        else None,
                    )
                )
            except ValueError as exc:
                raise CliError(f"{args.input} line {n}: {exc}") from None
        return items
    if not args.name:
        raise CliError("fleet needs a chip name (or --input FILE)")
    if (args.spend is None) == (args.units is None):
        raise CliError("give exactly one of --spend or --units")
    return [
        FleetItem(
            args.name,
            units=args.units,
            spend=parse_money(args.spend) if args.spend else None,
            unit_price=parse_money(args.unit_price) if args.unit_price else None,
        )
    ]


def cmd_frontier(args: argparse.Namespace) -> str:
    from .scenarios.frontier import frontier
    from .scenarios.render import frontier_text

    r = frontier(
        to=args.to,
        on=args.on or dt.date.today(),
        base=args.base,
        objective=args.objective,
        model=args.model,
        zone=args.zone,
        candidates=args.candidates,
    )
    return to_json(r) if args.format == "json" else frontier_text(r)


def cmd_map(args: argparse.Namespace) -> str:
    from .scenarios.rulemap import map_text, plot, rule_map

    r = rule_map(args.on or dt.date.today(), args.to)
    note = ""
    if args.plot:
        plot(r, args.plot)
        note = f"\nplot written to {args.plot}"
    if args.format == "json":
        return to_json({k: v for k, v in r.items() if k != "grid"})
    return map_text(r) + note


def cmd_analyze(args: argparse.Namespace) -> str:
    from .news import analyze
    from .news.report import html_page, markdown

    text = _read_article(args.file)
    result = analyze(text, article_date=args.date, report_language=args.lang)
    if args.format == "json":
        out = to_json(result)
    elif args.format == "html":
        out = html_page(result, text)
    else:
        out = markdown(result)
    if args.output:
        _write_text_atomically(args.output, out)
        return f"report written to {args.output}"
    return out


def _read_article(path: str) -> str:
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                raw = fh.read()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    if not raw.strip():
        raise CliError(f"{path}: the article is empty")
    if b"\x00" in raw[:4096]:
        raise CliError(f"{path}: this looks like a binary file, not an article")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1256")  # Windows Arabic
        except UnicodeDecodeError:
            raise CliError(f"{path}: not UTF-8 (or Windows-1256) text") from None


def _write_text_atomically(path: str, text: str) -> None:
    import os
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".chipwatch-", suffix=".tmp")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: use YYYY-MM-DD") from None


def _screener(args: argparse.Namespace) -> Any:
    if not getattr(args, "csl", None):
        return None
    from .rules import load_csl

    return load_csl(args.csl)


def cmd_check(args: argparse.Namespace) -> str:
    if args.input:
        return _bulk_check(args)
    if not args.to:
        raise CliError("check needs --to CC (destination), e.g. --to CN")
    if (args.name is None) == (args.spec is None):
        raise CliError(
            "check needs a chip name or --spec (e.g. --spec tpp=2368,die_area=814,dram_bw=4000)"
        )
    d = api.check(
        args.name,
        to=args.to,
        on=args.on or dt.date.today(),
        end_user=args.end_user,
        spec=args.spec,
        mode=args.mode,
        exported_from_us=not args.not_from_us,
        screener=_screener(args),
        source=_source(args),
        owned_by=args.owned_by,
    )
    if args.audit:
        _audit(args.audit, vars(args), d.to_dict())
    from .rules.render import determination_md, determination_text

    if args.format == "json":
        return to_json(d.to_dict())
    if args.format == "md":
        return determination_md(d)
    return determination_text(d, explain=args.explain)


def cmd_timeline(args: argparse.Namespace) -> str:
    if (args.name is None) == (args.spec is None):
        raise CliError("timeline needs a chip name or --spec")
    entries = api.timeline(
        args.name,
        to=args.to,
        start=args.start or dt.date(2022, 8, 1),
        end=args.end,
        end_user=args.end_user,
        spec=args.spec,
        mode=args.mode,
        source=_source(args),
        owned_by=args.owned_by,
    )
    from .rules.render import timeline_text

    if args.format == "json":
        return to_json([e.to_dict() for e in entries])
    return timeline_text(entries, markdown=args.format == "md")


def cmd_rules(args: argparse.Namespace) -> str:
    from .rules import load_rules
    from .rules.render import event_text, events_text

    rules = load_rules()
    if args.action == "show":
        if not args.id:
            raise CliError("rules show needs an event id (see 'chipwatch rules')")
        event = rules.by_id.get(args.id)
        if event is None:
            import difflib

            close = difflib.get_close_matches(args.id, list(rules.by_id), n=3, cutoff=0.4)
            raise CliError(
                f"unknown rule {args.id!r}"
                + (f"; did you mean {', '.join(close)}?" if close else "")
            )
        return to_json(event.to_dict()) if args.format == "json" else event_text(event)
    events = sorted(rules.events, key=lambda e: e.effective)
    if args.format == "json":
        return to_json([e.to_dict() for e in events])
    return events_text(events) + f"\n{len(events)} events · data {rules.version}"


def _audit(path: str, inputs: dict[str, Any], result: dict[str, Any]) -> None:
    """Append one JSON line (one write call, so concurrent appends do not interleave)."""
    import json
    import os

    record = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "inputs": {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in inputs.items()
            if k != "func"
        },
        "result": result,
        "data_version": result.get("data_version"),
    }
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as exc:
        raise CliError(f"cannot write audit log {path}: {exc}") from None


BULK_RESULT_COLUMNS = (
    "classification",
    "license_required",
    "review_policy",
    "license_exceptions",
    "conditions",
    "import_restrictions",
    "reasons",
    "data_version",
    "error",
)


def _bulk_check(args: argparse.Namespace) -> str:
    """Check every row of a CSV; per-row errors go in the 'error' column."""
    import csv

    if not args.output:
        raise CliError("--input needs --output FILE for the results")
    try:
        with open(args.input, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = list(reader.fieldnames or [])
            rows = list(reader)
    except OSError as exc:
        raise CliError(f"cannot read {args.input}: {exc}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise CliError(f"{args.input} is not a readable UTF-8 CSV file: {exc}") from None
    if not fields:
        raise CliError(
            f"{args.input} has no header row; expected columns such as chip,to,on,end_user"
        )
    screener, source = _screener(args), _source(args)
    out_rows, counts = [], {"required": 0, "not required": 0, "undetermined": 0, "error": 0}
    for line_no, row in enumerate(rows, start=2):
        result = dict.fromkeys(BULK_RESULT_COLUMNS, "")
        try:
            d = _check_row(row, args, screener, source)
        except Exception as exc:
            result["error"] = f"line {line_no}: {exc}"
            counts["error"] += 1
        else:
            data = d.to_dict()
            result.update(
                classification=d.classification,
                license_required={True: "yes", False: "no", None: "undetermined"}[
                    d.license_required
                ],
                review_policy=d.review_policy or "",
                license_exceptions="; ".join(x["id"] for x in d.license_exceptions),
                conditions="; ".join(c["text"] for c in d.conditions),
                import_restrictions="; ".join(m["text"] for m in d.import_restrictions),
                reasons=" | ".join(f"[{r.rule}] {r.paragraph}: {r.text}" for r in d.reasons),
                data_version=d.data_version,
            )
            counts[
                {True: "required", False: "not required", None: "undetermined"}[d.license_required]
            ] += 1
            if args.audit:
                _audit(args.audit, {"row": line_no, **row}, data)
        out_rows.append({**row, **result})
    _write_csv_atomically(
        args.output,
        fields + [c for c in BULK_RESULT_COLUMNS if c not in fields],
        out_rows,
        bom=args.excel,
    )
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    return f"{len(out_rows)} rows checked ({summary or 'none'}) → {args.output}"


def _check_row(row: dict[str, str], args: argparse.Namespace, screener: Any, source: Any) -> Any:
    from .rules.engine import SPEC_KEYS

    def get(*keys: str) -> str | None:
        return next((row[k].strip() for k in keys if row.get(k) and row[k].strip()), None)

    to = get("to", "destination", "country") or args.to
    if not to:
        raise CliError("no destination: add a 'to' column or pass --to")
    on_text = get("on", "date")
    on = _date_or_error(on_text) if on_text else (args.on or dt.date.today())
    spec_keys = [*SPEC_KEYS, "die_area", "market", "vendor", "kind"]
    spec = {k: row[k].strip() for k in spec_keys if row.get(k) and row[k].strip()}
    name = get("chip", "name")
    if name and spec:
        raise CliError("give either a chip name or spec columns, not both")
    if name is None and not spec:
        raise CliError(
            "no chip: fill the 'chip' column or spec columns such as tpp, die_area, dram_bw"
        )
    if spec and get("name"):
        spec["name"] = get("name") or ""
    return api.check(
        name,
        to=to,
        on=on,
        end_user=get("end_user", "end user"),
        owned_by=get("owned_by", "owned by", "owner") or getattr(args, "owned_by", None),
        spec=spec or None,
        mode=args.mode,
        exported_from_us=not args.not_from_us,
        screener=screener,
        source=source,
    )


def _date_or_error(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"invalid date {text!r}: use YYYY-MM-DD") from None


def _write_csv_atomically(
    path: str, fields: list[str], rows: list[dict[str, Any]], *, bom: bool
) -> None:
    import csv
    import os
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".chipwatch-", suffix=".csv.tmp")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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
