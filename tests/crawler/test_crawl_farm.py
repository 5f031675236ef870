"""A real crawl of a 3-site farm: every document in the truth is stored, once, with title and date."""
from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import select

from archive.config import DataDir
from archive.models import Capture, CrawlRun, Document
from archive.store import Archive
from archive.warc import read_response
from tests.conftest import run_govplans
from archive.store.index_feed import iter_documents


@pytest.fixture(scope="module")
def crawled(farm3, tmp_path_factory):
    world, port = farm3
    data = tmp_path_factory.mktemp("crawl-data")
    sites_file = data / "sites.yaml"
    sites_file.write_text(yaml.safe_dump(world.registry(port), allow_unicode=True), encoding="utf-8")
    result = run_govplans("crawl", "--sites-file", str(sites_file), data=data)
    assert result.returncode == 0, result.stderr[-3000:]
    truth = [json.loads(json.dumps(doc, default=str)) for doc in world.truth(port)]
    return DataDir.resolve(data), truth, result


def _documents(data: DataDir) -> dict[str, Document]:
    archive = Archive(data.database_url)
    try:
        return {row.url: row for row in iter_documents(archive)}
    finally:
        archive.close()


def test_crawl_stores_every_truth_document_with_title_and_date(crawled):
    data, truth, _ = crawled
    stored = _documents(data)
    active = [doc for doc in truth if doc["status"] != "withdrawn"]
    assert len(active) >= 30
    missing = [doc["url"] for doc in active if doc["url"] not in stored]
    assert missing == []
    wrong_title = [doc["url"] for doc in active if stored[doc["url"]].title != doc["title"]]
    wrong_date = [doc["url"] for doc in active if str(stored[doc["url"]].published) != doc["published"]]
    assert wrong_title == []
    assert wrong_date == []


def test_crawl_stores_no_document_twice_and_nothing_outside_the_truth(crawled):
    data, truth, _ = crawled
    archive = Archive(data.database_url)
    with archive.engine.connect() as connection:
        urls = connection.execute(select(Document.url)).scalars().all()
    archive.close()
    assert len(urls) == len(set(urls))
    assert set(urls) <= {doc["url"] for doc in truth}


def test_every_document_points_at_its_raw_capture_in_the_warc(crawled):
    data, truth, _ = crawled
    archive = Archive(data.database_url)
    with archive.engine.connect() as connection:
        rows = connection.execute(
            select(Document.url, Document.title, Capture.warc_file, Capture.warc_offset)
            .join(Capture, Capture.id == Document.capture_id)).all()
    archive.close()
    assert len(rows) == len(_documents(data))
    url, title, warc_file, offset = rows[0]
    response = read_response(data.warc_dir, warc_file, offset)
    assert response.url == url
    assert response.status == 200
    assert title.encode("utf-8") in response.body or title in response.body.decode("utf-8", "replace")


def test_each_site_gets_a_crawl_run_with_its_counts(crawled):
    data, truth, _ = crawled
    archive = Archive(data.database_url)
    with archive.engine.connect() as connection:
        runs = connection.execute(select(CrawlRun.site_id, CrawlRun.new, CrawlRun.finished)).all()
    archive.close()
    per_site = {}
    for doc in truth:
        if doc["status"] != "withdrawn":
            per_site[doc["site"]] = per_site.get(doc["site"], 0) + 1
    assert {site: new for site, new, _ in runs} == per_site
    assert all(finished is not None for _, _, finished in runs)


def test_search_after_crawl_finds_a_known_document(crawled):
    data, truth, _ = crawled
    target = truth[0]
    result = run_govplans("search", target["title"], "--json", data=data.root)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert target["url"] in [hit["url"] for hit in found["hits"]]


def test_rebuilt_index_gives_the_same_results(crawled):
    data, truth, _ = crawled
    queries = [truth[0]["title"][:3], "方案", "通知", "工作要点"]
    before = [json.loads(run_govplans("search", q, "--json", data=data.root).stdout)["total"] for q in queries]
    assert run_govplans("index", "--rebuild", data=data.root).returncode == 0
    after = [json.loads(run_govplans("search", q, "--json", data=data.root).stdout)["total"] for q in queries]
    assert before == after
    assert before[0] >= 1


def test_export_writes_one_line_per_document_with_url_and_fields(crawled):
    data, truth, _ = crawled
    result = run_govplans("export", "--format", "jsonl", data=data.root)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(_documents(data))
    by_url = {line["url"]: line for line in lines}
    doc = truth[0]
    assert by_url[doc["url"]]["title"] == doc["title"]
    assert by_url[doc["url"]]["published"] == doc["published"]
    assert by_url[doc["url"]]["text"]
