"""Real headless Chromium against the UI served on 127.0.0.1 over the tests/ui archive.

Chromium comes from Debian (scripts/install-browser.sh); selenium drives it through the
system chromedriver, so Selenium Manager never downloads anything. Without the browser the
tests skip with the reason, except on CI (CI=true), where a missing browser fails.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ui.conftest import build_world

CHROMIUM = Path(os.environ.get("GOVPLANS_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("GOVPLANS_CHROMEDRIVER", "/usr/bin/chromedriver"))
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--lang=zh-CN", "--window-size=1280,1000")


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run; see scripts/install-browser.sh)")
    pytest.skip(f"{reason}: run scripts/install-browser.sh (apt-get install -y chromium chromium-driver)")


@contextmanager
def serving(config: dict):
    """An app made with `config`, on a free port of 127.0.0.1, in a thread: yields its base URL."""
    from werkzeug.serving import make_server

    from search_ui import create_app

    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["govplans"].archive.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app over a fresh fixture archive."""
    data = build_world(tmp_path_factory.mktemp("browser-data"))
    with serving({"DATA_DIR": str(data.root)}) as url:
        yield url


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        _missing(f"Chromium not installed ({CHROMIUM}, {CHROMEDRIVER})")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("the selenium package is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
