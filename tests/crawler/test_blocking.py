"""A crawl of a farm where some portals keep crawlers out (JS challenges, WAF pages, resets, refused
connections, a name that does not resolve, stub lists, a script-rendered list): it finishes, each
of them is classified in crawl_runs, on /status and in `sites list`, nothing of theirs is stored,
and the healthy sites lose no document."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from archive.config import DataDir
from archive.models import CrawlRun, SiteHealth
from archive.store import Archive
from sitefarm.defences import DEFENCES, EXPECTED
from sitefarm.families import trs
from tests.crawler.conftest import crawl, document_urls, serve, truth_of, write_registry

BLOCKED_WORLD = dict(sites=3, seed=0, docs_per_site=(20, 30), defended=DEFENCES)


@pytest.fixture(scope="module")
def blocked_crawl(tmp_path_factory):
    from sitefarm.world import World

    world = World(**BLOCKED_WORLD)
    server, port = serve(world)
    data = tmp_path_factory.mktemp("blocked-crawl")
    try:
        crawl(data, write_registry(data / "sites.yaml", world.registry(port)))
    finally:
        server.shutdown()
    return world, port, data, truth_of(world, port)


def rows(data, model):
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.session() as s:
            return {row.site_id: row for row in s.scalars(select(model))}
    finally:
        archive.close()


def test_each_blocking_site_is_classified_in_crawl_runs_and_site_health(blocked_crawl):
    world, _, data, _ = blocked_crawl
    runs, health = rows(data, CrawlRun), rows(data, SiteHealth)
    expected = {site_id: EXPECTED[defence] for site_id, defence in world.defences().items()}
    assert len(expected) == len(DEFENCES)
    assert {site_id: runs[site_id].block_class for site_id in expected} == expected
    assert {site_id: health[site_id].block_class for site_id in expected} == expected
    assert all(runs[site_id].finished is not None and health[site_id].flagged for site_id in expected)
    healthy = [site.id for site in world.sites if site.defence is None]
    assert [runs[site_id].block_class for site_id in healthy] == [None] * len(healthy)
    assert not any(health[site_id].flagged for site_id in healthy)


def test_the_evidence_names_the_vendor_and_the_answer(blocked_crawl):
    world, _, data, _ = blocked_crawl
    runs = rows(data, CrawlRun)
    by_defence = {defence: runs[site_id].block_detail for site_id, defence in world.defences().items()}
    assert (by_defence["challenge_412"]["vendor"], by_defence["challenge_412"]["status"]) == ("瑞数", 412)
    assert (by_defence["challenge_521"]["vendor"], by_defence["challenge_521"]["status"]) == ("加速乐", 521)
    assert (by_defence["challenge_200"]["vendor"], by_defence["challenge_200"]["status"]) == ("瑞数", 200)
    assert [by_defence[d]["vendor"] for d in ("waf_safedog", "waf_aliyun", "waf_wzws")] == ["安全狗", "阿里云盾", "WZWS"]
    assert by_defence["dns"]["error"] == "dns" and by_defence["refused"]["error"] == "connection_refused"
    assert by_defence["reset"]["error"] == "connection_lost"
    assert by_defence["stub"]["url"].endswith("/") and "300 bytes" in by_defence["stub"]["mark"]


def test_a_challenged_or_waf_site_is_asked_once_per_start_page_never_again(blocked_crawl):
    world, _, data, _ = blocked_crawl
    runs = rows(data, CrawlRun)
    for site in world.sites:
        if site.defence and EXPECTED[site.defence] in ("challenge", "waf") and site.defence != "waf_details":
            assert runs[site.id].requests == len(site.columns), site.defence   # no retry, no detail page
            assert runs[site.id].errors[EXPECTED[site.defence]] == len(site.columns)
    # lists let through, documents refused: left after GOVPLANS_BLOCKED_GIVE_UP refusals (2 more were in flight)
    partial = next(site for site in world.sites if site.defence == "waf_details")
    run = runs[partial.id]
    listed = sum(len(world.listed(partial, column)) for column in partial.columns)
    assert run.block_detail["partial"] is True and run.block_detail["vendor"] == "安全狗"
    assert 3 <= run.errors["waf"] <= 5 and run.errors["skipped_blocked"] == listed - run.errors["waf"]
    # its list pages answer (a second one may be asked before the give-up, or dropped by it)
    assert partial.family == "trs"
    list_pages = sum(-(-len(world.listed(partial, column)) // trs.PER_PAGE) for column in partial.columns)
    assert run.requests <= list_pages + 5
    dns = next(site for site in world.sites if site.defence == "dns")
    assert runs[dns.id].errors["dns"] == 2 * len(dns.columns)                 # one retry, not three


def test_the_healthy_sites_lose_no_document_and_no_blocking_site_gives_one(blocked_crawl):
    world, _, data, truth = blocked_crawl
    stored = set(document_urls(data))
    live = [doc["url"] for doc in truth if doc["status"] != "withdrawn" and "defence" not in doc]
    assert live and [url for url in live if url not in stored] == []
    defended = {site.id for site in world.sites if site.defence}
    assert [doc["url"] for doc in truth if doc["site"] in defended and doc["url"] in stored] == []
    assert stored <= {doc["url"] for doc in truth}            # a 200 challenge page was never taken for a document


def test_status_shows_each_class_instead_of_a_quiet_run(blocked_crawl):
    from search_ui import create_app
    from tests.ui.conftest import html_of

    world, _, data, _ = blocked_crawl
    app = create_app({"DATA_DIR": str(DataDir.resolve(data).root), "TESTING": True})
    try:
        client = app.test_client()
        status = client.get("/status.json").get_json()
        page = client.get("/status")
    finally:
        app.extensions["govplans"].archive.close()
    shown = {site["id"]: site["blocked"] for site in status["sites"]}
    assert {site_id: shown[site_id]["class"] for site_id in world.defences()} == \
        {site_id: EXPECTED[defence] for site_id, defence in world.defences().items()}
    assert status["totals"]["blocked"] == len(DEFENCES)
    assert {c["class"]: c["sites"] for c in status["blocked_by_class"]} == \
        {"challenge": 3, "waf": 4, "dns": 1, "refused": 1, "reset": 1, "js_list": 1, "stub": 1}
    rows_by_site = {row.xpath("string(.//a[@class='site-id'])").strip(): row
                    for row in html_of(page).xpath("//table[@class='status-table']/tbody/tr")}
    waf = next(site_id for site_id, defence in world.defences().items() if defence == "waf_aliyun")
    text = rows_by_site[waf].text_content()
    assert "被网站拦截" in text and "WAF 拦截页" in text and "阿里云盾" in text and "HTTP 405" in text
    assert "被拦截，未取得页面" in text                     # not a row of zeros
    healthy = world.sites[0].id
    assert "正常" in rows_by_site[healthy].text_content()


def test_sites_list_names_the_class(blocked_crawl):
    from govplans.cli import main

    world, _, data, _ = blocked_crawl
    result = CliRunner().invoke(main, ["sites", "list", "--sites-file", str(data / "sites.yaml"), "--data", str(data)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    for site_id, defence in world.defences().items():
        assert f"BLOCKED {EXPECTED[defence]} since" in lines[site_id], lines[site_id]
    assert "BLOCKED" not in lines[world.sites[0].id] and "BROKEN" not in lines[world.sites[0].id]
