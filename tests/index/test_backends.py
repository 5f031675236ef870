"""Choosing the engine, and what PostgreSQL must do exactly as Whoosh does (beyond the oracle)."""
from __future__ import annotations

from datetime import date

import pytest

from archive.index import IndexDoc, close_searchers, doc_count, index_documents, rebuild, search
from archive.index.backends import backend_for
from archive.index.whoosh.backend import WhooshIndex
from evaluation.corpus import generate
from tests.index.conftest import skip_or_fail


def doc(doc_id, title="标题", text="正文", **kw):
    fields = dict(url=f"http://x.test/{doc_id}", published=date(2024, 1, doc_id % 28 + 1), year=2024,
                  region_code="431121", province="湖南省", city="永州市", county="祁阳市")
    fields.update(kw)
    return IndexDoc(doc_id=doc_id, title=title, text=text, **fields)


@pytest.fixture(autouse=True)
def _close():
    yield
    close_searchers()


def ids(location, q, sort="relevance"):
    first = search(location, q, sort=sort, page_size=200)
    out = [h.doc_id for h in first.hits]
    for page in range(2, (first.total + 199) // 200 + 1):
        out += [h.doc_id for h in search(location, q, sort=sort, page=page, page_size=200, facets=False).hits]
    assert len(out) == len(set(out)) == first.total
    return set(out)


TRICKY = [doc(1, text="'; DROP TABLE search_docs; -- 注入"), doc(2, text="达标率100%以上"),
          doc(3, text="a_b"), doc(4, text="axb"), doc(5, text="ab"), doc(6, text="a-b"),
          doc(7, text=r"路径c:\temp\n"), doc(8, text="c temp"), doc(9, text="零\x00字节 NUL")]


@pytest.mark.parametrize("q,want", [
    ('"\'; DROP TABLE search_docs; -- 注入"', {1}),
    ("search_docs", {1}),
    ("100%", {2}),
    ("a_b", {3, 6}),                 # "_" is punctuation, matching any punctuation, never a wildcard
    ("a%b", {3, 6}),
    (r"c:\temp", {7, 8}),
    (r"temp\n", {7}),
    ("'", None), ("%", None), ("_", None), ("\\", None), ("%%", None),
    ("零", {9}), ("字节", {9}),
])
def test_sql_and_like_characters_in_queries_are_matched_literally(location, q, want):
    index_documents(location, TRICKY)
    res = search(location, q)
    if want is None:
        assert res.error and res.total == 0
    else:
        assert res.error is None and ids(location, q) == want
    assert doc_count(location) == len(TRICKY)


def test_date_sort_and_hit_sets_are_identical_on_both_backends(pg_database, tmp_path):
    docs = generate(400, seed=3)
    pg = f"{pg_database}?schema=both_backends"
    rebuild(tmp_path, docs)
    rebuild(pg, docs)
    for q in ["宣传", "月", "宣传月 OR 主题日", "-宣传", "title:方案", "", "year:2020-2022 公开"]:
        w = search(tmp_path, q, sort="date", page_size=200)
        p = search(pg, q, sort="date", page_size=200)
        assert p.total == w.total, q
        assert [h.doc_id for h in p.hits] == [h.doc_id for h in w.hits], q
        assert p.facets == w.facets, q
        assert [(h.title_html, h.snippet_html) for h in p.hits] == [(h.title_html, h.snippet_html) for h in w.hits]
        assert ids(pg, q) == ids(tmp_path, q) == ids(pg, q, sort="date"), q


def test_a_facet_limit_lists_the_same_values_on_both_backends(pg_database, tmp_path):
    docs = generate(300, seed=5)
    pg = f"{pg_database}?schema=facet_limit"
    rebuild(tmp_path, docs)
    rebuild(pg, docs)
    for q, limit in [("", 0), ("", 3), ("宣传", 1), ("region:430000 公开", 2)]:
        w, p = search(tmp_path, q, facet_limit=limit), search(pg, q, facet_limit=limit)
        assert p.facets == w.facets, q
        assert {k: v.distinct for k, v in p.facets.items()} == {k: v.distinct for k, v in w.facets.items()}, q
        assert all(len(values) <= limit for name, values in p.facets.items() if name != "region"), q


def test_search_url_in_the_environment_selects_postgres(pg_database, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVPLANS_SEARCH_URL", f"{pg_database}?schema=from_env")
    assert type(backend_for(tmp_path)).__name__ == "PgIndex"
    index_documents(tmp_path, [doc(1, text="宣传月")])
    assert not any(tmp_path.iterdir())                      # nothing written to the directory
    assert ids(f"{pg_database}?schema=from_env", "宣传月") == {1}
    monkeypatch.delenv("GOVPLANS_SEARCH_URL")
    assert isinstance(backend_for(tmp_path), WhooshIndex) and doc_count(tmp_path) == 0


def test_missing_postgres_skips_locally_and_fails_on_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        skip_or_fail("PostgreSQL unreachable")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        skip_or_fail("PostgreSQL unreachable")


def test_doc_ids_are_the_documents_held_after_updates_and_deletes(location):
    from archive.index import delete_documents, doc_ids

    assert doc_ids(location) == set()
    rebuild(location, [doc(n) for n in range(1, 8)])
    index_documents(location, [doc(3, title="改"), doc(9)])
    delete_documents(location, [2, 5])
    assert doc_ids(location) == {1, 3, 4, 6, 7, 9} and doc_count(location) == 6
