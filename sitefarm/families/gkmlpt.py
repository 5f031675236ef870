"""广东 政府信息公开目录管理平台 (gkmlpt): the list is a Vue app. /gkmlpt/index carries only
`window._CONFIG = {SID: '…', TREE: [...]}` (the category tree); items come as JSON from
/gkmlpt/api/all/{category}?page=N&sid=SID ({"classify": {"post_count": N}, "articles": [...]},
pages 0 and 1 the same, category 0 = all); details are /gkmlpt/content/{id//1e6}/{id//1e3}/post_{id}.html
with the 信息公开 table and `window._CONFIG.DETAIL`. A column in the registry is `/gkmlpt/index#<category>`.

The real API serves 100 articles a page; the farm serves PER_PAGE so its small sites page too."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html import escape

from sitefarm.families import portal
from sitefarm.families.common import page_count, with_validators
from sitefarm.model import Column, Doc, Site
from sitefarm.responses import Request, Response, html, not_found, robots

PER_PAGE = 20
INDEX = "/gkmlpt/index"
API = re.compile(r"^/gkmlpt/api/all/(\d+)$")
DETAIL = re.compile(r"^/gkmlpt/content/(\d+)/(\d+)/post_(\d+)\.html$")
DETAIL_URL = re.compile(r"^/gkmlpt/content/\d+/\d+/post_\d+\.html$")  # what faults may hit
EDITED_IN_LISTS = "republish"      # the API orders by the (re)publish time
COLUMNS = (
    ("/gkmlpt/index#2589", "政策文件"),
    ("/gkmlpt/index#2590", "规划计划"),
    ("/gkmlpt/index#2591", "通知公告"),
    ("/gkmlpt/index#2594", "工作计划和总结"),
)
EMPTY_CATEGORY = (2580, "机构职能")   # a leaf of the tree with no posts (discovery must pass it by)
CST = timezone(timedelta(hours=8))


def category(column: Column) -> int:
    return int(column.path.rsplit("#", 1)[1])


def sid(site: Site) -> str:
    return str(site.first_doc_id % 900_000 + 100_000)


def doc_path(doc: Doc) -> str:
    n = doc.doc_id
    return f"/gkmlpt/content/{n // 1_000_000}/{n // 1000}/post_{n}.html"


def handle(world, site: Site, request: Request) -> Response:
    path = request.path
    if path == "/robots.txt":
        return robots()
    if path in ("/", "/index.html"):
        return html(_home(world, site))
    if path in (INDEX, INDEX + "/"):
        return html(_index(world, site))
    if match := API.match(path):
        return _api(world, site, request, int(match.group(1)))
    if match := DETAIL.match(path):
        doc = world.document(site, int(match.group(3)))
        if not world.served(doc) or doc_path(doc) != path:
            return not_found()
        return with_validators(html(_detail(world, site, doc)), doc, world)
    return not_found()


def _nav() -> str:
    return ('<a href="/">首页</a><a href="/zwgk/index.html">政务公开</a>'
            f'<a href="{INDEX}">政府信息公开</a><a href="/hdjl/index.html">互动交流</a>')


def _home(world, site: Site) -> str:
    main = portal.home_blocks(world, site, lambda c: c.path, doc_path)
    return portal.page(site, site.name, main, head=portal.meta_block(site), nav=_nav(),
                       after=f'<script>var NFCMS_SITE_ID={sid(site)};var NFCMS_PUB_TYPE="index";</script>\n')


def _tree(world, site: Site) -> list[dict]:
    leaves = [{"id": category(c), "name": c.name, "post_count": len(world.listed(site, c)), "children": []}
              for c in site.columns]
    leaves.append({"id": EMPTY_CATEGORY[0], "name": EMPTY_CATEGORY[1], "post_count": 0, "children": []})
    return [{"id": 1, "name": "法定主动公开内容", "children": sorted(leaves, key=lambda n: n["id"])},
            {"id": 2, "name": "依申请公开", "jump_url": "/ysqgk/index.html", "children": []}]


def _index(world, site: Site) -> str:
    tree = json.dumps(_tree(world, site), ensure_ascii=False)
    script = (f"<script>window._CONFIG = {{\n  SID: '{sid(site)}',\n  SERVICE_AREA_ID: 1,\n"
              f"  SITE_NAME: '{escape(site.name)}',\n  TREE: {tree}\n}};</script>\n")
    head = portal.meta_block(site, "政府信息公开目录") + script
    main = '<div id="app"></div><noscript>请开启浏览器的JavaScript功能</noscript>'
    return portal.page(site, f"政府信息公开目录_{site.name}", main, head=head, nav=_nav(),
                       after='<script src="/gkmlpt/gkml/pc/js/chunk-common.js"></script>\n')


def _moment(doc: Doc) -> datetime:
    hour, minute = map(int, doc.pub_time.split(":"))
    day = doc.listed_on
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)


def _article(doc: Doc, base: str) -> dict:
    header = doc.header
    moment = _moment(doc)
    return {"id": doc.doc_id, "title": header.title, "document_number": header.doc_number or "",
            "publisher": header.agency, "identifier": doc.index_number, "keywords": header.theme.topic,
            "date": int(moment.timestamp()), "display_publish_time": int(moment.timestamp()),
            "created_at": f"{moment:%Y-%m-%d %H:%M:%S}", "classify_main_name": doc.column.name,
            "classify_theme_name": header.theme.topic, "url": base + doc_path(doc), "attachment": [],
            "is_expired": False, "is_abolished": False}


def _api(world, site: Site, request: Request, cat: int) -> Response:
    params = request.params
    if params.get("sid") != sid(site):
        return _json({"classify": None, "articles": [], "msg": "site not found"})
    if cat == 0:
        docs = sorted((d for c in site.columns for d in world.listed(site, c)),
                      key=lambda d: (d.listed_on, d.doc_id), reverse=True)
        name = "全部"
    else:
        column = next((c for c in site.columns if category(c) == cat), None)
        if column is None and cat != EMPTY_CATEGORY[0]:
            return not_found()
        docs = world.listed(site, column) if column else []
        name = column.name if column else EMPTY_CATEGORY[1]
    page = int(params.get("page") or 1) if (params.get("page") or "1").isdigit() else 1
    start = max(page - 1, 0) * PER_PAGE        # pages 0 and 1 are the same
    if page > page_count(len(docs), PER_PAGE):
        return not_found()
    base = f"http://{request.headers.get('host', site.host)}"
    return _json({"classify": {"id": cat, "name": name, "post_count": len(docs)},
                  "articles": [_article(d, base) for d in docs[start:start + PER_PAGE]]})


def _json(value: dict) -> Response:
    return Response(200, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8")


def _detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    detail = {"id": doc.doc_id, "title": header.title, "document_number": header.doc_number or "",
              "publisher": header.agency, "identifier": doc.index_number}
    script = f"<script>window._CONFIG = {{SID: '{sid(site)}', DETAIL: {json.dumps(detail, ensure_ascii=False)}}};</script>\n"
    main = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{INDEX}">政府信息公开目录</a></div>'
            f'{portal.info_table(doc)}<div class="article"><h1>{escape(header.title)}</h1>'
            f'<div class="info">发布日期：{header.published} {doc.pub_time}　来源：{escape(header.agency)}</div>'
            f'<div class="article-content">{portal.body_html(world, doc)}</div></div>')
    return portal.page(site, f"{header.title}_{site.name}", main, head=portal.meta_block(site, doc.column.name, doc) + script,
                       nav=_nav())
