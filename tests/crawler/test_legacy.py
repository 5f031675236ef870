"""Old ASP portals: GBK list.asp?s=COL&page=N lists, ins.asp?i=ID&s=COL details."""
from __future__ import annotations

from crawler.spiders.legacy import LegacySpider
from tests.crawler.conftest import documents, farm_response


def test_gbk_list_page_gives_its_details_and_pages(family_farm):
    world, port = family_farm
    site = next(s for s in world.sites if s.family == "legacy")
    column = site.columns[0]
    url = world.base_url(site, port) + column.path
    response = farm_response(world, url)
    assert b"charset=gb2312" in response.body and "charset" not in response.headers.get("Content-Type").decode()
    spider = LegacySpider(sites=[])
    listed = world.listed(site, column)
    details = list(spider.detail_links(response))
    assert details == [world.base_url(site, port) + f"/ins.asp?i={d.doc_id}&s={column.path.rsplit('=', 1)[1]}"
                       for d in listed[:25]]
    count = -(-len(listed) // 25)
    assert list(spider.list_pages(response, url)) == [f"{url}&page={n}" for n in range(2, count + 1)]


def test_gbk_documents_keep_their_chinese_titles(family_crawl):
    world, _, data, truth = family_crawl
    stored = documents(data)
    legacy = [doc for doc in truth if doc["family"] == "legacy"]
    assert legacy and all(stored[doc["url"]].title == doc["title"] for doc in legacy)
