"""A link urlsplit refuses (http://[::1 …) on a list or detail page: every spider skips it and keeps
the rest of the page. Before, one such href raised ValueError out of the callback and lost the
whole list page (found by fuzz/targets.py: urls)."""
from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.spiders.aggregator import AggregatorSpider
from crawler.spiders.generic import GenericSpider
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.legacy import LegacySpider
from crawler.spiders.trs import TrsSpider
from crawler.spiders.xxgk import XxgkSpider
from crawler.urls import canonical_url

BASE = "http://www.qiyang.gov.cn.test"
BAD = ["http://[::1/zwgk/202405/t20240524_9.html", "http://[/ins.asp?i=9&s=1", "//[x/fanwen/9.html",
       "http://[::1/P020240524.pdf"]


def hostile_list_page(column: str) -> HtmlResponse:
    bad = "".join(f'<li><a href="{href}">关于印发2024年政务公开工作要点的通知</a><span>2024-05-0{i + 1}</span></li>'
                  for i, href in enumerate(BAD))
    body = f"""<html><body><ul>{bad}
      <li><a href="./202405/t20240524_1.html">关于印发2024年政务公开日活动方案的通知</a><span>2024-05-24</span></li>
      <li><a href="/ins.asp?i=7&amp;s=12">关于开展政务公开宣传周的通知</a><span>2024-05-20</span></li>
      <li><a href="/zwgk/tzgg/12.html">政务公开日活动方案范文</a><span>2024-05-19</span></li>
      <li><a href="./P020240524.pdf">活动安排表.pdf</a></li></ul>
      <table><tr><th>索引号</th><th>标题</th><th>文号</th><th>成文日期</th></tr>
      <tr><td>431121-2024-1</td><td><a href="{BAD[0]}">关于印发方案的通知</a></td><td>祁政发〔2024〕1号</td><td>2024-05-01</td></tr>
      <tr><td>431121-2024-2</td><td><a href="./202405/t20240524_2.html">关于印发办法的通知</a></td><td>祁政发〔2024〕2号</td><td>2024-05-02</td></tr></table>
      <a href="{BAD[0]}">下一页</a><a href="{BAD[1]}">尾页</a><a href="index_1.html">下一页</a></body></html>"""
    request = Request(column, cb_kwargs={"column": column})
    return HtmlResponse(column, body=body.encode("utf-8"), encoding="utf-8", request=request)


@pytest.mark.parametrize("spider_class", [TrsSpider, LegacySpider, GenericSpider, XxgkSpider, HanwebSpider,
                                          AggregatorSpider])
def test_every_spider_skips_a_link_urlsplit_refuses(spider_class):
    site = {"id": "qiyang", "name": "祁阳市人民政府", "region": "431121", "family": spider_class.family,
            "base_url": BASE, "columns": ["/zwgk/tzgg/"]}
    spider = spider_class(sites=[site])
    column = f"{BASE}/zwgk/tzgg/index.html"
    response = hostile_list_page(column)
    items = [url for url, _ in spider.list_items(response)]
    pages = list(spider.list_pages(response, column))
    following = spider.next_page(response)
    files = list(spider.attachment_links(response))
    for url in items + pages + files + ([following] if following else []):
        assert "[" not in url, url
    assert items or spider_class in (HanwebSpider,), "the good links on the page are still found"


@pytest.mark.parametrize("url", ["http://[::1", "  http://[x/a;jsessionid=1  ", "//[", "http://[::1]:80/a;sid=2?sid=3"])
def test_canonical_url_never_raises_and_is_idempotent(url):
    once = canonical_url(url)
    assert canonical_url(once) == once
