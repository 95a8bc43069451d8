"""End-user screening: tolerant matching, scores, CSL files parsed by column name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import chipwatch
from chipwatch.rules import CslError, load_csl, screen
from chipwatch.rules.screening import name_key

DATA = Path(__file__).parent.parent / "data"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("HUAWEI TECHNOLOGIES CO LTD", "Huawei Technologies Co., Ltd."),
        ("Huawei Technologies Co., Ltd", "Huawei Technologies Co., Ltd."),
        ("huawei-technologies", "Huawei Technologies Co., Ltd."),
        ("SMIC", "Semiconductor Manufacturing International Corporation"),
        ("Moore Threads", "Moore Thread Intelligent Technology (Beijing) Co., Ltd."),
        ("Dawning Information Industry", "Sugon"),
        ("Zhipu AI", "Beijing Zhipu Huazhang Technology Co., Ltd."),
        ("IEIT Systems Co Ltd", "Inspur Electronic Information Industry Co., Ltd."),
        ("Biren Technology", "Beijing Biren Technology Development Co., Ltd."),
        ("هواوي", "Huawei Technologies Co., Ltd."),
    ],
)
def test_tolerant_matches(query: str, expected: str) -> None:
    match = screen(query)
    assert match is not None and match.entity.name == expected
    assert 0.86 <= match.score <= 1.0


@pytest.mark.parametrize(
    "query", ["Acme Robotics GmbH", "Siemens AG", "University of Tokyo", "Hua"]
)
def test_no_false_positive(query: str) -> None:
    assert screen(query) is None


def test_corporate_suffixes_and_accents_are_ignored() -> None:
    assert name_key("Société Générale S.A.") == ("societe", "generale")


def test_listing_date_matters() -> None:
    before = chipwatch.check("H20", to="CN", on=dt.date(2025, 1, 10), end_user="Zhipu AI")
    after = chipwatch.check("H20", to="CN", on=dt.date(2025, 1, 20), end_user="Zhipu AI")
    assert before.license_required is False
    assert after.license_required is True and after.review_policy == "denial"
    assert after.end_user is not None and after.end_user.entity.citation == "90 FR 4617"
    assert any(r.rule == "screening" for r in after.reasons)


def test_csl_file_is_parsed_by_header_names() -> None:
    screener = load_csl(DATA / "csl-sample.csv")
    match = screener.screen("EPRI")
    assert match is not None and match.entity.listed and match.entity.policy == "denial"
    assert match.entity.citation == "89 FR 99999"
    cmic = screener.screen("Sample Aero Holdings")
    assert cmic is not None and not cmic.entity.listed  # CMIC is an investment list
    d = chipwatch.check(
        "L20", to="CN", on=dt.date(2026, 8, 1), end_user="Example Photonics", screener=screener
    )
    assert d.license_required is True and d.review_policy == "denial"


def test_csl_missing_columns_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("entity,program\nX,Y\n")
    with pytest.raises(CslError, match="missing column"):
        load_csl(bad)


def test_entity_list_blocks_licence_exceptions() -> None:
    d = chipwatch.check("RTX 4090", to="CN", on=dt.date(2024, 6, 1), end_user="Huawei")
    assert d.license_required is True and d.license_exceptions == ()


def test_csl_json_download_format() -> None:
    match = load_csl(DATA / "csl-sample.json").screen("Example Photonics Research Institute")
    assert match is not None and match.entity.listed and match.entity.policy == "denial"
    assert match.entity.country == "CN"


def test_csl_garbage_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "csl.json"
    bad.write_text("{not json")
    with pytest.raises(CslError, match="not a Consolidated Screening List"):
        load_csl(bad)
