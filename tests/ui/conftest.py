"""A small archive (7 documents, 2 provinces, 3 counties, 2 years, 2 themes) and its index.

Besides the documents: one archived HTML capture (GBK, with a script that must never run),
a second version of one document, two template families (clusters) and crawl runs of
which two mark their site broken.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from archive.config import DataDir
from archive.extract.document import AttachmentLink, DocNumber, ExtractedDocument, Region
from archive.models import Cluster, Document
from archive.store import Archive
from archive.store import runs as crawl_runs
from archive.store.clusters import refresh_cluster
from archive.store.index_feed import iter_index_docs
from archive.warc import WarcWriter

QIYANG = Region("湖南省", "永州市", "祁阳市", "431121")
JIANGYONG = Region("湖南省", "永州市", "江永县", "431125")
JINXIAN = Region("江西省", "南昌市", "进贤县", "360124")
XSS = "<script>alert(1)</script>"

SITES = [
    {"id": "qiyang", "name": "祁阳市人民政府", "region": "431121", "family": "trs",
     "base_url": "http://www.qiyang.gov.cn.test"},
    {"id": "jiangyong", "name": "江永县人民政府", "region": "431125", "family": "generic",
     "base_url": "http://www.jiangyong.gov.cn.test"},
    {"id": "jinxian", "name": "进贤县人民政府", "region": "360124", "family": "hanweb",
     "base_url": "http://www.jinxian.gov.cn.test"},
    {"id": "wenku", "name": "范文<b>文库</b>", "family": "aggregator", "base_url": "http://www.wenku.test"},
]


def _doc(n: int, title: str, region: Region, year: int, theme: str, doc_type: str, text: str, **extra):
    site = {"431121": "qiyang", "431125": "jiangyong", "360124": "jinxian"}[region.code]
    return site, ExtractedDocument(
        url=f"http://www.{site}.gov.cn.test/zwgk/{year}05/t{year}0501_{n}.html",
        title=title, published=date(year, 5, n), region=region, year=year, doc_type=doc_type,
        themes=(theme,), text=text, **extra)


DOCS = [
    _doc(1, "祁阳市2024年政务公开日活动方案", QIYANG, 2024, "政务公开", "方案",
         "一、活动目标\n围绕政务公开日开展宣传活动。\n二、活动安排\n（一）启动仪式\n5月举办启动仪式。",
         agency="祁阳市人民政府办公室", index_number="431121-2024-0001",
         doc_number=DocNumber("祁政办发〔2024〕5号", "祁政办发", 2024, 5),
         written=date(2024, 4, 28), outline=("一、活动目标", "二、活动安排", "（一）启动仪式"),
         attachments=(AttachmentLink("http://www.qiyang.gov.cn.test/zwgk/202405/P1.pdf", "活动安排表.pdf", "pdf"),),
         sources={"title": "meta:ArticleTitle", "published": "meta:PubDate", "agency": "table:发布机构",
                  "doc_number": "table:文号", "region": "site:qiyang"}),
    _doc(2, "祁阳市2023年政务公开工作要点", QIYANG, 2023, "政务公开", "要点",
         "全面推进政务公开标准化规范化。"),
    _doc(3, "江永县2024年乡村振兴实施方案", JIANGYONG, 2024, "乡村振兴", "方案",
         "一、总体要求\n推进乡村振兴，发展特色产业。\n二、保障措施\n加强组织领导。"),
    _doc(4, "江永县关于开展政务公开宣传周的通知", JIANGYONG, 2023, "政务公开", "通知",
         "各乡镇：现就政务公开宣传周有关事项通知如下。"),
    _doc(5, "进贤县2024年乡村振兴工作通知", JINXIAN, 2024, "乡村振兴", "通知",
         "做好乡村振兴重点工作。"),
    _doc(6, f"进贤县政务公开{XSS}方案", JINXIAN, 2023, "政务公开", "方案",
         f"正文含有脚本{XSS}，必须原样显示为文字。",
         attachments=(AttachmentLink("javascript:alert(2)", "恶意附件", "pdf"),)),
    _doc(7, "进贤县2023年乡村振兴实施方案", JINXIAN, 2023, "乡村振兴", "方案",
         "一、总体要求\n巩固拓展脱贫攻坚成果同乡村振兴有效衔接。\n二、保障措施\n加强组织领导。"),
]

# the archived page of document 1: GBK bytes whose script would mark the page if it ran
CAPTURED_HTML = (
    "<html><head><meta charset='gbk'><title>祁阳市政务公开日</title>"
    "<script>document.title='pwned';document.documentElement.setAttribute('data-pwned','1');"
    "try{parent.document.title='pwned'}catch(e){}</script></head>"
    "<body><h1 id='archived-heading'>祁阳市2024年政务公开日活动方案</h1><p>存档原貌</p>"
    "<img src='http://evil.test/track.gif'></body></html>").encode("gbk")
# document 2 was edited after the first crawl: one paragraph changed, one (with markup) added
EDITED_TEXT = "全面推进政务公开标准化规范化建设。\n加强<b>政策解读</b>工作。"
# template families: cluster id -> titles of its copies
FAMILIES = {1: ("江永县2024年乡村振兴实施方案", "进贤县2023年乡村振兴实施方案"),
            2: ("祁阳市2024年政务公开日活动方案", "江永县关于开展政务公开宣传周的通知", f"进贤县政务公开{XSS}方案"),
            3: ("进贤县2024年乡村振兴工作通知",)}   # a cluster of one is no family


def build_world(root: Path) -> DataDir:
    """The fixture archive and its index under `root` (shared with tests/browser)."""
    from archive import index

    data = DataDir(root).ensure()
    archive = Archive(data.database_url)
    for site in SITES:
        archive.upsert_site(site)
    for site, doc in DOCS:
        archive.ingest(doc, site_id=site, seen_at=datetime(2024, 6, 1, 8, 0))
    _, edited = DOCS[1]
    archive.ingest(replace(edited, text=EDITED_TEXT), site_id="qiyang", seen_at=datetime(2024, 7, 1, 9, 30))

    warc = WarcWriter(data.warc_dir)
    page = warc.write(DOCS[0][1].url, 200, "OK", {"Content-Type": "text/html"}, CAPTURED_HTML)
    pdf = warc.write("http://www.qiyang.gov.cn.test/zwgk/202405/P1.pdf", 200, "OK",
                     {"Content-Type": "application/pdf"}, b"%PDF-1.4 not html")
    warc.close()
    page_capture = archive.record_capture(DOCS[0][1].url, 200, {"content-type": "text/html"}, page, "qiyang")
    archive.record_capture("http://www.qiyang.gov.cn.test/zwgk/202405/P1.pdf", 200,
                           {"content-type": "application/pdf"}, pdf, "qiyang")
    lost = replace(page, file="gone.warc.gz")    # a capture whose WARC file was deleted
    archive.record_capture("http://www.qiyang.gov.cn.test/lost.html", 200, {}, lost, "qiyang")
    with archive.session() as s:
        s.execute(update(Document).where(Document.url == DOCS[0][1].url).values(capture_id=page_capture))
        # the families this fixture declares, not whatever ingest's dedup found in these short texts
        s.execute(update(Document).values(cluster_id=None))
        s.execute(delete(Cluster))
        for cluster, titles in FAMILIES.items():
            s.execute(update(Document).where(Document.title.in_(titles)).values(cluster_id=cluster))
            s.add(Cluster(id=cluster, first_seen=datetime(2024, 6, 1, 8, 0), updated_at=datetime(2024, 6, 1, 8, 0)))
            s.flush()
            refresh_cluster(s, cluster, datetime(2024, 6, 1, 8, 0))   # its canonical copy, as dedup picks it

    run = crawl_runs.start_run(archive, "qiyang")
    crawl_runs.finish_run(archive, run, pages=3, new=2, errors={"timeout": 1})
    run = crawl_runs.start_run(archive, "jiangyong")          # broken: a run that found no page
    crawl_runs.finish_run(archive, run, pages=0, errors={})
    run = crawl_runs.start_run(archive, "wenku")              # broken: more errors than pages
    crawl_runs.finish_run(archive, run, pages=2, errors={"http_500": 2, "timeout": 1})
    index.rebuild(data.index_dir, iter_index_docs(archive))
    archive.close()
    return data


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> DataDir:
    return build_world(tmp_path_factory.mktemp("govplans-data"))


@pytest.fixture()
def app(data_dir, request):
    """The UI over the session's archive; `indirect` parametrize passes extra config."""
    from search_ui import create_app

    app = create_app({"DATA_DIR": str(data_dir.root), "TESTING": True, **getattr(request, "param", {})})
    yield app
    app.extensions["govplans"].archive.close()


@pytest.fixture()
def client(app):
    return app.test_client()


def html_of(response):
    """The response parsed as HTML (lxml), for following links the way a reader would."""
    import lxml.html

    return lxml.html.fromstring(response.get_data(as_text=True))
