"""Politeness and faults: robots.txt, a User-Agent with a contact URL, at most 2 requests at a time
per site, Retry-After on 429, retries with backoff, a size limit; every fault the farm injects
ends up in the site's crawl_runs row and no run dies."""
from __future__ import annotations

import os
import threading
import time
from collections import defaultdict

import pytest

from tests.conftest import run_govplans
from tests.crawler.conftest import document_urls, runs, truth_of, write_registry

CONTACT = "https://example.org/govplans-operator"
# farm fault kind -> the error kinds a crawl_runs row may count it under
RECORDED_AS = {"http_500": {"http_500"}, "http_503": {"http_503"}, "too_many_requests": {"http_429"},
               "huge": {"too_large"}, "redirect_loop": {"redirect_loop"},
               "reset": {"connection_lost", "connection"}, "truncated": {"connection_lost", "connection"},
               "stall": {"connection_lost", "timeout"}, "robots": {"robots"}}


class RecordingFarm:
    """The farm as an app that logs every request and how many of a host's were in flight."""

    def __init__(self, world, hold: float = 0.02):
        from sitefarm.server import respond

        self.world, self.hold, self._respond = world, hold, respond
        self.log: list[tuple[float, str, str, str]] = []   # (time, host, path?query, user agent)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.most_in_flight: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def __call__(self, request, host, attempt):
        name = host.split(":")[0]
        with self._lock:
            self.in_flight[name] += 1
            self.most_in_flight[name] = max(self.most_in_flight[name], self.in_flight[name])
            target = request.path + (f"?{request.query}" if request.query else "")
            self.log.append((time.monotonic(), name, target, request.headers.get("user-agent", "")))
        try:
            time.sleep(self.hold)  # long enough for a crawler's parallel requests to overlap here
            return self._respond(self.world, request, host, attempt)
        finally:
            with self._lock:
                self.in_flight[name] -= 1


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory):
    from sitefarm.faults import Faults
    from sitefarm.server import start_app_in_thread
    from sitefarm.world import World

    faults = Faults("test", rate=0.3, site_rate=0.5, site_kinds=("robots",), stall_seconds=2.0, retry_after=2,
                    kinds=("http_500", "http_503", "too_many_requests", "huge", "redirect_loop", "reset",
                           "truncated", "stall"))
    world = World(sites=4, seed=0, docs_per_site=(20, 30), faults=faults)
    farm = RecordingFarm(world)
    server, port = start_app_in_thread(farm)
    data = tmp_path_factory.mktemp("faulty-crawl")
    os.environ["GOVPLANS_CONTACT_URL"] = CONTACT
    try:
        result = run_govplans("crawl", "--sites-file", str(write_registry(data / "sites.yaml", world.registry(port))),
                              data=data)
    finally:
        del os.environ["GOVPLANS_CONTACT_URL"]
        server.shutdown()
    return world, port, data, truth_of(world, port), farm, result


def test_no_run_dies_on_faults(faulty_crawl):
    world, _, data, _, _, result = faulty_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    rows = runs(data)
    assert {run.site_id for run in rows} == {site.id for site in world.sites}
    assert all(run.finished is not None for run in rows)


def test_every_reachable_document_is_stored_despite_faults(faulty_crawl):
    _, _, data, truth, _, _ = faulty_crawl
    stored = set(document_urls(data))
    reachable = [doc["url"] for doc in truth if all(f["reachable"] for f in doc["faults"])]
    unreachable = [doc["url"] for doc in truth if not all(f["reachable"] for f in doc["faults"])]
    assert reachable and unreachable
    assert [url for url in reachable if url not in stored] == []
    assert [url for url in unreachable if url in stored] == []


def test_every_injected_fault_is_recorded_in_its_sites_run(faulty_crawl):
    _, _, data, truth, _, _ = faulty_crawl
    errors = {run.site_id: run.errors for run in runs(data)}
    checked = 0
    for doc in truth:
        kinds = {f["kind"] for f in doc["faults"]}
        if "robots" in kinds:  # never asked for: robots.txt is recorded once per closed column
            assert "robots" in errors[doc["site"]]
            continue
        for kind in kinds:
            assert RECORDED_AS[kind] & set(errors[doc["site"]]), (doc["url"], kind, errors[doc["site"]])
            checked += 1
    assert checked >= 10
    for site, site_errors in errors.items():
        lost = sum(1 for doc in truth if doc["site"] == site and not all(f["reachable"] for f in doc["faults"])
                   and not any(f["kind"] == "robots" for f in doc["faults"]))
        assert site_errors.get("gave_up", 0) >= lost


def test_oversized_response_is_a_too_large_failure(faulty_crawl):
    _, _, data, truth, _, _ = faulty_crawl
    huge = [doc for doc in truth if any(f["kind"] == "huge" for f in doc["faults"])
            and not any(f["kind"] == "robots" for f in doc["faults"])]
    assert huge
    counted = sum(run.errors.get("too_large", 0) for run in runs(data))
    assert counted >= len(huge)


def test_robots_txt_is_obeyed(faulty_crawl):
    world, _, _, _, farm, _ = faulty_crawl
    closed = {site.host: world.faults.disallowed(world.seed, site) for site in world.sites}
    closed = {host: path for host, path in closed.items() if path}
    assert closed
    asked = [(host, target) for _, host, target, _ in farm.log if host in closed and target.startswith(closed[host])]
    assert asked == []
    assert {host for _, host, target, _ in farm.log if target == "/robots.txt"} == {s.host for s in world.sites}


def test_user_agent_names_the_contact_url(faulty_crawl):
    _, _, _, _, farm, _ = faulty_crawl
    agents = {agent for _, _, _, agent in farm.log}
    assert agents and all(CONTACT in agent and agent.startswith("govplans/") for agent in agents)


def test_at_most_two_requests_at_a_time_per_site(faulty_crawl):
    _, _, _, _, farm, _ = faulty_crawl
    assert max(farm.most_in_flight.values()) <= 2
    assert max(farm.most_in_flight.values()) == 2   # and the crawler does use both


def test_retry_after_is_waited_out_before_asking_again(faulty_crawl):
    world, _, _, truth, farm, _ = faulty_crawl
    by_target = defaultdict(list)
    for at, host, target, _ in farm.log:
        by_target[(host, target)].append(at)
    waits = []
    for doc in truth:
        for fault in doc["faults"]:
            if fault["kind"] == "too_many_requests" and fault["url"] == doc["url"]:
                host, target = doc["url"].split("://", 1)[1].split("/", 1)
                times = by_target.get((host.split(":")[0], "/" + target), [])
                if len(times) >= 2:
                    waits.append(times[1] - times[0])
    assert waits
    assert min(waits) >= world.faults.retry_after - 0.1


def test_transient_server_errors_are_retried_until_they_pass(faulty_crawl):
    _, _, data, truth, farm, _ = faulty_crawl
    stored = set(document_urls(data))
    asked = defaultdict(int)
    for _, host, target, _ in farm.log:
        asked[(host, target)] += 1
    transient = [doc for doc in truth if [f["kind"] for f in doc["faults"]] == ["http_503"]]
    assert transient
    for doc in transient:
        host, target = doc["url"].split("://", 1)[1].split("/", 1)
        assert asked[(host.split(":")[0], "/" + target)] == 3     # two 503s, then the page
        assert doc["url"] in stored
