"""A crawl of county portals (long navigation, 详见附件 pages): the archive learns each site's
template, so no stored text holds the site's navigation, and each document's text is its page's
own text then its files' text."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.models import SiteTemplate
from tests.crawler.conftest import crawl, documents, serve, truth_of, write_registry
from archive.config import DataDir
from archive.store import Archive


@pytest.fixture(scope="module")
def county_crawl(tmp_path_factory):
    from sitefarm.world import World

    world = World(sites=2, seed=0, families=("county",), attachments=True, docs_per_site=(25, 30))
    server, port = serve(world)
    try:
        data = tmp_path_factory.mktemp("county-crawl")
        crawl(data, write_registry(data / "sites.yaml", world.registry(port)))
    finally:
        server.shutdown()
    return data, truth_of(world, port)


def _chrome_lines(text: str, chrome: set[str]) -> list[str]:
    return [line for line in text.splitlines() if line.strip() in chrome]


def test_no_stored_text_holds_the_site_chrome(county_crawl):
    data, truth = county_crawl
    stored = documents(data)
    leaking = {t["url"]: _chrome_lines(stored[t["url"]].text, set(t["chrome"]))
               for t in truth if t["url"] in stored}
    assert len(leaking) >= 40
    assert {url: lines for url, lines in leaking.items() if len(lines) >= 2} == {}


def test_a_pointer_page_is_its_short_page_text_then_its_file_text(county_crawl):
    data, truth = county_crawl
    stored = documents(data)
    pointers = [t for t in truth if t["text_in"] == "attachment" and t["url"] in stored]
    assert pointers
    for t in pointers:
        text = stored[t["url"]].text
        page, _, files = text.partition("【附件：")
        assert len(page) < 100 + len(t["title"]) * 2 and not _chrome_lines(page, set(t["chrome"])), text[:300]
        assert t["text"].splitlines()[0][:12] in files.replace("\n", "")


def test_each_site_has_a_learnt_template(county_crawl):
    data, truth = county_crawl
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.reading() as s:
            rows = s.execute(select(SiteTemplate.site_id, SiteTemplate.pages)).all()
    finally:
        archive.close()
    sites = {t["site"] for t in truth}
    assert {site for site, _ in rows} == sites
    assert all(pages >= 20 for _, pages in rows)


def test_fields_under_label_variants_are_read(county_crawl):
    data, truth = county_crawl
    stored = documents(data)
    wrong = [(t["url"], name) for t in truth if t["url"] in stored
             for name in ("agency", "index_number", "published")
             if str(getattr(stored[t["url"]], name)) != str(t[name])]
    assert wrong == []


def test_extract_site_of_reads_one_page_with_its_site_template(county_crawl, tmp_path):
    import json

    from sitefarm.families import county
    from sitefarm.world import World
    from tests.conftest import run_govplans

    data, truth = county_crawl
    world = World(sites=2, seed=0, families=("county",), attachments=True, docs_per_site=(25, 30))
    record = next(t for t in truth if t["text_in"] == "attachment")
    site = next(s for s in world.sites if s.id == record["site"])
    doc = next(d for d in world.documents(site) if d.header.title == record["title"])
    page = tmp_path / "page.html"
    page.write_text(county.detail(world, site, doc), encoding="utf-8")
    alone = json.loads(run_govplans("extract", str(page), "--url", record["url"], data=tmp_path).stdout)
    learnt = json.loads(run_govplans("extract", str(page), "--url", record["url"], "--site-of", str(data),
                                     data=tmp_path).stdout)
    chrome = set(record["chrome"])
    # one page alone: the cascade cuts the navigation but cannot tell the site's name line from a body
    assert _chrome_lines(alone["text"], chrome) != []
    assert _chrome_lines(learnt["text"], chrome) == []
    assert learnt["sources"]["text"].startswith("site template")
    assert learnt["title"] == record["title"]
