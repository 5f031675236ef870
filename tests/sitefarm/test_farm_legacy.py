"""Old ASP portals: GBK bytes, list.asp paging, ins.asp details, the date only in a 时间： line."""
import re
from html import unescape

import pytest
from lxml import html as lxml_html

from sitefarm.world import World


@pytest.fixture(scope="module")
def legacy(farm_world, farm_truth):
    site = next(s for s in farm_world.sites if s.family == "legacy")
    return site, [t for t in farm_truth if t["site"] == site.id]


def test_pages_are_gbk_without_charset_header(farm, legacy):
    site, records = legacy
    status, headers, body = farm.get(records[0]["url"])
    assert status == 200
    assert headers["Content-Type"] == "text/html"
    assert b"charset=gb2312" in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert records[0]["title"] in body.decode("gbk")


def test_detail_shows_date_line_and_truth_text_without_meta(farm, legacy):
    _, records = legacy
    for truth in records[::4]:
        assert re.search(r"/ins\.asp\?i=\d+&s=\d+$", truth["url"])
        assert truth["index_number"] is None
        page = farm.get(truth["url"])[2].decode("gbk")
        assert "ArticleTitle" not in page and "PubDate" not in page
        assert f"时间：{truth['published']}" in page
        tree = lxml_html.fromstring(page)
        text = "\n".join(p.text_content() for p in tree.xpath('//td[@id="content"]/p'))
        assert text == truth["text"]


def test_list_pages_reach_every_document(farm, farm_world, legacy):
    site, records = legacy
    base = farm_world.base_url(site, farm.port)
    found = []
    for column in site.columns:
        url = base + column.path
        while url:
            page = farm.get(url)[2].decode("gbk")
            found += [base + unescape(h) for h in re.findall(r'href="(/ins\.asp\?[^"]+)" target', page)]
            nxt = re.search(r'<a href="([^"]+)">下一页</a>', page)
            url = f"{base}/{unescape(nxt.group(1))}" if nxt else None
    assert sorted(found) == sorted(t["url"] for t in records)


def test_unknown_column_or_id_is_404(farm, farm_world, legacy):
    site, _ = legacy
    base = farm_world.base_url(site, farm.port)
    assert farm.get(base + "/list.asp?s=999")[0] == 404
    assert farm.get(base + "/ins.asp?i=1&s=" + site.columns[0].path.rsplit("=", 1)[1])[0] == 404
    assert farm.get(base + site.columns[0].path + "&page=999")[0] == 404


def test_world_without_legacy_family_has_none():
    assert all(s.family != "legacy" for s in World(sites=12, families=("trs", "xxgk")).sites)
