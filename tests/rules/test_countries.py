"""Destinations: codes, English and Arabic names, dated group membership."""

from __future__ import annotations

import datetime as dt

import pytest

from chipwatch.rules import UnknownCountryError, countries


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CN", "CN"),
        ("cn", "CN"),
        ("China", "CN"),
        ("الصين", "CN"),
        ("Saudi Arabia", "SA"),
        ("السعودية", "SA"),
        ("المملكة العربية السعودية", "SA"),
        ("UAE", "AE"),
        ("الامارات", "AE"),
        ("الإمارات", "AE"),
        ("Hong Kong", "HK"),
        ("ماكاو", "MO"),
        ("Macao", "MO"),
        ("Germany", "DE"),
        ("ألمانيا", "DE"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
    ],
)
def test_resolve(text: str, code: str) -> None:
    assert countries().resolve(text).code == code


def test_unknown_destination_suggests() -> None:
    with pytest.raises(UnknownCountryError, match="Germany"):
        countries().resolve("Germny")


def test_uae_moves_from_d4_to_a5_on_2026_07_10() -> None:
    c = countries()
    assert "D:4" in c.groups_on("AE", dt.date(2026, 7, 9)) and "A:5" not in c.groups_on(
        "AE", dt.date(2026, 7, 9)
    )
    assert "A:5" in c.groups_on("AE", dt.date(2026, 7, 10)) and "D:4" not in c.groups_on(
        "AE", dt.date(2026, 7, 10)
    )


def test_hong_kong_is_china_and_macau_is_not_d5() -> None:
    c = countries()
    assert c.effective("HK", dt.date(2024, 1, 1)).code == "CN"
    assert "D:5" not in c.groups_on("MO", dt.date(2024, 1, 1))
    assert "D:5" in c.groups_on("CN", dt.date(2024, 1, 1))


def test_every_arab_league_member_has_an_arabic_name() -> None:
    arab_league = [
        "DZ",
        "BH",
        "KM",
        "DJ",
        "EG",
        "IQ",
        "JO",
        "KW",
        "LB",
        "LY",
        "MR",
        "MA",
        "OM",
        "PS",
        "QA",
        "SA",
        "SO",
        "SD",
        "SY",
        "TN",
        "AE",
        "YE",
    ]
    c = countries()
    for code in arab_league:
        name = c.by_code[code].name_ar
        assert any("\u0600" <= ch <= "\u06ff" for ch in name), code
