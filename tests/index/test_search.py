"""Facets, writing, pagination, highlighting and error handling of archive.index."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from archive.index import (
    IndexDoc, IndexFormatError, SearchFilters, close_searchers, delete_documents, doc_count, index_documents, rebuild,
    search,
)
from evaluation.corpus import generate

QUERIES = ["宣传月", "月", "政务公开 宣传月", "宣传月 OR 主题日", "-宣传", "title:方案", '"公开 宣传"', ""]


@pytest.fixture(autouse=True)
def _close():
    yield
    close_searchers()


@pytest.fixture(scope="module")
def docs():
    return generate(600, seed=11)


@pytest.fixture(scope="module")
def built(docs, new_index):
    index_dir = new_index()
    rebuild(index_dir, docs)
    return index_dir


def ids(index_dir, q, filters=SearchFilters()):
    res = search(index_dir, q, filters, page_size=200)
    out = {h.doc_id for h in res.hits}
    for page in range(2, (res.total + 199) // 200 + 1):
        out |= {h.doc_id for h in search(index_dir, q, filters, page=page, page_size=200).hits}
    return out


def doc(doc_id, title="标题", text="正文", **kw):
    fields = dict(url=f"http://x.test/{doc_id}", published=date(2024, 1, 1), year=2024,
                  region_code="431121", province="湖南省", city="永州市", county="祁阳市")
    fields.update(kw)
    return IndexDoc(doc_id=doc_id, title=title, text=text, **fields)


def test_province_facet_counts_add_up_to_total(built):
    res = search(built, "宣传")
    assert res.total > 0
    assert sum(f.count for f in res.facets["region"]) == res.total
    assert {f.label for f in res.facets["region"]} == {"湖南省", "湖北省"}


def test_each_facet_value_count_equals_hits_when_filtering_by_it(built):
    res = search(built, "宣传月")
    for name, attr in [("region", "region"), ("year", "year"), ("theme", "theme"),
                       ("doc_type", "doc_type"), ("site", "site"), ("status", "status")]:
        assert res.facets[name], name
        for fv in res.facets[name]:
            value = int(fv.value) if name == "year" else fv.value
            filtered = search(built, "宣传月", SearchFilters(**{attr: value}), facets=False)
            assert filtered.total == fv.count, (name, fv)


def test_region_facet_goes_one_level_below_the_filter(built):
    cities = search(built, "", SearchFilters(region="430000")).facets["region"]
    assert {f.value for f in cities} == {"431100", "430100"}
    assert {f.label for f in cities} == {"永州市", "长沙市"}
    counties = search(built, "", SearchFilters(region="431100")).facets["region"]
    assert {f.label for f in counties} == {"祁阳市", "东安县", "零陵区"}
    assert search(built, "region:431100").total == search(built, "", SearchFilters(region="431100")).total


def test_reindexing_the_same_documents_changes_nothing(location, docs):
    index_documents(location, docs[:50])
    before = {q: ids(location, q) for q in QUERIES}
    assert index_documents(location, docs[:50]) == 50
    index_documents(location, [docs[3], docs[3]])
    assert doc_count(location) == 50
    assert {q: ids(location, q) for q in QUERIES} == before


def test_updating_a_document_replaces_its_text(location):
    index_documents(location, [doc(1, text="旧的宣传月方案")])
    assert ids(location, "宣传月") == {1}
    index_documents(location, [doc(1, text="新的主题日方案")])
    assert ids(location, "宣传月") == set() and ids(location, "主题日") == {1}
    assert doc_count(location) == 1


def test_delete_removes_documents_from_hits_and_facets(location, docs):
    index_documents(location, docs[:100])
    victims = sorted(ids(location, "宣传月"))[:10]
    assert delete_documents(location, victims + [999999]) == len(victims)
    assert doc_count(location) == 90
    assert not ids(location, "宣传月") & set(victims)
    res = search(location, "")
    assert res.total == 90 == sum(f.count for f in res.facets["status"])


def test_rebuild_gives_the_same_hits_as_incremental_indexing(new_index, docs, built):
    incremental = new_index()
    for start in range(0, len(docs), 150):
        index_documents(incremental, docs[start:start + 150])
    for q in QUERIES:
        assert ids(incremental, q) == ids(built, q), q


def test_rebuild_replaces_the_previous_index(location, docs, backend):
    index_documents(location, [doc(1, text="只在旧索引里的宣传周")])
    assert search(location, "宣传周").total == 1
    seen = []
    assert rebuild(location, docs[:20], progress=seen.append) == 20
    assert doc_count(location) == 20 and seen[-1] == 20
    assert 1 not in ids(location, "宣传周") or docs[0].doc_id == 1
    if backend == "whoosh":
        assert len(list(location.glob("gen-*"))) == 1


def test_failed_rebuild_keeps_the_live_index(location, docs):
    index_documents(location, docs[:10])

    def broken():
        yield docs[10]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        rebuild(location, broken())
    assert doc_count(location) == 10


@pytest.mark.parametrize("q", ['"宣传月', "宣传月 OR", "OR 宣传月", "宣传 OR OR 月", "title:", "title: 宣传",
                               "-", "year:二〇二四", "region:4311", "宣" * 600, "宣传\x00月", "\x1b[31m",
                               "宣传 -year:2024", '""', "宣传 OR -月", "title:，，"])
def test_malformed_queries_return_an_error_not_an_exception(built, q):
    res = search(built, q)
    assert res.error and res.total == 0 and res.hits == []
    assert "/" in res.error   # Chinese / English


def test_bad_filters_and_sort_return_an_error(built):
    assert search(built, "宣传", SearchFilters(region="abc")).error
    assert search(built, "宣传", sort="popularity").error


def test_search_on_a_missing_index_is_empty(location):
    res = search(location, "宣传")
    assert res.total == 0 and res.error is None
    assert doc_count(location) == 0


def test_snippets_escape_scraped_html_and_mark_matches(location):
    index_documents(location, [doc(1, title="<b>宣传月</b>方案",
                                   text="前言" * 100 + "<script>alert('x')</script>开展宣传月活动&发布" + "后记" * 100)])
    hit = search(location, "宣传月").hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>宣传月</mark>&lt;/b&gt;方案"
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<mark>宣传月</mark>" in hit.snippet_html and "&amp;" in hit.snippet_html
    assert hit.snippet_html.startswith("…") and hit.snippet_html.endswith("…")
    assert len(hit.snippet_html.replace("<mark>", "").replace("</mark>", "")) < 200


def test_latin_words_match_whole_tokens_case_insensitively(location):
    index_documents(location, [doc(1, text="附件PDF下载"), doc(2, text="pdfs 合集"), doc(3, text="Pdf版")])
    assert ids(location, "pdf") == {1, 3}
    assert "<mark>PDF</mark>" in search(location, "pdf").hits[0].snippet_html + \
        search(location, "pdf").hits[1].snippet_html


def test_sort_by_date_is_newest_first(built):
    hits = search(built, "宣传", sort="date", page_size=100).hits
    dates = [h.published or date.min for h in hits]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) > 10


def test_title_matches_rank_before_body_matches(location):
    index_documents(location, [doc(1, title="通知", text="主题日" * 30),
                               doc(2, title="主题日活动方案", text="无关"),
                               doc(3, title="通知", text="主题日")])
    assert [h.doc_id for h in search(location, "主题日").hits] == [2, 1, 3]


def test_pages_do_not_overlap_and_cover_all_hits(built):
    total = search(built, "宣传").total
    seen = []
    for page in range(1, total // 20 + 2):
        seen += [h.doc_id for h in search(built, "宣传", page=page, page_size=20, facets=False).hits]
    assert len(seen) == len(set(seen)) == total


def test_documents_without_region_or_date_are_searchable(location):
    index_documents(location, [replace(doc(1, text="宣传月"), region_code=None, province=None, city=None,
                                       county=None, published=None, year=None)])
    res = search(location, "宣传月", sort="date")
    assert [h.doc_id for h in res.hits] == [1] and res.facets["region"] == [] and res.facets["year"] == []


def test_rebuild_in_several_processes_gives_the_same_hits_and_facets(location, docs, built):
    seen = []
    assert rebuild(location, docs, progress=seen.append, procs=2) == len(docs)
    assert seen[-1] == len(docs)
    for q in QUERIES + ["哈", "县", "title:月"]:
        assert ids(location, q) == ids(built, q), q
        assert search(location, q).facets == search(built, q).facets, q


def test_one_character_query_forgets_deleted_and_replaced_documents(location):
    index_documents(location, [doc(1, text="宣传月"), doc(2, text="月"), doc(3, text="岁月如歌")])
    assert ids(location, "月") == {1, 2, 3}      # run-final, alone, and inside a bigram
    delete_documents(location, [2])
    index_documents(location, [doc(3, text="岁岁年年")])
    assert ids(location, "月") == {1}
    assert ids(location, "岁") == {3} and search(location, "岁").facets["status"][0].count == 1


def test_repeated_characters_count_every_occurrence_for_ranking(location):
    index_documents(location, [doc(1, title="通知", text="哈哈哈哈哈哈"), doc(2, title="通知", text="哈哈")])
    hits = search(location, "哈哈").hits
    assert [h.doc_id for h in hits] == [1, 2] and hits[0].score > hits[1].score


def test_an_index_of_an_older_format_asks_for_a_rebuild(location, backend):
    if backend != "whoosh":
        pytest.skip("index format generations are Whoosh's (PostgreSQL: a table, rebuilt in place)")
    index_documents(location, [doc(1, text="宣传月")])
    generation = next(location.glob("gen-*"))
    (generation / "FORMAT").unlink()
    close_searchers()
    res = search(location, "宣传月")
    assert res.total == 0 and "rebuild" in res.error
    with pytest.raises(IndexFormatError):
        index_documents(location, [doc(2)])
    assert rebuild(location, [doc(1, text="宣传月")]) == 1
    assert ids(location, "宣传月") == {1}


def test_a_phrase_does_not_match_a_character_where_it_has_a_separator(location):
    index_documents(location, [doc(1, text="政务公开和宣传"), doc(2, text="政务公开，宣传"), doc(3, text="政务公开 宣传"),
                               doc(4, text="公开宣传")])
    assert ids(location, '"公开 宣传"') == {2, 3}
    assert ids(location, '"公开，宣传"') == {2, 3}


def test_a_phrase_separator_is_not_a_latin_token_or_a_character_between_latin_tokens(location, backend):
    index_documents(location, [doc(1, text="信息公开2024宣传"), doc(2, text="abc中def"), doc(3, text="信息公开 宣传；abc def")])
    if backend == "whoosh":
        pytest.xfail("known: the Whoosh index has no term for separators, so a Latin/digit token where a phrase "
                     "has one, or a character between two Latin tokens, is not told from a separator")
    assert ids(location, '"信息公开 宣传"') == {3}
    assert ids(location, '"abc def"') == {3}


def test_a_remembered_index_state_still_sees_every_commit(location, backend, monkeypatch):
    """The Whoosh searchers remember a settled state by the stat of CURRENT and of the generation
    directory; a commit (a new TOC file) or a rebuild (a new CURRENT) must still be seen."""
    if backend != "whoosh":
        pytest.skip("Whoosh's searcher pools")
    import time

    from archive.index.whoosh import searchers
    monkeypatch.setattr(searchers, "_SETTLED_NS", -1)   # every state is remembered at once

    def searched_twice(q):   # the second search from the remembered state
        first = ids(location, q)
        assert str(location) in searchers._seen and ids(location, q) == first
        time.sleep(0.05)   # the next change later than the file system's timestamp granularity
        return first

    index_documents(location, [doc(1, text="宣传月")])
    assert searched_twice("宣传月") == {1}
    index_documents(location, [doc(2, text="宣传月")])
    assert searched_twice("宣传月") == {1, 2}
    delete_documents(location, [1])
    assert searched_twice("宣传月") == {2}
    rebuild(location, [doc(3, text="宣传月")])
    assert searched_twice("宣传月") == {3}
