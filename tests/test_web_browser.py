"""The public ledger in a real browser: Debian's Chromium, headless, driven by selenium through
Debian's chromium-driver (.ci/run installs both), loading the page the real aiohttp app serves
from a real store. Checks what a reader sees at phone and desktop widths in both languages, that
the chart loads, that nothing errs in the console and nothing is fetched from another host, and
measures page weight and time to first render. Screenshots and figures go to
test-artifacts/web/ (ignored by git; RELEASEWATCH_ARTIFACTS moves it).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.store import Store
from bot.web.server import WebServer
from bot.web.settings import WebConfig
from tests.web_ledger import Seeded, backfill, seed_public

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("RELEASEWATCH_ARTIFACTS", ROOT / "test-artifacts")) / "web"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")  # containers give /dev/shm 64 MB: Chromium crashes on big pages
PHONE = (390, 844)
DESKTOP = (1280, 900)

# on a workstation without the browser these tests skip; CI (.ci/run) installs it and requires them
pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists())
                                and not os.environ.get("RELEASEWATCH_REQUIRE_BROWSER"),
                                reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")


class ThreadedSite:
    """The web app on its own event loop in a thread: selenium's calls block, the server must not."""

    def __init__(self, store: Store) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="web", daemon=True)
        self.server = WebServer(store, WebConfig(enabled=True, port=0))

    def start(self) -> str:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(30)
        return self.server.url

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    store = Store(tmp_path_factory.mktemp("web") / "rw.db")
    seeded = seed_public(store)
    threaded = ThreadedSite(store)
    url = threaded.start()
    yield url, seeded
    threaded.stop()
    store.close()


@pytest.fixture(scope="module")
def campaign_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Seven weeks of reporting backfilled with `replay --db`: rounds, a dispute, running counts."""
    path = tmp_path_factory.mktemp("campaign") / "campaign.db"
    backfill(path)
    store = Store(path)
    threaded = ThreadedSite(store)
    url = threaded.start()
    yield url
    threaded.stop()
    store.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as ChromeService

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must never fetch a browser or driver
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}", "--accept-lang=en-GB,en"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-GB,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    started = time.perf_counter()
    driver = webdriver.Chrome(options=options, service=ChromeService(executable_path=str(CHROMEDRIVER),
                                                                     log_output=str(ARTIFACTS / "chromedriver.log")))
    driver.set_page_load_timeout(60)
    _record("browser_start_s", round(time.perf_counter() - started, 2))
    yield driver
    driver.quit()


def _record(key: str, value: Any) -> None:
    """Measured figures, kept with the screenshots (test-artifacts/web/metrics.json)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "metrics.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _viewport(driver: Any, size: tuple[int, int]) -> None:
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def _screenshot(driver: Any, name: str) -> Path:
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path = ARTIFACTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _chart_loaded(driver: Any) -> int:
    from selenium.webdriver.support.ui import WebDriverWait

    return int(WebDriverWait(driver, 60).until(lambda d: d.execute_script(
        "const i = document.querySelector('img'); return i && i.complete && i.naturalWidth")))


def _text(driver: Any, css: str) -> str:
    from selenium.webdriver.common.by import By

    return " ".join(driver.find_element(By.CSS_SELECTOR, css).text.split())


def _console_errors(driver: Any) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


BROWSER_OWN = ("chrome:", "chrome-extension:", "chrome-untrusted:", "devtools:")


def _requested_hosts(driver: Any) -> set[str]:
    """Every URL the page asked for (the DevTools log also sees requests a CSP would block).
    The browser's own chrome:// pages (newer Chromium logs its favicon service) never leave it."""
    hosts = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url.startswith(BROWSER_OWN):
                continue
            hosts.add("data:" if url.startswith("data:") else urlparse(url).netloc)
    return hosts


def _resource_names(driver: Any) -> list[str]:
    return driver.execute_script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".map(e => e.name)")


def _assert_stays_on_loopback(driver: Any, url: str) -> None:
    origin = urlparse(url).netloc
    assert origin.startswith("127.0.0.1:")
    assert all(name.startswith(url) for name in _resource_names(driver)), _resource_names(driver)
    assert _requested_hosts(driver) <= {origin, "data:"}
    assert driver.execute_script("return document.scripts.length") == 0


@pytest.mark.parametrize("name, size", [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_reader_sees_each_event_with_its_figures_and_sources_in_both_languages(browser, site, name, size):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, seeded = site
    _viewport(browser, size)
    browser.get_log("browser"), browser.get_log("performance")  # start from an empty log
    browser.get(url)  # no ?lang=: the browser's Accept-Language (English) chooses
    assert browser.execute_script("return document.documentElement.lang") == "en"
    e1, e2 = _text(browser, f"#e{seeded.e1}"), _text(browser, f"#e{seeded.e2}")
    for expected in ("Tocorón, Las Crisálidas", "Announced: 99 — Government, via Noticias Caracas (Dec 25, 2025)",
                     "Confirmed: 71 — Diario del Sur (Dec 26, 2025)", "Confirmed: 61 — Foro Penal, via Andes Post",
                     "Not yet confirmed: 28", "Reported by: Andes Post, Diario del Sur, Noticias Caracas"):
        assert expected in e1
    for expected in ("Rodeo I", "Announced: 87 — Government, via Southern Wire", "Confirmed: 33 — JEyP, via Southern Wire",
                     "Not yet confirmed: 54"):
        assert expected in e2
    assert "866 — Foro Penal (Jan 5, 2026)" in _text(browser, "main ul.counts")
    assert _chart_loaded(browser) == 1000
    # readable on a phone: nothing wider than the screen, the chart scaled to fit
    width = browser.execute_script("return window.innerWidth")
    assert width == size[0]
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    assert browser.execute_script("return document.querySelector('img').getBoundingClientRect().width") <= width
    _screenshot(browser, f"ledger-en-{name}")
    # the visible switch
    browser.find_element(By.LINK_TEXT, "Español").click()
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.documentElement.lang") == "es")
    e1 = _text(browser, f"#e{seeded.e1}")
    for expected in ("Anunciadas: 99 — Gobierno, según Noticias Caracas (25 dic 2025)", "Confirmadas: 71 — Diario del Sur",
                     "Confirmadas: 61 — Foro Penal, según Andes Post", "Aún sin confirmar: 28"):
        assert expected in e1
    assert "Confirmadas: 33 — JEyP, según Southern Wire" in _text(browser, f"#e{seeded.e2}")
    assert "866 — Foro Penal (5 ene 2026)" in _text(browser, "main ul.counts")
    assert _chart_loaded(browser) == 1000
    _screenshot(browser, f"ledger-es-{name}")
    _assert_stays_on_loopback(browser, url)
    assert _console_errors(browser) == []


def test_event_page_shows_history_and_outlets_and_shows_feed_markup_as_text(browser, site):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    url, seeded = site
    _viewport(browser, PHONE)
    browser.get_log("browser"), browser.get_log("performance")
    browser.get(url + "?lang=en")
    browser.find_element(By.CSS_SELECTOR, f"#e{seeded.e1} p.mute a").click()  # "Details and history"
    assert browser.current_url.startswith(url + f"event/{seeded.e1}?lang=en")
    history = browser.find_elements(By.CSS_SELECTOR, "#history li")
    assert [li.get_attribute("id") for li in history] == ["r3", "r2", "r1"]
    assert "Update 2 · Dec 26, 2025" in history[0].text and "71 of 99 announced releases now confirmed" in history[0].text
    outlets = [" ".join(li.text.split()) for li in browser.find_elements(By.CSS_SELECTOR, "#reports li")]
    assert any(o.startswith("Andes Post, Dec 26, 2025: Foro Penal confirms 61") for o in outlets)
    _screenshot(browser, "event-en-phone")
    browser.get(url + f"event/{seeded.e2}?lang=en")
    body = " ".join(browser.find_element(By.TAG_NAME, "body").text.split())
    assert 'Government authorizes 87 more <script>alert("x")</script> & JEyP says 33 "carried out"' in body
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - the title's script never ran
    _assert_stays_on_loopback(browser, url)
    assert _console_errors(browser) == []


def test_page_weight_and_time_to_first_render_on_the_loopback(browser, site):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = site
    _viewport(browser, PHONE)
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    figures = []
    for _ in range(3):  # the first load also warms the app (the chart is drawn once, then cached)
        browser.get(url + "?lang=es")
        _chart_loaded(browser)
        try:  # the paint entry is queued after the frame is presented, a moment after load
            WebDriverWait(browser, 10).until(
                lambda d: d.execute_script("return performance.getEntriesByName('first-contentful-paint').length"))
        except TimeoutException:
            pass  # recorded as null; the other loads still measure it
        figures.append(browser.execute_script("""
            const nav = performance.getEntriesByType('navigation')[0];
            const fcp = performance.getEntriesByName('first-contentful-paint')[0];
            const chart = performance.getEntriesByType('resource').find(e => e.name.includes('chart.png')) || {};
            return {html_bytes: nav.encodedBodySize, html_transfer: nav.transferSize,
                    chart_bytes: chart.encodedBodySize, chart_transfer: chart.transferSize,
                    response_start_ms: nav.responseStart, dom_content_loaded_ms: nav.domContentLoadedEventEnd,
                    first_contentful_paint_ms: fcp ? fcp.startTime : null, load_ms: nav.loadEventEnd};"""))
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    warm = next((f for f in reversed(figures) if f["first_contentful_paint_ms"] is not None), figures[-1])
    _record("page_weight", {"cold": figures[0], "warm": warm,
                            "total_bytes": warm["html_bytes"] + warm["chart_bytes"]})
    # a poor connection's budget: the page is a few kB, the chart well under 100 kB. Times are
    # recorded, not judged: on a shared 2-core runner they say more about the neighbours
    assert 0 < warm["html_bytes"] < 20_000, figures
    assert 0 < (warm["chart_bytes"] or 0) < 100_000, figures
    assert warm["first_contentful_paint_ms"] is not None, figures


def _visible(driver: Any, css: str) -> Any:
    """The element, scrolled to and checked to be drawn: on screen, not clipped, not hidden."""
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    assert element.is_displayed(), css
    box = driver.execute_script("const r = arguments[0].getBoundingClientRect(); "
                                "return [r.left, r.top, r.width, r.height, window.innerWidth, window.innerHeight]", element)
    left, top, width, height, inner_w, inner_h = box
    assert width > 0 and height > 0 and left >= 0 and left + width <= inner_w + 1 and 0 <= top < inner_h, (css, box)
    return element


def _switch(driver: Any, name: str, lang: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.LINK_TEXT, name).click()
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.documentElement.lang") == lang)


@pytest.mark.parametrize("name, size", [("phone", PHONE), ("desktop", DESKTOP)])
def test_disputes_and_running_counts_are_visible_in_both_languages(browser, campaign_site, name, size):
    url = campaign_site
    _viewport(browser, size)
    browser.get_log("browser"), browser.get_log("performance")
    browser.get(url + "?lang=es")
    running = " ".join(_visible(browser, "ul.running li").text.split())
    assert running.startswith("Conteo acumulado de Foro Penal: 444 excarcelaciones verificadas desde el 8 de enero de 2026")
    assert "Evolución: 41 (12 ene 2026) · 72 (14 ene 2026)" in running
    _screenshot(browser, f"running-es-{name}")
    assert " ".join(_visible(browser, "#e2 p.dispute").text.split()) == "Según NTN24, la cifra oficial está cuestionada"
    card = _text(browser, "#e2")
    assert "Anunciadas: 116 — Ministerio de Servicio Penitenciario" in card and "Confirmadas: 4 — Estados Unidos" in card
    _screenshot(browser, f"dispute-es-{name}")
    _switch(browser, "English", "en")
    running = " ".join(_visible(browser, "ul.running li").text.split())
    assert running.startswith("Foro Penal's running count: 444 releases verified since January 8, 2026")
    assert "Government: 895 releases in all (official figure)" in _text(browser, "ul.running")
    _screenshot(browser, f"running-en-{name}")
    assert " ".join(_visible(browser, "#e2 p.dispute").text.split()) == "According to NTN24, the official figure is disputed"
    assert "Confirmed: 4 — United States, via AFP" in _text(browser, "#e2")
    _screenshot(browser, f"dispute-en-{name}")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= size[0]
    _assert_stays_on_loopback(browser, url)
    assert _console_errors(browser) == []


@pytest.mark.parametrize("lang, heading, history", [
    ("en", "Releases of January 12, 2026 — Las Crisálidas, Rodeo I", "Update 3 · Jan 13, 2026"),
    ("es", "Excarcelaciones del 12 de enero de 2026 — Las Crisálidas, Rodeo I", "Actualización 3 · 13 ene 2026")])
def test_an_event_page_has_a_visible_heading(browser, campaign_site, lang, heading, history):
    from selenium.webdriver.common.by import By

    url = campaign_site
    _viewport(browser, PHONE)
    browser.get(url + f"?lang={lang}")
    browser.find_element(By.CSS_SELECTOR, "#e2 h3 a").click()  # the round's heading leads to its page
    assert browser.current_url.startswith(url + f"event/2?lang={lang}")
    h1 = _visible(browser, "main h1")
    assert " ".join(h1.text.split()) == heading and browser.title == heading
    body = float(browser.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)"))
    assert float(h1.value_of_css_property("font-size").removesuffix("px")) > body * 1.2
    assert browser.execute_script("return arguments[0].getBoundingClientRect().top", h1) < PHONE[1] / 3
    assert history in _text(browser, "#history li:first-child")
    quotes = browser.find_elements(By.CSS_SELECTOR, "ul.figures q.quote")
    assert len(quotes) == 3 and all(q.is_displayed() for q in quotes)
    _screenshot(browser, f"event-heading-{lang}-phone")
    _assert_stays_on_loopback(browser, url)
    assert _console_errors(browser) == []


def test_a_prison_page_from_a_round_place_in_both_languages(browser, campaign_site):
    from selenium.webdriver.common.by import By

    url = campaign_site
    _viewport(browser, DESKTOP)
    browser.get(url + "?lang=es")
    browser.find_element(By.CSS_SELECTOR, "#e2 p.where").find_element(By.LINK_TEXT, "Rodeo I").click()
    assert browser.current_url.startswith(url + "prison/rodeo-i?lang=es")
    assert _visible(browser, "main h1").text == "Rodeo I"
    rows = browser.find_elements(By.CSS_SELECTOR, "#prison-figures tbody tr")
    assert len(rows) == 5  # round 6: 379 announced, 58 confirmed; round 2: 116, 24 and 4
    assert [a.get_attribute("id") for a in browser.find_elements(By.CSS_SELECTOR, "main article")] == ["e6", "e2"]
    assert "Anunciadas 379 Asamblea Nacional (Jorge Arreaza)" in " ".join(rows[0].text.split())
    _screenshot(browser, "prison-es-desktop")
    _switch(browser, "English", "en")
    assert browser.current_url.startswith(url + "prison/rodeo-i?lang=en") and _visible(browser, "main h1").text == "Rodeo I"
    assert "Announced 379 National Assembly (Jorge Arreaza)" in _text(browser, "#prison-figures tbody tr")
    _screenshot(browser, "prison-en-desktop")
    _viewport(browser, PHONE)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]
    _screenshot(browser, "prison-en-phone")
    _assert_stays_on_loopback(browser, url)
    assert _console_errors(browser) == []


@pytest.mark.parametrize("lang, label", [("es", "Rondas de excarcelaciones"), ("en", "Running counts")])
def test_a_csv_download_from_the_page(browser, campaign_site, tmp_path, lang, label):
    import httpx
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url = campaign_site
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    _viewport(browser, DESKTOP)
    browser.get(url + f"?lang={lang}#data")
    item = next(li for li in browser.find_elements(By.CSS_SELECTOR, "ul.data li") if li.text.startswith(label))
    item.find_element(By.LINK_TEXT, "CSV").click()
    name = "releasewatch-rounds.csv" if lang == "es" else "releasewatch-running-counts.csv"
    WebDriverWait(browser, 30).until(lambda _d: (tmp_path / name).exists() and not list(tmp_path.glob("*.crdownload")))
    rows = list(csv.DictReader(io.StringIO((tmp_path / name).read_text(encoding="utf-8"))))
    api = httpx.get(url + ("api/rounds.json" if lang == "es" else "api/running.json"), timeout=30).json()
    if lang == "es":
        assert [int(r["round"]) for r in rows] == [r["round"] for r in api["rounds"]] == [6, 5, 4, 3, 2, 1]
        assert next(r for r in rows if r["round"] == "2")["verifiers"] == "Foro Penal: 24; United States: 4"
    else:
        assert len(rows) == len(api["running_counts"]) and rows[-1]["value"] == "444" and rows[-1]["by"] == "Foro Penal"
    assert browser.current_url.startswith(url)  # a download, the page stays
    _screenshot(browser, f"data-{lang}-desktop")
