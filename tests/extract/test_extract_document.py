"""extract_document on hand-made pages: every field, with where it was found, and the traps."""
from datetime import date

import pytest

from archive.extract import RawPage, SiteHint, extract_document
from tests.extract.pages import PARAGRAPH, legacy_gbk_page, trs_page

URL = "http://www.qiyang.gov.cn/zwgk/202405/t20240521_123456.html"


@pytest.fixture(scope="module")
def trs():
    return extract_document(RawPage(URL, trs_page().encode("utf-8"),
                                    {"content-type": "text/html; charset=utf-8"}))


def test_trs_page_fields_come_from_the_visible_page(trs):
    assert trs.errors == ()
    assert trs.title == "祁阳市2024年政务公开日活动实施方案"
    assert trs.published == date(2024, 5, 21)
    assert trs.written == date(2024, 5, 20)
    assert trs.agency == "祁阳市人民政府办公室"
    assert trs.index_number == "431121001/2024-00321"
    assert (trs.doc_number.raw, trs.doc_number.issuer, trs.doc_number.year, trs.doc_number.number) == \
        ("祁政办发〔2024〕5号", "祁政办发", 2024, 5)
    assert trs.year == 2024 and trs.doc_type == "方案"


def test_trs_page_records_where_each_field_was_found(trs):
    assert trs.sources["title"] == "meta:ArticleTitle"
    assert trs.sources["published"] == "table:发布日期"
    assert trs.sources["written"] == "table:成文日期"
    assert trs.sources["index_number"] == "table:索引号"
    assert trs.sources["doc_number"] == "table:文号"
    assert trs.sources["region"] == "meta:SiteIDCode"


def test_trs_page_region_from_site_id_code(trs):
    assert trs.region.code is not None and trs.region.county and "祁阳" in trs.region.county


def test_site_hint_region_beats_the_page():
    doc = extract_document(RawPage(URL, trs_page().encode()), SiteHint("x", "x", "430100", "trs"))
    assert doc.region.code == "430100" and doc.sources["region"] == "site:region_code"


def test_trs_body_keeps_paragraphs_and_drops_chrome(trs):
    assert PARAGRAPH in trs.text
    assert "各乡镇人民政府，市直各单位：\n" in trs.text  # paragraph breaks kept
    for chrome in ("索引号", "431121001/2024-00321", "分享到", "打印", "关闭窗口", "上一篇", "下一篇",
                   "相关文章", "某镇开展春季植树活动", "扫一扫", "版权所有", "当前位置", "今天是", "字体"):
        assert chrome not in trs.text, chrome


def test_trs_outline_and_attachments(trs):
    assert trs.outline[:4] == ("一、活动主题", "二、活动内容", "（一）开展政府开放日", "1.组织参观政务服务中心，现场体验一网通办")
    assert "三、工作要求" in trs.outline
    [attachment] = trs.attachments
    assert attachment.url == "http://www.qiyang.gov.cn/attach/2024/P0202405.docx"
    assert attachment.ext == "docx" and attachment.name == "政务公开日活动安排表.docx"
    assert "政务公开" in trs.themes


def test_visible_publish_date_beats_a_rewritten_meta_pubdate():
    doc = extract_document(RawPage(URL, trs_page(pubdate_meta="2022-04-24 10:00:43").encode()))
    assert doc.published == date(2024, 5, 21)


def test_todays_clock_is_never_the_publish_date():
    page = trs_page(visible_date="", clock="今天是：2024年6月3日 星期一", pubdate_meta="")
    doc = extract_document(RawPage(URL, page.encode()))
    assert doc.published != date(2024, 6, 3)


def test_related_article_dates_are_never_the_publish_date():
    page = trs_page(visible_date="", pubdate_meta="", clock="")
    doc = extract_document(RawPage(URL, page.encode()))
    assert doc.published not in (date(2024, 6, 1), date(2024, 4, 15))


def test_meta_pubdate_used_when_nothing_visible():
    page = trs_page(visible_date="", pubdate_meta="2024-05-30 09:12:00", related=True)
    doc = extract_document(RawPage(URL, page.encode()))
    assert doc.published == date(2024, 5, 30) and doc.sources["published"] == "meta:PubDate"


def test_legacy_gbk_table_page_without_charset():
    doc = extract_document(RawPage("http://www.example.gov.cn/a.asp?id=1", legacy_gbk_page()))
    assert doc.sources["encoding"] == "gb18030"
    assert doc.title == "关于开展2023年度安全生产大检查的通知"
    assert doc.published == date(2023, 3, 5)
    assert doc.agency == "县应急管理局"
    assert doc.written == date(2023, 3, 3) and doc.sources["written"] == "body:signature"
    assert doc.year == 2023 and doc.doc_type == "通知" and "安全生产" in doc.themes
    assert "确保隐患动态清零" in doc.text
    assert "浏览次数" not in doc.text and "版权所有" not in doc.text


def test_title_drops_the_site_suffix_when_there_is_no_heading_markup():
    page = ("<html><head><title>关于做好2024年春耕生产工作的通知_某县人民政府</title></head><body>"
            f"<div><p>{PARAGRAPH * 3}</p></div></body></html>")
    doc = extract_document(RawPage("http://x.gov.cn/1.html", page.encode()))
    assert doc.title == "关于做好2024年春耕生产工作的通知" and doc.sources["title"] == "title"


def test_heading_wins_over_a_site_name_title():
    page = ("<html><head><title>某县人民政府</title></head><body><div class='nav'>首页</div>"
            f"<h1>某县召开乡村振兴工作推进会</h1><div><p>{PARAGRAPH * 3}</p></div></body></html>")
    doc = extract_document(RawPage("http://x.gov.cn/1.html", page.encode()))
    assert doc.title == "某县召开乡村振兴工作推进会" and doc.sources["title"] == "h1"


@pytest.mark.parametrize("body", [
    b"", b"\x00\x01\x02\xff\xfe\x00" * 50, bytes(range(256)) * 20, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    b"<html><body><div><p>unclosed <b>tags <table><tr><td>", b"<?xml version='1.0' encoding='gbk'?><html/>",
    "<html><body><p>半截页面".encode("utf-8")[:-1], b"<" * 10000, b"<div>" * 5000,
])
def test_bad_input_never_raises(body):
    doc = extract_document(RawPage("http://x.gov.cn/", body))
    assert isinstance(doc.text, str) and isinstance(doc.errors, tuple)
    doc.to_dict()


def test_empty_body_reports_an_error():
    doc = extract_document(RawPage("http://x.gov.cn/", b"", status=404))
    assert "empty body" in doc.errors and "http status 404" in doc.errors


def test_to_dict_is_json_ready(trs):
    import json
    out = json.loads(json.dumps(trs.to_dict(), ensure_ascii=False))
    assert out["published"] == "2024-05-21" and out["doc_number_parts"]["number"] == 5


def test_attachment_links_named_in_the_href_the_text_or_the_title_or_escaped():
    body = ("<html><body><h1>关于印发某县规划的通知</h1><p>为深入贯彻落实党的二十大精神，制定本方案。</p>"
            '<a href="/x/file%2Epdf">附件一</a><a href="/y?id=2">附件二<span>.docx</span></a>'
            '<a href="/z" title="附件三.xls"><img src="dl.png"></a><a href="/w/t1.html">某县政务公开</a><a href="/">首页</a>'
            "</body></html>").encode()
    doc = extract_document(RawPage("http://a.gov.cn/1.html", body))
    assert [(a.url, a.ext, a.name) for a in doc.attachments] == [
        ("http://a.gov.cn/x/file%2Epdf", "pdf", "附件一"), ("http://a.gov.cn/y?id=2", "docx", "附件二.docx"),
        ("http://a.gov.cn/z", "xls", "附件三.xls")]
