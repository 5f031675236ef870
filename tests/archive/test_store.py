"""The store: idempotent ingest, versions on change, withdrawn never deleted."""
from __future__ import annotations

from datetime import date, datetime


from archive.extract.document import AttachmentLink, DocNumber, ExtractedDocument, Region
from archive.read.documents import document_record
from archive.store import content_hash
from archive.read.documents import version_diff
from archive.read.documents import get_document
from archive.read.documents import count_documents


def _doc(text="一、总体要求\n坚持公开为常态。", title="祁阳市2024年政务公开日活动方案"):
    return ExtractedDocument(
        url="http://www.qiyang.gov.cn.test/zwgk/202405/t20240524_1.html", title=title,
        published=date(2024, 5, 24), agency="祁阳市人民政府办公室",
        doc_number=DocNumber("祁政办发〔2024〕5号", "祁政办发", 2024, 5),
        region=Region("湖南省", "永州市", "祁阳市", "431121"), year=2024, doc_type="方案",
        themes=("政务公开",), text=text,
        attachments=(AttachmentLink("http://www.qiyang.gov.cn.test/a.pdf", "附件1", "pdf"),))


def test_same_capture_twice_changes_nothing(archive):
    first = archive.ingest(_doc(), seen_at=datetime(2024, 5, 25))
    second = archive.ingest(_doc(), seen_at=datetime(2024, 5, 26))
    assert (first.outcome, second.outcome) == ("new", "unchanged")
    assert first.document_id == second.document_id
    assert count_documents(archive) == 1
    row = get_document(archive, first.document_id)
    assert len(row.versions) == 1
    assert row.last_seen == datetime(2024, 5, 26)
    assert row.first_seen == datetime(2024, 5, 25)
    assert [a.url for a in row.attachments] == ["http://www.qiyang.gov.cn.test/a.pdf"]


def test_whitespace_only_difference_is_not_a_new_version(archive):
    archive.ingest(_doc())
    again = archive.ingest(_doc(text="一、总体要求\n\n  坚持公开为常态。 "))
    assert again.outcome == "unchanged"


def test_changed_text_becomes_a_second_version(archive):
    archive.ingest(_doc())
    changed = archive.ingest(_doc(text="一、总体要求\n坚持公开为常态，不公开为例外。"))
    assert changed.outcome == "changed"
    row = get_document(archive, changed.document_id)
    assert [v.number for v in row.versions] == [1, 2]
    assert row.status == "changed"
    assert "例外" in row.text


def test_withdrawn_document_is_kept_with_its_status(archive):
    result = archive.ingest(_doc())
    assert archive.mark_withdrawn(_doc().url)
    assert not archive.mark_withdrawn(_doc().url)
    assert get_document(archive, result.document_id).status == "withdrawn"
    assert count_documents(archive) == 1


def test_document_record_carries_fields_and_provenance(archive):
    result = archive.ingest(_doc())
    record = document_record(get_document(archive, result.document_id))
    assert record["doc_number"] == "祁政办发〔2024〕5号"
    assert record["region"]["code"] == "431121"
    assert record["published"] == "2024-05-24"
    assert record["url"].endswith("t20240524_1.html")


def test_content_hash_ignores_width_and_spacing():
    assert content_hash("标题", "第一条　内容") == content_hash("标题", "第一条内容")
    assert content_hash("标题", "ＡＢＣ") == content_hash("标题", "ABC")
    assert content_hash("标题", "内容甲") != content_hash("标题", "内容乙")


def test_withdrawn_document_records_when_and_reappearing_clears_it(archive):
    result = archive.ingest(_doc(), seen_at=datetime(2024, 5, 25))
    archive.mark_withdrawn(_doc().url, when=datetime(2024, 7, 1))
    row = get_document(archive, result.document_id)
    assert (row.status, row.withdrawn_at) == ("withdrawn", datetime(2024, 7, 1))
    assert document_record(row)["withdrawn_at"] == "2024-07-01T00:00:00"
    assert archive.ingest(_doc(), seen_at=datetime(2024, 8, 1)).outcome == "unchanged"
    row = get_document(archive, result.document_id)
    assert (row.status, row.withdrawn_at) == ("active", None)


def test_each_version_knows_when_it_was_first_and_last_seen(archive):
    archive.ingest(_doc(), seen_at=datetime(2024, 5, 25))
    archive.ingest(_doc(), seen_at=datetime(2024, 6, 1))
    result = archive.ingest(_doc(text="一、总体要求\n坚持公开为常态，不公开为例外。"), seen_at=datetime(2024, 7, 1))
    archive.ingest(_doc(text="一、总体要求\n坚持公开为常态，不公开为例外。"), seen_at=datetime(2024, 8, 1))
    row = get_document(archive, result.document_id)
    assert [(v.seen_at, v.last_seen) for v in row.versions] == [
        (datetime(2024, 5, 25), datetime(2024, 6, 1)), (datetime(2024, 7, 1), datetime(2024, 8, 1))]
    assert (row.first_seen, row.last_seen) == (datetime(2024, 5, 25), datetime(2024, 8, 1))


def test_version_diff_shows_the_changed_paragraph_and_its_characters(archive):
    archive.ingest(_doc(text="一、总体要求\n坚持公开为常态。\n二、工作目标"))
    result = archive.ingest(_doc(text="一、总体要求\n坚持公开为常态，不公开为例外。\n二、工作目标\n三、保障措施"))
    ops = version_diff(archive, result.document_id, 1, 2)
    assert [op.op for op in ops] == ["equal", "replace", "equal", "insert"]
    assert ("insert", "", "，不公开为例外") in ops[1].chars
    assert ops[3].b == "三、保障措施"
    back = version_diff(archive, result.document_id, 2, 1)
    assert [op.op for op in back] == ["equal", "replace", "equal", "delete"]


def test_version_diff_of_a_missing_version_says_so(archive):
    result = archive.ingest(_doc())
    try:
        version_diff(archive, result.document_id, 1, 2)
    except KeyError as error:
        assert "version 2" in str(error)
    else:
        raise AssertionError("a missing version gave a diff")


def test_subject_and_validity_are_stored_and_follow_the_page(archive):
    from dataclasses import replace

    first = archive.ingest(replace(_doc(), subject="政务公开", validity="有效"), seen_at=datetime(2024, 5, 25))
    record = document_record(get_document(archive, first.document_id))
    assert (record["subject"], record["validity"]) == ("政务公开", "有效")
    # the text is the same, only the printed validity changed: no new version, the new label kept
    again = archive.ingest(replace(_doc(), subject="政务公开", validity="失效"), seen_at=datetime(2024, 6, 1))
    row = get_document(archive, first.document_id)
    assert again.outcome == "unchanged" and len(row.versions) == 1
    assert row.validity == "失效" and row.updated_at == datetime(2024, 6, 1)
