"""Every response, as served, goes to the WARC files before anything else sees it.

A response of up to GOVPLANS_WARC_INLINE_BYTES is written in the reactor's thread; a larger one
(an attachment) in a pool thread, so compressing megabytes never stalls the crawl. Each spider's
sites' earlier captures are read from the database in a pool thread as the spider opens; a
response of a site not read yet goes to a pool thread to wait for it. Handing every response to a
pool thread was slower: zlib drops the GIL on each call, and taking it back from the busy reactor
thread delayed every response (10 farm sites, median of 5 interleaved runs, bare Scrapy = 1: all in
a pool thread 0.74, in the reactor's thread 0.89). Records are built outside the writer's lock
(archive.warc.build_records: little Python, the payload hashed once, ISA-L gzip); the lock only
covers the append. The response moves on only once its record is written, with its place in
request.meta["warc"]. A capture that cannot be written (disk full) stops the crawl: see
crawler.failures.abort_crawl.

Unchanged content is written as a WARC 1.1 `revisit` record (HTTP head only, no body) plus its
request record: a 200 whose payload digest equals that of the URL's latest full capture
(identical-payload-digest), and a 304 to a conditional request (server-not-modified). What a URL
was last captured as comes from the captures table, read once per site as the spider opens
(one query, then a dict kept for the crawl and updated by every record written); the
referred-to record's WARC-Record-ID and WARC-Date are read from its head in the WARC file (the
captures come from archive/store/captures.py through the crawl's archive handle). The
location handed on (and stored in the capture row) is the earlier response record's, where the
payload is; the revisit record's own place is in location.revisit.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

import logging
import threading

from archive.store import storage_problem
from archive.store.captures import latest_responses
from archive.warc import (IDENTICAL_PAYLOAD, NOT_MODIFIED, Original, WarcRecordError, WarcWriter, payload_digest,
                          read_head)
from crawler.archive_handle import archive_for
from crawler.failures import abort_crawl
from crawler.render import RENDERED_HEADER
from crawler.settings import GOVPLANS_WARC_INLINE_BYTES

# Scrapy undoes the chunking; recording the header would make the record unreadable.
_DROPPED_HEADERS = {"transfer-encoding"}
_CONDITIONAL = (b"If-None-Match", b"If-Modified-Since")
log = logging.getLogger(__name__)


def _decode_headers(headers) -> dict[str, str]:
    out = {}
    for name, values in dict.items(headers):    # Scrapy's own items() copies each value list
        key = name.decode("latin-1")
        if key.lower() in _DROPPED_HEADERS:
            continue
        out[key] = ", ".join(v.decode("latin-1") for v in values)
    return out


class WarcCaptureMiddleware:
    def __init__(self, warc_dir: str | None, crawler=None, archive=None,
                 inline_bytes: int = GOVPLANS_WARC_INLINE_BYTES):
        self.writer = WarcWriter(warc_dir) if warc_dir else None
        self.inline_bytes = inline_bytes
        self.warc_dir = warc_dir
        self.crawler = crawler
        self.archive = archive                    # the crawl's handle: earlier captures (None: none)
        self._known: dict[str, Original] = {}     # URL -> its latest full 200 response record
        self._ready: set = set()                  # sites whose captures are in _known
        self._lock = threading.Lock()             # _known, _ready
        self._load_lock = threading.Lock()        # one site's captures read at a time, outside _lock
        self.revisits = 0

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        middleware = cls(crawler.settings.get("GOVPLANS_WARC_DIR"), crawler, archive_for(crawler.settings),
                         crawler.settings.getint("GOVPLANS_WARC_INLINE_BYTES", GOVPLANS_WARC_INLINE_BYTES))
        crawler.signals.connect(middleware.open, signal=signals.spider_opened)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def open(self, spider=None) -> None:
        """Read the spider's sites' earlier captures in a pool thread while the crawl starts (robots.txt
        first), so that their first pages need not wait for it."""
        sites = [site["id"] for site in getattr(spider, "sites", ()) if site.get("id")]
        if self.writer is not None and self.archive is not None and sites:
            deferToThread(self._load_all, sites).addErrback(
                lambda failure: log.warning("earlier captures not read: %s", failure.value))

    def _load_all(self, site_ids: list[str]) -> None:
        for site_id in site_ids:
            self._ensure_loaded(site_id)

    async def process_response(self, request, response, spider=None):
        if self.writer is None:
            return response
        try:
            if len(response.body) <= self.inline_bytes and not self._must_load(request.meta.get("site_id")):
                location = self.capture(request, response)
            else:
                location = await maybe_deferred_to_future(deferToThread(self.capture, request, response))
        except OSError as error:
            problem = storage_problem(error)
            if problem is None or self.crawler is None:
                raise
            abort_crawl(self.crawler, problem)      # a capture that cannot be kept: stop, resume later
            raise IgnoreRequest(problem) from None
        request.meta["warc"] = location
        return response

    def _must_load(self, site_id: str | None) -> bool:
        """Whether the site's earlier captures are still to be read (until then its responses go to a
        pool thread, where original() waits for them)."""
        return self.archive is not None and site_id is not None and site_id not in self._ready

    def capture(self, request, response):
        """Write one exchange (reactor or pool thread): a revisit when the content is unchanged, else in full."""
        url, status = response.url, response.status
        headers, request_headers = _decode_headers(response.headers), _decode_headers(request.headers)
        if request.meta.get("playwright"):     # the body is the DOM after scripts ran, not the bytes served
            headers[RENDERED_HEADER] = "headless Chromium DOM (scrapy-playwright)"
        original = None
        if status in (200, 304):
            original = self.original(url, request.meta.get("site_id"))
        if original is not None:
            profile = None
            if status == 304 and any(request.headers.get(name) for name in _CONDITIONAL):
                profile = NOT_MODIFIED
            elif status == 200 and payload_digest(response.body) == original.payload_digest:
                profile = IDENTICAL_PAYLOAD
            if profile is not None:
                self.revisits += 1
                if self.crawler is not None and self.crawler.stats is not None:
                    self.crawler.stats.inc_value("govplans/warc_revisits")
                return self.writer.write_revisit(url, status, "", headers, profile, original,
                                                  request_headers=request_headers, method=request.method)
        ids: dict = {}
        location = self.writer.write(url, status, "", headers, response.body, request_headers=request_headers,
                                      method=request.method, ids=ids)
        if status == 200 and request.method == "GET":
            with self._lock:
                self._known[url] = Original(url, location.file, location.offset, location.length,
                                            location.payload_digest, ids.get("record_id"), ids.get("date"))
        return location

    def original(self, url: str, site_id: str | None) -> Original | None:
        """The URL's latest full 200 response record, with its record id and date, or None."""
        if self._must_load(site_id):
            self._ensure_loaded(site_id)
        with self._lock:
            known = self._known.get(url)
        if known is None or known.record_id:
            return known
        try:                                        # from an earlier crawl: its id and date from its head
            head = read_head(self.warc_dir, known.file, known.offset)
        except (OSError, WarcRecordError) as error:
            log.warning("WARC record of %s at %s:%s unreadable (%s): captured in full", url, known.file,
                        known.offset, error)
            with self._lock:
                self._known.pop(url, None)
            return None
        if (head.get("WARC-Type") != "response" or head.get("WARC-Payload-Digest") != known.payload_digest
                or head.get("WARC-Target-URI") != url):
            with self._lock:
                self._known.pop(url, None)
            return None
        earlier, known = known, Original(url, known.file, known.offset, known.length, known.payload_digest,
                                         head.get("WARC-Record-ID"), head.get("WARC-Date"))
        with self._lock:
            if self._known.get(url) == earlier:     # not replaced by a record of this crawl meanwhile
                self._known[url] = known
        return known

    def _ensure_loaded(self, site_id: str) -> None:
        """One query for the site (in a pool thread; the reactor never waits on it): URL -> its latest
        200 capture with a WARC record (a revisit's row points at the full record it refers to, so
        this is always a full response). Records written by this crawl meanwhile are kept."""
        with self._load_lock:
            if site_id in self._ready:
                return
            rows = self._read_captures(site_id)
            with self._lock:
                for url, name, offset, length, digest in rows:
                    if url not in self._known and digest and offset is not None:
                        self._known[url] = Original(url, name, offset, length or 0, digest)
                self._ready.add(site_id)

    def _read_captures(self, site_id: str) -> list:
        try:
            return latest_responses(self.archive, site_id)
        except Exception as error:  # noqa: BLE001 - without the index every response is simply kept whole
            log.warning("captures of %s not read (%s): its responses are captured in full", site_id, error)
            return []

    def close(self, *args, **kwargs) -> None:
        if self.writer is not None:
            self.writer.close()
