"""Every fault the farm can inject, on 30% of pages and files and half of the sites, in one crawl:
the crawl completes, each failure is recorded under its kind in its site's crawl_runs row, and the
archive holds exactly the servable documents of the truth, with their text, once each."""
from __future__ import annotations

import time
from collections import Counter

import pytest

from archive.config import DataDir
from archive.store import Archive
from sitefarm.faults import ATTEMPTS, SITE_KINDS
from evaluation.crashes import (FAULT_WORLD, RECORDED_AS, check_archive, govplans, high_faults, query,
                                servable, truth_of, write_registry)

@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory):
    from sitefarm.server import start_in_thread
    from sitefarm.world import World

    world = World(**FAULT_WORLD, faults=high_faults())
    server, port = start_in_thread(world, port=0)
    data = tmp_path_factory.mktemp("faults")
    try:
        started = time.monotonic()
        result = govplans("crawl", "--sites-file", str(write_registry(data / "sites.yaml", world.registry(port))),
                          data=data)
        seconds = time.monotonic() - started
    finally:
        server.shutdown()
    return world, data, truth_of(world, port), result, seconds


def _errors(data) -> dict[str, dict]:
    import json

    return {site: json.loads(errors) if isinstance(errors, str) else errors
            for site, errors in query(data, "select site_id, errors from crawl_runs")}


def test_every_fault_kind_is_injected(faulty_crawl):
    _, _, truth, _, _ = faulty_crawl
    kinds = Counter(f["kind"] for doc in truth for f in doc["faults"])
    assert set(kinds) == set(ATTEMPTS) | set(SITE_KINDS)
    faulted = sum(1 for doc in truth if any(f["url"] == doc["url"] and f["kind"] not in SITE_KINDS
                                            for f in doc["faults"]))
    assert faulted / len(truth) > 0.2


def test_the_crawl_completes_and_finishes_every_run(faulty_crawl):
    world, data, _, result, _ = faulty_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    finished = dict(query(data, "select site_id, finished is not null from crawl_runs"))
    assert finished == {site.id: 1 for site in world.sites}
    assert not (data / "crawl-job.json").exists()


def test_archive_holds_every_servable_document_once_and_nothing_else(faulty_crawl):
    _, data, truth, _, _ = faulty_crawl
    check = check_archive(data, truth)
    assert check.expected >= 50
    assert check.lost == [] and check.duplicated == [] and check.outside == [] and check.wrong == []


def _clean_text(world, url: str, archive=None) -> str:
    """The text extraction makes of the page as the farm serves it without any fault (read with
    the template its site's archive learnt, as the crawl stored it, when an archive is given)."""
    from urllib.parse import urlsplit

    from archive.extract import extract_document
    from archive.extract.document import RawPage
    from sitefarm.responses import Request
    from sitefarm.server import respond

    parts = urlsplit(url)
    answer = respond(world, Request("GET", parts.path, parts.query, b"", {}), parts.netloc)
    doc = extract_document(RawPage(url, answer.body, {"content-type": answer.content_type}, answer.status))
    if archive is not None:
        from archive.store.site_templates import with_site_template

        doc, _ = with_site_template(archive, doc)
    return doc.text


def test_pages_with_lying_encodings_or_session_ids_keep_their_text(faulty_crawl):
    """A page served in UTF-16, under the wrong charset, slowly, cut off once or with session ids
    is stored with the text the same page has when served cleanly."""
    from sitefarm.world import World

    world, data, truth, _, _ = faulty_crawl
    clean = World(**FAULT_WORLD)
    # the page's own text: the latest version's (a document's text also holds its files' texts)
    stored = dict(query(data, "select d.url, v.text from documents d join versions v on v.document_id = d.id "
                              "where v.number = (select max(number) from versions where document_id = d.id)"))
    content = {"charset_mismatch", "utf16", "session_ids", "slow", "truncated", "stall", "reset",
               "http_503", "too_many_requests"}
    checked, kinds, wrong = 0, Counter(), []
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        for doc in truth:
            faults = {f["kind"] for f in doc["faults"] if f["url"] == doc["url"]} & content
            if servable(doc) and faults:
                checked += 1
                kinds.update(faults)
                if stored.get(doc["url"]) != _clean_text(clean, doc["url"], archive):
                    wrong.append((doc["url"], sorted(faults)))
    finally:
        archive.close()
    assert checked >= 20 and {"charset_mismatch", "utf16", "session_ids"} <= set(kinds)
    assert wrong == []


def test_every_failure_is_recorded_with_its_kind(faulty_crawl):
    _, data, truth, _, _ = faulty_crawl
    errors = _errors(data)
    checked = 0
    for doc in truth:
        for fault in doc["faults"]:
            expected = RECORDED_AS[fault["kind"]]
            if expected is None:
                continue
            if fault["kind"] != "robots" and any(f["kind"] == "robots" for f in doc["faults"]):
                continue  # never asked: its column is closed by robots.txt
            assert expected & set(errors[doc["site"]]), (fault, errors[doc["site"]])
            checked += 1
    assert checked >= 30
    for site, site_errors in errors.items():
        # every document or file lost for good is counted as given up (robots-closed ones are never asked)
        lost = {f["url"] for doc in truth if doc["site"] == site for f in doc["faults"]
                if not f["reachable"] and f["kind"] != "robots"
                and not any(g["kind"] == "robots" for g in doc["faults"])}
        assert site_errors.get("gave_up", 0) >= len(lost), (site, site_errors, sorted(lost))


def test_reachable_attachments_are_captured_whole(faulty_crawl):
    from archive.warc import payload_digest

    _, data, truth, _, _ = faulty_crawl
    captured = {url: (status, digest) for url, status, digest in
                query(data, "select url, status, payload_digest from captures where status = 200")}
    wanted, missing = 0, []
    for doc in truth:
        if not servable(doc):
            continue
        for attachment in doc["attachments"]:
            faults = [f for f in doc["faults"] if f["url"] == attachment["url"]]
            if all(f["reachable"] for f in faults):
                wanted += 1
                if attachment["url"] not in captured:
                    missing.append(attachment["url"])
    assert wanted >= 5
    assert missing == []
    assert all(digest.startswith("sha1:") and digest != payload_digest(b"") for _, digest in captured.values())


def test_every_capture_reads_back_from_the_warc(faulty_crawl):
    _, data, truth, _, _ = faulty_crawl
    check = check_archive(data, truth)
    captures = query(data, "select count(*) from captures where warc_file is not null")[0][0]
    assert check.warc_records >= captures > 0
    assert check.warc_unreadable == []
