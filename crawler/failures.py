"""Why a request failed, as one short kind: what crawl_runs.errors counts."""
from __future__ import annotations

import re

from scrapy.exceptions import IgnoreRequest

_BY_NAME = {
    "DownloadTimeoutError": "timeout", "TimeoutError": "timeout", "TCPTimedOutError": "timeout",
    "UserTimeoutError": "timeout",
    "CannotResolveHostError": "dns", "DNSLookupError": "dns",
    "DownloadConnectionRefusedError": "connection_refused", "ConnectionRefusedError": "connection_refused",
    "ConnectError": "connection", "DownloadFailedError": "connection",
    "ResponseDataLossError": "connection_lost", "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost", "ResponseNeverReceived": "connection_lost",
    "ResponseFailed": "connection_lost",
    # Scrapy cancels a download itself only when the body outgrows DOWNLOAD_MAXSIZE (the message
    # says so when Content-Length announced it; a body that just keeps coming is cancelled bare).
    "DownloadCancelledError": "too_large", "CancelledError": "too_large",
}


_LOST = re.compile(r"ConnectionDone|ConnectionLost|ResponseNeverReceived|closed cleanly|connection reset", re.I)


def exception_kind(exception: BaseException) -> str:
    if kind := getattr(exception, "govplans_kind", None):   # challenge, waf, skipped_blocked (middlewares/blocking.py)
        return kind
    message = str(exception)
    if "max size" in message:  # DOWNLOAD_MAXSIZE: expected (Content-Length) or received too many bytes
        return "too_large"
    if isinstance(exception, IgnoreRequest):
        if "robots.txt" in message:
            return "robots"
        return "redirect_loop" if "redirect" in message else "ignored"
    for klass in type(exception).__mro__:
        if klass.__name__ in _BY_NAME:
            kind = _BY_NAME[klass.__name__]
            # Scrapy wraps a connection closed or reset before the answer in DownloadFailedError
            return "connection_lost" if kind == "connection" and _LOST.search(message) else kind
    return type(exception).__name__


def failure_kind(failure) -> str:
    """A Twisted failure of a request -> http_404, timeout, too_large, robots, connection …"""
    response = getattr(failure.value, "response", None)
    if response is not None and getattr(response, "status", None):
        return f"http_{response.status}"
    return exception_kind(failure.value)


FATAL_STAT = "govplans/fatal"


def abort_crawl(crawler, problem: str) -> None:
    """Stop the whole crawl for a storage problem (disk full, database locked): every further page
    would be lost too. The job stays for `govplans crawl --resume`; run_crawl raises the problem."""
    stats = getattr(crawler, "stats", None)
    if stats is None or stats.get_value(FATAL_STAT):
        return
    stats.set_value(FATAL_STAT, problem)
    engine = getattr(crawler, "engine", None)
    if engine is not None and getattr(engine, "spider", None) is not None:
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason="storage_error"))
