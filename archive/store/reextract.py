"""Rebuild every document from the raw captures, without the network (`govplans reextract`).

The WARC files are the evidence; the database is rebuilt from them with today's extraction:
a new database is filled by replaying every stored capture in the order it was fetched (a
document page is extracted and ingested again, so its versions come back as the site served
them; a 304 is a sighting, a 404/410 a withdrawal, an attachment is tied to its documents), the
sites and crawl_runs rows are copied over, and the new file then takes the old one's place (the
old one is kept as archive.sqlite.before-reextract). List pages are not captures (only in the
WARC), so a withdrawal found by a list no longer showing a document is copied from the old row.
"""
from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from archive.config import DataDir
from archive.extract import extract_document
from archive.extract.attachment_text import attachment_text
from archive.extract.document import RawPage, SiteHint
from archive.models import Attachment, Capture, CrawlRun, Document, Site
from archive.store import runs
from archive.store.database import Archive
from archive.warc import WarcLocation, read_response

BACKUP_SUFFIX = ".before-reextract"


class ReextractError(RuntimeError):
    pass


@dataclass(frozen=True)
class ReextractSummary:
    captures: int
    documents: int
    outcomes: dict[str, int]
    missing: int          # captures whose WARC record could not be read


def reextract(data: DataDir, progress=None) -> ReextractSummary:
    """Rebuild the archive database of `data` from its WARC files; returns what was replayed."""
    url = make_url(data.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise ReextractError("reextract rebuilds an SQLite archive file; point GOVPLANS_DATABASE_URL at one")
    current = Path(url.database)
    if not current.exists():
        raise ReextractError(f"no archive at {current}")
    target = current.with_name(current.name + ".rebuilding")
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    old, new = Archive(data.database_url), Archive(f"sqlite:///{target}")
    try:
        summary = _replay(old, new, data.warc_dir, progress)
    finally:
        old.close()
        new.close()
    backup = current.with_name(current.name + BACKUP_SUFFIX)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{backup}{suffix}").unlink(missing_ok=True)
        if Path(f"{current}{suffix}").exists():
            os.replace(f"{current}{suffix}", f"{backup}{suffix}")
    os.replace(target, current)
    return summary


def _replay(old: Archive, new: Archive, warc_dir: Path, progress) -> ReextractSummary:
    with old.session() as s:
        sites = {site.id: site for site in s.scalars(select(Site))}
        captures = list(s.scalars(select(Capture).order_by(Capture.id)))
        attached = defaultdict(list)
        for doc_url, file_url in s.execute(select(Document.url, Attachment.url)
                                           .join(Attachment, Attachment.document_id == Document.id)):
            attached[file_url].append(doc_url)
        withdrawn = dict(s.execute(select(Document.url, Document.updated_at).where(Document.status == "withdrawn")).all())
        run_rows = [{c.name: getattr(run, c.name) for c in CrawlRun.__table__.columns if c.name != "id"}
                    for run in s.scalars(select(CrawlRun).order_by(CrawlRun.id))]
    for site in sites.values():
        new.upsert_site({"id": site.id, "name": site.name, "region": site.region_code, "family": site.family,
                         "base_url": site.base_url, "columns": site.columns, "farm": site.farm})
    hints = {site.id: SiteHint(id=site.id, name=site.name, region_code=site.region_code, family=site.family)
             for site in sites.values()}
    outcomes: Counter = Counter()
    missing = 0
    for n, capture in enumerate(captures, 1):
        if progress:
            progress(n, len(captures))
        if not capture.warc_file:
            missing += 1
            continue
        try:
            stored = read_response(warc_dir, capture.warc_file, capture.warc_offset)
        except (OSError, ValueError):
            missing += 1
            continue
        location = WarcLocation(capture.warc_file, capture.warc_offset, capture.warc_length or 0,
                                capture.payload_digest)
        capture_id = new.record_capture(capture.url, capture.status, capture.headers, location,
                                        site_id=capture.site_id, fetched_at=capture.fetched_at)
        if capture.url in attached:
            text = _file_text(stored, capture) if capture.status == 200 else None
            for doc_url in attached[capture.url]:
                new.link_attachment_capture(doc_url, capture.url, capture_id, text=text)
            outcomes["attachment"] += 1
        elif capture.status == 304:
            if new.mark_seen(capture.url, capture.fetched_at) is not None:
                outcomes["unchanged"] += 1
        elif capture.status in (404, 410):
            outcomes["withdrawn"] += runs.mark_withdrawn(new, [capture.url], capture.fetched_at)
        elif capture.status < 400:
            document = extract_document(RawPage(stored.url or capture.url, stored.body, stored.headers, capture.status),
                                        hints.get(capture.site_id))
            result = new.ingest(document, site_id=capture.site_id, capture_id=capture_id, seen_at=capture.fetched_at)
            outcomes[result.outcome] += 1
    # Withdrawals a full sweep found in the lists (no capture says so): as the old archive had them.
    for url, when in withdrawn.items():
        outcomes["withdrawn"] += new.mark_withdrawn(url, when)
    with new.session() as s:
        for row in run_rows:
            s.add(CrawlRun(**row))
    with new.reading() as s:
        documents = s.scalar(select(func.count(Document.id))) or 0
    return ReextractSummary(len(captures), documents, dict(outcomes), missing)


def _file_text(stored, capture) -> str:
    """An attached file's text read again from its capture, as the crawl's pipeline read it."""
    ext = urlsplit(capture.url).path.rsplit(".", 1)[-1]
    content_type = next((str(v) for k, v in (stored.headers or {}).items() if str(k).lower() == "content-type"), None)
    return attachment_text(stored.body, ext, content_type)[0]
