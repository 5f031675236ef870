"""Telling a blocked answer from a page: pure functions over a response's status, headers and bytes.

`answer_signal` recognises an answer that refuses us:
- `challenge`, a JS cookie challenge: 瑞数 (Riversafe: 412, some versions 202 or 200, a cookie whose
  name ends in S or 80S, `$_ts=window['$_ts']`, `<meta … r='m'>`), 加速乐 (Jiasule: 521, cookie
  __jsluid*, a script writing `__jsl_clearance` into document.cookie, then `location.href=…`), or
  any short page whose only content is a script that sets a cookie and reloads;
- `waf`, a WAF's block page (403, 405, 493 … with a vendor's marks: 安全狗, 云锁, 创宇盾, 阿里云盾,
  360/奇安信 WZWS, 腾讯云, 华为云, 长亭, 玄武盾, Yundun, 加速乐's WAF), or a 493 (WZWS's own status).
`empty_list_signal` tells why a list page with no items has none: `js_list` (scripts fetch them)
or `stub` (a few hundred bytes, almost no text). The marks are public facts gathered in the
project's research notes (wafw00f's plugins, crawlers that met them); no challenge is solved here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from archive.extract.decoding import decode
from archive.extract.dom import parse

# the first bytes looked at: block pages and challenges are small, and their marks come early
SCAN_BYTES = 64 * 1024
STUB_BYTES = 512            # a list page this small holds no list
STUB_TEXT = 50              # ... nor does one with less visible text than this (AE's rule for JS pages)
CHALLENGE_TEXT = 80         # a cookie-and-reload page shows less text than this
VENDOR_HEADERS = ("wzws-ray", "x-powered-by-360wzb")   # their presence alone names the vendor


@dataclass(frozen=True)
class Signal:
    kind: str               # challenge / waf (answers); js_list / stub (list pages)
    vendor: str | None      # 瑞数, 加速乐, 安全狗 … (None: not recognised)
    status: int
    mark: str               # what gave it away

    def evidence(self, url: str) -> dict:
        return {"status": self.status, "vendor": self.vendor, "mark": self.mark, "url": url}


# (vendor, where, pattern): where is "body", "cookie" (Set-Cookie names and values) or "server"
# (Server and the vendor's own headers)
WAF_MARKS = (
    ("安全狗", "cookie", r"safedog-flow-item="), ("安全狗", "server", r"safedog"),
    ("安全狗", "body", r"404\.safedog\.cn|safedogsite/|safedog\.cn/"),
    ("云锁", "cookie", r"yunsuo_session"), ("云锁", "body", r"yunsuologo|yunsuo\.com"),
    ("创宇盾", "body", r"365cyd\.(?:com|cn)|cyd-error-help"),
    ("阿里云盾", "body", r"errors\.aliyun\.com|alicdn\.com/sd-base|your request has been blocked as it may cause "
                       r"potential threats"),
    ("WZWS", "server", r"qianxin-waf|wzws|360wzb"), ("WZWS", "body", r"wzws-waf-cgi|wangshan\.360\.cn"),
    ("腾讯云", "body", r"waf\.tencent-cloud\.com"),
    ("华为云", "cookie", r"HWWAFSESID"), ("华为云", "server", r"huaweicloudwaf"), ("华为云", "body", r"hwclouds\.com"),
    ("长亭", "body", r"<!--\s*event id:|safeline"),
    ("玄武盾", "body", r"dbappwaf\.cn|class=\"dbwaf"),
    ("Yundun", "server", r"yundun"), ("Yundun", "cookie", r"yd_cookie="),
    ("Yundun", "body", r"blocked by yundun"),
    ("加速乐", "server", r"jiasule"), ("加速乐", "body", r"notice-jiasule|static\.jiasule\.com"),
)
_WAF = [(vendor, where, re.compile(pattern.encode() if where == "body" else pattern, re.I))
        for vendor, where, pattern in WAF_MARKS]
_RUISHU_BODY = re.compile(rb"\$_ts\s*=\s*window\[|\$_ts\.nsd\s*=|\$_ts\.cd\s*=|<meta[^>]+\sr=['\"]m['\"]")
_RUISHU_COOKIE = re.compile(r"(?:^|,\s*)[A-Za-z0-9_]{6,}(?:80)?S=\w", re.A)
_JSL_COOKIE = re.compile(r"__jsluid|__jsl_clearance")
_JSL_BODY = re.compile(rb"__jsl_clearance|\('_'\)\+\('_'\)\+\('j'\)|go\(\{\s*['\"]?bts")
_SETS_COOKIE = re.compile(rb"document\.cookie\s*=")
_RELOADS = re.compile(rb"location\.(?:reload|replace|href\s*=|assign)|window\.location\s*=")
# scripts that fetch a list: XHR, fetch, jQuery's helpers, axios, JSONP callbacks, SPA templating
_FETCHES = re.compile(rb"XMLHttpRequest|\bfetch\s*\(|\$\.(?:ajax|get|post|getJSON)\s*\(|axios[.(]|jsonp|"
                      rb"callback=|ng-app|v-for=|\{\{\s*\w+(?:\.\w+)*\s*\}\}|\.jhtml|dataproxy", re.I)
_SCRIPT_SRC = re.compile(rb"<script[^>]+src=", re.I)
HIDDEN = ("script", "style", "noscript", "template", "title")
_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json", "application/javascript")


def answer_signal(status: int, headers: dict[str, str], body: bytes) -> Signal | None:
    """A challenge or a WAF's block page (None: an ordinary answer). headers: lower-case names
    (set-cookie values joined by ", "); body: the (decompressed) bytes."""
    content_type = headers.get("content-type", "")
    if content_type and not content_type.startswith(_TEXT_TYPES):
        return None                                   # a file, not a page
    head = body[:SCAN_BYTES]
    cookies = headers.get("set-cookie", "")
    server = " ".join([headers.get(name, "") for name in ("server", "x-powered-by", "x-cache")]
                      + [name for name in VENDOR_HEADERS if name in headers])
    if status in (200, 202) and len(body) > SCAN_BYTES:
        return None                                   # a real page: challenges are small
    found = _challenge(status, cookies, head)
    if found:
        return found
    if status >= 400:
        for vendor, where, pattern in _WAF:
            text = head if where == "body" else cookies if where == "cookie" else server
            hit = pattern.search(text)
            if hit:
                mark = hit.group(0).decode("latin-1") if isinstance(hit.group(0), bytes) else hit.group(0)
                return Signal("waf", vendor, status, mark)
        if status == 493:
            return Signal("waf", "WZWS", status, "HTTP 493")
    return None


def _challenge(status: int, cookies: str, head: bytes) -> Signal | None:
    if hit := _RUISHU_BODY.search(head):
        return Signal("challenge", "瑞数", status, hit.group(0).decode("latin-1")[:40])
    if status == 412 and (hit := _RUISHU_COOKIE.search(cookies)):
        return Signal("challenge", "瑞数", status, "cookie " + hit.group(0).strip(", ")[:40])
    if hit := _JSL_BODY.search(head):
        return Signal("challenge", "加速乐", status, hit.group(0).decode("latin-1")[:40])
    if status == 521 and (hit := _JSL_COOKIE.search(cookies)):
        return Signal("challenge", "加速乐", status, "cookie " + hit.group(0))
    if _SETS_COOKIE.search(head) and _RELOADS.search(head) and visible_text_length(head) < CHALLENGE_TEXT:
        vendor = "瑞数" if status == 412 else "加速乐" if status == 521 else None
        return Signal("challenge", vendor, status, "document.cookie + reload")
    return None


def empty_list_signal(status: int, body: bytes) -> Signal | None:
    """Why a list page (answered 200) showed no items: `js_list` when its scripts fetch them,
    `stub` when it is a few hundred bytes or shows almost no text; None when it looks like a real
    page (a redesign, a wrong column: the broken-site rule's business)."""
    head = body[:SCAN_BYTES]
    text = visible_text_length(head)
    if (hit := _FETCHES.search(head)) and (_SCRIPT_SRC.search(head) or b"<script" in head.lower()):
        return Signal("js_list", None, status, hit.group(0).decode("latin-1")[:40])
    if len(body) < STUB_BYTES or text < STUB_TEXT:
        return Signal("stub", None, status, f"{len(body)} bytes, {text} characters of text")
    return None


def visible_text_length(body: bytes) -> int:
    """Characters of text a reader would see (scripts, styles and whitespace left out); the bytes
    are decoded as extraction decodes them (an undecoded GB2312 page can parse as almost nothing)."""
    if not body.strip():
        return 0
    root = parse(decode(body)[0])
    if root is None:
        return 0
    for node in list(root.iter(*HIDDEN)):
        if node.getparent() is not None:
            node.drop_tree()
    return len("".join(root.text_content().split()))


# -- the run's tally, kept in the crawl's stats (as its error kinds are) ------------------------------

SIGNALS = "govplans/signals/"
EVIDENCE = "govplans/evidence/"


def record_signal(stats, site_id: str, kind: str, evidence: dict | None = None) -> None:
    """Count one signal of a site (a challenge, a WAF page, a stub list …) and keep the first
    evidence of each kind (stats: Scrapy's stats collector)."""
    stats.inc_value(f"{SIGNALS}{site_id}/{kind}")
    if evidence is not None:
        note_evidence(stats, site_id, kind, evidence)


def note_evidence(stats, site_id: str, kind: str, evidence: dict) -> None:
    key = f"{EVIDENCE}{site_id}/{kind}"
    if stats.get_value(key) is None:
        stats.set_value(key, evidence)


def site_signals(stats: dict, site_id: str) -> tuple[dict[str, int], dict[str, dict]]:
    """(kind -> count, kind -> first evidence) of one site, from the stats' values."""
    counts, evidence = {}, {}
    for prefix, out in ((f"{SIGNALS}{site_id}/", counts), (f"{EVIDENCE}{site_id}/", evidence)):
        for key, value in stats.items():
            if key.startswith(prefix):
                out[key[len(prefix):]] = value
    return counts, evidence
