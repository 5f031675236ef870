"""大汉 JCMS: column pages hold only the jpage config; items come from POST dataproxy.jsp as XML."""
import re
from html import escape, unescape
from urllib.parse import urlencode

import pytest
from lxml import etree
from lxml import html as lxml_html

from sitefarm.world import World

PROXY = "/module/web/jpage/dataproxy.jsp"


@pytest.fixture(scope="module")
def hanweb(farm_world, farm_truth):
    site = next(s for s in farm_world.sites if s.family == "hanweb")
    return site, [t for t in farm_truth if t["site"] == site.id]


def jpage_config(page: str) -> dict[str, str]:
    """ajaxParam and perPage as a crawler reads them from the column page's script."""
    params = re.search(r"ajaxParam:\s*\{(.*?)\}", page, re.S).group(1)
    config = {k: v.strip("'\"") for k, v in re.findall(r"(\w+):\s*('[^']*'|\"[^\"]*\"|\d+)", params)}
    config["perpage"] = re.search(r"perPage:\s*(\d+)", page).group(1)
    assert re.search(r'proxyUrl:\s*"/module/web/jpage/dataproxy\.jsp"', page)
    return config


def post(farm, base, form: dict):
    return farm.get(base + PROXY, method="POST", body=urlencode(form).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})


def fetch_records(farm, base, config, start, end):
    form = {**config, "startrecord": start, "endrecord": end}
    status, headers, body = post(farm, base, form)
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    root = etree.fromstring(body)
    records = [lxml_html.fragment_fromstring(r.text.strip()) for r in root.iter("record")]
    return root, [(li.find("a").get("href"), li.find("a").text, li.find("span").text) for li in records]


def test_seed_zero_keeps_three_trs_sites_then_linqu_is_hanweb():
    world = World(sites=6)
    assert [s.family for s in world.sites[:3]] == ["trs", "trs", "trs"]
    assert world.sites[4].id == "linqu" and world.sites[4].family == "hanweb"


def test_column_page_has_config_but_no_items(farm, farm_world, hanweb):
    site, _ = hanweb
    base = farm_world.base_url(site, farm.port)
    for column in site.columns:
        status, _, body = farm.get(base + column.path)
        assert status == 200
        page = body.decode()
        assert "/art/" not in page
        config = jpage_config(page)
        assert config["columnid"] == re.search(r"col(\d+)", column.path).group(1)
        assert config["unitid"].isdigit() and config["webid"].isdigit()


def test_dataproxy_pages_reach_every_listed_document_newest_first(farm, farm_world, hanweb):
    site, records = hanweb
    base = farm_world.base_url(site, farm.port)
    by_url = {t["url"]: t for t in records}
    seen = []
    for column in site.columns:
        config = jpage_config(farm.get(base + column.path)[2].decode())
        per_page = int(config["perpage"])
        root, items = fetch_records(farm, base, config, 1, 3 * per_page)
        total = int(root.findtext("totalrecord"))
        assert int(root.findtext("totalpage")) == -(-total // per_page)
        assert "dataproxy.jsp?page=1" in root.findtext("nextgroup")
        start = 3 * per_page + 1
        while start <= total:
            items += fetch_records(farm, base, config, start, start + 3 * per_page - 1)[1]
            start += 3 * per_page
        assert len(items) == total
        expected = [t for t in records if t["status"] != "withdrawn" and f"art_{config['columnid']}_" in t["url"]]
        assert total == len(expected)
        for href, title, day in items:
            truth = by_url[base + href]
            assert (title, day) == (truth["title"], truth["published"])
        assert [d for _, _, d in items] == sorted((d for _, _, d in items), reverse=True)
        seen += [base + href for href, _, _ in items]
    assert sorted(seen) == sorted(t["url"] for t in records)


def test_dataproxy_without_the_right_unitid_or_columnid_is_empty(farm, farm_world, hanweb):
    site, _ = hanweb
    base = farm_world.base_url(site, farm.port)
    config = jpage_config(farm.get(base + site.columns[0].path)[2].decode())
    for wrong in ({**config, "unitid": "1"}, {**config, "columnid": "99999"},
                  {k: v for k, v in config.items() if k != "unitid"}):
        root, items = fetch_records(farm, base, wrong, 1, 45)
        assert items == [] and root.findtext("totalrecord") == "0"


def test_detail_pages_carry_meta_tags_table_and_truth_text(farm, hanweb):
    _, records = hanweb
    for truth in records[::3]:
        assert re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$", truth["url"])
        status, _, body = farm.get(truth["url"])
        assert status == 200
        page = body.decode()
        assert f'<meta name="ArticleTitle" content="{escape(truth["title"])}">' in page
        assert f'<meta name="PubDate" content="{truth["published"]} ' in page
        assert f'<meta name="ContentSource" content="{escape(truth["agency"])}">' in page
        table = unescape(re.search(r'<table class="xxgk_table".*?</table>', page, re.S).group(0))
        for value in (truth["index_number"], truth["agency"], truth["written"]):
            assert value in table
        tree = lxml_html.fromstring(body)
        if truth["text_in"] == "page":
            assert "\n".join(p.text_content() for p in tree.xpath('//div[@id="zoom"]/p')) == truth["text"]


def test_detail_with_wrong_date_or_column_is_404(farm, hanweb):
    _, records = hanweb
    url = records[0]["url"]
    assert farm.get(re.sub(r"/art/\d{4}/", "/art/1999/", url))[0] == 404
    assert farm.get(re.sub(r"art_\d+_", "art_1_", url))[0] == 404
    assert farm.get(url.rsplit("/", 5)[0] + "/col/col77777/index.html")[0] == 404
