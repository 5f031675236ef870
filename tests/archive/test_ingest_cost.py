"""What keeps one document's ingest cost flat as the archive grows gives the same answers as reading
everything did: a cluster's rows kept from the clusters' own rows, an LSH bucket read to its first
members, a 文号 looked up by year:number and issuer, the index fed only what was updated.
(The speed itself is measured by `python -m bench.ingest`.)"""
from __future__ import annotations

from datetime import date, datetime

from alembic import command
from sqlalchemy import create_engine, insert, select, text

from archive.extract.docnumber import parse_doc_number
from archive.extract.document import ExtractedDocument, Region
from archive.models import Document, LshBucket
from archive.read import templates
from archive.read.citations import cites
from archive.store import Archive, clusters, migrations
from archive.store.index_feed import iter_index_docs
from tests.archive.test_dedup import OTHER, SITES, _cluster, _copy, _doc

YONGZHOU = Region("湖南省", "永州市", None, "431100")
QIYANG = Region("湖南省", "永州市", "祁阳市", "431121")
TOWNS = ["白水镇", "黎家坪镇", "文明铺镇", "八宝镇", "大忠桥镇", "肖家村镇"]


def _sites(archive: Archive) -> Archive:
    for entry in SITES:
        archive.upsert_site(entry)
    return archive


def _copies(archive: Archive) -> list[int]:
    """Six county copies of one model plan, published a month apart, alternating two sites."""
    ids = []
    for n, town in enumerate(TOWNS):
        site, county = (("qiyang", "祁阳市"), ("dongan", "东安县"))[n % 2]
        published = date(2024, n + 1, 1)
        ids.append(archive.ingest(_doc(site, n, _copy(county, town, published), published), site_id=site).document_id)
    return ids


def test_the_canonical_copy_leaving_its_family_hands_over_to_the_next_earliest(archive):
    _sites(archive)
    ids = _copies(archive)
    cluster_id = _cluster(archive, "http://qiyang.test/0.html")
    assert templates.cluster(archive, cluster_id).canonical_document_id == ids[0]
    archive.ingest(_doc("qiyang", 0, OTHER, date(2024, 1, 1), "办法"), site_id="qiyang")   # rewritten: no longer a copy
    family = templates.cluster(archive, _cluster(archive, "http://dongan.test/1.html"))
    assert (family.size, family.canonical_document_id) == (5, ids[1])
    earlier = archive.ingest(_doc("dongan", 9, _copy("东安县", "紫溪市镇", date(2023, 12, 1)), date(2023, 12, 1)),
                             site_id="dongan").document_id
    family = templates.cluster(archive, _cluster(archive, "http://dongan.test/9.html"))
    assert (family.size, family.canonical_document_id) == (6, earlier)


def test_a_copy_joins_its_family_reading_only_the_first_members_of_each_bucket(archive, monkeypatch):
    _sites(archive)
    monkeypatch.setattr(clusters, "CANDIDATES_PER_BAND", 2)
    ids = _copies(archive)
    assert len({_cluster(archive, f"http://{('qiyang', 'dongan')[n % 2]}.test/{n}.html") for n in range(6)}) == 1
    assert templates.cluster(archive, _cluster(archive, "http://qiyang.test/0.html")).size == 6
    with archive.session() as s:
        keys = list(s.scalars(select(LshBucket.key).where(LshBucket.document_id == ids[-1]).order_by(LshBucket.band)))
        capped = clusters._bucket_members(s, keys, ids[-1])
        monkeypatch.setattr(clusters, "CANDIDATES_PER_BAND", 64)
        every = clusters._bucket_members(s, keys, ids[-1])
    assert set(capped) < set(every) == set(ids[:-1])
    assert ids[0] in capped and ids[-2] not in capped   # the first members, in id order


def test_a_doc_number_resolves_among_hundreds_of_plans_with_its_year_and_number(archive):
    now = datetime(2024, 1, 1)
    with archive.session() as s:   # more plans numbered 〔2021〕30号 by other issuers than one query used to read
        s.execute(insert(Document), [
            {"url": f"http://x.test/other{n}", "title": f"方案{n}", "doc_number": f"甲{n}政发〔2021〕30号",
             "doc_number_key": "2021:30", "doc_number_issuer": f"甲{n}政发", "region_code": "110000",
             "themes": [], "text": "", "outline": [], "sources": {}, "content_hash": str(n), "status": "active",
             "first_seen": now, "last_seen": now, "updated_at": now} for n in range(600)])
    county = archive.ingest(ExtractedDocument(url="http://x.test/q", title="祁阳市方案", region=QIYANG,
                                              text="根据永政办发〔2021〕30号要求，制定本方案。")).document_id
    assert cites(archive, county)[0]["doc_id"] is None          # waiting for its plan
    city = archive.ingest(ExtractedDocument(url="http://x.test/c", title="永州市方案", region=YONGZHOU,
                                            doc_number=parse_doc_number("永政办发〔2021〕30号"))).document_id
    assert cites(archive, county)[0]["doc_id"] == city        # resolved when it arrived
    again = archive.ingest(ExtractedDocument(url="http://x.test/q2", title="祁阳市另一方案", region=QIYANG,
                                             text="按照永州市政府办公室永政办发〔2021〕30号文件。")).document_id
    assert [(c["doc_id"], c["resolved_by"]) for c in cites(archive, again)] == [(city, "doc_number")]


def test_an_index_update_is_fed_the_documents_updated_since(archive):
    for n, day in enumerate((1, 2, 3)):
        archive.ingest(ExtractedDocument(url=f"http://x.test/{n}", title=f"方案{n}", text=f"正文{n}"),
                       seen_at=datetime(2024, 1, day))
    assert [d.url for d in iter_index_docs(archive, updated_since=datetime(2024, 1, 2))] == \
        ["http://x.test/1", "http://x.test/2"]
    assert len(list(iter_index_docs(archive, batch=1))) == 3


def test_migration_0014_reads_the_issuer_of_documents_already_archived(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "0010")
        connection.execute(text(
            "INSERT INTO documents (url, doc_number, doc_number_key, themes, text, outline, sources, content_hash, "
            "status, first_seen, last_seen, updated_at) VALUES ('http://x.test/a', '湘政办发〔2021〕12号', '2021:12', "
            "'[]', '', '[]', '{}', 'h', 'active', '2024-01-01 00:00:00', '2024-01-01 00:00:00', '2024-01-01 00:00:00')"))
    engine.dispose()
    archive = Archive(url)
    with archive.session() as s:
        assert s.scalar(select(Document.doc_number_issuer)) == "湘政办发"
    archive.close()


def test_a_rebuild_fills_the_lsh_key_index_as_rows_go_in_on_sqlite(archive, monkeypatch):
    """Built after the rows, SQLite packs the index full and the next inserts split nearly every page
    they touch; PostgreSQL's build leaves room (its fillfactor), so there it is still built after."""
    from sqlalchemy import Index

    _sites(archive)
    ids = _copies(archive)
    dropped = []
    drop = Index.drop
    monkeypatch.setattr(Index, "drop", lambda index, bind, **kw: dropped.append(index.name) or drop(index, bind, **kw))
    archive.rebuild_clusters()
    sqlite = archive.engine.dialect.name == "sqlite"
    assert dropped == ([] if sqlite else ["ix_lsh_buckets_key_document_id"])
    if sqlite:   # the index was in place all along, and the buckets are found by it
        with archive.session() as s:
            keys = list(s.scalars(select(LshBucket.key).where(LshBucket.document_id == ids[-1])))
            assert set(clusters._bucket_members(s, keys, ids[-1])) == set(ids[:-1])
            plan = s.execute(text("EXPLAIN QUERY PLAN SELECT document_id FROM lsh_buckets WHERE key = 1 "
                                  "ORDER BY document_id LIMIT 16")).all()
        assert "ix_lsh_buckets_key_document_id" in " ".join(str(row) for row in plan)
    assert len({_cluster(archive, f"http://{('qiyang', 'dongan')[n % 2]}.test/{n}.html") for n in range(6)}) == 1
