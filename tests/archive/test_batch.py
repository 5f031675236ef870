"""Archive.batch: many pages in one transaction, the same archive as storing them one by one."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from archive.extract.document import AttachmentLink, DocNumber, ExtractedDocument, Region
from archive.models import Citation, Document
from archive.store import Archive
from tests.archive.test_dedup import OTHER, _copy

REGION = Region("湖南省", "永州市", "祁阳市", "431121")
BODY = _copy("祁阳县", "白水镇", date(2024, 5, 1))
COPY = _copy("祁阳县", "黎家坪镇", date(2024, 5, 1))   # a near copy of BODY: the same cluster


def _doc(n: int, text: str, cites: str = "") -> ExtractedDocument:
    return ExtractedDocument(
        url=f"http://q.test/{n}.html", title=f"政务公开日活动方案{n}", published=date(2024, 5, n),
        doc_number=DocNumber(f"祁政办发〔2024〕{n}号", "祁政办发", 2024, n), region=REGION, doc_type="方案",
        text=text + (f"\n根据《祁政办发〔2024〕{cites}号》要求。" if cites else ""),
        attachments=(AttachmentLink(f"http://q.test/{n}.pdf", f"附件{n}", "pdf"),))


PAGES = [_doc(1, BODY, cites="3"), _doc(2, COPY), _doc(3, OTHER), _doc(4, OTHER, cites="1")]


def _store(archive: Archive, batched: bool) -> None:
    archive.upsert_site({"id": "q", "name": "祁阳", "region": "431121", "family": "trs", "base_url": "http://q.test"})

    def pages():
        for n, page in enumerate(PAGES, 1):
            archive.ingest(page, site_id="q", seen_at=datetime(2024, 6, 1))
            if n == 2:   # a file's text arriving for a page of the same batch
                capture = archive.record_capture("http://q.test/1.pdf", 200, {}, None, site_id="q")
                archive.link_attachment_capture("http://q.test/1.html", "http://q.test/1.pdf", capture,
                                                text="附件正文：活动安排表。", at=datetime(2024, 6, 1))
    if batched:
        with archive.batch():
            pages()
    else:
        pages()


def _state(archive: Archive) -> dict:
    with archive.reading() as s:
        docs = {row.url: row for row in s.scalars(select(Document))}
        ids = {row.id: url for url, row in docs.items()}
        clusters = {url: sorted(u for u, other in docs.items() if other.cluster_id == row.cluster_id)
                    for url, row in docs.items()}
        cites = sorted((ids[c.document_id], c.number_key, ids.get(c.cited_id)) for c in s.scalars(select(Citation)))
        texts = {url: row.text for url, row in docs.items()}
    return {"clusters": clusters, "citations": cites, "texts": texts}


def test_a_batch_stores_what_page_by_page_stores(database_url, tmp_path):
    batched = Archive(database_url)
    _store(batched, batched=True)
    one_by_one = Archive(f"sqlite:///{tmp_path / 'one-by-one.sqlite'}")
    _store(one_by_one, batched=False)
    state = _state(batched)
    assert state == _state(one_by_one)
    assert state["clusters"]["http://q.test/1.html"] == ["http://q.test/1.html", "http://q.test/2.html"]
    assert ("http://q.test/4.html", "2024:1", "http://q.test/1.html") in state["citations"]
    assert "活动安排表" in state["texts"]["http://q.test/1.html"]
    batched.close()
    one_by_one.close()


def test_an_error_in_a_batch_leaves_none_of_it(archive):
    archive.upsert_site({"id": "q", "name": "祁阳", "region": "431121", "family": "trs", "base_url": "http://q.test"})
    with pytest.raises(RuntimeError):
        with archive.batch():
            archive.ingest(PAGES[0], site_id="q")
            archive.record_capture("http://q.test/1.html", 200, {}, None, site_id="q")
            raise RuntimeError("the next page failed")
    with archive.reading() as s:
        assert s.scalars(select(Document)).all() == []
    archive.ingest(PAGES[0], site_id="q")   # the archive takes writes again
    with archive.reading() as s:
        assert len(s.scalars(select(Document)).all()) == 1


def test_batches_do_not_nest(archive):
    with archive.batch():
        with pytest.raises(RuntimeError):
            with archive.batch():
                pass
