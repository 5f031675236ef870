"""Template filters for scraped text: only <mark> survives as markup, only http(s) as a link."""
from __future__ import annotations

import html
import re
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup, escape

_MARK_OR_TAG = re.compile(r"(</?mark\s*>)|<[!/?a-z][^>]*>?", re.IGNORECASE)


def marks(fragment: str | None) -> Markup:
    """Highlighted text from the index -> markup with nothing but balanced <mark> tags.

    The index escapes already; this is the second line: any other tag is dropped and the
    text between tags is unescaped then escaped again, so entities stay single-escaped.
    """
    out: list[str] = []
    depth = 0
    position = 0
    for match in _MARK_OR_TAG.finditer(fragment or ""):
        out.append(str(escape(html.unescape(fragment[position:match.start()]))))
        position = match.end()
        tag = (match.group(1) or "").lower()
        if tag.startswith("<mark"):
            out.append("<mark>")
            depth += 1
        elif tag.startswith("</mark") and depth:
            out.append("</mark>")
            depth -= 1
    out.append(str(escape(html.unescape((fragment or "")[position:]))))
    out.append("</mark>" * depth)
    return Markup("".join(out))


def safe_href(url: str | None) -> str | None:
    """A scraped URL usable as a link, or None (javascript:, data: and the like are not)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def cn_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def register(app: Flask) -> None:
    app.add_template_filter(marks, "marks")
    app.add_template_filter(safe_href, "safe_href")
    app.add_template_filter(cn_date, "cn_date")
