"""News extraction: normalization offsets, entities with spans, numbers in words and digits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipwatch.news.extract import extract, hijri_to_gregorian
from chipwatch.news.normalize import normalize
from chipwatch.news.numbers import parse_number

ARTICLES = Path(__file__).parents[1] / "data" / "articles"
EXAMPLE = (
    ARTICLES / "ar-h20-example.txt"
)  # copy of shared/examples/h20-article-ar.txt (a real article)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("إأآابتثة ىيئؤـًٌٍَُِّْ٠١٢٣٤٥٦٧٨٩٫٬،H20abc \u200f\u200e\n.")),
        max_size=80,
    )
)
def test_normalization_offsets_stay_inside_the_original(text: str) -> None:
    n = normalize(text)
    assert len(n.text) == len(n.offsets)
    assert all(0 <= o < len(text) for o in n.offsets)
    assert list(n.offsets) == sorted(n.offsets)
    for i in range(len(n.text)):
        s, e = n.span(i, i + 1)
        assert 0 <= s < e <= len(text)


def test_normalization_folds_arabic_variants_and_digits() -> None:
    assert normalize("إنفيديا أَنفِيدْيَا ـــ").text == "انفيديا انفيديا "
    assert normalize("١٨٫٥ و ۱۲۳٬٤٥٦").text == "18.5 و 123,456"
    assert normalize("\u200fمدرسة\u200e").text == "مدرسه"


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=9),
    st.sampled_from([("الاف", 1e3), ("مليون", 1e6), ("مليار", 1e9)]),
)
def test_number_words_and_digits_parse_to_the_same_value(
    unit: int, scale: tuple[str, float]
) -> None:
    words = ["واحد", "اثنان", "ثلاثه", "اربعه", "خمسه", "سته", "سبعه", "ثمانيه", "تسعه"]
    word, factor = scale
    assert parse_number(f"{words[unit - 1]} {word}") == pytest.approx(unit * factor)
    assert parse_number(f"{unit} {word}") == pytest.approx(unit * factor)
    assert parse_number(str(int(unit * factor))) == pytest.approx(unit * factor)


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("18 مليار دولار", 18e9, "="),
        ("أقل من 6 ملايين دولار", 6e6, "<"),
        ("ملياري دولار", 2e9, "="),
        ("$1.5bn", 1.5e9, "="),
        ("more than USD 5.5 billion", 5.5e9, ">"),
        ("about $950 million", 950e6, "~"),
        ("ثلاثة مليارات دولار", 3e9, "="),
    ],
)
def test_money(text: str, value: float, qualifier: str) -> None:
    (m,) = (
        extract(f"قال إن {text} هنا")["money"]
        if "$" not in text and "USD" not in text
        else extract(f"he said {text} here")["money"]
    )
    assert (
        m["value"] == pytest.approx(value)
        and m["qualifier"] == qualifier
        and m["currency"] == "USD"
    )


def test_per_head_money_and_counts() -> None:
    e = extract("عشاء بمبلغ مليون دولار لكل رأس، وأكثر من 1.5 مليون مطور و3000 شركة ناشئة")
    assert e["money"][0]["per_unit"] is True and e["money"][0]["value"] == 1e6
    counts = [(c["value"], c["qualifier"]) for c in e["counts"]]
    assert (1.5e6, ">") in counts and (3000.0, "=") in counts


def test_vague_quantities_are_not_given_exact_values() -> None:
    (c,) = extract("tens of thousands of chips were shipped")["counts"]
    assert c["vague"] is True and c["value"] is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("الأشهر الثلاثة الأولى من عام 2025", "2025-Q1"),
        ("الربع الثاني من 2024", "2024-Q2"),
        ("first quarter of 2025", "2025-Q1"),
        ("Q3 2025", "2025-Q3"),
        ("15 أبريل 2025", "2025-04-15"),
        ("نيسان 2025", "2025-04"),
        ("جانفي 2026", "2026-01"),
        ("كانون الثاني 2026", "2026-01"),
        ("April 9, 2025", "2025-04-09"),
        ("1 محرم 1447 هـ", "2025-06-26"),
        ("second half of 2025", "2025-H2"),
    ],
)
def test_dates_and_periods(text: str, value: str) -> None:
    assert value in [d["value"] for d in extract(f"قال ذلك في {text} أمس")["dates"]]


WEDNESDAY = dt.date(2025, 7, 16)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("last week", "2025-07-07/2025-07-13"),  # an ISO week, Monday to Sunday
        ("الأسبوع الماضي", "2025-07-07/2025-07-13"),
        ("yesterday", "2025-07-15"),
        ("أمس", "2025-07-15"),
        ("last month", "2025-06"),
        ("الشهر المقبل", "2025-08"),
        ("earlier this year", "2025"),
        ("السنة الماضية", "2024"),
        ("three months ago", "2025-04"),
        ("قبل ثلاثة أشهر", "2025-04"),
        ("قبل عامين", "2023"),  # a dual is two
        ("قبل شهر", "2025-06"),  # a singular is one
        ("two weeks ago", "2025-07-02"),
        ("on Monday", "2025-07-14"),
        ("يوم الاثنين الماضي", "2025-07-14"),
        ("next Friday", "2025-07-18"),
        ("in May of last year", "2024-05"),
        ("في مايو من العام الماضي", "2024-05"),
        ("the first quarter of this year", "2025-Q1"),
        ("الربع الأول من العام الجاري", "2025-Q1"),
        ("النصف الثاني من العام المقبل", "2026-H2"),
    ],
)
def test_dates_relative_to_the_article_date(text: str, value: str) -> None:
    (d,) = extract(f"Nvidia said {text} that", WEDNESDAY)["dates"]
    assert (d["value"], d["relative_to"]) == (value, "2025-07-16")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("said last\nweek", "2025-07-07/2025-07-13"),  # a hard-wrapped line
        ("في  مايو  من  العام  الماضي", "2024-05"),  # double spaces
        ("منذ عام 2022", "2022"),  # a year, not "a year ago"
        ("بالأمس", "2025-07-15"),  # proclitics
        ("والأسبوع الماضي", "2025-07-07/2025-07-13"),
        ("أول أمس", "2025-07-14"),  # the day before yesterday
        ("in May of 2024", "2024-05"),
        ("Nvidia said Monday", "2025-07-14"),
        ("on July 10", "2025-07-10"),  # a day without a year: the latest occurrence
        ("on August 1", "2025-08-01"),  # or one in the coming month
        ("في 8 ديسمبر", "2024-12-08"),
        ("Dec. 20", "2024-12-20"),
        ("in the first quarter", "2025-Q1"),  # the latest first quarter begun
        ("خلال الربع الرابع", "2024-Q4"),
    ],
)
def test_relative_dates_in_awkward_spellings(text: str, value: str) -> None:
    assert [d["value"] for d in extract(text, WEDNESDAY)["dates"]] == [value]


@pytest.mark.parametrize(
    "text", ["قبل شهر رمضان", "قبل يوم من الاجتماع", "prices may next year rise", "Black Friday sales"]
)
def test_words_that_only_look_like_relative_dates(text: str) -> None:
    assert [d["text"] for d in extract(text, WEDNESDAY)["dates"]] in ([], ["next year"])


def test_relative_dates_at_the_end_of_the_calendar_are_skipped() -> None:
    assert extract("tomorrow", dt.date(9999, 12, 31))["dates"] == []


def test_relative_dates_need_the_article_date_and_a_clear_reading() -> None:
    assert extract("Nvidia said last week that", None)["dates"] == []
    # no number of years; "الاثنين" alone also means "the two"
    assert extract("منذ سنوات قال الاثنين إن", WEDNESDAY)["dates"] == []


def test_hijri_conversion() -> None:
    # 1 Muharram 1446 AH = 2024-07-07 (tabular Islamic calendar)
    assert hijri_to_gregorian(1446, 1, 1).isoformat() == "2024-07-07"


@pytest.mark.parametrize(
    ("text", "chip"),
    [
        ("رقائق H20", "nvidia-h20"),
        ("شرائح إتش 20", "nvidia-h20"),
        ("the H-20 chip", "nvidia-h20"),
        ("Nvidia's H2O chips", "nvidia-h20"),
        ("RTX 4090D", "nvidia-rtx-4090d"),
        ("هواوي Ascend 910C", "huawei-ascend-910c"),
        ("«جي بي 300» من إنفيديا", "nvidia-gb300"),  # two letter names, not "بي 300" (B300)
        ("شرائح إم آي 300 إكس", "amd-mi300x"),
        ("Enflame's CloudBlazer T20 chips", "enflame-t20"),  # a product line before the number
        ("Kunlun P800 chips", "kunlunxin-p800-oam"),
        ("بطاقة آر تي إكس 4090", "nvidia-rtx-4090"),
    ],
)
def test_chip_spellings(text: str, chip: str) -> None:
    assert chip in [c["id"] for c in extract(text)["chips"]]


def test_h2o_is_water_without_chip_context() -> None:
    assert extract("the lake had H2O and salt")["chips"] == []


def test_names_without_a_number_need_chip_words_nearby() -> None:
    found = extract("Nvidia's Rubin chips and Alibaba's PPU; AWS Trainium and Google's Ironwood")["chips"]
    assert [c["id"] for c in found] == [
        "nvidia-rubin", "alibaba-zhenwu-810e", "aws-trainium1", "google-tpu-v7"
    ]
    assert extract("Robert Rubin said the economy slowed")["chips"] == []
    assert extract("Robert Rubin said new laws would slow the economy")["chips"] == []  # l-aws
    assert extract("State laws limit H2O use on farms")["chips"] == []


def test_generation_names_read_as_their_flagship_near_chip_words() -> None:
    """gazetteer chip_generations: "Blackwell" is the B200's generation; Arabic "روبن" is Rubin."""
    found = extract("لن تبيع إنفيديا رقائق روبن أو بلاكويل إلى الصين")["chips"]
    assert [c["id"] for c in found] == ["nvidia-rubin", "nvidia-b200"]
    assert extract("Blackwell Avenue in Tulsa")["chips"] == []


def test_names_other_products_share_need_chip_words() -> None:
    """``name_also_means`` in the catalog: "Volvo S60" is a car, "Kunlunxin P800 chips" a chip."""
    assert extract("the new Volvo S60 sedan")["chips"] == []
    assert [c["id"] for c in extract("Baidu's Kunlunxin P800 chips")["chips"]] == ["kunlunxin-p800-oam"]


def test_letter_names_count_only_when_they_spell_a_catalog_chip() -> None:
    assert extract("حضر ام 300 شخص ودفع اي 100 دولار")["chips"] == []


def test_offsets_point_at_the_matched_text_in_the_original() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    e = extract(text)
    for kind in ("chips", "companies", "money", "counts", "dates", "countries"):
        for x in e[kind]:
            assert text[x["start"] : x["end"]] == x["text"], (kind, x)
    assert e["money"] and e["chips"] and e["dates"]


def test_example_article_facts() -> None:
    e = extract(EXAMPLE.read_text(encoding="utf-8"))
    assert 18e9 in [m["value"] for m in e["money"]]
    assert (6e6, "<") in [(m["value"], m["qualifier"]) for m in e["money"]]
    assert "2025-Q1" in [d["value"] for d in e["dates"]]
    assert {"NVIDIA", "DeepSeek", "Microsoft", "Apple", "Huawei", "White House"} <= {
        c["name"] for c in e["companies"]
    }
    assert {"nvidia-h20", "nvidia-h100-sxm", "nvidia-h800-sxm"} <= {c["id"] for c in e["chips"]}


def test_arabic_and_sibling_chip_spellings() -> None:
    """"أسيند 910B و910C", "Ascend 910B and 910C", "وإتش 200", "بي 30 إيه" name catalog chips."""
    def names(text: str) -> list[str]:
        return [c["name"] for c in extract(text)["chips"]]

    assert names("رقائق أسيند 910B و910C") == ["Ascend 910B", "Ascend 910C"]
    assert names("Huawei Ascend 910B and 910C chips") == ["Ascend 910B", "Ascend 910C"]
    chips = extract("رقائق إتش 20 وإتش 200")["chips"]
    assert [(c["name"], c["text"]) for c in chips] == [("H20", "إتش 20"), ("H200 SXM", "إتش 200")]
    assert [(c["name"], c["text"]) for c in extract("شريحة بي 30 إيه")["chips"]] == [("B30A", "بي 30 إيه")]


def test_amman_with_a_shadda_is_not_oman() -> None:
    codes = [c["code"] for c in extract("مركز بيانات في عمّان بالأردن، وآخر في سلطنة عُمان")["countries"]]
    assert codes == ["JO", "OM"]


def test_vague_and_ordinal_quantities() -> None:
    vague = extract("several hundred thousand chips")["counts"]
    assert vague[0]["vague"] and vague[0]["order_of_magnitude"] == 1e5
    assert extract("tier-two countries and tier 2 destinations")["counts"] == []


def test_impossible_iso_dates_are_not_dates() -> None:
    assert extract("Date: 2025-13-45 and 2025-02-30")["dates"] == []
