"""Which body strategy a page gets: the government cascade (trafilatura on a pruned tree) for
pages with a government site's marks, readability-lxml's densest block for other pages, and
the cascade again when readability finds next to nothing."""
import codecs
from pathlib import Path

import pytest

from archive.extract import RawPage, decode, extract_document
from archive.extract.body import READABILITY_MIN, looks_governmental, main_text
from archive.extract.dom import parse, render_lines
from archive.extract.metadata import labelled_values, meta_tags

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
PARAGRAPHS = [
    "记者从市交通运输局获悉，今年以来，全市新开通公交线路十二条，优化调整线路三十五条，"
    "新增公交站点一百二十个，市民出行更加便利，早晚高峰平均候车时间缩短了约三分钟。",
    "据介绍，新开通的线路主要覆盖新建住宅小区、产业园区和学校医院等客流集中区域，"
    "同时延长了部分线路的末班车时间，方便夜间下班的市民乘车回家，受到沿线居民欢迎。",
    "下一步，交通运输部门将继续根据客流变化动态调整线路，推进公交专用道建设，"
    "提升公交准点率和舒适度，让更多市民愿意选择绿色出行方式，缓解城市交通拥堵。",
]
RELATED = ["其他人也在看：地铁三号线南延段今日试运行", "热门：周末天气晴好适合出游",
           "推荐：本市公布十大夜间消费地标", "热议：共享单车投放量将再调整"]


def news_page(extra_head: str = "", footer: str = "某某新闻网 版权所有") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    related = "".join(f'<li><a href="/n/{n}.html">{t}</a></li>' for n, t in enumerate(RELATED))
    return (f"<html><head><meta charset='utf-8'>{extra_head}<title>全市新开通公交线路十二条</title></head>"
            f"<body><div class='nav'><a href='/'>首页</a> <a href='/city'>城市</a></div>"
            f"<div class='article'><h1>全市新开通公交线路十二条</h1>{body}</div>"
            f"<div class='others'><ul>{related}</ul></div><div class='foot'>{footer}</div></body></html>"
            ).encode("utf-8")


def evidence(url: str, page: bytes) -> bool:
    tree = parse(decode(page, {})[0])
    lines = render_lines(tree)
    return looks_governmental(url, meta_tags(tree), labelled_values(lines), lines)


def test_government_marks():
    assert evidence("http://www.qiyang.gov.cn/zwgk/1.html", news_page())
    assert evidence("", news_page(extra_head="<meta name='SiteIdCode' content='4311210001'>"))
    assert evidence("", news_page(footer="主办：祁阳市人民政府办公室"))
    assert evidence("", news_page(footer="索引号：001-2024-000123 发布机构：市交通运输局"))
    assert not evidence("https://news.example.com/2024/05/1.html", news_page())
    assert not evidence("https://gov.cn.example.com/1.html", news_page())


def test_news_page_body_leaves_out_the_link_list_after_it():
    doc = extract_document(RawPage("https://news.example.com/2024/05/1.html", news_page()))
    for paragraph in PARAGRAPHS:
        assert paragraph in doc.text
    for item in RELATED:
        assert item not in doc.text
    assert "版权所有" not in doc.text


def test_government_page_body_still_found():
    doc = extract_document(RawPage("http://www.qiyang.gov.cn/zwgk/1.html", news_page()))
    for paragraph in PARAGRAPHS:
        assert paragraph in doc.text


def test_short_article_falls_back_to_the_cascade():
    page = ("<html><body><div class='nav'><a href='/'>首页</a></div>"
            "<div class='content'><p>本站消息：会议定于下周一上午九点召开。</p></div></body></html>")
    tree = parse(page)
    text = main_text(tree, "https://news.example.com/1.html", None, government=False)
    assert "会议定于下周一上午九点召开" in text and len(text) < READABILITY_MIN


def test_the_tree_is_left_as_it_was():
    tree = parse(news_page().decode("utf-8"))
    before = render_lines(tree)
    main_text(tree, "https://news.example.com/1.html", None, government=False)
    main_text(tree, "http://www.qiyang.gov.cn/1.html", None, government=True)
    assert render_lines(tree) == before


def test_undeclared_gbk_page_with_a_stray_byte_is_still_gbk():
    text = "".join(PARAGRAPHS) * 3
    body = ("<html><body><p>" + text + "</p><p>完</p></body></html>").encode("gbk")
    body = body.replace(b"</p>", b"\xc7</p>", 1)   # a lead byte without its trail
    decoded, encoding = decode(body, {})
    assert encoding == "gb18030" and PARAGRAPHS[1][:20] in decoded


def test_undeclared_gbk_forum_page_is_not_read_as_cyrillic():
    """A saved BBS page (immortal benchmark) with no charset and two bad bytes: charset_normalizer
    says ptcp154, gb18030 reads all of it but those two."""
    page = REALDATA / "bench" / "immortal" / "original" / "6dc2d508-abb9-467c-bbea-1fedfcec5f9d.html"
    if not page.exists():
        pytest.skip("bench/immortal not present")
    text, encoding = decode(page.read_bytes(), {})
    assert encoding == "gb18030" and "太行山上" in text


def test_latin_page_is_not_read_as_gbk():
    body = ("<html><body><p>" + "Café crème brûlée à la française, naïve façade. " * 40
            + "</p></body></html>").encode("cp1252")
    decoded, encoding = decode(body, {})
    assert encoding != "gb18030" and "Caf" in decoded and "fran" in decoded


def test_utf16_detection_unchanged():
    body = codecs.BOM_UTF16_LE + "<p>政府信息公开</p>".encode("utf-16-le")
    assert decode(body, {})[1] == "utf-16-le"
