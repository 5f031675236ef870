"""Every response, as served, goes to the WARC files before anything else sees it.

The write (gzip and digests of each record) runs in a worker thread: zlib and hashlib release
the GIL, so the reactor goes on parsing and scheduling meanwhile. The records are built outside
the writer's lock (archive.warc.build_records: little Python, the payload hashed once), so the
reactor's pool threads compress at once and the lock only covers appending the bytes. (Writing
in the reactor's thread instead was slower on the farm in an A/B: the crawl is bound by that thread.)
The response moves on only once its record is written, with its place in request.meta["warc"].
A capture that cannot be written (disk full) stops the crawl: see crawler.failures.abort_crawl.

Unchanged content is written as a WARC 1.1 `revisit` record (HTTP head only, no body) plus its
request record: a 200 whose payload digest equals that of the URL's latest full capture
(identical-payload-digest), and a 304 to a conditional request (server-not-modified). What a URL
was last captured as comes from the captures table, read once per site on the site's first
response (one query, then a dict kept for the crawl and updated by every record written); the
referred-to record's WARC-Record-ID and WARC-Date are read from its head in the WARC file. The
location handed on (and stored in the capture row) is the earlier response record's, where the
payload is; the revisit record's own place is in location.revisit.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

import logging
import threading

from sqlalchemy import func, select

from archive.models import Capture
from archive.store import storage_problem
from archive.warc import (IDENTICAL_PAYLOAD, NOT_MODIFIED, Original, WarcArchive, WarcRecordError, payload_digest,
                          read_head)
from crawler.failures import abort_crawl

# Scrapy undoes the chunking; recording the header would make the record unreadable.
_DROPPED_HEADERS = {"transfer-encoding"}
_CONDITIONAL = (b"If-None-Match", b"If-Modified-Since")
log = logging.getLogger(__name__)


def _decode_headers(headers) -> dict[str, str]:
    out = {}
    for name, values in headers.items():
        key = name.decode("latin-1")
        if key.lower() in _DROPPED_HEADERS:
            continue
        out[key] = ", ".join(v.decode("latin-1") for v in values)
    return out


class WarcCaptureMiddleware:
    def __init__(self, warc_dir: str | None, crawler=None, database_url: str | None = None):
        self.archive = WarcArchive(warc_dir) if warc_dir else None
        self.warc_dir = warc_dir
        self.crawler = crawler
        self.database_url = database_url
        self._db = None
        self._known: dict[str, Original] = {}     # URL -> its latest full 200 response record
        self._loaded: set = set()                 # sites whose captures are in _known
        self._lock = threading.Lock()
        self.revisits = 0

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        middleware = cls(crawler.settings.get("GOVPLANS_WARC_DIR"), crawler,
                         crawler.settings.get("GOVPLANS_DATABASE_URL"))
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    async def process_response(self, request, response, spider=None):
        if self.archive is None:
            return response
        try:
            location = await maybe_deferred_to_future(deferToThread(self.capture, request, response))
        except OSError as error:
            problem = storage_problem(error)
            if problem is None or self.crawler is None:
                raise
            abort_crawl(self.crawler, problem)      # a capture that cannot be kept: stop, resume later
            raise IgnoreRequest(problem) from None
        request.meta["warc"] = location
        return response

    def capture(self, request, response):
        """Write one exchange (in a pool thread): a revisit when the content is unchanged, else in full."""
        url, status = response.url, response.status
        headers, request_headers = _decode_headers(response.headers), _decode_headers(request.headers)
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
                return self.archive.write_revisit(url, status, "", headers, profile, original,
                                                  request_headers=request_headers, method=request.method)
        ids: dict = {}
        location = self.archive.write(url, status, "", headers, response.body, request_headers=request_headers,
                                      method=request.method, ids=ids)
        if status == 200 and request.method == "GET":
            with self._lock:
                self._known[url] = Original(url, location.file, location.offset, location.length,
                                            location.payload_digest, ids.get("record_id"), ids.get("date"))
        return location

    def original(self, url: str, site_id: str | None) -> Original | None:
        """The URL's latest full 200 response record, with its record id and date, or None."""
        with self._lock:
            if site_id is not None and site_id not in self._loaded and self.database_url:
                self._loaded.add(site_id)
                self._load(site_id)
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
        known = Original(url, known.file, known.offset, known.length, known.payload_digest,
                         head.get("WARC-Record-ID"), head.get("WARC-Date"))
        with self._lock:
            self._known.setdefault(url, known)
        return known

    def _load(self, site_id: str) -> None:
        """One query for the site: URL -> its latest 200 capture with a WARC record (a revisit's row
        points at the full record it refers to, so this is always a full response)."""
        try:
            if self._db is None:
                from archive.store import Archive
                self._db = Archive(self.database_url)
            latest = (select(func.max(Capture.id)).where(Capture.site_id == site_id, Capture.status == 200,
                                                        Capture.warc_file.is_not(None))
                      .group_by(Capture.url))
            with self._db.session() as s:
                rows = s.execute(select(Capture.url, Capture.warc_file, Capture.warc_offset, Capture.warc_length,
                                        Capture.payload_digest).where(Capture.id.in_(latest))).all()
        except Exception as error:  # noqa: BLE001 - without the index every response is simply kept whole
            log.warning("captures of %s not read (%s): its responses are captured in full", site_id, error)
            return
        for url, name, offset, length, digest in rows:
            if url not in self._known and digest and offset is not None:
                self._known[url] = Original(url, name, offset, length or 0, digest)

    def close(self, *args, **kwargs) -> None:
        if self.archive is not None:
            self.archive.close()
        if self._db is not None:
            self._db.close()
            self._db = None
