"""大汉 JCMS portals: column pages /col/colNNN/index.html carry no list, only the jpage script's
config (proxyUrl, perPage, ajaxParam with columnid, unitid, webid …); the items come from
POST /module/web/jpage/dataproxy.jsp (startrecord, endrecord, perpage) as XML
<datastore><nextgroup/><recordset><record><![CDATA[<li>…</li>]]></record>…</recordset>
<totalrecord/><totalpage/></datastore>. Details: /art/YYYY/M/D/art_COLUMN_ID.html with
SiteName / ColumnName / ArticleTitle / PubDate / ContentSource meta tags and a 信息公开 table."""
from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from sitefarm.families.common import attachment_links, paragraph_html, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found, robots

PROXY = "/module/web/jpage/dataproxy.jsp"
PER_PAGE = 15
GROUP = 3                    # pages the script asks for at once: endrecord = startrecord + 45 - 1
COLUMN_PATH = re.compile(r"^/col/col(\d+)/(?:index\.html)?$")
DETAIL = re.compile(r"^/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_(\d+)_(\d+)\.html$")
DETAIL_URL = re.compile(r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")  # what faults may hit
# An edited document is re-published (重新发布): its list date becomes the edit day and it tops its list.
EDITED_IN_LISTS = "republish"
COLUMNS = (
    ("/col/col1229/index.html", "通知公告"),
    ("/col/col1231/index.html", "政策文件"),
    ("/col/col2718/index.html", "计划总结"),
    ("/col/col3402/index.html", "政务公开工作"),
)


def column_id(column: Column) -> str:
    return COLUMN_PATH.match(column.path).group(1)


def unit_id(site: Site) -> str:
    return str(site.first_doc_id % 90_000 + 10_000)


def web_id(site: Site) -> str:
    return str(site.index + 1)


def doc_path(doc: Doc) -> str:
    day = doc.published
    return f"/art/{day.year}/{day.month}/{day.day}/art_{column_id(doc.column)}_{doc.doc_id}.html"


def handle(world, site: Site, request: Request) -> Response:
    path = request.path
    if path == "/robots.txt":
        return robots()
    if path in ("/", "/index.html"):
        return html(_home(world, site))
    if path == PROXY:
        return _dataproxy(world, site, request.params)
    if match := COLUMN_PATH.match(path):
        column = next((c for c in site.columns if column_id(c) == match.group(1)), None)
        return html(_column_page(site, column)) if column else not_found()
    if match := DETAIL.match(path):
        doc = world.document(site, int(match.group(5)))
        if not world.served(doc) or doc_path(doc) != path:
            return not_found()
        return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _record(doc: Doc) -> str:
    title = escape(doc.header.title)
    return (f'<li><a href="{doc_path(doc)}" target="_blank" title="{title}">{title}</a>'
            f'<span>{doc.listed_on}</span></li>')


def _dataproxy(world, site: Site, params: dict[str, str]) -> Response:
    """The XML the jpage script asks for; a wrong columnid or unitid gets an empty datastore."""
    column = next((c for c in site.columns if column_id(c) == params.get("columnid")), None)
    docs = world.listed(site, column) if column and params.get("unitid") == unit_id(site) else []
    per_page = _int(params.get("perpage"), PER_PAGE)
    start = max(1, _int(params.get("startrecord"), 1))
    end = max(start, _int(params.get("endrecord"), start + per_page * GROUP - 1))
    records = "\n".join(f"<record><![CDATA[\n{_record(d)}\n]]></record>" for d in docs[start - 1:end])
    total = len(docs)
    next_group = (f'<a href="{PROXY}?page=1&appid=1&webid={web_id(site)}&path=/&columnid={params.get("columnid", "")}'
                  f'&unitid={params.get("unitid", "")}&webname={quote(site.name)}&permissiontype=0"></a>')
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<datastore>
<nextgroup><![CDATA[{next_group}]]></nextgroup>
<recordset>
{records}
</recordset>
<totalrecord>{total}</totalrecord>
<totalpage>{-(-total // per_page) if per_page > 0 else 0}</totalpage>
</datastore>
"""
    return Response(200, xml.encode("utf-8"), "text/xml;charset=UTF-8")


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def _head(site: Site, title: str, extra_meta: str = "") -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="SiteName" content="{escape(site.name)}">
<meta name="SiteDomain" content="{site.host}">
<meta name="SiteIDCode" content="{site.site_code}">
{extra_meta}<title>{escape(title)}</title>
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<link href="/images/hw_style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<div class="hw-top"><div class="hw-w"><span id="hw-date"></span><a href="javascript:void(0)">繁體</a> <a href="javascript:void(0)">无障碍</a> <a href="/module/jpage/app.jsp">政务APP</a></div></div>
<div class="hw-head"><div class="hw-w"><a href="/" class="hw-logo">{escape(site.name)}</a>
<form action="/jrobot/search.do" method="get" target="_blank"><input type="hidden" name="webid" value="{web_id(site)}"><input name="q" /><input type="submit" value="搜索" /></form></div></div>
<div class="hw-nav"><div class="hw-w"><a href="/">首页</a><a href="/col/col1000/index.html">政务公开</a><a href="/col/col1001/index.html">政务服务</a><a href="/col/col1002/index.html">政民互动</a></div></div>
"""


def _footer(site: Site) -> str:
    return f"""<div class="hw-foot"><div class="hw-w">
<p>主办单位：{escape(site.name)}办公室　技术支持：南京大汉网络有限公司</p>
<p>网站标识码：{site.site_code}　<a href="javascript:void(0)">{(site.region.province or "")[:1]}ICP备{site.site_code[3:10]}号-1</a></p>
<script type="text/javascript" src="/module/visitcount/visit.js?webid={web_id(site)}"></script>
</div></div>
</body>
</html>
"""


def _home(world, site: Site) -> str:
    blocks = []
    for column in site.columns:
        items = "".join(_record(d) for d in world.listed(site, column)[:6])
        blocks.append(f'<div class="hw-block"><div class="hw-block-title"><span>{escape(column.name)}</span>'
                      f'<a href="{column.path}" target="_blank">更多</a></div><ul>{items}</ul></div>')
    return _head(site, site.name) + f'<div class="hw-w hw-main">{"".join(blocks)}</div>' + _footer(site)


def _column_page(site: Site, column: Column) -> str:
    div = f"{column_id(column)}{unit_id(site)[-2:]}"
    meta = (f'<meta name="ColumnName" content="{escape(column.name)}">\n'
            f'<meta name="ColumnType" content="{escape(column.name)}">\n')
    params = (f"col: 1, appid: 1, webid: {web_id(site)}, path: '/', columnid: {column_id(column)}, "
              f"sourceContentType: 1, unitid: {unit_id(site)}, webname: '{escape(site.name)}', permissiontype: 0")
    return _head(site, f"{column.name} {site.name}", meta) + f"""<div class="hw-w hw-main">
<div class="hw-position">您当前的位置：<a href="/">首页</a> &gt; <a href="{column.path}">{escape(column.name)}</a></div>
<div class="hw-list-title">{escape(column.name)}</div>
<div class="hw-list" id="{div}"></div>
<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.jpage.js"></script>
<script type="text/javascript">
$(document).ready(function () {{
    $("#{div}").jpage({{
        dataStore: [],
        proxyUrl: "{PROXY}",
        perPage: {PER_PAGE},
        groupSize: {GROUP},
        barPosition: "bottom",
        dataBefore: '<ul class="hw-items">',
        dataAfter: '</ul>',
        ajaxParam: {{ {params} }},
        showMode: "full"
    }});
}});
</script>
<noscript>您的浏览器不支持脚本，请开启脚本后浏览本栏目。</noscript>
</div>
""" + _footer(site)


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    paragraphs = world.page_body(doc)
    meta = (f'<meta name="ColumnName" content="{escape(doc.column.name)}">\n'
            f'<meta name="ColumnType" content="{escape(doc.column.name)}">\n'
            f'<meta name="ArticleTitle" content="{escape(header.title)}">\n'
            f'<meta name="PubDate" content="{header.published} {doc.pub_time}">\n'
            f'<meta name="ContentSource" content="{escape(header.agency)}">\n'
            f'<meta name="Keywords" content="{escape(header.theme.topic)}">\n'
            f'<meta name="Author" content="{escape(header.agency)}">\n'
            f'<meta name="Description" content="{escape(header.title)}">\n'
            f'<meta name="Url" content="http://{site.host}{doc_path(doc)}">\n')
    body = "\n".join(paragraph_html(p, n, len(paragraphs)) for n, p in enumerate(paragraphs))
    cells = (("索引号", doc.index_number), ("主题分类", header.theme.topic), ("发布机构", header.agency),
             ("生成日期", str(header.written)), ("文号", header.doc_number or ""), ("公开方式", "主动公开"))
    rows = "".join(f"<tr><td class=\"hw-th\">{a}</td><td>{escape(va)}</td><td class=\"hw-th\">{b}</td><td>{escape(vb)}</td></tr>"
                   for (a, va), (b, vb) in zip(cells[0::2], cells[1::2]))
    return _head(site, f"{header.title} {site.name}", meta) + f"""<div class="hw-w hw-main">
<div class="hw-position">您当前的位置：<a href="/">首页</a> &gt; <a href="{doc.column.path}">{escape(doc.column.name)}</a></div>
<table class="xxgk_table" cellspacing="0" cellpadding="0">{rows}<tr><td class="hw-th">名称</td><td colspan="3">{escape(header.title)}</td></tr></table>
<div class="hw-article">
<div class="hw-art-title">{escape(header.title)}</div>
<div class="hw-art-info"><span>发布日期：{header.published} {doc.pub_time}</span><span>信息来源：{escape(header.agency)}</span>
<span>访问量：<script language="javascript" src="/module/visitcount/articlehits.jsp?colid={column_id(doc.column)}&artid={doc.doc_id}"></script></span></div>
<!--ZJEG_RSS.content.begin--><meta name="ContentStart">
<div id="zoom">
{body}
</div>
<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->
{attachment_links(world, doc)}
<div class="hw-art-tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
</div>
""" + _footer(site)
