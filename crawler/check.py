"""`govplans sites check ID`: fetch a site's start pages once and say what its spider finds there.

No Scrapy engine: a few plain HTTP requests (robots.txt first, the crawler's User-Agent), then the
family spider's own list reading on the responses, so a new registry entry can be tried in seconds.
"""
from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from protego import Protego
from scrapy.http import Request
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes

from crawler.spiders import spider_for

TIMEOUT = 20


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
            follow = getattr(spider, "jpage_request", None)
            proxy = follow(response, site, column) if follow and hasattr(response, "text") else None
            if proxy is not None:  # a 大汉 column page: its items come from the dataproxy
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
