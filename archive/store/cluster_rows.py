"""A cluster's row (size, first_seen, canonical copy) kept as documents join and leave it: from the
clusters' own rows and the document's where that is enough, from all its members where it is not."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from archive.dedup.keys import AGGREGATOR, canonical_copy, earliest_first
from archive.models import Cluster, Document, Site
from archive.store.committed import write_committed


# (id, published, first_seen, family) of documents, as a cluster's canonical copy is chosen; built once
_MEMBERS = select(Document.id, Document.published, Document.first_seen, Site.family).outerjoin(
    Site, Site.id == Document.site_id)
_MEMBERS_OF = _MEMBERS.where(Document.cluster_id == bindparam("cluster"))
_MEMBER = _MEMBERS.where(Document.id == bindparam("doc"))


def refresh_cluster(session: Session, cluster_id: int, now: datetime) -> None:
    """Size, first_seen and canonical copy: the earliest published government copy."""
    members = session.execute(_MEMBERS_OF, {"cluster": cluster_id}).all()
    if not members:
        return
    earliest = canonical_copy(members, lambda m: earliest_first(m.published, m.first_seen, m.id),
                              lambda m: m.family == AGGREGATOR)
    # every column written: no need to read the row first (a cluster gone is updated nowhere)
    write_committed(session, Cluster, cluster_id, {
        "size": len(members), "first_seen": min(m.first_seen for m in members),
        "canonical_document_id": earliest.id if earliest else None, "updated_at": now})


def _member(session: Session, doc_id: int | None):
    """(id, published, first_seen, family) of one document, as refresh_cluster reads members."""
    if doc_id is None:
        return None
    return session.execute(_MEMBER, {"doc": doc_id}).first()


def joined_by(session: Session, keep: int, joined: list[Cluster], doc: Document, counted: bool,
            now: datetime) -> None:
    """`keep` is now the merged clusters `joined` plus `doc` (already one of their members when `counted`):
    size summed, earliest first_seen, the canonical copy the best of theirs and doc. A canonical that was
    doc itself may have lost its place (its 发布日期 changed): then the members are read again."""
    if any(c.canonical_document_id == doc.id for c in joined):
        refresh_cluster(session, keep, now)
        return
    cluster = session.get(Cluster, keep)
    order = lambda m: earliest_first(m.published, m.first_seen, m.id)   # noqa: E731
    copies = [m for m in (_member(session, c.canonical_document_id) for c in joined) if m is not None]
    copies.append(_member(session, doc.id))
    best = canonical_copy(copies, order, lambda m: m.family == AGGREGATOR)
    cluster.size = sum(c.size or 0 for c in joined) + (0 if counted else 1)
    cluster.first_seen = min([c.first_seen for c in joined if c.first_seen] + [doc.first_seen])
    cluster.canonical_document_id = best.id if best else None
    cluster.updated_at = now


def left(session: Session, cluster_id: int, doc: Document, now: datetime) -> None:
    """`doc` left a cluster that keeps other members: one fewer; read again only if doc was its canonical
    or its earliest."""
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        return
    if cluster.canonical_document_id == doc.id or not cluster.size or doc.first_seen <= cluster.first_seen:
        refresh_cluster(session, cluster_id, now)
        return
    cluster.size -= 1
    cluster.updated_at = now
