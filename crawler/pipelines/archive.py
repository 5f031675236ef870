"""Captured pages -> extraction -> the archive database, with one crawl_runs row per site.

Items by kind: `detail` (a document page: capture, extract, ingest), `unchanged` (a 304 to a
conditional request), `gone` (404/410 for a known document: withdrawn), `attachment`.
A run's counts are written to its crawl_runs row every second, so a crawl killed midway
leaves them behind and `govplans crawl --resume` continues the same row.

crawl_runs columns as filled here: requests = HTTP requests sent for the site (retries too);
pages = detail responses (200, 304, 404/410 of known documents); new / changed / unchanged /
withdrawn = documents; errors = failed attempts by kind plus `gave_up` (requests lost for good);
coverage = share of this run's documents with each field; newest_item = newest 发布日期 seen.
"""
from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict
from datetime import datetime
from urllib.parse import urlsplit

from scrapy.exceptions import DropItem

from archive import crawl_state, health
from archive.extract import extract_document, parse_date, parse_doc_number
from archive.extract.attachment_text import attachment_text
from archive.extract.document import ExtractedDocument, RawPage, SiteHint
from archive.store import Archive, storage_problem
from crawler.failures import FATAL_STAT, abort_crawl

PROGRESS_SECONDS = 1.0


class ArchivePipeline:
    def __init__(self, database_url: str, crawler=None, resume_since: datetime | None = None):
        self.database_url = database_url
        self.crawler = crawler
        self.resume_since = resume_since
        self.archive: Archive | None = None
        self.runs: dict[str, int] = {}
        self.base: dict[str, dict] = {}               # counts a resumed run already had
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.seen: dict[str, list[str]] = defaultdict(list)  # document URLs this run, for coverage
        self.newest: dict[str, object] = {}
        self.fields: dict[str, Counter] = defaultdict(Counter)  # pages extracted this run having each field
        self.sites: dict[str, dict] = {}
        self.full = False
        self._saved = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        url = crawler.settings.get("GOVPLANS_DATABASE_URL")
        if not url:
            raise ValueError("GOVPLANS_DATABASE_URL is not set: the pipeline has nowhere to store documents")
        since = crawler.settings.get("GOVPLANS_RESUME_SINCE")
        pipeline = cls(url, crawler, datetime.fromisoformat(since) if since else None)
        crawler.signals.connect(pipeline.request_sent, signal=signals.request_reached_downloader)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None) -> None:
        # Scrapy >= 2.13 calls this without the spider; the crawler knows it.
        spider = spider or getattr(self.crawler, "spider", None)
        self.full = bool(getattr(spider, "full", False))
        self.archive = Archive(self.database_url)
        sites = list(getattr(spider, "sites", ()))
        resumed = crawl_state.open_runs(self.archive, [s["id"] for s in sites], self.resume_since) \
            if self.resume_since else {}
        for site in sites:
            self.archive.upsert_site(site)
            self.sites[site["id"]] = site
            if site["id"] in resumed:
                self.runs[site["id"]] = resumed[site["id"]]
                self.base[site["id"]] = crawl_state.run_counts(self.archive, resumed[site["id"]])
            else:
                self.runs[site["id"]] = crawl_state.start_run(self.archive, site["id"], self.full)

    def request_sent(self, request, spider=None) -> None:
        site_id = request.meta.get("site_id")
        if site_id in self.runs:
            self.counts[site_id]["requests"] += 1

    def process_item(self, item):
        problem = self._stats().get(FATAL_STAT)
        if problem:                                 # the crawl is stopping: do not wait on the storage again
            raise DropItem(problem)
        try:
            return self._process(item)
        except Exception as error:
            problem = storage_problem(error)
            if problem is None:
                raise
            abort_crawl(self.crawler, problem)      # the database cannot take it: stop, resume later
            raise DropItem(problem) from None

    def _process(self, item):
        counts = self.counts[item.site_id]
        capture_id = self.archive.record_capture(item.url, item.status, item.headers, item.warc,
                                                 site_id=item.site_id, fetched_at=item.fetched_at)
        if item.kind == "attachment":
            counts["attachments"] += 1
            text = attachment_text(item.body, urlsplit(item.url).path.rsplit(".", 1)[-1],
                                   _content_type(item.headers))[0] if item.status == 200 else None
            self.archive.link_attachment_capture(item.referrer, item.url, capture_id, text=text)
        elif item.kind == "unchanged":
            counts["pages"] += 1
            if crawl_state.mark_seen(self.archive, item.url, item.fetched_at) is not None:
                counts["unchanged"] += 1
                self.seen[item.site_id].append(item.url)
        elif item.kind == "gone":
            counts["pages"] += 1
            counts["withdrawn"] += crawl_state.mark_withdrawn(self.archive, [item.url], item.fetched_at,
                                                              run_id=self.runs.get(item.site_id))
        else:
            counts["pages"] += 1
            self._ingest(item, capture_id, counts)
        if time.monotonic() - self._saved > PROGRESS_SECONDS:
            self.save_progress()
        return item

    def _ingest(self, item, capture_id: int, counts: Counter) -> None:
        site = self.sites.get(item.site_id, {})
        hint = SiteHint(id=item.site_id, name=site.get("name"), region_code=site.get("region"),
                        family=site.get("family"))
        document = extract_document(RawPage(item.url, item.body, item.headers, item.status), hint)
        document = with_listing(document, item.extra.get("listing"))
        result = self.archive.ingest(document, site_id=item.site_id, capture_id=capture_id,
                                     seen_at=item.fetched_at, run_id=self.runs.get(item.site_id))
        counts[result.outcome] += 1
        fields = self.fields[item.site_id]
        fields["_pages"] += 1
        fields.update(name for name in health.COVERAGE_FIELDS if getattr(document, name, None) not in (None, ""))
        self.seen[item.site_id].append(document.url)
        if document.published and (self.newest.get(item.site_id) is None
                                   or document.published > self.newest[item.site_id]):
            self.newest[item.site_id] = document.published

    def run_values(self, site_id: str) -> dict:
        counts, base = self.counts[site_id], self.base.get(site_id, {})
        values = {name: base.get(name, 0) + counts[name] for name in crawl_state.RUN_COUNTS}
        errors = dict(base.get("errors", {}))
        for kind, value in _site_errors(self._stats(), site_id).items():
            errors[kind] = errors.get(kind, 0) + value
        values["errors"] = errors
        if site_id in self.newest:
            values["newest_item"] = self.newest[site_id]
        return values

    def save_progress(self) -> None:
        self._saved = time.monotonic()
        for site_id, run_id in self.runs.items():
            crawl_state.save_progress(self.archive, run_id, **self.run_values(site_id))

    def close_spider(self, spider=None) -> None:
        self._try_save_progress()

    def _try_save_progress(self) -> None:
        """save_progress, unless the storage problem that stopped the crawl stops this too."""
        if self._stats().get(FATAL_STAT) and "locked" in self._stats()[FATAL_STAT]:
            return                                  # it would only wait for the lock again
        try:
            self.save_progress()
        except Exception as error:
            if storage_problem(error) is None or self.archive is None:
                raise

    def spider_closed(self, spider, reason: str) -> None:
        """Finish the runs; a crawl stopped early (Ctrl-C, a full disk …) leaves them open for --resume."""
        if self.archive is None:
            return
        if reason != "finished":
            self._try_save_progress()
            self.archive.close()
            return
        states = getattr(spider, "states", {})
        for site_id, run_id in self.runs.items():
            state = states.get(site_id)
            if state is not None and (state.full or getattr(state, "sweep", False)) and state.lists_complete \
                    and state.listed:
                # A full sweep or a list sweep read every list: a document no list shows any more was
                # withdrawn (a list sweep: those its one request found still up; 404s are withdrawn already).
                gone = state.unlisted() if hasattr(state, "unlisted") else \
                    [url for url, status in state.known.items() if status != "withdrawn" and url not in state.listed]
                self.counts[site_id]["withdrawn"] += crawl_state.mark_withdrawn(self.archive, gone, run_id=run_id)
            values = self.run_values(site_id)
            values["coverage"] = crawl_state.coverage(self.archive, self.seen[site_id])
            values["full_sweep"] = self.full
            self.archive.finish_run(run_id, **values)
            crawl_state.close_interrupted_runs(self.archive, site_id, before_run=run_id)
            self.check_health(site_id, run_id, state)
        self.archive.close()

    def check_health(self, site_id: str, run_id: int, state) -> None:
        """Keep what the run saw of the site's pages and judge the site on its last runs."""
        fields = self.fields[site_id]
        pages = fields["_pages"]
        coverage = {name: round(fields[name] / pages, 4) for name in health.COVERAGE_FIELDS} if pages else {}
        listed = len(state.listed) if state is not None else None
        health.record_check(self.archive, run_id, site_id, listed, pages, coverage)
        health.update_site_health(self.archive, site_id)

    def _stats(self) -> dict:
        stats = getattr(self.crawler, "stats", None)
        return stats.get_stats() if stats else {}


def with_listing(document: ExtractedDocument, listing: dict | None) -> ExtractedDocument:
    """Fill the fields a page lacks from what its list row said (dates, 发布机构, 文号, 索引号)."""
    if not listing:
        return document
    changes, sources = {}, dict(document.sources)
    for name in ("published", "written"):
        if getattr(document, name) is None and (value := parse_date(listing.get(name))):
            changes[name] = value
    for name in ("agency", "index_number"):
        if not getattr(document, name) and listing.get(name):
            changes[name] = listing[name]
    if document.doc_number is None and listing.get("doc_number"):
        changes["doc_number"] = parse_doc_number(listing["doc_number"])
    if not changes:
        return document
    sources.update({name: "list" for name in changes})
    return dataclasses.replace(document, sources=sources, **changes)


def _site_errors(stats: dict, site_id: str) -> dict[str, int]:
    """Failed attempts of one site by kind, and `gave_up` (counted by the spider and the retry middleware)."""
    prefix = f"govplans/errors/{site_id}/"
    return {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}


def _content_type(headers: dict | None) -> str | None:
    return next((str(v) for k, v in (headers or {}).items() if str(k).lower() == "content-type"), None)
