"""The JSON HTTP API: one route per capability, each calling the same core function as the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from .. import api

router = APIRouter(prefix="/api")
# Look-ups that take well under a millisecond are `async def` (no thread hop); the heavier
# model runs stay plain `def` so FastAPI runs them in its thread pool.
MAX_BODY = 2 * 1024 * 1024  # bytes accepted in POST bodies (articles, CSV uploads)
BULK_COLUMNS = ("chip", "to", "on", "end_user", "owned_by")  # other CSV columns of a bulk check are spec fields


def _today() -> dt.date:
    return dt.date.today()


@router.get("/chips", summary="List catalog chips with their control metrics")
async def chips(
    vendor: str | None = None,
    market: Annotated[str | None, Query(pattern="^(datacenter|workstation|consumer)$")] = None,
    china_variants: bool = False,
    sort: Annotated[str | None, Query(pattern="^(" + "|".join(api.SORT_KEYS) + ")$")] = None,
) -> list[dict[str, Any]]:
    return [v.to_dict() for v in api.chips(vendor=vendor, market=market, china_variants=True if china_variants else None, sort=sort)]


@router.get("/chips/{name}", summary="One chip: specs, metrics and sources")
async def chip(name: str) -> dict[str, Any]:
    return api.chip(name).to_dict()


@router.get("/compare", summary="Several chips side by side")
async def compare(names: Annotated[str, Query(min_length=1, description="comma-separated chip names")]) -> list[dict[str, Any]]:
    return [v.to_dict() for v in api.compare([n.strip() for n in names.split(",") if n.strip()])]


@router.get("/check", summary="Licence requirement for a chip, destination, date and end user")
async def check(
    to: Annotated[str, Query(min_length=2, description="ISO code or country name (English or Arabic)")],
    chip: str | None = None,
    spec: str | None = None,
    on: dt.date | None = None,
    end_user: str | None = None,
    mode: Annotated[str, Query(pattern="^(enforcement|legal-text)$")] = "enforcement",
    exported_from_us: bool = True,
    owned_by: Annotated[str | None, Query(description="party owning 50% or more of the end user (Affiliates rule)")] = None,
) -> dict[str, Any]:
    if (chip is None) == (spec is None):
        raise _invalid("chip", "give either chip or spec")
    d = api.check(chip, to=to, on=on or _today(), end_user=end_user, spec=spec, mode=mode, exported_from_us=exported_from_us,
                  owned_by=owned_by)
    return d.to_dict()


MAX_BULK_ROWS = 5000  # one upload stays a few seconds of work


@router.post("/check/bulk", summary="Check every row of an uploaded CSV (chip or spec columns, to, on, end_user)")
async def check_bulk(file: Annotated[UploadFile, File()], on: dt.date | None = None) -> dict[str, Any]:
    raw = await file.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise HTTPException(413, f"file larger than {MAX_BODY} bytes")
    try:
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _invalid("file", f"not a UTF-8 CSV file: {exc}") from None
    if len(rows) > MAX_BULK_ROWS:
        raise _invalid("file", f"{len(rows)} rows; at most {MAX_BULK_ROWS} per upload (the CLI has no limit)")
    return {"rows": await run_in_threadpool(_check_rows, rows, on or _today())}


def _check_rows(rows: list[dict[str, Any]], on: dt.date) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=2):
        if None in row:  # csv.DictReader's key for cells beyond the header
            out.append({"row": n, "input": {k: v for k, v in row.items() if k is not None},
                        "error": f"row {n} has more cells than the header has columns"})
            continue
        chip = row.get("chip") or None
        spec = None if chip else {k: v for k, v in row.items() if k not in BULK_COLUMNS and v} or None
        try:
            when = dt.date.fromisoformat(row["on"]) if row.get("on") else on
            d = api.check(chip, to=row.get("to") or "", on=when, end_user=row.get("end_user") or None, spec=spec,
                          owned_by=row.get("owned_by") or None)
            out.append({"row": n, "input": row, "result": d.to_dict()})
        except (ValueError, LookupError) as exc:
            out.append({"row": n, "input": row, "error": str(exc)})
    return out


@router.get("/timeline", summary="How the answer for a chip and destination changed over time")
async def timeline(chip: str, to: str, start: dt.date = dt.date(2022, 8, 1), end: dt.date | None = None, end_user: str | None = None,
                   owned_by: str | None = None) -> list[dict[str, Any]]:
    return [e.to_dict() for e in api.timeline(chip, to=to, start=start, end=end or _today(), end_user=end_user, owned_by=owned_by)]


@router.get("/rules", summary="Regulatory events kept as data")
async def rules() -> list[dict[str, Any]]:
    from ..rules import load_rules

    return [e.to_dict() for e in sorted(load_rules().events, key=lambda e: e.effective)]


@router.get("/rules/{event_id}", summary="One regulatory event")
async def rule(event_id: str) -> dict[str, Any]:
    from ..rules import load_rules

    event = load_rules().by_id.get(event_id)
    if event is None:
        raise HTTPException(404, f"unknown rule {event_id!r}")
    return event.to_dict()


@router.get("/infer", summary="Serve a model on a chip: TTFT, TPOT, throughput, Pareto curve")
def infer(
    model: str,
    chip: str,
    chips: Annotated[int | None, Query(ge=1, le=1024)] = None,
    isl: Annotated[int, Query(ge=1, le=1_000_000)] = 1024,
    osl: Annotated[int, Query(ge=1, le=1_000_000)] = 1024,
    concurrency: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    precision: Annotated[str, Query(pattern="^(bf16|fp8|int8|fp4)$")] = "fp8",
    sla_tpot_ms: Annotated[float | None, Query(gt=0)] = None,
    sla_ttft_ms: Annotated[float | None, Query(gt=0)] = None,
    benchmark_rounds: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    mtp: Annotated[int, Query(ge=0, le=8)] = 0,
    mtp_acceptance: Annotated[float | None, Query(ge=0, lt=1)] = None,
) -> dict[str, Any]:
    from ..capability import infer as run

    return run(model, chip=chip, chips=chips, isl=isl, osl=osl, concurrency=concurrency, precision=precision,
               sla_tpot_ms=sla_tpot_ms, sla_ttft_ms=sla_ttft_ms, benchmark_rounds=benchmark_rounds,
               mtp=mtp, mtp_acceptance=mtp_acceptance)


@router.get("/train", summary="GPU-hours, days, cost and MFU to train a model")
def train(
    model: str,
    chip: str,
    chips: Annotated[int, Query(ge=1, le=1_000_000)],
    tokens: Annotated[float, Query(gt=0)],
    mfu: Annotated[float | None, Query(gt=0, le=1)] = None,
    price_per_hour: Annotated[float, Query(gt=0)] = 2.0,
    precision: Annotated[str, Query(pattern="^(bf16|fp8|fp8_block|fp4)$")] = "bf16",
) -> dict[str, Any]:
    from ..capability import train as run

    return run(model, chip=chip, chips=chips, tokens=tokens, mfu=mfu, price_per_hour=price_per_hour, precision=precision)


@router.get("/capability", summary="Which chip serves a model better, per chip and per dollar")
def capability(
    model: str,
    chips: Annotated[str, Query(min_length=1)],
    workload: Annotated[str, Query(pattern="^(reasoning|chat|prefill-heavy)$")] = "reasoning",
) -> list[dict[str, Any]]:
    from ..capability import capability as run

    return run(model, chip_list(chips), workload=workload)


MAX_CAPABILITY_CHIPS = 12  # each chip is a full serving sweep (~50 ms); bounds one request's CPU time


def chip_list(text: str) -> list[str]:
    """Comma-separated chip names for a capability comparison, at most MAX_CAPABILITY_CHIPS."""
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names or len(names) > MAX_CAPABILITY_CHIPS:
        raise _invalid("chips", f"give 1 to {MAX_CAPABILITY_CHIPS} comma-separated chip names (got {len(names)})")
    return names


@router.get("/fleet", summary="Turn a spend or a unit count into chips, compute and capacity")
def fleet(
    chip: str,
    spend: str | None = None,
    units: Annotated[float | None, Query(gt=0)] = None,
    unit_price: str | None = None,
    on: dt.date | None = None,
    to: str | None = None,
    compare: str | None = None,
) -> dict[str, Any]:
    from ..scenarios.fleet import FleetItem, parse_money
    from ..scenarios.fleet import fleet as run

    if (spend is None) == (units is None):
        raise _invalid("spend", "give exactly one of spend or units")
    item = FleetItem(chip, units=units, spend=parse_money(spend) if spend else None, unit_price=parse_money(unit_price) if unit_price else None)
    when = on or (_today() if to else None)
    result = run([item], on=when, to=to)
    if compare and not item.spend:
        raise _invalid("compare", "compare needs a spend to re-spend on the other chip")
    if compare:
        result["comparison"] = run([FleetItem(compare, spend=item.spend)], on=when, to=to)
    return result


@router.get("/frontier", summary="The most capable design a rule still allows")
def frontier(
    to: str,
    on: dt.date | None = None,
    base: str = "H100 SXM",
    objective: Annotated[str, Query(pattern="^(decode|prefill|training|tpp)$")] = "decode",
    model: str = "Llama-3.1-70B",
    zone: Annotated[str | None, Query(pattern="^(case-by-case|approval)$")] = None,
    candidates: Annotated[int, Query(ge=1_000, le=1_000_000)] = 200_000,
) -> dict[str, Any]:
    from ..scenarios.frontier import frontier as run

    return run(to=to, on=on or _today(), base=base, objective=objective, model=model, zone=zone, candidates=candidates)


@router.get("/map", summary="Chips with their determination on a date, and the change dates")
def rule_map(on: dt.date | None = None, to: str = "CN") -> dict[str, Any]:
    from ..rules import countries

    return _rule_map(on or _today(), countries().resolve(to).code)


@functools.lru_cache(maxsize=256)
def _rule_map(on: dt.date, to: str) -> dict[str, Any]:
    """The map for one date and destination; the rules are fixed for the process, so cached (the slider
    revisits the same change dates)."""
    from ..rules.engine import change_dates
    from ..scenarios.rulemap import STATUS_COLORS, region_color
    from ..scenarios.rulemap import rule_map as run

    r = run(on, to)
    g, step = r["grid"], 4  # every 4th grid line: enough to draw the regions, ~12x less JSON
    regions = {"tpp": g["tpp"][::step].round(1).tolist(), "performance_density": g["performance_density"][::step].round(3).tolist(),
               "region": g["region"][::step, ::step].tolist(), "region_labels": g["region_labels"],
               "region_colors": [region_color(label, i) for i, label in enumerate(g["region_labels"])]}
    return {k: v for k, v in r.items() if k != "grid"} | {
        "regions": regions, "status_colors": STATUS_COLORS, "change_dates": [d.isoformat() for d in change_dates() if d >= dt.date(2022, 1, 1)]}


@router.post("/analyze", summary="Check a news article (Arabic or English)")
async def analyze(request: Request) -> dict[str, Any]:
    from ..news import AnalysisError
    from ..news import analyze as run

    raw = await _body(request)
    ctype = request.headers.get("content-type", "")
    date, lang = request.query_params.get("date"), request.query_params.get("lang")
    if ctype.startswith("application/json"):
        import json

        try:
            payload = json.loads(raw)
        except ValueError:
            raise _invalid("body", "not valid JSON") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise _invalid("text", "a JSON object with a 'text' string is required")
        text, date, lang = payload["text"], payload.get("date", date), payload.get("lang", lang)
        if not isinstance(date, str | None):
            raise _invalid("date", "a YYYY-MM-DD string")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _invalid("body", "the article must be UTF-8 text") from None
    if not text.strip():
        raise _invalid("text", "the article is empty: send its text as the body")
    if lang not in (None, "ar", "en"):
        raise _invalid("lang", "ar or en")
    try:
        when = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise _invalid("date", "YYYY-MM-DD") from None
    try:
        return await run_in_threadpool(run, text, article_date=when, report_language=lang)
    except AnalysisError as exc:
        raise _invalid("text", str(exc)) from None


@router.get("/validate", summary="Capability model vs the measured results shipped with chipwatch")
def validate_shipped() -> dict[str, Any]:
    from ..capability.calibrate import DEV_TRUTH
    from ..capability.validate import validate_file

    return validate_file(str(DEV_TRUTH))


@router.post("/validate", summary="Capability model vs measured results in an uploaded CSV (perf_truth_dev.csv format)")
async def validate_upload(request: Request) -> dict[str, Any]:
    from ..capability.validate import validate as run

    raw = await _body(request)
    try:
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _invalid("body", f"not a UTF-8 CSV: {exc}") from None
    required = {"kind", "model", "hardware", "metric", "value"}
    if not rows or not required <= set(rows[0]):
        raise _invalid("body", f"a CSV with columns {', '.join(sorted(required))} (perf_truth_dev.csv format)")
    return await run_in_threadpool(run, rows)


async def _body(request: Request) -> bytes:
    size = int(request.headers.get("content-length") or 0)
    if size > MAX_BODY:
        raise HTTPException(413, f"request body larger than {MAX_BODY} bytes")
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY:
            raise HTTPException(413, f"request body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class InvalidInput(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(field, message)
