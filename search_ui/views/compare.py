"""What changed: one document's version against the one before, and two copies side by side."""
from __future__ import annotations

from flask import Blueprint, abort, url_for

from archive.read.documents import Document, version_text
from search_ui import diffing
from search_ui.filters import cn_date
from search_ui.views.render import document_or_404, twin

bp = Blueprint("compare", __name__)
twin(bp, "/doc/<id:doc_id>/versions/<id:number>", "version_diff", "version_diff.html",
     lambda doc_id, number: version_view(document_or_404(doc_id), number))
twin(bp, "/doc/<id:doc_id>/compare/<id:other_id>", "copies", "compare.html",
     lambda doc_id, other_id: compare_view(document_or_404(doc_id), document_or_404(other_id)))


def version_view(row: Document, number: int) -> dict:
    """Version `number` against version `number - 1`; version 1 is shown whole (as text added to
    nothing, `old` null); a version the document does not have is a 404."""
    by_number = {v.number: v for v in row.versions}
    if number not in by_number:
        abort(404, description=f"这份文件没有第 {number} 版（共 {len(by_number)} 版）。")
    old, new = by_number.get(number - 1), by_number[number]
    blocks = diffing.diff_texts(version_text(old.text, old.attachment_text) if old else "",
                                version_text(new.text, new.attachment_text))
    changed_title = old is not None and old.title != new.title
    return {
        "doc": {"id": row.id, "title": row.title or "（无标题）", "doc_url": url_for("documents.show", doc_id=row.id)},
        "old": {"number": old.number, "seen_at": cn_date(old.seen_at), "title": old.title} if old else None,
        "new": {"number": new.number, "seen_at": cn_date(new.seen_at), "title": new.title},
        "title_segments": diffing.char_segments(old.title or "", new.title or "") if changed_title else None,
        "summary": diffing.summary(blocks),
        "blocks": diffing.fold_unchanged(blocks, context=2) if old else blocks,
        "json_url": url_for("compare.version_diff_json", doc_id=row.id, number=number),
    }


def compare_view(left: Document, right: Document) -> dict:
    """Two documents paragraph by paragraph: left is the one the reader came from."""
    blocks = diffing.diff_texts(left.text, right.text)
    return {
        "left": _side(left),
        "right": _side(right),
        "same_family": left.cluster_id is not None and left.cluster_id == right.cluster_id,
        "title_segments": diffing.char_segments(left.title or "", right.title or ""),
        "summary": diffing.summary(blocks),
        "rows": diffing.side_by_side(blocks),
        "swap_url": url_for("compare.copies", doc_id=right.id, other_id=left.id),
        "json_url": url_for("compare.copies_json", doc_id=left.id, other_id=right.id),
    }


def _side(row: Document) -> dict:
    place = " ".join(dict.fromkeys(p for p in (row.province, row.city, row.county) if p))
    return {"id": row.id, "title": row.title or "（无标题）", "region": place,
            "published": row.published.isoformat() if row.published else None,
            "site": row.site.name if row.site else None, "doc_url": url_for("documents.show", doc_id=row.id)}
