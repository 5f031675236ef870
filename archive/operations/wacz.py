"""`govplans export --format wacz`: the archive (or the documents a filter picks) as a WACZ package
that ReplayWeb.page and pywb open: the WARC records, a CDXJ index, pages/pages.jsonl (each
document's URL, title and capture time) and datapackage.json with every file's digest.

The package is made by py-wacz (`wacz create`, which indexes with cdxj-indexer), the format's own
tools; we give it the WARC files and our pages. The whole archive goes as its WARC files, byte for
byte (list pages included, so a replayed site can be browsed); a filtered export writes one WARC file
of the records its documents rest on (each gzip member copied as it is, with its request record).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from archive.config import DataDir
from archive.read.export import ExportFilters
from archive.read.replay import replay_pages
from archive.store.database import Archive
from archive.warc import WarcRecordError, member_length, read_head


class WaczError(RuntimeError):
    pass


@dataclass(frozen=True)
class WaczSummary:
    pages: int
    unmatched: int      # pages py-wacz found no record for (left out of pages.jsonl)
    records: int
    warc_files: int
    bytes: int


def _pages_line(warc_dir: Path, page) -> str:
    """A page as pages.jsonl has it; its ts is its record's WARC-Date (what the CDXJ index holds, and
    what py-wacz matches a page to a record by), the capture row's time when the head is unreadable."""
    try:
        ts = read_head(warc_dir, *page.record).get("WARC-Date")
    except (OSError, WarcRecordError):
        ts = None
    if not ts:
        moment = page.fetched_at.replace(tzinfo=timezone.utc) if page.fetched_at.tzinfo is None else page.fetched_at
        ts = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"id": str(page.doc_id), "url": page.url, "title": page.title, "ts": ts},
                      ensure_ascii=False)


def export_wacz(data: DataDir, output: Path, filters: ExportFilters = ExportFilters(),
                title: str = "govplans archive") -> WaczSummary:
    output = Path(output)
    whole = filters == ExportFilters()
    with tempfile.TemporaryDirectory(prefix="govplans-wacz-") as work:
        work = Path(work)
        pages_file = work / "pages.jsonl"
        records: set[tuple[str, int, int]] = set()
        pages = 0
        archive = Archive(data.database_url)
        try:
            with open(pages_file, "w", encoding="utf-8") as out:
                out.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": title}) + "\n")
                for page in replay_pages(archive, filters):
                    out.write(_pages_line(data.warc_dir, page) + "\n")
                    records.update(page.records)
                    pages += 1
        finally:
            archive.close()
        if pages == 0:
            raise WaczError("no document with a capture matches: nothing to export")
        if whole:
            warcs = sorted(data.warc_dir.glob("*.warc.gz"))
        else:
            warcs = [_subset(data.warc_dir, sorted(records), work / f"govplans-export-{_now()}.warc.gz")]
        unmatched = _wacz_create(output, pages_file, warcs, title)
    return WaczSummary(pages, unmatched, len(records), len(warcs), output.stat().st_size)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")


def _subset(warc_dir: Path, records: list[tuple[str, int, int]], target: Path) -> Path:
    """One WARC file of the given records, each gzip member copied byte for byte, followed by its
    request record when the crawl wrote one right after it."""
    with open(target, "wb") as out:
        for name, offset, length in records:
            source = warc_dir / Path(name).name
            try:
                with open(source, "rb") as handle:
                    handle.seek(offset)
                    out.write(handle.read(length))
                    following = _request_after(warc_dir, source, offset + length)
                    if following:
                        out.write(handle.read(following))
            except OSError as error:
                raise WaczError(f"cannot read {name}: {error}") from None
    return target


def _request_after(warc_dir: Path, source: Path, offset: int) -> int:
    """The length of the request record at offset, 0 when the member there is not one."""
    try:
        if read_head(warc_dir, source.name, offset).get("WARC-Type") != "request":
            return 0
    except (OSError, WarcRecordError):
        return 0
    return member_length(source, offset) or 0


def _wacz_create(output: Path, pages: Path, warcs: list[Path], title: str) -> int:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial.wacz")
    partial.unlink(missing_ok=True)
    command = [sys.executable, "-m", "wacz", "create", "-o", str(partial), "-p", str(pages), "--title", title,
               *map(str, warcs)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not partial.exists():
        partial.unlink(missing_ok=True)
        raise WaczError(f"wacz create failed: {(result.stderr or result.stdout).strip()[-800:]}")
    partial.replace(output)
    return result.stdout.count("Invalid passed page")
