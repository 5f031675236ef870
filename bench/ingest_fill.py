"""The archive bench.ingest measures against, filled in bulk, and the probe it ingests one by one.

`fill` leaves the rows a crawl that ingested every record one by one would have left, minus the
per-page history: sites, documents (with their 文号 and title keys), first versions, clusters with
their LSH bands and dedup keys (`rebuild_clusters`, the same clusters as one-by-one assignment),
citations (found by archive.extract.citations, resolved in memory by title or by 文号 and issuer),
and one ready site template per site that has seen every page of its site (so no probe page starts
one, or triggers the cleaning of a whole site's texts that a template does when its page count
doubles: amortised O(1), but a 100k-document spike in a 500-document probe).

`probe` makes the documents timed: a third new farm documents never stored, a third near copies
of stored ones (a line changed, under another URL), a third new documents citing a stored plan
by title and 文号. Every probe page carries its site's chrome lines (page_lines), as extraction
gives them, so the site template is matched and learns.
"""
from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime

from sqlalchemy import insert, text

from archive.extract.citations import find_references, title_key
from archive.extract.docnumber import number_key, parse_doc_number, same_issuer
from archive.extract.document import ExtractedDocument
from archive.extract.site_chrome import key as chrome_key
from archive.models import Citation, Document, Site, SiteTemplate, Version
from archive.store import Archive, content_hash
from evaluation.dedup import to_extracted

CITE_SHARE = 0.2   # stored documents that cite an earlier stored plan
# migration 0014's column; without it (the code before it) the bench measures that code as it was
_ISSUER_COLUMN = hasattr(Document, "doc_number_issuer")


def chrome_lines(site_name: str) -> list[str]:
    """The lines every page of a site shows around its body."""
    return [f"{site_name}人民政府", "首页 | 政务公开 | 政务服务 | 互动交流", "当前位置：首页 > 政务公开 > 政策文件",
            "【打印本页】 【关闭窗口】", "网站地图 | 联系我们 | 隐私声明", f"主办单位：{site_name}人民政府办公室"]


def cite_sentence(target: dict) -> str:
    return f"根据《{target['title']}》（{target['doc_number']}）的有关要求，结合实际，制定本方案。"


def with_citations(records: list[dict], seed: int) -> list[dict]:
    """The records, CITE_SHARE of them citing an earlier record that has a 文号."""
    rng = random.Random(f"ingest-cites:{seed}")
    numbered: list[dict] = []
    out = []
    for record in records:
        if numbered and rng.random() < CITE_SHARE:
            record = {**record, "text": record["text"] + "\n" + cite_sentence(rng.choice(numbered[-2000:]))}
        if record.get("doc_number"):
            numbered.append(record)
        out.append(record)
    return out


def _document_row(n: int, r: dict, seen_at: datetime) -> dict:
    region, printed = r["region"], parse_doc_number(r.get("doc_number"))
    issuer = {"doc_number_issuer": printed.issuer if printed else None} if _ISSUER_COLUMN else {}
    return {"id": n, **issuer, "url": r["url"], "site_id": r["site"], "title": r["title"],
            "published": date.fromisoformat(r["published"]),
            "written": date.fromisoformat(r["written"]) if r.get("written") else None,
            "agency": r["agency"], "doc_number": r.get("doc_number"),
            "doc_number_key": number_key(printed), "title_key": title_key(r["title"]),
            "index_number": r.get("index_number"), "region_code": region["code"], "province": region["province"],
            "city": region["city"], "county": region["county"], "year": r["year"], "doc_type": r["doc_type"],
            "themes": r["themes"], "text": r["text"], "outline": [], "sources": {},
            "content_hash": content_hash(r["title"], r["text"]), "status": "active",
            "first_seen": seen_at, "last_seen": seen_at, "updated_at": seen_at}


def _citation_rows(docs: list[dict], by_title: dict[str, list[dict]], by_number: dict[str, list[dict]]) -> list[dict]:
    rows = []
    for doc in docs:
        for ref in find_references(doc["text"], doc["title"], doc["doc_number"]):
            cited = [d for d in by_title.get(ref.title_key or "", ()) if d["id"] != doc["id"]] or \
                [d for d in by_number.get(ref.key or "", ())
                 if d["id"] != doc["id"] and same_issuer(ref.issuer, (parse_doc_number(d["doc_number"]) or ref).issuer)]
            rows.append({"document_id": doc["id"], "position": ref.position, "source": "text",
                         "doc_number": ref.doc_number, "issuer": (ref.issuer or None) and ref.issuer[:100],
                         "number_key": ref.key, "title": ref.title, "title_key": ref.title_key,
                         "cited_id": cited[0]["id"] if len(cited) == 1 else None,
                         "resolved_by": None if len(cited) != 1 else ("title" if ref.title_key in by_title
                                                                       else "doc_number")})
    return rows


def fill(archive: Archive, registry: list[dict], records: list[dict], seen_at: datetime, chunk: int = 2000) -> None:
    """The records stored as described in the module docstring, in few transactions."""
    with archive.session() as s:
        s.execute(insert(Site), [{"id": e["id"], "name": e["name"], "region_code": e["region"], "family": e["family"],
                                  "base_url": e["base_url"], "columns": e["columns"], "farm": True} for e in registry])
    by_title: dict[str, list[dict]] = {}
    by_number: dict[str, list[dict]] = {}
    pages: dict[str, int] = {}
    for start in range(0, len(records), chunk):
        docs = [_document_row(n, r, seen_at) for n, r in enumerate(records[start:start + chunk], start + 1)]
        for doc in docs:
            by_title.setdefault(doc["title_key"], []).append(doc)
            if doc["doc_number_key"]:
                by_number.setdefault(doc["doc_number_key"], []).append(doc)
            pages[doc["site_id"]] = pages.get(doc["site_id"], 0) + 1
        with archive.session() as s:
            s.execute(insert(Document), docs)
            s.execute(insert(Version), [{"document_id": d["id"], "number": 1, "content_hash": d["content_hash"],
                                         "title": d["title"], "text": d["text"], "seen_at": seen_at,
                                         "last_seen": seen_at} for d in docs])
    for start in range(0, len(records), chunk):   # every cited plan is stored by now
        docs = [_document_row(n, r, seen_at) for n, r in enumerate(records[start:start + chunk], start + 1)]
        rows = _citation_rows(docs, by_title, by_number)
        if rows:
            with archive.session() as s:
                s.execute(insert(Citation), rows)
    if archive.engine.dialect.name == "postgresql":   # the ids were given: the next one ingest takes follows them
        with archive.session() as s:
            s.execute(text("SELECT setval(pg_get_serial_sequence('documents', 'id'), :last)"), {"last": len(records)})
    names = {e["id"]: e["name"] for e in registry}
    with archive.session() as s:
        s.execute(insert(SiteTemplate), [
            {"site_id": site, "pages": n, "cleaned_at_pages": n, "created_at": seen_at, "updated_at": seen_at,
             "counts": {k: n for line in chrome_lines(names[site]) for k in _line_keys(line)}}
            for site, n in pages.items()])
    archive.rebuild_clusters()


def _line_keys(line: str) -> set[str]:
    from archive.extract.site_chrome import page_keys
    return set(page_keys([line])) | {chrome_key(line)}


def extracted(record: dict, site_name: str) -> ExtractedDocument:
    """A record as extraction gives it: fields, 文号, and the page's lines with its site's chrome."""
    doc = to_extracted(record)
    chrome = chrome_lines(site_name)
    lines = tuple(chrome[:3] + [record["title"]] + record["text"].split("\n") + chrome[3:])
    return dataclasses.replace(doc, doc_number=parse_doc_number(record.get("doc_number")),
                               index_number=record.get("index_number"), page_lines=lines)


def probe(pool: list[dict], stored: list[dict], seed: int) -> list[tuple[str, dict]]:
    """(kind, record) for each pool record: new, near copy of a stored one, or new citing a stored plan."""
    rng = random.Random(f"ingest-probe:{seed}")
    numbered = [r for r in stored if r.get("doc_number")]
    out = []
    for n, record in enumerate(pool):
        kind = ("new", "near copy", "citing")[n % 3]
        if kind == "near copy":
            original = rng.choice(stored)
            lines = original["text"].split("\n")
            at = rng.randrange(len(lines))
            lines[at] = lines[at] + "（此件为转载）"
            record = {**original, "url": f"{original['url']}?copy={n}", "text": "\n".join(lines)}
        elif kind == "citing":
            record = {**record, "text": record["text"] + "\n" + cite_sentence(rng.choice(numbered))}
        out.append((kind, record))
    return out
