"""Claims in an article, each checked against the engines, with a verdict, reasons and citations.

Kinds: ``export_status`` (allowed / banned / restricted), ``purchase`` (spend, units, period),
``training`` (cost and time of training a model), ``capability`` (suited to inference, N x faster),
``adoption`` (users, developers, partners). Verdicts: ``supported``, ``contradicted``,
``outdated`` (true on the article's date, changed since: the dates are given) and ``unverifiable``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..rules.model import classification_label
from .extract import gazetteer
from .i18n import msg, status
from .normalize import fold, normalize

_BOUNDARY = re.compile(r"(?<!\d)[.!?](?!\d)|\n")  # a full stop between digits is a decimal point
_FUTURE = re.compile(
    r"(?:^|\s)(?:سي[تي]م|سوف|سي[سن]مح|ست[سم]|will|would|plans? to|to be allowed|is set to|going to)"
)


@functools.lru_cache(maxsize=1)
def _keyword_patterns() -> dict[str, re.Pattern[str]]:
    words = gazetteer()["claim_words"]
    ar = "\u0621-\u064a"
    out = {}
    for kind, items in words.items():
        alt = "|".join(
            sorted(
                (re.escape(fold(w)).replace(r"\ ", r"\s+") for w in items), key=len, reverse=True
            )
        )
        out[kind] = re.compile(rf"(?<![a-z{ar}])(?:[وفبلك]|لل|ال)?(?:{alt})(?![a-z])")
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of the original text (split on . ! ? and line breaks; Arabic marks folded)."""
    norm = normalize(text)
    spans, start = [], 0
    for m in _BOUNDARY.finditer(norm.text):
        if norm.text[start : m.end()].strip():
            spans.append(norm.span(start, m.end()))
        start = m.end()
    if norm.text[start:].strip():
        spans.append(norm.span(start, len(norm.text)))
    return spans


def _inside(items: Sequence[Mapping[str, Any]], start: int, end: int) -> list[Mapping[str, Any]]:
    return [x for x in items if start <= x["start"] and x["end"] <= end]


def find_claims(text: str, entities: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Sentences that assert something checkable, with the entities they involve."""
    kw = _keyword_patterns()
    out = []
    for start, end in sentences(text):
        sent = text[start:end]
        folded = fold(sent)
        has = {k: bool(p.search(folded)) for k, p in kw.items()}
        ents = {k: _inside(v, start, end) for k, v in entities.items()}
        base = {"text": sent.strip(), "start": start, "end": end, "entities": ents}
        chips, money, models = ents["chips"], ents["money"], ents["models"]
        if (
            has["training"]
            and (
                money
                or re.search(r"شهر|اشهر|month|week|اسبوع", folded)
                or _claimed_gpu_hours(sent)
            )
            and (models or chips)
        ):
            out.append({**base, "kind": "training"})
            continue
        found = False
        if chips and money and has["purchase"]:
            out.append({**base, "kind": "purchase"})
            found = True
        if chips and (has["allow"] or has["ban"] or has["restrict"]):
            stance = "allowed" if has["allow"] else ("banned" if has["ban"] else "restricted")
            out.append(
                {
                    **base,
                    "kind": "export_status",
                    "stance": stance,
                    "future": bool(_FUTURE.search(folded)),
                }
            )
            found = True
        if found:
            continue
        if chips and ((has["suited"] and has["inference"]) or has["faster"]):
            out.append({**base, "kind": "capability"})
        elif ents["counts"] and has["adoption"]:
            out.append({**base, "kind": "adoption"})
    return out


def check_claims(
    claims: list[dict[str, Any]],
    entities: Mapping[str, Any],
    on: dt.date,
    today: dt.date,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Add ``verdict``, ``reasons`` and ``citations`` to each claim."""
    default_dest = next((c["code"] for c in entities["countries"] if c["code"] != "US"), "CN")
    checked = []
    for c in claims:
        fn = {
            "export_status": _export,
            "purchase": _purchase,
            "training": _training,
            "capability": _capability,
            "adoption": _adoption,
        }[c["kind"]]
        try:
            verdict, reasons, citations = fn(c, on, today, default_dest, lang)
        except (LookupError, ValueError) as exc:
            verdict, reasons, citations = "unverifiable", [msg("failed", lang, error=exc)], []
        out = {k: v for k, v in c.items() if k != "entities"}
        out.update(verdict=verdict, reasons=reasons, citations=citations)
        checked.append(out)
    return checked


def _place(code: str, lang: str) -> str:
    from ..rules import countries

    c = countries().by_code.get(code)
    return code if c is None else (c.name_ar if lang == "ar" else c.name)


def _dest(c: Mapping[str, Any], default: str) -> str:
    codes = [x["code"] for x in c["entities"]["countries"] if x["code"] != "US"]
    return codes[0] if codes else default


def _cite(d: Any) -> list[dict[str, Any]]:
    seen, out = set(), []
    for r in d.reasons:
        key = (r.rule, r.citation)
        if r.citation not in ("-", "") and key not in seen:
            seen.add(key)
            out.append({"rule": r.rule, "citation": r.citation, "url": r.url})
    return out


def _status_word(d: Any) -> str:
    if d.license_required is None:
        return "undetermined"
    if not d.license_required:
        return "allowed"
    return {"denial": "banned", "case-by-case": "licensed", "approval": "licensed"}.get(
        d.review_policy or "", "restricted"
    )


def _matches(stance: str, word: str) -> bool:
    if stance == "allowed":  # sales under licences granted case by case count as allowed
        return word in ("allowed", "licensed")
    if stance == "banned":
        return word == "banned"
    return word in ("banned", "restricted", "licensed")


def _export(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    from ..api import check, timeline
    from ..api import chip as lookup

    dest = _dest(c, default)
    reasons, cites = [], []
    verdicts = []
    for chip in {x["id"]: x for x in c["entities"]["chips"]}.values():
        then, now = check(chip["id"], to=dest, on=on), check(chip["id"], to=dest, on=today)
        w_then, w_now = _status_word(then), _status_word(now)
        name = lookup(chip["id"]).name
        reasons.append(
            msg(
                "status",
                lang,
                chip=name,
                dest=_place(dest, lang),
                date=on,
                status=status(w_then, lang),
                classification=classification_label(then.classification, lang),
            )
        )
        if w_now != w_then:
            changes, last = [], w_then
            for e in timeline(chip["id"], to=dest, start=on, end=today)[1:]:
                word = _status_word(e.determination)
                if word != last:
                    changes.append(f"{e.start}: {status(word, lang)}")
                    last = word
            reasons.append(msg("since", lang, changes="; ".join(changes)))
        reasons += [
            f"{r.rule}: {r.in_language(lang)}" for r in then.reasons if r.rule not in ("chipwatch",)
        ][:5]
        for imp in now.import_restrictions:
            reasons.append(
                msg(
                    "import",
                    lang,
                    dest=_place(dest, lang),
                    text=(imp["text_ar"] if lang == "ar" and imp["text_ar"] else imp["text"]),
                    since=imp["since"],
                )
            )
        cites += _cite(then)
        ok_then, ok_now = _matches(c["stance"], w_then), _matches(c["stance"], w_now)
        if "undetermined" in (w_then,):
            verdicts.append("unverifiable")
        elif c.get("future") and not ok_then and ok_now:
            reasons.append(msg("came_true", lang))
            verdicts.append("supported")
        elif ok_then and ok_now:
            verdicts.append("supported")
        elif ok_then:
            verdicts.append("outdated")
        else:
            verdicts.append("contradicted")
    verdict = (
        min(verdicts, key=["contradicted", "unverifiable", "outdated", "supported"].index)
        if verdicts
        else "unverifiable"
    )
    return verdict, reasons, cites


def _purchase(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    from ..api import check
    from ..scenarios.fleet import FleetItem, fleet

    money = [m for m in c["entities"]["money"] if m["currency"] == "USD" and not m["per_unit"]]
    chip = c["entities"]["chips"][0]
    if not money:
        return "unverifiable", [msg("no_money", lang)], []
    spend = money[0]["value"]
    f = fleet([FleetItem(chip["id"], spend=spend)])
    u = f["units"]
    dest = _dest(c, default)
    dates = c["entities"]["dates"]
    when = on
    if dates and re.match(r"\d{4}-Q[1-4]", dates[0]["value"]):
        y, q = dates[0]["value"].split("-Q")
        when = dt.date(int(y), 3 * int(q), 28)
    d = check(chip["id"], to=dest, on=when)
    reasons = [
        msg(
            "buys",
            lang,
            spend=spend,
            units=u["central"],
            chip=chip["name"],
            low=u["low"],
            high=u["high"],
        ),
        msg(
            "h100eq",
            lang,
            tpp=f["h100_equivalents"]["by_tpp"]["central"],
            bw=f["h100_equivalents"]["by_memory_bandwidth"]["central"],
        ),
        msg(
            "status",
            lang,
            chip=chip["name"],
            dest=_place(dest, lang),
            date=when,
            status=status(_status_word(d), lang),
            classification=d.classification,
        ),
    ]
    verdict = "unverifiable"  # the amount itself cannot be checked here
    if d.license_required and d.review_policy == "denial":
        reasons.append(msg("conflict", lang))
        verdict = "contradicted"
    else:
        reasons.append(msg("consistent", lang))
    return verdict, reasons, _cite(d)


_GPU_HOURS = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*(million|مليون|ملايين|billion|مليار)?\s*(?:h\d+\s*|nvidia\s*)?"
    r"(?:gpu[\s-]*hours?|ساع(?:ه|ة|ات)\s*(?:عمل\s*)?(?:gpu|وحد[ةه]\s*معالج[ةه]\s*رسومي[ةه]|شريح[ةه]|معالج))"
)


def _claimed_gpu_hours(text: str) -> float | None:
    """A GPU-hour total stated in a sentence ("30.84 million GPU hours", "2.788 مليون ساعة GPU")."""
    m = _GPU_HOURS.search(fold(text))
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    scale = {"million": 1e6, "مليون": 1e6, "ملايين": 1e6, "billion": 1e9, "مليار": 1e9}
    return value * scale.get(m.group(2) or "", 1.0)


def _training(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    from ..api import chip as lookup
    from ..capability import train
    from ..capability.training import DEFAULT_CLUSTER, PUBLISHED_RUNS

    models = c["entities"]["models"]
    companies = {x["name"] for x in c["entities"].get("companies", [])}
    # "DeepSeek trained its model…" names the company, whose published run is DeepSeek-V3's
    name = models[0]["name"] if models else ("deepseek-v3" if "DeepSeek" in companies else "")
    run = PUBLISHED_RUNS.get(name)
    if run is None:
        return "unverifiable", [msg("no_run", lang, model=name or "?")], []
    chip = next((x["id"] for x in c["entities"]["chips"]), run.chip)
    r = train(
        name,
        chip=chip,
        chips=run.chips or DEFAULT_CLUSTER,
        tokens=run.tokens,
        precision=run.precision,
        seq_len=run.seq_len,
        global_batch_tokens=run.global_batch_tokens,
        goodput=run.goodput,
        **run.layout,
    )
    reasons = []
    if run.gpu_hours:
        spent = (
            msg("run_cost", lang, cost=run.cost_usd / 1e6) if run.cost_usd is not None else ""
        )
        report = run.report_ar if lang == "ar" and run.report_ar else run.report
        reasons.append(
            msg("run_report", lang, report=report, hours=run.gpu_hours / 1e6,
                chip=lookup(run.chip).name, cost=spent)
        )
    reasons += [
        msg("train_model", lang, hours=r["gpu_hours"] / 1e6, days=r["days"],
            cost=r["cost_usd"] / 1e6),
        msg("excludes", lang),
    ]
    # claims are checked against the published figures where the run has them, else the model
    cost = run.cost_usd if run.cost_usd is not None else r["cost_usd"]
    gpu_hours = run.gpu_hours or r["gpu_hours"]
    verdict = "supported"
    for m in c["entities"]["money"]:
        v, q = m["value"], m["qualifier"]
        if (q in ("<", "<=") and cost > v * 1.15) or (q in (">", ">=") and cost < v / 1.15):
            verdict = "contradicted"
        if q in ("=", "~") and not (v / 1.3 <= cost <= v * 1.3):
            verdict = "contradicted"
    hours = _claimed_gpu_hours(c["text"])
    if hours:
        reasons.append(msg("hours", lang, claimed=hours / 1e6, hours=r["gpu_hours"] / 1e6))
        if not hours / 1.3 <= gpu_hours <= hours * 1.3:
            verdict = "contradicted"
    months = re.search(r"(شهرين|two months|2 months|(\d+)\s*(?:اشهر|months))", fold(c["text"]))
    if months and run.chips:
        claimed = 2.0 if not months.group(2) else float(months.group(2))
        reasons.append(msg("time", lang, days=r["days"], claimed=claimed))
        if abs(r["days"] / 30.4 - claimed) / claimed > 0.5:
            verdict = "contradicted"
    cites = [{"rule": run.report or name, "citation": run.report or run.source, "url": run.source}]
    return verdict, reasons, cites


def _capability(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    import numpy as np

    from ..capability import hardware, model
    from ..capability.inference import Parallel, Precision, Scenario

    chip = c["entities"]["chips"][0]
    ref = "H100 SXM" if chip["id"] != "nvidia-h100-sxm" else "H200 SXM"
    m = model("DeepSeek-V3")
    scn = {
        n: Scenario(m, hardware(n), Parallel(tp=8), Precision("fp8", kv="fp8"), 1024, 4096)
        for n in (chip["id"], ref)
    }
    decode = {
        n: 16 / float(s.step_time(np.array([16.0]), 3000)["total"][0]) for n, s in scn.items()
    }
    prefill = {n: 65536 / float(s.prefill_time(np.array([65536.0]))[0]) for n, s in scn.items()}
    rd, rp = decode[chip["id"]] / decode[ref], prefill[chip["id"]] / prefill[ref]
    reasons = [
        msg("ratio", lang, chip=chip["name"], rd=rd, ref=ref, rp=rp),
        msg("why_decode", lang),
    ]
    fast = re.search(r"(\d+(?:\.\d+)?)\s*(?:x|مرات|مره|times)", fold(c["text"]))
    if fast:
        factor = float(fast.group(1))
        reasons.append(
            msg(
                "factor",
                lang,
                factor=factor,
                rd=1 / rd if rd < 1 else rd,
                rp=1 / rp if rp < 1 else rp,
            )
        )
        verdict = (
            "supported"
            if any(abs(x - factor) / factor < 0.3 for x in (1 / rd, rd, 1 / rp, rp))
            else "contradicted"
        )
    else:
        verdict = "supported" if rd > 1.5 * rp else "contradicted"
    return (
        verdict,
        reasons,
        [{"rule": "chipwatch capability model", "citation": "docs/capability.md", "url": None}],
    )


def _adoption(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    counts = c["entities"]["counts"]
    parts = [
        f"{'~' if x['vague'] else ''}{x['value'] or x.get('order_of_magnitude'):,.0f} {x['noun'] or ''}".strip()
        for x in counts
    ]
    return "unverifiable", [msg("adoption", lang, figures="; ".join(parts))], []
