"""Template families: the copies of one text that dedup put in one cluster.

Read from Document.cluster_id. The canonical copy is the earliest one a government site
published; aggregator (范文/文库) copies are kept but never canonical.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

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
