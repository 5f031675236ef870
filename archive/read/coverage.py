"""The coverage ledger: for every province, prefecture and county, how many portals are registered,
discovered, verified and blocked (by class), when a crawl of them last succeeded, how many documents
they gave and which years those were published in.

A portal is a registry entry (handed in: the archive does not read crawler/sites) or a row of the
sites table, joined by id, and counts once, under its region (a retired code under its successor):
- registered: it has a base URL to crawl;
- discovered: its start columns are known (one other than the home page, or `discovered:` as
  discovery records it);
- verified: its entry says `verified: true`, or a crawl of it succeeded;
- blocked: the class its last run met (site_health; archive/operations/blocking.py);
- last success: its last finished run that was not blocked and reached pages or list items.
Four grouped queries whatever the number of portals; the rest is counting in Python.
`units` is the denominator: the governments of the 行政区划 table in a region, itself included
(a municipality's 市辖区 pseudo-city is none); `covered` counts those with a verified portal.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Text, extract, func, or_, select, type_coerce

from archive import regions
from archive.models import CrawlRun, Document, RunCheck, Site, SiteHealth
from archive.operations.blocking import CLASSES, label
from archive.store.database import Archive

NOT_GOVERNMENTS = {"990000", "999900"}     # 苏鲁交界 / 海域: rows of the table, no government
LEVELS = ("province", "city", "county")
HOME_PAGES = ("", "/", "/index.html", "/index.htm", "/index.shtml")


@dataclass
class Portal:
    """One portal's line of the ledger."""
    id: str
    name: str
    region: str | None            # the code in force (None: none, or not in the table)
    base_url: str | None
    family: str | None
    registered: bool
    discovered: bool
    verified: bool
    in_registry: bool
    blocked: str | None = None
    blocked_since: datetime | None = None
    last_success: datetime | None = None
    documents: int = 0
    years: dict = field(default_factory=dict)     # published year -> documents

    def record(self) -> dict:
        years = sorted(self.years)
        return {"id": self.id, "name": self.name, "region": self.region, "base_url": self.base_url,
                "family": self.family, "registered": self.registered, "discovered": self.discovered,
                "verified": self.verified, "in_registry": self.in_registry, "blocked": self.blocked,
                "blocked_label": label(self.blocked), "blocked_since": _iso(self.blocked_since),
                "last_success": _iso(self.last_success), "documents": self.documents, "years": years,
                "years_label": years_label(years)}


@dataclass
class Tally:
    """The ledger's figures for a region (or the country, or a government's own portals)."""
    code: str | None
    name: str
    level: str                    # country / province / city / county / own / unplaced
    units: int = 0
    portals: int = 0
    registered: int = 0
    discovered: int = 0
    verified: int = 0
    blocked: dict = field(default_factory=dict)   # class -> portals
    last_success: datetime | None = None
    documents: int = 0
    years: dict = field(default_factory=dict)
    covered_units: set = field(default_factory=set)

    @property
    def covered(self) -> int:
        return len(self.covered_units)

    @property
    def blocked_total(self) -> int:
        return sum(self.blocked.values())

    def add(self, portal: Portal) -> None:
        self.portals += 1
        self.registered += portal.registered
        self.discovered += portal.discovered
        self.verified += portal.verified
        if portal.verified and portal.region:
            self.covered_units.add(portal.region)
        if portal.blocked:
            self.blocked[portal.blocked] = self.blocked.get(portal.blocked, 0) + 1
        if portal.last_success and (self.last_success is None or portal.last_success > self.last_success):
            self.last_success = portal.last_success
        self.documents += portal.documents
        for year, count in portal.years.items():
            self.years[year] = self.years.get(year, 0) + count

    def record(self) -> dict:
        years = sorted(self.years)
        return {"code": self.code, "name": self.name, "level": self.level, "units": self.units,
                "covered": self.covered, "portals": self.portals, "registered": self.registered,
                "discovered": self.discovered, "verified": self.verified,
                "blocked": {c.name: self.blocked[c.name] for c in CLASSES if self.blocked.get(c.name)},
                "blocked_labels": [{"class": c.name, "label": c.label, "portals": self.blocked[c.name]}
                                   for c in CLASSES if self.blocked.get(c.name)],
                "blocked_total": self.blocked_total, "last_success": _iso(self.last_success),
                "documents": self.documents, "years": years, "years_label": years_label(years)}


def years_label(years: list[int]) -> str:
    """[2016, 2017, 2018, 2021] -> "2016–2018, 2021"."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ", timespec="minutes") if value is not None else None


@dataclass
class Ledger:
    scope: Tally                  # the country or the region asked for
    trail: list[Tally]            # the regions above it, outermost first
    rows: list[Tally]             # one level down (own portals first), or [] for a county
    portals: list[Portal]         # the county's portals (every portal in scope with portals=True)
    provinces: list[Tally]        # every province, for the picture


# -- the portals -------------------------------------------------------------------------------------

def portals(archive: Archive, registry: list[dict]) -> list[Portal]:
    """Every portal of the registry and the sites table, with what the archive knows of it."""
    with archive.reading() as s:
        # columns as text: decoded only for sites the registry does not have
        sites = {row.id: row for row in s.execute(select(Site.id, Site.name, Site.region_code, Site.family,
                                                         Site.base_url, type_coerce(Site.columns, Text).label("columns")))}
        years = s.execute(select(Document.site_id, extract("year", Document.published), func.count(Document.id))
                          .group_by(Document.site_id, extract("year", Document.published))).all()
        reached = func.coalesce(CrawlRun.new, 0) + func.coalesce(CrawlRun.changed, 0) + func.coalesce(CrawlRun.unchanged, 0)
        success = dict(s.execute(
            select(CrawlRun.site_id, func.max(CrawlRun.finished))
            .outerjoin(RunCheck, RunCheck.run_id == CrawlRun.id)
            .where(CrawlRun.finished.is_not(None), CrawlRun.block_class.is_(None),
                   or_(CrawlRun.pages > 0, reached > 0, RunCheck.listed > 0))
            .group_by(CrawlRun.site_id)).all())
        blocked = {row.site_id: row for row in s.execute(
            select(SiteHealth.site_id, SiteHealth.block_class, SiteHealth.blocked_since)
            .where(SiteHealth.block_class.is_not(None)))}
    by_year: dict[str, dict] = {}
    for site_id, year, count in years:
        counts = by_year.setdefault(site_id, {})
        key = int(year) if year is not None else None
        counts[key] = counts.get(key, 0) + count
    entries = {entry["id"]: entry for entry in registry if entry.get("id")}
    places = tree()
    out = []
    for site_id in list(entries) + [i for i in sites if i not in entries]:
        entry, row = entries.get(site_id, {}), sites.get(site_id)
        columns = entry.get("columns") if entry else (json.loads(row.columns or "[]") if row else None)
        base_url = entry.get("base_url") or (row.base_url if row else None)
        counts = by_year.get(site_id, {})
        portal = Portal(
            id=site_id, name=entry.get("name") or (row.name if row else None) or site_id,
            region=places.unit(regions.current_code(str(entry.get("region") or (row.region_code if row else None) or ""))),
            base_url=base_url, family=entry.get("family") or (row.family if row else None),
            registered=bool(base_url), discovered=_discovered(entry, columns),
            verified=entry.get("verified") is True or site_id in success, in_registry=bool(entry),
            blocked=blocked[site_id].block_class if site_id in blocked else None,
            blocked_since=blocked[site_id].blocked_since if site_id in blocked else None,
            last_success=success.get(site_id), documents=sum(counts.values()),
            years={year: n for year, n in counts.items() if year is not None})
        out.append(portal)
    return out


def _discovered(entry: dict, columns) -> bool:
    if entry.get("discovered"):
        return True
    return any(str(column).strip() not in HOME_PAGES for column in columns or ())


# -- the regions -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tree:
    names: dict[str, str]                 # unit code -> name
    parent: dict[str, str | None]         # unit code -> the unit above it (None: a province)
    children: dict[str | None, list[str]]  # None -> the provinces
    units: dict[str, int]                 # unit code -> governments in it, itself included

    def chain(self, code: str) -> list[str]:
        """The unit and every unit above it, outermost first."""
        out = []
        while code is not None:
            out.append(code)
            code = self.parent.get(code)
        return out[::-1]

    def unit(self, code: str | None) -> str | None:
        """The unit a current code names: a pseudo-city (北京市 110100) means its province; None when
        the code is no government of the tree."""
        if code is None or code in self.parent:
            return code
        province = regions.province_of(code)
        return province if province in self.parent and regions.code_level(code) == "city" else None


@lru_cache(maxsize=1)
def tree() -> Tree:
    """The governments of the 行政区划 table: a municipality's counties hang under the province, a
    省直辖 county under its province, every other county under its prefecture."""
    rows = [r for r in regions.all_units() if r.code not in NOT_GOVERNMENTS]
    names = {r.code: r.name for r in rows}
    pseudo = {r.code for r in rows if r.level == "city" and r.name == names.get(r.province_code)}
    parent: dict[str, str | None] = {}
    for r in rows:
        if r.code in pseudo:
            continue
        if r.level == "province":
            parent[r.code] = None
        elif r.level == "city" or not r.city_code or r.city_code in pseudo:
            parent[r.code] = r.province_code
        else:
            parent[r.code] = r.city_code
    children: dict[str | None, list[str]] = {}
    for code in sorted(parent):
        children.setdefault(parent[code], []).append(code)
    places = Tree({c: names[c] for c in parent}, parent, children, {})
    for code in parent:
        for above in places.chain(code):
            places.units[above] = places.units.get(above, 0) + 1
    return places


def ledger(archive: Archive, registry: list[dict], scope: str | None = None, with_portals: bool = False) -> Ledger:
    """The ledger of the country (scope None) or of a region (a current or retired code)."""
    found = portals(archive, registry)
    places = tree()
    scope = places.unit(regions.current_code(scope)) if scope else None
    tallies, own, country, unplaced = _tally(found, places)
    if scope is None:
        rows = [tallies[code] for code in places.children.get(None, [])]
        if unplaced.portals:
            rows.append(unplaced)
        chosen, trail = country, []
    else:
        chosen = tallies[scope]
        trail = [tallies[code] for code in places.chain(scope)[:-1]]
        rows = ([own[scope]] if scope in own else []) + [tallies[code] for code in places.children.get(scope, [])]
    in_scope = [p for p in found if scope is None or (p.region and scope in places.chain(p.region))] \
        if with_portals or (scope and not places.children.get(scope)) else []
    return Ledger(chosen, trail, rows, in_scope, [tallies[code] for code in places.children.get(None, [])])


def every_row(archive: Archive, registry: list[dict], scope: str | None = None) -> list[Tally]:
    """Every region under the scope at every level (and each government's own portals), depth first:
    the CSV's rows."""
    found = portals(archive, registry)
    places = tree()
    scope = places.unit(regions.current_code(scope)) if scope else None
    tallies, own, country, unplaced = _tally(found, places)
    out: list[Tally] = []

    def walk(code: str) -> None:
        out.append(tallies[code])
        if code in own:
            out.append(own[code])
        for child in places.children.get(code, []):
            walk(child)

    for code in ([scope] if scope else places.children.get(None, [])):
        walk(code)
    if scope is None and unplaced.portals:
        out.append(unplaced)
    return out


def _tally(found: list[Portal], places: Tree):
    tallies = {code: Tally(code, name, regions.code_level(code), units=places.units[code])
               for code, name in places.names.items()}
    country = Tally(None, "全国", "country", units=len(places.names))
    unplaced = Tally(None, "（未标地区）", "unplaced")
    own: dict[str, Tally] = {}
    for portal in found:
        country.add(portal)
        unit = portal.region
        if unit is None:
            unplaced.add(portal)
            continue
        for code in places.chain(unit):
            tallies[code].add(portal)
        if places.children.get(unit):        # a province's or prefecture's own portal
            if unit not in own:
                own[unit] = Tally(unit, f"{places.names[unit]}本级", "own", units=1)
            own[unit].add(portal)
    return tallies, own, country, unplaced


CSV_COLUMNS = ("level", "code", "name", "province", "prefecture", "units", "covered", "portals", "registered",
               "discovered", "verified", "blocked", *(f"blocked_{c.name}" for c in CLASSES), "last_success",
               "documents", "first_year", "last_year", "years")


def csv_rows(rows: list[Tally]) -> list[list]:
    """The CSV's lines (after CSV_COLUMNS) for every_row's tallies."""
    places = tree()
    out = []
    for t in rows:
        chain = places.chain(t.code) if t.code else []
        prefecture = next((code for code in chain[1:2] if regions.code_level(code) == "city"), None)
        years = sorted(t.years)
        out.append([t.level, t.code or "", t.name, places.names[chain[0]] if chain else "",
                    places.names[prefecture] if prefecture else "", t.units, t.covered, t.portals, t.registered,
                    t.discovered, t.verified, t.blocked_total, *(t.blocked.get(c.name, 0) for c in CLASSES),
                    _iso(t.last_success) or "", t.documents, years[0] if years else "", years[-1] if years else "",
                    " ".join(map(str, years))])
    return out
