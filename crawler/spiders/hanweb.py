"""大汉 JCMS portals: a column page /col/colNNN/index.html holds no items, only the jpage script's
config (proxyUrl, perPage, groupSize, ajaxParam with columnid, unitid, webid …). Items come from
POST /module/web/jpage/dataproxy.jsp (startrecord, endrecord, perpage) as XML:
<datastore><recordset><record><![CDATA[<li>…</li>]]></record>…</recordset><totalrecord>N</totalrecord>.

A dataproxy page is named by a URL carrying its form in the query (proxy?columnid=…&startrecord=1…),
so the walk stays plain strings; `list_request` turns it into the POST the portal expects.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import lxml.html
import scrapy

from crawler.spiders.base import FamilySpider
from crawler.spiders.lists import usable_href

PROXY = "/module/web/jpage/dataproxy.jsp"
_PROXY_URL = re.compile(r"""proxyUrl\s*:\s*['"]([^'"]+)['"]""")
_PER_PAGE = re.compile(r"perPage\s*:\s*['\"]?(\d+)")
_GROUP = re.compile(r"groupSize\s*:\s*['\"]?(\d+)")
_AJAX = re.compile(r"ajaxParam\s*:\s*\{(.*?)\}", re.S)
_PAIR = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,\s}]+))""")
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)


def jpage_config(text: str) -> dict | None:
    """The jpage call of a column page: {"proxy": path, "perpage": n, "group": n, "params": {…}}."""
    ajax = _AJAX.search(text)
    if not ajax:
        return None
    params = {m[1]: next(v for v in m.groups()[1:] if v is not None) for m in _PAIR.finditer(ajax.group(1))}
    proxy = _PROXY_URL.search(text)
    per_page = _PER_PAGE.search(text)
    group = _GROUP.search(text)
    return {"proxy": proxy.group(1) if proxy else PROXY, "perpage": int(per_page.group(1)) if per_page else 15,
            "group": int(group.group(1)) if group else 3, "params": params}


def group_url(base: str, config: dict, start: int) -> str:
    """The pseudo-URL of one dataproxy request: records start … start + perpage × group − 1."""
    size = config["perpage"] * config["group"]
    form = dict(config["params"], startrecord=start, endrecord=start + size - 1, perpage=config["perpage"])
    return urljoin(base, config["proxy"]) + "?" + urlencode(form)


def records_root(text: str):
    """The <li> items of a datastore's records as one HTML tree (None when there are none)."""
    records = _RECORD.findall(text)
    return lxml.html.fromstring("<ul>" + "".join(records) + "</ul>") if records else None


def is_datastore(response) -> bool:
    return "govplans_form" in response.meta


class JpageLists:
    """jpage/dataproxy list walking, for the hanweb spider and for the generic one that meets it."""

    def list_request(self, url, site, column, page=1, pending=None, seen_run=0, **kwargs):
        parts = urlsplit(url)
        if not parts.path.endswith("dataproxy.jsp"):
            return super().list_request(url, site, column, page, pending, seen_run, **kwargs)
        form = dict(parse_qsl(parts.query, keep_blank_values=True))
        return scrapy.FormRequest(parts._replace(query="").geturl(), formdata=form, callback=self.parse_list,
                                  errback=self.request_failed,
                                  meta={"site_id": site["id"], "govplans_kind": "list", "govplans_form": form},
                                  cb_kwargs={"site": site, "column": column, "page": page, "pending": pending,
                                             "seen_run": seen_run})

    def jpage_request(self, response, site: dict, column: str, seen_run: int = 0):
        """From a column page with a jpage config: the request for its first group of records."""
        config = jpage_config(response.text) if hasattr(response, "text") else None
        if config is None:
            return None
        return self.list_request(group_url(response.url, config, 1), site, column, 1, None, seen_run)

    def first_list_request(self, response, site: dict, column: str):
        """For a check of one column (`sites check`, `sites discover`): its first dataproxy request."""
        return self.jpage_request(response, site, column)

    def list_root(self, response):
        """A datastore's records as one tree (their dates sit beside the links), else the page."""
        if is_datastore(response):
            return records_root(response.text)
        return super().list_root(response)

    def datastore_pages(self, response) -> list[str]:
        form = response.meta.get("govplans_form") or {}
        total = _TOTAL.search(response.text)
        if not total or "startrecord" not in form:
            return []
        start, end = int(form["startrecord"]), int(form["endrecord"])
        size = end - start + 1
        base = response.url.split("?")[0]
        return [base + "?" + urlencode(dict(form, startrecord=s, endrecord=s + size - 1))
                for s in range(end + 1, int(total.group(1)) + 1, size)]


class HanwebSpider(JpageLists, FamilySpider):
    name = "hanweb"
    family = "hanweb"

    def list_request(self, url, site, column, page=1, pending=None, seen_run=0):
        if urlsplit(url).path.endswith("dataproxy.jsp"):
            return super().list_request(url, site, column, page, pending, seen_run)
        # A column page: read its jpage config, then ask the proxy.
        return scrapy.Request(url, callback=self.parse_column, errback=self.request_failed,
                              meta={"site_id": site["id"], "govplans_kind": "list"},
                              cb_kwargs={"site": site, "column": column, "seen_run": seen_run})

    def parse_column(self, response, site: dict, column: str, seen_run: int = 0):
        request = self.jpage_request(response, site, column, seen_run)
        if request is None:  # a static column page after all: read it as a list
            yield from self.parse_list(response, site, column, seen_run=seen_run)
        else:
            yield request

    def detail_links(self, response):
        root = records_root(response.text) if is_datastore(response) else response.selector.root
        if root is None:
            return
        for anchor in root.iter("a"):
            if usable_href(anchor.get("href")):
                yield response.urljoin(anchor.get("href").strip())

    def list_pages(self, response, column: str):
        return self.datastore_pages(response) if is_datastore(response) else ()
