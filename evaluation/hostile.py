"""A hostile archive and the checks that every response built from it is inert.

The world: documents whose titles, bodies, agencies, 文号, attachment names and URLs, site
names, versions, template families, saved searches and archived captures carry HTML/JS
payloads — some typed in as extracted fields, some scraped through `extract_document` from
hostile pages, as a crawl would. `crawl_urls(app)` lists every GET route filled with every id
the world has; `inert_*` check one response of each kind and return what got through.
Shared by tests/security and bench/reliability_report.py.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import lxml.html

# markup a scraped page may carry; each alert has its own number so a leak names its payload
PAYLOADS = (
    "<script>alert(101)</script>",
    "<img src=x onerror=alert(102)>",
    "\"><svg onload=alert(103)>",
    "</textarea><script>alert(104)</script>",
    "</title><script>alert(105)</script>",
    "<a href=\"javascript:alert(106)\">点击查看</a>",
    "<style>body{background:url(javascript:alert(107))}</style><div style=\"width:expression(alert(108))\">",
    "<iframe src=\"data:text/html,&lt;script&gt;alert(109)&lt;/script&gt;\"></iframe>",
    "'';!--\"<XSS>=&{()}",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(110)>",
    "\u202e<script>alert(111)</script>\u202d",
    "＜script＞alert(112)＜/script＞",                     # full-width: NFKC would make it markup
    "<scr\u200bipt>alert(113)</scr\u200bipt>",
    "<<script>script>alert(114)<</script>/script>",
    "<!--<script>alert(115)//--></script>",
    "]]></title><script>alert(116)</script><![CDATA[",     # Atom/XML breakout
    "{{ 7*7 }}{% if 1 %}ssti{% endif %}${7*7}",             # template injection stays text
    "\x00\x0b\ufffe<script>alert(117)</script>",             # characters XML cannot carry
    "=HYPERLINK(\"http://evil.test/?x\",\"点击\")",             # a spreadsheet formula
    "<base href=\"http://evil.test/\"><meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(118)\">",
    "<form action=\"http://evil.test/\"><button formaction=\"javascript:alert(119)\">提交</button></form>",
    "<object data=\"javascript:alert(120)\"></object><embed src=\"javascript:alert(121)\">",
    "<svg><a xlink:href=\"javascript:alert(122)\"><text>x</text></a><foreignObject><script>alert(123)</script>",
    "<details open ontoggle=alert(124)>",
    "javascript:alert(125)",
)
# URLs a page may link: none may become a clickable link
HOSTILE_URLS = (
    "javascript:alert(201)", "JaVaScRiPt:alert(202)", " javascript:alert(203)", "java\tscript:alert(204)",
    "java\nscript:alert(205)", "\x01javascript:alert(206)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgyMDcpPC9zY3JpcHQ+",
    "vbscript:msgbox(208)", "ｊａｖａｓｃｒｉｐｔ:alert(209)", "javascript&colon;alert(210)", "file:///etc/passwd",
    "http://x.test/\"><script>alert(211)</script>", "//evil.test/212",
)
HOSTILE_PAGE = """<html><head><meta charset="utf-8"><title>{title}</title>
<meta name="ArticleTitle" content="{attr}"><meta name="ContentSource" content="{attr}"></head><body>
<h1>{title}</h1><div class="info">发布日期：2024-05-24 发布机构：{title}</div>
<div class="TRS_Editor"><p>文号：祁政办发〔2024〕9号</p><p>一、总体要求</p><p>{title}</p>
<p>附件：<a href="{href}">{title}.pdf</a> <a href="./P0{n}.docx" title="{attr}">{title}.docx</a></p>
<p onclick="alert(301)">{title}</p><script>alert(302)</script><svg onload="alert(303)"></svg></div></body></html>"""

SITES = [
    {"id": "hostile", "name": "进贤县<script>alert(401)</script>人民政府", "region": "360124", "family": "generic",
     "base_url": "javascript:alert(402)"},
    {"id": "plain", "name": "\"><img src=x onerror=alert(403)>", "region": "431121", "family": "trs",
     "base_url": "http://www.qiyang.gov.cn.test"},
]
CAPTURE_HTML = ("<html><head><meta charset='utf-8'><script>parent.document.title='pwned'</script></head>"
                "<body onload=\"alert(501)\"><h1>存档</h1>" + "".join(PAYLOADS) + "</body></html>").encode("utf-8")
SVG_CAPTURE = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(502)'><script>alert(503)</script></svg>"
ADMIN_TOKEN = "test-admin-token-0123456789"


def _docs():
    """(site id, ExtractedDocument) pairs: every payload in every field, plus scraped hostile pages."""
    from archive.extract import RawPage, extract_document
    from archive.extract.document import AttachmentLink, DocNumber, ExtractedDocument, Region

    region = Region("江西省", "南昌市", "进贤县", "360124")
    out = []
    for n, payload in enumerate(PAYLOADS, 1):
        url_payload = HOSTILE_URLS[n % len(HOSTILE_URLS)]
        text = "\n".join([f"一、{payload}", f"（一）政务公开{payload}方案", *PAYLOADS])
        out.append(("hostile", ExtractedDocument(
            url=f"http://www.jinxian.gov.cn.test/zwgk/202405/t20240501_{n}.html" if n % 2 else f"{url_payload}#{n}",
            title=f"进贤县政务公开方案{payload}", published=date(2024, 5, 1 + n % 28), written=date(2024, 4, 1 + n % 28),
            agency=f"进贤县{payload}办公室", index_number=f"360124-2024-{payload}",
            doc_number=DocNumber(f"进政发〔2024〕{n}号{payload}", f"进政发{payload}", 2024, n),
            region=region, year=2024, doc_type="方案", themes=("政务公开", payload), text=text,
            outline=(f"一、{payload}", f"（一）政务公开{payload}方案"),
            attachments=(AttachmentLink(url_payload, f"附件{payload}.pdf", "pdf"),
                         AttachmentLink(f"http://www.jinxian.gov.cn.test/P{n}.pdf", payload, "pdf")),
            sources={"title": f"meta:{payload}", "published": payload, payload: payload},
            errors=(payload,))))
    for n, payload in enumerate(PAYLOADS[:8], 1):
        attr = payload.replace("&", "&amp;").replace('"', "&quot;")
        page = HOSTILE_PAGE.format(title=payload, attr=attr, href=HOSTILE_URLS[n].replace('"', "&quot;"), n=n)
        doc = extract_document(RawPage(f"http://www.qiyang.gov.cn.test/zwgk/202405/t20240524_{n}.html",
                                       page.encode("utf-8"), {"content-type": "text/html; charset=utf-8"}))
        out.append(("plain", doc))
    return out


def build_world(root: Path):
    """The hostile archive and its index under root; returns its DataDir."""
    from sqlalchemy import delete, update

    from archive import index
    from archive.config import DataDir
    from archive.models import Cluster, Document
    from archive.store import Archive
    from archive.store import runs as crawl_runs
    from archive.store.clusters import refresh_cluster
    from archive.store.index_feed import iter_index_docs
    from archive.store.saved import add_saved
    from archive.warc import WarcWriter

    data = DataDir(root).ensure()
    archive = Archive(data.database_url)
    for site in SITES:
        archive.upsert_site(site)
    run = crawl_runs.start_run(archive, "hostile")
    docs = _docs()
    for site, doc in docs:
        archive.ingest(doc, site_id=site, seen_at=datetime(2024, 6, 1, 8, 0), run_id=run)
    # second versions: the diff pages show hostile text on both sides
    for site, doc in docs[:6]:
        edited = replace(doc, text=doc.text + "\n" + "".join(reversed(PAYLOADS)), title=doc.title + PAYLOADS[1])
        archive.ingest(edited, site_id=site, seen_at=datetime(2024, 7, 1, 9, 30), run_id=run)
    crawl_runs.finish_run(archive, run, pages=len(docs), new=len(docs), errors={PAYLOADS[0]: 2, "timeout": 1})
    warc = WarcWriter(data.warc_dir)
    page = warc.write(docs[0][1].url, 200, "OK", {"Content-Type": "text/html"}, CAPTURE_HTML)
    svg = warc.write("http://www.jinxian.gov.cn.test/x.svg", 200, "OK", {"Content-Type": "image/svg+xml"}, SVG_CAPTURE)
    warc.close()
    page_capture = archive.record_capture(docs[0][1].url, 200, {"content-type": "text/html"}, page, "hostile")
    archive.record_capture("http://www.jinxian.gov.cn.test/x.svg", 200, {"content-type": "image/svg+xml"}, svg, "hostile")
    # captures whose WARC location was tampered with: the route must never read outside warc/
    for name in ("../archive.sqlite", "/etc/passwd", "../../../../../../etc/passwd", "..\\archive.sqlite",
                 "warc/../../archive.sqlite", "bad\x00name.warc.gz", str(data.root / "archive.sqlite")):
        archive.record_capture(f"http://www.jinxian.gov.cn.test/t/{len(name)}", 200, {"content-type": "text/html"},
                               replace(page, file=name), "hostile")
    archive.record_capture("http://www.jinxian.gov.cn.test/neg", 200, {"content-type": "text/html"},
                           replace(page, offset=-5), "hostile")
    with archive.session() as s:
        s.execute(update(Document).where(Document.url == docs[0][1].url).values(capture_id=page_capture))
        ids = [row for row, in s.execute(Document.__table__.select().with_only_columns(Document.id))]
        s.execute(update(Document).values(cluster_id=None))
        s.execute(update(Document).where(Document.id.in_(ids[: len(ids) // 2])).values(cluster_id=1))
        s.execute(update(Document).where(Document.id.in_(ids[len(ids) // 2:])).values(cluster_id=2))
        s.execute(delete(Cluster))
        for cluster in (1, 2):
            s.add(Cluster(id=cluster, first_seen=datetime(2024, 6, 1), updated_at=datetime(2024, 6, 1)))
            s.flush()
            refresh_cluster(s, cluster, datetime(2024, 6, 1))   # its canonical copy, as dedup picks it
    for payload in PAYLOADS[:6]:
        add_saved(archive, f"保存{payload}", "政务公开", {"theme": payload[:90]}, email="victim@example.org",
                  webhook_url="http://127.0.0.1:9/secret-webhook", owner=payload, notify_from_now=False)
    add_saved(archive, "全部", "", {}, notify_from_now=False)
    index.rebuild(data.index_dir, iter_index_docs(archive))
    archive.close()
    return data


# -- the routes ---------------------------------------------------------------------------------

def world_ids(app) -> dict[str, list]:
    from sqlalchemy import select

    from archive.models import Capture, Document, Version
    from archive.models import SavedSearch

    archive = app.extensions["govplans"].archive
    with archive.session() as s:
        return {"doc": list(s.scalars(select(Document.id))), "capture": list(s.scalars(select(Capture.id))),
                "saved": list(s.scalars(select(SavedSearch.feed_key))),
                "versions": [tuple(r) for r in s.execute(select(Version.document_id, Version.number))],
                "cluster": sorted({c for c in s.scalars(select(Document.cluster_id)) if c is not None})}


def crawl_urls(app) -> list[str]:
    """Every GET route of the app, filled with every id the world has, and the searches that find the payloads."""
    ids = world_ids(app)
    searches = ["政务公开", "进贤县", "script", "alert", "onerror", "javascript", "方案", "点击查看", "HYPERLINK"]
    searches += [p for p in PAYLOADS if "\x00" not in p]
    out: list[str] = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        names = rule.arguments
        if not names:
            base = rule.rule
            out.append(base)
            if rule.endpoint.startswith(("search.", "feeds.", "explorer.", "citations.", "timelines.")):
                out += [f"{base}?{urlencode({'q': q})}" for q in searches]
                out += [f"{base}?{urlencode({'theme': p, 'agency': p, 'site': 'hostile'})}" for p in PAYLOADS[:4]]
            continue
        if names == {"doc_id"}:
            values = [{"doc_id": i} for i in ids["doc"]]
        elif names == {"capture_id"}:
            values = [{"capture_id": i} for i in ids["capture"]]
        elif names == {"cluster_id"}:
            values = [{"cluster_id": c} for c in ids["cluster"]]
        elif names == {"feed_key"}:
            values = [{"feed_key": k} for k in ids["saved"]]
        elif names == {"doc_id", "number"}:
            values = [{"doc_id": d, "number": n} for d, n in ids["versions"]]
        elif names == {"doc_id", "other_id"}:
            docs = ids["doc"]
            values = [{"doc_id": a, "other_id": b} for a, b in zip(docs, docs[1:] + docs[:1])]
        else:
            raise AssertionError(f"a route this check does not know how to fill: {rule.rule}")
        for value in values:
            out.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(value[m.group(1)]), rule.rule))
    return out


# -- inertness, per kind of response ------------------------------------------------------------

_URL_ATTRS = ("href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "cite",
              "{http://www.w3.org/1999/xlink}href", "srcdoc", "ping")
_ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "base", "form", "style", "link",
                "math", "foreignobject", "template", "portal", "noscript"}
_BAD_SCHEME = re.compile(r"^(?:javascript|data|vbscript|file):", re.I)


def _scheme_of(url: str) -> str:
    """What a browser sees: C0 controls and spaces stripped at the ends, tabs and newlines removed."""
    return re.sub(r"[\t\n\r]", "", url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11"
                                             "\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))


def inert_html(body: str, where: str = "", allow_capture_frame: bool = True) -> list[str]:
    """What in an HTML page could run or send the reader elsewhere: [] when nothing."""
    problems = []
    if not body.strip():
        return problems
    root = lxml.html.document_fromstring(body)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in _ACTIVE_TAGS:
            if tag == "iframe" and allow_capture_frame and element.get("sandbox") == "" \
                    and re.fullmatch(r"/capture/\d+/raw", element.get("src") or ""):
                pass
            elif tag == "link" and (element.get("rel") in ("stylesheet", "alternate", "icon")) \
                    and not _BAD_SCHEME.match(_scheme_of(element.get("href") or "")) \
                    and (element.get("href") or "").startswith("/"):
                pass
            elif tag == "form" and (element.get("action") or "").startswith("/") and element.get("method", "get").lower() in ("get", "post"):
                pass
            else:
                problems.append(f"{where}: <{tag}> element")
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append(f"{where}: meta refresh")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                problems.append(f"{where}: <{tag} {local}=…>")
            if local in _URL_ATTRS or name in _URL_ATTRS:
                if _BAD_SCHEME.match(_scheme_of(value)) or local == "srcdoc":
                    problems.append(f"{where}: <{tag} {local}={value[:40]!r}>")
                elif value.strip().startswith("//") or (re.match(r"^[a-z][a-z0-9+.-]*:", _scheme_of(value), re.I)
                                                        and "evil.test" in value):
                    problems.append(f"{where}: <{tag} {local}> leads off-site to {value[:40]!r}")
            if local == "style" and re.search(r"expression|url\(|javascript", value, re.I):
                problems.append(f"{where}: style={value[:40]!r}")
    return problems


def inert_json_text(body: str, where: str = "") -> list[str]:
    """JSON (or JSON lines): parses, and no raw < > anywhere, so no sniffing makes it markup."""
    problems = []
    for line in body.splitlines() if "\n" in body.strip() else [body]:
        if line.strip():
            json.loads(line)
    if "<" in body or ">" in body:
        problems.append(f"{where}: raw < or > in JSON")
    return problems


def inert_atom(body: bytes, where: str = "") -> list[str]:
    """Well-formed XML; every link http(s) or the archive's own; type=html content inert as HTML."""
    problems = []
    root = ET.fromstring(body)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        href = element.get("href")
        if href is not None and not re.match(r"^https?://", _scheme_of(href), re.I):
            problems.append(f"{where}: <{tag} href={href[:40]!r}>")
        if element.get("type") in ("html", "xhtml") and element.text:
            problems += inert_html(f"<div>{element.text}</div>", f"{where} <{tag} type=html>", False)
        if element.get("type") in (None, "text") and tag in ("title", "summary", "subtitle"):
            pass    # text constructs: readers show them as text
    return problems


def inert_csv(body: str, where: str = "") -> list[str]:
    problems = []
    for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))):
        for cell in row:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                problems.append(f"{where}: formula cell {cell[:40]!r}")
    return problems


def check_response(url: str, response) -> list[str]:
    """One response of any kind: [] when what it carries is inert for its type."""
    body = response.get_data()
    mimetype = response.mimetype
    if response.status_code >= 500:
        return [f"{url}: HTTP {response.status_code}"]
    if url.startswith("/capture/") and response.status_code == 200:
        return check_capture_headers(url, response)
    if mimetype == "text/html":
        return inert_html(body.decode("utf-8"), url)
    if mimetype in ("application/json", "application/x-ndjson", "application/problem+json"):
        return inert_json_text(body.decode("utf-8"), url)
    if mimetype == "image/vnd.microsoft.icon" and url == "/favicon.ico":
        return []   # our own file, nothing scraped in it
    if mimetype == "application/atom+xml":
        return inert_atom(body, url)
    if mimetype == "text/csv":
        problems = inert_csv(body.decode("utf-8"), url)
        if "attachment" not in response.headers.get("Content-Disposition", ""):
            problems.append(f"{url}: CSV served inline")
        return problems
    return [f"{url}: unexpected type {mimetype}"]


def check_capture_headers(url: str, response) -> list[str]:
    """An archived page runs nothing: a CSP sandbox without allow-scripts, nothing loaded from elsewhere."""
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    problems = []
    if "sandbox" not in directives or any(t in directives["sandbox"] for t in ("allow-scripts", "allow-same-origin",
                                                                              "allow-top-navigation", "allow-popups")):
        problems.append(f"{url}: CSP sandbox missing or loosened: {csp!r}")
    if directives.get("default-src") != "default-src 'none'":
        problems.append(f"{url}: default-src is not 'none': {csp!r}")
    if "script-src" in directives:
        problems.append(f"{url}: script-src set on a capture: {csp!r}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: no nosniff")
    if response.mimetype not in ("text/html", "application/xhtml+xml"):
        problems.append(f"{url}: capture served as {response.mimetype}")
    return problems


REQUIRED_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def check_security_headers(url: str, response, method: str = "GET") -> list[str]:
    headers = response.headers
    url = url.split(" ", 1)[-1]
    problems = [f"{method} {url}: no {name}" for name in REQUIRED_HEADERS if not headers.get(name)]
    csp = headers.get("Content-Security-Policy", "")
    if headers.get("X-Content-Type-Options", "") != "nosniff":
        problems.append(f"{url}: X-Content-Type-Options is not nosniff")
    if "frame-ancestors 'none'" not in csp and "frame-ancestors 'self'" not in csp:
        problems.append(f"{url}: CSP without frame-ancestors: {csp!r}")
    if headers.get("X-Frame-Options", "").upper() not in ("DENY", "SAMEORIGIN"):
        problems.append(f"{url}: X-Frame-Options {headers.get('X-Frame-Options')!r}")
    if headers.get("Referrer-Policy") not in ("no-referrer", "same-origin", "strict-origin"):
        problems.append(f"{url}: Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if not url.startswith("/capture/"):
        for needed in ("default-src", "script-src", "object-src 'none'", "base-uri"):
            if needed not in csp:
                problems.append(f"{url}: CSP without {needed}")
        if "'unsafe-inline'" in csp.split("script-src", 1)[-1].split(";")[0]:
            problems.append(f"{url}: script-src allows inline scripts")
    return problems


# -- path traversal -----------------------------------------------------------------------------

TRAVERSALS = (
    "../archive.sqlite", "..%2farchive.sqlite", "%2e%2e/%2e%2e/etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%252f..%252fetc%252fpasswd", "/etc/passwd", "%2fetc%2fpasswd", "....//....//etc/passwd",
    "..\\..\\archive.sqlite", "..%5c..%5carchive.sqlite", "%00", "1%00", "1%00.json", "..%00/", "%c0%ae%c0%ae/etc/passwd",
    "%uff0e%uff0e/etc/passwd", "．．/．．/etc/passwd", "1/../../archive.sqlite", "1;/../../etc/passwd",
    "../warc/", "warc/", "index/", "file:///etc/passwd", "-1", "99999999999999999999999", "1e3", "0x1",
)
PATH_TEMPLATES = ("/doc/{}", "/doc/{}.json", "/capture/{}/raw", "/static/{}", "/saved/{}.atom", "/doc/1/versions/{}",
                  "/doc/1/compare/{}", "/doc/{}/versions/1", "/{}", "/warc/{}", "/data/{}", "/attachments/{}",
                  "/search.csv/{}", "/templates/{}")
LEAK_MARKERS = (b"SQLite format 3", b"root:x:0:0", b"WARC/1.", b"\x1f\x8b\x08", b"daemon:x:", b"SECRET_KEY")


def traversal_urls(extra: list[str] = ()) -> list[str]:
    return [template.format(t) for template in PATH_TEMPLATES for t in (*TRAVERSALS, *extra)]


def leaked(response) -> bytes | None:
    body = response.get_data()
    return next((m for m in LEAK_MARKERS if m in body), None)
