"""County portals (family `county`): long navigation, fields in <ul>/<dl> under label variants,
详见附件 pages with a PDF link and a 政策解读 line; the truth names each page's chrome."""
from __future__ import annotations

import pytest
from lxml import html as lxml_html

from sitefarm.server import start_in_thread
from sitefarm.world import World
from tests.sitefarm.conftest import FarmClient


@pytest.fixture(scope="module")
def county():
    world = World(sites=3, seed=0, families=("county",), attachments=True, docs_per_site=(20, 30))
    server, port = start_in_thread(world, port=0)
    yield world, FarmClient(port), list(world.truth(port))
    server.shutdown()


def _tree(farm, url):
    status, _, body = farm.get(url)
    assert status == 200
    return lxml_html.fromstring(body)


def test_county_family_is_drawn_only_when_named():
    assert "county" not in {s.family for s in World(sites=12, seed=0).sites}
    assert {s.family for s in World(sites=3, seed=0, families=("county",)).sites} == {"county"}


def test_details_carry_a_navigation_of_forty_links_and_the_truth_names_it_chrome(county):
    world, farm, truth = county
    record = truth[0]
    tree = _tree(farm, record["url"])
    article = tree.xpath("//div[@class='content']")[0]
    links = [a for a in tree.iter("a") if not any(p is article for p in a.iterancestors())]
    assert len(links) >= 40
    assert {"首页", "政务公开", "政策解读", "热门搜索：政府工作报告 规划计划 政策解读 招聘 补贴"} <= set(record["chrome"])
    body = "\n".join(record["text"].splitlines())
    assert not any(line in record["chrome"] for line in body.splitlines())


def test_fields_are_in_a_ul_or_dl_under_the_site_label_variants(county):
    world, farm, truth = county
    seen = set()
    for site in world.sites:
        record = next(t for t in truth if t["site"] == site.id)
        tree = _tree(farm, record["url"])
        block = tree.xpath("//*[@class='gk-info']")[0]
        seen.add(block.tag)
        labels = [el.text_content() for el in block.iter("label", "dt")]
        assert len(labels) == 5
        assert record["agency"] in block.text_content() and "下载" in block.text_content()
    assert seen <= {"ul", "dl"}


def test_a_page_whose_text_is_in_its_file_shows_the_pointer_a_link_and_a_policy_reading_line(county):
    world, farm, truth = county
    record = next(t for t in truth if t["text_in"] == "attachment")
    tree = _tree(farm, record["url"])
    text = tree.xpath("//div[@class='content']")[0].text_content()
    assert "详见附件" in text and f"相关文件：《{record['title']}》政策解读" in text
    assert any(a.get("href", "").endswith(f".{record['attachments'][0]['type']}") for a in tree.iter("a"))
