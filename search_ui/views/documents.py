"""One document: every field with where it came from, the text, the archived page, versions
with what changed, and the same template published elsewhere."""
from __future__ import annotations

import math
import os
import re

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from archive.read import citations, templates
from archive.read.captures import HTML_TYPES, mimetype_of
from archive.read.documents import Document, document_record, recognition, version_text
from archive.read.replay import replay_address, stamp
from search_ui import diffing
from search_ui.app_resources import resources
from search_ui.facets import STATUS_LABELS
from search_ui.errors import BadParameters
from search_ui.filters import cn_date
from search_ui.params import Checker
from search_ui.query import ID_SLOT, url_pattern
from search_ui.views.render import document_or_404

bp = Blueprint("documents", __name__)

# (field, label): the metadata table, in the order a 信息公开 page lists them
FIELDS = (("title", "标题"), ("doc_number", "文号"), ("index_number", "索引号"), ("agency", "发布机构"),
          ("written", "成文日期"), ("published", "发布日期"), ("region", "地区"), ("year", "年度"),
          ("doc_type", "文种"), ("themes", "主题"), ("subject", "主题分类"), ("validity", "有效性"))
_SPACE = re.compile(r"\s+")
_LEVEL2 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
_LEVEL3 = re.compile(r"^[0-9０-９]+[.．、]")


@bp.get("/doc/<id:doc_id>")
def show(doc_id: int):
    row = document_or_404(doc_id)
    return render_template("document.html", doc=document_view(row))


@bp.get("/doc/<id:doc_id>.json")
def show_json(doc_id: int):
    row = document_or_404(doc_id)
    record = document_record(row)
    record["site_name"] = row.site.name if row.site else None
    ocr = recognition(resources().archive, row.id)
    record["attachments"] = [{"url": a.url, "name": a.name, "ext": a.ext, "text": a.text,
                              "recognition": ocr.get(a.id)} for a in row.attachments]
    record["versions"] = versions(row)
    record["capture"] = capture(row)
    page = copies(row, json=True)
    record["copies"] = page.pop("items")
    record.update({f"copies_{name}": value for name, value in page.items()})
    record.update(graph(row))
    return jsonify(record)


def document_view(row: Document) -> dict:
    sources = dict(row.sources or {})
    fields = []
    for name, label in FIELDS:
        fields.append({"name": name, "label": label, "value": _value(row, name), "source": sources.pop(name, None)})
    encoding = sources.pop("encoding", None)  # a fact about the capture, not a field's provenance
    if encoding:
        fields.append({"name": "encoding", "label": "页面编码", "value": encoding, "source": "decoding"})
    # the page's own text (its latest version's): the files' texts are shown with the files
    own = row.versions[-1].text if row.versions else row.text
    paragraphs, toc = _text_and_toc(own or "", list(row.outline or ()))
    return {
        "id": row.id,
        "title": row.title or "（无标题）",
        "fields": fields,
        "other_sources": sorted(sources.items()),   # provenance of fields the table does not list
        "paragraphs": paragraphs,
        "toc": toc,
        "url": row.url,
        "site": {"id": row.site.id, "name": row.site.name, "base_url": row.site.base_url} if row.site else None,
        "status": row.status,
        "status_label": STATUS_LABELS.get(row.status, row.status),
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "captured": row.capture.fetched_at if row.capture else None,
        "evidence_lost_at": row.evidence_lost_at,
        "attachments": _attachments(row),
        "versions": versions(row),
        "latest_change": latest_change(row),
        "capture": capture(row),
        "copies": copies(row),
        **graph(row),
    }


OCR_LABELS = {"pending": "等待文字识别", "running": "正在文字识别", "done": "文字识别", "failed": "文字识别失败"}


def _attachments(row: Document) -> list[dict]:
    """Each attachment with its recognition state: a scan's text is marked as recognised."""
    ocr = recognition(resources().archive, row.id)
    out = []
    for a in sorted(row.attachments, key=lambda a: a.id):
        job = ocr.get(a.id)
        label = None
        if job:
            label = OCR_LABELS.get(job["status"], job["status"])
            if job["status"] == "done" and job["confidence"] is not None:
                label += f"（置信度 {job['confidence']:.0%}）"
        out.append({"url": a.url, "name": a.name, "ext": a.ext, "text": a.text, "ocr": label,
                    "ocr_status": job["status"] if job else None})
    return out


def graph(row: Document) -> dict:
    """What the document cites (依据 / 引用) and what cites it (被引用), each with doc_number,
    title and doc_id (None: not archived, or not matched), and the links to follow them."""
    doc_url = url_pattern("documents.show", doc_id=ID_SLOT)
    archive = resources().archive
    cites = [{**c, "doc_url": doc_url.format(c["doc_id"]) if c["doc_id"] else None}
             for c in citations.cites(archive, row.id)]
    cited_by = [{**c, "doc_url": doc_url.format(c["doc_id"])} for c in citations.cited_by(archive, row.id)]
    return {"cites": cites, "cited_by": cited_by, "cited_by_total": citations.cited_by_count(archive, row.id),
            "chain_url": url_for("citations.chain", doc_id=row.id),
            "cite_url": url_for("citations.cite", doc_id=row.id)}


def capture(row: Document) -> dict | None:
    """The archived page, when there is one a browser can show (HTML kept in a WARC file)."""
    cap = row.capture
    if cap is None or not cap.warc_file:
        return None
    if mimetype_of(cap.headers) not in HTML_TYPES:
        return None
    return {"id": cap.id, "raw_url": url_for("captures.raw", capture_id=cap.id),
            "fetched_at": cap.fetched_at.isoformat(timespec="minutes"), "replay": replay(cap.fetched_at, cap.url)}


def replay(fetched_at, url: str) -> dict:
    """Where a replay tool (pywb, ReplayWeb.page over `govplans export --format wacz`) shows the
    archived copy: TIMESTAMP/URL, under $GOVPLANS_REPLAY_URL when one is set (else no link)."""
    prefix = current_app.config.get("REPLAY_URL") or os.environ.get("GOVPLANS_REPLAY_URL")
    return {"timestamp": stamp(fetched_at), "url": url, "path": f"{stamp(fetched_at)}/{url}",
            "href": replay_address(prefix, fetched_at, url) if prefix else None}


def versions(row: Document) -> list[dict]:
    return [{"number": v.number, "seen_at": v.seen_at.isoformat(timespec="minutes"), "title": v.title,
             "content_hash": v.content_hash, "current": v is row.versions[-1],
             "diff_url": url_for("compare.version_diff", doc_id=row.id, number=v.number),
             "capture_url": url_for("captures.raw", capture_id=v.capture_id) if v.capture_id else None}
            for v in row.versions]


def latest_change(row: Document) -> dict | None:
    """What the newest version changed, unchanged paragraphs folded (None: never edited)."""
    if len(row.versions) < 2:
        return None
    old, new = row.versions[-2], row.versions[-1]
    blocks = diffing.diff_texts(version_text(old.text, old.attachment_text), version_text(new.text, new.attachment_text))
    return {"old": old.number, "new": new.number, "summary": diffing.summary(blocks),
            "blocks": diffing.fold_unchanged(blocks)}


MAX_COPIES_PAGE = 100_000


def copies_page_number() -> int:
    """?copies_page=N (1 when absent); anything but 1 to MAX_COPIES_PAGE is refused (400)."""
    check = Checker(request.args)
    number = check.integer("copies_page", "同模板文件的页码 copies_page", 1, MAX_COPIES_PAGE)
    if check.problems:
        raise BadParameters(check.problems)
    return number or 1


def copies(row: Document, json: bool = False) -> dict:
    """One page (COPIES_PAGE_SIZE) of the other documents of this one's template family, by
    date, each with a compare link, and how many there are in all.

    A template adopted by thousands of counties would otherwise list thousands of rows (and
    build two URLs per row) on every one of its documents' pages; ?copies_page=N pages on.
    """
    size = current_app.config["COPIES_PAGE_SIZE"]
    archive = resources().archive
    number = copies_page_number()
    found = templates.copies_page(archive, row.cluster_id, row.id, (number - 1) * size, size)
    pages = math.ceil(found.total / size) if size else 0
    if not found.members and found.total and number > pages:   # past the end: the last page
        number = pages
        found = templates.copies_page(archive, row.cluster_id, row.id, (number - 1) * size, size)
    doc_url = url_pattern("documents.show", doc_id=ID_SLOT)
    compare_url = url_pattern("compare.copies", doc_id=row.id, other_id=ID_SLOT)
    items = [{"id": m.id, "title": m.title, "region": m.region_label, "region_code": m.region_code,
              "published": m.published.isoformat() if m.published else None, "site": m.site_name,
              "aggregator": m.aggregator, "canonical": m.id == found.canonical_id,
              "doc_url": doc_url.format(m.id), "compare_url": compare_url.format(m.id)}
             for m in found.members]
    endpoint = "documents.show_json" if json else "documents.show"

    def page_url(n: int) -> str | None:
        if not 1 <= n <= pages or n == number:
            return None
        url = url_for(endpoint, doc_id=row.id, copies_page=n if n > 1 else None)
        return url if json else url + "#copies"

    view = {"items": items, "total": found.total, "page": number, "pages": pages, "page_size": size,
            "prev_url": page_url(number - 1), "next_url": page_url(number + 1)}
    if not json:
        view.update({"first": (number - 1) * size + 1 if items else 0, "last": (number - 1) * size + len(items),
                     "first_url": page_url(1) if number > 2 else None,
                     "last_url": page_url(pages) if number < pages - 1 else None})
    return view


def _value(row: Document, name: str) -> str:
    if name == "region":
        parts = list(dict.fromkeys(p for p in (row.province, row.city, row.county) if p))
        if row.region_code:
            parts.append(f"({row.region_code})")
        return " ".join(parts)
    if name == "themes":
        return "、".join(row.themes or ())
    if name in ("published", "written"):
        return cn_date(getattr(row, name))
    value = getattr(row, name)
    return "" if value is None else str(value)


def _text_and_toc(text: str, outline: list[str]) -> tuple[list[dict], list[dict]]:
    """Paragraphs of the text, with anchors on the ones that start an outline heading."""
    paragraphs = [{"text": line.strip(), "anchor": None} for line in text.splitlines() if line.strip()]
    toc = []
    start = 0
    for number, heading in enumerate(outline, 1):
        key = _SPACE.sub("", heading)
        anchor = None
        for i in range(start, len(paragraphs)):
            if key and _SPACE.sub("", paragraphs[i]["text"]).startswith(key):
                anchor = paragraphs[i]["anchor"] = f"s{number}"
                start = i + 1
                break
        toc.append({"text": heading, "anchor": anchor, "level": _level(heading)})
    return paragraphs, toc


def _level(heading: str) -> int:
    """一、 -> 1, （一） -> 2, 1. -> 3: the indent in the table of contents."""
    heading = heading.strip()
    return 2 if _LEVEL2.match(heading) else 3 if _LEVEL3.match(heading) else 1
