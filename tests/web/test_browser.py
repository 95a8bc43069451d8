"""The web UI in Debian's headless Chromium (Playwright), against a real uvicorn server.

Every page must load without console errors and without requesting anything outside
localhost; screenshots of each page in English and Arabic go to test-artifacts/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from chipwatch.web import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PAGES = {"home": "/", "catalog": "/chips", "chip": "/chips/H20?on=2025-05-01", "compare": "/compare?names=H20,H100,MI308X",
         "map": "/map?on=2025-05-01", "capability": "/capability", "analyze": "/analyze"}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watch:
    """Console errors, page errors and requests that left localhost."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []

    def check(self) -> None:
        assert not self.outside, f"requests outside localhost: {self.outside}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture
def page(browser: Browser, request: Any) -> Iterator[tuple[Page, Watch]]:
    width = getattr(request, "param", 1280)
    context = browser.new_context(viewport={"width": width, "height": 900})
    pg = context.new_page()
    watch = Watch()

    def guard(route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            watch.outside.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    pg.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.errors.append(str(e)))
    yield pg, watch
    context.close()


def shot(pg: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_cleanly(server: str, page: tuple[Page, Watch], name: str, lang: str) -> None:
    pg, watch = page
    sep = "&" if "?" in PAGES[name] else "?"
    response = pg.goto(server + PAGES[name] + sep + f"lang={lang}", wait_until="networkidle")
    assert response is not None and response.status == 200
    assert pg.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    if pg.locator(".chart").count():
        expect(pg.locator(".chart .main-svg").first).to_be_visible(timeout=15_000)
    shot(pg, f"{name}-{lang}")
    watch.check()


def test_chip_timeline_chart_renders(server: str, page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto(server + "/chips/H20", wait_until="networkidle")
    expect(pg.locator("#timeline-chart .main-svg").first).to_be_visible(timeout=15_000)
    assert pg.locator("#timeline-chart .bars path, #timeline-chart .point path").count() >= 2
    watch.check()


def test_language_switch_gives_rtl_arabic(server: str, page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto(server + "/chips/H20", wait_until="networkidle")
    pg.click("#lang-switch")
    pg.wait_for_url("**lang=ar**")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("html").get_attribute("dir") == "rtl"
    assert pg.locator("html").get_attribute("lang") == "ar"
    assert "قرار التصدير" in pg.inner_text("main")
    font = pg.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Naskh Arabic" in font
    assert pg.evaluate("document.fonts.check('16px \"Noto Naskh Arabic\"', 'الصين')")
    watch.check()


def test_analyzer_highlights_entities_in_arabic_article(server: str, page: tuple[Page, Watch], data_dir: Path) -> None:
    pg, watch = page
    text = (data_dir / "articles" / "ar-h20-example.txt").read_text(encoding="utf-8")
    pg.goto(server + "/analyze?lang=ar", wait_until="networkidle")
    pg.fill("#article", text)
    with pg.expect_navigation():
        pg.click("#analyze-btn")
    chips = pg.locator(".article mark.chips")
    expect(chips.first).to_be_visible()
    assert "H20" in chips.all_inner_texts()
    assert pg.locator(".article mark.money").count() >= 1
    assert pg.locator("#claims .claim").count() >= 1
    shot(pg, "analyze-result-ar")
    watch.check()


def _status_on(pg: Page, index: int, chip: str) -> str:
    dates = pg.evaluate("JSON.parse(document.getElementById('map-dates').textContent)")
    pg.eval_on_selector("#date-slider", "(el, i) => { el.value = String(i); el.dispatchEvent(new Event('input')); }", index)
    pg.wait_for_function("d => document.getElementById('map-chart').dataset.on === d", arg=dates[index])
    return pg.locator(f"#map-status tr[data-chip='{chip}']").get_attribute("data-status") or ""


def test_date_slider_moves_h20_into_control(server: str, page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto(server + "/map", wait_until="networkidle")
    dates: list[str] = pg.evaluate("JSON.parse(document.getElementById('map-dates').textContent)")
    before = max(i for i, d in enumerate(dates) if d < "2025-04-01")
    after = min(i for i, d in enumerate(dates) if d >= "2025-04-15")
    assert _status_on(pg, before, "H20") == "licence-free"
    assert _status_on(pg, after, "H20").startswith("licence:")
    assert pg.inner_text("#date-label") == dates[after]
    watch.check()


def test_map_speaks_arabic(server: str, page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto(server + "/map?lang=ar&on=2025-05-01", wait_until="networkidle")
    expect(pg.locator("#map-status tr[data-chip='H20']")).to_be_visible()
    assert pg.locator("#map-status tr[data-chip='H20'] td").nth(2).inner_text() == "ترخيص: افتراض الرفض"
    assert "كثافة الأداء" in pg.inner_text("#map-chart")
    watch.check()


def test_catalog_filter_and_training_calculator_use_htmx(server: str, page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto(server + "/chips", wait_until="networkidle")
    pg.select_option("select[name=vendor]", "AMD")
    expect(pg.locator("#chips-table tbody tr").first).to_contain_text("MI")
    assert all("AMD" in r for r in pg.locator("#chips-table tbody tr").all_inner_texts())
    assert "vendor=AMD" in pg.url
    pg.goto(server + "/capability", wait_until="networkidle")
    pg.locator("#train-out").scroll_into_view_if_needed()
    pg.click("section:has(#train-out) button")
    expect(pg.locator("#train-out dl")).to_be_visible()
    assert "GPU-hours" in pg.inner_text("#train-out")
    pg.goto(server + "/capability?lang=ar&digits=arabic", wait_until="networkidle")
    pg.click("section:has(#fleet-out) button")
    expect(pg.locator("#fleet-out dl")).to_be_visible()
    fleet = pg.inner_text("#fleet-out")
    assert "الوحدات" in fleet and any(ch in fleet for ch in "٠١٢٣٤٥٦٧٨٩")
    watch.check()


def test_determination_form_shows_field_errors(server: str, page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto(server + "/chips/H20", wait_until="networkidle")
    pg.fill("#determination input[name=to]", "Atlantis")
    pg.click("#determination button")
    expect(pg.locator("#det [role=alert]")).to_contain_text("Atlantis")
    pg.fill("#determination input[name=to]", "AE")
    pg.click("#determination button")
    expect(pg.locator("#det")).to_contain_text("United Arab Emirates")
    watch.errors = [e for e in watch.errors if "422" not in e]  # the browser logs the 422 itself
    watch.check()


def test_keyboard_reaches_skip_link_and_question_box(server: str, page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto(server + "/", wait_until="networkidle")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip"
    pg.focus("#q")
    pg.keyboard.type("H20 to China on 2025-05-01?")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/chips/nvidia-h20**")
    assert "denial" in pg.inner_text("#det")
    watch.check()


@pytest.mark.parametrize("page", [375], indirect=True)
@pytest.mark.parametrize("path", ["/chips?lang=ar", "/chips/H20", "/analyze?lang=ar"])
def test_readable_on_a_phone(server: str, page: tuple[Page, Watch], path: str) -> None:
    pg, watch = page
    pg.goto(server + path, wait_until="networkidle")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 376
    shot(pg, "phone-" + path.strip("/").replace("/", "-").replace("?", "-"))
    watch.check()
