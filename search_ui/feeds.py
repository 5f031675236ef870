"""Any search as an Atom feed (newest first) or a CSV / JSONL download (streamed, capped)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Iterator
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from markupsafe import escape
import archive.index as index
from archive.read.documents import Document, document_record, documents_by_id
from search_ui import resources
from search_ui.filters import safe_href
from search_ui.query import SearchRequest, parse_request

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
BATCH = 200                      # the index's largest page
SUMMARY_CHARS, CONTENT_CHARS = 200, 3000
CSV_COLUMNS = ("id", "title", "published", "year", "province", "city", "county", "region_code", "doc_type",
               "themes", "agency", "doc_number", "site", "status", "url", "archive_url")
# characters XML 1.0 cannot carry even escaped; scraped text sometimes has them
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# a cell starting with these is a formula to a spreadsheet
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# -- Atom --------------------------------------------------------------------------------

@bp.get("/search.atom")
def atom():
    req = replace(parse_request(request.args), sort="date", page=1)
    size = current_app.config["FEED_SIZE"]
    results = index.search(resources().index_dir, req.q, filters=req.filters, sort="date", page=1, page_size=size,
                           facets=False)
    rows = documents_by_id(resources().archive, [hit.doc_id for hit in results.hits])
    xml = feed_xml(req, [rows[h.doc_id] for h in results.hits if h.doc_id in rows], results.error)
    return Response(xml, content_type="application/atom+xml; charset=utf-8")


def feed_xml(req: SearchRequest, rows: list[Document], error: str | None = None) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    self_url = url_for("feeds.atom", _external=True, **req.params())
    _sub(feed, "id", self_url)
    _sub(feed, "title", f"政府方案档案：{req.q or '全部文件'}" + "".join(f" {v}" for v in req.active_filters().values()))
    if error:
        _sub(feed, "subtitle", error)
    _sub(feed, "updated", _stamp(max((r.updated_at for r in rows), default=None)))
    _sub(_sub(feed, "author"), "name", "政府方案档案")
    _link(feed, "self", self_url, "application/atom+xml")
    _link(feed, "alternate", url_for("search.search", _external=True, **req.params()), "text/html")
    _sub(feed, "generator", "govplans")
    for row in rows:
        feed.append(_entry(row))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(row: Document) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    page = url_for("documents.show", doc_id=row.id, _external=True)
    _sub(entry, "id", page)
    _sub(entry, "title", row.title or "（无标题）")
    _sub(entry, "updated", _stamp(row.updated_at))
    if row.published:
        _sub(entry, "published", f"{row.published.isoformat()}T00:00:00+08:00")   # portals publish in Beijing time
    if row.agency:
        _sub(_sub(entry, "author"), "name", row.agency)
    _link(entry, "alternate", page, "text/html")
    original = safe_href(row.url)
    if original:
        _link(entry, "related", original, "text/html")
    for term in [*(row.themes or ()), row.doc_type]:
        if term:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=_clean(term))
    text = row.text or ""
    _sub(entry, "summary", text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else ""), type="text")
    # type="html": the HTML is itself escaped text, so scraped markup is shown, never run
    paragraphs = [line.strip() for line in text[:CONTENT_CHARS].splitlines() if line.strip()]
    _sub(entry, "content", "".join(f"<p>{escape(p)}</p>" for p in paragraphs), type="html")
    return entry


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    if text is not None:
        element.text = _clean(text)
    return element


def _link(parent: ET.Element, rel: str, href: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", rel=rel, href=_clean(href), type=kind)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", str(text))


def _stamp(moment: datetime | None) -> str:
    """RFC 3339; the archive stores UTC without a zone."""
    moment = moment or datetime.now(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


# -- downloads ---------------------------------------------------------------------------

@bp.get("/search.csv")
def csv_download():
    return _download("csv")


@bp.get("/search.jsonl")
def jsonl_download():
    return _download("jsonl")


def _download(kind: str) -> Response:
    req = parse_request(request.args)
    cap = current_app.config["EXPORT_MAX_ROWS"]
    first = index.search(resources().index_dir, req.q, filters=req.filters, sort=req.sort, page=1,
                         page_size=BATCH, facets=False)
    writer = _csv_lines if kind == "csv" else _jsonl_lines
    body = stream_with_context(writer(_rows(req, first, cap), truncated=first.total > cap, cap=cap, total=first.total))
    response = Response(body, content_type="text/csv; charset=utf-8" if kind == "csv"
                        else "application/x-ndjson; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="govplans-search.{kind}"'
    response.headers["X-Result-Total"] = str(first.total)
    response.headers["X-Export-Limit"] = str(cap)
    if first.error:
        response.headers["X-Query-Error"] = "1"
    return response


def _rows(req: SearchRequest, first, cap: int) -> Iterator[Document]:
    """The result set in its order, fetched from the index and the database a batch at a time."""
    results, page, sent = first, 1, 0
    while results.hits and sent < cap:
        ids = [h.doc_id for h in results.hits][: cap - sent]
        rows = documents_by_id(resources().archive, ids)
        for doc_id in ids:
            if doc_id in rows:
                yield rows[doc_id]
        sent += len(ids)
        page += 1
        if sent >= results.total:
            break
        results = index.search(resources().index_dir, req.q, filters=req.filters, sort=req.sort, page=page,
                               page_size=BATCH, facets=False)


def _note(cap: int, total: int) -> str:
    return f"仅导出前 {cap} 条（共 {total} 条）；完整导出请用 govplans export。"


def _csv_lines(rows: Iterator[Document], truncated: bool, cap: int, total: int) -> Iterator[str]:
    buffer = io.StringIO()
    out = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff"   # a BOM, so spreadsheet programs read the Chinese as UTF-8
    out.writerow(CSV_COLUMNS)
    for row in rows:
        out.writerow([_cell(value) for value in _csv_row(row)])
        yield flush()
    if truncated:
        out.writerow([f"# {_note(cap, total)}"])
    yield flush()


def _csv_row(row: Document) -> list:
    return [row.id, row.title, row.published.isoformat() if row.published else "", row.year or "",
            row.province, row.city, row.county, row.region_code, row.doc_type, ";".join(row.themes or ()),
            row.agency, row.doc_number, row.site_id, row.status, row.url,
            url_for("documents.show", doc_id=row.id, _external=True)]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _jsonl_lines(rows: Iterator[Document], truncated: bool, cap: int, total: int) -> Iterator[str]:
    dumps = current_app.json.dumps
    for row in rows:
        record = document_record(row)
        record["archive_url"] = url_for("documents.show", doc_id=row.id, _external=True)
        yield dumps(record) + "\n"
    if truncated:
        yield dumps({"note": _note(cap, total), "truncated": True, "exported": cap, "total": total}) + "\n"
