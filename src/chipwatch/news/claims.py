"""Claims in an article, each checked against the engines, with a verdict, reasons and citations.

Kinds: ``export_status`` (allowed / banned / restricted), ``purchase`` (spend, units, period),
``training`` (cost and time of training a model), ``capability`` (suited to inference, N x faster),
``adoption`` (users, developers, partners). Verdicts: ``supported``, ``contradicted``,
``outdated`` (true on the article's date, changed since: the dates are given) and ``unverifiable``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..rules.model import classification_label
from .extract import _alt, gazetteer
from .i18n import RULE_STEP_WORDS, RULE_STEPS, msg, status
from .normalize import fold, normalize
from .numbers import WORD_NUMBERS, parse_number

#: Full stops that end no sentence: after a single letter ("U.S.", "e.g.") or a common abbreviation
#: ("Jan.", "Dept.", "Inc."); between digits (a decimal point).
_ABBREVIATIONS = [
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "dept", "inc", "corp", "co", "ltd", "no", "st", "mr", "mrs", "ms", "dr", "vs", "etc",
    "gov", "sen", "rep", "gen",
]
_BOUNDARY = re.compile(
    r"[!?\n]|(?<![^a-z][a-z])(?<!^[a-z])"
    + "".join(f"(?<![^a-z]{a})" for a in _ABBREVIATIONS)
    + r"(?:(?<!\d)\.|\.(?!\d))"
)
_FUTURE = re.compile(
    r"(?:^|\s)(?:سي[تي]م|سوف|سي[سن]مح|ست[سم]|قد\s+[تين]|will|would|could|might|may\s+(?:not\s+|now\s+|soon\s+)?"
    r"(?:allow|be|sell|ship|export|permit|ban|bar|restrict|approve|grant|resume|need|require)|plans? to"
    r"|to be allowed|is set to|going to)"
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


#: A claim reported as already decided counts as true when the rules followed within this many
#: days of the article (a decision announced in December that takes effect in January).
ANNOUNCEMENT_DAYS = 90

_NEGATION = re.compile(
    # English: the negation right before the verb or one word earlier ("not be allowed");
    # Arabic: up to three words earlier, as the subject comes between ("لم تعد الولايات المتحدة تحظر")
    r"(?:\b(?:not(?!\s+(?:only|just)\b)|no longer|never|won'?t|cannot|can'?t|yet to)\s+(?:\S+\s+)?|"
    r"(?<![\u0621-\u064a])[وف]?(?:لا|لم|لن|غير|ليس|ليست|دون)\s+(?:\S+\s+){0,3})$"
)
_STANCE = {"allow": "allowed", "ban": "banned", "restrict": "restricted"}


def _stance(folded: str, chip: str) -> tuple[str, bool]:
    """The export stance a sentence takes on one chip, and whether a negation made it: the stance
    word nearest to the chip's mention; a negated "allow" ("not allowed", "لم توافق") counts as a
    ban and a negated ban or restriction ("no longer bans", "لم تعد تحظر") as an allowance."""
    kw = _keyword_patterns()
    at = max(0, folded.find(chip))
    best: tuple[int, str, bool] | None = None
    for kind in ("allow", "ban", "restrict"):
        for m in kw[kind].finditer(folded):
            if kind == "allow" and not _about_trade(folded, m):
                continue  # "the memory allows firms to run…" grants no export
            negated = bool(_NEGATION.search(folded[max(0, m.start() - 48) : m.start()]))
            # "not allowed" is a ban; "no longer bans", "لم تعد تحظر" an allowance
            word = ("ban" if kind == "allow" else "allow") if negated else kind
            distance = min(abs(m.start() - at), abs(m.end() - at))
            if best is None or distance < best[0]:
                best = (distance, word, negated)
    return (_STANCE[best[1]], best[2]) if best else ("restricted", False)


#: What makes "allow" an export decision: a trade word or "to <somewhere>" near it.
_TRADE = re.compile(
    r"export|sell|sale|sold|ship|licen[cs]|import|purchas|buy|order|deliver"
    r"|تصدير|بيع|مبيعات|شحن|ترخيص|تراخيص|استيراد|شراء|توريد"
)
_TOWARD = re.compile(r"(?<![a-z\u0621-\u064a])(?:to\s+(?:the\s+)?|(?:الي|إلى)\s+)")


def _about_trade(folded: str, m: re.Match[str]) -> bool:
    """An allowance is about trade when a trade word or "to <country>" stands near it."""
    from .extract import _country_pattern

    a, b = max(0, m.start() - 60), m.end() + 60
    if _TRADE.search(folded[a:b]):
        return True
    country = _country_pattern()[0]
    return any(country.match(folded, t.end()) for t in _TOWARD.finditer(folded, a, b))


#: Training in the narrow sense (not "built", "developed"): what a company-only sentence needs.
_TRAIN_VERB = re.compile(r"\btrain(?:s|ed|ing)?\b|تدريب|تدرب|دربت|(?<![\u0621-\u064a])درب")


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
        has["allow"] = any(_about_trade(folded, m) for m in kw["allow"].finditer(folded))
        ents = {k: _inside(v, start, end) for k, v in entities.items()}
        base = {"text": sent.strip(), "text_raw": sent, "start": start, "end": end, "entities": ents}
        chips, money, models = ents["chips"], ents["money"], ents["models"]
        for rule_id, step, date in _rule_steps(sent, start, ents.get("rules", []), ents["dates"]):
            out.append(
                {**base, "kind": "rule_event", "rule": rule_id, "step": step, "date": date,
                 "future": bool(_FUTURE.search(folded))}
            )
        gpu_hours = _claimed_gpu_hours(sent)
        if (
            has["training"]
            and (money or re.search(r"شهر|اشهر|month|week|اسبوع", folded) or gpu_hours)
            and (models or chips or (ents["companies"] and _TRAIN_VERB.search(folded)))
        ) or gpu_hours:  # a GPU-hour total is about a training run even without a training verb
            out.append({**base, "kind": "training"})
            continue
        found = False
        if chips and (money or _units(ents["counts"], chips)) and has["purchase"]:
            out.append({**base, "kind": "purchase"})
            found = True
        if chips and (has["allow"] or has["ban"] or has["restrict"]):
            groups: dict[tuple[str, bool], list[Mapping[str, Any]]] = {}
            for chip in chips:
                groups.setdefault(_stance(folded, fold(chip["text"])), []).append(chip)
            for (stance, negated), group in groups.items():
                out.append(
                    {
                        **base,
                        "entities": {**ents, "chips": group},
                        "kind": "export_status",
                        "stance": stance,
                        "negated": negated,
                        "future": bool(_FUTURE.search(folded)),
                    }
                )
            found = True
        if found:
            continue
        compared = len({x["id"] for x in chips}) > 1 or bool(_FACTOR.search(folded))
        if chips and ((has["suited"] and has["inference"]) or has["faster"] or (has["powerful"] and compared)):
            out.append({**base, "kind": "capability"})
        elif ents["counts"] and has["adoption"]:
            out.append({**base, "kind": "adoption"})
    return out


#: A date right after these words bounds a period ("suspended until 10 November") rather than
#: dating the step.
_UNTIL = re.compile(r"(?:until|till|through|to|حتي|لغايه|الي)\s*$")


def _rule_steps(
    sent: str, offset: int, rules: Sequence[Mapping[str, Any]], dates: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str, str | None]]:
    """(rule id, step, date) for each rule step a sentence reports ("the AI diffusion rule was
    rescinded in May 2025, while the Affiliates rule took effect on 29 September"): each step verb
    belongs to the rule named nearest to it and takes the date written nearest to it (not one
    inside a rule's name, not an "until" date; None when there is none); negated verbs ("did not
    rescind") report no step."""
    if not rules:
        return []
    kw, norm = _keyword_patterns(), normalize(sent)
    folded = fold(sent)
    free = [
        d for d in dates
        if not any(r["start"] <= d["start"] < r["end"] for r in rules)
        and not _UNTIL.search(folded[: max(0, d["start"] - offset)])
    ]
    found: dict[tuple[str, str], str | None] = {}
    for step in ("ended", "effective", "announced"):
        for m in kw[f"rule_{step}"].finditer(norm.text):
            if _NEGATION.search(norm.text[max(0, m.start() - 48) : m.start()]):
                continue
            after = norm.text[m.end() : m.end() + 30]
            if step == "ended" and re.match(r"\s+علي(?![\u0621-\u064a])", after):
                continue  # "تعليق على" is a comment on the rule
            if step == "announced" and (kw["rule_ended"].search(after) or kw["rule_effective"].search(after)):
                continue  # "announced a suspension of": the step is the suspension
            at = offset + norm.span(m.start(), m.end())[0]
            rule = min(rules, key=lambda r: min(abs(r["start"] - at), abs(r["end"] - at)))
            near = min(free, key=lambda d: abs(d["start"] - at), default=None)
            found.setdefault((rule["id"], step), str(near["value"]) if near else None)
    return [(rule, step, date) for (rule, step), date in found.items()]


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
            "rule_event": _rule_event,
        }[c["kind"]]
        try:
            context = {
                **c,
                "article_models": entities.get("models", []),
                "article_companies": entities.get("companies", []),
            }
            verdict, reasons, citations = fn(context, on, today, default_dest, lang)
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


def _parties(c: Mapping[str, Any], within: tuple[int, int] | None = None) -> list[tuple[str, str]]:
    """(name, headquarters country) of the sentence's organisations that the shipped party
    list knows (G42 -> AE, HUMAIN -> SA, Alibaba -> CN), optionally only those inside a span."""
    from ..rules.screening import screen

    out = []
    for org in _within(c["entities"].get("companies", []), within):
        match = screen(org["name"])
        if match is not None and match.entity.country:
            out.append((org["name"], match.entity.country))
    return out


def _within(items: Sequence[Mapping[str, Any]], span: tuple[int, int] | None) -> list[Mapping[str, Any]]:
    return [x for x in items if span is None or span[0] <= x["start"] < span[1]]


#: Where a sentence turns to another subject: "…, but …", "unlike …", "لكنها", "بينما".
_CLAUSE_BREAK = re.compile(
    r"(?:[,،;؛]\s*)?(?<![a-z\u0621-\u064a])(?:but|while|whereas|unlike|except|"
    r"و?لكن(?:ها|ه)?|بينما|في حين|بخلاف|على عكس|باستثناء)(?![a-z\u0621-\u064a])"
)


def _clause(c: Mapping[str, Any], at: int) -> tuple[int, int]:
    """The absolute span of the clause of the claim's sentence that holds offset ``at``."""
    start, norm = c["start"], normalize(c["text_raw"])
    breaks = [norm.span(m.start(), m.end())[0] for m in _CLAUSE_BREAK.finditer(norm.text)]
    for a, b in itertools.pairwise([0, *breaks, len(c["text_raw"])]):
        if start + a <= at < start + b:
            return start + a, start + b
    return start, start + len(c["text_raw"])


def _dests(c: Mapping[str, Any], default: str, at: int | None = None) -> list[str]:
    """The destinations of the clause holding offset ``at`` (the whole sentence without it): the
    countries it names and the homes of the parties it names, else those of the whole sentence,
    else the article's first foreign country (China when it names none)."""
    for span in ((_clause(c, at),) if at is not None else ()) + (None,):
        codes = [x["code"] for x in _within(c["entities"]["countries"], span) if x["code"] != "US"]
        codes += [code for _, code in _parties(c, span) if code != "US"]
        if codes:
            return list(dict.fromkeys(codes))
    return [default]


def _dest(c: Mapping[str, Any], default: str) -> str:
    """The sentence's first destination."""
    return _dests(c, default)[0]


def _end_user(c: Mapping[str, Any], dest: str) -> str | None:
    """A party of the sentence headquartered in the destination: the end user to screen."""
    return next((name for name, code in _parties(c) if code == dest), None)


def _cite(d: Any) -> list[dict[str, Any]]:
    seen, out = set(), []
    for r in d.reasons:
        key = (r.rule, r.citation)
        if r.citation not in ("-", "") and key not in seen:
            seen.add(key)
            out.append({"rule": r.rule, "citation": r.citation, "url": r.url})
    return out


def _status_word(d: Any) -> str:
    if d.license_required is None or (
        d.license_required and d.review_policy is None and d.classification == "undetermined"
    ):
        return "undetermined"  # no answer, or a licence whose review policy hangs on the class
    if not d.license_required:
        return "allowed"
    return {"denial": "banned", "case-by-case": "licensed", "approval": "approved"}.get(
        d.review_policy or "", "restricted"
    )


def _matches(stance: str, word: str) -> bool:
    if stance == "allowed":  # sales under licences granted case by case count as allowed
        return word in ("allowed", "licensed", "approved")
    if stance == "banned":
        return word == "banned"
    return word in ("banned", "restricted", "licensed", "approved")


@functools.lru_cache(maxsize=1)
def _actor_pattern() -> re.Pattern[str]:
    alts = "|".join(f"(?P<{code}>{_alt(words)})" for code, words in gazetteer()["actors"].items())
    return re.compile(rf"(?<![a-z\u0621-\u064a])(?:[وفبل]|ال)?(?:{alts})(?![a-z\u0621-\u064a])")


def _actor(c: Mapping[str, Any]) -> str | None:
    """Who acts in the sentence: the actor ("CN" for China's authorities, "US") named last before
    its first stance word, else the first named after it."""
    folded = fold(c["text_raw"])
    kw = _keyword_patterns()
    stance = min(
        (m.start() for k in ("allow", "ban", "restrict") for m in kw[k].finditer(folded)), default=0
    )
    found = [(m.start(), m.lastgroup) for m in _actor_pattern().finditer(folded)]
    before = [who for at, who in found if at < stance]
    return before[-1] if before else (found[0][1] if found else None)


def _import_side(
    c: Mapping[str, Any], on: dt.date, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    """China's own bans ("Chinese customs blocked the H200"): the import-side measures in force."""
    from ..api import check
    from ..api import chip as lookup

    reasons, cites, verdicts = [], [], []
    for chip in {x["id"]: x for x in c["entities"]["chips"]}.values():
        name = lookup(chip["id"]).name
        measures = check(chip["id"], to="CN", on=on).import_restrictions
        if measures:
            text = "; ".join(
                f"{m['text_ar'] if lang == 'ar' and m['text_ar'] else m['text']} ({m['since']})"
                for m in measures
            )
            reasons.append(msg("import_then", lang, chip=name, date=on, measures=text))
            cites += [{"rule": m["rule"], "citation": m["citation"], "url": m["url"]} for m in measures]
        else:
            reasons.append(msg("import_none", lang, chip=name, date=on))
        severities = {m["severity"] for m in measures}
        blocked = bool(severities & {"banned", "restricted"})
        if c["stance"] == "allowed":
            verdicts.append("contradicted" if blocked else "unverifiable")
        elif blocked or (c["stance"] == "restricted" and severities):
            verdicts.append("supported")
        else:
            verdicts.append("unverifiable")  # chipwatch's record of China's measures is partial
    verdict = min(verdicts, key=["contradicted", "unverifiable", "supported"].index)
    return verdict, reasons, list({(x["rule"], x["citation"]): x for x in cites}.values())


def _export(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    from ..api import check, timeline
    from ..api import chip as lookup

    on = _sentence_date(c, on, today)  # "in May 2025 the US banned…" is checked in May 2025
    if _actor(c) == "CN":
        return _import_side(c, on, lang)
    reasons, cites = [], []
    verdicts = []
    chips = {x["id"]: x for x in c["entities"]["chips"]}.values()
    for chip, dest in ((x, d) for x in chips for d in _dests(c, default, x["start"])):
        user = _end_user(c, dest)
        then = check(chip["id"], to=dest, on=on, end_user=user)
        now = check(chip["id"], to=dest, on=today, end_user=user)
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
        came_true_on = None
        if w_now != w_then:
            changes, last = [], w_then
            for e in timeline(chip["id"], to=dest, start=on, end=today, end_user=user)[1:]:
                word = _status_word(e.determination)
                if word != last:
                    changes.append(f"{e.start}: {status(word, lang)}")
                    last = word
                    if came_true_on is None and _matches(c["stance"], word):
                        came_true_on = e.start
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
        elif not ok_then and ok_now and (
            c.get("future")
            or (not c.get("negated") and came_true_on and (came_true_on - on).days <= ANNOUNCEMENT_DAYS)
        ):
            # "will allow", or a decision reported as made ("يسمح", "allows") that took effect
            # within weeks of the article; a state ("is not banned", "no longer restricts") must
            # hold on the day
            reasons.append(msg("came_true", lang))
            verdicts.append("supported")
        elif ok_then and (ok_now or w_now == "undetermined"):
            verdicts.append("supported")  # true then; today's answer is the same or cannot be told
        elif ok_then:
            verdicts.append("outdated")
        else:
            ended = _true_until(chip["id"], dest, on, user, c["stance"])
            if ended:  # true in the weeks before the article: describing what just changed
                reasons.append(msg("true_until", lang, date=ended))
                verdicts.append("outdated")
            else:
                verdicts.append("contradicted")
    verdict = (
        min(verdicts, key=["contradicted", "unverifiable", "outdated", "supported"].index)
        if verdicts
        else "unverifiable"
    )
    return verdict, reasons, list({(x["rule"], x["citation"]): x for x in cites}.values())


#: A day the press gives for a rule step may be off by this much (time zones, signing vs publication).
RULE_DAY_SLACK = dt.timedelta(days=3)


def _period(value: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date entity's value covers ('2025-05' -> May 1-31; '2025-Q1';
    '2025'; an interval 'a/b'), None for anything else."""
    import calendar

    if "/" in value:
        a, b = value.split("/", 1)
        return dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        day = dt.date.fromisoformat(value)
        return day, day
    if m := re.fullmatch(r"(\d{4})-(\d\d)", value):
        y, mo = int(m[1]), int(m[2])
        return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])
    if m := re.fullmatch(r"(\d{4})-([QH])([1-4])", value):
        y, months = int(m[1]), 3 if m[2] == "Q" else 6
        first = (int(m[3]) - 1) * months + 1
        last = first + months - 1
        return dt.date(y, first, 1), dt.date(y, last, calendar.monthrange(y, last)[1])
    if re.fullmatch(r"\d{4}", value):
        return dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
    return None


def _rule_event(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    """'The AI diffusion rule was rescinded in May 2025': the step's recorded dates, against the
    date the sentence gives (else the article's date: the step must have happened by then)."""
    from ..rules import load_rules

    rules = load_rules()
    e = rules.by_id[c["rule"]]
    end = e.end("enforcement")
    recorded = [  # a compliance date after the rule stopped being enforced never came
        (f, d) for f, label in RULE_STEPS.items()
        if label["step"] == c["step"] and (d := getattr(e, f))
        and (c["step"] == "ended" or end is None or d < end)
    ]
    every = [(f, d) for f in RULE_STEPS if (d := getattr(e, f))]
    title = e.title_ar if lang == "ar" and e.title_ar else e.title
    steps = "; ".join(
        (RULE_STEPS[f].get(lang) or RULE_STEPS[f]["en"]).format(date=d.isoformat())
        for f, d in sorted(every, key=lambda x: x[1])
    )
    reasons = [
        msg("rule_step", lang, step=RULE_STEP_WORDS[c["step"]].get(lang) or RULE_STEP_WORDS[c["step"]]["en"]),
        msg("rule_dates", lang, rule=title, citation=e.citation, dates=steps),
    ]
    cites = [{"rule": e.id, "citation": e.citation, "url": e.sources[0].url}]
    stated = _period(c["date"]) if c.get("date") else None
    if stated and stated[0] == stated[1]:  # a day: the press may be off by a few
        stated = (stated[0] - RULE_DAY_SLACK, stated[1] + RULE_DAY_SLACK)
    if stated:
        reasons.append(msg("rule_stated", lang, stated=f"{stated[0]}/{stated[1]}"))
    if not recorded:
        reasons.append(msg("rule_none", lang, version=rules.version))
        as_of = dt.date.fromisoformat(rules.version.split("+")[0])
        return ("unverifiable" if c.get("future") or on > as_of else "contradicted"), reasons, cites
    days = [d for _, d in recorded]
    if stated:
        verdict = "supported" if any(stated[0] <= d <= stated[1] for d in days) else "contradicted"
    elif c.get("future"):  # "will take effect": true when it did, at any time after the article
        verdict = "supported" if max(days) >= on else "unverifiable"
    else:  # reported as done: done by the article's date, or within weeks of it
        verdict = "supported" if min(days) <= on + dt.timedelta(days=ANNOUNCEMENT_DAYS) else "contradicted"
    return verdict, reasons, cites


def _sentence_date(c: Mapping[str, Any], on: dt.date, today: dt.date) -> dt.date:
    """The last day of the day, week or month a sentence names, when it names one no later than
    today; else the article's date. Years, quarters and halves date business figures more often
    than rules, so they do not count."""
    for d in c["entities"].get("dates", []):
        value = str(d["value"])
        period = None if re.fullmatch(r"\d{4}(?:-[QH]\d)?", value) else _period(value)
        if period:
            return min(period[1], today)
    return on


def _true_until(chip: str, dest: str, on: dt.date, user: str | None, stance: str) -> dt.date | None:
    """The day the claim stopped being true, when that was within ANNOUNCEMENT_DAYS before ``on``."""
    from ..api import timeline

    start = on - dt.timedelta(days=ANNOUNCEMENT_DAYS)
    periods = timeline(chip, to=dest, start=start, end=on, end_user=user)
    true_ends = [
        p.end for p in periods if p.end and _matches(stance, _status_word(p.determination))
    ]
    return max(true_ends) if true_ends else None


def _purchase(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    from ..api import check
    from ..scenarios.fleet import FleetItem, fleet

    money = [m for m in c["entities"]["money"] if m["currency"] == "USD" and not m["per_unit"]]
    chip = c["entities"]["chips"][0]
    units = _units(c["entities"]["counts"], c["entities"]["chips"])
    if not money and not units:
        return "unverifiable", [msg("no_money", lang)], []
    spend = money[0]["value"] if money else None
    f = fleet([FleetItem(chip["id"], spend=spend)] if spend else [FleetItem(chip["id"], units=units)])
    u = f["units"]
    dest = _dest(c, default)
    # a sale is checked at the end of the period the sentence names ("in 2021", "in Q1"), at the
    # latest on the article's date
    period = next((p for d in c["entities"]["dates"] if (p := _period(str(d["value"])))), None)
    when = min(on, period[1]) if period else on
    d = check(chip["id"], to=dest, on=when)
    reasons = [
        msg("buys", lang, spend=spend, units=u["central"], chip=chip["name"], low=u["low"],
            high=u["high"])
        if spend
        else msg("units", lang, units=units, chip=chip["name"]),
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
            classification=classification_label(d.classification, lang),
        ),
    ]
    verdict = "unverifiable"  # the amount itself cannot be checked here
    if d.license_required and d.review_policy == "denial":
        if period:
            reasons.append(msg("conflict", lang))
            verdict = "contradicted"
        else:  # an undated sale may predate the rule: the article's date proves nothing
            reasons.append(msg("conflict_undated", lang))
    else:
        reasons.append(msg("consistent", lang))
    return verdict, reasons, _cite(d)


#: Count nouns that name accelerators ("18,000 GB300 chips", "18 ألف شريحة", "500,000 units").
_UNIT_NOUN = re.compile(
    r"^(?:of\s+(?:its|their|the)\s+|of\s+)?(?:chips?|gpus?|units?|accelerators?|processors?|cards?|شريح|شرايح|رقاق|رقايق|وحد|معالج|بطاق)"
)


def _units(
    counts: Sequence[Mapping[str, Any]], chips: Sequence[Mapping[str, Any]] = ()
) -> float | None:
    """The number of accelerators a sentence counts ("18,000 chips", "18 ألف شريحة", "18,000 of
    its GB300"), if it counts them."""
    def counts_chips(x: Mapping[str, Any]) -> bool:
        noun = fold(str(x.get("noun") or ""))
        if _UNIT_NOUN.search(noun):
            return True
        # "18,000 of its GB300 chips": the count's noun is only a determiner before the chip
        return noun in ("", "its", "their", "the", "of") and any(
            0 <= c["start"] - x["end"] <= 12 for c in chips
        )

    return next((float(x["value"]) for x in counts if x.get("value") and counts_chips(x)), None)


_GPU_HOURS = re.compile(
    r"(?<![a-z0-9.,])(\d+(?:[.,]\d+)*)\s*(million|mn|m|مليون|ملايين|billion|bn|b|مليار)?(?![a-z])\s*"
    r"(?:[a-z]+\d+[a-z]*\s+|nvidia\s+)?"
    r"(?:gpu[\s-]*hours?|ساع(?:ه|ة|ات)(?:\s+\S+){0,4}?\s+[لوب]?(?:ال)?"
    r"(?:gpu|وحد(?:ه|ات)|شريحه|شرايح|رقايق|معالج))"  # folded spellings (ة -> ه, ئ -> ي)
)


def _claimed_gpu_hours(text: str) -> float | None:
    """A GPU-hour total stated in a sentence ("30.84 million GPU hours", "2.788 مليون ساعة GPU",
    "30.84 مليون ساعة عمل لشرائح H100")."""
    m = _GPU_HOURS.search(fold(text))
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    scale = {"million": 1e6, "mn": 1e6, "m": 1e6, "مليون": 1e6, "ملايين": 1e6,
             "billion": 1e9, "bn": 1e9, "b": 1e9, "مليار": 1e9}
    return value * scale.get(m.group(2) or "", 1.0)


def _run_named(c: Mapping[str, Any], companies: set[str], runs: Mapping[str, Any]) -> str:
    """The model whose published run a training sentence is about: the model it names; DeepSeek's
    when it names DeepSeek; the only published run on the chip it names ("2.788M H800 GPU hours");
    else, when it names no company, the model (or DeepSeek) mentioned last before it."""
    if c["entities"]["models"]:
        return str(c["entities"]["models"][0]["name"])
    if "DeepSeek" in companies:
        return "deepseek-v3"
    on_chip = {n for n, r in runs.items() for x in c["entities"]["chips"] if r.chip == x["id"]}
    if len(on_chip) == 1:
        return on_chip.pop()
    if companies:
        return ""
    before = [
        (x["start"], x["name"]) for x in c.get("article_models", []) if x["start"] < c["start"]
    ] + [
        (x["start"], "deepseek-v3")
        for x in c.get("article_companies", [])
        if x["name"] == "DeepSeek" and x["start"] < c["start"]
    ]
    return max(before)[1] if before else ""


#: A claimed training cost this many times above or below the run's is about another scope (a
#: company's total spending, or one stage of the run), not a wrong figure for the run.
SCOPE_FACTOR = 10.0


def _training(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    from ..api import chip as lookup
    from ..capability import train
    from ..capability.training import DEFAULT_CLUSTER, PUBLISHED_RUNS

    # the sentence's model, else the article's ("… its model"), else DeepSeek's when the company
    # is named ("DeepSeek trained its model…")
    companies = {x["name"] for x in c["entities"].get("companies", [])}
    name = _run_named(c, companies, PUBLISHED_RUNS)
    if not name:
        return "unverifiable", [msg("no_model", lang)], []
    run = PUBLISHED_RUNS.get(name)
    if run is None:
        return "unverifiable", [msg("no_run", lang, model=name)], []
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
        if m.get("per_unit"):
            continue  # a price per GPU-hour or per head, not the run's cost
        v, q = m["value"], m["qualifier"]
        if not cost / SCOPE_FACTOR <= v <= cost * SCOPE_FACTOR and q not in ("<", "<="):
            # "$1.3 billion" (all spending) or "$294K" (one stage): another scope than this run
            reasons.append(msg("scope_differs", lang, claimed=v / 1e6, cost=cost / 1e6))
            verdict = "unverifiable" if verdict == "supported" else verdict
            continue
        if (q in ("<", "<=") and cost > v * 1.15) or (q in (">", ">=") and cost < v / 1.15):
            verdict = "contradicted"
        if q in ("=", "~") and not (v / 1.3 <= cost <= v * 1.3):
            verdict = "contradicted"
    hours = _claimed_gpu_hours(c["text"])
    if hours:
        reasons.append(
            msg("hours", lang, claimed=hours / 1e6, published=gpu_hours / 1e6,
                hours=r["gpu_hours"] / 1e6)
        )
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


def _subject_and_object(c: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, str]:
    """The chip a comparison is about (named before "faster"/"أقوى"; None when no catalog chip is)
    and the chip it is compared with (the next one named after it; else the H100, or the H200 for
    an H100)."""
    chips = c["entities"]["chips"]
    kw, norm = _keyword_patterns(), normalize(c["text_raw"])
    word = kw["faster"].search(norm.text) or kw["powerful"].search(norm.text)
    at = c["start"] + norm.span(word.start(), word.end())[0] if word else None
    before = [x for x in chips if at is None or x["start"] < at]
    if not before:  # "Trainium 2 is twice as fast as the H100" with an unknown subject
        return None, chips[0]["id"]
    subject = before[-1]
    others = [x for x in chips if x["id"] != subject["id"]]
    after = [x for x in others if x["start"] > subject["start"]]
    ref = (after or others)[0]["id"] if others else (
        "nvidia-h100-sxm" if subject["id"] != "nvidia-h100-sxm" else "nvidia-h200-sxm"
    )
    return subject, ref


def _capability(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    """"X is N times faster / as powerful as Y", "X suits inference": the modelled decode and
    prefill ratios of X over Y, and the ratio of their TPP (raw compute), in that direction."""
    import numpy as np

    from .. import api
    from ..capability import hardware, model
    from ..capability.hardware import HardwareError
    from ..capability.inference import Parallel, Precision, Scenario

    chip, ref_id = _subject_and_object(c)
    ref = api.chip(ref_id).name
    cites = [{"rule": "chipwatch capability model", "citation": "docs/capability.md", "url": None}]
    if chip is None:
        return "unverifiable", [msg("no_subject", lang, ref=ref)], cites
    named = [x["name"] for x in c["entities"]["models"]]
    m = next((model(n) for n in named if _known_model(n)), model("DeepSeek-V3"))
    reasons, ratios = [], {}
    try:
        scn = {
            n: Scenario(m, hardware(n), Parallel(tp=8), Precision("fp8", kv="fp8"), 1024, 4096)
            for n in (chip["id"], ref_id)
        }
        decode = {n: 16 / float(s.step_time(np.array([16.0]), 3000)["total"][0]) for n, s in scn.items()}
        prefill = {n: 65536 / float(s.prefill_time(np.array([65536.0]))[0]) for n, s in scn.items()}
        ratios["decode"] = decode[chip["id"]] / decode[ref_id]
        ratios["prefill"] = prefill[chip["id"]] / prefill[ref_id]
        reasons += [
            msg("ratio", lang, model=m.name, chip=chip["name"], rd=ratios["decode"], ref=ref,
                rp=ratios["prefill"]),
            msg("why_decode", lang),
        ]
    except HardwareError:  # a chip without the specs to serve a model: compare raw compute only
        pass
    tpp, ref_tpp = (api.chip(n).metrics.tpp for n in (chip["id"], ref_id))
    if tpp and ref_tpp:  # "more powerful" in the press usually means raw compute
        ratios["tpp"] = tpp / ref_tpp
        reasons.append(
            msg("tpp_ratio", lang, chip=chip["name"], tpp=tpp, r=ratios["tpp"], ref=ref, ref_tpp=ref_tpp)
        )
    if not ratios:
        return "unverifiable", reasons, cites
    text = fold(c["text"])
    fast = _FACTOR.search(text)
    kw = _keyword_patterns()
    if fast:
        factor = parse_number(fast.group("n")) or 1.0
        reasons.append(
            msg("factor", lang, factor=factor, rd=ratios["decode"], rp=ratios["prefill"])
            if "decode" in ratios
            else msg("factor_only", lang, factor=factor)
        )
        if any(abs(x - factor) / factor < 0.3 for x in ratios.values()):
            verdict = "supported"
        elif _UP_TO.search(text) and max(ratios.values()) < factor:
            reasons.append(msg("best_case", lang))
            verdict = "unverifiable"
        else:
            verdict = "contradicted"
    elif kw["powerful"].search(text) or kw["faster"].search(text):
        # "more powerful than", "أقوى من" (no factor): stronger by raw compute; "faster": at all
        weaker = re.search(r"less|weaker|slower|اضعف|ابطا|اقل", text)
        powerful = kw["powerful"].search(text) and "tpp" in ratios
        stronger = ratios["tpp"] >= 1 if powerful else max(ratios.values()) >= 1
        verdict = "supported" if stronger != bool(weaker) else "contradicted"
    else:
        # suited to inference: at least as fast as the reference at decode, or relatively
        # stronger at decode than at prefill (the H20's case)
        rd, rp = ratios.get("decode"), ratios.get("prefill")
        if rd is None or rp is None:
            return "unverifiable", reasons, cites
        verdict = "supported" if rd >= 1 or rd > 1.5 * rp else "contradicted"
    return verdict, reasons, cites


#: "35 times", "1.9x", "six times", "3 مرات", "ستة أضعاف": a speed-up factor, not the X of a chip
#: name (MI355X)
_FACTOR = re.compile(  # a number word inside another word ("ليست") is not a factor; "بست" is
    rf"(?<![a-z0-9.\u0621-\u064a])ب?(?P<n>\d+(?:\.\d+)?|{'|'.join(sorted(set(WORD_NUMBERS) - {'a'}, key=len, reverse=True))})"
    r"\s*(?:x(?![a-z0-9])|×|times|مرات|مره|اضعاف|ضعف)"
)
_UP_TO = re.compile(r"up to|as much as|حتى|يصل الى|تصل الى|بما يصل")


def _known_model(name: str) -> bool:
    from ..capability.workloads import WorkloadError, model

    try:
        model(name)
    except WorkloadError:
        return False
    return True


def _adoption(
    c: Mapping[str, Any], on: dt.date, today: dt.date, default: str, lang: str
) -> tuple[str, list[str], list[dict[str, Any]]]:
    counts = c["entities"]["counts"]
    parts = [
        f"{'~' if x['vague'] else ''}{x['value'] or x.get('order_of_magnitude'):,.0f} {x['noun'] or ''}".strip()
        for x in counts
    ]
    return "unverifiable", [msg("adoption", lang, figures="; ".join(parts))], []
