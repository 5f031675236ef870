"""The API's description; the API itself is the .json twin of every page."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from search_ui import openapi

bp = Blueprint("api", __name__)


@bp.get("/api/openapi.json")
def openapi_document():
    response = jsonify(openapi.document(request.url_root))
    response.headers["Access-Control-Allow-Origin"] = "*"   # so API viewers elsewhere can read it
    return response
