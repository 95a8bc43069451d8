"""Parse and validate the rule data: events, countries and screened parties.

Errors name the file, the field and the value, like the catalog loader's.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .criteria import Criterion, CriterionError, parse
from .model import (
    KINDS,
    POLICIES,
    Affiliates,
    Classification,
    ClassificationParagraph,
    Condition,
    Entity,
    Event,
    Exclusion,
    ImportMeasure,
    LicenseException,
    PolicyChange,
    PolicyRule,
    Requirement,
    RuleSet,
    Scope,
    Source,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
EVENT_KEYS = {
    "id",
    "title",
    "title_ar",
    "names",
    "citation",
    "kind",
    "announced",
    "effective",
    "compliance",
    "applies_from",
    "superseded",
    "not_enforced_since",
    "rescinded",
    "evidence",
    "sources",
    "summary",
    "replaces",
    "classification",
    "requirements",
    "policy_changes",
    "license_exceptions",
    "conditions",
    "import_measures",
    "affiliates",
}


class RuleDataError(ValueError):
    """A rule, country or party file breaks the schema."""

    def __init__(self, file: str, field: str, value: Any, allowed: str) -> None:
        self.file, self.field, self.value, self.allowed = file, field, value, allowed
        super().__init__(f"{file}, field {field!r}: value {value!r} is not allowed; {allowed}")


class _Reader:
    """Typed field access that reports the file and dotted field path on error."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, field: str, value: Any, allowed: str) -> RuleDataError:
        return RuleDataError(self.file, field, value, allowed)

    def mapping(self, raw: Any, field: str, allowed: set[str] | None = None) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise self.fail(field, raw, "a mapping")
        if allowed is not None:
            for key in raw:
                if key not in allowed:
                    raise self.fail(
                        f"{field}.{key}" if field else key,
                        raw[key],
                        f"unknown field; allowed: {', '.join(sorted(allowed))}",
                    )
        return raw

    def text(self, raw: Mapping[str, Any], key: str, field: str, *, required: bool = True) -> str:
        value = raw.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{field}.{key}" if field else key, value, "a non-empty string")
        return value

    def date(self, raw: Any, field: str, *, required: bool = True) -> dt.date | None:
        if raw is None and not required:
            return None
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        raise self.fail(field, raw, "a date YYYY-MM-DD")

    def strings(self, raw: Any, field: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise self.fail(field, raw, "a list of strings")
        return tuple(raw)

    def criterion(self, raw: Any, field: str) -> Criterion | None:
        if raw is None:
            return None
        try:
            return parse(raw, field)
        except CriterionError as exc:
            raise self.fail(field, raw, str(exc)) from None

    def scope(self, raw: Any, field: str) -> Scope:
        if raw == "worldwide":
            return Scope(worldwide=True)
        spec = self.mapping(
            raw, field, {"groups", "countries", "except_groups", "except_countries"}
        )
        groups = frozenset(self.strings(spec.get("groups"), f"{field}.groups"))
        countries = frozenset(self.strings(spec.get("countries"), f"{field}.countries"))
        return Scope(
            worldwide=not groups and not countries,
            groups=groups,
            countries=countries,
            except_groups=frozenset(
                self.strings(spec.get("except_groups"), f"{field}.except_groups")
            ),
            except_countries=frozenset(
                self.strings(spec.get("except_countries"), f"{field}.except_countries")
            ),
        )

    def policy(self, raw: Any, field: str) -> str | None:
        if raw is not None and raw not in POLICIES:
            raise self.fail(field, raw, f"one of {', '.join(POLICIES)} or null")
        return raw  # type: ignore[no-any-return]


def parse_event(raw: Any, file: str) -> Event:
    """Validate one event document."""
    r = _Reader(file)
    doc = r.mapping(raw, "", EVENT_KEYS)
    event_id = r.text(doc, "id", "")
    if Path(file).stem != event_id:
        raise r.fail("id", event_id, f"the file name without .yaml ({Path(file).stem!r})")
    kind = doc.get("kind")
    if kind not in KINDS:
        raise r.fail("kind", kind, f"one of {', '.join(KINDS)}")
    sources = tuple(_source(r, s, f"sources[{i}]") for i, s in enumerate(doc.get("sources") or []))
    if not sources:
        raise r.fail(
            "sources", doc.get("sources"), "at least one source with url, retrieved, evidence"
        )
    sup = r.mapping(doc.get("superseded") or {}, "superseded", {"by", "date", "note"})
    event = Event(
        id=event_id,
        title=r.text(doc, "title", ""),
        title_ar=r.text(doc, "title_ar", "", required=False),
        names=r.strings(doc.get("names"), "names"),
        citation=r.text(doc, "citation", ""),
        kind=kind,
        announced=_req_date(r, doc.get("announced"), "announced"),
        effective=_req_date(r, doc.get("effective"), "effective"),
        compliance=r.date(doc.get("compliance"), "compliance", required=False),
        applies_from=r.date(doc.get("applies_from"), "applies_from", required=False),
        superseded_by=sup.get("by"),
        superseded_on=r.date(sup.get("date"), "superseded.date", required=False),
        not_enforced_since=r.date(
            doc.get("not_enforced_since"), "not_enforced_since", required=False
        ),
        rescinded=r.date(doc.get("rescinded"), "rescinded", required=False),
        evidence=_evidence(r, doc.get("evidence"), "evidence"),
        sources=sources,
        summary=r.text(doc, "summary", ""),
        replaces=r.strings(doc.get("replaces"), "replaces"),
        affiliates=_affiliates(r, doc.get("affiliates")),
        classification=_classification(r, doc.get("classification")),
        requirements=tuple(
            _requirement(r, x, f"requirements[{i}]", event_id)
            for i, x in enumerate(doc.get("requirements") or [])
        ),
        policy_changes=tuple(
            _policy_change(r, x, f"policy_changes[{i}]", event_id)
            for i, x in enumerate(doc.get("policy_changes") or [])
        ),
        license_exceptions=tuple(
            _exception(r, x, f"license_exceptions[{i}]", event_id)
            for i, x in enumerate(doc.get("license_exceptions") or [])
        ),
        conditions=tuple(
            _condition(r, x, f"conditions[{i}]", event_id)
            for i, x in enumerate(doc.get("conditions") or [])
        ),
        import_measures=tuple(
            _import_measure(r, x, f"import_measures[{i}]", event_id)
            for i, x in enumerate(doc.get("import_measures") or [])
        ),
        file=file,
    )
    if event.effective < event.announced and event.kind != "sanctions":
        raise r.fail("effective", event.effective.isoformat(), "a date on or after 'announced'")
    return event


def _req_date(r: _Reader, raw: Any, field: str) -> dt.date:
    value = r.date(raw, field)
    assert value is not None
    return value


def _evidence(r: _Reader, raw: Any, field: str) -> str:
    allowed = ("primary", "secondary", "inferred", "datasheet")
    if raw not in allowed:
        raise r.fail(field, raw, f"one of {', '.join(allowed)}")
    return str(raw)


def _source(r: _Reader, raw: Any, field: str) -> Source:
    s = r.mapping(raw, field, {"url", "retrieved", "evidence", "title"})
    url = r.text(s, "url", field)
    if not url.startswith(("http://", "https://")):
        raise r.fail(f"{field}.url", url, "an http(s) URL")
    retrieved = r.date(s.get("retrieved"), f"{field}.retrieved")
    assert retrieved is not None
    return Source(
        url,
        retrieved.isoformat(),
        _evidence(r, s.get("evidence"), f"{field}.evidence"),
        s.get("title"),
    )


def _affiliates(r: _Reader, raw: Any) -> Affiliates | None:
    if raw is None:
        return None
    spec = r.mapping(raw, "affiliates", {"threshold_pct", "paragraph", "text", "text_ar"})
    threshold = spec.get("threshold_pct")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold <= 100:
        raise r.fail("affiliates.threshold_pct", threshold, "a percentage above 0 and at most 100")
    return Affiliates(
        float(threshold),
        r.text(spec, "paragraph", "affiliates"),
        r.text(spec, "text", "affiliates"),
        r.text(spec, "text_ar", "affiliates", required=False),
    )


def _classification(r: _Reader, raw: Any) -> Classification | None:
    if raw is None:
        return None
    c = r.mapping(raw, "classification", {"eccn", "paragraphs", "exclusions"})
    paragraphs = []
    for i, p in enumerate(c.get("paragraphs") or []):
        f = f"classification.paragraphs[{i}]"
        spec = r.mapping(p, f, {"id", "text", "text_ar", "when", "introduced_by"})
        when = r.criterion(spec.get("when"), f"{f}.when")
        if when is None:
            raise r.fail(f"{f}.when", None, "a criterion")
        paragraphs.append(
            ClassificationParagraph(
                r.text(spec, "id", f),
                r.text(spec, "text", f),
                when,
                spec.get("introduced_by"),
                r.text(spec, "text_ar", f, required=False),
            )
        )
    if not paragraphs:
        raise r.fail("classification.paragraphs", None, "at least one paragraph")
    exclusions = []
    for i, x in enumerate(c.get("exclusions") or []):
        f = f"classification.exclusions[{i}]"
        spec = r.mapping(x, f, {"id", "text", "text_ar", "paragraphs", "when", "introduced_by"})
        when = r.criterion(spec.get("when"), f"{f}.when")
        if when is None:
            raise r.fail(f"{f}.when", None, "a criterion")
        exclusions.append(
            Exclusion(
                r.text(spec, "id", f),
                r.text(spec, "text", f),
                r.strings(spec.get("paragraphs"), f"{f}.paragraphs"),
                when,
                spec.get("introduced_by"),
                r.text(spec, "text_ar", f, required=False),
            )
        )
    return Classification(r.text(c, "eccn", "classification"), tuple(paragraphs), tuple(exclusions))


REQUIREMENT_KEYS = {
    "id",
    "paragraphs",
    "items",
    "all_items",
    "other_items",
    "destinations",
    "headquartered_in",
    "or_headquartered_in",
    "except_end_users",
    "paragraph",
    "text",
    "text_ar",
    "policy",
    "reason_for_control",
}


def _requirement(r: _Reader, raw: Any, field: str, event_id: str) -> Requirement:
    spec = r.mapping(raw, field, REQUIREMENT_KEYS)
    rid = r.text(spec, "id", field)
    paragraphs = r.strings(spec.get("paragraphs"), f"{field}.paragraphs")
    items = r.criterion(spec.get("items"), f"{field}.items")
    all_items = spec.get("all_items", False) is True
    if sum(bool(x) for x in (paragraphs, items, all_items)) != 1:
        raise r.fail(field, rid, "exactly one of 'paragraphs', 'items' or 'all_items: true'")
    other = spec.get("other_items")
    if other not in (None, "undetermined"):
        raise r.fail(f"{field}.other_items", other, "'undetermined' or absent")
    policy = tuple(
        _policy_rule(r, p, f"{field}.policy[{i}]") for i, p in enumerate(spec.get("policy") or [])
    )
    if not policy:
        raise r.fail(
            f"{field}.policy", None, "at least one policy line (policy may be null when unknown)"
        )
    return Requirement(
        key=f"{event_id}/{rid}",
        event=event_id,
        paragraph=r.text(spec, "paragraph", field),
        text=r.text(spec, "text", field),
        destinations=r.scope(spec.get("destinations"), f"{field}.destinations"),
        policy=policy,
        paragraphs=paragraphs,
        items=items,
        all_items=all_items,
        other_items_undetermined=other == "undetermined",
        headquartered_in=r.scope(spec["headquartered_in"], f"{field}.headquartered_in")
        if "headquartered_in" in spec
        else None,
        or_headquartered_in=r.scope(spec["or_headquartered_in"], f"{field}.or_headquartered_in")
        if "or_headquartered_in" in spec
        else None,
        except_end_users=r.strings(spec.get("except_end_users"), f"{field}.except_end_users"),
        text_ar=r.text(spec, "text_ar", field, required=False),
    )


def _policy_rule(r: _Reader, raw: Any, field: str) -> PolicyRule:
    spec = r.mapping(
        raw, field, {"policy", "destinations", "evidence", "citation", "note", "note_ar"}
    )
    if "policy" not in spec:
        raise r.fail(f"{field}.policy", None, f"one of {', '.join(POLICIES)} or null")
    return PolicyRule(
        policy=r.policy(spec.get("policy"), f"{field}.policy"),
        scope=r.scope(spec["destinations"], f"{field}.destinations")
        if "destinations" in spec
        else None,
        evidence=_evidence(r, spec.get("evidence", "primary"), f"{field}.evidence"),
        citation=spec.get("citation"),
        note=spec.get("note"),
        note_ar=spec.get("note_ar"),
    )


def _policy_change(r: _Reader, raw: Any, field: str, event_id: str) -> PolicyChange:
    spec = r.mapping(
        raw,
        field,
        {
            "id",
            "applies_to",
            "destinations",
            "when",
            "policy",
            "evidence",
            "paragraph",
            "text",
            "text_ar",
            "conditions",
            "conditions_ar",
        },
    )
    pid = r.text(spec, "id", field)
    policy = r.policy(spec.get("policy"), f"{field}.policy")
    if policy is None:
        raise r.fail(f"{field}.policy", None, f"one of {', '.join(POLICIES)}")
    return PolicyChange(
        key=f"{event_id}/{pid}",
        event=event_id,
        applies_to=r.strings(spec.get("applies_to"), f"{field}.applies_to"),
        destinations=r.scope(spec.get("destinations"), f"{field}.destinations"),
        policy=policy,
        paragraph=r.text(spec, "paragraph", field),
        text=r.text(spec, "text", field),
        evidence=_evidence(r, spec.get("evidence", "primary"), f"{field}.evidence"),
        when=r.criterion(spec.get("when"), f"{field}.when"),
        conditions=r.strings(spec.get("conditions"), f"{field}.conditions"),
        text_ar=r.text(spec, "text_ar", field, required=False),
        conditions_ar=_translations(r, spec, "conditions", field),
    )


def _translations(r: _Reader, spec: Mapping[str, Any], key: str, field: str) -> tuple[str, ...]:
    """``<key>_ar``: an Arabic line for each line of ``key``, or absent."""
    lines = r.strings(spec.get(f"{key}_ar"), f"{field}.{key}_ar")
    if lines and len(lines) != len(r.strings(spec.get(key), f"{field}.{key}")):
        raise r.fail(f"{field}.{key}_ar", list(lines), f"one Arabic line per line of '{key}'")
    return lines


def _exception(r: _Reader, raw: Any, field: str, event_id: str) -> LicenseException:
    spec = r.mapping(
        raw,
        field,
        {"id", "name", "citation", "paragraphs", "destinations", "when", "conditions", "conditions_ar"},
    )
    xid = r.text(spec, "id", field)
    return LicenseException(
        key=f"{event_id}/{xid}",
        event=event_id,
        id=xid,
        name=r.text(spec, "name", field),
        citation=r.text(spec, "citation", field),
        paragraphs=r.strings(spec.get("paragraphs"), f"{field}.paragraphs"),
        destinations=r.scope(spec.get("destinations"), f"{field}.destinations"),
        when=r.criterion(spec.get("when"), f"{field}.when"),
        conditions=r.strings(spec.get("conditions"), f"{field}.conditions"),
        conditions_ar=_translations(r, spec, "conditions", field),
    )


def _condition(r: _Reader, raw: Any, field: str, event_id: str) -> Condition:
    spec = r.mapping(raw, field, {"id", "items", "destinations", "paragraph", "text", "text_ar"})
    return Condition(
        key=f"{event_id}/{r.text(spec, 'id', field)}",
        event=event_id,
        paragraph=r.text(spec, "paragraph", field),
        text=r.text(spec, "text", field),
        destinations=r.scope(spec.get("destinations", "worldwide"), f"{field}.destinations"),
        items=r.criterion(spec.get("items"), f"{field}.items"),
        text_ar=r.text(spec, "text_ar", field, required=False),
    )


def _import_measure(r: _Reader, raw: Any, field: str, event_id: str) -> ImportMeasure:
    spec = r.mapping(
        raw, field, {"id", "products", "vendors_not", "destinations", "severity", "text", "text_ar"}
    )
    severity = spec.get("severity")
    allowed = ("discouraged", "restricted", "banned", "blocked")
    if severity not in allowed:
        raise r.fail(f"{field}.severity", severity, f"one of {', '.join(allowed)}")
    return ImportMeasure(
        key=f"{event_id}/{r.text(spec, 'id', field)}",
        event=event_id,
        text=r.text(spec, "text", field),
        severity=severity,
        destinations=r.scope(spec.get("destinations"), f"{field}.destinations"),
        products=frozenset(r.strings(spec.get("products"), f"{field}.products")),
        vendors_not=frozenset(r.strings(spec.get("vendors_not"), f"{field}.vendors_not")),
        text_ar=r.text(spec, "text_ar", field, required=False),
    )


def parse_entities(raw: Any, file: str) -> tuple[Entity, ...]:
    """The shipped party list: Entity List entries with dates, and known companies' headquarters."""
    r = _Reader(file)
    doc = r.mapping(raw, "", {"source", "parties"})
    out = []
    for i, p in enumerate(doc.get("parties") or []):
        f = f"parties[{i}]"
        spec = r.mapping(
            p,
            f,
            {
                "name",
                "country",
                "aliases",
                "listed",
                "added",
                "citation",
                "list",
                "license_requirement",
                "policy",
                "policy_history",
                "source",
                "notes",
            },
        )
        listed = spec.get("listed", False) is True
        history: list[tuple[dt.date, str, str | None]] = []
        for i, h in enumerate(spec.get("policy_history") or []):
            hf = f"{f}.policy_history[{i}]"
            h = r.mapping(h, hf, {"since", "policy", "citation", "note"})
            since, policy = r.date(h.get("since"), f"{hf}.since"), r.policy(h.get("policy"), f"{hf}.policy")
            if since is None or policy is None:
                raise r.fail(hf, h, "a mapping with since (a date) and policy")
            history.append((since, policy, h.get("citation")))
        added = r.date(spec.get("added"), f"{f}.added", required=listed)
        if listed and not spec.get("citation"):
            raise r.fail(f"{f}.citation", None, "a Federal Register citation for a listed party")
        out.append(
            Entity(
                name=r.text(spec, "name", f),
                country=r.text(spec, "country", f),
                aliases=r.strings(spec.get("aliases"), f"{f}.aliases"),
                listed=listed,
                added=added,
                citation=spec.get("citation"),
                list_name=spec.get("list", "Entity List" if listed else None),
                license_requirement=spec.get("license_requirement"),
                policy=r.policy(spec.get("policy"), f"{f}.policy") if listed else None,
                source=spec.get("source"),
                notes=spec.get("notes"),
                policy_history=tuple(sorted(history, key=lambda h: h[0])),
            )
        )
    return tuple(out)


def read_yaml(path: Path, label: str) -> Any:
    """Parse a data file; syntax errors and impossible values become a :class:`RuleDataError`."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except OSError as exc:
        raise RuleDataError(label, "", str(path), f"a readable file ({exc})") from None
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise RuleDataError(label, "", str(exc).splitlines()[0], f"valid YAML{where}") from None


def vendor_groups(raw: Any) -> dict[str, list[str]]:
    """``data/vendors.yaml``: group name -> vendor names."""
    groups = raw.get("groups") if isinstance(raw, dict) else None
    if not isinstance(groups, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
        for k, v in groups.items()
    ):
        raise RuleDataError("vendors.yaml", "groups", groups, "a mapping of group names to lists of vendor names")
    return groups


def expand_vendor_groups(doc: Any, groups: Mapping[str, list[str]], label: str, where: str = "") -> Any:
    """``vendor: ["@PRC"]`` / ``vendors_not: ["@PRC"]`` -> the vendors of that group."""
    if isinstance(doc, list):
        return [expand_vendor_groups(x, groups, label, f"{where}[{i}]") for i, x in enumerate(doc)]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for key, value in doc.items():
        field = f"{where}.{key}".strip(".")
        if key in ("vendor", "vendors_not") and isinstance(value, list):
            names: list[Any] = []
            for x in value:
                if isinstance(x, str) and x.startswith("@"):
                    if x[1:] not in groups:
                        raise RuleDataError(
                            label, field, x, f"a vendor group of vendors.yaml ({', '.join('@' + g for g in groups)})"
                        )
                    names += groups[x[1:]]
                else:
                    names.append(x)
            out[key] = names
        else:
            out[key] = expand_vendor_groups(value, groups, label, field)
    return out


@functools.lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """All shipped events and parties (validated once per process)."""
    files = sorted((DATA_DIR / "rules").glob("*.yaml"))
    digest = hashlib.sha256()
    events = []
    groups_path = DATA_DIR / "vendors.yaml"
    digest.update(groups_path.read_bytes())
    groups = vendor_groups(read_yaml(groups_path, "vendors.yaml"))
    for path in files:
        digest.update(path.read_bytes())
        label = f"rules/{path.name}"
        events.append(parse_event(expand_vendor_groups(read_yaml(path, label), groups, label), label))
    entities_path = DATA_DIR / "entities.yaml"
    digest.update(entities_path.read_bytes())
    entities = parse_entities(read_yaml(entities_path, "entities.yaml"), "entities.yaml")
    by_id = {e.id: e for e in events}
    _check_references(events, by_id)
    latest = max(e.effective for e in events)
    return RuleSet(tuple(events), entities, f"{latest.isoformat()}+{digest.hexdigest()[:8]}", by_id)


def _check_references(events: Iterable[Event], by_id: Mapping[str, Event]) -> None:
    events = list(events)
    keys = {r.key for e in events for r in e.requirements} | {
        x.key for e in events for x in e.license_exceptions
    }
    for e in events:
        for ref in (*e.replaces, *(k for p in e.policy_changes for k in p.applies_to)):
            if ref not in keys:
                raise RuleDataError(
                    e.file,
                    "replaces/applies_to",
                    ref,
                    "the '<event id>/<id>' of a requirement or exception",
                )
        if e.superseded_by and e.superseded_by not in by_id:
            raise RuleDataError(e.file, "superseded.by", e.superseded_by, "the id of another event")
