"""The API's description (the API itself is the .json twin of every page), and the site's icon."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_from_directory

from search_ui import openapi

bp = Blueprint("api", __name__)


@bp.get("/api/openapi.json")
def openapi_document():
    response = jsonify(openapi.document(request.url_root))
    response.headers["Access-Control-Allow-Origin"] = "*"   # so API viewers elsewhere can read it
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask every site for it; ours is a page in the masthead's red (static/favicon.ico)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 86400)
