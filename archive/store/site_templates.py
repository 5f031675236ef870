"""Each site's templates kept in the archive (site_templates) and used on every page stored.

As a page of a site arrives, the template it fits learns its lines (archive/extract/site_chrome.py)
and its chrome is cut from the page's text before the text is hashed and stored. A page that fits
none of the site's ready templates (a redesign) starts a new one. When a template has seen
MIN_PAGES pages, and again each time its page count doubles, the site's stored texts are cleaned
with its chrome: the pages that came before it was ready lose the navigation they were stored with.
A page with no site (or a site with no history yet) keeps what the per-page cascade found.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from archive.dedup.keys import DedupSettings
from archive.extract.document import ExtractedDocument
from archive.extract.site_chrome import MIN_PAGES, Template, best_template, page_keys, strip_chrome
from archive.models import Document, Site, SiteTemplate, Version
from archive.store.composition import recompose
from archive.store.documents import content_hash


def templates_of(session: Session, site_id: str) -> list[SiteTemplate]:
    return list(session.scalars(select(SiteTemplate).where(SiteTemplate.site_id == site_id)
                                .order_by(SiteTemplate.id)))


def pick(rows: list[SiteTemplate], keys: frozenset[str]) -> SiteTemplate | None:
    """The site's template this page fits; None when it fits no ready one."""
    chosen = best_template(((row.id, _template(row)) for row in rows), keys)
    return next((row for row in rows if row.id == chosen), None)


class TemplateCache:
    """The templates of the sites a batch of pages touched, as learnt so far: read once per batch,
    written back once (write) rather than a row of counts serialised for every page.

    kept: what earlier batches of this writer committed (keep), shared from batch to batch: a site's
    templates are taken from it, not read and decoded again, while its rows' (id, pages, cleaned at)
    in the database are still what that batch wrote (another writer that learnt a page changed them)."""

    def __init__(self, kept: dict | None = None):
        self.sites: dict[str, list[list]] = {}   # site id -> [[row, Template, learnt at]] in id order
        self.kept = kept if kept is not None else {}   # site id -> (stamps, [[row, Template]])
        self.written: dict[str, tuple] = {}

    def of(self, session: Session, site_id: str) -> list[list]:
        if site_id not in self.sites:
            self.sites[site_id] = self._kept(session, site_id) or \
                [[row, _template(row), None] for row in templates_of(session, site_id)]
        return self.sites[site_id]

    def _kept(self, session: Session, site_id: str) -> list[list] | None:
        kept = self.kept.get(site_id)
        if kept is None or [tuple(r) for r in session.execute(_STAMPS, {"site": site_id})] != kept[0]:
            return None
        return [[session.merge(row, load=False), template, None] for row, template in kept[1]]

    def write(self, session: Session) -> None:
        for entries in self.sites.values():
            for row, template, learnt_at in entries:
                if learnt_at is not None:
                    row.pages, row.counts, row.updated_at = template.pages, template.counts, learnt_at
        session.flush()
        self.written = {site: ([(row.id, row.pages, row.cleaned_at_pages) for row, _, _ in entries],
                               [[row, template] for row, template, _ in entries])
                        for site, entries in self.sites.items()}
        self.sites.clear()

    def keep(self) -> None:
        """The batch committed: what it wrote is what the next batch starts from."""
        self.kept.update(self.written)
        self.written = {}


_STAMPS = (select(SiteTemplate.__table__.c.id, SiteTemplate.__table__.c.pages, SiteTemplate.__table__.c.cleaned_at_pages)
           .where(SiteTemplate.__table__.c.site_id == bindparam("site")).order_by(SiteTemplate.__table__.c.id))


def learn_and_strip(session: Session, doc: ExtractedDocument, site_id: str | None, now: datetime,
                    settings: DedupSettings, cache: TemplateCache | None = None,
                    keys: frozenset[str] | None = None) -> tuple[ExtractedDocument, bool]:
    """The page with its site's chrome cut; its template learns it (a new template when it fits none).
    The flag: this page started a new template beside a learnt one (the site was redesigned).
    cache: a batch's templates (Archive.batch), written when it ends; without one, written now.
    keys: page_keys(doc.page_lines) computed already (by the crawl's extractor process)."""
    redesigned = False
    if not site_id or (keys is None and not doc.page_lines):
        return doc, redesigned
    own = cache is None
    cache = cache or TemplateCache()
    keys = page_keys(doc.page_lines) if keys is None else keys
    entries = cache.of(session, site_id)
    chosen = best_template(((n, template) for n, (_, template, _) in enumerate(entries)), keys)
    entry = entries[chosen] if chosen is not None else None
    if entry is None:
        latest = entries[-1] if entries else None
        if latest is not None and not latest[1].ready:
            entry = latest                    # still learning: every page joins it
        else:
            redesigned = latest is not None
            row = SiteTemplate(site_id=site_id, pages=0, counts={}, cleaned_at_pages=0, created_at=now,
                               updated_at=now)
            session.add(row)
            entry = [row, _template(row), None]
            entries.append(entry)
    row = entry[0]
    learnt = entry[1] = entry[1].learn(keys)
    entry[2] = now
    if own:
        cache.write(session)
    chrome = learnt.chrome()
    if chrome and learnt.pages >= max(MIN_PAGES, 2 * row.cleaned_at_pages):
        clean_site(session, site_id, chrome, settings, now)
        row.cleaned_at_pages = learnt.pages
    text = strip_chrome(doc.text, chrome, keep=doc.title, signature=doc.agency)
    return (doc if text == doc.text else dataclasses.replace(doc, text=text)), redesigned


def clean_site(session: Session, site_id: str, chrome: frozenset[str], settings: DedupSettings,
               now: datetime) -> int:
    """Cut a template's chrome from the site's stored page texts; returns how many changed.
    A cleaning is a better reading of the same capture, not an edit: the latest version is
    rewritten in place and no event is recorded."""
    changed = 0
    # the columns the cut needs; a document row is loaded only when its text changes
    rows = session.execute(_SITE_PAGES, {"site": site_id}).all()
    seen: set[int] = set()
    for doc_id, title, agency, version_id, version_text in rows:
        if doc_id in seen:
            continue
        seen.add(doc_id)
        text = strip_chrome(version_text or "", chrome, keep=title, signature=agency)
        if text == (version_text or ""):
            continue
        digest = content_hash(title, text)
        session.execute(update(Version).where(Version.id == version_id).values(text=text, content_hash=digest))
        doc = session.get(Document, doc_id)
        doc.content_hash = digest
        recompose(session, doc, settings, now, page_text=text)
        changed += 1
    return changed


_SITE_PAGES = (select(Document.id, Document.title, Document.agency, Version.id, Version.text)
               .join(Version, Version.document_id == Document.id).where(Document.site_id == bindparam("site"))
               .order_by(Document.id, Version.number.desc()))


def _template(row: SiteTemplate) -> Template:
    return Template(row.pages or 0, dict(row.counts or {}))


def with_site_template(archive, doc: ExtractedDocument) -> tuple[ExtractedDocument, str | None]:
    """`govplans extract --site-of`: one page read with the template its site's archive learnt
    (the site found by the page's host); the archive is not changed. (page, the site id or None)."""
    host = (urlsplit(doc.url).hostname or "").lower()
    with archive.reading() as s:
        site = next((site for site in s.scalars(select(Site))
                     if (urlsplit(site.base_url).hostname or "").lower() == host), None) if host else None
        if site is None:
            return doc, None
        row = pick(templates_of(s, site.id), page_keys(doc.page_lines))
        chrome = _template(row).chrome() if row is not None else frozenset()
    text = strip_chrome(doc.text, chrome, keep=doc.title, signature=doc.agency)
    if text == doc.text:
        return doc, site.id
    return dataclasses.replace(doc, text=text, sources={**doc.sources, "text": f"site template {row.id}"}), site.id
