"""Dedup against the farm's planted lineages on several worlds, not only the one the thresholds were seen on.

Documents are stored without clusters and clustered by rebuild_clusters, which gives the clusters of
assigning them one by one (test_dedup checks that on seed 0), in a fraction of the time.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive.models import Cluster, Document, LshBucket, Site
from archive.store import Archive
from evaluation.dedup import farm_truth, pair_score, store_unclustered


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_lineages_are_found_with_precision_and_recall_of_095_on_other_worlds(tmp_path, seed):
    archive = Archive(f"sqlite:///{tmp_path / 'a.sqlite'}")
    try:
        registry, records = farm_truth(20, seed)
        store_unclustered(archive, registry, records)
        archive.rebuild_clusters()
        with archive.session() as s:
            clusters = dict(s.execute(select(Document.url, Document.cluster_id)).all())
    finally:
        archive.close()
    score = pair_score(clusters, {r["url"]: r["lineage"] for r in records})
    assert score.true_pairs > 100
    assert score.precision >= 0.95, score
    assert score.recall >= 0.95, score


def test_rebuild_picks_the_earliest_government_copy_as_canonical(tmp_path):
    archive = Archive(f"sqlite:///{tmp_path / 'a.sqlite'}")
    try:
        registry, records = farm_truth(4, 0)
        store_unclustered(archive, registry, records)
        archive.rebuild_clusters()
        with archive.session() as s:
            rows = s.execute(select(Document.id, Document.cluster_id, Document.published, Document.first_seen,
                                    Site.family).outerjoin(Site, Site.id == Document.site_id)).all()
            clusters = {c.id: c for c in s.scalars(select(Cluster))}
    finally:
        archive.close()
    members: dict[int, list] = {}
    for row in rows:
        members.setdefault(row.cluster_id, []).append(row)
    assert set(members) == set(clusters)
    for cluster_id, group in members.items():
        government = [r for r in group if r.family != "aggregator"]
        expected = min(government, key=lambda r: (r.published is None, r.published, r.first_seen, r.id), default=None)
        assert clusters[cluster_id].canonical_document_id == (expected.id if expected else None)
        assert clusters[cluster_id].size == len(group)


def test_rebuild_on_each_database_gives_the_clusters_of_ingest(archive):
    registry, records = farm_truth(3, 0)
    for entry in registry:
        archive.upsert_site(entry)
    lineage_docs = [r for r in records if r["lineage"]][:12]
    others = [r for r in records if not r["lineage"]][:30]
    from datetime import datetime

    from evaluation.dedup import to_extracted
    for record in lineage_docs + others + lineage_docs[:2]:   # the last two again: unchanged
        archive.ingest(to_extracted(record), site_id=record["site"], seen_at=datetime(2025, 6, 30))

    def state():
        with archive.session() as s:
            by_url = dict(s.execute(select(Document.url, Document.cluster_id)).all())
            canonical = {c.id: c.canonical_document_id for c in s.scalars(select(Cluster))}
        groups = {}
        for url, cluster_id in by_url.items():
            groups.setdefault(cluster_id, set()).add(url)
        return {frozenset(urls): (canonical[cid], len(urls)) for cid, urls in groups.items()}

    before = state()
    assert max(size for _, size in before.values()) >= 3   # lineage copies were clustered
    assert archive.rebuild_clusters() == len(before)
    assert state() == before
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(LshBucket)) > 0


def test_fast_nfkc_equals_unicodedata():
    import random
    import unicodedata

    from archive.dedup.text import nfkc

    pool = "，。（）ＡＢＣ１２３　 abc中文〇、—…①㍿ｶﾞﾊﾟ가e\u0301\u0300\u0308\u304b\u3099ﬁÅ𝐀\U0002F800\n"
    rng = random.Random(0)
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 16)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)


def test_what_fast_nfkc_leaves_alone_is_its_own_nfkc():
    """The characters nfkc does not normalise are NFKC-stable one by one (… is not: it becomes ...)."""
    import unicodedata

    from archive.nfkc import _MAYBE_CHANGED

    left_alone = [chr(code) for code in range(0x10000) if not _MAYBE_CHANGED.fullmatch(chr(code))]
    assert len(left_alone) > 20_000
    assert [c for c in left_alone if unicodedata.normalize("NFKC", c) != c] == []


def test_band_sizes_are_those_datasketch_picks():
    from datasketch import MinHashLSH

    from archive.dedup.minhash import bands

    for threshold in (0.3, 0.5, 0.72, 0.9):
        lsh = MinHashLSH(threshold=threshold, num_perm=128)
        assert bands(threshold) == (lsh.b, lsh.r)


def test_signature_agreement_estimates_jaccard():
    from archive.dedup.minhash import signature

    a = set(range(1000, 1100))
    b = set(range(1030, 1130))   # Jaccard 70/130
    agreement = (signature(a) == signature(b)).mean()
    assert abs(agreement - 70 / 130) < 0.12


def test_pair_score_counts_the_pairs_it_would_list():
    from itertools import combinations

    from evaluation.dedup import pair_score

    clusters = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3}
    lineages = {"a": "L1", "b": "L1", "c": None, "d": "L1", "e": "L2", "f": "L2"}
    score = pair_score(clusters, lineages)
    truth = {p for p in combinations("abcdef", 2) if lineages[p[0]] and lineages[p[0]] == lineages[p[1]]}
    found = {p for p in combinations("abcdef", 2) if clusters[p[0]] == clusters[p[1]]}
    assert (score.true_pairs, score.found_pairs, score.wrong_pairs) == (len(truth), len(found), len(found - truth))
    assert score.precision == len(truth & found) / len(found)
    assert score.recall == len(truth & found) / len(truth)


def test_content_hash_is_that_of_the_full_nfkc():
    """content_hash normalises with the fast nfkc: the digests stored before it must not move."""
    import hashlib
    import random
    import re
    import unicodedata

    from archive.store.documents import content_hash

    pool = "，。（）ＡＢＣ１２３　 abc中文〇、—…①㍿ｶﾞﾊﾟ가e\u0301\u0300\u0308\u304b\u3099ﬁÅ𝐀\U0002F800\n\t"
    rng = random.Random(1)
    for _ in range(2000):
        title = "".join(rng.choice(pool) for _ in range(rng.randint(0, 6))) or None
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 24)))
        full = unicodedata.normalize("NFKC", f"{title or ''}\n{text}")
        assert content_hash(title, text) == hashlib.sha256(re.sub(r"\s+", "", full).encode()).hexdigest()
