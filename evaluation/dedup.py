"""Dedup against ground truth: the site farm plants template lineages (copies of one model plan)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from archive.extract.document import ExtractedDocument, Region


@dataclass(frozen=True)
class PairScore:
    precision: float   # of document pairs sharing a cluster, the share that share a lineage
    recall: float      # of document pairs sharing a lineage, the share that share a cluster
    true_pairs: int
    found_pairs: int
    wrong_pairs: int


def farm_truth(sites: int, seed: int = 0, port: int = 8800) -> tuple[list[dict], list[dict]]:
    """(registry entries, truth records) of a simulated world; sitefarm is imported only here."""
    from sitefarm.world import World

    world = World(sites=sites, seed=seed)
    return world.registry(port), list(world.truth(port=port))


def to_extracted(record: dict) -> ExtractedDocument:
    """A truth record as extraction would have produced it (no crawl needed)."""
    region = record["region"]
    return ExtractedDocument(
        url=record["url"], title=record["title"], published=date.fromisoformat(record["published"]),
        agency=record["agency"], region=Region(region["province"], region["city"], region["county"], region["code"]),
        year=record["year"], doc_type=record["doc_type"], themes=tuple(record["themes"]), text=record["text"])


def store_unclustered(archive, registry: list[dict], records: list[dict], seen_at: datetime = datetime(2025, 6, 30),
                      chunk: int = 2000) -> None:
    """Sites, documents and first versions as ingesting the records would leave them, minus the clusters,
    in a few transactions (tests and benchmarks then time `rebuild_clusters` alone)."""
    from sqlalchemy import insert

    from archive.models import Document, Version
    from archive.store import content_hash

    for entry in registry:
        archive.upsert_site(entry)
    for start in range(0, len(records), chunk):
        docs, versions = [], []
        for r in records[start:start + chunk]:
            region, digest = r["region"], content_hash(r["title"], r["text"])
            docs.append({"url": r["url"], "site_id": r["site"], "title": r["title"],
                         "published": date.fromisoformat(r["published"]),
                         "written": date.fromisoformat(r["written"]) if r.get("written") else None,
                         "agency": r["agency"], "doc_number": r.get("doc_number"),
                         "index_number": r.get("index_number"), "region_code": region["code"],
                         "province": region["province"], "city": region["city"], "county": region["county"],
                         "year": r["year"], "doc_type": r["doc_type"], "themes": r["themes"], "text": r["text"],
                         "outline": [], "sources": {}, "content_hash": digest, "status": "active",
                         "first_seen": seen_at, "last_seen": seen_at, "updated_at": seen_at})
            versions.append({"number": 1, "content_hash": digest, "title": r["title"], "text": r["text"],
                             "seen_at": seen_at, "last_seen": seen_at})
        with archive.session() as s:
            ids = s.scalars(insert(Document).returning(Document.id, sort_by_parameter_order=True), docs).all()
            s.execute(insert(Version), [{**v, "document_id": i} for v, i in zip(versions, ids)])


def pair_score(cluster_of: dict[str, int | None], lineage_of: dict[str, str | None]) -> PairScore:
    """Pairwise precision/recall of clusters (by URL) against lineages (None: in no lineage).

    Counted from group sizes, never by listing pairs: a peer that puts 100k documents in one cluster
    has 5·10⁹ pairs."""
    true = _pair_count(Counter(g for g in lineage_of.values() if g is not None))
    found = _pair_count(Counter(g for g in cluster_of.values() if g is not None))
    right = _pair_count(Counter((cluster_of.get(url), group) for url, group in lineage_of.items()
                                if group is not None and cluster_of.get(url) is not None))
    return PairScore(precision=right / found if found else 1.0, recall=right / true if true else 1.0,
                     true_pairs=true, found_pairs=found, wrong_pairs=found - right)


def _pair_count(sizes: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())
