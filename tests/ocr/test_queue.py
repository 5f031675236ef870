"""The OCR queue end to end on one small scan: queued by the crawl's store, pending on the document,
recognised by a worker process (govplans ocr's run_ocr), marked with its confidence, found by search;
a broken file is a recorded failure; --all runs again."""
from __future__ import annotations

from archive import index as search_index
from archive.config import DataDir
from archive.extract import ExtractedDocument
from archive.operations.ocr import run_ocr
from archive.read.documents import get_document, recognition
from archive.store import Archive
from archive.store import ocr as queue
from archive.warc import WarcWriter
from sitefarm import scans

LINES = ["关于开展防汛演练的通知", "各乡镇人民政府：定于六月开展防汛应急演练。"]


def _archive_with_scans(tmp_path):
    data = DataDir(tmp_path).ensure()
    archive = Archive(data.database_url)
    writer = WarcWriter(data.warc_dir)
    doc_url = "http://x.gov.cn.test/t1.html"
    archive.ingest(ExtractedDocument(url=doc_url, title="防汛演练", text="详见附件。"))
    pages = scans.render_pages(LINES[0], LINES[1:], "seal")
    pages = [page.crop((0, 0, page.width, 500)) for page in pages]        # small: a quick test
    for url, body in ((doc_url.replace("t1.html", "P1.png"), scans.image_file(pages, "png")),
                      (doc_url.replace("t1.html", "P2.png"), b"\x89PNG\r\n\x1a\n broken")):
        location = writer.write(url, 200, "OK", {"Content-Type": "image/png"}, body)
        capture = archive.record_capture(url, 200, {}, location)
        archive.link_attachment_capture(doc_url, url, capture, text="", ocr="image")
    writer.close()
    return data, archive


def test_a_queued_scan_is_recognised_marked_and_searchable(tmp_path):
    data, archive = _archive_with_scans(tmp_path)
    doc = get_document(archive, 1)
    assert {job["status"] for job in recognition(archive, doc.id).values()} == {"pending"}

    seen = []
    summary = run_ocr(data, workers=1, progress=lambda done, total: seen.append((done, total)))
    assert (summary.files, summary.done, summary.failed) == (2, 1, 1)
    assert seen[-1] == (2, 2)
    states = {a.url.rsplit("/", 1)[1]: recognition(archive, doc.id)[a.id] for a in get_document(archive, 1).attachments}
    assert states["P1.png"]["status"] == "done" and states["P1.png"]["confidence"] > 0.9
    assert states["P1.png"]["engine"].startswith("rapidocr")
    assert states["P2.png"]["status"] == "failed" and states["P2.png"]["error"]
    text = next(a.text for a in get_document(archive, 1).attachments if a.url.endswith("P1.png"))
    assert "防汛应急演练" in text
    assert summary.indexed == 1
    assert search_index.search(data.index_dir, "防汛应急演练").total == 1

    assert run_ocr(data, workers=1).files == 0                  # nothing pending: nothing to do
    again = run_ocr(data, workers=1, everything=True, index=False)
    assert again.files == 2 and queue.counts(archive) == {"done": 1, "failed": 1}
    archive.close()


def test_a_scan_fetched_again_unchanged_keeps_its_text_and_is_not_queued_again(tmp_path):
    data = DataDir(tmp_path).ensure()
    archive = Archive(data.database_url)
    archive.ingest(ExtractedDocument(url="http://x.test/t1.html", title="t", text="详见附件。"))
    writer = WarcWriter(data.warc_dir)
    first = writer.write("http://x.test/P1.jpg", 200, "OK", {}, b"\xff\xd8\xff same bytes")
    capture = archive.record_capture("http://x.test/P1.jpg", 200, {}, first)
    archive.link_attachment_capture("http://x.test/t1.html", "http://x.test/P1.jpg", capture, text="", ocr="image")
    job = queue.claim(archive, "test")[0]
    queue.finish(archive, job.job_id, "识别出的文字", 0.99, "rapidocr", 1, 1)
    again = writer.write("http://x.test/P1.jpg", 200, "OK", {}, b"\xff\xd8\xff same bytes")
    capture = archive.record_capture("http://x.test/P1.jpg", 200, {}, again)
    archive.link_attachment_capture("http://x.test/t1.html", "http://x.test/P1.jpg", capture, text="", ocr="image")
    assert queue.counts(archive) == {"done": 1}
    assert get_document(archive, 1).attachments[0].text == "识别出的文字"
    changed = writer.write("http://x.test/P1.jpg", 200, "OK", {}, b"\xff\xd8\xff new bytes")
    capture = archive.record_capture("http://x.test/P1.jpg", 200, {}, changed)
    archive.link_attachment_capture("http://x.test/t1.html", "http://x.test/P1.jpg", capture, text="", ocr="image")
    assert queue.counts(archive) == {"pending": 1}
    writer.close()
    archive.close()


def test_the_command_on_an_archive_with_nothing_queued(tmp_path):
    import json

    from tests.conftest import run_govplans

    Archive(DataDir(tmp_path).ensure().database_url).close()
    done = run_govplans("ocr", "--json", data=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"] == 0
    assert run_govplans("ocr", "--data", str(tmp_path / "none")).returncode == 1
