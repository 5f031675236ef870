"""A short page (详见附件, a line and a PDF link) yields a short body, never the site's navigation.

Pages written for these tests, in the shape of a county portal's header: a clock, sister-site
links, a search box with 热门搜索, a column bar, then a two-line article."""
from archive.extract import RawPage, extract_document
from archive.extract.body import without_navigation
from archive.extract.navigation import is_nav_line

HEADER = """
<div class="top-bar"><span>今天是：2024年6月3日 星期一</span> <a href="/wza">无障碍</a> <a href="/old">长者模式</a></div>
<div class="links"><a href="http://www.gov.cn">国务院</a> <a href="http://www.hunan.gov.cn">省政府</a>
 <a href="http://www.yzcity.gov.cn">永州市政府</a></div>
<div class="header"><img alt="祁阳市人民政府"> <form><input name="q"><button>搜索</button></form>
<p>热门搜索：<a>政务公开</a> <a>人才招聘</a> <a>营商环境</a></p></div>
<div class="navbar"><ul>
<li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/zjqy/">走进祁阳</a></li><li><a href="/ztzl/">专题专栏</a></li>
<li><a href="/xxgk/">信息公开目录</a></li><li><a href="/zcwj/">政策文件</a></li><li><a href="/ghjh/">规划计划</a></li>
</ul></div>"""
NAV_WORDS = ("今天是", "国务院", "省政府", "搜索", "热门搜索", "首页", "政务服务", "互动交流", "走进祁阳",
             "专题专栏", "规划计划", "无障碍")


def short_page(content: str, title: str = "祁阳市2024年农村人居环境整治工作方案") -> bytes:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{title}_祁阳市人民政府</title><meta name="SiteIDCode" content="4311210001"></head><body>
{HEADER}
<div class="main"><div class="col-title">信息公开目录</div>
<h2 class="title">{title}</h2>
<div class="info">发布时间：2024-05-21 来源：祁阳市农业农村局</div>
<div class="content">{content}</div></div>
<div class="footer">主办单位：祁阳市人民政府办公室 湘ICP备12345678号</div>
</body></html>""".encode("utf-8")


def extract(body: bytes):
    return extract_document(RawPage("http://www.qiyang.gov.cn/xxgk/t1.html", body))


def test_see_the_attachment_page_is_not_its_navigation():
    doc = extract(short_page('<p>详见附件。</p><p>附件：<a href="/attach/fa.pdf">工作方案.pdf</a></p>'))
    assert "详见附件" in doc.text
    for word in NAV_WORDS:
        assert word not in doc.text, (word, doc.text)
    assert len(doc.text) < 80


def test_a_few_lines_and_a_pdf_link_keep_the_lines_only():
    doc = extract(short_page(
        "<p>为改善农村人居环境，现将我市整治工作方案予以公布，请遵照执行。</p>"
        "<p>相关文件：<a href='/a/jd.html'>政策解读</a></p>"
        "<p><a href='/attach/fa.pdf'>祁阳市农村人居环境整治工作方案.pdf</a></p>"))
    assert "为改善农村人居环境" in doc.text
    for word in NAV_WORDS:
        assert word not in doc.text, (word, doc.text)


def test_a_long_article_keeps_all_its_paragraphs():
    paragraphs = "".join(f"<p>第{n}条 各乡镇要按照方案要求开展整治，做到村庄干净整洁有序，逐村建立台账并按月调度。</p>"
                         for n in range(1, 12))
    doc = extract(short_page(paragraphs))
    assert all(f"第{n}条" in doc.text for n in range(1, 12))
    assert "热门搜索" not in doc.text and "走进祁阳" not in doc.text


def test_nav_lines_are_known_by_the_pages_own_link_lists():
    nav = frozenset({"首页", "政务公开", "政务服务"})
    assert is_nav_line("首页 | 政务公开 | 政务服务", nav)
    assert is_nav_line("今天是：2024年6月3日 星期一", nav)
    assert is_nav_line("- 政务服务", nav)
    assert not is_nav_line("各乡镇要按照方案要求开展政务服务整治", nav)


def test_a_body_that_is_mostly_navigation_loses_every_nav_line():
    nav = frozenset({"首页", "政务公开", "政务服务", "互动交流"})
    lines = ["首页", "详见附件。", "政务服务", "互动交流", "政务公开", "附件：方案.pdf"]
    assert without_navigation(lines, nav) == ["详见附件。", "附件：方案.pdf"]
    # a signature's date at the end is no navigation
    assert without_navigation(["首页", "详见附件。", "2024年5月20日"], nav) == ["详见附件。", "2024年5月20日"]


def test_a_related_list_above_the_heading_is_not_the_body():
    items = "".join(f"<li><a href='/n/{n}.html'>[科技日报]某地科技创新赋能产业发展第{n}期报道</a><div>2024-01-2{n}</div></li>"
                    for n in range(1, 6))
    body = f"""<html><head><meta charset="utf-8"><title>第六届人才交流会将于11月12日开幕</title></head><body>
<div class="side"><h3>新闻动态</h3><ul class="list">{items}</ul></div>
<h1>第六届人才交流会将于11月12日开幕</h1><div>来源：宣教中心 2022-11-14</div>
<div class="TRS_Editor"><p>11月7日召开的新闻发布会上获悉，第六届人才交流会将于11月12日开幕，会期三天，设六个专场。</p></div>
</body></html>""".encode("utf-8")
    doc = extract(body)
    assert "新闻发布会上获悉" in doc.text
    assert "科技日报" not in doc.text, doc.text
