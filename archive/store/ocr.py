"""The OCR queue's rows (ocr_jobs): what is waiting for recognition, claimed by a worker, done.

A job is claimed with a lease: a worker killed mid-file leaves its job to be claimed again once
the lease has run out. Finishing a job writes the text to the attachment's row (what the index
reads) and touches the document (updated_at), so the next index update carries the words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from archive.clock import utcnow
from archive.models import Attachment, Capture, Document, OcrJob
from archive.store.citations import refresh_citations
from archive.store.composition import recompose

LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 3          # a file that killed its worker this many times is failed, not retried


@dataclass(frozen=True)
class JobInput:
    """What a worker needs to recognise one file: where its bytes lie in the WARC files."""
    job_id: int
    attachment_id: int
    document_id: int
    url: str
    reason: str
    warc_file: str | None
    warc_offset: int | None


def enqueue(s: Session, attachment: Attachment, reason: str, when: datetime | None = None,
            same_bytes: bool = False) -> None:
    """Queue (or queue again: a new capture of the file) one attachment for recognition. The same
    bytes fetched again are not recognised again (`govplans ocr --all` does that)."""
    when = when or utcnow()
    job = s.scalar(select(OcrJob).where(OcrJob.attachment_id == attachment.id))
    if job is not None and same_bytes:
        return
    if job is None:
        job = OcrJob(attachment_id=attachment.id, document_id=attachment.document_id, attempts=0)
        s.add(job)
    job.reason = reason[:64]
    job.status = "pending"
    job.queued_at = when
    job.claimed_by = job.lease_until = job.error = None
    job.attempts = 0


def requeue(archive, everything: bool = False) -> int:
    """Pending again: failed jobs (and with everything, done ones too: a better model came)."""
    statuses = ["failed", "done"] if everything else ["failed"]
    with archive.session() as s:
        return s.execute(update(OcrJob).where(OcrJob.status.in_(statuses))
                         .values(status="pending", attempts=0, claimed_by=None, lease_until=None,
                                 queued_at=utcnow())).rowcount


def claim(archive, worker: str, limit: int = 1, now: datetime | None = None) -> list[JobInput]:
    """Up to limit pending jobs (or running ones whose lease ran out), now leased to this worker."""
    now = now or utcnow()
    with archive.session() as s:
        rows = s.execute(
            select(OcrJob, Attachment.url, Capture.warc_file, Capture.warc_offset)
            .join(Attachment, Attachment.id == OcrJob.attachment_id)
            .outerjoin(Capture, Capture.id == Attachment.capture_id)
            .where(or_(OcrJob.status == "pending",
                       (OcrJob.status == "running") & (OcrJob.lease_until < now)))
            .order_by(OcrJob.queued_at, OcrJob.id).limit(limit)).all()
        out = []
        for job, url, warc_file, warc_offset in rows:
            if job.attempts >= MAX_ATTEMPTS:
                job.status, job.error, job.finished_at = "failed", "gave up: the file stopped its worker", now
                continue
            job.status, job.claimed_by, job.lease_until = "running", worker, now + LEASE
            job.attempts += 1
            out.append(JobInput(job.id, job.attachment_id, job.document_id, url, job.reason, warc_file, warc_offset))
        return out


def finish(archive, job_id: int, text: str, confidence: float | None, engine: str, pages: int,
           recognised_pages: int, error: str | None = None, now: datetime | None = None) -> None:
    """The job's result: its text on the attachment, the document touched for the index."""
    now = now or utcnow()
    with archive.session() as s:
        job = s.get(OcrJob, job_id)
        if job is None:
            return
        failed = not text.strip() and error is not None
        job.status = "failed" if failed else "done"
        job.finished_at, job.lease_until, job.claimed_by = now, None, None
        job.engine, job.confidence, job.pages, job.recognised_pages = engine, confidence, pages, recognised_pages
        job.error = error[:1000] if error else None
        attachment = s.get(Attachment, job.attachment_id)
        if attachment is not None and not failed:
            attachment.text = text
        s.execute(update(Document).where(Document.id == job.document_id).values(updated_at=now))
        document = s.get(Document, job.document_id)
        if attachment is not None and not failed and document is not None:
            s.flush()
            recompose(s, document, archive.dedup_settings, now)  # the document's text holds the scan's
            refresh_citations(s, document)  # the scan's references join the page's


def fail(archive, job_id: int, error: str, now: datetime | None = None) -> None:
    with archive.session() as s:
        job = s.get(OcrJob, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = "failed", error[:1000], now or utcnow()
            job.lease_until = job.claimed_by = None


def counts(archive) -> dict[str, int]:
    """status -> jobs."""
    with archive.reading() as s:
        return dict(s.execute(select(OcrJob.status, func.count()).group_by(OcrJob.status)).all())
