"""Rebuild every document from the raw captures, without the network (`govplans reextract`).

The WARC files are the evidence; the database is rebuilt from them with today's extraction:
a new database is filled by replaying every stored capture in the order it was fetched (a
document page is extracted and ingested again, so its versions come back as the site served
them; a 304 is a sighting, a 404/410 a withdrawal, an attachment is tied to its documents), the
sites and crawl_runs rows are copied over, and the new file then takes the old one's place (the
old one is kept as archive.sqlite.before-reextract). List pages are not captures (only in the
WARC), so a withdrawal found by a list no longer showing a document is copied from the old row.

Each capture is replayed in the crawl run that fetched it (crawl_runs are copied first), so versions
and their events are decided as a crawl decides them (archive/store/revisions.py), now with today's
extraction on both sides: a better extractor re-extracts documents in place (reextracted_at, and a
`reextract` site event per site) and adds no `changed` event; files are read again from the WARC
and a replaced file is a version as it was when crawled.
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
from archive.clock import utcnow
from archive.extract import extract_document
from archive.extract.attachment_text import attachment_text
from archive.extract.document import RawPage, SiteHint
from archive.models import Attachment, Capture, CrawlRun, Document, DocumentEvent, Site, SiteEvent
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
        before = dict(s.execute(select(Document.url, Document.content_hash)).all())
        run_rows = [{c.name: getattr(run, c.name) for c in CrawlRun.__table__.columns if c.name != "id"}
                    for run in s.scalars(select(CrawlRun).order_by(CrawlRun.id))]
        old_runs = [run.id for run in s.scalars(select(CrawlRun).order_by(CrawlRun.id))]
        list_withdrawals = s.execute(select(DocumentEvent.run_id, DocumentEvent.at, Document.url)
                                     .join(Document, Document.id == DocumentEvent.document_id)
                                     .where(DocumentEvent.kind == "withdrawn")).all()
    for site in sites.values():
        new.upsert_site({"id": site.id, "name": site.name, "region": site.region_code, "family": site.family,
                         "base_url": site.base_url, "columns": site.columns, "farm": site.farm})
    run_ids = _copy_runs(new, run_rows, old_runs)
    run_of = _run_finder(run_rows, run_ids)
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
        run_id = run_of(capture.site_id, capture.fetched_at)
        if capture.url in attached:
            if capture.status == 304:
                continue                         # the file as stored: the crawl kept the earlier capture
            text = _file_text(stored, capture) if capture.status == 200 else None
            for doc_url in attached[capture.url]:
                new.link_attachment_capture(doc_url, capture.url, capture_id, text=text, run_id=run_id,
                                            digest=capture.payload_digest, at=capture.fetched_at)
            outcomes["attachment"] += 1
        elif capture.status == 304:
            if new.mark_seen(capture.url, capture.fetched_at) is not None:
                outcomes["unchanged"] += 1
        elif capture.status in (404, 410):
            outcomes["withdrawn"] += runs.mark_withdrawn(new, [capture.url], capture.fetched_at, run_id=run_id)
        elif capture.status < 400:
            document = extract_document(RawPage(stored.url or capture.url, stored.body, stored.headers, capture.status),
                                        hints.get(capture.site_id))
            result = new.ingest(document, site_id=capture.site_id, capture_id=capture_id, seen_at=capture.fetched_at,
                                run_id=run_id)
            outcomes[result.outcome] += 1
    # Withdrawals a full sweep found in the lists (no capture says so): as the old archive had them.
    for old_run, at, url in list_withdrawals:
        outcomes["withdrawn"] += new.mark_withdrawn(url, at, run_id=run_ids.get(old_run))
    for url, when in withdrawn.items():
        outcomes["withdrawn"] += new.mark_withdrawn(url, when)
    outcomes["reextracted"] = _mark_reextracted(new, before)
    with new.reading() as s:
        documents = s.scalar(select(func.count(Document.id))) or 0
    return ReextractSummary(len(captures), documents, dict(outcomes), missing)


def _file_text(stored, capture) -> str:
    """An attached file's text read again from its capture, as the crawl's pipeline read it."""
    ext = urlsplit(capture.url).path.rsplit(".", 1)[-1]
    content_type = next((str(v) for k, v in (stored.headers or {}).items() if str(k).lower() == "content-type"), None)
    return attachment_text(stored.body, ext, content_type)[0]


def _copy_runs(new: Archive, run_rows: list[dict], old_ids: list[int]) -> dict[int, int]:
    """The crawl_runs rows, first (the replayed captures belong to them): old id -> new id."""
    out = {}
    with new.session() as s:
        for old_id, row in zip(old_ids, run_rows):
            run = CrawlRun(**row)
            s.add(run)
            s.flush()
            out[old_id] = run.id
    return out


def _run_finder(run_rows: list[dict], run_ids: dict[int, int]):
    """(site, fetched_at) -> the new id of the run of that site that was going on then (None: none)."""
    spans = defaultdict(list)
    for new_id, row in zip(run_ids.values(), run_rows):
        spans[row["site_id"]].append((row["started"], row["finished"], new_id))

    def run_of(site_id, at):
        for started, finished, new_id in reversed(spans.get(site_id, ())):
            if started <= at and (finished is None or at <= finished):
                return new_id
        return None
    return run_of


def _mark_reextracted(new: Archive, before: dict[str, str]) -> int:
    """Documents whose extraction now differs from the old archive's: marked re-extracted, one
    `reextract` site event per site (an extraction change is not an edit of the documents)."""
    now = utcnow()
    per_site: dict[str | None, list[str]] = defaultdict(list)
    with new.session() as s:
        for row in s.scalars(select(Document)):
            if row.url in before and before[row.url] != row.content_hash:
                row.reextracted_at = now
                per_site[row.site_id].append(row.url)
        for site_id, urls in per_site.items():
            if site_id is not None:
                s.add(SiteEvent(site_id=site_id, run_id=None, kind="reextract", at=now, documents=len(urls),
                                detail={"urls": urls[:5]}))
    return sum(map(len, per_site.values()))
