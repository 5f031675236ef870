"""Charts on the search page: inline SVG from the facet counts, bars linking to the filter."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from search_ui import charts
from tests.ui.conftest import XSS, html_of



def chart_bars(tree, chart_id: str) -> dict[str, tuple[int, str | None, float]]:
    """label -> (count, link, bar height or width) as drawn."""
    figure = tree.xpath(f"//figure[@id='{chart_id}']")[0]
    out = {}
    for group in figure.xpath(".//*[local-name()='g']"):
        label = group.xpath("string(.//*[local-name()='text'][@class='label'])")
        count = int(group.xpath("string(.//*[local-name()='text'][@class='count'])"))
        rect = group.xpath(".//*[local-name()='rect']")[0]
        link = group.xpath(".//*[local-name()='a']/@href")
        size = float(rect.get("height") if "columns" in figure.get("class") else rect.get("width"))
        out[label] = (count, link[0] if link else None, size)
    return out


def test_year_chart_draws_the_year_facet_oldest_first(client):
    tree = html_of(client.get("/search?q=政务公开"))
    bars = chart_bars(tree, "chart-years")
    assert list(bars) == ["2023", "2024"]
    assert [bars["2023"][0], bars["2024"][0]] == [3, 1]
    assert abs(bars["2023"][2] - 3 * bars["2024"][2]) <= 3      # heights in proportion (rounded)
    assert parse_qs(urlsplit(bars["2024"][1]).query) == {"q": ["政务公开"], "year": ["2024"]}


def test_region_chart_counts_provinces_then_drills_down(client):
    tree = html_of(client.get("/search"))
    assert tree.xpath("string(//figure[@id='chart-regions']/figcaption)") == "各省份文件数"
    bars = chart_bars(tree, "chart-regions")
    assert {label: count for label, (count, _, _) in bars.items()} == {"湖南省": 4, "江西省": 3}
    hunan = html_of(client.get(bars["湖南省"][1]))
    assert hunan.xpath("string(//figure[@id='chart-regions']/figcaption)") == "各市文件数"
    assert {k: v[0] for k, v in chart_bars(hunan, "chart-regions").items()} == {"永州市": 4}


def test_no_results_no_charts(client):
    tree = html_of(client.get("/search?q=不存在的词语组合"))
    assert not tree.xpath("//figure[contains(@class, 'chart')]")


@pytest.mark.parametrize("kind", [charts.rows, charts.columns])
def test_chart_labels_are_escaped_in_svg(kind):
    chart = kind([{"label": XSS, "count": 2, "url": "/search?x=\"><script>"},
                  {"label": "湖南省", "count": 1, "url": None}], "各省份<b>文件数</b>")
    svg = str(charts.bar_chart_svg(chart, 'c"><script>'))
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&#34;&gt;&lt;script&gt;" in svg
    root = lxml.html.fragment_fromstring(svg)
    assert root.get("id") == 'c"><script>' and len(root.xpath("//rect")) == 2


def test_long_region_names_are_cut_as_jinja_truncate_would(app):
    env = app.jinja_env
    for name in ("永州市", "新疆生产建设兵团第一师阿拉尔市", "一二三四五六七八九十十一十二", "一二三四五六七八九十十一十二十三"):
        assert charts._short(name) == env.from_string('{{ n|truncate(7, True, "…") }}').render(n=name)


def test_bars_are_proportional_and_never_invisible():
    chart = charts.columns([{"label": "2023", "count": 1000, "url": None}, {"label": "2024", "count": 1, "url": None}], "t")
    heights = [b["height"] for b in chart["bars"]]
    assert heights == [charts.COLUMN_HEIGHT, 2]
    assert charts.columns([], "t") is None and charts.rows([{"label": "x", "count": 0}], "t") is None
