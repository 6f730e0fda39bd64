"""Headless Chromium from Debian's packages (chromium, chromium-driver) for the review app's browser tests: the
driver at /usr/bin/chromedriver, so Selenium downloads nothing; a fresh profile; no network beyond 127.0.0.1."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1600,1000",
)


def available() -> bool:
    return CHROMEDRIVER.exists() and CHROMIUM.exists()


class Chrome:
    """A context manager: the driver, and its profile folder removed afterwards."""

    def __init__(self, width: int = 1600, height: int = 1000) -> None:
        self.size = (width, height)

    def __enter__(self):  # type: ignore[no-untyped-def]
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="faxintake-chrome-")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--window-size={self.size[0]},{self.size[1]}")
        options.add_argument(f"--user-data-dir={self.profile}")
        self.driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        self.driver.set_page_load_timeout(60)
        return self.driver

    def __exit__(self, *exc: object) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
