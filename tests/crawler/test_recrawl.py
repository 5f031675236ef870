"""Recrawls: day 1 after a day-0 crawl, both ways from the same day-0 archive.

The default recrawl (a list sweep) reads every list page, fetches the new items and the ones whose
list entry moved on (re-published edits), and asks once each known item no list shows any more:
every new, changed and withdrawn document for under a fifth of a full crawl's requests. A full
sweep (`crawl --full`) asks every known page again with If-None-Match, so unchanged pages cost a
304 and edits the lists do not show are found too. The farm serves ETag/Last-Modified itself."""
from __future__ import annotations

import shutil
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from archive.config import DataDir
from archive.models import Version
from archive.store import Archive
from tests.crawler.conftest import crawl, documents, runs, truth_of, write_registry

RECRAWL_WORLD = dict(sites=6, seed=0, docs_per_site=(40, 60))   # trs ×3, xxgk, hanweb, legacy


class CountingFarm:
    """The farm as a function whose world can move to another day, counting answers by status
    (robots.txt apart: the crawl_runs rows count only the site's own requests)."""

    def __init__(self, world):
        from sitefarm.server import respond

        self._respond = respond
        self.world = world
        self.statuses: Counter = Counter()
        self._lock = threading.Lock()

    def __call__(self, request, host, attempt):
        response = self._respond(self.world, request, host, attempt)
        with self._lock:
            self.statuses["robots.txt" if request.path == "/robots.txt" else response.status] += 1
        return response

    def take(self) -> Counter:
        with self._lock:
            out, self.statuses = Counter(self.statuses), Counter()
        return out


@pytest.fixture(scope="module")
def recrawls(tmp_path_factory):
    """Day 0 crawled once; its archive copied; day 1 recrawled by default in one copy and as a full
    sweep in the other. runs: site -> [day 0, day 1] for each copy."""
    from sitefarm.server import start_app_in_thread
    from sitefarm.world import World

    day0, day1 = World(**RECRAWL_WORLD), World(day=1, **RECRAWL_WORLD)
    farm = CountingFarm(day0)
    server, port = start_app_in_thread(farm)
    root = tmp_path_factory.mktemp("recrawl")
    data, full_data = root / "incremental", root / "full"
    data.mkdir()
    sites_file = write_registry(root / "sites.yaml", day0.registry(port))
    try:
        crawl(data, sites_file)
        day0_statuses = farm.take()
        after_day0 = documents(data)
        day0_warcs = {path.name for path in DataDir.resolve(data).warc_dir.glob("*.warc.gz")}
        shutil.copytree(data, full_data)
        farm.world = day1
        crawl(data, sites_file)
        incremental_statuses = farm.take()
        crawl(full_data, sites_file, "--full")
        statuses = farm.take()
    finally:
        server.shutdown()

    def by_site(path):
        out = {}
        for run in runs(path):
            out.setdefault(run.site_id, []).append(run)
        return out

    return {"data": full_data, "day0": truth_of(day0, port), "day1": truth_of(day1, port),
            "after_day0": after_day0, "after_incremental": documents(data), "after_full": documents(full_data),
            "runs": {site: site_runs + by_site(full_data)[site][1:] for site, site_runs in by_site(data).items()},
            "statuses": statuses, "day0_statuses": day0_statuses, "incremental_statuses": incremental_statuses,
            "day0_warcs": day0_warcs}


def _sum(recrawls, index: int, field: str) -> int:
    return sum(getattr(site_runs[index], field) for site_runs in recrawls["runs"].values())


def test_day_one_brings_new_changed_and_withdrawn_documents(recrawls):
    status = Counter(doc["status"] for doc in recrawls["day1"])
    new = [doc for doc in recrawls["day1"] if doc["added_day"] == 1]
    assert new and status["changed"] and status["withdrawn"]


def test_incremental_recrawl_finds_every_new_document(recrawls):
    new = [doc["url"] for doc in recrawls["day1"] if doc["added_day"] == 1]
    assert [url for url in new if url not in recrawls["after_incremental"]] == []
    assert _sum(recrawls, 1, "new") == len(new)


def test_incremental_recrawl_finds_every_changed_document(recrawls):
    changed = [doc["url"] for doc in recrawls["day1"] if doc["status"] == "changed"]
    assert changed
    after = recrawls["after_incremental"]
    assert [url for url in changed if after[url].status != "changed"] == []
    assert _sum(recrawls, 1, "changed") == len(changed)


def test_incremental_recrawl_finds_every_withdrawn_document_and_no_other(recrawls):
    removed = [doc for doc in recrawls["day1"] if doc["status"] == "withdrawn"]
    assert removed          # this world's day 1 withdraws by unlisting; 404s: test_walk, tests/watch
    after = recrawls["after_incremental"]
    assert [doc["url"] for doc in removed if after[doc["url"]].status != "withdrawn"] == []
    still_there = [doc["url"] for doc in recrawls["day1"] if doc["status"] != "withdrawn"]
    assert [url for url in still_there if after[url].status == "withdrawn"] == []
    assert _sum(recrawls, 1, "withdrawn") == len(removed)


def test_incremental_recrawl_asks_for_under_a_fifth_of_a_full_crawl(recrawls):
    full, incremental = _sum(recrawls, 0, "requests"), _sum(recrawls, 1, "requests")
    print(f"day-1 recrawl: {incremental} requests, day-0 full crawl: {full} ({incremental / full:.1%})")
    assert incremental < 0.2 * full, (incremental, full)
    farm_side = {name: sum(n for k, n in recrawls[name].items() if isinstance(k, int))
                 for name in ("day0_statuses", "incremental_statuses")}
    assert incremental == farm_side["incremental_statuses"] and full == farm_side["day0_statuses"]
    # Detail pages asked: the new, the changed and one request per withdrawn one; no unchanged page.
    truth = recrawls["day1"]
    touched = sum(1 for doc in truth if doc["added_day"] == 1 or doc["status"] in ("changed", "withdrawn"))
    assert _sum(recrawls, 1, "pages") == touched
    assert _sum(recrawls, 1, "unchanged") <= sum(1 for doc in truth if doc["withdrawn_as"] == "unlisted")


def test_full_sweep_makes_a_new_version_of_every_edited_document(recrawls):
    changed = [doc["url"] for doc in recrawls["day1"] if doc["status"] == "changed"]
    after = recrawls["after_full"]
    assert all(after[url].status == "changed" for url in changed)
    archive = Archive(DataDir.resolve(recrawls["data"]).database_url)
    try:
        with archive.engine.connect() as connection:
            versions = dict(connection.execute(select(Version.document_id, func.count()).group_by(Version.document_id)).all())
    finally:
        archive.close()
    assert all(versions[after[url].id] == 2 for url in changed)
    assert _sum(recrawls, 2, "changed") >= len(changed)


def test_full_sweep_marks_every_removed_document_withdrawn(recrawls):
    removed = [doc for doc in recrawls["day1"] if doc["status"] == "withdrawn"]
    assert removed
    after = recrawls["after_full"]
    assert [doc["url"] for doc in removed if after[doc["url"]].status != "withdrawn"] == []
    still_there = [doc["url"] for doc in recrawls["day1"] if doc["status"] != "withdrawn"]
    assert [url for url in still_there if after[url].status == "withdrawn"] == []
    assert _sum(recrawls, 2, "withdrawn") == len(removed)


def _regenerated(recrawls) -> int:
    """Day-0 pages of the site redesigned on day 1 (a new template regenerates every page) and pages
    whose chrome alone changed on day 1: they carry new validators (sitefarm/README.md) and a full
    sweep downloads them again, as it must."""
    return sum(1 for doc in recrawls["day1"] if (doc["layout"] == 2 or doc["chrome_day"] == 1)
               and doc["added_day"] == 0 and doc["status"] != "withdrawn")


def test_full_sweep_gets_304_for_unchanged_pages_and_counts_them(recrawls):
    unchanged = _sum(recrawls, 2, "unchanged")
    # unchanged: the 304s, and the regenerated pages whose 200 brought the same document again
    assert recrawls["statuses"][304] <= unchanged <= recrawls["statuses"][304] + _regenerated(recrawls)
    live = sum(1 for doc in recrawls["day1"] if doc["status"] != "withdrawn")
    assert _regenerated(recrawls)
    # the full sweep runs on the day-0 archive: day 1's new documents are 200s, not 304s
    assert unchanged >= live - _sum(recrawls, 2, "changed") - _sum(recrawls, 2, "new") - _regenerated(recrawls)


def test_full_sweep_downloads_under_a_fifth_of_the_pages_of_a_full_crawl(recrawls):
    downloaded = recrawls["statuses"][200] - _regenerated(recrawls)   # bodies sent: lists, new and edited pages
    assert downloaded < 0.2 * _sum(recrawls, 0, "requests"), downloaded


def test_each_recrawl_has_its_run_row(recrawls):
    for site, site_runs in recrawls["runs"].items():
        assert [run.full_sweep for run in site_runs] == [False, False, True]
        assert all(run.finished is not None and run.errors == {} for run in site_runs)
        assert site_runs[2].coverage and site_runs[2].coverage["title"] == 1.0


# revisit records (WARC 1.1) ----------------------------------------------------------------------

def _warc_records(warc_dir, names):
    from warcio.archiveiterator import ArchiveIterator

    out = []
    for name in sorted(names):
        with open(warc_dir / name, "rb") as handle:
            for record in ArchiveIterator(handle):
                out.append((record.rec_type, dict(record.rec_headers.headers)))
    return out


def test_full_sweep_writes_unchanged_pages_as_revisit_records(recrawls):
    from archive.models import Capture
    from archive.warc import NOT_MODIFIED

    data = DataDir.resolve(recrawls["data"])
    day1 = {path.name for path in data.warc_dir.glob("*.warc.gz")} - recrawls["day0_warcs"]
    day0_records = _warc_records(data.warc_dir, recrawls["day0_warcs"])
    day0_responses = {head["WARC-Record-ID"]: head for kind, head in day0_records if kind == "response"}
    records = _warc_records(data.warc_dir, day1)
    revisits = [head for kind, head in records if kind == "revisit"]
    archive = Archive(data.database_url)
    try:
        with archive.session() as s:
            # a 304 capture row points at the day-0 record holding the payload
            day1_304 = s.scalar(select(func.count()).select_from(Capture)
                                .where(Capture.status == 304, Capture.warc_file.in_(recrawls["day0_warcs"])))
            in_day1 = s.scalars(select(Capture.url).where(Capture.warc_file.in_(day1))).all()
    finally:
        archive.close()
    print(f"full sweep: {len(revisits)} revisit records, "
          f"{sum(1 for kind, _ in records if kind == 'response')} responses, "
          f"{sum((data.warc_dir / name).stat().st_size for name in day1)} bytes of WARC")
    # every 304 of a known page is a server-not-modified revisit of its day-0 response record
    assert revisits and len(revisits) == day1_304 <= recrawls["statuses"][304]
    for head in revisits:
        assert head["WARC-Profile"] == NOT_MODIFIED
        original = day0_responses[head["WARC-Refers-To"]]
        assert head["WARC-Refers-To-Target-URI"] == original["WARC-Target-URI"] == head["WARC-Target-URI"]
        assert head["WARC-Refers-To-Date"] == original["WARC-Date"]
        assert head["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
    # edited pages come back as full response records
    edited = [doc["url"] for doc in recrawls["day1"] if doc["status"] == "changed"]
    assert edited and set(edited) <= set(in_day1)


def test_reextract_after_a_recrawl_with_revisits_gives_the_same_documents(recrawls, tmp_path):
    import socket

    from archive.store.reextract import reextract

    copy = tmp_path / "data"
    shutil.copytree(recrawls["data"], copy)
    before = documents(copy)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
    try:
        summary = reextract(DataDir.resolve(copy))
    finally:
        monkeypatch.undo()
    after = documents(copy)
    assert summary.missing == 0 and summary.outcomes.get("unchanged")
    assert set(after) == set(before)
    for url, old in before.items():
        new = after[url]
        assert (new.title, new.published, new.agency, new.content_hash, new.status, new.first_seen, new.text) == \
               (old.title, old.published, old.agency, old.content_hash, old.status, old.first_seen, old.text)


def test_capture_view_of_a_revisit_shows_the_original_page(recrawls):
    from archive.models import Capture
    from archive.warc import read_record, read_response
    from search_ui import create_app

    data = DataDir.resolve(recrawls["data"])
    archive = Archive(data.database_url)
    try:
        with archive.session() as s:
            capture = s.scalars(select(Capture).where(Capture.status == 304).order_by(Capture.id.desc())).first()
            original = s.scalars(select(Capture).where(Capture.url == capture.url, Capture.status == 200)
                                 .order_by(Capture.id)).first()
    finally:
        archive.close()
    assert read_record(data.warc_dir, capture.warc_file, capture.warc_offset)[0] == "response"
    page = read_response(data.warc_dir, original.warc_file, original.warc_offset).body
    assert page and capture.payload_digest == original.payload_digest
    app = create_app({"DATA_DIR": str(data.root), "TESTING": True})
    try:
        got = app.test_client().get(f"/capture/{capture.id}/raw")
        assert got.status_code == 200 and got.data == page
        assert "sandbox" in got.headers["Content-Security-Policy"]
    finally:
        app.extensions["govplans"].archive.close()


def _events_and_versions(data):
    from archive.models import Document, DocumentEvent

    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.session() as s:
            events = Counter(s.execute(select(DocumentEvent.kind, Document.url)
                                       .join(Document, Document.id == DocumentEvent.document_id)).all())
            versions = dict(s.execute(select(Document.url, func.count(Version.id))
                                      .join(Version, Version.document_id == Document.id).group_by(Document.url)).all())
    finally:
        archive.close()
    return events, versions


def test_reextract_with_a_changed_extractor_re_extracts_in_place_without_changed_events(recrawls, tmp_path,
                                                                                      monkeypatch):
    """An extraction change (here: every body gains a line naming its page; a line every page shares
    would be the site's chrome, which the site's template model cuts) marks the documents
    re-extracted; the runs' events and the versions stay those of the crawl."""
    import dataclasses

    from archive.models import Document, SiteEvent
    from archive.store import reextract as module

    copy = tmp_path / "data"
    shutil.copytree(recrawls["data"], copy)
    before_events, before_versions = _events_and_versions(copy)
    real = module.extract_document
    monkeypatch.setattr(module, "extract_document", lambda page, hint=None: dataclasses.replace(
        real(page, hint), text=real(page, hint).text + f"\n原文地址：{page.url}"))
    module.reextract(DataDir.resolve(copy))
    after_events, after_versions = _events_and_versions(copy)
    assert after_events == before_events and any(kind == "changed" for kind, _ in before_events)
    assert after_versions == before_versions
    archive = Archive(DataDir.resolve(copy).database_url)
    try:
        with archive.session() as s:
            marked = s.scalars(select(Document.url).where(Document.reextracted_at.is_not(None))).all()
            texts = s.execute(select(Document.url, Document.text).where(Document.status != "withdrawn")).all()
            site_events = s.execute(select(SiteEvent.site_id, SiteEvent.kind)).all()
    finally:
        archive.close()
    assert len(marked) == len(before_versions) and all(f"原文地址：{url}" in text for url, text in texts)
    assert sorted(e for e in site_events if e[1] != "redesign") == sorted((site, "reextract") for site in recrawls["runs"])
