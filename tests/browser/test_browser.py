"""The UI in a real browser: searching, facets, chips, history, documents, the sandbox."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.ui.conftest import CAPTURED_HTML, DOCS

SCREENSHOT = "/tmp/govplans-search.png"


@pytest.fixture()
def page(browser, live_server):
    """Go to a path of the app and return the driver."""
    def go(path: str):
        browser.get(live_server + path)
        return browser
    return go


def by_css(driver, selector: str):
    from selenium.webdriver.common.by import By
    return driver.find_elements(By.CSS_SELECTOR, selector)


def count(driver) -> int:
    return int(by_css(driver, "p.count strong")[0].text)


def titles(driver) -> list[str]:
    return [a.text for a in by_css(driver, "li.hit h3 a")]


def wait_for(driver, condition, timeout: float = 10):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout).until(condition)


def test_typing_a_query_and_submitting_shows_its_results(page):
    driver = page("/")
    assert count(driver) == len(DOCS)
    box = by_css(driver, "input#q")[0]
    box.send_keys("乡村振兴实施方案")
    box.submit()
    wait_for(driver, lambda d: "q=" in d.current_url)
    assert parse_qs(urlsplit(driver.current_url).query)["q"] == ["乡村振兴实施方案"]
    assert set(titles(driver)) == {"江永县2024年乡村振兴实施方案", "进贤县2023年乡村振兴实施方案"}
    assert by_css(driver, "input#q")[0].get_attribute("value") == "乡村振兴实施方案"


def test_clicking_a_facet_narrows_and_removing_its_chip_widens(page):
    driver = page("/search?q=方案")
    before = count(driver)
    [link] = [a for a in by_css(driver, "section.facet-year li a") if a.text == "2024"]
    link.click()
    wait_for(driver, lambda d: "year=2024" in d.current_url)
    assert count(driver) < before and titles(driver)
    assert by_css(driver, "li.chip .chip-label")[0].text == "2024"
    by_css(driver, "li.chip a.remove")[0].click()
    wait_for(driver, lambda d: "year=" not in d.current_url)
    assert count(driver) == before and not by_css(driver, "li.chip")


def test_the_back_button_restores_the_previous_results(page):
    driver = page("/search?q=政务公开")
    first_url, first_titles = driver.current_url, titles(driver)
    [link] = [a for a in by_css(driver, "section.facet-doc_type li a") if a.text == "通知"]
    link.click()
    wait_for(driver, lambda d: d.current_url != first_url)
    assert titles(driver) != first_titles
    driver.back()
    wait_for(driver, lambda d: d.current_url == first_url)
    assert titles(driver) == first_titles


def test_opening_a_document_from_the_results(page):
    driver = page("/search?q=祁阳市2024年政务公开日活动方案")
    hit = by_css(driver, "li.hit h3 a")[0]
    title = hit.text
    hit.click()
    wait_for(driver, lambda d: "/doc/" in d.current_url)
    assert by_css(driver, "article.document h1")[0].text == title
    assert by_css(driver, "section.metadata tr.field-doc_number td")[0].text == "祁政办发〔2024〕5号"


def test_a_script_in_the_archived_page_never_runs(page):
    from selenium.webdriver.common.by import By

    driver = page("/search?q=祁阳市2024年政务公开日活动方案")
    by_css(driver, "li.hit h3 a")[0].click()
    wait_for(driver, lambda d: by_css(d, "iframe.capture-frame"))
    frame = by_css(driver, "iframe.capture-frame")[0]
    assert frame.get_dom_attribute("sandbox") == ""          # present, and granting nothing
    driver.execute_script("arguments[0].scrollIntoView()", frame)
    top_title = driver.title
    driver.switch_to.frame(frame)
    try:
        heading = wait_for(driver, lambda d: d.find_elements(By.ID, "archived-heading"))[0]
        assert heading.text == "祁阳市2024年政务公开日活动方案"     # the capture did load, GBK decoded
        assert driver.find_element(By.TAG_NAME, "html").get_dom_attribute("data-pwned") is None
    finally:
        driver.switch_to.default_content()
    assert driver.title == top_title and "pwned" not in driver.title


def test_the_script_marker_would_show_if_scripts_ran(browser):
    """Control for the test above: the same page outside the sandbox does mark itself."""
    import base64

    browser.get("data:text/html;charset=gbk;base64," + base64.b64encode(CAPTURED_HTML).decode())
    wait_for(browser, lambda d: d.title == "pwned")
    from selenium.webdriver.common.by import By
    assert browser.find_element(By.TAG_NAME, "html").get_dom_attribute("data-pwned") == "1"


def test_the_search_page_obeys_its_own_policy_and_looks_right(page):
    driver = page("/search?q=方案")
    driver.get_log("browser")                                  # drop earlier pages' messages
    driver.refresh()
    problems = [e["message"] for e in driver.get_log("browser")
                if "Content Security Policy" in e["message"] or e["level"] == "SEVERE"]
    assert problems == []
    charts = by_css(driver, "figure.chart svg")
    assert len(charts) == 2 and all(c.size["width"] > 100 and c.size["height"] > 40 for c in charts)
    assert driver.save_screenshot(SCREENSHOT)


def screenshots_dir():
    """Where the walk-through saves its screenshots: $GOVPLANS_ARTIFACTS/browser-path, else
    /tmp/govplans-artifacts/browser-path (emptied first, so it holds one run)."""
    import os
    import shutil
    from pathlib import Path

    root = Path(os.environ.get("GOVPLANS_ARTIFACTS") or "/tmp/govplans-artifacts") / "browser-path"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


def test_search_facet_document_variant_diff_and_feed_in_one_walk(page):
    """The path a reader takes: search, narrow by a facet, open a document, compare it with the
    same template published by another county, then subscribe to the search; a screenshot of
    every step is saved."""
    shots = screenshots_dir()
    driver = page("/")
    box = by_css(driver, "input#q")[0]
    box.send_keys("乡村振兴")
    box.submit()
    wait_for(driver, lambda d: "q=" in d.current_url)
    assert count(driver) == 3
    assert driver.save_screenshot(str(shots / "1-search.png"))

    [facet] = [a for a in by_css(driver, "section.facet-doc_type li a") if a.text == "方案"]
    facet.click()
    wait_for(driver, lambda d: "doc_type=" in d.current_url)
    results_url = driver.current_url
    assert set(titles(driver)) == {"江永县2024年乡村振兴实施方案", "进贤县2023年乡村振兴实施方案"}
    assert by_css(driver, "li.chip .chip-label")[0].text == "方案"
    assert driver.save_screenshot(str(shots / "2-facet.png"))

    [hit] = [a for a in by_css(driver, "li.hit h3 a") if a.text == "江永县2024年乡村振兴实施方案"]
    hit.click()
    wait_for(driver, lambda d: "/doc/" in d.current_url)
    assert by_css(driver, "article.document h1")[0].text == "江永县2024年乡村振兴实施方案"
    copies = by_css(driver, "section.copies tbody tr")
    assert [row.find_elements("css selector", "td a")[0].text for row in copies] == ["进贤县2023年乡村振兴实施方案"]
    assert driver.save_screenshot(str(shots / "3-document.png"))

    copies[0].find_elements("css selector", "a.compare-link")[0].click()
    wait_for(driver, lambda d: "/compare/" in d.current_url)
    heads = [th.text.splitlines()[0] for th in by_css(driver, "table.side-by-side thead th")]
    assert heads == ["江永县2024年乡村振兴实施方案", "进贤县2023年乡村振兴实施方案"]
    assert [d.text for d in by_css(driver, "tr.row-delete td.left del")] == ["推进乡村振兴，发展特色产业。"]
    assert [i.text for i in by_css(driver, "tr.row-insert td.right ins")] == ["巩固拓展脱贫攻坚成果同乡村振兴有效衔接。"]
    assert [r.text.split()[0] for r in by_css(driver, "tr.row-equal")] == ["一、总体要求", "二、保障措施", "加强组织领导。"]
    assert driver.save_screenshot(str(shots / "4-variant-diff.png"))

    driver.get(results_url)
    feed_link = by_css(driver, "p.downloads a.feed")[0]
    feed_url = feed_link.get_attribute("href")
    assert parse_qs(urlsplit(feed_url).query) == {"q": ["乡村振兴"], "doc_type": ["方案"]}
    feed_link.click()
    wait_for(driver, lambda d: "/search.atom" in d.current_url)
    feed = driver.execute_async_script(   # the document as served, whatever the XML viewer shows
        "const done = arguments[0]; fetch(location.href).then(r => r.text().then(t => "
        "done([r.headers.get('content-type'), t])));")
    assert feed[0].startswith("application/atom+xml")
    import xml.etree.ElementTree as ET
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(feed[1].encode("utf-8")).findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == ["江永县2024年乡村振兴实施方案", "进贤县2023年乡村振兴实施方案"]
    assert "江永县2024年乡村振兴实施方案" in driver.find_element("tag name", "body").text
    assert driver.save_screenshot(str(shots / "5-feed.png"))


def test_a_chosen_region_shows_as_a_removable_value_and_errors_are_our_pages(page):
    """湖南省 × in the region facet (year and 文种 had it, region did not); our icon; our 404 and 400."""
    driver = page("/search?region=430000")
    chosen = by_css(driver, "section.facet-region li.selected a")
    assert [a.text.strip() for a in chosen] == ["湖南省"]
    assert "×" in driver.execute_script("return getComputedStyle(arguments[0], '::after').content", chosen[0])
    chosen[0].click()
    assert urlsplit(driver.current_url).query == "" and count(driver) == len(DOCS)
    icon = driver.execute_script("return fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')])")
    assert icon == [200, "image/vnd.microsoft.icon"]
    assert page("/doc/99999").title.startswith("找不到页面")
    driver = page("/search?year_from=2025&year_to=2018")
    assert "截止年度 2018 早于起始年度 2025" in by_css(driver, "p.message.warning")[0].text
    driver.save_screenshot("/tmp/govplans-refused.png")
