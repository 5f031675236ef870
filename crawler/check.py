"""`govplans sites check ID`: fetch a site's start pages once and say what its spider finds there.

No Scrapy engine: a few plain HTTP requests (robots.txt first, the crawler's User-Agent), then the
family spider's own list reading on the responses, so a new registry entry can be tried in seconds.
The same requests, paced and kept to robots.txt and a budget (Fetcher), serve `sites discover`.
"""
from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from protego import Protego
from scrapy.http import Request
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes

from crawler.spiders import spider_for

TIMEOUT = 20
MAX_FETCHES = 40            # requests per site for one discovery, at most


@dataclass
class ColumnCheck:
    url: str
    status: int | None = None
    error: str | None = None
    items: list[str] = field(default_factory=list)       # detail URLs on the first list page
    pages: int = 0                                       # further list pages known from the first
    next_page: str | None = None                         # else the 下一页 link
    via: str | None = None                               # the dataproxy request, for 大汉 columns


def fetch(request: Request, user_agent: str, test_hosts: bool) -> object:
    """One request -> a Scrapy response (no redirects followed). *.test hosts go to 127.0.0.1 when asked."""
    parts = urlsplit(request.url)
    host = "127.0.0.1" if test_hosts and (parts.hostname or "").endswith(".test") else parts.hostname
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(host, parts.port, timeout=TIMEOUT)
    try:
        headers = {"Host": parts.netloc, "User-Agent": user_agent}
        headers.update({k.decode(): b", ".join(v).decode() for k, v in request.headers.items()})
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(request.method, path, body=request.body or None, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        response_headers = Headers(answer.getheaders())
    finally:
        connection.close()
    cls = responsetypes.from_args(headers=response_headers, url=request.url, body=body)
    return cls(url=request.url, status=answer.status, headers=response_headers, body=body, request=request)


def network_problem(error: OSError, url: str, test_hosts: bool = False) -> str:
    """A failed fetch in words: which host, and what probably went wrong."""
    parts = urlsplit(url)
    host = parts.hostname or url
    if isinstance(error, socket.gaierror):
        return (f"cannot resolve {host} (DNS: {error.strerror or error}): no network, or the name does not "
                f"exist (any more)")
    where = f"127.0.0.1:{parts.port or 80} (for {host})" if test_hosts and host.endswith(".test") else \
        f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    if isinstance(error, ConnectionRefusedError):
        hint = " — is the simulated farm running (`make demo`, `govplans farm serve`)?" if host.endswith(".test") else ""
        return f"nothing answers at {where} (connection refused){hint}"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return f"{where} did not answer within {TIMEOUT} s"
    return f"cannot fetch from {where}: {error.strerror or error}"


def check_site(site: dict, user_agent: str, test_hosts: bool = False) -> list[ColumnCheck]:
    spider = spider_for(site["family"])(sites=[site])
    robots = None
    try:
        robots_response = fetch(Request(urljoin(site["base_url"], "/robots.txt")), user_agent, test_hosts)
        if robots_response.status == 200:
            robots = Protego.parse(robots_response.text)
    except OSError:
        pass
    checks = []
    for column in spider.start_columns(site):
        check = ColumnCheck(column)
        checks.append(check)
        if robots is not None and not robots.can_fetch(column, user_agent):
            check.error = "disallowed by robots.txt"
            continue
        try:
            request = Request(column, cb_kwargs={"site": site, "column": column})
            response = fetch(request, user_agent, test_hosts)
            check.status = response.status
            follow = getattr(spider, "first_list_request", None)
            proxy = follow(response, site, column) if follow and hasattr(response, "text") else None
            if proxy is not None:  # a 大汉 column page (items from the dataproxy), a gkmlpt index (the API)
                check.via = f"POST {proxy.url} {proxy.body.decode('latin-1')}"
                response = fetch(proxy, user_agent, test_hosts)
                check.status = response.status
        except OSError as error:
            check.error = network_problem(error, column, test_hosts)
            continue
        if response.status != 200:
            continue
        check.items = list(dict.fromkeys(url for url, _ in spider.list_items(response)))
        check.pages = len(list(spider.list_pages(response, column)))
        if not check.pages:
            check.next_page = spider.next_page(response)
    return checks


class Fetcher:
    """For `sites discover`: plain GETs (and the spiders' POSTs) to one site: robots.txt obeyed, a pause between requests."""

    def __init__(self, user_agent: str, test_hosts: bool, delay: float = 1.0, budget: int = MAX_FETCHES):
        self.user_agent, self.test_hosts, self.delay, self.budget = user_agent, test_hosts, delay, budget
        self.robots: dict[str, Protego | None] = {}
        self.last = 0.0

    def get(self, request: Request | str, hops: int = 3):
        request = Request(request) if isinstance(request, str) else request
        if self.budget <= 0:
            return None, "budget spent"
        host = urlsplit(request.url).hostname or ""
        if self.test_hosts and not (host.endswith(".test") or host in ("127.0.0.1", "localhost")):
            return None, "not a test host (with --test-hosts nothing leaves 127.0.0.1)"
        if not self.allowed(request.url):
            return None, "disallowed by robots.txt"
        for _ in range(hops + 1):
            if self.test_hosts and not (urlsplit(request.url).hostname or "").endswith((".test", "127.0.0.1", "localhost")):
                return None, "redirected off the test hosts"
            self._pause()
            self.budget -= 1
            try:
                response = fetch(request, self.user_agent, self.test_hosts)
            except (OSError, ValueError) as error:
                return None, f"{type(error).__name__}: {error}"
            location = response.headers.get(b"Location")
            if response.status in (301, 302, 303, 307, 308) and location:
                request = Request(urljoin(request.url, location.decode("latin-1")))
                continue
            return response, f"HTTP {response.status}"
        return None, "too many redirects"

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.robots:
            self.robots[root] = None
            try:
                answer = fetch(Request(root + "/robots.txt"), self.user_agent, self.test_hosts)
                if answer.status == 200 and hasattr(answer, "text"):
                    self.robots[root] = Protego.parse(answer.text)
            except (OSError, ValueError):
                pass
        rules = self.robots[root]
        return rules is None or rules.can_fetch(url, self.user_agent)

    def _pause(self) -> None:
        wait = self.last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last = time.monotonic()
