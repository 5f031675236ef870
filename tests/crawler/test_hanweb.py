"""大汉 JCMS: the column page's jpage config, then POST dataproxy.jsp groups of records."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from crawler.spiders.hanweb import HanwebSpider, group_url, jpage_config
from tests.crawler.conftest import farm_response


def _column(world, port):
    site = next(s for s in world.sites if s.family == "hanweb")
    return site, site.columns[0], world.base_url(site, port) + site.columns[0].path


def test_column_page_jpage_config_is_read(family_farm):
    world, port = family_farm
    site, column, url = _column(world, port)
    config = jpage_config(farm_response(world, url).text)
    assert config["proxy"] == "/module/web/jpage/dataproxy.jsp"
    assert config["perpage"] == 15 and config["group"] == 3
    assert config["params"]["columnid"] == column.path.split("/")[2][3:]
    assert config["params"]["unitid"] and config["params"]["webid"]


def test_dataproxy_group_gives_records_and_the_other_groups(family_farm):
    world, port = family_farm
    site, column, url = _column(world, port)
    config = jpage_config(farm_response(world, url).text)
    first = group_url(url, config, 1)
    form = {k: v[0] for k, v in parse_qs(urlsplit(first).query).items()}
    assert (form["startrecord"], form["endrecord"], form["perpage"]) == ("1", "45", "15")
    spider = HanwebSpider(sites=[])
    request = spider.list_request(first, {"id": site.id}, url)
    assert request.method == "POST" and b"startrecord=1" in request.body
    response = farm_response(world, request.url, "POST", request.body)
    response.request.meta["govplans_form"] = request.meta["govplans_form"]
    listed = world.listed(site, column)
    details = list(spider.detail_links(response))
    assert len(details) == min(45, len(listed))
    starts = [int(parse_qs(urlsplit(u).query)["startrecord"][0]) for u in spider.list_pages(response, url)]
    assert starts == list(range(46, len(listed) + 1, 45))
