"""Saved searches in the UI: save the current search (POST /saved) and follow its new matches
as an Atom feed (GET /saved/<feed key>.atom: new, changed and withdrawn documents it finds, newest
first). The feed key is random (archive/models/operations.py): ids count up, so feeds by id could be read
by anyone guessing them.

POST /saved is a state change, so it needs a token: the admin token (config or environment
GOVPLANS_ADMIN_TOKEN, as form field `token` or header X-Govplans-Token), or the form token the
search page embeds (an HMAC of the app's SECRET_KEY; another site cannot read it) together with
a same-origin Origin header when the browser sends one. E-mail and webhook targets are taken
only with the admin token: a webhook makes the server send requests, which is for operators.
Without the admin token, one client address may save SAVED_PER_HOUR searches an hour (429 after).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from archive.index.syntax import QuerySyntaxError, parse_query
from archive.operations.notify import KIND_LABELS, matches
from archive.store.saved import add_saved, clean_filters, get_saved_by_feed_key
from search_ui import atom as atom_xml
from search_ui.app_resources import resources
from search_ui.errors import BadParameters, error_response
from search_ui.filters import safe_href
from search_ui.params import EMAIL, control_characters, shown
from search_ui.query import FILTER_NAMES, SearchRequest, parse_request

bp = Blueprint("saved", __name__)
FEED_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class SaveLimiter:
    """At most `per_hour` saves per client address in any hour (sliding window, per process)."""

    def __init__(self):
        self._times: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, per_hour: int, now: float | None = None) -> float:
        """0 when allowed (and counted), else seconds until the next save is allowed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._times.setdefault(client, deque())
            while times and now - times[0] >= 3600:
                times.popleft()
            if len(times) >= per_hour:
                return 3600 - (now - times[0])
            times.append(now)
            if len(self._times) > 10_000:   # forget idle clients rather than grow without bound
                for key in [k for k, v in self._times.items() if not v or now - v[-1] >= 3600]:
                    del self._times[key]
            return 0.0


@bp.record_once
def _limiter(state):
    state.app.extensions["govplans.saves"] = SaveLimiter()


def _secret() -> bytes:
    key = current_app.config.get("SECRET_KEY")
    if not key:   # one per app: set SECRET_KEY when several processes serve the UI
        key = current_app.config["SECRET_KEY"] = secrets.token_hex(32)
    return key.encode() if isinstance(key, str) else key


def form_token() -> str:
    """The token the search page puts in its save form."""
    return hmac.new(_secret(), b"govplans:saved-search", hashlib.sha256).hexdigest()


def admin_token() -> str | None:
    return current_app.config.get("GOVPLANS_ADMIN_TOKEN") or os.environ.get("GOVPLANS_ADMIN_TOKEN") or None


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True   # browsers send Origin on cross-site POSTs; without one the token alone decides
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def _authorised() -> tuple[bool, bool]:
    """(may save, is admin)."""
    given = (request.form.get("token") or request.headers.get("X-Govplans-Token") or "").encode()
    admin = admin_token()
    if admin and hmac.compare_digest(given, admin.encode()):   # bytes: any token, even non-ASCII, compares
        return True, True
    return hmac.compare_digest(given, form_token().encode()) and _same_origin(), False


@bp.app_context_processor
def _template_helpers():
    return {"saved_form_token": form_token}


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FORM_FIELDS = frozenset(("token", "name", "q", "email", "webhook", "owner", *FILTER_NAMES))


@bp.post("/saved")
def create():
    if request.mimetype not in FORM_TYPES:
        abort(415, description="保存检索须提交表单（application/x-www-form-urlencoded）。")
    allowed, is_admin = _authorised()
    if not allowed:
        abort(403)
    form = request.form
    req = runnable_search(form)
    query, filters = req.q, clean_filters(req.active_filters())
    email, webhook = form.get("email") or None, form.get("webhook") or None
    if (email or webhook) and not is_admin:
        abort(403)
    if not is_admin:
        wait = current_app.extensions["govplans.saves"].allow(request.remote_addr or "?",
                                                              current_app.config["SAVED_PER_HOUR"])
        if wait:
            return error_response(429, "这个地址一小时内保存的检索太多，请稍后再试。",
                                  headers={"Retry-After": str(int(wait) + 1)})
    try:
        row = add_saved(resources().archive, (form.get("name") or query or "全部文件")[:200], query, filters,
                        email=email, webhook_url=webhook, owner=form.get("owner") or None, notify_from_now=True)
    except ValueError as error:
        raise BadParameters({"email" if "mail" in str(error) else "webhook": str(error)}) from None
    feed = url_for("saved.atom", feed_key=row.feed_key)
    return render_template("saved.html", saved=row, feed_url=feed), 201, {"Location": feed}


def runnable_search(form) -> SearchRequest:
    """The search a form asks to save, refused (400) when it could never run: a parameter the
    search would refuse, a control character anywhere, a query too long or that does not parse."""
    unknown = [name for name in form if name not in FORM_FIELDS]
    if unknown:
        raise BadParameters({name[:40]: f"表单没有 {shown(name)} 这一项。" for name in unknown[:5]})
    for name, value in form.items(multi=True):
        if control_characters(name) or control_characters(value):
            raise BadParameters({name[:40]: f"{shown(name)} 含有控制字符（如 NUL），不能保存。"})
    req = parse_request(form)
    if req.invalid:
        raise BadParameters(dict(req.invalid))
    if req.q:
        try:
            parse_query(req.q)
        except QuerySyntaxError as error:
            raise BadParameters({"q": f"检索词无法执行：{error}"}) from None
    for name in ("email", "webhook"):
        if name in form and not form[name].strip():
            raise BadParameters({name: f"{name} 为空：不用时请去掉这一项。"})
    if "email" in form and not EMAIL.fullmatch(form["email"].strip()):
        raise BadParameters({"email": f"“{shown(form['email'])}”不是电子邮件地址。"})
    for name, limit in (("name", 200), ("owner", 200)):
        if len(form.get(name) or "") > limit:
            raise BadParameters({name: f"{name} 太长（最多 {limit} 字）。"})
    return req


@bp.get("/saved/<feed_key>.atom")
def atom(feed_key: str):
    saved = get_saved_by_feed_key(resources().archive, feed_key) if FEED_KEY.fullmatch(feed_key) else None
    if saved is None:
        abort(404)
    try:
        events = matches(resources().archive, resources().index_dir, saved, after_id=0,
                         limit=current_app.config["FEED_SIZE"])
        error = None
    except ValueError as exc:
        events, error = [], str(exc)
    return Response(feed_xml(saved, list(reversed(events)), error), content_type="application/atom+xml; charset=utf-8")


def feed_xml(saved, events, error: str | None = None) -> bytes:
    """Newest event first; each entry is one event (a document new, changed or withdrawn in a run)."""
    self_url = url_for("saved.atom", feed_key=saved.feed_key, _external=True)
    feed = atom_xml.new_feed(self_url, f"政府方案档案·保存的检索：{saved.name}",
                         max((e.at for e in events), default=saved.created),
                         subtitle=error or f"检索「{saved.query}」的新增、修改与撤下文件")
    for event in events:
        entry = atom_xml.sub(feed, "entry")
        page = url_for("documents.show", doc_id=event.document_id, _external=True)
        atom_xml.sub(entry, "id", f"{self_url}#event-{event.id}")
        atom_xml.sub(entry, "title", f"【{KIND_LABELS.get(event.kind, event.kind)}】{event.title or '（无标题）'}")
        atom_xml.sub(entry, "updated", atom_xml.stamp(event.at))
        if event.published:
            atom_xml.sub(entry, "published", f"{event.published.isoformat()}T00:00:00+08:00")
        atom_xml.category(entry, event.kind)
        atom_xml.link(entry, "alternate", page, "text/html")
        original = safe_href(event.url)
        if original:
            atom_xml.link(entry, "related", original, "text/html")
        atom_xml.sub(entry, "summary", f"{KIND_LABELS.get(event.kind, event.kind)} · {event.site or ''} · {event.url}",
                 type="text")
    return atom_xml.serialise(feed)
