"""A crawl of a farm with scans queues every scan for recognition and indexes no glyph soup; the
crawl itself recognises nothing (OCR runs beside it: `govplans ocr`)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.config import DataDir
from archive.models import Attachment, Document, OcrJob
from archive.store import Archive
from tests.crawler.conftest import crawl, serve, truth_of, write_registry


@pytest.fixture(scope="module")
def scans_crawl(tmp_path_factory):
    from sitefarm.world import World

    world = World(sites=2, seed=0, docs_per_site=(25, 30), scans=True)
    server, port = serve(world)
    try:
        data = tmp_path_factory.mktemp("scans")
        sites_file = write_registry(data / "sites.yaml", world.registry(port))
        crawl(data, sites_file)
        yield data, truth_of(world, port)
    finally:
        server.shutdown()


def test_every_scan_is_queued_with_why(scans_crawl):
    data, truth = scans_crawl
    scanned = {a["url"]: (doc, a) for doc in truth if doc["status"] != "withdrawn" for a in doc["attachments"]
               if a.get("scanned")}
    assert len(scanned) >= 3
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.reading() as s:
            jobs = dict(s.execute(select(Attachment.url, OcrJob.reason).join(OcrJob, OcrJob.attachment_id == Attachment.id)).all())
            texts = dict(s.execute(select(Attachment.url, Attachment.text)).all())
            text_in = dict(s.execute(select(Document.url, Document.sources)).all())
            statuses = set(s.scalars(select(OcrJob.status)))
    finally:
        archive.close()
    assert set(scanned) <= set(jobs)
    assert statuses == {"pending"}
    for url, (doc, attachment) in scanned.items():
        expected = {"broken_map": "pdf: glyph soup"}.get(attachment["noise"],
                                                         "pdf: no text layer" if attachment["type"] == "pdf" else "image")
        assert jobs[url] == expected, url
        assert not (texts[url] or "").strip()          # no mojibake or soup reaches the index
        if doc["attachments"][0]["name"] == doc["title"]:  # an image-only body
            assert text_in[doc["url"]].get("text_in") == "image"
