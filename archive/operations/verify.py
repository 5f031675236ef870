"""`govplans verify`: does the archive still prove what it holds?

Every WARC file is read whole (each record's block digest, a response's payload digest), then every
capture row is checked against the record it names (there, whole, the same payload digest), every
document, version and attachment against its capture, and the index against the documents. Each
fault is one Fault; `loss` marks those that cost evidence (a record gone or damaged that a row rests
on), the rest are repairable or harmless (an index entry missing, a damaged record no row uses).

`repair` fixes what can be fixed without the network: the index rebuilt, a document (version,
attachment) whose record is gone re-pointed at an intact capture of its URL and extracted again
from it, and a document left with no intact record marked (documents.evidence_lost_at).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archive import index as search_index
from archive.clock import utcnow
from archive.config import DataDir
from archive.store import evidence
from archive.store.database import Archive
from archive.warc import check_file

LISTED = 200   # faults listed one by one in the report; all are counted


@dataclass(frozen=True)
class Fault:
    kind: str       # see KINDS
    where: str      # a WARC file (and offset), or a row: "document 12"
    detail: str
    loss: bool


KINDS = {
    "record_damaged": "a WARC record that does not read whole or whose digest is wrong",
    "file_truncated": "a WARC file whose last record is cut off",
    "file_missing": "a WARC file that captures name but is not in the WARC directory",
    "capture_unreadable": "a capture whose WARC record is missing, damaged or another one",
    "capture_without_record": "a capture row that names no WARC record",
    "document_dangling": "a document, version or attachment resting on a capture that is not there or unreadable",
    "document_without_capture": "a document that rests on no capture at all",
    "evidence_lost": "a document an earlier repair marked: no intact record of it is left",
    "index_missing": "a document the index does not hold",
    "index_extra": "an index entry for no document",
}


@dataclass
class Report:
    files: int = 0
    records: int = 0
    bytes: int = 0
    captures: int = 0
    documents: int = 0
    indexed: int | None = None
    faults: list[Fault] = field(default_factory=list)
    lost_documents: list[int] = field(default_factory=list)   # documents resting on no intact record
    recoverable: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # kind -> (row id, intact capture)
    repaired: dict[str, int] = field(default_factory=dict)
    stale_marks: list[int] = field(default_factory=list)   # marked lost, resting on an intact record again

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(f.kind for f in self.faults))

    @property
    def loss(self) -> bool:
        return any(f.loss for f in self.faults)

    @property
    def ok(self) -> bool:
        return not self.faults

    def to_dict(self) -> dict:
        return {"ok": self.ok, "loss": self.loss, "files": self.files, "records": self.records,
                "bytes": self.bytes, "captures": self.captures, "documents": self.documents,
                "indexed": self.indexed, "fault_counts": self.counts,
                "faults": [asdict(f) for f in self.faults[:LISTED]],
                "lost_documents": self.lost_documents, "repaired": self.repaired}


def verify(data: DataDir, check_index: bool = True, archive: Archive | None = None) -> Report:
    own = archive is None
    archive = archive or Archive(data.database_url)
    try:
        return _verify(data, archive, check_index)
    finally:
        if own:
            archive.close()


def _verify(data: DataDir, archive: Archive, check_index: bool) -> Report:
    report = Report()
    # the rows first: a record is on disk before its capture row is written, so every record these
    # rows name is in the files read next, however a running crawl writes on
    rows = evidence.read_rows(archive)
    records: dict[str, dict[int, tuple]] = {}
    for path in sorted(Path(data.warc_dir).glob("*.warc.gz")) if data.warc_dir.is_dir() else []:
        records[path.name] = _check(path, report)
    intact: dict[int, bool] = {}
    by_url: dict[str, list[tuple[int, int]]] = defaultdict(list)     # URL -> (capture id, status), intact ones
    missing_files: Counter = Counter()
    for capture in rows.captures:
        report.captures += 1
        ok = _capture_ok(capture, records, report, missing_files)
        intact[capture.id] = ok
        if ok:
            by_url[capture.url].append((capture.id, capture.status))
    for name, count in sorted(missing_files.items()):
        report.faults.append(Fault("file_missing", name, f"{count} captures name it", True))
    _damage(records, report)
    _rows(rows, intact, by_url, report)
    report.documents = len(rows.documents)
    if check_index:
        _index(data, rows.documents, report)
    report.faults.sort(key=lambda f: (not f.loss, f.kind, f.where))
    return report


_WHOLE_REQUEST = ("request", None, None)


def _check(path: Path, report: Report) -> dict[int, tuple]:
    """offset -> (WARC type, payload digest, problem) of every record: kept small (no URL; one shared
    tuple for every whole request record), a national archive holds millions."""
    found = {}
    report.files += 1
    report.bytes += path.stat().st_size
    for record in check_file(path):
        if record.kind == "request" and record.problem is None:
            found[record.offset] = _WHOLE_REQUEST
        else:
            found[record.offset] = (record.kind, record.payload_digest, record.problem)
        report.records += 1
    return found


def _capture_ok(capture, records, report: Report, missing_files: Counter) -> bool:
    where = f"capture {capture.id}"
    if not capture.warc_file:
        report.faults.append(Fault("capture_without_record", where, capture.url, False))
        return False
    name = Path(capture.warc_file).name
    in_file = records.get(name)
    if in_file is None:
        missing_files[name] += 1
        return False
    record = in_file.get(capture.warc_offset)
    kind, digest, problem = record or (None, None, None)
    if record is None:
        detail = f"no record at {name}:{capture.warc_offset}"
    elif problem:
        detail = f"{name}:{capture.warc_offset}: {problem}"
    elif capture.payload_digest and digest != capture.payload_digest:
        detail = f"{name}:{capture.warc_offset} holds another payload ({digest})"
    elif kind not in ("response", "revisit"):
        detail = f"{name}:{capture.warc_offset} is a {kind} record"
    else:
        return True
    report.faults.append(Fault("capture_unreadable", where, f"{capture.url}: {detail}", True))
    return False


def _damage(records: dict[str, dict[int, tuple]], report: Report) -> None:
    """Damaged records, each a fault without loss of its own (a request record, a list page): the loss,
    when a capture rested on one, is its capture_unreadable fault. A cut-off last one is a truncated file."""
    for name, in_file in records.items():
        if not in_file:
            continue
        last = max(in_file)
        for offset, (_, _, problem) in sorted(in_file.items()):
            if problem is None:
                continue
            truncated = offset == last and "cut off" in problem
            kind = "file_truncated" if truncated else "record_damaged"
            report.faults.append(Fault(kind, f"{name}:{offset}", problem, False))


def _rows(rows: evidence.Rows, intact: dict[int, bool], by_url: dict, report: Report) -> None:
    lost_docs: set[int] = set()
    marked = rows.marked
    for kind, pointing in rows.pointers.items():
        for row_id, capture_id, url in pointing:
            if capture_id is None:
                if kind == "document":
                    report.faults.append(Fault("document_without_capture", f"document {row_id}", url, True))
                    lost_docs.add(row_id)
                continue                 # a version or attachment never fetched rests on nothing to lose
            if intact.get(capture_id):
                continue
            state = "is not there" if capture_id not in intact else "is unreadable"
            known = kind == "document" and row_id in marked
            report.faults.append(Fault("evidence_lost" if known else "document_dangling", f"{kind} {row_id}",
                                       f"{url}: capture {capture_id} {state}", True))
            other = [c for c, status in by_url.get(url, []) if c != capture_id and (status < 400 or kind != "document")]
            if other:
                report.recoverable.setdefault(kind, []).append((row_id, max(other)))
            elif kind == "document":
                lost_docs.add(row_id)
    report.lost_documents = sorted(lost_docs)
    report.stale_marks = sorted(marked - lost_docs)


def _index(data: DataDir, documents: set[int], report: Report) -> None:
    held = search_index.doc_ids(data.index_dir)
    report.indexed = len(held)
    for doc_id in sorted(documents - held):
        report.faults.append(Fault("index_missing", f"document {doc_id}", "not in the index", False))
    for doc_id in sorted(held - documents):
        report.faults.append(Fault("index_extra", f"index entry {doc_id}", "no such document", False))


def repair(data: DataDir, report: Report) -> dict[str, int]:
    """Fix what `report` found that can be fixed; returns what was done, by kind."""
    from archive.operations.indexing import rebuild_index

    done: Counter = Counter()
    archive = Archive(data.database_url)
    try:
        for kind, rows in report.recoverable.items():
            for row_id, capture_id in rows:
                evidence.repoint(archive, kind, row_id, capture_id)
                done[f"{kind}_repointed"] += 1
                if kind == "document" and _extract_again(archive, data, row_id, capture_id):
                    done["document_reextracted"] += 1
        repointed = {row_id for row_id, _ in report.recoverable.get("document", [])}
        evidence.clear_lost(archive, repointed | set(report.stale_marks))
        lost = [d for d in report.lost_documents if d not in repointed]
        if lost:
            done["document_marked_lost"] = evidence.mark_lost(archive, lost, utcnow())
    finally:
        archive.close()
    if report.stale_marks:
        done["document_mark_cleared"] = len(report.stale_marks)
    if done or any(f.kind in ("index_missing", "index_extra") for f in report.faults):
        done["index_rebuilt"] = rebuild_index(data)
    report.repaired = dict(done)
    return report.repaired


def _extract_again(archive: Archive, data: DataDir, doc_id: int, capture_id: int) -> bool:
    """The document extracted again from the intact capture it now rests on (a new version if the
    text differs from what the row holds)."""
    from archive.extract import extract_document
    from archive.extract.document import RawPage, SiteHint
    from archive.warc import WarcRecordError, read_response

    capture = next((c for c in evidence.iter_captures_by_id(archive, [capture_id])), None)
    if capture is None or capture.status >= 300:
        return False
    try:
        stored = read_response(data.warc_dir, capture.warc_file, capture.warc_offset)
    except (OSError, WarcRecordError):
        return False
    hint = evidence.site_hints(archive).get(capture.site_id)
    document = extract_document(RawPage(stored.url or capture.url, stored.body, stored.headers, capture.status),
                                SiteHint(*hint) if hint else None)
    archive.ingest(document, site_id=capture.site_id, capture_id=capture_id, seen_at=capture.fetched_at)
    return True
