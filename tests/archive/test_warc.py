"""Raw captures read back byte-exact from the WARC files."""
from __future__ import annotations

import gzip
import os

from archive.warc import WarcWriter, iter_responses, read_response


def test_response_reads_back_byte_exact(tmp_path):
    warc = WarcWriter(tmp_path)
    body = "<html><head><meta charset=gbk></head><body>祁阳市政务公开</body></html>".encode("gbk")
    first = warc.write("http://www.qiyang.gov.cn.test/a.html", 200, "OK", {"Content-Type": "text/html"}, body,
                       request_headers={"User-Agent": "govplans"})
    second = warc.write("http://www.qiyang.gov.cn.test/b.html", 404, "Not Found", {}, b"gone")
    warc.close()
    got = read_response(tmp_path, first.file, first.offset)
    assert got.body == body
    assert got.status == 200
    assert got.headers["content-type"] == "text/html"
    assert read_response(tmp_path, second.file, second.offset).status == 404
    assert first.payload_digest != second.payload_digest


def test_gzip_encoded_response_is_kept_compressed_and_read_back_plain(tmp_path):
    warc = WarcWriter(tmp_path)
    plain = "通知正文".encode("utf-8") * 50
    location = warc.write("http://x.test/c", 200, "OK", {"Content-Encoding": "gzip"}, gzip.compress(plain))
    warc.close()
    assert read_response(tmp_path, location.file, location.offset).body == plain


def test_iter_responses_lists_every_response_once(tmp_path):
    warc = WarcWriter(tmp_path)
    for n in range(5):
        warc.write(f"http://x.test/{n}", 200, "OK", {}, str(n).encode(), request_headers={})
    warc.close()
    urls = [response.url for _, _, response in iter_responses(tmp_path)]
    assert urls == [f"http://x.test/{n}" for n in range(5)]


def test_a_location_cannot_escape_the_warc_directory(tmp_path):
    (tmp_path / "warc").mkdir()
    try:
        read_response(tmp_path / "warc", "../../etc/passwd", 0)
    except (OSError, ValueError):
        pass
    else:
        raise AssertionError("a path outside the WARC directory was read")


def test_records_carry_the_warc_fields_and_digests_warcio_checks(tmp_path):
    """The writer builds its records itself (no warcio objects per record): warcio reads them back
    with every block and payload digest checked, the request tied to its response."""
    from warcio.archiveiterator import ArchiveIterator

    from archive.warc import payload_digest

    warc = WarcWriter(tmp_path)
    body = "<p>实施方案</p>".encode("utf-8") * 200
    location = warc.write("http://x.test:8800/a/b.html?id=1", 200, "OK",
                          {"Content-Type": "text/html", "Content-Disposition": 'inline; filename="\xe6\x96\x87.html"'},
                          body, request_headers={"User-Agent": "govplans", "Cookie": "a=\xe6"}, method="GET")
    warc.write("http://x.test/robots.txt", 404, "", {}, b"", request_headers={})
    warc.close()
    assert location.payload_digest == payload_digest(body)
    with open(tmp_path / location.file, "rb") as handle:
        records = [(r.rec_type, dict(r.rec_headers.headers), r.http_headers, r.content_stream().read())
                   for r in ArchiveIterator(handle, check_digests="raise")]
    assert [kind for kind, *_ in records] == ["response", "request", "response", "request"]
    (_, response, http, payload), (_, request, request_http, _) = records[:2]
    assert payload == body and http.get_statuscode() == "200"
    assert http.get_header("Content-Disposition") == "inline; filename*=UTF-8''%C3%A6%C2%96%C2%87.html"
    assert response["WARC-Payload-Digest"] == location.payload_digest
    assert response["WARC-Date"] == request["WARC-Date"] and response["WARC-Date"].endswith("Z")
    assert request["WARC-Concurrent-To"] == response["WARC-Record-ID"]
    assert request_http.protocol == "GET" and request_http.statusline == "/a/b.html?id=1 HTTP/1.1"
    assert request["WARC-Target-URI"] == response["WARC-Target-URI"] == "http://x.test:8800/a/b.html?id=1"
    assert records[2][2].get_statuscode() == "404"


def test_writes_from_many_threads_each_land_whole_where_they_say(tmp_path):
    """Records are built outside the lock; only the append is serialized."""
    from concurrent.futures import ThreadPoolExecutor

    warc = WarcWriter(tmp_path, max_bytes=50_000)
    bodies = [bytes([n % 251]) * (1000 + 97 * n) for n in range(120)]
    with ThreadPoolExecutor(8) as pool:
        locations = list(pool.map(lambda n: warc.write(f"http://x.test/{n}", 200, "OK", {}, bodies[n],
                                                       request_headers={}), range(len(bodies))))
    warc.close()
    assert len({location.file for location in locations}) > 1
    for n, location in enumerate(locations):
        got = read_response(tmp_path, location.file, location.offset)
        assert got.url == f"http://x.test/{n}" and got.body == bodies[n]
    assert sorted(response.url for _, _, response in iter_responses(tmp_path)) == \
        sorted(f"http://x.test/{n}" for n in range(len(bodies)))


# revisit records -------------------------------------------------------------------------------

def _records(directory):
    from warcio.archiveiterator import ArchiveIterator

    out = []
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                out.append((record.rec_type, dict(record.rec_headers.headers), record.content_stream().read()))
    return out


def test_revisit_record_refers_to_the_original_and_reads_back_as_it(tmp_path):
    from archive.warc import IDENTICAL_PAYLOAD, NOT_MODIFIED, Original, read_record

    warc = WarcWriter(tmp_path)
    body = "<html><body>不变的正文</body></html>".encode("utf-8")
    ids = {}
    first = warc.write("http://x.test/a", 200, "OK", {"Content-Type": "text/html"}, body, request_headers={}, ids=ids)
    original = Original("http://x.test/a", first.file, first.offset, first.length, first.payload_digest,
                        ids["record_id"], ids["date"])
    again = warc.write_revisit("http://x.test/a", 200, "OK", {"Content-Type": "text/html", "X-Day": "2"},
                               IDENTICAL_PAYLOAD, original, request_headers={"User-Agent": "govplans"})
    not_modified = warc.write_revisit("http://x.test/a", 304, "Not Modified", {"ETag": '"1"'}, NOT_MODIFIED,
                                      original, request_headers={"If-None-Match": '"1"'})
    warc.close()
    # the location handed out is the original's (the payload); the revisit record's own place is kept too
    assert (again.file, again.offset, again.payload_digest) == (first.file, first.offset, first.payload_digest)
    assert again.revisit and again.revisit[1] > first.offset and not_modified.revisit[1] > again.revisit[1]
    records = _records(tmp_path)
    assert [kind for kind, _, _ in records] == ["response", "request", "revisit", "request", "revisit", "request"]
    for (_, head, block), profile, status in ((records[2], IDENTICAL_PAYLOAD, b"200"),
                                              (records[4], NOT_MODIFIED, b"304")):
        assert head["WARC-Profile"] == profile
        assert head["WARC-Refers-To"] == ids["record_id"]
        assert head["WARC-Refers-To-Target-URI"] == "http://x.test/a"
        assert head["WARC-Refers-To-Date"] == ids["date"]
        assert head["WARC-Payload-Digest"] == first.payload_digest
        assert block == b""                              # the HTTP head only, no body
    assert records[3][1]["WARC-Concurrent-To"] == records[2][1]["WARC-Record-ID"]
    kind, stored = read_record(tmp_path, *again.revisit[:2])
    assert kind == "revisit" and stored.status == 200 and stored.headers["x-day"] == "2" and stored.body == b""
    assert read_response(tmp_path, again.file, again.offset).body == body
    # iteration: a revisit comes as the response it stands for, body from the record it refers to
    got = [(r.status, r.body) for _, _, r in iter_responses(tmp_path)]
    assert got == [(200, body), (200, body), (304, b"")]


def test_a_revisit_is_much_smaller_than_the_response(tmp_path):
    from archive.warc import IDENTICAL_PAYLOAD, Original

    warc = WarcWriter(tmp_path)
    body = os.urandom(100_000)
    first = warc.write("http://x.test/big", 200, "OK", {}, body)
    again = warc.write_revisit("http://x.test/big", 200, "OK", {}, IDENTICAL_PAYLOAD,
                               Original("http://x.test/big", first.file, first.offset, first.length,
                                        first.payload_digest))
    warc.close()
    assert again.revisit[2] < first.length / 50
