"""Old ASP portals: GBK pages in table layout, lists at list.asp?s=COLUMN&page=N, details at
ins.asp?i=ID&s=COLUMN, no document meta tags, the date only in a 时间： line, no 索引号."""
from __future__ import annotations

import re
from html import escape

from sitefarm.families.common import attachment_links, page_count, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, not_found, robots

PER_PAGE = 25
ENCODING = "gbk"
DETAIL_URL = re.compile(r"^/ins\.asp\?i=\d+&s=\d+$")  # what faults may hit (path?query)
# An edited document keeps its place in the list; only its list date shows the update day (更新日期).
EDITED_IN_LISTS = "in_place"
COLUMNS = (
    ("/list.asp?s=12", "政策法规"),
    ("/list.asp?s=15", "通知公告"),
    ("/list.asp?s=21", "计划规划"),
    ("/list.asp?s=33", "政务公开"),
)


def doc_path(doc: Doc) -> str:
    return f"/ins.asp?i={doc.doc_id}&s={_column_id(doc.column)}"


def truth_overrides(doc: Doc) -> dict:
    return {"index_number": None}  # these sites never show one


def _column_id(column: Column) -> str:
    return column.path.rsplit("=", 1)[1]


def handle(world, site: Site, request: Request) -> Response:
    params = request.params
    if request.path == "/robots.txt":
        return robots()
    if request.path in ("/", "/index.asp"):
        return _gbk(_home(world, site))
    column = next((c for c in site.columns if _column_id(c) == params.get("s")), None)
    if column is None:
        return not_found()
    if request.path == "/list.asp":
        return _list(world, site, column, params.get("page", "1"))
    if request.path == "/ins.asp" and params.get("i", "").isdigit():
        doc = world.document(site, int(params["i"]))
        if not world.served(doc) or doc.column != column:
            return not_found()
        return with_validators(_gbk(_detail(site, doc, world.page_body(doc), attachment_links(world, doc))), doc, world)
    return not_found()


def _gbk(text: str) -> Response:
    # Served as the old servers do: no charset in the header, only in the http-equiv tag.
    return Response(200, text.encode(ENCODING, errors="xmlcharrefreplace"), "text/html")


def _frame(site: Site, title: str, main: str) -> str:
    nav = "".join(f'<td><a href="{c.path}">{escape(c.name)}</a></td>' for c in site.columns)
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{escape(title)}</title>
<link href="css/style.css" rel="stylesheet" type="text/css">
</head>
<body leftmargin="0" topmargin="0">
<table width="778" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td height="90" background="images/top.jpg"><font size="5"><b>{escape(site.name)}</b></font></td></tr>
<tr><td><table width="100%"><tr><td><a href="/">网站首页</a></td>{nav}</tr></table></td></tr>
</table>
<table width="778" border="0" align="center" cellpadding="0" cellspacing="0">
{main}
</table>
<table width="778" border="0" align="center"><tr><td align="center">版权所有：{escape(site.name)}　技术支持：县信息中心<br>建议使用IE6.0以上浏览器 1024*768分辨率浏览</td></tr></table>
</body>
</html>
"""


def _home(world, site: Site) -> str:
    rows = []
    for column in site.columns:
        items = "".join(f'<tr><td>·<a href="{doc_path(d)}">{escape(d.header.title)}</a></td><td>{d.listed_on:%Y-%m-%d}</td></tr>'
                        for d in world.listed(site, column)[:8])
        rows.append(f'<tr><td><b>{escape(column.name)}</b> <a href="{column.path}">更多</a><table>{items}</table></td></tr>')
    return _frame(site, site.name, "".join(rows))


def _list(world, site: Site, column: Column, page_param: str) -> Response:
    docs = world.listed(site, column)
    pages = page_count(len(docs), PER_PAGE)
    if not page_param.isdigit() or not 1 <= int(page_param) <= pages:
        return not_found()
    page = int(page_param)
    items = "\n".join(
        f'<tr><td width="85%">·<a href="{doc_path(d)}" target="_blank">{escape(d.header.title)}</a></td>'
        f'<td>{d.listed_on.year}-{d.listed_on.month}-{d.listed_on.day}</td></tr>'
        for d in docs[(page - 1) * PER_PAGE: page * PER_PAGE])
    link = f"list.asp?s={_column_id(column)}&page="
    pager = (f'共{len(docs)}条记录 共{pages}页 当前第{page}页 <a href="{link}1">首页</a> '
             + (f'<a href="{link}{page - 1}">上一页</a> ' if page > 1 else "上一页 ")
             + (f'<a href="{link}{page + 1}">下一页</a> ' if page < pages else "下一页 ")
             + f'<a href="{link}{pages}">尾页</a>')
    main = f'<tr><td><table width="100%" class="list">{items}</table></td></tr><tr><td align="center">{pager}</td></tr>'
    return _gbk(_frame(site, f"{column.name}-{site.name}", main))


def _detail(site: Site, doc: Doc, paragraphs: list[str], files: str) -> str:
    header = doc.header
    number = f'<tr><td align="center">{escape(header.doc_number)}</td></tr>' if header.doc_number else ""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    main = f"""<tr><td align="center" class="title"><b>{escape(header.title)}</b></td></tr>
<tr><td align="center">时间：{header.published} {doc.pub_time}　来源：{escape(header.agency)}　点击数：{doc.doc_id % 997}</td></tr>
{number}<tr><td class="content" id="content">
{body}{files}
</td></tr>
<tr><td align="right"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></td></tr>"""
    return _frame(site, header.title, main)
