"""What spiders hand to the pipelines, and what the pipelines add on the way."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archive.extract.document import ExtractedDocument, SiteHint
from archive.warc import WarcLocation


@dataclass
class CapturedPage:
    """A detail page or attachment as fetched, with where its raw capture lies.

    kind: detail (a document page), attachment (a file; referrer is its document's URL),
    unchanged (a 304 to a conditional request), gone (a known document answering 404/410).
    extra["listing"]: what the list page said about the item (dates, 文号 …), if anything.
    The extraction pipeline fills `document` (a detail page) or `text` (an attachment); the store
    pipeline fills `outcome` (new / changed / unchanged / withdrawn, None when nothing was stored).
    """
    url: str
    body: bytes
    headers: dict[str, str]
    status: int
    site_id: str
    kind: str = "detail"
    warc: WarcLocation | None = None
    fetched_at: datetime | None = None
    referrer: str | None = None
    extra: dict = field(default_factory=dict)
    site: SiteHint | None = None
    document: ExtractedDocument | None = None
    text: str | None = None
    ocr: str | None = None   # why the file's text must come from recognition (archive.ocr.detect)
    outcome: str | None = None
