"""The generic spider: told only the start columns, it finds list pages by their dated links,
follows the plan- and notice-like ones and pages through 下一页 / 尾页 / index_N / ?page=N."""
from __future__ import annotations

import lxml.html
import pytest

from crawler.spiders.generic import GenericSpider
from crawler.spiders.lists import dated_links, read_pager
from crawler.urls import canonical_url
from tests.crawler.conftest import document_urls, sites_of, yield_by_site

LIST = """<html><body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
<ul class="list">
<li><a href="./202405/t20240524_1.html" title="某县2024年政务公开工作要点">某县2024年政务公开工作要点</a><span>2024-05-24</span></li>
<li><a href="./202405/t20240520_2.html">关于印发《某县安全生产月活动方案》的通…</a><span>2024-05-20</span></li>
<li><a href="./202404/t20240411_3.html">某县召开春季运动会</a><span>2024-04-11</span></li>
<li><a href="/ins.asp?i=4&amp;s=12">某县乡村振兴工作总结</a></li><li>2024年4月2日</li>
</ul>
<div class="page">共30条 <a href="index.html">首页</a> <a href="index_1.html">下一页</a> <a href="index_4.html">尾页</a></div>
</body></html>"""


def test_dated_links_are_the_list_items_in_page_order():
    links = dated_links(lxml.html.fromstring(LIST), "http://h/zwgk/tzgg/")
    assert [link.url for link in links] == ["http://h/zwgk/tzgg/202405/t20240524_1.html",
                                           "http://h/zwgk/tzgg/202405/t20240520_2.html",
                                           "http://h/zwgk/tzgg/202404/t20240411_3.html"]
    assert links[0].date == "2024-05-24" and links[0].title == "某县2024年政务公开工作要点"


def test_plan_like_titles_are_followed_and_news_is_not():
    keep = GenericSpider.looks_like_document
    words = ["方案", "要点", "通知", "总结"]
    assert keep("某县2024年政务公开工作要点", "某县2024年政务公开工作要点", words)
    assert keep("关于印发《某县安全生产月活动方案》的通…", "关于印发《某县安全生产月活动方案》的通…", words)
    assert not keep("某县召开春季运动会", "某县召开春季运动会", words)
    assert keep("某县召开春季运动会", "某县召开春季运动会", [])   # no keywords: every dated link


def test_pager_between_next_and_last_gives_every_page():
    pager = read_pager(lxml.html.fromstring(LIST), "http://h/zwgk/tzgg/")
    assert pager.pages == [f"http://h/zwgk/tzgg/index_{n}.html" for n in range(1, 5)]


@pytest.mark.parametrize("links, expected", [
    ('<a href="?page=2">下一页</a><a href="?page=5">尾页</a>', [f"http://h/l/?page={n}" for n in range(2, 6)]),
    ('<a href="list_2.html">2</a><a href="list_3.html">3</a><a href="list_2.html">下一页</a>',
     ["http://h/l/list_2.html", "http://h/l/list_3.html"]),
    ('<a href="list.asp?s=12&amp;page=2&amp;sid=ab12">下一页</a><a href="list.asp?s=12&amp;page=3&amp;sid=ff09">尾页</a>',
     ["http://h/l/list.asp?s=12&page=2", "http://h/l/list.asp?s=12&page=3"]),
])
def test_pager_styles(links, expected):
    assert read_pager(lxml.html.fromstring(f"<div>{links}</div>"), "http://h/l/").pages == expected


def test_only_a_next_link_is_followed_one_page_at_a_time():
    pager = read_pager(lxml.html.fromstring('<div><a href="more.jsp?p=2">下一页</a></div>'), "http://h/l/")
    assert pager.pages == [] and pager.next == "http://h/l/more.jsp?p=2"


def test_session_ids_are_not_part_of_a_url():
    assert canonical_url("http://h/a/t20240524_1.html;jsessionid=0A9F") == "http://h/a/t20240524_1.html"
    assert canonical_url("http://h/ins.asp?i=7&s=12&sid=9f0e") == "http://h/ins.asp?i=7&s=12"
    assert canonical_url("http://h/list.asp?sid=1&page=2") == "http://h/list.asp?page=2"


def test_site_selectors_override_what_is_guessed():
    from scrapy.http import HtmlResponse, Request

    site = {"id": "x", "base_url": "http://h/", "selectors": {"items": "ul.list li a", "next": "div.page a:nth-child(2)"}}
    spider = GenericSpider(sites=[site])
    request = Request("http://h/zwgk/tzgg/", cb_kwargs={"site": site})
    response = HtmlResponse("http://h/zwgk/tzgg/", body=LIST.encode(), encoding="utf-8", request=request)
    urls = [url for url, _ in spider.list_items(response)]
    assert len(urls) == 4 and urls[2].endswith("t20240411_3.html")   # the selector, not the keywords, decides
    assert spider.list_pages(response, "http://h/zwgk/tzgg/") == ()
    assert spider.next_page(response) == "http://h/zwgk/tzgg/index_1.html"


@pytest.mark.parametrize("family", ("trs", "xxgk", "legacy", "hanweb", "aggregator"))
def test_generic_spider_alone_finds_95_percent_on_every_family(generic_crawl, family):
    world, _, data, truth = generic_crawl
    shares = yield_by_site(truth, set(document_urls(data)))
    sites = sites_of(world, family)
    assert sites
    print(f"generic on {family}: lowest site share {min(shares[site] for site in sites):.3f} over {len(sites)} sites")
    assert {site: shares[site] for site in sites if shares[site] < 0.95} == {}


def test_generic_spider_stores_nothing_but_documents(generic_crawl):
    _, _, data, truth = generic_crawl
    urls = document_urls(data)
    assert len(urls) == len(set(urls))
    assert set(urls) <= {doc["url"] for doc in truth}
