"""广东 gkmlpt (政府信息公开目录管理平台): a column is /gkmlpt/index#<category>. The index page
carries `window._CONFIG = {SID: '…', TREE: […]}`; items come as JSON from
/gkmlpt/api/all/<category>?page=N&sid=SID ({"classify": {"post_count": N}, "articles": [{url,
title, date, document_number, publisher, identifier …}]}; pages 0 and 1 are the same, so the walk
starts at 1). A column without a category reads category 0 (all posts).

The walk names an API page by a URL whose site id travels as `gkmlpt_sid` (crawler.urls drops a
`sid` parameter as a session id); `list_request` turns it back into the `sid` the API expects."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit

import scrapy

from crawler.spiders.base import FamilySpider

SID = re.compile(r"""\bSID['"]?\s*:\s*['"]?(\d+)""")
CATEGORY = re.compile(r"^/(?:.*/)?gkmlpt/api/all/(\d+)$")
WALK_SID = "gkmlpt_sid"
CST = timezone(timedelta(hours=8))


def api_url(index_url: str, category: str, page: int, sid: str) -> str:
    """The walk's name of one API page (sid as gkmlpt_sid)."""
    parts = urlsplit(index_url)
    root = parts.path.split("/gkmlpt/")[0]
    return parts._replace(path=f"{root}/gkmlpt/api/all/{category}", query=urlencode({"page": page, WALK_SID: sid}),
                          fragment="").geturl()


def read_config(text: str) -> dict | None:
    """The index page's window._CONFIG: {"sid": …, "tree": [...]} (tree empty when unreadable)."""
    sid = SID.search(text)
    if not sid:
        return None
    tree = []
    start = text.find("TREE")
    if start >= 0:
        bracket = text.find("[", start)
        try:
            tree, _ = json.JSONDecoder().raw_decode(text[bracket:])
        except ValueError:
            tree = []
    return {"sid": sid.group(1), "tree": tree}


def leaves(tree: list) -> list[dict]:
    """Categories that hold posts: nodes without children and without a jump_url."""
    out = []
    for node in tree or ():
        if not isinstance(node, dict):
            continue
        if node.get("children"):
            out += leaves(node["children"])
        elif not node.get("jump_url"):
            out.append(node)
    return out


def article_date(article: dict) -> str | None:
    stamp = article.get("display_publish_time") or article.get("date")
    if isinstance(stamp, (int, float)) and stamp > 0:
        return datetime.fromtimestamp(stamp, CST).date().isoformat()
    created = article.get("created_at")
    return str(created)[:10] if created else None


class GkmlptSpider(FamilySpider):
    name = "gkmlpt"
    family = "gkmlpt"

    def list_request(self, url, site, column, page=1, pending=None, seen_run=0):
        parts = urlsplit(url)
        if CATEGORY.match(parts.path):
            form = dict(parse_qsl(parts.query))
            form["sid"] = form.pop(WALK_SID, "")
            return scrapy.Request(parts._replace(query=urlencode(form)).geturl(), callback=self.parse_list,
                                  errback=self.request_failed, meta={"site_id": site["id"], "govplans_kind": "list"},
                                  cb_kwargs={"site": site, "column": column, "page": page, "pending": pending,
                                             "seen_run": seen_run})
        # the index page: read the site id, then ask the API (one index request per column)
        return scrapy.Request(parts._replace(fragment="").geturl(), callback=self.parse_index, dont_filter=True,
                              errback=self.request_failed, meta={"site_id": site["id"], "govplans_kind": "list"},
                              cb_kwargs={"site": site, "column": column, "category": parts.fragment or "0",
                                         "seen_run": seen_run})

    def parse_index(self, response, site: dict, column: str, category: str, seen_run: int = 0):
        config = read_config(response.text) if hasattr(response, "text") else None
        if config is None:
            self.count_error(site["id"], "gkmlpt_no_config", gave_up=True)
            self.state(site).list_failures += 1
            return
        yield self.list_request(api_url(response.url, category, 1, config["sid"]), site, column, 1, None, seen_run)

    def first_list_request(self, response, site: dict, column: str):
        """For a check of one column (`sites check`, `sites discover`): its first API page."""
        config = read_config(response.text) if hasattr(response, "text") else None
        if config is None:
            return None
        category = column.split("#", 1)[1] if "#" in column else "0"
        return self.list_request(api_url(response.url, category, 1, config["sid"]), site, column)

    def _articles(self, response) -> tuple[dict, list[dict]]:
        try:
            data = json.loads(response.text)
        except (ValueError, AttributeError):
            return {}, []
        if not isinstance(data, dict):
            return {}, []
        articles = [a for a in data.get("articles") or () if isinstance(a, dict) and a.get("url")]
        return data.get("classify") or {}, articles

    def list_items(self, response):
        for article in self._articles(response)[1]:
            listing = {"title": article.get("title"), "published": article_date(article),
                       "doc_number": article.get("document_number") or None,
                       "agency": article.get("publisher") or None, "index_number": article.get("identifier") or None}
            yield response.urljoin(str(article["url"])), {k: v for k, v in listing.items() if v}

    def list_root(self, response):
        return None        # JSON: the listing carries each item's date and title

    def list_pages(self, response, column: str):
        classify, articles = self._articles(response)
        total = classify.get("post_count") if isinstance(classify.get("post_count"), int) else 0
        if not articles or total <= len(articles):
            return ()
        pages = -(-total // len(articles))
        parts = urlsplit(response.url)
        form = dict(parse_qsl(parts.query))
        sid = form.get("sid", "")
        return [parts._replace(query=urlencode({"page": n, WALK_SID: sid})).geturl() for n in range(2, pages + 1)]
