"""Fixtures of the verifier page tests: one scenario (office, cards, exported site) and headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web import scenario as scn


def _need_browser() -> None:
    """CI installs chromium and playwright (.ci/run, the test extra); elsewhere say what is missing."""
    missing = []
    if not Path(scn.CHROMIUM).exists():
        missing.append(f"{scn.CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -e '.[test]')")
    if missing:
        if os.environ.get("CI"):
            pytest.fail("Browser tests need " + " and ".join(missing))
        pytest.skip("Browser tests need " + " and ".join(missing))


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> scn.Scenario:
    return scn.build(tmp_path_factory.mktemp("verifier-site"))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(executable_path=scn.CHROMIUM, args=scn.CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def site(scenario: scn.Scenario, tmp_path: Path) -> Iterator[tuple[str, scn.RequestLog, Path]]:
    """A private copy of the exported site served on 127.0.0.1: (base URL, requested paths, folder)."""
    folder = tmp_path / "site"
    shutil.copytree(scenario.site_dir, folder)
    with scn.serve(folder) as (url, log):
        yield url, log, folder
