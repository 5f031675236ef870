"""Search page: results, facets that add up and narrow, the JSON twin, paging, bad input."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.ui.conftest import DOCS, html_of

TOTAL = len(DOCS)


def shown_count(response) -> int:
    return int(html_of(response).xpath("string(//p[@class='count']/strong)"))


def facet_items(tree, name: str) -> dict[str, tuple[int, str | None]]:
    """label -> (count, link) for one facet section of the sidebar."""
    items = {}
    for li in tree.xpath(f"//section[contains(@class, 'facet-{name}')]//li"):
        link = li.xpath("./a/@href")
        label = li.xpath("string(./a | ./span[@class='label'])").strip()
        items[label] = (int(li.xpath("string(./span[@class='count'])")), link[0] if link else None)
    return items


def hit_titles(response) -> list[str]:
    return [a.text_content() for a in html_of(response).xpath("//li[@class='hit']//h3/a")]


def test_home_lists_every_document(client):
    response = client.get("/")
    assert response.status_code == 200
    assert shown_count(response) == TOTAL
    assert len(hit_titles(response)) == TOTAL


def test_search_finds_a_known_document_and_links_to_it(client):
    response = client.get("/search?q=乡村振兴实施方案")
    titles = hit_titles(response)
    assert "江永县2024年乡村振兴实施方案" in titles
    assert "祁阳市2024年政务公开日活动方案" not in titles
    tree = html_of(response)
    link = tree.xpath("//li[@class='hit']//h3/a[contains(., '江永县2024年')]/@href")[0]
    assert re.fullmatch(r"/doc/\d+", link)
    assert "江永县2024年乡村振兴实施方案" in client.get(link).get_data(as_text=True)
    # the matched words are highlighted
    assert "<mark>乡村振兴实施方案</mark>" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["region", "year", "theme", "doc_type", "site", "status"])
def test_facet_counts_add_up_to_the_total(client, name):
    response = client.get("/search")
    items = facet_items(html_of(response), name)
    assert items, f"no {name} facet shown"
    assert sum(count for count, _ in items.values()) == shown_count(response) == TOTAL


def test_facet_counts_follow_the_query(client):
    tree = html_of(client.get("/search?q=政务公开"))
    assert {label: count for label, (count, _) in facet_items(tree, "theme").items()} == {"政务公开": 4}
    assert {label: count for label, (count, _) in facet_items(tree, "year").items()} == {"2024": 1, "2023": 3}


def test_following_region_links_drills_down_province_city_county(client):
    top = facet_items(html_of(client.get("/search")), "region")
    assert set(top) == {"湖南省", "江西省"}
    assert top["湖南省"][0] == 4

    hunan = client.get(top["湖南省"][1])
    assert shown_count(hunan) == 4
    cities = facet_items(html_of(hunan), "region")
    assert cities.pop("湖南省") == (4, "/search")          # the chosen region first, its link removes it
    assert cities == {"永州市": (4, cities["永州市"][1])}

    yongzhou = client.get(cities["永州市"][1])
    counties = facet_items(html_of(yongzhou), "region")
    assert counties.pop("永州市")[0] == 4
    assert {label: count for label, (count, _) in counties.items()} == {"祁阳市": 2, "江永县": 2}

    qiyang = client.get(counties["祁阳市"][1])
    assert shown_count(qiyang) == 2
    assert all(title.startswith("祁阳市") for title in hit_titles(qiyang))
    # the chip names the whole chain and links back up it
    chip = html_of(qiyang).xpath("//li[@class='chip']")[0]
    assert [a.text for a in chip.xpath("./a[@class='broader']")] == ["湖南省", "永州市"]
    assert chip.xpath("string(./span[@class='chip-label'])") == "祁阳市"
    assert shown_count(client.get(chip.xpath("./a[@class='broader']/@href")[1])) == 4


def test_facets_combine_and_chips_remove_them(client):
    year_link = facet_items(html_of(client.get("/search?q=方案")), "year")["2024"][1]
    by_year = client.get(year_link)
    assert parse_qs(urlsplit(year_link).query) == {"q": ["方案"], "year": ["2024"]}
    theme_link = facet_items(html_of(by_year), "theme")["乡村振兴"][1]
    both = client.get(theme_link)
    assert hit_titles(both) == ["江永县2024年乡村振兴实施方案"]

    chips = html_of(both).xpath("//li[@class='chip']")
    assert [c.xpath("string(./span[@class='chip-title'])") for c in chips] == ["年度：", "主题："]
    without_year = chips[0].xpath("./a[@class='remove']/@href")[0]
    assert parse_qs(urlsplit(without_year).query) == {"q": ["方案"], "theme": ["乡村振兴"]}
    assert shown_count(client.get(without_year)) == 2


def test_a_selected_facet_value_links_to_its_removal(client):
    items = facet_items(html_of(client.get("/search?doc_type=通知")), "doc_type")
    count, link = items["通知"]
    assert count == 2
    assert "doc_type" not in parse_qs(urlsplit(link).query)


@pytest.mark.parametrize("url", ["/search", "/search?q=政务公开", "/search?q=方案&year=2023",
                                 "/search?region=360000&sort=date", "/search?q=\"引号"])
def test_search_json_is_what_the_page_shows(client, url):
    page = client.get(url)
    data = client.get(url.replace("/search", "/search.json", 1)).get_json()
    assert data["total"] == shown_count(page)
    assert [h["title"] for h in data["hits"]] == hit_titles(page)
    for facet in data["facets"]:
        shown = facet_items(html_of(page), facet["name"])
        assert {v["label"]: v["count"] for v in facet["values"]} == {k: c for k, (c, _) in shown.items()}


def test_date_sort_puts_newest_first(client):
    data = client.get("/search.json?q=方案&sort=date").get_json()
    dates = [h["published"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 4
    relevance = client.get("/search?q=方案")
    date_link = html_of(relevance).xpath("//p[@class='sorts']/a[.='发布日期']/@href")[0]
    assert "sort=date" in date_link


@pytest.mark.parametrize("app", [{"SEARCH_PAGE_SIZE": 3}], indirect=True)
def test_pages_cover_every_result_once(client):
    seen = []
    url = "/search"
    while url:
        response = client.get(url)
        seen += hit_titles(response)
        nxt = html_of(response).xpath("//nav[@class='pager']/a[@rel='next']/@href")
        url = nxt[0] if nxt else None
    assert len(seen) == len(set(seen)) == TOTAL
    last = client.get("/search.json?page=3").get_json()
    assert last["pages"] == 3 and len(last["hits"]) == 1 and last["pager"]["next_url"] is None


def test_a_page_past_the_end_says_so(client):
    response = client.get("/search?page=40")
    assert response.status_code == 200
    assert "本页没有结果" in response.get_data(as_text=True)


def test_malformed_query_shows_the_index_message(client):
    response = client.get('/search?q="政务公开')
    assert response.status_code in (200, 400)
    message = html_of(response).xpath("string(//p[contains(@class, 'error')])")
    assert "引号" in message
    assert client.get('/search.json?q="政务公开').get_json()["error"] == message


@pytest.mark.parametrize("query", [
    "page=abc", "page=0", "page=-1", "page=" + "9" * 40, "year=xyz", "year=２０２４", "year=" + "1" * 5000,
    "region=hunan", "region=43", "sort=bogus", "year_from=abc&year_to=2024", "q=%00%01",
    "q=" + "政" * 3000, "q=OR", "q=-", "q=title:", "q=year:abc", "q=region:12", "q=((", "status=%3Cb%3E",
    "q=a&q=b&page=2&page=x",
])
def test_bad_parameters_never_fail(client, query):
    for path in ("/search", "/search.json"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), (path, query, response.status_code)


@pytest.mark.parametrize("query, message", [("page=abc", "页码"), ("year=xyz", "年度"), ("region=hunan", "地区")])
def test_bad_parameters_are_explained_and_ignored(client, query, message):
    response = client.get(f"/search?{query}")
    assert response.status_code == 400
    warning = html_of(response).xpath("string(//p[contains(@class, 'warning')])")
    assert message in warning
    assert shown_count(response) == TOTAL   # the bad filter is dropped, not applied


def test_a_missing_index_is_a_message_not_a_crash(tmp_path):
    from search_ui import create_app

    client = create_app({"DATA_DIR": str(tmp_path / "empty")}).test_client()
    response = client.get("/search?q=方案")
    assert response.status_code in (200, 503)
    assert shown_count(response) == 0
