"""The 文号 graph in the store: references resolved at ingest by 文号, then by title; a cited plan
archived later resolves the citations that waited for it; attachments' references count too."""
from __future__ import annotations

from datetime import date

from archive.extract.document import DocNumber, ExtractedDocument, Region
from archive.extract.docnumber import parse_doc_number
from archive.read.citations import chain, cited_by, cites, graph_figures

HUNAN = Region("湖南省", None, None, "430000")
YONGZHOU = Region("湖南省", "永州市", None, "431100")
QIYANG = Region("湖南省", "永州市", "祁阳市", "431121")
DAOXIAN = Region("湖南省", "永州市", "道县", "431124")


def _doc(url, title, number, region, text="", published=date(2022, 3, 1)):
    return ExtractedDocument(url=f"http://x.test/{url}", title=title, published=published,
                             doc_number=parse_doc_number(number) if number else None, region=region, text=text)


def test_references_resolve_by_doc_number_then_title(archive):
    province = archive.ingest(_doc("p", "湖南省政务公开工作要点", "湘政办发〔2021〕12号", HUNAN,
                                   published=date(2021, 2, 1))).document_id
    city = archive.ingest(_doc("c", "永州市政务公开实施方案", "永政办发〔2021〕30号", YONGZHOU,
                               "根据湘政办发[2021]12号文件精神。", date(2021, 6, 1))).document_id
    county = archive.ingest(_doc("q", "祁阳市政务公开实施方案", "祁政办发〔2022〕5号", QIYANG,
                                 "根据《湖南省政务公开工作要点》和《永州市政务公开实施方案》，"
                                 "参照《不存在的管理办法》。")).document_id
    assert [(c["doc_id"], c["resolved_by"]) for c in cites(archive, city)] == [(province, "doc_number")]
    assert [(c["title"], c["doc_id"], c["resolved_by"]) for c in cites(archive, county)] == [
        ("湖南省政务公开工作要点", province, "title"), ("永州市政务公开实施方案", city, "title"),
        ("不存在的管理办法", None, None)]
    assert {c["doc_id"] for c in cited_by(archive, province)} == {city, county}
    assert [(link.doc_id, link.depth) for link in chain(archive, city)] == [(province, -1), (city, 0), (county, 1)]
    figures = graph_figures(archive)
    assert (figures["references"], figures["resolved"], figures["unresolved"]) == (4, 3, 1)


def test_a_plan_archived_after_the_one_citing_it_resolves_the_waiting_citation(archive):
    county = archive.ingest(_doc("q", "祁阳市方案", "祁政办发〔2022〕5号", QIYANG,
                                 "根据永政办发〔2021〕30号要求。")).document_id
    assert cites(archive, county)[0]["doc_id"] is None
    city = archive.ingest(_doc("c", "永州市方案", "永政办发〔2021〕30号", YONGZHOU)).document_id
    assert cites(archive, county)[0]["doc_id"] == city
    assert cited_by(archive, city)[0]["doc_number"] == "祁政办发〔2022〕5号"


def test_another_issuer_with_the_same_year_and_number_is_not_cited(archive):
    archive.ingest(_doc("other", "湘潭市方案", "潭政办发〔2021〕30号", Region("湖南省", "湘潭市", None, "430300")))
    county = archive.ingest(_doc("q", "祁阳市方案", "祁政办发〔2022〕5号", QIYANG,
                                 "根据永政办发〔2021〕30号和〔2021〕30号要求。")).document_id
    assert [c["doc_id"] for c in cites(archive, county)] == [None]


def test_a_bare_number_resolves_only_on_the_citing_documents_own_line(archive):
    city = archive.ingest(_doc("c", "永州市方案", "永政办发〔2021〕30号", YONGZHOU)).document_id
    county = archive.ingest(_doc("q", "祁阳市方案", None, QIYANG, "市政府办公室〔2021〕30号文件")).document_id
    stranger = archive.ingest(_doc("s", "长沙县方案", None, Region("湖南省", "长沙市", "长沙县", "430121"),
                                   "依据〔2021〕30号文件")).document_id
    assert cites(archive, county)[0]["doc_id"] == city
    assert cites(archive, stranger)[0]["doc_id"] is None


def test_an_attachments_references_join_the_page_and_a_changed_text_replaces_them(archive):
    city = archive.ingest(_doc("c", "永州市方案", "永政办发〔2021〕30号", YONGZHOU)).document_id
    county = archive.ingest(_doc("q", "祁阳市方案", None, QIYANG, "见附件。")).document_id
    archive.link_attachment_capture("http://x.test/q", "http://x.test/q.pdf", archive.record_capture(
        "http://x.test/q.pdf", 200, {}, None), text="根据永政办发〔2021〕30号制定。")
    assert [(c["doc_id"], c["source"]) for c in cites(archive, county)] == [(city, "attachment")]
    archive.ingest(_doc("q", "祁阳市方案", None, QIYANG, "根据《永州市方案》，另见附件。"))
    assert [(c["doc_id"], c["source"]) for c in cites(archive, county)] == [(city, "text")]


def test_copies_of_one_plan_resolve_to_the_earliest(archive):
    first = archive.ingest(_doc("c1", "永州市方案", "永政办发〔2021〕30号", YONGZHOU, "正文一二三四五六七八九十" * 20,
                                published=date(2021, 5, 1))).document_id
    archive.ingest(_doc("c2", "永州市方案", "永政办发〔2021〕30号", YONGZHOU, "正文一二三四五六七八九十" * 20,
                        published=date(2021, 5, 3)))
    county = archive.ingest(_doc("q", "祁阳市方案", None, QIYANG, "根据永政办发〔2021〕30号。")).document_id
    assert cites(archive, county)[0]["doc_id"] == first


def test_citations_command_rebuilds_an_archive_made_before_the_graph(tmp_path):
    import json

    from click.testing import CliRunner
    from sqlalchemy import delete, update

    from archive.models import Citation, Document
    from archive.store import Archive
    from govplans.commands.archive import citations as command

    archive = Archive(f"sqlite:///{tmp_path / 'archive.sqlite'}")
    city = archive.ingest(_doc("c", "永州市方案", "永政办发〔2021〕30号", YONGZHOU)).document_id
    county = archive.ingest(_doc("q", "祁阳市方案", None, QIYANG, "根据永政办发〔2021〕30号和《永州市方案》。")).document_id
    with archive.session() as s:   # as an archive of the version before looks after migration 0010's keys
        s.execute(delete(Citation))
        s.execute(update(Document).values(title_key=None))
    archive.close()
    result = CliRunner().invoke(command, ["--rebuild", "--json", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert (figures["references"], figures["resolved_by_doc_number"], figures["unresolved"]) == (1, 1, 0)
    archive = Archive(f"sqlite:///{tmp_path / 'archive.sqlite'}")
    assert cites(archive, county)[0]["doc_id"] == city
    archive.close()


def test_a_namesake_elsewhere_gives_way_when_the_plan_of_the_citing_line_arrives(archive):
    elsewhere = archive.ingest(_doc("f", "关于开展2019年安全生产月活动的通知", None,
                                    Region("福建省", None, None, "350000"), published=date(2019, 5, 1))).document_id
    county = archive.ingest(_doc("q", "祁阳市方案", None, QIYANG, "根据《关于开展2019年安全生产月活动的通知》。")).document_id
    assert cites(archive, county)[0]["doc_id"] == elsewhere   # the only plan of that title so far
    own_line = archive.ingest(_doc("p", "关于开展2019年安全生产月活动的通知", None, HUNAN,
                                   published=date(2019, 5, 2))).document_id
    assert cites(archive, county)[0]["doc_id"] == own_line


def test_a_recognised_scans_references_join_the_page(archive):
    """A plan whose text is a scan cites what the recognised text names, as a file's text does."""
    from archive.store import ocr as queue

    city = archive.ingest(_doc("c", "永州市方案", "永政办发〔2021〕30号", YONGZHOU)).document_id
    county = archive.ingest(_doc("q", "祁阳市方案", None, QIYANG, "见附件。")).document_id
    archive.link_attachment_capture("http://x.test/q", "http://x.test/q.jpg", archive.record_capture(
        "http://x.test/q.jpg", 200, {}, None), text="", ocr="image")
    assert cites(archive, county) == []
    job = queue.claim(archive, "test")[0]
    queue.finish(archive, job.job_id, "根据永政办发〔2021〕30号制定。", 0.99, "rapidocr", 1, 1)
    assert [(c["doc_id"], c["source"]) for c in cites(archive, county)] == [(city, "attachment")]


def test_a_plan_cited_by_many_resolves_them_all_when_it_arrives_reading_its_candidates_once(archive, monkeypatch):
    from archive.store import citations

    waiting = [archive.ingest(_doc(f"q{n}", f"祁阳市方案{n}", None, region, "根据永政办发〔2021〕30号要求。")).document_id
               for n, region in enumerate([QIYANG, DAOXIAN, QIYANG, DAOXIAN])]
    queries = []
    condition = citations._condition
    monkeypatch.setattr(citations, "_condition", lambda query: queries.append(query) or condition(query))
    city = archive.ingest(_doc("c", "永州市方案", "永政办发〔2021〕30号", YONGZHOU)).document_id
    assert [cites(archive, doc)[0]["doc_id"] for doc in waiting] == [city] * 4
    assert sorted(c["doc_id"] for c in cited_by(archive, city)) == waiting
    assert queries.count(("number", "2021:30", "永政办发")) == 1   # not once per citing document


def test_a_citation_resolved_again_in_a_batch_is_seen_by_the_batchs_later_documents(archive):
    with archive.batch():   # the citing page's Citation objects are in the batch's session when the plan comes
        county = archive.ingest(_doc("q", "祁阳市方案", None, QIYANG, "根据永政办发〔2021〕30号要求。")).document_id
        city = archive.ingest(_doc("c", "永州市方案", "永政办发〔2021〕30号", YONGZHOU)).document_id
        rival = archive.ingest(_doc("r", "道县方案", "道政办发〔2021〕30号", DAOXIAN)).document_id
    assert rival != city
    assert [(c["doc_id"], c["resolved_by"]) for c in cites(archive, county)] == [(city, "doc_number")]
    with archive.session() as s:   # the row as the ORM reads it now, not a stale object
        from archive.models import Citation
        row = s.query(Citation).filter_by(document_id=county).one()
        assert (row.cited_id, row.resolved_by) == (city, "doc_number")


def test_a_page_cited_again_when_its_file_comes_is_read_once(archive, monkeypatch):
    """The file's text comes in a later batch: the page's references are found again from memory,
    the file's from its text, and the citations are those of reading both."""
    import archive.store.citations as store_citations

    read: list[str] = []
    find = store_citations.find_references
    monkeypatch.setattr(store_citations, "find_references", lambda text, *a: read.append(text) or find(text, *a))
    store_citations._references.cache_clear()   # what another test read is remembered too
    plan = archive.ingest(_doc("p", "湖南省政务公开工作要点", "湘政办发〔2021〕12号", HUNAN)).document_id
    page = "根据《湖南省政务公开工作要点》，制定本方案（缓存测试）。"
    with archive.batch():
        county = archive.ingest(_doc("q", "祁阳市政务公开实施方案", "祁政办发〔2022〕5号", QIYANG, page)).document_id
    with archive.batch():
        capture = archive.record_capture("http://x.test/q.pdf", 200, {}, None)
        archive.link_attachment_capture("http://x.test/q", "http://x.test/q.pdf", capture,
                                        text="依据湘政办发〔2021〕12号执行。")
    assert read.count(page) == 1 and read.count("依据湘政办发〔2021〕12号执行。") == 1
    assert [(c["source"], c["doc_id"]) for c in cites(archive, county)] == [("text", plan)]


def test_a_batch_looks_for_waiting_citations_only_where_a_citation_holds_the_keys(archive):
    """A citation made earlier in the batch, or stored before it, is resolved when its plan comes;
    a batch's documents that nothing cites send no query for citations waiting for them."""
    from sqlalchemy import event

    sent: list[str] = []
    event.listen(archive.engine, "before_cursor_execute", lambda _c, _cu, statement, *_a: sent.append(statement))
    with archive.batch():
        county = archive.ingest(_doc("q", "祁阳市政务公开实施方案", "祁政办发〔2022〕5号", QIYANG,
                                     "根据湘政办发〔2021〕12号和永政办发〔2021〕30号文件精神。")).document_id
        province = archive.ingest(_doc("p", "湖南省政务公开工作要点", "湘政办发〔2021〕12号", HUNAN,
                                       published=date(2021, 2, 1))).document_id
        archive.ingest(_doc("o", "道县无人引用的办法", "道政发〔2022〕9号", DAOXIAN))
    waiting_queries = sum(1 for s in sent if "FROM citations JOIN documents" in s)
    assert waiting_queries == 1   # the province's plan only: the county's page cites it
    with archive.batch():
        city = archive.ingest(_doc("c", "永州市政务公开实施方案", "永政办发〔2021〕30号", YONGZHOU)).document_id
    assert [c["doc_id"] for c in cites(archive, county)] == [province, city]
