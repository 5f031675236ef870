"""A column heading (信息公开目录) is never the title; a 红头 文号 alone under the heading is read.

Pages written for these tests in the shape of a county portal's xxgk page."""
from archive.extract import RawPage, extract_document

TITLE = "祁阳市人民政府办公室关于做好2024年春季森林防火工作的通知"
BODY = ("<div class='TRS_Editor'><p>各乡镇人民政府，市直各单位：</p><p>为切实做好春季森林防火工作，确保人民群众"
        "生命财产安全，经市人民政府同意，现就有关事项通知如下。各单位要落实责任，加强巡查。</p></div>")
NAV = ("<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a><a href='/xxgk/'>信息公开目录</a>"
       "<a href='/zwfw/'>政务服务</a></div>")


def extract(html: str):
    return extract_document(RawPage("http://www.qiyang.gov.cn/xxgk/t1.html", html.encode("utf-8")))


def test_column_heading_is_not_the_title():
    doc = extract(f"""<html><head><meta charset="utf-8"><title>信息公开目录_祁阳市人民政府</title></head><body>
{NAV}<div class="col-title"><h2>信息公开目录</h2></div>
<div class="article"><div class="bt">{TITLE}</div>{BODY}</div></body></html>""")
    assert doc.title == TITLE


def test_red_head_doc_number_alone_under_the_heading():
    doc = extract(f"""<html><head><meta charset="utf-8"><title>{TITLE}_祁阳市人民政府</title></head><body>
{NAV}<h1>{TITLE}</h1><div class="sub">发布时间：2024-03-02</div>
<div class="meta" style="text-align:center">祁政办发〔2024〕5号</div>{BODY}</body></html>""")
    assert doc.doc_number and doc.doc_number.raw == "祁政办发〔2024〕5号"
    assert doc.sources["doc_number"] == "line:under-title"


def test_a_doc_number_quoted_in_a_sentence_under_the_heading_is_not_the_pages():
    doc = extract(f"""<html><head><meta charset="utf-8"><title>{TITLE}_祁阳市人民政府</title></head><body>
<h1>{TITLE}</h1><div class="meta">根据《祁阳市森林防火条例实施办法》（祁政发〔2019〕2号）精神制定</div>{BODY}</body></html>""")
    assert doc.doc_number is None


def test_a_related_list_naming_the_same_title_does_not_take_the_title():
    """A 相关文章 block under the article links another document of the same title (a plan issued
    again): its heading is not the title, and the article's own h1 still is."""
    related = ("<div class='related'><h3>相关文章</h3><ul>"
               "<li><a href='/xxgk/t0.html'>祁阳市2023年乡村振兴实施方案</a></li>"
               f"<li><a href='/xxgk/t9.html'>{TITLE}</a></li>"
               "<li><a href='/xxgk/t8.html'>祁阳市关于深入推进生态环境保护的实施意见</a></li></ul></div>")
    doc = extract(f"""<html><head><meta charset="utf-8"><title>{TITLE}-祁阳市人民政府</title></head><body>
{NAV}<main><h1>{TITLE}</h1>{BODY}</main>{related}</body></html>""")
    assert doc.title == TITLE


def test_a_short_nav_link_heading_is_still_a_column():
    doc = extract(f"""<html><head><meta charset="utf-8"><title>政务服务_祁阳市人民政府</title></head><body>
{NAV}<h2>政务服务</h2><div class="article"><div class="bt">{TITLE}</div>{BODY}</div></body></html>""")
    assert doc.title == TITLE
