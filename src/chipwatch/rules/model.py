"""Regulatory events as data: frozen records parsed from ``data/rules/*.yaml``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .criteria import Criterion

POLICIES = ("approval", "case-by-case", "denial")
#: Strictness order used to combine several requirements' review policies.
STRICTNESS = {None: -1, "approval": 0, "case-by-case": 1, "denial": 2}
#: Classification outcomes that are words rather than ECCN paragraphs, in Arabic.
CLASSIFICATION_AR = {"not 3A090": "خارج 3A090", "undetermined": "غير محسوم"}


def classification_label(code: str, lang: str) -> str:
    """A classification as shown to readers: ECCN paragraphs as written, words translated."""
    return CLASSIFICATION_AR.get(code, code) if lang == "ar" else code


#: How the review policies read in English and Arabic.
POLICY_NAMES = {
    "en": {
        "denial": "presumption of denial",
        "case-by-case": "case-by-case review",
        "approval": "presumption of approval",
    },
    "ar": {"denial": "افتراض الرفض", "case-by-case": "دراسة كل حالة على حدة", "approval": "افتراض الموافقة"},
}
KINDS = ("rule", "letter", "policy", "guidance", "tariff", "sanctions", "import-measure")


@dataclass(frozen=True, slots=True)
class Scope:
    """A set of destinations: groups and countries, minus excluded ones; or worldwide."""

    worldwide: bool = False
    groups: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    except_groups: frozenset[str] = frozenset()
    except_countries: frozenset[str] = frozenset()

    def contains(self, country: str, groups: frozenset[str]) -> bool:
        if country in self.except_countries or groups & self.except_groups:
            return False
        return self.worldwide or country in self.countries or bool(groups & self.groups)

    def describe(self) -> str:
        if self.worldwide:
            return "worldwide"
        parts = sorted(self.countries) + sorted(self.groups)
        text = ", ".join(parts) if parts else "all destinations"
        excluded = sorted(self.except_countries) + sorted(self.except_groups)
        return text + (f" (excluding {', '.join(excluded)})" if excluded else "")


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One line of a requirement's review policy: first matching destination wins."""

    policy: str | None
    scope: Scope | None = None
    evidence: str = "primary"
    citation: str | None = None
    note: str | None = None
    note_ar: str | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    """A licence requirement imposed by an event."""

    key: str  # "<event id>/<id>"
    event: str
    paragraph: str
    text: str
    destinations: Scope
    policy: tuple[PolicyRule, ...]
    paragraphs: tuple[str, ...] = ()
    items: Criterion | None = None
    all_items: bool = False
    other_items_undetermined: bool = False
    headquartered_in: Scope | None = None
    or_headquartered_in: Scope | None = None
    except_end_users: tuple[str, ...] = ()
    text_ar: str = ""


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """A change of review policy for named requirements, possibly only for some items."""

    key: str
    event: str
    applies_to: tuple[str, ...]
    destinations: Scope
    policy: str
    paragraph: str
    text: str
    evidence: str
    when: Criterion | None = None
    conditions: tuple[str, ...] = ()
    text_ar: str = ""
    conditions_ar: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LicenseException:
    key: str
    event: str
    id: str
    name: str
    citation: str
    paragraphs: tuple[str, ...]
    destinations: Scope
    when: Criterion | None = None
    conditions: tuple[str, ...] = ()
    conditions_ar: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    """An obligation or warning attached to matching items (tariffs, guidance)."""

    key: str
    event: str
    paragraph: str
    text: str
    destinations: Scope
    items: Criterion | None = None
    text_ar: str = ""


@dataclass(frozen=True, slots=True)
class ImportMeasure:
    """An import-side measure of the destination country (reported beside the export answer)."""

    key: str
    event: str
    text: str
    severity: str
    destinations: Scope
    products: frozenset[str] = frozenset()
    vendors_not: frozenset[str] = frozenset()
    text_ar: str = ""

    def matches(self, product_id: str | None, vendor: str | None) -> bool:
        if self.products:
            return product_id in self.products
        if self.vendors_not:
            return vendor is not None and vendor not in self.vendors_not
        return True


@dataclass(frozen=True, slots=True)
class Affiliates:
    """Listing restrictions that flow down to parties a listed entity owns (the BIS Affiliates rule)."""

    threshold_pct: float
    paragraph: str
    text: str
    text_ar: str = ""


@dataclass(frozen=True, slots=True)
class ClassificationParagraph:
    id: str
    text: str
    when: Criterion
    introduced_by: str | None = None  # the event whose text this restates
    text_ar: str = ""


@dataclass(frozen=True, slots=True)
class Exclusion:
    id: str
    text: str
    paragraphs: tuple[str, ...]
    when: Criterion
    introduced_by: str | None = None
    text_ar: str = ""


@dataclass(frozen=True, slots=True)
class Classification:
    eccn: str
    paragraphs: tuple[ClassificationParagraph, ...]
    exclusions: tuple[Exclusion, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    retrieved: str
    evidence: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One regulatory event (rule, letter, policy, …) with its dated content."""

    id: str
    title: str
    citation: str
    kind: str
    announced: dt.date
    effective: dt.date
    evidence: str
    sources: tuple[Source, ...]
    summary: str
    compliance: dt.date | None = None
    applies_from: dt.date | None = None
    superseded_by: str | None = None
    superseded_on: dt.date | None = None
    not_enforced_since: dt.date | None = None
    rescinded: dt.date | None = None
    replaces: tuple[str, ...] = ()
    classification: Classification | None = None
    requirements: tuple[Requirement, ...] = ()
    policy_changes: tuple[PolicyChange, ...] = ()
    license_exceptions: tuple[LicenseException, ...] = ()
    conditions: tuple[Condition, ...] = ()
    import_measures: tuple[ImportMeasure, ...] = ()
    affiliates: Affiliates | None = None
    title_ar: str = ""  # the title in Arabic, for Arabic pages and reports ("" when not given)
    names: tuple[str, ...] = ()  # what the press calls it, in English and Arabic ("AI diffusion rule")
    file: str = ""

    @property
    def start(self) -> dt.date:
        return self.applies_from or self.effective

    def end(self, mode: str) -> dt.date | None:
        """First day the event no longer applies (None = still in force)."""
        ends = [d for d in (self.superseded_on, self.rescinded) if d]
        if mode == "enforcement" and self.not_enforced_since:
            ends.append(self.not_enforced_since)
        return min(ends) if ends else None

    def status_on(self, on: dt.date, mode: str = "enforcement") -> str:
        if on < self.start:
            return "not yet in force" if on >= self.announced else "not yet announced"
        end = self.end(mode)
        if end and on >= end:
            if self.rescinded and on >= self.rescinded:
                return "rescinded"
            if self.superseded_on and on >= self.superseded_on:
                return f"superseded by {self.superseded_by}"
            return "not enforced"
        if self.not_enforced_since and on >= self.not_enforced_since:
            return "in force in the CFR text (not enforced by BIS)"
        return "in force"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "title_ar": self.title_ar or None,
            "names": list(self.names),
            "citation": self.citation,
            "kind": self.kind,
            "announced": self.announced.isoformat(),
            "effective": self.effective.isoformat(),
            "compliance": _iso(self.compliance),
            "applies_from": _iso(self.applies_from),
            "superseded_by": self.superseded_by,
            "superseded_on": _iso(self.superseded_on),
            "not_enforced_since": _iso(self.not_enforced_since),
            "rescinded": _iso(self.rescinded),
            "evidence": self.evidence,
            "summary": self.summary,
            "sources": [
                {"url": s.url, "retrieved": s.retrieved, "evidence": s.evidence, "title": s.title}
                for s in self.sources
            ],
            "requirements": [r.key for r in self.requirements],
            "policy_changes": [p.key for p in self.policy_changes],
            "license_exceptions": [e.id for e in self.license_exceptions],
            "import_measures": [m.key for m in self.import_measures],
            "classification": [p.id for p in self.classification.paragraphs]
            if self.classification
            else None,
        }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


@dataclass(frozen=True, slots=True)
class Entity:
    """A screened party: Entity List entries (dated) and known companies with their headquarters."""

    name: str
    country: str
    aliases: tuple[str, ...] = ()
    listed: bool = False
    added: dt.date | None = None
    citation: str | None = None
    list_name: str | None = None
    license_requirement: str | None = None
    policy: str | None = None
    source: str | None = None
    notes: str | None = None
    #: (since, policy, citation) when the review policy changed after the listing, oldest first
    policy_history: tuple[tuple[dt.date, str, str | None], ...] = ()

    def policy_on(self, on: dt.date) -> tuple[str | None, str | None]:
        """The review policy in force on ``on`` and its citation."""
        dated = [(p, c) for since, p, c in self.policy_history if since <= on]
        return dated[-1] if dated else (self.policy, self.citation)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """All events, countries and parties, plus a version stamp."""

    events: tuple[Event, ...]
    entities: tuple[Entity, ...]
    version: str
    by_id: dict[str, Event] = field(default_factory=dict)
