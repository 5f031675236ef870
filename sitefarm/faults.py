"""Faults a crawler must survive, deterministic per URL from the world's seed.

A `Faults` object says how often and how hard: `Faults.of("off" | "low" | "high")` or your own
`Faults(rate=…, site_rate=…, kinds=…, slow_seconds=…)`. World() has none; `farm serve` defaults
to "low". Two kinds of fault:

- per URL (detail pages and attachments only; lists stay clean so every document stays
  reachable through them): a URL is hit with probability `rate`, its kind drawn from
  Random("fault:{seed}:{host}:{path?query}"). Transient kinds hit only the first `attempts`
  requests to that URL (the server counts them); the rest hit every request.
- per site (probability `site_rate`): `session_ids` (every internal link carries
  ;jsessionid=… or &sid=…, different on each page, and the server accepts them: duplicate URLs)
  or `robots` (robots.txt disallows one column; details under it are off limits).

The truth lists, for each document, the faults on its URL and its attachments' URLs:
{"url", "kind", "attempts" (None: every request), "reachable" (can a careful, polite crawler end
with the right content), plus "disallow" / "true_encoding" where they apply}.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from dataclasses import replace as copy

from sitefarm.attachments import FILE_NAME
from sitefarm.families import FAMILIES
from sitefarm.responses import ROBOTS, Response, html

# kind -> how many first requests it hits (None: all of them)
ATTEMPTS = {"http_500": None, "http_503": 2, "too_many_requests": 1, "slow": None, "stall": 1, "reset": 1,
            "truncated": 1, "redirect_loop": None, "huge": None, "binary_as_html": None,
            "charset_mismatch": None, "utf16": None}
UNREACHABLE = {"http_500", "redirect_loop", "huge"}
PAGE_ONLY = {"redirect_loop", "huge", "charset_mismatch", "utf16"}   # need an HTML page to make sense
FILE_ONLY = {"binary_as_html"}                                       # need a binary file
SITE_KINDS = ("session_ids", "robots")
LOOP_PARAM = "loop"
SESSION = re.compile(r";jsessionid=[0-9A-F]+|(?<=[?&])sid=[0-9a-f]+&?|[?&]sid=[0-9a-f]+$")


@dataclass(frozen=True)
class Fault:
    kind: str
    attempts: int | None


@dataclass(frozen=True)
class Faults:
    level: str = "custom"
    rate: float = 0.0                 # share of detail and attachment URLs with a fault
    site_rate: float = 0.0            # share of sites with a site-wide fault
    kinds: tuple[str, ...] = tuple(ATTEMPTS)
    site_kinds: tuple[str, ...] = SITE_KINDS
    slow_seconds: float = 2.0         # slow: delay before every answer
    stall_seconds: float = 30.0       # stall: headers and a first piece, then silence, then close
    retry_after: int = 2              # 429's Retry-After
    huge_bytes: int = 50 * 2**20      # huge: a 50 MB page

    PRESETS = {}  # filled below

    @classmethod
    def of(cls, value: "Faults | str | None") -> "Faults":
        if isinstance(value, Faults):
            return value
        return cls.PRESETS[value or "off"]

    @property
    def enabled(self) -> bool:
        return self.rate > 0 or self.site_rate > 0

    # --- which URLs ---------------------------------------------------------

    def for_url(self, seed: int, host: str, target: str, is_file: bool) -> Fault | None:
        """The fault on one detail page or attachment (target: path?query), if any."""
        if not self.rate:
            return None
        rng = random.Random(f"fault:{seed}:{host}:{target}")
        if rng.random() >= self.rate:
            return None
        kinds = [k for k in self.kinds if k not in (PAGE_ONLY if is_file else FILE_ONLY)]
        if not kinds:
            return None
        kind = rng.choice(kinds)
        return Fault(kind, ATTEMPTS[kind])

    def for_site(self, seed: int, site) -> str | None:
        if not self.site_rate or site.family == "aggregator":
            return None
        rng = random.Random(f"site-fault:{seed}:{site.index}")
        if rng.random() >= self.site_rate:
            return None
        kinds = [k for k in self.site_kinds if k != "robots" or _robots_column(site)]
        return rng.choice(kinds) if kinds else None

    def disallowed(self, seed: int, site) -> str | None:
        """The path robots.txt disallows, on a site with the robots fault."""
        if self.for_site(seed, site) != "robots":
            return None
        return _robots_column(site).path

    def describe(self, world, site, doc_target: str, file_targets: list[str], base: str) -> list[dict]:
        """What the truth says about one document's URLs (targets are path?query)."""
        if not self.enabled:
            return []
        out = []
        site_kind = self.for_site(world.seed, site)
        for target, is_file in [(doc_target, False)] + [(t, True) for t in file_targets]:
            url = base + target
            if site_kind == "session_ids" and not is_file:
                out.append({"url": url, "kind": "session_ids", "attempts": None, "reachable": True})
            if site_kind == "robots" and target.startswith(self.disallowed(world.seed, site)):
                out.append({"url": url, "kind": "robots", "attempts": None, "reachable": False,
                            "disallow": self.disallowed(world.seed, site)})
            fault = self.for_url(world.seed, site.host, target, is_file)
            if fault:
                entry = {"url": url, "kind": fault.kind, "attempts": fault.attempts,
                         "reachable": fault.kind not in UNREACHABLE}
                if fault.kind == "charset_mismatch":
                    entry["true_encoding"] = "gbk" if site.family == "legacy" else "utf-8"
                out.append(entry)
        return out


Faults.PRESETS = {
    "off": Faults("off"),
    "low": Faults("low", rate=0.03, site_rate=0.1),
    "high": Faults("high", rate=0.25, site_rate=0.4),
}


def _robots_column(site):
    """The column robots.txt may close: one whose details live under its path."""
    return next((c for c in site.columns if site.family in ("trs", "xxgk")), None)


def strip_session(path: str, query: str) -> tuple[str, str]:
    """The URL without ;jsessionid= or sid= (what the server looks documents up by)."""
    path = SESSION.sub("", path)
    query = "&".join(p for p in query.split("&") if p and not p.startswith("sid=")) if query else query
    return path, query


def session_token(seed: int, host: str, page: str) -> str:
    return hashlib.md5(f"session:{seed}:{host}:{page}".encode()).hexdigest()


_HTML_LINK = re.compile(rb'href="((?:\./|/)[^"?#;:]*\.html)"')
_ASP_LINK = re.compile(rb'href="(/[^"#:]*\.asp\?[^"#]*)"')


def add_sessions(body: bytes, token: str) -> bytes:
    """Every internal link with a session id, as servers that track sessions in URLs write them."""
    body = _HTML_LINK.sub(lambda m: b'href="' + m.group(1) + b";jsessionid=" + token.upper().encode() + b'"', body)
    return _ASP_LINK.sub(lambda m: b'href="' + m.group(1) + b"&sid=" + token.encode() + b'"', body)


def apply(world, site, request, attempt: int, dispatch):
    """The response `dispatch` gives, with this URL's and this site's faults applied."""
    faults, seed = world.faults, world.seed
    site_kind = faults.for_site(seed, site)
    path, query = request.path, request.query
    if site_kind == "session_ids":
        path, query = strip_session(path, query)
    params = [p for p in query.split("&") if p] if query else []
    looping = f"{LOOP_PARAM}=1" in params
    query = "&".join(p for p in params if p != f"{LOOP_PARAM}=1")
    if site_kind == "robots" and path == "/robots.txt":
        text = ROBOTS + f"Disallow: {faults.disallowed(seed, site)}\n"
        return Response(200, text.encode(), "text/plain; charset=utf-8")
    target = path + (f"?{query}" if query else "")
    response = dispatch(world, site, copy(request, path=path, query=query))
    if response.status != 200:
        return response
    is_file = bool(FILE_NAME.search(path))
    fault = None
    if is_file or FAMILIES[site.family].DETAIL_URL.search(target):
        fault = faults.for_url(seed, site.host, target, is_file)
        if fault and fault.attempts is not None and attempt > fault.attempts:
            fault = None
    kind = fault.kind if fault else None
    if kind == "http_500":
        return html("<html><body><h1>500 Internal Server Error</h1></body></html>", 500)
    if kind == "http_503":
        return html("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", 503)
    if kind == "too_many_requests":
        return Response(429, b"Too Many Requests", "text/plain", [("Retry-After", str(faults.retry_after))])
    if kind == "redirect_loop":
        location = target if looping else target + ("&" if query else "?") + f"{LOOP_PARAM}=1"
        return Response(302, b"", "text/html", [("Location", location)])
    if kind in ("reset", "slow", "stall", "truncated", "huge"):
        seconds = {"slow": faults.slow_seconds, "stall": faults.stall_seconds}.get(kind, 0.0)
        response = copy(response, action=kind, action_arg=faults.huge_bytes if kind == "huge" else seconds)
    elif kind == "binary_as_html":
        response = copy(response, content_type="text/html; charset=utf-8")
    elif kind == "charset_mismatch":
        utf8 = "utf-8" in response.content_type
        response = copy(response, content_type="text/html; charset=" + ("gbk" if utf8 else "utf-8"))
    elif kind == "utf16":
        text = response.body.decode("utf-8" if "utf-8" in response.content_type else "gbk")
        response = copy(response, body=text.encode("utf-16"), content_type="text/html")
    if site_kind == "session_ids" and response.content_type.startswith(("text/html", "text/xml")):
        response = copy(response, body=add_sessions(response.body, session_token(seed, site.host, target)))
    return response
