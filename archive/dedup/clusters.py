"""Clusters kept up to date as documents arrive: the LSH bands live in SQL, so every process shares them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Callable

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from archive.dedup import minhash
from archive.dedup.text import jaccard, normalise, place_names, sentences, shingles
from archive.models import Cluster, Document, LshBucket, Site

AGGREGATOR = "aggregator"
_PG_LOCK = 0x676F7664656475  # one cluster writer at a time on PostgreSQL (merges touch many rows)


@dataclass(frozen=True)
class DedupSettings:
    lsh_threshold: float = 0.5     # candidates: estimated Jaccard of 5-char shingles
    match_threshold: float = 0.78  # copies: exact Jaccard of masked sentences
    min_chars: int = 50            # shorter texts cluster only as exact copies
    same_doc_type: bool = True     # a 方案 and a 通知 built from one boilerplate are not copies


DEFAULT = DedupSettings()


def assign_cluster(session: Session, doc: Document, settings: DedupSettings = DEFAULT,
                   now: datetime | None = None) -> int:
    """Put a new or changed document in its cluster, merging clusters it links; returns the cluster id."""
    now = now or doc.updated_at
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    old = doc.cluster_id
    doc.cluster_id = None
    session.execute(delete(LshBucket).where(LshBucket.document_id == doc.id))
    session.flush()
    targets = sorted({c for c in _matching_clusters(session, doc, settings) if c is not None})
    old_alive = old is not None and session.scalar(
        select(func.count(Document.id)).where(Document.cluster_id == old)) > 0
    if targets:
        keep = targets[0]
        for other in targets[1:]:
            session.execute(update(Document).where(Document.cluster_id == other).values(cluster_id=keep))
            session.execute(delete(Cluster).where(Cluster.id == other))
    elif old is not None and not old_alive:
        keep = old  # a document alone keeps its cluster id across versions
    else:
        cluster = Cluster(size=1, first_seen=doc.first_seen, updated_at=now)
        session.add(cluster)
        session.flush()
        keep = cluster.id
    doc.cluster_id = keep
    session.flush()
    if old is not None and old != keep:
        if old_alive:
            refresh_cluster(session, old, now)
        else:
            session.execute(delete(Cluster).where(Cluster.id == old))
    refresh_cluster(session, keep, now)
    return keep


def _matching_clusters(session: Session, doc: Document, settings: DedupSettings) -> set[int | None]:
    """Clusters of the exact copies and of the near copies that pass the check."""
    exact = select(Document.cluster_id).where(Document.content_hash == doc.content_hash, Document.id != doc.id)
    found = set(session.scalars(exact))
    if len(normalise(doc.text)) < settings.min_chars:
        return found
    keys = minhash.band_keys(minhash.signature(shingles(doc.text)), settings.lsh_threshold)
    session.execute(insert(LshBucket), [{"document_id": doc.id, "band": band, "key": key}
                                        for band, key in enumerate(keys)])
    candidates = (select(Document.id, Document.text, Document.doc_type, Document.region_code, Document.county,
                         Document.city, Document.cluster_id)
                  .where(Document.id.in_(select(LshBucket.document_id).where(LshBucket.key.in_(keys))),
                         Document.id != doc.id))
    mine = _sentences(doc.text, doc.region_code, doc.county, doc.city)
    for _id, other_text, doc_type, code, county, city, cluster_id in session.execute(candidates):
        if cluster_id in found:
            continue
        if settings.same_doc_type and doc.doc_type and doc_type and doc.doc_type != doc_type:
            continue
        if jaccard(mine, _sentences(other_text, code, county, city)) >= settings.match_threshold:
            found.add(cluster_id)
    return found


@lru_cache(maxsize=4096)
def _sentences(body: str, code: str | None, county: str | None, city: str | None) -> frozenset[str]:
    return sentences(body, place_names(code, county, city))


def refresh_cluster(session: Session, cluster_id: int, now: datetime) -> None:
    """Size, first_seen and canonical copy: the earliest published government copy."""
    members = session.execute(
        select(Document.id, Document.published, Document.first_seen, Site.family)
        .outerjoin(Site, Site.id == Document.site_id).where(Document.cluster_id == cluster_id)).all()
    cluster = session.get(Cluster, cluster_id)
    if cluster is None or not members:
        return
    government = [m for m in members if m.family != AGGREGATOR]
    earliest = min(government, key=lambda m: (m.published is None, m.published, m.first_seen, m.id), default=None)
    cluster.size = len(members)
    cluster.first_seen = min(m.first_seen for m in members)
    cluster.canonical_document_id = earliest.id if earliest else None
    cluster.updated_at = now


def rebuild_clusters(sessions: Callable[[], Session], settings: DedupSettings = DEFAULT,
                     progress: Callable[[int], None] | None = None, batch: int = 200) -> int:
    """Forget every cluster and assign all documents again, in id order; returns the number of clusters."""
    with sessions() as s, s.begin():
        s.execute(delete(LshBucket))
        s.execute(update(Document).values(cluster_id=None))
        s.execute(delete(Cluster))
    last = 0
    while True:
        with sessions() as s, s.begin():
            rows = s.scalars(select(Document).where(Document.id > last).order_by(Document.id).limit(batch)).all()
            for row in rows:
                assign_cluster(s, row, settings)
        if not rows:
            break
        last = rows[-1].id
        if progress:
            progress(len(rows))
    with sessions() as s:
        return s.scalar(select(func.count(Cluster.id))) or 0
