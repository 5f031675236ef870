"""Template families: the copies of one text that dedup put in one cluster.

Read from Document.cluster_id. The canonical copy is the earliest one a government site
published; aggregator (范文/文库) copies are kept but never canonical.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from archive.models import Document, Site
from archive.store import Archive

MIN_FAMILY = 2   # one document alone is not a template anyone adopted


@dataclass(frozen=True)
class Member:
    id: int
    cluster_id: int
    title: str
    published: date | None
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

    @property
    def region_label(self) -> str:
        return " ".join(dict.fromkeys(p for p in (self.province, self.city, self.county) if p))

    @property
    def region_key(self) -> str:
        """What counts as one adopting region: the code, else the names, else the site."""
        return self.region_code or self.region_label or f"site:{self.site_id}"


def _query():
    return (select(Document.id, Document.cluster_id, Document.title, Document.published, Document.year,
                   Document.region_code, Document.province, Document.city, Document.county, Document.themes,
                   Document.doc_type, Document.site_id, Site.name, Site.family)
            .outerjoin(Site, Site.id == Document.site_id))


def _member(row) -> Member:
    (doc_id, cluster_id, title, published, year, code, province, city, county, themes, doc_type,
     site_id, site_name, family) = row
    return Member(doc_id, cluster_id, title or "（无标题）", published, year, code, province, city, county,
                  tuple(themes or ()), doc_type, site_id, site_name, family == "aggregator")


def by_date(members) -> list[Member]:
    return sorted(members, key=lambda m: (m.published or date.max, m.id))


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
    rows, the total and the canonical copy come from it, so a family of thousands costs one
    pass over its index entries and one page of rows, not thousands of members."""
    if cluster_id is None:
        return CopiesPage([], 0, None)
    family = (select(Document.id, Document.published, Site.family)
              .outerjoin(Site, Site.id == Document.site_id)
              .where(Document.cluster_id == cluster_id)
              .cte("family").prefix_with("MATERIALIZED"))   # read once, used three times
    earliest = (family.c.published.is_(None), family.c.published, family.c.id)
    shown = (select(family.c.id).where(family.c.id != exclude_id).order_by(*earliest)
             .offset(max(0, offset)).limit(limit))
    total = select(func.count()).select_from(family).where(family.c.id != exclude_id).scalar_subquery()
    canonical = (select(family.c.id).where(or_(family.c.family.is_(None), family.c.family != "aggregator"))
                 .order_by(*earliest).limit(1).scalar_subquery())
    query = (_query().add_columns(total.label("total"), canonical.label("canonical"))
             .where(Document.id.in_(shown))
             .order_by(Document.published.is_(None), Document.published, Document.id))
    with archive.session() as s:
        rows = s.execute(query).all()
        if not rows and offset > 0:   # past the end: the total without the rows
            total = s.scalar(select(func.count()).where(Document.cluster_id == cluster_id,
                                                         Document.id != exclude_id))
            return CopiesPage([], total or 0, None)
    if not rows:
        return CopiesPage([], 0, None)
    return CopiesPage([_member(r[:-2]) for r in rows], rows[0][-2], rows[0][-1])


def all_families(archive: Archive) -> dict[int, list[Member]]:
    """cluster id -> its copies earliest first, for clusters with at least MIN_FAMILY documents."""
    grouped: dict[int, list[Member]] = defaultdict(list)
    with archive.session() as s:
        for row in s.execute(_query().where(Document.cluster_id.is_not(None))):
            grouped[row[1]].append(_member(row))
    return {cid: by_date(ms) for cid, ms in grouped.items() if len(ms) >= MIN_FAMILY}


def canonical(family: list[Member]) -> Member | None:
    """The earliest copy from a government site; None when only aggregators have it."""
    return next((m for m in by_date(family) if not m.aggregator), None)


def region_count(family: list[Member]) -> int:
    return len({m.region_key for m in family if not m.aggregator})
