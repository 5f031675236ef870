"""开普云 (KaiPu / UCAP) portals, as Jiangxi county sites run them: every path under the site's
websiteCode (/<code>/…), columns /<code>/<col>/list.shtml paged list_2.shtml … with 下一页 / 尾页,
details /<code>/<col>/<YYYYMM>/<32 hex>.shtml whose title and body sit in <ucaptitle> and
<ucapcontent>, and `var websiteId = "…", websiteCode = "…"` in every page. The farm gives every
site the websiteCode `rmzf` (real sites have their own: wzxrmzf, ycsrmzf)."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from html import escape

from sitefarm.families import portal
from sitefarm.families.common import page_count, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found, robots

CODE = "rmzf"
PER_PAGE = 15
LIST = re.compile(r"^list(?:_(\d+))?\.shtml$")
DETAIL = re.compile(r"^(\d{6})/([0-9a-f]{32})\.shtml$")
DETAIL_URL = re.compile(r"^/\w+/\w+/\d{6}/[0-9a-f]{32}\.shtml$")   # what faults may hit
EDITED_IN_LISTS = "republish"
COLUMNS = (
    (f"/{CODE}/zcwj/list.shtml", "政策文件"),
    (f"/{CODE}/tzgg/list.shtml", "通知公告"),
    (f"/{CODE}/ghjh/list.shtml", "规划计划"),
    (f"/{CODE}/zdlyxxgk/list.shtml", "重点领域信息公开"),
)


def column_dir(column: Column) -> str:
    return column.path.rsplit("/", 1)[0] + "/"


def manuscript_id(doc: Doc) -> str:
    return hashlib.md5(f"{doc.site.host}:{doc.doc_id}".encode()).hexdigest()


def doc_path(doc: Doc) -> str:
    return f"{column_dir(doc.column)}{doc.published:%Y%m}/{manuscript_id(doc)}.shtml"


@lru_cache(maxsize=64)
def _by_manuscript(world, site: Site, day: int) -> dict[str, int]:
    return {manuscript_id(d): d.doc_id for d in world.documents(site)}


def handle(world, site: Site, request: Request) -> Response:
    path = request.path
    if path == "/robots.txt":
        return robots()
    if path in ("/", "/index.html", f"/{CODE}/index.shtml"):
        return html(_home(world, site))
    for column in site.columns:
        folder = column_dir(column)
        if not path.startswith(folder):
            continue
        rest = path[len(folder):]
        if match := LIST.match(rest):
            return _list(world, site, column, int(match.group(1) or 1), match.group(1) == "1")
        if match := DETAIL.match(rest):
            doc_id = _by_manuscript(world, site, world.day).get(match.group(2))
            doc = world.document(site, doc_id) if doc_id is not None else None
            if not world.served(doc) or doc_path(doc) != path:
                return not_found()
            return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _script(site: Site, doc: Doc | None = None) -> str:
    website_id = hashlib.md5(site.host.encode()).hexdigest()
    manuscript = manuscript_id(doc) if doc else ""
    return (f'<script>var websiteId = "{website_id}", websiteCode = "{CODE}", websiteName = "{escape(site.name)}", '
            f'manuscriptId = "{manuscript}";</script>\n'
            f'<link rel="stylesheet" href="/{CODE}/xhtml/css/common.css">\n')


def _nav() -> str:
    return (f'<a href="/{CODE}/index.shtml">首页</a><a href="/{CODE}/zwgk/zwgk.shtml">政务公开</a>'
            f'<a href="/{CODE}/zwfw/zwfw.shtml">政务服务</a><a href="/{CODE}/hdjl/hdjl.shtml">互动交流</a>')


def _frame(site: Site, title: str, main: str, column: str | None = None, doc: Doc | None = None) -> str:
    return portal.page(site, title, main, head=portal.meta_block(site, column, doc) + _script(site, doc), nav=_nav(),
                       after='<div class="support">技术支持：开普云</div>\n')


def _home(world, site: Site) -> str:
    return _frame(site, site.name, portal.home_blocks(world, site, lambda c: c.path, doc_path))


def _list(world, site: Site, column: Column, page: int, named_one: bool) -> Response:
    docs = world.listed(site, column)
    pages = page_count(len(docs), PER_PAGE)
    if named_one or page > pages:
        return not_found()
    items = "\n".join(portal.dated_item(doc_path(d), d) for d in docs[(page - 1) * PER_PAGE:page * PER_PAGE])

    def link(n: int, text: str) -> str:
        return f'<a href="{"list.shtml" if n == 1 else f"list_{n}.shtml"}">{text}</a>'

    pager = (f'<div class="pagination">{link(1, "首页")}'
             + (link(page - 1, "上一页") if page > 1 else "") + f'<span class="current">{page}/{pages}</span>'
             + (link(page + 1, "下一页") + link(pages, "尾页") if page < pages else "") + "</div>")
    main = f'<div class="list-title">{escape(column.name)}</div><ul class="list">{items}</ul>{pager}'
    return html(_frame(site, f"{column.name}_{site.name}", main, column.name))


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    main = (f'{portal.info_table(doc)}<div class="article"><h1><ucaptitle>{escape(header.title)}</ucaptitle></h1>'
            f'<div class="info">发布时间：{header.published} {doc.pub_time}　来源：{escape(header.agency)}</div>'
            f'<div class="content"><ucapcontent>{portal.body_html(world, doc)}</ucapcontent></div></div>')
    return _frame(site, f"{header.title}_{site.name}", main, doc.column.name, doc)
