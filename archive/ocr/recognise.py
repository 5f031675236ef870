"""One file -> its text by recognition, page by page, within a time limit.

    recognise_file(body, max_pages, seconds) -> Recognised

Never raises for a bad file: what went wrong is in .errors and the text is what was read before.
A PDF page whose text layer reads as text keeps it (no recognition); other pages are rendered and
recognised. The time limit is checked between pages (a page is bounded by pages.MAX_SIDE), so a
file stops at most one page late.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from archive.ocr.layout import page_text

MAX_PAGES = 100
SECONDS = 300.0


@dataclass
class Recognised:
    text: str = ""
    confidence: float | None = None   # recognised characters' mean score, weighted by length
    pages: int = 0                    # pages read (recognised or from their text layer)
    recognised_pages: int = 0
    errors: list[str] = field(default_factory=list)


def recognise_file(body: bytes, max_pages: int = MAX_PAGES, seconds: float = SECONDS,
                   use_text_layer: bool = True) -> Recognised:
    from archive.ocr.engine import recognise_image
    from archive.ocr.pages import count_pages, pages

    out = Recognised()
    started = time.monotonic()
    texts: list[str] = []
    weight = scored = 0.0
    try:
        total = count_pages(body)
        if total > max_pages:
            out.errors.append(f"read {max_pages} of {total} pages")
        for page in pages(body, max_pages, use_text_layer):
            out.pages += 1
            if page.image is None:
                texts.append(page.text.strip())
            else:
                lines = recognise_image(page.image)
                out.recognised_pages += 1
                texts.append(page_text(lines, page.image.width, page.image.height))
                for line in lines:
                    weight += len(line.text)
                    scored += len(line.text) * line.score
                page.image.close()
            if time.monotonic() - started > seconds:
                if out.pages < min(total, max_pages):
                    out.errors.append(f"time limit of {seconds:.0f} s: read {out.pages} of {total} pages")
                break
    except Exception as exc:  # a damaged file: keep what was read
        out.errors.append(f"{type(exc).__name__}: {exc}"[:300])
    out.text = "\n".join(t for t in drop_running_heads(texts) if t)
    out.confidence = round(scored / weight, 4) if weight else None
    return out


def drop_running_heads(texts: list[str]) -> list[str]:
    """A short first or last paragraph repeated on several pages is a running head or foot."""
    if len(texts) < 2:
        return texts
    for position in (0, -1):
        ends = [t.split("\n")[position] for t in texts if t]
        repeated = {e for e in ends if len(e) <= 40 and ends.count(e) >= max(2, len(ends) // 2)}
        if repeated:
            texts = ["\n".join(p for i, p in enumerate(t.split("\n"))
                               if not ((i == 0 if position == 0 else i == len(t.split("\n")) - 1)
                                       and p in repeated)) for t in texts]
    return texts
