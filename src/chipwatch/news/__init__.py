"""News analyzer: Arabic and English articles -> entities, claims, checked verdicts, report.

>>> r = analyze("The US will let Nvidia keep selling H20 chips in China.", article_date=dt.date(2025, 7, 20))
>>> r["language"], r["claims"][0]["kind"], r["claims"][0]["verdict"] in {"supported", "contradicted", "outdated"}
('en', 'export_status', True)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .claims import check_claims, find_claims
from .extract import article_date as stated_date
from .extract import extract

__all__ = ["AnalysisError", "analyze", "detect_language"]

#: Largest article accepted (characters); longer input is refused with a message.
MAX_CHARS = 12_000_000


class AnalysisError(ValueError):
    """Input that cannot be analyzed (empty, binary, too long)."""


#: Quoted passages ("…", “…”, «…») are often in another language than the article's own text.
_QUOTED = re.compile(r'"[^"\n]{20,}"|“[^”\n]{20,}”|«[^»\n]{20,}»')


def detect_language(text: str) -> str:
    """The article's language: Arabic or English letters, whichever is more common outside long
    quotations (an Arabic report quoting an English statement stays Arabic)."""
    own = _QUOTED.sub(" ", text)
    own = own if own.strip() else text
    arabic = sum(1 for ch in own if "\u0600" <= ch <= "\u06ff")
    latin = sum(1 for ch in own if ch.isascii() and ch.isalpha())
    return "ar" if arabic >= latin else "en"


def analyze(
    text: str,
    *,
    article_date: dt.date | None = None,
    today: dt.date | None = None,
    report_language: str | None = None,
    check: bool = True,
) -> dict[str, Any]:
    """Entities with offsets, claims and their verdicts (on the article's date and today)."""
    if len(text) > MAX_CHARS:
        raise AnalysisError(
            f"the article has {len(text):,} characters; at most {MAX_CHARS:,} are analyzed"
        )
    if "\x00" in text:
        raise AnalysisError("the input looks binary (it contains NUL bytes), not an article")
    today = today or dt.date.today()
    lang = detect_language(text) if text.strip() else "en"
    date = stated_date(text) or article_date
    entities = extract(text, date or today)  # an undated article is read, and checked, as of today
    claims = find_claims(text, entities) if text.strip() else []
    checked = (
        check_claims(claims, entities, date or today, today, report_language or lang)
        if check
        else claims
    )
    for c in checked:
        c.setdefault("verdict", "unverifiable")
        c.setdefault("reasons", [])
        c.setdefault("citations", [])
        c.pop("entities", None)
        c.pop("text_raw", None)
    return {
        "language": lang,
        "report_language": report_language or lang,
        "article_date": date.isoformat() if date else None,
        "article_date_source": "text" if stated_date(text) else ("given" if article_date else None),
        "today": today.isoformat(),
        "entities": entities,
        "claims": checked,
    }
