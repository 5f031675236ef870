"""Links to attached files (pdf, doc, docx, wps, xls, xlsx, ofd, zip …) with their link text."""
from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlparse

from .document import AttachmentLink
from .dom import element_text

EXTENSIONS = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "ofd", "zip", "rar", "7z",
              "pptx", "ppt", "txt", "csv")
_EXT = re.compile(r"\.(" + "|".join(EXTENSIONS) + r")(?:$|[?#&])", re.I)


def attachments(tree, base_url: str | None) -> tuple[AttachmentLink, ...]:
    """Every distinct file link on the page, in document order."""
    found: dict[str, AttachmentLink] = {}
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = element_text(a) or (a.get("title") or "").strip()
        ext = _extension(href) or _extension(text)
        if not ext:
            continue
        url = urljoin(base_url, href) if base_url else href
        if url not in found:
            name = text or unquote(urlparse(href).path.rsplit("/", 1)[-1])
            found[url] = AttachmentLink(url=url, name=name, ext=ext)
    return tuple(found.values())


def _extension(s: str) -> str | None:
    match = _EXT.search(unquote(s).strip())
    return match.group(1).lower() if match else None
