"""Answers that refuse us: JS cookie challenges and WAF block pages (crawler/blocking.py tells them).

Such an answer is counted against its site as a signal (`govplans/signals/<site>/<kind>`, with the
first one's evidence), never retried (it sits before the retry middleware) and never handed to
the spider as a page: a 200 challenge would otherwise be stored as a document. The request's
errback sees it as `challenge` or `waf`. After GOVPLANS_BLOCKED_GIVE_UP such answers from a site,
when they outnumber its good answers, the site's remaining requests of this run are dropped
(`skipped_blocked`), those waiting in its downloader slot too: a challenged or WAF-blocked portal is
not hammered. Nothing is solved.
"""
from __future__ import annotations

from collections import Counter

from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.blocking import answer_signal, record_signal
from crawler.spiders.base import headers_dict


class BlockedAnswer(IgnoreRequest):
    """A challenge or block page came back; `govplans_kind` is what crawl_runs.errors counts."""

    def __init__(self, signal, url: str):
        super().__init__(f"{signal.kind} ({signal.vendor or 'unrecognised'}, HTTP {signal.status}): {url}")
        self.signal = signal
        self.govplans_kind = signal.kind


class SiteGivenUp(IgnoreRequest):
    govplans_kind = "skipped_blocked"


class BlockingMiddleware:
    def __init__(self, stats, give_up: int = 3, crawler=None):
        self.stats = stats
        self.crawler = crawler
        self.give_up = give_up
        self.refused: Counter = Counter()     # site -> challenge and WAF answers this run
        self.good: Counter = Counter()        # site -> other answers below 400
        self.given_up: dict[str, str] = {}    # site -> the kind it was given up for

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.getint("GOVPLANS_BLOCKED_GIVE_UP", 3), crawler)

    def process_request(self, request, spider=None):
        site_id = request.meta.get("site_id")
        if site_id in self.given_up:
            raise SiteGivenUp(f"{site_id} blocks this run ({self.given_up[site_id]}): {request.url} not asked")
        return None

    def process_response(self, request, response, spider=None):
        site_id = request.meta.get("site_id")
        if not site_id:
            return response
        signal = answer_signal(response.status, headers_dict(response.headers), response.body)
        if signal is None:
            if response.status < 400:
                self.good[site_id] += 1
            return response
        record_signal(self.stats, site_id, signal.kind, signal.evidence(response.url))
        self.refused[site_id] += 1
        if self.refused[site_id] >= self.give_up and self.refused[site_id] > self.good[site_id] \
                and site_id not in self.given_up:
            self.given_up[site_id] = signal.kind
            self._drop_queued(request, site_id)
        raise BlockedAnswer(signal, response.url)

    def _drop_queued(self, request, site_id: str) -> None:
        """Fail the site's requests that already passed process_request and wait in its downloader
        slot (Scrapy queues them there, up to CONCURRENT_REQUESTS, before any is sent)."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        slot = downloader.slots.get(downloader.get_slot_key(request)) if downloader is not None else None
        if slot is None:
            return
        waiting = [(queued, deferred) for queued, deferred in slot.queue if queued.meta.get("site_id") == site_id]
        for queued, deferred in waiting:
            slot.queue.remove((queued, deferred))
            deferred.errback(Failure(SiteGivenUp(f"{site_id} blocks this run ({self.given_up[site_id]}): "
                                                 f"{queued.url} not asked")))

