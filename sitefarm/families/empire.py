"""帝国 EmpireCMS sites: dynamic lists /e/action/ListInfo/?classid=N, page p >= 2 at
/e/action/ListInfo/index.php?page=p-1&classid=N&totalnum=T (0-based), a pager of numbers, 下一页
and 尾页; details /<classpath>/<YYYY-MM-DD>/<id>.html; "Powered by EmpireCMS" in the home title
and uploads under /d/file/."""
from __future__ import annotations

import re
from html import escape

from sitefarm.families import portal
from sitefarm.families.common import page_count, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found, robots

PER_PAGE = 15
LIST_PATHS = ("/e/action/ListInfo/", "/e/action/ListInfo/index.php")
DETAIL = re.compile(r"^/(\w+)/(\d{4}-\d{2}-\d{2})/(\d+)\.html$")
DETAIL_URL = re.compile(r"^/\w+/\d{4}-\d{2}-\d{2}/\d+\.html$")   # what faults may hit
EDITED_IN_LISTS = "republish"
COLUMNS = (
    ("/e/action/ListInfo/?classid=2", "通知公告"),
    ("/e/action/ListInfo/?classid=5", "政策文件"),
    ("/e/action/ListInfo/?classid=8", "规划计划"),
    ("/e/action/ListInfo/?classid=11", "工作总结"),
)
CLASS_PATHS = {"2": "tzgg", "5": "zcwj", "8": "ghjh", "11": "gzzj"}


def class_id(column: Column) -> str:
    return column.path.rsplit("=", 1)[1]


def doc_path(doc: Doc) -> str:
    return f"/{CLASS_PATHS[class_id(doc.column)]}/{doc.published:%Y-%m-%d}/{doc.doc_id}.html"


def handle(world, site: Site, request: Request) -> Response:
    path, params = request.path, request.params
    if path == "/robots.txt":
        return robots()
    if path in ("/", "/index.html"):
        return html(_page(site, f"{site.name} - Powered by EmpireCMS",
                          portal.home_blocks(world, site, lambda c: c.path, doc_path)))
    if path in LIST_PATHS:
        column = next((c for c in site.columns if class_id(c) == params.get("classid")), None)
        page = params.get("page", "0")
        if column is None or not page.isdigit() or (path == LIST_PATHS[0] and "page" in params):
            return not_found()
        return _list(world, site, column, int(page))
    if match := DETAIL.match(path):
        doc = world.document(site, int(match.group(3)))
        if not world.served(doc) or doc_path(doc) != path:
            return not_found()
        return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _page(site: Site, title: str, main: str, column: str | None = None, doc: Doc | None = None) -> str:
    return portal.page(site, title, main, head=portal.meta_block(site, column, doc),
                       nav='<a href="/">首页</a><a href="/zwgk/">政务公开</a><img src="/d/file/p/logo.png" alt="">',
                       after='<script src="/e/public/onclick/?enews=donews&classid=0"></script>\n')


def _list(world, site: Site, column: Column, page: int) -> Response:
    docs = world.listed(site, column)
    pages = page_count(len(docs), PER_PAGE)
    if page >= pages:
        return not_found()
    items = "\n".join(portal.dated_item(doc_path(d), d) for d in docs[page * PER_PAGE:(page + 1) * PER_PAGE])
    cid = class_id(column)

    def href(p: int) -> str:
        return f"/e/action/ListInfo/index.php?page={p}&amp;classid={cid}&amp;totalnum={len(docs)}"

    numbers = "&nbsp;".join(f"<b>{p + 1}</b>" if p == page else f'<a href="{href(p)}">{p + 1}</a>' for p in range(pages))
    tail = f'&nbsp;<a href="{href(page + 1)}">下一页</a>&nbsp;<a href="{href(pages - 1)}">尾页</a>' if page + 1 < pages else ""
    main = (f'<div class="list-title">{escape(column.name)}</div><ul class="list">{items}</ul>'
            f'<div class="epages"><a title="Total record">&nbsp;<b>{len(docs)}</b> </a>&nbsp;&nbsp;{numbers}{tail}</div>')
    return html(_page(site, f"{column.name}_{site.name}", main, column.name))


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    main = (f'{portal.info_table(doc)}<div class="article"><h1>{escape(header.title)}</h1>'
            f'<div class="info">发布时间：{header.published} {doc.pub_time}　来源：{escape(header.agency)}</div>'
            f'<div class="content">{portal.body_html(world, doc)}</div></div>')
    return _page(site, f"{header.title}_{site.name}", main, doc.column.name, doc)
