"""Engine properties: monotonicity, constancy between events, vectorized == scalar, edge inputs."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chipwatch
from chipwatch.rules import build_plan, determine, item_from_chip, item_from_spec
from chipwatch.rules.engine import SpecError, array_facts, change_dates, items_to_arrays
from chipwatch.rules.model import STRICTNESS

DESTINATIONS = ["CN", "HK", "MO", "SA", "AE", "DE", "JP", "IN", "VN", "RU", "IL", "SG", "US", "IR"]
DATES = [
    dt.date(2022, 9, 1),
    dt.date(2023, 3, 1),
    dt.date(2023, 12, 1),
    dt.date(2024, 6, 1),
    dt.date(2025, 2, 1),
    dt.date(2025, 5, 1),
    dt.date(2025, 9, 1),
    dt.date(2026, 2, 1),
    dt.date(2026, 8, 1),
]

specs = st.fixed_dictionaries(
    {
        "tpp": st.floats(100, 60000),
        "die_area": st.floats(50, 2000),
        "dram_bw": st.floats(50, 12000),
        "io_bw": st.floats(0, 3000),
        "market": st.sampled_from(["datacenter", "consumer", "workstation"]),
    }
)


def strictness(d: chipwatch.rules.Determination) -> tuple[int, int]:
    if not d.license_required:
        return (0, -1)
    return (1, STRICTNESS[d.review_policy])


@settings(max_examples=150, deadline=None)
@given(
    specs,
    st.sampled_from(["tpp", "die_area", "dram_bw", "io_bw"]),
    st.floats(1.0, 4.0),
    st.sampled_from(DESTINATIONS),
    st.sampled_from(DATES),
)
def test_raising_performance_never_loosens(spec, knob, factor, dest, on) -> None:  # type: ignore[no-untyped-def]
    spec = {**spec, "vendor": "NVIDIA"}
    base = determine(item_from_spec({k: str(v) for k, v in spec.items()}), dest, on)
    raised_spec = dict(spec)
    # a smaller die at the same TPP means a higher performance density
    raised_spec[knob] = spec[knob] / factor if knob == "die_area" else spec[knob] * factor
    raised = determine(item_from_spec({k: str(v) for k, v in raised_spec.items()}), dest, on)
    if None in (base.license_required, raised.license_required):
        # only Russia's sanctions leave non-3A090 items undetermined (their other ECCNs are not modelled)
        assert dest == "RU" and "not 3A090" in (base.classification, raised.classification)
        return
    b, r = strictness(base), strictness(raised)
    assert r[0] >= b[0], (spec, knob, factor, dest, on)
    if b[0] == r[0] == 1 and None not in (base.review_policy, raised.review_policy):
        assert r[1] >= b[1], (
            spec,
            knob,
            factor,
            dest,
            on,
            base.review_policy,
            raised.review_policy,
        )


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        ["H20", "A800 SXM", "H200", "B200", "RTX 4090", "L20", "MI325X", "RTX PRO 6000D"]
    ),
    st.sampled_from(DESTINATIONS),
    st.integers(0, 10_000),
)
def test_answer_is_constant_between_consecutive_events(name, dest, seed) -> None:  # type: ignore[no-untyped-def]
    dates = [d for d in change_dates() if dt.date(2022, 1, 1) <= d <= dt.date(2026, 11, 1)]
    i = seed % (len(dates) - 1)
    start, nxt = dates[i], dates[i + 1]
    if (nxt - start).days < 2:
        return
    inside = start + dt.timedelta(days=1 + seed % ((nxt - start).days - 1))
    item = item_from_chip(chipwatch.chip(name))
    assert determine(item, dest, start).key() == determine(item, dest, inside).key()


@pytest.mark.parametrize("dest", DESTINATIONS)
@pytest.mark.parametrize("on", DATES)
def test_vectorized_equals_scalar_on_the_catalog(dest: str, on: dt.date) -> None:
    items = [item_from_chip(v) for v in chipwatch.chips()]
    plan = build_plan(dest, on)
    out = plan.evaluate_arrays(items_to_arrays(items))
    for i, it in enumerate(items):
        d = plan.determine(it)
        idx = int(out["classification"][i])
        label = out["labels"][idx] if idx >= 0 else "undetermined"
        lic = {1: True, 0: False, -1: None}[int(out["license_required"][i])]
        pol = out["policies"][out["review_policy"][i]] if out["review_policy"][i] >= 0 else None
        assert (label, lic, pol) == (d.classification, d.license_required, d.review_policy), it.name


@settings(max_examples=40, deadline=None)
@given(
    st.lists(specs, min_size=1, max_size=40), st.sampled_from(DESTINATIONS), st.sampled_from(DATES)
)
def test_vectorized_equals_scalar_on_random_specs(batch, dest, on) -> None:  # type: ignore[no-untyped-def]
    plan = build_plan(dest, on)
    arrays = array_facts(
        metrics={
            "tpp": [s["tpp"] for s in batch],
            "performance_density": [s["tpp"] / s["die_area"] for s in batch],
            "dram_bandwidth_gbps": [s["dram_bw"] for s in batch],
            "io_bandwidth_gbps": [s["io_bw"] for s in batch],
            "dram_plus_io_bandwidth_gbps": [s["dram_bw"] + s["io_bw"] for s in batch],
        },
        datacenter=[s["market"] == "datacenter" for s in batch],
        vendors=np.array(["NVIDIA"] * len(batch), dtype=object),
        product_ids=np.array([""] * len(batch), dtype=object),
    )
    out = plan.evaluate_arrays(arrays)
    for i, s in enumerate(batch):
        d = plan.determine(
            item_from_spec({**{k: str(v) for k, v in s.items()}, "vendor": "NVIDIA"})
        )
        idx = int(out["classification"][i])
        assert (out["labels"][idx] if idx >= 0 else "undetermined") == d.classification
        assert {1: True, 0: False, -1: None}[int(out["license_required"][i])] == d.license_required
        assert (
            out["policies"][out["review_policy"][i]] if out["review_policy"][i] >= 0 else None
        ) == d.review_policy


def test_missing_die_area_is_undetermined_and_named() -> None:
    d = chipwatch.check(
        spec="tpp=3000,dram_bw=1000,market=datacenter", to="CN", on=dt.date(2024, 6, 1)
    )
    assert d.license_required is None
    assert d.classification == "undetermined"
    assert "performance_density" in d.missing


def test_missing_die_area_does_not_matter_where_nothing_is_required() -> None:
    d = chipwatch.check(
        spec="tpp=3000,dram_bw=1000,market=datacenter", to="DE", on=dt.date(2024, 6, 1)
    )
    assert d.license_required is False
    assert d.classification == "undetermined"


def test_density_upper_bound_decides_when_it_can() -> None:
    # Ascend 910: TPP 4096, I/O die area unknown, density at most 8.98 -> a.2 cannot be ruled out
    d = chipwatch.check("Ascend 910", to="CN", on=dt.date(2024, 6, 1))
    assert d.license_required is None and "performance_density" in d.missing


def test_hong_kong_is_treated_as_china_but_china_import_measures_stay_mainland() -> None:
    hk = chipwatch.check("H200", to="HK", on=dt.date(2026, 2, 1))
    cn = chipwatch.check("H200", to="CN", on=dt.date(2026, 2, 1))
    assert hk.rules_destination.code == "CN"
    assert (hk.license_required, hk.review_policy) == (cn.license_required, cn.review_policy)
    assert cn.import_restrictions and not hk.import_restrictions


def test_not_exported_from_us_keeps_presumption_of_denial() -> None:
    d = chipwatch.check("H200", to="CN", on=dt.date(2026, 2, 1), exported_from_us=False)
    assert d.review_policy == "denial"


def test_prc_made_chips_carry_the_ear_jurisdiction_caveat_and_us_chips_do_not() -> None:
    """A PRC company's chip made abroad is subject to the EAR only through the foreign-direct-
    product rule (15 CFR 734.9(h)) or de minimis US content (15 CFR 734.4): the verdict says so."""
    prc = chipwatch.check("Ascend 910C", to="SA", on=dt.date(2026, 6, 1))
    us = chipwatch.check("H100 SXM", to="SA", on=dt.date(2026, 6, 1))
    caveat = [c for c in prc.conditions if "734.9(h)" in c["paragraph"]]
    assert len(caveat) == 1 and "assumes it is subject" in caveat[0]["text"]
    assert not [c for c in us.conditions if "734.9(h)" in c["paragraph"]]
    # the 2022 rule's FDP scope was China (and Macau): its own caveat, before the 2023 rule
    spec = "tpp=12000,io_bw=700,die_area=600,dram_bw=1600,market=datacenter,vendor=Huawei"
    old = chipwatch.check(spec=spec, to="CN", on=dt.date(2023, 6, 1))
    assert [c["rule"] for c in old.conditions if "734.9(h)" in c["paragraph"]] == ["2022-10-07-acsme"]


def test_legal_text_mode_applies_ai_diffusion() -> None:
    enforced = chipwatch.check("H100", to="IN", on=dt.date(2025, 6, 1))
    legal = chipwatch.check("H100", to="IN", on=dt.date(2025, 6, 1), mode="legal-text")
    assert enforced.license_required is False
    assert legal.license_required is True
    assert any(x["id"] == "LPP" for x in legal.license_exceptions)


def test_before_3a090_existed() -> None:
    d = chipwatch.check("L20", to="CN", on=dt.date(2021, 1, 1))
    assert d.classification == "not 3A090" and d.license_required is False
    assert "did not exist" in d.reasons[0].text


def test_computer_kind_maps_to_4a090() -> None:
    d = chipwatch.check(
        spec="tpp=16000,die_area=814,dram_bw=3350,market=datacenter,kind=computer",
        to="CN",
        on=dt.date(2024, 6, 1),
    )
    assert d.classification == "4A090.a.1" and d.license_required is True


def test_hbm_stack_is_3a090c() -> None:
    d = chipwatch.check(
        spec="hbm_density=2.5,kind=hbm,market=datacenter", to="CN", on=dt.date(2025, 1, 1)
    )
    assert d.classification == "3A090.c" and d.license_required is True
    before = chipwatch.check(
        spec="hbm_density=2.5,kind=hbm,market=datacenter", to="CN", on=dt.date(2024, 6, 1)
    )
    assert before.classification == "not 3A090"


def test_nac_for_consumer_and_aca_for_d4() -> None:
    cn = chipwatch.check("RTX 4090", to="CN", on=dt.date(2024, 6, 1))
    sa = chipwatch.check("RTX 4090", to="SA", on=dt.date(2024, 6, 1))
    assert [x["id"] for x in cn.license_exceptions] == ["NAC"]
    assert [x["id"] for x in sa.license_exceptions] == ["ACA"]
    dc = chipwatch.check("H100", to="CN", on=dt.date(2024, 6, 1))
    assert dc.license_exceptions == ()


def test_import_measures_are_dated() -> None:
    before = chipwatch.check("RTX PRO 6000D", to="CN", on=dt.date(2025, 9, 1))
    after = chipwatch.check("RTX PRO 6000D", to="CN", on=dt.date(2025, 9, 20))
    assert not any(m["severity"] == "banned" for m in before.import_restrictions)
    assert any(m["severity"] == "banned" for m in after.import_restrictions)


def test_hq_rule_is_a_condition_without_end_user() -> None:
    d = chipwatch.check("H100", to="MY", on=dt.date(2024, 6, 1))
    assert d.license_required is False
    assert any("headquartered" in c["text"] for c in d.conditions)


@pytest.mark.parametrize(
    "bad", ["tpp=abc", "tpp=-1", "speed=3", "tpp", "market=space", "kind=toaster"]
)
def test_bad_spec_is_a_clear_error(bad: str) -> None:
    with pytest.raises(SpecError):
        item_from_spec(bad)


def test_timeline_h20_china() -> None:
    entries = chipwatch.timeline(
        "H20", to="CN", start=dt.date(2024, 1, 1), end=dt.date(2026, 11, 1)
    )
    answers = [
        (e.start.isoformat(), e.determination.license_required, e.determination.review_policy)
        for e in entries
    ]
    assert answers[0] == ("2024-01-01", False, None)
    assert ("2025-04-09", True, "denial") in answers
    assert ("2025-08-08", True, "case-by-case") in answers
    for a, b in itertools.pairwise(entries):
        assert a.end == b.start - dt.timedelta(days=1)
        assert a.determination.key() != b.determination.key()


def _arabic_only(text: str) -> bool:
    """Arabic text whose Latin runs are short (codes, units) or isolated as left-to-right names."""
    outside = re.sub("\u2066[^\u2069]*\u2069", "", text)
    has_arabic = any("\u0600" <= ch <= "\u06ff" for ch in outside)
    return has_arabic and re.search(r"[A-Za-z][A-Za-z ,;'()-]{24,}", outside) is None


@pytest.mark.parametrize("dest", ["CN", "AE", "SA", "IN", "RU", "MO"])
def test_every_reason_and_condition_has_arabic(dest: str) -> None:
    """The engine writes each reason in Arabic too (rule text, findings and its own phrases)."""
    for on in (dt.date(2023, 6, 1), dt.date(2025, 5, 1), dt.date(2026, 6, 1)):
        for c in chipwatch.catalog():
            d = chipwatch.check(c.id, to=dest, on=on, end_user="Huawei")
            for r in d.reasons:
                assert _arabic_only(r.text_ar), (c.id, r.text_ar)
                assert r.in_language("ar") == r.text_ar and r.in_language("en") == r.text
            for cond in d.conditions:
                assert _arabic_only(cond["text_ar"] or ""), (c.id, cond["text"])


def test_affiliates_rule_follows_its_dates() -> None:
    """BIS Affiliates rule (FR Doc. 2025-19001): in force 2025-09-29, suspended 2025-11-10 for one
    year (Fenwick, Freshfields), applied again from 2026-11-10 (inferred: no later data). A party
    owned 50%+ by Huawei takes Huawei's Entity List requirement (presumption of denial) only then."""
    def answer(on: dt.date, owner: str | None = "Huawei") -> Any:
        return chipwatch.check("H100 SXM", to="SA", on=on, end_user="Acme Cloud", owned_by=owner)

    assert answer(dt.date(2025, 10, 15)).review_policy == "denial"
    suspended = answer(dt.date(2026, 1, 15))
    assert suspended.review_policy == "approval"
    assert any("suspended since 2025-11-10 until 2026-11-10" in r.text for r in suspended.reasons)
    resumed = answer(dt.date(2026, 11, 15))
    assert resumed.review_policy == "denial"
    assert any(r.rule == "2026-11-10-affiliates-resumed" and r.text_ar for r in resumed.reasons)
    assert answer(dt.date(2025, 10, 15), owner=None).review_policy == "approval"
    assert answer(dt.date(2025, 10, 15), owner="Unknown Holding Ltd").review_policy == "approval"
    # before the rule existed the owner does not matter either
    assert answer(dt.date(2025, 6, 1)).review_policy == "approval"


def test_an_undetermined_class_still_names_the_rule_imposing_the_licence() -> None:
    """MI308X has no public specs (class undetermined), but the April 2025 letters name it: the
    licence answer is the same for every class and the letter is among the reasons."""
    import datetime as dt

    from chipwatch.api import check

    d = check("MI308X", to="CN", on=dt.date(2025, 5, 1))
    assert d.classification == "undetermined" and d.license_required is True
    assert any(r.rule == "2025-04-09-isinformed-h20" for r in d.reasons)
