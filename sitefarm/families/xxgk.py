"""政府信息公开目录 platforms: lists are tables (索引号, 名称, 文号, 发布机构, 成文日期, 发布日期)
paged with ?page=N and plain 下一页 links; details lead with the same metadata table."""
from __future__ import annotations

import re
from html import escape

from sitefarm.families.common import attachment_links, page_count, paragraph_html, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found, robots

PER_PAGE = 15
DETAIL = re.compile(r"^content_(\d+)\.html$")
DETAIL_URL = re.compile(r"/content_\d+\.html$")  # what faults may hit (path?query)
# An edited document keeps its place in the list; only its list date shows the update day (更新日期).
EDITED_IN_LISTS = "in_place"
COLUMNS = (
    ("/xxgk/fdzdgknr/zcwj/", "政策文件"),
    ("/xxgk/fdzdgknr/ghjh/", "规划计划"),
    ("/xxgk/fdzdgknr/tzgg/", "通知公告"),
    ("/xxgk/fdzdgknr/zdly/", "重点领域信息"),
)


def doc_path(doc: Doc) -> str:
    return f"{doc.column.path}content_{doc.doc_id}.html"


def handle(world, site: Site, request: Request) -> Response:
    path = request.path
    if path == "/robots.txt":
        return robots()
    if path in ("/", "/index.html", "/xxgk/"):
        return html(_home(site))
    for column in site.columns:
        if path.startswith(column.path):
            rest = path[len(column.path):]
            if rest in ("", "index.html"):
                return _list(world, site, column, request.params.get("page", "1"))
            if match := DETAIL.match(rest):
                doc = world.document(site, int(match.group(1)))
                if not world.served(doc) or doc.column != column:
                    return not_found()
                return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _frame(site: Site, title: str, main: str) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<meta name="description" content="{escape(site.name)}政府信息公开">
</head>
<body>
<div class="xxgk-header"><h2>{escape(site.name)}</h2><span>政府信息公开</span></div>
<div class="xxgk-nav"><a href="/xxgk/">信息公开目录</a> <a href="javascript:void(0)">信息公开指南</a> <a href="javascript:void(0)">信息公开制度</a> <a href="javascript:void(0)">信息公开年报</a> <a href="javascript:void(0)">依申请公开</a></div>
<div class="xxgk-left"><ul>{"".join(f'<li><a href="{c.path}">{escape(c.name)}</a></li>' for c in site.columns)}</ul></div>
<div class="xxgk-main">
{main}
</div>
<div class="xxgk-footer"><p>主办单位：{escape(site.name)}办公室</p><p>网站标识码：{site.site_code}</p></div>
</body>
</html>
"""


def _home(site: Site) -> str:
    links = "".join(f'<li><a href="{c.path}">{escape(c.name)}</a></li>' for c in site.columns)
    return _frame(site, f"政府信息公开_{site.name}", f'<h3>法定主动公开内容</h3><ul class="xxgk-columns">{links}</ul>')


def _list(world, site: Site, column: Column, page_param: str) -> Response:
    docs = world.listed(site, column)
    pages = page_count(len(docs), PER_PAGE)
    if not page_param.isdigit() or not 1 <= int(page_param) <= pages:
        return not_found()
    page = int(page_param)
    rows = "\n".join(
        f'<tr><td>{(page - 1) * PER_PAGE + n + 1}</td><td>{escape(d.index_number)}</td>'
        f'<td class="name"><a href="{doc_path(d)}" target="_blank" title="{escape(d.header.title)}">{escape(d.header.title)}</a></td>'
        f'<td>{escape(d.header.doc_number or "")}</td><td>{escape(d.header.agency)}</td>'
        f'<td>{d.header.written}</td><td>{d.listed_on}</td></tr>'
        for n, d in enumerate(docs[(page - 1) * PER_PAGE: page * PER_PAGE]))
    pager = [f"共{len(docs)}条 第{page}/{pages}页", f'<a href="?page=1">首页</a>']
    if page > 1:
        pager.append(f'<a href="?page={page - 1}">上一页</a>')
    if page < pages:
        pager.append(f'<a href="?page={page + 1}">下一页</a>')
    pager.append(f'<a href="?page={pages}">尾页</a>')
    main = f"""<div class="xxgk-position">当前位置：信息公开目录 &gt; {escape(column.name)}</div>
<table class="xxgk-list" width="100%">
<tr><th>序号</th><th>索引号</th><th>名称</th><th>文号</th><th>发布机构</th><th>成文日期</th><th>发布日期</th></tr>
{rows}
</table>
<div class="xxgk-pager">{" ".join(pager)}</div>"""
    return html(_frame(site, f"{column.name}_{site.name}", main))


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    paragraphs = world.page_body(doc)
    body = "\n".join(paragraph_html(p, n, len(paragraphs)) for n, p in enumerate(paragraphs))
    main = f"""<table class="xxgk-meta" border="1" cellspacing="0">
<tr><td class="t">索 引 号：</td><td>{escape(doc.index_number)}</td><td class="t">主题分类：</td><td>{escape(header.theme.topic)}</td></tr>
<tr><td class="t">发布机构：</td><td>{escape(header.agency)}</td><td class="t">成文日期：</td><td>{header.written}</td></tr>
<tr><td class="t">文　　号：</td><td>{escape(header.doc_number or "")}</td><td class="t">发布日期：</td><td>{header.published}</td></tr>
<tr><td class="t">名　　称：</td><td colspan="3">{escape(header.title)}</td></tr>
</table>
<div class="xxgk-title"><h1>{escape(header.title)}</h1></div>
<div id="zoom" class="xxgk-content">
{body}
</div>{attachment_links(world, doc)}
<div class="xxgk-tools"><a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></div>"""
    return _frame(site, f"{header.title}_{site.name}", main)
