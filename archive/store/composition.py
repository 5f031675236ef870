"""A document row's text kept composed: its page's own text (the latest version's) followed by its
attachments' texts (archive/extract/composed.py). Recomposed when a file's text arrives and when the
page changes; a new composition is re-clustered, since copies are found on the whole text."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.dedup.keys import DedupSettings
from archive.extract.composed import compose
from archive.models import Attachment, Document, Version
from archive.store.clusters import assign_cluster


def composed_text(session: Session, doc: Document, page_text: str | None = None,
                  files: list[tuple[str, str | None]] | None = None) -> str:
    """files: the document's attachments' (name, text) in id order, when the caller has them."""
    if page_text is None:
        page_text = session.scalar(select(Version.text).where(Version.document_id == doc.id)
                                   .order_by(Version.number.desc()).limit(1))
        if page_text is None:  # a row written without versions (bulk loads): its text is the page's
            page_text = doc.text or ""
    if files is None:
        files = session.execute(select(Attachment.name, Attachment.text).where(Attachment.document_id == doc.id)
                                .order_by(Attachment.id)).all()
    return compose(page_text, files)


def recompose(session: Session, doc: Document, settings: DedupSettings, now: datetime,
              page_text: str | None = None, cluster: bool = True,
              files: list[tuple[str, str | None]] | None = None) -> bool:
    """Write the document's composed text; True when it changed (then it is re-clustered)."""
    values = composed_change(session, doc, now, page_text, files)
    if values is None:
        return False
    doc.text, doc.updated_at = values["text"], values["updated_at"]
    if cluster:   # else written by the next flush (a batch re-clusters once, when it ends)
        session.flush()
        assign_cluster(session, doc, settings, now)
    return True


def composed_change(session: Session, doc: Document, now: datetime, page_text: str | None = None,
                    files: list[tuple[str, str | None]] | None = None) -> dict | None:
    """The document's composed text and updated_at when the text changed (None: it did not)."""
    text = composed_text(session, doc, page_text, files)
    if text == (doc.text or ""):
        return None
    return {"text": text, "updated_at": max(doc.updated_at, now) if doc.updated_at else now}
