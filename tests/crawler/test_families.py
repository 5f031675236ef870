"""Every family spider, at day 0, stores ≥ 99 % of its sites' documents, each once, nothing else."""
from __future__ import annotations

import pytest

from tests.crawler.conftest import document_urls, runs, sites_of, yield_by_site

FAMILIES = ("trs", "xxgk", "legacy", "hanweb", "aggregator")


@pytest.mark.parametrize("family", FAMILIES)
def test_family_spider_stores_at_least_99_percent_of_the_truth(family_crawl, family):
    world, _, data, truth = family_crawl
    sites = sites_of(world, family)
    assert sites, f"the farm has no {family} site"
    shares = yield_by_site(truth, set(document_urls(data)))
    print(f"{family}: lowest site share {min(shares[site] for site in sites):.3f} over {len(sites)} sites")
    assert {site: shares[site] for site in sites if shares[site] < 0.99} == {}


def test_family_crawl_stores_each_document_once_and_only_truth_urls(family_crawl):
    _, _, data, truth = family_crawl
    urls = document_urls(data)
    assert len(urls) == len(set(urls))
    assert set(urls) <= {doc["url"] for doc in truth}


def test_family_crawl_records_one_finished_run_per_site_with_counts(family_crawl):
    world, _, data, truth = family_crawl
    rows = {run.site_id: run for run in runs(data)}
    assert set(rows) == {site.id for site in world.sites}
    for site_id, run in rows.items():
        live = sum(1 for doc in truth if doc["site"] == site_id and doc["status"] != "withdrawn")
        assert run.finished is not None and not run.full_sweep
        assert run.new == live and run.pages == live
        assert run.requests > run.pages            # the list pages too
        assert run.errors == {}
        assert run.newest_item is not None
        assert run.coverage["title"] == 1.0 and run.coverage["published"] == 1.0
