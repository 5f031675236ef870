"""Dedup with several writers at once on PostgreSQL: no global lock, and no copy missed.

Writers lock only the LSH band keys and content hash of their document, then the clusters they
touch (archive/store/clusters.py): unrelated documents are clustered side by side, copies one
after the other, so concurrent ingest gives the clusters a rebuild gives.
"""
from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select

from archive.dedup import minhash
from archive.dedup.keys import DEFAULT, document_keys
from archive.extract.composed import dedup_text
from archive.models import Document
from archive.store import Archive
from archive.store.clusters import assign_cluster
from evaluation.dedup import farm_truth, to_extracted

SEEN = datetime(2025, 6, 30)


def _with_lock_timeout(url: str, milliseconds: int) -> str:
    from sqlalchemy.engine import make_url

    made = make_url(url)
    options = made.query.get("options", "")
    return made.update_query_dict({"options": f"{options} -clock_timeout={milliseconds}".strip()}).render_as_string(
        hide_password=False)


def _bands(record: dict) -> set[int]:
    region = record["region"]
    keys = document_keys(dedup_text(record["text"]), region["code"], region["county"], region["city"],
                         DEFAULT.min_chars)
    return set(minhash.band_keys(minhash.signature(keys), DEFAULT.lsh_threshold)) if keys else set()


def _clusters_by_url(archive: Archive) -> dict[str, int]:
    with archive.session() as s:
        return dict(s.execute(select(Document.url, Document.cluster_id)).all())


def _partition(assignment: dict[str, int]) -> set[frozenset]:
    groups: dict[int, set] = {}
    for url, cluster in assignment.items():
        groups.setdefault(cluster, set()).add(url)
    return {frozenset(g) for g in groups.values()}


def test_an_unrelated_document_is_clustered_while_another_assignment_is_open(postgres_url):
    registry, records = farm_truth(3)
    first = records[0]   # another site (site templates are learnt per site) and another lineage
    other = next(r for r in records[1:] if r["lineage"] != first["lineage"] and r["site"] != first["site"])
    archive = Archive(postgres_url)
    impatient = Archive(_with_lock_timeout(postgres_url, 3000))   # a wait on a lock fails its ingest
    try:
        for entry in registry:
            archive.upsert_site(entry)
        archive.ingest(to_extracted(first), site_id=first["site"], seen_at=SEEN)
        with archive.session() as holding:   # an assignment under way, its transaction open
            doc = holding.scalar(select(Document).where(Document.url == first["url"]))
            assign_cluster(holding, doc, archive.dedup_settings, SEEN)
            result = impatient.ingest(to_extracted(other), site_id=other["site"], seen_at=SEEN)
            assert result.outcome == "new"
        clusters = _clusters_by_url(archive)
        assert clusters[first["url"]] != clusters[other["url"]]
    finally:
        impatient.close()
        archive.close()


def test_a_copy_waits_for_the_open_assignment_of_its_original_and_joins_its_cluster(postgres_url):
    registry, records = farm_truth(12)
    by_lineage: dict[str, list[dict]] = {}
    for record in records:
        by_lineage.setdefault(record["lineage"], []).append(record)
    # a near copy in LSH terms: the two share a band key (so each is the other's candidate)
    original, copy = next(group[:2] for group in by_lineage.values()
                          if len(group) >= 2 and _bands(group[0]) & _bands(group[1]))
    archive = Archive(postgres_url)
    try:
        for entry in registry:
            archive.upsert_site(entry)
        archive.ingest(to_extracted(original), site_id=original["site"], seen_at=SEEN)
        finished = threading.Event()
        errors: list[BaseException] = []

        def ingest_copy():
            try:
                archive.ingest(to_extracted(copy), site_id=copy["site"], seen_at=SEEN)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                finished.set()

        with archive.session() as holding:
            doc = holding.scalar(select(Document).where(Document.url == original["url"]))
            assign_cluster(holding, doc, archive.dedup_settings, SEEN)
            writer = threading.Thread(target=ingest_copy)
            writer.start()
            assert not finished.wait(1.5), f"the copy was clustered while its original's assignment was open {errors}"
        writer.join(60)
        assert finished.is_set() and not errors, errors
        clusters = _clusters_by_url(archive)
        assert clusters[original["url"]] == clusters[copy["url"]]
    finally:
        archive.close()


def test_four_concurrent_writers_give_the_clusters_a_rebuild_gives(postgres_url):
    registry, records = farm_truth(16)
    archive = Archive(postgres_url)
    try:
        for entry in registry:
            archive.upsert_site(entry)
        errors: list[BaseException] = []

        def write(share: list[dict]) -> None:
            try:
                for record in share:
                    archive.ingest(to_extracted(record), site_id=record["site"], seen_at=SEEN)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        # interleaved shares: copies of one lineage land in different writers at about the same time
        writers = [threading.Thread(target=write, args=(records[n::4],)) for n in range(4)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        assert not errors, errors[:3]
        incremental = _clusters_by_url(archive)
        assert len(incremental) == len(records)
        archive.rebuild_clusters()
        assert _partition(incremental) == _partition(_clusters_by_url(archive))
        lineages = _partition({r["url"]: r["lineage"] for r in records})
        assert len(_partition(incremental)) < len(records), "the farm has copies: some clusters hold several"
        assert lineages  # the truth is non-trivial too
    finally:
        archive.close()


def test_two_batches_holding_copies_in_opposite_orders_do_not_deadlock(postgres_url, monkeypatch):
    """Batch A stores X then Y, batch B a copy of Y then a copy of X, their assignments interleaved: taken
    document by document, A held X's keys and waited for Y's, B the reverse, and PostgreSQL aborted one
    (deadlock detected). A batch now locks all its documents' keys at once, in ascending order."""
    import archive.store.database as database

    registry, records = farm_truth(12)
    by_lineage: dict[str, list[dict]] = {}
    for record in records:
        by_lineage.setdefault(record["lineage"], []).append(record)
    pairs = [group[:2] for group in by_lineage.values() if len(group) >= 2 and _bands(group[0]) & _bands(group[1])]
    x, y = next((a, b) for a in pairs for b in pairs
                if not (_bands(a[0]) | _bands(a[1])) & (_bands(b[0]) | _bands(b[1])))
    archive = Archive(postgres_url)
    try:
        for entry in registry:
            archive.upsert_site(entry)
        between = threading.Barrier(2, timeout=3)   # each batch's first assignment done before either's second
        assigned = threading.local()
        real = database.assign_cluster

        def assign_then_wait(*args, **kwargs):
            cluster = real(*args, **kwargs)
            if not getattr(assigned, "once", False):
                assigned.once = True
                try:
                    between.wait()
                except threading.BrokenBarrierError:
                    pass   # the other batch waits for this one's keys: it cannot come
            return cluster

        monkeypatch.setattr(database, "assign_cluster", assign_then_wait)
        errors: list[BaseException] = []

        def store(batch: list[dict]) -> None:
            try:
                with archive.batch():
                    for record in batch:
                        archive.ingest(to_extracted(record), site_id=record["site"], seen_at=SEEN)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        batches = [threading.Thread(target=store, args=([x[0], y[0]],)),
                   threading.Thread(target=store, args=([y[1], x[1]],))]
        for batch in batches:
            batch.start()
        for batch in batches:
            batch.join(60)
        assert not errors, errors
        clusters = _clusters_by_url(archive)
        assert clusters[x[0]["url"]] == clusters[x[1]["url"]] != clusters[y[0]["url"]] == clusters[y[1]["url"]]
    finally:
        archive.close()
