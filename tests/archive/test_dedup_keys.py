"""Stored dedup keys: each banded document's masked-sentence keys, kept once so the copy check reads them
instead of re-splitting candidates' texts; archives made before they were stored still dedup the same."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime

import numpy as np
from sqlalchemy import create_engine, delete, func, select

from archive.dedup.keys import DEFAULT, pack_keys, unpack_keys
from archive.dedup.keys import similarities as _similarities, similarity as _similarity
from archive.store import migrations
from archive.dedup.text import place_names, sentence_keys
from archive.extract.document import ExtractedDocument, Region
from archive.models import DedupKeys, Document, LshBucket
from archive.store import Archive
from evaluation.dedup import farm_truth, to_extracted

SEEN_AT = datetime(2025, 6, 30)


def _computed(archive: Archive) -> dict[int, list[int]]:
    """Keys as computed from the texts now, for the documents that have any (None: too short)."""
    with archive.session() as s:
        rows = s.execute(select(Document.id, Document.text, Document.region_code, Document.county,
                                Document.city)).all()
    out = {}
    for row in rows:
        keys = sentence_keys(row.text, place_names(row.region_code, row.county, row.city), DEFAULT.min_chars)
        if keys is not None:
            out[row.id] = sorted(keys)
    return out


def _stored(archive: Archive) -> dict[int, list[int]]:
    with archive.session() as s:
        return {doc_id: unpack_keys(blob).tolist() for doc_id, blob in s.execute(select(DedupKeys.document_id,
                                                                                        DedupKeys.keys))}


def _partition(archive: Archive) -> set[frozenset[str]]:
    with archive.session() as s:
        assignment = dict(s.execute(select(Document.url, Document.cluster_id)).all())
    groups: dict[int, set[str]] = {}
    for url, cluster in assignment.items():
        assert cluster is not None
        groups.setdefault(cluster, set()).add(url)
    return {frozenset(g) for g in groups.values()}


def _ingest(archive: Archive, records: list[dict]) -> None:
    for record in records:
        archive.ingest(to_extracted(record), site_id=record["site"], seen_at=SEEN_AT)


def _farm(sites: int = 6) -> tuple[list[dict], list[dict]]:
    registry, records = farm_truth(sites)
    assert len(records) > 50
    return registry, records


def test_stored_keys_equal_the_computed_ones_after_ingest_and_after_rebuild(database_url):
    registry, records = _farm()
    archive = Archive(database_url)
    try:
        for entry in registry:
            archive.upsert_site(entry)
        _ingest(archive, records)
        computed = _computed(archive)
        assert computed and _stored(archive) == computed
        with archive.session() as s:  # the banded documents are exactly those with keys
            banded = set(s.scalars(select(LshBucket.document_id).distinct()))
        assert banded == set(computed)
        archive.rebuild_clusters()
        assert _stored(archive) == computed
    finally:
        archive.close()


def test_a_changed_document_replaces_its_keys(archive):
    archive.upsert_site({"id": "q", "name": "祁阳市人民政府", "region": "431121", "family": "trs",
                         "base_url": "http://q.test"})
    region = Region("湖南省", "永州市", "祁阳市", "431121")
    first = ("为深入贯彻落实上级有关文件精神，推进政务公开，结合我市实际，制定本方案。\n一、总体要求\n"
             "坚持以人民为中心的发展思想，统筹推进政务公开日活动各项工作。")
    second = ("本办法适用于全市范围内的政府采购活动。\n采购人应当依法编制采购预算，严格执行采购计划，"
              "不得化整为零规避公开招标。\n采购代理机构应当依法开展业务。")
    doc = ExtractedDocument(url="http://q.test/1.html", title="方案", published=date(2024, 5, 1), region=region,
                            doc_type="方案", text=first)
    doc_id = archive.ingest(doc, site_id="q", seen_at=SEEN_AT).document_id
    assert _stored(archive) == _computed(archive) and doc_id in _stored(archive)
    archive.ingest(replace(doc, text=second), site_id="q", seen_at=datetime(2025, 7, 1))
    assert _stored(archive) == _computed(archive)
    # too short to compare: no bands, no keys
    archive.ingest(replace(doc, text="太短。"), site_id="q", seen_at=datetime(2025, 7, 2))
    assert _stored(archive) == {} == _computed(archive)


def test_an_archive_from_before_stored_keys_dedups_the_same_and_fills_them_in(database_url, tmp_path):
    registry, records = _farm()
    half = len(records) // 2
    # what every document arriving with stored keys gives
    reference = Archive(f"sqlite:///{tmp_path / 'reference.sqlite'}")
    try:
        for entry in registry:
            reference.upsert_site(entry)
        _ingest(reference, records)
        expected = _partition(reference)
    finally:
        reference.close()

    archive = Archive(database_url)
    try:
        for entry in registry:
            archive.upsert_site(entry)
        _ingest(archive, records[:half])
        before = {r["url"] for r in records[:half]}
    finally:
        archive.close()
    engine = create_engine(database_url)  # back to the schema before dedup_keys, then open: migrated again
    with engine.begin() as connection:
        from alembic import command
        command.downgrade(migrations.alembic_config(connection), "0004")
    engine.dispose()
    archive = Archive(database_url)
    try:
        assert _stored(archive) == {}
        _ingest(archive, records[half:])
        assert _partition(archive) == expected
        stored, computed = _stored(archive), _computed(archive)
        with archive.session() as s:
            old_ids = set(s.scalars(select(Document.id).where(Document.url.in_(before))))
        filled = old_ids & set(stored)
        assert filled, "older documents that were candidates get their keys stored"
        assert all(stored[i] == computed[i] for i in stored)
        # and a rebuild stores every document's keys
        archive.rebuild_clusters()
        assert _stored(archive) == computed
        assert _partition(archive) == expected
    finally:
        archive.close()


def test_missing_rows_are_computed_from_text_on_an_existing_archive(archive):
    """Rows deleted by hand (or lost) are recomputed: the check never depends on their presence."""
    registry, records = _farm()
    for entry in registry:
        archive.upsert_site(entry)
    _ingest(archive, records[:-10])
    with archive.session() as s:
        s.execute(delete(DedupKeys))
    _ingest(archive, records[-10:])
    first = _partition(archive)
    archive.rebuild_clusters()
    assert _partition(archive) == first
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(DedupKeys)) > 0


def test_vectorised_similarity_equals_the_set_one():
    rng = random.Random(5)
    pool = [rng.getrandbits(64) for _ in range(60)]
    for _ in range(200):
        mine = frozenset(rng.sample(pool, rng.randint(0, 30)))
        others = [frozenset(rng.sample(pool, rng.randint(0, 30))) for _ in range(rng.randint(1, 6))]
        figures = _similarities(unpack_keys(pack_keys(mine)), [unpack_keys(pack_keys(o)) for o in others])
        assert figures.tolist() == [_similarity(mine, o) for o in others]
    assert unpack_keys(pack_keys({2**64 - 1, 0, 5})).tolist() == [0, 5, 2**64 - 1]
    assert unpack_keys(pack_keys(set())).dtype == np.dtype("<u8")
