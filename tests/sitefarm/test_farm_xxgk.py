"""The 信息公开目录 family: table lists with plain paging links, details with the metadata table."""
import re
from html import unescape

from lxml import html as lxml_html


def xxgk_site(world):
    return next(s for s in world.sites if s.family == "xxgk")


def walk_table(farm, base, column):
    """Rows of every list page, following 下一页 links until there is none."""
    url, rows, pages = f"{base}{column.path}", [], 0
    while url:
        status, _, body = farm.get(url)
        assert status == 200
        tree = lxml_html.fromstring(body)
        rows += [[td.text_content() for td in tr.xpath("td")] + tr.xpath("td/a/@href")
                 for tr in tree.xpath('//table[@class="xxgk-list"]/tr[td]')]
        nxt = tree.xpath('//div[@class="xxgk-pager"]/a[text()="下一页"]/@href')
        url = f"{base}{column.path}{nxt[0]}" if nxt else None
        pages += 1
    return rows, pages


def test_table_rows_carry_the_truth_metadata(farm, farm_world, farm_truth):
    site = xxgk_site(farm_world)
    base = farm_world.base_url(site, farm.port)
    by_url = {t["url"]: t for t in farm_truth}
    for column in site.columns:
        rows, pages = walk_table(farm, base, column)
        expected = [t for t in farm_truth if t["site"] == site.id and column.path in t["url"]]
        assert len(rows) == len(expected) and pages == -(-len(expected) // 15)
        for number, index_number, title, doc_number, agency, written, published, href in rows:
            truth = by_url[base + href]
            assert (index_number, title, agency, written, published) == (
                truth["index_number"], truth["title"], truth["agency"], truth["written"], truth["published"])
            assert doc_number == (truth["doc_number"] or "")
        assert [r[6] for r in rows] == sorted((r[6] for r in rows), reverse=True)


def test_detail_page_has_metadata_table_and_truth_text(farm, farm_truth):
    records = [t for t in farm_truth if t["family"] == "xxgk"]
    assert records
    for truth in records[::3]:
        status, _, body = farm.get(truth["url"])
        assert status == 200
        page = body.decode()
        table = re.search(r'<table class="xxgk-meta".*?</table>', page, re.S).group(0)
        for value in (truth["index_number"], truth["agency"], truth["written"], truth["published"]):
            assert value in unescape(table)
        if truth["doc_number"]:
            assert truth["doc_number"] in table
        paragraphs = [p.text_content() for p in lxml_html.fromstring(body).xpath('//div[@id="zoom"]/p')]
        assert "\n".join(paragraphs) == truth["text"]


def test_page_out_of_range_is_404(farm, farm_world):
    site = xxgk_site(farm_world)
    base = farm_world.base_url(site, farm.port) + site.columns[0].path
    assert farm.get(base + "?page=999")[0] == 404
    assert farm.get(base + "?page=0")[0] == 404
    assert farm.get(base + "content_1.html")[0] == 404
