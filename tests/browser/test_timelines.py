"""The time lines and the citation pages in a real browser: the charts render (sized SVG with
their cells and dots), no Content Security Policy complaint, the 引用 button leads to the formats."""
from __future__ import annotations

from tests.browser.test_browser import by_css


def _clean_load(browser, url: str):
    browser.get(url)
    browser.get_log("browser")
    browser.refresh()
    return [e["message"] for e in browser.get_log("browser")
            if "Content Security Policy" in e["message"] or e["level"] == "SEVERE"]


def test_search_timeline_chart_renders(browser, live_server):
    assert _clean_load(browser, live_server + "/timeline?q=方案") == []
    chart = by_css(browser, "figure#timeline-chart svg")
    assert chart and chart[0].size["width"] > 100 and chart[0].size["height"] > 40
    cells = by_css(browser, "figure#timeline-chart rect.cell")
    assert len(cells) == 4 and all(c.size["width"] > 10 for c in cells)


def test_adoption_chart_renders(browser, live_server):
    assert _clean_load(browser, live_server + "/templates/2/adoption") == []
    chart = by_css(browser, "figure#adoption-chart svg")
    assert chart and chart[0].size["width"] > 100 and chart[0].size["height"] > 40
    assert len(by_css(browser, "figure#adoption-chart circle.dot")) == 3


def test_the_cite_button_shows_three_formats(browser, live_server):
    browser.get(live_server + "/doc/1")
    by_css(browser, "a.cite-button")[0].click()
    assert [s.get_attribute("id") for s in by_css(browser, "section.cite-format")] == ["gbt7714", "bibtex", "ris"]
    assert "[EB/OL]" in by_css(browser, "#gbt7714 pre")[0].text
