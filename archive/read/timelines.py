"""Time lines: how many documents each region has per year (for a set of documents, e.g. a
search's hits), and the order in which regions adopted a template family."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from archive.models import Document
from archive.read.templates import template_family
from archive.store.database import Archive

_CHUNK = 900   # ids per IN list (SQLite's variable limit is 999 on old builds)


@dataclass(frozen=True)
class RegionYears:
    code: str | None
    name: str
    years: dict[int, int]           # year -> documents

    @property
    def total(self) -> int:
        return sum(self.years.values())


def year_by_region(archive: Archive, ids: list[int], level: str) -> list[RegionYears]:
    """Documents per year per region at `level` (province, city or county), most documents first.
    A document's year is the year its plan is for, else the year it was published; documents
    with neither, or no region at that level, are left out."""
    counts: dict[tuple, Counter] = defaultdict(Counter)
    with archive.reading() as s:
        for start in range(0, len(ids), _CHUNK):
            rows = s.execute(select(Document.year, Document.published, Document.region_code, Document.province,
                                    Document.city, Document.county)
                             .where(Document.id.in_(ids[start:start + _CHUNK])))
            for year, published, code, province, city, county in rows:
                year = year or (published.year if published else None)
                key = _region_at(level, code, province, city, county)
                if year and key:
                    counts[key][year] += 1
    found = [RegionYears(code, name, dict(sorted(c.items()))) for (code, name), c in counts.items()]
    return sorted(found, key=lambda r: (-r.total, r.code or "", r.name))


def _region_at(level: str, code, province, city, county) -> tuple[str | None, str] | None:
    valid = bool(code) and len(code) == 6 and code.isdigit()
    if level == "province":
        return (code[:2] + "0000" if valid else None, province) if province else None
    if level == "city":
        return (code[:4] + "00" if valid else None, city) if city and valid and code[2:4] != "00" else None
    if county and valid and not code.endswith("00"):
        return code, county
    return None


@dataclass(frozen=True)
class RegionAdoption:
    order: int
    code: str | None
    region: str
    first: date | None               # its first copy's publication date
    doc_id: int
    title: str | None
    copies: int                      # its copies in the family


def adoption_order(archive: Archive, cluster_id: int) -> list[RegionAdoption]:
    """The regions that adopted a template, in the order they first published it (government
    copies only; a region with several copies counts once, at its first)."""
    firsts: dict[str, RegionAdoption] = {}
    copies: Counter = Counter()
    for a in template_family(archive, cluster_id):   # oldest first
        name = " ".join(dict.fromkeys(p for p in (a.province, a.city, a.county) if p)) or (a.site_id or "—")
        key = a.region_code or name
        copies[key] += 1
        if key not in firsts:
            firsts[key] = RegionAdoption(len(firsts) + 1, a.region_code, name, a.published, a.document_id, a.title, 0)
    return [RegionAdoption(r.order, r.code, r.region, r.first, r.doc_id, r.title, copies[key])
            for key, r in firsts.items()]
