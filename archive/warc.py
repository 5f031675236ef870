"""Raw captures: every HTTP exchange kept byte-exact in gzipped WARC files.

Each record is its own gzip member, flushed before its place is handed out, so a capture row
never points at a record that is not wholly on disk. A process killed mid-write leaves a cut-off
last member; a write that fails (disk full) is cut back to the last whole record. Readers check
every record whole (its gzip member complete, its payload digest right): `read_response` raises
WarcRecordError for a damaged one, `iter_responses` logs it and skips the rest of that file.
A writer never appends to an existing file (each process starts its own), so a damaged tail is
never followed by good records.

Unchanged content is written as a WARC 1.1 `revisit` record (`write_revisit`: the HTTP status line
and headers, no body, WARC-Refers-To / -Target-URI / -Date naming the earlier response record):
profile identical-payload-digest for a 200 with the same payload, server-not-modified for a 304.
The location it hands out is the earlier response record's (the payload), its own in `.revisit`;
`read_response` reads response records only, `read_record` either kind, and `iter_responses`
yields a revisit with the body of the record it refers to.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import logging
import threading
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader

log = logging.getLogger(__name__)
_CHUNK = 1 << 16


class WarcRecordError(ValueError):
    """A record that does not read back whole: cut off (a write killed midway) or corrupt."""


@dataclass(frozen=True)
class WarcProblem:
    file: str
    offset: int      # where the damaged record starts; nothing after it in the file is read
    reason: str


@dataclass(frozen=True)
class WarcLocation:
    file: str      # name relative to the WARC directory
    offset: int
    length: int
    payload_digest: str  # sha1:BASE32, as in WARC-Payload-Digest
    # A revisit: where its own revisit record is (file, offset, length); the fields above then
    # name the earlier response record that holds the payload (what a capture row points at).
    revisit: tuple[str, int, int] | None = None


IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisions/identical-payload-digest"
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisions/server-not-modified"


@dataclass(frozen=True)
class Original:
    """The earlier response record a revisit refers to."""
    url: str
    file: str
    offset: int
    length: int
    payload_digest: str
    record_id: str | None = None   # its WARC-Record-ID, when known
    date: str | None = None        # its WARC-Date, when known


@dataclass(frozen=True)
class StoredResponse:
    url: str
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    date: str
    revisit: dict | None = None  # a revisit record: profile, refers_to, refers_to_uri, refers_to_date, digest
    record_id: str | None = None   # its WARC-Record-ID
    digest: str | None = None      # its WARC-Payload-Digest


def payload_digest(body: bytes) -> str:
    return _digest(hashlib.sha1(body))


def _digest(sha1) -> str:
    return "sha1:" + base64.b32encode(sha1.digest()).decode()


# Each record is one plain gzip member. ISA-L (isal) level 3 writes them 3.6x faster than zlib
# level 6 (warcio wrote 9) for 3% more bytes on the farm's captures: the capture runs in the
# crawl's thread, so its cost is the crawl's.
GZIP_LEVEL = 3
_EMPTY_DIGEST = payload_digest(b"")


def _http_block(first_line: str, headers: Mapping[str, str], statusline: str, protocol: str) -> bytes:
    """The HTTP head as warcio writes it: ASCII, a non-ASCII value %-encoded (RFC 8187)."""
    text = first_line + "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        return StatusAndHeaders(statusline, list(headers.items()), protocol=protocol).to_ascii_bytes()


def _record(rec_type: str, record_id: str, url: str, date: str, payload: str, block: str, block_length: int,
            concurrent_to: str | None = None) -> bytes:
    """A record's WARC head, fields in warcio's order."""
    concurrent = f"WARC-Concurrent-To: {concurrent_to}\r\n" if concurrent_to else ""
    return (f"WARC/1.0\r\nWARC-Type: {rec_type}\r\nWARC-Record-ID: {record_id}\r\nWARC-Target-URI: {url}\r\n"
            f"WARC-Date: {date}\r\nWARC-Payload-Digest: {payload}\r\n{concurrent}WARC-Block-Digest: {block}\r\n"
            f"Content-Type: application/http; msgtype={rec_type}\r\nContent-Length: {block_length}\r\n\r\n"
            ).encode("utf-8")


def _gzip_member(*parts: bytes) -> bytes:
    return isal_zlib.compress(b"".join(parts), GZIP_LEVEL, 16 + 15)


def _request_member(url: str, date: str, concurrent_to: str, request_headers: Mapping[str, str],
                    method: str) -> bytes:
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    statusline = f"/{path} HTTP/1.1"
    request_head = _http_block(f"{method} {statusline}\r\n", request_headers, statusline, method)
    return _gzip_member(_record("request", f"<urn:uuid:{uuid.uuid4()}>", url, date, _EMPTY_DIGEST,
                                _digest(hashlib.sha1(request_head)), len(request_head),
                                concurrent_to=concurrent_to), request_head, b"\r\n\r\n")


def build_revisit(url: str, status: int, reason: str, response_headers: Mapping[str, str], profile: str,
                  original: Original, request_headers: Mapping[str, str] | None = None,
                  method: str = "GET") -> tuple[bytes, bytes]:
    """(revisit member, request member or b""): a WARC 1.1 revisit record whose block is the HTTP
    status line and headers only (no body), referring to the earlier response `original`."""
    statusline = f"{status} {reason}".strip()
    http_head = _http_block(f"HTTP/1.1 {statusline}\r\n", response_headers, statusline, "HTTP/1.1")
    date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    record_id = f"<urn:uuid:{uuid.uuid4()}>"
    refers = f"WARC-Refers-To: {original.record_id}\r\n" if original.record_id else ""
    refers_date = f"WARC-Refers-To-Date: {original.date}\r\n" if original.date else ""
    head = (f"WARC/1.1\r\nWARC-Type: revisit\r\nWARC-Record-ID: {record_id}\r\nWARC-Target-URI: {url}\r\n"
            f"WARC-Date: {date}\r\nWARC-Profile: {profile}\r\n{refers}"
            f"WARC-Refers-To-Target-URI: {original.url}\r\n{refers_date}"
            f"WARC-Payload-Digest: {original.payload_digest}\r\nWARC-Block-Digest: {_digest(hashlib.sha1(http_head))}\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http_head)}\r\n\r\n"
            ).encode("utf-8")
    revisit = _gzip_member(head, http_head, b"\r\n\r\n")
    request = b""
    if request_headers is not None:
        request = _request_member(url, date, record_id, request_headers, method)
    return revisit, request


def build_records(url: str, status: int, reason: str, response_headers: Mapping[str, str], body: bytes,
                  request_headers: Mapping[str, str] | None = None, method: str = "GET",
                  ids: dict | None = None) -> tuple[bytes, bytes, str]:
    """(response member, request member or b"", payload digest): one exchange as gzipped WARC records.

    Pure CPU (digests, gzip) and no shared state, so it runs outside the writer's lock: records
    identical to warcio's WARCWriter (same fields, order and encodings), built without its per-record
    objects and with the payload hashed once."""
    statusline = f"{status} {reason}".strip()
    http_head = _http_block(f"HTTP/1.1 {statusline}\r\n", response_headers, statusline, "HTTP/1.1")
    payload = hashlib.sha1(body)
    block = hashlib.sha1(http_head)
    block.update(body)
    digest = _digest(payload)
    date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    response_id = f"<urn:uuid:{uuid.uuid4()}>"
    response = _gzip_member(_record("response", response_id, url, date, digest, _digest(block),
                                    len(http_head) + len(body)), http_head, body, b"\r\n\r\n")
    request = b""
    if request_headers is not None:
        request = _request_member(url, date, response_id, request_headers, method)
    if ids is not None:
        ids.update(record_id=response_id, date=date)
    return response, request, digest


class WarcWriter:
    """Appends request/response pairs to one WARC file per writer; thread-safe.

    Every writer starts a file of its own (never appending to an old one, whose last record may
    have been cut off by a kill); a write that fails midway is cut back to the last whole record,
    so the file stays readable, and the error is raised to the caller.

    A write builds its records (digests, gzip) before it takes the lock, so writers in several
    threads compress at once; under the lock it only appends the bytes and flushes them to the OS."""

    def __init__(self, directory: str | os.PathLike, prefix: str = "govplans", max_bytes: int = 1 << 30):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._file = None
        self._name = ""
        self._serial = 0

    def _open(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self._serial += 1
        self._name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial}.warc.gz"
        self._file = open(self.directory / self._name, "xb")   # a new file, never an old one

    def write(self, url: str, status: int, reason: str, response_headers: Mapping[str, str],
              body: bytes, request_headers: Mapping[str, str] | None = None,
              method: str = "GET", ids: dict | None = None) -> WarcLocation:
        """A full response record (and its request record). `ids`, when given, gets the response
        record's record_id and date (for a later revisit to refer to)."""
        response, request, digest = build_records(url, status, reason, response_headers, body, request_headers,
                                                  method, ids=ids)
        name, offset, length = self._append(response, request)
        return WarcLocation(name, offset, length, digest)

    def write_revisit(self, url: str, status: int, reason: str, response_headers: Mapping[str, str],
                      profile: str, original: Original, request_headers: Mapping[str, str] | None = None,
                      method: str = "GET") -> WarcLocation:
        """A revisit record (and its request record) instead of a full response. The location returned
        is the original's (where the payload is), with the revisit record's own place in `revisit`."""
        revisit, request = build_revisit(url, status, reason, response_headers, profile, original, request_headers,
                                         method)
        name, offset, length = self._append(revisit, request)
        return WarcLocation(original.file, original.offset, original.length, original.payload_digest,
                            revisit=(name, offset, length))

    def _append(self, response: bytes, request: bytes) -> tuple[str, int, int]:
        with self._lock:
            if self._file is None or self._file.tell() > self.max_bytes:
                self._close_file()
                self._open()
            offset = self._file.tell()
            try:
                self._file.write(response)
                if request:
                    self._file.write(request)
                self._file.flush()
            except BaseException:
                self._cut_back(offset)
                raise
            return self._name, offset, len(response)

    def _cut_back(self, offset: int) -> None:
        """After a failed write: drop its partial record; if even that fails, leave the file for a new one."""
        try:
            self._file.seek(offset)
            self._file.truncate(offset)
            self._file.flush()
        except (OSError, ValueError):
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None

    def close(self) -> None:
        with self._lock:
            self._close_file()

    def _close_file(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            finally:
                self._file = None


def _member(handle, offset: int) -> tuple[bytes, int] | None:
    """The uncompressed bytes of the gzip member at offset and its compressed length;
    None at the end of the file; WarcRecordError when the member is cut off or not gzip."""
    handle.seek(offset)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out: list[bytes] = []
    used = 0
    while not inflater.eof:
        data = handle.read(_CHUNK)
        if not data:
            if used == 0:
                return None
            raise WarcRecordError(f"record cut off after {used} bytes")
        try:
            out.append(inflater.decompress(data))
        except zlib.error as error:
            raise WarcRecordError(f"not a gzip record ({error})") from None
        used += len(data) - len(inflater.unused_data)
    return b"".join(out), used


def _parse(raw: bytes, name: str, offset: int):
    """(WARC type, StoredResponse or None) of one uncompressed record, checked whole."""
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(raw))))
        length = int(record.rec_headers.get_header("Content-Length") or 0)
        block = raw[raw.index(b"\r\n\r\n") + 4:]
        if len(block) < length:
            raise WarcRecordError(f"record {name}:{offset} holds {len(block)} of its {length} bytes")
        if record.rec_type == "revisit":
            return "revisit", _revisit(record)
        if record.rec_type != "response":
            return record.rec_type, None
        payload = record.raw_stream.read()
        stored = record.rec_headers.get_header("WARC-Payload-Digest")
    except WarcRecordError:
        raise
    except Exception as error:  # noqa: BLE001 - warcio raises many kinds on damaged input
        raise WarcRecordError(f"unreadable record at {name}:{offset}: {type(error).__name__}: {error}") from None
    if stored and stored != payload_digest(payload):
        raise WarcRecordError(f"record {name}:{offset}: payload digest mismatch")
    headers = {k.lower(): v for k, v in record.http_headers.headers} if record.http_headers else {}
    status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
    return record.rec_type, StoredResponse(record.rec_headers.get_header("WARC-Target-URI"), status, headers,
                                           _decoded(payload, headers), record.rec_headers.get_header("WARC-Date"),
                                           record_id=record.rec_headers.get_header("WARC-Record-ID"),
                                           digest=stored or payload_digest(payload))


def _revisit(record) -> StoredResponse:
    """A revisit record as a StoredResponse with no body: its status and headers, and in `revisit`
    what it refers to (the body is the earlier record's: see resolve_revisit)."""
    get = record.rec_headers.get_header
    headers = {k.lower(): v for k, v in record.http_headers.headers} if record.http_headers else {}
    status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
    info = {"profile": get("WARC-Profile"), "refers_to": get("WARC-Refers-To"),
            "refers_to_uri": get("WARC-Refers-To-Target-URI"), "refers_to_date": get("WARC-Refers-To-Date"),
            "digest": get("WARC-Payload-Digest"), "record_id": get("WARC-Record-ID")}
    return StoredResponse(get("WARC-Target-URI"), status, headers, b"", get("WARC-Date"), revisit=info,
                          record_id=get("WARC-Record-ID"), digest=get("WARC-Payload-Digest"))


def _decoded(payload: bytes, headers: dict[str, str]) -> bytes:
    """The body with the transfer and content encodings warcio knows undone (as content_stream did)."""
    encoding = (headers.get("content-encoding") or "").lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    try:
        if headers.get("transfer-encoding") == "chunked":
            return ChunkedDataReader(io.BytesIO(payload), decomp_type=encoding).read()
        if encoding:
            return BufferedReader(io.BytesIO(payload), decomp_type=encoding).read()
    except Exception:  # noqa: BLE001 - a body that claims an encoding it does not have is kept as served
        return payload
    return payload


def read_response(directory: str | os.PathLike, location_file: str, offset: int) -> StoredResponse:
    """The response record at offset, body decoded of any transfer/content encoding warcio undoes.
    Raises WarcRecordError (a ValueError) when the record there is cut off or damaged."""
    path = Path(directory) / Path(location_file).name  # never a path outside the WARC directory
    with open(path, "rb") as handle:
        member = _member(handle, offset)
    if member is None:
        raise WarcRecordError(f"no WARC record at {location_file}:{offset}")
    kind, response = _parse(member[0], path.name, offset)
    if response is None or kind != "response":
        raise WarcRecordError(f"no response record at {location_file}:{offset} (a {kind} record)")
    return response


def read_record(directory: str | os.PathLike, location_file: str, offset: int) -> tuple[str, StoredResponse | None]:
    """(WARC type, StoredResponse or None) of the record at offset: a response, or a revisit (no body;
    what it refers to in .revisit). Raises WarcRecordError when the record there is cut off or damaged."""
    path = Path(directory) / Path(location_file).name
    with open(path, "rb") as handle:
        member = _member(handle, offset)
    if member is None:
        raise WarcRecordError(f"no WARC record at {location_file}:{offset}")
    return _parse(member[0], path.name, offset)


def read_head(directory: str | os.PathLike, location_file: str, offset: int) -> dict[str, str]:
    """The WARC header fields of the record at offset (only its head is inflated): what a revisit
    needs of the record it refers to (WARC-Record-ID, WARC-Date, WARC-Type, WARC-Payload-Digest).
    Raises OSError or WarcRecordError when there is no readable record head there."""
    path = Path(directory) / Path(location_file).name
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    text = b""
    with open(path, "rb") as handle:
        handle.seek(offset)
        while b"\r\n\r\n" not in text:
            data = handle.read(4096)
            if not data or inflater.eof:
                raise WarcRecordError(f"no WARC record head at {location_file}:{offset}")
            try:
                text += inflater.decompress(data)
            except zlib.error as error:
                raise WarcRecordError(f"not a gzip record ({error})") from None
            if len(text) > 1 << 16:
                raise WarcRecordError(f"no WARC record head at {location_file}:{offset}")
    lines = text.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    if not lines[0].startswith("WARC/"):
        raise WarcRecordError(f"no WARC record at {location_file}:{offset}")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def scan_file(path: str | os.PathLike):
    """Every record of one WARC file: yields (offset, WARC type, StoredResponse or None); stops at a
    cut-off or damaged record, which it yields as a WarcProblem (nothing after it is read)."""
    path = Path(path)
    offset = 0
    with open(path, "rb") as handle:
        while True:
            try:
                member = _member(handle, offset)
                if member is None:
                    return
                kind, response = _parse(member[0], path.name, offset)
            except WarcRecordError as error:
                size = path.stat().st_size
                yield WarcProblem(path.name, offset, f"{error}; {size - offset} bytes skipped")
                return
            yield offset, kind, response
            offset += member[1]


def iter_responses(directory: str | os.PathLike, problems: list[WarcProblem] | None = None):
    """Every response record in every WARC file, oldest file first, as (file, offset, StoredResponse).
    A revisit record comes as the response it stands for: its own status, headers and date, with the
    body of the earlier record it refers to (identical-payload-digest; a server-not-modified revisit
    of a 304 has no body, as the 304 had none); (file, offset) are the revisit record's. A revisit
    whose earlier record is not found is logged and skipped.
    A cut-off or damaged record (the tail of a write killed midway) is logged, added to `problems`
    when given, and skipped with the rest of its file."""
    by_id: dict[str, tuple[str, int]] = {}
    by_digest: dict[tuple[str, str], tuple[str, int]] = {}
    for path in sorted(Path(directory).glob("*.warc.gz")):
        for entry in scan_file(path):
            if isinstance(entry, WarcProblem):
                log.warning("WARC %s: damaged record at offset %d skipped: %s", entry.file, entry.offset,
                            entry.reason)
                if problems is not None:
                    problems.append(entry)
                continue
            offset, kind, response = entry
            if response is None:
                continue
            if kind == "revisit":
                resolved = _resolve(directory, response, by_id, by_digest)
                if resolved is not None:
                    yield path.name, offset, resolved
                continue
            if response.record_id:
                by_id[response.record_id] = (path.name, offset)
            if response.status == 200 and response.digest:
                by_digest[(response.url, response.digest)] = (path.name, offset)
            yield path.name, offset, response


def _resolve(directory, revisit: StoredResponse, by_id: dict, by_digest: dict) -> StoredResponse | None:
    """The response a revisit stands for, its body read from the record it refers to."""
    info = revisit.revisit or {}
    if info.get("profile") == NOT_MODIFIED and revisit.status == 304:
        return revisit                                  # a 304 has no body of its own
    where = by_id.get(info.get("refers_to") or "") or by_digest.get((info.get("refers_to_uri") or revisit.url,
                                                                    info.get("digest") or ""))
    if where is None:
        log.warning("WARC revisit of %s: the record it refers to (%s) was not found; skipped", revisit.url,
                    info.get("refers_to") or info.get("digest"))
        return None
    try:
        original = read_response(directory, *where)
    except (OSError, WarcRecordError) as error:
        log.warning("WARC revisit of %s: the record it refers to is unreadable (%s); skipped", revisit.url, error)
        return None
    return StoredResponse(revisit.url, revisit.status, revisit.headers, original.body, revisit.date,
                          revisit=info, record_id=revisit.record_id, digest=original.digest)


# -- checking every record (govplans verify) ------------------------------------------------

@dataclass(frozen=True)
class RecordCheck:
    """One record as `check_file` found it: whole with both digests right (problem None), or not."""
    offset: int
    length: int                 # its gzip member's bytes (to the next member, or the file's end)
    kind: str | None = None     # WARC-Type
    url: str | None = None
    payload_digest: str | None = None
    problem: str | None = None


_GZIP_MAGIC = b"\x1f\x8b\x08"


def check_file(path: str | os.PathLike):
    """Every record of one WARC file, its block digest and (of a response) its payload digest
    recomputed. A member that does not inflate whole is yielded with its problem, and the walk goes
    on at the next gzip member that holds a WARC record, so one flipped byte costs one record."""
    path = Path(path)
    size = path.stat().st_size
    offset = 0
    with open(path, "rb") as handle:
        while offset < size:
            try:
                member = _member(handle, offset)
            except WarcRecordError as error:
                following = _next_member(handle, offset + 1, size)
                yield RecordCheck(offset, (following or size) - offset, problem=str(error))
                if following is None:
                    return
                offset = following
                continue
            if member is None:
                return
            raw, used = member
            yield _checked(raw, offset, used)
            offset += used


def _next_member(handle, start: int, size: int) -> int | None:
    """Where the next whole gzip member holding a WARC record starts after `start`, if any."""
    position = start
    while position < size:
        handle.seek(position)
        window = handle.read(_CHUNK)
        found = window.find(_GZIP_MAGIC)
        if found < 0:
            position += max(1, len(window) - len(_GZIP_MAGIC) + 1)
            continue
        candidate = position + found
        try:
            member = _member(handle, candidate)
        except WarcRecordError:
            member = None
        if member is not None and member[0].startswith(b"WARC/"):
            return candidate
        position = candidate + 1
    return None


def _matches(expected: str | None, data: bytes) -> bool:
    """A WARC digest field (algorithm:value, base32 or hex) against the bytes it digests."""
    if not expected or ":" not in expected:
        return True                          # no digest recorded: nothing to compare
    algorithm, _, value = expected.partition(":")
    try:
        digest = hashlib.new(algorithm.strip().lower().replace("-", ""), data).digest()
    except ValueError:
        return True                          # an algorithm we do not know is not a fault of the record
    value = value.strip()
    return value.upper() == base64.b32encode(digest).decode() or value.lower() == digest.hex()


def _checked(raw: bytes, offset: int, used: int) -> RecordCheck:
    end = raw.find(b"\r\n\r\n")
    if not raw.startswith(b"WARC/") or end < 0:
        return RecordCheck(offset, used, problem="not a WARC record")
    fields = {}
    for line in raw[:end].decode("utf-8", "replace").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    kind, url, payload = fields.get("warc-type"), fields.get("warc-target-uri"), fields.get("warc-payload-digest")
    try:
        length = int(fields.get("content-length") or 0)
    except ValueError:
        return RecordCheck(offset, used, kind, url, payload, problem="bad Content-Length")
    block = raw[end + 4:end + 4 + length]
    problem = None
    if len(block) < length:
        problem = f"holds {len(block)} of its {length} bytes"
    elif not _matches(fields.get("warc-block-digest"), block):
        problem = "block digest mismatch"
    elif kind == "response" and block.startswith(b"HTTP/"):
        head_end = block.find(b"\r\n\r\n")
        if head_end >= 0 and not _matches(payload, block[head_end + 4:]):
            problem = "payload digest mismatch"
    return RecordCheck(offset, used, kind, url, payload, problem)


def whole_end(path: str | os.PathLike, start: int = 0, size: int | None = None) -> int:
    """Where the last whole gzip member ending at or before `size` ends, walking from `start` (a
    member boundary): what a copy of a file still being written may take. A damaged member in the
    middle is stepped over to the next one; a cut-off last one (a write under way) is left out."""
    path = Path(path)
    size = path.stat().st_size if size is None else size
    offset = end = start
    with open(path, "rb") as handle:
        while offset < size:
            try:
                member = _member(handle, offset)
            except WarcRecordError:
                following = _next_member(handle, offset + 1, size)
                if following is None:
                    return end
                offset = end = following
                continue
            if member is None or offset + member[1] > size:
                return end
            offset = end = offset + member[1]
    return end


def member_length(path: str | os.PathLike, offset: int) -> int | None:
    """The compressed length of the whole gzip member at offset; None when none is there or it is damaged."""
    try:
        with open(path, "rb") as handle:
            found = _member(handle, offset)
    except (OSError, WarcRecordError):
        return None
    return found[1] if found else None
