"""`govplans sites discover`: on every farm family it proposes the site's family and columns (and
`render: browser` for JS-rendered lists), and a crawl from the proposed entries stores the truth."""
from __future__ import annotations

import pytest
import yaml

from crawler.discover import discover
from sitefarm.families import FAMILIES, NAMED_FAMILIES, PORTAL_FAMILIES
from tests.conftest import run_govplans
from tests.crawler.conftest import crawl, document_urls, truth_of, write_registry, yield_by_site
from tests.crawler.test_platforms import need_chromium

UA = "govplans-test"


@pytest.fixture(scope="module")
def every_family():
    """Two worlds on two ports: the seeded families (trs, xxgk, hanweb, legacy) and the platforms."""
    from sitefarm.server import start_in_thread
    from sitefarm.world import World

    worlds = [World(sites=7, seed=0, families=PORTAL_FAMILIES, docs_per_site=(25, 40)),
              World(sites=len(NAMED_FAMILIES), seed=0, families=NAMED_FAMILIES, docs_per_site=(25, 40))]
    served = [(world, *start_in_thread(world, port=0)) for world in worlds]
    yield [(world, port) for world, _, port in served]
    for _, server, _ in served:
        server.shutdown()


def expected(site) -> tuple[str, str | None]:
    """The family and render the farm's registry gives the site (jslist: generic in a browser;
    county: read by the trs spider)."""
    entry = getattr(FAMILIES[site.family], "REGISTRY", {})
    return entry.get("family", site.family), entry.get("render")


def test_discovery_proposes_each_family_and_its_columns(every_family):
    need_chromium()
    proposed = {}
    for world, port in every_family:
        for site in world.sites:
            proposal = discover(world.base_url(site, port) + "/", UA, test_hosts=True, delay=0,
                                chromium="/usr/bin/chromium")
            entry = proposal.entry
            proposed[f"{site.family}/{site.id}"] = (entry["family"], entry.get("render"), sorted(entry["columns"]),
                                                    proposal.confidence)
            assert (entry["family"], entry.get("render")) == expected(site), (site.family, proposal.seen)
            assert sorted(entry["columns"]) == sorted(c.path for c in site.columns), (site.family, proposal.seen)
            assert entry["region"] == site.region.code and entry["name"] == site.name
            assert proposal.confidence >= 0.8
    print("discovery proposed:", proposed)
    assert {key.split("/")[0] for key in proposed} == set(PORTAL_FAMILIES) | set(NAMED_FAMILIES)


def test_a_crawl_from_the_written_entries_reaches_the_truth(every_family, tmp_path):
    """Import (family generic, column /), `discover --all --write`, crawl: the whole truth."""
    need_chromium()
    entries = []
    for n, (world, port) in enumerate(every_family):
        registry = write_registry(tmp_path / f"world{n}.yaml", [
            {"id": e["id"], "name": e["name"], "region": e["region"], "family": "generic",
             "base_url": e["base_url"], "columns": ["/"]} for e in world.registry(port)])
        result = run_govplans("sites", "discover", "--all", "--write", "--test-hosts", "--delay", "0",
                              "--sites-file", str(registry))
        assert result.returncode == 0, result.stderr[-2000:]
        written = yaml.safe_load(registry.read_text(encoding="utf-8"))
        assert [(e["family"], e.get("render")) for e in written] == [expected(site) for site in world.sites]
        entries += [dict(e, id=f"{e['id']}-{n}") for e in written]        # the two worlds share county ids
    data = tmp_path / "data"
    crawl(data, write_registry(tmp_path / "crawl.yaml", entries, farm=True))   # farm: *.test to 127.0.0.1
    stored = set(document_urls(data))
    shares = {}
    for world, port in every_family:
        families = {site.id: site.family for site in world.sites}
        shares.update({f"{families[site]}/{site}:{port}": share
                       for site, share in yield_by_site(truth_of(world, port), stored).items()})
    print("share of each site's documents stored, crawling discovered entries:", shares)
    assert min(shares.values()) >= 0.99, shares


def test_discover_all_runs_over_a_province_of_the_registry(every_family, tmp_path):
    world, port = every_family[0]
    registry = write_registry(tmp_path / "sites.yaml", world.registry(port))
    result = run_govplans("sites", "discover", "--all", "--province", "430000", "--test-hosts", "--delay", "0",
                          "--sites-file", str(registry))
    assert result.returncode == 0, result.stderr[-2000:]
    hunan = sorted(site.id for site in world.sites if site.region.code.startswith("43"))
    assert sorted(line.split()[0] for line in result.stdout.splitlines()) == hunan
    for line in result.stdout.splitlines():
        site = next(s for s in world.sites if s.id == line.split()[0])
        assert line.split()[1] == site.family
    assert f"discovered {len(hunan)} of {len(hunan)} sites" in result.stderr


def test_column_links_are_named_by_their_block_and_items_are_not_columns():
    import lxml.html

    from crawler.platforms import column_candidates

    root = lxml.html.fromstring(
        '<div><div class="block"><span>通知公告</span><a href="/col/col12/index.html">更多&gt;&gt;</a>'
        '<ul><li><a href="/art/2024/5/1/art_12_345.html">关于做好防汛工作的通知</a></li></ul></div>'
        '<a href="/zwgk/zfxxgkzn/">政府信息公开指南</a><a href="/zwgk/zcwj/">政策文件</a>'
        '<a href="/tab/" style="display:block"></a><a href="http://elsewhere.example/ghjh/">规划计划</a></div>')
    found = column_candidates(root, "http://www.x.gov.cn/", lambda url: "www.x.gov.cn" in url)
    assert [(c.label, c.url) for c in found] == [("政策文件", "http://www.x.gov.cn/zwgk/zcwj/"),
                                                ("通知公告", "http://www.x.gov.cn/col/col12/index.html")]


def test_with_test_hosts_discovery_never_leaves_loopback():
    from crawler.discover import Fetcher

    response, status = Fetcher(UA, test_hosts=True, delay=0).get("http://www.qiyang.gov.cn/")
    assert response is None and "not a test host" in status


def test_more_links_with_a_plus_are_named_by_their_block():
    """博达 sites write 更多+ beside a block's heading (西安灞桥, saved 2018)."""
    import lxml.html

    from crawler.platforms import column_candidates

    root = lxml.html.fromstring(
        '<div><div class="m-title1"><ul class="g-tab2"><li class="on"><a href="javascript:void(0);">基本信息公开</a>'
        '</li></ul><a href="xxgk/zwgk_lmy.jsp?urltype=tree.TreeTempUrl&amp;wbtreeid=1171" class="more">更多+</a>'
        '</div><div class="m-title1"><ul class="g-tab2"><li class="on"><a href="zjbq/whbq/">文化灞桥</a></li></ul>'
        '<a href="index/zjbq1/whbq.htm" class="more">+更多</a></div></div>')
    found = column_candidates(root, "http://www.x.gov.cn/", lambda url: "www.x.gov.cn" in url)
    assert [(c.label, c.url) for c in found] == [
        ("基本信息公开", "http://www.x.gov.cn/xxgk/zwgk_lmy.jsp?urltype=tree.TreeTempUrl&wbtreeid=1171")]


def _dated_list(title: str) -> str:
    items = "".join(f'<li><a href="/zwgk/tzgg/202405/t202405{day:02d}_{day}.html">{title}（第{day}号）</a>'
                    f'<span>2024-05-{day:02d}</span></li>' for day in range(1, 7))
    return f"<html><head><title>通知公告</title></head><body><ul>{items}</ul></body></html>"


@pytest.fixture
def guide_page_site(tmp_path):
    """A replayed portal whose / is a 引导页 sending the browser on by script, whose real homepage is titled
    '…人民政府门户网站' and links its columns by absolute URLs to the original host."""
    home = ('<html><head><title>祁阳市人民政府门户网站</title></head><body>'
            '<a href="http://www.qiyang.gov.cn/zwgk/tzgg/">通知公告</a>'
            '<a href="http://www.qiyang.gov.cn/zjqy/">走进祁阳</a>'
            '<script>if (/iPhone|Android/.test(navigator.userAgent)) location.href = "/m/";</script></body></html>')
    pages = {"guide.html": '<html><head><title>引导页跳转</title></head><body>'
                           '<SCRIPT language=javascript> location.href="/col/col3664/index.html";</SCRIPT></body></html>',
             "home.html": home, "list.html": _dated_list("关于做好防汛工作的通知")}
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "urls.tsv").write_text(
        "url\tfile\nhttp://www.qiyang.gov.cn/\tguide.html\nhttp://www.qiyang.gov.cn/col/col3664/index.html\thome.html\n"
        "http://www.qiyang.gov.cn/zwgk/tzgg/\tlist.html\n", encoding="utf-8")
    return tmp_path


def test_a_guide_page_is_followed_and_a_replayed_pages_absolute_links_stay_on_the_replay(guide_page_site):
    from sitefarm.replay import Replay
    from sitefarm.server import start_app_in_thread

    server, port = start_app_in_thread(Replay(guide_page_site).respond, port=0)
    try:
        proposal = discover(f"http://www.qiyang.gov.cn.test:{port}/", UA, test_hosts=True, delay=0)
    finally:
        server.shutdown()
    seen = [(s.url.split(f":{port}")[-1], s.what) for s in proposal.seen]
    assert ("/col/col3664/index.html", f"sent on by the page http://www.qiyang.gov.cn.test:{port}/: HTTP 200") in seen
    assert ("/zwgk/tzgg/", "通知公告: list, 6 dated links") in seen
    assert proposal.entry["columns"] == ["/zwgk/tzgg/"]
    assert not any(what.startswith("sent on by the page") and "/col/" in what for _, what in seen)  # has columns: stays
    assert proposal.entry["region"] == "431181"          # 祁阳市, from '祁阳市人民政府门户网站'


def test_client_redirects_are_read_from_a_meta_refresh_or_a_script_setting_a_literal_location():
    from crawler.discover import client_redirect

    assert client_redirect('<meta http-equiv="refresh" content="0; url=/index.shtml">') == "/index.shtml"
    assert client_redirect("<script>window.location.href = 'http://m.x.gov.cn/';</script>") == "http://m.x.gov.cn/"
    assert client_redirect("<script>url = 'SEARCH/?q=' + q; window.location = url;</script>") is None
    assert client_redirect("<script>window.location.href='http:/'+'/'+'www.bjsat.gov.cn/bjsat/';</script>") == \
        "http://www.bjsat.gov.cn/bjsat/"                  # 北京地税's homepage, saved 2018
    assert client_redirect('<script>location.replace("/index.shtml")</script>') == "/index.shtml"


def test_trs_uploads_named_w0_and_a_date_count_for_trs():
    """邯郸's 信息公开 homepage (saved 2020) shows TRS only by its t-dated links and W0… image names."""
    from crawler.platforms import platform_scores

    page = ('<a href="http://hdzfxxgk.hd.gov.cn/gszbm/auto23692/202007/t20200731_1351817.html">通知</a>'
            '<img src="./邯郸市政府信息公开_files/W020200113517848565234.jpg">')
    assert platform_scores([page])["trs"] >= 3
    assert platform_scores(['<img src="/uploads/W0201.jpg"><a href="/art/2024/5/1/art_12_345.html">x</a>'])["trs"] == 0
