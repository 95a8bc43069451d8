"""The analysis report in the article's language: Markdown, HTML (right-to-left for Arabic) or JSON."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

MESSAGES = {
    "en": {
        "title": "chipwatch article check",
        "date": "Article date",
        "today": "checked against rules in force on",
        "language": "Language",
        "entities": "What the article mentions",
        "claims": "Claims and checks",
        "chips": "Chips",
        "companies": "Companies and organisations",
        "people": "People",
        "money": "Money",
        "counts": "Counts",
        "dates": "Dates and periods",
        "countries": "Countries",
        "reasons": "Why",
        "sources": "Sources",
        "none": "none found",
        "kind": "kind",
        "export_status": "export status",
        "purchase": "purchase or sales",
        "training": "training cost and time",
        "capability": "capability",
        "adoption": "adoption figure",
        "rule_event": "rule dates",
        "rules": "Rules",
        "supported": "supported",
        "contradicted": "contradicted",
        "outdated": "outdated (true then, changed since)",
        "unverifiable": "unverifiable",
        "vague": "vague",
    },
    "ar": {
        "title": "تدقيق chipwatch للمقال",
        "date": "تاريخ المقال",
        "today": "مقارنةً بالقواعد السارية في",
        "language": "اللغة",
        "entities": "ما يذكره المقال",
        "claims": "الادعاءات والتحقق منها",
        "chips": "الرقائق",
        "companies": "الشركات والهيئات",
        "people": "الأشخاص",
        "money": "المبالغ",
        "counts": "الأعداد",
        "dates": "التواريخ والفترات",
        "countries": "الدول",
        "reasons": "الأسباب",
        "sources": "المصادر",
        "none": "لا شيء",
        "kind": "النوع",
        "export_status": "وضع التصدير",
        "purchase": "شراء أو مبيعات",
        "training": "كلفة التدريب ومدته",
        "capability": "القدرة",
        "adoption": "أرقام الانتشار",
        "rule_event": "تواريخ القواعد",
        "rules": "القواعد",
        "supported": "مؤكَّد",
        "contradicted": "غير صحيح",
        "outdated": "قديم (صحيح حينها وتغيّر لاحقًا)",
        "unverifiable": "لا يمكن التحقق منه",
        "vague": "تقريبي",
    },
}
VERDICT_ICON = {"supported": "✅", "contradicted": "❌", "outdated": "⏳", "unverifiable": "❔"}


def _money(m: Mapping[str, Any]) -> str:
    q = {"=": "", "<": "< ", ">": "> ", "~": "~", ">=": "≥ ", "<=": "≤ "}.get(m["qualifier"], "")
    return f"{q}{m['value']:,.0f} {m['currency']}" + (" / head" if m.get("per_unit") else "")


def _entity_lines(result: Mapping[str, Any], t: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    e = result["entities"]

    def uniq(xs: Any) -> list[str]:
        return list(dict.fromkeys(xs))

    return [
        (t["chips"], uniq(f"{c['name']} («{c['text']}»)" for c in e["chips"])),
        (t["companies"], uniq(c["name"] for c in e["companies"])),
        (t["people"], uniq(p["name"] for p in e.get("people", []))),
        (t["rules"], uniq(f"{r['id']} («{r['text']}»)" for r in e.get("rules", []))),
        (t["money"], [f"{_money(m)} («{m['text']}»)" for m in e["money"]]),
        (
            t["counts"],
            [
                f"{'~' if c['vague'] else ''}{(c['value'] or c.get('order_of_magnitude') or 0):,.0f} {c['noun'] or ''} («{c['text']}»)"
                + (f" [{t['vague']}]" if c["vague"] else "")
                for c in e["counts"]
            ],
        ),
        (t["dates"], uniq(f"{d['value']} («{d['text']}»)" for d in e["dates"])),
        (
            t["countries"],
            uniq(
                (c["name_ar"] if result["report_language"] == "ar" else c["name"])
                for c in e["countries"]
            ),
        ),
    ]


def markdown(result: Mapping[str, Any]) -> str:
    t = MESSAGES[result["report_language"]]
    lines = [
        f"# {t['title']}",
        "",
        f"- {t['date']}: {result['article_date']}",
        f"- {t['today']}: {result['today']}",
        f"- {t['language']}: {result['language']}",
        "",
        f"## {t['entities']}",
        "",
    ]
    for label, items in _entity_lines(result, t):
        lines.append(f"- **{label}**: {'; '.join(items) if items else t['none']}")
    lines += ["", f"## {t['claims']}", ""]
    if not result["claims"]:
        lines.append(t["none"])
    for i, c in enumerate(result["claims"], 1):
        lines += [
            f"### {i}. {VERDICT_ICON[c['verdict']]} {t[c['verdict']]} — {t[c['kind']]}",
            "",
            f"> {c['text']}",
            "",
            f"**{t['reasons']}**:",
            *(f"- {r}" for r in c["reasons"]),
        ]
        if c["citations"]:
            lines.append(
                f"\n**{t['sources']}**: "
                + "; ".join(
                    f"[{x['citation']}]({x['url']})" if x.get("url") else x["citation"]
                    for x in c["citations"]
                )
            )
        lines.append("")
    return "\n".join(lines)


def segments(result: Mapping[str, Any], text: str) -> list[tuple[str, str | None]]:
    """The article as (text, entity kind or None) pieces for highlighting; overlaps keep the first."""
    spans = sorted(
        [
            (x["start"], x["end"], kind)
            for kind in ("chips", "rules", "companies", "money", "counts", "dates", "countries")
            for x in result["entities"].get(kind, [])
        ],
        key=lambda s: (s[0], -s[1]),
    )
    out: list[tuple[str, str | None]] = []
    pos = 0
    for s, e, kind in spans:
        if s < pos:
            continue
        out += [(text[pos:s], None), (text[s:e], kind)]
        pos = e
    out.append((text[pos:], None))
    return out


def html_page(result: Mapping[str, Any], text: str) -> str:
    """A standalone page; every piece of article text is escaped, entity spans are highlighted."""
    lang = result["report_language"]
    t = MESSAGES[lang]
    direction = "rtl" if lang == "ar" else "ltr"
    body = [
        f'<mark class="{kind}" title="{html.escape(t[kind])}">{html.escape(seg)}</mark>'
        if kind
        else html.escape(seg)
        for seg, kind in segments(result, text)
    ]
    claims = []
    for c in result["claims"]:
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in c["reasons"])
        cites = "".join(
            f'<li><a href="{html.escape(x["url"])}">{html.escape(x["citation"])}</a></li>'
            if x.get("url")
            else f"<li>{html.escape(x['citation'])}</li>"
            for x in c["citations"]
        )
        claims.append(
            f'<section class="claim {c["verdict"]}"><h3>{VERDICT_ICON[c["verdict"]]} {html.escape(t[c["verdict"]])} — {html.escape(t[c["kind"]])}</h3>'
            f"<blockquote>{html.escape(c['text'])}</blockquote><h4>{t['reasons']}</h4><ul>{reasons}</ul>"
            + (f"<h4>{t['sources']}</h4><ul>{cites}</ul>" if cites else "")
            + "</section>"
        )
    ents = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape('; '.join(items) if items else t['none'])}</dd>"
        for label, items in _entity_lines(result, t)
    )
    return f"""<!doctype html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8"><title>{html.escape(t["title"])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,'Noto Naskh Arabic','Noto Sans Arabic',sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;line-height:1.7}}
mark{{border-radius:3px;padding:0 2px}} mark.chips{{background:#ffe082}} mark.money{{background:#c8e6c9}} mark.dates{{background:#bbdefb}}
mark.companies{{background:#e1bee7}} mark.counts{{background:#ffccbc}} mark.countries{{background:#b2dfdb}}
.claim{{border-inline-start:4px solid #999;padding:.2rem 1rem;margin:1rem 0}} .supported{{border-color:#2e7d32}}
.contradicted{{border-color:#c62828}} .outdated{{border-color:#f9a825}} .unverifiable{{border-color:#9e9e9e}}
blockquote{{margin:0;color:#444}} dt{{font-weight:bold}}</style></head>
<body><h1>{html.escape(t["title"])}</h1>
<p>{html.escape(t["date"])}: {html.escape(str(result["article_date"]))} · {html.escape(t["today"])}: {html.escape(str(result["today"]))}</p>
<h2>{html.escape(t["claims"])}</h2>{"".join(claims) or html.escape(t["none"])}
<h2>{html.escape(t["entities"])}</h2><dl>{ents}</dl>
<h2>{"نص المقال" if lang == "ar" else "Article"}</h2><div class="article">{"".join(body).replace(chr(10), "<br>")}</div>
</body></html>"""
