"""Any search as an Atom feed (newest first) or a CSV / JSONL download (streamed, capped)."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Iterator

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from markupsafe import escape

import archive.index as index
from archive.read.documents import Document, document_record, documents_by_id
from search_ui import atom as atom_xml
from search_ui.app_resources import resources
from search_ui.facets import filter_words
from search_ui.filters import safe_href
from search_ui.query import SearchRequest, parse_request

bp = Blueprint("feeds", __name__)

BATCH = 200                      # the index's largest page
SUMMARY_CHARS, CONTENT_CHARS = 200, 3000
CSV_COLUMNS = ("id", "title", "published", "year", "province", "city", "county", "region_code", "doc_type",
               "themes", "agency", "doc_number", "site", "status", "url", "archive_url")
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
    title = f"政府方案档案：{' '.join([req.q or '全部文件', *filter_words(req, resources().labels)])}"
    feed = atom_xml.new_feed(url_for("feeds.atom", _external=True, **req.params()), title,
                         max((r.updated_at for r in rows), default=None), subtitle=error,
                         alternate=url_for("search.search", _external=True, **req.params()))
    for row in rows:
        _entry(atom_xml.sub(feed, "entry"), row)
    return atom_xml.serialise(feed)


def _entry(entry, row: Document) -> None:
    page = url_for("documents.show", doc_id=row.id, _external=True)
    atom_xml.sub(entry, "id", page)
    atom_xml.sub(entry, "title", row.title or "（无标题）")
    atom_xml.sub(entry, "updated", atom_xml.stamp(row.updated_at))
    if row.published:
        atom_xml.sub(entry, "published", f"{row.published.isoformat()}T00:00:00+08:00")   # portals publish in Beijing time
    if row.agency:
        atom_xml.sub(atom_xml.sub(entry, "author"), "name", row.agency)
    atom_xml.link(entry, "alternate", page, "text/html")
    original = safe_href(row.url)
    if original:
        atom_xml.link(entry, "related", original, "text/html")
    for term in [*(row.themes or ()), row.doc_type]:
        if term:
            atom_xml.category(entry, term)
    text = row.text or ""
    atom_xml.sub(entry, "summary", text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else ""), type="text")
    # type="html": the HTML is itself escaped text, so scraped markup is shown, never run
    paragraphs = [line.strip() for line in text[:CONTENT_CHARS].splitlines() if line.strip()]
    atom_xml.sub(entry, "content", "".join(f"<p>{escape(p)}</p>" for p in paragraphs), type="html")


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
