"""The exported verifier site in headless Chromium: the same verdicts as the CLI, from pasted text and a camera.

The site is served by a real static server on 127.0.0.1; the camera is Chromium's fake device playing a video
made from the rendered card. The CLI is asked the same question with the site's own `trust.json`, as a
verifier without the office database would.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.web import scenario as scn

PAGE_FILES = {
    "/",
    "/index.html",
    "/app.js",
    "/app.css",
    "/sw.js",
    "/manifest.webmanifest",
    "/icon.svg",
    "/zxing_reader.wasm",
}
FIRST_LOAD_BUDGET = 1_500_000  # bytes, the budget for the first load


def is_own_request(base: str, url: str) -> bool:
    """Own files, the authority's keys and the offices' status lists on this site; nothing else."""
    own = urlsplit(base)
    if url.startswith(f"blob:{own.scheme}://{own.netloc}/"):
        return True  # the holder's photo shown from memory: an object URL, not a network request
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc) or parts.query:
        return False
    path = parts.path
    segments = path.strip("/").split("/")
    return (
        path in PAGE_FILES
        or path == "/.well-known/jwks.json"
        or (len(segments) == 3 and segments[1:] == [".well-known", "jwks.json"])
        or (len(segments) == 3 and segments[1] == "status" and segments[2].endswith(".cwt"))
    )


def open_page(browser: Any, url: str, **context_options: Any) -> tuple[Any, Any, list[str], list[str]]:
    """A fresh context and page on the site; returns (context, page, every request URL, page errors)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, **context_options)
    requested: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector('body[data-ready="1"]')
    return context, page, requested, errors


def verdict(page: Any, count: int) -> dict[str, str]:
    """Wait for the page's `count`-th verdict and read it."""
    page.wait_for_selector(f'#verdict[data-count="{count}"]', timeout=20_000)
    return {
        "status": page.get_attribute("#verdict", "data-status") or "",
        "ms": page.get_attribute("#verdict", "data-ms") or "",
        "title": page.inner_text("#verdict-title"),
        "holder": page.inner_text("#holder"),
    }


def paste(page: Any, text: str, count: int) -> dict[str, str]:
    page.fill("#text", text)
    page.click("#paste button[type=submit]")
    return verdict(page, count)


@pytest.fixture(scope="module")
def cli_verdicts(scenario: scn.Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    elsewhere = tmp_path_factory.mktemp("no-office")
    return {kind: scn.cli_verdict(scenario, text, elsewhere) for kind, text in scenario.texts.items()}


def test_pasted_text_gives_the_cli_verdict(
    browser: Any,
    site: tuple[str, scn.RequestLog, Path],
    scenario: scn.Scenario,
    cli_verdicts: dict[str, dict[str, Any]],
) -> None:
    url, _log, _folder = site
    context, page, requested, errors = open_page(browser, url)
    seen = {}
    for count, kind in enumerate(scn.KINDS, start=1):
        seen[kind] = paste(page, scenario.texts[kind], count)
        assert seen[kind]["status"] == cli_verdicts[kind]["status"], kind
    # Without status lists (the console makes them from issue 11 on) neither the page nor the CLI can know
    # a revocation from the site's files; with them, both must see it.
    published = bool(scn.status_lists(scenario))
    assert {k: v["status"] for k, v in seen.items()} == {
        "valid": "valid",
        "revoked": "revoked" if published else "valid",
        "suspended": "suspended" if published else "valid",
        "expired": "expired",
        "forged": "bad-signature",
        "foreign": "unknown-issuer",
    }
    # the holder's data in both name forms, as the CLI decodes them
    claims = cli_verdicts["valid"]["claims"]
    assert claims["secondary_full_name"] in seen["valid"]["holder"]
    assert claims["full_name"] in seen["valid"]["holder"]
    assert claims["id_number"] in seen["valid"]["holder"]
    assert seen["forged"]["title"] == "Forged" and seen["foreign"]["title"] == "Unknown issuer"
    garbage = paste(page, "NOT A CARD", len(scn.KINDS) + 1)
    assert garbage["status"] == "malformed" and garbage["title"] == "Unreadable" and garbage["holder"] == ""
    assert errors == []
    assert [u for u in requested if not is_own_request(url, u)] == []
    context.close()


@pytest.mark.parametrize("kind", scn.KINDS)
def test_camera_gives_the_cli_verdict(
    playwright: Any,
    site: tuple[str, scn.RequestLog, Path],
    scenario: scn.Scenario,
    cli_verdicts: dict[str, dict[str, Any]],
    tmp_path: Path,
    kind: str,
) -> None:
    url, log, _folder = site
    video = scn.y4m_of(scenario.fronts[kind], tmp_path / f"{kind}.y4m")
    browser = playwright.chromium.launch(
        executable_path=scn.CHROMIUM,
        args=[
            *scn.CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context, page, requested, errors = open_page(browser, url, permissions=["camera"])
        page.click("#camera")
        seen = verdict(page, 1)
        assert seen["status"] == cli_verdicts[kind]["status"]
        assert page.text_content("#input-source") == "camera"
        # the camera is released once the card is read
        assert page.is_hidden("#viewfinder")
        # A verdict within 100 ms of the frame is the goal (docs/verifier-page.md records the figures); the
        # assertion allows 1 s because 2 cores are shared by several test sessions and headless Chromium.
        assert float(seen["ms"]) < 1000
        assert errors == []
        assert [u for u in requested if not is_own_request(url, u)] == []
        assert all(is_own_request(url, url.rstrip("/") + path) for path in log)
        context.close()
    finally:
        browser.close()


def test_only_own_files_keys_and_status_lists_are_requested(
    browser: Any, site: tuple[str, scn.RequestLog, Path], scenario: scn.Scenario
) -> None:
    """Every request of a first visit and a verification, as the browser and as the server saw them."""
    url, log, _folder = site
    context, page, requested, errors = open_page(browser, url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for count, kind in enumerate(scn.KINDS, start=1):
        paste(page, scenario.texts[kind], count)
    assert requested, "the recorder saw nothing"
    assert [u for u in requested if not is_own_request(url, u)] == []
    assert log and all(is_own_request(url, url.rstrip("/") + path) for path in log), log
    assert "/.well-known/jwks.json" in log and "/zxing_reader.wasm" in log
    # the budget: every byte the server sent for the first visit and six checks (the service worker's
    # precache included: it revalidates what the page already loaded)
    assert log.sent < FIRST_LOAD_BUDGET, log.sent
    assert errors == []
    context.close()


def test_works_offline_once_loaded(
    browser: Any, site: tuple[str, scn.RequestLog, Path], scenario: scn.Scenario
) -> None:
    url, log, _folder = site
    context, page, _requested, errors = open_page(browser, url)
    assert page.evaluate("navigator.serviceWorker.ready.then(r => Boolean(r.active))")
    page.reload()  # now controlled by the service worker, which caches the keys
    page.wait_for_selector('body[data-ready="1"]')
    served = len(log)
    context.set_offline(True)
    page.reload()
    page.wait_for_selector('body[data-ready="1"]')
    assert paste(page, scenario.texts["valid"], 1)["status"] == "valid"
    assert paste(page, scenario.texts["forged"], 2)["status"] == "bad-signature"
    assert "Offline" in page.inner_text("#keys")
    assert len(log) == served, "an offline page reached the server"
    assert errors == [] or all("Failed to fetch" in e or "ERR_INTERNET_DISCONNECTED" in e for e in errors)
    context.close()


def test_chinese_follows_the_browser_and_the_switch(
    browser: Any, site: tuple[str, scn.RequestLog, Path], scenario: scn.Scenario
) -> None:
    url, _log, _folder = site
    context, page, _requested, _errors = open_page(browser, url, locale="zh-CN")
    assert page.inner_text("h1") == "核验身份证件"
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    seen = paste(page, scenario.texts["expired"], 1)
    assert seen["title"] == "已过期" and "出生日期" in seen["holder"]
    page.click("#lang")
    assert page.inner_text("h1") == "Check an ID card"
    assert page.inner_text("#verdict-title") == "Expired"
    page.reload()
    page.wait_for_selector('body[data-ready="1"]')
    assert page.inner_text("h1") == "Check an ID card"  # the choice is remembered
    context.close()


def test_keyboard_and_labels(browser: Any, site: tuple[str, scn.RequestLog, Path], scenario: scn.Scenario) -> None:
    """Every control is reachable with Tab, named, and the verdict takes the focus when it appears."""
    url, _log, _folder = site
    context, page, _requested, _errors = open_page(browser, url)
    names = []
    for _ in range(6):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert names[:5] == ["lang", "camera", "file", "text", "BUTTON"]
    for control in ("#camera", "#file", "#text"):
        assert page.locator(control).evaluate("e => (e.labels && e.labels.length) || e.textContent.trim().length") > 0
    page.focus("#text")
    page.keyboard.insert_text(scenario.texts["valid"])
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert verdict(page, 1)["status"] == "valid"
    assert page.evaluate("document.activeElement.id") == "verdict"
    context.close()


def test_verdict_timing(browser: Any, site: tuple[str, scn.RequestLog, Path], scenario: scn.Scenario) -> None:
    """Decode and check take milliseconds: the page records each verdict's time after its input."""
    url, _log, _folder = site
    context, page, _requested, _errors = open_page(browser, url)
    # the page builds the Ed25519 tables at load with RFC 8032's first test vector, which must verify
    assert page.evaluate("window.verifierWarmUp") is True
    for count in range(1, 11):
        paste(page, scenario.texts["valid"], count)
    timings = page.evaluate("window.verifierTimings")
    assert len(timings) == 10
    # the goal is < 100 ms; the median is robust to a stall from another session on the shared 2 cores
    assert statistics.median(timings) < 100, timings
    context.close()


CONTRAST = """(selector) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    let bg = el;
    while (bg && getComputedStyle(bg).backgroundColor === 'rgba(0, 0, 0, 0)') bg = bg.parentElement;
    const a = lum(rgb(getComputedStyle(el).color));
    const b = lum(rgb(bg ? getComputedStyle(bg).backgroundColor : 'rgb(255,255,255)'));
    out.push((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  return out;
}"""


def test_contrast(browser: Any, site: tuple[str, scn.RequestLog, Path], scenario: scn.Scenario) -> None:
    """WCAG contrast, computed from the page's styles: 7:1 for the verdict's words, 4.5:1 for any text."""
    url, _log, _folder = site
    context, page, _requested, _errors = open_page(browser, url)
    everything = "h1, p, label, button, dt, dd, .small"
    assert min(page.evaluate(CONTRAST, everything)) >= 4.5
    for count, kind in enumerate(("valid", "expired", "forged"), start=1):
        paste(page, scenario.texts[kind], count)
        assert min(page.evaluate(CONTRAST, "#verdict-title, #verdict-reason, #verdict-icon, dd")) >= 7, kind
        assert min(page.evaluate(CONTRAST, everything)) >= 4.5, kind
    context.close()


def test_a_photo_of_the_card_and_a_picture_without_a_code(
    browser: Any, site: tuple[str, scn.RequestLog, Path], scenario: scn.Scenario, tmp_path: Path
) -> None:
    url, _log, _folder = site
    context, page, requested, errors = open_page(browser, url)
    page.set_input_files("#file", str(scenario.fronts["valid"]))
    seen = verdict(page, 1)
    assert seen["status"] == "valid" and page.text_content("#input-source") == "picture"
    page.set_input_files("#file", str(scenario.fronts["forged"]))
    assert verdict(page, 2)["status"] == "bad-signature"
    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), "white").save(blank)
    page.set_input_files("#file", str(blank))
    page.wait_for_selector("#message:not([hidden])")
    assert "No QR code" in page.inner_text("#message")
    assert page.get_attribute("#verdict", "data-count") == "2"  # no verdict for a picture without a code
    assert errors == []
    assert [u for u in requested if not is_own_request(url, u)] == []
    context.close()


def test_no_camera_is_a_clear_message(browser: Any, site: tuple[str, scn.RequestLog, Path]) -> None:
    """Headless Chromium without a fake device has no camera: the page says so and offers the other ways."""
    url, _log, _folder = site
    context, page, _requested, _errors = open_page(browser, url)
    page.click("#camera")
    page.wait_for_selector("#message:not([hidden])")
    assert "camera could not be opened" in page.inner_text("#message")
    assert page.is_hidden("#viewfinder")
    context.close()


def test_web_app_manifest(browser: Any, site: tuple[str, scn.RequestLog, Path]) -> None:
    url, _log, folder = site
    manifest = json.loads((folder / "manifest.webmanifest").read_text())
    assert manifest["start_url"] == "./" and manifest["display"] == "standalone"
    assert all((folder / icon["src"]).is_file() for icon in manifest["icons"])
    context, page, _requested, _errors = open_page(browser, url)
    assert page.get_attribute("link[rel=manifest]", "href") == "manifest.webmanifest"
    context.close()
