"""What every family spider shares: sites from the registry, list walking, detail capture.

A walk starts at each start column and reads its list pages newest first. On a site's first
crawl, in a full sweep (`govplans crawl --full`), on resume and in a list sweep it reads every
list page (in parallel once the page count is known); otherwise it stops after
GOVPLANS_STOP_AFTER_SEEN known items in a row.

The list sweep (GOVPLANS_LIST_SWEEP, on by default) is the daily recrawl of a known site. List
pages are a few per cent of a site's pages, so it reads all of them and fetches only
  - new items (not in the archive);
  - changed items: the list's date for the item is later than both the stored 发布日期 and the
    day of the stored Last-Modified (the CMS re-published an edit), or the list's title is not
    the stored one (a withdrawn document listed again is fetched too);
  - withdrawal candidates: live known items that no list of the site shows any more, once all
    lists are read (spider_idle), each asked once with If-None-Match/If-Modified-Since: a
    404/410 is withdrawn at once, a 200/304 (still up, unlisted) is withdrawn when the run ends.
Unchanged known pages are not asked again. Candidates are not asked when a list page failed,
or when more than WITHDRAW_GUARD (and WITHDRAW_FLOOR) of the live known items vanished at once
(a list template the spider no longer reads, a moved column): that is a broken walk, not
withdrawals. Edits the list does not show (same date, same title) need the full sweep, which
asks every known page; so does a redesign's effect on extraction (no known page is re-read).

Files: a known page fetched again has its attachments asked again, and a page that answers 304 in a
full or list sweep has its stored files asked again, each with the If-None-Match / If-Modified-Since
of its capture (an agency replaces a PDF under an unchanged page); a file that comes back with other
bytes and other text is a new version of its document (archive/store/documents.py).

Walk state travels in cb_kwargs (plain values only); what the archive
already knew about a site is loaded once into a SiteState (crawler/state.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import maybe_deferred_to_future

from archive.clock import utcnow
from archive.extract import parse_date
from archive.extract.attachments import attachments as find_attachments
from archive.extract.images import body_images
from archive.extract.document import SiteHint
from archive.operations.blocking import ERROR_CLASSES
from archive.store import Archive, runs
from archive.store.health import block_state
from crawler import signals as govplans_signals
from crawler.archive_handle import archive_for, in_archive_thread
from crawler.blocking import empty_list_signal, note_evidence, record_signal
from crawler.failures import failure_kind
from crawler.items import CapturedPage
from crawler.render import render_meta, renders
from crawler.spiders.lists import dated_links
from crawler.state import SiteState, load_states
from crawler.urls import canonical_url

# Attached files worth keeping; which links are attachments is extraction's call (archive.extract).
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd", "zip", "jpg", "jpeg", "png", "tif", "tiff")
# Statuses a detail callback sees itself: unchanged since the last capture, or removed.
DETAIL_STATUSES = [304, 404, 410]
# A list sweep treats more vanished items than this share of the live known ones (and more than
# WITHDRAW_FLOOR) as a broken walk, not as withdrawals.
WITHDRAW_GUARD = 0.3
WITHDRAW_FLOOR = 5
CHINA = timedelta(hours=8)
_NOT_WORD = re.compile(r"[\s\u3000.…·，,：:、“”\"'《》()（）]+")


@dataclass
class SweepState(SiteState):
    """A known site walked by a list sweep: every list page, and what to compare list entries with."""
    sweep: bool = True
    basis: dict = field(default_factory=dict)            # url -> (stored title, stored 发布日期)
    candidates: set = field(default_factory=set)          # unlisted live items asked this run
    answered: set = field(default_factory=set)            # candidates that answered 200/304
    checked: bool = False                                 # candidates computed (after the lists)

    @property
    def walk_all(self) -> bool:
        return True

    def unlisted(self) -> list[str]:
        """What the end of the run withdraws: unlisted live items that answered (full sweep: all)."""
        gone = super().unlisted()
        return gone if self.full else [url for url in gone if url in self.answered]

    def list_changed(self, url: str, listed_on: date | None, title: str | None) -> bool:
        """Whether a list entry says a known document changed since we stored it."""
        if self.known.get(url) == "withdrawn":
            return True                                   # listed again
        stored_title, stored_published = self.basis.get(url, (None, None))
        if title and stored_title and not _same_title(title, stored_title):
            return True
        if listed_on is None:
            return False
        seen = [d for d in (stored_published, _validator_day(self.validators.get(url))) if d]
        return bool(seen) and listed_on > max(seen)


def _validator_day(found) -> date | None:
    """The day (Beijing time) of a stored Last-Modified."""
    if found is None or not found.last_modified:
        return None
    try:
        moment = parsedate_to_datetime(found.last_modified)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None) + CHINA
    return moment.date()


def _same_title(listed: str, stored: str) -> bool:
    """List titles are often cut short (…): the same when one starts the other, punctuation aside."""
    a, b = _NOT_WORD.sub("", listed), _NOT_WORD.sub("", stored)
    return not a or not b or a.startswith(b) or b.startswith(a)


def headers_dict(headers) -> dict[str, str]:
    return {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in headers.items()}


def site_domain(base_url: str) -> str:
    """www.qiyang.gov.cn -> qiyang.gov.cn: attachments may sit on a sibling host of the portal."""
    host = urlsplit(base_url).hostname or ""
    return host[4:] if host.startswith("www.") else host


class FamilySpider(scrapy.Spider):
    """Walks each site's start columns: list pages -> detail pages -> attachments.

    A family overrides `detail_links` and `list_pages` (or `next_page`), and `list_request`
    when its lists are not plain GETs.
    """

    name = "base"
    family = "base"

    def __init__(self, sites: Iterable[dict] = (), *args, full: bool = False, resume_since: str | None = None,
                 stop_after_seen: int = 15, archive: Archive | None = None, list_sweep: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = list(sites)
        self.full = full
        self.resume_since = datetime.fromisoformat(resume_since) if resume_since else None
        self.stop_after_seen = max(1, stop_after_seen)
        self.archive = archive   # the crawl's handle (crawler/archive_handle.py); None: no history
        self.list_sweep = list_sweep
        self.allowed_hosts = {urlsplit(site["base_url"]).hostname for site in self.sites}
        self.states: dict[str, SiteState] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        settings = crawler.settings
        kwargs.setdefault("full", settings.getbool("GOVPLANS_FULL_SWEEP"))
        kwargs.setdefault("resume_since", settings.get("GOVPLANS_RESUME_SINCE"))
        kwargs.setdefault("stop_after_seen", settings.getint("GOVPLANS_STOP_AFTER_SEEN", 15))
        kwargs.setdefault("archive", archive_for(settings))
        kwargs.setdefault("list_sweep", settings.getbool("GOVPLANS_LIST_SWEEP", True))
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def state(self, site: dict) -> SiteState:
        if site["id"] not in self.states:
            self.states[site["id"]] = SiteState(site["id"], full=self.full)
        return self.states[site["id"]]

    async def start(self):
        # read in an archive thread: a worker's crawl process starts a spider per site while others crawl
        await maybe_deferred_to_future(in_archive_thread(self.load_history))
        for site in self.sites:
            for column in self.start_columns(site):
                yield self.list_request(column, site, column)
            # files of documents stored by a run that died before fetching them (their pages are not asked again)
            for document_url, link, ext in self.state(site).attachments_left:
                if ext in ATTACHMENT_EXTENSIONS and self.on_site_domain(link, site):
                    yield self.attachment_request(link, site, document_url)

    def load_history(self) -> None:
        """What the archive knows of the sites (known pages, validators, how they blocked last time)."""
        self.sites = [unrendered_if_challenged(site, self.archive) for site in self.sites]
        self.states.update(load_states(self.archive, self.sites, self.full, self.resume_since))
        if self.list_sweep and not self.full and self.resume_since is None:
            self.states.update(sweep_states(self.archive, self.states))

    def start_columns(self, site: dict) -> list[str]:
        return [urljoin(site["base_url"], column) for column in site.get("columns") or ["/"]]

    # the walk --------------------------------------------------------------------------
    def list_request(self, url: str, site: dict, column: str, page: int = 1, pending: list[str] | None = None,
                     seen_run: int = 0) -> scrapy.Request:
        """One list page. pending: the pages still to read in a newest-first walk ([] when the
        others are already requested); None when the page count is unknown and 下一页 leads on."""
        return scrapy.Request(url, callback=self.parse_list, errback=self.request_failed,
                              meta={"site_id": site["id"], "govplans_kind": "list", **render_meta(site)},
                              cb_kwargs={"site": site, "column": column, "page": page, "pending": pending,
                                         "seen_run": seen_run})

    def parse_list(self, response, site: dict, column: str, page: int = 1, pending: list[str] | None = None,
                   seen_run: int = 0) -> Iterator[scrapy.Request]:
        state = self.state(site)
        items = {}
        for url, listing in self.list_items(response):
            url = canonical_url(url)
            if self.in_site(url) and url not in items:
                items[url] = listing
        state.listed.update(items)
        if not items:
            self.note_empty_list(response, site)
        sweep = getattr(state, "sweep", False)
        if sweep:
            entries = self.list_entries(response, items)
        for url, listing in items.items():
            if sweep and url in state.known and url not in state.done:
                if state.list_changed(url, *entries.get(url, (None, None))):
                    self.crawler.stats.inc_value(f"govplans/list_changed/{site['id']}")
                    yield self.detail_request(url, site, listing)
                continue
            if url in state.known and not state.walk_all:
                seen_run += 1
                if seen_run >= self.stop_after_seen:
                    self.crawler.stats.inc_value(f"govplans/walk_stopped/{site['id']}")
                    self.logger.debug("%s: %d known items in a row on %s, column done", site["id"], seen_run,
                                      response.url)
                    return
                continue
            if url not in state.known:
                seen_run = 0
            if state.wants(url):
                yield self.detail_request(url, site, listing)
        yield from self.next_lists(response, site, column, page, pending, seen_run)

    def next_lists(self, response, site: dict, column: str, page: int, pending: list[str] | None,
                   seen_run: int) -> Iterator[scrapy.Request]:
        state = self.state(site)
        if pending is None and page == 1:
            here = canonical_url(response.url)
            pages = [url for url in dict.fromkeys(map(canonical_url, self.list_pages(response, column))) if url != here]
            if pages:
                if state.walk_all:
                    for number, url in enumerate(pages, start=2):
                        yield self.list_request(url, site, column, number, [], 0)
                else:
                    yield self.list_request(pages[0], site, column, 2, pages[1:], seen_run)
                return
        if pending is not None:
            if pending:
                yield self.list_request(pending[0], site, column, page + 1, pending[1:], seen_run)
            return
        following = self.next_page(response)
        following = canonical_url(following) if following else None
        if following and following != canonical_url(response.url):
            yield self.list_request(following, site, column, page + 1, None, seen_run)

    def detail_request(self, url: str, site: dict, listing: dict | None = None) -> scrapy.Request:
        state = self.state(site)
        headers = {}
        if (state.full or getattr(state, "sweep", False)) and url in state.validators:
            headers = state.validators[url].headers()
        return scrapy.Request(url, headers=headers, callback=self.parse_detail, errback=self.request_failed,
                              meta={"site_id": site["id"], "govplans_kind": "detail",
                                    "handle_httpstatus_list": DETAIL_STATUSES},
                              cb_kwargs={"site": site, "listing": listing})

    def parse_detail(self, response, site: dict, listing: dict | None = None):
        state = self.state(site)
        url = origin_url(response)
        if url in getattr(state, "candidates", ()) and response.status in (200, 304):
            state.answered.add(url)                       # still up, but no list shows it
        if response.status == 304:
            yield self.captured(response, site, "unchanged", url=url)
            # the page is as it was, its files may not be (an agency replaces a PDF under an unchanged page)
            for link, validators in state.stored_files.get(url, {}).items():
                yield self.attachment_request(link, site, url, validators.headers())
            return
        if response.status in (404, 410):
            if url in state.known:
                yield self.captured(response, site, "gone", url=url)
            else:
                self.count_error(site["id"], f"http_{response.status}", gave_up=True)
            return
        yield self.captured(response, site, "detail", extra={"listing": listing} if listing else None)
        stored = state.stored_files.get(url, {})
        for link in dict.fromkeys(map(canonical_url, self.attachment_links(response))):
            if not self.on_site_domain(link, site):
                continue
            if link not in state.attachments_done:
                yield self.attachment_request(link, site, response.url)
            elif url in state.known:                  # a known page fetched again: its files are asked again
                validators = stored.get(link) or state.validators.get(link)
                yield self.attachment_request(link, site, response.url, validators.headers() if validators else {})

    def attachment_request(self, link: str, site: dict, document_url: str,
                           headers: dict | None = None) -> scrapy.Request:
        """A file; with headers (If-None-Match / If-Modified-Since of its capture) asked again, a 304 kept."""
        meta = {"site_id": site["id"], "govplans_kind": "attachment"}
        if headers is not None:
            meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(link, headers=headers or {}, callback=self.parse_attachment, errback=self.request_failed,
                              meta=meta, cb_kwargs={"site": site, "document_url": document_url})

    @staticmethod
    def on_site_domain(link: str, site: dict) -> bool:
        domain, host = site_domain(site["base_url"]), urlsplit(link).hostname or ""
        return host == domain or host.endswith("." + domain)

    def parse_attachment(self, response, site: dict, document_url: str):
        yield self.captured(response, site, "attachment", referrer=document_url)

    def request_failed(self, failure) -> None:
        """Count a request that failed for good (after retries) against its site, by kind."""
        request = failure.request
        site_id = request.meta.get("site_id") or (request.cb_kwargs.get("site") or {}).get("id", "?")
        kind = failure_kind(failure)
        if request.meta.get("govplans_kind") == "discovered":
            self.logger.debug("guessed column page failed %s: %s", request.url, kind)
            return
        self.count_error(site_id, kind, gave_up=True, counted=request.meta.get("govplans_counted", False))
        if kind in ERROR_CLASSES:      # the first URL a network failure lost, as the run's evidence
            note_evidence(self.crawler.stats, site_id, ERROR_CLASSES[kind], {"error": kind, "url": request.url})
        if request.meta.get("govplans_kind") == "list" and site_id in self.states:
            self.states[site_id].list_failures += 1
        self.logger.warning("failed %s: %s", request.url, kind)

    def spider_idle(self, spider=None) -> None:
        """Every list is read: ask each live known item no list showed (a list sweep's candidates)."""
        requests = []
        for site in self.sites:
            state = self.states.get(site["id"])
            if not getattr(state, "sweep", False) or state.checked:
                continue
            state.checked = True
            live = [url for url, status in state.known.items() if status != "withdrawn"]
            vanished = [url for url in live if url not in state.listed and url not in state.done]
            stats = self.crawler.stats
            if not vanished:
                continue
            if state.list_failures or not state.listed or len(vanished) > max(WITHDRAW_FLOOR, WITHDRAW_GUARD * len(live)):
                stats.inc_value(f"govplans/withdraw_guard/{site['id']}")
                self.logger.warning("%s: %d of %d known items missing from the lists (%d list pages failed): "
                                    "not treated as withdrawals", site["id"], len(vanished), len(live),
                                    state.list_failures)
                continue
            stats.inc_value(f"govplans/unlisted/{site['id']}", len(vanished))
            state.candidates.update(vanished)
            requests += [self.detail_request(url, site) for url in vanished]
        if requests:
            for request in requests:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider
        self.report_walks()

    def report_walks(self) -> None:
        """Nothing is left to read: tell the run bookkeeping what each site's walk concluded."""
        for site in self.sites:
            state = self.states.get(site["id"])
            self.crawler.signals.send_catch_log(
                govplans_signals.walk_finished, site_id=site["id"],
                listed=len(state.listed) if state is not None else None,
                gone=state.gone_at_end() if state is not None else None)

    def note_empty_list(self, response, site: dict) -> None:
        """A list page without items: a stub or a script-rendered list is a blocking signal
        (crawler/blocking.py); whether it blocked the run is decided when the run ends."""
        if response.status != 200 or not hasattr(response, "text"):
            return
        signal = empty_list_signal(response.status, response.body)
        if signal is not None:
            record_signal(self.crawler.stats, site["id"], signal.kind, signal.evidence(response.url))

    def request_dropped(self, request, spider=None) -> None:
        """A redirect back to a URL already asked for is dropped by the dupefilter: a redirect loop."""
        if request.meta.get("redirect_urls") and request.meta.get("site_id"):
            self.count_error(request.meta["site_id"], "redirect_loop", gave_up=True)
            self.logger.warning("redirect loop %s", " -> ".join(request.meta["redirect_urls"] + [request.url]))

    def count_error(self, site_id: str, kind: str, gave_up: bool = False, counted: bool = False) -> None:
        stats = self.crawler.stats
        if not counted:
            stats.inc_value(f"govplans/errors/{site_id}/{kind}")
        if gave_up:
            stats.inc_value(f"govplans/errors/{site_id}/gave_up")

    # what a family overrides -----------------------------------------------------------
    def detail_links(self, response) -> Iterable[str]:
        """The detail pages a list page links to, newest first."""
        raise NotImplementedError

    def list_items(self, response) -> Iterable[tuple[str, dict | None]]:
        """(detail URL, what the list says about it: dates, 文号 … or None), newest first."""
        for url in self.detail_links(response):
            yield url, None

    def list_pages(self, response, column: str) -> Iterable[str]:
        """From a column's first list page: all its other list pages, in order (empty if unknown)."""
        return ()

    def next_page(self, response) -> str | None:
        """The next list page when the page count is unknown (下一页)."""
        return None

    def list_root(self, response):
        """The list page's lxml tree (a family whose items come as XML records overrides it)."""
        return response.selector.root if hasattr(response, "text") else None

    def list_entries(self, response, items: dict) -> dict[str, tuple[date | None, str | None]]:
        """URL -> (date, title) the list shows for each item: the listing's cells, else the date and
        title beside the link."""
        dated = None
        out = {}
        for url, listing in items.items():
            listing = listing or {}
            when, title = listing.get("published"), listing.get("title")
            if not when or not title:
                if dated is None:
                    root = self.list_root(response)
                    dated = {canonical_url(link.url): link for link in dated_links(root, response.url)} \
                        if root is not None else {}
                link = dated.get(url)
                if link is not None:
                    when, title = when or link.date, title or link.title or None
            out[url] = (parse_date(when) if when else None, title)
        return out

    def attachment_links(self, response) -> Iterable[str]:
        """The files the page links (by URL or link text), as the document's attachment rows name them."""
        if not hasattr(response, "text"):
            return
        for link in find_attachments(response.selector.root, response.url):
            if link.ext in ATTACHMENT_EXTENSIONS:
                yield link.url
        for link in body_images(response.selector.root, response.url):   # the body is a picture: OCR
            yield link.url

    # helpers ---------------------------------------------------------------------------
    def in_site(self, url: str) -> bool:
        return urlsplit(url).hostname in self.allowed_hosts

    def captured(self, response, site: dict, kind: str, referrer: str | None = None, url: str | None = None,
                 extra: dict | None = None) -> CapturedPage:
        return CapturedPage(url=url or response.url, body=response.body, headers=headers_dict(response.headers),
                            status=response.status, site_id=site["id"], kind=kind,
                            warc=response.meta.get("warc"), referrer=referrer, fetched_at=utcnow(),
                            extra=extra or {}, site=site_hint(site))


def origin_url(response) -> str:
    """The URL the spider asked for, before any redirect."""
    redirects = response.meta.get("redirect_urls")
    return redirects[0] if redirects else response.url


def sweep_states(archive: Archive | None, states: dict[str, SiteState]) -> dict[str, SweepState]:
    """The known sites' states as list-sweep states, with validators and stored titles and dates."""
    known = {site_id: state for site_id, state in states.items() if state.known and not state.resumed}
    if archive is None or not known:
        return {}
    out = {}
    for site_id, state in known.items():
        values = {name: getattr(state, name) for name in SiteState.__dataclass_fields__}
        values["validators"] = runs.validators(archive, site_id)
        values["stored_files"] = runs.stored_attachments(archive, site_id)   # asked again under a 304
        out[site_id] = SweepState(**values, basis=runs.listing_basis(archive, site_id))
    return out


def site_hint(site: dict) -> SiteHint:
    """What extraction is told of the site a page came from (its region above all)."""
    return SiteHint(id=site["id"], name=site.get("name"), region_code=site.get("region"), family=site.get("family"))


def unrendered_if_challenged(site: dict, archive: Archive | None) -> dict:
    """A site that last answered with a JS challenge is not rendered: Chromium would run the challenge's
    script and pass it, which is solving it (we never do); its lists are asked plainly and stay blocked."""
    if archive is None or not renders(site) or block_state(archive, site["id"])[0] != "challenge":
        return site
    return dict(site, render=None)
