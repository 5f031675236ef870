"""政府信息公开目录 tables: items with their 索引号 / 文号 / 发布机构 / 成文日期 cells, ?page=N pages."""
from __future__ import annotations

from crawler.spiders.xxgk import XxgkSpider
from tests.crawler.conftest import farm_response


def _first_column(world, port):
    site = next(s for s in world.sites if s.family == "xxgk")
    return site, site.columns[0], world.base_url(site, port) + site.columns[0].path


def test_xxgk_list_table_gives_each_item_with_its_cells(family_farm):
    world, port = family_farm
    site, column, url = _first_column(world, port)
    items = list(XxgkSpider(sites=[]).list_items(farm_response(world, url)))
    newest = world.listed(site, column)[0]
    first_url, cells = items[0]
    assert first_url.endswith(f"content_{newest.doc_id}.html")
    assert cells["index_number"] == newest.index_number
    assert cells["agency"] == newest.header.agency
    assert cells["written"] == str(newest.header.written)
    assert cells.get("doc_number", "") == (newest.header.doc_number or "")
    assert len(items) == min(15, len(world.listed(site, column)))


def test_xxgk_pager_names_every_page_from_next_to_last(family_farm):
    world, port = family_farm
    site, column, url = _first_column(world, port)
    pages = list(XxgkSpider(sites=[]).list_pages(farm_response(world, url), url))
    count = -(-len(world.listed(site, column)) // 15)
    assert pages == [f"{url}?page={n}" for n in range(2, count + 1)]


def test_list_cells_fill_fields_the_page_lacks():
    from archive.extract.document import ExtractedDocument
    from crawler.pipelines.extraction import with_listing

    page = ExtractedDocument(url="http://h/content_1.html", title="某县工作方案", agency="某县人民政府办公室")
    filled = with_listing(page, {"published": "2024-05-24", "agency": "list agency", "doc_number": "某政办发〔2024〕3号",
                                 "index_number": "431121-0001/2024-00001"})
    assert str(filled.published) == "2024-05-24"
    assert filled.agency == "某县人民政府办公室"          # the page wins where it has a value
    assert filled.doc_number.raw == "某政办发〔2024〕3号" and filled.doc_number.year == 2024
    assert filled.index_number == "431121-0001/2024-00001"
    assert filled.sources["published"] == "list"
