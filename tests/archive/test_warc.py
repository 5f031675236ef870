"""Raw captures read back byte-exact from the WARC files."""
from __future__ import annotations

import gzip

from archive.warc import WarcArchive, iter_responses, read_response


def test_response_reads_back_byte_exact(tmp_path):
    warc = WarcArchive(tmp_path)
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
    warc = WarcArchive(tmp_path)
    plain = "通知正文".encode("utf-8") * 50
    location = warc.write("http://x.test/c", 200, "OK", {"Content-Encoding": "gzip"}, gzip.compress(plain))
    warc.close()
    assert read_response(tmp_path, location.file, location.offset).body == plain


def test_iter_responses_lists_every_response_once(tmp_path):
    warc = WarcArchive(tmp_path)
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
