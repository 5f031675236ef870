"""Raw captures: every HTTP exchange kept byte-exact in gzipped WARC files."""
from __future__ import annotations

import hashlib
import io
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass(frozen=True)
class WarcLocation:
    file: str      # name relative to the WARC directory
    offset: int
    length: int
    payload_digest: str  # sha1:BASE32, as in WARC-Payload-Digest


@dataclass(frozen=True)
class StoredResponse:
    url: str
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    date: str


def payload_digest(body: bytes) -> str:
    import base64
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


class WarcArchive:
    """Appends request/response pairs to one WARC file per writer; thread-safe."""

    def __init__(self, directory: str | os.PathLike, prefix: str = "govplans", max_bytes: int = 1 << 30):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._file = None
        self._name = ""

    def _open(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self._name = f"{self.prefix}-{stamp}-{os.getpid()}.warc.gz"
        self._file = open(self.directory / self._name, "ab")

    def write(self, url: str, status: int, reason: str, response_headers: Mapping[str, str],
              body: bytes, request_headers: Mapping[str, str] | None = None,
              method: str = "GET") -> WarcLocation:
        with self._lock:
            if self._file is None or self._file.tell() > self.max_bytes:
                self.close()
                self._open()
            writer = WARCWriter(self._file, gzip=True)
            http_headers = StatusAndHeaders(f"{status} {reason}".strip(), list(response_headers.items()),
                                            protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                 http_headers=http_headers)
            offset = self._file.tell()
            writer.write_record(response)
            length = self._file.tell() - offset
            if request_headers is not None:
                path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
                req_headers = StatusAndHeaders(f"{method} /{path} HTTP/1.1", list(request_headers.items()),
                                               is_http_request=True)
                request = writer.create_warc_record(url, "request", http_headers=req_headers)
                request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
                writer.write_record(request)
            self._file.flush()
            return WarcLocation(self._name, offset, length, payload_digest(body))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_response(directory: str | os.PathLike, location_file: str, offset: int) -> StoredResponse:
    """The response record at offset, body decoded of any transfer/content encoding warcio undoes."""
    path = Path(directory) / Path(location_file).name  # never a path outside the WARC directory
    with open(path, "rb") as handle:
        handle.seek(offset)
        for record in ArchiveIterator(handle):
            headers = {k.lower(): v for k, v in record.http_headers.headers} if record.http_headers else {}
            status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
            return StoredResponse(record.rec_headers.get_header("WARC-Target-URI"), status, headers,
                                  record.content_stream().read(), record.rec_headers.get_header("WARC-Date"))
    raise ValueError(f"no WARC record at {location_file}:{offset}")


def iter_responses(directory: str | os.PathLike):
    """Every response record in every WARC file, oldest file first."""
    for path in sorted(Path(directory).glob("*.warc.gz")):
        with open(path, "rb") as handle:
            iterator = ArchiveIterator(handle)
            for record in iterator:
                if record.rec_type != "response":
                    continue
                headers = {k.lower(): v for k, v in record.http_headers.headers}
                yield (path.name, iterator.get_record_offset(),
                       StoredResponse(record.rec_headers.get_header("WARC-Target-URI"),
                                      int(record.http_headers.get_statuscode()), headers,
                                      record.content_stream().read(), record.rec_headers.get_header("WARC-Date")))
