"""What counts as a new version: an edit of the document, not a new template around it; a replaced
attachment is a version with its diff; a re-extraction updates in place and records a site event."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from archive.extract.document import DocNumber, ExtractedDocument, Region
from archive.models import Capture, DocumentEvent, SiteEvent
from archive.read.documents import get_document, version_diff
from archive.store import revisions
from archive.store.runs import start_run

URL = "http://www.pingtan.gov.cn.test/zwgk/ghjh/202505/t20250525_1.html"
BODY = "一、总体要求\n坚持公开为常态，不公开为例外。\n二、工作措施\n加强组织领导，压实工作责任。"
CHROME = "今天是：\n平潭县人民政府\n搜索\n首页\n政务公开\n"


def _doc(text=BODY, title="平潭县2025年政务公开工作方案", agency="平潭县人民政府办公室", url=URL, **more):
    return ExtractedDocument(url=url, title=title, published=date(2025, 5, 25), agency=agency,
                             doc_number=DocNumber("平政办发〔2025〕5号", "平政办发", 2025, 5),
                             region=Region("福建省", "福州市", "平潭县", "350128"), year=2025, doc_type="方案",
                             themes=("政务公开",), text=text, **more)


def _site(archive, site_id="pingtan"):
    archive.upsert_site({"id": site_id, "name": "平潭县人民政府", "region": "350128", "family": "trs",
                         "base_url": "http://www.pingtan.gov.cn.test", "columns": []})


def _events(archive, kind="changed"):
    with archive.session() as s:
        return s.scalars(select(DocumentEvent).where(DocumentEvent.kind == kind)).all()


def test_navigation_lines_a_template_let_through_are_not_an_edit():
    old = revisions.Content("方案", CHROME + "详见附件。", {})
    new = revisions.Content("方案", "详见附件。", {})
    assert not revisions.content_changed(old, new)
    edited = revisions.Content("方案", "详见附件。请于六月底前报送。", {})
    assert revisions.content_changed(new, edited)


def test_metadata_a_new_template_hides_is_not_a_change_but_another_value_is():
    old = revisions.Content("方案", BODY, {"agency": "平潭县人民政府办公室", "doc_number": "平政办发〔2025〕5号"})
    assert not revisions.content_changed(old, revisions.Content("方案", BODY, {"agency": None, "doc_number": None}))
    assert not revisions.content_changed(old, revisions.Content("方案", BODY, {"agency": "平潭县人民政府办公室 打印"}))
    assert revisions.content_changed(old, revisions.Content("方案", BODY, {"doc_number": "平政办发〔2025〕6号"}))


def test_a_line_other_documents_of_the_site_carry_is_template():
    footer = "版权所有：平潭县人民政府办公室 网站标识码3501280001 闽ICP备05007089号"
    old, new = revisions.Content("方案", BODY + "\n" + footer, {}), revisions.Content("方案", BODY, {})
    assert revisions.content_changed(old, new, shared=lambda line: False)
    assert not revisions.content_changed(old, new, shared=lambda line: line == footer)


def test_redesign_reextracts_in_place_without_version_or_event(archive):
    _site(archive)
    run = start_run(archive, "pingtan")
    first = archive.ingest(_doc(CHROME + BODY), site_id="pingtan", seen_at=datetime(2025, 6, 30), run_id=run)
    again = archive.ingest(_doc(BODY, agency=None), site_id="pingtan", seen_at=datetime(2025, 7, 1), run_id=run)
    assert (first.outcome, again.outcome) == ("new", "reextracted")
    row = get_document(archive, first.document_id)
    assert [v.number for v in row.versions] == [1] and row.versions[0].text == BODY
    assert row.text == BODY and row.status == "active" and row.reextracted_at == datetime(2025, 7, 1)
    assert row.agency == "平潭县人民政府办公室"       # the new template hides it: kept
    assert not _events(archive)
    with archive.session() as s:
        (event,) = s.scalars(select(SiteEvent)).all()
    assert (event.site_id, event.run_id, event.kind, event.documents, event.detail["urls"]) == \
        ("pingtan", run, "reextracted", 1, [URL])
    assert archive.ingest(_doc(BODY), site_id="pingtan").outcome == "unchanged"


def test_an_edit_at_the_redesign_is_still_a_version(archive):
    _site(archive)
    archive.ingest(_doc(CHROME + BODY), site_id="pingtan")
    edited = BODY.replace("压实工作责任。", "压实工作责任，确保各项任务按时保质完成。")
    assert archive.ingest(_doc(edited, agency=None), site_id="pingtan").outcome == "changed"


def test_replaced_attachment_is_a_new_version_with_its_diff(archive):
    _site(archive)
    run = start_run(archive, "pingtan")
    doc_id = archive.ingest(_doc(), site_id="pingtan", run_id=run).document_id
    file_url = URL.replace(".html", "1.xlsx")
    capture = archive.record_capture(file_url, 200, {}, None, site_id="pingtan")
    # first read: the file joins version 1, no new version
    assert archive.link_attachment_capture(URL, file_url, capture, text="任务\n2025年6月底前", run_id=run,
                                           digest="sha1:A") == "unchanged"
    later = start_run(archive, "pingtan")
    same = archive.record_capture(file_url, 200, {}, None, site_id="pingtan")
    assert archive.link_attachment_capture(URL, file_url, same, text="任务\n2025年6月底前", run_id=later,
                                           digest="sha1:A") == "unchanged"
    replaced = archive.record_capture(file_url, 200, {}, None, site_id="pingtan")
    with archive.session() as s:   # the capture rows keep the payload digest the pipeline passes
        for capture_id, digest in ((capture, "sha1:A"), (same, "sha1:A"), (replaced, "sha1:B")):
            s.get(Capture, capture_id).payload_digest = digest
    assert archive.link_attachment_capture(URL, file_url, replaced, text="任务\n2025年9月底前", run_id=later,
                                           digest="sha1:B") == "changed"
    row = get_document(archive, doc_id)
    assert [v.number for v in row.versions] == [1, 2] and row.status == "changed"
    assert [(e.run_id, e.document_id) for e in _events(archive)] == [(later, doc_id)]
    ops = [op for op in version_diff(archive, doc_id, 1, 2) if op.op != "equal"]
    assert len(ops) == 1 and "9月" in ops[0].b and "6月" in ops[0].a


def test_page_edit_and_its_file_in_one_run_are_one_version(archive):
    _site(archive)
    run = start_run(archive, "pingtan")
    doc_id = archive.ingest(_doc(), site_id="pingtan", run_id=run).document_id
    file_url = URL.replace(".html", "1.pdf")
    first = archive.record_capture(file_url, 200, {}, None, site_id="pingtan")
    archive.link_attachment_capture(URL, file_url, first, text=BODY, run_id=run, digest="sha1:A")
    later = start_run(archive, "pingtan")
    edited = BODY + "\n三、保障措施\n所需经费列入本级年度财政预算予以保障。"
    assert archive.ingest(_doc(edited), site_id="pingtan", run_id=later).outcome == "changed"
    again = archive.record_capture(file_url, 200, {}, None, site_id="pingtan")
    with archive.session() as s:
        s.get(Capture, first).payload_digest, s.get(Capture, again).payload_digest = "sha1:A", "sha1:B"
    assert archive.link_attachment_capture(URL, file_url, again, text=edited, run_id=later,
                                           digest="sha1:B") == "unchanged"
    row = get_document(archive, doc_id)
    assert [v.number for v in row.versions] == [1, 2] and "财政预算" in row.versions[1].attachment_text
    assert len(_events(archive)) == 1
