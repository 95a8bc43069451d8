"""HTTP API and server-rendered pages, in-process through httpx's ASGI transport."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from chipwatch import api
from chipwatch.web import create_app

APP = create_app()
ROOT = Path(__file__).resolve().parents[2]


def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def get(url: str, **kwargs: Any) -> httpx.Response:
    return call("GET", url, **kwargs)


def roundtrip(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def assert_no_trace(r: httpx.Response) -> None:
    assert "Traceback" not in r.text and 'File "' not in r.text


# --- every route answers, with the same JSON as the core function ----------------------------


def test_chip_route_returns_the_core_shape() -> None:
    r = get("/api/chips/H20")
    assert r.status_code == 200
    assert r.json() == roundtrip(api.chip("H20").to_dict())


def test_chips_filters_and_sorts() -> None:
    rows = get("/api/chips", params={"vendor": "NVIDIA", "sort": "tpp"}).json()
    assert rows and {r["vendor"] for r in rows} == {"NVIDIA"}
    tpps = [r["metrics"]["tpp"] for r in rows if r["metrics"]["tpp"] is not None]
    assert tpps == sorted(tpps, reverse=True)
    assert get("/api/chips", params={"market": "moon"}).status_code == 422


def test_compare_lists_each_chip() -> None:
    rows = get("/api/compare", params={"names": "H20,H100 SXM"}).json()
    assert [r["name"] for r in rows] == ["H20", "H100 SXM"]


def test_check_matches_the_engine() -> None:
    # April 2025 H20 licence requirement (BIS letter to NVIDIA, 10-K filed 2025-04-15).
    r = get("/api/check", params={"chip": "H20", "to": "CN", "on": "2025-05-01"})
    assert r.status_code == 200
    body = r.json()
    assert body == roundtrip(api.check("H20", to="CN", on=dt.date(2025, 5, 1)).to_dict())
    assert body["license_required"] is True and body["reasons"]
    before = get("/api/check", params={"chip": "H20", "to": "CN", "on": "2024-06-01"}).json()
    assert before["license_required"] is False


def test_check_with_a_spec_and_arabic_country_name() -> None:
    r = get("/api/check", params={"spec": "tpp=4800,pd=6", "to": "الصين", "on": "2024-01-01"})
    assert r.status_code == 200
    assert r.json()["classification"].startswith("3A090.a") and r.json()["destination"]["code"] == "CN"


def test_bulk_check_reports_each_row() -> None:
    csv = "chip,to,on\nH20,CN,2025-05-01\nH100 SXM,FR,2025-05-01\nnosuch,CN,2025-05-01\n"
    r = call("POST", "/api/check/bulk", files={"file": ("in.csv", csv.encode(), "text/csv")})
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert [x["row"] for x in rows] == [2, 3, 4]
    assert rows[0]["result"]["license_required"] is True
    assert rows[1]["result"]["license_required"] is False
    assert "nosuch" in rows[2]["error"]
    spec_csv = "tpp,die_area,to,on\n4800,600,CN,2024-01-01\n1000,600,CN,2024-01-01\n"
    spec_rows = call("POST", "/api/check/bulk", files={"file": ("s.csv", spec_csv.encode(), "text/csv")}).json()["rows"]
    assert spec_rows[0]["result"]["classification"].startswith("3A090.a")  # TPP 4800 >= 4800 (Oct 2023 rule)
    assert spec_rows[1]["result"]["license_required"] is False


def test_timeline_has_the_april_2025_change() -> None:
    periods = get("/api/timeline", params={"chip": "H20", "to": "CN", "end": "2025-12-31"}).json()
    h20_letter = next(p for p in periods if p["license_required"])
    assert h20_letter["from"].startswith("2025-04")  # BIS letter to NVIDIA, April 2025
    assert periods[0]["license_required"] is False


def test_rules_and_one_rule() -> None:
    events = get("/api/rules").json()
    assert len(events) >= 10
    one = get(f"/api/rules/{events[0]['id']}")
    assert one.status_code == 200 and one.json()["id"] == events[0]["id"]
    missing = get("/api/rules/no-such-rule")
    assert missing.status_code == 404 and "no-such-rule" in missing.text


def test_capability_routes() -> None:
    inf = get("/api/infer", params={"model": "DeepSeek-R1", "chip": "H20"})
    assert inf.status_code == 200 and inf.json()["tokens_per_s_per_chip"] > 0
    tr = get("/api/train", params={"model": "DeepSeek-V3", "chip": "H800", "chips": 2048, "tokens": 14.8e12})
    assert tr.status_code == 200 and 1e6 < tr.json()["gpu_hours"] < 1e7
    cap = get("/api/capability", params={"model": "DeepSeek-R1", "chips": "H20,H100 SXM"})
    assert [r["chip"] for r in cap.json()] == ["H20", "H100 SXM"]


def test_fleet_frontier_map() -> None:
    f = get("/api/fleet", params={"chip": "H20", "spend": "$18B"}).json()
    assert f["units"]["low"] <= f["units"]["central"] <= f["units"]["high"]
    fr = get("/api/frontier", params={"to": "CN", "on": "2025-05-01"})
    assert fr.status_code == 200
    m = get("/api/map", params={"on": "2025-05-01", "to": "CN"}).json()
    h20 = next(p for p in m["chips"] if p["chip"] == "H20")
    assert h20["license_required"] is True
    g = m["regions"]
    assert len(g["region"]) == len(g["performance_density"]) and len(g["region"][0]) == len(g["tpp"])
    assert "2025-04-09" in m["change_dates"] or any(d.startswith("2025-04") for d in m["change_dates"])


def test_analyze_plain_text_and_json(data_dir: Any) -> None:
    text = (data_dir / "articles" / "ar-h20-example.txt").read_text(encoding="utf-8")
    r = call("POST", "/api/analyze", content=text.encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 200
    assert "H20" in {c["name"] for c in r.json()["entities"]["chips"]}
    assert r.json()["language"] == "ar"
    j = call("POST", "/api/analyze", json={"text": text, "lang": "en"})
    assert j.status_code == 200 and j.json()["report_language"] == "en"


def test_validate_get_and_post(data_dir: Any) -> None:
    r = get("/api/validate")
    assert r.status_code == 200 and r.json()["summary"]
    bad = call("POST", "/api/validate", content=b"a,b\n1,2\n")
    assert bad.status_code == 422 and "columns" in bad.text


def test_openapi_lists_every_capability() -> None:
    paths = get("/openapi.json").json()["paths"]
    for route in ("chips", "chips/{name}", "compare", "check", "check/bulk", "timeline", "rules", "infer",
                  "train", "capability", "fleet", "frontier", "map", "analyze", "validate"):
        assert f"/api/{route}" in paths, route
    docs = get("/docs")
    assert "/vendor/swagger/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text.lower()
    assert get("/vendor/swagger/swagger-ui-bundle.js").status_code == 200


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "needle"),
    [
        ("/api/chips/nosuch", 404, "nosuch"),
        ("/api/check?chip=nosuch&to=CN", 404, "nosuch"),
        ("/api/check?chip=H20&to=Atlantis", 422, "Atlantis"),
        ("/api/check?chip=H20&to=CN&on=2025-13-01", 422, "on"),
        ("/api/check?chip=H20", 422, "to"),
        ("/api/check?to=CN", 422, "chip"),
        ("/api/check?spec=tpp%3Dabc&to=CN", 422, "abc"),
        ("/api/infer?model=DeepSeek-R1&chip=H20&isl=0", 422, "isl"),
        ("/api/infer?model=NoSuchModel&chip=H20", 422, "NoSuchModel"),
        ("/api/train?model=DeepSeek-V3&chip=H800&chips=-1&tokens=1e12", 422, "chips"),
        ("/api/fleet?chip=H20", 422, "spend"),
        ("/api/fleet?chip=H20&spend=lots", 422, "lots"),
        ("/api/fleet?chip=H20&units=1000&compare=H100", 422, "compare"),
        ("/api/frontier?to=CN&objective=speed", 422, "objective"),
        ("/api/capability?model=DeepSeek-R1&chips=" + ",".join(["H20"] * 13), 422, "chips"),
        ("/api/capability?model=DeepSeek-R1&chips=,", 422, "chips"),
        ("/api/check?to=CN&spec=tpp%3Dnan", 422, "finite"),
        ("/api/fleet?chip=H100%20SXM&spend=%2410B&unit_price=0", 422, "more than 0"),
    ],
)
def test_bad_input_is_a_field_level_error(url: str, status: int, needle: str) -> None:
    r = get(url)
    assert r.status_code == status, r.text
    assert needle in r.text
    assert r.json()["detail"][0]["msg"]
    assert_no_trace(r)


def test_error_names_the_field() -> None:
    assert get("/api/chips/nosuch").json()["detail"][0]["loc"] == ["path", "name"]
    assert get("/api/check?chip=nosuch&to=CN").json()["detail"][0]["loc"] == ["query", "chip"]
    assert get("/api/check?chip=H20&to=Atlantis").json()["detail"][0]["loc"] == ["query", "to"]
    assert get("/api/check?chip=H20&to=CN&on=2025-13-01").json()["detail"][0]["loc"] == ["query", "on"]


def test_both_languages_have_every_string() -> None:
    from chipwatch.web.pages import T

    assert T["en"].keys() == T["ar"].keys()


def test_oversized_article_is_refused() -> None:
    for extra in (10, 200_000):  # caught by the route, and by the middleware before reading the body
        r = call("POST", "/api/analyze", content=b"x" * (2 * 1024 * 1024 + extra), headers={"content-type": "text/plain"})
        assert r.status_code == 413
        assert r.json()["detail"][0]["loc"] == ["body"]


def test_unknown_paths() -> None:
    assert get("/api/nope").json()["detail"][0]["loc"] == ["path"]
    page = get("/nope", params={"lang": "ar"})
    assert page.status_code == 404 and 'dir="rtl"' in page.text


def test_empty_article_and_bad_json() -> None:
    assert call("POST", "/api/analyze", content=b"   ").status_code == 422
    bad = call("POST", "/api/analyze", content=b"{", headers={"content-type": "application/json"})
    assert bad.status_code == 422 and "JSON" in bad.text
    assert call("POST", "/api/analyze", json={"text": "H20", "date": "yesterday"}).status_code == 422


def test_internal_errors_show_no_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(api, "chip", boom)
    r = get("/api/chips/H20")
    assert r.status_code == 500
    assert "secret" not in r.text
    assert_no_trace(r)


def test_no_file_access_from_user_input() -> None:
    for url in ("/vendor/swagger/..%2F..%2F..%2Fetc%2Fpasswd", "/static/..%2F..%2Fapi.py", "/vendor/swagger/__init__.py"):
        r = get(url)
        assert r.status_code == 404, url
        assert "root:" not in r.text and "import" not in r.text


# --- pages ----------------------------------------------------------------------------------

PAGES = ["/", "/chips", "/chips/H20", "/compare?names=H20,H100", "/map", "/capability", "/analyze"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pages_render_with_strict_csp(path: str, lang: str) -> None:
    r = get(path, params={"lang": lang})
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert f'lang="{lang}"' in r.text
    assert ('dir="rtl"' in r.text) == (lang == "ar")
    assert "<script>" not in r.text  # no inline script: data islands are type=application/json
    assert "googleapis" not in r.text and "cdn" not in r.text.lower()


def test_home_glance_matches_the_engine() -> None:
    page = get("/").text
    today = dt.date.today()
    for name in ("H20", "B200"):
        d = api.check(name, to="CN", on=today)
        cell = f'href="/chips/{d.item.id}?to=CN#determination">'
        assert cell in page
        shown = page.split(cell, 1)[1].split("</a>", 1)[0]
        assert shown.startswith("licence required" if d.license_required else "no licence required")
    ar = get("/", params={"lang": "ar"}).text
    assert "الإمارات العربية المتحدة" in ar and "هل يلزم ترخيص اليوم؟" in ar


def test_arabic_digits_when_chosen() -> None:
    r = get("/chips/H20", params={"lang": "ar", "digits": "arabic"})
    tpp = f"{api.chip('H20').metrics.tpp:,.0f}".translate(str.maketrans("0123456789,", "٠١٢٣٤٥٦٧٨٩٬"))
    assert tpp in r.text


def test_question_box_routes_to_the_answer() -> None:
    r = get("/ask", params={"q": "H20 to China on 2025-05-01?"}, follow_redirects=False)
    assert r.status_code == 303 and "/chips/nvidia-h20" in r.headers["location"] and "2025-05-01" in r.headers["location"]
    page = get(r.headers["location"])
    assert "denial" in page.text
    cmp = get("/ask", params={"q": "compare H20 H100"}, follow_redirects=False)
    assert cmp.headers["location"].startswith("/compare?names=H20")


def test_partials() -> None:
    det = get("/partials/check", params={"chip": "H20", "to": "CN", "on": "2025-05-01"})
    assert det.status_code == 200 and "<html" not in det.text and "denial" in det.text
    tr = get("/partials/train", params={"model": "DeepSeek-V3", "chip": "H800", "chips": 2048, "tokens": "14.8e12"})
    assert tr.status_code == 200 and "GPU-hours" in tr.text
    fl = get("/partials/fleet", params={"chip": "H20", "spend": "$18B"})
    assert fl.status_code == 200 and "H100" in fl.text
    table = get("/chips", params={"vendor": "AMD"}, headers={"HX-Request": "true"})
    assert "<html" not in table.text and "MI" in table.text and "H100" not in table.text


def test_chip_page_has_the_timeline_as_a_table() -> None:
    page = get("/chips/H20", params={"to": "CN"}).text
    table = page.split('id="timeline-table"', 1)[1].split("</details>", 1)[0]
    periods = api.timeline("H20", to="CN", end=dt.date.today())
    assert table.count("<tr>") == len(periods) + 1  # header + one row per period
    assert "2025-04-09-isinformed-h20" in table


def test_reasons_and_conditions_follow_the_page_language() -> None:
    """Arabic chip pages show the engine's Arabic reasons, conditions and import measures."""
    params = {"to": "CN", "on": "2026-02-01"}
    d = api.check("H200", to="CN", on=dt.date(2026, 2, 1))
    ar = get("/chips/H200", params={**params, "lang": "ar"}).text
    en = get("/chips/H200", params=params).text
    policy = next(r for r in d.reasons if "review policy" in r.text)
    assert html.escape(policy.text_ar) in ar and html.escape(policy.text) not in ar
    assert html.escape(policy.text) in en and html.escape(policy.text_ar) not in en
    assert html.escape(d.conditions[0]["text_ar"]) in ar
    assert html.escape(d.import_restrictions[0]["text_ar"]) in ar
    assert get("/api/check", params={"chip": "H200", **params}).json()["reasons"][0]["text_ar"]


def test_chip_page_takes_the_owner_for_the_affiliates_rule() -> None:
    params = {"to": "SA", "on": "2025-10-15", "end_user": "Acme Cloud", "owned_by": "Huawei"}
    page = get("/chips/H100 SXM", params=params).text
    assert 'name="owned_by" value="Huawei"' in page and "2025-09-29-affiliates" in page
    fragment = get("/partials/check", params={"chip": "nvidia-h100-sxm", **params}).text
    assert "presumption of denial" in fragment


def test_page_errors_are_html_and_htmx_gets_a_fragment() -> None:
    url = "/partials/train?model=DeepSeek-V3&chip=H800&chips=abc&tokens=1e12"
    page = get(url)
    assert page.status_code == 422 and "text/html" in page.headers["content-type"] and "<html" in page.text
    assert "chips" in page.text
    fragment = get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "<html" not in fragment.text and 'role="alert"' in fragment.text


def test_unknown_chip_page_is_a_friendly_404() -> None:
    r = get("/chips/nosuch", params={"lang": "ar"})
    assert r.status_code == 404 and 'dir="rtl"' in r.text and "nosuch" in r.text
    assert_no_trace(r)


def test_article_with_script_renders_as_text() -> None:
    evil = "Nvidia sold H20 chips to China <script>alert('x')</script> worth $1 billion."
    r = call("POST", "/analyze", data={"text": evil})
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;alert" in r.text
    assert '<mark class="chips"' in r.text


def test_uploaded_article_is_analyzed(data_dir: Any) -> None:
    raw = (data_dir / "articles" / "ar-h20-example.txt").read_bytes()
    r = call("POST", "/analyze?lang=ar", files={"file": ("a.txt", raw, "text/plain")}, data={"text": ""})
    assert r.status_code == 200 and '<mark class="chips"' in r.text and 'dir="rtl"' in r.text


@pytest.mark.parametrize(
    ("argv", "url"),
    [
        (["check", "H20", "--to", "CN", "--on", "2025-05-01"], "/api/check?chip=H20&to=CN&on=2025-05-01"),
        (["show", "H20"], "/api/chips/H20"),
        (["timeline", "H20", "--to", "CN", "--until", "2026-06-30"], "/api/timeline?chip=H20&to=CN&end=2026-06-30"),
        (["infer", "DeepSeek-R1", "--chip", "H20"], "/api/infer?model=DeepSeek-R1&chip=H20"),
        (["chips", "--vendor", "AMD"], "/api/chips?vendor=AMD"),
        (["compare", "H20", "H100"], "/api/compare?names=H20,H100"),
        (["rules", "show", "2023-10-17-acs"], "/api/rules/2023-10-17-acs"),
        (["train", "DeepSeek-V3", "--chip", "H800", "--chips", "2048", "--tokens", "14.8e12"],
         "/api/train?model=DeepSeek-V3&chip=H800&chips=2048&tokens=14.8e12"),
        (["capability", "DeepSeek-R1", "--chips", "H20,H100 SXM"], "/api/capability?model=DeepSeek-R1&chips=H20,H100 SXM"),
        (["fleet", "H20", "--spend", "$18B"], "/api/fleet?chip=H20&spend=$18B"),
        (["frontier", "--to", "CN", "--on", "2025-05-01"], "/api/frontier?to=CN&on=2025-05-01"),
        (["analyze", "tests/data/articles/ar-h20-example.txt"], "POST /api/analyze tests/data/articles/ar-h20-example.txt"),
    ],
)
def test_api_returns_what_the_cli_prints(argv: list[str], url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from chipwatch.cli import main

    assert main([*argv, "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    if url.startswith("POST "):
        _, route, path = url.split()
        http = call("POST", route, content=(ROOT / path).read_bytes()).json()
    else:
        http = get(url).json()
    assert http == cli


def test_map_and_validate_extend_the_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    """The map adds the region grid, colours and change dates for the slider; validate's timing differs per run."""
    from chipwatch.cli import main

    assert main(["map", "--on", "2025-05-01", "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    http = get("/api/map?on=2025-05-01").json()
    assert {k: v for k, v in http.items() if k not in ("regions", "change_dates", "status_colors")} == cli
    assert main(["validate", "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    http = get("/api/validate").json()
    assert {**http, "seconds_per_prediction": None} == {**cli, "seconds_per_prediction": None}


def test_links_never_leave_the_site() -> None:
    page = get("http://testserver//evil.example/x")  # a path starting with "//"
    assert page.status_code == 404
    assert 'href="//' not in page.text and 'href="/evil.example/x?lang=ar"' in page.text


def test_bulk_rows_with_extra_cells_and_too_many_rows() -> None:
    extra = call("POST", "/api/check/bulk", files={"file": ("x.csv", b"to,tpp\nCN,5000,extra\nCN,5000\n", "text/csv")})
    assert extra.status_code == 200
    rows = extra.json()["rows"]
    assert "more cells" in rows[0]["error"] and rows[1]["result"]["license_required"] is True
    big = "chip,to\n" + "H20,CN\n" * 5001
    r = call("POST", "/api/check/bulk", files={"file": ("big.csv", big.encode(), "text/csv")})
    assert r.status_code == 422 and "5000" in r.text


def test_more_bad_input_found_in_review() -> None:
    assert call("POST", "/api/analyze", json={"text": "Nvidia H20 to China", "date": 20250101}).status_code == 422
    huge = get("/partials/train", params={"model": "DeepSeek-V3", "chip": "H800", "chips": "9" * 400, "tokens": "1e12"})
    assert huge.status_code == 422
    nan = get("/partials/train", params={"model": "DeepSeek-V3", "chip": "H800", "chips": 8, "tokens": "nan"})
    assert nan.status_code == 422
    assert call("POST", "/analyze?lang=fr", data={"text": "Nvidia sold H20 chips to China."}).status_code == 200
    assert get("/apis").headers["content-type"].startswith("text/html")


def test_question_box_reads_arabic_digits() -> None:
    r = get("/ask", params={"q": "H20 إلى الصين في ٢٠٢٥-٠٥-٠١"}, follow_redirects=True)
    assert r.status_code == 200 and "2025-05-01" in r.text


def test_chunked_upload_is_stopped_at_the_limit() -> None:
    sent = 0

    async def body() -> Any:
        nonlocal sent
        yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nchip,to\n'
        for _ in range(64):  # 4 MB in 64 KB chunks, no Content-Length
            sent += 65536
            yield b"H20,CN\n" * 9362 + b"\n\n"

    r = call("POST", "/api/check/bulk", content=body(), headers={"content-type": "multipart/form-data; boundary=B"})
    assert r.status_code == 413
    assert sent < 4 * 1024 * 1024  # the server stopped reading early


def test_article_page_shows_rule_claims_and_highlights_rules() -> None:
    text = "ألغت واشنطن قاعدة انتشار الذكاء الاصطناعي في مايو 2025."
    r = call("POST", "/analyze", data={"text": text, "date": "2025-11-20"})
    assert r.status_code == 200
    page = html.unescape(r.text)
    assert "تواريخ القواعد" in page  # the claim kind, in the article's language
    assert '<mark class="rules"' in page and "2025-05-13" in page
