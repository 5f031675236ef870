"""Every response, as served, goes to the WARC files before anything else sees it.

The write (gzip and digests of each record) runs in a worker thread: zlib and hashlib release
the GIL, so the reactor goes on parsing and scheduling meanwhile. The records are built outside
the writer's lock (archive.warc.build_records: little Python, the payload hashed once), so the
reactor's pool threads compress at once and the lock only covers appending the bytes. (Writing
in the reactor's thread instead was slower on the farm in an A/B: the crawl is bound by that thread.)
The response moves on only once its record is written, with its place in request.meta["warc"].
A capture that cannot be written (disk full) stops the crawl: see crawler.failures.abort_crawl.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archive.store import storage_problem
from archive.warc import WarcArchive
from crawler.failures import abort_crawl

# Scrapy undoes the chunking; recording the header would make the record unreadable.
_DROPPED_HEADERS = {"transfer-encoding"}


def _decode_headers(headers) -> dict[str, str]:
    out = {}
    for name, values in headers.items():
        key = name.decode("latin-1")
        if key.lower() in _DROPPED_HEADERS:
            continue
        out[key] = ", ".join(v.decode("latin-1") for v in values)
    return out


class WarcCaptureMiddleware:
    def __init__(self, warc_dir: str | None, crawler=None):
        self.archive = WarcArchive(warc_dir) if warc_dir else None
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        middleware = cls(crawler.settings.get("GOVPLANS_WARC_DIR"), crawler)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    async def process_response(self, request, response, spider=None):
        if self.archive is None:
            return response
        try:
            location = await maybe_deferred_to_future(deferToThread(
                self.archive.write, response.url, response.status, "", _decode_headers(response.headers),
                response.body, request_headers=_decode_headers(request.headers), method=request.method))
        except OSError as error:
            problem = storage_problem(error)
            if problem is None or self.crawler is None:
                raise
            abort_crawl(self.crawler, problem)      # a capture that cannot be kept: stop, resume later
            raise IgnoreRequest(problem) from None
        request.meta["warc"] = location
        return response

    def close(self, *args, **kwargs) -> None:
        if self.archive is not None:
            self.archive.close()
