"""TRS WCM lists: createPageHTML in the classic and the 2025 template, t20240524_N.html details."""
from __future__ import annotations

from crawler.spiders.lists import create_page_urls
from crawler.spiders.trs import TrsSpider
from tests.crawler.conftest import farm_response


def test_classic_create_page_html_names_every_other_page():
    text = '<script>createPageHTML(4, 0, "index", "html");</script>'
    assert create_page_urls(text, "http://h/zwgk/tzgg/") == [
        "http://h/zwgk/tzgg/index_1.html", "http://h/zwgk/tzgg/index_2.html", "http://h/zwgk/tzgg/index_3.html"]


def test_redesigned_create_page_html_with_div_id_and_total():
    text = "<script>createPageHTML('page-div', 3, 1, 'index', 'html', 57);</script>"
    assert create_page_urls(text, "http://h/zwgk/tzgg/index_1.html") == [
        "http://h/zwgk/tzgg/index.html", "http://h/zwgk/tzgg/index_2.html"]


def test_no_create_page_html_means_unknown():
    assert create_page_urls("<p>nothing</p>", "http://h/") is None


def test_trs_list_page_links_to_its_details_and_other_pages(family_farm):
    world, port = family_farm
    site = next(s for s in world.sites if s.family == "trs")
    column = world.base_url(site, port) + site.columns[0].path
    response = farm_response(world, column)
    spider = TrsSpider(sites=[world.registry(port)[site.index]])
    listed = world.listed(site, site.columns[0])
    details = list(spider.detail_links(response))
    assert details[:len(listed[:20])] == [world.base_url(site, port) + world_doc_path(d) for d in listed[:20]]
    pages = list(spider.list_pages(response, column))
    assert len(pages) == -(-len(listed) // 20) - 1


def world_doc_path(doc):
    from sitefarm.families import trs
    return trs.doc_path(doc)
