"""Destinations: ISO codes, English and Arabic names, dated country-group membership.

>>> c = countries()
>>> c.resolve("hong kong").code, c.resolve("الإمارات").code, c.resolve("sa").code
('HK', 'AE', 'SA')
>>> sorted(c.groups_on("AE", _d("2025-01-01")) & {"A:5", "D:4"})
['D:4']
>>> sorted(c.groups_on("AE", _d("2026-08-01")) & {"A:5", "D:4"})
['A:5']
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .load import DATA_DIR, RuleDataError, read_yaml

_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": None}
)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Case-, accent-, punctuation- and Arabic-letter-variant-insensitive key."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub("", text.translate(_ARABIC_FOLD).casefold())


def _d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    name_ar: str
    groups: frozenset[str]
    ecfr_name: str | None = None
    treated_as: str | None = None
    treated_since: dt.date | None = None
    treated_citation: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GroupChange:
    date: dt.date
    country: str
    group: str
    action: str
    citation: str
    note: str | None = None


class UnknownCountryError(LookupError):
    def __init__(self, text: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"unknown destination {text!r}{hint} (use an ISO 3166 alpha-2 code such as CN, or a country name in English or Arabic)"
        )


@dataclass
class Countries:
    """All destinations with their membership as of ``as_of`` and the dated changes."""

    by_code: dict[str, Country]
    changes: tuple[GroupChange, ...]
    as_of: dt.date
    labels: dict[str, str]
    _names: dict[str, str] = field(default_factory=dict)
    _spellings: dict[str, str] = field(default_factory=dict)

    @property
    def spellings(self) -> dict[str, str]:
        """Every name and alias as written in the data ("Abu Dhabi", "أبو ظبي") -> ISO code."""
        return dict(self._spellings)

    @property
    def names(self) -> dict[str, str]:
        """Every folded name and alias -> ISO code (what ``resolve`` reads)."""
        return dict(self._names)

    def resolve(self, text: str) -> Country:
        """A country from an ISO code or an English/Arabic name or alias."""
        raw = text.strip()
        if raw.upper() in self.by_code:
            return self.by_code[raw.upper()]
        key = fold(raw)
        if key in self._names:
            return self.by_code[self._names[key]]
        close = difflib.get_close_matches(key, list(self._names), n=3, cutoff=0.75)
        names = list(
            dict.fromkeys(f"{self.by_code[self._names[k]].name} ({self._names[k]})" for k in close)
        )
        raise UnknownCountryError(text, names)

    def effective(self, code: str, on: dt.date) -> Country:
        """The destination whose rules apply (Hong Kong -> China from 2020-12-23)."""
        c = self.by_code[code]
        if c.treated_as and (c.treated_since is None or on >= c.treated_since):
            return self.by_code[c.treated_as]
        return c

    def groups_on(self, code: str, on: dt.date) -> frozenset[str]:
        """Country-group membership on a date, by undoing later changes."""
        groups = set(self.by_code[code].groups)
        for ch in self.changes:
            if ch.country == code and ch.date > on:
                if ch.action == "add":
                    groups.discard(ch.group)
                else:
                    groups.add(ch.group)
        return frozenset(groups)

    def change_dates(self) -> Iterable[dt.date]:
        return (ch.date for ch in self.changes)


@functools.lru_cache(maxsize=1)
def countries() -> Countries:
    """The shipped destination table (``data/countries.yaml``)."""
    return parse_countries(
        read_yaml(DATA_DIR / "countries.yaml", "countries.yaml"), "countries.yaml"
    )


def parse_countries(doc: Any, file: str) -> Countries:
    by_code: dict[str, Country] = {}
    names: dict[str, str] = {}
    spellings: dict[str, str] = {}
    for i, raw in enumerate(doc.get("countries") or []):
        code = raw.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code) or code in by_code:
            raise RuleDataError(
                file, f"countries[{i}].code", code, "a unique ISO 3166 alpha-2 code"
            )
        treated = raw.get("treated_as") or {}
        by_code[code] = Country(
            code=code,
            name=raw["name"],
            name_ar=raw.get("name_ar") or raw["name"],
            groups=frozenset(raw.get("groups") or ()),
            ecfr_name=raw.get("ecfr_name"),
            treated_as=treated.get("country"),
            treated_since=_date(treated.get("since")),
            treated_citation=treated.get("citation"),
            note=raw.get("note"),
        )
        for alias in [
            raw["name"],
            raw.get("name_ar"),
            raw.get("ecfr_name"),
            *(raw.get("ecfr_name_variants") or []),
            *(raw.get("aliases") or []),
        ]:
            if alias:
                names.setdefault(fold(str(alias)), code)
                spellings.setdefault(str(alias), code)
    changes = []
    for i, ch in enumerate(doc.get("changes") or []):
        if ch.get("country") not in by_code or ch.get("action") not in ("add", "remove"):
            raise RuleDataError(
                file, f"changes[{i}]", ch, "a known country code and action add/remove"
            )
        changes.append(
            GroupChange(
                _date(ch["date"]) or dt.date.min,
                ch["country"],
                ch["group"],
                ch["action"],
                ch.get("citation", ""),
                ch.get("note"),
            )
        )
    as_of = _date(doc["source"]["as_of"]) or dt.date.max
    return Countries(by_code, tuple(changes), as_of, dict(doc.get("group_labels") or {}), names, spellings)


def _date(raw: Any) -> dt.date | None:
    if raw is None:
        return None
    return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
