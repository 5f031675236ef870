"""Archive.batch: many pages in one transaction, the same archive as storing them one by one."""
from __future__ import annotations

import dataclasses
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


AGGREGATOR_SITE = {"id": "wk", "name": "文库", "region": None, "family": "aggregator", "base_url": "http://wk.test"}


def _recrawl(archive: Archive, batched: bool, read_ahead: tuple = ()) -> None:
    """Two runs: the pages, then a recrawl where a cited plan and a citing one both change (the citing
    one's old citation, resolved again by the cited one's turn, is replaced at its own), one stays as it
    was, a file's text arrives, and a lone copy on an aggregator site comes (a cluster without a canonical)."""
    from archive.store.runs import start_run

    archive.upsert_site({"id": "q", "name": "祁阳", "region": "431121", "family": "trs", "base_url": "http://q.test"})
    archive.upsert_site(AGGREGATOR_SITE)
    first = datetime(2024, 6, 1)
    second = datetime(2024, 7, 1)
    runs = [start_run(archive, "q"), start_run(archive, "q")]
    changed_one = _doc(1, BODY + "\n补充：增加线上活动。", cites="3")
    changed_four = _doc(4, OTHER, cites="3")
    lone = dataclasses.replace(_doc(9, "范文：" + OTHER + "\n文库整理。"), url="http://wk.test/9.html")
    rounds = [(runs[0], first, [("q", page) for page in PAGES]),
              (runs[1], second, [("q", changed_one), ("q", PAGES[1]), ("q", changed_four), ("wk", lone)])]
    for run_id, seen_at, pages in rounds:
        def store():
            for site, page in pages:
                archive.ingest(page, site_id=site, seen_at=seen_at, run_id=run_id)
            capture = archive.record_capture("http://q.test/4.pdf", 200, {}, None, site_id="q", fetched_at=seen_at)
            archive.link_attachment_capture("http://q.test/4.html", "http://q.test/4.pdf", capture, run_id=run_id,
                                            text=f"附件：{seen_at:%m}月安排，依据祁政办发〔2024〕2号。", at=seen_at)
        if batched:
            with archive.batch():
                if read_ahead:
                    archive.read_ahead(read_ahead)
                store()
        else:
            store()


def _full_state(archive: Archive) -> dict:
    from archive.models import Attachment, Cluster, DocumentEvent, Version

    with archive.reading() as s:
        docs = {row.url: row for row in s.scalars(select(Document))}
        url = {row.id: u for u, row in docs.items()}
        clusters = {c.id: c for c in s.scalars(select(Cluster))}
        return {
            "documents": {u: (row.content_hash, row.status, row.text, str(row.last_seen), str(row.updated_at))
                          for u, row in docs.items()},
            "clusters": {u: (sorted(o for o, other in docs.items() if other.cluster_id == row.cluster_id),
                             clusters[row.cluster_id].size, url.get(clusters[row.cluster_id].canonical_document_id),
                             str(clusters[row.cluster_id].first_seen))
                         for u, row in docs.items()},
            "cluster_rows": len(clusters),
            "citations": sorted((url[c.document_id], c.position, c.source, c.number_key, url.get(c.cited_id),
                                 c.resolved_by) for c in s.scalars(select(Citation))),
            "versions": sorted((url[v.document_id], v.number, v.content_hash, v.text, v.attachment_text,
                                str(v.seen_at), str(v.last_seen)) for v in s.scalars(select(Version))),
            "events": sorted((e.run_id, url[e.document_id], e.kind, str(e.at)) for e in s.scalars(select(DocumentEvent))),
            "attachments": sorted((url[a.document_id], a.url, a.name, a.text) for a in s.scalars(select(Attachment)))}


def _stored_both_ways(store, database_url: str, tmp_path) -> tuple[dict, dict]:
    """The full state after store(archive, batched=…) in batches and page by page (into SQLite)."""
    batched = Archive(database_url)
    one_by_one = Archive(f"sqlite:///{tmp_path / 'one-by-one.sqlite'}")
    try:
        store(batched, batched=True)
        store(one_by_one, batched=False)
        return _full_state(batched), _full_state(one_by_one)
    finally:
        batched.close()
        one_by_one.close()


def test_a_recrawl_in_batches_stores_what_page_by_page_stores(database_url, tmp_path):
    state, page_by_page = _stored_both_ways(_recrawl, database_url, tmp_path)
    assert state == page_by_page
    cites_of_four = [c for c in state["citations"] if c[0] == "http://q.test/4.html"]
    assert [(c[3], c[4]) for c in cites_of_four] == [("2024:3", "http://q.test/3.html"),
                                                    ("2024:2", "http://q.test/2.html")]
    assert state["clusters"]["http://wk.test/9.html"][1:3] == (1, None)   # an aggregator's copy alone
    assert [v[1] for v in state["versions"] if v[0] == "http://q.test/1.html"] == [1, 2]
    assert ("http://q.test/2.html", 1) in [(v[0], v[1]) for v in state["versions"]]


def _statements(archive: Archive) -> list[str]:
    from sqlalchemy import event

    sent: list[str] = []
    event.listen(archive.engine, "before_cursor_execute", lambda _c, _cu, statement, *_a: sent.append(statement))
    return sent


def test_documents_read_ahead_store_what_page_by_page_stores(database_url, tmp_path):
    """A batch that reads its pages' documents ahead (known ones, unknown ones, one a page of the batch
    makes before its file comes) writes what one-by-one storing writes, and no page looks its row up."""
    batched = Archive(database_url)
    one_by_one = Archive(f"sqlite:///{tmp_path / 'one-by-one.sqlite'}")
    urls = [page.url for page in PAGES] + ["http://wk.test/9.html", "http://q.test/none.html"]
    try:
        sent = _statements(batched)
        _recrawl(batched, batched=True, read_ahead=tuple(urls))
        _recrawl(one_by_one, batched=False)
        assert _full_state(batched) == _full_state(one_by_one)
        by_url = [s for s in sent if "FROM documents" in s and "documents.url =" in s]
        assert by_url == []
    finally:
        batched.close()
        one_by_one.close()


def test_read_ahead_needs_a_batch(archive):
    with pytest.raises(RuntimeError):
        archive.read_ahead(["http://q.test/1.html"])


def test_a_batch_takes_the_shared_cluster_lock_once(database_url):
    """PostgreSQL: the global lock a rebuild takes exclusively is held shared from a batch's first
    assignment to its commit; its later documents do not ask again, the next batch does."""
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's")
    archive = Archive(database_url)
    try:
        archive.upsert_site({"id": "q", "name": "祁阳", "region": "431121", "family": "trs", "base_url": "http://q.test"})
        sent = _statements(archive)
        for pages in (PAGES[:3], PAGES[3:]):
            with archive.batch():
                for page in pages:
                    archive.ingest(page, site_id="q", seen_at=datetime(2024, 6, 1))
        assert sum("pg_advisory_xact_lock_shared" in s for s in sent) == 2
        archive.assign_cluster(1)   # a transaction of its own takes it too
        assert sum("pg_advisory_xact_lock_shared" in s for s in sent) == 3
    finally:
        archive.close()


def _two_files(archive: Archive, batched: bool) -> None:
    """A page with two files whose texts come in the page's batch, the second twice (read again the same)."""
    archive.upsert_site({"id": "q", "name": "祁阳", "region": "431121", "family": "trs", "base_url": "http://q.test"})
    page = dataclasses.replace(_doc(5, OTHER), attachments=(AttachmentLink("http://q.test/5a.pdf", "附件一", "pdf"),
                                                            AttachmentLink("http://q.test/5b.pdf", "附件二", "pdf")))

    def store():
        archive.ingest(page, site_id="q", seen_at=datetime(2024, 6, 1))
        for name, text in (("5a", "附件一：活动安排表。"), ("5b", "附件二：报名表，依据祁政办发〔2024〕1号。"),
                           ("5b", "附件二：报名表，依据祁政办发〔2024〕1号。")):
            capture = archive.record_capture(f"http://q.test/{name}.pdf", 200, {}, None, site_id="q")
            archive.link_attachment_capture(page.url, f"http://q.test/{name}.pdf", capture, text=text,
                                            at=datetime(2024, 6, 2))
    if batched:
        with archive.batch():
            store()
    else:
        store()


def test_files_of_one_document_in_one_batch_compose_as_one_by_one(database_url, tmp_path):
    """A file's row, its document's text and its version's files are written by Core in a batch: the
    session's objects must hold what was written (the second file's composition reads the first's text)."""
    state, page_by_page = _stored_both_ways(_two_files, database_url, tmp_path)
    assert state == page_by_page
    text = state["documents"]["http://q.test/5.html"][2]
    assert "活动安排表" in text and "报名表" in text
    (version,) = [v for v in state["versions"] if v[0] == "http://q.test/5.html"]
    assert "活动安排表" in version[4] and "报名表" in version[4]
    assert state["documents"]["http://q.test/5.html"][4] == "2024-06-02 00:00:00"


def test_a_cluster_refreshed_by_core_keeps_the_sessions_object_in_step(archive):
    """refresh_cluster writes the row by one Core UPDATE: an object of it the session holds (a batch's
    earlier document loaded it) has the values written, and no stale change of its own left to flush."""
    from archive.models import Cluster
    from archive.store.cluster_rows import refresh_cluster

    archive.upsert_site({"id": "q", "name": "祁阳", "region": "431121", "family": "trs", "base_url": "http://q.test"})
    for page in PAGES[:2]:   # near copies: one cluster of two
        archive.ingest(page, site_id="q", seen_at=datetime(2024, 6, 1))
    with archive.session() as s:
        cluster_id = s.scalar(select(Document.cluster_id).where(Document.url == PAGES[0].url))
        held = s.get(Cluster, cluster_id)
        held.size = 99   # a change pending on the object, replaced by the refresh
        refresh_cluster(s, cluster_id, datetime(2024, 6, 2))
        assert (held.size, held.updated_at) == (2, datetime(2024, 6, 2))
    with archive.reading() as s:
        assert s.get(Cluster, cluster_id).size == 2
