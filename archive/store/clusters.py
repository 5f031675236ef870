"""Clusters kept up to date as documents arrive: the LSH bands live in SQL, so every process shares them.

Concurrent writers on PostgreSQL (several crawl processes, several workers) lock only what a
document can touch, not the whole cluster table: (1) a transaction-scoped advisory lock on each of
the document's LSH band keys and on its content hash, taken in ascending order, so two documents
that could find each other (an exact copy shares the hash; a near copy shares a band key, which
is what makes it a candidate) are clustered one after the other, and the second sees the first;
(2) the rows of the clusters it joins, merges or leaves (SELECT … FOR UPDATE, ascending ids),
checked again once locked, since a concurrent merge may have moved its matches to another
cluster meanwhile. Documents that share no key run side by side. A rebuild takes the global lock
exclusively; assignment holds it shared, so they never overlap.

A batch (one transaction, many documents: the archive writer's) takes every key of all its
documents at once, in ascending order, before the first assignment (`lock_batch_keys`): taken
document by document, two writers' batches each held keys the other's later documents wanted, and
deadlocked (PostgreSQL aborts one after a second; its pages were then stored again one by one).
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Callable

import numpy as np
from sqlalchemy import DateTime, LargeBinary, bindparam, delete, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from archive.dedup import minhash
from archive.dedup.keys import (AGGREGATOR, DEFAULT, DedupSettings, canonical_copy, document_keys, earliest_first,
                                pack_keys, similarities, similarity, sorted_array, unpack_keys)
from archive.dedup.text import place_names, sentence_keys
from archive.extract.composed import dedup_text
from archive.models import Cluster, DedupKeys, Document, LshBucket, Site
from archive.store.cluster_rows import joined_by, left, refresh_cluster

__all__ = ["assign_cluster", "lock_batch_keys", "rebuild_clusters", "refresh_cluster", "CANDIDATES_PER_BAND"]

_PG_LOCK = 0x676F7664656475  # a rebuild holds it exclusively, assignments shared (PostgreSQL)
_LOCK_KEYS = text("SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(:keys) AS k ORDER BY 1) AS ordered"
                  ).bindparams(bindparam("keys", type_=ARRAY(BIGINT)))
# members of one LSH bucket a new page is checked against: a bucket shared by a family of copies grows
# with the archive, and one member of a cluster that passes the check is enough to join it
CANDIDATES_PER_BAND = 16

# the statements of an assignment, built once (building one costs more than SQLite running it)
_LOCK_SHARED = text("SELECT pg_advisory_xact_lock_shared(:key)")
_DELETE_BANDS = delete(LshBucket.__table__).where(LshBucket.__table__.c.document_id == bindparam("doc"))
_DELETE_KEYS = delete(DedupKeys.__table__).where(DedupKeys.__table__.c.document_id == bindparam("doc"))
_INSERT_KEYS = insert(DedupKeys.__table__)
# SQLite: the bands' rows as the driver's tuples (Core would build each of the 25 rows' parameters)
_INSERT_BANDS_SQLITE = 'INSERT INTO lsh_buckets (document_id, band, "key") VALUES (?, ?, ?)'
# PostgreSQL: a document's keys and its bands by one statement (an executemany there sends each of
# the 25 bands apart)
_INSERT_KEYS_AND_BANDS_PG = text(
    "WITH stored AS (INSERT INTO dedup_keys (document_id, keys) VALUES (:doc, :packed)) "
    "INSERT INTO lsh_buckets (document_id, band, key) "
    "SELECT :doc, n - 1, k FROM unnest(:keys) WITH ORDINALITY AS bands(k, n)"
).bindparams(bindparam("keys", type_=ARRAY(BIGINT)), bindparam("packed", type_=LargeBinary))
# PostgreSQL: a cluster of the document's own, and the document moved into it, by one statement
_INSERT_CLUSTER_FOR_PG = text(
    "WITH made AS (INSERT INTO clusters (canonical_document_id, size, first_seen, updated_at) "
    "VALUES (:canonical_document_id, :size, :first_seen, :updated_at) RETURNING id) "
    "UPDATE documents SET cluster_id = made.id FROM made WHERE documents.id = :doc RETURNING made.id"
).bindparams(bindparam("first_seen", type_=DateTime), bindparam("updated_at", type_=DateTime))
_INSERT_CLUSTER = insert(Cluster.__table__).returning(Cluster.__table__.c.id)
_SITE_FAMILY = select(Site.__table__.c.family).where(Site.__table__.c.id == bindparam("site"))
_documents = Document.__table__.c
_SET_CLUSTER = update(Document.__table__).where(_documents.id == bindparam("doc")).values(cluster_id=bindparam("cluster"))
_EXACT_COPIES = select(_documents.id).where(_documents.content_hash == bindparam("hash"),
                                            _documents.id != bindparam("doc"))
_OTHER_MEMBER = select(_documents.id).where(_documents.cluster_id == bindparam("cluster"),
                                            _documents.id != bindparam("doc")).limit(1)
_CLUSTERS_OF = select(_documents.cluster_id).where(_documents.id.in_(bindparam("ids", expanding=True))).distinct()
_dedup_keys = DedupKeys.__table__.c
_KEYS_OF = select(_dedup_keys.document_id, _dedup_keys["keys"]).where(
    _dedup_keys.document_id.in_(bindparam("ids", expanding=True)))
_OF_TYPE = or_(_documents.doc_type.is_(None), _documents.doc_type == bindparam("doc_type"))
_THOSE_OF_TYPE = select(_documents.id).where(_documents.id.in_(bindparam("ids", expanding=True)), _OF_TYPE)


def lock_batch_keys(session: Session, docs: list[Document], settings: DedupSettings = DEFAULT) -> dict:
    """PostgreSQL: every key of these documents (their LSH bands and content hashes) locked by one
    statement, in ascending order, so that two batches never each hold what the other waits for.
    Returns what assign_cluster takes as `keys` (document id -> its keys and bands, computed once);
    on other databases nothing is locked (SQLite has one writer) and nothing is computed ahead."""
    if session.bind.dialect.name != "postgresql" or not docs:
        return {}
    _hold_shared(session)
    computed = {doc.id: _keys_and_bands(doc, settings) for doc in docs}
    wanted = {key for doc in docs for key in (*computed[doc.id][1], _hash_key(doc.content_hash))}
    session.execute(_LOCK_KEYS, {"keys": sorted(wanted)})
    return computed


def _keys_and_bands(doc: Document, settings: DedupSettings) -> tuple[set | None, list[int]]:
    mine = document_keys(dedup_text(doc.text), doc.region_code, doc.county, doc.city, settings.min_chars)
    return mine, (minhash.band_keys(minhash.signature(mine), settings.lsh_threshold) if mine is not None else [])


def assign_cluster(session: Session, doc: Document, settings: DedupSettings = DEFAULT,
                   now: datetime | None = None, keys: tuple[set | None, list[int]] | None = None) -> int:
    """Put a new or changed document in its cluster, merging clusters it links; returns the cluster id.
    keys: the document's keys and bands from lock_batch_keys, which locked them already.

    The clusters' size, first_seen and canonical copy are updated from the clusters' own rows and the
    document's (cluster_rows.py), not by reading every member: a family of 700 copies costs what one of 7 does.
    """
    now = now or doc.updated_at
    postgres = session.bind.dialect.name == "postgresql"
    if postgres:
        _hold_shared(session)
    if keys is not None:
        mine, bands = keys
    else:
        mine, bands = _keys_and_bands(doc, settings)
        if postgres:
            session.execute(_LOCK_KEYS, {"keys": sorted({*bands, _hash_key(doc.content_hash)})})
    session.flush()
    connection = session.connection()   # Core from here on where no ORM object is involved: no unit of work
    old = doc.cluster_id
    if old is not None:   # a document never clustered has no bands and no keys yet
        connection.execute(_DELETE_BANDS, {"doc": doc.id})
        connection.execute(_DELETE_KEYS, {"doc": doc.id})  # written again with the bands
    matched = _matching_documents(session, doc, settings, mine, bands)
    targets = _clusters_of(session, matched)
    if postgres:
        targets = _lock_clusters(session, matched, targets | ({old} if old is not None else set()))
    targets = sorted(targets)
    # the document itself left `old` (its cluster_id is written once, below)
    old_alive = old is not None and connection.scalar(_OTHER_MEMBER, {"cluster": old, "doc": doc.id}) is not None
    joined = [row for row in (session.get(Cluster, c) for c in targets) if row is not None]
    if targets:
        keep = targets[0]
        for other in targets[1:]:
            session.execute(update(Document).where(Document.cluster_id == other).values(cluster_id=keep))
            session.execute(delete(Cluster).where(Cluster.id == other))
    elif old is not None and not old_alive:
        keep = old  # a document alone keeps its cluster id across versions
    else:   # a cluster of its own, written as joined_by would leave it: one INSERT
        cluster = {"size": 1, "first_seen": doc.first_seen, "updated_at": now,
                   "canonical_document_id": None if _family(session, doc.site_id) == AGGREGATOR else doc.id}
        if postgres:   # the document moved into it by the same statement
            keep = connection.scalar(_INSERT_CLUSTER_FOR_PG, {**cluster, "doc": doc.id})
            set_committed_value(doc, "cluster_id", keep)
        else:
            keep = connection.scalar(_INSERT_CLUSTER, cluster)
    if doc.cluster_id != keep:   # written at once, as if flushed: the reads below see it
        session.connection().execute(_SET_CLUSTER, {"doc": doc.id, "cluster": keep})
        set_committed_value(doc, "cluster_id", keep)
    if old is not None and old != keep and old not in targets:
        if old_alive:
            left(session, old, doc, now)
        else:
            session.execute(delete(Cluster).where(Cluster.id == old))
    if keep == old and not targets:
        refresh_cluster(session, keep, now)   # the document alone
    elif targets:
        joined_by(session, keep, joined, doc, counted=old in targets, now=now)
    return keep


def _hold_shared(session: Session) -> None:
    """The global lock, shared, taken once per transaction (it is held until the transaction ends:
    a batch's later documents need not ask again)."""
    transaction = session.get_transaction()
    if transaction is None or session.info.get("shared_cluster_lock") is not transaction:
        session.execute(_LOCK_SHARED, {"key": _PG_LOCK})
        session.info["shared_cluster_lock"] = session.get_transaction()


def _family(session: Session, site_id: str | None) -> str | None:
    """The site's CMS family, read once per session (a batch's documents share a few sites)."""
    if site_id is None:
        return None
    families = session.info.setdefault("site_families", {})
    if site_id not in families:
        families[site_id] = session.connection().scalar(_SITE_FAMILY, {"site": site_id})
    return families[site_id]


def _hash_key(content_hash: str | None) -> int:
    """The content hash as a signed 64-bit advisory-lock key (exact copies share it)."""
    value = int((content_hash or "0")[:16], 16) if content_hash else 0
    return value - (1 << 64) if value >= 1 << 63 else value


def _clusters_of(session: Session, documents: set[int]) -> set[int]:
    if not documents:
        return set()
    return {c for c in session.connection().scalars(_CLUSTERS_OF, {"ids": sorted(documents)}) if c is not None}


def _lock_clusters(session: Session, documents: set[int], clusters: set[int]) -> set[int]:
    """Lock the clusters' rows (ascending ids); once locked, the matched documents' clusters are read
    again (a merge committed meanwhile moved them) and any new one is locked too. Returns them."""
    locked: set[int] = set()
    wanted = set(clusters)
    while True:
        missing = sorted(wanted - locked)
        if missing:
            session.execute(select(Cluster.id).where(Cluster.id.in_(missing)).order_by(Cluster.id).with_for_update())
            locked.update(missing)
        now = _clusters_of(session, documents)
        if now <= locked:
            return now
        wanted = now


def _matching_documents(session: Session, doc: Document, settings: DedupSettings, mine: set | None,
                        keys: list[int]) -> set[int]:
    """The exact copies and the near copies that pass the check (their ids).

    Candidates' keys come from dedup_keys (one query), not from their texts; a candidate stored before
    that table existed has its keys computed from its text once, and stored. Only the candidates that
    pass have their document rows read (their type): a bucket's members cost their keys, not their rows.
    """
    connection = session.connection()
    if mine is None or not keys:
        found = set(connection.scalars(_EXACT_COPIES, {"hash": doc.content_hash, "doc": doc.id}))
        if mine is None:
            return found
    mine_sorted = sorted_array(mine)
    if session.bind.dialect.name == "postgresql":
        connection.execute(_INSERT_KEYS_AND_BANDS_PG, {"doc": doc.id, "packed": mine_sorted.tobytes(), "keys": keys})
    else:
        connection.execute(_INSERT_KEYS, {"document_id": doc.id, "keys": mine_sorted.tobytes()})
        if keys:
            connection.exec_driver_sql(_INSERT_BANDS_SQLITE, [(doc.id, band, key) for band, key in enumerate(keys)])
    if keys:
        found, shared = _copies_and_bucket_members(session, doc, keys)
    else:
        shared = []
    if not shared:
        return found
    # keys only, from dedup_keys alone: the document rows (their type, their cluster) are read
    # afterwards for the few candidates that pass, not for every member of a large bucket
    typed = settings.same_doc_type and doc.doc_type
    ids: list[int] = []
    arrays: list[np.ndarray] = []
    for other_id, blob in connection.execute(_KEYS_OF, {"ids": shared}):
        ids.append(other_id)
        arrays.append(unpack_keys(blob))
    missing = sorted(set(shared) - set(ids))
    of_type = len(ids)   # the candidates after these were read of the document's type already
    if missing:
        stored = []
        wanted = [Document.id.in_(missing)] + ([_OF_TYPE] if typed else [])
        for row in session.execute(select(Document.id, Document.text, Document.region_code, Document.county,
                                          Document.city).where(*wanted), {"doc_type": doc.doc_type}):
            other = document_keys(dedup_text(row.text), row.region_code, row.county, row.city, settings.min_chars)
            if other is None:
                continue  # too short to compare under these settings
            array = sorted_array(other)
            stored.append({"document_id": row.id, "keys": array.tobytes()})
            ids.append(row.id)
            arrays.append(array)
        if stored:   # two writers may both fill in one old candidate's keys: the same keys, kept once
            adding = pg_insert(DedupKeys).on_conflict_do_nothing() if session.bind.dialect.name == "postgresql" \
                else insert(DedupKeys)
            session.execute(adding, stored)
    if not arrays:
        return found
    # every candidate checked at once (cheap next to reading the keys); those that pass, of the same type
    passed = [n for n, ok in enumerate((similarities(mine_sorted, arrays) >= settings.match_threshold).tolist())
              if ok]
    unsure = [ids[n] for n in passed if n < of_type]
    if typed and unsure:
        same_type = set(connection.scalars(_THOSE_OF_TYPE, {"ids": unsure, "doc_type": doc.doc_type}))
        passed = [n for n in passed if n >= of_type or ids[n] in same_type]
    found.update(ids[n] for n in passed)
    return found


def _bucket_members(session: Session, keys: list[int], doc_id: int) -> list[int]:
    """The documents sharing a band with the page: per band, its CANDIDATES_PER_BAND first members
    (the index on key, document_id hands them over in order, without reading the rest). A family's
    bucket grows with the archive; its first members are in its cluster as much as its last."""
    found = session.connection().execute(_firsts_of_buckets(len(keys)),
                            {"cap": CANDIDATES_PER_BAND, **{f"k{n}": key for n, key in enumerate(keys)}})
    return sorted({other for (other,) in found if other != doc_id})


def _copies_and_bucket_members(session: Session, doc: Document, keys: list[int]) -> tuple[set[int], list[int]]:
    """The document's exact copies (_EXACT_COPIES) and _bucket_members, read by one statement."""
    rows = session.connection().execute(_copies_and_firsts_of_buckets(len(keys)), {
        "hash": doc.content_hash, "doc": doc.id, "cap": CANDIDATES_PER_BAND,
        **{f"k{n}": key for n, key in enumerate(keys)}})
    copies, members = set(), set()
    for other, exact in rows:
        (copies if exact else members).add(other)
    members.discard(doc.id)
    return copies, sorted(members)


@lru_cache(maxsize=8)
def _firsts_of_buckets(bands: int):
    """One statement for every band (written once per band count: building it is dearer than running it)."""
    return text(" UNION ".join(f"SELECT document_id FROM (SELECT document_id FROM lsh_buckets WHERE key = :k{n} "
                               f"ORDER BY document_id LIMIT :cap) AS b{n}" for n in range(bands)))


@lru_cache(maxsize=8)
def _copies_and_firsts_of_buckets(bands: int):
    """_EXACT_COPIES (marked 1) beside _firsts_of_buckets (marked 0): a statement fewer per page."""
    return text("SELECT id, 1 FROM documents WHERE content_hash = :hash AND id != :doc UNION " + " UNION ".join(
        f"SELECT document_id, 0 FROM (SELECT document_id FROM lsh_buckets WHERE key = :k{n} "
        f"ORDER BY document_id LIMIT :cap) AS b{n}" for n in range(bands)))


def rebuild_clusters(sessions: Callable[[], Session], settings: DedupSettings = DEFAULT,
                     progress: Callable[[int], None] | None = None, batch: int = 2000) -> int:
    """Forget every cluster and assign all documents again, in id order; returns the number of clusters.

    The same clusters as assigning each document as it arrived (the same check; here every member of a
    shared bucket is a candidate, where ingest reads a bucket's first CANDIDATES_PER_BAND), computed in
    memory: documents are read once, bands and clusters written in bulk, in one transaction.
    """
    with sessions() as s, s.begin():
        if s.bind.dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        s.execute(delete(LshBucket))
        s.execute(delete(DedupKeys))
        s.execute(update(Document).values(cluster_id=None))
        s.execute(delete(Cluster))
        # PostgreSQL builds the key index once at the end (faster than row by row, and its pages keep
        # their fillfactor's room). SQLite would pack it full: the first inserts after a rebuild would
        # then split nearly every page they touch (at 100k documents, 96 pages written per document
        # instead of 40), so there it is filled as the rows go in, leaving the room ingest has later.
        key_indexes = list(LshBucket.__table__.indexes) if s.bind.dialect.name == "postgresql" else []
        for index in key_indexes:
            index.drop(s.connection())
        rebuild = _Rebuild(settings)
        last = 0
        while True:
            rows = s.execute(
                select(Document.id, Document.content_hash, Document.text, Document.doc_type, Document.region_code,
                       Document.county, Document.city, Document.published, Document.first_seen,
                       Document.updated_at, Site.family)
                .outerjoin(Site, Site.id == Document.site_id)
                .where(Document.id > last).order_by(Document.id).limit(batch)).all()
            if not rows:
                break
            for row in rows:
                rebuild.add(row)
            last = rows[-1].id
            buckets, keys = rebuild.take_rows()
            _insert_rows(s, LshBucket.__tablename__, ("document_id", "band", "key"), buckets)
            _insert_rows(s, DedupKeys.__tablename__, ("document_id", "keys"), keys)
            if progress:
                progress(len(rows))
        for index in key_indexes:
            index.create(s.connection())
        return rebuild.write(s)


def _insert_rows(session: Session, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows through the driver's executemany: the bulk of a rebuild's writes (bands, dedup keys)."""
    if not rows:
        return
    dbapi = session.connection().connection
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    cursor = dbapi.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                           f"VALUES ({', '.join([mark] * len(columns))})", rows)
    finally:
        cursor.close()


class _Rebuild:
    """Union-find over documents in id order, with the LSH bands as an in-memory index."""

    def __init__(self, settings: DedupSettings):
        self.settings = settings
        self.parent: list[int] = []
        self.rows: list = []                       # id, published, first_seen, updated_at, aggregator
        self.keys: list[tuple[int, ...]] = []      # masked-sentence keys (interned ints)
        self.index: dict[str | None, dict[int, list[int]]] = {}  # doc type -> band key -> positions
        self.by_hash: dict[str, int] = {}
        self.interned: dict[int, int] = {}
        self.buckets: list[tuple[int, int, int]] = []
        self.stored_keys: list[tuple[int, bytes]] = []   # dedup_keys rows

    def find(self, n: int) -> int:
        parent = self.parent
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def add(self, row) -> None:
        n = len(self.parent)
        self.parent.append(n)
        self.rows.append((row.id, row.published, row.first_seen, row.updated_at, row.family == AGGREGATOR))
        same = self.by_hash.setdefault(row.content_hash, n)
        if same != n:
            self.parent[n] = self.find(same)
        mine = sentence_keys(dedup_text(row.text), place_names(row.region_code, row.county, row.city), self.settings.min_chars)
        if mine is None:
            self.keys.append(())
            return
        self.keys.append(tuple(self.interned.setdefault(k, k) for k in mine))
        self.stored_keys.append((row.id, pack_keys(mine)))
        kind = row.doc_type if self.settings.same_doc_type else None
        own_index = self.index.setdefault(kind, {})
        # a typed document is compared with its own type and untyped ones; an untyped one with all
        if kind is None:
            searched = list(self.index.values())
        else:
            searched = [own_index] + ([self.index[None]] if None in self.index else [])
        candidates: set[int] = set()
        for band, key in enumerate(minhash.band_keys(minhash.signature(mine), self.settings.lsh_threshold)):
            self.buckets.append((row.id, band, key))
            for index in searched:
                members = index.get(key)
                if members is not None:
                    candidates.update(members)
            own_index.setdefault(key, []).append(n)
        find, keys, threshold = self.find, self.keys, self.settings.match_threshold
        own = find(n)
        for other in candidates:
            root = find(other)
            if root != own and similarity(mine, keys[other]) >= threshold:
                self.parent[root] = own

    def take_rows(self) -> tuple[list[tuple[int, int, int]], list[tuple[int, bytes]]]:
        """The lsh_buckets and dedup_keys rows made since the last call."""
        out = self.buckets, self.stored_keys
        self.buckets, self.stored_keys = [], []
        return out

    def write(self, session: Session) -> int:
        groups: dict[int, list[int]] = {}
        for n in range(len(self.parent)):
            groups.setdefault(self.find(n), []).append(n)
        members = sorted(groups.values(), key=lambda g: g[0])   # clusters numbered in order of their first document
        clusters = []
        for group in members:
            rows = [self.rows[n] for n in group]
            earliest = canonical_copy(rows, lambda r: earliest_first(r[1], r[2], r[0]), lambda r: r[4])
            clusters.append({"size": len(rows), "first_seen": min(r[2] for r in rows),
                             "updated_at": max(r[3] for r in rows),
                             "canonical_document_id": earliest[0] if earliest else None})
        ids = list(session.scalars(insert(Cluster).returning(Cluster.id, sort_by_parameter_order=True), clusters)) \
            if clusters else []
        session.execute(update(Document), [{"id": self.rows[n][0], "cluster_id": cluster_id}
                                           for group, cluster_id in zip(members, ids) for n in group])
        return len(ids)
