"""Retries that back off: a site that answers 5xx, 429 or times out is left alone for a while.

Replaces Scrapy's RetryMiddleware (same settings: RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS).
Before a retry the whole site pauses (its downloader slot holds its queue): for Retry-After
seconds on a 429/503 that sends one (capped at GOVPLANS_RETRY_AFTER_MAX), else for
GOVPLANS_RETRY_BACKOFF × 2^(attempt-1) seconds. Every failed attempt is counted by kind per site.
Some kinds get fewer retries (GOVPLANS_RETRY_TIMES_BY_KIND): a name that does not resolve or a
refused connection seldom comes back within seconds, and each retry of a fenced site adds to the
hammering. Challenges and WAF pages are never retried (middlewares/blocking.py stops them first).
"""
from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import call_later
from scrapy.utils.response import response_status_message

from crawler.failures import exception_kind


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings, backoff: float = 1.0, backoff_max: float = 60.0, retry_after_max: float = 300.0,
                 retry_times_by_kind: dict[str, int] | None = None):
        super().__init__(settings)
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.retry_times_by_kind = dict(retry_times_by_kind or {})
        self._paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        middleware = cls(settings, settings.getfloat("GOVPLANS_RETRY_BACKOFF", 1.0),
                         settings.getfloat("GOVPLANS_RETRY_BACKOFF_MAX", 60.0),
                         settings.getfloat("GOVPLANS_RETRY_AFTER_MAX", 300.0),
                         settings.getdict("GOVPLANS_RETRY_TIMES_BY_KIND"))
        middleware.crawler = crawler
        return middleware

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        self._count(request, f"http_{response.status}")
        wait = None
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is not None:
                self.crawler.stats.inc_value("govplans/retry_after")
                wait = min(wait, self.retry_after_max)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        self._pause(request, wait if wait is not None else self._backoff(retry))
        return retry

    def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        kind = exception_kind(exception)
        self._count(request, kind)
        if kind in self.retry_times_by_kind:
            most = request.meta.get("max_retry_times", self.max_retry_times)
            request.meta["max_retry_times"] = min(most, self.retry_times_by_kind[kind])
        retry = self._retry(request, exception)
        if retry is not None:
            self._pause(request, self._backoff(retry))
        return retry

    def _count(self, request, kind: str) -> None:
        """Every failed attempt counts; the spider's errback then only adds `gave_up`."""
        request.meta["govplans_counted"] = True
        site_id = request.meta.get("site_id")
        if site_id:
            self.crawler.stats.inc_value(f"govplans/errors/{site_id}/{kind}")

    def _backoff(self, retry) -> float:
        return min(self.backoff_max, self.backoff * 2 ** (retry.meta.get("retry_times", 1) - 1))

    def _pause(self, request, seconds: float) -> None:
        """Hold the site's downloader slot for `seconds`: its queued requests wait, other sites go on."""
        if seconds <= 0:
            return
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        until = time.monotonic() + seconds
        if slot is None or self._paused_until.get(key, 0) >= until:
            return
        self._paused_until[key] = until
        if slot.latercall is not None:
            slot.latercall.cancel()
        # Downloader._process_queue does nothing while slot.latercall is set; _latercall resumes it.
        slot.latercall = call_later(seconds, downloader._latercall, slot)
        self.crawler.stats.inc_value("govplans/site_paused")
