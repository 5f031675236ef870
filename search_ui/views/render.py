"""What every page shares: one view, two forms (the page, and its `.json` twin with the same data),
and a document or a 404."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, jsonify, render_template

from archive.read.documents import Document, get_document
from search_ui.app_resources import resources


def twin(bp: Blueprint, rule: str, endpoint: str, template: str, view: Callable) -> None:
    """Register `rule` and `rule.json` (endpoints `endpoint` and `endpoint_json`): both build
    `view(**path values)` (a dict, or a dict and a status); the page renders it with `template`
    as `view`, the twin returns it as JSON."""
    def page(**values):
        found, status = _with_status(view(**values))
        return render_template(template, view=found), status

    def data(**values):
        found, status = _with_status(view(**values))
        return jsonify(found), status

    bp.add_url_rule(rule, endpoint, page, methods=["GET"])
    bp.add_url_rule(f"{rule}.json", f"{endpoint}_json", data, methods=["GET"])


def _with_status(built) -> tuple[dict, int]:
    return built if isinstance(built, tuple) else (built, 200)


def document_or_404(doc_id: int) -> Document:
    row = get_document(resources().archive, doc_id)
    if row is None:
        abort(404)
    return row
