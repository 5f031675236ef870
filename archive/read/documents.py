"""Documents as the UI and the CLI show them: one with everything a page lists, many by id, their
version diffs, and the record shape of the API and exports (every field plus provenance)."""
from __future__ import annotations

from sqlalchemy import func, select

from archive.diffs import DiffOp, diff_texts
from archive.models import Capture, Document, OcrJob, Version
from archive.store.database import Archive


def get_document(archive: Archive, doc_id: int) -> Document | None:
    """One document with its versions, attachments, site and capture loaded (None: no such id)."""
    with archive.reading() as s:
        row = s.get(Document, doc_id)
        if row is not None:
            _ = row.versions, row.attachments, row.site, row.capture
        return row


def documents_by_id(archive: Archive, ids: list[int]) -> dict[int, Document]:
    """id -> document for the ids that exist (feeds and downloads fetch a page of hits at a time)."""
    if not ids:
        return {}
    with archive.session() as s:
        return {row.id: row for row in s.scalars(select(Document).where(Document.id.in_(ids)))}


def count_documents(archive: Archive) -> int:
    with archive.reading() as s:
        return s.scalar(select(func.count(Document.id))) or 0


def version_text(text: str | None, attachment_text: str | None) -> str:
    """What a version says: its page's text, then its files' text (each part marked), so a replaced
    attachment diffs like a text edit."""
    return "\n".join(part for part in (text or "", attachment_text or "") if part)


def version_diff(archive: Archive, doc_id: int, a: int, b: int) -> list[DiffOp]:
    """Paragraph-level ops turning version number a of a document into version number b."""
    with archive.reading() as s:
        texts = {number: version_text(text, files) for number, text, files in s.execute(
            select(Version.number, Version.text, Version.attachment_text)
            .where(Version.document_id == doc_id, Version.number.in_((a, b)))).all()}
    missing = [n for n in (a, b) if n not in texts]
    if missing:
        raise KeyError(f"document {doc_id} has no version {missing[0]}")
    return diff_texts(texts[a], texts[b])


def recognition(archive: Archive, doc_id: int) -> dict[int, dict]:
    """attachment id -> its OCR state: status (pending / running / done / failed), confidence,
    engine, why it needed recognition, and the error when it failed."""
    with archive.reading() as s:
        jobs = s.scalars(select(OcrJob).where(OcrJob.document_id == doc_id)).all()
    return {job.attachment_id: {"status": job.status, "confidence": job.confidence, "engine": job.engine,
                                "reason": job.reason, "error": job.error} for job in jobs}


def document_record(row: Document) -> dict:
    """The export/API shape of a document: every field plus its provenance."""
    return {
        "id": row.id, "url": row.url, "site": row.site_id, "title": row.title,
        "published": row.published.isoformat() if row.published else None,
        "written": row.written.isoformat() if row.written else None,
        "agency": row.agency, "doc_number": row.doc_number, "index_number": row.index_number,
        "subject": row.subject, "validity": row.validity,
        "region": {"province": row.province, "city": row.city, "county": row.county, "code": row.region_code},
        "year": row.year, "doc_type": row.doc_type, "themes": list(row.themes or ()),
        "status": row.status, "first_seen": row.first_seen.isoformat(), "last_seen": row.last_seen.isoformat(),
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        "evidence_lost_at": row.evidence_lost_at.isoformat() if row.evidence_lost_at else None,
        # extraction changed, the content did not (a redesign, `reextract`): not an edit, no version
        "reextracted_at": row.reextracted_at.isoformat() if row.reextracted_at else None,
        "cluster": row.cluster_id, "sources": dict(row.sources or {}), "outline": list(row.outline or ()),
        "text": row.text,
    }


def export_record(row: Document, capture: Capture | None, canonical_id: int | None) -> dict:
    """document_record plus where the page came from and whether it is its cluster's canonical copy."""
    record = document_record(row)
    record["canonical"] = canonical_id is not None and canonical_id == row.id
    record["provenance"] = {"url": row.url, "site": row.site_id, **capture_record(capture)}
    return record


def capture_record(capture: Capture | None) -> dict:
    """Where a page or file was fetched: when, its status and its WARC record."""
    return {
        "captured_at": capture.fetched_at.isoformat() if capture else None,
        "http_status": capture.status if capture else None,
        "warc_file": capture.warc_file if capture else None,
        "warc_offset": capture.warc_offset if capture else None,
        "warc_length": capture.warc_length if capture else None,
        "payload_digest": capture.payload_digest if capture else None,
    }
