"""A replaced attachment is a version of its document: the version page shows the file's diff."""
from __future__ import annotations

from datetime import date, datetime

from archive.config import DataDir
from archive.extract.document import ExtractedDocument, Region
from archive.store import Archive
from archive.store.runs import start_run

URL = "http://www.qiyang.gov.cn.test/zwgk/202405/t20240524_9.html"
FILE = "http://www.qiyang.gov.cn.test/zwgk/202405/P020240524000000091.xlsx"


def test_version_page_shows_what_the_replaced_file_changed(tmp_path):
    from search_ui import create_app

    data = DataDir(tmp_path).ensure()
    archive = Archive(data.database_url)
    archive.upsert_site({"id": "qiyang", "name": "祁阳市人民政府", "region": "431181", "family": "trs",
                         "base_url": "http://www.qiyang.gov.cn.test", "columns": []})
    doc = ExtractedDocument(url=URL, title="祁阳市2024年政务公开工作方案", published=date(2024, 5, 24),
                            region=Region("湖南省", "永州市", "祁阳市", "431181"), text="详见附件。")
    doc_id = archive.ingest(doc, site_id="qiyang", seen_at=datetime(2024, 6, 1)).document_id
    first = archive.record_capture(FILE, 200, {}, None, site_id="qiyang")
    archive.link_attachment_capture(URL, FILE, first, text="工作任务\n2024年6月底前完成", digest="sha1:a")
    later = start_run(archive, "qiyang")
    second = archive.record_capture(FILE, 200, {}, None, site_id="qiyang")
    assert archive.link_attachment_capture(URL, FILE, second, text="工作任务\n2024年9月底前完成<b>", run_id=later,
                                           digest="sha1:b", replaced=True) == "changed"
    archive.close()
    app = create_app({"DATA_DIR": str(data.root), "TESTING": True})
    try:
        client = app.test_client()
        data = client.get(f"/doc/{doc_id}/versions/2.json").get_json()
        assert data["summary"]["change"] == 1
        (change,) = [b for b in data["blocks"] if b["kind"] == "change"]
        assert "6" in change["old"] and "9" in change["new"]
        page = client.get(f"/doc/{doc_id}/versions/2").get_data(as_text=True)
        assert "<ins>9</ins>" in page and "&lt;b&gt;" in page and "<b>" not in page
        assert "【附件：" in page
    finally:
        app.extensions["govplans"].archive.close()
