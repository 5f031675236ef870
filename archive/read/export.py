"""The whole archive for the CLI: documents with provenance in batches (`govplans export`) and the
counts of `govplans stats`."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import func, select

from archive.models import Attachment, Capture, Cluster, Document
from archive.read.documents import capture_record, export_record
from archive.regions import code_prefix
from archive.store.database import Archive


@dataclass(frozen=True)
class ExportFilters:
    region: str | None = None   # 430000 = a province, 431100 = a city, 431121 = a county
    year: int | None = None
    site: str | None = None
    status: str | None = None
    since: datetime | None = None  # new, changed or withdrawn since then (updated_at)


def filter_clauses(filters: ExportFilters) -> list:
    where = []
    if filters.region:
        where.append(Document.region_code.startswith(code_prefix(filters.region), autoescape=True))
    if filters.year is not None:
        where.append(Document.year == filters.year)
    if filters.site:
        where.append(Document.site_id == filters.site)
    if filters.status:
        where.append(Document.status == filters.status)
    if filters.since:
        where.append(Document.updated_at >= filters.since)
    return where


def count_export(archive: Archive, filters: ExportFilters = ExportFilters()) -> int:
    with archive.reading() as s:
        return s.scalar(select(func.count(Document.id)).where(*filter_clauses(filters))) or 0


def export_records(archive: Archive, filters: ExportFilters = ExportFilters(), batch: int = 500) -> Iterator[dict]:
    """Matching documents with provenance, cluster, canonical flag and attached files, in id order,
    batch by batch."""
    query = (select(Document, Capture, Cluster.canonical_document_id)
             .outerjoin(Capture, Capture.id == Document.capture_id)
             .outerjoin(Cluster, Cluster.id == Document.cluster_id)
             .where(*filter_clauses(filters)).order_by(Document.id).limit(batch))
    last = 0
    while True:
        with archive.reading() as s:
            rows = s.execute(query.where(Document.id > last)).all()
        if not rows:
            return
        files = _attachments(archive, [row.id for row, _, _ in rows])
        for row, capture, canonical_id in rows:
            record = export_record(row, capture, canonical_id)
            record["attachments"] = files.get(row.id, [])
            yield record
        last = rows[-1][0].id


def _attachments(archive: Archive, doc_ids: list[int]) -> dict[int, list[dict]]:
    """Each document's attached files in the page's order: url, name, type, text and the capture
    the file came from (None until it was downloaded)."""
    out: dict[int, list[dict]] = {}
    with archive.reading() as s:
        found = s.execute(select(Attachment, Capture).outerjoin(Capture, Capture.id == Attachment.capture_id)
                          .where(Attachment.document_id.in_(doc_ids)).order_by(Attachment.id))
        for file, capture in found:
            out.setdefault(file.document_id, []).append({
                "url": file.url, "name": file.name, "type": file.ext, "text": file.text,
                "capture": capture_record(capture) if capture else None})
    return out


def stats(archive: Archive) -> dict[str, dict]:
    """Document counts by site, province, year, theme and status, plus cluster figures."""
    out: dict[str, dict] = {}
    with archive.reading() as s:
        for name, column in (("site", Document.site_id), ("province", Document.province),
                             ("year", Document.year), ("status", Document.status)):
            counts = s.execute(select(column, func.count(Document.id)).group_by(column)).all()
            out[name] = dict(sorted(counts, key=lambda kv: (-kv[1], str(kv[0]))))
        shared = select(Cluster.id).where(Cluster.size > 1)
        out["clusters"] = {
            "clusters": s.scalar(select(func.count(Cluster.id))) or 0,
            "with copies": s.scalar(select(func.count()).select_from(shared.subquery())) or 0,
            "documents in them": s.scalar(select(func.coalesce(func.sum(Cluster.size), 0))
                                          .where(Cluster.size > 1)) or 0,
        }
    themes: Counter = Counter()
    for values in _column(archive, Document.themes):
        themes.update(values or ())
    out["theme"] = dict(themes.most_common())
    return out


def _column(archive: Archive, column, batch: int = 2000) -> Iterator:
    last = 0
    while True:
        with archive.reading() as s:
            rows = s.execute(select(Document.id, column).where(Document.id > last)
                             .order_by(Document.id).limit(batch)).all()
        if not rows:
            return
        for _id, value in rows:
            yield value
        last = rows[-1][0]
