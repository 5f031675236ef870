"""Portals whose list pages are rendered by JavaScript: the column page's HTML holds no item,
only an empty <ul> and a script that fetches /api/list.json?channel=<col>&page=N and writes the
items and a pager (links ?page=N) into the page. Details are plain HTML (/<col>/art_<id>.html).

Without a browser a crawler sees an empty list; its registry entry says `render: browser` and
family `generic` (REGISTRY below), so the crawler renders the list pages in headless Chromium."""
from __future__ import annotations

import json
import re
from html import escape

from sitefarm.families import portal
from sitefarm.families.common import page_count, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found, robots

PER_PAGE = 15
API = "/api/list.json"
DETAIL = re.compile(r"^art_(\d+)\.html$")
DETAIL_URL = re.compile(r"/art_\d+\.html$")   # what faults may hit
EDITED_IN_LISTS = "republish"
COLUMNS = (
    ("/zwgk/zcwj/", "政策文件"),
    ("/zwgk/tzgg/", "通知公告"),
    ("/zwgk/ghjh/", "规划计划"),
)
REGISTRY = {"family": "generic", "render": "browser"}   # what the crawler's registry entry says
# The script the column page runs: items and pager from the JSON, written as text (never as HTML).
SCRIPT = """<script>
(function () {
  var page = parseInt(new URLSearchParams(location.search).get("page") || "1", 10);
  var list = document.getElementById("list"), pager = document.getElementById("pager");
  fetch("%(api)s?channel=" + list.dataset.channel + "&page=" + page).then(function (r) { return r.json(); })
    .then(function (data) {
      data.items.forEach(function (item) {
        var li = document.createElement("li"), a = document.createElement("a"), span = document.createElement("span");
        a.href = item.url; a.title = item.title; a.textContent = item.title; span.textContent = item.date;
        li.appendChild(a); li.appendChild(span); list.appendChild(li);
      });
      function link(n, text) {
        var a = document.createElement("a"); a.href = "?page=" + n; a.textContent = text; pager.appendChild(a);
      }
      if (page < data.pages) { link(page + 1, "下一页"); link(data.pages, "尾页"); }
    });
})();
</script>
"""


def channel(column: Column) -> str:
    return column.path.strip("/").rsplit("/", 1)[-1]


def doc_path(doc: Doc) -> str:
    return f"{doc.column.path}art_{doc.doc_id}.html"


def handle(world, site: Site, request: Request) -> Response:
    path = request.path
    if path == "/robots.txt":
        return robots()
    if path in ("/", "/index.html"):
        main = portal.home_blocks(world, site, lambda c: c.path, doc_path, shown=0)
        return html(portal.page(site, site.name, main, head=portal.meta_block(site), nav=_nav()))
    if path == API:
        return _api(world, site, request.params)
    for column in site.columns:
        if path.startswith(column.path):
            rest = path[len(column.path):]
            if rest in ("", "index.html"):
                return html(_column_page(site, column))
            if match := DETAIL.match(rest):
                doc = world.document(site, int(match.group(1)))
                if not world.served(doc) or doc_path(doc) != path:
                    return not_found()
                return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _nav() -> str:
    return '<a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/hdjl/">互动交流</a>'


def _column_page(site: Site, column: Column) -> str:
    main = (f'<div class="list-title">{escape(column.name)}</div>'
            f'<ul id="list" class="list" data-channel="{channel(column)}"></ul><div id="pager" class="pager"></div>'
            '<noscript>请开启浏览器的JavaScript功能</noscript>')
    return portal.page(site, f"{column.name}_{site.name}", main, head=portal.meta_block(site, column.name), nav=_nav(),
                       after=SCRIPT % {"api": API})


def _api(world, site: Site, params: dict) -> Response:
    column = next((c for c in site.columns if channel(c) == params.get("channel")), None)
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    docs = world.listed(site, column) if column else []
    shown = docs[(page - 1) * PER_PAGE:page * PER_PAGE]
    body = {"pages": page_count(len(docs), PER_PAGE), "total": len(docs),
            "items": [{"url": doc_path(d), "title": d.header.title, "date": str(d.listed_on)} for d in shown]}
    return Response(200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    main = (f'{portal.info_table(doc)}<div class="article"><h1>{escape(header.title)}</h1>'
            f'<div class="info">发布时间：{header.published} {doc.pub_time}　来源：{escape(header.agency)}</div>'
            f'<div class="content">{portal.body_html(world, doc)}</div></div>')
    return portal.page(site, f"{header.title}_{site.name}", main, head=portal.meta_block(site, doc.column.name, doc),
                       nav=_nav())
