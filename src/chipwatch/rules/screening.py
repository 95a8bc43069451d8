"""End-user screening: fuzzy matching against the shipped party list and, optionally, the CSL.

Matching ignores case, punctuation, accents and corporate suffixes; it scores by
the best of a sequence ratio and a token-overlap ratio over all names and aliases.

>>> m = screen("huawei technologies co ltd")
>>> m.entity.name, m.entity.listed, m.score >= 0.9
('Huawei Technologies Co., Ltd.', True, True)
>>> screen("Acme Robotics GmbH") is None
True
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .load import load_rules
from .model import Entity

SUFFIXES = {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "bv",
    "nv",
    "pte",
    "pty",
    "kk",
    "oy",
    "ab",
    "spa",
    "srl",
    "holding",
    "holdings",
    "group",
    "the",
    "of",
}
THRESHOLD = 0.86
#: Score given when every word of a distinctive listed name appears in the query.
CONTAINED_SCORE = 0.9
_WORD = re.compile(r"[^\w]+", re.UNICODE)
_DOTTED = re.compile(r"\b(?:\w\.){2,}")


def name_key(name: str) -> tuple[str, ...]:
    """Normalized words of a party name without corporate suffixes."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _DOTTED.sub(
        lambda m: m.group().replace(".", ""), text
    )  # "s.a." -> "sa", "l.l.c." -> "llc"
    words = [w for w in _WORD.split(text) if w]
    core = [w for w in words if w not in SUFFIXES]
    return tuple(core or words)


@dataclass(frozen=True, slots=True)
class ScreeningMatch:
    entity: Entity
    matched_name: str
    score: float

    def to_dict(self) -> dict[str, object]:
        e = self.entity
        return {
            "name": e.name,
            "matched_name": self.matched_name,
            "score": round(self.score, 3),
            "listed": e.listed,
            "list": e.list_name,
            "country": e.country,
            "added": e.added.isoformat() if e.added else None,
            "citation": e.citation,
            "license_requirement": e.license_requirement,
            "policy": e.policy,
        }


def _score(query: tuple[str, ...], candidate: tuple[str, ...]) -> float:
    if not query or not candidate:
        return 0.0
    joined_q, joined_c = "".join(query), "".join(candidate)
    ratio = difflib.SequenceMatcher(None, joined_q, joined_c).ratio()
    common = set(query) & set(candidate)
    overlap = len(common) / len(set(query) | set(candidate))
    # a distinctive name wholly contained in a longer query ("ByteDance Ltd. (HQ: China)")
    distinctive = len(candidate) >= 2 or len(joined_c) >= 6
    contained = CONTAINED_SCORE if distinctive and common == set(candidate) else 0.0
    return max(ratio, overlap, contained)


class Screener:
    """An index of parties (shipped, plus CSL rows when loaded)."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entries: list[tuple[tuple[str, ...], str, Entity]] = []
        for e in entities:
            for n in (e.name, *e.aliases):
                self.entries.append((name_key(n), n, e))

    def screen(self, name: str) -> ScreeningMatch | None:
        """The best match at or above the threshold; listed and more specific names win ties."""
        query = name_key(name)
        best: ScreeningMatch | None = None
        best_rank: tuple[float, bool, int] = (0.0, False, 0)
        for key, shown, entity in self.entries:
            score = _score(query, key)
            if score < THRESHOLD:
                continue
            rank = (score, entity.listed, len(key))
            if best is None or rank > best_rank:
                best, best_rank = ScreeningMatch(entity, shown, score), rank
        return best


@functools.lru_cache(maxsize=1)
def default_screener() -> Screener:
    return Screener(load_rules().entities)


def screen(name: str, screener: Screener | None = None) -> ScreeningMatch | None:
    """Screen a party name against the shipped list (or the given screener)."""
    return (screener or default_screener()).screen(name)


CSL_COLUMNS = ("source", "name")
#: CSL sources whose entries carry an export licence requirement.
LICENSING_LISTS = ("entity list", "military end user")


class CslError(ValueError):
    """A screening-list file that cannot be read."""


def load_csl(path: str | Path, extra: Sequence[Entity] = ()) -> Screener:
    """Screener over the shipped parties plus an official Consolidated Screening List CSV.

    Columns are found by their official header names (``name``, ``alt_names``,
    ``source``, ``license_policy``, ``federal_register_notice``, ``countries``…),
    whatever their order. CSL rows carry no listing date, so they count as listed
    on every date; the shipped, dated entries take precedence on equal scores.
    """
    p = Path(path)
    try:
        rows = _read_csl_json(p) if p.suffix.lower() == ".json" else _read_csl_csv(p)
    except OSError as exc:
        raise CslError(f"{p}: cannot be read ({exc})") from None
    except (ValueError, csv.Error) as exc:
        raise CslError(f"{p}: not a Consolidated Screening List file ({exc})") from None
    parties = list(extra) or list(load_rules().entities)
    for row in rows:
        if not row.get("name"):
            continue
        aliases = tuple(a.strip() for a in row.get("alt_names", "").split(";") if a.strip())
        list_name = row.get("source") or "Consolidated Screening List"
        licensing = any(k in list_name.lower() for k in LICENSING_LISTS)
        country = (
            (row.get("countries") or row.get("addresses") or "").split(";")[0].strip()[:2].upper()
        )
        parties.append(
            Entity(
                name=row["name"],
                country=country or "??",
                aliases=aliases,
                listed=licensing,
                added=None,
                citation=row.get("federal_register_notice") or None,
                list_name=list_name,
                license_requirement=row.get("license_requirement") or None,
                policy=_policy(row.get("license_policy", "")) if licensing else None,
                source=row.get("source_list_url") or str(p),
                notes="from a user-supplied Consolidated Screening List file; listing date not given"
                + ("" if licensing else "; this list imposes no export licence requirement"),
            )
        )
    return Screener(parties)


def _read_csl_csv(p: Path) -> list[dict[str, str]]:
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in CSL_COLUMNS if c not in header]
        if missing:
            raise CslError(
                f"{p}: missing column(s) {', '.join(missing)}; found {', '.join(header) or 'no header'}"
            )
        return [
            {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader
        ]


def _read_csl_json(p: Path) -> list[dict[str, str]]:
    """The CSL JSON download: ``{"results": [{"name": ..., "alt_names": [...], ...}]}`` (or a bare list)."""
    import json

    doc = json.loads(p.read_text(encoding="utf-8-sig"))
    records = doc.get("results", doc) if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise CslError(f"{p}: expected a list of records or an object with 'results'")
    rows = []
    for rec in records:
        if not isinstance(rec, dict) or "name" not in rec:
            raise CslError(f"{p}: every record needs a 'name' field")
        row = {}
        for key, value in rec.items():
            if isinstance(value, list):
                value = "; ".join(
                    v.get("country", "") if isinstance(v, dict) else str(v) for v in value
                )
            row[str(key).lower()] = "" if value is None else str(value)
        rows.append(row)
    return rows


def _policy(text: str) -> str | None:
    t = text.lower()
    if "denial" in t:
        return "denial"
    if "case-by-case" in t or "case by case" in t:
        return "case-by-case"
    if "approval" in t:
        return "approval"
    return None
