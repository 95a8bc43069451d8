"""Claims: kinds, verdicts on the article's date and today, reports in the article's language."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipwatch.cli import main
from chipwatch.news import AnalysisError, analyze
from chipwatch.news.report import html_page, markdown

ARTICLES = Path(__file__).parents[1] / "data" / "articles"
TODAY = dt.date(2026, 11, 29)


def claims_of(text: str, **kw) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    return analyze(text, today=TODAY, **kw)["claims"]


def test_english_article_claims() -> None:
    r = analyze((ARTICLES / "en-h20-reuters-style.txt").read_text(encoding="utf-8"), today=TODAY)
    assert (
        r["language"] == "en"
        and r["article_date"] == "2025-08-12"
        and r["article_date_source"] == "text"
    )
    kinds = {c["kind"] for c in r["claims"]}
    assert kinds >= {"export_status", "purchase", "training", "capability", "adoption"}
    by_kind = {c["kind"]: c for c in r["claims"]}
    assert by_kind["training"]["verdict"] == "supported"
    assert by_kind["capability"]["verdict"] == "supported"
    h100 = next(c for c in r["claims"] if "H100" in c["text"])
    assert h100["verdict"] == "outdated"  # banned in Aug 2025, case-by-case since 2026-01-15
    assert all(c["reasons"] for c in r["claims"])


def test_ban_claim_true_then_outdated_now() -> None:
    (c,) = claims_of("The US bans exports of H20 chips to China.", article_date=dt.date(2025, 5, 1))
    assert c["kind"] == "export_status" and c["verdict"] == "outdated"
    assert any("2025-08-08" in r for r in c["reasons"])
    assert c["citations"]


def test_false_export_claim_is_contradicted() -> None:
    (c,) = claims_of(
        "The US allows exports of B200 chips to China.", article_date=dt.date(2026, 3, 1)
    )
    assert c["verdict"] == "contradicted"


def test_training_cost_claims() -> None:
    (ok,) = claims_of(
        "DeepSeek R1 was trained for under $6 million on H800 chips.",
        article_date=dt.date(2025, 2, 1),
    )
    assert ok["verdict"] == "supported"
    assert any("not research" in r for r in ok["reasons"])
    (bad,) = claims_of(
        "DeepSeek R1 was trained for under $1 million on H800 chips.",
        article_date=dt.date(2025, 2, 1),
    )
    assert bad["verdict"] == "contradicted"


def test_arabic_report_is_arabic_and_rtl() -> None:
    text = (ARTICLES / "ar-awkward.txt").read_text(encoding="utf-8")
    r = analyze(text, today=TODAY)
    assert r["language"] == "ar" and r["report_language"] == "ar"
    md = markdown(r)
    assert "الادعاءات" in md
    page = html_page(r, text)
    assert 'dir="rtl"' in page and 'lang="ar"' in page and "<mark" in page
    english = markdown(analyze(text, today=TODAY, report_language="en"))
    assert "Claims and checks" in english


def test_html_escapes_article_text() -> None:
    text = "<script>alert(1)</script> The US bans exports of H100 chips to China."
    r = analyze(text, today=TODAY, article_date=dt.date(2024, 6, 1))
    page = html_page(r, text)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("text", ["", "   \n ", "abc", "١٢٣", "مرحبا بالعالم", "x" * 50_000])
def test_odd_inputs_give_empty_results_not_errors(text: str) -> None:
    r = analyze(text, today=TODAY)
    assert r["claims"] == []


def test_binary_input_is_refused() -> None:
    with pytest.raises(AnalysisError, match="binary"):
        analyze("abc\x00def")


def test_ten_megabytes_in_linear_time() -> None:
    import time

    base = (ARTICLES / "ar-awkward.txt").read_text(encoding="utf-8")
    small, big = base * 50, base * 500
    t0 = time.perf_counter()
    analyze(small, today=TODAY, check=False)
    t1 = time.perf_counter()
    analyze(big, today=TODAY, check=False)
    t2 = time.perf_counter()
    assert (t2 - t1) < 25 * (t1 - t0) + 1.0  # 10x the text, well under quadratic time


def test_cli_analyze(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    art = ARTICLES / "en-h20-reuters-style.txt"
    assert main(["analyze", str(art), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("language", "article_date", "entities", "claims"):
        assert key in data
    chip = data["entities"]["chips"][0]
    assert {"id", "name", "text", "start", "end"} <= set(chip)
    out = tmp_path / "r.html"
    assert (
        main(
            ["analyze", str(ARTICLES / "ar-awkward.txt"), "--format", "html", "--output", str(out)]
        )
        == 0
    )
    assert 'dir="rtl"' in out.read_text(encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["analyze", str(empty)]) == 2
    binary = tmp_path / "bin.dat"
    binary.write_bytes(b"\x00\x01\x02garbage")
    assert main(["analyze", str(binary)]) == 2
    assert "binary" in capsys.readouterr().err


def test_stdin(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "chipwatch",
            "analyze",
            "-",
            "--date",
            "2025-05-01",
            "--format",
            "json",
        ],
        input=b"The US bans H20 exports to China.",
        capture_output=True,
        check=True,
    )
    assert json.loads(proc.stdout)["claims"][0]["kind"] == "export_status"


def test_gpu_hour_claims_are_checked_against_the_published_run() -> None:
    """Llama 3.1 model card: 30.84M H100 GPU-hours for 405B, 1.46M for 8B."""
    (ok,) = claims_of(
        "Meta trained Llama 3.1 405B on 16,000 H100 GPUs using 30.84 million GPU hours.",
        article_date=dt.date(2024, 7, 23),
    )
    assert ok["verdict"] == "supported"
    assert any("30.8M" in r and "model card" in r for r in ok["reasons"])
    (small,) = claims_of(
        "Meta trained Llama 3.1 8B on H100 GPUs in 1.46 million GPU hours.",
        article_date=dt.date(2024, 7, 23),
    )
    assert small["verdict"] == "supported"  # the published figure decides, not the model
    (bad,) = claims_of(
        "Meta trained Llama 3.1 405B with only 5 million GPU hours on H100 chips.",
        article_date=dt.date(2024, 7, 23),
    )
    assert bad["verdict"] == "contradicted"
    (ar,) = claims_of(
        "دربت الشركة نموذج DeepSeek-V3 باستخدام 2.788 مليون ساعة GPU على شرائح H800.",
        article_date=dt.date(2025, 2, 1),
    )
    assert ar["verdict"] == "supported" and any("مليون ساعة" in r for r in ar["reasons"])
    (unknown,) = claims_of(
        "Alibaba trained Qwen3-32B on H800 chips for $2 million.", article_date=dt.date(2025, 5, 1)
    )
    assert unknown["verdict"] == "unverifiable"


def test_model_names_come_from_the_workload_files() -> None:
    r = analyze(
        "Groq serves gpt-oss-120b and Llama 3.1 70B; Qwen3 235B runs on H20.", today=TODAY
    )
    assert [m["name"] for m in r["entities"]["models"]] == [
        "gpt-oss-120b", "llama-3.1-70b", "qwen3-235b-a22b",
    ]


def test_country_aliases_and_party_homes_give_the_destination() -> None:
    """countries.yaml aliases (السعودية, Saudi, KSA, الإمارات) are read; with no country named, a
    party's home decides (G42 -> UAE) and the party is screened as the end user."""
    codes = [c["code"] for c in analyze("صفقة مع السعودية والإمارات و KSA", today=TODAY)["entities"]["countries"]]
    assert codes == ["SA", "AE", "SA"]
    (c,) = claims_of(
        "The U.S. approved exports of GB300 chips to G42.", article_date=dt.date(2025, 11, 20)
    )
    assert "United Arab Emirates" in c["reasons"][0] and c["verdict"] == "supported"


def test_stance_is_the_word_nearest_the_chip_and_negation_flips_allow() -> None:
    claims = claims_of(
        "قال ترامب إنه قد يسمح ببيع نسخة من بلاكويل، فيما تبقى رقائق B200 محظورة على الصين.",
        article_date=dt.date(2025, 8, 12),
    )
    (ar,) = [c for c in claims if c["stance"] == "banned"]  # "a version of Blackwell" is the other
    assert ar["verdict"] == "supported" and "B200" in ar["reasons"][0]
    (neg,) = claims_of("The B200 is not allowed to be sold to China.", article_date=dt.date(2025, 8, 12))
    assert neg["stance"] == "banned"
    both = claims_of(
        "The US allows H20 exports but bans B200 sales to China.", article_date=dt.date(2025, 9, 1)
    )
    assert sorted(c["stance"] for c in both) == ["allowed", "banned"]
    (lic,) = claims_of(
        "Exports of H20 chips to China will require a license.", article_date=dt.date(2025, 4, 16)
    )
    assert lic["stance"] == "restricted"


def test_speed_up_factors_are_not_read_from_chip_names() -> None:
    (c,) = claims_of(
        "The MI355X is up to 35 times faster at inference than the MI300X.",
        article_date=dt.date(2025, 6, 1),
    )
    assert any("claimed 35x" in r for r in c["reasons"])
    assert not any("claimed 355" in r for r in c["reasons"])
    assert "MI300X" in c["reasons"][0] and c["verdict"] == "unverifiable"  # a vendor's best case
    (b200,) = claims_of("The B200 is well suited to inference.", article_date=dt.date(2025, 6, 1))
    assert b200["verdict"] == "supported"


def test_arabic_money_qualifiers_before_and_after_the_amount() -> None:
    quals = {
        t: [m["qualifier"] for m in analyze(t, today=TODAY)["entities"]["money"]]
        for t in (
            "رقائق بقيمة ١٦ مليار دولار على الأقل",
            "صفقات تصل إلى 10 مليارات دولار",
            "بقيمة لا تتجاوز 5 ملايين دولار",
            "استثمارات تزيد على 20 مليار دولار",
            "$16 billion or more",
        )
    }
    assert [q[0] for q in quals.values()] == [">=", "<=", "<=", ">", ">="]


def test_gpu_hour_sentences_use_the_article_model_and_ignore_hourly_prices() -> None:
    text = (
        "DeepSeek said it trained DeepSeek-V3 on 2,048 H800 chips. The final run took 2.788 million "
        "H800 GPU hours at an assumed price of $2 per GPU hour. "
        "احتاج نموذج Llama 3.1 405B إلى 30.84 مليون ساعة عمل لشرائح H100."
    )
    claims = analyze(text, today=TODAY, article_date=dt.date(2025, 2, 1))["claims"]
    assert [(c["kind"], c["verdict"]) for c in claims] == [("training", "supported")] * 2


def test_unit_count_deals_are_purchases() -> None:
    """Supply deals counted in chips ("18,000 GB300 chips", "18 ألف شريحة") are purchases, sized
    by the fleet model, with the destination from the buyer (HUMAIN -> Saudi Arabia)."""
    for text in (
        "Nvidia will sell 18,000 of its GB300 Grace Blackwell chips to Humain.",
        "شراكة مع إنفيديا تشمل توريد 18 ألف شريحة من طراز GB300 إلى هيوماين.",
    ):
        (c,) = claims_of(text, article_date=dt.date(2025, 5, 13))
        assert c["kind"] == "purchase"
        assert "18,000" in c["reasons"][0] and "H100" in c["reasons"][1]
        assert "Saudi" in c["reasons"][2] or "السعودية" in c["reasons"][2]


def test_decisions_reported_as_made_and_relative_quarters() -> None:
    """"ترامب يسمح … إتش 200 للصين" (2025-12-09) took effect on 2026-01-15: a reported decision, not a
    false claim. "The first quarter of this year" is read against the article's year."""
    (h200,) = claims_of(
        "ترامب يسمح لإنفيديا ببيع «إتش 200» للصين مقابل 25% من العائدات",
        article_date=dt.date(2025, 12, 9),
    )
    assert h200["verdict"] == "supported"
    (old,) = claims_of(
        "ترامب يسمح لإنفيديا ببيع «إتش 200» للصين", article_date=dt.date(2025, 6, 1)
    )
    assert old["verdict"] == "contradicted"  # seven months before the rule: not an announcement
    (buy,) = claims_of(
        "Chinese firms ordered $16 billion of H20 chips in the first quarter of this year.",
        article_date=dt.date(2025, 4, 17),
    )
    assert "2025-03-31" in buy["reasons"][2] and buy["verdict"] == "unverifiable"  # end of Q1


def test_training_sentences_do_not_borrow_another_companys_model() -> None:
    text = (
        "DeepSeek-V3 was trained on H800 chips. "
        "احتاج نموذج لاما من شركة ميتا إلى 30.84 مليون ساعة على شرائح H100."
    )
    claims = analyze(text, today=TODAY, article_date=dt.date(2025, 2, 1))["claims"]
    assert [c["verdict"] for c in claims] == ["unverifiable"]


def test_a_claim_true_weeks_before_the_article_is_outdated_not_false() -> None:
    """The H20 needed no licence until the 2025-04-09 is-informed letter: an article of 2025-04-10
    saying NVIDIA was allowed to sell it describes what had just changed."""
    (c,) = claims_of(
        "أقنعت الشركة الحكومة بالسماح لها ببيع رقائق H20 في الصين.", article_date=dt.date(2025, 4, 10)
    )
    assert c["verdict"] == "outdated" and any("2025-04-08" in r for r in c["reasons"])


def test_review_regressions_gpu_hours_units_models_and_negated_bans() -> None:
    """From a code review: "2.788M GPU hours" is 2.788 million, "H800 GPU hours" has no number,
    "credits" are not chips, another company's "v3 model" is not DeepSeek's, and "no longer bans"
    / "لم تعد … تحظر" claim an allowance."""
    on = dt.date(2025, 6, 1)
    (m,) = claims_of("DeepSeek said its V3 model took 2.788M GPU hours to train.", article_date=on)
    assert m["verdict"] == "supported"
    (h800,) = claims_of("DeepSeek trained V3 using 2.8M H800 GPU hours.", article_date=on)
    assert any("2.8M claimed vs 2.79M published" in r for r in h800["reasons"])
    assert claims_of("The company reported 300 credits and bought H20 accelerators.", article_date=on) == []
    (mistral,) = claims_of("Mistral trained its v3 model on H100 chips for $20 million.", article_date=on)
    assert mistral["verdict"] == "unverifiable"
    for text in ("The US no longer bans H20 sales to China.",
                 "لم تعد الولايات المتحدة تحظر بيع رقائق إتش 20 إلى الصين."):
        (c,) = claims_of(text, article_date=dt.date(2025, 9, 1))
        assert c["stance"] == "allowed", text


def test_export_claims_are_checked_on_the_date_the_sentence_names() -> None:
    """"In April 2025 …" is checked at the end of April 2025, not on the article's date; a month
    without a year ("in May", "أيار/مايو الماضي") takes its year from the article's date."""
    (april,) = claims_of(
        "In April 2025, the US required a licence for H20 exports to China.",
        article_date=dt.date(2026, 3, 1),
    )
    assert "2025-04-30" in april["reasons"][0] and april["verdict"] in ("supported", "outdated")
    (may,) = claims_of(
        "في أيار/مايو الماضي حظرت واشنطن تصدير رقائق H20 إلى الصين.", article_date=dt.date(2025, 6, 10)
    )
    assert "2025-05-31" in may["reasons"][0] and may["stance"] == "banned"
    dates = analyze("In May, prices rose.", today=TODAY, article_date=dt.date(2025, 3, 1))["entities"]["dates"]
    assert dates[0]["value"] == "2024-05"  # the most recent May before a March article
    (yesterday,) = claims_of(
        "Yesterday the US required a licence for H20 exports to China.", article_date=dt.date(2025, 4, 16)
    )
    assert "2025-04-15" in yesterday["reasons"][0]
    (week,) = claims_of(
        "أعلنت واشنطن الأسبوع الماضي حظر تصدير رقائق H20 إلى الصين.", article_date=dt.date(2025, 4, 16)
    )
    assert "2025-04-13" in week["reasons"][0]  # the last day of the week before the article's


def test_training_sentence_without_a_model_takes_the_run_on_its_chip_or_the_last_mention() -> None:
    text = (
        "Meta's Llama 3.1 405B used 30.84 million H100 GPU hours. "
        "DeepSeek said it trained its V3 model for $5.6 million. "
        "The final run took 2.788 million GPU hours."
    )
    claims = analyze(text, today=TODAY, article_date=dt.date(2025, 2, 1))["claims"]
    assert [c["verdict"] for c in claims] == ["supported"] * 3
    assert "2.79M published" in claims[2]["reasons"][-1]  # DeepSeek, mentioned last before it
    (h800,) = claims_of("The run took 2.788 million H800 GPU hours.", article_date=dt.date(2025, 2, 1))
    assert h800["verdict"] == "supported"  # the only published run on H800 is DeepSeek-V3's


_WORDS = [
    "H20", "إتش 20", "B200", "Ascend 910C", "أسيند 910B و910C", "MI308", "GB300", "بي 30 إيه",
    "China", "الصين", "السعودية", "KSA", "G42", "هيوماين", "Huawei", "DeepSeek", "Llama 3.1 405B",
    "allowed", "not allowed", "لم تعد تحظر", "banned", "محظورة", "require a license", "يتطلب ترخيصًا",
    "bought", "طلبت", "trained", "دربت", "$18 billion", "١٦ مليار دولار على الأقل", "18,000 chips",
    "2.788M GPU hours", "30.84 مليون ساعة عمل لشرائح H100", "35 times faster", "أسرع 3 مرات",
    "up to", "in May", "في أيار/مايو الماضي", "April 2025", "الربع الأول من العام الجاري", "tier-two",
    "عمّان", "。", ".", "،", "\n", "(", ")", "%", "-", "/", "0", "1.5", "٫", "x",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=25))
def test_any_mix_of_article_fragments_is_analyzed_without_errors(words: list[str]) -> None:
    """Random sentences built from the phrases the analyzer reacts to never raise, and every claim
    gets a verdict with reasons."""
    r = analyze(" ".join(words), today=TODAY, article_date=dt.date(2025, 6, 1))
    for c in r["claims"]:
        assert c["verdict"] in ("supported", "contradicted", "outdated", "unverifiable")
        assert isinstance(c["reasons"], list)


def test_power_comparisons_are_checked_against_tpp_too() -> None:
    """Reuters (2025-12-08, citing the Institute for Progress; as reported by TrendForce,
    https://www.trendforce.com/news/2025/12/09/news-trump-greenlights-nvidias-h200-export-to-china-chip-reportedly-packs-6x-h20-power-with-25-fee):
    the H200 has "nearly six times the performance of the H20". TPP 15,831 vs 2,368 (6.7x, catalog
    datasheets). Word numbers count as factors in both languages."""
    on = dt.date(2025, 12, 9)
    for text in (
        "The H200 is roughly six times as powerful as the H20.",
        "رقاقة H200 أقوى بست مرات من رقاقة H20.",
    ):
        (c,) = claims_of(text, article_date=on)
        assert c["kind"] == "capability" and c["verdict"] == "supported", text
        assert "15,831" in c["reasons"][2] and "6.7" in c["reasons"][2]
    (c,) = claims_of("The H100 is ten times as powerful as the H20.", article_date=on)
    assert c["verdict"] == "contradicted"  # 6.7x by TPP, ~1.1x at decode, ~3.7x at prefill


def test_each_destination_of_a_sentence_is_checked() -> None:
    """One sentence naming HUMAIN (Saudi Arabia) and G42 (UAE) is checked for both destinations,
    each party screened as the end user in its own country."""
    (c,) = claims_of(
        "Commerce approved the sale of GB300 chips to Saudi Arabia's HUMAIN and the UAE's G42.",
        article_date=dt.date(2025, 11, 20),
    )
    text = " ".join(c["reasons"])
    assert "Saudi Arabia on 2025-11-20" in text and "United Arab Emirates on 2025-11-20" in text
    assert "HUMAIN" in text and "G42" in text
    assert len(c["citations"]) == len({(x["rule"], x["citation"]) for x in c["citations"]})


def test_rule_steps_are_checked_against_the_rule_data() -> None:
    """BIS stopped enforcing the AI Diffusion rule on 2025-05-13 (rules/2025-01-13-ai-diffusion.yaml,
    Baker McKenzie); the Affiliates rule took effect 2025-09-29 and was suspended 2025-11-10 (FR Doc.
    2025-19001; Fenwick). Each step is dated by the date written nearest its verb."""
    on = dt.date(2025, 11, 20)
    (may,) = claims_of("The Trump administration rescinded the AI diffusion rule in May 2025.", article_date=on)
    assert may["kind"] == "rule_event" and may["verdict"] == "supported"
    assert "2025-05-13" in may["reasons"][1] and may["citations"][0]["citation"] == "90 FR 4544"
    assert "ended" in may["reasons"][0]
    (march,) = claims_of("ألغت واشنطن قاعدة انتشار الذكاء الاصطناعي في مارس 2025.", article_date=on)
    assert march["verdict"] == "contradicted" and "2025-05-13" in march["reasons"][1]
    steps = claims_of(
        "The Affiliates rule took effect on September 29, 2025, and was suspended last week.",
        article_date=on,
    )
    assert {(c["step"], c["verdict"]) for c in steps} == {("effective", "supported"), ("ended", "supported")}
    (wrong,) = claims_of("The Affiliates rule took effect in January 2025.", article_date=on)
    assert wrong["verdict"] == "contradicted"
    (early,) = claims_of("The AI diffusion rule was rescinded.", article_date=dt.date(2025, 2, 1))
    assert early["verdict"] == "contradicted"  # more than 90 days before it happened


def test_a_sentence_ends_after_a_year() -> None:
    """"… in May 2025. The Affiliates rule …" is two sentences (a full stop after digits)."""
    claims = claims_of(
        "The AI diffusion rule was rescinded in May 2025. The Affiliates rule took effect on "
        "September 29, 2025.",
        article_date=dt.date(2025, 11, 20),
    )
    assert [c["rule"] for c in claims] == ["2025-01-13-ai-diffusion", "2025-09-29-affiliates"]


def test_comparisons_keep_their_direction() -> None:
    """TPP H20 2,368 vs H200/H100 15,831 (catalog datasheets): the H20 is the weaker chip."""
    on = dt.date(2025, 12, 9)
    verdict = lambda text: claims_of(text, article_date=on)[0]["verdict"]  # noqa: E731
    assert verdict("The H20 is six times as powerful as the H200.") == "contradicted"
    assert verdict("The H20 is more powerful than the H100.") == "contradicted"
    assert verdict("The H20 is less powerful than the H100.") == "supported"
    (c,) = claims_of("Trainium 9 is 2 times faster than the H100.", article_date=on)
    assert c["verdict"] == "unverifiable"  # the subject is not a catalog chip
    assert claims_of("China's data centres lack computing power despite buying the H20.",
                     article_date=on) == []
    # "ليست" holds the number word "ست" (six): not a factor
    (ban,) = claims_of("ليست مرة واحدة تحظر فيها واشنطن رقائق H20 إلى الصين", article_date=on)
    assert ban["kind"] == "export_status"


def test_destinations_belong_to_their_clause() -> None:
    (c,) = claims_of(
        "The US requires a licence for H100 exports to China, unlike exports to Germany.",
        article_date=dt.date(2025, 6, 1),
    )
    assert c["verdict"] == "supported" and not any("Germany" in r for r in c["reasons"])
    gb300, h200 = claims_of(
        "سمحت واشنطن بتصدير جي بي 300 إلى الإمارات والسعودية، لكنها منعت تصدير إتش 200 إلى الصين",
        article_date=dt.date(2025, 11, 20),
    )
    assert not any("الصين" in r for r in gb300["reasons"][:1])
    assert "الصين" in h200["reasons"][0] and h200["stance"] == "banned"


def test_rule_steps_belong_to_their_rule_verb_and_date() -> None:
    """Reviewed cases: each verb goes to the rule named nearest to it; a date inside a rule's
    name, after "until", or a negated verb does not make a step; "announced a suspension" is the
    suspension; a compliance date after the rule stopped being enforced (AI diffusion: 2025-05-15
    vs 2025-05-13) never came."""
    on = dt.date(2025, 11, 20)
    steps = lambda text, d=on: [  # noqa: E731
        (c["rule"][:10], c["step"], c["verdict"]) for c in claims_of(text, article_date=d)
        if c["kind"] == "rule_event"
    ]
    assert steps(
        "The AI diffusion rule was rescinded in May 2025, while the Affiliates rule took effect on "
        "September 29, 2025."
    ) == [("2025-01-13", "ended", "supported"), ("2025-09-29", "effective", "supported")]
    assert steps("The US scrapped the October 2022 rules in November 2023.", dt.date(2024, 1, 10)) == [
        ("2022-10-07", "ended", "supported")  # superseded 2023-11-17, not "October 2022"
    ]
    assert steps("BIS did not rescind the AI diffusion rule in January 2025.") == []
    assert steps("وفي تعليق على قاعدة الشركات التابعة في أكتوبر 2025 قال المسؤول") == []
    assert steps("The AI diffusion rule took effect in May 2025.") == [
        ("2025-01-13", "effective", "contradicted")
    ]
    assert steps("BIS announced a suspension of the Affiliates rule on November 10, 2025.") == [
        ("2025-09-29", "ended", "supported")
    ]
    assert steps("The Section 232 tariff on steel was announced in March 2018.") == []


def test_sales_are_checked_at_the_end_of_the_period_they_name() -> None:
    """H20 sales needed no licence in 2024 (the is-informed letter came 2025-04-09; NVIDIA 8-K of
    2025-04-15), even when an article of 2025-06 reports them."""
    (c,) = claims_of("Nvidia sold $12 billion of H20 chips in China in 2024.", article_date=dt.date(2025, 6, 1))
    assert "2024-12-31" in c["reasons"][2] and c["verdict"] == "unverifiable"


def test_chinas_own_bans_are_checked_against_its_import_measures() -> None:
    """CAC told firms to stop buying the RTX Pro 6000D (2025-09-17, FT via the-decoder.com) and
    Chinese customs blocked the H200 (2026-01-14, Reuters): rules/cn-*.yaml."""
    (cac,) = claims_of(
        "Chinese regulators banned purchases of the RTX Pro 6000D on Wednesday.",
        article_date=dt.date(2025, 9, 20),
    )
    assert cac["verdict"] == "supported" and "stop buying" in cac["reasons"][0]
    (customs,) = claims_of(
        "منع مسؤولو الجمارك الصينيون شحنات رقائق H200 من دخول الصين.", article_date=dt.date(2026, 1, 17)
    )
    assert customs["verdict"] == "supported" and "الصين" in customs["reasons"][0]
    (unknown,) = claims_of("Beijing banned the H100 in 2021.", article_date=dt.date(2025, 6, 1))
    assert unknown["verdict"] == "unverifiable"  # no such measure recorded; the data is partial
    (us,) = claims_of("Washington allowed Nvidia to sell H20 chips to China, but Beijing discouraged "
                      "purchases.", article_date=dt.date(2025, 8, 20))
    assert us["stance"] == "allowed" and "licences granted" in us["reasons"][0]


def test_undated_sales_are_not_called_illegal_and_capitals_are_destinations() -> None:
    (sale,) = claims_of("Chinese companies ordered $16 billion of H20 chips.", article_date=dt.date(2025, 6, 1))
    assert sale["verdict"] == "unverifiable" and "no date" in sale["reasons"][-1]
    (abu_dhabi,) = claims_of("The US allowed B200 exports to Abu Dhabi.", article_date=dt.date(2025, 6, 1))
    assert "United Arab Emirates" in abu_dhabi["reasons"][0]
    codes = [c["code"] for c in analyze(
        "exports to Saudi Arabia, South Korea and the United Arab Emirates; إلى أبو ظبي", today=TODAY
    )["entities"]["countries"]]
    assert codes == ["SA", "KR", "AE", "AE"]  # names of several words, as written in countries.yaml


def test_abbreviations_do_not_end_sentences_and_counts_skip_chip_names() -> None:
    from chipwatch.news.claims import sentences

    text = "The H20 ban, which the U.S. imposed in April, was lifted. On Jan. 15 the Commerce Dept. said so."
    assert [text[a:b].strip() for a, b in sentences(text)] == [
        "The H20 ban, which the U.S. imposed in April, was lifted.",
        "On Jan. 15 the Commerce Dept. said so.",
    ]
    counts = analyze("HUMAIN bought eighteen thousand GB300 chips and twenty-five thousand developers "
                     "joined.", today=TODAY)["entities"]["counts"]
    assert [(c["value"], c["noun"].split()[0]) for c in counts] == [(18000.0, "chips"), (25000.0, "developers")]


def test_states_modals_and_not_only() -> None:
    """Reviewed cases (H20: licence with presumption of denial from 2025-04-09, licences case by
    case from 2025-08-08; H200 case by case from 2026-01-15)."""
    (state,) = claims_of("The US no longer restricts sales of the H20 to China, Nvidia said on Monday.",
                         article_date=dt.date(2025, 7, 16))
    assert state["verdict"] == "contradicted"  # a state must hold on the day, not weeks later
    (both,) = claims_of("The US not only banned the H20 but also the MI308 in China.",
                        article_date=dt.date(2025, 6, 1))
    assert both["stance"] == "banned"  # "not only" negates nothing
    for text in ("The US may allow the H200 to be sold in China in 2026.",
                 "قد تسمح واشنطن ببيع رقائق إتش 200 إلى الصين العام المقبل."):
        (may,) = claims_of(text, article_date=dt.date(2025, 7, 1))
        assert may["future"] and may["verdict"] == "supported", text
    (scope,) = claims_of("SemiAnalysis says DeepSeek spent $1.3 billion training its V3 model.",
                         article_date=dt.date(2025, 2, 5))
    assert scope["verdict"] == "unverifiable" and any("another scope" in r for r in scope["reasons"])


def test_allow_means_an_export_only_near_trade_words_and_quotes_keep_the_language() -> None:
    on = dt.date(2025, 6, 1)
    assert claims_of("Nvidia says the H20 has no backdoor that would allow remote access from China.",
                     article_date=on) == []
    assert all(c["kind"] != "export_status" for c in claims_of(
        "The H20's large memory allows Chinese firms to run DeepSeek faster.", article_date=on))
    (to_china,) = claims_of("On December 8, Trump allowed the H200 to China.", article_date=dt.date(2025, 12, 9))
    assert to_china["stance"] == "allowed"
    quoted = ('قالت إنفيديا في بيان: "The US government has assured Nvidia that licences will be granted, '
              'and we hope to start deliveries soon" وأضافت الشركة أن الطلب قوي')
    assert analyze(quoted, today=TODAY)["language"] == "ar"
