"""A real browser for the web pages' tests: Debian's chromium and chromium-driver through
selenium, headless, with a fresh profile and nothing that reaches the network.

Without them the browser tests skip with the reason, unless EVENTWATCH_REQUIRE_BROWSER=1
(CI sets it: there a missing browser is a failure). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

CHROMIUM = os.environ.get("EVENTWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("EVENTWATCH_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-US")


def require_browser() -> None:
    """Skip (or, in CI, fail) when chromium or its driver is missing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).is_file()]
    if not missing:
        return
    reason = (f"no browser: {', '.join(missing)} missing (apt-get install chromium "
              "chromium-driver)")
    if os.environ.get("EVENTWATCH_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + "; EVENTWATCH_REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(reason)


@contextmanager
def chromium(downloads: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ew-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver: Any, name: str) -> Path:
    """Keep a full-page picture of what the test saw, as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(1000, min(int(height) + 40, 4000)))
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
    return path


def wait(driver: Any, condition: Callable[[Any], Any], seconds: float = 20.0) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # The pages re-render lists as the user types: an element found a moment ago may be gone.
    return WebDriverWait(driver, seconds, poll_frequency=0.05,
                         ignored_exceptions=[StaleElementReferenceException]).until(condition)
