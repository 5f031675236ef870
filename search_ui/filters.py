"""Template filters for scraped text: only <mark> survives as markup, only http(s) as a link."""
from __future__ import annotations

import html
import re
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup, escape

_MARK_OR_TAG = re.compile(r"(</?mark\s*>)|<[!/?a-z][^>]*>?", re.IGNORECASE)
_SPECIAL = re.compile(r"[&<>\"']")
_BARE_MARK = re.compile(r"</?mark>")


def marks(fragment: str | None) -> Markup:
    """Highlighted text from the index -> markup with nothing but balanced <mark> tags.

    The index escapes already; this is the second line: any other tag is dropped and the
    text between tags is unescaped then escaped again, so entities stay single-escaped.
    A fragment that is already that (plain text and bare, balanced, unnested <mark>s: what
    the index gives for most hits) comes back as it is, for the same result without the work.
    """
    if not fragment:
        return Markup("")
    if not _SPECIAL.search(_BARE_MARK.sub("", fragment)):
        tags = _BARE_MARK.findall(fragment)
        if tags == ["<mark>", "</mark>"] * (len(tags) // 2):
            return Markup(fragment)
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


def facet_items(items) -> Markup:
    """The <li> of each facet value ({"label", "count", "url", "selected"}, search_ui/facets.py).

    A page lists a hundred or more; written here rather than in _facets.html because each
    template expression is an autoescape call. Label and link are escaped, the count is an int.
    """
    out = []
    for item in items:
        selected = item["selected"]
        label = escape(item["label"])
        url = item["url"]
        if url:
            body = f'<a href="{escape(url)}"{_UNSELECT if selected else ""}>{label}</a>'
        else:
            body = f'<span class="label">{label}</span>'
        count = int(item["count"])
        out.append(f'<li{_SELECTED if selected else ""}>{body}\n  <span class="count">{count}</span>\n</li>')
    return Markup("".join(out))


_SELECTED, _UNSELECT = ' class="selected"', ' title="取消此条件"'


def hit_items(hits) -> Markup:
    """The <li> of each search hit (search._hit's dicts), for the same reason as facet_items.

    Every string is escaped; title_html and snippet_html are Markup from `marks` (escaped text
    with bare <mark> only) and pass as they are; a plain string there is escaped whole.
    """
    out = []
    for hit in hits:
        meta = []
        region = hit["region"]["label"]
        if region:
            meta.append(f'<span class="region">{escape(region)}</span>')
        if hit["published"]:
            meta.append(f'<span class="date">{escape(hit["published"])}</span>')
        if hit["year"]:
            meta.append(f'<span class="year">{escape(hit["year"])}年度</span>')
        if hit["doc_type"]:
            meta.append(f'<span class="doctype">{escape(hit["doc_type"])}</span>')
        meta.extend(f'<span class="theme">{escape(theme)}</span>' for theme in hit["themes"])
        out.append(f'<li class="hit">\n  <h3 class="hit-title"><a href="{escape(hit["doc_url"])}">'
                   f'{escape(hit["title_html"])}</a></h3>\n  <p class="hit-meta">{"".join(meta)}\n  </p>\n')
        if hit["snippet_html"]:
            out.append(f'  <p class="snippet">{escape(hit["snippet_html"])}</p>\n')
        href = safe_href(hit["url"])
        if href:
            out.append(f'  <p class="hit-source"><a href="{escape(href)}" rel="noopener noreferrer nofollow">'
                       f'{escape(hit["url"])}</a></p>\n')
        out.append("</li>\n")
    return Markup("".join(out))


def register(app: Flask) -> None:
    app.add_template_filter(marks, "marks")
    app.add_template_filter(safe_href, "safe_href")
    app.add_template_filter(cn_date, "cn_date")
    app.add_template_global(facet_items, "facet_items")
    app.add_template_global(hit_items, "hit_items")
    from search_ui.charts import bar_chart_svg, province_grid_svg
    app.add_template_global(bar_chart_svg, "bar_chart_svg")
    app.add_template_global(province_grid_svg, "province_grid_svg")
