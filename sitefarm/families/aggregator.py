"""范文/文库 document-sharing sites: copies of the planted template lineages with the county's
name replaced by a placeholder (xx县, xx镇 …), wrapped in ads, "下载本文"/"下载文档" buttons,
a 声明 block and a 相关范文推荐 list. Lists at /fanwen/<category>/ and list_N.html; copies at
/fanwen/<category>/<id>.html. Not a county portal: never the canonical copy of a plan."""
from __future__ import annotations

import random
import re
from html import escape

from sitefarm.families.common import page_count, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found

PER_PAGE = 20
LIST_PAGE = re.compile(r"^(?:list_(\d+)\.html)?$")
DETAIL = re.compile(r"^(\d+)\.html$")
DOWNLOAD = re.compile(r"^/download/(\d+)\.html$")
DETAIL_URL = re.compile(r"^/fanwen/\w+/\d+\.html$")  # what faults may hit (path?query)
# An edited document is re-published (重新发布): its list date becomes the edit day and it tops its list.
EDITED_IN_LISTS = "republish"
COLUMNS = (
    ("/fanwen/fangan/", "实施方案"),
    ("/fanwen/jihua/", "工作计划"),
    ("/fanwen/huodong/", "活动方案"),
)
ROBOTS = "User-agent: *\nAllow: /\n"


def doc_path(doc: Doc) -> str:
    return f"{doc.column.path}{doc.doc_id}.html"


def truth_overrides(doc: Doc) -> dict:
    # A copy names no real agency, number or index; its region is a placeholder.
    return {"agency": None, "doc_number": None, "index_number": None}


def handle(world, site: Site, request: Request) -> Response:
    path = request.path
    if path == "/robots.txt":
        return Response(200, ROBOTS.encode(), "text/plain")
    if path in ("/", "/index.html"):
        return html(_home(world, site))
    if match := DOWNLOAD.match(path):
        doc = world.document(site, int(match.group(1)))
        return html(_frame(site, "下载", _login_wall(doc))) if doc else not_found()
    for column in site.columns:
        if path.startswith(column.path):
            rest = path[len(column.path):]
            if match := LIST_PAGE.match(rest):
                return _list(world, site, column, int(match.group(1) or 1))
            if match := DETAIL.match(rest):
                doc = world.document(site, int(match.group(1)))
                if not world.served(doc) or doc.column != column:
                    return not_found()
                return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _ad(site: Site, slot: str) -> str:
    return (f'<div class="ad ad-{slot}"><script type="text/javascript" src="/ad/{slot}.js"></script>'
            f'<a href="javascript:void(0)" rel="nofollow">【广告】公文写作速成班，限时优惠，立即咨询&gt;&gt;</a></div>')


def _frame(site: Site, title: str, main: str) -> str:
    nav = "".join(f'<a href="{c.path}">{escape(c.name)}</a>' for c in site.columns)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{escape(title)} - {escape(site.name)}</title>
<meta name="keywords" content="范文,工作方案,实施方案,{escape(title)}">
<meta name="description" content="{escape(site.name)}提供{escape(title)}，欢迎阅读与下载。">
</head>
<body>
<div class="header"><a class="logo" href="/">{escape(site.name)}</a><div class="nav"><a href="/">首页</a>{nav}</div>
<div class="user"><a href="javascript:void(0)">登录</a> | <a href="javascript:void(0)">注册</a> | <a href="javascript:void(0)">开通VIP</a></div></div>
{_ad(site, "top")}
<div class="container">
{main}
</div>
<div class="footer"><p>Copyright © {escape(site.name)} {site.host.removesuffix(".test")} 版权所有</p>
<p>本站部分文章来自网络，如有侵权请联系删除。</p></div>
</body>
</html>
"""


def _home(world, site: Site) -> str:
    blocks = []
    for column in site.columns:
        items = "".join(_item(d) for d in world.listed(site, column)[:10])
        blocks.append(f'<div class="box"><h2><a href="{column.path}">{escape(column.name)}</a></h2><ul>{items}</ul></div>')
    return _frame(site, "范文大全", "".join(blocks))


def _item(doc: Doc) -> str:
    return (f'<li><a href="{doc_path(doc)}" target="_blank">{escape(doc.header.title)}</a>'
            f'<span class="date">{doc.listed_on}</span></li>')


def _list(world, site: Site, column: Column, page: int) -> Response:
    docs = world.listed(site, column)
    pages = page_count(len(docs), PER_PAGE)
    if not 1 <= page <= pages:
        return not_found()
    items = "\n".join(
        f'<li><h3><a href="{doc_path(d)}" target="_blank">{escape(d.header.title)}</a></h3>'
        f'<p class="summary">{escape(world.body(d)[0][:60])}…</p><span class="date">{d.listed_on}</span></li>'
        for d in docs[(page - 1) * PER_PAGE: page * PER_PAGE])
    pager = "".join(f'<a href="{column.path}{_page_name(n)}"{CURRENT if n == page else ""}>{n}</a>'
                    for n in range(1, pages + 1))
    if page < pages:
        pager += f'<a href="{column.path}list_{page + 1}.html">下一页</a>'
    main = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; {escape(column.name)}</div>'
            f'<ul class="list">{items}</ul><div class="pages">{pager}</div>{_ad(site, "list")}')
    return html(_frame(site, column.name, main))


CURRENT = ' class="cur"'


def _page_name(n: int) -> str:
    return "" if n == 1 else f"list_{n}.html"


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    body = "\n".join(f"<p>{escape(p)}</p>" for p in world.page_body(doc))
    others = [d for d in world.documents(site) if d.doc_id != doc.doc_id and d.status != "withdrawn"]
    related = random.Random(doc.doc_id).sample(others, k=min(8, len(others)))
    related_html = "".join(_item(d) for d in related)
    views = random.Random(f"views:{doc.doc_id}").randint(200, 90_000)
    main = f"""<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{doc.column.path}">{escape(doc.column.name)}</a> &gt; 正文</div>
<div class="article">
<h1>{escape(header.title)}</h1>
<div class="info"><span>时间：{header.published}</span><span>作者：网友投稿</span><span>浏览：{views}次</span>
<a class="btn-download" href="/download/{doc.doc_id}.html" rel="nofollow">下载本文</a></div>
{_ad(site, "article-top")}
<div class="content" id="article">
{body}
</div>
<div class="download-box"><a class="btn-download" href="/download/{doc.doc_id}.html" rel="nofollow">下载文档</a>
<span>下载word文档，方便收藏和打印</span></div>
<div class="statement"><h4>声明</h4><p>本文由网友投稿整理发布，版权归原作者所有，仅供学习参考。本站不拥有所有权，不承担相关法律责任。
如发现本站有涉嫌抄袭侵权的内容，请联系本站删除。免责声明：文中所涉内容仅供参考，请结合实际情况使用。</p></div>
{_ad(site, "article-bottom")}
<div class="related"><h3>相关范文推荐</h3><ul>{related_html}</ul></div>
</div>"""
    return _frame(site, header.title, main)


def _login_wall(doc: Doc | None) -> str:
    title = escape(doc.header.title) if doc else ""
    return (f'<div class="download"><h2>{title}</h2><p>本文档需登录后下载，开通VIP会员可免费下载全站文档。</p>'
            f'<a href="javascript:void(0)">立即登录</a> <a href="javascript:void(0)">开通VIP</a></div>')
