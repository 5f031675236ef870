"""Faults: each kind behaves as the truth says, on the URLs the truth names, and only when asked."""
import http.client
import re
import socket
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from sitefarm import faults as faults_module
from sitefarm.cli import farm as farm_cli
from sitefarm.faults import Faults
from sitefarm.server import start_in_thread
from sitefarm.world import World
from tests.sitefarm.conftest import FarmClient

TEST_FAULTS = Faults("test", rate=0.5, site_rate=0.5, slow_seconds=0.4, stall_seconds=0.6, retry_after=3)


@pytest.fixture(scope="module")
def faulty():
    world = World(sites=12, seed=0, docs_per_site=(30, 40), attachments=True, faults=TEST_FAULTS)
    server, port = start_in_thread(world, port=0)
    truth = list(world.truth(port))
    yield world, FarmClient(port), truth
    server.shutdown()


def entry(truth, kind):
    """(record, fault entry) of the first URL with this kind of fault."""
    return next((t, f) for t in truth for f in t["faults"] if f["kind"] == kind)


def raw_get(port, url, read_timeout=5.0):
    """Status line + headers and whatever body bytes arrive before the server closes or goes quiet."""
    parts = urlsplit(url)
    sock = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    sock.sendall(f"GET {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                 f"Connection: close\r\n\r\n".encode())
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except socket.timeout:
        pass
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:])
    return head.split(b" ")[1], headers, body


def test_worlds_are_fault_free_unless_asked():
    assert all(t["faults"] == [] for t in World(sites=12, attachments=True).truth(8800))
    low = [f for t in World(sites=12, attachments=True, faults="low").truth(8800) for f in t["faults"]]
    high = [f for t in World(sites=12, attachments=True, faults="high").truth(8800) for f in t["faults"]]
    assert 0 < len(low) < len(high)
    assert low == [f for t in World(sites=12, attachments=True, faults="low").truth(8800) for f in t["faults"]]


def test_serve_defaults_to_low_faults_and_truth_matches_it():
    defaults = {p.name: p.default for p in farm_cli.commands["serve"].params}
    assert defaults["faults"] == "low"
    assert {p.name: p.default for p in farm_cli.commands["truth"].params}["faults"] == "low"
    result = CliRunner().invoke(farm_cli, ["serve", "--faults", "medium"])
    assert result.exit_code != 0


def test_every_kind_is_planted_and_files_get_only_file_kinds(faulty):
    _, _, truth = faulty
    kinds = Counter(f["kind"] for t in truth for f in t["faults"])
    assert set(kinds) == set(faults_module.ATTEMPTS) | set(faults_module.SITE_KINDS)
    for record in truth:
        for fault in record["faults"]:
            is_file = fault["url"] != record["url"]
            assert not (is_file and fault["kind"] in faults_module.PAGE_ONLY)
            assert not (not is_file and fault["kind"] in faults_module.FILE_ONLY)
            assert fault["reachable"] == (fault["kind"] not in {"http_500", "redirect_loop", "huge", "robots"})


def test_http_500_is_permanent_and_503_passes_after_two_attempts(faulty):
    _, farm, truth = faulty
    _, fault = entry(truth, "http_500")
    assert [farm.get(fault["url"])[0] for _ in range(3)] == [500, 500, 500]
    _, fault = entry(truth, "http_503")
    assert fault["attempts"] == 2
    assert [farm.get(fault["url"])[0] for _ in range(3)] == [503, 503, 200]


def test_429_carries_retry_after_then_passes(faulty):
    _, farm, truth = faulty
    _, fault = entry(truth, "too_many_requests")
    status, headers, _ = farm.get(fault["url"])
    assert status == 429 and headers["Retry-After"] == "3"
    assert farm.get(fault["url"])[0] == 200


def test_slow_answers_late_but_right(faulty):
    _, farm, truth = faulty
    record, fault = entry(truth, "slow")
    start = time.monotonic()
    status, _, body = farm.get(fault["url"])
    assert status == 200 and time.monotonic() - start >= 0.4
    if fault["url"] == record["url"]:
        assert record["title"].encode("gbk" if record["family"] == "legacy" else "utf-8") in body


def test_stall_sends_part_then_goes_quiet_then_closes(faulty):
    world, farm, truth = faulty
    _, fault = entry(truth, "stall")
    start = time.monotonic()
    status, headers, body = raw_get(farm.port, fault["url"])
    assert status == b"200" and len(body) < int(headers["Content-Length"])
    assert time.monotonic() - start >= 0.6
    status, headers, body = raw_get(farm.port, fault["url"])
    assert len(body) == int(headers["Content-Length"])


def test_reset_drops_the_connection_once(faulty):
    _, farm, truth = faulty
    _, fault = entry(truth, "reset")
    with pytest.raises(ConnectionError):
        farm.get(fault["url"])
    assert farm.get(fault["url"])[0] == 200


def test_truncated_body_is_shorter_than_its_content_length(faulty):
    _, farm, truth = faulty
    _, fault = entry(truth, "truncated")
    with pytest.raises(http.client.IncompleteRead):
        farm.get(fault["url"])
    assert farm.get(fault["url"])[0] == 200


def test_redirect_loop_goes_round(faulty):
    _, farm, truth = faulty
    _, fault = entry(truth, "redirect_loop")
    parts = urlsplit(fault["url"])
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    status, headers, _ = farm.get(fault["url"])
    assert status == 302 and headers["Location"].endswith("loop=1")
    status, headers, _ = farm.get(f"{parts.scheme}://{parts.netloc}{headers['Location']}")
    assert status == 302 and headers["Location"] == target


def test_huge_page_is_fifty_megabytes(faulty):
    _, farm, truth = faulty
    _, fault = entry(truth, "huge")
    parts = urlsplit(fault["url"])
    conn = http.client.HTTPConnection("127.0.0.1", farm.port, timeout=10)
    conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Host": parts.netloc})
    response = conn.getresponse()
    assert int(response.getheader("Content-Length")) == 50 * 2**20
    received = 0
    while chunk := response.read(1 << 20):
        received += len(chunk)
    conn.close()
    assert received == 50 * 2**20


def test_binary_file_served_as_html(faulty):
    _, farm, truth = faulty
    record, fault = entry(truth, "binary_as_html")
    status, headers, body = farm.get(fault["url"])
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body[:4] in (b"%PDF", b"PK\x03\x04", bytes.fromhex("D0CF11E0"), b"{\\rt", b"<htm")
    assert fault["url"] in {a["url"] for a in record["attachments"]}


def test_charset_header_contradicts_meta(faulty):
    _, farm, truth = faulty
    record, fault = entry(truth, "charset_mismatch")
    _, headers, body = farm.get(fault["url"])
    declared = headers["Content-Type"].split("charset=")[1]
    assert declared != fault["true_encoding"]
    assert record["title"] in body.decode(fault["true_encoding"])


def test_utf16_page_with_bom_keeps_its_old_meta(faulty):
    _, farm, truth = faulty
    record, fault = entry(truth, "utf16")
    _, headers, body = farm.get(fault["url"])
    assert body[:2] == b"\xff\xfe" and "charset" not in headers["Content-Type"]
    text = body.decode("utf-16")
    assert record["title"] in text
    assert re.search(r"charset=\"?(utf-8|gb2312)", text)  # the meta still names the old encoding


def test_session_ids_make_duplicate_urls_of_one_page(faulty):
    world, farm, truth = faulty
    record, fault = entry(truth, "session_ids")
    site = next(s for s in world.sites if s.id == record["site"])
    base = world.base_url(site, farm.port)
    home = farm.get(base + "/")[2].decode("gbk" if site.family == "legacy" else "utf-8")
    marked = [h for h in home.split('href="')[1:] if ";jsessionid=" in h.split('"')[0] or "&sid=" in h.split('"')[0]]
    assert marked
    column = farm.get(base + site.columns[0].path)[2].decode("gbk" if site.family == "legacy" else "utf-8")
    tokens = lambda page: set(re.findall(r"(?:jsessionid|sid)=([0-9A-Fa-f]+)", page))
    assert tokens(home) and tokens(column) and tokens(home) != tokens(column)  # one document, several URLs
    canonical = farm.get(record["url"])
    sessioned = record["url"] + ("&sid=abcdef0123" if "?" in record["url"] else ";jsessionid=ABCDEF0123")
    assert farm.get(sessioned)[0] == 200 and farm.get(sessioned)[2] == canonical[2]
    assert record["title"] in canonical[2].decode("gbk" if site.family == "legacy" else "utf-8")


def test_robots_disallows_a_column_and_truth_names_its_documents(faulty):
    world, farm, truth = faulty
    record, fault = entry(truth, "robots")
    site = next(s for s in world.sites if s.id == record["site"])
    robots = farm.get(world.base_url(site, farm.port) + "/robots.txt")[2].decode()
    assert f"Disallow: {fault['disallow']}" in robots
    closed = {t["url"] for t in truth if t["site"] == site.id and fault["disallow"] in t["url"]}
    marked = {t["url"] for t in truth for f in t["faults"] if f["kind"] == "robots" and t["site"] == site.id}
    assert closed == marked and closed


def test_faults_follow_the_url_not_the_request_order(faulty):
    world, _, truth = faulty
    planted = {(f["url"], f["kind"]) for t in truth for f in t["faults"]}
    again = {(f["url"], f["kind"]) for t in World(sites=12, seed=0, docs_per_site=(30, 40), attachments=True,
                                                   faults=TEST_FAULTS).truth(urlsplit(truth[0]["url"]).port)
             for f in t["faults"]}
    assert planted == again
    other_seed = {(f["url"], f["kind"]) for t in World(sites=12, seed=1, docs_per_site=(30, 40), attachments=True,
                                                        faults=TEST_FAULTS).truth(1) for f in t["faults"]}
    assert other_seed != planted
