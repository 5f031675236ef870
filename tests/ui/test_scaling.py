"""What keeps the search page cheap on a large archive (no timings: the work itself is checked).

- links are built without url_for per link, and are exactly what url_for builds;
- a facet lists at most LISTED values (a selected one always), the rest counted;
- searchers and their facet columns are shared by request threads, not rebuilt per thread.
"""
from __future__ import annotations

import threading

import pytest
from flask import url_for

from archive.index.whoosh import searchers
from archive.index.api import FacetValue, SearchResults
from search_ui import facets, query
from search_ui.app_resources import resources
from search_ui.query import parse_request

ODD = {"q": "政务 公开 \"宣传周\" -方案 a&b=c/d?e#f+g%h", "agency": "某某局（办公室）", "theme": "乡村振兴"}


@pytest.mark.parametrize("endpoint", ["search.search", "search.search_json", "feeds.atom", "feeds.csv_download",
                                      "explorer.templates", "explorer.templates_json"])
@pytest.mark.parametrize("changes", [{}, {"page": 3}, {"sort": "date"}, {"region": "431121"}, {"q": None}])
def test_links_are_what_url_for_builds(app, endpoint, changes, monkeypatch):
    with app.test_request_context("/search"):
        req = parse_request({**ODD, "page": "2", "year": "2024"})
        fast = req.url(endpoint, **changes)
        monkeypatch.setattr(query, "_build", lambda e, params: url_for(e, **params))
        assert fast == req.url(endpoint, **changes)
        assert "?" in fast


def test_an_endpoint_with_path_arguments_still_builds(app):
    with app.test_request_context("/search"):
        req = parse_request({"q": "方案"})
        assert req.url("documents.show", doc_id=3) == url_for("documents.show", doc_id=3, q="方案")


def _sidebar(app, query: dict, values: int) -> dict:
    agencies = [FacetValue(f"机构{n:04d}", f"机构{n:04d}", values - n) for n in range(values)]
    with app.test_request_context("/search"):
        req = parse_request(query)
        results = SearchResults(query="", total=values * values, hits=[], facets={"agency": agencies})
        sidebar = facets.sidebar(results, req, resources().labels)
    return next(f for f in sidebar if f["name"] == "agency")


def test_a_facet_lists_its_most_frequent_values_and_counts_the_rest(app):
    facet = _sidebar(app, {}, facets.LISTED + 250)
    assert [v["value"] for v in facet["values"]] == [f"机构{n:04d}" for n in range(facets.LISTED)]
    assert facet["omitted"] == 250


def test_a_selected_value_is_listed_even_when_rare(app):
    rare = f"机构{facets.LISTED + 200:04d}"
    facet = _sidebar(app, {"agency": rare}, facets.LISTED + 250)
    assert len(facet["values"]) == facets.LISTED + 1
    assert facet["values"][-1]["value"] == rare and facet["values"][-1]["selected"]
    assert facet["omitted"] == 249


def test_a_short_facet_is_whole(app):
    facet = _sidebar(app, {}, 5)
    assert len(facet["values"]) == 5 and facet["omitted"] == 0


def test_the_page_says_how_many_values_are_left_out(app, monkeypatch, client):
    monkeypatch.setattr(facets, "LISTED", 1)
    page = client.get("/search").get_data(as_text=True)
    assert "项未列出" in page


def test_request_threads_share_searchers_and_facet_columns(app, client):
    """A threaded server starts a thread per connection: each must not open its own searcher
    and rebuild the facet columns (per-thread caches did, for every new connection)."""
    searchers.close_searchers()
    first = client.get("/search.json?q=政务公开").get_json()
    pools = dict(searchers._pools)
    assert len(pools) == 1
    pool = next(iter(pools.values()))
    columns = pool.columns
    results, errors = [], []

    def one():
        try:
            results.append(client.get("/search.json?q=政务公开").get_json())
        except Exception as e:   # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(r["total"] == first["total"] and r["hits"] == first["hits"] for r in results)
    assert searchers._pools == pools and pool.columns is columns   # built once, for every thread
    assert 1 <= len(pool.idle) <= searchers._MAX_SEARCHERS   # searchers were given back for the next requests


def test_a_repeated_search_is_served_from_the_page_cache(app, client, monkeypatch):
    first = client.get("/search?q=政务公开")
    calls = []
    from search_ui.views import search as search_module
    real = search_module.search_page
    monkeypatch.setattr(search_module, "search_page", lambda req: calls.append(req) or real(req))
    again = client.get("/search?q=政务公开")
    assert again.status_code == 200 and again.get_data() == first.get_data() and not calls
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert client.get("/search.json?q=政务公开").get_json()["total"] == first_total(client)
    client.get("/search?q=乡村振兴")
    assert len(calls) == 2   # another query (and /search.json) is its own page


def first_total(client):
    return client.get("/search.json?q=政务公开").get_json()["total"]


def test_the_page_cache_follows_the_index(app, client, tmp_path):
    """A commit to the index changes its state: the cached page is not served any more."""
    import shutil

    from archive import index
    from archive.index.api import IndexDoc
    from search_ui import create_app

    data = tmp_path / "data"
    shutil.copytree(app.config["DATA_DIR"], data)
    copy = create_app({"DATA_DIR": str(data), "TESTING": True})
    try:
        c = copy.test_client()
        before = c.get("/search.json?q=独一无二的检索词").get_json()["total"]
        state = index.state(copy.extensions["govplans"].index_dir)
        index.index_documents(copy.extensions["govplans"].index_dir, [IndexDoc(
            doc_id=999, url="http://example.test/999", title="独一无二的检索词", text="正文", published=None,
            year=None, region_code=None, province=None, city=None, county=None)])
        assert index.state(copy.extensions["govplans"].index_dir) != state
        assert c.get("/search.json?q=独一无二的检索词").get_json()["total"] == before + 1
    finally:
        copy.extensions["govplans"].archive.close()
        index.close_searchers()


@pytest.mark.parametrize("app", [{"SEARCH_CACHE_SIZE": 0}], indirect=True)
def test_the_page_cache_can_be_switched_off(app, client):
    client.get("/search?q=政务公开")
    assert not app.extensions["govplans"].pages._pages


def test_the_listed_values_are_the_first_of_the_full_order(app):
    """Ties on the count are ordered by label, as the whole sorted list would be."""
    given = [FacetValue(f"v{n}", f"标签{(n * 7919) % 500:03d}", n % 3) for n in range(500)]
    with app.test_request_context("/search"):
        req = parse_request({})
        kept, omitted = facets._listed("agency", given, req)
        years = [FacetValue(str(y), str(y), 1) for y in range(1900, 2100)]
        kept_years, _ = facets._listed("year", years, req)
    assert kept == facets._ordered("agency", given)[:facets.LISTED] and omitted == 500 - facets.LISTED
    assert kept_years == facets._ordered("year", years)[:facets.LISTED]


@pytest.mark.parametrize("script_root", ["", "/archive{x}"])
def test_links_to_documents_are_what_url_for_builds(app, script_root):
    with app.test_request_context("/search", environ_overrides={"SCRIPT_NAME": script_root}):
        doc, compare = query.url_pattern("documents.show", doc_id=query.ID_SLOT), \
            query.url_pattern("compare.copies", doc_id=query.ID_SLOT, other_id=query.ID_SLOT)
        for n in (1, 42, 2**62):
            assert doc.format(n) == url_for("documents.show", doc_id=n)
            assert compare.format(n) == url_for("compare.copies", doc_id=query.ID_SLOT, other_id=n)
