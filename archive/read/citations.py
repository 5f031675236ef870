"""The 文号 citation graph as pages and the API show it: what a document cites (依据 / 引用),
what cites it (被引用), the province → city → county line of plans citing one another, and the
graph's figures."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from archive.models import Citation, Document
from archive.regions import code_level
from archive.store.database import Archive

MAX_CITED_BY = 500
_LEVELS = ("province", "city", "county")


def cites(archive: Archive, doc_id: int) -> list[dict]:
    """What the document cites, in page order: doc_number and title as printed, doc_id (None
    while no archived document matches) and the archived document's own title and region."""
    cited = aliased(Document)
    with archive.reading() as s:
        rows = s.execute(select(Citation, cited.title, cited.region_code, cited.province, cited.city, cited.county)
                         .outerjoin(cited, cited.id == Citation.cited_id)
                         .where(Citation.document_id == doc_id).order_by(Citation.position, Citation.id)).all()
    return [{"doc_number": c.doc_number, "title": c.title, "doc_id": c.cited_id, "source": c.source,
             "resolved_by": c.resolved_by, "archived_title": title,
             "region": _region(province, city, county) if c.cited_id else None, "region_code": code}
            for c, title, code, province, city, county in rows]


def cited_by(archive: Archive, doc_id: int, limit: int = MAX_CITED_BY) -> list[dict]:
    """The archived documents that cite this one (newest first), each with its 文号 and title."""
    with archive.reading() as s:
        rows = s.execute(select(Document.id, Document.doc_number, Document.title, Document.published,
                                Document.region_code, Document.province, Document.city, Document.county)
                         .join(Citation, Citation.document_id == Document.id)
                         .where(Citation.cited_id == doc_id).distinct()
                         .order_by(Document.published.desc().nulls_last(), Document.id.desc()).limit(limit)).all()
    return [{"doc_number": r.doc_number, "title": r.title, "doc_id": r.id,
             "published": r.published.isoformat() if r.published else None, "region_code": r.region_code,
             "region": _region(r.province, r.city, r.county)} for r in rows]


def cited_by_count(archive: Archive, doc_id: int) -> int:
    with archive.reading() as s:
        return s.scalar(select(func.count(func.distinct(Citation.document_id))).where(Citation.cited_id == doc_id)) or 0


@dataclass(frozen=True)
class ChainLink:
    doc_id: int
    title: str | None
    doc_number: str | None
    region_code: str | None
    region: str
    level: str | None
    depth: int            # 0: the document; -1 its parent plan, 1 a plan citing it …


def chain(archive: Archive, doc_id: int, max_links: int = 200) -> list[ChainLink]:
    """The line of plans through one document: up, the plans of higher governments it cites
    (city, then province); down, the plans of lower governments citing it (county under city).
    A link is kept only when the level goes up (or down) strictly, so a line has no loops."""
    with archive.reading() as s:
        row = s.get(Document, doc_id)
        if row is None:
            return []
        links = [_link(row, 0)]
        seen = {row.id}
        current, depth = row, 0
        while True:   # upward: the highest-level cited plan above the current one first
            above = [d for d in s.scalars(select(Document).join(Citation, Citation.cited_id == Document.id)
                                          .where(Citation.document_id == current.id))
                     if d.id not in seen and _higher(d.region_code, current.region_code)]
            if not above:
                break
            current = max(above, key=lambda d: _rank(d.region_code))   # the nearest level up
            depth -= 1
            seen.add(current.id)
            links.insert(0, _link(current, depth))
        frontier = [(row, 0)]
        while frontier and len(links) < max_links:   # downward, breadth first
            parent, d = frontier.pop(0)
            for child in s.scalars(select(Document).join(Citation, Citation.document_id == Document.id)
                                   .where(Citation.cited_id == parent.id).order_by(Document.region_code, Document.id)):
                if child.id in seen or not _higher(parent.region_code, child.region_code):
                    continue
                seen.add(child.id)
                links.append(_link(child, d + 1))
                frontier.append((child, d + 1))
                if len(links) >= max_links:
                    break
    return links


def _link(row: Document, depth: int) -> ChainLink:
    return ChainLink(row.id, row.title, row.doc_number, row.region_code,
                     _region(row.province, row.city, row.county), _level(row.region_code), depth)


def _level(code: str | None) -> str | None:
    try:
        return code_level(code) if code else None
    except (ValueError, KeyError):
        return None


def _rank(code: str | None) -> int:
    level = _level(code)
    return _LEVELS.index(level) if level in _LEVELS else -1


def _higher(code: str | None, below: str | None) -> bool:
    """`code` is a government above `below` on its line (its city or province)."""
    if not code or not below or _rank(code) < 0 or _rank(below) < 0 or _rank(code) >= _rank(below):
        return False
    return below.startswith(code[:2 if _rank(code) == 0 else 4])


def _region(province, city, county) -> str:
    return " ".join(dict.fromkeys(p for p in (province, city, county) if p))


def graph_figures(archive: Archive) -> dict:
    """How big the graph is and how much of it resolves."""
    with archive.reading() as s:
        total = s.scalar(select(func.count(Citation.id))) or 0
        by = dict(s.execute(select(Citation.resolved_by, func.count(Citation.id)).group_by(Citation.resolved_by)).all())
        citing = s.scalar(select(func.count(func.distinct(Citation.document_id)))) or 0
        cited = s.scalar(select(func.count(func.distinct(Citation.cited_id)))) or 0
        numbered = s.scalar(select(func.count(Citation.id)).where(Citation.number_key.is_not(None))) or 0
        documents = s.scalar(select(func.count(Document.id))) or 0
    resolved = total - by.get(None, 0)
    return {"documents": documents, "references": total, "with_doc_number": numbered,
            "resolved": resolved, "resolved_by_doc_number": by.get("doc_number", 0),
            "resolved_by_title": by.get("title", 0), "unresolved": by.get(None, 0),
            "citing_documents": citing, "cited_documents": cited}
