"""Server-rendered pages in English and Arabic (``?lang=ar``), with HTMX partials."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from .. import api
from ..rules.model import POLICY_NAMES, classification_label

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")

T = {
    "en": {
        "title": "chipwatch", "tagline": "Which AI chip may be sold to whom, on which date, under which rule — and what can the buyer do with it?",
        "home": "Home", "catalog": "Catalog", "map": "Rule map", "capability": "Capability", "analyze": "Article check", "api": "API",
        "ask": "Ask", "ask_placeholder": "H20 to China on 2025-05-01?  ·  compare H20 H100", "today_rules": "Rules in force today", "at_a_glance": "Licence needed today?",
        "chip": "Chip", "vendor": "Vendor", "market": "Market", "tpp": "TPP", "pd": "Perf. density", "dram": "DRAM GB/s",
        "io": "I/O GB/s", "memory": "Memory GB", "all": "all", "china_only": "China variants only", "filter": "Filter",
        "specs": "Specifications", "metrics": "Control metrics", "sources": "Sources", "determination": "Export determination",
        "destination": "Destination", "date": "Date", "end_user": "End user (optional)", "owned_by": "Owned 50%+ by (optional)", "check": "Check", "timeline": "Timeline", "main_nav": "Main", "variant_of": "China variant of", "pareto": "Throughput versus interactivity (Pareto)", "list_sep": ", ", "timeline_table": "The timeline as a table", "from": "From", "until": "Until", "changed_by": "Changed by",
        "classification": "Classification", "answer": "Answer", "reasons": "Reasons", "exceptions": "Licence exceptions",
        "conditions": "Conditions", "import_side": "Import side", "licence_required": "licence required",
        "no_licence": "no licence required", "undetermined": "undetermined",
        "slider": "Date", "status": "Status", "model": "Model", "chips": "Chips", "workload": "Workload", "compare": "Compare",
        "per_chip": "tokens/s per chip", "per_user": "tokens/s per user", "per_1k": "tokens/s per $1,000",
        "bottleneck": "Bottleneck", "training": "Training cost", "tokens": "Tokens", "count": "Number of chips",
        "price_hour": "$ per chip-hour", "compute": "Compute", "fleet": "Fleet", "spend": "Spend (e.g. $18B)",
        "units": "Units", "h100eq": "H100-equivalents", "by_tpp": "by TPP", "by_bw": "by memory bandwidth",
        "power": "Power (MW)", "article": "Article text", "upload": "or upload a file", "analyze_btn": "Check the article",
        "claims": "Claims", "entities": "Entities", "language": "العربية", "digits": "Digits",
        "latin_digits": "0-9", "arabic_digits": "٠-٩", "error": "Error", "not_found": "Not found", "gpu_hours": "GPU-hours",
        "days": "days", "precision": "Precision", "evidence": "Evidence", "cost": "cost", "mfu": "MFU",
    },
    "ar": {
        "title": "chipwatch", "tagline": "أي رقاقة ذكاء اصطناعي يجوز بيعها لمن، وفي أي تاريخ، وبموجب أي قاعدة — وماذا يستطيع المشتري أن يفعل بها؟",
        "home": "الرئيسية", "catalog": "الفهرس", "map": "خريطة القواعد", "capability": "القدرات", "analyze": "تدقيق مقال", "api": "الواجهة البرمجية",
        "ask": "اسأل", "ask_placeholder": "H20 إلى الصين في 2025-05-01؟  ·  compare H20 H100", "today_rules": "القواعد السارية اليوم", "at_a_glance": "هل يلزم ترخيص اليوم؟",
        "chip": "الرقاقة", "vendor": "المصنّع", "market": "السوق", "tpp": "TPP", "pd": "كثافة الأداء", "dram": "الذاكرة GB/s",
        "io": "الإدخال/الإخراج GB/s", "memory": "الذاكرة GB", "all": "الكل", "china_only": "نسخ الصين فقط", "filter": "تصفية",
        "specs": "المواصفات", "metrics": "مقاييس الرقابة", "sources": "المصادر", "determination": "قرار التصدير",
        "destination": "الوجهة", "date": "التاريخ", "end_user": "المستخدم النهائي (اختياري)", "owned_by": "مملوك بنسبة 50% أو أكثر لـ (اختياري)", "check": "تحقّق", "timeline": "الخط الزمني", "main_nav": "القائمة الرئيسية", "variant_of": "نسخة الصين من", "pareto": "الإنتاجية مقابل التفاعلية (منحنى باريتو)", "list_sep": "، ", "timeline_table": "الخط الزمني في جدول", "from": "من", "until": "حتى", "changed_by": "سبب التغيير",
        "classification": "التصنيف", "answer": "الجواب", "reasons": "الأسباب", "exceptions": "استثناءات الترخيص",
        "conditions": "الشروط", "import_side": "جانب الاستيراد", "licence_required": "يتطلب ترخيصًا",
        "no_licence": "لا يتطلب ترخيصًا", "undetermined": "غير محدد",
        "slider": "التاريخ", "status": "الوضع", "model": "النموذج", "chips": "الرقائق", "workload": "نوع الحمل", "compare": "قارن",
        "per_chip": "رمز/ثانية لكل رقاقة", "per_user": "رمز/ثانية لكل مستخدم", "per_1k": "رمز/ثانية لكل 1000 دولار",
        "bottleneck": "عنق الزجاجة", "training": "كلفة التدريب", "tokens": "عدد الرموز", "count": "عدد الرقائق",
        "price_hour": "دولار لكل ساعة رقاقة", "compute": "احسب", "fleet": "الأسطول", "spend": "الإنفاق (مثل $18B)",
        "units": "الوحدات", "h100eq": "ما يعادل H100", "by_tpp": "بمقياس TPP", "by_bw": "بعرض نطاق الذاكرة",
        "power": "القدرة (ميغاواط)", "article": "نص المقال", "upload": "أو ارفع ملفًا", "analyze_btn": "دقّق المقال",
        "claims": "الادعاءات", "entities": "الكيانات", "language": "English", "digits": "الأرقام",
        "latin_digits": "0-9", "arabic_digits": "٠-٩", "error": "خطأ", "not_found": "غير موجود", "gpu_hours": "ساعات الرقائق",
        "days": "يوم", "precision": "الدقة", "evidence": "مستوى الدليل", "cost": "الكلفة", "mfu": "نسبة الاستخدام",
    },
}
#: Row labels of the comparison table.
COMPARE_ROWS = {
    "en": {"vendor": "Vendor", "market": "Market", "tpp": "TPP", "performance_density": "Performance density",
           "bf16_tflops": "BF16 TFLOPS", "fp8_tflops": "FP8 TFLOPS", "memory_gb": "Memory (GB)",
           "dram_bandwidth_gbps": "DRAM bandwidth (GB/s)", "io_bandwidth_gbps": "I/O bandwidth (GB/s)", "tdp_w": "TDP (W)"},
    "ar": {"vendor": "المصنّع", "market": "السوق", "tpp": "TPP", "performance_density": "كثافة الأداء",
           "bf16_tflops": "BF16 تيرافلوبس", "fp8_tflops": "FP8 تيرافلوبس", "memory_gb": "الذاكرة (GB)",
           "dram_bandwidth_gbps": "عرض نطاق الذاكرة (GB/s)", "io_bandwidth_gbps": "عرض نطاق الإدخال/الإخراج (GB/s)", "tdp_w": "القدرة التصميمية (واط)"},
}
#: Chart labels and map statuses, handed to app.js in a JSON data island.
CHART_TEXT = {
    "en": {"licence-free": "licence-free", "licence: approval": "licence: presumption of approval",
           "licence: case-by-case": "licence: case-by-case", "licence: denial": "licence: presumption of denial",
           "licence: policy not established": "licence: policy not established", "undetermined": "undetermined",
           "regions": "control regions", "tpp": "TPP", "pd": "performance density (TPP/mm²)",
           "per_user": "tokens/s per user", "per_chip": "tokens/s per chip"},
    "ar": {"licence-free": "لا يتطلب ترخيصًا", "licence: approval": "ترخيص: افتراض الموافقة",
           "licence: case-by-case": "ترخيص: دراسة كل حالة على حدة", "licence: denial": "ترخيص: افتراض الرفض",
           "licence: policy not established": "ترخيص: سياسة غير محددة", "undetermined": "غير محدد",
           "regions": "مناطق الرقابة", "tpp": "TPP (الأداء الإجمالي للمعالجة)", "pd": "كثافة الأداء (TPP/مم²)",
           "per_user": "رمز/ثانية لكل مستخدم", "per_chip": "رمز/ثانية لكل رقاقة"},
}
_ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_EASTERN = str.maketrans("0123456789.,", "٠١٢٣٤٥٦٧٨٩٫٬")


def _ctx(request: Request, **extra: Any) -> dict[str, Any]:
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in T else "en"
    digits = request.query_params.get("digits", "latin")

    def num(value: Any, digits_after: int = 0) -> str:
        if value is None:
            return "—"
        text = f"{value:,.{digits_after}f}" if isinstance(value, int | float) else str(value)
        return text.translate(_EASTERN) if digits == "arabic" else text

    def day(value: dt.date) -> str:
        """An ISO date isolated left-to-right, so an Arabic line does not reorder its parts."""
        return "\u2066" + num(value.isoformat()) + "\u2069"

    def policy(word: str | None) -> str:
        return POLICY_NAMES[lang].get(word or "", word or "")

    def classification(code: str) -> str:
        return classification_label(code, lang)

    def link(path: str, **params: Any) -> str:
        q = {k: v for k, v in {"lang": lang if lang != "en" else None, "digits": digits if digits != "latin" else None, **params}.items() if v is not None}
        return path + ("?" + urlencode(q) if q else "")

    other = {k: v for k, v in request.query_params.items() if k != "lang"}
    here = "/" + request.url.path.lstrip("/")  # never "//host/...": links stay on this site
    switch = here + "?" + urlencode({**other, "lang": "en" if lang == "ar" else "ar"})
    return {"request": request, "t": T[lang], "lang": lang, "dir": "rtl" if lang == "ar" else "ltr", "num": num, "day": day, "policy": policy, "classification": classification, "link": link, "here": here,
            "chart_text": _island(CHART_TEXT[lang] | {"digits": digits}),
            "switch_lang": switch, "digits": digits, **extra}


def _island(data: Any) -> str:
    """JSON for a <script type="application/json"> data island; '</' cannot close the tag."""
    return json.dumps(data).replace("</", "<\\/")


def render(request: Request, name: str, status: int = 200, **extra: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, _ctx(request, **extra), status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    """A full error page, or just the message when HTMX asked for a fragment."""
    name = "_error.html" if request.headers.get("hx-request") else "error.html"
    return render(request, name, status=status, status_code=status, message=message)


def _date(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.translate(_ASCII_DIGITS))
    except ValueError:
        raise ValueError(f"invalid date {text!r}: use YYYY-MM-DD") from None


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    from ..rules import load_rules

    today = dt.date.today()
    events = [e for e in sorted(load_rules().events, key=lambda e: e.effective, reverse=True) if e.status_on(today).startswith("in force")]
    return render(request, "home.html", events=events[:8], today=today, glance=_glance(today))


#: The headline grid on the home page: widely reported chips x destinations in the news.
GLANCE_CHIPS = ("H20", "H200 SXM", "B200", "RTX 5090 D")
GLANCE_DESTINATIONS = ("CN", "AE", "SA", "IN")


@functools.lru_cache(maxsize=4)
def _glance(on: dt.date) -> dict[str, Any]:
    """Today's answer for each headline chip and destination, from the engine."""
    rows = [(api.chip(name), [api.check(name, to=to, on=on) for to in GLANCE_DESTINATIONS]) for name in GLANCE_CHIPS]
    return {"destinations": [rows[0][1][i].destination for i in range(len(GLANCE_DESTINATIONS))], "rows": rows}


_ASK = re.compile(r"^(?P<chip>.+?)\s+(?:to|إلى|الى|for)\s+(?P<to>.+?)(?:\s+(?:on|في)\s+(?P<on>\d{4}-\d{2}-\d{2}))?\s*[?؟]?$", re.IGNORECASE)


@router.get("/ask")
async def ask(request: Request, q: str = "") -> Response:
    ctx = _ctx(request)
    text = q.strip()
    if text.lower().startswith(("compare ", "قارن ")):
        names = [n for n in re.split(r"[\s,]+", text.split(" ", 1)[1]) if n]
        return RedirectResponse(ctx["link"]("/compare", names=",".join(names)), status_code=303)
    m = _ASK.match(text)
    if m:
        view = api.chip(m["chip"].strip())
        return RedirectResponse(ctx["link"](f"/chips/{view.id}", to=m["to"].strip(), on=m["on"]) + "#determination", status_code=303)
    if text:
        view = api.chip(text)
        return RedirectResponse(ctx["link"](f"/chips/{view.id}"), status_code=303)
    return RedirectResponse(ctx["link"]("/"), status_code=303)


@router.get("/chips", response_class=HTMLResponse)
async def chips_page(request: Request, vendor: str | None = None, market: str | None = None, china: str | None = None, sort: str = "tpp") -> Response:
    views = api.chips(vendor=vendor or None, market=market or None, china_variants=True if china else None, sort=sort if sort in api.SORT_KEYS else "tpp")
    rows = [api.flat_row(v) for v in views]
    vendors = sorted({v.vendor for v in api.chips()})
    template = "_chips_table.html" if request.headers.get("hx-request") else "chips.html"
    return render(request, template, rows=rows, vendors=vendors, vendor=vendor, market=market, china=china, sort=sort)


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(request: Request, names: str = "") -> Response:
    views = api.compare([n for n in names.split(",") if n.strip()]) if names else []
    lang = request.query_params.get("lang")
    return render(request, "compare.html", rows=[api.flat_row(v) for v in views], names=names,
                  labels=COMPARE_ROWS["ar" if lang == "ar" else "en"])


@router.get("/chips/{name}", response_class=HTMLResponse)
async def chip_page(request: Request, name: str, to: str = "CN", on: str | None = None, end_user: str | None = None,
                    owned_by: str | None = None) -> Response:
    view = api.chip(name)
    when = _date(on)
    d = api.check(view.id, to=to, on=when, end_user=end_user or None, owned_by=owned_by or None)
    periods, chart = _timeline(view.id, to, dt.date.today())
    return render(request, "chip.html", v=view, c=view.chip, m=view.metrics, d=d, to=to, on=when.isoformat(),
                  end_user=end_user or "", owned_by=owned_by or "", periods=periods, chart_json=chart)


@functools.lru_cache(maxsize=4096)
def _timeline(chip_id: str, to: str, end: dt.date) -> tuple[list[Any], str]:
    """The chip's timeline periods and their chart data; the rules are fixed for the process, so cached."""
    from ..scenarios.rulemap import STATUS_COLORS, status

    periods = api.timeline(chip_id, to=to, end=end)
    bars = [{"from": p.start.isoformat(), "until": (p.end or end).isoformat(),
             "status": status(p.determination.license_required, p.determination.review_policy)} for p in periods]
    return periods, _island({"periods": bars, "colors": STATUS_COLORS})


@router.get("/partials/check", response_class=HTMLResponse)
async def check_partial(request: Request, chip: str, to: str, on: str | None = None, end_user: str | None = None,
                        owned_by: str | None = None) -> Response:
    d = api.check(chip, to=to, on=_date(on), end_user=end_user or None, owned_by=owned_by or None)
    return render(request, "_determination.html", d=d)


@router.get("/map", response_class=HTMLResponse)
async def map_page(request: Request, on: str | None = None, to: str = "CN") -> Response:
    from ..rules import countries
    from ..rules.engine import change_dates

    to = countries().resolve(to).code  # an unknown destination is a 422 page, not a broken chart
    dates = [d.isoformat() for d in change_dates() if d >= dt.date(2022, 8, 1)] + [dt.date.today().isoformat()]
    when = _date(on).isoformat()
    index = max(i for i, d in enumerate(dates) if d <= when) if any(d <= when for d in dates) else 0
    return render(request, "map.html", dates_json=_island(dates), index=index, to=to)


@router.get("/capability", response_class=HTMLResponse)
def capability_page(request: Request, model: str = "DeepSeek-R1", chips: str = "H20,H100 SXM,H800", workload: str = "reasoning") -> Response:
    from ..capability import capability, models
    from .api import chip_list

    rows = capability(model, chip_list(chips), workload=workload)
    curves = [{"chip": r["chip"], "x": [p["tokens_per_s_per_user"] for p in r.get("pareto", [])],
               "y": [p["tokens_per_s_per_chip"] for p in r.get("pareto", [])]} for r in rows]
    return render(request, "capability.html", rows=rows, model=model, chips=chips, workload=workload,
                  models=[m.name for m in models().values()], curves_json=_island(curves))


@router.get("/partials/train", response_class=HTMLResponse)
def train_partial(
    request: Request,
    model: str,
    chip: str,
    chips: Annotated[int, Query(ge=1, le=1_000_000)],
    tokens: Annotated[float, Query(gt=0, allow_inf_nan=False)],
    price: Annotated[float, Query(gt=0, allow_inf_nan=False)] = 2.0,
) -> Response:
    from ..capability import train

    return render(request, "_train.html", r=train(model, chip=chip, chips=chips, tokens=tokens, price_per_hour=price))


@router.get("/partials/fleet", response_class=HTMLResponse)
def fleet_partial(request: Request, chip: str, spend: str) -> Response:
    from ..scenarios.fleet import FleetItem, fleet, parse_money

    return render(request, "_fleet.html", f=fleet([FleetItem(chip, spend=parse_money(spend))]))


@router.get("/analyze", response_class=HTMLResponse)
async def analyze_form(request: Request) -> Response:
    return render(request, "analyze.html", result=None, text="", date="")


@router.post("/analyze", response_class=HTMLResponse)
async def analyze_page(request: Request) -> Response:
    from ..news import analyze
    from ..news.report import MESSAGES, segments
    from .api import MAX_BODY

    form = await request.form(max_part_size=MAX_BODY)
    text = str(form.get("text") or "")
    upload = form.get("file")
    if upload is not None and hasattr(upload, "read"):
        data = await upload.read(MAX_BODY + 1)
        if len(data) > MAX_BODY:
            raise ValueError("the uploaded file is larger than 2 MB")
        if data:
            text = data.decode("utf-8-sig", errors="replace")
    date = str(form.get("date") or "")
    if not text.strip():
        raise ValueError("paste an article or upload a text file")
    asked = request.query_params.get("lang")  # the article's own language unless the reader chose one
    result = analyze(text, article_date=_date(date) if date else None, report_language=asked if asked in T else None)
    return render(request, "analyze.html", result=result, text=text, date=date, marked=segments(result, text),
                  labels=MESSAGES[result["report_language"]])
