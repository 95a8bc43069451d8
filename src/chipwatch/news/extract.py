"""Entities with character offsets: chips, companies, people, models, rules, money, counts, dates,
countries.

Matching runs on the normalized text (:mod:`.normalize`) with regular expressions built from
the catalog and ``data/news/gazetteer.yaml``; every span is mapped back to the original text.
All patterns are linear (alternations of literals, bounded gaps), so 10 MB of text is fine.

>>> ents = extract("اشترت الشركات الصينية 18 مليار دولار من رقائق H20 في الأشهر الثلاثة الأولى من عام 2025")
>>> [(m["value"], m["currency"]) for m in ents["money"]]
[(18000000000.0, 'USD')]
>>> [d["value"] for d in ents["dates"]], [c["id"] for c in ents["chips"]]
(['2025-Q1'], ['nvidia-h20'])
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .normalize import Normalized, fold, normalize
from .numbers import DUALS, WORD_NUMBERS, parse_number, scale_value

DATA = Path(__file__).resolve().parent.parent / "data" / "news" / "gazetteer.yaml"
_AR = "\u0621-\u064a"
_B = rf"(?<![a-z0-9{_AR}])"  # left word boundary for Latin and Arabic
_E = rf"(?![a-z0-9{_AR}])"
_PREFIX = "(?:[وفبلك]|لل|وال|بال|فال|كال)?"  # Arabic proclitics before a name


@functools.lru_cache(maxsize=1)
def gazetteer() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(DATA.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _alt(words: Iterable[str]) -> str:
    """One regex alternation of the folded words, as a trie ("ab|ac" -> "a(?:b|c)"): Python's
    engine tries alternatives one by one, so shared prefixes are factored out; at each node the
    longer continuation is tried first, so the longest word wins as with length-sorted lists."""
    trie: dict[str, Any] = {}
    for word in {fold(w) for w in words if w}:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [
        (r"\s+" if ch == " " else re.escape(ch)) + _trie_pattern(child)
        for ch, child in sorted(node.items())
        if ch
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


@functools.lru_cache(maxsize=1)
def _chip_index() -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
    """A token regex for chip-like words ("H20", "اتش 20", "RTX 4090 D") and the catalog keys it may name."""
    from ..api import catalog

    letters = {fold(w): k for k, words in gazetteer()["latin_letters"].items() for w in words}
    keys: dict[str, str] = {}
    for c in catalog():
        for name in (c.name, c.family, *c.aliases):
            k = re.sub(r"[^a-z0-9]", "", fold(name).replace("geforce", "").replace("instinct", ""))
            if len(k) >= 2 and any(ch.isdigit() for ch in k):
                keys.setdefault(k, name)
    head = "|".join(sorted(map(re.escape, letters), key=len, reverse=True))
    # product-line words that stand before a model number in catalog names ("CloudBlazer T20",
    # "Kunlun P800"); company names stay out so "NVIDIA H20" keeps its span on "H20"
    companies = {fold(w) for words in gazetteer()["companies"].values() for w in words}
    lines = {
        w for c in catalog() for n in (c.name, *c.aliases)
        if (m := re.fullmatch(r"([a-z]{4,})\s+[a-z]{0,2}\d.*", fold(n))) and (w := m.group(1)) not in companies
    } | {"rtx", "geforce", "instinct", "ascend", "tpu"}
    token = re.compile(
        rf"{_B}(?:geforce\s*(?:rtx\s*)?|(?:{'|'.join(sorted(lines, key=len, reverse=True))})\s*)?"
        rf"(?P<body>(?:[a-z]{{1,8}}|[وفبل]?(?:(?:{head})\s*){{1,3}})[\s\-]*\d{{1,5}}"
        rf"(?:[\s\-]?(?:[a-z]{{1,4}}|(?:{head})(?![\u0621-\u064a]))\d{{0,3}}){{0,2}}){_E}"
        # "Ascend 910B and 910C", "أسيند 910B و910C": a sibling model number of the same family
        rf"(?P<sibling>\s*(?:and|or|&|/|،|,)?\s*[و]?\s*\d{{2,5}}[a-z]{{1,3}}{_E})?"
    )
    return token, keys, letters


def _latin(body: str, letters: Mapping[str, str]) -> str:
    """Arabic names of Latin letters in a chip token spelled as the letters ("بي 30 إيه" -> b 30 a)."""
    if body.isascii():
        return body
    return _letter_names(tuple(sorted(letters.items()))).sub(lambda m: letters[m.group()], body)


@functools.lru_cache(maxsize=2)
def _letter_names(letters: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    return re.compile(rf"(?<![\u0621-\u064a])(?:{_alt(a for a, _ in letters)})(?![\u0621-\u064a])")


def find_chips(norm: Normalized, original: str) -> list[dict[str, Any]]:
    from ..api import chip as lookup

    token, keys, letters = _chip_index()
    out = []
    for m in token.finditer(norm.text):
        body, begin = m.group("body"), m.start()
        if body[:1] in "وفبل" and any(body[1:].startswith(a) for a in letters):
            body, begin = body[1:], m.start("body") + 1  # "وإتش 200": the conjunction is not the name
        body = _latin(body, letters)
        parts = re.findall(r"[a-z]+|\d+", body)
        prefix = m.group()[: m.start("body") - m.start()].strip().replace(" ", "")
        found = None
        for n in range(len(parts), 0, -1):  # the longest run of tokens that names a chip
            key = "".join(parts[:n])
            if key in keys or (prefix + key) in keys:
                found = keys.get(key) or keys[prefix + key]
                end = m.start("body") + _token_end(m.group("body"), n, letters)
                break
        if found is None:
            continue
        if parts[0] == "h" and parts[1:2] == ["2"] and len(parts) > 2 and parts[2] == "o":
            continue
        view = lookup(found)
        if view.chip.name_also_means and not _near_chip_words(norm.text, m.start(), m.end(), 200):
            continue  # "Volvo S60": a name that is also another product's counts among chip words
        out.append({"id": view.id, "name": view.name, **_span(norm, original, begin, end)})
        sibling = m.group("sibling")
        family = prefix or (parts[0] if parts and parts[0].isalpha() else "")
        if sibling and family:
            number = re.sub(r"[^a-z0-9]", "", sibling.replace("and", "").replace("or", ""))
            key = family + number
            if key in keys:
                other = lookup(keys[key])
                digits = re.search(r"\d", sibling)
                start = m.start("sibling") + (digits.start() if digits else 0)
                out.append(
                    {"id": other.id, "name": other.name, **_span(norm, original, start, m.end("sibling"))}
                )
    # "H2O" is a common typo of "H20", and names without a number ("Rubin", "Trainium") are also
    # ordinary words: both count only next to chip words
    names, bare = _bare_chip_names()
    for m in (*re.finditer(rf"{_B}h[\s\-]?2o{_E}", norm.text), *bare.finditer(norm.text)):
        s, e = norm.span(m.start(), m.end())
        typo = re.sub(r"[\s\-]", "", m.group()) == "h2o"
        if _near_chip_words(norm.text, m.start(), m.end(), vendors=not typo) and not any(
            x["start"] < e and s < x["end"] for x in out
        ):
            view = lookup("H20" if typo else names[re.sub(r"\s+", " ", m.group())])
            out.append(
                {
                    "id": view.id,
                    "name": view.name,
                    **({"typo_of": "H20"} if typo else {}),
                    **_span(norm, original, m.start(), m.end()),
                }
            )
    return sorted(out, key=lambda x: x["start"])


#: Chip nouns: "H2O" (a typo of H20) counts as the H20 only within 80 characters of one of these
#: or NVIDIA's name; names without a number ("Rubin", "Trainium") within 80 characters of one or of
#: a catalog vendor's name; names that also mean something else (``name_also_means``: "S60")
#: within 200 characters.
_CHIP_WORDS = (
    r"(?:[وفبل]?(?:ال)?(?:رقايق|رقاقه|رقاقات|شريحه|شرايح|معالج|معالجات|وحدات معالجه)|chips?|gpus?"
    r"|accelerators?|processors?|semiconductors?|npus?)"
)


@functools.lru_cache(maxsize=4)
def _context(vendors: bool) -> re.Pattern[str]:
    words = [_CHIP_WORDS]
    if vendors:  # every catalog vendor, in the gazetteer's spellings too
        from ..api import catalog

        names = {c.vendor for c in catalog()}
        spellings = [w for n in names for w in gazetteer()["companies"].get(n, [])]
        words.append(_alt([*names, *spellings]))
    else:
        words.append(_alt(["nvidia", *gazetteer()["companies"]["NVIDIA"]]))
    return re.compile(rf"{_B}(?:{'|'.join(words)}){_E}")


def _near_chip_words(text: str, start: int, end: int, reach: int = 80, vendors: bool = True) -> bool:
    return bool(_context(vendors).search(text[max(0, start - reach) : end + reach]))


@functools.lru_cache(maxsize=1)
def _bare_chip_names() -> tuple[dict[str, str], re.Pattern[str]]:
    """Catalog names and aliases without a digit ("Rubin", "Vera Rubin", "Trainium"), and the
    gazetteer's generation names ("Blackwell", "بلاكويل": its flagship) -> chip id."""
    from ..api import catalog

    names = {
        re.sub(r"\s+", " ", fold(n)): c.id
        for c in catalog()
        for n in (c.name, c.family, *c.aliases)
        if n.isascii() and not any(ch.isdigit() for ch in n) and len(n) >= 3
    }
    for chip_id, words in gazetteer()["chip_generations"].items():
        names.update({re.sub(r"\s+", " ", fold(w)): chip_id for w in words})
    return names, re.compile(rf"{_B}[وبل]?(?:{_alt(names)}){_E}")


def _token_end(body: str, n: int, letters: Mapping[str, str] | None = None) -> int:
    """Length of the prefix of ``body`` that holds its first ``n`` letter/digit runs (an Arabic
    name of a Latin letter, "إيه", counts as a letter run)."""
    count, i = 0, 0
    for run in re.finditer(r"[a-z]+|\d+|[^\sa-z\d\-]+", body):
        if re.fullmatch(r"[a-z]+|\d+", run.group()) or count == 0 or run.group() in (letters or {}):
            count += 1
            i = run.end()
            if count >= n:
                break
    return i


def _span(norm: Normalized, original: str, start: int, end: int) -> dict[str, Any]:
    s, e = norm.span(start, end)
    return {"text": original[s:e], "start": s, "end": e}


@functools.lru_cache(maxsize=1)
def _name_patterns() -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    """One regex per kind over every alias, and alias (folded) -> canonical name."""
    g = gazetteer()
    out = {}
    for kind in ("companies", "people", "models", "rules"):
        words_of = (
            _model_words(g[kind]) if kind == "models" else _rule_words() if kind == "rules"
            else dict(g[kind])
        )
        names = {
            re.sub(r"\s+", " ", fold(w)): name for name, words in words_of.items() for w in words
        }
        out[kind] = (re.compile(rf"{_B}{_PREFIX}(?P<w>{_alt(names)}){_E}"), names)
    return out


def _rule_words() -> dict[str, list[str]]:
    """Rule event id -> what the press calls the rule (the events' ``names``)."""
    from ..rules import load_rules

    return {e.id: list(e.names) for e in load_rules().events if e.names}


def _model_words(extra: dict[str, list[str]]) -> dict[str, list[str]]:
    """Model names an article may use: every workload file's name and aliases (with hyphens also
    read as spaces), plus the gazetteer's own spellings (Arabic, models without a workload file)."""
    from ..capability.workloads import models

    words: dict[str, list[str]] = {k: list(v) for k, v in extra.items()}
    for m in {m.id: m for m in models().values()}.values():
        for name in (m.name, m.id, *m.aliases):
            if "/" in name or ":" in name:
                continue  # repository paths and tags are not how articles name models
            words.setdefault(m.id, []).extend({name, name.replace("-", " ")})
    return words


def find_names(norm: Normalized, original: str, kind: str) -> list[dict[str, Any]]:
    pattern, names = _name_patterns()[kind]
    out = []
    for m in pattern.finditer(norm.text):
        name = names.get(re.sub(r"\s+", " ", m.group("w")))
        if name:
            out.append({"name": name, **_span(norm, original, m.start("w"), m.end("w"))})
    return out


def find_rules(norm: Normalized, original: str) -> list[dict[str, Any]]:
    """Rules named as the press does ("the AI diffusion rule", "قاعدة الشركات التابعة")."""
    from ..rules import load_rules

    by_id = load_rules().by_id
    return [
        {**x, "id": x["name"], "name": by_id[x["name"]].title}
        for x in find_names(norm, original, "rules")
    ]


@functools.lru_cache(maxsize=1)
def _country_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    from ..rules import countries

    table = countries()
    names: dict[str, str] = {}
    for spelling, code in table.spellings.items():  # names, Arabic names and aliases as written
        n = re.sub(r"\s+", " ", fold(spelling))
        if len(n) > 3 or n in ("ksa",):
            names.setdefault(n, code)
    names.update(
        {
            fold(k): v
            for k, v in {"us": "US", "u.s.": "US", "usa": "US", "uae": "AE", "امريكا": "US"}.items()
        }
    )
    extra_ar = {fold(n)[2:]: code for n, code in names.items() if n.startswith("ال") and len(n) > 4}
    pattern = re.compile(
        rf"{_B}(?:(?:{_alt(names)})|(?:لل|ل)(?:{_alt(extra_ar)})|[وفب](?:{_alt(names)})){_E}"
    )
    return pattern, {**names, **extra_ar}


def find_countries(norm: Normalized, original: str) -> list[dict[str, Any]]:
    from ..rules import countries

    pattern, names = _country_pattern()
    out = []
    for m in pattern.finditer(norm.text):
        t = re.sub(r"\s+", " ", m.group())
        key = t if t in names else next((t[i:] for i in (1, 2) if t[i:] in names), None)
        if key is None:
            continue
        code = names[key]
        span = _span(norm, original, m.start(), m.end())
        if code == "OM" and "\u0645\u0651" in span["text"]:
            continue  # "عمّان" with a shadda is Amman, Jordan's capital, not Oman ("عُمان")
        c = countries().by_code[code]
        out.append({"code": code, "name": c.name, "name_ar": c.name_ar, **span})
    return out


# --- money and counts ---------------------------------------------------------------------------

_NUM = r"\d+(?:[.,]\d+)*"


@functools.lru_cache(maxsize=1)
def _money_patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str], dict[str, str]]:
    g = gazetteer()
    cur = {fold(w): code for code, words in g["currencies"].items() for w in words}
    qual = {fold(w): sym for sym, words in g["qualifiers"].items() for w in words}
    from .numbers import SCALES, WORD_NUMBERS

    scales = _alt(SCALES)
    words = _alt(WORD_NUMBERS)
    q = rf"(?:[وف]?(?P<qual>{_alt(qual)})\s+)?"
    amount = rf"(?P<num>{_NUM}|(?:{words})(?:(?:\s+|-)(?:و)?(?:{words}))*)?\s*(?P<scale>(?:[وبل])?(?:{scales}))?"
    words_cur = _alt(w for w in cur if w not in ("$", "us$", "€"))
    per = _alt(g["per_unit"])
    # "18 مليار دولار", "6 ملايين دولار", "$1.5bn", "USD 5.5 billion", "18 billion dollars"
    p1 = re.compile(
        rf"{_B}{q}(?:(?P<sym>us\$|\$|€)\s*(?P<num2>{_NUM})\s*(?P<scale2>{scales})?{_E}|{amount}\s*(?P<cur>{words_cur}){_E})(?:\s*(?P<per>{per}))?"
    )
    p2 = re.compile(rf"{_B}{q}(?P<cur3>usd|eur|cny)\s*(?P<num3>{_NUM})\s*(?P<scale3>{scales})?{_E}")
    return p1, p2, cur, qual


def _amount(num: str | None, scale: str | None) -> float | None:
    value = parse_number(num) if num else None
    if num and value is None:
        return None
    if scale:
        s = scale_value(scale)
        if s is None:
            return None
        if fold(scale).lstrip("وبل") in DUALS and value is None:
            return s
        return (value if value is not None else 1.0) * s
    return value


def find_money(norm: Normalized, original: str) -> list[dict[str, Any]]:
    p1, p2, cur, qual = _money_patterns()
    out = []
    for m in p1.finditer(norm.text):
        d = m.groupdict()
        if d.get("sym"):
            value = _amount(d["num2"], d.get("scale2"))
            currency = "EUR" if d["sym"] == "€" else "USD"
        else:
            if not (d.get("num") or d.get("scale")):
                continue
            value = _amount(d.get("num"), d.get("scale"))
            currency = cur.get(d["cur"], "USD")
        if value is None:
            continue
        out.append(
            _money(
                norm,
                original,
                m,
                value,
                currency,
                qual.get(d.get("qual") or ""),
                bool(d.get("per")),
            )
        )
    for m in p2.finditer(norm.text):
        d = m.groupdict()
        value = _amount(d["num3"], d.get("scale3"))
        if value is not None:
            out.append(
                _money(
                    norm,
                    original,
                    m,
                    value,
                    d["cur3"].upper(),
                    qual.get(d.get("qual") or ""),
                    False,
                )
            )
    return _dedupe(out)


@functools.lru_cache(maxsize=1)
def _trailing_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    words = {fold(w): sym for sym, ws in gazetteer()["trailing_qualifiers"].items() for w in ws}
    return re.compile(rf"^[\s,،]*(?P<q>{_alt(words)}){_E}"), words


def _trailing_qualifier(after: str) -> str | None:
    """A qualifier written right after an amount ("... على الأقل", "... or more")."""
    pattern, words = _trailing_pattern()
    m = pattern.match(after)
    return words.get(re.sub(r"\s+", " ", m.group("q"))) if m else None


def _money(
    norm: Normalized,
    original: str,
    m: re.Match[str],
    value: float,
    currency: str,
    q: str | None,
    per: bool,
) -> dict[str, Any]:
    qualifier = q or _trailing_qualifier(norm.text[m.end() : m.end() + 16]) or "="
    return {
        "value": value,
        "currency": currency,
        "qualifier": qualifier,
        "per_unit": per,
        **_span(norm, original, m.start(), m.end()),
    }


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = sorted(items, key=lambda x: (x["start"], -(x["end"] - x["start"])))
    out: list[dict[str, Any]] = []
    for it in items:
        if out and it["start"] < out[-1]["end"]:
            continue
        out.append(it)
    return out


@functools.lru_cache(maxsize=1)
def _count_patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str], dict[str, float]]:
    g = gazetteer()
    from .numbers import SCALES

    qual = {fold(w): sym for sym, words in g["qualifiers"].items() for w in words}
    q = rf"(?:[وف]?(?P<qual>{_alt(qual)})\s+)?"
    scale_words = _alt(s for s in SCALES if len(s) > 2)
    # the counted noun, after an optional chip name ("18,000 GB300 chips"); never a scale word
    noun = (
        rf"(?:[a-z]{{1,8}}-?\d{{2,5}}[a-z]{{0,3}}\s+)?(?!(?:{scale_words}){_E})"
        rf"(?P<noun>[{_AR}]{{3,}}(?:\s+[{_AR}]{{3,}})?|[a-z]{{3,}}(?:\s+[a-z]{{3,}})?)"
    )
    from .numbers import WORD_NUMBERS

    words = _alt(w for w in WORD_NUMBERS if len(w) > 2)
    num = rf"{_NUM}|(?:{words})(?:(?:\s+|-)(?:و)?(?:{words}))*"
    p = re.compile(
        rf"{_B}[وفب]?{q}(?P<num>{num})\s*(?P<scale>{scale_words})?\s+(?:of\s+)?{noun}"
    )
    vague = {fold(w): float(v) for w, v in g["vague"]}
    pv = re.compile(rf"{_B}(?P<vague>{_alt(vague)})(?:\s+(?:من\s+)?{noun})?")
    return p, pv, qual, vague


_STOPWORDS = {
    "and",
    "the",
    "for",
    "with",
    "from",
    "that",
    "this",
    "who",
    "which",
    "are",
    "were",
    "was",
    "will",
    "have",
    "has",
    "في",
    "من",
    "علي",
    "الي",
    "عن",
    "مع",
    "التي",
    "الذي",
    "الذين",
    "قد",
    "كان",
    "هذه",
    "هذا",
}
_NOT_COUNT_NOUNS = re.compile(
    r"^(?:دولار|دولارا|دولارات|يوان|يورو|عام|سنه|سنوات|شهر|اشهر|شهرين|يوم|ايام|ساعه|ساعات|دقيقه|بالمئه|بالمائه|في|من|على|الى|"
    r"dollars?|usd|years?|months?|days?|hours?|percent|per|in|of|the|and|to|at|on|for|tflops|tops|gb|tb|nm|watts?|mm)(?:\s|$)"
)


def find_counts(
    norm: Normalized, original: str, taken: Iterable[tuple[int, int]]
) -> list[dict[str, Any]]:
    p, pv, qual, vague = _count_patterns()
    import bisect

    blocked = sorted(taken)
    starts = [a for a, _ in blocked]
    out = []

    def free(s: int, e: int) -> bool:
        """No taken span overlaps [s, e) (binary search: linear time overall)."""
        i = bisect.bisect_left(starts, e)
        return not any(s < blocked[j][1] for j in range(max(0, i - 3), i))

    for m in p.finditer(norm.text):
        noun, end = m.group("noun"), m.end()
        number_end = m.end("scale") if m.group("scale") else m.end("num")
        words = noun.split()
        if len(words) > 1 and (words[1] in _STOPWORDS or not free(*norm.span(m.start("noun"), end))):
            noun, end = words[0], m.start("noun") + len(words[0])  # keep the head noun only
        if (
            _NOT_COUNT_NOUNS.match(noun)
            or not free(*norm.span(m.start(), number_end))
            or not free(*norm.span(m.start("noun"), end))
        ):
            continue  # a chip name may stand between the number and its noun ("18,000 GB300 chips")
        if re.fullmatch(r"(?:19|20)\d\d", m.group("num")) and not m.group("scale"):
            continue  # a year
        if re.search(r"(?:tier|phase|level|الفئه|المرحله|المستوي)[\s-]*$", norm.text[max(0, m.start() - 8) : m.start()]):
            continue  # "tier-two countries", "المرحلة 2": an ordinal label, not a quantity
        value = _amount(m.group("num"), m.group("scale"))
        if value is None:
            continue
        ns, ne = norm.span(m.start("noun"), end)
        out.append(
            {
                "value": value,
                "noun": original[ns:ne],
                "qualifier": qual.get(m.group("qual") or "", "="),
                "vague": False,
                **_span(norm, original, m.start(), end),
            }
        )
    for m in pv.finditer(norm.text):
        if not free(*norm.span(m.start(), m.end())):
            continue
        noun = (
            original[slice(*norm.span(m.start("noun"), m.end("noun")))] if m.group("noun") else None
        )
        out.append(
            {
                "value": None,
                "order_of_magnitude": vague[m.group("vague")],
                "noun": noun,
                "qualifier": "vague",
                "vague": True,
                **_span(norm, original, m.start(), m.end()),
            }
        )
    return _dedupe(out)


# --- dates ------------------------------------------------------------------------------------

_ORDINALS = {
    "الاول": 1,
    "الاولي": 1,
    "الثاني": 2,
    "الثانيه": 2,
    "الثالث": 3,
    "الثالثه": 3,
    "الرابع": 4,
    "الرابعه": 4,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "q1": 1,
    "q2": 2,
    "q3": 3,
    "q4": 4,
}


class _Words(dict):  # type: ignore[type-arg]
    """Folded gazetteer words -> value, looked up with any run of whitespace read as one space
    (the patterns match "last\nweek" and "كانون  الثاني")."""

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(re.sub(r"\s+", " ", key))


@functools.lru_cache(maxsize=1)
def _date_patterns() -> dict[str, Any]:
    g = gazetteer()
    months = _Words({fold(w): int(k) for k, words in g["months"].items() for w in words})
    hijri = _Words({fold(w): int(k) for k, words in g["hijri_months"].items() for w in words})
    mon = _alt(months)
    year = r"(?P<year>(?:19|20)\d\d)"
    return {
        "months": months,
        "hijri_months": hijri,
        "iso": re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)"),
        "quarter": re.compile(
            rf"(?:الربع\s+(?P<ar>الاول|الثاني|الثالث|الرابع)|(?P<en>first|second|third|fourth)\s+quarter|(?P<q>q[1-4]))"
            rf"\s*(?:من\s+|of\s+)?(?:عام\s+|العام\s+|سنه\s+)?,?\s*{year}"
        ),
        "three_months": re.compile(
            r"(?:الاشهر|الشهور)\s+الثلاثه\s+(?P<ar>الاولي|الاخيره)|(?P<en>first|last)\s+three\s+months"
        ),
        "half": re.compile(
            rf"(?:النصف\s+(?P<ar>الاول|الثاني)|(?P<en>first|second)\s+half)\s*(?:من\s+|of\s+)?(?:عام\s+|العام\s+)?{year}"
        ),
        "day_month_year": re.compile(
            rf"{_B}(?P<d>\d{{1,2}})\s+(?:من\s+)?(?:شهر\s+)?(?P<mon>{mon})\s*,?\s*{year}"
        ),
        "month_day_year": re.compile(rf"{_B}(?P<mon>{mon})\.?\s+(?P<d>\d{{1,2}}),?\s+{year}"),
        "month_year": re.compile(
            rf"{_B}(?:شهر\s+)?(?P<mon>{mon})\s*(?:من\s+|of\s+)?(?:عام\s+)?,?\s*{year}"
        ),
        "year": re.compile(rf"(?:عام|العام|سنه|in|year)\s+{year}(?!\d)"),
        # "in May", "في أيار/مايو الماضي": a month without a year, dated from the article's date
        "month_only": re.compile(
            rf"(?:\b(?:in|during|since|last|this|early|late|mid)\s+|(?<![\u0621-\u064a])(?:في|خلال|منذ|مطلع|اواخر|منتصف)\s+)"
            rf"(?:شهر\s+)?(?P<mon>{mon})(?:\s*/\s*(?:{mon}))?+(?:\s+(?P<last>الماضي|الفايت|المنصرم))?"
            rf"(?![\s,]*(?:من\s+|of\s+)?(?:عام\s+)?(?:19|20)\d\d)(?![a-z\u0621-\u064a])"
        ),
        "hijri": re.compile(
            rf"{_B}(?:(?P<d>\d{{1,2}})\s+)?(?P<mon>{_alt(hijri)})\s+(?P<year>1[34]\d\d)\s*(?:ه|هـ|هجري|هجريه)"
        ),
        **_relative_patterns(mon, _alt(hijri)),
    }


def _relative_patterns(mon: str, hijri: str) -> dict[str, Any]:
    """Dates that need the article's date: "last week", "قبل ثلاثة أشهر", "on Monday", "May of last
    year", "the first quarter of this year"."""
    g = gazetteer()
    relative = _Words({
        fold(w): (unit, int(step))
        for unit, steps in g["relative_dates"].items()
        for step, words in steps.items()
        for w in words
    })
    years = _alt(w for w, (unit, _) in relative.items() if unit == "year")
    units = _Words({fold(w): unit for unit, words in g["durations"].items() for w in words})
    weekdays = _Words({fold(w): int(k) for k, words in g["weekdays"].items() for w in words})
    number = rf"\d{{1,3}}|{_alt(WORD_NUMBERS)}|an"
    period = r"(?:الربع\s+(?P<q_ar>الاول|الثاني|الثالث|الرابع)|(?P<q_en>first|second|third|fourth)\s+quarter|(?P<h_ar>النصف\s+(?:الاول|الثاني))|(?P<h_en>(?:first|second)\s+half))"
    # "منذ عام 2022" is a year, "قبل شهر رمضان" a Hijri month, "قبل يوم من" "the day before"
    not_a_date_after = (
        rf"(?![\s,]*(?:\d|من(?![{_AR}])|(?:{mon})(?![a-z{_AR}])|(?:{hijri})|(?:{_alt(weekdays)})))"
    )
    reporting = r"said|says|announced|told|confirmed|reported|added|unveiled|approved|issued"
    return {
        "relative": relative,
        "duration_units": units,
        "duals": {fold(w) for w in g["duals"]},
        "plurals": {fold(w) for w in g["plurals"]},
        "weekdays": weekdays,
        # Arabic proclitics: "بالأمس", "والأسبوع الماضي"
        "relative_word": re.compile(rf"{_B}(?:[وفب](?=[{_AR}]))?(?P<rel>{_alt(relative)}){_E}"),
        "month_of_relative_year": re.compile(
            rf"{_B}(?P<pre>(?:in|during|since|early|late|mid)\s+|(?:في|خلال|منذ|مطلع|اواخر|منتصف)\s+)?"
            rf"(?:شهر\s+)?(?P<mon>{mon})(?:\s*/\s*(?:{mon}))?+\s*,?\s*(?:من\s+|of\s+)?(?P<rel>{years}){_E}"
        ),
        "period_of_relative_year": re.compile(
            rf"{_B}{period}\s*(?:من\s+|of\s+)?(?:the\s+current\s+year(?P<cur>)|(?P<rel>{years})){_E}"
        ),
        "ago": re.compile(
            rf"{_B}(?:(?P<n>{number})\s+(?P<unit>{_alt(units)})\s+ago"
            rf"|(?:منذ|قبل)\s+(?:(?:نحو|حوالي)\s+)?(?:(?P<ar_n>{number})\s+)?(?P<ar_unit>{_alt(units)})"
            rf"{not_a_date_after}){_E}"
        ),
        # "on 8 December", "November 10", "في 8 ديسمبر": a day without a year
        "day_month": re.compile(
            rf"{_B}(?:(?P<d>\d{{1,2}})\s+(?:من\s+)?(?:شهر\s+)?(?P<mon>{mon})|(?P<mon2>{mon})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)"
            rf"(?![\d,]*\s*(?:من\s+|of\s+)?(?:عام\s+)?(?:19|20)\d\d)(?![a-z0-9{_AR}])"
        ),
        # "in the first quarter", "خلال الربع الأول": a quarter without a year
        "bare_quarter": re.compile(
            rf"{_B}(?:(?:in|during)\s+(?:the\s+)?(?P<en>first|second|third|fourth)\s+quarter"
            rf"|(?:في|خلال)\s+الربع\s+(?P<ar>الاول|الثاني|الثالث|الرابع))"
            rf"(?![\s,]*(?:من\s+|of\s+)?(?:عام\s+|العام\s+|سنه\s+|the\s+|this\s+|last\s+|next\s+)?(?:(?:19|20)\d\d|{years}|current))(?![a-z{_AR}])"
        ),
        "weekday": re.compile(
            rf"{_B}(?:(?P<pre>on|last|next|this\s+past|since|by|until|يوم)\s+|(?P<verb>{reporting})\s+)?"
            rf"(?P<day>{_alt(weekdays)})(?:\s+(?P<post>الماضي|المنصرم|المقبل|القادم))?{_E}"
        ),
    }


def _shift_month(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _relative_dates(
    norm: Normalized, original: str, on: dt.date, p: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Dates stated relative to the article's date ``on``, each with ``relative_to``."""
    t = norm.text
    out: list[dict[str, Any]] = []

    def add(m: re.Match[str], value: str, start: int | None = None) -> None:
        span = _span(norm, original, m.start() if start is None else start, m.end())
        out.append({"value": value, "relative_to": on.isoformat(), **span})

    if not 100 < on.year < 9900:  # no date arithmetic at the ends of the calendar
        return out

    def at(unit: str, step: int) -> str:
        if unit == "day":
            return (on + dt.timedelta(days=step)).isoformat()
        if unit == "week":
            monday = on - dt.timedelta(days=on.weekday()) + dt.timedelta(weeks=step)
            return f"{monday.isoformat()}/{(monday + dt.timedelta(days=6)).isoformat()}"
        if unit == "month":
            return "{}-{:02d}".format(*_shift_month(on, step))
        return str(on.year + step)

    for m in p["month_of_relative_year"].finditer(t):
        if m["mon"] in ("may", "march", "mar") and not m["pre"]:
            continue  # "may next year" is the verb
        add(m, f"{on.year + p['relative'][m['rel']][1]}-{p['months'][m['mon']]:02d}")
    for m in p["period_of_relative_year"].finditer(t):
        year = on.year + (0 if m["cur"] is not None else p["relative"][m["rel"]][1])
        if m["q_ar"] or m["q_en"]:
            add(m, f"{year}-Q{_ORDINALS[m['q_ar'] or m['q_en']]}")
        else:
            add(m, f"{year}-H{1 if re.search('first|الاول', m['h_ar'] or m['h_en']) else 2}")
    for m in p["relative_word"].finditer(t):
        add(m, at(*p["relative"][m["rel"]]))
    for m in p["ago"].finditer(t):
        word, unit_word = (m["n"], m["unit"]) if m["unit"] else (m["ar_n"], m["ar_unit"])
        if word:
            n = 1.0 if word == "an" else parse_number(word)
        else:  # "قبل عام" is one year ago, "قبل عامين" two; "منذ سنوات" names no number
            n = 2.0 if unit_word in p["duals"] else None if unit_word in p["plurals"] else 1.0
        if n is None or n != int(n):
            continue
        unit = p["duration_units"][unit_word]
        steps = -int(n) * (7 if unit == "week" else 1)
        add(m, at("day" if unit == "week" else unit, steps))
    for m in p["day_month"].finditer(t):
        month, day = p["months"][m["mon"] or m["mon2"]], int(m["d"] or m["d2"])
        try:  # the latest occurrence, or one in the coming month ("on January 5" in late December)
            when = next(
                d for y in (on.year + 1, on.year, on.year - 1)
                if (d := dt.date(y, month, day)) <= on + dt.timedelta(days=31)
            )
        except ValueError:  # "February 30"
            continue
        add(m, when.isoformat())
    for m in p["bare_quarter"].finditer(t):
        q = _ORDINALS[m["en"] or m["ar"]]
        add(m, f"{on.year - (3 * q - 2 > on.month)}-Q{q}")  # the latest such quarter begun
    for m in p["weekday"].finditer(t):
        if not (m["pre"] or m["post"] or (m["verb"] and m["day"].isascii())):
            continue  # "الاثنين" alone is also "the two"; "Black Friday" is a name
        day = p["weekdays"][m["day"]]
        if m["pre"] == "next" or m["post"] in ("المقبل", "القادم"):
            delta = (day - on.weekday()) % 7 or 7
        else:
            back = (on.weekday() - day) % 7
            delta = -(back or (7 if m["pre"] == "last" or m["post"] else 0))
        add(m, (on + dt.timedelta(days=delta)).isoformat(), m.start("day") if m["verb"] else None)
    return out


def hijri_to_gregorian(year: int, month: int, day: int = 1) -> dt.date:
    """Tabular Islamic calendar (civil epoch 622-07-16 Julian); may differ by a day or two from sightings."""
    jd = (
        day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948439 - 1
    )
    # Julian day number -> Gregorian
    a = jd + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return dt.date(100 * b + d - 4800 + m // 10, m + 3 - 12 * (m // 10), e - (153 * m + 2) // 5 + 1)


def find_dates(
    norm: Normalized, original: str, article_date: dt.date | None = None
) -> list[dict[str, Any]]:
    p = _date_patterns()
    t = norm.text
    out: list[dict[str, Any]] = []

    def add(m: re.Match[str], value: str, **extra: Any) -> None:
        out.append({"value": value, **extra, **_span(norm, original, m.start(), m.end())})

    for m in p["iso"].finditer(t):
        try:  # "2025-13-45" is no date
            add(m, dt.date(int(m["year"]), int(m["m"]), int(m["d"])).isoformat())
        except ValueError:
            continue
    for m in p["quarter"].finditer(t):
        q = _ORDINALS[m["ar"] or m["en"] or m["q"]]
        add(m, f"{m['year']}-Q{q}")
    for m in p["half"].finditer(t):
        add(m, f"{m['year']}-H{_ORDINALS[m['ar'] or m['en']]}")
    for m in p["three_months"].finditer(t):
        y = re.match(
            r"\s*(?:من\s+|of\s+)?(?:عام\s+|العام\s+|سنه\s+)?((?:19|20)\d\d)",
            t[m.end() : m.end() + 30],
        )
        if y:
            first = m["ar"] == "الاولي" or m["en"] == "first"
            end = m.end() + y.end()
            s, e = norm.span(m.start(), end)
            out.append(
                {
                    "value": f"{y.group(1)}-Q{1 if first else 4}",
                    "text": original[s:e],
                    "start": s,
                    "end": e,
                }
            )
    for m in p["hijri"].finditer(t):
        hy, mo = int(m["year"]), p["hijri_months"][m["mon"]]
        g = hijri_to_gregorian(hy, mo, int(m["d"] or 1))
        if m["d"]:
            add(m, g.isoformat(), calendar="hijri")
        else:  # a Hijri month as an ISO 8601 interval of Gregorian dates
            last = hijri_to_gregorian(hy + mo // 12, mo % 12 + 1, 1) - dt.timedelta(days=1)
            add(m, f"{g.isoformat()}/{last.isoformat()}", calendar="hijri")
    for key in ("day_month_year", "month_day_year"):
        for m in p[key].finditer(t):
            try:
                d = dt.date(int(m["year"]), p["months"][m["mon"]], int(m["d"]))
            except ValueError:
                continue
            add(m, d.isoformat())
    for m in p["month_year"].finditer(t):
        add(m, f"{m['year']}-{p['months'][m['mon']]:02d}")
    for m in p["year"].finditer(t):
        add(m, m["year"])
    if article_date:
        for m in p["month_only"].finditer(t):
            month = p["months"][m["mon"]]
            last = m["last"] or m.group().startswith("last")
            year = article_date.year - (month > article_date.month or (last and month == article_date.month))
            add(m, f"{year}-{month:02d}", year_from="article date")
        out += _relative_dates(norm, original, article_date, p)
    return _dedupe(out)


def article_date(text: str) -> dt.date | None:
    """A publication date stated in the first lines ('Date: 2025-04-10', 'التاريخ: 10 أبريل 2025')."""
    head = "\n".join(text.splitlines()[:6])
    m = re.search(r"(?:date|published|التاريخ|تاريخ النشر|نشر في)\s*[:：]\s*(.+)", fold(head))
    if not m:
        return None
    norm = normalize(m.group(1))
    for d in find_dates(norm, m.group(1)):
        if re.fullmatch(r"\d{4}-\d\d-\d\d", d["value"]):
            return dt.date.fromisoformat(d["value"])
    return None


def extract(text: str, article_date: dt.date | None = None) -> dict[str, Any]:
    """All entities of ``text``; offsets index the original string. With the article's date, a month
    named without a year ("in May", "أيار/مايو الماضي") is dated to its most recent occurrence."""
    norm = normalize(text)
    money = find_money(norm, text)
    dates = find_dates(norm, text, article_date)
    chips = find_chips(norm, text)
    taken = [(x["start"], x["end"]) for x in (*money, *dates, *chips)]
    return {
        "chips": chips,
        "companies": find_names(norm, text, "companies"),
        "people": find_names(norm, text, "people"),
        "models": find_names(norm, text, "models"),
        "rules": find_rules(norm, text),
        "money": money,
        "counts": find_counts(norm, text, taken),
        "dates": dates,
        "countries": find_countries(norm, text),
    }
