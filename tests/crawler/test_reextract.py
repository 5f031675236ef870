"""`govplans reextract` rebuilds every document from the WARC files, without the network;
`govplans sites check ID` says what a site's spider finds on its start pages."""
from __future__ import annotations

import shutil
import socket

import pytest
from sqlalchemy import func, select

from archive.config import DataDir
from archive.models import Attachment, CrawlRun, Version
from archive.store import Archive
from tests.conftest import run_govplans
from tests.crawler.conftest import documents, write_registry


def _counts(data: DataDir) -> dict:
    archive = Archive(data.database_url)
    try:
        with archive.engine.connect() as connection:
            return {"versions": connection.execute(select(func.count()).select_from(Version)).scalar(),
                    "linked": connection.execute(select(func.count()).select_from(Attachment)
                                                 .where(Attachment.capture_id.is_not(None))).scalar(),
                    "runs": connection.execute(select(func.count()).select_from(CrawlRun)).scalar()}
    finally:
        archive.close()


@pytest.fixture(scope="module")
def rebuilt(family_crawl, tmp_path_factory):
    _, _, crawled, _ = family_crawl
    copy = tmp_path_factory.mktemp("reextract") / "data"
    shutil.copytree(crawled, copy)
    data = DataDir.resolve(copy)
    before, counts = documents(copy), _counts(data)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
    try:
        from archive.store.reextract import reextract
        summary = reextract(data)
    finally:
        monkeypatch.undo()
    return data, before, counts, summary


def test_reextract_rebuilds_every_document_with_the_same_fields(rebuilt):
    data, before, _, summary = rebuilt
    after = documents(data.root)
    assert set(after) == set(before) and summary.documents == len(before) and summary.missing == 0
    for url, old in before.items():
        new = after[url]
        assert (new.title, new.published, new.agency, new.content_hash, new.status, new.first_seen) == \
               (old.title, old.published, old.agency, old.content_hash, old.status, old.first_seen)
        assert new.text == old.text   # the site templates learnt again, the files' texts read again


def test_reextract_learns_the_site_templates_again(rebuilt):
    from archive.models import SiteTemplate

    data, _, _, _ = rebuilt
    archive = Archive(data.database_url)
    try:
        with archive.engine.connect() as connection:
            sites = connection.execute(select(SiteTemplate.site_id).distinct()).scalars().all()
    finally:
        archive.close()
    assert len(sites) >= 5


def test_reextract_keeps_versions_attachments_and_runs(rebuilt):
    data, _, counts, _ = rebuilt
    assert _counts(data) == counts
    assert (data.root / "archive.sqlite.before-reextract").exists()


def test_reextract_command_rebuilds_the_index_too(rebuilt):
    data, before, _, _ = rebuilt
    result = run_govplans("reextract", data=data.root)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{len(before)} documents, {len(before)} indexed" in result.stderr


def test_sites_check_reports_the_items_of_each_start_column(family_farm, tmp_path):
    world, port = family_farm
    sites_file = write_registry(tmp_path / "sites.yaml", world.registry(port))
    one_per_family = {site.family: site for site in world.sites}.values()
    for site in one_per_family:
        result = run_govplans("sites", "check", site.id, "--sites-file", str(sites_file), data=tmp_path)
        assert result.returncode == 0, result.stderr
        for column in site.columns:
            shown = min(len(world.listed(site, column)), {"trs": 20, "xxgk": 15, "legacy": 25, "hanweb": 45,
                                                         "aggregator": 20}[site.family])
            assert f"{column.path}: HTTP 200; {shown} items" in result.stdout


def test_sites_check_fails_when_the_spider_finds_nothing(family_farm, tmp_path):
    world, port = family_farm
    entry = dict(world.registry(port)[0], columns=["/no-such-column/"])
    sites_file = write_registry(tmp_path / "sites.yaml", [entry])
    result = run_govplans("sites", "check", entry["id"], "--sites-file", str(sites_file), data=tmp_path)
    assert result.returncode != 0 and "HTTP 404; 0 items" in result.stdout
