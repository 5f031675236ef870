"""Template families: the copies of one text that dedup put in one cluster.

Read from Document.cluster_id. A family's copies are listed earliest first and its canonical copy is
the one archive/store/clusters.py chose with the rule in archive/dedup/keys.py (the earliest copy a
government site published; aggregator copies are kept but never canonical), read from the clusters
table rather than worked out again here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from archive.dedup import AGGREGATOR, CopyDifferences, copy_differences, earliest_first
from archive.models import Cluster, Document, Site
from archive.store.database import Archive

MIN_FAMILY = 2   # one document alone is not a template anyone adopted


@dataclass(frozen=True)
class Member:
    id: int
    cluster_id: int
    title: str
    published: date | None
    first_seen: datetime | None
    year: int | None
    region_code: str | None
    province: str | None
    city: str | None
    county: str | None
    themes: tuple[str, ...]
    doc_type: str | None
    site_id: str | None
    site_name: str | None
    aggregator: bool
    canonical: bool = False     # the family's canonical copy (clusters.canonical_document_id)

    @property
    def region_label(self) -> str:
        return " ".join(dict.fromkeys(p for p in (self.province, self.city, self.county) if p))

    @property
    def region_key(self) -> str:
        """What counts as one adopting region: the code, else the names, else the site."""
        return self.region_code or self.region_label or f"site:{self.site_id}"


def _query():
    return (select(Document.id, Document.cluster_id, Document.title, Document.published, Document.first_seen,
                   Document.year, Document.region_code, Document.province, Document.city, Document.county,
                   Document.themes, Document.doc_type, Document.site_id, Site.name, Site.family,
                   Cluster.canonical_document_id)
            .outerjoin(Site, Site.id == Document.site_id)
            .outerjoin(Cluster, Cluster.id == Document.cluster_id))


def _member(row) -> Member:
    (doc_id, cluster_id, title, published, first_seen, year, code, province, city, county, themes, doc_type,
     site_id, site_name, family, canonical_id) = row
    return Member(doc_id, cluster_id, title or "（无标题）", published, first_seen, year, code, province, city, county,
                  tuple(themes or ()), doc_type, site_id, site_name, family == AGGREGATOR, doc_id == canonical_id)


def _earliest(published, first_seen, doc_id) -> tuple:
    """The SQL form of dedup.keys.earliest_first (undated last)."""
    return published.is_(None), published, first_seen, doc_id


def by_date(members) -> list[Member]:
    return sorted(members, key=lambda m: earliest_first(m.published, m.first_seen, m.id))


def members(archive: Archive, cluster_id: int | None) -> list[Member]:
    """Every copy in one cluster, earliest first (empty when the document has no cluster)."""
    if cluster_id is None:
        return []
    with archive.session() as s:
        rows = s.execute(_query().where(Document.cluster_id == cluster_id)).all()
    return by_date(_member(r) for r in rows)


@dataclass(frozen=True)
class CopiesPage:
    """One page of a document's copies elsewhere: the members shown, how many there are in all
    (the document itself not counted) and the family's canonical copy (maybe the document)."""
    members: list[Member]
    total: int
    canonical_id: int | None


def copies_page(archive: Archive, cluster_id: int | None, exclude_id: int, offset: int, limit: int) -> CopiesPage:
    """The copies of one cluster but `exclude_id`, earliest first (as by_date), `limit` from
    `offset`, in one query: the family's ids and dates are read once (a CTE), then the page's
    rows and the total come from it, so a family of thousands costs one pass over its index
    entries and one page of rows, not thousands of members."""
    if cluster_id is None:
        return CopiesPage([], 0, None)
    family = (select(Document.id, Document.published, Document.first_seen)
              .where(Document.cluster_id == cluster_id)
              .cte("family").prefix_with("MATERIALIZED"))   # read once, used twice
    shown = (select(family.c.id).where(family.c.id != exclude_id)
             .order_by(*_earliest(family.c.published, family.c.first_seen, family.c.id))
             .offset(max(0, offset)).limit(limit))
    total = select(func.count()).select_from(family).where(family.c.id != exclude_id).scalar_subquery()
    query = (_query().add_columns(total.label("total"))
             .where(Document.id.in_(shown))
             .order_by(*_earliest(Document.published, Document.first_seen, Document.id)))
    with archive.session() as s:
        rows = s.execute(query).all()
        canonical_id = s.scalar(select(Cluster.canonical_document_id).where(Cluster.id == cluster_id))
        if not rows and offset > 0:   # past the end: the total without the rows
            total = s.scalar(select(func.count()).where(Document.cluster_id == cluster_id,
                                                         Document.id != exclude_id))
            return CopiesPage([], total or 0, None)
    if not rows:
        return CopiesPage([], 0, None)
    return CopiesPage([_member(r[:-1]) for r in rows], rows[0][-1], canonical_id)


def all_families(archive: Archive) -> dict[int, list[Member]]:
    """cluster id -> its copies earliest first, for clusters with at least MIN_FAMILY documents."""
    grouped: dict[int, list[Member]] = defaultdict(list)
    with archive.session() as s:
        for row in s.execute(_query().where(Document.cluster_id.is_not(None))):
            grouped[row[1]].append(_member(row))
    return {cid: by_date(ms) for cid, ms in grouped.items() if len(ms) >= MIN_FAMILY}


def canonical(family: list[Member]) -> Member | None:
    """The family's canonical copy; None when only aggregators have it."""
    return next((m for m in family if m.canonical), None)


def region_count(family: list[Member]) -> int:
    return len({m.region_key for m in family if not m.aggregator})


# -- one family's adoptions, and what one copy changed ------------------------------------------

@dataclass(frozen=True)
class Adoption:
    document_id: int
    published: date | None
    region_code: str | None
    province: str | None
    city: str | None
    county: str | None
    site_id: str | None
    title: str | None
    url: str
    canonical: bool


def cluster(archive: Archive, cluster_id: int) -> Cluster | None:
    with archive.reading() as s:
        return s.get(Cluster, cluster_id)


def template_family(archive: Archive, cluster_id: int, include_aggregators: bool = False) -> list[Adoption]:
    """Every government copy in the cluster, oldest first: who adopted the text, where and when."""
    with archive.reading() as s:
        found = s.get(Cluster, cluster_id)
        query = (select(Document, Site.family).outerjoin(Site, Site.id == Document.site_id)
                 .where(Document.cluster_id == cluster_id))
        rows = [row for row, family in s.execute(query) if include_aggregators or family != AGGREGATOR]
    rows.sort(key=lambda row: earliest_first(row.published, row.first_seen, row.id))
    return [Adoption(row.id, row.published, row.region_code, row.province, row.city, row.county, row.site_id,
                     row.title, row.url, canonical=found is not None and found.canonical_document_id == row.id)
            for row in rows]


def copy_differences_of(archive: Archive, doc_a: int, doc_b: int) -> CopyDifferences:
    """What document b changed of document a's text (archive.dedup.copy_differences)."""
    with archive.reading() as s:
        a, b = s.get(Document, doc_a), s.get(Document, doc_b)
        if a is None or b is None:
            raise KeyError(f"no document {doc_a if a is None else doc_b}")
        return copy_differences(a, b)
