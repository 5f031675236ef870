"""Listing only the most frequent facet values: the index counts them all, builds the top N.

- facet_limit=n gives the first n values of the full order, and FacetList.distinct counts all;
- the full order itself is what brute-force counting over the documents gives;
- the search page asks for LISTED values, says how many it left out, and ?more=NAME lists them all.
"""
from __future__ import annotations

from collections import Counter

import pytest

from archive import index
from archive.regions import region_codes
from evaluation.corpus import generate
from search_ui import facets
from tests.ui.conftest import html_of

DOCS = generate(400, seed=7)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("facet-limits") / "index"
    index.rebuild(path, DOCS)
    yield path
    index.close_searchers()


def brute_force(docs) -> dict[str, list[tuple[str, int]]]:
    """Every facet's (value, count), most frequent first then by value; years newest first."""
    counts = {name: Counter() for name in ("region", "year", "theme", "doc_type", "agency", "site", "status")}
    for doc in docs:
        province = region_codes(doc.region_code)[0]
        counts["region"][province] += province is not None
        counts["year"][doc.year] += doc.year is not None
        counts["theme"].update(doc.themes)
        for name in ("doc_type", "agency", "site", "status"):
            counts[name][getattr(doc, name)] += getattr(doc, name) is not None
    out = {}
    for name, counter in counts.items():
        present = [(str(v), n) for v, n in counter.items() if n]
        out[name] = (sorted(present, key=lambda vn: -int(vn[0])) if name == "year"
                     else sorted(present, key=lambda vn: (-vn[1], vn[0])))
    return out


def pairs(values) -> list[tuple[str, int]]:
    return [(fv.value, fv.count) for fv in values]


def test_facet_counts_are_what_counting_the_documents_gives(index_dir):
    results = index.search(index_dir, "", page_size=1)
    expected = brute_force(DOCS)
    assert {name: pairs(values) for name, values in results.facets.items()} == expected
    assert all(values.distinct == len(values) for values in results.facets.values())


@pytest.mark.parametrize("query, filters", [("", {}), ("宣传月", {}), ("政务公开", {"year": 2020}),
                                            ("方案", {"region": "431100"}), ("公开", {"theme": "主题日"})])
@pytest.mark.parametrize("limit", [0, 1, 3, 10])
def test_a_facet_limit_lists_the_first_of_the_full_order(index_dir, query, filters, limit):
    f = index.SearchFilters(**filters)
    full = index.search(index_dir, query, filters=f)
    top = index.search(index_dir, query, filters=f, facet_limit=limit)
    assert top.total == full.total and [h.doc_id for h in top.hits] == [h.doc_id for h in full.hits]
    assert pairs(top.facets["region"]) == pairs(full.facets["region"])   # a drill-down sums them all
    for name in ("year", "theme", "doc_type", "agency", "site", "status"):
        assert pairs(top.facets[name]) == pairs(full.facets[name])[:limit], name
        assert top.facets[name].distinct == len(full.facets[name]), name
    assert [v.label for v in top.facets["agency"]] == [v.label for v in full.facets["agency"]][:limit]


def test_a_facet_limit_holds_for_its_own_search_only(index_dir):
    assert len(index.search(index_dir, "", facet_limit=2).facets["agency"]) == 2
    assert len(index.search(index_dir, "").facets["agency"]) > 2


def test_the_search_page_counts_out_only_the_values_it_lists(app, client, monkeypatch):
    monkeypatch.setattr(facets, "LISTED", 1)
    asked = []
    real = index.search

    def spy(*args, **kwargs):
        results = real(*args, **kwargs)
        asked.append(results)
        return results

    from search_ui.views import search as search_module
    monkeypatch.setattr(search_module.index, "search", spy)
    page = client.get("/search?q=方案")
    assert page.status_code == 200
    [results] = asked
    assert len(results.facets["site"]) == 1 and results.facets["site"].distinct == 3
    site = next(f for f in client.get("/search.json?q=方案").get_json()["facets"] if f["name"] == "site")
    assert len(site["values"]) == 1 and site["omitted"] == 2
    more = html_of(page).cssselect("section.facet-site p.omitted a.more")
    assert [a.get("href") for a in more] == ["/search?q=%E6%96%B9%E6%A1%88&more=site"]
    assert more[0].text == "列出全部 3 项"


def test_more_lists_every_value_of_one_facet(app, client, monkeypatch):
    monkeypatch.setattr(facets, "LISTED", 1)
    monkeypatch.setattr(facets, "SHOWN", 1)
    page = client.get("/search?q=方案&more=site")
    assert page.status_code == 200
    tree = html_of(page)
    assert len(tree.cssselect("section.facet-site li")) == 3
    assert tree.cssselect("section.facet-site details")[0].get("open") is not None
    assert not tree.cssselect("section.facet-site p.omitted")
    assert len(tree.cssselect("section.facet-doc_type li")) == 1   # the other facets stay short
    links = [a.get("href") for a in tree.cssselect("section.facet-site li a")]
    assert links and all("more=" not in link for link in links)   # choosing a value folds the list again


def test_an_unknown_more_is_reported_and_ignored(client):
    page = client.get("/search?q=方案&more=<script>")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "可展开的筛选项 more“&lt;script&gt;”无效" in text and "<script>" not in text
