"""Region drill-down from whatever level the index counts at (engine-independent)."""
from __future__ import annotations

from archive.index.api import FacetValue, SearchResults
from search_ui import facets
from search_ui.app_resources import resources
from search_ui.query import parse_request

COUNTY_COUNTS = [FacetValue("431121", "祁阳市", 2), FacetValue("431125", "江永县", 3),
                 FacetValue("431100", "永州市", 1), FacetValue("360124", "进贤县", 4)]


def region_facet(app, query: str, given: list[FacetValue], total: int) -> list[tuple]:
    with app.test_request_context(f"/search?{query}"):
        req = parse_request(dict(pair.split("=") for pair in query.split("&") if pair))
        results = SearchResults(query="", total=total, hits=[], facets={"region": given})
        sidebar = facets.sidebar(results, req, resources().labels)
    values = next((f["values"] for f in sidebar if f["name"] == "region"), [])
    return [(v["label"], v["count"], v["url"]) for v in values]


def test_county_counts_roll_up_to_provinces(app):
    assert region_facet(app, "", COUNTY_COUNTS, total=12) == [
        ("湖南省", 6, "/search?region=430000"), ("江西省", 4, "/search?region=360000"),
        ("地区不详", 2, None)]


def test_county_counts_roll_up_to_cities_inside_a_province(app):
    assert region_facet(app, "region=430000", COUNTY_COUNTS, total=6) == [
        ("湖南省", 6, "/search"), ("永州市", 6, "/search?region=431100")]   # the chosen one first, to remove


def test_a_city_lists_its_counties_and_its_own_documents(app):
    assert region_facet(app, "region=431100", COUNTY_COUNTS, total=6) == [
        ("永州市", 6, "/search"), ("江永县", 3, "/search?region=431125"), ("祁阳市", 2, "/search?region=431121"), ("（本级）", 1, None)]


def test_a_county_has_nothing_below_it_but_shows_itself_chosen(app):
    assert region_facet(app, "region=431121", COUNTY_COUNTS, total=2) == [("祁阳市", 2, "/search")]


def test_the_chosen_region_is_a_selected_value_as_a_chosen_year_is(client):
    from tests.ui.conftest import html_of

    page = html_of(client.get("/search?region=430000"))
    chosen = page.xpath("//section[contains(@class, 'facet-region')]//li[@class='selected']")
    assert len(chosen) == 1 and chosen[0].xpath("string(.//a)") == "湖南省"
    assert chosen[0].xpath(".//a/@href") == ["/search"]
    year = html_of(client.get("/search?year=2024")).xpath("//section[contains(@class, 'facet-year')]//li[@class='selected']")
    assert len(year) == 1
