"""博达 Visual SiteBuilder (VSB) sites: static column pages <col>.htm whose further pages are
<col>/<N>.htm counting down (page 2 of 11 is <col>/10.htm, the last <col>/1.htm), a pager of
<span class="p_next p_fun"> 下页 and <span class="p_last p_fun"> 尾页 with <span class="p_t">1/11</span>;
details /info/<treeid>/<id>.htm linked relatively; "Announced by Visual SiteBuilder 9", _sitegray
and /system/resource/js/ markers on every page."""
from __future__ import annotations

import re
from html import escape

from sitefarm.families import portal
from sitefarm.families.common import page_count, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found, robots

PER_PAGE = 15
DETAIL = re.compile(r"^/info/(\d+)/(\d+)\.htm$")
DETAIL_URL = re.compile(r"^/info/\d+/\d+\.htm$")   # what faults may hit
EDITED_IN_LISTS = "republish"
COLUMNS = (
    ("/zwgk/zcwj.htm", "政策文件"),
    ("/zwgk/tzgg.htm", "通知公告"),
    ("/zwgk/ghjh.htm", "规划计划"),
    ("/zwgk/gzzj.htm", "工作总结"),
)


def tree_id(column: Column) -> int:
    return 1000 + 43 * (COLUMNS.index((column.path, column.name)) + 1) if (column.path, column.name) in COLUMNS \
        else 1000


def doc_path(doc: Doc) -> str:
    return f"/info/{tree_id(doc.column)}/{doc.doc_id}.htm"


def handle(world, site: Site, request: Request) -> Response:
    path = request.path
    if path == "/robots.txt":
        return robots()
    if path in ("/", "/index.htm", "/index.html"):
        return html(_page(site, site.name, portal.home_blocks(world, site, lambda c: c.path, doc_path)))
    for column in site.columns:
        stem = column.path[:-len(".htm")]
        if path == column.path:
            return _list(world, site, column, 1)
        if path.startswith(stem + "/") and (number := path[len(stem) + 1:-len(".htm")]).isdigit() \
                and path.endswith(".htm"):
            pages = page_count(len(world.listed(site, column)), PER_PAGE)
            n = int(number)
            return _list(world, site, column, pages - n + 1) if 1 <= n < pages else not_found()
    if match := DETAIL.match(path):
        doc = world.document(site, int(match.group(2)))
        if not world.served(doc) or doc_path(doc) != path:
            return not_found()
        return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _page(site: Site, title: str, main: str, column: str | None = None, doc: Doc | None = None) -> str:
    head = (portal.meta_block(site, column, doc) + '<link rel="stylesheet" href="/_sitegray/_sitegray_d.css">\n'
            '<script src="/_sitegray/_sitegray.js"></script>\n<link rel="stylesheet" href="/index.vsb.css">\n'
            '<script src="/system/resource/js/vsbscreen.min.js"></script>\n')
    return portal.page(site, title, main, head=head, before="<!--Announced by Visual SiteBuilder 9-->\n",
                       nav='<a href="/index.htm">首页</a><a href="/zwgk.htm">政务公开</a><a href="/bsfw.htm">办事服务</a>',
                       after=f'<!-- CustomerNO:{site.site_code}-->\n<script src="/system/resource/js/counter.js"></script>\n')


def _list(world, site: Site, column: Column, page: int) -> Response:
    docs = world.listed(site, column)
    pages = page_count(len(docs), PER_PAGE)
    folder = column.path.rsplit("/", 1)[1][:-len(".htm")]         # zcwj
    here_in_folder = page > 1                                      # /zwgk/zcwj/10.htm
    up = "../../" if here_in_folder else "../"
    items = "\n".join(portal.dated_item(f"{up}info/{tree_id(column)}/{d.doc_id}.htm", d)
                      for d in docs[(page - 1) * PER_PAGE:page * PER_PAGE])

    def href(p: int) -> str:
        if p == 1:
            return f"../{folder}.htm" if here_in_folder else f"{folder}.htm"
        return f"{pages - p + 1}.htm" if here_in_folder else f"{folder}/{pages - p + 1}.htm"

    pager = [f'<span class="p_t">{page}/{pages}</span>']
    if page > 1:
        pager.append(f'<span class="p_first p_fun"><a href="{href(1)}">首页</a></span>'
                     f'<span class="p_prev p_fun"><a href="{href(page - 1)}">上页</a></span>')
    if page < pages:
        pager.append(f'<span class="p_next p_fun"><a href="{href(page + 1)}">下页</a></span>'
                     f'<span class="p_last p_fun"><a href="{href(pages)}">尾页</a></span>')
    main = (f'<div class="list-title">{escape(column.name)}</div><ul class="list">{items}</ul>'
            f'<div class="pb_sys_common pb_sys_normal">{"".join(pager)}</div>')
    return html(_page(site, f"{column.name}-{site.name}", main, column.name))


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    main = (f'{portal.info_table(doc)}<form name="_newscontent_fromname"><h1>{escape(header.title)}</h1>'
            f'<div class="info">发布时间：{header.published} {doc.pub_time}　来源：{escape(header.agency)}　'
            f'点击数：<span id="dynclicks_u5_{doc.doc_id}"></span></div>'
            f'<div class="v_news_content">{portal.body_html(world, doc)}</div></form>'
            f"<script>_showDynClickBatch(['dynclicks_u5_{doc.doc_id}'],[{doc.doc_id}],\"wbnews\", 1)</script>")
    return _page(site, f"{header.title}-{site.name}", main, doc.column.name, doc)
