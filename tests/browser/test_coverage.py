"""The coverage ledger in a real browser: the province grid (server-rendered SVG, no script) leads to
a province, its table to a prefecture and a county, whose portals show how they block us."""
from __future__ import annotations

import pytest

from tests.browser.conftest import serving
from tests.browser.test_browser import by_css, wait_for
from tests.ui.test_coverage import REGISTRY, build_ledger_world

SCREENSHOT = "/tmp/govplans-coverage.png"


@pytest.fixture(scope="module")
def ledger_server(tmp_path_factory):
    data = build_ledger_world(tmp_path_factory.mktemp("browser-ledger"))
    with serving({"DATA_DIR": str(data.root), "REGISTRY": REGISTRY}) as url:
        yield url


def severe_logs(driver) -> list[str]:
    """Errors and policy violations the browser logged (the app serves no favicon: its 404 aside)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if (entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"])
            and "favicon.ico" not in entry["message"]]


def test_the_grid_leads_from_the_country_to_a_county_and_its_blocked_portal(browser, ledger_server):
    driver = browser
    driver.get(ledger_server + "/coverage")
    severe_logs(driver)                                         # the log starts empty for this page
    tiles = by_css(driver, "figure#coverage-grid g.province")
    assert len(tiles) == 34
    hunan = by_css(driver, "figure#coverage-grid g.province[data-code='430000'] rect")[0]
    assert "share-1" in hunan.get_attribute("class") and hunan.is_displayed()
    fill = driver.execute_script("return getComputedStyle(arguments[0]).fill", hunan)
    empty = by_css(driver, "figure#coverage-grid g.province[data-code='650000'] rect")[0]
    assert fill != driver.execute_script("return getComputedStyle(arguments[0]).fill", empty)   # the stylesheet colours it
    driver.save_screenshot(SCREENSHOT)
    by_css(driver, "figure#coverage-grid g.province[data-code='430000'] a")[0].click()
    wait_for(driver, lambda d: "region=430000" in d.current_url)
    [link] = [a for a in by_css(driver, "table.coverage-table th a") if a.text == "永州市"]
    link.click()
    wait_for(driver, lambda d: "region=431100" in d.current_url)
    [link] = [a for a in by_css(driver, "table.coverage-table th a") if a.text == "祁阳市"]
    link.click()
    wait_for(driver, lambda d: "region=431181" in d.current_url)
    row = by_css(driver, "table.portal-table tbody tr")[0]
    assert "祁阳市人民政府" in row.text and "JS 验证（Cookie 挑战）" in row.text
    assert [a.text for a in by_css(driver, "nav.trail a")] == ["全国", "湖南省", "永州市"]
    assert severe_logs(driver) == []                            # no script blocked, no resource missing


def test_downloads_are_offered_as_links(browser, ledger_server):
    driver = browser
    driver.get(ledger_server + "/coverage?region=430000")
    hrefs = {a.text: a.get_attribute("href") for a in by_css(driver, "p.coverage-summary a")}
    assert hrefs["CSV"].endswith("/coverage.csv?region=430000") and hrefs["JSON"].endswith("/coverage.json?region=430000")
