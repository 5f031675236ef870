"""范文/文库 sites: placeholder copies of the planted lineages, wrapped in ads, buttons and a 声明."""
import re
from collections import defaultdict

import pytest
from lxml import html as lxml_html

from sitefarm.server import start_in_thread
from sitefarm.world import World
from tests.sitefarm.conftest import FarmClient


@pytest.fixture(scope="module")
def fanwen():
    world = World(sites=12, seed=0, aggregators=2, docs_per_site=(30, 40))
    server, port = start_in_thread(world, port=0)
    yield world, FarmClient(port), list(world.truth(port))
    server.shutdown()


def shingles(text, k=8):
    return {text[i:i + k] for i in range(len(text) - k)}


def test_aggregators_come_after_county_sites_and_only_when_asked():
    assert all(s.family != "aggregator" for s in World(sites=12).sites)
    world = World(sites=3, aggregators=2)
    assert [s.family for s in world.sites] == ["trs", "trs", "trs", "aggregator", "aggregator"]
    assert all(re.fullmatch(r"www\.fanwen-[a-z0-9]+\.com\.test", s.host) for s in world.sites[3:])
    assert [e["family"] for e in world.registry(8800)][3:] == ["aggregator", "aggregator"]


def test_truth_marks_family_and_lineage_and_no_agency(fanwen):
    _, _, truth = fanwen
    copies = [t for t in truth if t["family"] == "aggregator"]
    assert copies
    for t in copies:
        assert t["lineage"] and t["agency"] is None and t["doc_number"] is None
        assert t["region"]["code"] is None
        assert re.match(r"^(xx|XX)[县镇区]", t["title"])


def test_copies_use_placeholders_and_track_county_lineage_members(fanwen):
    _, _, truth = fanwen
    counties = {t["county"] for t in (r["region"] for r in truth) if t["county"]}
    members = defaultdict(list)
    for t in truth:
        if t["lineage"] and t["family"] != "aggregator":
            members[t["lineage"]].append(t)
    compared = 0
    for copy in (t for t in truth if t["family"] == "aggregator"):
        assert not any(county in copy["text"] for county in counties)
        assert re.search(r"(xx|XX)[县镇区]", copy["text"])
        for original in members.get(copy["lineage"], [])[:1]:
            a, b = shingles(copy["text"]), shingles(original["text"])
            assert len(a & b) / len(a | b) > 0.3
            compared += 1
    assert compared >= 3


def test_copy_page_has_buttons_statement_related_list_and_ads(fanwen):
    world, farm, truth = fanwen
    copy = next(t for t in truth if t["family"] == "aggregator")
    status, _, body = farm.get(copy["url"])
    assert status == 200
    page = body.decode()
    for piece in ("下载本文", "下载文档", "声明", "免责声明", "版权", "相关范文推荐", "广告"):
        assert piece in page, piece
    tree = lxml_html.fromstring(body)
    assert "\n".join(p.text_content() for p in tree.xpath('//div[@id="article"]/p')) == copy["text"]
    related = tree.xpath('//div[@class="related"]//li')
    titles = {t["title"] for t in truth if t["site"] == copy["site"]}
    assert len(related) == 8
    for li in related:
        assert li.xpath("a/text()")[0] in titles and li.xpath("a/text()")[0] != copy["title"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", li.xpath("span/text()")[0])
    download = tree.xpath('//a[text()="下载本文"]/@href')[0]
    assert "登录" in farm.get(copy["url"].split("/fanwen/")[0] + download)[2].decode()


def test_aggregator_lists_page_through_every_copy(fanwen):
    world, farm, truth = fanwen
    site = next(s for s in world.sites if s.family == "aggregator")
    base = world.base_url(site, farm.port)
    found = []
    for column in site.columns:
        url = base + column.path
        while url:
            tree = lxml_html.fromstring(farm.get(url)[2])
            found += [base + h for h in tree.xpath('//ul[@class="list"]//h3/a/@href')]
            nxt = tree.xpath('//div[@class="pages"]/a[text()="下一页"]/@href')
            url = base + nxt[0] if nxt else None
    assert sorted(found) == sorted(t["url"] for t in truth if t["site"] == site.id)
