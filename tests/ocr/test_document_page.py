"""The document page says a scan's recognition is pending, then shows its text marked as
recognised with the confidence (escaped like every scraped text)."""
from __future__ import annotations

from archive.config import DataDir
from archive.extract import ExtractedDocument
from archive.store import Archive
from archive.store import ocr as queue


def test_pending_then_recognised_with_confidence(tmp_path):
    from search_ui import create_app

    data = DataDir(tmp_path).ensure()
    archive = Archive(data.database_url)
    archive.ingest(ExtractedDocument(url="http://x.gov.cn.test/t1.html", title="防汛演练", text="详见附件。"))
    capture = archive.record_capture("http://x.gov.cn.test/P1.jpg", 200, {}, None)
    archive.link_attachment_capture("http://x.gov.cn.test/t1.html", "http://x.gov.cn.test/P1.jpg", capture,
                                    text="", ocr="image")
    app = create_app({"DATA_DIR": str(data.root), "TESTING": True})
    client = app.test_client()
    try:
        assert "等待文字识别" in client.get("/doc/1").get_data(as_text=True)
        assert client.get("/doc/1.json").get_json()["attachments"][0]["recognition"]["status"] == "pending"

        job = queue.claim(archive, "test")[0]
        queue.finish(archive, job.job_id, "定于六月开展<script>演练</script>", 0.973, "rapidocr 3", 1, 1)
        page = client.get("/doc/1").get_data(as_text=True)
        assert "文字识别（置信度 97%）" in page
        assert "&lt;script&gt;演练" in page and "<script>演练" not in page
        recognition = client.get("/doc/1.json").get_json()["attachments"][0]["recognition"]
        assert (recognition["status"], recognition["confidence"]) == ("done", 0.973)
    finally:
        app.extensions["govplans"].archive.close()
        archive.close()
