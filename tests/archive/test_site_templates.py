"""The archive learns each site's template from the pages it stores: navigation that the per-page
cascade let through is cut, pages stored before the template was known are cleaned, a redesign
starts a new template, and a file's text joins its document's text."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from archive.extract.document import AttachmentLink, ExtractedDocument
from archive.extract.site_chrome import MIN_PAGES
from archive.models import Document, SiteTemplate, Version
from archive.store import Archive, content_hash

NAV = ["今天是：", "祁阳市人民政府", "搜索", "首页", "政务公开", "政务动态", "办事服务", "互动交流"]
FOOTER = ["网站地图 | 联系我们", "主办：祁阳市人民政府办公室"]
SEEN = datetime(2025, 6, 1)


@pytest.fixture()
def archive(tmp_path):
    archive = Archive(f"sqlite:///{tmp_path / 'a.sqlite'}")
    archive.upsert_site({"id": "qiyang", "name": "祁阳市人民政府", "base_url": "http://www.qiyang.gov.cn"})
    yield archive
    archive.close()


def _page(n: int, nav_in_text: bool, header=NAV, footer=FOOTER, **changes) -> ExtractedDocument:
    title = f"关于印发祁阳市第{n}号工作方案的通知"
    body = [f"第{n}号方案的正文，内容各不相同，编号{n * 13}。", f"二、工作目标{n}"]
    text = "\n".join(([*header, title, "详见附件。"] if nav_in_text else [title, *body]))
    fields = dict(url=f"http://www.qiyang.gov.cn/zwgk/t{n}.html", title=title, text=text,
                  page_lines=tuple([*header, title, *body, *footer]))
    return ExtractedDocument(**(fields | changes))


def _texts(archive) -> dict[str, str]:
    with archive.reading() as s:
        return dict(s.execute(select(Document.url, Document.text)).all())


def test_navigation_stored_before_the_template_was_known_is_cleaned_when_it_is(archive):
    early = _page(0, nav_in_text=True)
    archive.ingest(early, site_id="qiyang", seen_at=SEEN)
    assert _texts(archive)[early.url].startswith("今天是")        # no history yet: the page's own reading
    for n in range(1, MIN_PAGES):
        archive.ingest(_page(n, nav_in_text=False), site_id="qiyang", seen_at=SEEN)
    late = _page(50, nav_in_text=True)
    archive.ingest(late, site_id="qiyang", seen_at=SEEN)
    texts = _texts(archive)
    assert texts[late.url] == f"{late.title}\n详见附件。"
    assert texts[early.url] == f"{early.title}\n详见附件。"
    with archive.reading() as s:
        row = s.scalar(select(Document).where(Document.url == early.url))
        version = s.scalar(select(Version).where(Version.document_id == row.id))
    assert version.text == texts[early.url]                           # a cleaning, not an edit
    assert row.content_hash == content_hash(early.title, texts[early.url])
    assert archive.ingest(_page(0, nav_in_text=True), site_id="qiyang", seen_at=SEEN).outcome == "unchanged"


def test_a_redesign_starts_a_new_template(archive):
    for n in range(MIN_PAGES + 2):
        archive.ingest(_page(n, nav_in_text=False), site_id="qiyang", seen_at=SEEN)
    redesigned = ["m-header", "首页 / 政务公开", "g-nav 新版导航", "栏目一", "栏目二"]
    for n in range(100, 103):
        archive.ingest(_page(n, nav_in_text=False, header=redesigned, footer=["新版页脚 主办"]),
                       site_id="qiyang", seen_at=SEEN)
    with archive.reading() as s:
        pages = s.scalars(select(SiteTemplate.pages).where(SiteTemplate.site_id == "qiyang")
                          .order_by(SiteTemplate.id)).all()
    assert pages == [MIN_PAGES + 2, 3]


def test_a_page_without_a_site_keeps_its_text(archive):
    page = _page(1, nav_in_text=True)
    archive.ingest(page, seen_at=SEEN)
    assert _texts(archive)[page.url] == page.text


def test_a_file_text_joins_its_document_under_a_heading_and_moves_its_cluster(archive):
    link = AttachmentLink(url="http://www.qiyang.gov.cn/zwgk/P1.pdf", name="附件：祁阳市工作方案.pdf", ext="pdf")
    plan = "\n".join(f"第{n}条 各乡镇要按照本方案第{n}项要求推进政务公开标准化规范化建设，确保按期完成。"
                     for n in range(1, 30))
    page = ExtractedDocument(url="http://www.qiyang.gov.cn/zwgk/t1.html", title="祁阳市工作方案",
                             text="祁阳市工作方案\n详见附件。", attachments=(link,))
    copy = ExtractedDocument(url="http://www.qiyang.gov.cn/zwgk/t2.html", title="祁阳市工作方案（转发）",
                             text=plan)
    archive.ingest(page, site_id="qiyang", seen_at=SEEN)
    archive.ingest(copy, site_id="qiyang", seen_at=SEEN)
    with archive.reading() as s:
        before = dict(s.execute(select(Document.url, Document.cluster_id)).all())
    assert before[page.url] != before[copy.url]
    archive.link_attachment_capture(page.url, link.url, archive.record_capture(link.url, 200, {}, None),
                                    text=plan)
    with archive.reading() as s:
        rows = {r.url: r for r in s.scalars(select(Document))}
    assert rows[page.url].text == f"祁阳市工作方案\n详见附件。\n【附件：附件：祁阳市工作方案.pdf】\n{plan}"
    assert rows[page.url].cluster_id == rows[copy.url].cluster_id
    assert rows[page.url].updated_at >= SEEN                       # the index takes it up again
    # the page seen again unchanged keeps its composed text
    assert archive.ingest(page, site_id="qiyang", seen_at=SEEN + timedelta(days=1)).outcome == "unchanged"
    assert _texts(archive)[page.url] == rows[page.url].text


def _template_rows(archive) -> list[tuple]:
    with archive.reading() as s:
        return [(t.pages, t.cleaned_at_pages, dict(t.counts)) for t in s.scalars(select(SiteTemplate).order_by(SiteTemplate.id))]


def test_batches_carry_a_sites_templates_over_and_read_them_again_after_another_writer(tmp_path):
    """A writer's next batch starts from the templates its last batch committed (no reading and
    decoding them again), unless another writer learnt pages of the site meanwhile: then it reads
    them, and the counts add up as if every page had been stored by one writer."""
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    writer, other = Archive(url), Archive(url)
    alone = Archive(f"sqlite:///{tmp_path / 'alone.sqlite'}")
    try:
        for archive in (writer, alone):
            archive.upsert_site({"id": "qiyang", "name": "祁阳市人民政府", "base_url": "http://www.qiyang.gov.cn"})
        pages = [_page(n, nav_in_text=n % 3 == 0) for n in range(3 * MIN_PAGES)]
        rounds = [pages[:MIN_PAGES], pages[MIN_PAGES:2 * MIN_PAGES], pages[2 * MIN_PAGES:]]
        for n, pages_of_round in enumerate(rounds):
            target = other if n == 1 else writer   # the middle batch is another writer's
            for archive in (target, alone):
                with archive.batch():
                    for page in pages_of_round:
                        archive.ingest(page, site_id="qiyang", seen_at=SEEN + timedelta(days=n))
        assert _template_rows(writer) == _template_rows(alone)
        assert _template_rows(writer)[0][0] == 3 * MIN_PAGES
        assert _texts(writer) == _texts(alone)
    finally:
        for archive in (writer, other, alone):
            archive.close()
