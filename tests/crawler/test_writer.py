"""The archive writer's store stage: a batch of extracted pages stored at once; a page at fault fails
alone; a storage problem is every page's answer and stops the writer."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from archive.extract.document import ExtractedDocument, Region, SiteHint
from archive.models import Capture, Document
from archive.store import Archive
from crawler.items import CapturedPage
from crawler.pipelines.extraction import ExtractionPipeline
from crawler.writer_stages import _extracted, store_batch

PAGE = """<html><head><title>{title}</title></head><body><div class="nav">首页 | 政务公开</div>
<h1>{title}</h1><div class="content"><p>为深入推进政务公开工作，结合本县实际，制定本方案。</p>
<p>一、总体要求。坚持以人民为中心，统筹推进第{n}项重点任务，确保按期完成。</p></div></body></html>"""


def _page(n: int, site_id: str = "q") -> CapturedPage:
    body = PAGE.format(title=f"祁阳县政务公开工作方案{n}", n=n).encode("utf-8")
    return CapturedPage(url=f"http://q.test/{n}.html", body=body, headers={"Content-Type": "text/html; charset=utf-8"},
                        status=200, site_id=site_id, fetched_at=datetime(2024, 6, 1),
                        site=SiteHint(id=site_id, name="祁阳县", region_code="431121", family="generic"))


def _batch(pages: list[CapturedPage]) -> list:
    extraction = ExtractionPipeline()
    return [(n, _extracted(extraction.process_item(page)), None, None) for n, page in enumerate(pages)]


def _archive(tmp_path) -> Archive:
    archive = Archive(f"sqlite:///{tmp_path / 'archive.sqlite'}")
    archive.upsert_site({"id": "q", "name": "祁阳县", "region": "431121", "family": "generic",
                         "base_url": "http://q.test"})
    return archive


def _urls(archive: Archive, model=Document) -> list[str]:
    with archive.reading() as s:
        return sorted(s.scalars(select(model.url)))


def test_a_batch_is_stored_and_every_page_answered(tmp_path):
    archive = _archive(tmp_path)
    answers, fatal = store_batch(archive, _batch([_page(1), _page(2), _page(3)]))
    assert fatal is None
    assert [(seq, stored.outcome, stored.error) for seq, stored in answers] == [(0, "new", None), (1, "new", None),
                                                                                (2, "new", None)]
    assert answers[0][1].document.title == "祁阳县政务公开工作方案1" and answers[0][1].document.text == ""
    assert _urls(archive) == [f"http://q.test/{n}.html" for n in (1, 2, 3)]


def test_a_page_at_fault_fails_alone(tmp_path):
    archive = _archive(tmp_path)
    # a site the archive does not know: its rows break a foreign key, the other pages are stored
    answers, fatal = store_batch(archive, _batch([_page(1), _page(2, site_id="unknown"), _page(3)]))
    assert fatal is None
    assert [stored.outcome for _, stored in answers] == ["new", None, "new"]
    assert answers[1][1].error and "IntegrityError" in answers[1][1].error
    assert _urls(archive) == ["http://q.test/1.html", "http://q.test/3.html"]
    assert _urls(archive, Capture) == ["http://q.test/1.html", "http://q.test/3.html"]


def test_an_extraction_error_is_that_page_s_answer(tmp_path):
    archive = _archive(tmp_path)
    batch = _batch([_page(1)]) + [(1, _page(2), None, "Traceback: extraction failed")]
    answers, fatal = store_batch(archive, batch)
    assert fatal is None
    assert answers[0][1].outcome == "new" and answers[1][1].error == "Traceback: extraction failed"
    assert _urls(archive) == ["http://q.test/1.html"]


def _locked_at_second_page(archive: Archive, monkeypatch) -> None:
    calls = []
    original = archive.ingest

    def locked(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return original(*args, **kwargs)

    monkeypatch.setattr(archive, "ingest", locked)


def test_a_storage_problem_answers_every_page_of_its_transaction_and_keeps_none(tmp_path, monkeypatch):
    archive = _archive(tmp_path)
    _locked_at_second_page(archive, monkeypatch)
    answers, fatal = store_batch(archive, _batch([_page(1), _page(2), _page(3)]), hold=60)
    assert fatal and "locked" in fatal
    assert [stored.fatal for _, stored in answers] == [fatal] * 3
    assert _urls(archive) == [] and _urls(archive, Capture) == []


def test_pages_committed_before_a_storage_problem_keep_their_answers(tmp_path, monkeypatch):
    archive = _archive(tmp_path)
    _locked_at_second_page(archive, monkeypatch)
    # hold 0: every page its own transaction, the first committed before the second fails
    answers, fatal = store_batch(archive, _batch([_page(1), _page(2), _page(3)]), hold=0)
    assert fatal and "locked" in fatal
    assert [(stored.outcome, stored.fatal) for _, stored in answers] == [("new", None), (None, fatal), (None, fatal)]
    assert _urls(archive) == ["http://q.test/1.html"]


def test_the_extractor_sends_the_page_s_template_keys_not_its_bytes():
    item = _extracted(ExtractionPipeline().process_item(_page(1)))
    assert item.body == b"" and item.document.page_lines == ()
    assert "祁阳县政务公开工作方案1" in item.extra["page_keys"]
    assert isinstance(item.document, ExtractedDocument) and item.document.region != Region()


def test_the_store_takes_pages_in_while_it_stores_a_batch(tmp_path, monkeypatch):
    """The extractor never waits for a batch's commit: while the store works, what the extractor
    sends is read off the pipe (far more than a pipe's 64 KiB), and all of it is stored after."""
    import multiprocessing
    import threading
    import time

    import crawler.writer_stages as stages

    storing = threading.Event()
    slow = stages.store_batch

    def store_batch_slowly(archive, batch, *args):
        if not storing.is_set():                                # the first batch takes a second
            storing.set()
            time.sleep(1.0)
        return slow(archive, batch, *args)

    monkeypatch.setattr(stages, "store_batch", store_batch_slowly)
    inbox, sender = multiprocessing.Pipe(duplex=False)
    answers_in, answers = multiprocessing.Pipe(duplex=False)
    _archive(tmp_path).close()
    store = threading.Thread(target=stages.store_stage, daemon=True,
                             args=([inbox], answers, [], f"sqlite:///{tmp_path / 'archive.sqlite'}", 8, 0.05))
    monkeypatch.setattr(stages, "_child", lambda close: None)   # a thread here, not a forked process
    store.start()
    pages = _batch([_page(n) for n in range(24)])
    sender.send(pages[0])
    sender.send(pages[1])
    assert storing.wait(10)
    began = time.monotonic()
    padding = "政务公开" * 20_000                                 # ~240 KB a page: 4 pages overflow a pipe
    for message in pages[2:6]:
        message[1].extra["padding"] = padding
        sender.send(message)
    assert time.monotonic() - began < 0.8                     # sent while the first batch was stored
    for message in pages[6:]:
        sender.send(message)
    sender.send(None)
    answered = []
    while len(answered) < len(pages):
        answered += answers_in.recv()
    store.join(30)
    assert sorted(seq for seq, _ in answered) == list(range(24))
    assert all(stored.outcome == "new" for _, stored in answered)


def test_a_batch_reads_its_pages_documents_at_once(tmp_path):
    """The pages' documents (new ones the first time, known ones again) are read by one SELECT per
    batch, not one per page."""
    from sqlalchemy import event

    archive = _archive(tmp_path)
    sent: list[str] = []
    event.listen(archive.engine, "before_cursor_execute", lambda _c, _cu, statement, *_a: sent.append(statement))
    for _ in range(2):
        answers, fatal = store_batch(archive, _batch([_page(1), _page(2), _page(3)]))
        assert fatal is None and all(stored.error is None for _, stored in answers)
    reads = [s for s in sent if s.lstrip().startswith("SELECT") and "FROM documents" in s and "documents.url" in s]
    assert len(reads) == 2 and all(" IN " in s for s in reads)
    assert [stored.outcome for _, stored in answers] == ["unchanged"] * 3
    archive.close()
