"""Crawl fixtures: a farm with every family, crawled once per session by `govplans crawl`."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from archive.config import DataDir
from archive.models import CrawlRun, Document
from archive.store import Archive
from tests.conftest import run_govplans
from archive.store.index_feed import iter_documents

# 祁阳 平潭 抚顺 (trs), 万载 (xxgk), 临朐 (hanweb), 安化 (legacy), 绥滨 (xxgk) and one 范文 site.
FAMILY_WORLD = dict(sites=7, seed=0, docs_per_site=(25, 40), aggregators=1, attachments=True)


def serve(world):
    from sitefarm.server import start_in_thread

    server, port = start_in_thread(world, port=0)
    return server, port


@pytest.fixture(scope="session")
def family_farm():
    """Every family's sites at day 0 (no faults): (world, port)."""
    from sitefarm.world import World

    world = World(**FAMILY_WORLD)
    server, port = serve(world)
    yield world, port
    server.shutdown()


def write_registry(path: Path, entries: list[dict], **changes) -> Path:
    """The registry YAML of `entries`, each with `changes` applied (family="generic" …)."""
    path.write_text(yaml.safe_dump([dict(e, **changes) for e in entries], allow_unicode=True), encoding="utf-8")
    return path


def crawl(data: Path, sites_file: Path, *args: str):
    result = run_govplans("crawl", "--sites-file", str(sites_file), *args, data=data)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def truth_of(world, port) -> list[dict]:
    return [json.loads(json.dumps(doc, default=str)) for doc in world.truth(port)]


def documents(data: Path) -> dict[str, Document]:
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        return {row.url: row for row in iter_documents(archive)}
    finally:
        archive.close()


def document_urls(data: Path) -> list[str]:
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.engine.connect() as connection:
            return list(connection.execute(select(Document.url)).scalars())
    finally:
        archive.close()


def runs(data: Path) -> list[CrawlRun]:
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.session() as s:
            return list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    finally:
        archive.close()


def yield_by_site(truth: list[dict], stored: set[str]) -> dict[str, float]:
    """Share of each site's live documents that were stored."""
    live = Counter(doc["site"] for doc in truth if doc["status"] != "withdrawn")
    found = Counter(doc["site"] for doc in truth if doc["status"] != "withdrawn" and doc["url"] in stored)
    return {site: found[site] / count for site, count in live.items()}


def sites_of(world, family: str) -> list[str]:
    return [site.id for site in world.sites if site.family == family]


@pytest.fixture(scope="session")
def family_crawl(family_farm, tmp_path_factory):
    """The family farm crawled with each site's own family spider: (world, port, data dir, truth)."""
    world, port = family_farm
    data = tmp_path_factory.mktemp("family-crawl")
    crawl(data, write_registry(data / "sites.yaml", world.registry(port)))
    return world, port, data, truth_of(world, port)


@pytest.fixture(scope="session")
def generic_crawl(family_farm, tmp_path_factory):
    """The same farm crawled by the generic spider alone, told nothing but the start columns."""
    world, port = family_farm
    data = tmp_path_factory.mktemp("generic-crawl")
    crawl(data, write_registry(data / "sites.yaml", world.registry(port), family="generic"))
    return world, port, data, truth_of(world, port)


def farm_response(world, url: str, method: str = "GET", body: bytes = b""):
    """A Scrapy response for a farm URL, made by calling the farm as a function (no network)."""
    from urllib.parse import urlsplit

    from scrapy.http import Request as ScrapyRequest
    from scrapy.responsetypes import responsetypes

    from sitefarm.responses import Request
    from sitefarm.server import respond

    parts = urlsplit(url)
    answer = respond(world, Request(method, parts.path or "/", parts.query, body, {}), parts.netloc)
    headers = {"Content-Type": answer.content_type}
    cls = responsetypes.from_args(headers=headers, url=url, body=answer.body)
    request = ScrapyRequest(url, method=method, body=body)
    return cls(url=url, status=answer.status, headers=headers, body=answer.body, request=request)
