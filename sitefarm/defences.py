"""Portals that keep a crawler out, as real ones do (the research notes on blocking signatures):

| defence | what every request gets | a careful crawler records |
| --- | --- | --- |
| `challenge_412` | 瑞数-style: 412, a cookie named …S, `<meta r='m'>`, `$_ts` and a script that sets the …T cookie and reloads | challenge |
| `challenge_521` | 加速乐-style: 521, `__jsluid_s`, a script writing `__jsl_clearance_s` and reloading | challenge |
| `challenge_200` | the 瑞数 page answered 200 (it must never be stored as a document) | challenge |
| `waf_safedog` / `waf_aliyun` / `waf_wzws` | 安全狗 403 / 阿里云盾 405 / WZWS 493 block pages | waf |
| `waf_details` | lists answer, every document page gets the 安全狗 page (a WAF rule on article URLs) | waf |
| `reset` | the connection reset before any byte | reset |
| `refused` | nothing listens: the registry gives port 1 | refused |
| `dns` | the host is under .invalid, which never resolves | dns |
| `stub` | list pages of 300 bytes (TRS's broken deep pages); home and detail pages fine | stub |
| `js_list` | list pages are a shell whose script fetches `/api/list?column=…&page=N` (JSON) | js_list |

A browser that runs the challenge scripts gets the site (the cookies they set are accepted);
nothing in govplans runs them. Defended sites are TRS sites beside the world's county sites
(`World(defended=(…))`), with documents of their own that no polite crawler reaches.
"""
from __future__ import annotations

import hashlib
import json
from html import escape
from urllib.parse import quote

from sitefarm.families import trs
from sitefarm.model import Site
from sitefarm.responses import Request, Response, html

EXPECTED = {"challenge_412": "challenge", "challenge_521": "challenge", "challenge_200": "challenge",
            "waf_safedog": "waf", "waf_aliyun": "waf", "waf_wzws": "waf", "waf_details": "waf", "reset": "reset",
            "refused": "refused", "dns": "dns", "stub": "stub", "js_list": "js_list"}
DEFENCES = tuple(EXPECTED)
REFUSED_PORT = 1            # tcpmux: nothing listens there on a test machine
RUISHU_COOKIE = "NfBCSins2Oyw"
STUB_SIZE = 300


def token(site: Site, what: str) -> str:
    return hashlib.md5(f"{what}:{site.host}".encode()).hexdigest()


def host_of(slug: str, defence: str | None) -> str:
    return f"www.{slug}.gov.cn.invalid" if defence == "dns" else f"www.{slug}.gov.cn.test"


def apply(world, site: Site, request: Request, dispatch) -> Response:
    """What a request to a defended site gets (dispatch: the undefended site's answer)."""
    kind = site.defence
    if kind.startswith("challenge_"):
        return _challenge(world, site, request, dispatch)
    if kind == "waf_details":
        return _waf(site, "waf_safedog") if trs.DETAIL_URL.search(request.path) else dispatch(world, site, request)
    if kind.startswith("waf_"):
        return _waf(site, kind)
    if kind == "reset":
        return Response(200, b"", action="reset")
    if kind in ("stub", "js_list"):
        column = _list_column(site, request.path)
        if kind == "js_list" and request.path == "/api/list":
            return _list_json(world, site, request)
        if column is not None:
            return _stub() if kind == "stub" else html(_js_shell(site, column))
    return dispatch(world, site, request)


# -- JS cookie challenges --------------------------------------------------------------------------

def _cookies(request: Request) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in request.headers.get("cookie", "").split(";"))
    return {name: value for name, _, value in pairs if name}


def _challenge(world, site: Site, request: Request, dispatch) -> Response:
    cookies = _cookies(request)
    seed = token(site, "challenge")
    if site.defence == "challenge_521":
        if cookies.get("__jsl_clearance_s") == seed[:24]:
            return dispatch(world, site, request)
        script = "+".join(f"('{c}')" for c in "__jsl_clearance_s=") + f"+('{seed[:12]}')+('{seed[12:24]}')"
        body = (f"<script>document.cookie={script}+';max-age=3600;path=/';"
                "location.href=location.pathname+location.search</script>")
        return Response(521, body.encode(), "text/html; charset=utf-8",
                        [("Set-Cookie", f"__jsluid_s={token(site, 'jsluid')[:32]}; max-age=31536000; path=/; HttpOnly")])
    script_path = f"/{seed[:4]}/{seed[4:8]}.js"
    if request.path == script_path:
        return Response(200, _ruishu_script(seed).encode(), "application/javascript")
    if cookies.get(RUISHU_COOKIE + "T") == seed[::-1]:
        return dispatch(world, site, request)
    body = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="rs{seed[8:12]}" content="{seed}" r='m'>
<script type="text/javascript" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd={int(seed[:4], 16)};$_ts.cd="{seed[::-1]}";</script>
<script type="text/javascript" charset="utf-8" src="{script_path}" r='m'></script>
</head>
<body>
<script type="text/javascript" r='m'>_$xx();</script>
</body></html>"""
    status = 200 if site.defence == "challenge_200" else 412
    return Response(status, body.encode(), "text/html; charset=utf-8",
                    [("Set-Cookie", f"{RUISHU_COOKIE}S=60{token(site, 'rs')[:40]}; path=/; expires=Fri, 01 Jan 2038 "
                                    "00:00:00 GMT; HttpOnly")])


def _ruishu_script(seed: str) -> str:
    return ("function _$xx(){var m=document.getElementById('rs" + seed[8:12] + "');"
            "document.cookie='" + RUISHU_COOKIE + "T='+m.content.split('').reverse().join('')+'; path=/';"
            "location.reload();}")


# -- WAF block pages (our own wording, with each vendor's public marks) -------------------------------

def _waf(site: Site, kind: str) -> Response:
    event = token(site, "waf")[:16]
    if kind == "waf_safedog":
        body = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>网站防火墙</title></head><body>
<div class="box"><img src="http://404.safedog.cn/images/safedogsite/head.png" alt="网站防火墙">
<h3>您的访问已被网站安全防护拦截</h3><p>如果您是网站管理员，请登录防护软件查看拦截记录。</p><p>事件编号：{event}</p></div></body></html>"""
        return Response(403, body.encode(), "text/html; charset=utf-8",
                        [("Set-Cookie", f"safedog-flow-item={event.upper()}; path=/")])
    if kind == "waf_aliyun":
        body = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>405</title></head><body>
<div class="block"><img src="https://errors.aliyun.com/images/waf-block.png" alt="">
<p>很抱歉，您的访问请求被安全策略阻断。</p>
<p>Sorry, your request has been blocked as it may cause potential threats to the server's security.</p>
<p>ID: {event}</p></div></body></html>"""
        return Response(405, body.encode(), "text/html; charset=utf-8")
    body = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>访问被拦截</title></head><body>
<p>您的访问被网站云防护拦截。</p><p><a href="/wzws-waf-cgi/report?id={event}">误报反馈</a></p></body></html>"""
    return Response(493, body.encode(), "text/html; charset=utf-8", [("WZWS-Ray", f"{event}-1")])


# -- lists without items ---------------------------------------------------------------------------

def _list_column(site: Site, path: str):
    """The column whose list page `path` is (index.html, index_N.html or the column's own path)."""
    for column in site.columns:
        if path.startswith(column.path):
            rest = path[len(column.path):]
            if rest == "" or trs.LIST_PAGE.match(rest):
                return column
    return None


def _stub() -> Response:
    page = ('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title></title>\n</head>\n<body>\n'
            '<div class="list_con">\n<ul class="list">\n</ul>\n</div>\n</body>\n</html>\n')
    return html(page + " " * max(0, STUB_SIZE - len(page) - 1) + "\n")


def _js_shell(site: Site, column) -> str:
    api = f"/api/list?column={quote(column.path, safe='')}&page=1"
    script = (f'fetch("{api}").then(function(r){{return r.json()}}).then(function(d){{'
              'var ul=document.getElementById("list");d.items.forEach(function(i){'
              'var li=document.createElement("li"),a=document.createElement("a"),s=document.createElement("span");'
              'a.href=i.url;a.textContent=i.title;s.textContent=i.date;li.appendChild(a);li.appendChild(s);'
              'ul.appendChild(li);});});')
    return trs._head(site, f"{column.name}_{site.name}") + f"""<div class="main w1200">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; {escape(column.name)}</div>
<div class="list-title">{escape(column.name)}</div>
<ul class="list" id="list"></ul>
<div class="page" id="pager"></div>
</div>
<script>{script}</script>
""" + trs._footer(site)


def _list_json(world, site: Site, request: Request) -> Response:
    params = request.params
    column = next((c for c in site.columns if c.path == params.get("column")), None)
    if column is None:
        return Response(400, b'{"error":"column"}', "application/json; charset=utf-8")
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    docs = world.listed(site, column)
    shown = docs[(page - 1) * trs.PER_PAGE: page * trs.PER_PAGE]
    data = {"total": len(docs), "page": page, "pages": max(1, -(-len(docs) // trs.PER_PAGE)),
            "items": [{"title": d.header.title, "url": trs.doc_path(d), "date": str(d.listed_on)} for d in shown]}
    return Response(200, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")
