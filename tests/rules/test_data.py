"""The shipped rule data: valid, cross-referenced, cited; bad files give clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import chipwatch
from chipwatch.rules import countries, load_rules
from chipwatch.rules.criteria import Product, parse
from chipwatch.rules.load import RuleDataError, parse_event, read_yaml

DATA = Path(__file__).parent.parent / "data" / "rules"

REQUIRED_EVENTS = [
    "2022-08-26-isinformed-a100",
    "2022-10-07-acsme",
    "2023-01-17-macau",
    "2023-10-17-acs",
    "2024-04-04-corrections",
    "2024-12-02-hbm",
    "2025-01-13-ai-diffusion",
    "2025-01-16-foundry",
    "2025-04-09-isinformed-h20",
    "2025-08-08-h20-licences",
    "2026-01-15-china-review-policy",
    "2026-01-15-section-232",
    "2026-07-10-uae",
]


def test_required_events_are_present_and_cited() -> None:
    rules = load_rules()
    for event_id in REQUIRED_EVENTS:
        event = rules.by_id[event_id]
        assert event.sources and all(s.url.startswith("http") for s in event.sources)
        assert event.citation and event.summary


def test_china_import_side_layer_is_separate_and_dated() -> None:
    measures = [e for e in load_rules().events if e.kind == "import-measure"]
    assert len(measures) >= 4
    assert all(e.import_measures and e.effective >= dt.date(2025, 1, 1) for e in measures)


def test_ai_diffusion_is_not_enforced_from_2025_05_13() -> None:
    event = load_rules().by_id["2025-01-13-ai-diffusion"]
    assert event.status_on(dt.date(2025, 6, 1)) == "not enforced"
    assert event.status_on(dt.date(2025, 6, 1), "legal-text").startswith("in force")


def _walk(criterion: object) -> list[object]:
    out = [criterion]
    for child in getattr(criterion, "items", ()) or ():
        if not isinstance(child, str):
            out += _walk(child)
    if hasattr(criterion, "item"):
        out += _walk(criterion.item)
    return out


def test_every_named_product_and_country_exists() -> None:
    catalog = chipwatch.catalog()
    table = countries()
    for event in load_rules().events:
        criteria = [r.items for r in event.requirements] + [p.when for p in event.policy_changes]
        criteria += [c.items for c in event.conditions]
        for c in criteria:
            for node in _walk(c) if c else []:
                if isinstance(node, Product):
                    assert node.ids <= {x.id for x in catalog}, (event.id, node.ids)
        for m in event.import_measures:
            assert m.products <= {x.id for x in catalog}, event.id
        scopes = [r.destinations for r in event.requirements] + [
            x.destinations for x in event.license_exceptions
        ]
        for scope in scopes:
            for code in scope.countries | scope.except_countries:
                assert code in table.by_code, (event.id, code)
            for group in scope.groups | scope.except_groups:
                assert group in table.labels, (event.id, group)


def test_entity_list_entries_have_citations_and_dates() -> None:
    listed = [e for e in load_rules().entities if e.listed]
    assert len(listed) >= 20
    assert all(e.citation and e.added for e in listed)
    names = " ".join(e.name for e in listed)
    for needle in ("Huawei", "SMIC", "Sugon", "Inspur", "Biren", "Moore Thread", "Zhipu"):
        assert needle in names or any(needle in " ".join(e.aliases) for e in listed), needle


BAD = {
    "unknown-kind": ("kind", "one of rule"),
    "bad-metric": ("requirements[0].items", "is not one of tpp"),
    "bad-policy": ("requirements[0].policy[0].policy", "approval, case-by-case, denial"),
    "id-not-filename": ("id", "file name"),
    "no-sources": ("sources", "at least one source"),
    "bad-date": ("", "valid YAML"),
    "two-targets": ("requirements[0]", "exactly one of"),
    "arabic-lines": ("license_exceptions[0].conditions_ar", "one Arabic line per line"),
    "affiliates-threshold": ("affiliates.threshold_pct", "a percentage above 0"),
}


@pytest.mark.parametrize("reason", sorted(BAD))
def test_bad_rule_file_gives_clear_error(reason: str) -> None:
    path = DATA / f"bad.{reason}.yaml"
    field, words = BAD[reason]
    with pytest.raises(RuleDataError) as info:
        parse_event(read_yaml(path, f"rules/{path.name}"), f"rules/{path.name}")
    assert info.value.field == field
    assert words in str(info.value)
    assert path.name in str(info.value)


def test_criterion_parse_errors_name_the_place() -> None:
    with pytest.raises(ValueError, match=r"x\.all\[1\]\.op"):
        parse(
            {
                "all": [
                    {"metric": "tpp", "op": ">=", "value": 1},
                    {"metric": "tpp", "op": "=>", "value": 2},
                ]
            },
            "x",
        )


def test_every_shipped_event_has_an_arabic_title() -> None:
    """Arabic pages and reports show rule titles in Arabic; the data must carry them."""
    for event in load_rules().events:
        assert any("\u0600" <= ch <= "\u06ff" for ch in event.title_ar), event.id
        assert event.to_dict()["title_ar"] == event.title_ar


def _arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_every_rule_text_has_an_arabic_translation() -> None:
    """Arabic pages and reports show every rule line in Arabic: requirements, policy notes and
    changes, conditions, licence-exception conditions, import measures, classification paragraphs."""
    for e in load_rules().events:
        texts = [*e.requirements, *e.policy_changes, *e.conditions, *e.import_measures]
        if e.classification:
            texts += [*e.classification.paragraphs, *e.classification.exclusions]
        for t in texts:
            assert _arabic(t.text_ar), (e.id, t.text)
        for r in e.requirements:
            assert all(_arabic(p.note_ar or "") for p in r.policy if p.note), (e.id, r.key)
        if e.affiliates:
            assert _arabic(e.affiliates.text_ar), e.id
        for x in [*e.policy_changes, *e.license_exceptions]:
            assert len(x.conditions_ar) == len(x.conditions), (e.id, x.key)
            assert all(_arabic(c) for c in x.conditions_ar)


def test_vendor_groups_expand_once_for_every_rule() -> None:
    """The PRC vendor list lives in data/vendors.yaml and is expanded in vendor lists only; every
    catalog vendor is either in it or a known non-PRC designer, so a new vendor must be placed."""
    from chipwatch import api
    from chipwatch.rules.load import DATA_DIR, expand_vendor_groups, vendor_groups

    groups = vendor_groups(read_yaml(DATA_DIR / "vendors.yaml", "vendors.yaml"))
    doc = {"items": {"all": [{"vendor": ["@PRC", "Acme"]}]}, "text": ["@PRC"]}
    out = expand_vendor_groups(doc, groups, "x.yaml")
    assert out["items"]["all"][0]["vendor"] == [*groups["PRC"], "Acme"]
    assert out["text"] == ["@PRC"]  # not a vendor list
    with pytest.raises(RuleDataError, match="@MARS"):
        expand_vendor_groups({"vendors_not": ["@MARS"]}, groups, "x.yaml")
    with pytest.raises(RuleDataError, match="groups"):
        vendor_groups({"groups": {"PRC": "Huawei"}})
    non_prc = {"NVIDIA", "AMD", "Intel", "Google", "AWS", "Microsoft"}
    unplaced = {c.vendor for c in api.catalog()} - set(groups["PRC"]) - non_prc
    assert unplaced == set()
    (measure,) = load_rules().by_id["cn-2025-11-05-state-datacentres"].import_measures
    assert measure.vendors_not == frozenset(groups["PRC"])
