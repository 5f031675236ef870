"""The platforms of issue #20 crawled end to end: gkmlpt (JSON API), 开普云, 博达 VSB, EmpireCMS,
and a site whose lists are rendered by JavaScript (its entry says `render: browser`)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from warcio.archiveiterator import ArchiveIterator
from tests.crawler.conftest import crawl, document_urls, truth_of, write_registry, yield_by_site

PLATFORMS = ("gkmlpt", "kaipu", "vsb", "empire", "jslist")
CHROMIUM = Path(os.environ.get("GOVPLANS_CHROMIUM", "/usr/bin/chromium"))


def need_chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium missing (CI=true: see scripts/install-browser.sh)")
        pytest.skip("Chromium not installed: run scripts/install-browser.sh")


@pytest.fixture(scope="module")
def platform_farm():
    from sitefarm.server import start_in_thread
    from sitefarm.world import World

    world = World(sites=len(PLATFORMS), seed=0, families=PLATFORMS, docs_per_site=(25, 40), attachments=True)
    server, port = start_in_thread(world, port=0)
    yield world, port
    server.shutdown()


def test_each_platform_site_is_crawled_whole(platform_farm, tmp_path):
    need_chromium()
    world, port = platform_farm
    assert sorted(site.family for site in world.sites) == sorted(PLATFORMS)
    crawl(tmp_path, write_registry(tmp_path / "sites.yaml", world.registry(port)))
    shares = yield_by_site(truth_of(world, port), set(document_urls(tmp_path)))
    by_family = {site.family: shares[site.id] for site in world.sites}
    print("share of each platform site's documents stored:", by_family)
    assert min(by_family.values()) >= 0.99, by_family
    rendered = [url for url, headers in _responses(tmp_path) if headers.get_header("X-Govplans-Rendered")]
    jslist = next(site for site in world.sites if site.family == "jslist")
    assert rendered and all(jslist.host in url and "/art_" not in url for url in rendered)   # its lists only


def _responses(data: Path):
    for path in data.rglob("*.warc.gz"):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "response":
                    yield record.rec_headers.get_header("WARC-Target-URI"), record.http_headers


def test_a_js_rendered_list_yields_nothing_without_the_browser(platform_farm, tmp_path):
    world, port = platform_farm
    entries = [dict(entry, render="http") for entry in world.registry(port) if entry.get("render") == "browser"]
    assert [entry["family"] for entry in entries] == ["generic"]
    crawl(tmp_path, write_registry(tmp_path / "sites.yaml", entries))
    assert document_urls(tmp_path) == []
