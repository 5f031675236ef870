"""TRS WCM portals: static index_N.html lists paged by createPageHTML, ./YYYYMM/tYYYYMMDD_ID.html
details with ArticleTitle / PubDate / ContentSource / SiteIDCode meta tags and a 信息公开 table."""
from __future__ import annotations

import random
import re
from html import escape

import sitefarm.families.trs_redesign as trs_redesign
from sitefarm.families.common import attachment_links, page_count, paragraph_html, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found, robots

PER_PAGE = 20
LIST_PAGE = re.compile(r"^index(?:_(\d+))?\.html$")
DETAIL = re.compile(r"^(\d{6})/t(\d{8})_(\d+)\.html$")
COLUMNS = (
    ("/zwgk/zcwj/", "政策文件"),
    ("/zwgk/zdlyxxgk/", "重点领域信息公开"),
    ("/zwgk/tzgg/", "通知公告"),
    ("/zwgk/ghjh/", "规划计划"),
    ("/zwgk/zwgkztr/", "政务公开主题日"),
)
REDESIGN = True  # sites move to trs_redesign's templates (same URLs) on the day timeline picks
DETAIL_URL = re.compile(r"/\d{6}/t\d{8}_\d+\.html$")  # what faults may hit (path?query)
# An edited document is re-published (重新发布): its list date becomes the edit day and it tops its list.
EDITED_IN_LISTS = "republish"


def doc_path(doc: Doc) -> str:
    day = doc.published
    return f"{doc.column.path}{day:%Y%m}/t{day:%Y%m%d}_{doc.doc_id}.html"


def handle(world, site: Site, request: Request) -> Response:
    path = request.path
    if path == "/robots.txt":
        return robots()
    if path in ("/", "/index.html"):
        if world.layout(site) == 2:
            return html(trs_redesign.home(world, site, doc_path))
        return html(_home(world, site))
    for column in site.columns:
        if path.startswith(column.path):
            return _in_column(world, site, column, path[len(column.path):])
    return not_found()


def _in_column(world, site: Site, column: Column, rest: str) -> Response:
    if rest == "":
        rest = "index.html"
    if match := LIST_PAGE.match(rest):
        page = int(match.group(1) or 0)
        docs = world.listed(site, column)
        pages = page_count(len(docs), PER_PAGE)
        if page >= pages or match.group(1) == "0":
            return not_found()
        shown = docs[page * PER_PAGE:(page + 1) * PER_PAGE]
        if world.layout(site) == 2:
            return html(trs_redesign.list_page(site, column, shown, page, pages, doc_path))
        return html(_list_page(site, column, shown, page, pages))
    if match := DETAIL.match(rest):
        doc = world.document(site, int(match.group(3)))
        if not world.served(doc) or doc.column != column or doc_path(doc) != column.path + rest:
            return not_found()
        if world.layout(site) == 2:
            return with_validators(html(trs_redesign.detail(world, site, doc)), doc, world)
        return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _head(site: Site, title: str, extra_meta: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="SiteName" content="{escape(site.name)}">
<meta name="SiteDomain" content="{site.host}">
<meta name="SiteIDCode" content="{site.site_code}">
{extra_meta}<title>{escape(title)}</title>
<link rel="stylesheet" href="/images/common.css">
</head>
<body>
<div class="top-bar"><div class="w1200"><span class="today">今天是：<script>var d=new Date();document.write(d.getFullYear()+"年"+(d.getMonth()+1)+"月"+d.getDate()+"日");</script></span>
<span class="top-links"><a href="javascript:void(0)">无障碍浏览</a> | <a href="javascript:void(0)">长者模式</a></span></div></div>
<div class="header"><div class="w1200"><a class="logo" href="/" title="{escape(site.name)}">{escape(site.name)}</a>
<form class="search" action="/search/" method="get"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div></div>
<div class="nav"><ul class="w1200"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwdt/">政务动态</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjxq/">走进{escape(site.region.county or "")}</a></li></ul></div>
"""


def _footer(site: Site) -> str:
    icp_province = (site.region.province or "")[:1]
    return f"""<div class="footer"><div class="w1200">
<p><a href="javascript:void(0)">网站地图</a> | <a href="javascript:void(0)">联系我们</a> | <a href="javascript:void(0)">隐私声明</a></p>
<p>主办：{escape(site.name)}办公室　承办：{escape(site.region.county or "")}融媒体中心</p>
<p>网站标识码：{site.site_code}　<a href="javascript:void(0)">{icp_province}ICP备{site.site_code[2:10]}号</a>　公网安备 {site.site_code}000号</p>
</div></div>
</body>
</html>
"""


def _home(world, site: Site) -> str:
    blocks = []
    for column in site.columns:
        items = "".join(_item(column, doc) for doc in world.listed(site, column)[:6])
        blocks.append(f'<div class="col-block"><h3><a href="{column.path}">{escape(column.name)}</a></h3>'
                      f'<a class="more" href="{column.path}">更多&gt;&gt;</a><ul>{items}</ul></div>')
    return _head(site, site.name) + f'<div class="main w1200">{"".join(blocks)}</div>' + _footer(site)


def _item(column: Column, doc: Doc) -> str:
    title = escape(doc.header.title)
    return f'<li><a href="{doc_path(doc)}" title="{title}" target="_blank">{title}</a><span>{doc.listed_on}</span></li>'


def _list_page(site: Site, column: Column, docs: list[Doc], page: int, pages: int) -> str:
    items = "\n".join(
        f'<li><a href="./{doc_path(d)[len(column.path):]}" title="{escape(d.header.title)}" target="_blank">'
        f'{escape(d.header.title)}</a><span>{d.listed_on}</span></li>' for d in docs)
    meta = (f'<meta name="ColumnName" content="{escape(column.name)}">\n'
            f'<meta name="ColumnType" content="{escape(column.name)}">\n')
    return _head(site, f"{column.name}_{site.name}", meta) + f"""<div class="main w1200">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="./">{escape(column.name)}</a></div>
<div class="list-title">{escape(column.name)}</div>
<ul class="list">
{items}
</ul>
<div class="page"><script>createPageHTML({pages}, {page}, "index", "html");</script></div>
</div>
""" + _footer(site)


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    paragraphs = world.page_body(doc)
    meta = (f'<meta name="ColumnName" content="{escape(doc.column.name)}">\n'
            f'<meta name="ArticleTitle" content="{escape(header.title)}">\n'
            f'<meta name="PubDate" content="{header.published} {doc.pub_time}">\n'
            f'<meta name="ContentSource" content="{escape(header.agency)}">\n'
            f'<meta name="Keywords" content="{escape(header.theme.topic)}">\n')
    body = "\n".join(paragraph_html(p, n, len(paragraphs)) for n, p in enumerate(paragraphs))
    siblings = world.listed(site, doc.column)
    index = next((n for n, d in enumerate(siblings) if d.doc_id == doc.doc_id), 0)
    newer = siblings[index - 1] if index > 0 else None
    older = siblings[index + 1] if index + 1 < len(siblings) else None
    return _head(site, f"{header.title}_{site.name}", meta) + f"""<div class="main w1200">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="{doc.column.path}">{escape(doc.column.name)}</a> &gt; 正文</div>
{_info_table(doc)}
<div class="article">
<h1 class="article-title">{escape(header.title)}</h1>
<div class="article-info"><span>发布时间：{header.published} {doc.pub_time}</span><span>来源：{escape(header.agency)}</span><span>浏览次数：<em id="hits">{random.Random(doc.doc_id).randint(30, 3000)}</em></span>
<span class="fontsize">字号：[<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>]</span></div>
<div class="article-content"><div class="TRS_Editor">
{body}
</div></div>{attachment_links(world, doc, relative=True)}
<div class="article-tools"><a href="javascript:void(0)" class="share">扫一扫在手机打开当前页</a> <a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="prev-next"><p>上一篇：{_link(newer)}</p><p>下一篇：{_link(older)}</p></div>
<div class="related"><h4>相关文章</h4><ul>{_related(world, site, doc)}</ul></div>
</div>
</div>
""" + _footer(site)


def _info_table(doc: Doc) -> str:
    header = doc.header
    cells = (("索引号", doc.index_number), ("发布机构", header.agency), ("成文日期", str(header.written)),
             ("文号", header.doc_number or ""), ("发布日期", str(header.published)), ("主题分类", header.theme.topic))
    rows = "".join(f"<tr><th>{a}：</th><td>{escape(va)}</td><th>{b}：</th><td>{escape(vb)}</td></tr>"
                   for (a, va), (b, vb) in zip(cells[0::2], cells[1::2]))
    return (f'<table class="xxgk-table" cellspacing="0" cellpadding="0">{rows}'
            f'<tr><th>标题：</th><td colspan="3">{escape(header.title)}</td></tr></table>')


def _link(doc: Doc | None) -> str:
    if doc is None:
        return "没有了"
    return f'<a href="{doc_path(doc)}">{escape(doc.header.title)}</a>'


def _related(world, site: Site, doc: Doc) -> str:
    others = [d for d in world.documents(site) if d.doc_id != doc.doc_id and d.status != "withdrawn"]
    picks = random.Random(doc.doc_id).sample(others, k=min(4, len(others)))
    return "".join(f'<li><a href="{doc_path(d)}">{escape(d.header.title)}</a><span>{d.published}</span></li>'
                   for d in picks)
