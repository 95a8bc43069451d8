"""Reason sentences of the article checks in English and Arabic."""

from __future__ import annotations

from typing import Any

STATUS = {
    "en": {
        "allowed": "allowed without a licence",
        "licensed": "licence required, licences granted case by case",
        "approved": "licence required, presumption of approval",
        "banned": "licence required, presumption of denial",
        "restricted": "licence required",
        "undetermined": "undetermined",
    },
    "ar": {
        "allowed": "مسموح دون ترخيص",
        "licensed": "يتطلب ترخيصًا يُمنح حالةً بحالة",
        "approved": "يتطلب ترخيصًا مع افتراض الموافقة",
        "banned": "يتطلب ترخيصًا مع افتراض الرفض",
        "restricted": "يتطلب ترخيصًا",
        "undetermined": "غير محدد",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    "status": {
        "en": "{chip} to {dest} on {date}: {status} ({classification})",
        "ar": "{chip} إلى {dest} في {date}: {status} ({classification})",
    },
    "since": {"en": "changed since: {changes}", "ar": "تغيّر منذ ذلك الحين: {changes}"},
    "import_then": {
        "en": "{chip} into China on {date}: China's own measures then: {measures}",
        "ar": "دخول {chip} إلى الصين في {date}: إجراءات الصين نفسها حينها: {measures}",
    },
    "import_none": {
        "en": "no Chinese measure on the {chip} is recorded for {date} (chipwatch's data on China's measures is partial)",
        "ar": "لا يسجَّل إجراء صيني بشأن {chip} في {date} (بيانات chipwatch عن إجراءات الصين جزئية)",
    },
    "import": {
        "en": "import side ({dest}): {text} since {since}",
        "ar": "من جانب الاستيراد ({dest}): {text} منذ {since}",
    },
    "came_true": {
        "en": "the claim looks ahead and came true later (dates above)",
        "ar": "الادعاء يتحدث عن المستقبل وقد تحقق لاحقًا (انظر التواريخ أعلاه)",
    },
    "no_money": {"en": "no dollar amount to convert", "ar": "لا يوجد مبلغ بالدولار لتحويله"},
    "units": {
        "en": "{units:,.0f} {chip} as stated",
        "ar": "{units:,.0f} من {chip} كما ذُكر",
    },
    "buys": {
        "en": "${spend:,.0f} buys {units:,.0f} {chip} ({low:,.0f}–{high:,.0f} at cited prices)",
        "ar": "{spend:,.0f} دولار تشتري {units:,.0f} من {chip} (بين {low:,.0f} و{high:,.0f} بالأسعار الموثقة)",
    },
    "h100eq": {
        "en": "= {tpp:,.0f} H100-equivalents by TPP, {bw:,.0f} by memory bandwidth",
        "ar": "= {tpp:,.0f} ما يعادل H100 بمقياس TPP، و{bw:,.0f} بمقياس عرض نطاق الذاكرة",
    },
    "scope_differs": {
        "en": "${claimed:,.2f}M claimed vs ${cost:,.2f}M for the run: more than 10x apart, so the figure covers another scope (all spending, or one stage)",
        "ar": "المبلغ المذكور {claimed:,.2f} مليون دولار مقابل {cost:,.2f} مليون للتدريب: فارق يتجاوز 10 أضعاف، فالرقم يغطي نطاقًا آخر (كل الإنفاق أو مرحلة واحدة)",
    },
    "conflict_undated": {
        "en": "on the article's date such sales needed a licence under a presumption of denial; the sentence gives no date for them, so they may predate that",
        "ar": "في تاريخ المقال كانت هذه المبيعات تتطلب ترخيصًا مع افتراض الرفض؛ ولا تحدد الجملة تاريخها، فقد تكون سابقة له",
    },
    "conflict": {
        "en": "such sales needed a licence under a presumption of denial then: the figure conflicts with the rules",
        "ar": "كانت هذه المبيعات تتطلب ترخيصًا مع افتراض الرفض حينها: الرقم يتعارض مع القواعد",
    },
    "consistent": {
        "en": "consistent with the rules then; the amount itself is reported, not checkable here",
        "ar": "يتسق مع القواعد حينها؛ أما المبلغ نفسه فمنقول عن المصدر ولا يمكن التحقق منه هنا",
    },
    "no_run": {
        "en": "no published training run of {model} to check against",
        "ar": "لا توجد عملية تدريب منشورة لـ {model} للمقارنة",
    },
    "true_until": {
        "en": "true until {date}, shortly before the article",
        "ar": "كان صحيحًا حتى {date}، قبل المقال بقليل",
    },
    "no_model": {
        "en": "the sentence does not say which model the figure is about",
        "ar": "لا تذكر الجملة النموذج الذي يخصه الرقم",
    },
    "run_report": {
        "en": "{report}: {hours:.3g}M {chip} GPU-hours{cost}",
        "ar": "{report}: {hours:.3g} مليون ساعة {chip}{cost}",
    },
    "run_cost": {
        "en": ", ${cost:.3f}M at $2 per GPU-hour",
        "ar": "، و{cost:.3f} مليون دولار بسعر دولارين للساعة",
    },
    "hours": {
        "en": "GPU-hours: {claimed:.3g}M claimed vs {published:.3g}M published (chipwatch's model: {hours:.3g}M)",
        "ar": "ساعات الشرائح: {claimed:.3g} مليون وفق الادعاء مقابل {published:.3g} مليون منشورة (نموذج chipwatch: {hours:.3g} مليون)",
    },
    "train_model": {
        "en": "chipwatch training model: {hours:.2f}M GPU-hours, {days:.0f} days, ${cost:.1f}M at $2/h",
        "ar": "نموذج التدريب في chipwatch: {hours:.2f} مليون ساعة، {days:.0f} يومًا، {cost:.1f} مليون دولار بسعر دولارين للساعة",
    },
    "excludes": {
        "en": "the figure covers only the final run's GPU rental: not research, ablations, data, staff or the cluster itself (thousands of accelerators costing tens of millions of dollars or more)",
        "ar": "الرقم يغطي استئجار الشرائح للتدريب النهائي فقط: لا يشمل البحث والتجارب والبيانات والرواتب ولا ثمن العنقود نفسه (آلاف الشرائح بعشرات الملايين من الدولارات أو أكثر)",
    },
    "time": {
        "en": "time: {days:.0f} days of pre-training vs the claimed {claimed:g} months",
        "ar": "المدة: {days:.0f} يومًا من التدريب المسبق مقابل {claimed:g} شهر وفق الادعاء",
    },
    "ratio": {
        "en": "{model} on 8 chips: {chip} decodes at {rd:.0%} of {ref} and prefills at {rp:.0%}",
        "ar": "{model} على 8 شرائح: {chip} يولّد النص بسرعة {rd:.0%} من {ref} ويعالج المدخلات بسرعة {rp:.0%}",
    },
    "why_decode": {
        "en": "decode (generating the long outputs of reasoning models) is bound by memory bandwidth; prefill and training by compute",
        "ar": "توليد النص (المخرجات الطويلة لنماذج الاستدلال) يحدّه عرض نطاق الذاكرة، أما معالجة المدخلات والتدريب فتحدّها قدرة الحوسبة",
    },
    "best_case": {
        "en": "\"up to\" is a best case (a vendor's chosen workload and settings); chipwatch's typical scenario cannot confirm or refute it",
        "ar": "عبارة «حتى» تصف أفضل حالة (حمل عمل وإعدادات يختارها المورّد)؛ سيناريو chipwatch المعتاد لا يثبتها ولا ينفيها",
    },
    "rule_step": {"en": "the sentence says the rule {step}", "ar": "تقول الجملة إن القاعدة {step}"},
    "rule_dates": {
        "en": "{rule} ({citation}): {dates}",
        "ar": "{rule} ({citation}): {dates}",
    },
    "rule_stated": {
        "en": "the sentence dates it {stated}",
        "ar": "تؤرخه الجملة بـ {stated}",
    },
    "rule_none": {
        "en": "chipwatch's rule data (version {version}) records no such step for this rule",
        "ar": "لا تسجّل بيانات القواعد في chipwatch (الإصدار {version}) خطوة كهذه لهذه القاعدة",
    },
    "tpp_ratio": {
        "en": "compute (TPP, the export-control measure): {chip} {tpp:,.0f} = {r:.2g}x the {ref}'s {ref_tpp:,.0f}",
        "ar": "قدرة الحوسبة (TPP، مقياس ضوابط التصدير): {chip} {tpp:,.0f} = {r:.2g} مرات {ref_tpp:,.0f} لدى {ref}",
    },
    "no_subject": {
        "en": "the sentence compares something chipwatch does not know as a catalog chip with the {ref}",
        "ar": "تقارن الجملة شيئًا لا يعرفه chipwatch في فهرس الرقائق بـ {ref}",
    },
    "factor_only": {"en": "claimed {factor:g}x", "ar": "الادعاء {factor:g} مرات"},
    "factor": {
        "en": "claimed {factor:g}x; modelled decode ratio {rd:.2g}x, prefill {rp:.2g}x",
        "ar": "الادعاء {factor:g} مرات؛ النموذج: {rd:.2g} مرات في التوليد و{rp:.2g} في معالجة المدخلات",
    },
    "adoption": {
        "en": "adoption figure reported by the source ({figures}); chipwatch has no data to check it",
        "ar": "رقم منقول عن المصدر ({figures})؛ لا يملك chipwatch بيانات للتحقق منه",
    },
    "failed": {"en": "could not check: {error}", "ar": "تعذّر التحقق: {error}"},
}


#: The dated steps of a rule event, as the article checker names them.
RULE_STEPS = {  # event field -> the step it dates ("ended", "effective", "announced") and its label
    "announced": {"step": "announced", "en": "announced {date}", "ar": "أُعلنت في {date}"},
    "effective": {"step": "effective", "en": "in effect from {date}", "ar": "سارية اعتبارًا من {date}"},
    "compliance": {"step": "effective", "en": "compliance date {date}", "ar": "موعد الامتثال {date}"},
    "applies_from": {"step": "effective", "en": "applies from {date}", "ar": "تُطبَّق اعتبارًا من {date}"},
    "rescinded": {"step": "ended", "en": "rescinded {date}", "ar": "أُلغيت في {date}"},
    "not_enforced_since": {"step": "ended", "en": "not enforced since {date}", "ar": "لا تُطبَّق منذ {date}"},
    "superseded_on": {
        "step": "ended", "en": "superseded or suspended {date}", "ar": "عُلّقت أو حلّ محلها إجراء آخر في {date}"
    },
}


#: What a rule-date claim says happened, in the reader's language.
RULE_STEP_WORDS = {
    "ended": {"en": "ended (rescinded, suspended or no longer enforced)", "ar": "انتهى العمل بها (أُلغيت أو عُلّقت أو توقف تطبيقها)"},
    "effective": {"en": "took effect", "ar": "دخلت حيز التنفيذ"},
    "announced": {"en": "was announced or issued", "ar": "أُعلنت أو صدرت"},
}


def msg(key: str, lang: str, **kw: Any) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["en"]
    return text.format(**kw)


def status(word: str, lang: str) -> str:
    return STATUS.get(lang, STATUS["en"]).get(word, word)
