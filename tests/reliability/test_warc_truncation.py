"""A WARC file whose last record was cut off (a writer killed mid-write, a full disk) is detected
and skipped with a warning, never read as a short or empty body; a writer never appends after one."""
from __future__ import annotations

import errno
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from archive.warc import WarcWriter, WarcRecordError, iter_responses, payload_digest, read_response, scan_file
from evaluation.crashes import ROOT


def _write(directory, count: int, size: int = 3000) -> list:
    archive = WarcWriter(directory)
    bodies = [os.urandom(size) + str(n).encode() for n in range(count)]
    locations = [archive.write(f"http://x.test/{n}", 200, "OK", {"Content-Type": "text/html"}, body,
                               request_headers={"User-Agent": "govplans"}) for n, body in enumerate(bodies)]
    archive.close()
    return list(zip(locations, bodies))


def test_every_cut_inside_the_last_record_is_detected_and_skipped(tmp_path, caplog):
    written = _write(tmp_path / "src", 3)
    (last, _), name = written[-1], written[-1][0].file
    data = (tmp_path / "src" / name).read_bytes()
    cuts = sorted({*range(last.offset + 1, last.offset + last.length, 7), last.offset + last.length - 1})
    for cut in cuts:
        directory = tmp_path / f"cut-{cut}"
        directory.mkdir()
        (directory / name).write_bytes(data[:cut])
        problems = []
        with caplog.at_level(logging.WARNING, logger="archive.warc"):
            got = list(iter_responses(directory, problems))
        assert [(offset, response.body) for _, offset, response in got] == \
            [(location.offset, body) for location, body in written[:-1]], cut
        assert [(p.file, p.offset) for p in problems] == [(name, last.offset)]
        with pytest.raises(WarcRecordError):
            read_response(directory, name, last.offset)
        assert read_response(directory, name, written[0][0].offset).body == written[0][1]
    assert f"damaged record at offset {last.offset} skipped" in caplog.text


def test_a_cut_off_request_record_keeps_its_whole_response(tmp_path):
    written = _write(tmp_path, 2)
    location, body = written[-1]
    path = tmp_path / location.file
    path.write_bytes(path.read_bytes()[:-10])          # the request record after the last response
    problems = []
    got = list(iter_responses(tmp_path, problems))
    assert [response.body for _, _, response in got] == [b for _, b in written]
    assert len(problems) == 1 and problems[0].offset == location.offset + location.length
    assert read_response(tmp_path, location.file, location.offset).body == body


def test_a_record_with_a_wrong_payload_is_refused(tmp_path):
    import gzip

    (location, body), = _write(tmp_path, 1)
    path = tmp_path / location.file
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw.replace(body[:50], bytes(50))))   # same length, other bytes
    with pytest.raises(WarcRecordError, match="digest"):
        read_response(tmp_path, location.file, 0)


class _FullDisk:
    """A file that takes `room` more bytes, then fails every write with ENOSPC."""

    def __init__(self, handle, room: int):
        self._handle, self.room = handle, room

    def write(self, data):
        if len(data) > self.room:
            self._handle.write(bytes(data[:self.room]))
            self.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)


def test_a_write_that_fills_the_disk_is_cut_back_and_the_file_stays_readable(tmp_path):
    archive = WarcWriter(tmp_path)
    first = archive.write("http://x.test/a", 200, "OK", {}, b"first" * 100, request_headers={})
    archive._file = _FullDisk(archive._file, room=200)
    with pytest.raises(OSError) as failure:
        archive.write("http://x.test/b", 200, "OK", {}, os.urandom(5000), request_headers={})
    assert failure.value.errno == errno.ENOSPC
    archive._file.room = 10 ** 9                        # space again
    third = archive.write("http://x.test/c", 200, "OK", {}, b"third" * 100, request_headers={})
    archive.close()
    assert third.file == first.file and third.offset > first.offset
    problems = []
    assert [r.url for _, _, r in iter_responses(tmp_path, problems)] == ["http://x.test/a", "http://x.test/c"]
    assert problems == []
    assert read_response(tmp_path, third.file, third.offset).body == b"third" * 100


def test_a_new_writer_starts_a_new_file_and_leaves_a_damaged_one_alone(tmp_path):
    written = _write(tmp_path, 2)
    old = tmp_path / written[0][0].file
    old.write_bytes(old.read_bytes()[:-40])
    before = old.read_bytes()
    archive = WarcWriter(tmp_path)
    location = archive.write("http://x.test/after", 200, "OK", {}, b"after restart")
    archive.close()
    assert location.file != old.name and location.offset == 0
    assert old.read_bytes() == before
    problems = []
    urls = [response.url for _, _, response in iter_responses(tmp_path, problems)]
    assert "http://x.test/after" in urls and len(problems) == 1


_WRITER = """
import os, sys
from archive.warc import WarcWriter
archive = WarcWriter(sys.argv[1], max_bytes=200_000)
n = 0
while True:
    location = archive.write(f"http://x.test/{n}", 200, "OK", {}, os.urandom(20_000) + str(n).encode(),
                             request_headers={"User-Agent": "t"})
    print(location.file, location.offset, location.payload_digest, flush=True)
    n += 1
"""


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_writer_killed_at_a_random_moment_leaves_every_handed_out_record_readable(tmp_path, seed):
    import random

    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True)
    time.sleep(0.3 + random.Random(seed).random() * 0.7)
    child.send_signal(signal.SIGKILL)
    out, _ = child.communicate()
    handed_out = [line.split() for line in out.splitlines() if line.count(" ") == 2]
    assert len(handed_out) > 3
    for name, offset, digest in handed_out:
        assert payload_digest(read_response(tmp_path, name, int(offset)).body) == digest
    problems = []
    read = {(name, offset) for name, offset, _ in iter_responses(tmp_path, problems)}
    assert {(name, int(offset)) for name, offset, _ in handed_out} <= read
    assert len(problems) <= 1                          # at most the record being written when killed
    for path in tmp_path.glob("*.warc.gz"):
        entries = list(scan_file(path))
        assert all(not hasattr(e, "reason") for e in entries[:-1])


def test_a_cut_off_revisit_record_is_skipped_like_any_other(tmp_path):
    from archive.warc import IDENTICAL_PAYLOAD, Original

    warc = WarcWriter(tmp_path)
    first = warc.write("http://x.test/a", 200, "OK", {}, b"<p>a</p>", request_headers={})
    original = Original("http://x.test/a", first.file, first.offset, first.length, first.payload_digest)
    whole = warc.write_revisit("http://x.test/a", 200, "OK", {}, IDENTICAL_PAYLOAD, original)
    cut = warc.write_revisit("http://x.test/a", 200, "OK", {"X-N": "3"}, IDENTICAL_PAYLOAD, original)
    warc.close()
    path = tmp_path / first.file
    with open(path, "r+b") as handle:
        handle.truncate(cut.revisit[1] + cut.revisit[2] // 2)     # killed midway through the last revisit
    problems = []
    got = [(offset, response.status, response.body) for _, offset, response in iter_responses(tmp_path, problems)]
    assert got == [(first.offset, 200, b"<p>a</p>"), (whole.revisit[1], 200, b"<p>a</p>")]
    assert len(problems) == 1 and problems[0].offset == cut.revisit[1]
    with pytest.raises(WarcRecordError):
        read_response(tmp_path, cut.revisit[0], cut.revisit[1])
