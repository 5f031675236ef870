"""范文/文库 copies: crawled like any site, kept under their aggregator site."""
from __future__ import annotations

from tests.crawler.conftest import documents


def test_aggregator_copies_are_stored_under_their_site(family_crawl):
    world, _, data, truth = family_crawl
    site = next(s for s in world.sites if s.family == "aggregator")
    stored = documents(data)
    copies = [doc for doc in truth if doc["site"] == site.id]
    assert copies and all(stored[doc["url"]].site_id == site.id for doc in copies)
    assert not any("/download/" in url for url in stored)
