"""Following and citing documents: the province → city → county line of plans citing one another,
and a document (or a search's result) cited as GB/T 7714-2015, BibTeX or RIS."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

import archive.index as index
from archive.clock import utcnow
from archive.read import cite as formats
from archive.read.citations import chain as chain_links
from archive.read.documents import Document, get_document
from search_ui.app_resources import resources
from search_ui.errors import BadParameters
from search_ui.params import Checker
from search_ui.query import ID_SLOT, parse_request, url_pattern
from search_ui.views.render import document_or_404, twin

bp = Blueprint("citations", __name__)
FORMAT_LABELS = {"gbt7714": "GB/T 7714-2015", "bibtex": "BibTeX", "ris": "RIS"}
BULK_MAX = 500    # a reference list, not an export (govplans export is for those)
_BATCH = 200


def chain_view(doc_id: int) -> dict:
    row = document_or_404(doc_id)
    doc_url = url_pattern("documents.show", doc_id=ID_SLOT)
    links = [{"doc_id": link.doc_id, "title": link.title, "doc_number": link.doc_number, "region": link.region,
              "region_code": link.region_code, "level": link.level, "depth": link.depth,
              "doc_url": doc_url.format(link.doc_id)} for link in chain_links(resources().archive, row.id)]
    return {"doc": {"id": row.id, "title": row.title or "（无标题）", "doc_url": doc_url.format(row.id)},
            "links": links, "json_url": url_for("citations.chain_json", doc_id=row.id)}


twin(bp, "/doc/<id:doc_id>/chain", "chain", "chain.html", chain_view)


def _format(required: bool) -> str | None:
    check = Checker(request.args)
    fmt = check.choice("format", "引用格式 format", formats.FORMATS)
    if check.problems:
        raise BadParameters(check.problems)
    return fmt or ("gbt7714" if required else None)


def record(row: Document) -> formats.CiteRecord:
    capture = row.capture
    capture_url = url_for("captures.raw", capture_id=capture.id, _external=True) if capture else None
    return formats.cite_record(row, capture, url_for("documents.show", doc_id=row.id, _external=True),
                               capture_url, utcnow().date())


def _text(body: str, fmt: str, name: str) -> Response:
    response = Response(body, content_type=f"{formats.MEDIA[fmt]}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{formats.SUFFIX[fmt]}"'
    return response


@bp.get("/doc/<id:doc_id>/cite")
def cite(doc_id: int):
    """?format=gbt7714|bibtex|ris: that citation as text; without: a page with all three."""
    fmt = _format(required=False)
    row = document_or_404(doc_id)
    if fmt:
        return _text(formats.render([record(row)], fmt).removeprefix("[1] "), fmt, f"govplans{row.id}")
    return render_template("cite.html", view=cite_view(row))


@bp.get("/doc/<id:doc_id>/cite.json")
def cite_json(doc_id: int):
    _format(required=False)   # the page's parameter: checked here too, every format in the answer
    return jsonify(cite_view(document_or_404(doc_id)))


def cite_view(row: Document) -> dict:
    rec = record(row)
    return {"doc": {"id": row.id, "title": row.title or "（无标题）", "doc_url": url_for("documents.show", doc_id=row.id)},
            "permalink": rec.permalink, "capture_url": rec.capture_url,
            "captured": rec.captured.isoformat(timespec="seconds") if rec.captured else None,
            "payload_digest": rec.payload_digest,
            "formats": [{"name": name, "label": FORMAT_LABELS[name], "url": url_for("citations.cite", doc_id=row.id,
                                                                                   format=name),
                         "text": formats.render([rec], name).removeprefix("[1] ")} for name in formats.FORMATS]}


def _search_records() -> tuple[list[formats.CiteRecord], int, dict]:
    """The first BULK_MAX documents of the search in the query string, in its order."""
    req = parse_request(request.args)
    if req.invalid:   # a file, not a page that could say what it left out
        raise BadParameters(dict(req.invalid))
    cap = min(BULK_MAX, current_app.config["EXPORT_MAX_ROWS"])
    ids: list[int] = []
    page, total = 1, 0
    while len(ids) < cap:
        results = index.search(resources().index_dir, req.q, filters=req.filters, sort=req.sort, page=page,
                               page_size=_BATCH, facets=False)
        total = results.total
        ids.extend(h.doc_id for h in results.hits)
        if not results.hits or len(ids) >= results.total:
            break
        page += 1
    loaded = [get_document(resources().archive, i) for i in ids[:cap]]   # with site and capture
    return [record(r) for r in loaded if r is not None], total, req.params()


@bp.get("/search/cite")
def cite_search():
    """A search's result as one reference list: ?format=… the file, without it a page."""
    fmt = _format(required=False)
    records, total, params = _search_records()
    if fmt:
        response = _text(formats.render(records, fmt), fmt, "govplans-search")
        response.headers["X-Result-Total"] = str(total)
        return response
    return render_template("cite_search.html", view=search_cite_view(records, total, params))


@bp.get("/search/cite.json")
def cite_search_json():
    _format(required=False)
    records, total, params = _search_records()
    return jsonify(search_cite_view(records, total, params))


def search_cite_view(records: list[formats.CiteRecord], total: int, params: dict) -> dict:
    return {"total": total, "count": len(records), "limit": BULK_MAX,
            "formats": [{"name": name, "label": FORMAT_LABELS[name],
                         "url": url_for("citations.cite_search", format=name, **params)} for name in formats.FORMATS],
            "search_url": url_for("search.search", **params),
            "items": [{"doc_id": r.doc_id, "gbt7714": formats.gbt7714(r)} for r in records]}
