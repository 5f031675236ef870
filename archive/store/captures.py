"""What a crawl needs of earlier captures: each URL's latest full response record, for revisits."""
from __future__ import annotations

from sqlalchemy import func, select

from archive.models import Capture
from archive.store.database import Archive


def latest_responses(archive: Archive, site_id: str) -> list[tuple[str, str, int, int | None, str]]:
    """(url, warc_file, warc_offset, warc_length, payload_digest) of each URL's latest 200 capture
    with a WARC record (a revisit's row points at the full record it refers to, so these are full)."""
    latest = (select(func.max(Capture.id)).where(Capture.site_id == site_id, Capture.status == 200,
                                                Capture.warc_file.is_not(None))
              .group_by(Capture.url))
    with archive.reading() as s:
        return [tuple(row) for row in s.execute(select(Capture.url, Capture.warc_file, Capture.warc_offset,
                                                       Capture.warc_length, Capture.payload_digest)
                                                .where(Capture.id.in_(latest))).all()]
